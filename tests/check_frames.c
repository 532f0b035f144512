/*
 * check_frames: the RELAY, PART and PEERS codec against tables.
 *
 * frames[] lists good frames of the three types (empty and binary texts,
 * a flood of 32 hops, every PART status, a PEERS with and without keys);
 * each is encoded, compared byte for byte where it carries its wire bytes,
 * decoded back, refused by the decoders of the other types, squeezed into
 * a buffer one byte short, and cut at every prefix of its payload (short
 * until the fixed fields and the target or path are there, then a shorter
 * command or text; any cut PEERS is short).  The limits are tried at and
 * one past the edge: hops 8 on a path and 32 on a flood, a 1024-byte
 * target and path, 64 peers with 45-byte addresses.
 * Further tables hold bad payloads with the error each must give and
 * encoder calls that must be refused.  frames.c and proto.c are linked
 * alone; the build uses ASan and UBSan and every buffer is allocated at
 * its exact size, so a read or write past a bound fails the test.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "frames.h"
#include "proto.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define BYTES(s)	(const unsigned char *)(s), sizeof(s) - 1
#define TARGET(s)	.target = (s), .target_len = sizeof(s) - 1
#define COMMAND(s)	.command = (s), .command_len = sizeof(s) - 1
#define PATH(s)		.path = (s), .path_len = sizeof(s) - 1
#define TEXT(s)		.text = (s), .text_len = sizeof(s) - 1
#define MAX_FRAME	PROTO_DEFAULT_MAX_FRAME

#define ID11		"\x11\x11\x11\x11\x11\x11\x11\x11"
#define ID22		"\x22\x22\x22\x22\x22\x22\x22\x22"
#define ID33		"\x33\x33\x33\x33\x33\x33\x33\x33"
#define AA8		"\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa"
#define KEYAA		AA8 AA8 AA8 AA8
#define B_AA8		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa
#define B_KEYAA		{ B_AA8, B_AA8, B_AA8, B_AA8 }
#define B_ID(x)		{ x, x, x, x, x, x, x, x }
#define IP45		"0000:0000:0000:0000:0000:ffff:192.168.100.200"

/* RELAY payload pieces: id 1, timeout 5000, origin 11.., qid 9. */
#define R_HEAD(kind, hops) "\x00\x00\x00\x01" kind hops "\x00\x00\x13\x88" \
			ID11 "\x00\x00\x00\x09"		/* 22 bytes */
#define R_PATH		R_HEAD("\x00", "\x02")
/* PEERS entry pieces: id 22.., port 14596. */
#define P_HEAD(flags)	ID22 "\x39\x04" flags		/* 11 bytes */

/* ---------------------------------------------------------------------- */
/* Good frames                                                             */

static const struct frames_relay relay_path = {
	0x01020304u, FRAMES_PATH, 2, 5000, B_ID(0x11), 0x0a0b0c0du,
	TARGET("b/c"), COMMAND("add 1 2")
};
static const struct frames_relay relay_flood = {
	9, FRAMES_FLOOD, 32, 0xffffffffu, B_ID(0x22),
	0xffffffffu,
	TARGET(""), COMMAND("uptime")
};
static const struct frames_relay relay_here = {
	0, FRAMES_PATH, 0, 0, B_ID(0), 0, TARGET(""), COMMAND("")
};
static const struct frames_relay relay_binary = {
	0xffffffffu, FRAMES_PATH, 1, 1, B_ID(0xff), 1, TARGET("a\0/\xff"),
	COMMAND("\0\r\n")
};

static const struct frames_part part_exit = {
	7, FRAMES_PART_ERROR, 3, PATH("b/c"), TEXT("oops\n")
};
static const struct frames_part part_own = {
	1, FRAMES_PART_OK, -1, PATH(""), TEXT("3")
};
static const struct frames_part part_timeout = {
	2, FRAMES_PART_TIMEOUT, 0, PATH("x"), TEXT("")
};
static const struct frames_part part_unreachable = {
	3, FRAMES_PART_UNREACHABLE, -1, PATH("far"), TEXT("no route")
};
static const struct frames_part part_lost = {
	4, FRAMES_PART_LOST, -1, PATH("a/b"), TEXT("\0\xff")
};
static const struct frames_part part_cancelled = {
	0xffffffffu, FRAMES_PART_CANCELLED, 255, PATH("x/y/z"), TEXT("")
};

static const struct frames_peer peers_two[] = {
	{ B_ID(0x22), 14596, 0, { 0 }, "127.0.0.1" },
	{ B_ID(0x33), 443, 1, B_KEYAA, "::1" },
};
static const struct frames_peer peers_edge[] = {
	{ B_ID(0), 65535, 1, B_KEYAA, IP45 },
	{ B_ID(0xff), 1, 0, { 0 }, "FE80::1" },
	{ B_ID(1), 2, 0, { 0 }, "0" },
};

