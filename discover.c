/*
 * discover: peer exchange and the dialling of what is learnt (contract in
 * include/discover.h).
 *
 * The candidates are an array of at most DISCOVER_MAX, searched by
 * address in a line: they are few, and change only when a peer tells
 * something or a probe ends.  One timer, every DISCOVER_TICK_MS while
 * there is something to dial, starts the probes that are due.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "frames.h"
#include "guard.h"

struct cand {
	char		 ip[FRAMES_MAX_IP + 1];
	int		 port;
	char		 dial[ADDR_STRLEN];	/* "ip:port", as probed */
	unsigned char	 id[PROTO_NODE_ID];
	int		 has_key;
	unsigned char	 key[32];
	char		 via[ADDR_STRLEN];	/* who told; "": the LAN */
	int		 lan;
	long		 backoff_ms;
	long long	 next_try;
	int		 fails;
	int		 probing;
};

struct discover {
	struct kaipeer_node *n;
	struct cand	*c;
	int		 nc;
	long		 tokens;	/* thousandths of a dial */
	long long	 tokens_at;
	struct loop_timer tick;
};

static void on_tick(void *ctx);

struct discover *
discover_new(struct kaipeer_node *n)
{
	struct discover *d;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->c = calloc(DISCOVER_MAX, sizeof(*d->c))) == NULL) {
		free(d);
		return NULL;
	}
	d->n = n;
	d->tokens = DISCOVER_RATE * 1000L;
	loop_timer_init(&d->tick, on_tick, d);
	return d;
}

void
discover_free(struct discover *d)
{
	if (d == NULL)
		return;
	loop_timer_stop(d->n->loop, &d->tick);
	free(d->c);
	free(d);
}

int
discover_count(const struct discover *d, int *given_up)
{
	int i;

	*given_up = 0;
	for (i = 0; i < d->nc; i++)
		*given_up += d->c[i].fails >= PEERS_FORGET_FAILS;
	return d->nc;
}

/* --- telling ------------------------------------------------------------- */

/* e's listen address as PEERS carries it; -1 if it has none to give. */
static int
entry_of(const struct peer *e, struct frames_peer *fp)
{
	const struct session *s = e->link;
	size_t len;

	if (e->state != PEER_UP || e->ephemeral || !e->has_id || s == NULL ||
	    s->conn == NULL || s->peer.port == 0 ||
	    (len = strlen(s->conn->ip)) > FRAMES_MAX_IP)
		return -1;
	memset(fp, 0, sizeof(*fp));
	memcpy(fp->ip, s->conn->ip, len + 1);
	fp->port = s->peer.port;
	memcpy(fp->id, e->id, PROTO_NODE_ID);
	if ((fp->has_key = e->has_key))
		memcpy(fp->key, e->key, sizeof(fp->key));
	return 0;
}

static void
send_peers(struct discover *d, struct peer *to, const struct frames_peer *fp,
    int n)
{
	size_t need = PROTO_HEADER + 1 + (size_t)n * FRAMES_PEER_MAX_SIZE;
	unsigned char *b;

	if (n == 0 || to->link == NULL || !session_has(to->link,
	    PROTO_FEAT_PEERS))
		return;
	if ((b = session_space(to->link, need)) != NULL)
		(void)session_commit(to->link, b, frames_peers_encode(b, need,
		    fp, n));
	(void)d;
}

static void drop(struct discover *, struct cand *);

/* A node that dialled us was heard on the LAN too: that is how we know
 * it (peers shows "[discovered on the LAN]"). */
static void
heard_on_lan(struct peer *e)
{
	if (e->origin == PEER_ACCEPTED) {
		e->origin = PEER_DISCOVERED;
		e->via[0] = '\0';
	}
}

void
discover_up(struct discover *d, struct peer *e)
{
	struct frames_peer list[FRAMES_MAX_PEERS], one;
	struct peer *o;
	int i, n = 0, have_one;

	/* A node we heard on the LAN dialled us first: that is how we know
	 * it too; and it needs no dial of ours any more. */
	for (i = 0; i < d->nc; i++)
		if (memcmp(d->c[i].id, e->id, PROTO_NODE_ID) == 0 &&
		    !d->c[i].probing) {
			if (d->c[i].lan)
				heard_on_lan(e);
			drop(d, &d->c[i]);
			break;
		}

	have_one = entry_of(e, &one) == 0;
	for (i = 0; i < peers_count(d->n->peers); i++) {
		if ((o = peers_at(d->n->peers, i)) == NULL || o == e)
			continue;
		if (n < FRAMES_MAX_PEERS && entry_of(o, &list[n]) == 0)
			n++;
		if (have_one && o->state == PEER_UP)
			send_peers(d, o, &one, 1);
	}
	send_peers(d, e, list, n);
}

/* --- learning -------------------------------------------------------------- */

static struct cand *
find(struct discover *d, const char *dial)
{
	int i;

	for (i = 0; i < d->nc; i++)
		if (strcmp(d->c[i].dial, dial) == 0)
			return &d->c[i];
	return NULL;
}

