/*
 * fanout: selectors, and one command to many peers (contract in
 * include/fanout.h).
 *
 * A selector is parsed by select.c (pure) and resolved here against the
 * peer table, each entry marked in a bitmap so that a peer named twice
 * runs the command once.  A fanout is an array of slots, one per peer,
 * each holding its request; the slots never move, so a request's context
 * is its slot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout.h"
#include "select.h"

struct picker {
	struct kaipeer_node *n;
	unsigned char	*seen;		/* by index */
	int		*out;
	int		 nout;
	int		 count;		/* indexes in the table */
	int		 wait;
	int		 waiting;	/* names are still being learnt */
	char		*err;
	size_t		 errsize;
};

struct slot {
	struct fanout	*f;
	struct request	*q;		/* NULL once ended */
	int		 peer;
	char		*failed;	/* ended before it was sent: why */
};

struct fanout {
	struct kaipeer_node *n;
	char		*cmd;
	size_t		 len;
	struct slot	*slots;
	int		 nslots;
	int		 pending;
	int		 cancelling;
	long long	 started;
	struct fan_counts counts;
	fan_result_fn	 on_result;
	fan_done_fn	 on_done;
	void		*ctx;
	struct loop_timer soon;		/* results that need no request */
};

/* --- selecting ------------------------------------------------------------ */

/* May "*" or a glob pick e: up, being dialled, or dialled by us. */
static int
eligible(const struct peer *e)
{
	return e->state == PEER_UP || e->state == PEER_CONNECTING ||
	    (e->dial != NULL && !e->held);
}

static void
add(struct picker *pk, const struct peer *e)
{
	if (e->index < 0 || e->index >= pk->count || pk->seen[e->index])
		return;
	pk->seen[e->index] = 1;
	pk->out[pk->nout++] = e->index;
}

static int
globs(const struct select_item *it, const struct peer *e)
{
	return (e->name[0] != '\0' && select_glob(it->text, it->len, e->name,
	    strlen(e->name))) || (e->addr[0] != '\0' && select_glob(it->text,
	    it->len, e->addr, strlen(e->addr))) || (e->dial != NULL &&
	    select_glob(it->text, it->len, e->dial, strlen(e->dial)));
}

/* An index, a name or an address: exactly one entry, or an error. */
static int
pick_one(struct picker *pk, const struct select_item *it)
{
	struct peer *e, *found[8];
	int i, nf, k;

	if (it->kind == SELECT_INDEX) {
		if ((e = peers_at(pk->n->peers, it->lo)) != NULL) {
			add(pk, e);
			return 0;
		}
		nf = 0;
	} else if ((e = peers_find(pk->n->peers, it->text, it->len, found, 8,
	    &nf)) != NULL) {
		add(pk, e);
		return 0;
	}
	if (nf == 0 && pk->wait && it->kind == SELECT_NAME &&
	    peers_connecting(pk->n->peers)) {
		pk->waiting = 1;
		return 0;
	}
	if (nf <= 1) {
		snprintf(pk->err, pk->errsize, "No peer found matching '%.*s'",
		    (int)it->len, it->text);
		return -1;
	}
	k = snprintf(pk->err, pk->errsize, "Peer '%.*s' is ambiguous: %d "
	    "peers match:", (int)it->len, it->text, nf);
	for (i = 0; i < nf && i < 8 && k > 0 && (size_t)k < pk->errsize; i++)
		k += snprintf(pk->err + k, pk->errsize - (size_t)k, "%s %d "
		    "(%s)", i > 0 ? "," : "", found[i]->index,
		    peer_label(found[i]));
	return -1;
}

static int
pick(struct picker *pk, const char *sel, size_t len, int depth)
{
	const struct config *c = &pk->n->cfg;
	struct select_item *items;
	struct peer *e;
	int i, k, n, rc = 0;

	if ((items = malloc(SELECT_MAX_ITEMS * sizeof(*items))) == NULL) {
		snprintf(pk->err, pk->errsize, "out of memory");
		return -1;
	}
	if ((n = select_parse(sel, len, items, SELECT_MAX_ITEMS, pk->err,
	    pk->errsize)) < 0) {
		free(items);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		switch (items[i].kind) {
		case SELECT_INDEX:
		case SELECT_NAME:
		case SELECT_ADDR:
			rc = pick_one(pk, &items[i]);
			break;
		case SELECT_RANGE:
			for (k = items[i].lo; k <= items[i].hi && k < pk->count;
			    k++)
				if ((e = peers_at(pk->n->peers, k)) != NULL)
					add(pk, e);
			break;
		case SELECT_ALL:
		case SELECT_GLOB:
			if (items[i].kind == SELECT_GLOB && pk->wait &&
			    peers_connecting(pk->n->peers))
				pk->waiting = 1;
			for (k = 0; k < pk->count; k++)
				if ((e = peers_at(pk->n->peers, k)) != NULL &&
				    eligible(e) && (items[i].kind ==
				    SELECT_ALL || globs(&items[i], e)))
					add(pk, e);
			break;
		case SELECT_GROUP:
			for (k = 0; k < c->ngroups; k++)
				if (strlen(c->groups[k].name) == items[i].len &&
				    memcmp(c->groups[k].name, items[i].text,
				    items[i].len) == 0)
					break;
			if (k == c->ngroups) {
				snprintf(pk->err, pk->errsize, "No group named "
				    "'%.*s'", (int)items[i].len, items[i].text);
				rc = -1;
			} else if (depth >= FANOUT_GROUP_DEPTH) {
				snprintf(pk->err, pk->errsize, "Groups nest "
				    "deeper than %d at '@%s'",
				    FANOUT_GROUP_DEPTH, c->groups[k].name);
				rc = -1;
			} else
				rc = pick(pk, c->groups[k].selector,
				    strlen(c->groups[k].selector), depth + 1);
			break;
		}
	}
	free(items);
	return rc;
}