struct frame_case {
	const char	*what;
	int		 type;
	const struct frames_relay *relay;
	const struct frames_part *part;
	const struct frames_peer *peers;
	int		 npeers;
	long		 size;		/* the whole encoded frame */
	const char	*wire;		/* its exact bytes, or NULL */
};

static const struct frame_case frames[] = {
	{ "RELAY path b/c", PROTO_RELAY, .relay = &relay_path, .size = 39,
	  .wire = "\x00\x00\x00\x23" "\x0b" "\x01\x02\x03\x04" "\x00" "\x02"
	    "\x00\x00\x13\x88" ID11 "\x0a\x0b\x0c\x0d" "\x00\x03" "b/c"
	    "add 1 2" },
	{ "RELAY flood", PROTO_RELAY, .relay = &relay_flood, .size = 35,
	  .wire = "\x00\x00\x00\x1f" "\x0b" "\x00\x00\x00\x09" "\x01" "\x20"
	    "\xff\xff\xff\xff" ID22 "\xff\xff\xff\xff" "\x00\x00" "uptime" },
	{ "RELAY here, empty", PROTO_RELAY, .relay = &relay_here, .size = 29,
	  .wire = "\x00\x00\x00\x19" "\x0b" "\x00\x00\x00\x00" "\x00" "\x00"
	    "\x00\x00\x00\x00" "\0\0\0\0\0\0\0\0" "\x00\x00\x00\x00"
	    "\x00\x00" },
	{ "RELAY binary", PROTO_RELAY, .relay = &relay_binary, .size = 36 },
	{ "PART error, exit 3", PROTO_PART, .part = &part_exit, .size = 21,
	  .wire = "\x00\x00\x00\x11" "\x0c" "\x00\x00\x00\x07" "\x81" "\x03"
	    "\x00\x03" "b/c" "oops\n" },
	{ "PART ok, own", PROTO_PART, .part = &part_own, .size = 13,
	  .wire = "\x00\x00\x00\x09" "\x0c" "\x00\x00\x00\x01" "\x00"
	    "\x00\x00" "3" },
	{ "PART timeout, exit 0", PROTO_PART, .part = &part_timeout,
	  .size = 14,
	  .wire = "\x00\x00\x00\x0a" "\x0c" "\x00\x00\x00\x02" "\x82" "\x00"
	    "\x00\x01" "x" },
	{ "PART unreachable", PROTO_PART, .part = &part_unreachable,
	  .size = 23 },
	{ "PART lost, binary", PROTO_PART, .part = &part_lost, .size = 17 },
	{ "PART cancelled, exit 255", PROTO_PART, .part = &part_cancelled,
	  .size = 18,
	  .wire = "\x00\x00\x00\x0e" "\x0c" "\xff\xff\xff\xff" "\x85" "\xff"
	    "\x00\x05" "x/y/z" },
	{ "PEERS none", PROTO_PEERS, .peers = NULL, .npeers = 0, .size = 6,
	  .wire = "\x00\x00\x00\x02" "\x0d" "\x00" },
	{ "PEERS two", PROTO_PEERS, .peers = peers_two, .npeers = 2,
	  .size = 74,
	  .wire = "\x00\x00\x00\x46" "\x0d" "\x02"
	    ID22 "\x39\x04" "\x00" "\x09" "127.0.0.1"
	    ID33 "\x01\xbb" "\x01" "\x03" "::1" KEYAA },
	{ "PEERS edges", PROTO_PEERS, .peers = peers_edge, .npeers = 3,
	  .size = 6 + 12 + 45 + 32 + 12 + 7 + 12 + 1 },
};

static long
encode_case(const struct frame_case *c, unsigned char *buf, size_t size)
{
	switch (c->type) {
	case PROTO_RELAY:
		return frames_relay_encode(buf, size, c->relay);
	case PROTO_PART:
		return frames_part_encode(buf, size, c->part);
	default:
		return frames_peers_encode(buf, size, c->peers, c->npeers);
	}
}

/* A frame of any type and payload, built by hand, at its exact size. */
static unsigned char *
framed(int type, const unsigned char *payload, size_t len,
    struct proto_frame *f)
{
	unsigned char *buf;
	size_t length = len + 1;

	buf = malloc(5 + len);
	ck_assert_ptr_nonnull(buf);
	buf[0] = (unsigned char)(length >> 24);
	buf[1] = (unsigned char)(length >> 16);
	buf[2] = (unsigned char)(length >> 8);
	buf[3] = (unsigned char)length;
	buf[4] = (unsigned char)type;
	if (len > 0)
		memcpy(buf + 5, payload, len);
	ck_assert_int_eq(proto_frame_next(buf, 5 + len, MAX_FRAME, f),
	    (long)(5 + len));
	return buf;
}

static void
same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	ck_assert_uint_eq(alen, blen);
	if (alen > 0)
		ck_assert_mem_eq(a, b, alen);
}

