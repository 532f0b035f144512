/*
 * kaipeer: a peer-to-peer remote-command node, as a library.
 *
 * The simplest embedding is three calls: kaipeer_new(), any number of
 * kaipeer_register_command(), then kaipeer_main() with the program's
 * command line, which behaves exactly like the kaipeer program (config,
 * console, -c, signals, standard output) and returns an exit status.
 *
 * A program with its own event loop sets a node up from C instead
 * (kaipeer_load_config(), kaipeer_set_listen(), kaipeer_add_peer(),
 * kaipeer_start()) and either steps it (kaipeer_pollfds(),
 * kaipeer_timeout(), kaipeer_dispatch() or kaipeer_step()) or runs it
 * until kaipeer_stop() (kaipeer_run()).  Such a node prints nothing (its
 * lines go to a log callback if one is set), installs no signal handler
 * and changes no process-wide setting; several nodes may live in one
 * process.  A node whose config names programs ("exec") forks them and
 * reaps them itself with waitid(): its program must not ignore SIGCHLD
 * nor wait() for children it did not start.  Everything runs on the caller's thread; the library links libc
 * only.
 *
 * Commands that finish later: an asynchronous processor gets a call
 * object and answers with kaipeer_reply() whenever it is ready, after it
 * returned.  Sending from C: kaipeer_send() runs a command on peers and
 * calls back once per peer with its result.
 */
#ifndef KAIPEER_H
#define KAIPEER_H

#include <stddef.h>

#define KAIPEER_VERSION "0.1.0"

/* Exit statuses of kaipeer_main(), as in sysexits.h. */
#define KAIPEER_EXIT_OK		0
#define KAIPEER_EXIT_FAILED	1	/* a -c command failed */
#define KAIPEER_EXIT_USAGE	64	/* bad command line */
#define KAIPEER_EXIT_UNAVAILABLE 69	/* cannot listen */
#define KAIPEER_EXIT_SOFTWARE	70	/* internal failure: memory, poll */
#define KAIPEER_EXIT_CONFIG	78	/* bad config file */

/* The status of a result. */
#define KAIPEER_OK		0	/* the command succeeded */
#define KAIPEER_ERROR		1	/* it ran and failed, or is unknown */
#define KAIPEER_TIMEOUT		2	/* no result within the timeout */
#define KAIPEER_UNREACHABLE	3	/* the peer could not be reached */
#define KAIPEER_LOST		4	/* the link went while it ran */
#define KAIPEER_CANCELLED	5	/* given up */

struct kaipeer_node;
struct kaipeer_call;
struct pollfd;

/* --- commands this node runs -------------------------------------------- */

/*
 * A synchronous processor.  args is the NUL-terminated text after the
 * command's name (leading blanks removed; "" when none).  Write the
 * result, at most outsize bytes including the NUL, into out and return 0;
 * or write a message and return non-zero for an error result.  It runs on
 * the node's only thread, so it must not block.
 */
typedef int (*kaipeer_command_fn)(void *ctx, const char *args, char *out,
    size_t outsize);

/*
 * An asynchronous processor: it starts the work and returns; the call is
 * answered by kaipeer_reply(), now or later, exactly once.
 */
typedef void (*kaipeer_async_fn)(void *ctx, struct kaipeer_call *call);

/* A new node with the built-in commands (calc, system); NULL if no memory. */
struct kaipeer_node *kaipeer_new(void);

/*
 * Make name (one word) a command that fn runs with ctx.  Returns 0, or -1
 * if name is empty, has blanks, is already registered, or memory ran out.
 */
int	kaipeer_register_command(struct kaipeer_node *node, const char *name,
	    kaipeer_command_fn fn, void *ctx);
int	kaipeer_register_async(struct kaipeer_node *node, const char *name,
	    kaipeer_async_fn fn, void *ctx);

/* The arguments: bytes after the command's name (NUL-terminated too). */
const char *kaipeer_call_args(const struct kaipeer_call *call, size_t *len);

/* Who asked: an index in the peer table (-1: this node's console), its
 * address ("" for the console) and its name ("" if none). */
int	kaipeer_call_peer(const struct kaipeer_call *call);
const char *kaipeer_call_addr(const struct kaipeer_call *call);
const char *kaipeer_call_name(const struct kaipeer_call *call);

/* The name the command was called by (the processor's). */
const char *kaipeer_call_command(const struct kaipeer_call *call);

/* Has the asker gone (its link lost, or it cancelled the command)?  A
 * reply is then dropped. */
int	kaipeer_call_gone(const struct kaipeer_call *call);

/*
 * Be told, with fn(ctx, call), when the asker cancels the command (it
 * timed out there, or its user pressed Ctrl-C) or goes away, so that the
 * work can stop.  The call must still be answered with kaipeer_reply()
 * (the answer is dropped); fn may do it.  Called at once if the asker is
 * gone already.
 */
