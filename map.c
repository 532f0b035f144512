/*
 * map: chained hashing with a seeded FNV-1a 64 (contract in
 * include/map.h).  Pure: it allocates, but does no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "map.h"

#define FIRST_BUCKETS	16

static uint64_t
hash(uint64_t seed, const void *key, size_t klen)
{
	const unsigned char *p = key;
	uint64_t h = 14695981039346656037ULL ^ seed;
	size_t i;

	for (i = 0; i < klen; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	/* A final mix, so the seed reaches every bit of the bucket index. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

int
map_init(struct map *m, uint64_t seed)
{
	m->nb = FIRST_BUCKETS;
	m->n = 0;
	m->seed = seed;
	m->b = calloc(m->nb, sizeof(*m->b));
	return m->b == NULL ? -1 : 0;
}

void
map_free(struct map *m)
{
	struct map_node *e, *next;
	size_t i;

	for (i = 0; m->b != NULL && i < m->nb; i++)
		for (e = m->b[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(m->b);
	m->b = NULL;
	m->n = m->nb = 0;
}

static void
grow(struct map *m)
{
	struct map_node **nb, *e, *next;
	size_t i, size = m->nb * 2;

	if ((nb = calloc(size, sizeof(*nb))) == NULL)
		return;			/* longer chains, still correct */
	for (i = 0; i < m->nb; i++)
		for (e = m->b[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[e->hash & (size - 1)];
			nb[e->hash & (size - 1)] = e;
		}
	free(m->b);
	m->b = nb;
	m->nb = size;
}

int
map_put(struct map *m, const void *key, size_t klen, void *val)
{
	struct map_node *e;
	size_t i;

	if ((e = malloc(sizeof(*e))) == NULL)
		return -1;
	e->key = key;
	e->klen = klen;
	e->val = val;
	e->hash = hash(m->seed, key, klen);
	i = e->hash & (m->nb - 1);
	e->next = m->b[i];
	m->b[i] = e;
	if (++m->n > m->nb)
		grow(m);
	return 0;
}

static int
same(const struct map_node *e, uint64_t h, const void *key, size_t klen)
{
	return e->hash == h && e->klen == klen &&
	    memcmp(e->key, key, klen) == 0;
}

void
map_del(struct map *m, const void *key, size_t klen, void *val)
{
	struct map_node **pp, *e;
	uint64_t h = hash(m->seed, key, klen);

	for (pp = &m->b[h & (m->nb - 1)]; (e = *pp) != NULL; pp = &e->next)
		if (e->val == val && same(e, h, key, klen)) {
			*pp = e->next;
			free(e);
			m->n--;
			return;
		}
}

void *
map_get(const struct map *m, const void *key, size_t klen)
{
	struct map_node *e;
	uint64_t h = hash(m->seed, key, klen);

	for (e = m->b[h & (m->nb - 1)]; e != NULL; e = e->next)
		if (same(e, h, key, klen))
			return e->val;
	return NULL;
}

size_t
map_count(const struct map *m, const void *key, size_t klen)
{
	struct map_node *e;
	uint64_t h = hash(m->seed, key, klen);
	size_t n = 0;

	for (e = m->b[h & (m->nb - 1)]; e != NULL; e = e->next)
		n += same(e, h, key, klen);
	return n;
}

void
map_each(const struct map *m, const void *key, size_t klen,
    void (*fn)(void *ctx, void *val), void *ctx)
{
	struct map_node *e, *next;
	uint64_t h = hash(m->seed, key, klen);

	for (e = m->b[h & (m->nb - 1)]; e != NULL; e = next) {
		next = e->next;
		if (same(e, h, key, klen))
			fn(ctx, e->val);
	}
}