/* Room for one more candidate from via: a slot, or NULL. */
static struct cand *
room(struct discover *d, const char *via)
{
	int i, from = 0, worst = -1;

	for (i = 0; i < d->nc; i++)
		from += strcmp(d->c[i].via, via) == 0;
	if (from >= DISCOVER_PER_SOURCE)
		return NULL;
	if (d->nc < DISCOVER_MAX)
		return &d->c[d->nc++];
	/* Full: the one given up on longest ago makes room. */
	for (i = 0; i < d->nc; i++)
		if (!d->c[i].probing && d->c[i].fails >= PEERS_FORGET_FAILS &&
		    (worst == -1 || d->c[i].next_try < d->c[worst].next_try))
			worst = i;
	return worst >= 0 ? &d->c[worst] : NULL;
}

static int
wanted(const struct discover *d, int lan)
{
	return lan ? d->n->cfg.lan_discovery : d->n->cfg.discover;
}

/* Look at the candidates within a tick (sooner than planned, if so). */
static void
arm(struct discover *d)
{
	long long at = loop_now(d->n->loop) + DISCOVER_TICK_MS;

	if (!loop_timer_armed(&d->tick) || d->tick.when > at)
		(void)loop_timer_at(d->n->loop, &d->tick, at);
}

/* What an address is good for, as a place to dial. */
enum scope {
	SCOPE_NONE,		/* unspecified, multicast, broadcast: never */
	SCOPE_LOOPBACK,		/* this machine's: only from a peer on it */
	SCOPE_OTHER
};

static enum scope
scope_of(const struct addr *a)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
	const unsigned char *b;
	static const unsigned char zero[16], one[16] = { [15] = 1 };

	if (a->ss.ss_family == AF_INET) {
		b = (const unsigned char *)&s4->sin_addr;
		if (b[0] == 0 || b[0] >= 224)	/* this net, multicast, 240/4 */
			return SCOPE_NONE;
		return b[0] == 127 ? SCOPE_LOOPBACK : SCOPE_OTHER;
	}
	b = s6->sin6_addr.s6_addr;
	if (memcmp(b, zero, 16) == 0 || b[0] == 0xff)
		return SCOPE_NONE;
	if (memcmp(b, one, 16) == 0)
		return SCOPE_LOOPBACK;
	if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff)
		return b[12] == 0 || b[12] >= 224 ? SCOPE_NONE : b[12] == 127 ?
		    SCOPE_LOOPBACK : SCOPE_OTHER;	/* v4-mapped */
	return SCOPE_OTHER;
}

/* Is a peer told of at ip one we could mean to dial, told by teller? */
static int
dialable(const struct addr *a, const struct peer *teller)
{
	struct addr t;

	switch (scope_of(a)) {
	case SCOPE_NONE:
		return 0;
	case SCOPE_OTHER:
		return 1;
	case SCOPE_LOOPBACK:
		break;
	}
	/* A loopback address means the teller's machine: ours only if the
	 * teller is on ours too.  A beacon from loopback came from ours. */
	if (teller == NULL)
		return 1;
	return teller->link != NULL && teller->link->conn != NULL &&
	    addr_numeric(teller->link->conn->ip, 1, &t) == 0 &&
	    scope_of(&t) == SCOPE_LOOPBACK;
}

/* Take a candidate in, unless it is known or not to be trusted. */
static void
learn(struct discover *d, const char *ip, int port, const unsigned char *id,
    const unsigned char *key, const struct peer *teller, int lan)
{
	const char *via = teller != NULL ? peer_label(teller) : "";
	struct kaipeer_node *n = d->n;
	struct peer *found[1];
	struct addr a;
	struct cand *c;
	char dial[ADDR_STRLEN], why[200];
	int nf;

	if (!wanted(d, lan) || port < 1 || port > 65535 ||
	    memcmp(id, n->id, PROTO_NODE_ID) == 0 ||
	    peers_by_id(n->peers, id) != NULL ||
	    addr_numeric(ip, port, &a) == -1 || !dialable(&a, teller))
		return;
	addr_format(dial, sizeof(dial), ip, port);
	if (peers_find(n->peers, dial, strlen(dial), found, 1, &nf) != NULL ||
	    nf > 0)
		return;
	if (n->env.keys != NULL && (key == NULL && !lan))
		return;		/* secured: a key to check it by, or nothing */
	if (n->env.keys != NULL && key != NULL &&
	    guard_authorize(&n->cfg, NULL, key, why, sizeof(why)) != 0)
		return;
	if ((c = find(d, dial)) != NULL) {
		memcpy(c->id, id, PROTO_NODE_ID);
		return;		/* its wait stays as it is */
	}
	if ((c = room(d, via)) == NULL)
		return;
	memset(c, 0, sizeof(*c));
	snprintf(c->ip, sizeof(c->ip), "%s", ip);
	c->port = port;
	snprintf(c->dial, sizeof(c->dial), "%s", dial);
	memcpy(c->id, id, PROTO_NODE_ID);
	if ((c->has_key = key != NULL))
		memcpy(c->key, key, sizeof(c->key));
	snprintf(c->via, sizeof(c->via), "%s", via);
	c->lan = lan;
	c->next_try = loop_now(n->loop);
	arm(d);
}

