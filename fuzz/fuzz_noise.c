/*
 * fuzz_noise: a libFuzzer target for noise.c, the XX handshakes.
 *
 * Contract.  Each run is one handshake between two of our own ends, with
 * fixed static and ephemeral keys, and keeps nothing between runs but the
 * static keys' public halves, computed once (X25519 is most of a run).  The
 * first input byte chooses XX or XXpsk3 and whether the responder's psk
 * differs; the rest is read in pieces of three bytes (message, offset,
 * xor) that alter the messages on their way, then as whole messages that
 * replace message 1, 2 or 3 outright.  Properties: a handshake completes
 * if and only if nothing was altered and both psks are equal; once a
 * side failed, every later call on it fails; a completed handshake gives
 * both sides the other's static key, the same hash and matching
 * CipherStates (a transport message sealed by one opens at the other).
 * A broken property calls abort(), which libFuzzer reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noise.h"
#include "x25519.h"

static const unsigned char si[32] = { 1 }, sr[32] = { 2 };
static const unsigned char ei[32] = { 3 }, er[32] = { 4 };
static const unsigned char pa[32] = { 5 }, pb[32] = { 6 };
static unsigned char si_pub[32], sr_pub[32];
static int have_pub;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct noise_hs hs[2];
	struct noise_cipher tx[2], rx[2];
	unsigned char msg[2048], pl[2048], h[2][32], ct[64];
	size_t pos = 1, n;
	int mode, i, ok = 1, altered = 0, w, r, k;
	long got;

	if (size < 1)
		return 0;
	mode = data[0];
	if (!have_pub) {		/* the static keys' halves, once */
		x25519_public(si_pub, si);
		x25519_public(sr_pub, sr);
		have_pub = 1;
	}
	noise_hs_init(&hs[0], 1, si, si_pub, ei, mode & 1 ? pa : NULL, "pro",
	    3);
	noise_hs_init(&hs[1], 0, sr, sr_pub, er, mode & 1 ? (mode & 2 ? pb : pa) :
	    NULL, "pro", 3);
	altered = (mode & 3) == 3;
	for (i = 0; i < 3 && ok; i++) {
		w = i % 2;
		r = 1 - w;
		got = noise_hs_write(&hs[w], "x", 1, msg, sizeof(msg));
		if (got < 0)
			abort();	/* nothing altered reaches a writer */
		n = (size_t)got;
		/* Alterations of this message. */
		while (pos + 3 <= size && data[pos] % 4 == (unsigned)i) {
			if (data[pos + 2] != 0) {
				msg[data[pos + 1] % n] ^= data[pos + 2];
				altered = 1;
			}
			pos += 3;
		}
		/* Or a whole message of the input's choosing. */
		if (pos < size && data[pos] % 4 == 3) {
			n = size - pos - 1 < sizeof(msg) ? size - pos - 1 :
			    sizeof(msg);
			if (n != (size_t)got ||
			    memcmp(msg, data + pos + 1, n) != 0)
				altered = 1;
			memcpy(msg, data + pos + 1, n);
			pos = size;
		}
		if (noise_hs_read(&hs[r], msg, n, pl, sizeof(pl)) < 0)
			ok = 0;
	}
	if (!ok) {
		if (!altered)
			abort();	/* an honest handshake failed */
		for (k = 0; k < 2; k++)
			if (hs[k].msg == -1 && (noise_hs_write(&hs[k], NULL, 0,
			    msg, sizeof(msg)) != -1 || noise_hs_read(&hs[k],
			    msg, 96, pl, sizeof(pl)) != -1))
				abort();	/* a failed side came back */
		return 0;
	}
	if (altered)
		abort();	/* an altered handshake went through */
	if (memcmp(noise_hs_remote(&hs[0]), noise_hs_local(&hs[1]), 32) != 0 ||
	    memcmp(noise_hs_remote(&hs[1]), noise_hs_local(&hs[0]), 32) != 0)
		abort();
	for (k = 0; k < 2; k++)
		noise_hs_split(&hs[k], &tx[k], &rx[k], h[k]);
	if (memcmp(h[0], h[1], 32) != 0)
		abort();
	if (noise_seal(&tx[0], "", 0, (const unsigned char *)"ping", 4, ct) !=
	    0 || noise_open(&rx[1], "", 0, ct, 20, pl) != 0 ||
	    memcmp(pl, "ping", 4) != 0)
		abort();
	return 0;
}