typedef void (*kaipeer_cancel_fn)(void *ctx, struct kaipeer_call *call);
void	kaipeer_call_on_cancel(struct kaipeer_call *call, kaipeer_cancel_fn fn,
	    void *ctx);

/*
 * Answer call with status KAIPEER_OK or KAIPEER_ERROR and text[0..len)
 * (any bytes, NUL included; a text longer than the link takes becomes an
 * error result saying so).  The call is freed: do not use it again.
 * Returns 0, or -1 if the answer could not be sent (the asker is gone).
 */
int	kaipeer_reply(struct kaipeer_call *call, int status, const void *text,
	    size_t len);

/* --- the whole program ---------------------------------------------------- */

/*
 * Run the node as "kaipeer [-hqvV] [-c line]... [config_file] [port]"
 * would: returns when the node exits, with one of the KAIPEER_EXIT_*
 * statuses.  It owns standard input and output and the signals for its
 * duration, and gives them back.  Call it at most once per node, and not
 * with kaipeer_start().
 */
int	kaipeer_main(struct kaipeer_node *node, int argc, char **argv);

/* --- a node set up from C --------------------------------------------------- */

/*
 * Lines the node would print, one at a time without the newline: stream
 * 1 is what kaipeer prints on standard output, 2 on standard error.
 */
typedef void (*kaipeer_log_fn)(void *ctx, int stream, const char *line,
    size_t len);
void	kaipeer_set_log(struct kaipeer_node *node, kaipeer_log_fn fn,
	    void *ctx);

/*
 * Read a config file (as kaipeer(1) does).  Returns 0, or -1 with the
 * message ("file:line:col: ...") logged.  Before kaipeer_start().
 */
int	kaipeer_load_config(struct kaipeer_node *node, const char *path);

/* Listen on port (1-65535), or not at all (0).  Before kaipeer_start(). */
int	kaipeer_set_listen(struct kaipeer_node *node, int port);

/*
 * Dial host:port (and again whenever the link is lost), before or after
 * kaipeer_start().  Returns the peer's index, or -1.
 */
int	kaipeer_add_peer(struct kaipeer_node *node, const char *host,
	    int port);

/* Listen and dial.  Returns 0, or a KAIPEER_EXIT_* status (logged). */
int	kaipeer_start(struct kaipeer_node *node);

/*
 * Stepping from the embedder's loop: the descriptors and events to poll
 * (fills at most max entries, returns how many there are), how long the
 * embedder may sleep (-1: until a descriptor is ready), then, after its
 * poll(), kaipeer_dispatch() with those entries and their revents.
 * kaipeer_step() does one poll and dispatch itself, waiting at most
 * timeout_ms.  Both return -1 once the node has stopped.
 */
int	kaipeer_pollfds(const struct kaipeer_node *node, struct pollfd *fds,
	    int max);
int	kaipeer_timeout(const struct kaipeer_node *node);
int	kaipeer_dispatch(struct kaipeer_node *node, const struct pollfd *fds,
	    int nfds);
int	kaipeer_step(struct kaipeer_node *node, int timeout_ms);

/* Step until kaipeer_stop(); returns 0 (or -1 if poll() failed). */
int	kaipeer_run(struct kaipeer_node *node);

/* Say goodbye to every peer and stop (from a callback, or between steps). */
void	kaipeer_stop(struct kaipeer_node *node);

/* --- sending commands ------------------------------------------------------- */

struct kaipeer_result {
	int		 peer;		/* its index */
	const char	*addr;		/* "ip:port" */
	const char	*name;		/* "" if none */
	const char	*command;	/* as sent */
	int		 status;	/* KAIPEER_OK ... KAIPEER_CANCELLED */
	const char	*text;		/* the result, or what went wrong */
	size_t		 len;
	long		 ms;		/* from sending to the result */
	int		 exit_code;	/* a program's exit code, or -1 */
};

typedef void (*kaipeer_result_fn)(void *ctx, const struct kaipeer_result *r);

/*
 * Run command on the peers that selector names, as "@<selector>" does in
 * the console: an index, a range "1-3", an address, a name, "*" (every
 * peer connected, being dialled, or dialled by this node), a glob on
 * names "web*", a group "@web", or a comma-separated list of these.  fn
 * is called once per peer, from the loop, never from within this call.
 * Returns how many peers the command went to (0 when a "*", range, glob
 * or group names none), or -1 when the selector is malformed, names no
 * peer or is ambiguous (logged).  A path ("gw/2", "0/web*") relays the
 * command through peers, and "**" runs it on every node of the network,
 * this one included (peer -1, addr "self"): fn is then called once per
 * result, each addr the path to its node, and the return value is the
 * number of first hops.
 */
int	kaipeer_send(struct kaipeer_node *node, const char *selector,
	    const char *command, kaipeer_result_fn fn, void *ctx);

/* Commands sent and not yet ended. */
int	kaipeer_pending(const struct kaipeer_node *node);

/* Release the node and everything it owns. */
void	kaipeer_free(struct kaipeer_node *node);

#endif
