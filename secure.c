/*
 * secure: the secured part of a session (contract in include/secure.h;
 * the rules are docs/PROTOCOL.md, section 10).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "random.h"
#include "seal.h"
#include "secure.h"


/* We refuse the peer for a reason of security: tell it, tell the owner. */
static void
deny(struct session *s, unsigned code, const char *sent, const char *local)
{
	if (s->conn != NULL && session_send_text(s, PROTO_ERROR, code, sent,
	    strlen(sent)) == 0)
		session_linger(s);
	session_end(s, SESS_DENIED, (int)code, local);
}

/* Both must be secured, or neither; with a psk, or both without. */
static int
same_security(struct session *s, const struct proto_hello *h)
{
	int ours = s->env->keys != NULL, theirs;

	theirs = (h->flags & PROTO_FLAG_SECURE) != 0;
	if (ours && !theirs) {
		deny(s, PROTO_CODE_INSECURE, "this node accepts secured peers "
		    "only: give yours an \"identity\"", "it is not secured "
		    "(no \"identity\"), and this node accepts secured peers "
		    "only");
		return -1;
	}
	if (!ours && theirs) {
		deny(s, PROTO_CODE_INSECURE, "this node is not secured (it has "
		    "no \"identity\")", "it is secured, and this node has no "
		    "\"identity\": set one to talk to it");
		return -1;
	}
	if (ours && s->env->keys->has_psk != ((h->flags & PROTO_FLAG_PSK) !=
	    0)) {
		deny(s, PROTO_CODE_UNTRUSTED, s->env->keys->has_psk ?
		    "this network needs a \"psk\"" : "this node has no "
		    "\"psk\"", s->env->keys->has_psk ? "it has no \"psk\", "
		    "and this network needs one" : "it has a \"psk\", and "
		    "this node has none");
		return -1;
	}
	return 0;
}

/* A HELLO frame's bytes, as the prologue holds them. */
static size_t
put_frame(unsigned char *p, int type, const unsigned char *payload,
    size_t len)
{
	p[0] = (unsigned char)((len + 1) >> 24);
	p[1] = (unsigned char)((len + 1) >> 16);
	p[2] = (unsigned char)((len + 1) >> 8);
	p[3] = (unsigned char)(len + 1);
	p[4] = (unsigned char)type;
	memcpy(p + PROTO_HEADER, payload, len);
	return PROTO_HEADER + len;
}

static int
send_noise(struct session *s)
{
	unsigned char msg[NOISE_MSG2_EXTRA];
	long n;

	if ((n = noise_hs_write(s->hs, NULL, 0, msg, sizeof(msg))) < 0)
		return -1;
	return session_frame(s, PROTO_NOISE, msg, (size_t)n);
}

/*
 * Their HELLO f is in: start the handshake.  The prologue binds both
 * HELLOs, the dialler's first, so that neither can be altered unseen.
 */
static int
start_noise(struct session *s, const struct proto_frame *f)
{
	static const char label[] = "kaipeer/1 Noise";
	unsigned char pro[sizeof(label) + 2 * PROTO_MAX_HELLO], mine[PROTO_MAX_HELLO];
	unsigned char e[NOISE_KEY];
	size_t n = sizeof(label) - 1, mlen;
	long m;
	const struct sess_keys *k = s->env->keys;

	if ((m = proto_hello_encode(mine, sizeof(mine), &s->env->hello)) < 0 ||
	    (s->hs = malloc(sizeof(*s->hs))) == NULL)
		return -1;
	mlen = (size_t)m;
	memcpy(pro, label, n);
	if (s->outbound)
		memcpy(pro + n, mine, mlen);
	n += s->outbound ? mlen : put_frame(pro + n, PROTO_HELLO, f->payload,
	    f->len);
	if (!s->outbound)
		memcpy(pro + n, mine, mlen);
	n += !s->outbound ? mlen : put_frame(pro + n, PROTO_HELLO,
	    f->payload, f->len);
	if (random_secure(e, sizeof(e)) == -1) {
		free(s->hs);
		s->hs = NULL;
		return -1;
	}
	noise_hs_init(s->hs, s->outbound, k->secret, k->pub, e, k->has_psk ?
	    k->psk : NULL, pro, n);
	ct_wipe(e, sizeof(e));
	s->state = SESS_S_NOISE;
	return s->outbound ? send_noise(s) : 0;
}

