/*
 * x25519: the Diffie-Hellman function of RFC 7748 over Curve25519.
 *
 * The contract is in include/x25519.h.  out may be the same array as
 * scalar or point: both are read in full before out is written.
 *
 * A field element of GF(2^255 - 19) is ten signed limbs in radix 2^25.5:
 * limb i starts at bit ceil(25.5 i) and is 26 bits wide when i is even, 25
 * when it is odd.  A product of two limbs is an int64_t: nothing wider
 * than 64 bits is needed, so the code builds with any C99 compiler, tcc
 * and compilers for 32-bit machines included.  fe_carry() leaves every
 * limb within about half its width either side of zero; fe_add() and
 * fe_sub() do not carry, so their results may be up to twice that, and
 * each of them is only ever fed to a multiplication.  With such inputs a
 * multiplication sums ten products of at most 2^26 * 2^26 * 38, below
 * 2^61: no int64_t overflows.
 *
 * Constant time: the ladder swaps its two points with a mask, never a
 * branch; the only branches and array indexes are on loop counters and on
 * the bits of the public exponent p - 2.  The inverse is z^(p - 2), not a
 * variable-time Euclid.  The code assumes what every compiler we target
 * does, that >> of a negative integer shifts in copies of the sign bit;
 * fe_carry() refuses to compile elsewhere.  A negative number is never
 * shifted left, which C leaves undefined: it is multiplied instead.
 *
 * Every field element of the ladder, and the clamped copy of the scalar,
 * lives in one struct that is wiped before return.  The temporaries of a
 * single multiplication (its 64-bit sums, the scaled copies of its inputs)
 * are not: each call's frame is overwritten by the next, and wiping them
 * in every call would make x25519() some 70% slower.
 */
#include <stdint.h>
#include <string.h>

#include "ct.h"
#include "x25519.h"

#define NLIMB		10
#define LIMB_POS(i)	((51 * (i) + 1) / 2)	/* ceil(25.5 i) */
#define LIMB_BITS(i)	((i) % 2 == 0 ? 26 : 25)
#define A24		121665			/* (486662 - 2) / 4 */

/* Everything secret that x25519() computes, so that one wipe clears it. */
struct ladder {
	unsigned char	k[X25519_SIZE];		/* the clamped scalar */
	int32_t		x1[NLIMB];		/* the point */
	int32_t		x2[NLIMB], z2[NLIMB];	/* (x2 : z2) = n * x1 */
	int32_t		x3[NLIMB], z3[NLIMB];	/* (x3 : z3) = (n + 1) * x1 */
	int32_t		a[NLIMB], b[NLIMB], c[NLIMB], d[NLIMB], e[NLIMB];
};

/*
 * Read 255 bits, little-endian; the top bit of s[31] falls outside limb 9
 * and is ignored.  A value from p to 2^255 - 1 is kept as it is: the
 * arithmetic works modulo p, so it acts as its reduction, as RFC 7748 asks.
 * Each limb lies within the four bytes from its first one.
 */
static void
fe_load(int32_t h[NLIMB], const unsigned char s[X25519_SIZE])
{
	const unsigned char *p;
	uint32_t w;
	int i;

	for (i = 0; i < NLIMB; i++) {
		p = s + LIMB_POS(i) / 8;
		w = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		w >>= LIMB_POS(i) % 8;
		h[i] = (int32_t)(w & (((uint32_t)1 << LIMB_BITS(i)) - 1));
	}
}

/*
 * Round limb i of t to its width and pass the carry up; the carry out of
 * limb 9 is worth 2^255 = 19 and goes to limb 0.
 */
static void
carry_limb(int64_t t[NLIMB], int i)
{
	int64_t c;

	c = (t[i] + ((int64_t)1 << (LIMB_BITS(i) - 1))) >> LIMB_BITS(i);
	t[i] -= c * ((int64_t)1 << LIMB_BITS(i));
	if (i < NLIMB - 1)
		t[i + 1] += c;
	else
		t[0] += 19 * c;
}

/*
 * h = t with every limb brought back near zero.  Two chains, limbs 0 to 4
 * and 4 to 9, are interleaved so that the processor can run them side by
 * side; then 9 goes into 0, and 0 into 1.  Limbs end within [-2^25, 2^25]
 * when even and [-2^24, 2^24] when odd, limbs 1 and 5 a little more.
 */
static void
fe_carry(int32_t h[NLIMB], int64_t t[NLIMB])
{
	int i;

	/* (t + 2^25) >> 26 must round toward minus infinity. */
	(void)sizeof(char[(-1 >> 1) == -1 ? 1 : -1]);

	carry_limb(t, 0);
	carry_limb(t, 4);
	carry_limb(t, 1);
	carry_limb(t, 5);
	carry_limb(t, 2);
	carry_limb(t, 6);
	carry_limb(t, 3);
	carry_limb(t, 7);
	carry_limb(t, 4);
	carry_limb(t, 8);
	carry_limb(t, 9);
	carry_limb(t, 0);
	for (i = 0; i < NLIMB; i++)
		h[i] = (int32_t)t[i];
}

