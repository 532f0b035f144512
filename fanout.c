/*
 * fanout: one command to many peers (contract in include/fanout.h).
 *
 * A fanout is an array of slots, one per peer, each holding its request;
 * the slots never move, so a request's context is its slot.  A relayed
 * fanout's requests are RELAYs, each of which may bring many results
 * (PARTs) before it ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout.h"
#include "relay.h"
#include "select.h"

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
	/* Relayed: each request is a RELAY and brings PARTs. */
	int		 routed;
	struct req_route route;		/* target points into rest */
	char		*rest;
	int		 results;	/* results delivered */
	int		 local;		/* "**": the run here is pending */
	uint32_t	 local_id;
	struct loop_timer run_here;	/* starts it, from the loop */
};

/* --- sending ------------------------------------------------------------ */

static void
finish(struct fanout *f)
{
	int i;

	if (f->pending > 0 || f->cancelling)
		return;
	loop_timer_stop(f->n->loop, &f->soon);
	loop_timer_stop(f->n->loop, &f->run_here);
	f->on_done(f->ctx, f);
	for (i = 0; i < f->nslots; i++)
		free(f->slots[i].failed);
	free(f->slots);
	free(f->rest);
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

/* One result to the caller, counted. */
static void
emit(struct fanout *f, int peer, const char *label, const char *name,
    int status, int exit_code, const char *text, size_t len,
    long long started)
{
	struct fan_result r;

	r.peer = peer;
	r.label = label;
	r.name = name;
	r.status = status;
	r.exit_code = exit_code;
	r.text = text;
	r.len = len;
	r.ms = (long)(loop_now(f->n->loop) - started);
	count(&f->counts, status);
	f->results++;
	f->on_result(f->ctx, f, &r);
}

/* The one result of slot s, which is done. */
static void
deliver(struct slot *s, int peer, int status, int exit_code,
    const char *text, size_t len, long long started)
{
	struct fanout *f = s->f;
	struct peer *e = peers_at(f->n->peers, peer);

	f->pending--;
	emit(f, peer, e != NULL ? peer_label(e) : "?", e != NULL ? e->name :
	    "", status, exit_code, text, len, started);
}

static void
req_done(void *ctx, struct request *q, int status, const char *text,
    size_t len)
{
	struct slot *s = ctx;
	struct fanout *f = s->f;

	s->q = NULL;
	if (!f->routed || (status != REQ_OK && f->route.kind == FRAMES_PATH)) {
		deliver(s, q->peer, status, q->exit_code, text, len,
		    q->started);
	} else {
		/* A RELAY's end: its parts came; a flood's says how many
		 * links gave no answer. */
		f->pending--;
		if (f->route.kind == FRAMES_FLOOD)
			f->counts.missing += status != REQ_OK ? 1 :
			    frames_missing(text, len);
	}
	finish(f);
}

/* A PART of slot s's RELAY: one more result, its path after s's peer. */
static void
req_part(void *ctx, struct request *q, const struct frames_part *p)
{
	struct slot *s = ctx;
	struct peer *e = peers_at(s->f->n->peers, q->peer);
	char label[ADDR_STRLEN + FRAMES_MAX_PATH + 2];

	snprintf(label, sizeof(label), "%s%s%.*s", e != NULL ? peer_label(e) :
	    "?", p->path_len > 0 ? "/" : "", (int)p->path_len, p->path);
	emit(s->f, q->peer, label, e != NULL && p->path_len == 0 ? e->name :
	    "", p->status <= REQ_CANCELLED ? (int)p->status : REQ_ERROR,
	    p->exit, p->text, p->text_len, q->started);
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

	if (f->routed)
		s->q = req_send_relay(f->n->reqs, e, &f->route, f->cmd, f->len,
		    timeout_ms, req_done, s);
	else
		s->q = req_send(f->n->reqs, e, f->cmd, f->len, timeout_ms,
		    req_done, s);
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
	return fanout_route(n, peers, npeers, NULL, cmd, len, timeout_ms,
	    on_result, on_done, ctx);
}

/* The run here of a "**". */
static void
local_done(void *ctx, const struct kaipeer_call *call, int peer, uint32_t id,
    int status, int exit_code, const char *text, size_t len)
{
	struct fanout *f = ctx;

	(void)call;
	(void)peer;
	(void)id;
	f->local = 0;
	f->pending--;
	emit(f, -1, "self", f->n->cfg.name != NULL ? f->n->cfg.name : "",
	    status == CALL_OK ? REQ_OK : REQ_ERROR, exit_code, text, len,
	    f->started);
	finish(f);
}

static void
on_run_here(void *ctx)
{
	struct fanout *f = ctx;

	f->local_id = ++f->n->console_ids;
	commands_run(f->n->cmds, -1, f->n->id, f->local_id, "", "", f->cmd,
	    f->len, local_done, f);
}

/* rt's route into f: the RELAYs' common fields. */
static int
set_route(struct fanout *f, const struct pick_route *rt)
{
	struct kaipeer_node *n = f->n;

	f->routed = 1;
	f->route.kind = rt->kind == PICK_ALL ? FRAMES_FLOOD : FRAMES_PATH;
	f->route.hops = rt->kind == PICK_ALL ? RELAY_FLOOD_HOPS - 1 :
	    FRAMES_MAX_HOPS - 1;
	memcpy(f->route.origin, n->id, PROTO_NODE_ID);
	f->route.qid = ++n->qids;
	f->route.part = req_part;
	if (rt->kind == PICK_PATH) {
		if ((f->rest = malloc(rt->rest_len + 1)) == NULL)
			return -1;
		memcpy(f->rest, rt->rest, rt->rest_len);
		f->rest[rt->rest_len] = '\0';
		f->route.target = f->rest;
		f->route.target_len = rt->rest_len;
	} else {
		f->route.target = "";
		/* Ours: a flood that comes back here is not run again. */
		(void)relays_seen(n->relays, n->id, f->route.qid,
		    FRAMES_FLOOD, f->route.hops);
		f->counts.all = 1;
	}
	return 0;
}

struct fanout *
fanout_route(struct kaipeer_node *n, const int *peers, int npeers,
    const struct pick_route *rt, const char *cmd, size_t len,
    long timeout_ms, fan_result_fn on_result, fan_done_fn on_done, void *ctx)
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
	if (rt != NULL && rt->kind != PICK_DIRECT && set_route(f, rt) == -1) {
		free(f->slots);
		free(f->cmd);
		free(f);
		return NULL;
	}
	loop_timer_init(&f->run_here, on_run_here, f);
	if (f->routed && f->route.kind == FRAMES_FLOOD) {
		f->local = 1;
		f->pending++;
		(void)loop_timer_at(n->loop, &f->run_here, loop_now(n->loop));
	}
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
	if (f->local && (loop_timer_armed(&f->run_here) ||
	    commands_cancel(f->n->cmds, -1, f->local_id) == 0)) {
		loop_timer_stop(f->n->loop, &f->run_here);
		f->local = 0;
		f->pending--;
		count(&f->counts, REQ_CANCELLED);
	}
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
	return f->routed ? f->results : f->nslots;
}

