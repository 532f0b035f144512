/*
 * peers: the peer table's links (contract in include/peers.h; the entries,
 * their indexes and hashes are table.c's).
 *
 * A link comes to an entry in one of two ways: our dial (the session's
 * user is the dialling entry from the start) or a HELLO on an accepted
 * connection (the entry is found by node id, then by address, else made).
 * A HELLO from an outbound link may reveal that the node is also known
 * under another entry; the two are merged into the dialling one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "random.h"
#include "peers.h"
#include "resolve.h"

struct peers {
	const struct sess_env *env;
	const struct peers_ops *ops;
	void		*ctx;
	int		 max_conns;
	long		 reconnect_max_ms;
	int		 no_redial;
	struct table	*t;
	struct peer	*probes[PEERS_MAX_PROBES];	/* not in t yet */
	int		 nprobes;
};

static const struct session_ops sess_ops;
static void dial_failed(struct peers *, struct peer *, const char *);
static void probe_end(struct peers *, struct peer *, int, const char *);
static void on_retry(void *ctx);
static void on_lookup_timeout(void *ctx);

/* --- the table ---------------------------------------------------------- */

struct peers *
peers_new(const struct sess_env *env, int max_conns, long reconnect_max_ms,
    const struct peers_ops *ops, void *ctx)
{
	struct peers *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->env = env;
	p->ops = ops;
	p->ctx = ctx;
	p->max_conns = max_conns;
	p->reconnect_max_ms = reconnect_max_ms;
	if ((p->t = table_new()) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

static void
close_links(struct peer *e)
{
	int i;

	for (i = e->nlinks - 1; i >= 0; i--)
		session_close(e->links[i]);
	e->nlinks = 0;
	e->link = e->dialling = NULL;
}

static void
free_entry(struct peers *p, struct peer *e)
{
	close_links(e);
	if (e->resolving != NULL)
		resolve_cancel(e->resolving);
	loop_timer_stop(p->env->loop, &e->retry);
	loop_timer_stop(p->env->loop, &e->lookup);
	free(e->dial);
	free(e->host);
	free(e);
}

void
peers_free(struct peers *p)
{
	struct peer *e;
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < table_count(p->t); i++)
		if ((e = table_at(p->t, i)) != NULL)
			free_entry(p, e);
	for (i = 0; i < p->nprobes; i++)
		free_entry(p, p->probes[i]);
	table_free(p->t);
	free(p);
}

void
peers_limits(struct peers *p, int max_conns, long reconnect_max_ms)
{
	p->max_conns = max_conns;
	p->reconnect_max_ms = reconnect_max_ms;
}

void
peers_no_redial(struct peers *p)
{
	struct peer *e;
	int i;

	p->no_redial = 1;
	for (i = 0; i < table_count(p->t); i++)
		if ((e = table_at(p->t, i)) != NULL) {
			loop_timer_stop(p->env->loop, &e->retry);
			e->retry_at = 0;
		}
}

struct peer *
peers_at(const struct peers *p, int i)
{
	return table_at(p->t, i);
}

int
peers_count(const struct peers *p)
{
	return table_count(p->t);
}

struct peer *
peers_find(const struct peers *p, const char *sel, size_t len,
    struct peer **found, int max, int *nfound)
{
	return table_find(p->t, sel, len, found, max, nfound);
}

int
peers_up(const struct peers *p)
{
	struct peer *e;
	int i, n = 0;

	for (i = 0; i < table_count(p->t); i++)
		n += (e = table_at(p->t, i)) != NULL && e->state == PEER_UP;
	return n;
}

int
peers_connecting(const struct peers *p)
{
	struct peer *e;
	int i;

	for (i = 0; i < table_count(p->t); i++)
		if ((e = table_at(p->t, i)) != NULL && e->dial != NULL &&
		    e->state == PEER_CONNECTING)
			return 1;
	return 0;
}

/* A new entry, in the table; NULL when no index is free or no memory. */
static struct peer *
new_entry(struct peers *p, enum peer_origin origin)
{
	struct peer *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if (table_insert(p->t, e) == -1) {
		free(e);
		return NULL;
	}
	e->origin = origin;
	e->owner = p;
	e->state = PEER_FAILED;
	loop_timer_init(&e->retry, on_retry, e);
	loop_timer_init(&e->lookup, on_lookup_timeout, e);
	return e;
}

/* Take e out of the table for good. */
static void
forget(struct peers *p, struct peer *e)
{
	table_remove(p->t, e);
	free_entry(p, e);
}

/* A stranger left: keep it for a while, within the bound. */
static void
departed(struct peers *p, struct peer *e)
{
	struct peer *old;

	if (e->dial != NULL || e->nlinks > 0)
		return;
	if (e->ephemeral) {
		forget(p, e);
		return;
	}
	table_depart(p->t, e);
	while ((old = table_over(p->t)) != NULL)
		forget(p, old);
}

/* --- links -------------------------------------------------------------- */

static int
attach(struct peer *e, struct session *s)
{
	if (e->nlinks == PEERS_MAX_LINKS)
		return -1;
	e->links[e->nlinks++] = s;
	s->user = e;
	return 0;
}

static void
detach(struct peer *e, struct session *s)
{
	int i;

	for (i = 0; i < e->nlinks; i++)
		if (e->links[i] == s) {
			e->links[i] = e->links[--e->nlinks];
			break;
		}
	if (e->link == s)
		e->link = NULL;
	if (e->dialling == s)
		e->dialling = NULL;
	s->user = NULL;
}

/* --- dialling ----------------------------------------------------------- */

/*
 * Dial e again later: exponential backoff from PEERS_RETRY_FIRST_MS,
 * capped at reconnectMax, with +-25% jitter so that peers cut off together
 * do not all call back in the same instant.
 */
static void
schedule_retry(struct peers *p, struct peer *e)
{
	unsigned char r[2];
	long wait, max = p->reconnect_max_ms;

	if (e->dial == NULL || e->final || e->held || p->no_redial)
		return;
	e->backoff_ms = e->backoff_ms == 0 ? PEERS_RETRY_FIRST_MS :
	    e->backoff_ms > max / 2 ? max : e->backoff_ms * 2;
	random_bytes(r, sizeof(r));
	wait = e->backoff_ms * 3 / 4 +
	    (long)((r[0] << 8 | r[1]) * (e->backoff_ms / 2) / 65536);
	e->retry_at = loop_now(p->env->loop) + (wait > 0 ? wait : 1);
	(void)loop_timer_at(p->env->loop, &e->retry, e->retry_at);
}

static void
on_retry(void *ctx)
{
	struct peer *e = ctx;

	e->retry_at = 0;
	if (e->nlinks == 0 && e->resolving == NULL)
		peers_dial(e->owner, e);
}

static void
start_session(struct peers *p, struct peer *e, const struct addr *a,
    int n)
{
	struct session *s;

	if ((s = session_dial(p->env, a, n, &sess_ops, p)) == NULL) {
		dial_failed(p, e, strerror(errno));
		return;
	}
	if (attach(e, s) == -1) {
		session_close(s);
		dial_failed(p, e, "too many links");
		return;
	}
	e->dialling = s;
}

static void
on_resolved(void *ctx, const struct addr *addrs, int n, const char *err)
{
	struct peer *e = ctx;
	struct peers *p = e->owner;

	e->resolving = NULL;
	loop_timer_stop(p->env->loop, &e->lookup);
	if (n == 0)
		dial_failed(p, e, err);
	else
		start_session(p, e, addrs, n);
}

static void
on_lookup_timeout(void *ctx)
{
	struct peer *e = ctx;

	resolve_cancel(e->resolving);
	e->resolving = NULL;
	dial_failed(e->owner, e, "timed out looking up the name");
}

void
peers_dial(struct peers *p, struct peer *e)
{
	struct addr a;

	e->held = 0;
	if (e->dial == NULL || e->nlinks > 0 || e->resolving != NULL)
		return;
	loop_timer_stop(p->env->loop, &e->retry);
	e->retry_at = 0;
	e->state = PEER_CONNECTING;
	if (addr_numeric(e->host, e->port, &a) == 0) {
		start_session(p, e, &a, 1);
		return;
	}
	if ((e->resolving = resolve_start(p->env->loop, e->host, e->port,
	    on_resolved, e)) == NULL) {
		dial_failed(p, e, strerror(errno));
		return;
	}
	(void)loop_timer_at(p->env->loop, &e->lookup, loop_now(p->env->loop) +
	    p->env->connect_timeout_ms);
}

struct peer *
peers_entry(struct peers *p, const char *host, int port,
    enum peer_origin origin)
{
	char key[ADDR_STRLEN + 256], bare[256];
	struct peer *e, *found[1];
	size_t hl = strlen(host);
	int n;

	/* "[::1]" and "::1" are one address, written "[::1]:port". */
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']')
		snprintf(bare, sizeof(bare), "%.*s", (int)(hl - 2), host + 1);
	else
		snprintf(bare, sizeof(bare), "%s", host);
	addr_format(key, sizeof(key), bare, port);
	if ((e = table_by_key(p->t, key, strlen(key), found, 1, &n)) == NULL &&
	    n > 0)
		e = found[0];
	if (e == NULL && (e = new_entry(p, origin)) == NULL)
		return NULL;
	if (e->dial == NULL) {
		if ((e->dial = strdup(key)) == NULL ||
		    (e->host = strdup(bare)) == NULL) {
			free(e->dial);
			e->dial = NULL;
			if (e->nlinks == 0 && e->addr[0] == '\0')
				forget(p, e);
			return NULL;
		}
		e->port = port;
		e->origin = origin;	/* dialled now because of it */
		table_back(p->t, e);
		table_rekey(p->t, e);
	}
	return e;
}