enum fan_sel
fanout_select(struct kaipeer_node *n, const char *sel, size_t len, int wait,
    int **out, int *nout, int *multi, char *err, size_t errsize)
{
	struct select_item items[2];
	struct picker pk;
	char e1[8];
	int rc;

	*out = NULL;
	*nout = 0;
	*multi = select_parse(sel, len, items, 2, e1, sizeof(e1)) != 1 ||
	    select_is_multi(items, 1);
	memset(&pk, 0, sizeof(pk));
	pk.n = n;
	pk.count = n->peers != NULL ? peers_count(n->peers) : 0;
	pk.wait = wait;
	pk.err = err;
	pk.errsize = errsize;
	if ((pk.seen = calloc((size_t)pk.count + 1, 1)) == NULL ||
	    (pk.out = malloc(((size_t)pk.count + 1) * sizeof(int))) == NULL) {
		free(pk.seen);
		snprintf(err, errsize, "out of memory");
		return FAN_SEL_ERROR;
	}
	rc = n->peers != NULL ? pick(&pk, sel, len, 0) : 0;
	free(pk.seen);
	if (rc == 0 && pk.waiting) {
		free(pk.out);
		return FAN_SEL_WAIT;
	}
	if (rc != 0) {
		free(pk.out);
		return FAN_SEL_ERROR;
	}
	/* In index order, as a user reads the peer table. */
	for (rc = 1; rc < pk.nout; rc++) {
		int v = pk.out[rc], j = rc;

		for (; j > 0 && pk.out[j - 1] > v; j--)
			pk.out[j] = pk.out[j - 1];
		pk.out[j] = v;
	}
	*out = pk.out;
	*nout = pk.nout;
	return FAN_SEL_OK;
}

/* --- sending ------------------------------------------------------------ */

static void
finish(struct fanout *f)
{
	int i;

	if (f->pending > 0 || f->cancelling)
		return;
	loop_timer_stop(f->n->loop, &f->soon);
	f->on_done(f->ctx, f);
	for (i = 0; i < f->nslots; i++)
		free(f->slots[i].failed);
	free(f->slots);
	free(f->cmd);
	free(f);
}

static void
count(struct fan_counts *c, int status)
{
	switch (status) {
	case REQ_OK:
		c->ok++;
		break;
	case REQ_ERROR:
		c->error++;
		break;
	case REQ_TIMEOUT:
		c->timeout++;
		break;
	case REQ_UNREACHABLE:
		c->unreachable++;
		break;
	case REQ_LOST:
		c->lost++;
		break;
	default:
		c->cancelled++;
		break;
	}
}

static void
deliver(struct slot *s, int peer, int status, int exit_code,
    const char *text, size_t len, long long started)
{
	struct fanout *f = s->f;
	struct peer *e = peers_at(f->n->peers, peer);
	struct fan_result r;

	r.peer = peer;
	r.label = e != NULL ? peer_label(e) : "?";
	r.name = e != NULL ? e->name : "";
	r.status = status;
	r.exit_code = exit_code;
	r.text = text;
	r.len = len;
	r.ms = (long)(loop_now(f->n->loop) - started);
	count(&f->counts, status);
	f->pending--;
	f->on_result(f->ctx, f, &r);
}

static void
req_done(void *ctx, struct request *q, int status, const char *text,
    size_t len)
{
	struct slot *s = ctx;

	s->q = NULL;
	deliver(s, q->peer, status, q->exit_code, text, len, q->started);
	finish(s->f);
}

/* Results that needed no request (it could not be made). */
static void
on_soon(void *ctx)
{
	struct fanout *f = ctx;
	int i;

	f->cancelling++;
	for (i = 0; i < f->nslots; i++)
		if (f->slots[i].failed != NULL && f->slots[i].q == NULL &&
		    f->slots[i].peer >= 0) {
			deliver(&f->slots[i], f->slots[i].peer, REQ_ERROR, -1,
			    f->slots[i].failed, strlen(f->slots[i].failed),
			    f->started);
			f->slots[i].peer = -1;
		}
	f->cancelling--;
	finish(f);
}

