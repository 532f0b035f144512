/*
 * session: one link (contract in include/session.h; the rules it follows
 * are docs/PROTOCOL.md, sections 6 and 7).
 *
 * A session has one timer for all its deadlines: the handshake, the frame
 * being received, the heartbeat, a retiring link's end.  It is not moved
 * for every frame: when it fires it works out what is due from the
 * connection's last_rx and progress and arms itself for the next thing.
 *
 * A session may be ended from inside one of its own callbacks, so it is
 * freed only when no callback of it is running (refs).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "seal.h"
#include "secure.h"
#include "session.h"

static unsigned next_gen = 1;

static void on_connected(void *, struct conn *, int);
static void on_readable(void *, struct conn *);
static void on_writable(void *, struct conn *);
static void on_conn_closed(void *, struct conn *, int);
static void on_flushing(void *, struct conn *);

static const struct conn_ops conn_ops = {
	on_connected, on_readable, on_writable, on_conn_closed, on_flushing
};

static const char *const end_names[] = {
	"connection failed", "timed out", "peer disconnected",
	"connection lost", "no heartbeat", "output queue full",
	"protocol error", "refused by peer", "connection to self",
	"duplicate connection", "refused"
};

const char *
session_down_phrase(enum sess_end why)
{
	switch (why) {
	case SESS_BYE:
		return "peer disconnected";
	case SESS_TIMEOUT:
	case SESS_STALLED:
	case SESS_LOST:
	case SESS_RETIRED:
		return "connection lost";
	default:
		return session_end_name(why);
	}
}

/* docs/PROTOCOL.md, 7.3: both ends must make the same choice. */
int
session_keep_new(const struct session *old, const struct session *new,
    const unsigned char *our_id)
{
	const unsigned char *a, *b;
	int cmp;

	a = old->outbound ? our_id : old->peer.id;
	b = new->outbound ? our_id : new->peer.id;
	if ((cmp = memcmp(b, a, PROTO_NODE_ID)) != 0)
		return cmp < 0;
	return session_initiator_port(new) < session_initiator_port(old);
}

const char *
session_end_name(enum sess_end why)
{
	return end_names[why];
}

/* --- life --------------------------------------------------------------- */

/* Keys go before the memory does. */
static void
drop_keys(struct session *s)
{
	if (s->hs != NULL) {
		noise_hs_wipe(s->hs);
		free(s->hs);
		s->hs = NULL;
	}
	ct_wipe(&s->tx, sizeof(s->tx));
	ct_wipe(&s->rx, sizeof(s->rx));
	/* The plaintext of a secured link is as secret as its keys. */
	if (s->pout != NULL)
		ct_wipe(s->pout, s->pout_cap);
	if (s->pin != NULL)
		ct_wipe(s->pin, s->pin_cap);
	free(s->pout);
	free(s->pin);
	s->pout = s->pin = NULL;
	s->pout_len = s->pout_cap = s->pin_off = s->pin_len = s->pin_cap = 0;
}

static void
release(struct session *s)
{
	if (--s->refs == 0 && s->state == SESS_S_CLOSED) {
		drop_keys(s);
		free(s);
	}
}

/* Mark s closed (no callback) and free it unless a callback runs. */
static void
shut(struct session *s)
{
	s->state = SESS_S_CLOSED;
	loop_timer_stop(s->env->loop, &s->timer);
	s->refs++;
	release(s);
}

/* The link is over: close the connection, tell the owner. */
void
session_end(struct session *s, enum sess_end why, int err, const char *text)
{
	if (s->state == SESS_S_CLOSED)
		return;
	if (s->conn != NULL) {
		conn_close(s->conn, 0);
		s->conn = NULL;
	}
	s->state = SESS_S_CLOSED;
	loop_timer_stop(s->env->loop, &s->timer);
	s->refs++;
	s->ops->closed(s->ctx, s, why, err, text);
	release(s);
}

static void on_timer(void *ctx);