int
discover_frame(struct discover *d, struct peer *e, const struct proto_frame *f)
{
	struct frames_peer list[FRAMES_MAX_PEERS];
	int i, n, rc;

	if ((rc = frames_peers_decode(f, list, FRAMES_MAX_PEERS, &n)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		learn(d, list[i].ip, (int)list[i].port, list[i].id,
		    list[i].has_key ? list[i].key : NULL, e, 0);
	return 0;
}

void
discover_lan(struct discover *d, const char *ip, int port,
    const unsigned char *id, int secured)
{
	struct peer *e;

	if (secured != (d->n->env.keys != NULL))
		return;		/* it could not join us, nor we it */
	/* One that dialled us on hearing our beacon: we heard its own. */
	if ((e = peers_by_id(d->n->peers, id)) != NULL && e->state == PEER_UP)
		heard_on_lan(e);
	learn(d, ip, port, id, NULL, NULL, 1);
}

void
discover_forgot(struct discover *d, const struct peer *e)
{
	struct cand *c;

	if (e->dial == NULL || e->host == NULL || !e->has_id ||
	    strlen(e->host) > FRAMES_MAX_IP)
		return;
	if ((c = find(d, e->dial)) == NULL) {
		if ((c = room(d, e->via)) == NULL)
			return;
		memset(c, 0, sizeof(*c));
		snprintf(c->ip, sizeof(c->ip), "%s", e->host);
		c->port = e->port;
		snprintf(c->dial, sizeof(c->dial), "%s", e->dial);
		memcpy(c->id, e->id, PROTO_NODE_ID);
		if ((c->has_key = e->has_pin))
			memcpy(c->key, e->pin, sizeof(c->key));
		snprintf(c->via, sizeof(c->via), "%s", e->via);
		c->lan = e->via[0] == '\0';
	}
	c->fails = PEERS_FORGET_FAILS;
	c->backoff_ms = d->n->cfg.reconnect_max_ms;
	c->next_try = loop_now(d->n->loop) + c->backoff_ms;
	arm(d);
}

/* --- dialling -------------------------------------------------------------- */

static void
drop(struct discover *d, struct cand *c)
{
	*c = d->c[--d->nc];
}

void
discover_probed(struct discover *d, const char *dial, int ok, const char *why)
{
	struct cand *c;
	long max = d->n->cfg.reconnect_max_ms;

	(void)why;
	if ((c = find(d, dial)) == NULL)
		return;
	c->probing = 0;
	if (ok) {
		drop(d, c);
		return;
	}
	c->fails++;
	c->backoff_ms = c->backoff_ms == 0 ? PEERS_RETRY_FIRST_MS :
	    c->backoff_ms > max / 2 ? max : c->backoff_ms * 2;
	if (c->fails >= PEERS_FORGET_FAILS)
		c->backoff_ms = max;
	c->next_try = loop_now(d->n->loop) + c->backoff_ms;
	arm(d);
}

/* A dial allowed by the rate now? */
static int
token(struct discover *d, long long now)
{
	long cap = DISCOVER_RATE * 1000L;

	d->tokens += (long)(now - d->tokens_at) * DISCOVER_RATE;
	if (d->tokens > cap)
		d->tokens = cap;
	d->tokens_at = now;
	if (d->tokens < 1000)
		return 0;
	d->tokens -= 1000;
	return 1;
}

static void
on_tick(void *ctx)
{
	struct discover *d = ctx;
	struct kaipeer_node *n = d->n;
	long long now = loop_now(n->loop), soonest = 0;
	struct cand *c;
	int i, best, full = 0;

	for (;;) {
		best = -1;
		soonest = 0;
		for (i = 0; i < d->nc; i++) {
			c = &d->c[i];
			if (c->probing || !wanted(d, c->lan))
				continue;
			if (soonest == 0 || c->next_try < soonest)
				soonest = c->next_try;
			if (c->next_try <= now && (best == -1 ||
			    c->next_try < d->c[best].next_try))
				best = i;
		}
		full = peers_up(n->peers) + peers_probing(n->peers) >=
		    n->cfg.mesh_size;
		if (best == -1 || full || !token(d, now))
			break;
		c = &d->c[best];
		if (peers_by_id(n->peers, c->id) != NULL) {
			drop(d, c);	/* it came another way meanwhile */
			continue;
		}
		c->probing = 1;		/* before: a dial may fail at once */
		if (peers_probe(n->peers, c->ip, c->port, c->has_key ? c->key :
		    NULL, c->via) == -1) {
			c->probing = 0;
			break;
		}
	}
	/* Again when the next is due; with the mesh full, once a second. */
	if (soonest != 0)
		(void)loop_timer_at(n->loop, &d->tick, full ?
		    now + 1000 : soonest > now + DISCOVER_TICK_MS ? soonest :
		    now + DISCOVER_TICK_MS);
}
