/*
 * relay: RELAYs carried out for peers (contract in include/relay.h).
 *
 * Each RELAY taken on is a job: the hop before (its index, node id and
 * request id), the requests it made to the next hops (its kids, each a
 * request of request.c whose context is the kid) and, for a flood or an
 * empty path, the command run here (command.c, with the RELAY's id as the
 * call's id).  The job ends when none of them is pending.  Jobs are on a
 * list: cancels and departures are rare, and a scan finds them.
 *
 * The requests seen are a ring of RELAY_SEEN keys with a hash over it;
 * the oldest key makes room for the newest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "keys.h"
#include "pick.h"
#include "random.h"
#include "relay.h"

#define KEY_LEN		(PROTO_NODE_ID + 4 + 1 + 1)

struct rjob;

struct rkid {
	struct rjob	*j;
	struct request	*q;		/* NULL once ended */
	int		 command;	/* the last hop: a COMMAND */
	char		 label[ADDR_STRLEN];	/* the path's hop */
};

struct rjob {
	struct relays	*r;
	struct rjob	*prev, *next;
	int		 from;		/* the hop before, by index */
	unsigned char	 from_id[PROTO_NODE_ID];
	uint32_t	 id;		/* its RELAY's id */
	unsigned	 kind;
	int		 pending;	/* kids running, and the local run */
	int		 local;		/* the local run is pending */
	int		 gone;		/* the hop before no longer waits */
	long		 missing;	/* flood: links that gave no answer */
	struct rkid	*kids;
	int		 nkids;
};

struct relays {
	struct kaipeer_node *n;
	struct rjob	*jobs;
	int		 njobs;
	unsigned char	 (*seen)[KEY_LEN];	/* a ring */
	int		 nseen, next;
	struct map	 seenmap;
};

struct relays *
relays_new(struct kaipeer_node *n)
{
	struct relays *r;
	uint64_t seed;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	random_bytes((unsigned char *)&seed, sizeof(seed));
	if ((r->seen = calloc(RELAY_SEEN, KEY_LEN)) == NULL ||
	    map_init(&r->seenmap, seed) == -1) {
		free(r->seen);
		free(r);
		return NULL;
	}
	r->n = n;
	return r;
}

int
relays_running(const struct relays *r)
{
	return r->njobs;
}

/* --- what was seen ---------------------------------------------------------- */

int
relays_seen(struct relays *r, const unsigned char *origin, uint32_t qid,
    unsigned kind, unsigned hops)
{
	unsigned char key[KEY_LEN], *slot;

	memcpy(key, origin, PROTO_NODE_ID);
	key[8] = (unsigned char)(qid >> 24);
	key[9] = (unsigned char)(qid >> 16);
	key[10] = (unsigned char)(qid >> 8);
	key[11] = (unsigned char)qid;
	key[12] = (unsigned char)kind;
	key[13] = kind == FRAMES_FLOOD ? 0 : (unsigned char)hops;
	if (map_get(&r->seenmap, key, KEY_LEN) != NULL)
		return 1;
	slot = r->seen[r->next];
	if (r->nseen == RELAY_SEEN)
		map_del(&r->seenmap, slot, KEY_LEN, slot);
	else
		r->nseen++;
	memcpy(slot, key, KEY_LEN);
	(void)map_put(&r->seenmap, slot, KEY_LEN, slot);
	r->next = (r->next + 1) % RELAY_SEEN;
	return 0;
}

/* --- answering the hop before ------------------------------------------------ */

/* The entry of j's hop before, if it is still the same node and up. */
static struct peer *
asker(const struct rjob *j)
{
	struct peer *e = peers_at(j->r->n->peers, j->from);

	if (e == NULL || memcmp(e->id, j->from_id, PROTO_NODE_ID) != 0 ||
	    e->link == NULL || e->link->state != SESS_S_UP)
		return NULL;
	return e;
}