/* --- ends of links ---------------------------------------------------------- */

/* e is reachable no more for now: tell, and plan what comes next. */
static void
entry_down(struct peers *p, struct peer *e, const char *why)
{
	p->ops->gone(p->ctx, e, why);
	if (table_at(p->t, e->index) != e)
		return;
	if (e->origin == PEER_DISCOVERED && e->dial != NULL &&
	    ++e->fails >= PEERS_FORGET_FAILS) {
		p->ops->event(p->ctx, PEV_NOTE, e, peer_label(e), "forgotten: "
		    "a discovered peer that failed too often", 0);
		p->ops->forgot(p->ctx, e);
		forget(p, e);
		return;
	}
	schedule_retry(p, e);
	departed(p, e);
}

/* Our dial of e failed before its handshake was done. */
static void
dial_failed(struct peers *p, struct peer *e, const char *why)
{
	if (e->link != NULL)
		return;		/* it is up by another link */
	if (e->dialling != NULL || e->resolving != NULL)
		return;
	if (e->probe) {
		probe_end(p, e, 0, why);
		return;
	}
	e->state = e->state == PEER_UP ? PEER_DOWN : PEER_FAILED;
	snprintf(e->why, sizeof(e->why), "%s", why);
	/* Said once, and again only when the reason changes. */
	if (strcmp(e->reported, why) != 0) {
		snprintf(e->reported, sizeof(e->reported), "%s", why);
		p->ops->event(p->ctx, PEV_DIAL_FAILED, e, e->dial, why, 0);
	}
	entry_down(p, e, e->why);
}

