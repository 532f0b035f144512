/*
 * secure: the secured part of a session (docs/PROTOCOL.md, section 10),
 * for session.c alone.
 *
 * After the HELLOs, both ends must be secured or neither (ERROR 10 and the
 * end, SESS_DENIED, otherwise; the same for a psk on one side only).  A
 * secured link then runs the Noise XX handshake in NOISE frames, its
 * prologue binding both HELLOs; the dialler judges the acceptor's key
 * after message 2, before it shows its own, the acceptor the dialler's
 * after message 3 (ops->authorize; ERROR 11 when refused).  From then on
 * the frames of each direction travel as one stream in sealed records
 * (seal.h): frames to send gather in s->pout and are sealed when the
 * connection is written; records that arrive are opened into s->pin and
 * frames taken from there.  The acceptor is up at once and sends a PING;
 * the dialler is up at the first record it opens.
 *
 * Errors end the session here, through the session_* calls that
 * include/session.h lists for this file.
 */
#ifndef KAIPEER_SECURE_H
#define KAIPEER_SECURE_H

#include <stddef.h>

#include "proto.h"
#include "session.h"

/*
 * Their HELLO h (frame f) is valid: 1, the link is not secured (the
 * caller brings it up); 0, the handshake has started; -1, the session
 * ended (security mismatch, no memory).
 */
int	secure_hello(struct session *s, const struct proto_frame *f,
	    const struct proto_hello *h);

/*
 * Records out: room for a frame of need bytes in the plaintext that the
 * next write seals (NULL past the connection's cap, or no memory), and
 * the sealing, into records of at most SEAL_MAX_PLAIN bytes of frames,
 * as far as the connection takes them.
 */
unsigned char *secure_space(struct session *s, size_t need);
void	secure_seal_out(struct session *s);

/* A NOISE frame during the handshake. */
void	secure_noise(struct session *s, const struct proto_frame *f);

/*
 * The next frame of a sealed link: from what was opened before, or from
 * the records in c->in[*off..] (*off moves past each one opened).  Its
 * size, with *f pointing into s->pin; PROTO_PARTIAL; an error for the
 * caller to report (PROTO_EEMPTY, PROTO_ETOOBIG for a frame or
 * SEAL_EFORGED for a record); or 0 when the session ended (a frame in
 * clear, no memory).
 */
long	secure_frame(struct session *s, struct conn *c, size_t *off,
	    size_t max, struct proto_frame *f);

#endif
