/*
 * poly1305: the one-time authenticator of RFC 8439 (section 2.5).  A key is
 * used for one message only; the AEAD derives a fresh one per message.
 *
 * Pure and constant time: limb arithmetic with no branch or index on the
 * key or the message.  The context is wiped by poly1305_final.
 */
#ifndef KAIPEER_POLY1305_H
#define KAIPEER_POLY1305_H

#include <stddef.h>
#include <stdint.h>

#define POLY1305_KEY	32
#define POLY1305_TAG	16

struct poly1305 {
	uint32_t	r[5], h[5], pad[4];
	unsigned char	buf[16];
	size_t		fill;
};

void	poly1305_init(struct poly1305 *c, const unsigned char key[POLY1305_KEY]);
void	poly1305_update(struct poly1305 *c, const void *data, size_t len);
void	poly1305_final(struct poly1305 *c, unsigned char tag[POLY1305_TAG]);
void	poly1305(unsigned char tag[POLY1305_TAG], const void *data, size_t len,
	    const unsigned char key[POLY1305_KEY]);

#endif
