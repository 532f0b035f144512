/*
 * fuzz_proto: a libFuzzer target for proto.c, the frame codec.
 *
 * Contract.  Each run treats the input as the bytes a peer sent on one
 * connection and keeps nothing from one run to the next.  It takes frames
 * off the front with proto_frame_next() as node.c does: the first judged
 * against PROTO_MAX_HELLO, the rest against MAX_FRAME, stopping at the first
 * partial or refused one.  Each verdict is checked against the four length
 * bytes by hand, and each whole frame must be partial when one byte short
 * and too big for a maximum one below its length.  Every decoder is tried
 * on every frame: those of another type must say PROTO_EINVAL, and the one
 * of its own type, when it succeeds, leads to a round trip: the fields are
 * encoded again into a buffer of exactly the original frame's size (so
 * AddressSanitizer sees any write past it), must be refused by a buffer one
 * byte short, and must decode to the same fields.  Frames without reserved
 * bytes (all but a HELLO with extensions) must also come back byte for
 * byte.  A broken property calls abort(), which libFuzzer reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define MAX_FRAME	4096
#define HELLO_FIXED	19	/* magic version flags port id name_len */
#define EXT_U32_LEN	6	/* tag len u32 */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned char *
xmalloc(size_t n)
{
	unsigned char *p = malloc(n > 0 ? n : 1);

	CHECK(p != NULL);
	return p;
}

static uint32_t
be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Take the one frame that buf[0..n) must be, with max_frame max. */
static void
reframe(const unsigned char *buf, long n, size_t max, struct proto_frame *f)
{
	CHECK(n >= PROTO_HEADER);
	CHECK(proto_frame_next(buf, (size_t)n, max, f) == n);
}

/* Decoders of other types refuse f; so do they all, for unknown types. */
static void
check_type_guard(const struct proto_frame *f)
{
	struct proto_hello h;
	struct proto_text t;
	uint64_t token;
	uint32_t id;

	if (f->type != PROTO_HELLO)
		CHECK(proto_hello_decode(f, &h) == PROTO_EINVAL);
	if (f->type != PROTO_COMMAND)
		CHECK(proto_command_decode(f, &t) == PROTO_EINVAL);
	if (f->type != PROTO_RESULT)
		CHECK(proto_result_decode(f, &t) == PROTO_EINVAL);
	if (f->type != PROTO_ERROR)
		CHECK(proto_error_decode(f, &t) == PROTO_EINVAL);
	if (f->type != PROTO_BYE)
		CHECK(proto_bye_decode(f, &t) == PROTO_EINVAL);
	if (f->type != PROTO_PING && f->type != PROTO_PONG)
		CHECK(proto_ping_decode(f, &token) == PROTO_EINVAL);
	if (f->type != PROTO_CANCEL)
		CHECK(proto_cancel_decode(f, &id) == PROTO_EINVAL);
}

static int
same_hello(const struct proto_hello *a, const struct proto_hello *b)
{
	return a->version == b->version && a->flags == b->flags &&
	    a->port == b->port && a->max_frame == b->max_frame &&
	    a->features == b->features &&
	    memcmp(a->id, b->id, PROTO_NODE_ID) == 0 &&
	    strcmp(a->name, b->name) == 0;
}

