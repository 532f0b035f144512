/*
 * fuzz_beacon: a libFuzzer target for the LAN beacon's datagram codec
 * (beacon_encode(), beacon_decode() in beacon.c).
 *
 * Contract.  Each run treats the input as one datagram heard on the LAN,
 * from anyone, and keeps nothing from one run to the next.  A datagram
 * that decodes must hold what the format allows (a port 1..65535, a
 * cluster of 1..64 bytes, NUL-terminated) and must encode again, into a
 * buffer of exactly its size, to the same bytes but for reserved flag
 * bits, and decode again to the same fields; a buffer one byte short
 * must be refused.  Under AddressSanitizer, no input may make the decoder
 * read past the datagram.  A broken property calls abort(), which
 * libFuzzer reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beacon.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct beacon_msg m, again;
	unsigned char *buf;
	long n;

	if (beacon_decode(data, size, &m) != BEACON_OK)
		return 0;
	CHECK(size <= BEACON_MAX);
	CHECK(m.port >= 1 && m.port <= 65535);
	CHECK(m.cluster_len >= 1 && m.cluster_len <= BEACON_CLUSTER_MAX);
	CHECK(m.cluster[m.cluster_len] == '\0');
	CHECK((buf = malloc(size)) != NULL);
	n = beacon_encode(buf, size, &m);
	CHECK(n == (long)size);
	CHECK(memcmp(buf, data, 5) == 0);	/* magic, version */
	CHECK((buf[5] & BEACON_F_SECURED) == (data[5] & BEACON_F_SECURED));
	CHECK(memcmp(buf + 6, data + 6, size - 6) == 0);
	CHECK(beacon_encode(buf, size - 1, &m) < 0);
	CHECK(beacon_decode(buf, size, &again) == BEACON_OK);
	CHECK(again.port == m.port && again.secured == m.secured &&
	    again.cluster_len == m.cluster_len &&
	    memcmp(again.id, m.id, BEACON_ID_LEN) == 0 &&
	    memcmp(again.cluster, m.cluster, m.cluster_len) == 0);
	free(buf);
	return 0;
}
