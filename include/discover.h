/*
 * discover: peer exchange, and dialling the peers that others tell of.
 *
 * When a link comes up, each end that announced PROTO_FEAT_PEERS is told
 * the listen addresses (and, on a secured link, the keys) of the peers the
 * other is linked to, in PEERS frames; the peers already linked hear of
 * the newcomer.  With "discover" (or "lanDiscovery", for what the LAN
 * beacon finds: beacon.c) the node dials what it learns while it has
 * fewer than "meshSize" links, so a chain of nodes that each know only
 * the next becomes a mesh of well linked nodes.
 *
 * What a stranger says is bounded: at most DISCOVER_MAX candidates are
 * kept, DISCOVER_PER_SOURCE of them from any one peer (the beacon counts
 * as one); a candidate that is us, a node or an address we know already,
 * an address that is not numeric or not one to dial (unspecified,
 * multicast, broadcast, or loopback told by a peer not on this machine),
 * or (secured) a key that is not trusted is not taken.  Candidates are verified by connecting (peers_probe(): a
 * probe enters the peer table only once its handshake is done, with the
 * key it was said to have), at most DISCOVER_RATE new dials a second and
 * PEERS_MAX_PROBES at once, and each address is dialled again only after
 * a backoff from 0.25 s doubling to "reconnectMax"; one that failed
 * PEERS_FORGET_FAILS times in a row (or a discovered peer forgotten by the
 * table for as many failed redials) is given up on: dialled only once
 * every "reconnectMax", and hearing of it again does not shorten its wait;
 * given-up candidates are the first to make room for new ones.
 */
#ifndef KAIPEER_DISCOVER_H
#define KAIPEER_DISCOVER_H

#include "node.h"

#define DISCOVER_MAX		256	/* candidates kept */
#define DISCOVER_PER_SOURCE	32	/* of them from one peer */
#define DISCOVER_RATE		4	/* new dials a second (and burst) */
#define DISCOVER_TICK_MS	250

struct discover;

/* NULL if no memory. */
struct discover *discover_new(struct kaipeer_node *n);
void	discover_free(struct discover *d);

/* e's link is up: exchange what each knows. */
void	discover_up(struct discover *d, struct peer *e);
/* A PEERS frame from e: 0, or a negative PROTO_E* (malformed). */
int	discover_frame(struct discover *d, struct peer *e,
	    const struct proto_frame *f);
/* The LAN beacon heard of a node (beacon.h). */
void	discover_lan(struct discover *d, const char *ip, int port,
	    const unsigned char *id, int secured);
/* A probe ended (peers_ops.probed). */
void	discover_probed(struct discover *d, const char *dial, int ok,
	    const char *why);
/* The discovered peer e is leaving the table, having failed too often:
 * its address is kept as a candidate given up on. */
void	discover_forgot(struct discover *d, const struct peer *e);
/* Candidates kept, and of them given up. */
int	discover_count(const struct discover *d, int *given_up);

#endif
