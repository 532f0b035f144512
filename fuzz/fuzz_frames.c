/*
 * fuzz_frames: a libFuzzer target for frames.c, the RELAY, PART and PEERS
 * codec.
 *
 * Contract.  Each run treats the input as the bytes a peer sent on one
 * connection and keeps nothing from one run to the next.  It takes frames
 * off the front with proto_frame_next() against MAX_FRAME, stopping at the
 * first partial or refused one (fuzz_proto checks those verdicts).  All
 * three decoders are tried on every frame: those of another type must say
 * PROTO_EINVAL.  The one of its own type must give 0, PROTO_ESHORT or
 * PROTO_EINVAL, and its fields must lie in their ranges and its pointers
 * inside the payload.  A frame that decodes is encoded again into a buffer
 * of exactly its size (so AddressSanitizer sees any write past it), must
 * come back byte for byte (a PEERS frame up to the flag bits that are
 * ignored), must decode to the same fields, and must be refused by a
 * buffer one byte short.  A PEERS frame is also decoded with room for only
 * SMALL_MAX entries, in an array of exactly that size: the same result
 * when the count fits, PROTO_EINVAL when it does not.  A broken property
 * calls abort(), which libFuzzer reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "proto.h"

#define MAX_FRAME	4096
/* Room for more entries than any PEERS frame may hold. */
#define ROOM		(FRAMES_MAX_PEERS + 8)
#define SMALL_MAX	2
#define KEY_LEN		32
#define PEER_FIXED	(PROTO_NODE_ID + 2 + 1 + 1)	/* before the ip */
#define IP_BYTES	"0123456789abcdefABCDEF.:"

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

/* Take the one frame that buf[0..n) must be. */
static void
reframe(const unsigned char *buf, long n, struct proto_frame *f)
{
	CHECK(n >= PROTO_HEADER);
	CHECK(proto_frame_next(buf, (size_t)n, MAX_FRAME, f) == n);
}

static int
same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Decoders of other types refuse f, and say no peers. */
static void
check_type_guard(const struct proto_frame *f)
{
	struct frames_peer peers[ROOM];
	struct frames_relay r;
	struct frames_part p;
	int n = -1;

	if (f->type != PROTO_RELAY)
		CHECK(frames_relay_decode(f, &r) == PROTO_EINVAL);
	if (f->type != PROTO_PART)
		CHECK(frames_part_decode(f, &p) == PROTO_EINVAL);
	if (f->type != PROTO_PEERS) {
		CHECK(frames_peers_decode(f, peers, ROOM, &n) == PROTO_EINVAL);
		CHECK(n == 0);
	}
}

static int
same_relay(const struct frames_relay *a, const struct frames_relay *b)
{
	return a->id == b->id && a->kind == b->kind && a->hops == b->hops &&
	    a->timeout_ms == b->timeout_ms && a->qid == b->qid &&
	    memcmp(a->origin, b->origin, PROTO_NODE_ID) == 0 &&
	    same_bytes(a->target, a->target_len, b->target, b->target_len) &&
	    same_bytes(a->command, a->command_len, b->command,
	    b->command_len);
}

/* frame[0..n) holds f, a RELAY. */
static void
relay(const struct proto_frame *f, const unsigned char *frame, long n)
{
	struct frames_relay r, r2;
	struct proto_frame f2;
	const char *payload = (const char *)f->payload;
	unsigned char *buf;
	long e;
	int rc;

	rc = frames_relay_decode(f, &r);
	CHECK(rc == 0 || rc == PROTO_ESHORT || rc == PROTO_EINVAL);
	if (rc != 0)
		return;
	CHECK(r.kind == FRAMES_PATH || r.kind == FRAMES_FLOOD);
	CHECK(r.hops <= (r.kind == FRAMES_FLOOD ? FRAMES_MAX_FLOOD_HOPS :
	    FRAMES_MAX_HOPS));
	CHECK(r.target_len <= FRAMES_MAX_PATH);
	CHECK(r.kind == FRAMES_PATH || r.target_len == 0);
	CHECK(r.target == payload + FRAMES_RELAY_FIXED);
	CHECK(r.command == r.target + r.target_len);
	CHECK(r.command + r.command_len == payload + f->len);

	buf = xmalloc((size_t)n);
	e = frames_relay_encode(buf, (size_t)n, &r);
	CHECK(e == n);
	CHECK(memcmp(buf, frame, (size_t)n) == 0);
	reframe(buf, e, &f2);
	CHECK(frames_relay_decode(&f2, &r2) == 0);
	CHECK(same_relay(&r, &r2));
	free(buf);

	buf = xmalloc((size_t)n - 1);
	CHECK(frames_relay_encode(buf, (size_t)n - 1, &r) == -1);
	free(buf);
}

static int
same_part(const struct frames_part *a, const struct frames_part *b)
{
	return a->id == b->id && a->status == b->status &&
	    a->exit == b->exit &&
	    same_bytes(a->path, a->path_len, b->path, b->path_len) &&
	    same_bytes(a->text, a->text_len, b->text, b->text_len);
}

