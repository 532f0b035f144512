/*
 * sha256: SHA-256, HMAC-SHA-256 and HKDF-SHA-256.
 *
 * The contract is in include/sha256.h.  compress() runs the FIPS 180-4
 * block function over whole 64-byte blocks; sha256_update() feeds it
 * straight from the caller's data and keeps only a tail of less than one
 * block in the context.  SHA-256 is additions, rotations and bit functions
 * on words, so nothing here branches on or indexes by the data: the only
 * branches depend on lengths.
 *
 * Secrets pass through here (HMAC keys, Noise chaining keys), so every
 * buffer that held one on our stack is wiped before return: the message
 * schedule, the padded key, inner hashes, HKDF blocks.  The *_final
 * functions wipe the context they finish.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ct.h"
#include "sha256.h"

#define HMAC_IPAD	0x36
#define HMAC_OPAD	0x5c
#define HKDF_MAX	(255 * SHA256_SIZE)	/* RFC 5869, 2.3 */

/* FIPS 180-4, 4.2.2: cube roots of the first 64 primes. */
static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

/* FIPS 180-4, 5.3.3: square roots of the first 8 primes. */
static const uint32_t h256[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

static uint32_t
ror32(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t
load32_be(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
store32_be(unsigned char *p, uint32_t x)
{
	p[0] = (unsigned char)(x >> 24);
	p[1] = (unsigned char)(x >> 16);
	p[2] = (unsigned char)(x >> 8);
	p[3] = (unsigned char)x;
}

/* Hash nblocks whole blocks at p into h (FIPS 180-4, 6.2.2). */
static void
compress(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (; nblocks > 0; nblocks--, p += SHA256_BLOCK) {
		for (i = 0; i < 16; i++)
			w[i] = load32_be(p + 4 * i);
		for (i = 16; i < 64; i++)
			w[i] = (ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			    (w[i - 2] >> 10)) + w[i - 7] +
			    (ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			    (w[i - 15] >> 3)) + w[i - 16];
		a = h[0];
		b = h[1];
		c = h[2];
		d = h[3];
		e = h[4];
		f = h[5];
		g = h[6];
		hh = h[7];
		for (i = 0; i < 64; i++) {
			t1 = hh + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
			    ((e & f) ^ (~e & g)) + k256[i] + w[i];
			t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
			    ((a & b) ^ (a & c) ^ (b & c));
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
	ct_wipe(w, sizeof(w));
}

void
sha256_init(struct sha256 *c)
{
	memcpy(c->h, h256, sizeof(c->h));
	memset(c->buf, 0, sizeof(c->buf));
	c->fill = 0;
	c->total = 0;
}

void
sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;

	c->total += len;
	if (c->fill > 0) {
		n = SHA256_BLOCK - c->fill;
		if (n > len)
			n = len;
		if (n > 0)
			memcpy(c->buf + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill < SHA256_BLOCK)
			return;
		compress(c->h, c->buf, 1);
		c->fill = 0;
	}
	if (len >= SHA256_BLOCK) {
		compress(c->h, p, len / SHA256_BLOCK);
		p += len - len % SHA256_BLOCK;
		len %= SHA256_BLOCK;
	}
	if (len > 0)
		memcpy(c->buf, p, len);
	c->fill = len;
}

void
sha256_final(struct sha256 *c, unsigned char out[SHA256_SIZE])
{
	uint64_t bits = c->total * 8;
	int i;

	/* 0x80, zeros up to 8 bytes short of a block end, the bit length. */
	c->buf[c->fill++] = 0x80;
	if (c->fill > SHA256_BLOCK - 8) {
		memset(c->buf + c->fill, 0, SHA256_BLOCK - c->fill);
		compress(c->h, c->buf, 1);
		c->fill = 0;
	}
	memset(c->buf + c->fill, 0, SHA256_BLOCK - 8 - c->fill);
	store32_be(c->buf + SHA256_BLOCK - 8, (uint32_t)(bits >> 32));
	store32_be(c->buf + SHA256_BLOCK - 4, (uint32_t)bits);
	compress(c->h, c->buf, 1);
	for (i = 0; i < 8; i++)
		store32_be(out + 4 * i, c->h[i]);
	ct_wipe(c, sizeof(*c));
}

void
sha256(unsigned char out[SHA256_SIZE], const void *data, size_t len)
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}

/*
 * RFC 2104: a key longer than a block is hashed first; the key, padded
 * with zeros to a block, is xored with ipad for the inner hash and with
 * opad for the outer one.  Both hashes start here, so a context can be
 * copied to MAC several messages under one key (hkdf_sha256_expand does).
 */
void
hmac_sha256_init(struct hmac_sha256 *c, const void *key, size_t klen)
{
	unsigned char pad[SHA256_BLOCK];
	size_t i;

	memset(pad, 0, sizeof(pad));
	if (klen > SHA256_BLOCK)
		sha256(pad, key, klen);
	else if (klen > 0)
		memcpy(pad, key, klen);
	for (i = 0; i < SHA256_BLOCK; i++)
		pad[i] ^= HMAC_IPAD;
	sha256_init(&c->inner);
	sha256_update(&c->inner, pad, SHA256_BLOCK);
	for (i = 0; i < SHA256_BLOCK; i++)
		pad[i] ^= HMAC_IPAD ^ HMAC_OPAD;
	sha256_init(&c->outer);
	sha256_update(&c->outer, pad, SHA256_BLOCK);
	ct_wipe(pad, sizeof(pad));
}

void
hmac_sha256_update(struct hmac_sha256 *c, const void *data, size_t len)
{
	sha256_update(&c->inner, data, len);
}

void
hmac_sha256_final(struct hmac_sha256 *c, unsigned char out[SHA256_SIZE])
{
	unsigned char ih[SHA256_SIZE];

	sha256_final(&c->inner, ih);
	sha256_update(&c->outer, ih, sizeof(ih));
	sha256_final(&c->outer, out);
	ct_wipe(ih, sizeof(ih));
	ct_wipe(c, sizeof(*c));
}

void
hmac_sha256(unsigned char out[SHA256_SIZE], const void *key, size_t klen,
    const void *data, size_t len)
{
	struct hmac_sha256 c;

	hmac_sha256_init(&c, key, klen);
	hmac_sha256_update(&c, data, len);
	hmac_sha256_final(&c, out);
}

/*
 * An empty salt needs no case of its own: HMAC pads a key with zeros to a
 * block, so the empty key and the 32 zero bytes of RFC 5869 are one key.
 */
void
hkdf_sha256_extract(unsigned char prk[SHA256_SIZE], const void *salt,
    size_t slen, const void *ikm, size_t ilen)
{
	hmac_sha256(prk, salt, slen, ikm, ilen);
}

/*
 * T(i) = HMAC(prk, T(i-1) || info || i), okm = T(1) || T(2) || ...  The
 * key goes into a context before any output is written, so okm may
 * overlap prk.
 */
int
hkdf_sha256_expand(unsigned char *okm, size_t len, const unsigned char *prk,
    size_t plen, const void *info, size_t ilen)
{
	struct hmac_sha256 keyed, c;
	unsigned char t[SHA256_SIZE], i;
	size_t n;

	if (len > HKDF_MAX)
		return -1;
	hmac_sha256_init(&keyed, prk, plen);
	for (i = 1; len > 0; i++) {
		c = keyed;
		if (i > 1)
			hmac_sha256_update(&c, t, sizeof(t));
		hmac_sha256_update(&c, info, ilen);
		hmac_sha256_update(&c, &i, 1);
		hmac_sha256_final(&c, t);
		n = len < sizeof(t) ? len : sizeof(t);
		memcpy(okm, t, n);
		okm += n;
		len -= n;
	}
	ct_wipe(t, sizeof(t));
	ct_wipe(&keyed, sizeof(keyed));
	return 0;
}

int
hkdf_sha256(unsigned char *okm, size_t len, const void *salt, size_t slen,
    const void *ikm, size_t ilen, const void *info, size_t inlen)
{
	unsigned char prk[SHA256_SIZE];
	int rc;

	if (len > HKDF_MAX)
		return -1;
	hkdf_sha256_extract(prk, salt, slen, ikm, ilen);
	rc = hkdf_sha256_expand(okm, len, prk, sizeof(prk), info, inlen);
	ct_wipe(prk, sizeof(prk));
	return rc;
}