static struct session *
new_session(const struct sess_env *env, const struct session_ops *ops,
    void *ctx)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->env = env;
	s->ops = ops;
	s->ctx = ctx;
	s->gen = next_gen++;
	if (next_gen == 0)
		next_gen = 1;
	s->started = s->last_ping = loop_now(env->loop);
	s->peer_max = PROTO_DEFAULT_MAX_FRAME;
	loop_timer_init(&s->timer, on_timer, s);
	(void)loop_timer_at(env->loop, &s->timer,
	    s->started + env->connect_timeout_ms);
	return s;
}

/* --- sending ------------------------------------------------------------ */

/* Room for a frame of need bytes: in the connection's output, or, on a
 * sealed link, in the plaintext sealed at the next write (secure.c). */
static unsigned char *
space(struct session *s, size_t need)
{
	return s->sealed ? secure_space(s, need) : conn_space(s->conn, need);
}

/* Queue an encoded frame of n bytes at p (n < 0: it did not encode). */
static int
commit(struct session *s, unsigned char *p, long n)
{
	if (p == NULL || n <= 0)
		return -1;
	if (s->env->trace != NULL)
		s->env->trace(s->env->trace_ctx, s->who, 1, p, (size_t)n);
	if (s->sealed) {
		s->pout_len += (size_t)n;
		conn_touch(s->conn);	/* sealed in on_flushing() */
	} else
		conn_commit(s->conn, (size_t)n);
	return 0;
}

static void
on_flushing(void *ctx, struct conn *c)
{
	struct session *s = ctx;

	(void)c;
	if (s->sealed)
		secure_seal_out(s);
}

void
session_linger(struct session *s)
{
	if (s->conn == NULL)
		return;
	if (s->sealed)
		secure_seal_out(s);
	conn_close(s->conn, (int)s->env->linger_ms);
	s->conn = NULL;
}

static int
send_hello(struct session *s)
{
	unsigned char *p = space(s, PROTO_MAX_HELLO);

	return commit(s, p, p == NULL ? -1 : proto_hello_encode(p,
	    PROTO_MAX_HELLO, &s->env->hello));
}

int
session_send_text(struct session *s, int type, unsigned code,
    const char *text, size_t len)
{
	size_t need = PROTO_HEADER + 2 + len;
	unsigned char *p;

	if (s->conn == NULL || (p = space(s, need)) == NULL)
		return -1;
	return commit(s, p, type == PROTO_ERROR ?
	    proto_error_encode(p, need, code, text, len) :
	    proto_bye_encode(p, need, text, len));
}

int
session_frame(struct session *s, int type, const void *payload, size_t len)
{
	unsigned char *p;

	if (s->conn == NULL || (p = space(s, PROTO_HEADER + len)) == NULL)
		return -1;
	p[0] = (unsigned char)((len + 1) >> 24);
	p[1] = (unsigned char)((len + 1) >> 16);
	p[2] = (unsigned char)((len + 1) >> 8);
	p[3] = (unsigned char)(len + 1);
	p[4] = (unsigned char)type;
	memcpy(p + PROTO_HEADER, payload, len);
	return commit(s, p, (long)(PROTO_HEADER + len));
}

static int
send_ping(struct session *s, int type, uint64_t token)
{
	unsigned char *p;

	if (s->conn == NULL || (p = space(s, PROTO_HEADER + 8)) == NULL)
		return -1;
	return commit(s, p, proto_ping_encode(p, PROTO_HEADER + 8, type,
	    token));
}

int
session_ping(struct session *s)
{
	s->last_ping = loop_now(s->env->loop);
	return send_ping(s, PROTO_PING, (uint64_t)s->last_ping);
}

size_t
session_max_text(const struct session *s)
{
	size_t max = s->peer_max < s->env->max_frame ? s->peer_max :
	    s->env->max_frame;

	return max - 1 - 4;		/* type, id */
}

int
session_ready(const struct session *s)
{
	return s->state == SESS_S_UP && !s->paused && s->conn != NULL &&
	    conn_pending(s->conn) + s->pout_len <= s->env->hwm;
}

unsigned char *
session_space(struct session *s, size_t need)
{
	if (s->state != SESS_S_UP || need > s->peer_max + PROTO_HEADER - 1)
		return NULL;
	return space(s, need);
}

int
session_commit(struct session *s, unsigned char *p, long n)
{
	return commit(s, p, n);
}