/* frame[0..n) holds f, a PART. */
static void
part(const struct proto_frame *f, const unsigned char *frame, long n)
{
	struct frames_part p, p2;
	struct proto_frame f2;
	const char *payload = (const char *)f->payload;
	unsigned char *buf;
	long e;
	int rc;

	rc = frames_part_decode(f, &p);
	CHECK(rc == 0 || rc == PROTO_ESHORT || rc == PROTO_EINVAL);
	if (rc != 0)
		return;
	CHECK(p.status <= FRAMES_PART_CANCELLED);
	CHECK(p.exit >= -1 && p.exit <= 255);
	CHECK(p.path_len <= FRAMES_MAX_PATH);
	CHECK(p.path == payload + FRAMES_PART_FIXED - (p.exit < 0 ? 1 : 0));
	CHECK(p.text == p.path + p.path_len);
	CHECK(p.text + p.text_len == payload + f->len);

	buf = xmalloc((size_t)n);
	e = frames_part_encode(buf, (size_t)n, &p);
	CHECK(e == n);
	CHECK(memcmp(buf, frame, (size_t)n) == 0);
	reframe(buf, e, &f2);
	CHECK(frames_part_decode(&f2, &p2) == 0);
	CHECK(same_part(&p, &p2));
	free(buf);

	buf = xmalloc((size_t)n - 1);
	CHECK(frames_part_encode(buf, (size_t)n - 1, &p) == -1);
	free(buf);
}

static int
same_peers(const struct frames_peer *a, const struct frames_peer *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (memcmp(a[i].id, b[i].id, PROTO_NODE_ID) != 0 ||
		    a[i].port != b[i].port || a[i].has_key != b[i].has_key ||
		    (a[i].has_key &&
		    memcmp(a[i].key, b[i].key, KEY_LEN) != 0) ||
		    strcmp(a[i].ip, b[i].ip) != 0)
			return 0;
	return 1;
}

/* Each entry is in range; returns the size they take on the wire. */
static size_t
check_entries(const struct frames_peer *peers, int n)
{
	size_t size = 1, ip_len, i;
	int k;

	for (k = 0; k < n; k++) {
		CHECK(peers[k].port >= 1 && peers[k].port <= 0xffff);
		CHECK(peers[k].has_key == 0 || peers[k].has_key == 1);
		ip_len = strlen(peers[k].ip);
		CHECK(ip_len >= 1 && ip_len <= FRAMES_MAX_IP);
		for (i = 0; i < ip_len; i++)
			CHECK(strchr(IP_BYTES, peers[k].ip[i]) != NULL);
		size += PEER_FIXED + ip_len + (peers[k].has_key ? KEY_LEN : 0);
	}
	return size;
}

/* frame[0..n) as the encoder writes it: flag bits other than the key's
 * are ignored on reading and sent as 0. */
static unsigned char *
canonical(const unsigned char *frame, long n, const struct frames_peer *peers,
    int count)
{
	unsigned char *c = xmalloc((size_t)n);
	size_t at = PROTO_HEADER + 1;
	int k;

	memcpy(c, frame, (size_t)n);
	for (k = 0; k < count; k++) {
		at += PROTO_NODE_ID + 2;
		CHECK(at < (size_t)n);
		c[at] &= FRAMES_PEER_KEY;
		at += 2 + strlen(peers[k].ip) +
		    (peers[k].has_key ? KEY_LEN : 0);
	}
	CHECK(at == (size_t)n);
	return c;
}

/* frame[0..n) holds f, a PEERS. */
static void
peers_frame(const struct proto_frame *f, const unsigned char *frame, long n)
{
	struct frames_peer peers[ROOM], peers2[ROOM];
	struct frames_peer *small;
	struct proto_frame f2;
	unsigned char *buf, *want;
	long e;
	int rc, rc2, count, count2;

	rc = frames_peers_decode(f, peers, ROOM, &count);
	CHECK(rc == 0 || rc == PROTO_ESHORT || rc == PROTO_EINVAL);
	CHECK(rc == 0 || count == 0);
	if (f->len >= 1 && f->payload[0] > FRAMES_MAX_PEERS)
		CHECK(rc == PROTO_EINVAL);

	/* Room for SMALL_MAX entries, exactly. */
	small = (struct frames_peer *)xmalloc(SMALL_MAX * sizeof(*small));
	rc2 = frames_peers_decode(f, small, SMALL_MAX, &count2);
	if (f->len >= 1 && f->payload[0] > SMALL_MAX)
		CHECK(rc2 == PROTO_EINVAL && count2 == 0);
	else
		CHECK(rc2 == rc && count2 == count &&
		    (rc != 0 || same_peers(peers, small, count)));
	free(small);
	if (rc != 0)
		return;
	CHECK(count >= 0 && count <= FRAMES_MAX_PEERS);
	CHECK(count == f->payload[0]);
	CHECK(check_entries(peers, count) == f->len);

	buf = xmalloc((size_t)n);
	e = frames_peers_encode(buf, (size_t)n, peers, count);
	CHECK(e == n);
	want = canonical(frame, n, peers, count);
	CHECK(memcmp(buf, want, (size_t)n) == 0);
	free(want);
	reframe(buf, e, &f2);
	CHECK(frames_peers_decode(&f2, peers2, ROOM, &count2) == 0);
	CHECK(count2 == count && same_peers(peers, peers2, count));
	free(buf);

	buf = xmalloc((size_t)n - 1);
	CHECK(frames_peers_encode(buf, (size_t)n - 1, peers, count) == -1);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_frame f;
	size_t pos = 0;
	const unsigned char *frame;
	long r;

	for (;;) {
		frame = data + pos;
		r = proto_frame_next(frame, size - pos, MAX_FRAME, &f);
		if (r < 0)
			break;
		CHECK(r >= PROTO_HEADER && (size_t)r <= size - pos);
		CHECK(f.payload == frame + PROTO_HEADER);

		check_type_guard(&f);
		switch (f.type) {
		case PROTO_RELAY:
			relay(&f, frame, r);
			break;
		case PROTO_PART:
			part(&f, frame, r);
			break;
		case PROTO_PEERS:
			peers_frame(&f, frame, r);
			break;
		default:		/* fuzz_proto's business */
			break;
		}
		pos += (size_t)r;
	}
	return 0;
}
