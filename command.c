/*
 * command: the registry and its calls (contract in include/command.h).
 *
 * A synchronous processor writes into one result buffer the registry owns,
 * so the common case allocates nothing.  An asynchronous one gets a call
 * allocated for it, registered in a map by (peer, request id) until it is
 * answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

/* A command may be a little longer than a result (a RESULT has a status
 * byte more, and the registry keeps a few bytes spare): the buffer for
 * the expanded command takes any command that fits a frame. */
#define EXPAND_ROOM	64

struct processor {
	char		*name;
	size_t		 len;
	kaipeer_command_fn fn;
	kaipeer_async_fn afn;
	void		*ctx;
};

struct commands {
	struct processor *procs;
	int		 nprocs;
	const struct console_alias *aliases;
	int		 naliases;
	char		*result;	/* for synchronous processors */
	size_t		 result_size;
	char		*args;		/* their NUL-terminated arguments */
	char		*expanded;	/* the command after its aliases */
	struct map	 running;	/* (peer, id) -> call */
	int		 nrunning;
	commands_permit_fn permit;	/* may the peer run it? */
	void		*permit_ctx;
};

struct commands *
commands_new(size_t result_size)
{
	struct commands *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->result_size = result_size;
	if ((c->result = malloc(result_size)) == NULL ||
	    (c->args = malloc(result_size)) == NULL ||
	    (c->expanded = malloc(result_size + EXPAND_ROOM)) == NULL ||
	    map_init(&c->running, 0) == -1) {
		commands_free(c);
		return NULL;
	}
	return c;
}

int
commands_resize(struct commands *c, size_t size)
{
	char *r, *a, *e;

	if (size == c->result_size)
		return 0;
	r = malloc(size);
	a = malloc(size);
	e = malloc(size + EXPAND_ROOM);
	if (r == NULL || a == NULL || e == NULL) {
		free(r);
		free(a);
		free(e);
		return -1;
	}
	free(c->result);
	free(c->args);
	free(c->expanded);
	c->result = r;
	c->args = a;
	c->expanded = e;
	c->result_size = size;
	return 0;
}

static void
forget_call(void *ctx, void *val)
{
	struct kaipeer_call *call = val;

	(void)ctx;
	call->owner = NULL;	/* kaipeer_reply() then only frees it */
}

void
commands_free(struct commands *c)
{
	size_t i;
	struct map_node *n;
	int k;

	if (c == NULL)
		return;
	for (i = 0; c->running.b != NULL && i < c->running.nb; i++)
		for (n = c->running.b[i]; n != NULL; n = n->next)
			forget_call(NULL, n->val);
	map_free(&c->running);
	for (k = 0; k < c->nprocs; k++)
		free(c->procs[k].name);
	free(c->procs);
	free(c->result);
	free(c->args);
	free(c->expanded);
	free(c);
}

static struct processor *
find(const struct commands *c, const char *name, size_t len)
{
	int i;

	for (i = 0; i < c->nprocs; i++)
		if (c->procs[i].len == len &&
		    memcmp(c->procs[i].name, name, len) == 0)
			return &c->procs[i];
	return NULL;
}

int
commands_unregister(struct commands *c, const char *name)
{
	struct processor *p = find(c, name, strlen(name));

	if (p == NULL)
		return -1;
	free(p->name);
	memmove(p, p + 1, (size_t)(c->procs + c->nprocs - p - 1) * sizeof(*p));
	c->nprocs--;
	return 0;
}

int
commands_has(const struct commands *c, const char *name)
{
	return find(c, name, strlen(name)) != NULL;
}

const char *
commands_name(const struct commands *c, int i)
{
	return i >= 0 && i < c->nprocs ? c->procs[i].name : NULL;
}

