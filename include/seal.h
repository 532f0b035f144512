/*
 * seal: the records of a secured link (docs/PROTOCOL.md, section 10.4).
 *
 * After the Noise handshake the frames of each direction are one byte
 * stream, exactly as on a link in clear, carried in sealed records: each
 * record is one Noise transport message, at most 65535 bytes (the
 * specification's limit), holding up to SEAL_MAX_PLAIN bytes of the
 * stream (a record may hold many small frames, and a big frame spans many
 * records):
 *
 *   length:u32  0x0A  ChaChaPoly(plaintext)  tag[16]
 *
 * length counts the type byte, the ciphertext and the tag.  The five
 * header bytes are the associated data: the length is sent in clear but
 * authenticated.  Each direction has its own CipherState; the nonce is the
 * count of records sealed before, so a record replayed, dropped, reordered
 * or cut short fails its tag.  Both ends rekey (Noise Rekey()) after every
 * SEAL_REKEY_EVERY records of a direction, counting the same way, so no
 * key protects more than that many; nothing is sent to say so.
 *
 * Pure: the caller owns every buffer; no I/O.
 */
#ifndef KAIPEER_SEAL_H
#define KAIPEER_SEAL_H

#include <stddef.h>

#include "noise.h"
#include "proto.h"

#define SEAL_HEADER	5			/* length, type */
#define SEAL_MAX_MSG	65535			/* a Noise message at most */
#define SEAL_MAX_PLAIN	(SEAL_MAX_MSG - NOISE_TAG)	/* 65519 */
#define SEAL_OVERHEAD	(SEAL_HEADER + NOISE_TAG)	/* a record's, 21 */
#define SEAL_REKEY_EVERY 65536u			/* records a key seals */

/*
 * Seal in[0..len) (len at most SEAL_MAX_PLAIN) as one record at
 * out[0..len + SEAL_OVERHEAD).  in and out must not overlap.  Return the
 * record's size, or -1 (len too long, or the nonces are used up: the link
 * must end).
 */
long	seal_record(struct noise_cipher *tx, unsigned char *out,
	    const unsigned char *in, size_t len);

/* Results of seal_open() below zero, besides PROTO_PARTIAL and
 * PROTO_EEMPTY. */
#define SEAL_EFORGED	(-20)	/* a bad tag or length: forged, replayed, cut */
#define SEAL_ECLEAR	(-21)	/* a frame that is not a record (f: it) */

/*
 * Look at buf[0..avail) for a record.  When it is whole, open it into
 * out, which has room for SEAL_MAX_PLAIN bytes, set *plen to the
 * plaintext's length and return the record's size.  PROTO_PARTIAL: more
 * bytes needed.  PROTO_EEMPTY or SEAL_EFORGED (a tag that fails, a length
 * field that cannot be a record's): the stream cannot be trusted any
 * further.  SEAL_ECLEAR: a whole frame of another type, of at most
 * max_clear bytes, given in *f untouched with its size in *size (the
 * caller decides; kaipeer takes only an ERROR, and only before the first
 * record); a larger one is SEAL_EFORGED.
 */
long	seal_open(struct noise_cipher *rx, const unsigned char *buf,
	    size_t avail, unsigned char *out, size_t *plen, size_t max_clear,
	    struct proto_frame *f, size_t *size);

#endif
