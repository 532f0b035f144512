/*
 * harness: run real kaipeer processes and speak to them, for the
 * integration tests.
 *
 * h_start() forks and execs a program with its stdin, stdout and stderr on
 * pipes; everything the child writes is collected into growing buffers by
 * h_pump(), which every wait below calls for every live child, so no child
 * ever blocks on a full pipe while a test waits on another.  h_expect()
 * waits until a line containing a text appears on a stream after the last
 * line matched there, and moves past it, so a sequence of h_expect() calls
 * checks order.  Every wait takes a timeout in milliseconds and returns
 * (never hangs); nothing sleeps longer than a poll() backoff.
 *
 * Clean-up is guaranteed three ways.  h_cleanup() (a Check teardown) kills
 * and reaps every child and removes every temporary file.  A failed Check
 * assertion in fork mode _exit()s without a teardown, and a Check timeout
 * SIGKILLs the test, so the first h_start() also forks a guardian process
 * that holds the read end of a pipe only the test holds the write end of:
 * when the test process dies in any way, the guardian reads EOF and
 * SIGKILLs the children and unlinks the files it was told about.
 *
 * The raw client (struct h_raw) is a TCP connection to 127.0.0.1 that
 * sends bytes and reads whole frames with proto.c's parser.  Frames read
 * are copied, so a struct h_frame stays valid across later reads.
 *
 * Ports come from h_port(): free on both IPv4 and IPv6 wildcards, below the
 * usual ephemeral range (so no outgoing connection takes one), offset by
 * the process id, and never handed out twice by one test process.
 */
#ifndef KAIPEER_HARNESS_H
#define KAIPEER_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

#define H_WAIT		5000	/* ms: the default bound of every wait */
#define H_MAX_PROCS	64	/* children started by one test */

enum h_stream {
	H_OUT,			/* the child's stdout */
	H_ERR			/* the child's stderr */
};

/* One output stream of a child, read into buf[0..len), NUL-terminated. */
struct h_buf {
	int	 fd;		/* -1 at EOF */
	char	*buf;
	size_t	 len;
	size_t	 cap;
	size_t	 pos;		/* h_expect() looks from here on */
};

struct h_proc {
	char	 name[32];	/* for logs: "peer1" */
	pid_t	 pid;		/* 0 once reaped */
	int	 in_fd;		/* write end of its stdin, -1 once closed */
	int	 status;	/* h_wait()'s result once reaped */
	struct h_buf out[2];	/* H_OUT, H_ERR */
	char	 line[1024];	/* the last line h_expect() or h_line() saw */
	int	 hold[2];	/* h_hold(): leave that pipe unread */
};

/*
 * A temporary file holding the printf-formatted text, removed by
 * h_cleanup() (or by the guardian).  Returns its path, which the harness
 * owns; NULL on error.
 */
