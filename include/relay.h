/*
 * relay: the RELAYs this node carries out for its peers (docs/PROTOCOL.md,
 * section 11), and the memory of which network-wide requests it has seen.
 *
 * A RELAY from a peer (the hop before) is one of:
 *   - a path: "2" or "0/web1": the first hop's selector is resolved among
 *     this node's peers (pick.c) and the rest goes on to each peer it
 *     names, as a RELAY, or, on the last hop, as the command itself;
 *     an empty path runs the command here;
 *   - a flood ("**"): the command runs here, and goes on to every other
 *     peer that relays.
 * Every result on the way comes back to the hop before as a PART, its path
 * growing by one hop's label at each node it passes; the RELAY ends with a
 * RESULT once every part is in (a flood's tells how many links gave no
 * answer), or at once with an error RESULT when this hop refuses it.
 *
 * Bounds and rights.  A request is known network-wide by its origin's node
 * id and the origin's query id: each node takes on a given (origin, qid,
 * kind, hops) once, and answers it again at once with nothing, so a flood
 * reaches each node once and a path that fans out ("*" at two hops) does
 * not multiply.  A path takes at most FRAMES_MAX_HOPS hops; a RELAY counts
 * against the hop before's "rateLimit" like a command, and at most
 * RELAY_MAX_JOBS are in progress (more are answered "busy"); the hop before
 * must be allowed the command here ("allow" of its key) for this node to
 * pass it on, and a command run here is judged as any command of that
 * peer: each hop authorizes the one before it.  The next hops get this
 * RELAY's time (at most this node's own "commandTimeout") less a margin,
 * so their answers come back before it ends.
 *
 * The hop before may cancel (CANCEL with the RELAY's id) or go away: what
 * this node started for it is cancelled in turn, down the tree.
 */
#ifndef KAIPEER_RELAY_H
#define KAIPEER_RELAY_H

#include <stdint.h>

#include "frames.h"
#include "node.h"

#define RELAY_SEEN	8192	/* network-wide requests remembered */
#define RELAY_MAX_JOBS	4096	/* relays in progress at once */
#define RELAY_FLOOD_HOPS FRAMES_MAX_FLOOD_HOPS

struct relays;

/* NULL if no memory. */
struct relays *relays_new(struct kaipeer_node *n);
/* Free everything; what runs is cancelled without a word. */
void	relays_free(struct relays *r);

/* A RELAY or a PART from e: 0, or a negative PROTO_E* (malformed). */
int	relays_frame(struct relays *r, struct peer *e,
	    const struct proto_frame *f);
/* e no longer waits for RELAY id (CANCEL): 0, or -1 if there is none. */
int	relays_cancel(struct relays *r, struct peer *e, uint32_t id);
/* e is gone: cancel everything this node does for it. */
void	relays_peer_gone(struct relays *r, struct peer *e);
/*
 * Note that this node has seen the request (origin, qid, kind, hops):
 * 1 if it had already, else 0 (it is remembered from now on).
 */
int	relays_seen(struct relays *r, const unsigned char *origin,
	    uint32_t qid, unsigned kind, unsigned hops);
/* Relays in progress. */
int	relays_running(const struct relays *r);

#endif