/*
 * h = f * g; h may be f or g.  Limbs i and j make a term of weight
 * 2^(25.5 (i + j)), times 2 when both are odd (each of their weights was
 * rounded up by half a bit), and times 19 when i + j reaches ten limbs,
 * since 2^255 = 19 mod p.  Limb k of the product sums the terms with
 * i + j = k, then those with i + j = k + 10, which take g times 19.  Both
 * limbs are odd only when k is even, and then i is odd just when j is: so
 * for even k, f is read with its odd limbs doubled.
 */
static void
fe_mul(int32_t h[NLIMB], const int32_t f[NLIMB], const int32_t g[NLIMB])
{
	int64_t t[NLIMB], acc;
	int32_t f2[NLIMB], g19[NLIMB];
	const int32_t *fk;
	int i, k;

	for (i = 0; i < NLIMB; i++) {
		f2[i] = i % 2 == 1 ? 2 * f[i] : f[i];
		g19[i] = 19 * g[i];
	}
	for (k = 0; k < NLIMB; k++) {
		fk = k % 2 == 0 ? f2 : f;
		acc = 0;
		for (i = 0; i <= k; i++)
			acc += (int64_t)fk[i] * g[k - i];
		for (; i < NLIMB; i++)
			acc += (int64_t)fk[i] * g19[k + NLIMB - i];
		t[k] = acc;
	}
	fe_carry(h, t);
}

/*
 * h = f^2; h may be f.  fe_mul() with g = f, where the terms of i and j
 * and of j and i are equal: each pair is counted once and doubled, and
 * only the terms with i = j, when k is even, are not.
 */
static void
fe_sq(int32_t h[NLIMB], const int32_t f[NLIMB])
{
	int64_t t[NLIMB], acc;
	int32_t f2[NLIMB], f19[NLIMB];
	const int32_t *fk;
	int i, k;

	for (i = 0; i < NLIMB; i++) {
		f2[i] = i % 2 == 1 ? 2 * f[i] : f[i];
		f19[i] = 19 * f[i];
	}
	for (k = 0; k < NLIMB; k++) {
		fk = k % 2 == 0 ? f2 : f;
		acc = 0;
		for (i = 0; i < k - i; i++)
			acc += (int64_t)fk[i] * f[k - i];
		for (i = k + 1; i < k + NLIMB - i; i++)
			acc += (int64_t)fk[i] * f19[k + NLIMB - i];
		acc *= 2;
		if (k % 2 == 0)
			acc += (int64_t)fk[k / 2] * f[k / 2] +
			    (int64_t)fk[k / 2 + 5] * f19[k / 2 + 5];
		t[k] = acc;
	}
	fe_carry(h, t);
}

/* h = f * n for a small constant n. */
static void
fe_mul_small(int32_t h[NLIMB], const int32_t f[NLIMB], int32_t n)
{
	int64_t t[NLIMB];
	int i;

	for (i = 0; i < NLIMB; i++)
		t[i] = (int64_t)f[i] * n;
	fe_carry(h, t);
}

static void
fe_add(int32_t h[NLIMB], const int32_t f[NLIMB], const int32_t g[NLIMB])
{
	int i;

	for (i = 0; i < NLIMB; i++)
		h[i] = f[i] + g[i];
}

static void
fe_sub(int32_t h[NLIMB], const int32_t f[NLIMB], const int32_t g[NLIMB])
{
	int i;

	for (i = 0; i < NLIMB; i++)
		h[i] = f[i] - g[i];
}

/* h = n, for a small n. */
static void
fe_set(int32_t h[NLIMB], int32_t n)
{
	int i;

	h[0] = n;
	for (i = 1; i < NLIMB; i++)
		h[i] = 0;
}

/* Exchange f and g when bit is 1, leave them when it is 0, alike in time. */
static void
fe_cswap(int32_t f[NLIMB], int32_t g[NLIMB], int32_t bit)
{
	int32_t mask = -bit, x;
	int i;

	for (i = 0; i < NLIMB; i++) {
		x = mask & (f[i] ^ g[i]);
		f[i] ^= x;
		g[i] ^= x;
	}
}

/*
 * h = z^(p - 2), which is 1 / z, or 0 when z is 0.  Square and multiply
 * over the bits of p - 2 = 2^255 - 21: bits 254 to 0 are all set but 4
 * and 2.  The exponent is public, so branching on its bits leaks nothing.
 * h may be z.
 */
static void
fe_invert(int32_t h[NLIMB], const int32_t z[NLIMB])
{
	int32_t t[NLIMB];
	int i;

	memcpy(t, z, sizeof(t));
	for (i = 253; i >= 0; i--) {
		fe_sq(t, t);
		if (i != 4 && i != 2)
			fe_mul(t, t, z);
	}
	memcpy(h, t, sizeof(t));
	ct_wipe(t, sizeof(t));
}

