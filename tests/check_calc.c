/*
 * check_calc: the tests of calc.c, linked alone with Check.
 *
 * Two tables hold the contract: good expressions with their exact result
 * text, bad ones with their exact error message and position.  Every
 * expression is passed in a malloc'd buffer of exactly its length, never
 * NUL-terminated, so AddressSanitizer catches a read past len.  The other
 * tests cover what a table cannot: depth limits on huge inputs, short
 * output buffers, every prefix of every good expression, an independent
 * 128-bit check of the integer overflow tests, and results that must read
 * back as themselves.
 */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"

#define OUTSIZE	128

struct row {
	const char	*expr;
	const char	*want;
};

static const struct row good[] = {
	/* precedence and associativity */
	{ "1+2", "3" },
	{ "2+3*4", "14" },
	{ "(2+3)*4", "20" },
	{ "2*3+4", "10" },
	{ "1-2-3", "-4" },
	{ "8/4/2", "1" },
	{ "2*3%4", "2" },
	{ "7-2*3+1", "2" },
	{ "2^3^2", "512" },
	{ "(2^3)^2", "64" },
	{ "2^3*2", "16" },
	{ "2*3^2", "18" },
	{ "((((1))))", "1" },
	/* unary operators and '^' */
	{ "-2^2", "-4" },
	{ "(-2)^2", "4" },
	{ "2^-1", "0.5" },
	{ "2^-2^2", "0.0625" },
	{ "-2^-2", "-0.25" },
	{ "--1", "1" },
	{ "- -1", "1" },
	{ "+-+1", "-1" },
	{ "+5", "5" },
	{ "-(1+2)", "-3" },
	{ "2*-3", "-6" },
	{ "2--3", "5" },
	{ "-2*-2", "4" },
	{ "0^0", "1" },
	{ "0^5", "0" },
	{ "10^-2", "0.01" },
	{ "2^1.0", "2" },
	{ "2.5^2", "6.25" },
	{ "1.5^-3", "0.2962962962962963" },
	{ "2^-1074", "5e-324" },
	{ "2^-1075", "0" },
	{ "(-1)^9223372036854775807", "-1" },
	{ "1^9223372036854775807", "1" },
	{ "0^9223372036854775807", "0" },
	{ "(-1)^1e300", "1" },
	{ "0.5^1e300", "0" },
	/* division and remainder */
	{ "7/2", "3.5" },
	{ "-7/2", "-3.5" },
	{ "6/2", "3" },
	{ "-7%2", "-1" },
	{ "7%-2", "1" },
	{ "-7%-2", "-1" },
	{ "-7.5%2", "-1.5" },
	{ "7%2.5", "2" },
	{ "5%2.5", "0" },
	{ "1e300%7", "1" },
	{ "1e17%3.3", "2.1828995133340925" },
	{ "123.456%0.1", "0.05599999999999622" },
	{ "-1e22%7.25", "-4" },
	{ "5e-324%3e-324", "0" },
	{ "1/3", "0.3333333333333333" },
	{ "2/3", "0.6666666666666666" },
	/* literals and blanks */
	{ "1.", "1" },
	{ ".5", "0.5" },
	{ "1.5", "1.5" },
	{ "007", "7" },
	{ "1e20", "1e+20" },
	{ "1E3", "1000" },
	{ "2.5E-3", "0.0025" },
	{ "1.e2", "100" },
	{ ".5e1", "5" },
	{ "1e+2", "100" },
	{ "1e-400", "0" },
	{ "4.9e-324", "5e-324" },
	{ "1.7976931348623157e308", "1.7976931348623157e+308" },
	{ " \t1 +\t2 ", "3" },
	{ "( 1 + 2 ) * 3", "9" },
	/* shortest printing of doubles */
	{ "0.1+0.2", "0.30000000000000004" },
	{ "0.1*3", "0.30000000000000004" },
	{ "1.5+1.5", "3" },
	{ "1.1^2", "1.2100000000000002" },
	{ "1e15+0.3", "1000000000000000.2" },
	{ "2.0^62", "4.611686018427388e+18" },
	{ "2^62*1.0", "4.611686018427388e+18" },
	{ "-0.0", "0" },
	{ "0*-1.5", "0" },
	{ "1e16", "1e+16" },
	{ "123456.789", "123456.789" },
	/* exact 64-bit integers */
	{ "2^62", "4611686018427387904" },
	{ "-2^62", "-4611686018427387904" },
	{ "(-2)^63", "-9223372036854775808" },
	{ "3^39", "4052555153018976267" },
	{ "10^18", "1000000000000000000" },
	{ "2^53+1", "9007199254740993" },
	{ "9223372036854775807", "9223372036854775807" },
	{ "9223372036854775806+1", "9223372036854775807" },
	{ "-9223372036854775807-1", "-9223372036854775808" },
	/* The one literal past INT64_MAX, right behind a minus. */
	{ "-9223372036854775808", "-9223372036854775808" },
	{ "- 9223372036854775808", "-9223372036854775808" },
	{ "-09223372036854775808", "-9223372036854775808" },
	{ "-9223372036854775808*1", "-9223372036854775808" },
	{ "1+-9223372036854775808", "-9223372036854775807" },
	{ "-+9223372036854775808", "-9223372036854775808" },
	{ "(-9223372036854775807-1)%-1", "0" },
	{ "(-9223372036854775807-1)/2", "-4611686018427387904" },
	{ "(-9223372036854775807-1)+9223372036854775807", "-1" },
	{ "9223372036854775807-9223372036854775807", "0" },
	{ "9223372036854775807*-1", "-9223372036854775807" },
	{ "3037000499*3037000499", "9223372030926249001" },
	{ "9223372036854775807/7", "1317624576693539401" },
	{ "9223372036854775807%10", "7" },
	{ "9007199254740993*1.0", "9007199254740992" },
	{ "9223372036854775807*1.0", "9.223372036854776e+18" },
	{ "2^-9223372036854775807", "0" },
};