/* An up link of e ended (and it was the one in use). */
static void
link_down(struct peers *p, struct peer *e, enum sess_end why, int err,
    const char *text)
{
	char msg[200], ms[32];

	switch (why) {
	case SESS_TIMEOUT:
		snprintf(ms, sizeof(ms), "%ld", p->env->heartbeat_timeout_ms);
		p->ops->event(p->ctx, PEV_TIMEOUT, e, e->addr, ms, 0);
		break;
	case SESS_STALLED:
		p->ops->event(p->ctx, PEV_STALLED, e, e->addr, text, 0);
		break;
	case SESS_VIOLATION:
		p->ops->event(p->ctx, PEV_VIOLATION, e, e->addr, text, 0);
		break;
	case SESS_REFUSED:
	case SESS_SELF:
		p->ops->event(p->ctx, PEV_REFUSED_BY, e, e->addr, text,
		    (unsigned)err);
		break;
	default:
		break;
	}
	p->ops->event(p->ctx, why == SESS_BYE ? PEV_BYE : PEV_LOST, e, e->addr,
	    NULL, 0);
	e->state = PEER_DOWN;
	if (why == SESS_REFUSED || why == SESS_VIOLATION || why == SESS_SELF)
		snprintf(msg, sizeof(msg), "%s: %s", why == SESS_VIOLATION ?
		    "protocol error" : "refused by peer", text);
	else
		snprintf(msg, sizeof(msg), "%s", session_down_phrase(why));
	if (why == SESS_SELF)
		e->final = 1;
	entry_down(p, e, msg);
}

