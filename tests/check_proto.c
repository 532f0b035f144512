/*
 * check_proto: the wire codec against tables.
 *
 * frames[] lists one frame of every type (empty texts, binary bytes,
 * a 64-byte name, extreme ids, codes and tokens); each is encoded, decoded
 * back, cut at every proper prefix, squeezed into a buffer one byte short,
 * and fed as part of one stream in chunks down to a byte at a time.  The
 * frames of the "@0 add" exchange carry their exact bytes, which are the
 * ones docs/PROTOCOL.md shows.  Further tables hold bad headers, bad
 * HELLOs and bad payloads with the error each must give, and encoder calls
 * that must be refused.  proto.c is linked alone; the build uses ASan and
 * UBSan, so a read past a bound fails the test even if the result is right.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "proto.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define TXT(s)		.text = (s), .len = sizeof(s) - 1
#define BYTES(s)	(const unsigned char *)(s), sizeof(s) - 1
#define MAX_FRAME	PROTO_DEFAULT_MAX_FRAME
#define NAME64		"0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef"
#define STREAM_MAX	8192

/* HELLO payload pieces, for hand-made HELLOs. */
#define H_MAGIC		"KAIP"
#define H_V1		"\x00\x01"
#define H_FLAGS		"\x00\x00"
#define H_PORT		"\x39\x03"
#define H_ID		"\x11\x11\x11\x11\x11\x11\x11\x11"
#define H_FIXED		H_MAGIC H_V1 H_FLAGS H_PORT H_ID	/* 18 bytes */

static const struct proto_hello hello_peer1 = {
	1, 0, 14595, { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11 }, "",
	1048576, PROTO_FEAT_CANCEL | PROTO_FEAT_EXIT
};
static const struct proto_hello hello_peer2 = {
	1, 0, 14596, { 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22 }, "",
	1048576, PROTO_FEAT_CANCEL | PROTO_FEAT_EXIT
};
static const struct proto_hello hello_v1 = {	/* only the frame limit */
	1, 0, 14595, { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11 }, "",
	1048576, 0
};
static const struct proto_hello hello_max = {
	1, 0xffff, 65535, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	NAME64, 0, 0
};
#define UTF8_NAME	"n\xc5\x93ud-\xce\xb2 ~!"
static const struct proto_hello hello_utf8 = {
	1, 0, 0, { 0, 1, 2, 3, 4, 5, 6, 7 }, UTF8_NAME, 0, 0
};

/* ---------------------------------------------------------------------- */
/* Good frames                                                             */

struct frame_case {
	const char	*what;
	int		 type;		/* an unknown type is framed by hand */
	const struct proto_hello *hello;
	uint32_t	 id;
	unsigned	 code;		/* RESULT status, ERROR code */
	int		 exit1;		/* RESULT: its exit code + 1; 0: none */
	const char	*text;		/* text, or an unknown frame's payload */
	size_t		 len;
	uint64_t	 token;
	long		 size;		/* the whole encoded frame */
	const char	*wire;		/* its exact bytes, or NULL */
};

