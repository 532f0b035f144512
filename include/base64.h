/*
 * base64: the standard alphabet of RFC 4648 (with '=' padding), as keys are
 * written in config files and printed to users.
 *
 * Constant time in the bytes coded: private keys go through it, so neither
 * encoding nor decoding looks anything up in a table or branches on a
 * character's value; only the lengths decide the work done.  Pure.
 */
#ifndef KAIPEER_BASE64_H
#define KAIPEER_BASE64_H

#include <stddef.h>

/* The length of the text for n bytes, without the terminating NUL. */
#define BASE64_LEN(n)	(((n) + 2) / 3 * 4)

/* out[0..BASE64_LEN(len)] = the text of in[0..len), NUL-terminated. */
void	base64_encode(char *out, const unsigned char *in, size_t len);

/*
 * Decode text[0..tlen), which must be whole groups of four characters
 * with correct padding and zero pad bits, into out[0..cap).  Return the
 * number of bytes, or -1 (a character outside the alphabet, bad padding or
 * length, or more than cap bytes).
 */
long	base64_decode(unsigned char *out, size_t cap, const char *text,
	    size_t tlen);

#endif
