/*
 * request: commands this node sent (contract in include/request.h).
 *
 * Each entry has two lists: requests waiting to be sent, in the order they
 * were made, and requests sent.  reqs_pump() moves them from one to the
 * other while the entry's link takes them; a retired link's requests go
 * back to the front of the waiting list.  A request is found by id through
 * the slot table, so results may come back in any order at no cost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

#define SLOT_BITS	20
#define SLOT_MASK	((1u << SLOT_BITS) - 1)
#define TEXT_MIN	64

struct reqs {
	struct loop	*loop;
	struct peers	*peers;
	struct request	**slots;	/* by id & SLOT_MASK */
	int		 nslots;
	int		 cap;
	int		*free;		/* slots not in use */
	int		 nfree;
	int		 live;
};

static void on_deadline(void *ctx);

struct reqs *
reqs_new(struct loop *l, struct peers *p)
{
	struct reqs *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->loop = l;
	r->peers = p;
	return r;
}

void
reqs_free(struct reqs *r)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nslots; i++) {
		loop_timer_stop(r->loop, &r->slots[i]->timer);
		free(r->slots[i]->rtarget);
		free(r->slots[i]->text);
		free(r->slots[i]);
	}
	free(r->slots);
	free(r->free);
	free(r);
}

int
reqs_inflight(const struct reqs *r)
{
	return r->live;
}

/* --- lists -------------------------------------------------------------- */

static void
list_add(struct req_list *l, struct request *q, int front)
{
	q->prev = front ? NULL : l->tail;
	q->next = front ? l->head : NULL;
	if (q->prev != NULL)
		q->prev->next = q;
	else
		l->head = q;
	if (q->next != NULL)
		q->next->prev = q;
	else
		l->tail = q;
}

static void
list_del(struct req_list *l, struct request *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		l->head = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	else
		l->tail = q->prev;
	q->prev = q->next = NULL;
}

static struct req_list *
list_of(struct peer *e, const struct request *q)
{
	return q->sent_on != 0 ? &e->sent : &e->waiting;
}

/* --- slots -------------------------------------------------------------- */

