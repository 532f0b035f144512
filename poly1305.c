/*
 * poly1305: the Poly1305 one-time authenticator of RFC 8439.
 *
 * The contract is in include/poly1305.h.  The accumulator h and the
 * clamped key half r are numbers below 2^130 held in five 26-bit limbs,
 * so that a product of two limbs, even times 5, fits in 64 bits with room
 * for the five products of a column.  Each 16-byte block m adds
 * m + 2^128 (a short last block: its bytes, then 0x01, then zeros) into h
 * and multiplies by r modulo p = 2^130 - 5, where a carry out of bit 130
 * comes back in multiplied by 5.  Limbs are carried only partly between
 * blocks; poly1305_final() carries them fully, subtracts p when h >= p by
 * a mask (no branch), and adds the second key half s modulo 2^128.
 *
 * Nothing branches on or indexes by the key or the message, only the
 * length.  poly1305_final() wipes the context.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ct.h"
#include "poly1305.h"

#define LIMB	0x3ffffff		/* 26 bits */

static uint32_t
load32_le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
store32_le(unsigned char *p, uint32_t x)
{
	p[0] = (unsigned char)x;
	p[1] = (unsigned char)(x >> 8);
	p[2] = (unsigned char)(x >> 16);
	p[3] = (unsigned char)(x >> 24);
}

/*
 * h = (h + m + hibit * 2^128) * r mod p for each of nblocks blocks at p.
 * hibit is 1 for a whole block, 0 for the padded last one.
 *
 * With h < 2^27 and r < 2^26 limb by limb (5r < 2^29), each column of the
 * product is five terms below 2^56: well within 64 bits.
 */
static void
blocks(struct poly1305 *c, const unsigned char *p, size_t nblocks,
    uint32_t hibit)
{
	const uint32_t r0 = c->r[0], r1 = c->r[1], r2 = c->r[2], r3 = c->r[3],
	    r4 = c->r[4];
	const uint32_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
	uint32_t h0 = c->h[0], h1 = c->h[1], h2 = c->h[2], h3 = c->h[3],
	    h4 = c->h[4];
	uint32_t t0, t1, t2, t3;
	uint64_t d0, d1, d2, d3, d4;

	for (; nblocks > 0; nblocks--, p += 16) {
		t0 = load32_le(p);
		t1 = load32_le(p + 4);
		t2 = load32_le(p + 8);
		t3 = load32_le(p + 12);
		h0 += t0 & LIMB;
		h1 += ((t0 >> 26) | (t1 << 6)) & LIMB;
		h2 += ((t1 >> 20) | (t2 << 12)) & LIMB;
		h3 += ((t2 >> 14) | (t3 << 18)) & LIMB;
		h4 += (t3 >> 8) | (hibit << 24);

		/* Limb i of r times limb j of h lands at 26 * (i + j) bits;
		 * past 130 bits it wraps around times 5. */
		d0 = (uint64_t)h0 * r0 + (uint64_t)h1 * s4 + (uint64_t)h2 * s3 +
		    (uint64_t)h3 * s2 + (uint64_t)h4 * s1;
		d1 = (uint64_t)h0 * r1 + (uint64_t)h1 * r0 + (uint64_t)h2 * s4 +
		    (uint64_t)h3 * s3 + (uint64_t)h4 * s2;
		d2 = (uint64_t)h0 * r2 + (uint64_t)h1 * r1 + (uint64_t)h2 * r0 +
		    (uint64_t)h3 * s4 + (uint64_t)h4 * s3;
		d3 = (uint64_t)h0 * r3 + (uint64_t)h1 * r2 + (uint64_t)h2 * r1 +
		    (uint64_t)h3 * r0 + (uint64_t)h4 * s4;
		d4 = (uint64_t)h0 * r4 + (uint64_t)h1 * r3 + (uint64_t)h2 * r2 +
		    (uint64_t)h3 * r1 + (uint64_t)h4 * r0;

		/* A partial carry: every limb ends below 2^26 but h1, which
		 * may exceed it a little; the next block copes with that. */
		d1 += d0 >> 26;
		h0 = (uint32_t)d0 & LIMB;
		d2 += d1 >> 26;
		h1 = (uint32_t)d1 & LIMB;
		d3 += d2 >> 26;
		h2 = (uint32_t)d2 & LIMB;
		d4 += d3 >> 26;
		h3 = (uint32_t)d3 & LIMB;
		d0 = (uint64_t)h0 + (d4 >> 26) * 5;
		h4 = (uint32_t)d4 & LIMB;
		h0 = (uint32_t)d0 & LIMB;
		h1 += (uint32_t)(d0 >> 26);
	}
	c->h[0] = h0;
	c->h[1] = h1;
	c->h[2] = h2;
	c->h[3] = h3;
	c->h[4] = h4;
}