int
session_has(const struct session *s, uint32_t features)
{
	return (s->peer.features & features) == features;
}

int
session_send_command(struct session *s, uint32_t id, const char *text,
    size_t len)
{
	size_t need = PROTO_HEADER + 4 + len;
	unsigned char *p;

	if (s->state != SESS_S_UP)
		return -1;
	if (len > session_max_text(s))
		return -2;
	if ((p = space(s, need)) == NULL)
		return -1;
	return commit(s, p, proto_command_encode(p, need, id, text, len));
}

int
session_send_result(struct session *s, uint32_t id, int status,
    int exit_code, const char *text, size_t len)
{
	char msg[160];
	unsigned char *p;
	size_t need;

	if (s->state != SESS_S_UP)
		return -1;
	if (len > session_max_text(s) - 1) {	/* and the status byte */
		snprintf(msg, sizeof(msg), "Error: result too large: %lu "
		    "bytes, and this link takes at most %lu",
		    (unsigned long)len, (unsigned long)session_max_text(s) - 1);
		text = msg;
		len = strlen(msg);
		status = PROTO_STATUS_ERROR;
	}
	if (!(s->peer.features & PROTO_FEAT_EXIT) || exit_code > 255)
		exit_code = -1;
	need = PROTO_HEADER + 6 + len;
	if ((p = space(s, need)) == NULL)
		return -1;
	return commit(s, p, proto_result_exit_encode(p, need, id, status,
	    exit_code, text, len));
}

int
session_send_cancel(struct session *s, uint32_t id)
{
	unsigned char *p;

	if (s->state != SESS_S_UP || !(s->peer.features & PROTO_FEAT_CANCEL) ||
	    (p = space(s, PROTO_HEADER + 4)) == NULL)
		return -1;
	return commit(s, p, proto_cancel_encode(p, PROTO_HEADER + 4, id));
}

int
session_send_warning(struct session *s, unsigned code, const char *text)
{
	if (s->state != SESS_S_UP)
		return -1;
	return session_send_text(s, PROTO_ERROR, code, text, strlen(text));
}

int
session_initiator_port(const struct session *s)
{
	if (s->conn == NULL)
		return 0;
	return s->outbound ? s->conn->local_port : s->conn->port;
}

/* --- ending ------------------------------------------------------------- */

void
session_close(struct session *s)
{
	if (s->state == SESS_S_CLOSED)
		return;
	if (s->conn != NULL)
		conn_close(s->conn, 0);
	s->conn = NULL;
	shut(s);
}

void
session_bye(struct session *s, const char *text)
{
	if (s->state == SESS_S_CLOSED)
		return;
	if (s->conn != NULL && s->state == SESS_S_UP &&
	    session_send_text(s, PROTO_BYE, 0, text, strlen(text)) == 0)
		session_linger(s);
	else if (s->conn != NULL)
		conn_close(s->conn, 0);
	s->conn = NULL;
	shut(s);
}

void
session_refuse(struct session *s, unsigned code, const char *text)
{
	if (s->state == SESS_S_CLOSED)
		return;
	if (s->conn != NULL && s->state != SESS_S_CONNECTING &&
	    session_send_text(s, PROTO_ERROR, code, text, strlen(text)) == 0)
		session_linger(s);
	else if (s->conn != NULL)
		conn_close(s->conn, 0);
	s->conn = NULL;
	shut(s);
}

/* Stop sending on s and drain it until the peer closes its side. */
static void
start_retiring(struct session *s)
{
	s->state = SESS_S_RETIRING;
	s->paused = 0;
	conn_pause(s->conn, 0);
	if (s->sealed)
		secure_seal_out(s);
	conn_shutdown(s->conn);
	(void)loop_timer_at(s->env->loop, &s->timer, loop_now(s->env->loop) +
	    s->env->connect_timeout_ms);
}

void
session_retire(struct session *s)
{
	if (s->state != SESS_S_HELLO && s->state != SESS_S_NOISE &&
	    s->state != SESS_S_UP)
		return;
	s->retire_sent = 1;
	(void)session_send_text(s, PROTO_ERROR, PROTO_CODE_DUPLICATE,
	    "duplicate connection", 20);
	start_retiring(s);
}

