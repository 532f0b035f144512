/*
 * fuzz_console: a libFuzzer target for the parsers of console lines and
 * command lines: console.c, words.c, select.c and chain.c.
 *
 * Contract.  Each run treats the input as a line, as a peer's COMMAND
 * text (which the node that runs it expands with its aliases and, for a
 * program, splits into words) or as a line typed at the console (split
 * at its operators, its selector parsed), and keeps nothing from one run
 * to the next.  Every buffer is allocated at its exact size, so ASan sees
 * any access past it, and properties are checked:
 *   - console_expand() with a table of aliases that use $1..$9, $* and
 *     none, and that loop: 0 with a NUL-terminated command of the length
 *     it says, or -1 with a message; a buffer of len + 1 bytes always
 *     holds a line that names no alias;
 *   - words_next() walks the whole line in bounds; words_split() into a
 *     buffer of len + 1 bytes never runs out of room, and its words are
 *     NUL-terminated inside that buffer;
 *   - chain_parse(): -1 with a message, or stages that lie inside the line
 *     in order, trimmed, never empty; chain_subst() writes exactly
 *     chain_subst_len() bytes;
 *   - select_parse() on the first word: items inside the selector, ranges
 *     in order; select_glob() of a short pattern agrees with fnmatch(3).
 * A broken property calls abort(), which libFuzzer reports.
 */
#include <fnmatch.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "console.h"
#include "select.h"
#include "words.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define MAX_WORDS	64

static const struct console_alias aliases[] = {
	{ "add", "calc $1+$2" },
	{ "all", "echo $*" },
	{ "deep", "add $9 $1" },
	{ "loop", "pool $1" },
	{ "plain", "calc 1+2" },
	{ "pool", "loop $*" },
	{ "twice", "all $* $*" },
};

static void *
xmalloc(size_t n)
{
	void *p = malloc(n > 0 ? n : 1);

	CHECK(p != NULL);
	return p;
}

/* The reference: fnmatch(3), on copies (it needs NUL-terminated text). */
static int
ref_glob(const char *p, size_t pl, const char *s, size_t sl)
{
	char pat[32], str[32];

	memcpy(pat, p, pl);
	pat[pl] = '\0';
	memcpy(str, s, sl);
	str[sl] = '\0';
	return fnmatch(pat, str, 0) == 0;
}

static void
check_expand(const char *line, size_t len)
{
	char *out, err[128];
	size_t outlen = 0, sizes[3] = { len + 1, 64, 4096 };
	int i, rc;

	for (i = 0; i < 3; i++) {
		out = xmalloc(sizes[i]);
		rc = console_expand(aliases, (int)(sizeof(aliases) /
		    sizeof(aliases[0])), line, len, out, sizes[i], &outlen,
		    err, sizeof(err));
		if (rc == 0) {
			CHECK(outlen < sizes[i] && out[outlen] == '\0');
		} else {
			CHECK(rc == -1);
			CHECK(memchr(err, '\0', sizeof(err)) != NULL);
			CHECK(err[0] != '\0');
		}
		free(out);
	}
}

static void
check_words(const char *line, size_t len)
{
	char *buf, *argv[MAX_WORDS + 1];
	const char *w, *err = NULL, *end = line + len;
	size_t wl, left = len;
	int n, i;

	for (w = line; (w = words_next(w, left, &wl)) != NULL; w += wl) {
		CHECK(w >= line && w + wl <= end && wl > 0);
		left = (size_t)(end - w) - wl;
	}
	buf = xmalloc(len + 1);
	n = words_split(line, len, buf, len + 1, argv, MAX_WORDS + 1, &err);
	if (n < 0)
		CHECK(err != NULL && strcmp(err, "no room") != 0);
	for (i = 0; i < n; i++) {
		CHECK(argv[i] >= buf && argv[i] < buf + len + 1);
		CHECK(memchr(argv[i], '\0', (size_t)(buf + len + 1 -
		    argv[i])) != NULL);
	}
	CHECK(n < 0 || argv[n] == NULL);
	free(buf);
}

static void
check_chain(const char *line, size_t len)
{
	struct chain *c = xmalloc(sizeof(*c));
	const char *prev = line;
	char err[128], *out;
	size_t need;
	int n, i;

	n = chain_parse(line, len, c, err, sizeof(err));
	if (n < 0) {
		CHECK(n == -1 && err[0] != '\0');
		free(c);
		return;
	}
	CHECK(n == c->n && n <= CHAIN_MAX_STAGES);
	for (i = 0; i < n; i++) {
		CHECK(c->stages[i].text >= prev);
		CHECK(c->stages[i].text + c->stages[i].len <= line + len);
		CHECK(c->stages[i].len > 0);
		CHECK(c->stages[i].text[0] != ' ' &&
		    c->stages[i].text[c->stages[i].len - 1] != ' ');
		CHECK(i > 0 || c->stages[i].op == CHAIN_FIRST);
		prev = c->stages[i].text + c->stages[i].len;
		need = chain_subst_len(c->stages[i].text, c->stages[i].len,
		    len);
		if (need == SIZE_MAX || need > 1 << 20)
			continue;
		out = xmalloc(need + 1);
		CHECK(chain_subst(c->stages[i].text, c->stages[i].len, line,
		    len, out) == need);
		CHECK(out[need] == '\0');
		free(out);
	}
	free(c);
}

/* Does pat[0..len) hold "[.", "[=" or "[:"? */
static int
posix_class(const char *pat, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (pat[i] == '[' && (pat[i + 1] == '.' || pat[i + 1] == '=' ||
		    pat[i + 1] == ':'))
			return 1;
	return 0;
}

static void
check_select(const char *line, size_t len)
{
	struct select_item *items;
	size_t wl = strcspn(line, " ");
	char err[128];
	int n, i;

	if (wl > len)
		wl = len;
	items = xmalloc(SELECT_MAX_ITEMS * sizeof(*items));
	n = select_parse(line, wl, items, SELECT_MAX_ITEMS, err, sizeof(err));
	CHECK(n == -1 || (n >= 1 && n <= SELECT_MAX_ITEMS));
	for (i = 0; i < n; i++) {
		CHECK(items[i].text >= line && items[i].text + items[i].len <=
		    line + wl);
		if (items[i].kind == SELECT_RANGE)
			CHECK(items[i].lo <= items[i].hi);
	}
	(void)select_is_multi(items, n > 0 ? n : 0);
	free(items);
	/* The first word as a pattern, the rest as the text it matches (a
	 * pattern ending in a lone '\\' is left out: we take the '\\'
	 * literally, fnmatch() refuses it; so is one with "[.", "[=" or "[:",
	 * which in a class fnmatch() reads as POSIX collating symbols,
	 * equivalence classes and character classes, and select_glob() as
	 * the bytes they are). */
	for (i = 0; i < (int)wl && line[wl - 1 - (size_t)i] == '\\'; i++)
		continue;
	if (wl <= 16 && len - wl <= 24 && memchr(line, '\0', len) == NULL &&
	    i % 2 == 0 && !posix_class(line, wl))
		CHECK(select_glob(line, wl, line + wl, len - wl) ==
		    ref_glob(line, wl, line + wl, len - wl));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;

	if (size > 1 << 16)
		return 0;
	line = xmalloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';	/* only for strcspn; lengths say the rest */
	check_expand(line, size);
	check_words(line, size);
	check_chain(line, size);
	check_select(line, size);
	free(line);
	return 0;
}