/* A link that cannot take what it must be told is cut. */
static void
choked(struct relays *r, struct peer *e)
{
	if (e->link != NULL && e->link->state == SESS_S_UP)
		peers_kill(r->n->peers, e, SESS_STALLED, "output queue full");
}

/* PART: status, exit, the path hop/path, text. */
static void
send_part(struct rjob *j, unsigned status, int exit_code, const char *hop,
    const char *path, size_t plen, const char *text, size_t len)
{
	char full[FRAMES_MAX_PATH + 1], msg[160];
	struct frames_part p;
	struct peer *e;
	unsigned char *b;
	size_t need, hl = strlen(hop);
	int k;

	if (j->gone || (e = asker(j)) == NULL)
		return;
	if (hl + 1 + plen > FRAMES_MAX_PATH)
		k = snprintf(full, sizeof(full), "%s/...", hop);
	else
		k = snprintf(full, sizeof(full), "%s%s%.*s", hop,
		    hl > 0 && plen > 0 ? "/" : "", (int)plen, path);
	memset(&p, 0, sizeof(p));
	p.id = j->id;
	p.status = status;
	p.exit = exit_code >= 0 && exit_code <= 255 &&
	    session_has(e->link, PROTO_FEAT_EXIT) ? exit_code : -1;
	p.path = full;
	p.path_len = k > 0 ? (size_t)k : 0;
	p.text = text;
	p.text_len = len;
	need = PROTO_HEADER + FRAMES_PART_FIXED + p.path_len + len;
	if (need - PROTO_HEADER + 1 > e->link->peer_max) {
		snprintf(msg, sizeof(msg), "Error: result too large: %lu "
		    "bytes, and this link takes at most %lu",
		    (unsigned long)len, (unsigned long)(e->link->peer_max -
		    FRAMES_PART_FIXED - p.path_len - 1));
		p.status = FRAMES_PART_ERROR;
		p.exit = -1;
		p.text = msg;
		p.text_len = strlen(msg);
		need = PROTO_HEADER + FRAMES_PART_FIXED + p.path_len +
		    p.text_len;
	}
	if ((b = session_space(e->link, need)) == NULL ||
	    session_commit(e->link, b, frames_part_encode(b, need, &p)) == -1)
		choked(j->r, e);
}

/* The RELAY's own RESULT, then j is freed. */
static void
end_job(struct rjob *j, int status, const char *text)
{
	struct relays *r = j->r;
	struct peer *e;
	char count[24];

	if (!j->gone && (e = asker(j)) != NULL) {
		if (status == 0 && j->missing > 0) {
			snprintf(count, sizeof(count), "%ld", j->missing);
			text = count;
		}
		if (session_send_result(e->link, j->id, status, -1, text,
		    strlen(text)) == -1)
			choked(r, e);
	}
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		r->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	r->njobs--;
	free(j->kids);
	free(j);
}

static void
settle(struct rjob *j)
{
	if (j->pending == 0)
		end_job(j, 0, "");
}

/* --- the kids --------------------------------------------------------------- */

static void
kid_part(void *ctx, struct request *q, const struct frames_part *p)
{
	struct rkid *k = ctx;

	(void)q;
	send_part(k->j, p->status, p->exit, k->label, p->path, p->path_len,
	    p->text, p->text_len);
}

static void
kid_done(void *ctx, struct request *q, int status, const char *text,
    size_t len)
{
	struct rkid *k = ctx;
	struct rjob *j = k->j;

	k->q = NULL;
	if (j->kind == FRAMES_FLOOD)
		j->missing += status != REQ_OK ? 1 : frames_missing(text, len);
	else if (k->command || status != REQ_OK)
		send_part(j, (unsigned)status, q->exit_code, k->label, "", 0,
		    text, len);
	j->pending--;
	settle(j);
}

