/*
 * peers: the peer table.
 *
 * Every peer the node knows has an entry with an index that never
 * changes: an entry is made when the node dials an address (config,
 * "connect") or a new node dials it, and a node that comes back (by node
 * id, or at the same ip:listen-port) gets its old entry back.  Entries are
 * found by index, node id, address and name through hashes, in constant
 * average time.
 *
 * An entry has at most one link in use (entry->link).  When a second link
 * to the same node comes up (two nodes dialling each other at once, a
 * node that restarted), both ends keep the same one (docs/PROTOCOL.md,
 * 7.3) and the other is retired; what was in flight on it is handed back
 * to the owner (ops->retired) to go again on the link that stays.
 *
 * Entries with an address to dial are dialled again when their link fails
 * or is lost, after a backoff from 0.25 s doubling to reconnectMax with
 * +-25% jitter; only a connection to the node itself is final, and a
 * discovered peer is forgotten after PEERS_FORGET_FAILS failures in a
 * row.  A discovered address is first probed: dialled without an entry,
 * and put in the table only once its handshake is done (peers_probe()).  Entries
 * made by strangers are bounded: one that did not listen is forgotten as
 * soon as it leaves, and of those that did, at most TABLE_MAX_DEPARTED
 * are remembered after they left, oldest forgotten first (table.c keeps
 * the entries, their indexes and their hashes).
 *
 * The table prints nothing: what happens is told to the owner through
 * ops->event(), and the owner decides what the user sees.
 */
#ifndef KAIPEER_PEERS_H
#define KAIPEER_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "proto.h"
#include "session.h"
#include "table.h"

#define PEERS_RETRY_FIRST_MS	250	/* first wait before dialling again */
#define PEERS_MAX_PROBES	4	/* discovered addresses dialled at once */
#define PEERS_FORGET_FAILS	6	/* a discovered peer failing as often
					   in a row is forgotten */

/* What the owner hears (ev, the entry or NULL, who, text, code). */
enum peer_event {
	PEV_UP_OUT,		/* our dial is up: "Connected to peer" */
	PEV_UP_IN,		/* a node dialled us: "Peer connected from" */
	PEV_BYE,		/* it said goodbye */
	PEV_LOST,		/* its last link is gone */
	PEV_TIMEOUT,		/* no heartbeat (text: ms) */
	PEV_STALLED,		/* it read nothing of our output */
	PEV_VIOLATION,		/* it broke the protocol (text) */
	PEV_REFUSED_BY,		/* it sent a fatal ERROR (text, code) */
	PEV_WARNING,		/* it sent a warning ERROR (text, code) */
	PEV_IGNORED,		/* frames of it were ignored (once a link) */
	PEV_NOTE,		/* something else about it worth saying */
	PEV_DIAL_FAILED,	/* a dial failed for a new reason (text) */
	PEV_SELF,		/* the dial reached this node */
	PEV_REFUSED_IN,		/* a newcomer was refused (text) */
	PEV_NO_HANDSHAKE,	/* a newcomer sent no HELLO in time */
	PEV_DENIED		/* we refused it: security (text) */
};

struct peers_ops {
	void	(*event)(void *ctx, enum peer_event ev, struct peer *e,
		    const char *who, const char *text, unsigned code);
	void	(*command)(void *ctx, struct peer *e, uint32_t id,
		    const char *text, size_t len);
	void	(*result)(void *ctx, struct peer *e, uint32_t id, int status,
		    int exit_code, const char *text, size_t len);
	/* e no longer waits for the result of its command id. */
	void	(*cancel)(void *ctx, struct peer *e, uint32_t id);
	/* e has a link ready for commands. */
	void	(*ready)(void *ctx, struct peer *e);
	/* e has no link and none is coming now: fail what waits for it
	 * with why ("connection lost"). */
	void	(*gone)(void *ctx, struct peer *e, const char *why);
	/* The duplicate link gen of e ended: what was sent on it and got
	 * no result goes again. */
	void	(*retired)(void *ctx, struct peer *e, unsigned gen);
	/* Entry from turned out to be into's node and goes away. */
	void	(*merged)(void *ctx, struct peer *from, struct peer *into);
	/* A secured peer proved key; e is the entry we dialled, or NULL
	 * (it dialled us).  0 lets it in; -1 refuses it, why saying so. */
	int	(*authorize)(void *ctx, struct peer *e,
		    const unsigned char key[32], char *why, size_t whysize);
	/* A RELAY, PART or PEERS frame from e: as session_ops.frame. */
	int	(*frame)(void *ctx, struct peer *e,
		    const struct proto_frame *f);
	/* The probe of dial ("ip:port", peers_probe()) ended: ok 1, it is
	 * in the table; 2, it is a node known already; 0, it failed (why). */
	void	(*probed)(void *ctx, const char *dial, int ok, const char *why);
	/* The discovered entry e failed too often and is being forgotten. */
	void	(*forgot)(void *ctx, const struct peer *e);
};

