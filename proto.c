/*
 * proto: the kaipeer wire format, a pure codec (docs/PROTOCOL.md).
 *
 * Contract.  Nothing here does I/O, allocates or exits; every function works
 * on memory the caller owns and gives it back.  Reading goes through a
 * struct reader that threads a position through a (pointer, length) pair and
 * checks the bound before every byte it touches, so a hostile payload can at
 * worst produce an error code.  proto_frame_next() refuses a bad length from
 * the four length bytes alone, before any body is awaited. Encoders work out
 * the whole frame's size first and write nothing unless it fits both the
 * caller's buffer and the u32 length field (and, so that the size can be
 * returned as a long, LONG_MAX).  They also return -1 rather than produce
 * what a decoder here would reject: a RESULT status other than 0 or 1 (or an
 * exit code above 255), a u16 field above 0xffff, a name with control bytes
 * or without a NUL in its array.  Any version is encoded, so that a test can
 * make a foreign HELLO.  Decoders check the frame's type too: a COMMAND
 * handed to proto_result_decode() is PROTO_EINVAL.  Text is bytes: any
 * value, NUL included, may appear.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto.h"
#include "wire.h"

#define MAGIC_LEN	4
/* magic version flags port id name_len */
#define HELLO_FIXED	(MAGIC_LEN + 2 + 2 + 2 + PROTO_NODE_ID + 1)
#define TOKEN_LEN	8
#define EXT_U32_LEN	(1 + 1 + 4)	/* tag len u32 */

