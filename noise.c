/*
 * noise: the XX handshake and its CipherStates (contract in
 * include/noise.h).  Names follow the specification, section 5, so that
 * the code reads next to it: each function below is the one of the same
 * name there.
 */
#include <string.h>

#include "aead.h"
#include "ct.h"
#include "noise.h"
#include "sha256.h"
#include "x25519.h"

static const char name_xx[] = "Noise_XX_25519_ChaChaPoly_SHA256";
static const char name_xxpsk3[] = "Noise_XXpsk3_25519_ChaChaPoly_SHA256";

/* --- CipherState ----------------------------------------------------------- */

/* The ChaChaPoly nonce: 32 bits of zeros, then n, little-endian. */
static void
nonce_of(unsigned char nonce[AEAD_NONCE], uint64_t n)
{
	int i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (unsigned char)(n >> (8 * i));
}

int
noise_seal(struct noise_cipher *c, const void *ad, size_t adlen,
    const unsigned char *in, size_t len, unsigned char *out)
{
	unsigned char nonce[AEAD_NONCE];

	if (!c->has_key) {
		if (len > 0)
			memmove(out, in, len);
		return 0;
	}
	if (c->n == UINT64_MAX)		/* reserved for Rekey() */
		return -1;
	nonce_of(nonce, c->n);
	aead_seal(out, c->k, nonce, ad, adlen, in, len);
	c->n++;
	return 0;
}

int
noise_open(struct noise_cipher *c, const void *ad, size_t adlen,
    const unsigned char *in, size_t len, unsigned char *out)
{
	unsigned char nonce[AEAD_NONCE];

	if (!c->has_key) {
		if (len > 0)
			memmove(out, in, len);
		return 0;
	}
	if (c->n == UINT64_MAX || len < NOISE_TAG)
		return -1;
	nonce_of(nonce, c->n);
	if (aead_open(out, c->k, nonce, ad, adlen, in, len) != 0)
		return -1;
	c->n++;
	return 0;
}

void
noise_rekey(struct noise_cipher *c)
{
	unsigned char nonce[AEAD_NONCE], zeros[NOISE_KEY], out[NOISE_KEY + 16];

	memset(zeros, 0, sizeof zeros);
	nonce_of(nonce, UINT64_MAX);
	aead_seal(out, c->k, nonce, NULL, 0, zeros, sizeof zeros);
	memcpy(c->k, out, NOISE_KEY);
	ct_wipe(out, sizeof out);
}

static void
cipher_set(struct noise_cipher *c, const unsigned char k[NOISE_KEY])
{
	memcpy(c->k, k, NOISE_KEY);
	c->n = 0;
	c->has_key = 1;
}

/* --- SymmetricState -------------------------------------------------------- */

/*
 * HKDF(chaining_key, ikm, n) of section 4.3: n outputs of 32 bytes each
 * (2 or 3).
 */
static void
hkdf(const unsigned char ck[NOISE_KEY], const unsigned char *ikm,
    size_t ilen, unsigned char *o1, unsigned char *o2, unsigned char *o3)
{
	unsigned char temp[SHA256_SIZE], in[SHA256_SIZE + 1];

	hmac_sha256(temp, ck, NOISE_KEY, ikm, ilen);
	in[0] = 1;
	hmac_sha256(o1, temp, sizeof temp, in, 1);
	memcpy(in, o1, SHA256_SIZE);
	in[SHA256_SIZE] = 2;
	hmac_sha256(o2, temp, sizeof temp, in, sizeof in);
	if (o3 != NULL) {
		memcpy(in, o2, SHA256_SIZE);
		in[SHA256_SIZE] = 3;
		hmac_sha256(o3, temp, sizeof temp, in, sizeof in);
	}
	ct_wipe(temp, sizeof temp);
	ct_wipe(in, sizeof in);
}

static void
mix_hash(struct noise_hs *hs, const void *data, size_t len)
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, hs->h, sizeof hs->h);
	sha256_update(&c, data, len);
	sha256_final(&c, hs->h);
}

static void
mix_key(struct noise_hs *hs, const unsigned char *ikm, size_t len)
{
	unsigned char k[NOISE_KEY];

	hkdf(hs->ck, ikm, len, hs->ck, k, NULL);
	cipher_set(&hs->cs, k);
	ct_wipe(k, sizeof k);
}

