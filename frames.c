/*
 * frames: RELAY, PART and PEERS, the frames of a network of nodes, a pure
 * codec beside proto.c (docs/PROTOCOL.md, section 11).
 *
 * Contract.  Nothing here does I/O, allocates or exits; every function works
 * on memory the caller owns.  As in proto.c, reading goes through wire.h's
 * struct reader that checks the bound before every byte it touches, so a hostile
 * payload can at worst produce an error code, and no decoder looks past
 * f->payload + f->len.  Decoders check the frame's type first (another
 * type is PROTO_EINVAL), then read every fixed field (PROTO_ESHORT when
 * one is missing), then judge them (PROTO_EINVAL), so a length out of range
 * is refused before its bytes are required.  A PEERS frame must end with
 * its last entry.  Encoders refuse (-1) whatever a decoder here would
 * refuse, size the whole frame first and write nothing unless it fits both
 * the caller's buffer and the u32 length field.  Targets, paths, commands
 * and texts are bytes; their meaning is the caller's business.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "frames.h"
#include "wire.h"

#define PART_STATUS	0x7fu		/* the status bits of a PART */
/* A PEERS entry before its address: id port flags ip_len. */
#define PEER_FIXED	(PROTO_NODE_ID + 2 + 1 + 1)
#define KEY_LEN		32
#define IP_BYTES	"0123456789abcdefABCDEF.:"

/* May a RELAY carry these?  Both ends ask the same question. */
static int
relay_ok(unsigned kind, unsigned hops, size_t target_len)
{
	if (kind != FRAMES_PATH && kind != FRAMES_FLOOD)
		return 0;
	if (kind == FRAMES_FLOOD && target_len != 0)
		return 0;
	return hops <= (kind == FRAMES_FLOOD ? FRAMES_MAX_FLOOD_HOPS :
	    FRAMES_MAX_HOPS) && target_len <= FRAMES_MAX_PATH;
}

/* An address in text: 1..FRAMES_MAX_IP hex digits, '.' and ':'. */
static int
ip_ok(const unsigned char *ip, size_t len)
{
	size_t i;

	if (len == 0 || len > FRAMES_MAX_IP)
		return 0;
	for (i = 0; i < len; i++)
		if (ip[i] == '\0' || strchr(IP_BYTES, ip[i]) == NULL)
			return 0;
	return 1;
}

/* One PEERS entry's size on the wire, or 0 if it may not be sent. */
static size_t
peer_size(const struct frames_peer *p)
{
	size_t n;

	for (n = 0; n < sizeof(p->ip) && p->ip[n] != '\0'; n++)
		continue;
	if (!ip_ok((const unsigned char *)p->ip, n) || p->port == 0 ||
	    p->port > U16_MAX)
		return 0;
	return PEER_FIXED + n + (p->has_key ? KEY_LEN : 0);
}

long
frames_relay_encode(unsigned char *buf, size_t size,
    const struct frames_relay *r)
{
	struct writer w;

	if (!relay_ok(r->kind, r->hops, r->target_len))
		return -1;
	if (wr_header(&w, buf, size, PROTO_RELAY,
	    FRAMES_RELAY_FIXED + r->target_len, r->command_len) == -1 ||
	    wr_u32(&w, r->id) == -1 ||
	    wr_u8(&w, r->kind) == -1 ||
	    wr_u8(&w, r->hops) == -1 ||
	    wr_u32(&w, r->timeout_ms) == -1 ||
	    wr_bytes(&w, r->origin, PROTO_NODE_ID) == -1 ||
	    wr_u32(&w, r->qid) == -1 ||
	    wr_u16(&w, (unsigned)r->target_len) == -1 ||
	    wr_bytes(&w, r->target, r->target_len) == -1 ||
	    wr_bytes(&w, r->command, r->command_len) == -1)
		return -1;
	return (long)w.pos;
}

int
frames_relay_decode(const struct proto_frame *f, struct frames_relay *r)
{
	struct reader rd = { f->payload, f->len, 0 };
	const unsigned char *origin, *target;
	unsigned target_len;

	memset(r, 0, sizeof(*r));
	r->target = r->command = NULL;
	if (f->type != PROTO_RELAY)
		return PROTO_EINVAL;
	if (rd_u32(&rd, &r->id) == -1 ||
	    rd_u8(&rd, &r->kind) == -1 ||
	    rd_u8(&rd, &r->hops) == -1 ||
	    rd_u32(&rd, &r->timeout_ms) == -1 ||
	    rd_bytes(&rd, &origin, PROTO_NODE_ID) == -1 ||
	    rd_u32(&rd, &r->qid) == -1 ||
	    rd_u16(&rd, &target_len) == -1)
		return PROTO_ESHORT;
	memcpy(r->origin, origin, PROTO_NODE_ID);
	if (!relay_ok(r->kind, r->hops, target_len))
		return PROTO_EINVAL;
	if (rd_bytes(&rd, &target, target_len) == -1)
		return PROTO_ESHORT;
	r->target = (const char *)target;
	r->target_len = target_len;
	rd_rest(&rd, &r->command, &r->command_len);
	return 0;
}