/* The peer broke the protocol: tell it why, drop it, tell the owner. */
void
session_violation(struct session *s, unsigned code, const char *what)
{
	struct conn *c = s->conn;

	if (c != NULL && session_send_text(s, PROTO_ERROR, code, what,
	    strlen(what)) == 0)
		session_linger(s);
	session_end(s, SESS_VIOLATION, (int)code, what);
}

/* --- receiving ---------------------------------------------------------- */

static void
on_hello(struct session *s, const struct proto_frame *f)
{
	struct proto_hello h;
	char msg[160];
	int rc;

	if ((rc = proto_hello_decode(f, &h)) == PROTO_EVERSION) {
		snprintf(msg, sizeof(msg), "unsupported protocol version %u "
		    "(this peer speaks %d)", h.version, PROTO_VERSION);
		session_violation(s, PROTO_CODE_VERSION, msg);
		return;
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "bad HELLO: %s", proto_strerror(rc));
		session_violation(s, PROTO_CODE_HANDSHAKE, msg);
		return;
	}
	if (memcmp(h.id, s->env->hello.id, PROTO_NODE_ID) == 0) {
		(void)session_send_text(s, PROTO_ERROR, PROTO_CODE_SELF,
		    "connection to self", 18);
		session_linger(s);
		session_end(s, SESS_SELF, 0, "connection to self");
		return;
	}
	s->peer = h;
	/* A newcomer is named by the port it listens on, as peers.c will. */
	if (!s->outbound && h.port != 0 && s->conn != NULL)
		addr_format(s->who, sizeof(s->who), s->conn->ip, (int)h.port);
	/* What it takes, within what any peer must take and we could send. */
	s->peer_max = h.max_frame == 0 ? PROTO_DEFAULT_MAX_FRAME :
	    h.max_frame < PROTO_MAX_HELLO ? PROTO_MAX_HELLO : h.max_frame;
	if (secure_hello(s, f, &h) == 1)
		session_up(s);
}

/* The handshake is done: the owner hears of the peer. */
void
session_up(struct session *s)
{
	s->state = SESS_S_UP;
	s->last_ping = loop_now(s->env->loop);
	if (s->ops->hello(s->ctx, s, &s->peer) != 0 || s->state != SESS_S_UP)
		return;
	(void)loop_timer_at(s->env->loop, &s->timer, loop_now(s->env->loop));
}

/* An ERROR from the peer. */
void
session_error_in(struct session *s, const struct proto_text *t)
{
	char msg[256];

	if (!proto_code_fatal(t->code)) {
		s->ops->warning(s->ctx, s, t->code, t->text, t->len);
		return;
	}
	if (t->code == PROTO_CODE_DUPLICATE && s->state != SESS_S_RETIRING) {
		start_retiring(s);
		return;
	}
	if (s->state == SESS_S_RETIRING)
		return;		/* its side of the duplicate: EOF follows */
	snprintf(msg, sizeof(msg), "%.*s", (int)(t->len < 200 ? t->len : 200),
	    t->text);
	session_end(s, t->code == PROTO_CODE_SELF ? SESS_SELF : SESS_REFUSED,
	    (int)t->code, msg);
}