static void
mix_key_and_hash(struct noise_hs *hs, const unsigned char *ikm, size_t len)
{
	unsigned char th[NOISE_KEY], k[NOISE_KEY];

	hkdf(hs->ck, ikm, len, hs->ck, th, k);
	mix_hash(hs, th, sizeof th);
	cipher_set(&hs->cs, k);
	ct_wipe(k, sizeof k);
}

/* Returns the bytes written to out: len, plus 16 once there is a key. */
static size_t
encrypt_and_hash(struct noise_hs *hs, const unsigned char *pt, size_t len,
    unsigned char *out)
{
	size_t n = len + (hs->cs.has_key ? NOISE_TAG : 0);

	(void)noise_seal(&hs->cs, hs->h, sizeof hs->h, pt, len, out);
	mix_hash(hs, out, n);
	return n;
}

static int
decrypt_and_hash(struct noise_hs *hs, const unsigned char *ct, size_t len,
    unsigned char *out)
{
	unsigned char h[NOISE_KEY];

	memcpy(h, hs->h, sizeof h);
	mix_hash(hs, ct, len);
	return noise_open(&hs->cs, h, sizeof h, ct, len, out);
}

/* --- HandshakeState -------------------------------------------------------- */

void
noise_hs_init(struct noise_hs *hs, int initiator,
    const unsigned char s[NOISE_KEY], const unsigned char *s_pub,
    const unsigned char e[NOISE_KEY], const unsigned char *psk,
    const void *prologue, size_t plen)
{
	const char *name = psk != NULL ? name_xxpsk3 : name_xx;
	size_t nlen = strlen(name);

	memset(hs, 0, sizeof *hs);
	hs->initiator = initiator;
	hs->psk_mode = psk != NULL;
	if (nlen <= NOISE_KEY)
		memcpy(hs->h, name, nlen);	/* zero-padded */
	else
		sha256(hs->h, name, nlen);
	memcpy(hs->ck, hs->h, NOISE_KEY);
	mix_hash(hs, prologue, plen);
	memcpy(hs->s, s, NOISE_KEY);
	if (s_pub != NULL)
		memcpy(hs->s_pub, s_pub, NOISE_KEY);
	else
		x25519_public(hs->s_pub, s);
	memcpy(hs->e, e, NOISE_KEY);
	x25519_public(hs->e_pub, e);
	if (psk != NULL)
		memcpy(hs->psk, psk, NOISE_KEY);
}

int
noise_hs_my_turn(const struct noise_hs *hs)
{
	/* Messages 0 and 2 are the initiator's, 1 the responder's. */
	return hs->msg >= 0 && hs->msg < 3 && (hs->msg % 2 == 0) == hs->initiator;
}

int
noise_hs_done(const struct noise_hs *hs)
{
	return hs->msg == 3;
}

const unsigned char *
noise_hs_remote(const struct noise_hs *hs)
{
	return hs->rs;
}

const unsigned char *
noise_hs_local(const struct noise_hs *hs)
{
	return hs->s_pub;
}

/* MixKey(DH(ours, theirs)); -1 when the result is zero (low order). */
static int
mix_dh(struct noise_hs *hs, const unsigned char *ours,
    const unsigned char *theirs)
{
	unsigned char shared[X25519_SIZE];
	int bad;

	bad = x25519(shared, ours, theirs);
	mix_key(hs, shared, sizeof shared);
	ct_wipe(shared, sizeof shared);
	return bad;
}

/* The tokens "e" (the psk modes also MixKey the ephemeral key). */
static void
mix_e(struct noise_hs *hs, const unsigned char *pub)
{
	mix_hash(hs, pub, NOISE_KEY);
	if (hs->psk_mode)
		mix_key(hs, pub, NOISE_KEY);
}

static void
fail(struct noise_hs *hs)
{
	noise_hs_wipe(hs);
	hs->msg = -1;
}

/* The bytes the tokens of message i take, before its payload. */
static size_t
tokens_len(int i)
{
	return i == 0 ? NOISE_KEY : i == 1 ? NOISE_KEY + NOISE_KEY + NOISE_TAG :
	    NOISE_KEY + NOISE_TAG;
}

