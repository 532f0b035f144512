/*
 * net: sockets on the loop.  Listening, accepting, non-blocking connects,
 * and connections with bounded input and output buffers.
 *
 * A struct conn is one TCP connection.  Its owner (the session layer)
 * gets callbacks through a struct conn_ops and a context pointer: the
 * connect finished, bytes arrived, output drained below the low-water
 * mark, the other end went away.  Output is queued with conn_space() and
 * conn_commit() and written at the end of the turn, one write per
 * connection per turn, more only when the socket takes it.
 *
 * Reading stops while the input buffer (one frame) is full.  The owner
 * may pause a connection: it is then handed no new bytes, but bytes are
 * still read into its buffer while there is room, so that a peer that
 * keeps talking is seen to be alive.  An idle connection holds no input
 * buffer: bytes are read
 * into a buffer the net shares, and only what the owner leaves unconsumed
 * is copied into the connection's own.
 *
 * A connection that is closed with output still unsent stays until the
 * output is written or its deadline passes, whichever comes first, and
 * counts in net_count() meanwhile; it reads and discards what the peer
 * sends, so its last frames are not lost to a reset.  Closed connections
 * are freed at the end of the turn, so a pointer held during a turn stays
 * valid for that turn; no callback comes for a connection after its owner
 * closed it.
 *
 * Liveness: conn->last_rx is when bytes last arrived; conn->progress is
 * when a write last moved bytes while the socket's buffer was full, which
 * means the peer acknowledged (read) what was sent before.  A link whose
 * big frame crawls over a slow line is alive by one or the other.
 */
#ifndef KAIPEER_NET_H
#define KAIPEER_NET_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

#include "addr.h"
#include "loop.h"


enum conn_state {
	CONN_CONNECTING,	/* outbound connect() in progress */
	CONN_OPEN,		/* established */
	CONN_CLOSING,		/* closed by us: flushing output, then gone */
	CONN_DEAD		/* to be freed at the end of the turn */
};

struct conn;

struct conn_ops {
	/* An outbound connect finished: err is 0 or an errno.  On error
	 * the connection is gone after the call. */
	void	(*connected)(void *ctx, struct conn *c, int err);
	/* New bytes in c->in[0..c->in_len); consume with conn_consume(). */
	void	(*readable)(void *ctx, struct conn *c);
	/* Pending output fell below the low-water mark (see conn_lowat). */
	void	(*writable)(void *ctx, struct conn *c);
	/* The other end closed (err 0) or the connection broke (errno);
	 * the connection is gone after the call. */
	void	(*closed)(void *ctx, struct conn *c, int err);
	/* About to write: the last chance to queue output (a sealing
	 * layer seals what it gathered).  May be NULL. */
	void	(*flushing)(void *ctx, struct conn *c);
};

struct conn {
	struct net	*net;
	int		 fd;
	enum conn_state	 state;
	int		 outbound;	/* we dialled it */
	char		 ip[ADDR_STRLEN];	/* numeric address of the other end */
	int		 port;		/* its TCP port */
	int		 local_port;	/* ours */
	unsigned char	*in;		/* received, not yet consumed */
	size_t		 in_len;
	unsigned char	*out;		/* out[out_off..out_len) awaits writing */
	size_t		 out_off;
	size_t		 out_len;
	long long	 last_rx;	/* when bytes last arrived */
	long long	 progress;	/* when a full socket last took bytes */
	size_t		 lowat;		/* call writable() below this; 0: never */
	const struct conn_ops *ops;
	void		*ctx;
	/* Internal. */
	unsigned char	*own;		/* the connection's input buffer */
	size_t		 own_cap;
	size_t		 out_cap;
	int		 paused;
	int		 blocked;	/* the socket took less than we had */
	int		 shut;		/* shutdown(SHUT_WR) once flushed */
	int		 dirty;		/* on the write list */
	int		 gone;		/* net_reap_gone(): hung up */
	struct conn	*next_dirty;
	struct conn	*prev, *next;	/* every connection */
	struct addr	*addrs;		/* outbound: the addresses to try */
	int		 naddrs, next_addr;
	struct loop_timer close_timer;
};

typedef void (*net_accept_fn)(void *ctx, struct conn *c);

/*
 * A net on loop l: each connection buffers at most in_max bytes of input
 * (a whole frame) and out_max bytes of output (a hard cap; the owner
 * keeps it well below with conn_pending()).  accepted(ctx, c) is called
 * for each new inbound connection, which the callee must give ops to (or
 * close).  NULL if no memory.
 */
struct net *net_new(struct loop *l, size_t in_max, size_t out_max,
	    net_accept_fn accepted, void *ctx);

/* Close every connection and listener at once and free n. */
void	net_free(struct net *n);

/*
 * Listen on port: host NULL, on every address of every family the host
 * has (IPv4 and IPv6); host "", on loopback only (127.0.0.1 and ::1);
 * else on the address host is or names (at most two).  Returns 0, or -1
 * with a message in err.
 */
int	net_listen(struct net *n, const char *host, int port, char *err,
	    size_t errsize);

/* Listening? */
int	net_listening(const struct net *n);

/*
 * Dial the addrs (tried in order until one answers) with ops and ctx.
 * Returns the connection, in CONN_CONNECTING, or NULL with errno set.
 */
struct conn *net_dial(struct net *n, const struct addr *addrs,
	    int naddrs, const struct conn_ops *ops, void *ctx);

/* Connections at this moment, connecting and closing ones included. */
int	net_count(const struct net *n);

/*
 * Find connections whose peer has already hung up (nothing unread, end
 * of file next) and report them through closed(), freeing their slots.
 * For a full node, before it refuses a newcomer.  Returns how many.
 */
int	net_reap_gone(struct net *n);

/*
 * Room for need more bytes of output: a pointer to at least need free
 * bytes, or NULL when that would pass the hard cap.  conn_commit() then
 * queues the bytes written there.
 */
unsigned char *conn_space(struct conn *c, size_t need);
void	conn_commit(struct conn *c, size_t len);

/* Bytes of output that may still be queued before the hard cap. */
size_t	conn_room(const struct conn *c);

/* Write c at the end of the turn (ops->flushing will queue the output). */
void	conn_touch(struct conn *c);

/* Output queued, not yet written. */
size_t	conn_pending(const struct conn *c);

/* Drop the first len bytes of c->in, which the owner has handled. */
void	conn_consume(struct conn *c, size_t len);

/* Stop (1) or resume (0) handing new bytes to the owner. */
void	conn_pause(struct conn *c, int paused);

/*
 * Close c.  With linger_ms > 0 and output pending, the output is written
 * first, for at most linger_ms; otherwise at once.  No callback comes
 * afterwards.
 */
void	conn_close(struct conn *c, int linger_ms);

/* Once the queued output is written, end our direction (SHUT_WR); reading
 * goes on until the peer ends its own. */
void	conn_shutdown(struct conn *c);

#endif