static void
handle_frame(struct session *s, const struct proto_frame *f)
{
	struct proto_text t;
	uint64_t token;
	uint32_t id;
	char msg[96];
	int rc = 0;

	if (s->state == SESS_S_HELLO || s->state == SESS_S_NOISE) {
		if (f->type == PROTO_ERROR && proto_error_decode(f, &t) == 0)
			session_error_in(s, &t);
		else if (s->state == SESS_S_HELLO && f->type == PROTO_HELLO)
			on_hello(s, f);
		else if (s->state == SESS_S_NOISE && f->type == PROTO_NOISE)
			secure_noise(s, f);
		else
			session_violation(s, PROTO_CODE_HANDSHAKE, s->state ==
			    SESS_S_HELLO ? "expected HELLO" : "expected the "
			    "Noise handshake");
		return;
	}
	if (s->state == SESS_S_RETIRING) {
		/* Results still count; commands sent after the end do not. */
		if (f->type == PROTO_RESULT && proto_result_decode(f, &t) == 0)
			s->ops->result(s->ctx, s, t.id, (int)t.code, t.exit,
			    t.text, t.len);
		else if (f->type == PROTO_CANCEL &&
		    proto_cancel_decode(f, &id) == 0)
			s->ops->cancel(s->ctx, s, id);
		else if (f->type == PROTO_ERROR &&
		    proto_error_decode(f, &t) == 0)
			session_error_in(s, &t);
		else if (f->type == PROTO_PART)
			(void)s->ops->frame(s->ctx, s, f);
		return;
	}
	switch (f->type) {
	case PROTO_HELLO:
		session_violation(s, PROTO_CODE_MALFORMED, "second HELLO");
		return;
	case PROTO_COMMAND:
		if ((rc = proto_command_decode(f, &t)) == 0)
			s->ops->command(s->ctx, s, t.id, t.text, t.len);
		break;
	case PROTO_RESULT:
		if ((rc = proto_result_decode(f, &t)) == 0)
			s->ops->result(s->ctx, s, t.id, (int)t.code, t.exit,
			    t.text, t.len);
		break;
	case PROTO_CANCEL:
		if ((rc = proto_cancel_decode(f, &id)) == 0)
			s->ops->cancel(s->ctx, s, id);
		break;
	case PROTO_ERROR:
		if ((rc = proto_error_decode(f, &t)) == 0)
			session_error_in(s, &t);
		break;
	case PROTO_BYE:
		session_end(s, SESS_BYE, 0, "peer disconnected");
		return;
	case PROTO_PING:
		if ((rc = proto_ping_decode(f, &token)) == 0)
			(void)send_ping(s, PROTO_PONG, token);
		break;
	case PROTO_PONG:
		rc = proto_ping_decode(f, &token);
		break;
	case PROTO_RELAY:
	case PROTO_PART:
	case PROTO_PEERS:
		if ((rc = s->ops->frame(s->ctx, s, f)) != 1)
			break;
		/* FALLTHROUGH */
	default:
		snprintf(msg, sizeof(msg), "unknown frame type %d", f->type);
		(void)session_send_text(s, PROTO_ERROR, PROTO_CODE_UNKNOWN_TYPE, msg,
		    strlen(msg));
		if (!s->warned) {	/* once per link, not per frame */
			s->warned = 1;
			s->ops->warning(s->ctx, s, 0, msg, strlen(msg));
		}
		return;
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "malformed %s frame: %s",
		    proto_type_name(f->type), proto_strerror(rc));
		session_violation(s, PROTO_CODE_MALFORMED, msg);
	}
}

/* A length field we refuse: the stream cannot be followed any further. */
static void
bad_length(struct session *s, long n, size_t max)
{
	char msg[128];

	if (n == SEAL_EFORGED) {
		session_violation(s, PROTO_CODE_CRYPTO, "a sealed record "
		    "failed authentication (altered, replayed, reordered or cut "
		    "short)");
		return;
	}
	if (s->state == SESS_S_HELLO || s->state == SESS_S_NOISE) {
		session_violation(s, PROTO_CODE_HANDSHAKE,
		    "not a kaipeer peer (bad handshake)");
		return;
	}
	snprintf(msg, sizeof(msg), "%s (at most %lu bytes)",
	    proto_strerror((int)n), (unsigned long)max);
	session_violation(s, n == PROTO_ETOOBIG ? PROTO_CODE_TOO_BIG :
	    PROTO_CODE_MALFORMED, msg);
}

