/*
 * net: the one place that touches file descriptors.
 *
 * A struct net owns the listening sockets, the peer connections, standard
 * input and a self-pipe for signals, and multiplexes them with one poll().
 * It is a small dispatcher in the manner of redis's ae.c: net_poll() waits,
 * then calls the node's handlers with a context pointer.  Every socket is
 * non-blocking; connect() is finished by getsockopt(SO_ERROR) when the
 * socket turns writable; accept() runs until EAGAIN; input and output are
 * buffered per connection and bounded.  A connection asks for POLLIN only
 * while its input buffer has room, POLLOUT only while output is pending.
 * A closed connection is freed only after the dispatch pass that closed it,
 * so handlers may close any connection at any time.
 */
#ifndef KAIPEER_NET_H
#define KAIPEER_NET_H

#include <stddef.h>

#define NET_ADDRLEN	64		/* "[ipv6]:port" and NUL fit */
#define NET_LINE_MAX	65536		/* longest stdin line */

enum net_state {
	NET_CONNECTING,		/* outbound connect() in progress */
	NET_OPEN,		/* established */
	NET_CLOSING,		/* closed by us: flushing output, then gone */
	NET_DEAD		/* to be freed at the end of the pass */
};

struct net_conn {
	int		 fd;
	enum net_state	 state;
	int		 outbound;	/* we dialled it */
	char		 ip[NET_ADDRLEN];	/* numeric address of the other end */
	int		 port;		/* its TCP port */
	int		 local_port;	/* our TCP port */
	unsigned char	*in;		/* received, not yet consumed */
	size_t		 in_len;
	size_t		 in_cap;
	unsigned char	*out;		/* out[out_off..out_len) awaits write */
	size_t		 out_off;
	size_t		 out_len;
	size_t		 out_cap;
	size_t		 in_max;	/* bounds of the two buffers */
	size_t		 out_max;
	void		*user;		/* the node's, untouched by net */
	struct addrinfo	*ai_list;	/* outbound: addresses to try */
	struct addrinfo	*ai_next;
};

/* The node's handlers; ctx is passed back to each. */
struct net_handlers {
	/* A new inbound connection; it may be closed at once. */
	void	(*accepted)(void *ctx, struct net_conn *c);
	/* An outbound connect finished: err is 0 or an errno.  On error c
	 * is freed after the call. */
	void	(*connected)(void *ctx, struct net_conn *c, int err);
	/* New bytes in c->in; consume them with net_consume(). */
	void	(*readable)(void *ctx, struct net_conn *c);
	/* The other end closed (err 0) or the connection broke (errno).
	 * Not called for connections the node closed itself.  c is freed
	 * after the call. */
	void	(*closed)(void *ctx, struct net_conn *c, int err);
	/* One line of standard input, without its "\n" or "\r\n". */
	void	(*line)(void *ctx, const char *line, size_t len);
	/* A line longer than NET_LINE_MAX was discarded. */
	void	(*long_line)(void *ctx);
	/* Standard input ended. */
	void	(*eof)(void *ctx);
	/* SIGINT or SIGTERM arrived. */
	void	(*signal)(void *ctx, int signo);
};

struct pollfd;

struct net {
	int		 listen_fd[2];
	int		 nlisten;
	int		 in_fd;		/* standard input, -1 once ended */
	char		*line;		/* partial stdin line */
	size_t		 line_len;
	int		 line_skip;	/* discarding an overlong line */
	int		 sig_fd[2];	/* self-pipe written by the handler */
	struct net_conn	**conns;
	int		 nconns;
	int		 max_conns;
	size_t		 in_max;	/* per-connection input bound */
	size_t		 out_max;	/* per-connection output bound */
	struct pollfd	*pfd;		/* scratch for net_poll() */
	struct net_conn	**pconn;	/* pfd[i] belongs to pconn[i] */
	int		 accept_paused;	/* out of fds: skip a turn */
};

/*
 * Set up n for at most max_conns connections, each buffering at most
 * in_max bytes of input and out_max bytes of output; read stdin when
 * use_stdin.  Installs the SIGINT/SIGTERM handlers and ignores SIGPIPE.
 * Returns 0, or -1 with errno set.
 */
int	net_init(struct net *n, int max_conns, size_t in_max, size_t out_max,
	    int use_stdin);

/* Close everything n owns, without flushing. */
void	net_free(struct net *n);

/*
 * Listen on port on every local address family (IPv4 and IPv6 where the
 * host has it).  Returns 0, or -1 with a message in err.
 */
int	net_listen(struct net *n, int port, char *err, size_t errsize);

/*
 * Start connecting to host:port.  Returns the connection (state
 * NET_CONNECTING; its result comes through the connected handler), or NULL
 * with a message in err: the name did not resolve, or no slot is free.
 */
struct net_conn *net_connect(struct net *n, const char *host, int port,
	    char *err, size_t errsize);

/*
 * Wait up to timeout_ms (-1: forever) and dispatch what happened.  Returns
 * the number of events handled, or -1 with errno set if poll() failed for a
 * reason other than EINTR.
 */
int	net_poll(struct net *n, int timeout_ms, const struct net_handlers *h,
	    void *ctx);

/*
 * Room for need more bytes of output, to encode a frame in place: returns
 * a pointer to at least need free bytes, or NULL when that would exceed
 * the output bound.  Follow with net_commit() of the bytes written.
 */
unsigned char *net_space(struct net_conn *c, size_t need);
void	net_commit(struct net_conn *c, size_t len);

/* Drop the first len bytes of c->in, which the node has handled. */
void	net_consume(struct net_conn *c, size_t len);

/*
 * Close c.  With flush, pending output is written first (best effort, until
 * net_drain() gives up); without, at once.  No handler is called for it.
 */
void	net_close(struct net *n, struct net_conn *c, int flush);

/* Stop reading standard input. */
void	net_stop_input(struct net *n);

/*
 * Write pending output of every connection for up to timeout_ms, then
 * close them all.  For a clean exit after goodbyes were queued.
 */
void	net_drain(struct net *n, int timeout_ms);

/* Format ip and port as "ip:port" or "[ipv6]:port" into buf. */
void	net_format(char *buf, size_t size, const char *ip, int port);

/* Milliseconds from an arbitrary fixed point (CLOCK_MONOTONIC). */
long long net_now_ms(void);

/* Fill buf with len bytes from the system's random source, or a fallback. */
void	net_random(unsigned char *buf, size_t len);

#endif
