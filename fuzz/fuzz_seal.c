/*
 * fuzz_seal: a libFuzzer target for seal.c, the sealed-record reader.
 *
 * Contract.  Each run keeps nothing from the one before.  Two keys are
 * fixed.  The input, taken as what arrives on a secured link, is read with
 * seal_open() record after record, until one is partial or refused:
 * nothing may crash or read or write out of bounds (every buffer has its
 * exact size).  Then a genuine stream of four sealed records (their
 * contents from the input) is altered by the input's bytes (offset, xor)
 * and read again: every record that opens must be the record sent at that
 * place, and nothing opens after the first record that fails.  A broken
 * property calls abort(), which libFuzzer reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"

#define NRECORDS	4
#define MAXLEN		48

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
cipher(struct noise_cipher *c)
{
	memset(c, 0, sizeof(*c));
	memset(c->k, 0x5a, sizeof(c->k));
	c->has_key = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy, *plain, sent[NRECORDS][MAXLEN];
	unsigned char stream[NRECORDS * (MAXLEN + SEAL_OVERHEAD)];
	struct noise_cipher tx, rx;
	struct proto_frame f;
	size_t lens[NRECORDS], len = 0, off = 0, plen, fsize, i;
	long n;
	int k, opened = 0;

	if ((copy = malloc(size + 1)) == NULL ||
	    (plain = malloc(SEAL_MAX_PLAIN)) == NULL) {
		free(copy);
		return 0;
	}
	memcpy(copy, data, size);
	cipher(&rx);
	while ((n = seal_open(&rx, copy + off, size - off, plain, &plen, 1024,
	    &f, &fsize)) > 0) {
		if (plen > SEAL_MAX_PLAIN || (size_t)n > size - off)
			abort();
		off += (size_t)n;
	}
	if (n == SEAL_ECLEAR && (f.payload < copy + off ||
	    f.payload + f.len > copy + size || fsize > 1028))
		abort();
	free(copy);

	/* A genuine stream, altered. */
	cipher(&tx);
	for (k = 0; k < NRECORDS; k++) {
		lens[k] = size > (size_t)k ? data[k] % MAXLEN : 0;
		memset(sent[k], 'a' + k, lens[k]);
		len += (size_t)seal_record(&tx, stream + len, sent[k], lens[k]);
	}
	for (i = NRECORDS; i + 1 < size; i += 2)
		stream[data[i] % len] ^= data[i + 1];
	cipher(&rx);
	for (off = 0, k = 0; k < NRECORDS; k++) {
		n = seal_open(&rx, stream + off, len - off, plain, &plen, 1024,
		    &f, &fsize);
		if (n <= 0)
			break;
		if (plen != lens[k] || memcmp(plain, sent[k], plen) != 0)
			abort();	/* a forged or misplaced record opened */
		off += (size_t)n;
		opened++;
	}
	/* Nothing opens past a failure, with the counter where it stopped. */
	if (k < NRECORDS && off < len && rx.n != (uint64_t)opened)
		abort();
	free(plain);
	return 0;
}