const char *h_file(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/*
 * Fork and exec argv[0] with arguments argv (NULL-terminated), all three
 * standard streams on pipes.  name labels it in logs.  Returns the handle,
 * which the harness owns, or NULL on error.
 */
struct h_proc *h_start(const char *name, const char *const argv[]);

/* h_start() of "./kaipeer <config>", where config is the JSON text. */
struct h_proc *h_peer(const char *name, const char *config);

/*
 * Wait up to ms for a whole line containing text on stream s after the
 * last line matched there; move past it and return it (in p->line), or
 * return NULL at the timeout or when the stream ended first.
 */
const char *h_expect(struct h_proc *p, enum h_stream s, const char *text,
	    int ms);

/* The next whole line of stream s within ms (moving past it), or NULL. */
const char *h_line(struct h_proc *p, enum h_stream s, int ms);

/* Where h_expect() would look next on s: a mark for h_count(). */
size_t	h_mark(const struct h_proc *p, enum h_stream s);

/* How many whole lines of s from mark to the end contain text. */
int	h_count(const struct h_proc *p, enum h_stream s, size_t mark,
	    const char *text);

/* Write a line (a newline is added) to the child's stdin: 0, or -1. */
int	h_send(struct h_proc *p, const char *line);

/* Write len raw bytes to the child's stdin: 0, or -1. */
int	h_send_raw(struct h_proc *p, const char *bytes, size_t len);

/* Close the child's stdin, so it reads EOF. */
void	h_close_stdin(struct h_proc *p);

/*
 * Wait up to ms for the child to exit.  Returns its exit status, 128 plus
 * the signal that killed it, or -1 at the timeout (it is left running).
 */
int	h_wait(struct h_proc *p, int ms);

/*
 * Stop reading stream s of the child (hold 1), so that its pipe fills up
 * and the child's writes to it block or fail, as with a reader that no
 * longer reads; or read it again (hold 0).  A held stream is read again
 * once the child has been reaped.
 */
void	h_hold(struct h_proc *p, enum h_stream s, int hold);

/* Send sig to the child if it is still alive. */
void	h_signal(struct h_proc *p, int sig);

/* SIGKILL the child and reap it. */
void	h_kill(struct h_proc *p);

/* Read whatever every live child has written, waiting up to ms for some. */
void	h_pump(int ms);

/* Write every child's output so far to stderr: the log of a failure. */
void	h_dump(void);

/*
 * Has process pid ended?  Gone altogether, or a zombie waiting for init
 * (its parent, which owner ran, has gone): dead.  A zombie of owner
 * itself is not: owner must reap its children.
 */
int	h_pid_dead(long pid, pid_t owner);

/* Linux's /proc/<pid>/stat: its state and parent; -1 where there is none. */
int	h_proc_stat(long pid, char *state, long *ppid);

/* Kill and reap every child, remove every file, stop the guardian. */
void	h_cleanup(void);

/* A TCP port free on all addresses, different from all given out before. */
int	h_port(void);

/* --- the raw client ---------------------------------------------------- */

struct h_raw {
	int		 fd;
	unsigned char	*buf;		/* received, not yet framed */
	size_t		 len;
	size_t		 cap;
	int		 eof;		/* the node closed the connection */
	int		 see_pings;	/* h_raw_frame() returns PINGs too */
};

/* One frame read, with its own copy of the payload. */
struct h_frame {
	int		 type;
	unsigned char	 payload[4096];	/* a prefix if the frame is longer */
	size_t		 len;		/* the whole payload's length */
	struct proto_frame f;		/* for the decoders: into payload */
};

/*
 * A listening socket on 127.0.0.1:port that accepts nothing by itself:
 * the kernel completes connections into its backlog.  Returns it, or -1.
 * The caller closes it.
 */
int	h_listen(int port);

/* Accept a connection on the listening fd within ms into r: 0, or -1. */
int	h_raw_accept(struct h_raw *r, int fd, int ms);

/* Connect to 127.0.0.1:port within ms.  Returns 0, or -1. */
int	h_raw_connect(struct h_raw *r, int port, int ms);

/*
 * As h_raw_connect(), from 127.0.0.1:src_port: the connection's source
 * port is chosen by the caller.
 */
int	h_raw_connect_from(struct h_raw *r, int port, int src_port, int ms);

/* Send len bytes within H_WAIT: 0, or -1. */
int	h_raw_send(struct h_raw *r, const void *bytes, size_t len);

/* Send a version 1 HELLO with these fields (id: 8 bytes). */
int	h_raw_hello(struct h_raw *r, unsigned port, const char *name,
	    const unsigned char id[PROTO_NODE_ID]);

/* Send a COMMAND frame. */
int	h_raw_command(struct h_raw *r, uint32_t id, const char *text);

/*
 * Read the next frame within ms.  Returns 1 with *f filled, 0 when the node
 * closed the connection first, -1 at the timeout or on a frame that
 * proto_frame_next() refuses.  Like a live peer, it answers the node's
 * heartbeat PINGs with PONGs and skips them, unless r->see_pings is set.
 */
int	h_raw_frame(struct h_raw *r, struct h_frame *f, int ms);

/*
 * Wait up to ms for the node to close the connection, skipping frames.
 * Returns 1 when it closed, 0 at the timeout.
 */
int	h_raw_closed(struct h_raw *r, int ms);

/* The local (ephemeral) port of the connection, or -1. */
int	h_raw_port(const struct h_raw *r);

void	h_raw_close(struct h_raw *r);

#endif
