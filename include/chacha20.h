/*
 * chacha20: the ChaCha20 stream cipher of RFC 8439 (section 2.4): a 256-bit
 * key, a 96-bit nonce and a 32-bit block counter.
 *
 * Pure and constant time: additions, rotations and xors only, no branch or
 * index on the key or the data.  The key stream is wiped before return.
 */
#ifndef KAIPEER_CHACHA20_H
#define KAIPEER_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY	32
#define CHACHA20_NONCE	12
#define CHACHA20_BLOCK	64

/* One 64-byte block of key stream (RFC 8439, 2.3). */
void	chacha20_block(unsigned char out[CHACHA20_BLOCK],
	    const unsigned char key[CHACHA20_KEY], uint32_t counter,
	    const unsigned char nonce[CHACHA20_NONCE]);

/*
 * out = in xor the key stream starting at block counter; in and out may be
 * the same buffer, but must not otherwise overlap.  len must keep the
 * counter from wrapping (256 GiB).
 */
void	chacha20_xor(unsigned char *out, const unsigned char *in, size_t len,
	    const unsigned char key[CHACHA20_KEY], uint32_t counter,
	    const unsigned char nonce[CHACHA20_NONCE]);

#endif