static const struct frame_case frames[] = {
	/* The "@0 add" exchange of docs/PROTOCOL.md, byte for byte. */
	{ "HELLO peer 1", PROTO_HELLO, &hello_peer1, .size = 36,
	  .wire = "\x00\x00\x00\x20" "\x01" "KAIP" "\x00\x01" "\x00\x00"
	    "\x39\x03" "\x11\x11\x11\x11\x11\x11\x11\x11" "\x00"
	    "\x01\x04" "\x00\x10\x00\x00" "\x02\x04" "\x00\x00\x00\x03" },
	{ "HELLO peer 2", PROTO_HELLO, &hello_peer2, .size = 36,
	  .wire = "\x00\x00\x00\x20" "\x01" "KAIP" "\x00\x01" "\x00\x00"
	    "\x39\x04" "\x22\x22\x22\x22\x22\x22\x22\x22" "\x00"
	    "\x01\x04" "\x00\x10\x00\x00" "\x02\x04" "\x00\x00\x00\x03" },
	{ "COMMAND 0x100000 add", PROTO_COMMAND, .id = 0x100000, TXT("add"),
	  .size = 12,
	  .wire = "\x00\x00\x00\x08" "\x02" "\x00\x10\x00\x00" "add" },
	{ "RESULT 0x100000 ok 3", PROTO_RESULT, .id = 0x100000, .code = 0,
	  TXT("3"), .size = 11,
	  .wire = "\x00\x00\x00\x07" "\x03" "\x00\x10\x00\x00" "\x00" "3" },
	{ "BYE exit", PROTO_BYE, TXT("exit"), .size = 9,
	  .wire = "\x00\x00\x00\x05" "\x05" "exit" },
	/* The first kaipeer's HELLO, and exit codes and CANCEL. */
	{ "HELLO without features", PROTO_HELLO, &hello_v1, .size = 30,
	  .wire = "\x00\x00\x00\x1a" "\x01" "KAIP" "\x00\x01" "\x00\x00"
	    "\x39\x03" "\x11\x11\x11\x11\x11\x11\x11\x11" "\x00"
	    "\x01\x04" "\x00\x10\x00\x00" },
	{ "RESULT error, exit 3", PROTO_RESULT, .id = 4, .code = 1, .exit1 = 4,
	  TXT("oops\n"), .size = 16,
	  .wire = "\x00\x00\x00\x0c" "\x03" "\x00\x00\x00\x04" "\x81" "\x03"
	    "oops\n" },
	{ "RESULT ok, exit 0", PROTO_RESULT, .id = 5, .code = 0, .exit1 = 1,
	  TXT(""), .size = 11,
	  .wire = "\x00\x00\x00\x07" "\x03" "\x00\x00\x00\x05" "\x80"
	    "\x00" },
	{ "RESULT error, exit 255", PROTO_RESULT, .id = 6, .code = 1,
	  .exit1 = 256, TXT("x"), .size = 12 },
	{ "CANCEL 0x100000", PROTO_CANCEL, .id = 0x100000, .size = 9,
	  .wire = "\x00\x00\x00\x05" "\x08" "\x00\x10\x00\x00" },
	{ "CANCEL max", PROTO_CANCEL, .id = 0xffffffffu, .size = 9 },

	{ "HELLO 64-byte name", PROTO_HELLO, &hello_max, .size = 24 + 64 },
	{ "HELLO UTF-8 name, port 0", PROTO_HELLO, &hello_utf8,
	  .size = 24 + sizeof(UTF8_NAME) - 1 },
	{ "COMMAND empty", PROTO_COMMAND, .id = 0xffffffffu, TXT(""),
	  .size = 9 },
	{ "COMMAND binary", PROTO_COMMAND, .id = 7, TXT("a\0b\xff\r\n"),
	  .size = 15 },
	{ "RESULT error", PROTO_RESULT, .id = 2, .code = 1,
	  TXT("Unknown command: x"), .size = 28 },
	{ "RESULT empty", PROTO_RESULT, .id = 0xffffffffu, TXT(""),
	  .size = 10 },
	{ "RESULT binary", PROTO_RESULT, .id = 3, .code = 1,
	  TXT("\0\x01\x80\xff"), .size = 14 },
	{ "ERROR unknown type", PROTO_ERROR, .code = 6,
	  TXT("unknown frame type 99"), .size = 7 + 21,
	  .wire = "\x00\x00\x00\x18" "\x04" "\x00\x06"
	    "unknown frame type 99" },
	{ "ERROR empty, code 0xffff", PROTO_ERROR, .code = 0xffff, TXT(""),
	  .size = 7 },
	{ "ERROR NUL text", PROTO_ERROR, .code = 1, TXT("\0"), .size = 8 },
	{ "BYE empty", PROTO_BYE, TXT(""), .size = 5 },
	{ "BYE binary", PROTO_BYE, TXT("\xff\0"), .size = 7 },
	{ "PING 0", PROTO_PING, .token = 0, .size = 13,
	  .wire = "\x00\x00\x00\x09" "\x06" "\0\0\0\0\0\0\0\0" },
	{ "PONG bytes", PROTO_PONG, .token = 0x0102030405060708u, .size = 13,
	  .wire = "\x00\x00\x00\x09" "\x07" "\x01\x02\x03\x04\x05\x06\x07\x08" },
	{ "PING max", PROTO_PING, .token = UINT64_MAX, .size = 13 },
	{ "unknown type 99", 99, TXT("xyz"), .size = 8 },
	{ "unknown type 0, empty", 0, TXT(""), .size = 5 },
};

/* A frame of a type proto.c does not know, built with the same bounds. */
static long
raw_frame(unsigned char *buf, size_t size, int type, const void *payload,
    size_t len)
{
	size_t length = len + 1;

	if (size < 5 || len > size - 5)
		return -1;
	buf[0] = (unsigned char)(length >> 24);
	buf[1] = (unsigned char)(length >> 16);
	buf[2] = (unsigned char)(length >> 8);
	buf[3] = (unsigned char)length;
	buf[4] = (unsigned char)type;
	if (len > 0)
		memcpy(buf + 5, payload, len);
	return (long)(5 + len);
}

static long
encode_case(const struct frame_case *c, unsigned char *buf, size_t size)
{
	switch (c->type) {
	case PROTO_HELLO:
		return proto_hello_encode(buf, size, c->hello);
	case PROTO_COMMAND:
		return proto_command_encode(buf, size, c->id, c->text, c->len);
	case PROTO_RESULT:
		if (c->exit1 > 0)
			return proto_result_exit_encode(buf, size, c->id,
			    (int)c->code, c->exit1 - 1, c->text, c->len);
		return proto_result_encode(buf, size, c->id, (int)c->code,
		    c->text, c->len);
	case PROTO_CANCEL:
		return proto_cancel_encode(buf, size, c->id);
	case PROTO_ERROR:
		return proto_error_encode(buf, size, c->code, c->text, c->len);
	case PROTO_BYE:
		return proto_bye_encode(buf, size, c->text, c->len);
	case PROTO_PING:
	case PROTO_PONG:
		return proto_ping_encode(buf, size, c->type, c->token);
	default:
		return raw_frame(buf, size, c->type, c->text, c->len);
	}
}

static int
decode_text(int decoder, const struct proto_frame *f, struct proto_text *t)
{
	switch (decoder) {
	case PROTO_COMMAND:
		return proto_command_decode(f, t);
	case PROTO_RESULT:
		return proto_result_decode(f, t);
	case PROTO_ERROR:
		return proto_error_decode(f, t);
	case PROTO_BYE:
		return proto_bye_decode(f, t);
	default:
		ck_abort_msg("no text decoder for type %d", decoder);
		return 0;
	}
}

