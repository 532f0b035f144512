/*
 * table: the peer table's storage (contract in include/table.h).
 *
 * Three seeded hashes (map.c) find entries: by node id, by key (each
 * entry's address and the "host:port" it dials) and by name.  Indexes are
 * slots of a growing array; forgotten ones go to a ring, oldest first.
 */
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "random.h"
#include "map.h"
#include "table.h"

struct table {
	struct peer	**slots;	/* index -> entry, NULL when free */
	int		 n;		/* indexes handed out */
	int		 cap;
	int		*freed;		/* ring of forgotten indexes */
	int		 freed_head, nfreed;
	struct map	 by_id, by_key, by_name;
	struct peer	*lru_head, *lru_tail;	/* departed strangers */
	int		 nlru;
};

struct table *
table_new(void)
{
	struct table *t;
	unsigned char seed[24];
	uint64_t s[3] = { 0, 0, 0 };
	int i;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	random_bytes(seed, sizeof(seed));
	for (i = 0; i < 24; i++)
		s[i / 8] = s[i / 8] << 8 | seed[i];
	if (map_init(&t->by_id, s[0]) == -1 ||
	    map_init(&t->by_key, s[1]) == -1 ||
	    map_init(&t->by_name, s[2]) == -1) {
		table_free(t);
		return NULL;
	}
	return t;
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	map_free(&t->by_id);
	map_free(&t->by_key);
	map_free(&t->by_name);
	free(t->slots);
	free(t->freed);
	free(t);
}

struct peer *
table_at(const struct table *t, int i)
{
	return i >= 0 && i < t->n ? t->slots[i] : NULL;
}

int
table_count(const struct table *t)
{
	return t->n;
}

const char *
peer_label(const struct peer *e)
{
	return e->addr[0] != '\0' ? e->addr : e->dial != NULL ? e->dial : "?";
}

/* --- keys --------------------------------------------------------------- */

void
table_unkey(struct table *t, struct peer *e)
{
	if (e->keyed_addr)
		map_del(&t->by_key, e->addr, strlen(e->addr), e);
	if (e->keyed_dial)
		map_del(&t->by_key, e->dial, strlen(e->dial), e);
	if (e->keyed_name)
		map_del(&t->by_name, e->name, strlen(e->name), e);
	if (e->keyed_id)
		map_del(&t->by_id, e->id, PROTO_NODE_ID, e);
	e->keyed_addr = e->keyed_dial = e->keyed_name = e->keyed_id = 0;
}

void
table_rekey(struct table *t, struct peer *e)
{
	table_unkey(t, e);
	if (e->addr[0] != '\0')
		e->keyed_addr = map_put(&t->by_key, e->addr, strlen(e->addr),
		    e) == 0;
	if (e->dial != NULL && strcmp(e->dial, e->addr) != 0)
		e->keyed_dial = map_put(&t->by_key, e->dial, strlen(e->dial),
		    e) == 0;
	if (e->name[0] != '\0')
		e->keyed_name = map_put(&t->by_name, e->name, strlen(e->name),
		    e) == 0;
	if (e->has_id)
		e->keyed_id = map_put(&t->by_id, e->id, PROTO_NODE_ID, e) == 0;
}

/* --- indexes ------------------------------------------------------------ */

int
table_insert(struct table *t, struct peer *e)
{
	struct peer **s;
	int i, ncap;

	if (t->n < TABLE_MAX_INDEX) {
		if (t->n == t->cap) {
			ncap = t->cap > 0 ? t->cap * 2 : 16;
			if ((s = realloc(t->slots, (size_t)ncap *
			    sizeof(*s))) == NULL)
				return -1;
			t->slots = s;
			t->cap = ncap;
		}
		i = t->n++;
	} else if (t->nfreed > 0) {
		i = t->freed[t->freed_head];
		t->freed_head = (t->freed_head + 1) % TABLE_MAX_INDEX;
		t->nfreed--;
	} else
		return -1;
	e->index = i;
	t->slots[i] = e;
	return 0;
}