static const struct row bad[] = {
	/* syntax, with 1-based positions */
	{ "", "unexpected end of input at position 1" },
	{ "   ", "unexpected end of input at position 4" },
	{ "1+", "unexpected end of input at position 3" },
	{ "1 + ", "unexpected end of input at position 5" },
	{ "-", "unexpected end of input at position 2" },
	{ "2^", "unexpected end of input at position 3" },
	{ "1+2)", "unexpected ')' at position 4" },
	{ "()", "unexpected ')' at position 2" },
	{ ")", "unexpected ')' at position 1" },
	{ "x", "unexpected 'x' at position 1" },
	{ "1 + x", "unexpected 'x' at position 5" },
	{ "1+*2", "unexpected '*' at position 3" },
	{ "*1", "unexpected '*' at position 1" },
	{ "1 2", "unexpected '2' at position 3" },
	{ "2(3)", "unexpected '(' at position 2" },
	{ ".", "unexpected '.' at position 1" },
	{ "1..2", "unexpected '.' at position 3" },
	{ "1.5.2", "unexpected '.' at position 4" },
	{ "1e", "unexpected 'e' at position 2" },
	{ "1e+", "unexpected 'e' at position 2" },
	{ "0x10", "unexpected 'x' at position 2" },
	{ "1\n", "unexpected byte 0x0a at position 2" },
	{ "\xc3\x97", "unexpected byte 0xc3 at position 1" },
	{ "(1+2", "missing ')' at position 5" },
	{ "(1 2", "missing ')' at position 4" },
	{ "((1)", "missing ')' at position 5" },
	{ "9223372036854775808", "number too large at position 1" },
	{ "0-9223372036854775808", "number too large at position 3" },
	{ "-(9223372036854775808)", "number too large at position 3" },
	{ "-9223372036854775808^1", "number too large at position 2" },
	{ "2^9223372036854775808", "number too large at position 3" },
	{ "+9223372036854775808", "number too large at position 2" },
	{ "-9223372036854775809", "number too large at position 2" },
	{ "9223372036854775808*-1", "number too large at position 1" },
	{ "1+99999999999999999999", "number too large at position 3" },
	{ "1e999", "number too large at position 1" },
	{ "2*1.8e308", "number too large at position 3" },
	/* a syntax error wins over an arithmetic one */
	{ "(1/0", "missing ')' at position 5" },
	{ "1/0 x", "unexpected 'x' at position 5" },
	/* arithmetic: the leftmost error wins */
	{ "1/0", "division by zero" },
	{ "1%0", "division by zero" },
	{ "1.5/0", "division by zero" },
	{ "1/0.0", "division by zero" },
	{ "1.5%0", "division by zero" },
	{ "1%(0*2.5)", "division by zero" },
	{ "0^-1", "division by zero" },
	{ "0.0^-2", "division by zero" },
	{ "1/0+2^64", "division by zero" },
	{ "2^64+1/0", "integer overflow" },
	{ "9223372036854775807+1", "integer overflow" },
	{ "--9223372036854775808", "integer overflow" },
	{ "-9223372036854775808-1", "integer overflow" },
	{ "-9223372036854775807-2", "integer overflow" },
	{ "9223372036854775807*2", "integer overflow" },
	{ "3037000500*3037000500", "integer overflow" },
	{ "(-9223372036854775807-1)*-1", "integer overflow" },
	{ "(-9223372036854775807-1)/-1", "integer overflow" },
	{ "-(-9223372036854775807-1)", "integer overflow" },
	{ "2^63", "integer overflow" },
	{ "(-2)^64", "integer overflow" },
	{ "3^40", "integer overflow" },
	{ "10^19", "integer overflow" },
	{ "2^2^2^2^2", "integer overflow" },
	{ "6/2*2^62", "integer overflow" },
	{ "1e308*10", "result is not finite" },
	{ "1e308+1e308", "result is not finite" },
	{ "1e308/1e-308", "result is not finite" },
	{ "2.0^1024", "result is not finite" },
	{ "0.5^-1e300", "result is not finite" },
	{ "2^0.5", "non-integer exponent not supported" },
	{ "(-8)^(1/3)", "non-integer exponent not supported" },
};