/* The peers that a "**" goes to first: every linked one that relays. */
int
fanout_neighbours(struct kaipeer_node *n, int **out)
{
	struct peer *e;
	int i, k = 0;

	if ((*out = malloc(((size_t)peers_count(n->peers) + 1) *
	    sizeof(int))) == NULL)
		return -1;
	for (i = 0; i < peers_count(n->peers); i++)
		if ((e = peers_at(n->peers, i)) != NULL &&
		    e->state == PEER_UP && e->link != NULL &&
		    session_has(e->link, PROTO_FEAT_RELAY))
			(*out)[k++] = i;
	return k;
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
	struct pick_route rt;
	struct sender *s;
	char err[600];
	int *idx, nidx, multi;

	if (n->peers == NULL || fn == NULL)
		return -1;
	if (pick_route(selector, strlen(selector), &rt, err,
	    sizeof(err)) == -1) {
		node_err(n, "kaipeer: %s", err);
		return -1;
	}
	if (rt.kind == PICK_ALL)
		nidx = fanout_neighbours(n, &idx);
	else if (pick_select(n, rt.first, rt.first_len, 0, &idx, &nidx,
	    &multi, err, sizeof(err)) != PICK_SEL_OK) {
		node_err(n, "kaipeer: %s", err);
		return -1;
	}
	if (nidx < 0)
		return -1;
	if (nidx == 0 && rt.kind != PICK_ALL) {
		free(idx);
		return 0;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		free(idx);
		return -1;
	}
	s->fn = fn;
	s->ctx = ctx;
	if (fanout_route(n, idx, nidx, &rt, command, strlen(command),
	    n->cfg.command_timeout_ms, send_result, send_done, s) == NULL) {
		free(s);
		nidx = -1;
	}
	free(idx);
	return nidx;
}
