/*
 * seal: sealed frames (contract in include/seal.h).
 *
 * Moving the inner type byte behind the payload lets a frame be sealed
 * where it was encoded: the payload does not move, the byte at offset 4
 * becomes SEALED, and the tag goes after the end.
 */
#include <string.h>

#include "seal.h"

static void
put_u32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static unsigned long
get_u32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	    (unsigned long)p[2] << 8 | p[3];
}

/* Rekey each SEAL_REKEY_EVERY frames: both ends count alike. */
static void
maybe_rekey(struct noise_cipher *c)
{
	if (c->n % SEAL_REKEY_EVERY == 0)
		noise_rekey(c);
}

long
seal_frame(struct noise_cipher *tx, unsigned char *p, size_t n)
{
	size_t plen = n - PROTO_HEADER;
	unsigned char type = p[4];

	put_u32(p, (unsigned long)(n - 4 + SEAL_OVERHEAD));
	p[4] = PROTO_SEALED;
	p[n] = type;
	if (noise_seal(tx, p, PROTO_HEADER, p + PROTO_HEADER, plen + 1,
	    p + PROTO_HEADER) == -1)
		return -1;
	maybe_rekey(tx);
	return (long)(n + SEAL_OVERHEAD);
}

long
seal_next(struct noise_cipher *rx, unsigned char *buf, size_t avail,
    size_t max_frame, struct proto_frame *f, size_t *size)
{
	unsigned long length;
	size_t body;

	if (avail < PROTO_HEADER)
		return PROTO_PARTIAL;
	length = get_u32(buf);
	if (length == 0)
		return PROTO_EEMPTY;
	if (buf[4] != PROTO_SEALED) {
		/* A clear frame: the caller's plain limit applies. */
		if (length > max_frame)
			return PROTO_ETOOBIG;
		if (avail - 4 < length)
			return PROTO_PARTIAL;
		f->type = buf[4];
		f->payload = buf + PROTO_HEADER;
		f->len = length - 1;
		*size = 4 + length;
		return SEAL_ECLEAR;
	}
	if (length < 1 + SEAL_OVERHEAD)
		return SEAL_EFORGED;	/* no room for a type and a tag */
	if (length - SEAL_OVERHEAD > max_frame)
		return PROTO_ETOOBIG;
	if (avail - 4 < length)
		return PROTO_PARTIAL;
	body = length - 1;		/* ciphertext and tag */
	if (noise_open(rx, buf, PROTO_HEADER, buf + PROTO_HEADER, body,
	    buf + PROTO_HEADER) == -1)
		return SEAL_EFORGED;
	maybe_rekey(rx);
	f->len = body - NOISE_TAG - 1;
	f->type = buf[PROTO_HEADER + f->len];
	f->payload = buf + PROTO_HEADER;
	*size = 4 + length;
	return (long)(4 + length);
}