/* Send the rest of j's way on to entry e. */
static void
add_kid(struct rjob *j, struct peer *e, const struct frames_relay *m,
    const char *rest, size_t rest_len, unsigned hops)
{
	struct kaipeer_node *n = j->r->n;
	struct rkid *k = &j->kids[j->nkids++];
	struct req_route rt;
	char msg[160];

	k->j = j;
	snprintf(k->label, sizeof(k->label), "%s", peer_label(e));
	memset(&rt, 0, sizeof(rt));
	rt.kind = m->kind;
	rt.hops = hops;
	memcpy(rt.origin, m->origin, PROTO_NODE_ID);
	rt.qid = m->qid;
	rt.target = rest;
	rt.target_len = rest_len;
	rt.part = kid_part;
	k->command = m->kind == FRAMES_PATH && rest_len == 0 &&
	    (e->link == NULL || !session_has(e->link, PROTO_FEAT_RELAY));
	j->pending++;
	if (k->command)
		k->q = req_send(n->reqs, e, m->command, m->command_len,
		    (long)m->timeout_ms, kid_done, k);
	else
		k->q = req_send_relay(n->reqs, e, &rt, m->command,
		    m->command_len, (long)m->timeout_ms, kid_done, k);
	if (k->q == NULL) {
		j->pending--;
		snprintf(msg, sizeof(msg), "Error: cannot send the command: %s",
		    strerror(errno));
		if (m->kind == FRAMES_PATH)
			send_part(j, FRAMES_PART_ERROR, -1, k->label, "", 0, msg,
			    strlen(msg));
		else
			j->missing++;
	} else if (e->state != PEER_UP && e->state != PEER_CONNECTING)
		req_fail_soon(k->q, REQ_UNREACHABLE, "Error: not connected");
}

/* --- the local run ------------------------------------------------------------ */

static void
local_done(void *ctx, const struct kaipeer_call *call, int peer, uint32_t id,
    int status, int exit_code, const char *text, size_t len)
{
	struct rjob *j = ctx;

	(void)call;
	(void)peer;
	(void)id;
	j->local = 0;
	if (!j->r->n->quiet)
		out_sent_result(j->r->n->out, text, len);
	send_part(j, status == CALL_OK ? FRAMES_PART_OK : FRAMES_PART_ERROR,
	    exit_code, "", "", 0, text, len);
	j->pending--;
	settle(j);
}

static void
run_here(struct rjob *j, struct peer *from, const struct frames_relay *m)
{
	struct kaipeer_node *n = j->r->n;

	j->local = 1;
	j->pending++;
	n->served++;
	commands_run(n->cmds, from->index, from->id, m->id, from->addr,
	    from->name, m->command, m->command_len, local_done, j);
}

/* --- taking a RELAY on ------------------------------------------------------ */

static void
say_relay(struct kaipeer_node *n, struct peer *e, const struct frames_relay *m)
{
	if (n->quiet)
		return;
	out_begin(n->out, OUT_STDOUT);
	if (m->kind == FRAMES_FLOOD || m->target_len == 0)
		out_str(n->out, "Command from ");
	else
		out_str(n->out, "Relay from ");
	out_str(n->out, e->label_len > 0 ? e->label : e->addr);
	if (m->kind == FRAMES_PATH && m->target_len > 0) {
		out_str(n->out, " to '");
		out_safe(n->out, m->target, m->target_len);
		out_str(n->out, "'");
	}
	else if (m->kind == FRAMES_PATH)
		out_str(n->out, " (relayed)");
	else
		out_str(n->out, " (network-wide)");
	out_str(n->out, ": ");
	out_safe(n->out, m->command, m->command_len);
	out_end(n->out);
}

/* Refuse m at once with an error RESULT (and no job). */
static void
refuse(struct relays *r, struct peer *e, uint32_t id, const char *why)
{
	if (e->link != NULL && session_send_result(e->link, id,
	    PROTO_STATUS_ERROR, -1, why, strlen(why)) == -1)
		choked(r, e);
}