/* The peer proved key: may it in? */
static int
authorized(struct session *s, const unsigned char *key)
{
	char why[200];

	memcpy(s->peer_key, key, sizeof(s->peer_key));
	s->has_key = 1;
	why[0] = '\0';
	if (s->ops->authorize(s->ctx, s, key, why, sizeof(why)) == 0)
		return 0;
	if (s->state != SESS_S_CLOSED)
		deny(s, PROTO_CODE_UNTRUSTED, why, why);
	return -1;
}

void
secure_noise(struct session *s, const struct proto_frame *f)
{
	unsigned char payload[PROTO_MAX_HELLO];
	int was = s->hs->msg;

	if (noise_hs_read(s->hs, f->payload, f->len, payload,
	    sizeof(payload)) < 0) {
		session_violation(s, PROTO_CODE_CRYPTO, was == 2 && s->env->keys->has_psk ?
		    "Noise handshake failed: a wrong psk, or an altered message" :
		    "Noise handshake failed: an altered or invalid message");
		return;
	}
	/* The dialler knows the key after message 2, and says nothing of
	 * its own (message 3) to a node it does not trust. */
	if (s->outbound && authorized(s, noise_hs_remote(s->hs)) == -1)
		return;
	if (noise_hs_my_turn(s->hs) && send_noise(s) == -1) {
		session_violation(s, PROTO_CODE_CRYPTO, "Noise handshake failed");
		return;
	}
	if (!noise_hs_done(s->hs))
		return;
	noise_hs_split(s->hs, &s->tx, &s->rx, NULL);
	memcpy(s->peer_key, noise_hs_remote(s->hs), sizeof(s->peer_key));
	free(s->hs);
	s->hs = NULL;
	s->sealed = 1;
	/*
	 * The dialler is up at the first sealed frame it opens: the
	 * acceptor's PING once it took the dialler's key, or its ERROR.
	 */
	if (s->outbound || authorized(s, s->peer_key) == -1)
		return;
	session_up(s);
	if (s->state == SESS_S_UP)
		(void)session_ping(s);
}


/* --- records out ---------------------------------------------------------- */

unsigned char *
secure_space(struct session *s, size_t need)
{
	size_t want = s->pout_len + need, cap;
	unsigned char *p;

	if (want + (want / SEAL_MAX_PLAIN + 1) * SEAL_OVERHEAD >
	    conn_room(s->conn))
		return NULL;
	if (want > s->pout_cap) {
		for (cap = s->pout_cap > 0 ? s->pout_cap : 4096; cap < want;)
			cap *= 2;
		if ((p = malloc(cap)) == NULL)
			return NULL;
		/* Moved by hand, so that no copy of the plaintext is left
		 * behind unwiped (realloc would not wipe the old block). */
		if (s->pout != NULL) {
			memcpy(p, s->pout, s->pout_len);
			ct_wipe(s->pout, s->pout_cap);
			free(s->pout);
		}
		s->pout = p;
		s->pout_cap = cap;
	}
	return s->pout + s->pout_len;
}