/* Evaluate expr[0..len) from a buffer of exactly len bytes. */
static int
eval(const char *expr, size_t len, char *out, size_t outsize)
{
	char *copy;
	int rc;

	copy = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, expr, len);
	rc = calc_eval(copy, len, out, outsize);
	free(copy);
	return rc;
}

static int
eval_str(const char *expr, char *out)
{
	return eval(expr, strlen(expr), out, OUTSIZE);
}

/* n copies of unit, then tail: the long inputs of the depth tests. */
static char *
repeat(const char *unit, size_t n, const char *tail)
{
	size_t ulen = strlen(unit), tlen = strlen(tail), i;
	char *s;

	s = malloc(ulen * n + tlen + 1);
	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, unit, ulen);
	memcpy(s + n * ulen, tail, tlen + 1);
	return s;
}

/* "((1))" with n levels. */
static char *
nest(size_t n)
{
	char *s = repeat("(", n, "1");

	s = realloc(s, 2 * n + 2);
	ck_assert_ptr_nonnull(s);
	memset(s + n + 1, ')', n);
	s[2 * n + 1] = '\0';
	return s;
}

static void
check_long(const char *s, int want_rc, const char *want)
{
	char out[OUTSIZE];

	ck_assert_int_eq(eval_str(s, out), want_rc);
	ck_assert_str_eq(out, want);
}