/* A link of an inbound connection ended before its HELLO. */
static void
stranger_gone(struct peers *p, struct session *s, enum sess_end why,
    int err, const char *text)
{
	switch (why) {
	case SESS_HANDSHAKE_TIMEOUT:
		p->ops->event(p->ctx, PEV_NO_HANDSHAKE, NULL, s->who, NULL, 0);
		break;
	case SESS_VIOLATION:
		p->ops->event(p->ctx, PEV_VIOLATION, NULL, s->who, text, 0);
		break;
	case SESS_REFUSED:
		p->ops->event(p->ctx, PEV_REFUSED_BY, NULL, s->who, text,
		    (unsigned)err);
		break;
	case SESS_DENIED:
		p->ops->event(p->ctx, PEV_DENIED, NULL, s->who, text,
		    (unsigned)err);
		break;
	default:
		break;		/* it left, or it was us: nothing to say */
	}
}

static void
on_closed(void *ctx, struct session *s, enum sess_end why, int err,
    const char *text)
{
	struct peers *p = ctx;
	struct peer *e = s->user;
	int was_link;
	char msg[200];

	if (e == NULL) {
		stranger_gone(p, s, why, err, text);
		return;
	}
	was_link = e->link == s;
	detach(e, s);
	if (why == SESS_RETIRED) {
		p->ops->retired(p->ctx, e, s->gen);
		if (e->link == NULL && e->nlinks == 0 && e->state == PEER_UP) {
			p->ops->event(p->ctx, PEV_LOST, e, e->addr, NULL, 0);
			e->state = PEER_DOWN;
			schedule_retry(p, e);
			departed(p, e);
		}
		return;
	}
	if (was_link) {
		link_down(p, e, why, err, text);
		return;
	}
	if (e->link != NULL)
		return;		/* a second link failed; the first stays */
	if (e->probe) {
		probe_end(p, e, 0, why == SESS_SELF ? "connection to self" :
		    text);
		return;
	}
	/* Our dial, before its handshake was done. */
	if (why == SESS_SELF) {
		e->final = 1;
		p->ops->event(p->ctx, PEV_SELF, e, e->dial, NULL, 0);
		snprintf(e->reported, sizeof(e->reported), "%s", text);
		snprintf(e->why, sizeof(e->why), "connection to self");
		e->state = PEER_FAILED;
		entry_down(p, e, "connection to self");
		return;
	}
	if (why == SESS_REFUSED)
		snprintf(msg, sizeof(msg), "refused by peer: %s", text);
	else if (why == SESS_DENIED)
		snprintf(msg, sizeof(msg), "refused: %s", text);
	else if (why == SESS_VIOLATION)
		snprintf(msg, sizeof(msg), "protocol error: %s", text);
	else if (why == SESS_LOST)
		snprintf(msg, sizeof(msg), "connection closed during "
		    "handshake");
	else
		snprintf(msg, sizeof(msg), "%s", text);
	if (why == SESS_REFUSED && strcmp(e->reported, msg) != 0)
		p->ops->event(p->ctx, PEV_REFUSED_BY, e, e->dial, text,
		    (unsigned)err);
	dial_failed(p, e, msg);
}

/* --- probes -------------------------------------------------------------- */

