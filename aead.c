/*
 * aead: AEAD_CHACHA20_POLY1305 of RFC 8439, section 2.8.
 *
 * The contract is in include/aead.h.  The Poly1305 key is the first half
 * of key stream block 0; the message is encrypted from block 1 on.  The
 * tag covers ad, zeros to a multiple of 16, the ciphertext, zeros to a
 * multiple of 16, and the two lengths as 64-bit little-endian numbers.
 *
 * aead_seal() encrypts and authenticates in chunks of a few kilobytes, so
 * that Poly1305 reads the ciphertext while it is still in the cache.
 * aead_open() authenticates the whole ciphertext first and compares the
 * tags with ct_compare(); only a message that passes is decrypted, so a
 * forgery leaves out as it was.  in == out is fine for both: each byte of
 * in is read before the same byte of out is written, and never after.
 */
#include <stddef.h>
#include <stdint.h>

#include "aead.h"
#include "chacha20.h"
#include "ct.h"
#include "poly1305.h"

#define CHUNK	(64 * CHACHA20_BLOCK)	/* bytes sealed per pass */

static const unsigned char zeros[16];

/* The one-time key from block 0, and the ad with its padding. */
static void
mac_start(struct poly1305 *p, const unsigned char key[AEAD_KEY],
    const unsigned char nonce[AEAD_NONCE], const void *ad, size_t adlen)
{
	unsigned char block[CHACHA20_BLOCK];

	chacha20_block(block, key, 0, nonce);
	poly1305_init(p, block);
	ct_wipe(block, sizeof(block));
	if (adlen > 0)
		poly1305_update(p, ad, adlen);
	poly1305_update(p, zeros, (16 - adlen % 16) % 16);
}

static void
store64_le(unsigned char *p, uint64_t x)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(x >> (8 * i));
}

/* The ciphertext's padding and both lengths, then the tag. */
static void
mac_finish(struct poly1305 *p, size_t adlen, size_t len,
    unsigned char tag[AEAD_TAG])
{
	unsigned char lengths[16];

	poly1305_update(p, zeros, (16 - len % 16) % 16);
	store64_le(lengths, (uint64_t)adlen);
	store64_le(lengths + 8, (uint64_t)len);
	poly1305_update(p, lengths, sizeof(lengths));
	poly1305_final(p, tag);
}

void
aead_seal(unsigned char *out, const unsigned char key[AEAD_KEY],
    const unsigned char nonce[AEAD_NONCE], const void *ad, size_t adlen,
    const unsigned char *in, size_t len)
{
	struct poly1305 p;
	size_t off, n;

	mac_start(&p, key, nonce, ad, adlen);
	for (off = 0; off < len; off += n) {
		n = len - off < CHUNK ? len - off : CHUNK;
		chacha20_xor(out + off, in + off, n, key,
		    (uint32_t)(1 + off / CHACHA20_BLOCK), nonce);
		poly1305_update(&p, out + off, n);
	}
	mac_finish(&p, adlen, len, out + len);
}

int
aead_open(unsigned char *out, const unsigned char key[AEAD_KEY],
    const unsigned char nonce[AEAD_NONCE], const void *ad, size_t adlen,
    const unsigned char *in, size_t len)
{
	struct poly1305 p;
	unsigned char tag[AEAD_TAG];
	int bad;

	if (len < AEAD_TAG)
		return -1;
	len -= AEAD_TAG;
	mac_start(&p, key, nonce, ad, adlen);
	if (len > 0)
		poly1305_update(&p, in, len);
	mac_finish(&p, adlen, len, tag);
	bad = ct_compare(tag, in + len, AEAD_TAG);
	ct_wipe(tag, sizeof(tag));
	if (bad != 0)
		return -1;
	chacha20_xor(out, in, len, key, 1, nonce);
	return 0;
}
