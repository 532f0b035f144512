/*
 * x25519: the Diffie-Hellman function of RFC 7748 over Curve25519.
 *
 * Pure and constant time: a Montgomery ladder with conditional swaps by
 * mask, field arithmetic with no branch or index on the scalar or the
 * point.  Scalars are clamped as the RFC says; the high bit of the point is
 * ignored.  Intermediate values are wiped before return.
 */
#ifndef KAIPEER_X25519_H
#define KAIPEER_X25519_H

#define X25519_SIZE	32

/*
 * out = scalar * point (the u-coordinate).  Return 0, or -1 when the result
 * is all zero (a point of small order): the caller must then refuse the
 * peer, as Noise and RFC 7748 section 6.1 advise.  out is written either way.
 */
int	x25519(unsigned char out[X25519_SIZE],
	    const unsigned char scalar[X25519_SIZE],
	    const unsigned char point[X25519_SIZE]);

/* out = scalar * 9, the public key of a private scalar. */
void	x25519_public(unsigned char out[X25519_SIZE],
	    const unsigned char scalar[X25519_SIZE]);

#endif