/* A byte that may not appear in a node name: NUL, C0 controls, DEL. */
static int
name_byte_bad(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int
proto_code_fatal(unsigned code)
{
	return (code >= PROTO_CODE_MALFORMED && code <= PROTO_CODE_REFUSED) ||
	    (code >= PROTO_CODE_DUPLICATE && code <= PROTO_CODE_CRYPTO);
}

/*
 * HELLO extensions: tag:u8 len:u8 value[len], to the end of the payload.
 * Unknown tags are skipped; where the sequence stops parsing, the rest is
 * ignored.  Nothing here can fail a HELLO.
 */
static void
read_extensions(struct reader *r, struct proto_hello *h)
{
	const unsigned char *v;
	unsigned tag, len;
	struct reader val;

	while (rd_u8(r, &tag) == 0 && rd_u8(r, &len) == 0 &&
	    rd_bytes(r, &v, len) == 0) {
		val.p = v;
		val.len = len;
		val.pos = 0;
		if (tag == PROTO_EXT_MAX_FRAME && len == 4)
			(void)rd_u32(&val, &h->max_frame);
		else if (tag == PROTO_EXT_FEATURES && len == 4)
			(void)rd_u32(&val, &h->features);
	}
}

long
proto_frame_next(const unsigned char *buf, size_t avail, size_t max_frame,
    struct proto_frame *f)
{
	struct reader r;
	uint32_t length;
	unsigned type;

	r.p = buf;
	r.len = avail;
	r.pos = 0;
	if (rd_u32(&r, &length) == -1)
		return PROTO_PARTIAL;
	if (length == 0)
		return PROTO_EEMPTY;
	if ((uintmax_t)length > (uintmax_t)max_frame ||
	    (uintmax_t)length > (uintmax_t)length_max())
		return PROTO_ETOOBIG;
	if (rd_left(&r) < length)
		return PROTO_PARTIAL;
	(void)rd_u8(&r, &type);		/* length >= 1: it is there */
	f->type = (int)type;
	f->payload = buf + r.pos;
	f->len = (size_t)length - 1;
	return (long)(LEN_BYTES + (size_t)length);
}

long
proto_hello_encode(unsigned char *buf, size_t size,
    const struct proto_hello *h)
{
	struct writer w;
	size_t n;

	if (h->version > U16_MAX || h->flags > U16_MAX || h->port > U16_MAX)
		return -1;
	for (n = 0; n < sizeof(h->name) && h->name[n] != '\0'; n++)
		if (name_byte_bad((unsigned char)h->name[n]))
			return -1;
	if (n > PROTO_MAX_NAME)		/* no NUL inside the array */
		return -1;
	if (wr_header(&w, buf, size, PROTO_HELLO, HELLO_FIXED, n +
	    (h->max_frame != 0 ? EXT_U32_LEN : 0) +
	    (h->features != 0 ? EXT_U32_LEN : 0)) == -1)
		return -1;
	if (wr_bytes(&w, PROTO_MAGIC, MAGIC_LEN) == -1 ||
	    wr_u16(&w, h->version) == -1 ||
	    wr_u16(&w, h->flags) == -1 ||
	    wr_u16(&w, h->port) == -1 ||
	    wr_bytes(&w, h->id, PROTO_NODE_ID) == -1 ||
	    wr_u8(&w, (unsigned)n) == -1 ||
	    wr_bytes(&w, h->name, n) == -1)
		return -1;
	if (h->max_frame != 0 && (wr_u8(&w, PROTO_EXT_MAX_FRAME) == -1 ||
	    wr_u8(&w, 4) == -1 || wr_u32(&w, h->max_frame) == -1))
		return -1;
	if (h->features != 0 && (wr_u8(&w, PROTO_EXT_FEATURES) == -1 ||
	    wr_u8(&w, 4) == -1 || wr_u32(&w, h->features) == -1))
		return -1;
	return (long)w.pos;
}

long
proto_command_encode(unsigned char *buf, size_t size, uint32_t id,
    const char *text, size_t len)
{
	struct writer w;

	if (wr_header(&w, buf, size, PROTO_COMMAND, 4, len) == -1 ||
	    wr_u32(&w, id) == -1 ||
	    wr_bytes(&w, text, len) == -1)
		return -1;
	return (long)w.pos;
}

long
proto_result_encode(unsigned char *buf, size_t size, uint32_t id,
    int status, const char *text, size_t len)
{
	return proto_result_exit_encode(buf, size, id, status, -1, text, len);
}

long
proto_result_exit_encode(unsigned char *buf, size_t size, uint32_t id,
    int status, int exit_code, const char *text, size_t len)
{
	struct writer w;
	int has_exit = exit_code >= 0;

	if ((status != PROTO_STATUS_OK && status != PROTO_STATUS_ERROR) ||
	    exit_code > 255)
		return -1;
	if (wr_header(&w, buf, size, PROTO_RESULT, 4 + 1 + (has_exit ? 1 : 0),
	    len) == -1 ||
	    wr_u32(&w, id) == -1 ||
	    wr_u8(&w, (unsigned)status | (has_exit ? PROTO_STATUS_EXIT : 0)) ==
	    -1 ||
	    (has_exit && wr_u8(&w, (unsigned)exit_code) == -1) ||
	    wr_bytes(&w, text, len) == -1)
		return -1;
	return (long)w.pos;
}

long
proto_cancel_encode(unsigned char *buf, size_t size, uint32_t id)
{
	struct writer w;

	if (wr_header(&w, buf, size, PROTO_CANCEL, 4, 0) == -1 ||
	    wr_u32(&w, id) == -1)
		return -1;
	return (long)w.pos;
}

long
proto_error_encode(unsigned char *buf, size_t size, unsigned code,
    const char *text, size_t len)
{
	struct writer w;

	if (code > U16_MAX)
		return -1;
	if (wr_header(&w, buf, size, PROTO_ERROR, 2, len) == -1 ||
	    wr_u16(&w, code) == -1 ||
	    wr_bytes(&w, text, len) == -1)
		return -1;
	return (long)w.pos;
}

long
proto_bye_encode(unsigned char *buf, size_t size, const char *text,
    size_t len)
{
	struct writer w;

	if (wr_header(&w, buf, size, PROTO_BYE, 0, len) == -1 ||
	    wr_bytes(&w, text, len) == -1)
		return -1;
	return (long)w.pos;
}

long
proto_ping_encode(unsigned char *buf, size_t size, int type, uint64_t token)
{
	struct writer w;

	if (type != PROTO_PING && type != PROTO_PONG)
		return -1;
	if (wr_header(&w, buf, size, type, TOKEN_LEN, 0) == -1 ||
	    wr_u64(&w, token) == -1)
		return -1;
	return (long)w.pos;
}

/*
 * Only magic and version are fixed for every future version, so they are
 * checked before the rest is required to be there: a version 2 HELLO of
 * any layout gets PROTO_EVERSION, not PROTO_ESHORT.
 */
int
proto_hello_decode(const struct proto_frame *f, struct proto_hello *h)
{
	struct reader r;
	const unsigned char *id, *name;
	unsigned name_len;
	size_t i, n;

	memset(h, 0, sizeof(*h));
	if (f->type != PROTO_HELLO)
		return PROTO_EINVAL;
	r.p = f->payload;
	r.len = f->len;
	r.pos = 0;

	/* A truncated magic is short; a wrong one is not ours. */
	n = rd_left(&r) < MAGIC_LEN ? rd_left(&r) : MAGIC_LEN;
	if (n > 0 && memcmp(r.p, PROTO_MAGIC, n) != 0)
		return PROTO_EMAGIC;
	if (n < MAGIC_LEN)
		return PROTO_ESHORT;
	r.pos += MAGIC_LEN;

	if (rd_u16(&r, &h->version) == -1)
		return PROTO_ESHORT;
	if (h->version != PROTO_VERSION)
		return PROTO_EVERSION;
	if (rd_u16(&r, &h->flags) == -1 ||
	    rd_u16(&r, &h->port) == -1 ||
	    rd_bytes(&r, &id, PROTO_NODE_ID) == -1 ||
	    rd_u8(&r, &name_len) == -1)
		return PROTO_ESHORT;
	memcpy(h->id, id, PROTO_NODE_ID);
	if (name_len > PROTO_MAX_NAME)
		return PROTO_EINVAL;
	if (rd_bytes(&r, &name, name_len) == -1)
		return PROTO_ESHORT;
	for (i = 0; i < name_len; i++)
		if (name_byte_bad(name[i]))
			return PROTO_EINVAL;
	memcpy(h->name, name, name_len);
	h->name[name_len] = '\0';
	read_extensions(&r, h);
	return 0;
}

static void
text_init(const struct proto_frame *f, struct proto_text *t,
    struct reader *r)
{
	t->id = 0;
	t->code = 0;
	t->exit = -1;
	t->text = NULL;
	t->len = 0;
	r->p = f->payload;
	r->len = f->len;
	r->pos = 0;
}

int
proto_command_decode(const struct proto_frame *f, struct proto_text *t)
{
	struct reader r;

	text_init(f, t, &r);
	if (f->type != PROTO_COMMAND)
		return PROTO_EINVAL;
	if (rd_u32(&r, &t->id) == -1)
		return PROTO_ESHORT;
	rd_rest(&r, &t->text, &t->len);
	return 0;
}

int
proto_result_decode(const struct proto_frame *f, struct proto_text *t)
{
	struct reader r;
	unsigned code;

	text_init(f, t, &r);
	if (f->type != PROTO_RESULT)
		return PROTO_EINVAL;
	if (rd_u32(&r, &t->id) == -1 || rd_u8(&r, &code) == -1)
		return PROTO_ESHORT;
	t->code = code & ~(unsigned)PROTO_STATUS_EXIT;
	if (t->code != PROTO_STATUS_OK && t->code != PROTO_STATUS_ERROR)
		return PROTO_EINVAL;
	if (code & PROTO_STATUS_EXIT) {
		if (rd_u8(&r, &code) == -1)
			return PROTO_ESHORT;
		t->exit = (int)code;
	}
	rd_rest(&r, &t->text, &t->len);
	return 0;
}

/* Any code is accepted: a peer must cope with codes newer than itself. */
int
proto_error_decode(const struct proto_frame *f, struct proto_text *t)
{
	struct reader r;

	text_init(f, t, &r);
	if (f->type != PROTO_ERROR)
		return PROTO_EINVAL;
	if (rd_u16(&r, &t->code) == -1)
		return PROTO_ESHORT;
	rd_rest(&r, &t->text, &t->len);
	return 0;
}

int
proto_bye_decode(const struct proto_frame *f, struct proto_text *t)
{
	struct reader r;

	text_init(f, t, &r);
	if (f->type != PROTO_BYE)
		return PROTO_EINVAL;
	rd_rest(&r, &t->text, &t->len);
	return 0;
}

int
proto_ping_decode(const struct proto_frame *f, uint64_t *token)
{
	struct reader r;

	*token = 0;
	if (f->type != PROTO_PING && f->type != PROTO_PONG)
		return PROTO_EINVAL;
	r.p = f->payload;
	r.len = f->len;
	r.pos = 0;
	if (rd_u64(&r, token) == -1)
		return PROTO_ESHORT;
	if (rd_left(&r) != 0)
		return PROTO_EINVAL;
	return 0;
}

int
proto_cancel_decode(const struct proto_frame *f, uint32_t *id)
{
	struct reader r;

	*id = 0;
	if (f->type != PROTO_CANCEL)
		return PROTO_EINVAL;
	r.p = f->payload;
	r.len = f->len;
	r.pos = 0;
	if (rd_u32(&r, id) == -1)
		return PROTO_ESHORT;
	if (rd_left(&r) != 0)
		return PROTO_EINVAL;
	return 0;
}

const char *
proto_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case PROTO_PARTIAL:
		return "incomplete frame";
	case PROTO_EEMPTY:
		return "frame length 0";
	case PROTO_ETOOBIG:
		return "frame too large";
	case PROTO_ESHORT:
		return "payload too short";
	case PROTO_EMAGIC:
		return "bad HELLO magic";
	case PROTO_EVERSION:
		return "unsupported protocol version";
	case PROTO_EINVAL:
		return "field out of range";
	default:
		return "unknown error";
	}
}

const char *
proto_type_name(int type)
{
	switch (type) {
	case PROTO_HELLO:
		return "HELLO";
	case PROTO_COMMAND:
		return "COMMAND";
	case PROTO_RESULT:
		return "RESULT";
	case PROTO_ERROR:
		return "ERROR";
	case PROTO_BYE:
		return "BYE";
	case PROTO_PING:
		return "PING";
	case PROTO_PONG:
		return "PONG";
	case PROTO_CANCEL:
		return "CANCEL";
	case PROTO_NOISE:
		return "NOISE";
	case PROTO_SEALED:
		return "SEALED";
	case PROTO_RELAY:
		return "RELAY";
	case PROTO_PART:
		return "PART";
	case PROTO_PEERS:
		return "PEERS";
	default:
		return "unknown";
	}
}
