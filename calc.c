/*
 * calc: evaluate an arithmetic expression by recursive descent.
 *
 * The contract is in include/calc.h.  Each grammar rule is one static
 * function headed by the rule.  A value stays an exact int64_t for as long
 * as every operand is an integer and the operation stays integral, and is a
 * double from then on.  The grammar recurses only at '(', at a unary
 * operator and at '^'; each of those counts one level against
 * CALC_MAX_DEPTH, so no input can exhaust the stack.
 *
 * A syntax error stops the parse at once.  An arithmetic error (division by
 * zero, overflow) is remembered and the parse goes on, so a malformed
 * expression is always reported as malformed; otherwise the leftmost
 * arithmetic error is reported.
 *
 * The program links libc alone, so nothing here needs libm: powers are
 * computed by squaring and the double remainder by binary long division.
 * Non-integer exponents are refused rather than computed badly.  strtod()
 * and %g follow LC_NUMERIC; the program stays in the "C" locale.
 */
#include <errno.h>
#include <stdint.h>
#include <math.h>		/* isfinite(), a macro */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"

#define MAX_LITERAL	128	/* longest decimal literal, in bytes */

struct value {
	int	 is_int;
	int64_t	 i;		/* the value when is_int */
	double	 d;		/* the value otherwise */
	/*
	 * The literal 9223372036854775808, held as INT64_MIN: valid only
	 * right behind a unary minus, a "number too large" at big_at
	 * anywhere else.
	 */
	int	 big;
	size_t	 big_at;
};

struct parser {
	const char	*s;
	size_t		 len;
	size_t		 pos;		/* index of the next byte to read */
	int		 depth;		/* levels of recursion in use */
	const char	*math_err;	/* first arithmetic error, or NULL */
	char		 err[80];	/* the syntax error, or "" */
};

static int	parse_expr(struct parser *, struct value *);
static int	parse_unary(struct parser *, struct value *);

