/*
 * seal: sealed records (contract in include/seal.h).
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

/* Rekey each SEAL_REKEY_EVERY records: both ends count alike. */
static void
maybe_rekey(struct noise_cipher *c)
{
	if (c->n % SEAL_REKEY_EVERY == 0)
		noise_rekey(c);
}

long
seal_record(struct noise_cipher *tx, unsigned char *out,
    const unsigned char *in, size_t len)
{
	if (len > SEAL_MAX_PLAIN)
		return -1;
	put_u32(out, (unsigned long)(1 + len + NOISE_TAG));
	out[4] = PROTO_SEALED;
	if (noise_seal(tx, out, SEAL_HEADER, in, len, out + SEAL_HEADER) == -1)
		return -1;
	maybe_rekey(tx);
	return (long)(len + SEAL_OVERHEAD);
}

long
seal_open(struct noise_cipher *rx, const unsigned char *buf, size_t avail,
    unsigned char *out, size_t *plen, size_t max_clear,
    struct proto_frame *f, size_t *size)
{
	unsigned long length;

	if (avail < SEAL_HEADER)
		return PROTO_PARTIAL;
	length = get_u32(buf);
	if (length == 0)
		return PROTO_EEMPTY;
	if (buf[4] != PROTO_SEALED) {
		/* A frame in clear: small, or not accepted at all. */
		if (length > max_clear)
			return SEAL_EFORGED;
		if (avail - 4 < length)
			return PROTO_PARTIAL;
		f->type = buf[4];
		f->payload = buf + PROTO_HEADER;
		f->len = length - 1;
		*size = 4 + length;
		return SEAL_ECLEAR;
	}
	if (length < 1 + NOISE_TAG || length > 1 + SEAL_MAX_MSG)
		return SEAL_EFORGED;	/* not a record's length */
	if (avail - 4 < length)
		return PROTO_PARTIAL;
	if (noise_open(rx, buf, SEAL_HEADER, buf + SEAL_HEADER, length - 1,
	    out) == -1)
		return SEAL_EFORGED;
	maybe_rekey(rx);
	*plen = length - 1 - NOISE_TAG;
	*size = 4 + length;
	return (long)(4 + length);
}
