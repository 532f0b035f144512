/*
 * request: the commands this node sent, until each has its one result.
 *
 * A request is a command for one peer entry, with an id, a deadline on the
 * loop's timers and a completion callback.  It waits in the entry's queue
 * until the entry's link can take it (it is up and below its high-water
 * mark), and is then sent; it ends exactly once: with the peer's RESULT,
 * at its deadline, or when the entry is lost.  Printing a result line is
 * one consumer among others: whoever sends chooses the callback.
 *
 * Ids are unique among the requests alive in this node: the low 20 bits
 * are a slot in a table and the rest a count of the slot's uses, so a
 * RESULT is matched in constant time and a late one for a recycled slot
 * is recognised as unknown.  Slots keep their text buffers, so a steady
 * stream of commands allocates nothing.
 *
 * A request given up once sent (its deadline passed, or its sender
 * cancelled it) is cancelled on the peer too, with a CANCEL frame when the
 * peer understands it; its result, should it still come, is then dropped
 * in silence (a peer without CANCEL gets ERROR 7 for it, as before).
 *
 * A request sent on a link that is then retired as a duplicate goes back
 * to the queue and is sent again on the link that stays
 * (docs/PROTOCOL.md, 7.3): the node that retired the link never ran it.
 */
#ifndef KAIPEER_REQUEST_H
#define KAIPEER_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "frames.h"
#include "loop.h"
#include "peers.h"

#define REQ_MAX_INFLIGHT	(1 << 20)

/* How a request ended. */
enum req_status {
	REQ_OK,			/* the peer's result, status ok */
	REQ_ERROR,		/* the peer's result, status error */
	REQ_TIMEOUT,		/* no result in time */
	REQ_UNREACHABLE,	/* it could not be sent: no link */
	REQ_LOST,		/* the link went while it was in flight */
	REQ_CANCELLED		/* the sender gave up */
};

struct request;

/* The one ending of r: status, and the text to show (result or error). */
typedef void (*req_done_fn)(void *ctx, struct request *r, int status,
    const char *text, size_t len);
/* One PART of a RELAY request: a result from some node on its way. */
typedef void (*req_part_fn)(void *ctx, struct request *r,
    const struct frames_part *p);

/*
 * Where a RELAY request goes further (frames.h): its kind, the hops it may
 * still take, the (origin, qid) that names it network-wide, the rest of
 * its path, and who hears its PARTs.  The next hop gets the time left
 * before the request's deadline, less a margin to answer in.
 */
struct req_route {
	unsigned	 kind;		/* FRAMES_PATH, FRAMES_FLOOD */
	unsigned	 hops;
	unsigned char	 origin[PROTO_NODE_ID];
	uint32_t	 qid;
	const char	*target;
	size_t		 target_len;
	req_part_fn	 part;
};

struct request {
	uint32_t	 id;
	int		 peer;		/* entry index */
	unsigned	 sent_on;	/* link it went out on; 0: waiting */
	char		*text;		/* the command, NUL-terminated */
	size_t		 len;
	long long	 started;
	req_done_fn	 fn;
	void		*ctx;
	int		 exit_code;	/* a program's, with its result; or -1 */
	int		 relay;		/* sent as a RELAY (route) */
	struct req_route route;		/* target points into rtarget */
	/* Internal. */
	char		*rtarget;
	size_t		 rtarget_cap;
	size_t		 cap;
	long		 timeout_ms;
	int		 soon;		/* req_fail_soon(): status + 1 */
	char		 soon_why[96];
	struct loop_timer timer;
	struct request	*prev, *next;	/* in the entry's list */
	struct reqs	*owner;
	int		 live;
	uint32_t	 given_up;	/* the slot's last id cancelled when sent */
};

struct reqs;

/* NULL if no memory. */
struct reqs *reqs_new(struct loop *l, struct peers *p);

/* Free everything; requests still alive end with no callback. */
void	reqs_free(struct reqs *r);

/*
 * Send text to entry e, ending within timeout_ms.  Returns the request
 * (its callback comes later, never from within this call), or NULL if no
 * memory or too many in flight.
 */
struct request *req_send(struct reqs *r, struct peer *e, const char *text,
	    size_t len, long timeout_ms, req_done_fn fn, void *ctx);

/*
 * The same as a RELAY along rt (copied).  A peer whose link does not
 * announce PROTO_FEAT_RELAY gets an error result from the loop.
 */
struct request *req_send_relay(struct reqs *r, struct peer *e,
	    const struct req_route *rt, const char *text, size_t len,
	    long timeout_ms, req_done_fn fn, void *ctx);
/*
 * A PART from e: 0 if it was handed to its request; 1 if the request was
 * given up (ignored in silence); -1 if no RELAY request has that id.
 */
int	reqs_part(struct reqs *r, struct peer *e, const struct frames_part *p);
/* Send what waits for e, while its link takes it. */
void	reqs_pump(struct reqs *r, struct peer *e);

/*
 * A RESULT from e: 0 if it ended a request; 1 if it is the late result of
 * one we gave up on (to be ignored in silence); -1 if the id is unknown.
 */
int	reqs_result(struct reqs *r, struct peer *e, uint32_t id, int status,
	    int exit_code, const char *text, size_t len);

/* End every request of e (or, with e NULL, of every entry). */
void	reqs_fail(struct reqs *r, struct peer *e, int status, const char *why);

/* The requests of e sent on link gen go back to e's queue. */
void	reqs_requeue(struct reqs *r, struct peer *e, unsigned gen);

/* Entry from is into's node: its requests go to into. */
void	reqs_move(struct reqs *r, struct peer *from, struct peer *into);

/* End q now with REQ_CANCELLED and why. */
void	req_cancel(struct request *q, const char *why);

/* End q from the loop, soon, with status and why (a short text). */
void	req_fail_soon(struct request *q, int status, const char *why);

/* Requests alive. */
int	reqs_inflight(const struct reqs *r);

#endif
