/*
 * frames: the frames of a network of nodes, a pure codec beside proto.c
 * (docs/PROTOCOL.md, section 11, specifies them).
 *
 *   RELAY (type 11)  a command to run further away: on the peers a path
 *                    names from the receiver, or on every node (a flood);
 *   PART  (type 12)  one result of a RELAY, from some node on its way,
 *                    with the path to it; the RELAY itself still ends
 *                    with a RESULT;
 *   PEERS (type 13)  the listen addresses (and keys) of peers the sender
 *                    is linked to, for peer exchange.
 *
 * A RELAY or PART goes only to a peer whose HELLO announced
 * PROTO_FEAT_RELAY, a PEERS only to one that announced PROTO_FEAT_PEERS.
 * As in proto.c, nothing here does I/O or allocates: encoders write one
 * whole frame, header included, into the caller's buffer and return its
 * size, or -1 when it does not fit or a field is out of range; decoders
 * take a frame from proto_frame_next() and fill a struct whose pointers
 * point into that frame's payload, returning 0 or a negative PROTO_E*.
 */
#ifndef KAIPEER_FRAMES_H
#define KAIPEER_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define FRAMES_MAX_HOPS		8	/* hops a path may take */
#define FRAMES_MAX_FLOOD_HOPS	255	/* hops a flood may take */
#define FRAMES_MAX_PATH		1024	/* bytes of a RELAY target, a PART path */
#define FRAMES_MAX_PEERS	64	/* entries of one PEERS frame */
#define FRAMES_MAX_IP		45	/* bytes of an address in text */

enum frames_kind {
	FRAMES_PATH	= 0,	/* target: the rest of a path; "" runs here */
	FRAMES_FLOOD	= 1	/* every node, once (target empty) */
};

/*
 * RELAY payload:
 *   id:u32 kind:u8 hops:u8 timeout_ms:u32 origin[8] qid:u32
 *   target_len:u16 target[target_len] command[...]
 * hops is how many more times the receiver may pass it on (0..8, 0..255
 * for a flood);
 * (origin, qid) names the request network-wide, for deduplication.
 */
struct frames_relay {
	uint32_t	 id;
	unsigned	 kind;		/* enum frames_kind */
	unsigned	 hops;
	uint32_t	 timeout_ms;
	unsigned char	 origin[PROTO_NODE_ID];
	uint32_t	 qid;
	const char	*target;	/* not NUL-terminated */
	size_t		 target_len;
	const char	*command;
	size_t		 command_len;
};

#define FRAMES_RELAY_FIXED	(4 + 1 + 1 + 4 + PROTO_NODE_ID + 4 + 2)

/* kind above 1, hops above FRAMES_MAX_HOPS (FRAMES_MAX_FLOOD_HOPS for a
 * FLOOD), a FLOOD with a target or a
 * target longer than FRAMES_MAX_PATH do not encode (-1) or decode
 * (PROTO_EINVAL). */
long	frames_relay_encode(unsigned char *buf, size_t size,
	    const struct frames_relay *r);
int	frames_relay_decode(const struct proto_frame *f, struct frames_relay *r);

/*
 * PART payload:
 *   id:u32 status:u8 [exit:u8 when status & PROTO_STATUS_EXIT]
 *   path_len:u16 path[path_len] text[...]
 * status (low 7 bits) is how the result came to be: FRAMES_PART_OK ...
 * FRAMES_PART_CANCELLED (the values of request.h's REQ_*); path is the
 * way from the sender to the node that gave the result, hops separated by
 * '/', empty when the sender gave it itself.
 */
enum frames_part_status {
	FRAMES_PART_OK		= 0,
	FRAMES_PART_ERROR	= 1,
	FRAMES_PART_TIMEOUT	= 2,
	FRAMES_PART_UNREACHABLE	= 3,
	FRAMES_PART_LOST	= 4,
	FRAMES_PART_CANCELLED	= 5
};

struct frames_part {
	uint32_t	 id;
	unsigned	 status;	/* enum frames_part_status */
	int		 exit;		/* a program's exit code, or -1 */
	const char	*path;
	size_t		 path_len;
	const char	*text;
	size_t		 text_len;
};

#define FRAMES_PART_FIXED	(4 + 1 + 1 + 2)	/* with the exit byte */

/* status above 5, exit above 255, path above FRAMES_MAX_PATH: -1 /
 * PROTO_EINVAL.  exit -1 encodes no exit byte. */
long	frames_part_encode(unsigned char *buf, size_t size,
	    const struct frames_part *p);
int	frames_part_decode(const struct proto_frame *f, struct frames_part *p);

/*
 * The RESULT that ends a flood's RELAY says, in decimal, how many links
 * below its sender gave no answer ("" for none).  That number, or 0 when
 * text[0..len) is not one (at most 9 digits are read).
 */
long	frames_missing(const char *text, size_t len);

/*
 * PEERS payload:
 *   count:u8, then count times:
 *   id[8] port:u16 flags:u8 ip_len:u8 ip[ip_len] [key[32] if flags & 1]
 * ip is a numeric IPv4 or IPv6 address in text, without brackets (the
 * decoder checks only its length, 1..FRAMES_MAX_IP, and that its bytes
 * are hex digits, '.' and ':'); port is 1..65535; other flag bits are
 * sent as 0 and ignored.  count is at most FRAMES_MAX_PEERS.
 */
#define FRAMES_PEER_KEY		0x1u

struct frames_peer {
	unsigned char	 id[PROTO_NODE_ID];
	unsigned	 port;
	int		 has_key;
	unsigned char	 key[32];
	char		 ip[FRAMES_MAX_IP + 1];	/* NUL-terminated */
};

/* The worst case of one entry on the wire. */
#define FRAMES_PEER_MAX_SIZE	(PROTO_NODE_ID + 2 + 1 + 1 + FRAMES_MAX_IP + 32)

long	frames_peers_encode(unsigned char *buf, size_t size,
	    const struct frames_peer *peers, int n);
/* Fills peers[0..max) and *n; more entries than max is PROTO_EINVAL. */
int	frames_peers_decode(const struct proto_frame *f,
	    struct frames_peer *peers, int max, int *n);

#endif