int
peers_probe(struct peers *p, const char *ip, int port,
    const unsigned char *key, const char *via)
{
	struct peer *e;
	struct addr a;
	char dial[ADDR_STRLEN];

	if (p->nprobes == PEERS_MAX_PROBES || p->no_redial ||
	    addr_numeric(ip, port, &a) == -1)
		return -1;
	addr_format(dial, sizeof(dial), ip, port);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	if ((e->dial = strdup(dial)) == NULL || (e->host = strdup(ip)) ==
	    NULL) {
		free(e->dial);
		free(e);
		return -1;
	}
	e->index = -1;
	e->port = port;
	e->probe = 1;
	e->origin = PEER_DISCOVERED;
	e->owner = p;
	e->state = PEER_CONNECTING;
	if (key != NULL) {
		e->has_pin = 1;
		memcpy(e->pin, key, sizeof(e->pin));
	}
	snprintf(e->via, sizeof(e->via), "%s", via);
	loop_timer_init(&e->retry, on_retry, e);
	loop_timer_init(&e->lookup, on_lookup_timeout, e);
	p->probes[p->nprobes++] = e;
	start_session(p, e, &a, 1);
	return 0;
}

int
peers_probing(const struct peers *p)
{
	return p->nprobes;
}

struct peer *
peers_by_id(const struct peers *p, const unsigned char *id)
{
	return table_by_id(p->t, id);
}

static void
unprobe(struct peers *p, struct peer *e)
{
	int i;

	for (i = 0; i < p->nprobes; i++)
		if (p->probes[i] == e) {
			p->probes[i] = p->probes[--p->nprobes];
			break;
		}
	e->probe = 0;
}

/* The probe e ended without a place in the table. */
static void
probe_end(struct peers *p, struct peer *e, int ok, const char *why)
{
	char dial[ADDR_STRLEN];

	unprobe(p, e);
	snprintf(dial, sizeof(dial), "%s", e->dial);
	free_entry(p, e);
	p->ops->probed(p->ctx, dial, ok, why);
}

/*
 * The probe e reached a node (its HELLO, and key, are good): into the
 * table, unless the node is known already.  0, or -1 having ended s.
 */
static int
adopt(struct peers *p, struct peer *e, struct session *s,
    const struct proto_hello *h)
{
	struct peer *f;

	if ((f = table_by_id(p->t, h->id)) != NULL && (f->nlinks > 0 ||
	    f->dial != NULL)) {
		detach(e, s);
		session_bye(s, "already linked");
		probe_end(p, e, 2, "known already");
		return -1;
	}
	if (f != NULL)
		forget(p, f);	/* a stranger that left: it is back here */
	if (table_insert(p->t, e) == -1) {
		detach(e, s);
		session_bye(s, "peer table full");
		probe_end(p, e, 0, "peer table full");
		return -1;
	}
	unprobe(p, e);
	table_rekey(p->t, e);
	p->ops->probed(p->ctx, e->dial, 1, NULL);
	return 0;
}

/* --- handshakes --------------------------------------------------------- */

/* Move everything of entry f into e, which is f's node too; forget f. */
static void
merge(struct peers *p, struct peer *f, struct peer *e)
{
	struct session *s;

	while (f->nlinks > 0) {
		s = f->links[0];
		detach(f, s);
		if (attach(e, s) == -1) {
			session_close(s);
			continue;
		}
		if (f->link == NULL && e->link == NULL &&
		    s->state == SESS_S_UP)
			e->link = s;
		else if (s->state == SESS_S_UP && e->link != s)
			session_retire(s);
	}
	if (e->link != NULL)
		e->state = PEER_UP;
	p->ops->merged(p->ctx, f, e);
	forget(p, f);
}

/* A name a peer chose that would shadow an index or an address. */
static void
check_name(struct peers *p, struct peer *e, char *name)
{
	char msg[128];

	if (name[0] == '\0' || console_name_ok(name, strlen(name)))
		return;
	snprintf(msg, sizeof(msg), "name '%s' ignored: it looks like an "
	    "index or an address", name);
	p->ops->event(p->ctx, PEV_NOTE, e, e->addr, msg, 0);
	name[0] = '\0';
}

