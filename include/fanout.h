/*
 * fanout: one command to many peers at once, directly or along a route
 * (the selectors that name them are pick.h's).
 *
 * fanout_start() sends the command to each selected entry as one request
 * (request.c), with one deadline, and calls back once per entry with its
 * result, as each arrives, then once more when the last has come.  A peer
 * that is not connected gets its result ("Error: not connected ...",
 * unreachable) from the loop, like any other.  Printing is the caller's
 * business: a result is data.  The library's kaipeer_send() (kaipeer.h)
 * is a fanout too, and lives here.
 */
#ifndef KAIPEER_FANOUT_H
#define KAIPEER_FANOUT_H

#include <stddef.h>

#include "node.h"
#include "pick.h"

/* One peer's result. */
struct fan_result {
	int		 peer;		/* its index */
	const char	*label;		/* "ip:port", as in result lines */
	const char	*name;		/* "" if none */
	int		 status;	/* REQ_OK ... REQ_CANCELLED */
	int		 exit_code;	/* a program's exit code, or -1 */
	const char	*text;		/* the result, or what went wrong */
	size_t		 len;
	long		 ms;		/* from sending to the result */
};

struct fanout;

typedef void (*fan_result_fn)(void *ctx, struct fanout *f,
    const struct fan_result *r);
typedef void (*fan_done_fn)(void *ctx, struct fanout *f);

/* How the results went, so far. */
struct fan_counts {
	int	ok, error, timeout, unreachable, lost, cancelled;
	int	all;		/* "**": results are the network's nodes */
	long	missing;	/* "**": links that gave no answer */
};

/*
 * Send cmd[0..len) to the npeers entries of peers[], each ending within
 * timeout_ms.  on_result(ctx, f, r) comes once per entry, then
 * on_done(ctx, f) once, always from the loop, never from within this
 * call; the fanout is freed after on_done returns.  Returns the fanout,
 * or NULL if no memory (nothing was sent).  A command too long for a
 * peer's link ends at once for that peer with an error result.
 */
struct fanout *fanout_start(struct kaipeer_node *n, const int *peers,
	    int npeers, const char *cmd, size_t len, long timeout_ms,
	    fan_result_fn on_result, fan_done_fn on_done, void *ctx);

/*
 * The same along a route (pick.h): with a path, each request is a RELAY
 * of rt's rest to peers[i], and each of its results (from the last hop,
 * or an error on the way) comes to on_result with the path after the
 * first hop's label ("127.0.0.1:14595/127.0.0.1:14597"); with "**",
 * peers[] are the first hops (fanout_neighbours()), the command also runs
 * here (label "self", peer -1), and the results are those of every node
 * the flood reaches, each once.  rt NULL or PICK_DIRECT: fanout_start().
 */
struct fanout *fanout_route(struct kaipeer_node *n, const int *peers,
	    int npeers, const struct pick_route *rt, const char *cmd,
	    size_t len, long timeout_ms, fan_result_fn on_result,
	    fan_done_fn on_done, void *ctx);
/* The linked peers that relay, in a new array *out (free() it): how
 * many, or -1 if no memory. */
int	fanout_neighbours(struct kaipeer_node *n, int **out);
/*
 * End every request still waiting with REQ_CANCELLED and why: every
 * result, and on_done, come before this returns (f is then freed).
 */
void	fanout_cancel(struct fanout *f, const char *why);

/* Results still to come. */
int	fanout_pending(const struct fanout *f);

/* The command, the counts so far, and the time since it started;
 * the size: peers, or, along a route, results so far. */
const char *fanout_command(const struct fanout *f, size_t *len);
const struct fan_counts *fanout_counts(const struct fanout *f);
int	fanout_size(const struct fanout *f);
long	fanout_ms(const struct fanout *f);

#endif