/* The first hop of a path among our peers: 0, or -1 having refused. */
static int
next_hops(struct relays *r, struct peer *e, const struct frames_relay *m,
    int **idx, int *nidx, size_t *first)
{
	const char *slash = memchr(m->target, '/', m->target_len);
	char err[300], msg[400];
	int multi;

	*first = slash != NULL ? (size_t)(slash - m->target) : m->target_len;
	if (slash != NULL && m->hops == 0) {
		refuse(r, e, m->id, "Error: hop limit reached");
		return -1;
	}
	if (pick_select(r->n, m->target, *first, 0, idx, nidx, &multi, err,
	    sizeof(err)) != PICK_SEL_OK || *nidx == 0) {
		if (*nidx == 0 && err[0] == '\0')
			snprintf(err, sizeof(err), "No peer found matching "
			    "'%.*s'", (int)*first, m->target);
		free(*idx);
		snprintf(msg, sizeof(msg), "Error: %s", err);
		refuse(r, e, m->id, msg);
		return -1;
	}
	return 0;
}

/* The peers a flood from e goes on to: linked, relaying, not e nor the
 * origin.  How many, in a new array *out; -1 if no memory. */
static int
floods_to(struct kaipeer_node *n, const struct peer *e,
    const struct frames_relay *m, int **out)
{
	struct peer *t;
	int i, k = 0;

	if ((*out = malloc(((size_t)peers_up(n->peers) + 1) * sizeof(int))) ==
	    NULL)
		return -1;
	for (i = 0; i < peers_count(n->peers); i++)
		if ((t = peers_at(n->peers, i)) != NULL && t != e &&
		    t->state == PEER_UP && t->link != NULL &&
		    session_has(t->link, PROTO_FEAT_RELAY) &&
		    memcmp(t->id, m->origin, PROTO_NODE_ID) != 0)
			(*out)[k++] = i;
	return k;
}

static void
relay_in(struct relays *r, struct peer *e, const struct frames_relay *in)
{
	struct kaipeer_node *n = r->n;
	struct frames_relay mm = *in, *m = &mm;
	struct rjob *j;
	struct peer *t;
	int *idx = NULL, nidx = 0, i;
	size_t first = 0;
	char b64[KEYS_B64 + 1];

	if (relays_seen(r, m->origin, m->qid, m->kind, m->hops)) {
		/* Taken on already, by another way: nothing more here. */
		if (e->link != NULL && session_send_result(e->link, m->id,
		    PROTO_STATUS_OK, -1, "", 0) == -1)
			choked(r, e);
		return;
	}
	say_relay(n, e, m);
	if (!guard_rate(&n->cfg, e, loop_now(n->loop))) {
		refuse(r, e, m->id, "Error: rate limited");
		return;
	}
	if (r->njobs >= RELAY_MAX_JOBS) {
		refuse(r, e, m->id, "Error: busy: too many relays in progress");
		return;
	}
	if ((m->target_len > 0 || m->kind == FRAMES_FLOOD) &&
	    !guard_permit(&n->cfg, e, m->command, m->command_len)) {
		keys_format(b64, e->key);
		out_begin(n->out, OUT_STDERR);
		out_printf(n->out, "Denied to %s (key %s): ", e->addr, b64);
		out_safe(n->out, m->command, m->command_len);
		out_end(n->out);
		refuse(r, e, m->id, "Error: permission denied");
		return;
	}
	/* No longer than this node would wait for its own commands. */
	if (m->timeout_ms == 0 ||
	    m->timeout_ms > (uint32_t)n->cfg.command_timeout_ms)
		m->timeout_ms = (uint32_t)n->cfg.command_timeout_ms;
	if (m->kind == FRAMES_PATH && m->target_len > 0 &&
	    next_hops(r, e, m, &idx, &nidx, &first) == -1)
		return;
	if (m->kind == FRAMES_FLOOD && (nidx = floods_to(n, e, m, &idx)) < 0) {
		refuse(r, e, m->id, "Error: out of memory");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL || (j->kids = calloc(
	    (size_t)nidx + 1, sizeof(*j->kids))) == NULL) {
		free(j);
		free(idx);
		refuse(r, e, m->id, "Error: out of memory");
		return;
	}
	j->r = r;
	j->from = e->index;
	memcpy(j->from_id, e->id, PROTO_NODE_ID);
	j->id = m->id;
	j->kind = m->kind;
	if ((j->next = r->jobs) != NULL)
		j->next->prev = j;
	r->jobs = j;
	r->njobs++;
	j->pending++;		/* until every kid is sent */
	if (m->kind == FRAMES_FLOOD) {
		for (i = 0; i < nidx; i++)
			if ((t = peers_at(n->peers, idx[i])) == NULL)
				continue;
			else if (m->hops > 0)
				add_kid(j, t, m, "", 0, m->hops - 1);
			else
				j->missing++;	/* out of hops */
		run_here(j, e, m);
	} else if (m->target_len == 0)
		run_here(j, e, m);
	else
		for (i = 0; i < nidx; i++)
			if ((t = peers_at(n->peers, idx[i])) != NULL)
				add_kid(j, t, m, first < m->target_len ?
				    m->target + first + 1 : "", first <
				    m->target_len ? m->target_len - first - 1 :
				    0, m->hops > 0 ? m->hops - 1 : 0);
	free(idx);
	j->pending--;
	settle(j);
}