long
frames_part_encode(unsigned char *buf, size_t size,
    const struct frames_part *p)
{
	struct writer w;
	int has_exit = p->exit >= 0;

	if (p->status > FRAMES_PART_CANCELLED || p->exit < -1 ||
	    p->exit > 255 || p->path_len > FRAMES_MAX_PATH)
		return -1;
	if (wr_header(&w, buf, size, PROTO_PART, FRAMES_PART_FIXED -
	    (size_t)(has_exit ? 0 : 1) + p->path_len, p->text_len) == -1 ||
	    wr_u32(&w, p->id) == -1 ||
	    wr_u8(&w, p->status | (has_exit ? PROTO_STATUS_EXIT : 0)) == -1 ||
	    (has_exit && wr_u8(&w, (unsigned)p->exit) == -1) ||
	    wr_u16(&w, (unsigned)p->path_len) == -1 ||
	    wr_bytes(&w, p->path, p->path_len) == -1 ||
	    wr_bytes(&w, p->text, p->text_len) == -1)
		return -1;
	return (long)w.pos;
}

int
frames_part_decode(const struct proto_frame *f, struct frames_part *p)
{
	struct reader rd = { f->payload, f->len, 0 };
	const unsigned char *path;
	unsigned status, code = 0, path_len;

	memset(p, 0, sizeof(*p));
	p->path = p->text = NULL;
	p->exit = -1;
	if (f->type != PROTO_PART)
		return PROTO_EINVAL;
	if (rd_u32(&rd, &p->id) == -1 || rd_u8(&rd, &status) == -1)
		return PROTO_ESHORT;
	if ((status & PROTO_STATUS_EXIT) && rd_u8(&rd, &code) == -1)
		return PROTO_ESHORT;
	if (rd_u16(&rd, &path_len) == -1)
		return PROTO_ESHORT;
	p->status = status & PART_STATUS;
	if (status & PROTO_STATUS_EXIT)
		p->exit = (int)code;
	if (p->status > FRAMES_PART_CANCELLED || path_len > FRAMES_MAX_PATH)
		return PROTO_EINVAL;
	if (rd_bytes(&rd, &path, path_len) == -1)
		return PROTO_ESHORT;
	p->path = (const char *)path;
	p->path_len = path_len;
	rd_rest(&rd, &p->text, &p->text_len);
	return 0;
}

long
frames_missing(const char *text, size_t len)
{
	long n = 0;
	size_t i;

	if (len == 0 || len > 9)
		return 0;
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return 0;
		n = n * 10 + (text[i] - '0');
	}
	return n;
}

long
frames_peers_encode(unsigned char *buf, size_t size,
    const struct frames_peer *peers, int n)
{
	struct writer w;
	size_t total = 1, one, ip_len;
	int i;

	if (n < 0 || n > FRAMES_MAX_PEERS)
		return -1;
	for (i = 0; i < n; i++) {
		if ((one = peer_size(&peers[i])) == 0)
			return -1;
		total += one;
	}
	if (wr_header(&w, buf, size, PROTO_PEERS, total, 0) == -1 ||
	    wr_u8(&w, (unsigned)n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		ip_len = strlen(peers[i].ip);	/* peer_size() saw a NUL */
		if (wr_bytes(&w, peers[i].id, PROTO_NODE_ID) == -1 ||
		    wr_u16(&w, peers[i].port) == -1 ||
		    wr_u8(&w, peers[i].has_key ? FRAMES_PEER_KEY : 0) == -1 ||
		    wr_u8(&w, (unsigned)ip_len) == -1 ||
		    wr_bytes(&w, peers[i].ip, ip_len) == -1 ||
		    (peers[i].has_key &&
		    wr_bytes(&w, peers[i].key, KEY_LEN) == -1))
			return -1;
	}
	return (long)w.pos;
}

/* id[8] port:u16 flags:u8 ip_len:u8 ip[ip_len] [key[32] if flags & 1] */
static int
rd_peer(struct reader *rd, struct frames_peer *p)
{
	const unsigned char *id, *ip, *key;
	unsigned flags, ip_len;

	memset(p, 0, sizeof(*p));
	if (rd_bytes(rd, &id, PROTO_NODE_ID) == -1 ||
	    rd_u16(rd, &p->port) == -1 ||
	    rd_u8(rd, &flags) == -1 ||
	    rd_u8(rd, &ip_len) == -1)
		return PROTO_ESHORT;
	memcpy(p->id, id, PROTO_NODE_ID);
	if (p->port == 0 || ip_len == 0 || ip_len > FRAMES_MAX_IP)
		return PROTO_EINVAL;
	if (rd_bytes(rd, &ip, ip_len) == -1)
		return PROTO_ESHORT;
	if (!ip_ok(ip, ip_len))
		return PROTO_EINVAL;
	memcpy(p->ip, ip, ip_len);
	p->ip[ip_len] = '\0';
	if (flags & FRAMES_PEER_KEY) {
		if (rd_bytes(rd, &key, KEY_LEN) == -1)
			return PROTO_ESHORT;
		memcpy(p->key, key, KEY_LEN);
		p->has_key = 1;
	}
	return 0;
}

/* The count is judged before any entry: neither limit costs a read. */
int
frames_peers_decode(const struct proto_frame *f, struct frames_peer *peers,
    int max, int *n)
{
	struct reader rd = { f->payload, f->len, 0 };
	unsigned count, i;
	int rc;

	*n = 0;
	if (f->type != PROTO_PEERS)
		return PROTO_EINVAL;
	if (rd_u8(&rd, &count) == -1)
		return PROTO_ESHORT;
	if (count > FRAMES_MAX_PEERS || (int)count > max)
		return PROTO_EINVAL;
	for (i = 0; i < count; i++)
		if ((rc = rd_peer(&rd, &peers[i])) != 0)
			return rc;
	if (rd_left(&rd) != 0)
		return PROTO_EINVAL;
	*n = (int)count;
	return 0;
}