/* f must be what c encodes to. */
static void
check_decoded(const struct frame_case *c, const struct proto_frame *f)
{
	struct proto_hello h;
	struct proto_text t;
	uint64_t token;
	uint32_t id;

	ck_assert_msg(f->type == c->type, "%s: type %d", c->what, f->type);
	switch (c->type) {
	case PROTO_HELLO:
		ck_assert_msg(proto_hello_decode(f, &h) == 0, "%s", c->what);
		ck_assert_uint_eq(h.version, c->hello->version);
		ck_assert_uint_eq(h.flags, c->hello->flags);
		ck_assert_uint_eq(h.port, c->hello->port);
		ck_assert_mem_eq(h.id, c->hello->id, PROTO_NODE_ID);
		ck_assert_str_eq(h.name, c->hello->name);
		ck_assert_uint_eq(h.max_frame, c->hello->max_frame);
		ck_assert_uint_eq(h.features, c->hello->features);
		break;
	case PROTO_CANCEL:
		ck_assert_msg(proto_cancel_decode(f, &id) == 0, "%s", c->what);
		ck_assert_uint_eq(id, c->id);
		break;
	case PROTO_COMMAND:
	case PROTO_RESULT:
	case PROTO_ERROR:
	case PROTO_BYE:
		ck_assert_msg(decode_text(c->type, f, &t) == 0, "%s", c->what);
		ck_assert_uint_eq(t.id, c->id);
		ck_assert_uint_eq(t.code, c->code);
		if (c->type == PROTO_RESULT)
			ck_assert_int_eq(t.exit, c->exit1 - 1);
		ck_assert_uint_eq(t.len, c->len);
		if (c->len > 0)
			ck_assert_mem_eq(t.text, c->text, c->len);
		break;
	case PROTO_PING:
	case PROTO_PONG:
		ck_assert_msg(proto_ping_decode(f, &token) == 0, "%s", c->what);
		ck_assert_msg(token == c->token, "%s: token", c->what);
		break;
	default:
		ck_assert_uint_eq(f->len, c->len);
		if (c->len > 0)
			ck_assert_mem_eq(f->payload, c->text, c->len);
		break;
	}
}

START_TEST(test_round_trip)
{
	const struct frame_case *c = &frames[_i];
	unsigned char buf[256];
	struct proto_frame f;
	long n;

	n = encode_case(c, buf, sizeof(buf));
	ck_assert_msg(n == c->size, "%s: encoded %ld, want %ld", c->what, n,
	    c->size);
	if (c->wire != NULL)
		ck_assert_mem_eq(buf, c->wire, (size_t)n);
	ck_assert_int_eq(proto_frame_next(buf, (size_t)n, MAX_FRAME, &f), n);
	ck_assert_msg(f.payload == buf + PROTO_HEADER, "%s", c->what);
	ck_assert_uint_eq(f.len, (size_t)n - PROTO_HEADER);
	check_decoded(c, &f);
}
END_TEST