void
table_remove(struct table *t, struct peer *e)
{
	table_back(t, e);
	table_unkey(t, e);
	t->slots[e->index] = NULL;
	if (t->freed == NULL &&
	    (t->freed = malloc(TABLE_MAX_INDEX * sizeof(*t->freed))) == NULL)
		return;		/* then this index is never given again */
	if (t->nfreed < TABLE_MAX_INDEX)
		t->freed[(t->freed_head + t->nfreed++) % TABLE_MAX_INDEX] =
		    e->index;
}

/* --- departed strangers ------------------------------------------------- */

void
table_depart(struct table *t, struct peer *e)
{
	if (e->in_lru)
		return;
	e->lru_prev = t->lru_tail;
	e->lru_next = NULL;
	if (t->lru_tail != NULL)
		t->lru_tail->lru_next = e;
	else
		t->lru_head = e;
	t->lru_tail = e;
	e->in_lru = 1;
	t->nlru++;
}

void
table_back(struct table *t, struct peer *e)
{
	if (!e->in_lru)
		return;
	if (e->lru_prev != NULL)
		e->lru_prev->lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next != NULL)
		e->lru_next->lru_prev = e->lru_prev;
	else
		t->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
	e->in_lru = 0;
	t->nlru--;
}

struct peer *
table_over(const struct table *t)
{
	return t->nlru > TABLE_MAX_DEPARTED ? t->lru_head : NULL;
}

/* --- lookups ------------------------------------------------------------ */

struct peer *
table_by_id(const struct table *t, const unsigned char *id)
{
	return map_get(&t->by_id, id, PROTO_NODE_ID);
}

struct pick {
	struct peer	**found;
	int		 max;
	int		 n;
};

static void
pick_one(void *ctx, void *val)
{
	struct pick *k = ctx;

	if (k->n < k->max)
		k->found[k->n] = val;
	k->n++;
}

/* The entries under key in m, connected ones only if some are. */
static struct peer *
lookup(const struct map *m, const char *key, size_t len, struct peer **found,
    int max, int *n)
{
	struct peer *tmp[8];
	struct pick k;
	int i, up = 0;

	k.found = tmp;
	k.max = 8;
	k.n = 0;
	map_each(m, key, len, pick_one, &k);
	if (k.n > 8)
		k.n = 8;
	for (i = 0; i < k.n; i++)
		up += tmp[i]->state == PEER_UP;
	*n = 0;
	for (i = 0; i < k.n; i++)
		if (up == 0 || up == k.n || tmp[i]->state == PEER_UP) {
			if (*n < max)
				found[*n] = tmp[i];
			(*n)++;
		}
	return *n == 1 ? found[0] : NULL;
}

static int
by_index(const void *a, const void *b)
{
	int x = (*(struct peer *const *)a)->index;
	int y = (*(struct peer *const *)b)->index;

	return (x > y) - (x < y);
}

struct peer *
table_by_key(const struct table *t, const char *key, size_t len,
    struct peer **found, int max, int *n)
{
	return lookup(&t->by_key, key, len, found, max, n);
}

struct peer *
table_find(const struct table *t, const char *sel, size_t len,
    struct peer **found, int max, int *nfound)
{
	struct peer *one[1], *e;
	struct pick k;
	int index;

	if (max == 0) {
		found = one;
		max = 1;
	}
	*nfound = 0;
	switch (console_selector(sel, len, &index)) {
	case CONSOLE_SEL_INDEX:
		if ((e = table_at(t, index)) != NULL)
			*nfound = 1;
		return e;
	case CONSOLE_SEL_ADDR:
		return lookup(&t->by_key, sel, len, found, max, nfound);
	case CONSOLE_SEL_NAME:
		/* A name held by two entries is ambiguous, up or not. */
		if ((*nfound = (int)map_count(&t->by_name, sel, len)) == 1)
			return map_get(&t->by_name, sel, len);
		k.found = found;
		k.max = max;
		k.n = 0;
		map_each(&t->by_name, sel, len, pick_one, &k);
		qsort(found, (size_t)(*nfound < max ? *nfound : max),
		    sizeof(*found), by_index);
		return NULL;
	default:
		return NULL;
	}
}
