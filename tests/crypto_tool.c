/*
 * crypto_tool: our primitives behind a line protocol, for the
 * differential test (tests/crypto_diff.py) to compare with another
 * implementation.
 *
 * Each line on standard input is an operation and its arguments in hex
 * ("-" for no bytes); the answer, one line on standard output, is the
 * result in hex, or "fail":
 *
 *   sha256 MSG                 hmac KEY MSG
 *   hkdf SALT IKM INFO LEN     seal KEY NONCE AD PLAINTEXT
 *   open KEY NONCE AD CIPHERTEXT_AND_TAG
 *   x25519 SCALAR POINT        pub SCALAR
 *
 * A line it cannot read ends it with status 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "sha256.h"
#include "x25519.h"

#define MAX	(1 << 20)

static unsigned char bufs[5][MAX];
static char line[6 * MAX];

static long
unhex(const char *s, unsigned char *out)
{
	size_t n = strlen(s), i;
	unsigned v;

	if (strcmp(s, "-") == 0)
		return 0;
	if (n % 2 != 0 || n / 2 > MAX)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return (long)(n / 2);
}

static void
put(const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0)
		putchar('-');
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

int
main(void)
{
	char *w[6], *save;
	long n[5];
	int k, i;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		for (k = 0, w[0] = strtok_r(line, " ", &save); w[k] != NULL &&
		    k < 5; w[++k] = strtok_r(NULL, " ", &save))
			continue;
		if (k == 0)
			return 2;
		for (i = 1; i < k && i < 5; i++)
			if ((n[i - 1] = unhex(w[i], bufs[i - 1])) < 0 &&
			    !(strcmp(w[0], "hkdf") == 0 && i == 4))
				return 2;
		if (strcmp(w[0], "sha256") == 0 && k == 2) {
			sha256(bufs[4], bufs[0], (size_t)n[0]);
			put(bufs[4], 32);
		} else if (strcmp(w[0], "hmac") == 0 && k == 3) {
			hmac_sha256(bufs[4], bufs[0], (size_t)n[0], bufs[1],
			    (size_t)n[1]);
			put(bufs[4], 32);
		} else if (strcmp(w[0], "hkdf") == 0 && k == 5) {
			long len = atol(w[4]);

			if (len < 0 || len > MAX || hkdf_sha256(bufs[4],
			    (size_t)len, bufs[0], (size_t)n[0], bufs[1],
			    (size_t)n[1], bufs[2], (size_t)n[2]) != 0)
				puts("fail");
			else
				put(bufs[4], (size_t)len);
		} else if (strcmp(w[0], "seal") == 0 && k == 5 &&
		    n[0] == 32 && n[1] == 12 && n[3] + 16 <= MAX) {
			aead_seal(bufs[4], bufs[0], bufs[1], bufs[2],
			    (size_t)n[2], bufs[3], (size_t)n[3]);
			put(bufs[4], (size_t)n[3] + 16);
		} else if (strcmp(w[0], "open") == 0 && k == 5 &&
		    n[0] == 32 && n[1] == 12) {
			if (n[3] < 16 || aead_open(bufs[4], bufs[0], bufs[1],
			    bufs[2], (size_t)n[2], bufs[3], (size_t)n[3]) != 0)
				puts("fail");
			else
				put(bufs[4], (size_t)n[3] - 16);
		} else if (strcmp(w[0], "x25519") == 0 && k == 3 &&
		    n[0] == 32 && n[1] == 32) {
			if (x25519(bufs[4], bufs[0], bufs[1]) != 0)
				puts("fail");
			else
				put(bufs[4], 32);
		} else if (strcmp(w[0], "pub") == 0 && k == 2 && n[0] == 32) {
			x25519_public(bufs[4], bufs[0]);
			put(bufs[4], 32);
		} else
			return 2;
		fflush(stdout);
	}
	return 0;
}