int
commands_register(struct commands *c, const char *name,
    kaipeer_command_fn fn, kaipeer_async_fn afn, void *ctx)
{
	struct processor *p;
	size_t len = strlen(name);

	if (len == 0 || strcspn(name, " \t\r\n") != len ||
	    (fn == NULL) == (afn == NULL) || find(c, name, len) != NULL)
		return -1;
	p = realloc(c->procs, (size_t)(c->nprocs + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	c->procs = p;
	p = &c->procs[c->nprocs];
	if ((p->name = strdup(name)) == NULL)
		return -1;
	p->len = len;
	p->fn = fn;
	p->afn = afn;
	p->ctx = ctx;
	c->nprocs++;
	return 0;
}

void
commands_aliases(struct commands *c, const struct console_alias *a, int n)
{
	c->aliases = a;
	c->naliases = n;
}

void
commands_set_permit(struct commands *c, commands_permit_fn fn, void *ctx)
{
	c->permit = fn;
	c->permit_ctx = ctx;
}

int
commands_running(const struct commands *c)
{
	return c->nrunning;
}

static void
make_key(unsigned char key[8], int peer, uint32_t id)
{
	uint32_t p = (uint32_t)peer;
	int i;

	for (i = 0; i < 4; i++) {
		key[i] = (unsigned char)(p >> (24 - 8 * i));
		key[4 + i] = (unsigned char)(id >> (24 - 8 * i));
	}
}

/* An asynchronous processor's call. */
static void
start_call(struct commands *c, struct processor *pr, int peer,
    const unsigned char *node_id, uint32_t id, const char *addr,
    const char *name, const char *args, size_t alen, call_done_fn done,
    void *ctx)
{
	struct kaipeer_call *call;
	static const char nomem[] = "Error: out of memory";

	if ((call = calloc(1, sizeof(*call))) == NULL ||
	    (call->args = malloc(alen + 1)) == NULL ||
	    (call->command = strdup(pr->name)) == NULL) {
		if (call != NULL)
			free(call->args);
		free(call);
		done(ctx, NULL, peer, id, CALL_ERROR, -1, nomem,
		    sizeof(nomem) - 1);
		return;
	}
	call->owner = c;
	call->peer = peer;
	call->id = id;
	if (node_id != NULL)
		memcpy(call->node_id, node_id, PROTO_NODE_ID);
	snprintf(call->addr, sizeof(call->addr), "%s", addr);
	snprintf(call->name, sizeof(call->name), "%s", name);
	memcpy(call->args, args, alen);
	call->args[alen] = '\0';
	call->args_len = alen;
	call->done = done;
	call->ctx = ctx;
	make_key(call->key, peer, id);
	if (map_put(&c->running, call->key, 8, call) == -1) {
		free(call->command);
		free(call->args);
		free(call);
		done(ctx, NULL, peer, id, CALL_ERROR, -1, nomem,
		    sizeof(nomem) - 1);
		return;
	}
	c->nrunning++;
	pr->afn(pr->ctx, call);
}

void
commands_run(struct commands *c, int peer, const unsigned char *node_id,
    uint32_t id, const char *addr, const char *name, const char *text,
    size_t len, call_done_fn done, void *ctx)
{
	const char *cmd, *args;
	struct processor *pr;
	unsigned char key[8];
	size_t clen, wl, alen;
	char err[256];
	int n;

	if (peer >= 0 && c->nrunning > 0) {
		make_key(key, peer, id);
		if (map_get(&c->running, key, 8) != NULL)
			return;		/* sent again: it is running */
	}
	if (console_expand(c->aliases, c->naliases, text, len, c->expanded,
	    c->result_size + EXPAND_ROOM, &clen, err, sizeof(err)) == -1) {
		n = snprintf(c->result, c->result_size, "Error: %s", err);
		done(ctx, NULL, peer, id, CALL_ERROR, -1, c->result, (size_t)n);
		return;
	}
	cmd = c->expanded;
	if (peer >= 0 && c->permit != NULL &&
	    c->permit(c->permit_ctx, peer, cmd, clen) != 0) {
		if (clen > c->result_size - 32)
			clen = c->result_size - 32;
		memcpy(c->result, "Error: permission denied: ", 26);
		memcpy(c->result + 26, cmd, clen);
		done(ctx, NULL, peer, id, CALL_ERROR, -1, c->result,
		    clen + 26);
		return;
	}
	for (wl = 0; wl < clen && cmd[wl] != ' ' && cmd[wl] != '\t'; wl++)
		continue;
	if ((pr = find(c, cmd, wl)) == NULL) {
		/* The command, whatever its bytes, cut to fit a result. */
		if (clen > c->result_size - 18)
			clen = c->result_size - 18;
		memcpy(c->result, "Unknown command: ", 17);
		memcpy(c->result + 17, cmd, clen);
		done(ctx, NULL, peer, id, CALL_UNKNOWN, -1, c->result,
		    clen + 17);
		return;
	}
	for (args = cmd + wl; args < cmd + clen && (*args == ' ' ||
	    *args == '\t'); args++)
		continue;
	alen = (size_t)(cmd + clen - args);
	if (pr->afn != NULL) {
		start_call(c, pr, peer, node_id, id, addr, name, args, alen,
		    done, ctx);
		return;
	}
	if (alen >= c->result_size) {
		done(ctx, NULL, peer, id, CALL_ERROR, -1,
		    "Error: command too long", 23);
		return;
	}
	memcpy(c->args, args, alen);
	c->args[alen] = '\0';
	c->result[0] = '\0';
	n = pr->fn(pr->ctx, c->args, c->result, c->result_size);
	c->result[c->result_size - 1] = '\0';
	done(ctx, NULL, peer, id, n == 0 ? CALL_OK : CALL_ERROR, -1,
	    c->result, strlen(c->result));
}

/* Cancel call: its asker will not hear the answer. */
static void
cancel(struct kaipeer_call *call)
{
	call_cancel_fn fn = call->cancel;

	if (call->gone)
		return;
	call->gone = 1;
	call->cancel = NULL;
	if (fn != NULL)
		fn(call->cancel_ctx, call);	/* may answer and free it */
}

void
commands_peer_gone(struct commands *c, int peer)
{
	struct kaipeer_call **v;
	struct map_node *n;
	size_t i;
	int k, nv = 0;

	if (c->nrunning == 0)
		return;
	/* Collected first: a cancel hook may answer its call at once. */
	if ((v = malloc((size_t)c->nrunning * sizeof(*v))) == NULL) {
		for (i = 0; i < c->running.nb; i++)
			for (n = c->running.b[i]; n != NULL; n = n->next)
				if (((struct kaipeer_call *)n->val)->peer ==
				    peer)
					((struct kaipeer_call *)n->val)->gone =
					    1;
		return;
	}
	for (i = 0; i < c->running.nb; i++)
		for (n = c->running.b[i]; n != NULL; n = n->next)
			if (((struct kaipeer_call *)n->val)->peer == peer &&
			    nv < c->nrunning)
				v[nv++] = n->val;
	for (k = 0; k < nv; k++)
		cancel(v[k]);
	free(v);
}

int
commands_cancel(struct commands *c, int peer, uint32_t id)
{
	struct kaipeer_call *call;
	unsigned char key[8];

	make_key(key, peer, id);
	if ((call = map_get(&c->running, key, 8)) == NULL)
		return -1;
	cancel(call);
	return 0;
}

void
commands_on_cancel(struct kaipeer_call *call, call_cancel_fn fn, void *ctx)
{
	call->cancel = fn;
	call->cancel_ctx = ctx;
	if (call->gone && fn != NULL) {	/* gone already */
		call->cancel = NULL;
		fn(ctx, call);
	}
}

/* --- the call object, for processors ------------------------------------ */

const char *
kaipeer_call_args(const struct kaipeer_call *call, size_t *len)
{
	if (len != NULL)
		*len = call->args_len;
	return call->args;
}

int
kaipeer_call_peer(const struct kaipeer_call *call)
{
	return call->peer;
}

const char *
kaipeer_call_addr(const struct kaipeer_call *call)
{
	return call->addr;
}

const char *
kaipeer_call_name(const struct kaipeer_call *call)
{
	return call->name;
}

int
kaipeer_call_gone(const struct kaipeer_call *call)
{
	return call->gone || call->owner == NULL;
}

void
kaipeer_call_on_cancel(struct kaipeer_call *call, kaipeer_cancel_fn fn,
    void *ctx)
{
	commands_on_cancel(call, fn, ctx);
}

const char *
kaipeer_call_command(const struct kaipeer_call *call)
{
	return call->command;
}

int
commands_reply(struct kaipeer_call *call, int status, int exit_code,
    const void *text, size_t len)
{
	struct commands *c = call->owner;
	int rc = -1;

	if (c != NULL) {
		map_del(&c->running, call->key, 8, call);
		c->nrunning--;
		if (!call->gone) {
			call->done(call->ctx, call, call->peer, call->id,
			    status == KAIPEER_OK ? CALL_OK : CALL_ERROR,
			    exit_code, text, len);
			rc = 0;
		}
	}
	free(call->command);
	free(call->args);
	free(call);
	return rc;
}

int
kaipeer_reply(struct kaipeer_call *call, int status, const void *text,
    size_t len)
{
	return commands_reply(call, status, -1, text, len);
}