void
poly1305_init(struct poly1305 *c, const unsigned char key[POLY1305_KEY])
{
	uint32_t t0, t1, t2, t3;
	int i;

	/* r = key[0..16) with the bits RFC 8439 2.5 clears cleared. */
	t0 = load32_le(key) & 0x0fffffff;
	t1 = load32_le(key + 4) & 0x0ffffffc;
	t2 = load32_le(key + 8) & 0x0ffffffc;
	t3 = load32_le(key + 12) & 0x0ffffffc;
	c->r[0] = t0 & LIMB;
	c->r[1] = ((t0 >> 26) | (t1 << 6)) & LIMB;
	c->r[2] = ((t1 >> 20) | (t2 << 12)) & LIMB;
	c->r[3] = ((t2 >> 14) | (t3 << 18)) & LIMB;
	c->r[4] = t3 >> 8;
	for (i = 0; i < 4; i++)
		c->pad[i] = load32_le(key + 16 + 4 * i);
	for (i = 0; i < 5; i++)
		c->h[i] = 0;
	memset(c->buf, 0, sizeof(c->buf));
	c->fill = 0;
}

void
poly1305_update(struct poly1305 *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;

	if (c->fill > 0) {
		n = sizeof(c->buf) - c->fill;
		if (n > len)
			n = len;
		if (n > 0)
			memcpy(c->buf + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill < sizeof(c->buf))
			return;
		blocks(c, c->buf, 1, 1);
		c->fill = 0;
	}
	if (len >= 16) {
		blocks(c, p, len / 16, 1);
		p += len - len % 16;
		len %= 16;
	}
	if (len > 0)
		memcpy(c->buf, p, len);
	c->fill = len;
}

void
poly1305_final(struct poly1305 *c, unsigned char tag[POLY1305_TAG])
{
	uint32_t h0, h1, h2, h3, h4, g0, g1, g2, g3, g4, mask;
	uint64_t f;

	if (c->fill > 0) {
		c->buf[c->fill] = 1;
		memset(c->buf + c->fill + 1, 0, sizeof(c->buf) - c->fill - 1);
		blocks(c, c->buf, 1, 0);
	}
	h0 = c->h[0];
	h1 = c->h[1];
	h2 = c->h[2];
	h3 = c->h[3];
	h4 = c->h[4];

	/*
	 * Carry from h1 around to h0: h is now below 2^130, because a carry
	 * out of h4 leaves a small number behind.  A second pass from h0 to
	 * h4 then leaves every limb below 2^26.
	 */
	h2 += h1 >> 26;
	h1 &= LIMB;
	h3 += h2 >> 26;
	h2 &= LIMB;
	h4 += h3 >> 26;
	h3 &= LIMB;
	h0 += (h4 >> 26) * 5;
	h4 &= LIMB;
	h1 += h0 >> 26;
	h0 &= LIMB;
	h2 += h1 >> 26;
	h1 &= LIMB;
	h3 += h2 >> 26;
	h2 &= LIMB;
	h4 += h3 >> 26;
	h3 &= LIMB;

	/* g = h + 5 - 2^130 = h - p; h < 2^130 < 2p, so one p at most. */
	g0 = h0 + 5;
	g1 = h1 + (g0 >> 26);
	g0 &= LIMB;
	g2 = h2 + (g1 >> 26);
	g1 &= LIMB;
	g3 = h3 + (g2 >> 26);
	g2 &= LIMB;
	g4 = h4 + (g3 >> 26) - ((uint32_t)1 << 26);
	g3 &= LIMB;

	/* g4 wrapped below zero exactly when h < p: then keep h. */
	mask = (g4 >> 31) - 1;		/* all ones to take g */
	h0 = (h0 & ~mask) | (g0 & mask);
	h1 = (h1 & ~mask) | (g1 & mask);
	h2 = (h2 & ~mask) | (g2 & mask);
	h3 = (h3 & ~mask) | (g3 & mask);
	h4 = (h4 & ~mask) | (g4 & mask);

	/* tag = (h + s) mod 2^128, from limbs to 32-bit words. */
	f = (uint64_t)(h0 | h1 << 26) + c->pad[0];
	store32_le(tag, (uint32_t)f);
	f = (uint64_t)(h1 >> 6 | h2 << 20) + c->pad[1] + (f >> 32);
	store32_le(tag + 4, (uint32_t)f);
	f = (uint64_t)(h2 >> 12 | h3 << 14) + c->pad[2] + (f >> 32);
	store32_le(tag + 8, (uint32_t)f);
	f = (uint64_t)(h3 >> 18 | h4 << 8) + c->pad[3] + (f >> 32);
	store32_le(tag + 12, (uint32_t)f);

	ct_wipe(c, sizeof(*c));
}

void
poly1305(unsigned char tag[POLY1305_TAG], const void *data, size_t len,
    const unsigned char key[POLY1305_KEY])
{
	struct poly1305 c;

	poly1305_init(&c, key);
	poly1305_update(&c, data, len);
	poly1305_final(&c, tag);
}
