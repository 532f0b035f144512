/*
 * proto: the kaipeer wire format, a pure codec.  docs/PROTOCOL.md is the
 * specification; this is its implementation.
 *
 * Every frame is   length:u32   type:u8   payload[length - 1]
 * with all integers big-endian.  length counts the type byte and the
 * payload, so 0 is never valid.  proto_frame_next() decides from the first
 * four bytes whether a frame is acceptable, so an oversize length is refused
 * before a byte of its body is awaited or allocated.
 *
 * Nothing here does I/O or allocates.  Encoders write one whole frame,
 * header included, into a buffer the caller owns and return its size, or
 * -1 when it does not fit (nothing useful is written then).  Decoders take
 * a frame returned by proto_frame_next() and fill a struct whose pointers
 * point into that frame's payload; they return 0 or a negative PROTO_E*.
 */
#ifndef KAIPEER_PROTO_H
#define KAIPEER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_HEADER	5		/* length:u32 + type:u8 */
#define PROTO_VERSION	1
#define PROTO_MAGIC	"KAIP"		/* first bytes of every HELLO payload */
#define PROTO_MAX_HELLO	1024		/* largest frame accepted before HELLO */
#define PROTO_MAX_NAME	64		/* bytes of a node name */
#define PROTO_NODE_ID	8		/* bytes of a node id */
#define PROTO_DEFAULT_MAX_FRAME (1024 * 1024)

enum proto_type {
	PROTO_HELLO	= 1,	/* handshake, first frame each way */
	PROTO_COMMAND	= 2,	/* id:u32 text */
	PROTO_RESULT	= 3,	/* id:u32 status:u8 text */
	PROTO_ERROR	= 4,	/* code:u16 text */
	PROTO_BYE	= 5,	/* text: the reason for closing */
	PROTO_PING	= 6,	/* token:u64 */
	PROTO_PONG	= 7,	/* token:u64, echoed from PING */
	PROTO_CANCEL	= 8,	/* id:u32: the sender no longer waits */
	PROTO_NOISE	= 9,	/* a Noise handshake message (secured links) */
	PROTO_SEALED	= 10,	/* an encrypted frame (seal.h) */
	PROTO_RELAY	= 11,	/* a command for peers further away (frames.h) */
	PROTO_PART	= 12,	/* one result of a RELAY (frames.h) */
	PROTO_PEERS	= 13	/* addresses of peers, for peer exchange */
};

/*
 * HELLO flags.  PROTO_FLAG_SECURE: the sender runs the Noise handshake
 * after the HELLOs and speaks only sealed frames afterwards;
 * PROTO_FLAG_PSK: with a pre-shared key (Noise_XXpsk3).  Other bits are
 * reserved: sent as 0, ignored.
 */
#define PROTO_FLAG_SECURE	0x1u
#define PROTO_FLAG_PSK		0x2u

/*
 * RESULT status byte: 0 or 1, plus PROTO_STATUS_EXIT when an exit:u8 (the
 * exit code of the program that made the result) follows it.  The flag is
 * sent only to a peer whose HELLO announced PROTO_FEAT_EXIT.
 */
enum proto_status {
	PROTO_STATUS_OK		= 0,
	PROTO_STATUS_ERROR	= 1
};
#define PROTO_STATUS_EXIT	0x80

/*
 * ERROR frame codes.  Codes 1..5 and 8..12 are followed by closing the
 * connection (proto_code_fatal()); 6 and 7 are warnings.
 */
enum proto_code {
	PROTO_CODE_MALFORMED	= 1,	/* a frame that cannot be decoded */
	PROTO_CODE_TOO_BIG	= 2,	/* length above the receiver's maximum */
	PROTO_CODE_HANDSHAKE	= 3,	/* no HELLO first, or a bad one */
	PROTO_CODE_VERSION	= 4,	/* unsupported protocol version */
	PROTO_CODE_REFUSED	= 5,	/* full or busy: try again later */
	PROTO_CODE_UNKNOWN_TYPE	= 6,	/* frame type not understood; kept open */
	PROTO_CODE_UNKNOWN_ID	= 7,	/* RESULT for a request never sent; kept open */
	PROTO_CODE_DUPLICATE	= 8,	/* another link to the same node stays */
	PROTO_CODE_SELF		= 9,	/* a connection to oneself */
	PROTO_CODE_INSECURE	= 10,	/* one end secured, the other not */
	PROTO_CODE_UNTRUSTED	= 11,	/* a key that is not trusted */
	PROTO_CODE_CRYPTO	= 12	/* a failed handshake or sealed frame */
};

/* Is an ERROR with this code followed by closing the connection? */
int	proto_code_fatal(unsigned code);

/* HELLO extension tags (section 4.1.1 of docs/PROTOCOL.md). */
#define PROTO_EXT_MAX_FRAME	1	/* u32: the sender's frame limit */
#define PROTO_EXT_FEATURES	2	/* u32: what the sender understands */