/* Skip blanks; return the next byte, or -1 at the end of the input. */
static int
peek(struct parser *p)
{
	while (p->pos < p->len &&
	    (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int
is_digit_at(const struct parser *p, size_t i)
{
	return i < p->len && p->s[i] >= '0' && p->s[i] <= '9';
}

static int
syntax_error(struct parser *p, size_t at, const char *what)
{
	snprintf(p->err, sizeof(p->err), "%s at position %zu", what, at + 1);
	return -1;
}

/* Report the next byte, or the end of the input, as unexpected. */
static int
unexpected(struct parser *p)
{
	int c = peek(p);
	size_t at = p->pos + 1;

	if (c == -1)
		snprintf(p->err, sizeof(p->err),
		    "unexpected end of input at position %zu", at);
	else if (c > ' ' && c < 0x7f)
		snprintf(p->err, sizeof(p->err),
		    "unexpected '%c' at position %zu", c, at);
	else	/* never echo control bytes back to a terminal */
		snprintf(p->err, sizeof(p->err),
		    "unexpected byte 0x%02x at position %zu", c, at);
	return -1;
}

static void
math_error(struct parser *p, const char *what)
{
	if (p->math_err == NULL)
		p->math_err = what;
}

/* Consume the '(' or unary or '^' operator at p->pos, one level deeper. */
static int
enter(struct parser *p)
{
	if (p->depth >= CALC_MAX_DEPTH)
		return syntax_error(p, p->pos, "nesting too deep");
	p->depth++;
	p->pos++;
	return 0;
}

/*
 * Overflow-checked int64_t arithmetic in portable C99: each test decides,
 * without overflowing itself, whether the true result fits.  They return
 * -1 and leave *r alone if it does not.
 */
static int
int_add(int64_t a, int64_t b, int64_t *r)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
		return -1;
	*r = a + b;
	return 0;
}

static int
int_sub(int64_t a, int64_t b, int64_t *r)
{
	if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
		return -1;
	*r = a - b;
	return 0;
}

static int
int_mul(int64_t a, int64_t b, int64_t *r)
{
	if (a > 0 ? (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a) :
	    (b > 0 ? a < INT64_MIN / b : a != 0 && b < INT64_MAX / a))
		return -1;
	*r = a * b;
	return 0;
}

/* base^e for e >= 0 by squaring.  A square is squared only if it is used. */
static int
int_pow(int64_t base, int64_t e, int64_t *r)
{
	int64_t acc = 1;

	for (;;) {
		if ((e & 1) && int_mul(acc, base, &acc) == -1)
			return -1;
		if ((e >>= 1) == 0)
			break;
		if (int_mul(base, base, &base) == -1)
			return -1;
	}
	*r = acc;
	return 0;
}

#define TWO_TO_52 4503599627370496.0

/* Every double of magnitude 2^52 or more is an integer. */
static int
is_integral(double d)
{
	return d <= -TWO_TO_52 || d >= TWO_TO_52 || d == (double)(int64_t)d;
}

static double
dbl_pow_n(double base, uint64_t n)
{
	double acc = 1;

	for (; n != 0; n >>= 1) {
		if (n & 1)
			acc *= base;
		base *= base;
	}
	return acc;
}

/*
 * base^e for an integral e, base != 0 if e < 0.  Squaring may be a few
 * ulps off where pow() would round correctly.  Clamping e to 2^62 keeps
 * its parity (doubles that large are even) and changes no result: by then
 * it is infinite, zero, or |base| is 1.
 */
static double
dbl_pow(double base, double e)
{
	double m = e < 0 ? -e : e, r;
	uint64_t n = m < 0x1p62 ? (uint64_t)m : (uint64_t)1 << 62;

	r = dbl_pow_n(base, n);
	if (e >= 0)
		return r;
	/* 2^-1074 is a double even though 2^1074 is not */
	return isfinite(r) ? 1 / r : dbl_pow_n(1 / base, n);
}

/*
 * fmod(x, y) for y != 0, by binary long division: subtract |y| * 2^k for k
 * from high to low.  Each subtraction has t <= r < 2t, so it is exact
 * (Sterbenz) and the remainder is exact, as fmod's is.
 */
static double
dbl_mod(double x, double y)
{
	double r = x < 0 ? -x : x, m = y < 0 ? -y : y, t = m;

	while (t <= r / 2)
		t *= 2;
	for (; t >= m; t /= 2)
		if (r >= t)
			r -= t;
	return x < 0 ? -r : r;
}

/* a = a op b on integers; 1 if the result is not integral. */
static int
int_binary(struct parser *p, int op, struct value *a, int64_t b)
{
	int64_t x = a->i;
	int rc = 0;

	switch (op) {
	case '+':
		rc = int_add(x, b, &a->i);
		break;
	case '-':
		rc = int_sub(x, b, &a->i);
		break;
	case '*':
		rc = int_mul(x, b, &a->i);
		break;
	case '/':
	case '%':
		if (b == 0) {
			math_error(p, "division by zero");
			return 0;
		}
		if (b == -1) {		/* INT64_MIN / -1 traps */
			if (op == '%')
				a->i = 0;
			else
				rc = int_sub(0, x, &a->i);
		} else if (op == '%')
			a->i = x % b;
		else if (x % b != 0)
			return 1;
		else
			a->i = x / b;
		break;
	case '^':
		if (b < 0)
			return 1;
		rc = int_pow(x, b, &a->i);
		break;
	}
	if (rc == -1)
		math_error(p, "integer overflow");
	return 0;
}

/* a = a op b in doubles. */
static void
dbl_binary(struct parser *p, int op, struct value *a, double y)
{
	double x = a->is_int ? (double)a->i : a->d, r = 0;

	switch (op) {
	case '+':
		r = x + y;
		break;
	case '-':
		r = x - y;
		break;
	case '*':
		r = x * y;
		break;
	case '/':
	case '%':
		if (y == 0) {
			math_error(p, "division by zero");
			return;
		}
		r = op == '/' ? x / y : dbl_mod(x, y);
		break;
	case '^':
		if (!is_integral(y)) {
			math_error(p, "non-integer exponent not supported");
			return;
		}
		if (x == 0 && y < 0) {
			math_error(p, "division by zero");
			return;
		}
		r = dbl_pow(x, y);
		break;
	}
	if (!isfinite(r)) {
		math_error(p, "result is not finite");
		return;
	}
	a->is_int = 0;
	a->d = r;
}

/* a = a op b, exactly while both are integers and the result is one. */
static void
binary(struct parser *p, int op, struct value *a, const struct value *b)
{
	if (a->is_int && b->is_int && int_binary(p, op, a, b->i) == 0)
		return;
	dbl_binary(p, op, a, b->is_int ? (double)b->i : b->d);
}

/*
 * number   = digits [ "." [ digits ] ] [ exponent ]
 *          | "." digits [ exponent ] ;
 * exponent = ( "e" | "E" ) [ "+" | "-" ] digits ;
 *
 * Only digits alone make an integer.  strtod() reads the other forms, from
 * a NUL-terminated copy since expr need not be terminated.
 */
static int
parse_number(struct parser *p, struct value *v)
{
	size_t start = p->pos, i = start, j;
	char buf[MAX_LITERAL];
	int is_int = 1, digits = 0;

	for (; is_digit_at(p, i); i++)
		digits++;
	if (i < p->len && p->s[i] == '.') {
		is_int = 0;
		for (i++; is_digit_at(p, i); i++)
			digits++;
	}
	if (digits == 0)
		return unexpected(p);
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		j = i + 1;
		if (j < p->len && (p->s[j] == '+' || p->s[j] == '-'))
			j++;
		if (is_digit_at(p, j)) {
			is_int = 0;
			for (i = j; is_digit_at(p, i); i++)
				continue;
		}
	}
	p->pos = i;

	if (is_int) {
		v->is_int = 1;
		v->big = 0;
		v->i = 0;
		for (i = start; i < p->pos; i++) {
			int d = p->s[i] - '0';

			if (v->i > (INT64_MAX - d) / 10) {
				/* 2^63 is -INT64_MIN: fine after a '-'. */
				if (i + 1 == p->pos && v->i == INT64_MAX / 10 &&
				    d == 8) {
					v->i = INT64_MIN;
					v->big = 1;
					v->big_at = start;
					return 0;
				}
				return syntax_error(p, start,
				    "number too large");
			}
			v->i = v->i * 10 + d;
		}
		return 0;
	}
	if (p->pos - start >= sizeof(buf))
		return syntax_error(p, start, "number too long");
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	v->is_int = 0;
	v->big = 0;
	v->d = strtod(buf, NULL);
	if (!isfinite(v->d))
		return syntax_error(p, start, "number too large");
	return 0;
}

/* A 2^63 literal that no unary minus took is too large. */
static int
not_big(struct parser *p, const struct value *v)
{
	return v->big ? syntax_error(p, v->big_at, "number too large") : 0;
}

/* primary = number | "(" expr ")" ; */
static int
parse_primary(struct parser *p, struct value *v)
{
	int c = peek(p);

	if (c != '(')
		return c == '.' || (c >= '0' && c <= '9') ?
		    parse_number(p, v) : unexpected(p);
	if (enter(p) == -1 || parse_expr(p, v) == -1)
		return -1;
	if (peek(p) != ')')
		return syntax_error(p, p->pos, "missing ')'");
	p->pos++;
	p->depth--;
	return 0;
}

/* power = primary [ "^" unary ] ;   so 2^3^2 is 2^(3^2), -2^2 is -(2^2) */
static int
parse_power(struct parser *p, struct value *v)
{
	struct value e;

	if (parse_primary(p, v) == -1)
		return -1;
	if (peek(p) != '^')
		return 0;
	if (not_big(p, v) == -1 || enter(p) == -1 || parse_unary(p, &e) == -1
	    || not_big(p, &e) == -1)
		return -1;
	p->depth--;
	binary(p, '^', v, &e);
	return 0;
}

/* unary = ( "-" | "+" ) unary | power ; */
static int
parse_unary(struct parser *p, struct value *v)
{
	int op = peek(p);

	if (op != '-' && op != '+')
		return parse_power(p, v);
	if (enter(p) == -1 || parse_unary(p, v) == -1)
		return -1;
	p->depth--;
	if (op == '+')
		return 0;
	if (v->big) {			/* -9223372036854775808 */
		v->big = 0;
		return 0;
	}
	if (!v->is_int)
		v->d = -v->d;
	else if (v->i == INT64_MIN)
		math_error(p, "integer overflow");
	else
		v->i = -v->i;
	return 0;
}

/* term = unary { ( "*" | "/" | "%" ) unary } ; */
static int
parse_term(struct parser *p, struct value *v)
{
	struct value rhs;
	int op;

	if (parse_unary(p, v) == -1 || not_big(p, v) == -1)
		return -1;
	while ((op = peek(p)) == '*' || op == '/' || op == '%') {
		p->pos++;
		if (parse_unary(p, &rhs) == -1 || not_big(p, &rhs) == -1)
			return -1;
		binary(p, op, v, &rhs);
	}
	return 0;
}

/* expr = term { ( "+" | "-" ) term } ; */
static int
parse_expr(struct parser *p, struct value *v)
{
	struct value rhs;
	int op;

	if (parse_term(p, v) == -1)
		return -1;
	while ((op = peek(p)) == '+' || op == '-') {
		p->pos++;
		if (parse_term(p, &rhs) == -1)
			return -1;
		binary(p, op, v, &rhs);
	}
	return 0;
}

/*
 * The shortest %g form that strtod() reads back as the same double, except
 * that integers below 1e16, all exact, print in full: 1000, not 1e+03.
 */
static void
format_double(double d, char *buf, size_t size)
{
	int prec;

	if (d == 0)
		d = 0;		/* print -0 as 0 */
	if (d > -1e16 && d < 1e16 && is_integral(d)) {
		snprintf(buf, size, "%.0f", d);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
}

/* v in decimal into buf (room for 21 bytes); the common result, so no
 * printf. */
static void
format_int(int64_t v, char *buf)
{
	char tmp[24];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[i++] = '-';
	while (n > 0)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
}

int
calc_eval(const char *expr, size_t len, char *out, size_t outsize)
{
	struct parser p;
	struct value v;
	char buf[32];
	const char *text = buf;
	size_t n;
	int saved_errno = errno;	/* strtod() may set ERANGE */

	p.s = expr;
	p.len = len;
	p.pos = 0;
	p.depth = 0;
	p.math_err = NULL;
	p.err[0] = '\0';
	if (parse_expr(&p, &v) == 0 && peek(&p) != -1)
		unexpected(&p);

	if (p.err[0] != '\0')
		text = p.err;
	else if (p.math_err != NULL)
		text = p.math_err;
	else if (v.is_int)
		format_int(v.i, buf);
	else
		format_double(v.d, buf, sizeof(buf));
	if (outsize > 0) {
		n = strlen(text);
		if (n >= outsize)
			n = outsize - 1;
		memcpy(out, text, n);
		out[n] = '\0';
	}
	errno = saved_errno;
	return text == buf ? 0 : -1;
}