static void
check_relay(const struct frames_relay *want, const struct frames_relay *r)
{
	ck_assert_uint_eq(r->id, want->id);
	ck_assert_uint_eq(r->kind, want->kind);
	ck_assert_uint_eq(r->hops, want->hops);
	ck_assert_uint_eq(r->timeout_ms, want->timeout_ms);
	ck_assert_mem_eq(r->origin, want->origin, PROTO_NODE_ID);
	ck_assert_uint_eq(r->qid, want->qid);
	same_bytes(r->target, r->target_len, want->target, want->target_len);
	same_bytes(r->command, r->command_len, want->command,
	    want->command_len);
}

static void
check_part(const struct frames_part *want, const struct frames_part *p)
{
	ck_assert_uint_eq(p->id, want->id);
	ck_assert_uint_eq(p->status, want->status);
	ck_assert_int_eq(p->exit, want->exit);
	same_bytes(p->path, p->path_len, want->path, want->path_len);
	same_bytes(p->text, p->text_len, want->text, want->text_len);
}

static void
check_peers(const struct frames_peer *want, int nwant,
    const struct frames_peer *got, int n)
{
	int i;

	ck_assert_int_eq(n, nwant);
	for (i = 0; i < n; i++) {
		ck_assert_mem_eq(got[i].id, want[i].id, PROTO_NODE_ID);
		ck_assert_uint_eq(got[i].port, want[i].port);
		ck_assert_int_eq(got[i].has_key, want[i].has_key != 0);
		if (want[i].has_key)
			ck_assert_mem_eq(got[i].key, want[i].key, 32);
		ck_assert_str_eq(got[i].ip, want[i].ip);
	}
}

/* The decoders of the two other types refuse f. */
static void
check_type_guard(const struct proto_frame *f)
{
	struct frames_relay r;
	struct frames_part p;
	struct frames_peer peers[FRAMES_MAX_PEERS];
	int n = -1;

	if (f->type != PROTO_RELAY)
		ck_assert_int_eq(frames_relay_decode(f, &r), PROTO_EINVAL);
	if (f->type != PROTO_PART)
		ck_assert_int_eq(frames_part_decode(f, &p), PROTO_EINVAL);
	if (f->type != PROTO_PEERS) {
		ck_assert_int_eq(frames_peers_decode(f, peers,
		    FRAMES_MAX_PEERS, &n), PROTO_EINVAL);
		ck_assert_int_eq(n, 0);
	}
}

