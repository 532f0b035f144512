/*
 * wire: the readers and writers of big-endian fields that the frame codecs
 * (proto.c, frames.c) share.  Pure, bounded: a reader never reads past its
 * payload and a writer never past its buffer; each returns -1 rather than
 * overstep.  Included by the codecs only: these are static inline
 * functions, not an API.
 */
#ifndef KAIPEER_WIRE_H
#define KAIPEER_WIRE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LEN_BYTES	4		/* the length field of every frame */
#define U16_MAX		0xffffu
#define U32_MAX		0xffffffffu

struct reader {
	const unsigned char *p;
	size_t		 len;
	size_t		 pos;
};

struct writer {
	unsigned char	*p;
	size_t		 size;
	size_t		 pos;
};

/*
 * The largest length field we accept or produce: what a u32 holds, less if
 * 4 + length would not fit a long (the return type) or a size_t.
 */
static inline size_t
length_max(void)
{
	uintmax_t m = U32_MAX;

	if ((uintmax_t)LONG_MAX - LEN_BYTES < m)
		m = (uintmax_t)LONG_MAX - LEN_BYTES;
	if ((uintmax_t)SIZE_MAX - LEN_BYTES < m)
		m = (uintmax_t)SIZE_MAX - LEN_BYTES;
	return (size_t)m;
}

static inline size_t
rd_left(const struct reader *r)
{
	return r->len - r->pos;
}

static inline int
rd_u8(struct reader *r, unsigned *v)
{
	if (rd_left(r) < 1)
		return -1;
	*v = r->p[r->pos];
	r->pos += 1;
	return 0;
}

static inline int
rd_u16(struct reader *r, unsigned *v)
{
	if (rd_left(r) < 2)
		return -1;
	*v = (unsigned)r->p[r->pos] << 8 | r->p[r->pos + 1];
	r->pos += 2;
	return 0;
}

static inline int
rd_u32(struct reader *r, uint32_t *v)
{
	const unsigned char *b;

	if (rd_left(r) < 4)
		return -1;
	b = r->p + r->pos;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3];
	r->pos += 4;
	return 0;
}

static inline int
rd_u64(struct reader *r, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (rd_left(r) < 8)
		return -1;
	for (i = 0; i < 8; i++)
		x = x << 8 | r->p[r->pos + i];
	*v = x;
	r->pos += 8;
	return 0;
}

static inline int
rd_bytes(struct reader *r, const unsigned char **out, size_t n)
{
	if (rd_left(r) < n)
		return -1;
	*out = r->p + r->pos;
	r->pos += n;
	return 0;
}

/* The rest of the payload, possibly empty, as text. */
static inline void
rd_rest(struct reader *r, const char **text, size_t *len)
{
	*text = (const char *)(r->p + r->pos);
	*len = rd_left(r);
	r->pos = r->len;
}

/*
 * Writers check their bound too, although the encoders have sized the
 * frame already: a mistake in that arithmetic then costs a -1, not memory.
 */
static inline int
wr_u8(struct writer *w, unsigned v)
{
	if (w->size - w->pos < 1)
		return -1;
	w->p[w->pos++] = (unsigned char)(v & 0xff);
	return 0;
}

static inline int
wr_u16(struct writer *w, unsigned v)
{
	if (w->size - w->pos < 2)
		return -1;
	w->p[w->pos++] = (unsigned char)(v >> 8 & 0xff);
	w->p[w->pos++] = (unsigned char)(v & 0xff);
	return 0;
}

static inline int
wr_u32(struct writer *w, uint32_t v)
{
	if (w->size - w->pos < 4)
		return -1;
	w->p[w->pos++] = (unsigned char)(v >> 24 & 0xff);
	w->p[w->pos++] = (unsigned char)(v >> 16 & 0xff);
	w->p[w->pos++] = (unsigned char)(v >> 8 & 0xff);
	w->p[w->pos++] = (unsigned char)(v & 0xff);
	return 0;
}

static inline int
wr_u64(struct writer *w, uint64_t v)
{
	int shift;

	if (w->size - w->pos < 8)
		return -1;
	for (shift = 56; shift >= 0; shift -= 8)
		w->p[w->pos++] = (unsigned char)(v >> shift & 0xff);
	return 0;
}

static inline int
wr_bytes(struct writer *w, const void *src, size_t n)
{
	if (w->size - w->pos < n)
		return -1;
	if (n > 0)		/* memcpy(dst, NULL, 0) is undefined */
		memcpy(w->p + w->pos, src, n);
	w->pos += n;
	return 0;
}

/*
 * Start a frame whose payload has fixed bytes of fields then var bytes of
 * text: check that it fits, then write length and type.  Returns 0, or -1
 * with nothing written.
 */
static inline int
wr_header(struct writer *w, unsigned char *buf, size_t size, int type,
    size_t fixed, size_t var)
{
	size_t max = length_max(), length;

	w->p = buf;
	w->size = size;
	w->pos = 0;
	if (fixed > max - 1 || var > max - 1 - fixed)
		return -1;
	length = 1 + fixed + var;
	if (size < LEN_BYTES || length > size - LEN_BYTES)
		return -1;
	if (wr_u32(w, (uint32_t)length) == -1 || wr_u8(w, (unsigned)type) == -1)
		return -1;
	return 0;
}

#endif
