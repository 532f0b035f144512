/*
 * map: a hash multimap from byte strings to pointers, for lookups in
 * constant average time (the peer table's ids, addresses and names).
 *
 * Keys are not copied: a key must stay unchanged in memory the caller
 * owns until its entry is removed.  The same key may map to several
 * values; map_get() returns one of them and map_count() says how many
 * there are, map_each() visits each.  The hash is seeded at random per
 * map, so a peer cannot choose keys that all fall in one bucket without
 * seeing the seed; the table doubles to keep chains short.
 */
#ifndef KAIPEER_MAP_H
#define KAIPEER_MAP_H

#include <stddef.h>
#include <stdint.h>

struct map_node {
	struct map_node	*next;
	const void	*key;
	size_t		 klen;
	uint64_t	 hash;
	void		*val;
};

struct map {
	struct map_node	**b;
	size_t		 nb;		/* buckets, a power of two */
	size_t		 n;		/* entries */
	uint64_t	 seed;
};

/* Set up an empty map with this seed (random bytes).  0, or -1. */
int	map_init(struct map *m, uint64_t seed);
void	map_free(struct map *m);

/* Add key -> val (a duplicate pair is added again).  0, or -1: no memory. */
int	map_put(struct map *m, const void *key, size_t klen, void *val);

/* Remove the pair key -> val if present. */
void	map_del(struct map *m, const void *key, size_t klen, void *val);

/* A value of key, or NULL. */
void	*map_get(const struct map *m, const void *key, size_t klen);

/* How many values key has. */
size_t	map_count(const struct map *m, const void *key, size_t klen);

/* Call fn(ctx, val) for each value of key. */
void	map_each(const struct map *m, const void *key, size_t klen,
	    void (*fn)(void *ctx, void *val), void *ctx);

#endif