/* Bits of PROTO_EXT_FEATURES. */
#define PROTO_FEAT_CANCEL	0x1u	/* CANCEL frames */
#define PROTO_FEAT_EXIT		0x2u	/* RESULT with PROTO_STATUS_EXIT */
#define PROTO_FEAT_RELAY	0x4u	/* RELAY and PART frames */
#define PROTO_FEAT_PEERS	0x8u	/* PEERS frames */
#define PROTO_FEATURES		(PROTO_FEAT_CANCEL | PROTO_FEAT_EXIT | \
				 PROTO_FEAT_RELAY | PROTO_FEAT_PEERS)

/* Negative results of the stream parser and decoders. */
enum proto_err {
	PROTO_PARTIAL	= -2,	/* need more bytes; not an error */
	PROTO_EEMPTY	= -3,	/* length 0 */
	PROTO_ETOOBIG	= -4,	/* length above the maximum */
	PROTO_ESHORT	= -5,	/* payload shorter than its fixed fields */
	PROTO_EMAGIC	= -6,	/* HELLO without the magic */
	PROTO_EVERSION	= -7,	/* HELLO with another version */
	PROTO_EINVAL	= -8	/* a field out of range (bad status, long name) */
};

struct proto_frame {
	int		 type;		/* enum proto_type, or an unknown value */
	const unsigned char *payload;	/* points into the caller's buffer */
	size_t		 len;		/* payload bytes (length - 1) */
};

/*
 * Look at buf[0..avail).  Returns the size of the first frame (header and
 * payload) and fills *f when the whole frame is there; PROTO_PARTIAL when
 * more bytes are needed; PROTO_EEMPTY or PROTO_ETOOBIG as soon as the four
 * length bytes show that the frame is invalid.  max_frame bounds length.
 */
long	proto_frame_next(const unsigned char *buf, size_t avail,
	    size_t max_frame, struct proto_frame *f);

/*
 * HELLO payload: magic[4] version:u16 flags:u16 port:u16 id[8]
 * name_len:u8 name[name_len] extensions[...].  flags: PROTO_FLAG_* (others sent
 * as 0, ignored).  port 0 means "not listening".  The extensions are a
 * sequence of tag:u8 len:u8 value[len]; unknown tags are skipped and a
 * sequence that does not parse is ignored from where it stops, so no
 * extension can make a HELLO invalid.  Defined: PROTO_EXT_MAX_FRAME (len
 * 4), the largest length field the sender accepts, and PROTO_EXT_FEATURES
 * (len 4), the PROTO_FEAT_* bits of what the sender understands.
 */
struct proto_hello {
	unsigned	 version;
	unsigned	 flags;
	unsigned	 port;
	unsigned char	 id[PROTO_NODE_ID];
	char		 name[PROTO_MAX_NAME + 1];	/* NUL-terminated */
	uint32_t	 max_frame;	/* 0: not announced (not encoded) */
	uint32_t	 features;	/* 0: not announced (not encoded) */
};

/* Encoders: the whole frame's size, or -1 if it does not fit or an argument
 * is out of range (status not 0 or 1, a field above its width, a bad name). */
long	proto_hello_encode(unsigned char *buf, size_t size,
	    const struct proto_hello *h);
long	proto_command_encode(unsigned char *buf, size_t size, uint32_t id,
	    const char *text, size_t len);
long	proto_result_encode(unsigned char *buf, size_t size, uint32_t id,
	    int status, const char *text, size_t len);
/* The same with a program's exit code (0..255), or without one (-1). */
long	proto_result_exit_encode(unsigned char *buf, size_t size, uint32_t id,
	    int status, int exit_code, const char *text, size_t len);
long	proto_cancel_encode(unsigned char *buf, size_t size, uint32_t id);
long	proto_error_encode(unsigned char *buf, size_t size, unsigned code,
	    const char *text, size_t len);
long	proto_bye_encode(unsigned char *buf, size_t size, const char *text,
	    size_t len);
long	proto_ping_encode(unsigned char *buf, size_t size, int type,
	    uint64_t token);	/* type is PROTO_PING or PROTO_PONG */

/*
 * Decoders: return 0, or PROTO_ESHORT, PROTO_EMAGIC, PROTO_EVERSION (with
 * h->version filled in so the caller can name it) or PROTO_EINVAL.
 */
int	proto_hello_decode(const struct proto_frame *f, struct proto_hello *h);

struct proto_text {
	uint32_t	 id;		/* COMMAND, RESULT */
	unsigned	 code;		/* ERROR code, or RESULT status (0, 1) */
	int		 exit;		/* RESULT: the exit code, or -1 */
	const char	*text;		/* not NUL-terminated */
	size_t		 len;
};
int	proto_command_decode(const struct proto_frame *f, struct proto_text *t);
int	proto_result_decode(const struct proto_frame *f, struct proto_text *t);
int	proto_error_decode(const struct proto_frame *f, struct proto_text *t);
int	proto_bye_decode(const struct proto_frame *f, struct proto_text *t);
int	proto_ping_decode(const struct proto_frame *f, uint64_t *token);
/* CANCEL: exactly id:u32. */
int	proto_cancel_decode(const struct proto_frame *f, uint32_t *id);

/* A short English phrase for a PROTO_E* value ("frame too large"). */
const char *proto_strerror(int err);

/* The name of a frame type ("COMMAND"), or "unknown" (for -v logs). */
const char *proto_type_name(int type);

#endif
