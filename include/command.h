/*
 * command: what this node runs for others (and for its own console).
 *
 * The registry maps a command's first word to a processor; aliases from
 * the config are followed first (console_expand()).  A processor is
 * synchronous (it writes its result into a buffer and returns) or
 * asynchronous (it gets a call object and answers it with kaipeer_reply(),
 * now or later).  Both end the same way: the caller's done callback gets
 * the status and the result as bytes with a length, NUL allowed.
 *
 * A command a peer sends twice under one request id while the first is
 * still running is run once: after a duplicate link was retired, the
 * sender sends again what it could not know we had started.
 */
#ifndef KAIPEER_COMMAND_H
#define KAIPEER_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "console.h"
#include "kaipeer.h"
#include "map.h"
#include "net.h"
#include "proto.h"

/* How a call ended, for the done callback. */
enum call_status {
	CALL_OK,		/* the processor succeeded */
	CALL_ERROR,		/* it failed, or an alias loops */
	CALL_UNKNOWN		/* no processor has that name */
};

struct kaipeer_call;

/*
 * The end of a call: who asked (peer, request id), and for an
 * asynchronous processor the call itself (NULL otherwise), the status,
 * a program's exit code (or -1) and the result.  The call is freed after
 * this returns.
 */
typedef void (*call_done_fn)(void *ctx, const struct kaipeer_call *call,
    int peer, uint32_t id, int status, int exit_code, const char *text,
    size_t len);

/* The asker gave up or went: stop the work (the call is then answered
 * with commands_reply() or kaipeer_reply(), which send nothing). */
typedef kaipeer_cancel_fn call_cancel_fn;

struct kaipeer_call {
	struct commands	*owner;
	int		 peer;		/* -1: the console */
	uint32_t	 id;
	unsigned char	 node_id[PROTO_NODE_ID];	/* the asker's */
	char		 addr[ADDR_STRLEN];
	char		 name[PROTO_MAX_NAME + 1];
	char		*args;		/* NUL-terminated copy */
	size_t		 args_len;
	char		*command;	/* the processor's name */
	call_done_fn	 done;
	void		*ctx;
	call_cancel_fn	 cancel;
	void		*cancel_ctx;
	int		 gone;
	unsigned char	 key[8];	/* peer and id, for the running map */
};

struct commands;

/* A registry; results of synchronous processors get result_size bytes. */
struct commands *commands_new(size_t result_size);
void	commands_free(struct commands *c);

/* Results of synchronous processors get size bytes from now on.  0, -1. */
int	commands_resize(struct commands *c, size_t size);

/* Register a processor (fn or afn, one of them NULL).  0, or -1. */
int	commands_register(struct commands *c, const char *name,
	    kaipeer_command_fn fn, kaipeer_async_fn afn, void *ctx);

/* Take name's processor out (calls already running go on).  0, or -1. */
int	commands_unregister(struct commands *c, const char *name);

/* Is name registered? */
int	commands_has(const struct commands *c, const char *name);

/* The names registered, in registration order: i-th, or NULL past the end. */
const char *commands_name(const struct commands *c, int i);

/* Use these aliases from now on (the caller keeps them alive). */
/*
 * Authorization: before running a peer's command (peer >= 0), permit is
 * asked with the command as it stands after its aliases; non-zero
 * answers "Error: permission denied: <command>" instead.  NULL: all.
 */
typedef int (*commands_permit_fn)(void *ctx, int peer, const char *cmd,
	    size_t len);
void	commands_set_permit(struct commands *c, commands_permit_fn fn,
	    void *ctx);

void	commands_aliases(struct commands *c, const struct console_alias *a,
	    int n);

/*
 * Run text[0..len) for the asker (peer index, its node id, addr, name, and
 * the request id; peer -1 for the console, with an id of its own).
 * done(ctx, ...) is called exactly once, maybe before this returns.  A
 * peer's request id that is still running is ignored.
 */
void	commands_run(struct commands *c, int peer, const unsigned char *node_id,
	    uint32_t id, const char *addr, const char *name, const char *text,
	    size_t len, call_done_fn done, void *ctx);

/*
 * The asker of every running call of peer is gone: each is cancelled (its
 * processor's cancel hook runs) and its answer will be dropped.
 */
void	commands_peer_gone(struct commands *c, int peer);

/* The asker (peer, or -1 for the console) gave up on call id: the same
 * for that one call.  0, or -1 if it is not running. */
int	commands_cancel(struct commands *c, int peer, uint32_t id);

/* Stop the work with fn(ctx, call) if the call is cancelled. */
void	commands_on_cancel(struct kaipeer_call *call, call_cancel_fn fn,
	    void *ctx);

/* Answer call with status (KAIPEER_OK, KAIPEER_ERROR), a program's exit
 * code (or -1) and text; the call is freed.  0, or -1: nobody hears it. */
int	commands_reply(struct kaipeer_call *call, int status, int exit_code,
	    const void *text, size_t len);

/* Calls still running. */
int	commands_running(const struct commands *c);

#endif