void
secure_seal_out(struct session *s)
{
	struct conn *c = s->conn;
	size_t done = 0, chunk;
	unsigned char *p;
	long n;

	while (c != NULL && done < s->pout_len) {
		chunk = s->pout_len - done;
		if (chunk > SEAL_MAX_PLAIN)
			chunk = SEAL_MAX_PLAIN;
		if ((p = conn_space(c, chunk + SEAL_OVERHEAD)) == NULL ||
		    (n = seal_record(&s->tx, p, s->pout + done, chunk)) < 0)
			break;
		conn_commit(c, (size_t)n);
		done += chunk;
	}
	if (done == 0)
		return;
	if (done < s->pout_len) {
		memmove(s->pout, s->pout + done, s->pout_len - done);
		ct_wipe(s->pout + s->pout_len - done, done);
		s->pout_len -= done;
		return;
	}
	/* All sealed: wipe what was used; a big buffer goes. */
	ct_wipe(s->pout, s->pout_len);
	s->pout_len = 0;
	if (s->pout_cap > 4 * SEAL_MAX_PLAIN) {
		free(s->pout);
		s->pout = NULL;
		s->pout_cap = 0;
	}
}

/* --- records in ----------------------------------------------------------- */

/* Room for len bytes of plaintext in s->pin; -1 if no memory. */
static int
pin_room(struct session *s, size_t len)
{
	unsigned char *p;
	size_t cap;

	if (s->pin_off > 0) {		/* what was read goes first */
		memmove(s->pin, s->pin + s->pin_off, s->pin_len - s->pin_off);
		s->pin_len -= s->pin_off;
		s->pin_off = 0;
	}
	if (s->pin_len + len <= s->pin_cap)
		return 0;
	for (cap = s->pin_cap > 0 ? s->pin_cap : 2 * SEAL_MAX_PLAIN;
	    cap < s->pin_len + len;)
		cap *= 2;
	if ((p = malloc(cap)) == NULL)
		return -1;
	if (s->pin != NULL) {
		memcpy(p, s->pin, s->pin_len);
		ct_wipe(s->pin, s->pin_cap);
		free(s->pin);
	}
	s->pin = p;
	s->pin_cap = cap;
	return 0;
}

/*
 * A frame in clear where a record was expected.  Taken only by the
 * dialler, before the first record, and only a fatal ERROR: it is how an
 * acceptor that failed the last handshake message says so, and it can end
 * the link, nothing more, as a reset could.  Anything else ends the link.
 */
static void
in_clear(struct session *s, const struct proto_frame *f)
{
	struct proto_text t;

	if (s->outbound && !s->got_sealed && f->type == PROTO_ERROR &&
	    proto_error_decode(f, &t) == 0 && proto_code_fatal(t.code) &&
	    t.code != PROTO_CODE_DUPLICATE) {
		session_error_in(s, &t);
		if (s->state != SESS_S_CLOSED)
			session_end(s, SESS_REFUSED, (int)t.code, "refused");
		return;
	}
	session_violation(s, PROTO_CODE_CRYPTO, "a frame in clear on a "
	    "secured link");
}

long
secure_frame(struct session *s, struct conn *c, size_t *off, size_t max,
    struct proto_frame *f)
{
	size_t plen, size;
	long n;

	for (;;) {
		n = proto_frame_next(s->pin + s->pin_off, s->pin_len -
		    s->pin_off, max, f);
		if (n > 0) {
			s->pin_off += (size_t)n;
			return n;
		}
		if (n != PROTO_PARTIAL)
			return n;
		/* The frame goes on in the next record. */
		if (pin_room(s, SEAL_MAX_PLAIN) == -1) {
			session_end(s, SESS_LOST, ENOMEM, "out of memory");
			return 0;
		}
		n = seal_open(&s->rx, c->in + *off, c->in_len - *off,
		    s->pin + s->pin_len, &plen, PROTO_MAX_HELLO, f, &size);
		if (n == SEAL_ECLEAR) {
			in_clear(s, f);
			return 0;
		}
		if (n < 0)
			return n;
		*off += (size_t)n;
		s->pin_len += plen;
		s->got_sealed = 1;
	}
}


int
secure_hello(struct session *s, const struct proto_frame *f,
    const struct proto_hello *h)
{
	if (same_security(s, h) == -1)
		return -1;
	if (s->env->keys == NULL)
		return 1;
	if (start_noise(s, f) == -1) {
		session_end(s, SESS_LOST, ENOMEM, "no memory or no random "
		    "source for the handshake");
		return -1;
	}
	return 0;
}