static int
on_hello(void *ctx, struct session *s, const struct proto_hello *h)
{
	struct peers *p = ctx;
	struct peer *e = s->user, *f, *found[1];
	struct conn *c = s->conn;
	char addr[ADDR_STRLEN], name[PROTO_MAX_NAME + 1];
	int n, was_up;

	addr_format(addr, sizeof(addr), c->ip,
	    s->outbound || h->port == 0 ? c->port : (int)h->port);
	if (e == NULL) {
		/* Inbound: the entry it had (by id, by address), or a new
		 * one. */
		if ((e = table_by_id(p->t, h->id)) == NULL &&
		    (e = table_by_key(p->t, addr, strlen(addr), found, 1,
		    &n)) == NULL && n > 0)
			e = found[0];
		if (e == NULL && (e = new_entry(p, PEER_ACCEPTED)) == NULL) {
			p->ops->event(p->ctx, PEV_REFUSED_IN, NULL, addr,
			    "peer table full", 0);
			session_refuse(s, PROTO_CODE_REFUSED, "peer table full");
			return -1;
		}
		if (attach(e, s) == -1) {
			session_refuse(s, PROTO_CODE_REFUSED, "busy, try later");
			return -1;
		}
	} else if (e->probe && adopt(p, e, s, h) == -1) {
		return -1;
	} else {
		/* Our dial: the node may be known under another entry. */
		if ((f = table_by_id(p->t, h->id)) != NULL &&
		    f != e)
			merge(p, f, e);
		if ((f = table_by_key(p->t, addr, strlen(addr), found, 1,
		    &n)) == NULL && n > 0)
			f = found[0];
		if (f != NULL && f != e && f->nlinks == 0 && f->dial == NULL)
			merge(p, f, e);	/* a stale entry at this address */
	}
	table_back(p->t, e);
	snprintf(name, sizeof(name), "%s", h->name);
	table_unkey(p->t, e);
	memcpy(e->id, h->id, PROTO_NODE_ID);
	e->has_id = 1;
	snprintf(e->addr, sizeof(e->addr), "%s", addr);
	check_name(p, e, name);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->has_key = s->has_key;
	memcpy(e->key, s->peer_key, sizeof(e->key));
	e->ephemeral = !s->outbound && h->port == 0 && e->dial == NULL;
	table_rekey(p->t, e);

	if (e->link != NULL && e->link != s) {
		if (!session_keep_new(e->link, s, p->env->hello.id)) {
			if (e->dialling == s)
				e->dialling = NULL;
			session_retire(s);
			return -1;
		}
		session_retire(e->link);
	}
	e->link = s;
	if (e->dialling == s)
		e->dialling = NULL;
	was_up = e->state == PEER_UP;
	e->state = PEER_UP;
	e->backoff_ms = 0;
	e->retry_at = 0;
	e->reported[0] = '\0';
	e->why[0] = '\0';
	e->final = 0;
	e->fails = 0;
	loop_timer_stop(p->env->loop, &e->retry);
	if (!was_up)
		p->ops->event(p->ctx, s->outbound ? PEV_UP_OUT : PEV_UP_IN, e,
		    e->addr, NULL, 0);
	if (e->link == s && s->state == SESS_S_UP)
		p->ops->ready(p->ctx, e);
	return 0;
}

/* --- the other session callbacks -------------------------------------------- */

static void
on_command(void *ctx, struct session *s, uint32_t id, const char *text,
    size_t len)
{
	struct peers *p = ctx;

	p->ops->command(p->ctx, s->user, id, text, len);
}

static void
on_result(void *ctx, struct session *s, uint32_t id, int status,
    int exit_code, const char *text, size_t len)
{
	struct peers *p = ctx;

	p->ops->result(p->ctx, s->user, id, status, exit_code, text, len);
}

static void
on_cancel(void *ctx, struct session *s, uint32_t id)
{
	struct peers *p = ctx;

	p->ops->cancel(p->ctx, s->user, id);
}

static int
on_frame(void *ctx, struct session *s, const struct proto_frame *f)
{
	struct peers *p = ctx;

	return s->user == NULL ? 1 : p->ops->frame(p->ctx, s->user, f);
}

static void
on_warning(void *ctx, struct session *s, unsigned code, const char *text,
    size_t len)
{
	struct peers *p = ctx;
	struct peer *e = s->user;
	char msg[256];

	snprintf(msg, sizeof(msg), "%.*s", (int)(len < 200 ? len : 200), text);
	p->ops->event(p->ctx, code == 0 ? PEV_IGNORED : PEV_WARNING, e,
	    e != NULL ? e->addr : s->who, msg, code);
}