/* Handle every whole frame buffered, unless output is past high water. */
static void
process_input(struct session *s)
{
	struct conn *c = s->conn;
	struct proto_frame f;
	size_t off = 0, max;
	long long now;
	long n;
	int handled = 0;

	s->refs++;
	while (s->state != SESS_S_CLOSED && s->conn == c &&
	    c->state == CONN_OPEN) {
		if (s->state == SESS_S_UP &&
		    conn_pending(c) + s->pout_len > s->env->hwm) {
			s->paused = 1;
			conn_pause(c, 1);
			break;
		}
		max = s->state == SESS_S_HELLO || s->state == SESS_S_NOISE ?
		    PROTO_MAX_HELLO : s->env->max_frame;
		if (s->sealed) {
			if ((n = secure_frame(s, c, &off, max, &f)) == 0)
				break;
		} else
			n = proto_frame_next(c->in + off, c->in_len - off, max,
			    &f);
		if (n == PROTO_PARTIAL)
			break;
		if (n < 0) {
			bad_length(s, n, max);
			break;
		}
		if (s->env->trace != NULL)
			s->env->trace(s->env->trace_ctx, s->who, 0, s->sealed ?
			    s->pin + s->pin_off - n : c->in + off, (size_t)n);
		if (!s->sealed)
			off += (size_t)n;
		if (s->sealed && s->state == SESS_S_NOISE &&
		    f.type != PROTO_ERROR) {
			session_up(s);
			if (s->state != SESS_S_UP)
				continue;
		}
		handled++;
		handle_frame(s, &f);
	}
	/* A big frame's plaintext is not kept once it is read. */
	if (s->pin_off == s->pin_len && s->pin_cap > 4 * SEAL_MAX_PLAIN) {
		ct_wipe(s->pin, s->pin_len);
		free(s->pin);
		s->pin = NULL;
		s->pin_off = s->pin_len = s->pin_cap = 0;
	}
	if (s->state != SESS_S_CLOSED && s->conn == c &&
	    c->state == CONN_OPEN) {
		conn_consume(c, off);
		/* The time a frame may take runs from its first byte. */
		if (handled > 0 || (c->in_len == 0 && s->pin_len == s->pin_off))
			s->frame_start = 0;
		if ((c->in_len > 0 || s->pin_len > s->pin_off) &&
		    s->frame_start == 0 && !s->paused) {
			now = loop_now(s->env->loop);
			s->frame_start = now;
			if (s->timer.when > now + s->env->frame_timeout_ms)
				(void)loop_timer_at(s->env->loop, &s->timer,
				    now + s->env->frame_timeout_ms);
		}
	}
	release(s);
}

/* --- the connection's callbacks ----------------------------------------- */

static void
on_connected(void *ctx, struct conn *c, int err)
{
	struct session *s = ctx;

	if (err != 0) {
		s->conn = NULL;
		session_end(s, SESS_CONNECT_FAILED, err, strerror(err));
		return;
	}
	addr_format(s->who, sizeof(s->who), c->ip, c->port);
	c->lowat = s->env->hwm / 2 + 1;
	s->state = SESS_S_HELLO;
}

static void
on_readable(void *ctx, struct conn *c)
{
	(void)c;
	process_input(ctx);
}

static void
on_writable(void *ctx, struct conn *c)
{
	struct session *s = ctx;

	if (s->state == SESS_S_CLOSED)
		return;
	s->refs++;
	if (s->paused) {
		s->paused = 0;
		conn_pause(c, 0);
		process_input(s);
	}
	if (s->state == SESS_S_UP && !s->paused)
		s->ops->writable(s->ctx, s);
	release(s);
}

static void
on_conn_closed(void *ctx, struct conn *c, int err)
{
	struct session *s = ctx;

	(void)c;
	s->conn = NULL;
	if (s->state == SESS_S_RETIRING)
		session_end(s, SESS_RETIRED, 0, "duplicate connection");
	else if (s->state == SESS_S_CONNECTING)
		session_end(s, SESS_CONNECT_FAILED, err, strerror(err));
	else
		session_end(s, SESS_LOST, err, err == 0 ? "connection closed" :
		    strerror(err));
}

/* --- the timer ---------------------------------------------------------- */