/*
 * Write f, reduced to its one value in [0, p), little-endian.  Carried
 * limbs keep |f| below about 2^254, so q = floor(f / p) is 0, or -1 when
 * f is negative.  Since f - q p = f + 19 q - q 2^255, q is the carry out
 * of limb 9 when f + 19 q is carried with floor shifts; any addend from
 * 19 q to 19 q + 19 gives that same carry, and 19 f[9] / 2^25, rounded,
 * is one (0 to 10 for f >= 0, -9 to 0 below).  So carry f plus that to
 * find q, then carry f + 19 q, which leaves every limb within its width,
 * and drop the carry out of limb 9: what remains is f - q p.
 */
static void
fe_store(unsigned char s[X25519_SIZE], const int32_t f[NLIMB])
{
	int32_t h[NLIMB], q, c;
	uint32_t w;
	unsigned char *p;
	int i;

	q = (19 * f[9] + ((int32_t)1 << 24)) >> 25;
	for (i = 0; i < NLIMB; i++)
		q = (f[i] + q) >> LIMB_BITS(i);
	memcpy(h, f, sizeof(h));
	h[0] += 19 * q;
	for (i = 0; i < NLIMB; i++) {
		c = h[i] >> LIMB_BITS(i);
		h[i] -= c * ((int32_t)1 << LIMB_BITS(i));
		if (i < NLIMB - 1)
			h[i + 1] += c;
	}

	memset(s, 0, X25519_SIZE);
	for (i = 0; i < NLIMB; i++) {
		w = (uint32_t)h[i] << LIMB_POS(i) % 8;
		p = s + LIMB_POS(i) / 8;
		p[0] |= (unsigned char)w;
		p[1] |= (unsigned char)(w >> 8);
		p[2] |= (unsigned char)(w >> 16);
		p[3] |= (unsigned char)(w >> 24);
	}
	ct_wipe(h, sizeof(h));
}

/*
 * One rung of the ladder, in the words of RFC 7748 section 5:
 * (x2 : z2) doubles, (x3 : z3) becomes their sum, whose difference is x1.
 */
static void
ladder_step(struct ladder *l)
{
	fe_add(l->a, l->x2, l->z2);		/* A = x2 + z2 */
	fe_sub(l->b, l->x2, l->z2);		/* B = x2 - z2 */
	fe_add(l->c, l->x3, l->z3);		/* C = x3 + z3 */
	fe_sub(l->d, l->x3, l->z3);		/* D = x3 - z3 */
	fe_mul(l->d, l->d, l->a);		/* DA = D * A */
	fe_mul(l->c, l->c, l->b);		/* CB = C * B */
	fe_add(l->x3, l->d, l->c);
	fe_sq(l->x3, l->x3);			/* x3 = (DA + CB)^2 */
	fe_sub(l->z3, l->d, l->c);
	fe_sq(l->z3, l->z3);
	fe_mul(l->z3, l->z3, l->x1);		/* z3 = x1 * (DA - CB)^2 */
	fe_sq(l->a, l->a);			/* AA = A^2 */
	fe_sq(l->b, l->b);			/* BB = B^2 */
	fe_mul(l->x2, l->a, l->b);		/* x2 = AA * BB */
	fe_sub(l->e, l->a, l->b);		/* E = AA - BB */
	fe_mul_small(l->z2, l->e, A24);
	fe_add(l->z2, l->z2, l->a);
	fe_mul(l->z2, l->z2, l->e);		/* z2 = E * (AA + a24 * E) */
}

int
x25519(unsigned char out[X25519_SIZE], const unsigned char scalar[X25519_SIZE],
    const unsigned char point[X25519_SIZE])
{
	struct ladder l;
	int32_t swap = 0, bit;
	int i;

	memcpy(l.k, scalar, X25519_SIZE);
	l.k[0] &= 248;
	l.k[31] &= 127;
	l.k[31] |= 64;
	fe_load(l.x1, point);
	fe_set(l.x2, 1);
	fe_set(l.z2, 0);
	memcpy(l.x3, l.x1, sizeof(l.x3));
	fe_set(l.z3, 1);

	/* swap says whether the two points are held exchanged. */
	for (i = 254; i >= 0; i--) {
		bit = (l.k[i / 8] >> (i % 8)) & 1;
		swap ^= bit;
		fe_cswap(l.x2, l.x3, swap);
		fe_cswap(l.z2, l.z3, swap);
		swap = bit;
		ladder_step(&l);
	}
	fe_cswap(l.x2, l.x3, swap);
	fe_cswap(l.z2, l.z3, swap);

	fe_invert(l.z2, l.z2);
	fe_mul(l.x2, l.x2, l.z2);
	fe_store(out, l.x2);
	ct_wipe(&l, sizeof(l));
	return ct_is_zero(out, X25519_SIZE) ? -1 : 0;
}

/*
 * The base point 9 has a prime order near 2^252.  A clamped scalar, a
 * multiple of 8 from 2^254 to 2^255, is never a multiple of that order,
 * so the result is never zero.
 */
void
x25519_public(unsigned char out[X25519_SIZE],
    const unsigned char scalar[X25519_SIZE])
{
	static const unsigned char base[X25519_SIZE] = { 9 };

	(void)x25519(out, scalar, base);
}