/* frame[0..n) holds f, a HELLO. */
static void
hello(const struct proto_frame *f, const unsigned char *frame, long n)
{
	struct proto_hello h, h2;
	struct proto_frame f2;
	unsigned char *buf;
	size_t name_len;
	long e;
	int rc;

	rc = proto_hello_decode(f, &h);
	CHECK(rc == 0 || rc == PROTO_ESHORT || rc == PROTO_EMAGIC ||
	    rc == PROTO_EVERSION || rc == PROTO_EINVAL);
	CHECK(proto_strerror(rc) != NULL);
	if (rc == PROTO_EVERSION) {
		/* A foreign version is encoded too, and named on decoding. */
		CHECK(h.version != PROTO_VERSION && h.version <= 0xffff);
		buf = xmalloc((size_t)PROTO_HEADER + HELLO_FIXED);
		e = proto_hello_encode(buf, PROTO_HEADER + HELLO_FIXED, &h);
		reframe(buf, e, PROTO_MAX_HELLO, &f2);
		CHECK(proto_hello_decode(&f2, &h2) == PROTO_EVERSION);
		CHECK(h2.version == h.version);
		free(buf);
		return;
	}
	if (rc != 0)
		return;
	name_len = strlen(h.name);
	CHECK(h.version == PROTO_VERSION);
	CHECK(h.flags <= 0xffff && h.port <= 0xffff);
	CHECK(name_len <= PROTO_MAX_NAME);
	CHECK(f->len >= HELLO_FIXED + name_len);
	CHECK(f->payload[HELLO_FIXED - 1] == name_len);

	/* Re-encoded: the fixed fields and the name, then the extensions
	 * we know (a frame limit, features), those the HELLO had. */
	buf = xmalloc((size_t)n + 2 * EXT_U32_LEN);
	e = proto_hello_encode(buf, (size_t)n + 2 * EXT_U32_LEN, &h);
	CHECK(e == (long)(PROTO_HEADER + HELLO_FIXED + name_len +
	    (h.max_frame != 0 ? EXT_U32_LEN : 0) +
	    (h.features != 0 ? EXT_U32_LEN : 0)));
	CHECK(be32(buf) == (uint32_t)(e - 4));
	CHECK(memcmp(buf + 4, frame + 4, PROTO_HEADER - 4 + HELLO_FIXED +
	    name_len) == 0);
	if (e == n && h.max_frame == 0 && h.features == 0)
		CHECK(memcmp(buf, frame, (size_t)n) == 0);
	reframe(buf, e, PROTO_MAX_HELLO, &f2);
	CHECK(proto_hello_decode(&f2, &h2) == 0);
	CHECK(same_hello(&h, &h2));
	free(buf);

	buf = xmalloc((size_t)e - 1);
	CHECK(proto_hello_encode(buf, (size_t)e - 1, &h) == -1);
	free(buf);
}

/* t's text lies in f's payload and runs to its end. */
static void
check_text(const struct proto_frame *f, const struct proto_text *t)
{
	CHECK(t->len <= f->len);
	CHECK((const unsigned char *)t->text == f->payload + (f->len - t->len));
}

static int
same_text(const struct proto_text *a, const struct proto_text *b)
{
	return a->id == b->id && a->code == b->code && a->exit == b->exit &&
	    a->len == b->len &&
	    (a->len == 0 || memcmp(a->text, b->text, a->len) == 0);
}

/* Encode t as a frame of type into buf[0..size). */
static long
encode_text(int type, const struct proto_text *t, unsigned char *buf,
    size_t size)
{
	switch (type) {
	case PROTO_COMMAND:
		return proto_command_encode(buf, size, t->id, t->text, t->len);
	case PROTO_RESULT:
		return proto_result_exit_encode(buf, size, t->id, (int)t->code,
		    t->exit, t->text, t->len);
	case PROTO_ERROR:
		return proto_error_encode(buf, size, t->code, t->text, t->len);
	default:
		return proto_bye_encode(buf, size, t->text, t->len);
	}
}

static int
decode_text(const struct proto_frame *f, struct proto_text *t)
{
	switch (f->type) {
	case PROTO_COMMAND:
		return proto_command_decode(f, t);
	case PROTO_RESULT:
		return proto_result_decode(f, t);
	case PROTO_ERROR:
		return proto_error_decode(f, t);
	default:
		return proto_bye_decode(f, t);
	}
}

/* frame[0..n) holds f, a COMMAND, RESULT, ERROR or BYE. */
static void
text_frame(const struct proto_frame *f, const unsigned char *frame, long n)
{
	struct proto_text t, t2;
	struct proto_frame f2;
	unsigned char *buf;
	long e;
	int rc;

	rc = decode_text(f, &t);
	CHECK(rc == 0 || rc == PROTO_ESHORT || rc == PROTO_EINVAL);
	CHECK(proto_strerror(rc) != NULL);
	if (rc != 0)
		return;
	check_text(f, &t);
	if (f->type == PROTO_RESULT)
		CHECK((t.code == PROTO_STATUS_OK ||
		    t.code == PROTO_STATUS_ERROR) && t.exit >= -1 &&
		    t.exit <= 255);
	else
		CHECK(t.exit == -1);
	if (f->type == PROTO_ERROR)
		CHECK(t.code <= 0xffff);

	buf = xmalloc((size_t)n);
	e = encode_text(f->type, &t, buf, (size_t)n);
	CHECK(e == n);
	CHECK(memcmp(buf, frame, (size_t)n) == 0);
	reframe(buf, e, MAX_FRAME, &f2);
	CHECK(f2.type == f->type);
	CHECK(decode_text(&f2, &t2) == 0);
	check_text(&f2, &t2);
	CHECK(same_text(&t, &t2));
	free(buf);

	buf = xmalloc((size_t)n - 1);
	CHECK(encode_text(f->type, &t, buf, (size_t)n - 1) == -1);
	free(buf);
}

