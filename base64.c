/*
 * base64: constant-time base64 (contract in include/base64.h).
 *
 * Instead of a table, a 6-bit value becomes a character through masks that
 * are all ones or all zeros: mask_lt(a, b) is made from the sign bit of
 * a - b, with no comparison the compiler could turn into a branch.
 */
#include "base64.h"

/* All ones when a < b, else 0 (a and b small: no overflow). */
static unsigned
mask_lt(int a, int b)
{
	return 0u - ((unsigned)(a - b) >> (sizeof(unsigned) * 8 - 1));
}

static unsigned
mask_in(int c, int lo, int hi)
{
	return ~mask_lt(c, lo) & ~mask_lt(hi, c);
}

static char
enc6(unsigned v)
{
	int d = (int)(v & 63);
	unsigned r = (unsigned)d + 'A';

	r += mask_lt(25, d) & 6;		/* 26..51: 'a'.. */
	r -= mask_lt(51, d) & 75;		/* 52..61: '0'.. */
	r -= mask_lt(61, d) & 15;		/* 62: '+' */
	r += mask_lt(62, d) & 3;		/* 63: '/' */
	return (char)(r & 0xff);
}

/* The value of c, and *bad |= all ones when c is not in the alphabet. */
static unsigned
dec6(int c, unsigned *bad)
{
	unsigned m, r = 0, ok = 0;

	m = mask_in(c, 'A', 'Z');
	r |= m & (unsigned)(c - 'A');
	ok |= m;
	m = mask_in(c, 'a', 'z');
	r |= m & (unsigned)(c - 'a' + 26);
	ok |= m;
	m = mask_in(c, '0', '9');
	r |= m & (unsigned)(c - '0' + 52);
	ok |= m;
	m = mask_in(c, '+', '+');
	r |= m & 62;
	ok |= m;
	m = mask_in(c, '/', '/');
	r |= m & 63;
	ok |= m;
	*bad |= ~ok;
	return r & 63;
}

void
base64_encode(char *out, const unsigned char *in, size_t len)
{
	unsigned long v;
	size_t i, o = 0;

	for (i = 0; i + 3 <= len; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = enc6((unsigned)(v >> 18));
		out[o++] = enc6((unsigned)(v >> 12));
		out[o++] = enc6((unsigned)(v >> 6));
		out[o++] = enc6((unsigned)v);
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[o++] = enc6((unsigned)(v >> 18));
		out[o++] = enc6((unsigned)(v >> 12));
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		out[o++] = enc6((unsigned)(v >> 18));
		out[o++] = enc6((unsigned)(v >> 12));
		out[o++] = enc6((unsigned)(v >> 6));
		out[o++] = '=';
	}
	out[o] = '\0';
}

long
base64_decode(unsigned char *out, size_t cap, const char *text, size_t tlen)
{
	unsigned long v;
	unsigned bad = 0;
	size_t i, o = 0, pad = 0, n;

	if (tlen % 4 != 0)
		return -1;
	/* The padding is public: its length is the data's length. */
	if (tlen > 0 && text[tlen - 1] == '=')
		pad = text[tlen - 2] == '=' ? 2 : 1;
	n = tlen / 4 * 3 - pad;
	if (n > cap)
		return -1;
	for (i = 0; i < tlen; i += 4) {
		int last = i + 4 == tlen;
		int k, chars = last ? 4 - (int)pad : 4;

		v = 0;
		for (k = 0; k < 4; k++) {
			v <<= 6;
			if (k < chars)
				v |= dec6((unsigned char)text[i + k], &bad);
			else if (text[i + k] != '=')
				return -1;
		}
		out[o++] = (unsigned char)(v >> 16);
		if (chars > 2)
			out[o++] = (unsigned char)(v >> 8);
		if (chars > 3)
			out[o++] = (unsigned char)v;
		/* The bits under the padding must be zero (canonical). */
		if (chars == 2)
			bad |= 0u - (unsigned)((v & 0xffff) != 0);
		else if (chars == 3)
			bad |= 0u - (unsigned)((v & 0xff) != 0);
	}
	return bad ? -1 : (long)n;
}
