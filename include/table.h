/*
 * table: the peer table as a data structure: the entries, their stable
 * indexes, and the hashes that find them by node id, by address (each
 * entry's "ip:port" and the "host:port" it dials) and by name.
 *
 * An index, once given, is an entry's for its life.  Entries are forgotten
 * only when their owner says so; a forgotten entry's index goes into a
 * ring and is handed out again only once TABLE_MAX_INDEX indexes have
 * been used, oldest first.  Departed strangers (entries made by nodes that
 * dialled us and left) wait on a list, oldest first, of at most
 * TABLE_MAX_DEPARTED: past it, table_over() names the one to forget.
 *
 * The table knows nothing of links and prints nothing; it is the storage
 * under peers.c.  Keys point into the entries: change an entry's addr,
 * dial, name or id only between table_unkey() and table_rekey().
 */
#ifndef KAIPEER_TABLE_H
#define KAIPEER_TABLE_H

#include <stddef.h>

#include "loop.h"
#include "net.h"
#include "proto.h"

#define TABLE_MAX_INDEX		65536	/* indexes handed out before reuse */
#define TABLE_MAX_DEPARTED	1024	/* departed strangers remembered */
#define PEERS_MAX_LINKS		4	/* links of one entry at once */

struct session;

enum peer_state {
	PEER_CONNECTING,	/* dialling, or its handshake in progress */
	PEER_UP,		/* a link is up */
	PEER_DOWN,		/* was up, now gone */
	PEER_FAILED		/* our dial failed */
};

enum peer_origin {
	PEER_CONFIG,		/* listed in "peers" */
	PEER_CONNECT,		/* "connect" or the library */
	PEER_ACCEPTED,		/* it dialled us */
	PEER_DISCOVERED		/* a peer told us of it, or its beacon */
};

struct resolve;
struct request;

/* The request layer's lists of an entry's requests (see request.h). */
struct req_list {
	struct request	*head, *tail;
};

struct peer {
	int		 index;
	enum peer_state	 state;
	enum peer_origin origin;
	char		 addr[ADDR_STRLEN];	/* "ip:listen-port", or dial */
	char		*dial;		/* "host:port" we dial; NULL: none */
	char		*host;
	int		 port;
	char		 name[PROTO_MAX_NAME + 1];
	unsigned char	 id[PROTO_NODE_ID];
	int		 has_id;
	int		 ephemeral;	/* inbound, not listening */
	int		 final;		/* it is us: never dialled again */
	int		 held;		/* "disconnect": not dialled again */
	int		 has_pin;	/* "key" in its config: it must show */
	unsigned char	 pin[32];
	int		 has_key;	/* its key, proven (secured links) */
	unsigned char	 key[32];
	char		 label[ADDR_STRLEN + PROTO_MAX_NAME + 4];
	size_t		 label_len;	/* "addr (name)", kept by node.c */
	long		 rate_tokens;	/* "rateLimit": thousandths of one */
	long long	 rate_at;	/* when they were counted; 0: full */
	char		 why[160];	/* why the last dial failed */
	char		 via[ADDR_STRLEN];	/* discovered: from whom; ""
					   for the LAN beacon */
	int		 probe;		/* discovered, not yet in the table */
	int		 fails;		/* dials failed in a row */
	struct session	*link;		/* the link in use, once up */
	struct session	*dialling;	/* our dial, until its handshake */
	struct session	*links[PEERS_MAX_LINKS];	/* every link */
	int		 nlinks;
	struct req_list	 waiting;	/* requests not yet sent */
	struct req_list	 sent;		/* requests sent, not answered */
	/* Internal. */
	struct peers	*owner;
	struct resolve	*resolving;
	long		 backoff_ms;
	long long	 retry_at;	/* 0: no redial planned */
	struct loop_timer retry;
	struct loop_timer lookup;	/* deadline of a name lookup */
	char		 reported[160];	/* the failure last told */
	struct peer	*lru_prev, *lru_next;	/* table: departed list */
	int		 in_lru;
	int		 keyed_addr, keyed_dial, keyed_name, keyed_id;
};

struct table;

/* An empty table; NULL if no memory. */
struct table *table_new(void);

/* Free the table (not the entries: they are their owner's). */
void	table_free(struct table *t);

/* Give e the next index and put it in.  0, or -1 when no index is free. */
int	table_insert(struct table *t, struct peer *e);

/* Take e out: its keys, its place on the departed list, its index. */
void	table_remove(struct table *t, struct peer *e);

/* Stop finding e by its keys; find it again by the keys it has now. */
void	table_unkey(struct table *t, struct peer *e);
void	table_rekey(struct table *t, struct peer *e);

/* e, a stranger, left: onto the departed list (table_back(): it is back).
 * table_over() is the oldest departed entry while the list is too long,
 * else NULL. */
void	table_depart(struct table *t, struct peer *e);
void	table_back(struct table *t, struct peer *e);
struct peer *table_over(const struct table *t);

/* The entry at index i, or NULL; how many indexes there are. */
struct peer *table_at(const struct table *t, int i);
int	table_count(const struct table *t);

/* The entry with this node id, or NULL. */
struct peer *table_by_id(const struct table *t, const unsigned char *id);

/*
 * The entry under an address key, preferring connected ones; or NULL with
 * *n 0 (none) or above 1 (several: the first max in found[]).
 */
struct peer *table_by_key(const struct table *t, const char *key,
	    size_t len, struct peer **found, int max, int *n);

/*
 * The entry a selector names: an index, an address or a name (see
 * console_selector()).  NULL with *n 0 (nothing) or above 1 (ambiguous:
 * the first max of them in found[], by index).
 */
struct peer *table_find(const struct table *t, const char *sel, size_t len,
	    struct peer **found, int max, int *n);

/* "ip:port", or the dial string when it was never up. */
const char *peer_label(const struct peer *e);

#endif