START_TEST(test_good)
{
	const struct row *r = &good[_i];
	char out[OUTSIZE];

	ck_assert_msg(eval_str(r->expr, out) == 0,
	    "\"%s\" failed: %s", r->expr, out);
	ck_assert_msg(strcmp(out, r->want) == 0,
	    "\"%s\" gave %s, not %s", r->expr, out, r->want);
}
END_TEST

START_TEST(test_bad)
{
	const struct row *r = &bad[_i];
	char out[OUTSIZE];

	ck_assert_msg(eval_str(r->expr, out) == -1,
	    "\"%s\" succeeded: %s", r->expr, out);
	ck_assert_msg(strcmp(out, r->want) == 0,
	    "\"%s\" gave \"%s\", not \"%s\"", r->expr, out, r->want);
}
END_TEST

/* Every prefix of a good expression either evaluates or is an error. */
START_TEST(test_prefixes)
{
	char out[OUTSIZE];
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		for (n = 0; n <= strlen(good[i].expr); n++) {
			memset(out, 'z', sizeof(out));
			rc = eval(good[i].expr, n, out, sizeof(out));
			ck_assert(rc == 0 || rc == -1);
			ck_assert(memchr(out, '\0', sizeof(out)) != NULL);
			ck_assert(strlen(out) > 0);
		}
}
END_TEST

START_TEST(test_nul_bytes)
{
	char out[OUTSIZE];

	ck_assert_int_eq(eval("1\0", 2, out, sizeof(out)), -1);
	ck_assert_str_eq(out, "unexpected byte 0x00 at position 2");
	ck_assert_int_eq(eval("\0" "1", 2, out, sizeof(out)), -1);
	ck_assert_str_eq(out, "unexpected byte 0x00 at position 1");
	ck_assert_int_eq(eval("1+\0" "2", 4, out, sizeof(out)), -1);
	ck_assert_str_eq(out, "unexpected byte 0x00 at position 3");
}
END_TEST

/* Only expr[0..len) counts, whatever follows it. */
START_TEST(test_len_not_nul)
{
	static const struct {
		const char	*expr;
		size_t		 len;
		const char	*want;
	} rows[] = {
		{ "1+23", 3, "3" },
		{ "12", 1, "1" },
		{ "1.5", 2, "1" },
		{ "1e5", 2, "unexpected 'e' at position 2" },
		{ "1e+5", 3, "unexpected 'e' at position 2" },
		{ "(1)", 2, "missing ')' at position 3" },
		{ "9223372036854775807", 18, "922337203685477580" },
		{ "1 ", 1, "1" },
		{ "2^3", 2, "unexpected end of input at position 3" },
	};
	char out[OUTSIZE];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		eval(rows[i].expr, rows[i].len, out, sizeof(out));
		ck_assert_str_eq(out, rows[i].want);
	}
}
END_TEST

START_TEST(test_depth)
{
	char *s;

	/* 10,000 '(' stop at the first one past the limit */
	s = repeat("(", 10000, "1");
	check_long(s, -1, "nesting too deep at position 257");
	free(s);

	/* exactly CALC_MAX_DEPTH levels are allowed */
	s = nest(CALC_MAX_DEPTH);
	check_long(s, 0, "1");
	free(s);
	s = repeat("(", CALC_MAX_DEPTH + 1, "1");
	check_long(s, -1, "nesting too deep at position 257");
	free(s);

	/* unary operators and '^' count too */
	s = repeat("- ", 100000, "1");
	check_long(s, -1, "nesting too deep at position 513");
	free(s);
	s = repeat("-", CALC_MAX_DEPTH, "1");
	check_long(s, 0, "1");
	free(s);
	s = repeat("+", CALC_MAX_DEPTH - 1, "-1");
	check_long(s, 0, "-1");
	free(s);
	s = repeat("1^", CALC_MAX_DEPTH, "1");
	check_long(s, 0, "1");
	free(s);
	s = repeat("1^", 100000, "1");
	check_long(s, -1, "nesting too deep at position 514");
	free(s);
	s = repeat("-(", 100000, "1");
	check_long(s, -1, "nesting too deep at position 257");
	free(s);
	s = repeat("2^-(", 100000, "1");
	check_long(s, -1, "nesting too deep at position 343");
	free(s);
}
END_TEST

