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
	    strlen(sent)) == 0) {
		conn_close(s->conn, (int)s->env->linger_ms);
		s->conn = NULL;
	}
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
	noise_hs_init(s->hs, s->outbound, k->secret, e, k->has_psk ? k->psk :
	    NULL, pro, n);
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


/*
 * The next sealed frame, opened; its size, PROTO_PARTIAL, or an error for
 * bad_length().  0: the session ended on a frame sent in clear.  A clear
 * ERROR is taken only by the dialler, before the first sealed frame: it
 * is how an acceptor that failed the last handshake message says so, and
 * it can end the link, nothing more, as a reset could.
 */
long
secure_next(struct session *s, unsigned char *buf, size_t avail, size_t max,
    struct proto_frame *f)
{
	struct proto_text t;
	unsigned char *copy;
	size_t size;
	long n;

	n = seal_next(&s->rx, buf, avail, max, f, &size);
	if (n == SEAL_ECLEAR) {
		if (s->outbound && !s->got_sealed &&
		    f->type == PROTO_ERROR &&
		    proto_error_decode(f, &t) == 0 &&
		    proto_code_fatal(t.code) &&
		    t.code != PROTO_CODE_DUPLICATE) {
			session_error_in(s, &t);
			if (s->state != SESS_S_CLOSED)
				session_end(s, SESS_REFUSED, (int)t.code, "refused");
			return 0;
		}
		session_violation(s, PROTO_CODE_CRYPTO, "a frame in clear on a secured "
		    "link");
		return 0;
	}
	if (n > 0) {
		s->got_sealed = 1;
		/* -v shows the inner frame, as it was sent. */
		if (s->env->trace != NULL &&
		    (copy = malloc(PROTO_HEADER + f->len)) != NULL) {
			s->env->trace(s->env->trace_ctx, s->who, 0, copy,
			    put_frame(copy, f->type, f->payload, f->len));
			free(copy);
		}
	}
	return n;
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
