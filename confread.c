/*
 * confread: typed values from a parsed JSON config, each refused with a
 * message that points at it (contract in include/confread.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confread.h"

/* Write "<file>:<line>:<col>: <kind><message>" into out. */
static void
format_at(const struct confread *r, size_t off, char *out, size_t size,
    const char *kind, const char *fmt, va_list ap)
{
	size_t i, line = 1, col = 1;
	int n;

	for (i = 0; i < off && i < r->len; i++) {
		if (r->text[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	n = snprintf(out, size, "%s:%zu:%zu: %s", r->file, line, col, kind);
	if (n >= 0 && (size_t)n < size)
		vsnprintf(out + n, size - n, fmt, ap);
}

/* Set the error message for text[off] and return -1. */
int
confread_error(struct confread *r, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (r->errsize > 0) {
		va_start(ap, fmt);
		format_at(r, off, r->err, r->errsize, "", fmt, ap);
		va_end(ap);
	}
	return -1;
}

void
confread_warn(struct confread *r, size_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (r->warn == NULL)
		return;
	va_start(ap, fmt);
	format_at(r, off, msg, sizeof msg, "warning: ", fmt, ap);
	va_end(ap);
	r->warn(r->ctx, msg);
}

/* Warn about key token k, quoted as written, cut between characters. */
/*
 * The edit distance between a[0..an) and b (letters compared without
 * case, a swap of two neighbours one edit), up to 31 bytes of each;
 * names are short.
 */
static int
distance(const char *a, size_t an, const char *b)
{
	int d[32][32], i, j, c, m = (int)(an < 31 ? an : 31);
	int n = (int)(strlen(b) < 31 ? strlen(b) : 31);

	for (i = 0; i <= m; i++)
		d[i][0] = i;
	for (j = 0; j <= n; j++)
		d[0][j] = j;
	for (i = 1; i <= m; i++)
		for (j = 1; j <= n; j++) {
			c = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			d[i][j] = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < d[i][j])
				d[i][j] = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < d[i][j])
				d[i][j] = d[i][j - 1] + 1;
			/* Two letters swapped count as one edit. */
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[m][n];
}

void
confread_unknown(struct confread *r, int k, const char *const *names)
{
	const char *s = r->text + r->tok[k].start + 1, *best = NULL;
	int n = (int)(r->tok[k].end - r->tok[k].start - 2);
	const char *more = "";
	int i, d, bestd = 3;

	/* The nearest known name, if it is near: a typo, a wrong case. */
	for (i = 0; names != NULL && names[i] != NULL && n < 32; i++)
		if ((d = distance(s, (size_t)n, names[i])) < bestd &&
		    d <= ((int)strlen(names[i]) > 5 ? (int)strlen(names[i]) / 3 :
		    1)) {
			bestd = d;
			best = names[i];
		}
	if (n > 40) {
		for (n = 40; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
			continue;
		more = "...";
	}
	if (best != NULL)
		confread_warn(r, r->tok[k].start, "unknown key '%.*s' ignored; "
		    "did you mean \"%s\"?", n, s, best);
	else
		confread_warn(r, r->tok[k].start, "unknown key '%.*s%s' ignored",
		    n, s, more);
}

/* The index in names of key token k, or -1 when it is none of them. */
int
confread_lookup(const struct confread *r, int k, const char *const *names)
{
	char buf[32];
	size_t n;
	int i;

	if (json_string(r->text, &r->tok[k], buf, sizeof buf, &n) < 0)
		return -1;
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && memcmp(names[i], buf, n) == 0)
			return i;
	return -1;
}

/* The integer token v, from lo to hi (lo >= 0), or -1 after a message. */
long
confread_integer(struct confread *r, int v, const char *key, long lo, long hi)
{
	long long n;

	if (json_integer(r->text, &r->tok[v], &n) < 0 || n < lo || n > hi)
		return confread_error(r, r->tok[v].start,
		    "\"%s\" must be an integer from %ld to %ld", key, lo, hi);
	return (long)n;
}

/* 1 for true, 0 for false, or -1 after a message. */
long
confread_boolean(struct confread *r, int v, const char *key)
{
	if (r->tok[v].type != JSON_TRUE && r->tok[v].type != JSON_FALSE)
		return confread_error(r, r->tok[v].start,
		    "\"%s\" must be true or false", key);
	return r->tok[v].type == JSON_TRUE;
}

/*
 * The number token v, in seconds, as whole milliseconds rounded up, from 1
 * to CONFREAD_MAX_MS; or -1 after a message.  Worked from the decimal digits,
 * so "0.1" is exactly 100 and no floating point is involved: each digit of
 * the mantissa has a power of ten, pw, counted in milliseconds.
 */
long
confread_seconds(struct confread *r, int v, const char *key)
{
	const struct json_token *t = &r->tok[v];
	const char *s = r->text;
	long exp = 0, nd = 0, frac = 0, pw, ms = 0;
	int dot = 0, neg = 0, rest = 0;
	size_t i, e;

	if (t->type != JSON_NUMBER || s[t->start] == '-')
		goto bad;
	for (e = t->start; e < t->end && s[e] != 'e' && s[e] != 'E'; e++) {
		if (s[e] == '.')
			dot = 1;
		else {
			nd++;
			frac += dot;
		}
	}
	for (i = e + 1; i < t->end; i++) {
		if (s[i] == '-')
			neg = 1;
		else if (s[i] != '+' && exp < 100000)	/* past any range */
			exp = exp * 10 + (s[i] - '0');
	}
	pw = nd - 1 - frac + (neg ? -exp : exp) + 3;	/* the first digit's */
	for (i = t->start; i < e; i++) {
		if (s[i] == '.')
			continue;
		if (pw-- < 0)
			rest |= s[i] != '0';
		else if (ms > CONFREAD_MAX_MS)
			goto bad;
		else
			ms = ms * 10 + (s[i] - '0');
	}
	for (; pw >= 0 && ms != 0 && ms <= CONFREAD_MAX_MS; pw--)
		ms *= 10;
	ms += rest;
	if (ms >= 1 && ms <= CONFREAD_MAX_MS)
		return ms;
bad:
	return confread_error(r, t->start, "\"%s\" must be a number of seconds "
	    "greater than 0 and at most %ld", key, CONFREAD_MAX_MS / 1000);
}

/*
 * Decode the string token v into a new allocation at *out: 1 to max bytes,
 * without control characters (C0, DEL or C1).  Returns 0, or -1 after a
 * message that calls the value what.
 */
int
confread_string(struct confread *r, int v, size_t max, const char *what,
    char **out)
{
	const struct json_token *t = &r->tok[v];
	size_t i, n, size = t->end - t->start;	/* more than it decodes to */
	unsigned char *s;
	int rc;

	if (t->type != JSON_STRING)
		return confread_error(r, t->start, "%s must be a string", what);
	if ((s = malloc(size)) == NULL)
		return confread_error(r, t->start, "out of memory");
	(void)json_string(r->text, t, (char *)s, size, &n);
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7F ||
		    (s[i] == 0xC2 && s[i + 1] < 0xA0))
			break;
	if (n == 0 || i < n)
		rc = confread_error(r, t->start, "%s must be a non-empty "
		    "string without control characters", what);
	else if (n > max)
		rc = confread_error(r, t->start, "%s is longer than %zu bytes",
		    what, max);
	else {
		*out = (char *)s;
		return 0;
	}
	free(s);
	return rc;
}