struct peers;

/*
 * A table dialling and accepting through env (env->loop, env->net),
 * allowing max_conns connections (inbound ones past it are refused) and
 * waiting at most reconnect_max_ms between dials.  NULL if no memory.
 */
struct peers *peers_new(const struct sess_env *env, int max_conns,
	    long reconnect_max_ms, const struct peers_ops *ops, void *ctx);

/* Close every link at once and free the table. */
void	peers_free(struct peers *p);

/* Change the limits (a reloaded config). */
void	peers_limits(struct peers *p, int max_conns, long reconnect_max_ms);

/* No more redials (a one-shot node, or one that is exiting). */
void	peers_no_redial(struct peers *p);

/* A new inbound connection from the net. */
void	peers_accept(struct peers *p, struct conn *c);

/*
 * The entry that dials host:port (host is a name, an IPv4 address or an
 * IPv6 address, bracketed or not), made if there is none.  NULL if no
 * memory.  peers_dial() starts dialling it (if it has no link).
 */
struct peer *peers_entry(struct peers *p, const char *host, int port,
	    enum peer_origin origin);
void	peers_dial(struct peers *p, struct peer *e);

/*
 * Dial ip:port (numeric), learnt from via (a peer's label, or "" for the
 * LAN), without making an entry: only once its handshake succeeds does it
 * enter the table, as a discovered peer (the owner hears ops->probed()
 * either way, and nothing else of a probe that fails).  With key, the
 * node must prove that key.  0, or -1 when PEERS_MAX_PROBES are under
 * way, ip is not numeric, or no memory.
 */
int	peers_probe(struct peers *p, const char *ip, int port,
	    const unsigned char *key, const char *via);
/* Probes under way. */
int	peers_probing(const struct peers *p);
/* The entry of the node with this id, or NULL. */
struct peer *peers_by_id(const struct peers *p, const unsigned char *id);
/* Say goodbye on every link, close the rest, plan no redial. */
void	peers_bye_all(struct peers *p, const char *text);

/*
 * Say goodbye on e's links and dial it no more, until peers_dial() (a
 * "connect") asks again; what waited for it ends ("disconnected").  A
 * node that dials us may still come back.  peers_forget() does the same
 * and takes e out of the table: e is freed.
 */
void	peers_disconnect(struct peers *p, struct peer *e);
void	peers_forget(struct peers *p, struct peer *e);

/* Drop e's link in use now (why, text), as if it had been lost. */
void	peers_kill(struct peers *p, struct peer *e, enum sess_end why,
	    const char *text);

/* Forget e's address to dial (no longer configured); close its links. */
void	peers_drop(struct peers *p, struct peer *e);

/* The entry at index i, or NULL; how many indexes there are (table.c). */
struct peer *peers_at(const struct peers *p, int i);
int	peers_count(const struct peers *p);

/* Entries with a link up. */
int	peers_up(const struct peers *p);

/* Is any dial in progress (a name lookup, a connect, a handshake)? */
int	peers_connecting(const struct peers *p);

/*
 * Find the entry a selector names: an index, an address ("ip:port",
 * "[ipv6]:port", or "host:port" as dialled) or a name.  Returns the entry;
 * or NULL with *nfound 0 (nothing) or more than 1 (ambiguous: the first
 * max of them in found[]).
 */
struct peer *peers_find(const struct peers *p, const char *sel, size_t len,
	    struct peer **found, int max, int *nfound);

#endif
