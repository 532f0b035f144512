/*
 * select: selector lists and globs (contract in include/select.h).
 *
 * An item is classified by the first rule that fits, in the order of the
 * table in select.h, so "*" is ALL before it is a glob, "12" an index
 * before it is a name, and "[::1]:14595" an address before it is a glob.
 * The glob matcher is the classic one with a single backtrack point: at a
 * mismatch it retries from the most recent '*' one byte further on, and
 * never returns to an earlier star, since a later star can absorb anything
 * an earlier one could.  That bounds the work by plen * slen.
 *
 * This file depends on nothing but libc, so that every test may link it.
 */
#include <stdio.h>
#include <string.h>

#include "select.h"

static int
all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

/* The value of the digits s[0..len), or -1 above SELECT_MAX_INDEX. */
static long
index_value(const char *s, size_t len)
{
	long v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > SELECT_MAX_INDEX)
			return -1;
	}
	return v;
}

static int
has_glob_byte(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return 1;
	return 0;
}

/* "[v6]:port", to be an address although it has a '['. */
static int
is_bracketed_addr(const char *s, size_t len)
{
	const char *close;

	if (len < 4 || s[0] != '[' || memchr(s + 1, '[', len - 1) != NULL ||
	    memchr(s, '*', len) != NULL || memchr(s, '?', len) != NULL)
		return 0;
	close = memchr(s, ']', len);
	return close != NULL && close + 1 < s + len && close[1] == ':';
}

/* Classify the item s[0..len) (not empty) into *it. */
static int
parse_item(const char *s, size_t len, struct select_item *it, char *err,
    size_t errsize)
{
	const char *dash;
	long lo, hi;

	it->text = s;
	it->len = len;
	it->lo = it->hi = -1;
	dash = memchr(s, '-', len);
	if (len == 1 && s[0] == '*')
		it->kind = SELECT_ALL;
	else if (s[0] == '@') {
		it->kind = SELECT_GROUP;
		it->text = s + 1;
		it->len = len - 1;
		if (!select_name_ok(s + 1, len - 1)) {
			snprintf(err, errsize, "bad group name '%.*s'",
			    (int)(len - 1), s + 1);
			return -1;
		}
	} else if (all_digits(s, len)) {
		it->kind = SELECT_INDEX;
		if ((lo = index_value(s, len)) < 0)
			goto too_large;
		it->lo = it->hi = (int)lo;
	} else if (dash != NULL && all_digits(s, (size_t)(dash - s)) &&
	    all_digits(dash + 1, len - (size_t)(dash - s) - 1)) {
		it->kind = SELECT_RANGE;
		lo = index_value(s, (size_t)(dash - s));
		hi = index_value(dash + 1, len - (size_t)(dash - s) - 1);
		if (lo < 0 || hi < 0)
			goto too_large;
		if (lo > hi) {
			snprintf(err, errsize, "bad range %.*s", (int)len, s);
			return -1;
		}
		it->lo = (int)lo;
		it->hi = (int)hi;
	} else if (has_glob_byte(s, len) && !is_bracketed_addr(s, len))
		it->kind = SELECT_GLOB;
	else if (memchr(s, ':', len) != NULL)
		it->kind = SELECT_ADDR;
	else
		it->kind = SELECT_NAME;
	return 0;

too_large:
	snprintf(err, errsize, "index too large");
	return -1;
}

int
select_parse(const char *sel, size_t len, struct select_item *items,
    int max, char *err, size_t errsize)
{
	const char *s = sel, *end = sel + len, *comma;
	int n = 0;

	if (len == 0) {
		snprintf(err, errsize, "empty selector");
		return -1;
	}
	for (;;) {
		if ((comma = memchr(s, ',', (size_t)(end - s))) == NULL)
			comma = end;
		if (comma == s) {
			snprintf(err, errsize, "empty item in selector '%.*s'",
			    (int)len, sel);
			return -1;
		}
		if (n >= max) {
			snprintf(err, errsize, "more than %d items in selector",
			    max);
			return -1;
		}
		if (parse_item(s, (size_t)(comma - s), &items[n], err,
		    errsize) == -1)
			return -1;
		n++;
		if (comma == end)
			return n;
		s = comma + 1;
	}
}

int
select_is_multi(const struct select_item *items, int n)
{
	int i;

	if (n > 1)
		return 1;
	for (i = 0; i < n; i++)
		if (items[i].kind == SELECT_RANGE || items[i].kind ==
		    SELECT_ALL || items[i].kind == SELECT_GLOB ||
		    items[i].kind == SELECT_GROUP)
			return 1;
	return 0;
}

/*
 * Does the class at pat[0..plen) (pat[0] == '[') hold byte c?  Returns 1
 * or 0 and sets *next past the class's ']', or returns -1 when there is no
 * ']' and the '[' is a literal.
 */
static int
match_class(const char *pat, size_t plen, unsigned char c, size_t *next)
{
	size_t i = 1;
	unsigned char lo, hi;
	int neg = 0, hit = 0;

	if (i < plen && (pat[i] == '!' || pat[i] == '^')) {
		neg = 1;
		i++;
	}
	for (; i < plen; i++) {
		if (pat[i] == ']' && i > 1 + (size_t)neg)
			break;
		if (pat[i] == '\\' && i + 1 < plen)
			i++;
		lo = hi = (unsigned char)pat[i];
		if (i + 2 < plen && pat[i + 1] == '-' && pat[i + 2] != ']') {
			i += 2;
			if (pat[i] == '\\' && i + 1 < plen)
				i++;
			hi = (unsigned char)pat[i];
		}
		if (c >= lo && c <= hi)
			hit = 1;
	}
	if (i >= plen)
		return -1;
	*next = i + 1;
	return hit != neg;
}

/*
 * Does the one-byte unit at pat[0..plen) (not '*') match c?  Sets *next to
 * its length.
 */
static int
match_unit(const char *pat, size_t plen, unsigned char c, size_t *next)
{
	int r;

	*next = 1;
	if (pat[0] == '?')
		return 1;
	if (pat[0] == '[' && (r = match_class(pat, plen, c, next)) >= 0)
		return r;
	if (pat[0] == '\\' && plen > 1) {
		*next = 2;
		return (unsigned char)pat[1] == c;
	}
	return (unsigned char)pat[0] == c;
}

int
select_glob(const char *pat, size_t plen, const char *s, size_t slen)
{
	size_t pi = 0, si = 0, star = 0, star_si = 0, next;
	int have_star = 0;

	while (si < slen) {
		if (pi < plen && pat[pi] == '*') {
			star = ++pi;
			star_si = si;
			have_star = 1;
		} else if (pi < plen && match_unit(pat + pi, plen - pi,
		    (unsigned char)s[si], &next)) {
			pi += next;
			si++;
		} else if (have_star) {
			pi = star;
			si = ++star_si;
		} else
			return 0;
	}
	while (pi < plen && pat[pi] == '*')
		pi++;
	return pi == plen;
}

int
select_name_ok(const char *name, size_t len)
{
	size_t i, digits = 0, dots = 0, dashes = 0;
	unsigned char c;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || strchr(":,*?[]/@", c) != NULL)
			return 0;
		digits += c >= '0' && c <= '9';
		dots += c == '.';
		dashes += c == '-';
	}
	/* 12, 1-3, 10.0.0.1: an index, a range, an address. */
	if (digits + dots == len || (dashes == 1 && digits + 1 == len))
		return 0;
	return 1;
}