/* Depth is given back: many deep groups in a row are fine. */
START_TEST(test_depth_restored)
{
	char *group, *s;
	size_t glen, n = 1000, i;

	group = nest(CALC_MAX_DEPTH);
	glen = strlen(group);
	s = malloc(n * (glen + 1) + 1);
	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++) {
		s[i * (glen + 1)] = '+';
		memcpy(s + i * (glen + 1) + 1, group, glen);
	}
	s[n * (glen + 1)] = '\0';
	check_long(s + 1, 0, "1000");
	free(s);
	free(group);
}
END_TEST

/* Iteration, not recursion, for long chains of one precedence. */
START_TEST(test_long_chains)
{
	char *s;

	s = repeat("1+", 100000, "1");
	check_long(s, 0, "100001");
	free(s);
	s = repeat("1*", 100000, "7");
	check_long(s, 0, "7");
	free(s);
	s = repeat("1-", 100000, "1");
	check_long(s, 0, "-99999");
	free(s);
	s = repeat(" ", 100000, "42");
	check_long(s, 0, "42");
	free(s);
}
END_TEST

/* Integers may be any length; other literals fit a 128-byte buffer. */
START_TEST(test_long_literals)
{
	char *s;

	s = repeat("0", 100000, "42");
	check_long(s, 0, "42");
	free(s);
	s = repeat("0", 125, ".5");
	check_long(s, 0, "0.5");
	free(s);
	s = repeat("0", 126, ".5");
	check_long(s, -1, "number too long at position 1");
	free(s);
	s = repeat("0", 100000, ".5");
	check_long(s, -1, "number too long at position 1");
	free(s);
}
END_TEST

