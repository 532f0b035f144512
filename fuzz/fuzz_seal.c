/*
 * fuzz_seal: a libFuzzer target for seal.c, the sealed-frame reader.
 *
 * Contract.  Each run keeps nothing from the one before.  Two keys are
 * fixed.  The input, taken as what arrives on a secured link, is read with
 * seal_next() as session.c does, frame after frame, in chunks whose sizes
 * the input's first byte picks, until a frame is partial or refused:
 * nothing may crash or read out of bounds.  Then a genuine stream of four
 * sealed frames (their contents from the input) is altered by the input's
 * bytes (offset, xor) and read again: every frame that opens must be the
 * frame sent at that place, and nothing opens after the first frame that
 * fails.  A broken property calls abort(), which libFuzzer reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"

#define MAX_FRAME	2048
#define NFRAMES		4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
cipher(struct noise_cipher *c)
{
	memset(c, 0, sizeof(*c));
	memset(c->k, 0x5a, sizeof(c->k));
	c->has_key = 1;
}

/* Read buf[0..len) as a stream; the number of frames opened. */
static int
read_stream(unsigned char *buf, size_t len, struct proto_frame *out,
    size_t *offs)
{
	struct noise_cipher rx;
	struct proto_frame f;
	size_t off = 0, size;
	long n;
	int count = 0;

	cipher(&rx);
	while (count < 64) {
		n = seal_next(&rx, buf + off, len - off, MAX_FRAME, &f, &size);
		if (n <= 0)
			break;
		if (f.payload < buf + off || f.payload + f.len > buf + len)
			abort();
		if (out != NULL && count < NFRAMES) {
			out[count] = f;
			offs[count] = off;
		}
		off += (size_t)n;
		count++;
	}
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy, stream[NFRAMES * (64 + 40)], sent[NFRAMES][64];
	struct noise_cipher tx;
	struct proto_frame got[NFRAMES];
	size_t lens[NFRAMES], offs[NFRAMES], len = 0, i;
	int opened, k;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	(void)read_stream(copy, size, NULL, NULL);
	free(copy);

	/* A genuine stream, altered. */
	cipher(&tx);
	for (k = 0; k < NFRAMES; k++) {
		unsigned char *p = stream + len;

		lens[k] = size > (size_t)k ? data[k] % 48 : 0;
		memset(sent[k], 'a' + k, lens[k]);
		p[0] = 0;
		p[1] = 0;
		p[2] = (unsigned char)((lens[k] + 1) >> 8);
		p[3] = (unsigned char)(lens[k] + 1);
		p[4] = 2;
		memcpy(p + 5, sent[k], lens[k]);
		len += (size_t)seal_frame(&tx, p, 5 + lens[k]);
	}
	for (i = NFRAMES; i + 1 < size; i += 2)
		stream[data[i] % len] ^= data[i + 1];
	opened = read_stream(stream, len, got, offs);
	for (k = 0; k < opened && k < NFRAMES; k++)
		if (got[k].type != 2 || got[k].len != lens[k] ||
		    memcmp(got[k].payload, sent[k], lens[k]) != 0)
			abort();	/* a forged or misplaced frame opened */
	if (opened > NFRAMES)
		abort();
	return 0;
}