static void
on_timer(void *ctx)
{
	struct session *s = ctx;
	const struct sess_env *e = s->env;
	struct conn *c = s->conn;
	long long now = loop_now(e->loop), alive, next;
	char msg[96];

	switch (s->state) {
	case SESS_S_CONNECTING:
	case SESS_S_HELLO:
	case SESS_S_NOISE:
		if (now < s->started + e->connect_timeout_ms) {
			(void)loop_timer_at(e->loop, &s->timer,
			    s->started + e->connect_timeout_ms);
			return;
		}
		session_end(s, SESS_HANDSHAKE_TIMEOUT, 0, "timed out");
		return;
	case SESS_S_RETIRING:
		session_end(s, SESS_RETIRED, 0, "duplicate connection");
		return;
	case SESS_S_CLOSED:
		return;
	case SESS_S_UP:
		break;
	}
	if (s->frame_start != 0 && now >= s->frame_start + e->frame_timeout_ms) {
		/* A dribbled frame: its bytes do not buy it more time. */
		snprintf(msg, sizeof(msg), "frame incomplete after %ld ms",
		    e->frame_timeout_ms);
		session_violation(s, PROTO_CODE_MALFORMED, msg);
		return;
	}
	alive = c->last_rx > c->progress ? c->last_rx : c->progress;
	if (now >= alive + e->heartbeat_timeout_ms) {
		if (conn_pending(c) > 0)
			session_end(s, SESS_STALLED, 0, "output queue full");
		else
			session_end(s, SESS_TIMEOUT, 0, "no heartbeat");
		return;
	}
	/*
	 * A PING when the peer has been quiet; and while a frame of it is
	 * crawling in, since the peer, whose PING waits behind that frame,
	 * hears nothing from us otherwise.
	 */
	if ((now >= alive + e->heartbeat_interval_ms || s->frame_start != 0) &&
	    now >= s->last_ping + e->heartbeat_interval_ms) {
		s->last_ping = now;
		(void)send_ping(s, PROTO_PING, (uint64_t)now);
	}
	next = alive + e->heartbeat_timeout_ms;
	if (alive + e->heartbeat_interval_ms > now && s->frame_start == 0)
		next = alive + e->heartbeat_interval_ms;
	else if (s->last_ping + e->heartbeat_interval_ms < next)
		next = s->last_ping + e->heartbeat_interval_ms;
	if (s->frame_start != 0 && s->frame_start + e->frame_timeout_ms < next)
		next = s->frame_start + e->frame_timeout_ms;
	(void)loop_timer_at(e->loop, &s->timer, next);
}

/* --- starting ----------------------------------------------------------- */

void
session_reject(const struct sess_env *env, struct conn *c, unsigned code,
    const char *text)
{
	size_t need = PROTO_HEADER + 2 + strlen(text);
	unsigned char *p;
	long n;

	if ((p = conn_space(c, need)) != NULL &&
	    (n = proto_error_encode(p, need, code, text, strlen(text))) > 0) {
		if (env->trace != NULL)
			env->trace(env->trace_ctx, "?", 1, p, (size_t)n);
		conn_commit(c, (size_t)n);
	}
	conn_close(c, (int)env->linger_ms);
}

struct session *
session_dial(const struct sess_env *env, const struct addr *addrs,
    int n, const struct session_ops *ops, void *ctx)
{
	struct session *s;
	int err;

	if ((s = new_session(env, ops, ctx)) == NULL)
		return NULL;
	s->outbound = 1;
	s->state = SESS_S_CONNECTING;
	if ((s->conn = net_dial(env->net, addrs, n, &conn_ops, s)) == NULL) {
		err = errno;
		loop_timer_stop(env->loop, &s->timer);
		free(s);
		errno = err;
		return NULL;
	}
	addr_format(s->who, sizeof(s->who), s->conn->ip, s->conn->port);
	/* Queued now, it goes out first, once the connect is done. */
	if (send_hello(s) == -1) {
		conn_close(s->conn, 0);
		loop_timer_stop(env->loop, &s->timer);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

struct session *
session_accept(const struct sess_env *env, struct conn *c,
    const struct session_ops *ops, void *ctx)
{
	struct session *s;

	if ((s = new_session(env, ops, ctx)) == NULL)
		return NULL;
	s->conn = c;
	s->state = SESS_S_HELLO;
	c->ops = &conn_ops;
	c->ctx = s;
	c->lowat = env->hwm / 2 + 1;
	addr_format(s->who, sizeof(s->who), c->ip, c->port);
	if (send_hello(s) == -1) {
		loop_timer_stop(env->loop, &s->timer);
		free(s);
		return NULL;
	}
	return s;
}