START_TEST(test_outsize)
{
	char out[8];

	memset(out, 'z', sizeof(out));
	ck_assert_int_eq(calc_eval("1+2", 3, out, 0), 0);
	ck_assert_int_eq(out[0], 'z');
	ck_assert_int_eq(calc_eval("1/0", 3, NULL, 0), -1);
	ck_assert_int_eq(calc_eval("1+2", 3, NULL, 0), 0);

	ck_assert_int_eq(calc_eval("1+2", 3, out, 1), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(out[1], 'z');

	ck_assert_int_eq(calc_eval("12345", 5, out, 3), 0);
	ck_assert_str_eq(out, "12");
	ck_assert_int_eq(out[3], 'z');

	ck_assert_int_eq(calc_eval("1/0", 3, out, 5), -1);
	ck_assert_str_eq(out, "divi");

	ck_assert_int_eq(calc_eval("2^62", 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "4611686");
}
END_TEST

/* |v| as an unsigned 64-bit magnitude, INT64_MIN included. */
static uint64_t
magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* The exact 128-bit product a * b, from 32-bit halves. */
static void
mul128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
	uint64_t a0 = a & 0xffffffff, a1 = a >> 32;
	uint64_t b0 = b & 0xffffffff, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	uint64_t mid;

	mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
	*lo = (mid << 32) | (p00 & 0xffffffff);
	*hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* The literal text of v; INT64_MIN has no literal of its own. */
static void
int_text(int64_t v, char *buf, size_t size)
{
	if (v == INT64_MIN)
		snprintf(buf, size, "(-9223372036854775807-1)");
	else
		snprintf(buf, size, "(%" PRId64 ")", v);
}

/*
 * x op y by a reference that shares no code with calc.c: wrap-around in
 * unsigned arithmetic for + and -, a 128-bit product for *.
 */
static void
check_int_op(int64_t x, int op, int64_t y)
{
	uint64_t r, hi, lo;
	int over, neg;
	char a[32], b[32], expr[80], out[OUTSIZE], want[32];

	switch (op) {
	case '+':
		r = (uint64_t)x + (uint64_t)y;
		over = (x < 0) == (y < 0) && (int)(r >> 63) != (x < 0);
		break;
	case '-':
		r = (uint64_t)x - (uint64_t)y;
		over = (x < 0) != (y < 0) && (int)(r >> 63) != (x < 0);
		break;
	default:
		mul128(magnitude(x), magnitude(y), &hi, &lo);
		neg = (x < 0) != (y < 0) && lo != 0;
		over = hi != 0 ||
		    lo > (neg ? (uint64_t)1 << 63 : (uint64_t)INT64_MAX);
		r = neg ? (uint64_t)0 - lo : lo;
		break;
	}
	if (over)
		snprintf(want, sizeof(want), "integer overflow");
	else if (r >> 63)
		snprintf(want, sizeof(want), "-%" PRIu64, (uint64_t)0 - r);
	else
		snprintf(want, sizeof(want), "%" PRIu64, r);
	int_text(x, a, sizeof(a));
	int_text(y, b, sizeof(b));
	snprintf(expr, sizeof(expr), "%s%c%s", a, op, b);
	ck_assert_int_eq(eval_str(expr, out), over ? -1 : 0);
	ck_assert_msg(strcmp(out, want) == 0, "%s gave %s, not %s",
	    expr, out, want);
}

/* + - * on every pair of boundary values. */
START_TEST(test_int_overflow)
{
	static const int64_t v[] = {
		0, 1, -1, 2, -2, 3, -3, 7, -7,
		INT32_MAX, INT32_MIN, (int64_t)1 << 32, -((int64_t)1 << 32),
		3037000499, -3037000499, 3037000500, -3037000500,
		(int64_t)1 << 62, -((int64_t)1 << 62),
		INT64_MAX / 2, INT64_MIN / 2, INT64_MAX / 3, INT64_MIN / 3,
		INT64_MAX - 1, INT64_MAX, INT64_MIN + 1, INT64_MIN,
	};
	size_t n = sizeof(v) / sizeof(v[0]), i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			check_int_op(v[i], '+', v[j]);
			check_int_op(v[i], '-', v[j]);
			check_int_op(v[i], '*', v[j]);
		}
}
END_TEST

/* Does this result text, evaluated, give itself back? */
static void
check_reads_back(const char *expr, const char *result)
{
	char again[OUTSIZE];

	ck_assert_msg(eval_str(result, again) == 0 &&
	    strcmp(again, result) == 0,
	    "\"%s\" gave %s, which reads back as %s", expr, result, again);
}

START_TEST(test_good_reads_back)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		check_reads_back(good[i].expr, good[i].want);
}
END_TEST

/*
 * Random strings over the expression alphabet: no crash, a terminated
 * out, and every result reads back as itself.
 */
START_TEST(test_random)
{
	static const char alphabet[] = "0123456789.+-*/%^()e \t";
	uint32_t seed = 12345;
	char expr[24], out[OUTSIZE];
	int i, ok = 0;
	size_t n, j;

	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245 + 12345;
		n = (seed >> 16) % sizeof(expr);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			expr[j] = alphabet[(seed >> 16) %
			    (sizeof(alphabet) - 1)];
		}
		memset(out, 'z', sizeof(out));
		if (eval(expr, n, out, sizeof(out)) == 0) {
			expr[n] = '\0';
			check_reads_back(expr, out);
			ok++;
		}
		ck_assert(memchr(out, '\0', sizeof(out)) != NULL);
	}
	ck_assert_int_gt(ok, 1000);
}
END_TEST

static Suite *
calc_suite(void)
{
	Suite *s = suite_create("calc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_good_reads_back);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_len_not_nul);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_depth_restored);
	tcase_add_test(tc, test_long_chains);
	tcase_add_test(tc, test_long_literals);
	tcase_add_test(tc, test_outsize);
	tcase_add_test(tc, test_int_overflow);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(calc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