/* A free slot's request, or a new one; NULL if no memory or full. */
static struct request *
take_slot(struct reqs *r)
{
	struct request *q, **s;
	int *f, ncap;

	if (r->nfree > 0) {
		q = r->slots[r->free[--r->nfree]];
		q->id = (q->id + (1u << SLOT_BITS)) & ~0u;
		if (q->id >> SLOT_BITS == 0)	/* never id 0 */
			q->id += 1u << SLOT_BITS;
		return q;
	}
	if (r->nslots == REQ_MAX_INFLIGHT)
		return NULL;
	if (r->nslots == r->cap) {
		ncap = r->cap > 0 ? r->cap * 2 : 64;
		if ((s = realloc(r->slots, (size_t)ncap * sizeof(*s))) == NULL)
			return NULL;
		r->slots = s;
		if ((f = realloc(r->free, (size_t)ncap * sizeof(*f))) == NULL)
			return NULL;
		r->free = f;
		r->cap = ncap;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->id = (1u << SLOT_BITS) | (uint32_t)r->nslots;
	q->owner = r;
	loop_timer_init(&q->timer, on_deadline, q);
	r->slots[r->nslots++] = q;
	return q;
}

/*
 * End q: take it off its lists, call back, free its slot.  A request the
 * peer is running and we give up on (timed out, cancelled) is cancelled
 * there too, and a result that still comes for it is let go in silence.
 */
static void
finish(struct request *q, int status, const char *text, size_t len)
{
	struct reqs *r = q->owner;
	struct peer *e = peers_at(r->peers, q->peer);

	if (!q->live)
		return;
	q->live = 0;
	r->live--;
	loop_timer_stop(r->loop, &q->timer);
	if (e != NULL)
		list_del(list_of(e, q), q);
	if ((status == REQ_TIMEOUT || status == REQ_CANCELLED) &&
	    q->sent_on != 0 && e != NULL && e->link != NULL &&
	    e->link->gen == q->sent_on &&
	    session_send_cancel(e->link, q->id) == 0)
		q->given_up = q->id;

	q->fn(q->ctx, q, status, text, len);
	r->free[r->nfree++] = (int)(q->id & SLOT_MASK);
}

static void
on_deadline(void *ctx)
{
	struct request *q = ctx;
	char msg[64];

	if (q->soon != 0) {
		finish(q, q->soon - 1, q->soon_why, strlen(q->soon_why));
		return;
	}
	snprintf(msg, sizeof(msg), "Error: timed out after %ld ms",
	    q->timeout_ms);
	finish(q, REQ_TIMEOUT, msg, strlen(msg));
}

/* --- sending ------------------------------------------------------------ */

/* A slot with text[0..len) in it, or NULL (errno says why). */
static struct request *
new_request(struct reqs *r, struct peer *e, const char *text, size_t len,
    size_t max)
{
	struct request *q;
	char *t;

	if (e->link != NULL && e->link->state == SESS_S_UP && len > max) {
		errno = EMSGSIZE;
		return NULL;
	}
	if ((q = take_slot(r)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (q->cap < len + 1) {
		if ((t = malloc(len + 1 > TEXT_MIN ? len + 1 : TEXT_MIN)) ==
		    NULL) {
			r->free[r->nfree++] = (int)(q->id & SLOT_MASK);
			errno = ENOMEM;
			return NULL;
		}
		free(q->text);
		q->text = t;
		q->cap = len + 1 > TEXT_MIN ? len + 1 : TEXT_MIN;
	} else if (q->cap > 65536 && len < 4096) {
		/* Give back what one big command took. */
		if ((t = malloc(TEXT_MIN)) != NULL) {
			free(q->text);
			q->text = t;
			q->cap = TEXT_MIN;
		}
	}
	memcpy(q->text, text, len);
	q->text[len] = '\0';
	q->len = len;
	q->relay = 0;
	return q;
}

/* Start q (made by new_request()) on its way to e. */
static struct request *
launch(struct reqs *r, struct request *q, struct peer *e, long timeout_ms,
    req_done_fn fn, void *ctx)
{
	q->peer = e->index;
	q->sent_on = 0;
	q->fn = fn;
	q->ctx = ctx;
	q->timeout_ms = timeout_ms;
	q->soon = 0;
	q->exit_code = -1;
	q->started = loop_now(r->loop);
	q->live = 1;
	r->live++;
	list_add(&e->waiting, q, 0);
	(void)loop_timer_at(r->loop, &q->timer, q->started + timeout_ms);
	reqs_pump(r, e);
	return q;
}

struct request *
req_send(struct reqs *r, struct peer *e, const char *text, size_t len,
    long timeout_ms, req_done_fn fn, void *ctx)
{
	struct request *q;

	if ((q = new_request(r, e, text, len, e->link != NULL ?
	    session_max_text(e->link) : 0)) == NULL)
		return NULL;
	return launch(r, q, e, timeout_ms, fn, ctx);
}

struct request *
req_send_relay(struct reqs *r, struct peer *e, const struct req_route *rt,
    const char *text, size_t len, long timeout_ms, req_done_fn fn, void *ctx)
{
	struct request *q;
	size_t room = e->link != NULL ? session_max_text(e->link) : 0;
	char *t;

	room = room > FRAMES_RELAY_FIXED - 4 + rt->target_len ? room -
	    (FRAMES_RELAY_FIXED - 4 + rt->target_len) : 0;
	if ((q = new_request(r, e, text, len, room)) == NULL)
		return NULL;
	if (q->rtarget_cap < rt->target_len + 1) {
		if ((t = realloc(q->rtarget, rt->target_len + 1)) == NULL) {
			r->free[r->nfree++] = (int)(q->id & SLOT_MASK);
			errno = ENOMEM;
			return NULL;
		}
		q->rtarget = t;
		q->rtarget_cap = rt->target_len + 1;
	}
	memcpy(q->rtarget, rt->target, rt->target_len);
	q->rtarget[rt->target_len] = '\0';
	q->route = *rt;
	q->route.target = q->rtarget;
	q->relay = 1;
	return launch(r, q, e, timeout_ms, fn, ctx);
}

/*
 * The time the next hop of q gets: what is left before q's deadline, less
 * a margin (a thirty-second, at most 50 ms) for its answer to come back.
 */
static uint32_t
hop_budget(const struct request *q, long long now)
{
	long long left = q->started + q->timeout_ms - now, margin;

	margin = left / 32 < 50 ? left / 32 : 50;
	left -= margin;
	return left < 1 ? 1 : left > 0x7fffffff ? 0x7fffffff : (uint32_t)left;
}

/* 0 sent; -1 no room now; -2 too long for the link; -3 not understood. */
static int
send_relay(struct reqs *r, struct session *s, struct request *q)
{
	struct frames_relay m;
	size_t need = PROTO_HEADER + FRAMES_RELAY_FIXED + q->route.target_len +
	    q->len;
	unsigned char *p;

	if (!session_has(s, PROTO_FEAT_RELAY))
		return -3;
	if (need - PROTO_HEADER + 1 > s->peer_max)
		return -2;
	memset(&m, 0, sizeof(m));
	m.id = q->id;
	m.kind = q->route.kind;
	m.hops = q->route.hops;
	m.timeout_ms = hop_budget(q, loop_now(r->loop));
	memcpy(m.origin, q->route.origin, sizeof(m.origin));
	m.qid = q->route.qid;
	m.target = q->route.target;
	m.target_len = q->route.target_len;
	m.command = q->text;
	m.command_len = q->len;
	if ((p = session_space(s, need)) == NULL)
		return -1;
	return session_commit(s, p, frames_relay_encode(p, need, &m)) == 0 ?
	    0 : -4;
}

void
reqs_pump(struct reqs *r, struct peer *e)
{
	struct session *s = e->link;
	struct request *q;
	char msg[200];
	int rc;

	while ((q = e->waiting.head) != NULL && s != NULL &&
	    session_ready(s)) {
		rc = q->relay ? send_relay(r, s, q) :
		    session_send_command(s, q->id, q->text, q->len);
		if (rc == -1)
			return;
		if (rc == -3 || rc == -4) {
			snprintf(msg, sizeof(msg), rc == -3 ? "Error: %s does "
			    "not relay (an older version)" : "Error: cannot "
			    "relay to %s: a field out of range", peer_label(e));
			finish(q, REQ_ERROR, msg, strlen(msg));
			continue;
		}
		if (rc == -2) {
			snprintf(msg, sizeof(msg), "Error: command too long for "
			    "%s (%lu bytes, at most %lu)", peer_label(e),
			    (unsigned long)q->len,
			    (unsigned long)session_max_text(s));
			finish(q, REQ_ERROR, msg, strlen(msg));
			continue;
		}
		list_del(&e->waiting, q);
		q->sent_on = s->gen;
		list_add(&e->sent, q, 0);
	}
}

/* --- ending ------------------------------------------------------------- */

int
reqs_result(struct reqs *r, struct peer *e, uint32_t id, int status,
    int exit_code, const char *text, size_t len)
{
	struct request *q;
	uint32_t slot = id & SLOT_MASK;

	if ((int)slot >= r->nslots)
		return -1;
	q = r->slots[slot];
	if (!q->live || q->id != id || q->peer != e->index || q->sent_on == 0)
		return q->given_up == id && id != 0 ? 1 : -1;
	q->exit_code = exit_code;
	finish(q, status == 0 ? REQ_OK : REQ_ERROR, text, len);
	return 0;
}

int
reqs_part(struct reqs *r, struct peer *e, const struct frames_part *p)
{
	struct request *q;
	uint32_t slot = p->id & SLOT_MASK;

	if ((int)slot >= r->nslots)
		return -1;
	q = r->slots[slot];
	if (!q->live || q->id != p->id || q->peer != e->index ||
	    q->sent_on == 0 || !q->relay)
		return q->given_up == p->id && p->id != 0 ? 1 : -1;
	q->route.part(q->ctx, q, p);
	return 0;
}

static void
fail_list(struct req_list *l, int status, const char *why)
{
	while (l->head != NULL)
		finish(l->head, status, why, strlen(why));
}

void
reqs_fail(struct reqs *r, struct peer *e, int status, const char *why)
{
	int i;

	if (e != NULL) {
		fail_list(&e->sent, status, why);
		fail_list(&e->waiting, status, why);
		return;
	}
	for (i = 0; i < peers_count(r->peers); i++)
		if ((e = peers_at(r->peers, i)) != NULL)
			reqs_fail(r, e, status, why);
}

void
reqs_requeue(struct reqs *r, struct peer *e, unsigned gen)
{
	struct request *q, *prev;

	/* From the back, each to the front: the order stays. */
	for (q = e->sent.tail; q != NULL; q = prev) {
		prev = q->prev;
		if (q->sent_on != gen)
			continue;
		list_del(&e->sent, q);
		q->sent_on = 0;
		list_add(&e->waiting, q, 1);
	}
	reqs_pump(r, e);
}

void
reqs_move(struct reqs *r, struct peer *from, struct peer *into)
{
	struct request *q;

	(void)r;
	/* Sent ones stay sent: their link moved to into as well. */
	while ((q = from->sent.head) != NULL) {
		list_del(&from->sent, q);
		q->peer = into->index;
		list_add(&into->sent, q, 0);
	}
	while ((q = from->waiting.head) != NULL) {
		list_del(&from->waiting, q);
		q->peer = into->index;
		list_add(&into->waiting, q, 0);
	}
}

void
req_cancel(struct request *q, const char *why)
{
	finish(q, REQ_CANCELLED, why, strlen(why));
}

void
req_fail_soon(struct request *q, int status, const char *why)
{
	q->soon = status + 1;
	snprintf(q->soon_why, sizeof(q->soon_why), "%s", why);
	(void)loop_timer_at(q->owner->loop, &q->timer,
	    loop_now(q->owner->loop));
}