/* Send to e for slot s; what cannot be sent ends from the loop. */
static void
send_one(struct fanout *f, struct slot *s, struct peer *e, long timeout_ms)
{
	char msg[256];

	s->q = req_send(f->n->reqs, e, f->cmd, f->len, timeout_ms, req_done,
	    s);
	if (s->q == NULL) {
		if (errno == EMSGSIZE)
			snprintf(msg, sizeof(msg), "Error: command too long "
			    "for %s (%lu bytes, at most %lu)", peer_label(e),
			    (unsigned long)f->len, (unsigned
			    long)session_max_text(e->link));
		else
			snprintf(msg, sizeof(msg), "Error: cannot send the "
			    "command: %s", strerror(errno));
		if ((s->failed = strdup(msg)) == NULL)
			s->failed = strdup("Error: out of memory");
		if (s->failed == NULL)
			s->peer = -1;	/* then it cannot be told */
		(void)loop_timer_at(f->n->loop, &f->soon, loop_now(f->n->loop));
		return;
	}
	if (e->state != PEER_UP && e->state != PEER_CONNECTING) {
		snprintf(msg, sizeof(msg), "Error: not connected%s%s",
		    e->why[0] != '\0' ? ": " : "", e->why);
		req_fail_soon(s->q, REQ_UNREACHABLE, msg);
	}
}

struct fanout *
fanout_start(struct kaipeer_node *n, const int *peers, int npeers,
    const char *cmd, size_t len, long timeout_ms, fan_result_fn on_result,
    fan_done_fn on_done, void *ctx)
{
	struct fanout *f;
	struct peer *e;
	int i;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->cmd = malloc(len + 1)) == NULL ||
	    (f->slots = calloc((size_t)npeers + 1, sizeof(*f->slots))) ==
	    NULL) {
		if (f != NULL)
			free(f->cmd);
		free(f);
		return NULL;
	}
	memcpy(f->cmd, cmd, len);
	f->cmd[len] = '\0';
	f->len = len;
	f->n = n;
	f->nslots = npeers;
	f->on_result = on_result;
	f->on_done = on_done;
	f->ctx = ctx;
	f->started = loop_now(n->loop);
	loop_timer_init(&f->soon, on_soon, f);
	for (i = 0; i < npeers; i++) {
		f->slots[i].f = f;
		f->slots[i].peer = peers[i];
		if ((e = peers_at(n->peers, peers[i])) == NULL) {
			f->slots[i].peer = -1;
			continue;
		}
		f->pending++;
		send_one(f, &f->slots[i], e, timeout_ms);
		if (f->slots[i].peer == -1)
			f->pending--;
	}
	if (f->pending == 0)
		(void)loop_timer_at(n->loop, &f->soon, loop_now(n->loop));
	return f;
}

void
fanout_cancel(struct fanout *f, const char *why)
{
	int i;

	f->cancelling++;
	for (i = 0; i < f->nslots; i++)
		if (f->slots[i].q != NULL)
			req_cancel(f->slots[i].q, why);
	f->cancelling--;
	on_soon(f);		/* what could not be sent ends now too */
}

int
fanout_pending(const struct fanout *f)
{
	return f->pending;
}

const char *
fanout_command(const struct fanout *f, size_t *len)
{
	*len = f->len;
	return f->cmd;
}

const struct fan_counts *
fanout_counts(const struct fanout *f)
{
	return &f->counts;
}

int
fanout_size(const struct fanout *f)
{
	return f->nslots;
}

long
fanout_ms(const struct fanout *f)
{
	return (long)(loop_now(f->n->loop) - f->started);
}

/* --- the library's kaipeer_send() ---------------------------------------- */

struct sender {
	kaipeer_result_fn fn;
	void		*ctx;
};

static void
send_result(void *ctx, struct fanout *f, const struct fan_result *fr)
{
	struct sender *s = ctx;
	struct kaipeer_result r;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.peer = fr->peer;
	r.addr = fr->label;
	r.name = fr->name;
	r.command = fanout_command(f, &len);
	r.status = fr->status;
	r.text = fr->text;
	r.len = fr->len;
	r.ms = fr->ms;
	r.exit_code = fr->exit_code;
	s->fn(s->ctx, &r);
}

static void
send_done(void *ctx, struct fanout *f)
{
	(void)f;
	free(ctx);
}

int
kaipeer_send(struct kaipeer_node *n, const char *selector,
    const char *command, kaipeer_result_fn fn, void *ctx)
{
	struct sender *s;
	char err[600];
	int *idx, nidx, multi;

	if (n->peers == NULL || fn == NULL)
		return -1;
	if (fanout_select(n, selector, strlen(selector), 0, &idx, &nidx,
	    &multi, err, sizeof(err)) != FAN_SEL_OK) {
		node_err(n, "kaipeer: %s", err);
		return -1;
	}
	if (nidx == 0) {
		free(idx);
		return 0;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		free(idx);
		return -1;
	}
	s->fn = fn;
	s->ctx = ctx;
	if (fanout_start(n, idx, nidx, command, strlen(command),
	    n->cfg.command_timeout_ms, send_result, send_done, s) == NULL) {
		free(s);
		nidx = -1;
	}
	free(idx);
	return nidx;
}