long
noise_hs_write(struct noise_hs *hs, const void *payload, size_t plen,
    unsigned char *out, size_t cap)
{
	size_t n = 0, tag;
	int bad = 0;

	/* Message 1 has a key for its payload only in the psk modes. */
	tag = hs->msg > 0 || hs->psk_mode ? NOISE_TAG : 0;
	if (!noise_hs_my_turn(hs) ||
	    plen > NOISE_MAX_MSG - tokens_len(hs->msg) - tag ||
	    cap < tokens_len(hs->msg) + plen + tag)
		return -1;
	switch (hs->msg) {
	case 0:					/* -> e */
		memcpy(out, hs->e_pub, NOISE_KEY);
		n = NOISE_KEY;
		mix_e(hs, hs->e_pub);
		break;
	case 1:					/* <- e, ee, s, es */
		memcpy(out, hs->e_pub, NOISE_KEY);
		n = NOISE_KEY;
		mix_e(hs, hs->e_pub);
		bad |= mix_dh(hs, hs->e, hs->re);
		n += encrypt_and_hash(hs, hs->s_pub, NOISE_KEY, out + n);
		bad |= mix_dh(hs, hs->s, hs->re);
		break;
	case 2:					/* -> s, se [, psk] */
		n = encrypt_and_hash(hs, hs->s_pub, NOISE_KEY, out);
		bad |= mix_dh(hs, hs->s, hs->re);
		if (hs->psk_mode)
			mix_key_and_hash(hs, hs->psk, NOISE_KEY);
		break;
	}
	if (bad) {
		fail(hs);
		return -1;
	}
	n += encrypt_and_hash(hs, payload, plen, out + n);
	hs->msg++;
	return (long)n;
}

long
noise_hs_read(struct noise_hs *hs, const unsigned char *msg, size_t len,
    unsigned char *payload, size_t cap)
{
	size_t rest, plen;
	int bad = 0;

	if (hs->msg < 0 || hs->msg > 2 || noise_hs_my_turn(hs) ||
	    len < tokens_len(hs->msg) || len > NOISE_MAX_MSG)
		goto failed;
	switch (hs->msg) {
	case 0:					/* -> e */
		memcpy(hs->re, msg, NOISE_KEY);
		mix_e(hs, hs->re);
		break;
	case 1:					/* <- e, ee, s, es */
		memcpy(hs->re, msg, NOISE_KEY);
		mix_e(hs, hs->re);
		bad |= mix_dh(hs, hs->e, hs->re);
		if (decrypt_and_hash(hs, msg + NOISE_KEY, NOISE_KEY + NOISE_TAG,
		    hs->rs) != 0)
			goto failed;
		bad |= mix_dh(hs, hs->e, hs->rs);
		break;
	case 2:					/* -> s, se [, psk] */
		if (decrypt_and_hash(hs, msg, NOISE_KEY + NOISE_TAG,
		    hs->rs) != 0)
			goto failed;
		bad |= mix_dh(hs, hs->e, hs->rs);
		if (hs->psk_mode)
			mix_key_and_hash(hs, hs->psk, NOISE_KEY);
		break;
	}
	/* The rest is the payload, with a tag once there is a key. */
	rest = len - tokens_len(hs->msg);
	if (bad || rest < (hs->cs.has_key ? NOISE_TAG : 0))
		goto failed;
	plen = rest - (hs->cs.has_key ? NOISE_TAG : 0);
	if (plen > cap || decrypt_and_hash(hs, msg + tokens_len(hs->msg), rest,
	    payload) != 0)
		goto failed;
	hs->msg++;
	return (long)plen;
failed:
	fail(hs);
	return -1;
}

void
noise_hs_split(struct noise_hs *hs, struct noise_cipher *send,
    struct noise_cipher *recv, unsigned char hash[NOISE_KEY])
{
	unsigned char k1[NOISE_KEY], k2[NOISE_KEY];

	hkdf(hs->ck, NULL, 0, k1, k2, NULL);
	/* The first key is the initiator's to send with. */
	cipher_set(send, hs->initiator ? k1 : k2);
	cipher_set(recv, hs->initiator ? k2 : k1);
	if (hash != NULL)
		memcpy(hash, hs->h, NOISE_KEY);
	ct_wipe(k1, sizeof k1);
	ct_wipe(k2, sizeof k2);
	noise_hs_wipe(hs);
}

void
noise_hs_wipe(struct noise_hs *hs)
{
	int initiator = hs->initiator, msg = hs->msg;
	unsigned char rs[NOISE_KEY];

	/* The peer's public key is not secret; keep it for the caller. */
	memcpy(rs, hs->rs, sizeof rs);
	ct_wipe(hs, sizeof *hs);
	memcpy(hs->rs, rs, sizeof rs);
	hs->initiator = initiator;
	hs->msg = msg;
}
