/*
 * sha256: SHA-256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104) and HKDF-SHA-256
 * (RFC 5869), the hash of the Noise suite kaipeer speaks.
 *
 * Pure: no I/O, no allocation, never exits.  The code has no branch and no
 * memory index that depends on the data hashed, so keys and secrets may go
 * through it.  Contexts holding a key are wiped by the *_final functions;
 * the caller wipes what it keeps.
 */
#ifndef KAIPEER_SHA256_H
#define KAIPEER_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE	32	/* bytes of a digest */
#define SHA256_BLOCK	64	/* bytes of a block */

struct sha256 {
	uint32_t	h[8];
	unsigned char	buf[SHA256_BLOCK];
	size_t		fill;		/* bytes waiting in buf */
	uint64_t	total;		/* bytes hashed so far */
};

struct hmac_sha256 {
	struct sha256	inner;
	struct sha256	outer;
};

/* Incremental SHA-256: init, update any number of times, final. */
void	sha256_init(struct sha256 *c);
void	sha256_update(struct sha256 *c, const void *data, size_t len);
void	sha256_final(struct sha256 *c, unsigned char out[SHA256_SIZE]);
/* The digest of data[0..len) in one call. */
void	sha256(unsigned char out[SHA256_SIZE], const void *data, size_t len);

/* HMAC-SHA-256 with a key of any length. */
void	hmac_sha256_init(struct hmac_sha256 *c, const void *key, size_t klen);
void	hmac_sha256_update(struct hmac_sha256 *c, const void *data, size_t len);
void	hmac_sha256_final(struct hmac_sha256 *c, unsigned char out[SHA256_SIZE]);
void	hmac_sha256(unsigned char out[SHA256_SIZE], const void *key,
	    size_t klen, const void *data, size_t len);

/*
 * HKDF (RFC 5869).  Extract: prk = HMAC(salt, ikm) (an empty salt is 32
 * zero bytes, as the RFC says).  Expand: okm[0..len) from prk and info;
 * len at most 255 * 32.  hkdf_sha256 does both.  Return 0, or -1 when len
 * is too long (nothing written).  okm may be the buffer that holds prk.
 */
void	hkdf_sha256_extract(unsigned char prk[SHA256_SIZE], const void *salt,
	    size_t slen, const void *ikm, size_t ilen);
int	hkdf_sha256_expand(unsigned char *okm, size_t len,
	    const unsigned char *prk, size_t plen, const void *info,
	    size_t ilen);
int	hkdf_sha256(unsigned char *okm, size_t len, const void *salt,
	    size_t slen, const void *ikm, size_t ilen, const void *info,
	    size_t inlen);

#endif
