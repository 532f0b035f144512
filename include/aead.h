/*
 * aead: AEAD_CHACHA20_POLY1305 of RFC 8439 (section 2.8), the cipher of the
 * Noise suite kaipeer speaks.
 *
 * aead_seal writes len bytes of ciphertext followed by the 16-byte tag;
 * aead_open checks the tag in constant time before it writes anything, and
 * writes nothing at all when the tag is wrong.  in and out may be the same
 * buffer, but must not otherwise overlap.  ad may be NULL when adlen is 0.
 * Pure; the one-time key is wiped before return.
 */
#ifndef KAIPEER_AEAD_H
#define KAIPEER_AEAD_H

#include <stddef.h>

#define AEAD_KEY	32
#define AEAD_NONCE	12
#define AEAD_TAG	16

/* out[0..len+16) = ciphertext || tag. */
void	aead_seal(unsigned char *out, const unsigned char key[AEAD_KEY],
	    const unsigned char nonce[AEAD_NONCE], const void *ad, size_t adlen,
	    const unsigned char *in, size_t len);

/*
 * in[0..len) is ciphertext || tag (len >= 16); out receives len - 16
 * bytes.  Return 0, or -1 (forged or too short: out untouched).
 */
int	aead_open(unsigned char *out, const unsigned char key[AEAD_KEY],
	    const unsigned char nonce[AEAD_NONCE], const void *ad, size_t adlen,
	    const unsigned char *in, size_t len);

#endif