/* --- frames, cancels, departures ---------------------------------------------- */

int
relays_frame(struct relays *r, struct peer *e, const struct proto_frame *f)
{
	struct frames_relay m;
	struct frames_part p;
	char msg[64];
	int rc;

	if (f->type == PROTO_PART) {
		if ((rc = frames_part_decode(f, &p)) < 0)
			return rc;
		if (reqs_part(r->n->reqs, e, &p) == -1 && e->link != NULL) {
			snprintf(msg, sizeof(msg), "no request with id %lu",
			    (unsigned long)p.id);
			(void)session_send_warning(e->link,
			    PROTO_CODE_UNKNOWN_ID, msg);
		}
		return 0;
	}
	if ((rc = frames_relay_decode(f, &m)) < 0)
		return rc;
	relay_in(r, e, &m);
	return 0;
}

/* j's hop before no longer waits: cancel everything, say nothing. */
static void
abandon(struct rjob *j, struct peer *e)
{
	struct kaipeer_node *n = j->r->n;
	int i;

	j->gone = 1;
	j->pending++;		/* j stays while its kids end */
	if (j->local) {		/* its answer will be dropped: no wait */
		(void)commands_cancel(n->cmds, e->index, j->id);
		j->local = 0;
		j->pending--;
	}
	for (i = 0; i < j->nkids; i++)
		if (j->kids[i].q != NULL)
			req_cancel(j->kids[i].q, "Error: cancelled");
	j->pending--;
	settle(j);
}

int
relays_cancel(struct relays *r, struct peer *e, uint32_t id)
{
	struct rjob *j;

	for (j = r->jobs; j != NULL; j = j->next)
		if (j->from == e->index && j->id == id && !j->gone) {
			abandon(j, e);
			return 0;
		}
	return -1;
}

void
relays_peer_gone(struct relays *r, struct peer *e)
{
	struct rjob *j, *next;

	for (j = r->jobs; j != NULL; j = next) {
		next = j->next;
		if (j->from == e->index && !j->gone)
			abandon(j, e);
	}
}

void
relays_free(struct relays *r)
{
	struct rjob *j;

	if (r == NULL)
		return;
	while ((j = r->jobs) != NULL) {
		r->jobs = j->next;
		free(j->kids);
		free(j);
	}
	map_free(&r->seenmap);
	free(r->seen);
	free(r);
}