/* Exactly the frame's size fits; one byte less (or none) does not. */
START_TEST(test_encode_bounds)
{
	const struct frame_case *c = &frames[_i];
	unsigned char *buf;
	size_t size = (size_t)c->size;

	/* Heap buffers of exact size, so ASan sees a byte written past. */
	buf = malloc(size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(encode_case(c, buf, size), c->size);
	free(buf);
	buf = malloc(size - 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(encode_case(c, buf, size - 1), -1);
	free(buf);
	ck_assert_int_eq(encode_case(c, NULL, 0), -1);
}
END_TEST

START_TEST(test_every_prefix_partial)
{
	const struct frame_case *c = &frames[_i];
	unsigned char buf[256], *cut;
	struct proto_frame f;
	long n;
	size_t k;

	n = encode_case(c, buf, sizeof(buf));
	ck_assert_int_eq(n, c->size);
	for (k = 0; k < (size_t)n; k++) {
		/* A copy of exactly k bytes: ASan catches a look past it. */
		cut = malloc(k > 0 ? k : 1);
		ck_assert_ptr_nonnull(cut);
		memcpy(cut, buf, k);
		ck_assert_msg(proto_frame_next(cut, k, MAX_FRAME, &f) ==
		    PROTO_PARTIAL, "%s: prefix %zu", c->what, k);
		free(cut);
	}
}
END_TEST

/* All frames back to back, fed in chunks of chunks[_i] bytes. */
static const size_t chunks[] = { 1, 2, 3, 5, 7, 13, 64, STREAM_MAX };

START_TEST(test_stream)
{
	static unsigned char stream[STREAM_MAX], in[STREAM_MAX];
	size_t ends[NELEM(frames)];
	size_t total = 0, have = 0, fed = 0, got = 0, step, i;
	struct proto_frame f;
	long n;

	for (i = 0; i < NELEM(frames); i++) {
		n = encode_case(&frames[i], stream + total,
		    sizeof(stream) - total);
		ck_assert_int_eq(n, frames[i].size);
		total += (size_t)n;
		ends[i] = total;
	}
	while (fed < total) {
		step = total - fed < chunks[_i] ? total - fed : chunks[_i];
		memcpy(in + have, stream + fed, step);
		have += step;
		fed += step;
		for (;;) {
			n = proto_frame_next(in, have, MAX_FRAME, &f);
			if (n == PROTO_PARTIAL)
				break;
			ck_assert_uint_lt(got, NELEM(frames));
			ck_assert_int_eq(n, frames[got].size);
			/* Found as soon as its last byte arrived, not later. */
			ck_assert_uint_gt(ends[got], fed - step);
			ck_assert_uint_le(ends[got], fed);
			check_decoded(&frames[got], &f);
			memmove(in, in + n, have - (size_t)n);
			have -= (size_t)n;
			got++;
		}
	}
	ck_assert_uint_eq(got, NELEM(frames));
	ck_assert_uint_eq(have, 0);
}
END_TEST

/* A frame whose length is exactly the maximum passes; max - 1 refuses it. */
START_TEST(test_max_frame_exact)
{
	size_t len = MAX_FRAME - PROTO_HEADER;	/* length = 1 + 4 + len */
	size_t size = 4 + (size_t)MAX_FRAME;
	unsigned char *buf;
	char *text;
	struct proto_frame f;
	struct proto_text t;

	buf = malloc(size);
	text = malloc(len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(text);
	memset(text, 'x', len);
	ck_assert_int_eq(proto_command_encode(buf, size, 42, text, len),
	    (long)size);
	ck_assert_int_eq(proto_command_encode(buf, size - 1, 42, text, len), -1);
	ck_assert_int_eq(proto_frame_next(buf, size, MAX_FRAME, &f),
	    (long)size);
	ck_assert_int_eq(proto_command_decode(&f, &t), 0);
	ck_assert_uint_eq(t.id, 42);
	ck_assert_uint_eq(t.len, len);
	ck_assert_int_eq(proto_frame_next(buf, size, MAX_FRAME - 1, &f),
	    PROTO_ETOOBIG);
	ck_assert_int_eq(proto_frame_next(buf, 4, MAX_FRAME - 1, &f),
	    PROTO_ETOOBIG);
	free(text);
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Bad headers: decided from the length bytes alone                        */

static const struct header_case {
	const char	*what;
	const unsigned char *bytes;
	size_t		 len;
	size_t		 max;
	long		 want;
} headers[] = {
	{ "length 0", BYTES("\x00\x00\x00\x00"), MAX_FRAME, PROTO_EEMPTY },
	{ "length 0 with more", BYTES("\x00\x00\x00\x00\x02\x00"), MAX_FRAME,
	  PROTO_EEMPTY },
	{ "max + 1", BYTES("\x00\x10\x00\x01"), MAX_FRAME, PROTO_ETOOBIG },
	{ "0xffffffff", BYTES("\xff\xff\xff\xff"), MAX_FRAME, PROTO_ETOOBIG },
	{ "0x80000000", BYTES("\x80\x00\x00\x00"), MAX_FRAME, PROTO_ETOOBIG },
	{ "pre-HELLO 1025", BYTES("\x00\x00\x04\x01"), PROTO_MAX_HELLO,
	  PROTO_ETOOBIG },
	{ "pre-HELLO 1024", BYTES("\x00\x00\x04\x00"), PROTO_MAX_HELLO,
	  PROTO_PARTIAL },
	{ "max exactly", BYTES("\x00\x10\x00\x00"), MAX_FRAME, PROTO_PARTIAL },
	{ "max 0", BYTES("\x00\x00\x00\x01\x06"), 0, PROTO_ETOOBIG },
	{ "0xffffffff, no max",  BYTES("\xff\xff\xff\xff"), SIZE_MAX,
	  (uintmax_t)LONG_MAX >= 0xffffffffu + (uintmax_t)4 ? PROTO_PARTIAL :
	  PROTO_ETOOBIG },
	{ "nothing", BYTES(""), MAX_FRAME, PROTO_PARTIAL },
	{ "3 bytes of 0", BYTES("\x00\x00\x00"), MAX_FRAME, PROTO_PARTIAL },
	{ "3 bytes of huge", BYTES("\xff\xff\xff"), MAX_FRAME, PROTO_PARTIAL },
	{ "length 1, no type", BYTES("\x00\x00\x00\x01"), MAX_FRAME,
	  PROTO_PARTIAL },
	{ "length 1, type", BYTES("\x00\x00\x00\x01\x07"), MAX_FRAME, 5 },
	{ "length 1, type, next", BYTES("\x00\x00\x00\x01\x07\x00"),
	  MAX_FRAME, 5 },
	{ "length 3, 1 short", BYTES("\x00\x00\x00\x03\x05\x61"), MAX_FRAME,
	  PROTO_PARTIAL },
};

START_TEST(test_bad_header)
{
	const struct header_case *c = &headers[_i];
	unsigned char *buf;
	struct proto_frame f;
	long n;

	buf = malloc(c->len > 0 ? c->len : 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, c->bytes, c->len);
	n = proto_frame_next(buf, c->len, c->max, &f);
	ck_assert_msg(n == c->want, "%s: got %ld, want %ld", c->what, n,
	    c->want);
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Bad HELLOs                                                              */

static const struct hello_case {
	const char	*what;
	const unsigned char *payload;
	size_t		 len;
	int		 want;
	unsigned	 version;	/* filled in even on PROTO_EVERSION */
} hellos[] = {
	{ "good", BYTES(H_FIXED "\x00"), 0, 1 },
	{ "good, extensions ignored", BYTES(H_FIXED "\x00" "\x01\x02\x03"),
	  0, 1 },
	{ "good, name", BYTES(H_FIXED "\x02" "ab"), 0, 1 },
	{ "good, 64-byte name", BYTES(H_FIXED "\x40" NAME64), 0, 1 },
	{ "good, high bytes in name", BYTES(H_FIXED "\x03" "\xce\xb2\xff"),
	  0, 1 },
	{ "good, flags set", BYTES(H_MAGIC H_V1 "\xff\xff" H_PORT H_ID "\x00"),
	  0, 1 },
	{ "wrong magic", BYTES("KAIQ" H_V1 H_FLAGS H_PORT H_ID "\x00"),
	  PROTO_EMAGIC, 0 },
	{ "lower-case magic", BYTES("kaip" H_V1 H_FLAGS H_PORT H_ID "\x00"),
	  PROTO_EMAGIC, 0 },
	{ "HTTP", BYTES("GET / HTTP/1.0\r\n\r\n"), PROTO_EMAGIC, 0 },
	{ "wrong magic, short", BYTES("KX"), PROTO_EMAGIC, 0 },
	{ "empty", BYTES(""), PROTO_ESHORT, 0 },
	{ "magic cut", BYTES("KA"), PROTO_ESHORT, 0 },
	{ "magic only", BYTES("KAIP"), PROTO_ESHORT, 0 },
	{ "version cut", BYTES("KAIP\x00"), PROTO_ESHORT, 0 },
	{ "version 2", BYTES(H_MAGIC "\x00\x02" H_FLAGS H_PORT H_ID "\x00"),
	  PROTO_EVERSION, 2 },
	{ "version 2, nothing else", BYTES(H_MAGIC "\x00\x02"),
	  PROTO_EVERSION, 2 },
	{ "version 0", BYTES(H_MAGIC "\x00\x00" H_FLAGS H_PORT H_ID "\x00"),
	  PROTO_EVERSION, 0 },
	{ "version 0x100", BYTES(H_MAGIC "\x01\x00" H_FLAGS H_PORT H_ID "\x00"),
	  PROTO_EVERSION, 0x100 },
	{ "version 0xffff", BYTES(H_MAGIC "\xff\xff"), PROTO_EVERSION, 0xffff },
	{ "flags cut", BYTES(H_MAGIC H_V1 "\x00"), PROTO_ESHORT, 1 },
	{ "port missing", BYTES(H_MAGIC H_V1 H_FLAGS), PROTO_ESHORT, 1 },
	{ "id cut", BYTES(H_MAGIC H_V1 H_FLAGS H_PORT "\x11\x11\x11"),
	  PROTO_ESHORT, 1 },
	{ "name_len missing", BYTES(H_FIXED), PROTO_ESHORT, 1 },
	{ "name_len 1 past the end", BYTES(H_FIXED "\x01"), PROTO_ESHORT, 1 },
	{ "name_len 3, 2 bytes", BYTES(H_FIXED "\x03" "ab"), PROTO_ESHORT, 1 },
	{ "name_len 64, 63 bytes",
	  BYTES(H_FIXED "\x40" "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcde"), PROTO_ESHORT, 1 },
	{ "name_len 65", BYTES(H_FIXED "\x41" NAME64 "x"), PROTO_EINVAL, 1 },
	{ "name_len 255", BYTES(H_FIXED "\xff"), PROTO_EINVAL, 1 },
	{ "name with 0x01", BYTES(H_FIXED "\x03" "a\x01" "b"), PROTO_EINVAL, 1 },
	{ "name with NUL", BYTES(H_FIXED "\x03" "a\0b"), PROTO_EINVAL, 1 },
	{ "name with newline", BYTES(H_FIXED "\x02" "a\n"), PROTO_EINVAL, 1 },
	{ "name with ESC", BYTES(H_FIXED "\x01" "\x1b"), PROTO_EINVAL, 1 },
	{ "name with DEL", BYTES(H_FIXED "\x01" "\x7f"), PROTO_EINVAL, 1 },
};

/* Frame payload[0..len) as type and return it through proto_frame_next. */
static unsigned char *
framed(int type, const unsigned char *payload, size_t len,
    struct proto_frame *f)
{
	unsigned char *buf;
	long n;

	buf = malloc(5 + len);
	ck_assert_ptr_nonnull(buf);
	n = raw_frame(buf, 5 + len, type, payload, len);
	ck_assert_int_eq(n, (long)(5 + len));
	ck_assert_int_eq(proto_frame_next(buf, (size_t)n, MAX_FRAME, f), n);
	return buf;
}

START_TEST(test_bad_hello)
{
	const struct hello_case *c = &hellos[_i];
	struct proto_frame f;
	struct proto_hello h;
	unsigned char *buf;
	int rc;

	buf = framed(PROTO_HELLO, c->payload, c->len, &f);
	rc = proto_hello_decode(&f, &h);
	ck_assert_msg(rc == c->want, "%s: got %d (%s), want %d", c->what, rc,
	    proto_strerror(rc), c->want);
	if (c->want == PROTO_EVERSION || c->want == 0)
		ck_assert_uint_eq(h.version, c->version);
	if (c->want == 0) {
		ck_assert_uint_eq(h.port, 14595);
		ck_assert_mem_eq(h.id, H_ID, PROTO_NODE_ID);
		ck_assert_uint_eq(strlen(h.name), c->payload[18]);
		ck_assert_mem_eq(h.name, c->payload + 19, c->payload[18]);
	}
	free(buf);
}
END_TEST

/* Every proper prefix of a good HELLO payload is short, never worse. */
START_TEST(test_hello_prefix_short)
{
	static const unsigned char good[] = H_FIXED "\x05" "hello";
	struct proto_frame f;
	struct proto_hello h;
	unsigned char *buf;
	size_t k;

	for (k = 0; k < sizeof(good) - 1; k++) {
		buf = framed(PROTO_HELLO, good, k, &f);
		ck_assert_msg(proto_hello_decode(&f, &h) == PROTO_ESHORT,
		    "prefix %zu", k);
		free(buf);
	}
	buf = framed(PROTO_HELLO, good, k, &f);
	ck_assert_int_eq(proto_hello_decode(&f, &h), 0);
	ck_assert_str_eq(h.name, "hello");
	free(buf);
}
END_TEST

/*
 * HELLO extensions: the frame limit is read where it is well formed;
 * nothing after the name, well formed or not, makes a HELLO invalid.
 */
static const struct {
	const char	*what;
	const char	*ext;
	size_t		 len;
	uint32_t	 max_frame;
	uint32_t	 features;
} exts[] = {
	{ "none", "", 0, 0, 0 },
	{ "frame limit", "\x01\x04\x00\x10\x00\x00", 6, 1048576, 0 },
	{ "unknown tag first", "\x09\x02zz\x01\x04\x00\x00\x04\x00", 10,
	  1024, 0 },
	{ "frame limit, wrong length", "\x01\x03\x00\x10\x00", 5, 0, 0 },
	{ "truncated value", "\x01\x04\x00\x10", 4, 0, 0 },
	{ "tag alone", "\x01", 1, 0, 0 },
	{ "junk", "\xff\xff\xff", 3, 0, 0 },
	{ "empty unknown tag", "\x07\x00\x01\x04\xff\xff\xff\xff", 8,
	  0xffffffffu, 0 },
	{ "features", "\x02\x04\x00\x00\x00\x03", 6, 0, 3 },
	{ "features and limit", "\x02\x04\x80\x00\x00\x01"
	  "\x01\x04\x00\x00\x08\x00", 12, 2048, 0x80000001u },
	{ "features, wrong length", "\x02\x02\x00\x03", 4, 0, 0 },
};

START_TEST(test_hello_extensions)
{
	unsigned char payload[64];
	struct proto_frame f;
	struct proto_hello h;
	unsigned char *buf;
	size_t n = sizeof(H_FIXED "\x00") - 1;

	memcpy(payload, H_FIXED "\x00", n);
	memcpy(payload + n, exts[_i].ext, exts[_i].len);
	buf = framed(PROTO_HELLO, payload, n + exts[_i].len, &f);
	ck_assert_msg(proto_hello_decode(&f, &h) == 0, "%s", exts[_i].what);
	ck_assert_msg(h.max_frame == exts[_i].max_frame, "%s: max_frame %lu",
	    exts[_i].what, (unsigned long)h.max_frame);
	ck_assert_msg(h.features == exts[_i].features, "%s: features %lx",
	    exts[_i].what, (unsigned long)h.features);
	free(buf);
}
END_TEST

/* Which ERROR codes end the connection. */
START_TEST(test_code_fatal)
{
	static const unsigned fatal[] = { 1, 2, 3, 4, 5, 8, 9, 10, 11, 12 };
	static const unsigned kept[] = { 0, 6, 7, 13, 0xffff };
	size_t i;

	for (i = 0; i < NELEM(fatal); i++)
		ck_assert_msg(proto_code_fatal(fatal[i]), "%u", fatal[i]);
	for (i = 0; i < NELEM(kept); i++)
		ck_assert_msg(!proto_code_fatal(kept[i]), "%u", kept[i]);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Bad payloads of the other types                                         */

static const struct payload_case {
	const char	*what;
	int		 type;		/* of the frame */
	int		 decoder;	/* whose decoder is called */
	const unsigned char *payload;
	size_t		 len;
	int		 want;
} payloads[] = {
	{ "COMMAND empty", PROTO_COMMAND, PROTO_COMMAND, BYTES(""),
	  PROTO_ESHORT },
	{ "COMMAND 3 bytes", PROTO_COMMAND, PROTO_COMMAND, BYTES("\0\0\0"),
	  PROTO_ESHORT },
	{ "COMMAND id only", PROTO_COMMAND, PROTO_COMMAND, BYTES("\0\0\0\1"),
	  0 },
	{ "RESULT id only", PROTO_RESULT, PROTO_RESULT, BYTES("\0\0\0\1"),
	  PROTO_ESHORT },
	{ "RESULT status 2", PROTO_RESULT, PROTO_RESULT,
	  BYTES("\0\0\0\1\2" "3"), PROTO_EINVAL },
	{ "RESULT status 2, no text", PROTO_RESULT, PROTO_RESULT,
	  BYTES("\0\0\0\1\2"), PROTO_EINVAL },
	{ "RESULT status 0xff", PROTO_RESULT, PROTO_RESULT,
	  BYTES("\0\0\0\1\xff"), PROTO_EINVAL },
	{ "RESULT status 1, no text", PROTO_RESULT, PROTO_RESULT,
	  BYTES("\0\0\0\1\1"), 0 },
	{ "RESULT exit flag, no exit", PROTO_RESULT, PROTO_RESULT,
	  BYTES("\0\0\0\1\x81"), PROTO_ESHORT },
	{ "RESULT exit flag, status 2", PROTO_RESULT, PROTO_RESULT,
	  BYTES("\0\0\0\1\x82\1"), PROTO_EINVAL },
	{ "CANCEL empty", PROTO_CANCEL, PROTO_CANCEL, BYTES(""),
	  PROTO_ESHORT },
	{ "CANCEL 3 bytes", PROTO_CANCEL, PROTO_CANCEL, BYTES("\0\0\1"),
	  PROTO_ESHORT },
	{ "CANCEL 5 bytes", PROTO_CANCEL, PROTO_CANCEL, BYTES("\0\0\0\1\0"),
	  PROTO_EINVAL },
	{ "CANCEL 4 bytes", PROTO_CANCEL, PROTO_CANCEL, BYTES("\0\0\0\1"), 0 },
	{ "RESULT as CANCEL", PROTO_RESULT, PROTO_CANCEL, BYTES("\0\0\0\1"),
	  PROTO_EINVAL },
	{ "ERROR empty", PROTO_ERROR, PROTO_ERROR, BYTES(""), PROTO_ESHORT },
	{ "ERROR 1 byte", PROTO_ERROR, PROTO_ERROR, BYTES("\0"),
	  PROTO_ESHORT },
	{ "ERROR code 0, no text", PROTO_ERROR, PROTO_ERROR, BYTES("\0\0"),
	  0 },
	{ "BYE empty", PROTO_BYE, PROTO_BYE, BYTES(""), 0 },
	{ "PING empty", PROTO_PING, PROTO_PING, BYTES(""), PROTO_ESHORT },
	{ "PING 7 bytes", PROTO_PING, PROTO_PING, BYTES("1234567"),
	  PROTO_ESHORT },
	{ "PING 9 bytes", PROTO_PING, PROTO_PING, BYTES("123456789"),
	  PROTO_EINVAL },
	{ "PONG 7 bytes", PROTO_PONG, PROTO_PONG, BYTES("1234567"),
	  PROTO_ESHORT },
	{ "PONG 8 bytes", PROTO_PONG, PROTO_PONG, BYTES("12345678"), 0 },
	{ "RESULT as COMMAND", PROTO_RESULT, PROTO_COMMAND,
	  BYTES("\0\0\0\1\0"), PROTO_EINVAL },
	{ "COMMAND as RESULT", PROTO_COMMAND, PROTO_RESULT,
	  BYTES("\0\0\0\1\0"), PROTO_EINVAL },
	{ "BYE as ERROR", PROTO_BYE, PROTO_ERROR, BYTES("\0\1"),
	  PROTO_EINVAL },
	{ "ERROR as BYE", PROTO_ERROR, PROTO_BYE, BYTES("\0\1"),
	  PROTO_EINVAL },
	{ "COMMAND as PING", PROTO_COMMAND, PROTO_PING, BYTES("12345678"),
	  PROTO_EINVAL },
	{ "PING as HELLO", PROTO_PING, PROTO_HELLO, BYTES(H_FIXED "\0"),
	  PROTO_EINVAL },
};

START_TEST(test_bad_payload)
{
	const struct payload_case *c = &payloads[_i];
	struct proto_frame f;
	struct proto_text t;
	struct proto_hello h;
	uint64_t token;
	uint32_t id;
	unsigned char *buf;
	int rc;

	buf = framed(c->type, c->payload, c->len, &f);
	switch (c->decoder) {
	case PROTO_HELLO:
		rc = proto_hello_decode(&f, &h);
		break;
	case PROTO_PING:
	case PROTO_PONG:
		rc = proto_ping_decode(&f, &token);
		break;
	case PROTO_CANCEL:
		rc = proto_cancel_decode(&f, &id);
		break;
	default:
		rc = decode_text(c->decoder, &f, &t);
		break;
	}
	ck_assert_msg(rc == c->want, "%s: got %d (%s), want %d", c->what, rc,
	    proto_strerror(rc), c->want);
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Encoder calls refused whatever the buffer                               */

static const struct proto_hello hello_v0x10000 = { 0x10000, 0, 1, {0}, "", 0, 0 };
static const struct proto_hello hello_flags = { 1, 0x10000, 1, {0}, "", 0, 0 };
static const struct proto_hello hello_port = { 1, 0, 0x10000, {0}, "", 0, 0 };
static const struct proto_hello hello_ctrl = { 1, 0, 1, {0}, "a\tb", 0, 0 };
static const struct proto_hello hello_del = { 1, 0, 1, {0}, "\x7f", 0, 0 };
static struct proto_hello hello_unterminated;	/* filled by the test */

static const struct refuse_case {
	const char	*what;
	int		 type;
	const struct proto_hello *hello;
	int		 arg;		/* RESULT status, type for PING */
	unsigned	 code;		/* ERROR code; RESULT exit code */
	size_t		 len;		/* of a text that is not all there */
} refusals[] = {
	{ "HELLO version 0x10000", PROTO_HELLO, &hello_v0x10000, 0, 0, 0 },
	{ "HELLO flags 0x10000", PROTO_HELLO, &hello_flags, 0, 0, 0 },
	{ "HELLO port 0x10000", PROTO_HELLO, &hello_port, 0, 0, 0 },
	{ "HELLO name with TAB", PROTO_HELLO, &hello_ctrl, 0, 0, 0 },
	{ "HELLO name with DEL", PROTO_HELLO, &hello_del, 0, 0, 0 },
	{ "HELLO name without NUL", PROTO_HELLO, &hello_unterminated, 0, 0, 0 },
	{ "RESULT status 2", PROTO_RESULT, NULL, 2, 0, 0 },
	{ "RESULT status -1", PROTO_RESULT, NULL, -1, 0, 0 },
	{ "ERROR code 0x10000", PROTO_ERROR, NULL, 0, 0x10000, 0 },
	{ "PING typed COMMAND", PROTO_PING, NULL, PROTO_COMMAND, 0, 0 },
	{ "PING typed HELLO", PROTO_PING, NULL, PROTO_HELLO, 0, 0 },
	{ "PING typed 0", PROTO_PING, NULL, 0, 0, 0 },
	/* length = 1 + 4 + len would be 2^32: beyond the u32 field. */
	{ "RESULT exit 256", PROTO_RESULT, NULL, 1, 256, 0 },
	{ "COMMAND 2^32 - 5", PROTO_COMMAND, NULL, 0, 0, 0xfffffffbu },
	{ "RESULT 2^32 - 6", PROTO_RESULT, NULL, 0, 0, 0xfffffffau },
	{ "ERROR 2^32 - 3", PROTO_ERROR, NULL, 0, 0, 0xfffffffdu },
	{ "BYE 2^32 - 1", PROTO_BYE, NULL, 0, 0, 0xffffffffu },
	{ "COMMAND SIZE_MAX", PROTO_COMMAND, NULL, 0, 0, SIZE_MAX },
	{ "RESULT SIZE_MAX", PROTO_RESULT, NULL, 0, 0, SIZE_MAX },
	{ "ERROR SIZE_MAX", PROTO_ERROR, NULL, 0, 0, SIZE_MAX },
	{ "BYE SIZE_MAX", PROTO_BYE, NULL, 0, 0, SIZE_MAX },
};

/*
 * The size passed is a lie (SIZE_MAX) so that only the refusal can stop
 * the encoder: a write or a read of the text past its few real bytes
 * would be caught by ASan.
 */
START_TEST(test_encode_refuses)
{
	const struct refuse_case *c = &refusals[_i];
	static const char text[4] = "abc";
	unsigned char *buf;
	long n;

	memset(hello_unterminated.name, 'x', sizeof(hello_unterminated.name));
	hello_unterminated.version = 1;
	buf = malloc(16);
	ck_assert_ptr_nonnull(buf);
	switch (c->type) {
	case PROTO_HELLO:
		n = proto_hello_encode(buf, 16, c->hello);
		/* Refused for what it is, not for the small buffer. */
		ck_assert_int_eq(proto_hello_encode(buf, SIZE_MAX, c->hello),
		    -1);
		break;
	case PROTO_COMMAND:
		n = proto_command_encode(buf, SIZE_MAX, 1, text, c->len);
		break;
	case PROTO_RESULT:
		n = proto_result_encode(buf, c->len == 0 ? 16 : SIZE_MAX, 1,
		    c->arg, text, c->len);
		if (c->code != 0)	/* an exit code out of range */
			n = proto_result_exit_encode(buf, 16, 1, c->arg,
			    (int)c->code, text, 0);
		break;
	case PROTO_ERROR:
		n = proto_error_encode(buf, c->len == 0 ? 16 : SIZE_MAX,
		    c->code, text, c->len);
		break;
	case PROTO_BYE:
		n = proto_bye_encode(buf, SIZE_MAX, text, c->len);
		break;
	default:
		n = proto_ping_encode(buf, 16, c->arg, 1);
		break;
	}
	ck_assert_msg(n == -1, "%s: got %ld", c->what, n);
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Names                                                                   */

static const struct name_case {
	int		 value;
	const char	*err;		/* proto_strerror(value) */
	const char	*type;		/* proto_type_name(value) */
} names[] = {
	{ 0, "success", "unknown" },
	{ PROTO_HELLO, "unknown error", "HELLO" },
	{ PROTO_COMMAND, "unknown error", "COMMAND" },
	{ PROTO_RESULT, "unknown error", "RESULT" },
	{ PROTO_ERROR, "unknown error", "ERROR" },
	{ PROTO_BYE, "unknown error", "BYE" },
	{ PROTO_PING, "unknown error", "PING" },
	{ PROTO_PONG, "unknown error", "PONG" },
	{ PROTO_CANCEL, "unknown error", "CANCEL" },
	{ PROTO_NOISE, "unknown error", "NOISE" },
	{ PROTO_SEALED, "unknown error", "SEALED" },
	{ PROTO_RELAY, "unknown error", "RELAY" },
	{ PROTO_PART, "unknown error", "PART" },
	{ PROTO_PEERS, "unknown error", "PEERS" },
	{ 14, "unknown error", "unknown" },
	{ 255, "unknown error", "unknown" },
	{ -1, "unknown error", "unknown" },
	{ PROTO_PARTIAL, "incomplete frame", "unknown" },
	{ PROTO_EEMPTY, "frame length 0", "unknown" },
	{ PROTO_ETOOBIG, "frame too large", "unknown" },
	{ PROTO_ESHORT, "payload too short", "unknown" },
	{ PROTO_EMAGIC, "bad HELLO magic", "unknown" },
	{ PROTO_EVERSION, "unsupported protocol version", "unknown" },
	{ PROTO_EINVAL, "field out of range", "unknown" },
	{ -9, "unknown error", "unknown" },
};

START_TEST(test_names)
{
	ck_assert_str_eq(proto_strerror(names[_i].value), names[_i].err);
	ck_assert_str_eq(proto_type_name(names[_i].value), names[_i].type);
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc;

	tc = tcase_create("frames");
	tcase_add_loop_test(tc, test_round_trip, 0, NELEM(frames));
	tcase_add_loop_test(tc, test_encode_bounds, 0, NELEM(frames));
	tcase_add_loop_test(tc, test_every_prefix_partial, 0, NELEM(frames));
	tcase_add_loop_test(tc, test_stream, 0, NELEM(chunks));
	tcase_add_test(tc, test_max_frame_exact);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_header, 0, NELEM(headers));
	tcase_add_loop_test(tc, test_bad_hello, 0, NELEM(hellos));
	tcase_add_test(tc, test_hello_prefix_short);
	tcase_add_loop_test(tc, test_hello_extensions, 0, NELEM(exts));
	tcase_add_test(tc, test_code_fatal);
	tcase_add_loop_test(tc, test_bad_payload, 0, NELEM(payloads));
	tcase_add_loop_test(tc, test_encode_refuses, 0, NELEM(refusals));
	tcase_add_loop_test(tc, test_names, 0, NELEM(names));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
