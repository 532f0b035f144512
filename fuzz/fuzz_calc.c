/*
 * fuzz_calc: a libFuzzer target for calc.c, the expression evaluator.
 *
 * Contract.  Each run evaluates the input as an expression and keeps
 * nothing from one run to the next.  It evaluates it three times: into a
 * normal buffer, into one of SMALL_OUT bytes and into one of size 0, each
 * allocated to its exact size so that AddressSanitizer sees a write past
 * it.  All three must return the same, the short text being a prefix of
 * the full one, and the size-0 buffer must be untouched; errno must be
 * left as it was.  An error that names a position must name one inside
 * the input or just after it.  A result must read back: evaluated as an
 * expression, it gives itself again.  The one exception is INT64_MIN,
 * "-9223372036854775808", a documented limitation: it reads as unary minus
 * applied to 9223372036854775808, a literal too large for an integer.  A
 * broken property calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"

#define OUT_SIZE	128	/* more than any result or message */
#define SMALL_OUT	8
#define INT64_MIN_TEXT	"-9223372036854775808"
#define POSITION	" at position "

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
xmalloc(size_t n)
{
	char *p = malloc(n > 0 ? n : 1);

	CHECK(p != NULL);
	return p;
}

/* calc_eval() that must leave errno alone. */
static int
eval(const char *expr, size_t len, char *out, size_t outsize)
{
	int rc;

	errno = EDOM;
	rc = calc_eval(expr, len, out, outsize);
	CHECK(errno == EDOM);
	CHECK(rc == 0 || rc == -1);
	return rc;
}

/* "... at position N" must have 1 <= N <= len + 1. */
static void
check_position(const char *msg, size_t len)
{
	const char *at = strstr(msg, POSITION);
	char *end;
	unsigned long long n;

	if (at == NULL)
		return;
	n = strtoull(at + strlen(POSITION), &end, 10);
	CHECK(*end == '\0');
	CHECK(n >= 1 && n <= (unsigned long long)len + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *expr = (const char *)data;
	char *out, *small, *none, *copy, *again;
	size_t n;
	int rc;

	out = xmalloc(OUT_SIZE);
	small = xmalloc(SMALL_OUT);
	none = xmalloc(1);

	rc = eval(expr, size, out, OUT_SIZE);
	n = strlen(out);
	CHECK(n < OUT_SIZE - 1);		/* never truncated */
	CHECK(n > 0);

	CHECK(eval(expr, size, small, SMALL_OUT) == rc);
	CHECK(strlen(small) == (n < SMALL_OUT ? n : SMALL_OUT - 1));
	CHECK(strncmp(small, out, strlen(small)) == 0);

	none[0] = 'x';
	CHECK(eval(expr, size, none, 0) == rc);
	CHECK(none[0] == 'x');

	if (rc == -1)
		check_position(out, size);
	else if (strcmp(out, INT64_MIN_TEXT) != 0) {
		/* The result, as an expression of its own, gives itself. */
		copy = xmalloc(n);		/* unterminated, as input is */
		memcpy(copy, out, n);
		again = xmalloc(OUT_SIZE);
		CHECK(eval(copy, n, again, OUT_SIZE) == 0);
		if (strcmp(again, out) != 0) {
			fprintf(stderr, "result '%s' reads back as '%s'\n",
			    out, again);
			abort();
		}
		free(again);
		free(copy);
	}
	free(none);
	free(small);
	free(out);
	return 0;
}