/* f must be what c encodes to. */
static void
check_decoded(const struct frame_case *c, const struct proto_frame *f)
{
	struct frames_relay r;
	struct frames_part p;
	struct frames_peer peers[FRAMES_MAX_PEERS];
	int n;

	ck_assert_msg(f->type == c->type, "%s: type %d", c->what, f->type);
	check_type_guard(f);
	switch (c->type) {
	case PROTO_RELAY:
		ck_assert_msg(frames_relay_decode(f, &r) == 0, "%s", c->what);
		check_relay(c->relay, &r);
		ck_assert_ptr_eq(r.command + r.command_len,
		    (const char *)f->payload + f->len);
		break;
	case PROTO_PART:
		ck_assert_msg(frames_part_decode(f, &p) == 0, "%s", c->what);
		check_part(c->part, &p);
		ck_assert_ptr_eq(p.text + p.text_len,
		    (const char *)f->payload + f->len);
		break;
	default:
		ck_assert_msg(frames_peers_decode(f, peers, FRAMES_MAX_PEERS,
		    &n) == 0, "%s", c->what);
		check_peers(c->peers, c->npeers, peers, n);
		/* Exactly as many places as entries is enough. */
		ck_assert_int_eq(frames_peers_decode(f, peers, c->npeers, &n),
		    0);
		ck_assert_int_eq(n, c->npeers);
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
	ck_assert_ptr_eq(f.payload, buf + PROTO_HEADER);
	check_decoded(c, &f);
}
END_TEST

/* Exactly the frame's size fits; one byte less (or none) does not. */
START_TEST(test_encode_bounds)
{
	const struct frame_case *c = &frames[_i];
	unsigned char *buf;
	size_t size = (size_t)c->size;

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

/*
 * Every prefix of the payload: short while the fixed fields and the
 * target or path are cut; past them a RELAY or PART decodes with a shorter
 * command or text.  A PEERS frame is short until its last byte.
 */
START_TEST(test_every_prefix)
{
	const struct frame_case *c = &frames[_i];
	unsigned char enc[256], *buf;
	struct proto_frame f;
	struct frames_relay r;
	struct frames_part p;
	struct frames_peer peers[FRAMES_MAX_PEERS];
	size_t len, k, need;
	int rc, n;

	ck_assert_int_eq(encode_case(c, enc, sizeof(enc)), c->size);
	len = (size_t)c->size - PROTO_HEADER;
	if (c->type == PROTO_RELAY)
		need = len - c->relay->command_len;
	else if (c->type == PROTO_PART)
		need = len - c->part->text_len;
	else
		need = len;
	for (k = 0; k < len; k++) {
		buf = framed(c->type, enc + PROTO_HEADER, k, &f);
		if (c->type == PROTO_RELAY) {
			rc = frames_relay_decode(&f, &r);
			if (rc == 0)
				ck_assert_uint_eq(r.command_len, k - need);
		} else if (c->type == PROTO_PART) {
			rc = frames_part_decode(&f, &p);
			if (rc == 0)
				ck_assert_uint_eq(p.text_len, k - need);
		} else
			rc = frames_peers_decode(&f, peers, FRAMES_MAX_PEERS,
			    &n);
		ck_assert_msg(rc == (k < need ? PROTO_ESHORT : 0),
		    "%s: prefix %zu: %d", c->what, k, rc);
		free(buf);
	}
}
END_TEST

/* A 1024-byte target and path pass; 1025 do not, either way. */
START_TEST(test_path_limit)
{
	static char path[FRAMES_MAX_PATH + 1];
	struct frames_relay r = relay_path, r2;
	struct frames_part p = part_exit, p2;
	struct proto_frame f;
	unsigned char *buf, *hand;
	size_t size;
	long n;

	memset(path, 'p', sizeof(path));
	r.target = p.path = path;
	r.target_len = p.path_len = FRAMES_MAX_PATH;
	size = PROTO_HEADER + FRAMES_RELAY_FIXED + FRAMES_MAX_PATH +
	    r.command_len;
	buf = malloc(size + 1);
	ck_assert_ptr_nonnull(buf);
	n = frames_relay_encode(buf, size, &r);
	ck_assert_int_eq(n, (long)size);
	ck_assert_int_eq(proto_frame_next(buf, size, MAX_FRAME, &f), n);
	ck_assert_int_eq(frames_relay_decode(&f, &r2), 0);
	ck_assert_uint_eq(r2.target_len, FRAMES_MAX_PATH);
	/* The same with one byte more in the target: refused. */
	buf[size] = (unsigned char)'p';
	buf[PROTO_HEADER + FRAMES_RELAY_FIXED - 1] = 0x01;	/* 1025 */
	hand = framed(PROTO_RELAY, buf + PROTO_HEADER, size + 1 - PROTO_HEADER,
	    &f);
	ck_assert_int_eq(frames_relay_decode(&f, &r2), PROTO_EINVAL);
	free(hand);
	r.target_len = FRAMES_MAX_PATH + 1;
	ck_assert_int_eq(frames_relay_encode(buf, SIZE_MAX, &r), -1);
	free(buf);

	size = PROTO_HEADER + FRAMES_PART_FIXED + FRAMES_MAX_PATH + p.text_len;
	buf = malloc(size + 1);
	ck_assert_ptr_nonnull(buf);
	n = frames_part_encode(buf, size, &p);
	ck_assert_int_eq(n, (long)size);
	ck_assert_int_eq(proto_frame_next(buf, size, MAX_FRAME, &f), n);
	ck_assert_int_eq(frames_part_decode(&f, &p2), 0);
	ck_assert_uint_eq(p2.path_len, FRAMES_MAX_PATH);
	buf[size] = (unsigned char)'p';
	buf[PROTO_HEADER + FRAMES_PART_FIXED - 1] = 0x01;	/* 1025 */
	hand = framed(PROTO_PART, buf + PROTO_HEADER, size + 1 - PROTO_HEADER,
	    &f);
	ck_assert_int_eq(frames_part_decode(&f, &p2), PROTO_EINVAL);
	free(hand);
	p.path_len = FRAMES_MAX_PATH + 1;
	ck_assert_int_eq(frames_part_encode(buf, SIZE_MAX, &p), -1);
	free(buf);
}
END_TEST

/*
 * FRAMES_MAX_PEERS entries of the largest size pass; a count of one more
 * is refused by the encoder, and by the decoder even with room for it, and
 * a caller's max below the count is refused too.
 */
START_TEST(test_peers_limit)
{
	struct frames_peer *in, *out;
	struct proto_frame f;
	unsigned char *buf;
	size_t size = PROTO_HEADER + 1 +
	    FRAMES_MAX_PEERS * (size_t)FRAMES_PEER_MAX_SIZE;
	int i, n;

	in = calloc(FRAMES_MAX_PEERS + 1, sizeof(*in));
	out = calloc(FRAMES_MAX_PEERS + 1, sizeof(*out));
	buf = malloc(size);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i <= FRAMES_MAX_PEERS; i++) {
		memset(in[i].id, i, PROTO_NODE_ID);
		in[i].port = 1000 + (unsigned)i;
		in[i].has_key = 1;
		memset(in[i].key, 0x80 + i, sizeof(in[i].key));
		memcpy(in[i].ip, IP45, sizeof(IP45));
	}
	ck_assert_int_eq(frames_peers_encode(buf, size, in, FRAMES_MAX_PEERS),
	    (long)size);
	ck_assert_int_eq(frames_peers_encode(buf, SIZE_MAX, in,
	    FRAMES_MAX_PEERS + 1), -1);
	ck_assert_int_eq(proto_frame_next(buf, size, MAX_FRAME, &f),
	    (long)size);
	ck_assert_int_eq(frames_peers_decode(&f, out, FRAMES_MAX_PEERS, &n), 0);
	check_peers(in, FRAMES_MAX_PEERS, out, n);
	ck_assert_int_eq(frames_peers_decode(&f, out, FRAMES_MAX_PEERS - 1,
	    &n), PROTO_EINVAL);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(frames_peers_decode(&f, out, 0, &n), PROTO_EINVAL);
	buf[PROTO_HEADER] = FRAMES_MAX_PEERS + 1;
	ck_assert_int_eq(frames_peers_decode(&f, out, FRAMES_MAX_PEERS + 1,
	    &n), PROTO_EINVAL);
	ck_assert_int_eq(n, 0);
	free(buf);
	free(out);
	free(in);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Bad payloads                                                            */

static const struct payload_case {
	const char	*what;
	int		 type;		/* of the frame */
	int		 decoder;	/* whose decoder is called */
	const unsigned char *payload;
	size_t		 len;
	int		 want;
} payloads[] = {
	/* RELAY */
	{ "RELAY empty", PROTO_RELAY, PROTO_RELAY, BYTES(""), PROTO_ESHORT },
	{ "RELAY no target_len", PROTO_RELAY, PROTO_RELAY, BYTES(R_PATH),
	  PROTO_ESHORT },
	{ "RELAY target_len cut", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_PATH "\x00"), PROTO_ESHORT },
	{ "RELAY target 3, 2 bytes", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_PATH "\x00\x03" "b/"), PROTO_ESHORT },
	{ "RELAY target, no command", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_PATH "\x00\x03" "b/c"), 0 },
	{ "RELAY kind 2", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x02", "\x02") "\x00\x00" "x"), PROTO_EINVAL },
	{ "RELAY kind 0xff", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\xff", "\x02") "\x00\x00"), PROTO_EINVAL },
	{ "RELAY kind 2, cut", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x02", "\x02")), PROTO_ESHORT },
	{ "RELAY hops 8", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x00", "\x08") "\x00\x00" "x"), 0 },
	{ "RELAY hops 9", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x00", "\x09") "\x00\x00" "x"), PROTO_EINVAL },
	{ "RELAY path hops 0xff", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x00", "\xff") "\x00\x00" "x"), PROTO_EINVAL },
	{ "RELAY flood hops 0xff", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x01", "\xff") "\x00\x00" "x"), 0 },
	{ "RELAY path hops 32", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x00", "\x20") "\x00\x00" "x"), PROTO_EINVAL },
	{ "RELAY flood hops 32", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x01", "\x20") "\x00\x00" "x"), 0 },
	{ "RELAY flood hops 33", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x01", "\x21") "\x00\x00" "x"), 0 },
	{ "RELAY flood, no target", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x01", "\x03") "\x00\x00" "x"), 0 },
	{ "RELAY flood with target", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_HEAD("\x01", "\x03") "\x00\x01" "b" "x"), PROTO_EINVAL },
	{ "RELAY target 1025, absent", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_PATH "\x04\x01"), PROTO_EINVAL },
	{ "RELAY target 0xffff, absent", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_PATH "\xff\xff" "b/c"), PROTO_EINVAL },
	{ "RELAY target 1024, absent", PROTO_RELAY, PROTO_RELAY,
	  BYTES(R_PATH "\x04\x00" "b/c"), PROTO_ESHORT },

	/* PART */
	{ "PART empty", PROTO_PART, PROTO_PART, BYTES(""), PROTO_ESHORT },
	{ "PART id only", PROTO_PART, PROTO_PART, BYTES("\0\0\0\1"),
	  PROTO_ESHORT },
	{ "PART no path_len", PROTO_PART, PROTO_PART, BYTES("\0\0\0\1\0"),
	  PROTO_ESHORT },
	{ "PART path_len cut", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\0\0"), PROTO_ESHORT },
	{ "PART exit flag, nothing", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\x80"), PROTO_ESHORT },
	{ "PART exit, no path_len", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\x80\x05"), PROTO_ESHORT },
	{ "PART exit, path_len cut", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\x80\x05\x00"), PROTO_ESHORT },
	{ "PART minimal", PROTO_PART, PROTO_PART, BYTES("\0\0\0\1\0\0\0"), 0 },
	{ "PART path 3, 2 bytes", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\0\0\3" "ab"), PROTO_ESHORT },
	{ "PART status 5", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\x05\0\0" "x"), 0 },
	{ "PART status 6", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\x06\0\0" "x"), PROTO_EINVAL },
	{ "PART status 0x7f", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\x7f\0\0"), PROTO_EINVAL },
	{ "PART status 6, exit", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\x86\x01\0\0"), PROTO_EINVAL },
	{ "PART status 0xff, exit", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\xff\xff\0\0"), PROTO_EINVAL },
	{ "PART path 1025, absent", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\0\x04\x01"), PROTO_EINVAL },
	{ "PART path 0xffff, absent", PROTO_PART, PROTO_PART,
	  BYTES("\0\0\0\1\x81\x01\xff\xff" "ab"), PROTO_EINVAL },

	/* A frame of another type, whatever its payload. */
	{ "PART as RELAY", PROTO_PART, PROTO_RELAY,
	  BYTES(R_PATH "\x00\x03" "b/c"), PROTO_EINVAL },
	{ "COMMAND as RELAY", PROTO_COMMAND, PROTO_RELAY,
	  BYTES(R_PATH "\x00\x00"), PROTO_EINVAL },
	{ "RELAY as PART", PROTO_RELAY, PROTO_PART, BYTES("\0\0\0\1\0\0\0"),
	  PROTO_EINVAL },
	{ "RESULT as PART", PROTO_RESULT, PROTO_PART,
	  BYTES("\0\0\0\1\0\0\0"), PROTO_EINVAL },
	{ "type 0 as RELAY", 0, PROTO_RELAY, BYTES(""), PROTO_EINVAL },
};

/* PEERS payloads: max is the room for entries, n how many on success. */
static const struct peers_case {
	const char	*what;
	int		 type;		/* of the frame */
	const unsigned char *payload;
	size_t		 len;
	int		 want;
	int		 max;
	int		 n;
} peers_payloads[] = {
	{ "PEERS empty", PROTO_PEERS, BYTES(""), PROTO_ESHORT, 64, 0 },
	{ "PEERS count 0", PROTO_PEERS, BYTES("\0"), 0, 64, 0 },
	{ "PEERS count 0, max 0", PROTO_PEERS, BYTES("\0"), 0, 0, 0 },
	{ "PEERS count 0, trailing", PROTO_PEERS,
	  BYTES("\0\0"), PROTO_EINVAL, 64, 0 },
	{ "PEERS count 1, nothing", PROTO_PEERS,
	  BYTES("\1"), PROTO_ESHORT, 64, 0 },
	{ "PEERS count 65", PROTO_PEERS, BYTES("\x41"), PROTO_EINVAL, 100, 0 },
	{ "PEERS count 255", PROTO_PEERS,
	  BYTES("\xff" P_HEAD("\0") "\1" "1"), PROTO_EINVAL, 300, 0 },
	{ "PEERS count 2, max 1", PROTO_PEERS,
	  BYTES("\2" P_HEAD("\0") "\1" "1" P_HEAD("\0") "\1" "2"),
	  PROTO_EINVAL, 1, 0 },
	{ "PEERS count 2, max 2", PROTO_PEERS,
	  BYTES("\2" P_HEAD("\0") "\1" "1" P_HEAD("\0") "\1" "2"), 0, 2, 2 },
	{ "PEERS count 2, one entry", PROTO_PEERS,
	  BYTES("\2" P_HEAD("\0") "\1" "1"), PROTO_ESHORT, 64, 0 },
	{ "PEERS id cut", PROTO_PEERS,
	  BYTES("\1" "\x22\x22"), PROTO_ESHORT, 64, 0 },
	{ "PEERS port cut", PROTO_PEERS,
	  BYTES("\1" ID22 "\x39"), PROTO_ESHORT, 64, 0 },
	{ "PEERS no flags", PROTO_PEERS,
	  BYTES("\1" ID22 "\x39\x04"), PROTO_ESHORT, 64, 0 },
	{ "PEERS no ip_len", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0")), PROTO_ESHORT, 64, 0 },
	{ "PEERS ip cut", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x09" "127.0.0."), PROTO_ESHORT, 64, 0 },
	{ "PEERS key absent", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\1") "\x03" "::1"), PROTO_ESHORT, 64, 0 },
	{ "PEERS key cut", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\1") "\x03" "::1" AA8 AA8 AA8 "\xaa"),
	  PROTO_ESHORT, 64, 0 },
	{ "PEERS key", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\1") "\x03" "::1" KEYAA), 0, 64, 1 },
	{ "PEERS key, trailing", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\1") "\x03" "::1" KEYAA "\0"),
	  PROTO_EINVAL, 64, 0 },
	{ "PEERS trailing byte", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x03" "::1" "x"), PROTO_EINVAL, 64, 0 },
	{ "PEERS other flag bits", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\xfe") "\x03" "::1"), 0, 64, 1 },
	{ "PEERS all flag bits", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\xff") "\x03" "::1" KEYAA), 0, 64, 1 },
	{ "PEERS port 0", PROTO_PEERS,
	  BYTES("\1" ID22 "\0\0" "\0" "\x03" "::1"), PROTO_EINVAL, 64, 0 },
	{ "PEERS port 0, cut", PROTO_PEERS,
	  BYTES("\1" ID22 "\0\0" "\0"), PROTO_ESHORT, 64, 0 },
	{ "PEERS port 65535", PROTO_PEERS,
	  BYTES("\1" ID22 "\xff\xff" "\0" "\x03" "::1"), 0, 64, 1 },
	{ "PEERS ip_len 0", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\0"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip_len 46", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x2e" IP45 "0"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip_len 46, absent", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x2e"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip_len 45", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x2d" IP45), 0, 64, 1 },
	{ "PEERS ip upper case", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x07" "FE80::A"), 0, 64, 1 },
	{ "PEERS ip 'g'", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x04" "fe:g"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip NUL", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x04" "::1\0"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip brackets", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x05" "[::1]"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip zone", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x08" "fe80::1%"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip name", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x09" "localhost"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip space", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x04" "1.2 "), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip newline", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x02" "1\n"), PROTO_EINVAL, 64, 0 },
	{ "PEERS ip 0xff", PROTO_PEERS,
	  BYTES("\1" P_HEAD("\0") "\x02" "1\xff"), PROTO_EINVAL, 64, 0 },
	{ "PEERS second entry bad", PROTO_PEERS,
	  BYTES("\2" P_HEAD("\0") "\1" "1" P_HEAD("\0") "\1" "/"),
	  PROTO_EINVAL, 64, 0 },
	{ "RELAY as PEERS", PROTO_RELAY, BYTES("\0"), PROTO_EINVAL, 64, 0 },
	{ "HELLO as PEERS", PROTO_HELLO, BYTES("\0"), PROTO_EINVAL, 64, 0 },
	{ "type 14 as PEERS", 14, BYTES("\0"), PROTO_EINVAL, 64, 0 },
};

START_TEST(test_bad_payload)
{
	const struct payload_case *c = &payloads[_i];
	struct proto_frame f;
	struct frames_relay r;
	struct frames_part p;
	unsigned char *buf;
	int rc;

	buf = framed(c->type, c->payload, c->len, &f);
	if (c->decoder == PROTO_RELAY)
		rc = frames_relay_decode(&f, &r);
	else
		rc = frames_part_decode(&f, &p);
	ck_assert_msg(rc == c->want, "%s: got %d (%s), want %d", c->what, rc,
	    proto_strerror(rc), c->want);
	free(buf);
}
END_TEST

START_TEST(test_bad_peers)
{
	const struct peers_case *c = &peers_payloads[_i];
	struct proto_frame f;
	struct frames_peer *peers;
	unsigned char *buf;
	int rc, n = -1;

	buf = framed(c->type, c->payload, c->len, &f);
	/* Exactly max places, so ASan sees an entry written past them. */
	peers = malloc(c->max > 0 ? (size_t)c->max * sizeof(*peers) : 1);
	ck_assert_ptr_nonnull(peers);
	rc = frames_peers_decode(&f, peers, c->max, &n);
	ck_assert_msg(rc == c->want, "%s: got %d (%s), want %d", c->what, rc,
	    proto_strerror(rc), c->want);
	ck_assert_int_eq(n, c->n);
	free(peers);
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Encoder calls refused whatever the buffer                               */

static const char few[4] = "abc";	/* the only bytes behind a length */

static const struct frames_relay bad_relays[] = {
	/* kinds, then hops */
	{ 1, 2, 0, 0, { 0 }, 0, NULL, 0, NULL, 0 },
	{ 1, 0xffffffffu, 0, 0, { 0 }, 0, NULL, 0, NULL, 0 },
	{ 1, FRAMES_PATH, 9, 0, { 0 }, 0, NULL, 0, NULL, 0 },
	{ 1, FRAMES_PATH, 32, 0, { 0 }, 0, NULL, 0, NULL, 0 },
	{ 1, FRAMES_FLOOD, 256, 0, { 0 }, 0, NULL, 0, NULL, 0 },
	/* a flood with a target; targets too long */
	{ 1, FRAMES_FLOOD, 1, 0, { 0 }, 0, few, 1, NULL, 0 },
	{ 1, FRAMES_PATH, 1, 0, { 0 }, 0, few, FRAMES_MAX_PATH + 1, NULL, 0 },
	{ 1, FRAMES_PATH, 1, 0, { 0 }, 0, few, SIZE_MAX, NULL, 0 },
	/* length = 1 + 24 + len beyond the u32 field */
	{ 1, FRAMES_PATH, 1, 0, { 0 }, 0, NULL, 0, few, 0xffffffffu - 24 },
	{ 1, FRAMES_PATH, 1, 0, { 0 }, 0, NULL, 0, few, SIZE_MAX },
};

static const struct frames_part bad_parts[] = {
	/* statuses, exit codes, paths too long */
	{ 1, 6, -1, NULL, 0, NULL, 0 },
	{ 1, 0x80, -1, NULL, 0, NULL, 0 },
	{ 1, 0xffffffffu, 0, NULL, 0, NULL, 0 },
	{ 1, FRAMES_PART_OK, 256, NULL, 0, NULL, 0 },
	{ 1, FRAMES_PART_OK, -2, NULL, 0, NULL, 0 },
	{ 1, FRAMES_PART_OK, INT_MIN, NULL, 0, NULL, 0 },
	{ 1, FRAMES_PART_OK, -1, few, FRAMES_MAX_PATH + 1, NULL, 0 },
	{ 1, FRAMES_PART_OK, -1, few, SIZE_MAX, NULL, 0 },
	/* length = 1 + 7 + len beyond the u32 field */
	{ 1, FRAMES_PART_OK, -1, NULL, 0, few, 0xffffffffu - 7 },
	{ 1, FRAMES_PART_OK, 1, NULL, 0, few, SIZE_MAX },
};

static const struct frames_peer bad_peers[] = {
	/* ports, then addresses */
	{ B_ID(1), 0, 0, { 0 }, "::1" },
	{ B_ID(1), 65536, 0, { 0 }, "::1" },
	{ B_ID(1), 80, 0, { 0 }, "" },
	{ B_ID(1), 80, 0, { 0 }, "[::1]" },
	{ B_ID(1), 80, 0, { 0 }, "fe80::1%eth0" },
	{ B_ID(1), 80, 0, { 0 }, "10.0.0.1/8" },
	{ B_ID(1), 80, 0, { 0 }, "example.org" },
	{ B_ID(1), 80, 0, { 0 }, "1.2.3.4 " },
	{ B_ID(1), 80, 1, B_KEYAA, "\xff" },
	{ B_ID(1), 80, 0, { 0 }, IP45 "0" },	/* no NUL in the array */
};

START_TEST(test_relay_refused)
{
	unsigned char *buf = malloc(64);

	ck_assert_ptr_nonnull(buf);
	/* SIZE_MAX: only the refusal can stop it; ASan sees anything else. */
	ck_assert_msg(frames_relay_encode(buf, SIZE_MAX, &bad_relays[_i]) ==
	    -1, "bad relay %d", _i);
	free(buf);
}
END_TEST

START_TEST(test_part_refused)
{
	unsigned char *buf = malloc(64);

	ck_assert_ptr_nonnull(buf);
	ck_assert_msg(frames_part_encode(buf, SIZE_MAX, &bad_parts[_i]) ==
	    -1, "bad part %d", _i);
	free(buf);
}
END_TEST

/* A bad entry is refused wherever it stands among good ones. */
START_TEST(test_peers_refused)
{
	struct frames_peer list[3];
	unsigned char *buf = malloc(256);
	int at;

	ck_assert_ptr_nonnull(buf);
	for (at = 0; at < 3; at++) {
		list[0] = list[1] = list[2] = peers_two[1];
		list[at] = bad_peers[_i];
		ck_assert_msg(frames_peers_encode(buf, SIZE_MAX, list, 3) ==
		    -1, "bad peer %d at %d", _i, at);
	}
	free(buf);
}
END_TEST

START_TEST(test_peers_count_refused)
{
	unsigned char buf[16];

	ck_assert_int_eq(frames_peers_encode(buf, sizeof(buf), NULL, -1), -1);
	ck_assert_int_eq(frames_peers_encode(buf, sizeof(buf), peers_two,
	    INT_MIN), -1);
	ck_assert_int_eq(frames_peers_encode(buf, sizeof(buf), NULL, 0), 6);
}
END_TEST

/* The count ending a flood's RELAY: digits alone, at most 9 of them. */
static const struct {
	const char	*text;
	size_t		 len;
	long		 n;
} missing[] = {
	{ "", 0, 0 }, { "0", 1, 0 }, { "3", 1, 3 },
	{ "999999999", 9, 999999999 }, { "1234567890", 10, 0 },
	{ "12x", 3, 0 }, { "-1", 2, 0 }, { " 1", 2, 0 }, { "1\0", 2, 0 },
	{ "37", 1, 3 },		/* only len bytes are read */
};

START_TEST(test_missing)
{
	ck_assert_int_eq(frames_missing(missing[_i].text, missing[_i].len),
	    missing[_i].n);
}
END_TEST

static Suite *
frames_suite(void)
{
	Suite *s = suite_create("frames");
	TCase *tc;

	tc = tcase_create("frames");
	tcase_add_loop_test(tc, test_round_trip, 0, NELEM(frames));
	tcase_add_loop_test(tc, test_encode_bounds, 0, NELEM(frames));
	tcase_add_loop_test(tc, test_every_prefix, 0, NELEM(frames));
	tcase_add_test(tc, test_path_limit);
	tcase_add_test(tc, test_peers_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_payload, 0, NELEM(payloads));
	tcase_add_loop_test(tc, test_bad_peers, 0, NELEM(peers_payloads));
	tcase_add_loop_test(tc, test_relay_refused, 0, NELEM(bad_relays));
	tcase_add_loop_test(tc, test_part_refused, 0, NELEM(bad_parts));
	tcase_add_loop_test(tc, test_peers_refused, 0, NELEM(bad_peers));
	tcase_add_test(tc, test_peers_count_refused);
	tcase_add_loop_test(tc, test_missing, 0, NELEM(missing));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(frames_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
