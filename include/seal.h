/*
 * seal: the frames of a secured link (docs/PROTOCOL.md, section 10.4).
 *
 * After the Noise handshake every frame travels sealed, as a frame of type
 * SEALED whose payload is the inner frame's payload followed by its type
 * byte, encrypted, and the 16-byte tag:
 *
 *   length:u32  0x0A  ChaChaPoly(payload || type)  tag[16]
 *
 * The five header bytes are the associated data: the length is sent in
 * clear but authenticated, so a length changed in transit fails the tag,
 * or, if it grew, leaves the frame incomplete until frameTimeout.  Each
 * direction has its own CipherState; the nonce is the count of frames
 * sealed before, so a frame replayed, dropped, reordered or cut short
 * fails the tag.  Both ends rekey (Noise Rekey()) after every
 * SEAL_REKEY_EVERY frames of a direction, counting the same way, so that
 * no key protects more than that many frames; nothing is sent to say so.
 *
 * Both functions work in place, on the caller's buffer: pure, no I/O.
 */
#ifndef KAIPEER_SEAL_H
#define KAIPEER_SEAL_H

#include <stddef.h>

#include "noise.h"
#include "proto.h"

#define SEAL_OVERHEAD	17	/* the inner type byte moved, and the tag */
#define SEAL_REKEY_EVERY 65536u	/* frames of a direction per key */

/*
 * p[0..n) holds a plain frame (length, type, payload) and has room for
 * n + SEAL_OVERHEAD bytes: seal it there.  Return the sealed frame's size,
 * or -1 (the nonces are used up: the link must end).
 */
long	seal_frame(struct noise_cipher *tx, unsigned char *p, size_t n);

/* Results of seal_next() below zero, besides PROTO_PARTIAL/EEMPTY/ETOOBIG. */
#define SEAL_EFORGED	(-20)	/* the tag is wrong: forged, replayed, cut */
#define SEAL_ECLEAR	(-21)	/* a frame that is not SEALED (f: it) */

/*
 * Look at buf[0..avail) for a sealed frame whose inner frame has a length
 * field of at most max_frame.  When it is whole, open it in place and
 * fill *f with the inner frame (pointing into buf); return the sealed
 * frame's size.  PROTO_PARTIAL: more bytes needed.  PROTO_EEMPTY,
 * PROTO_ETOOBIG, SEAL_EFORGED: the stream cannot be trusted any further.
 * SEAL_ECLEAR: a whole frame of another type, given in *f untouched, with
 * its size in *size (the caller decides; kaipeer takes only an ERROR, and
 * only before the first sealed frame).
 */
long	seal_next(struct noise_cipher *rx, unsigned char *buf, size_t avail,
	    size_t max_frame, struct proto_frame *f, size_t *size);

#endif