static void
on_writable(void *ctx, struct session *s)
{
	struct peers *p = ctx;
	struct peer *e = s->user;

	if (e != NULL && e->link == s)
		p->ops->ready(p->ctx, e);
}

static int
on_authorize(void *ctx, struct session *s, const unsigned char key[32],
    char *why, size_t whysize)
{
	struct peers *p = ctx;

	return p->ops->authorize(p->ctx, s->user, key, why, whysize);
}

static const struct session_ops sess_ops = {
	on_hello, on_command, on_result, on_cancel, on_authorize, on_warning,
	on_frame, on_writable, on_closed
};

/* --- accepting and leaving ---------------------------------------------- */

void
peers_accept(struct peers *p, struct conn *c)
{
	struct session *s;
	char who[ADDR_STRLEN], msg[64];

	/* Connections whose client already left are no reason to refuse. */
	if (net_count(p->env->net) > p->max_conns)
		(void)net_reap_gone(p->env->net);
	if (c->state == CONN_DEAD)
		return;
	if (net_count(p->env->net) > p->max_conns) {
		addr_format(who, sizeof(who), c->ip, c->port);
		snprintf(msg, sizeof(msg), "too many peers (maxPeers %d)",
		    p->max_conns);
		p->ops->event(p->ctx, PEV_REFUSED_IN, NULL, who, msg, 0);
		session_reject(p->env, c, PROTO_CODE_REFUSED, "too many peers");
		return;
	}
	if ((s = session_accept(p->env, c, &sess_ops, p)) == NULL)
		conn_close(c, 0);
}

/* Say goodbye on e's link, close its others, stop its name lookup. */
static void
hang_up(struct peer *e, const char *text)
{
	struct session *s;

	if ((s = e->link) != NULL) {
		detach(e, s);
		session_bye(s, text);
	}
	close_links(e);
	if (e->resolving != NULL) {
		resolve_cancel(e->resolving);
		e->resolving = NULL;
	}
}

void
peers_bye_all(struct peers *p, const char *text)
{
	struct peer *e;
	int i;

	peers_no_redial(p);
	while (p->nprobes > 0) {
		e = p->probes[0];
		unprobe(p, e);
		free_entry(p, e);
	}
	for (i = 0; i < table_count(p->t); i++) {
		if ((e = table_at(p->t, i)) == NULL)
			continue;
		hang_up(e, text);
		if (e->state == PEER_UP || e->state == PEER_CONNECTING)
			e->state = PEER_DOWN;
	}
}

/* e's links end with a goodbye, no redial is planned, its waiters fail. */
static void
hold(struct peers *p, struct peer *e, const char *bye, const char *why)
{
	loop_timer_stop(p->env->loop, &e->retry);
	e->retry_at = 0;
	hang_up(e, bye);
	if (e->state != PEER_FAILED)
		e->state = PEER_DOWN;
	p->ops->gone(p->ctx, e, why);
	if (table_at(p->t, e->index) == e)
		departed(p, e);
}

void
peers_drop(struct peers *p, struct peer *e)
{
	table_unkey(p->t, e);
	free(e->dial);
	free(e->host);
	e->dial = e->host = NULL;
	table_rekey(p->t, e);
	hold(p, e, "removed from the config", "peer removed");
}

void
peers_disconnect(struct peers *p, struct peer *e)
{
	e->held = 1;
	e->state = PEER_DOWN;	/* not "failed": it was let go */
	snprintf(e->why, sizeof(e->why), "disconnected");
	hold(p, e, "disconnected", "disconnected");
}

void
peers_forget(struct peers *p, struct peer *e)
{
	int i = e->index;

	peers_disconnect(p, e);
	if ((e = table_at(p->t, i)) != NULL)
		forget(p, e);
}

void
peers_kill(struct peers *p, struct peer *e, enum sess_end why,
    const char *text)
{
	struct session *s = e->link;

	if (s == NULL)
		return;
	detach(e, s);
	session_close(s);
	link_down(p, e, why, 0, text);
}