/* frame[0..n) holds f, a PING or a PONG. */
static void
ping(const struct proto_frame *f, const unsigned char *frame, long n)
{
	struct proto_frame f2;
	unsigned char *buf;
	uint64_t token, token2;
	long e;
	int rc;

	rc = proto_ping_decode(f, &token);
	CHECK(rc == 0 || rc == PROTO_ESHORT || rc == PROTO_EINVAL);
	CHECK(proto_strerror(rc) != NULL);
	if (rc != 0)
		return;
	CHECK(f->len == 8 && n == PROTO_HEADER + 8);
	buf = xmalloc((size_t)n);
	e = proto_ping_encode(buf, (size_t)n, f->type, token);
	CHECK(e == n);
	CHECK(memcmp(buf, frame, (size_t)n) == 0);
	reframe(buf, e, MAX_FRAME, &f2);
	CHECK(proto_ping_decode(&f2, &token2) == 0);
	CHECK(f2.type == f->type && token2 == token);
	free(buf);

	buf = xmalloc((size_t)n - 1);
	CHECK(proto_ping_encode(buf, (size_t)n - 1, f->type, token) == -1);
	free(buf);
}

/* frame[0..n) holds f, a CANCEL. */
static void
cancel(const struct proto_frame *f, const unsigned char *frame, long n)
{
	struct proto_frame f2;
	unsigned char *buf;
	uint32_t id, id2;
	long e;
	int rc;

	rc = proto_cancel_decode(f, &id);
	CHECK(rc == 0 || rc == PROTO_ESHORT || rc == PROTO_EINVAL);
	if (rc != 0)
		return;
	CHECK(f->len == 4 && n == PROTO_HEADER + 4);
	buf = xmalloc((size_t)n);
	e = proto_cancel_encode(buf, (size_t)n, id);
	CHECK(e == n);
	CHECK(memcmp(buf, frame, (size_t)n) == 0);
	reframe(buf, e, MAX_FRAME, &f2);
	CHECK(proto_cancel_decode(&f2, &id2) == 0 && id2 == id);
	free(buf);

	buf = xmalloc((size_t)n - 1);
	CHECK(proto_cancel_encode(buf, (size_t)n - 1, id) == -1);
	free(buf);
}

/* A verdict other than a whole frame on buf[0..avail), checked by hand. */
static void
check_refusal(const unsigned char *buf, size_t avail, size_t max, long r)
{
	uint32_t length;

	if (avail < 4) {
		CHECK(r == PROTO_PARTIAL);
		return;
	}
	length = be32(buf);
	if (length == 0)
		CHECK(r == PROTO_EEMPTY);
	else if (length > max)
		CHECK(r == PROTO_ETOOBIG);
	else
		CHECK(r == PROTO_PARTIAL && avail - 4 < length);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_frame f, f2;
	size_t pos = 0, max = PROTO_MAX_HELLO, length;
	const unsigned char *frame;
	long r;

	for (;;) {
		frame = data + pos;
		r = proto_frame_next(frame, size - pos, max, &f);
		CHECK(proto_strerror((int)r) != NULL);
		if (r < 0) {
			check_refusal(frame, size - pos, max, r);
			break;
		}
		CHECK(r >= PROTO_HEADER && (size_t)r <= size - pos);
		length = (size_t)r - 4;
		CHECK(be32(frame) == length && length <= max);
		CHECK(f.type == frame[4]);
		CHECK(f.payload == frame + PROTO_HEADER);
		CHECK(f.len == length - 1);
		CHECK(proto_frame_next(frame, (size_t)r - 1, max, &f2) ==
		    PROTO_PARTIAL);
		CHECK(proto_frame_next(frame, (size_t)r, length - 1, &f2) ==
		    PROTO_ETOOBIG);
		CHECK(proto_type_name(f.type) != NULL);

		check_type_guard(&f);
		switch (f.type) {
		case PROTO_HELLO:
			hello(&f, frame, r);
			break;
		case PROTO_COMMAND:
		case PROTO_RESULT:
		case PROTO_ERROR:
		case PROTO_BYE:
			text_frame(&f, frame, r);
			break;
		case PROTO_PING:
		case PROTO_PONG:
			ping(&f, frame, r);
			break;
		case PROTO_CANCEL:
			cancel(&f, frame, r);
			break;
		default:		/* unknown: node.c answers, keeps going */
			break;
		}
		pos += (size_t)r;
		max = MAX_FRAME;
	}
	return 0;
}
