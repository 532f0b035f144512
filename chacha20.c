/*
 * chacha20: the ChaCha20 stream cipher of RFC 8439.
 *
 * The contract is in include/chacha20.h.  The state is sixteen words:
 * four constants, eight key words, the block counter and three nonce
 * words.  core() runs the 20 rounds on a copy and adds the input back
 * (RFC 8439, 2.3).  chacha20_xor() xors whole 64-byte blocks word by word
 * straight from in to out, reading each word before writing the same word,
 * so in == out is safe; only a last partial block goes through a buffer.
 * Only additions, xors and fixed rotations touch the key, so the time
 * depends on the length alone.  Key stream and state are wiped before
 * return.
 */
#include <stddef.h>
#include <stdint.h>

#include "chacha20.h"
#include "ct.h"

static uint32_t
rol32(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

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

/* RFC 8439, 2.1. */
#define QUARTER(a, b, c, d) do {				\
	a += b; d ^= a; d = rol32(d, 16);			\
	c += d; b ^= c; b = rol32(b, 12);			\
	a += b; d ^= a; d = rol32(d, 8);			\
	c += d; b ^= c; b = rol32(b, 7);			\
} while (0)

/* RFC 8439, 2.3: the state with its constants, key, counter and nonce. */
static void
setup(uint32_t s[16], const unsigned char key[CHACHA20_KEY], uint32_t counter,
    const unsigned char nonce[CHACHA20_NONCE])
{
	int i;

	s[0] = 0x61707865;	/* "expand 32-byte k" */
	s[1] = 0x3320646e;
	s[2] = 0x79622d32;
	s[3] = 0x6b206574;
	for (i = 0; i < 8; i++)
		s[4 + i] = load32_le(key + 4 * i);
	s[12] = counter;
	for (i = 0; i < 3; i++)
		s[13 + i] = load32_le(nonce + 4 * i);
}

/* x = the key stream block of state s: 20 rounds, then s added back. */
static void
core(uint32_t x[16], const uint32_t s[16])
{
	int i;

	for (i = 0; i < 16; i++)
		x[i] = s[i];
	for (i = 0; i < 10; i++) {
		QUARTER(x[0], x[4], x[8], x[12]);	/* columns */
		QUARTER(x[1], x[5], x[9], x[13]);
		QUARTER(x[2], x[6], x[10], x[14]);
		QUARTER(x[3], x[7], x[11], x[15]);
		QUARTER(x[0], x[5], x[10], x[15]);	/* diagonals */
		QUARTER(x[1], x[6], x[11], x[12]);
		QUARTER(x[2], x[7], x[8], x[13]);
		QUARTER(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++)
		x[i] += s[i];
}

void
chacha20_block(unsigned char out[CHACHA20_BLOCK],
    const unsigned char key[CHACHA20_KEY], uint32_t counter,
    const unsigned char nonce[CHACHA20_NONCE])
{
	uint32_t s[16], x[16];
	int i;

	setup(s, key, counter, nonce);
	core(x, s);
	for (i = 0; i < 16; i++)
		store32_le(out + 4 * i, x[i]);
	ct_wipe(s, sizeof(s));
	ct_wipe(x, sizeof(x));
}

void
chacha20_xor(unsigned char *out, const unsigned char *in, size_t len,
    const unsigned char key[CHACHA20_KEY], uint32_t counter,
    const unsigned char nonce[CHACHA20_NONCE])
{
	uint32_t s[16], x[16];
	unsigned char last[CHACHA20_BLOCK];
	size_t i;

	if (len == 0)
		return;
	setup(s, key, counter, nonce);
	for (; len >= CHACHA20_BLOCK; len -= CHACHA20_BLOCK) {
		core(x, s);
		for (i = 0; i < 16; i++)
			store32_le(out + 4 * i, load32_le(in + 4 * i) ^ x[i]);
		s[12]++;
		in += CHACHA20_BLOCK;
		out += CHACHA20_BLOCK;
	}
	if (len > 0) {
		core(x, s);
		for (i = 0; i < 16; i++)
			store32_le(last + 4 * i, x[i]);
		for (i = 0; i < len; i++)
			out[i] = in[i] ^ last[i];
		ct_wipe(last, sizeof(last));
	}
	ct_wipe(s, sizeof(s));
	ct_wipe(x, sizeof(x));
}
