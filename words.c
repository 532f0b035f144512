/*
 * words: sh-like word splitting (contract in include/words.h).
 *
 * One scanner, words_unit(), knows the quoting rules; finding a word,
 * unquoting it and finding the operators of a console line (chain.c) all
 * walk a line unit by unit, so the three can never disagree about what is
 * quoted.  Each function reads only the len bytes it is given.
 */
#include <string.h>

#include "words.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t
words_unit(const char *s, size_t len, int *open)
{
	size_t i;

	*open = 0;
	if (s[0] == '\\')
		return len >= 2 ? 2 : 1;
	if (s[0] != '\'' && s[0] != '"')
		return 1;
	for (i = 1; i < len && s[i] != s[0]; i++)
		/* In "...", \" and \\ do not end or start anything. */
		if (s[0] == '"' && s[i] == '\\' && i + 1 < len)
			i++;
	if (i >= len) {
		*open = 1;
		return len;
	}
	return i + 1;
}

const char *
words_next(const char *s, size_t len, size_t *wlen)
{
	size_t i = 0, start;
	int open;

	while (i < len && is_blank(s[i]))
		i++;
	if (i == len) {
		*wlen = 0;
		return NULL;
	}
	start = i;
	while (i < len && !is_blank(s[i]))
		i += words_unit(s + i, len - i, &open);
	*wlen = i - start;
	return s + start;
}

/* May a backslash inside "..." escape c? */
static int
dquote_escapes(char c)
{
	return c == '"' || c == '\\' || c == '$' || c == '`' || c == '\n';
}

/*
 * Unquote the raw word w[0..wl) into out (when out is not NULL).  Returns
 * the unquoted length, or -1 if a quote is left open.
 */
static long
unquote(const char *w, size_t wl, char *out)
{
	size_t i = 0, j, u, n = 0;
	int open;

	while (i < wl) {
		u = words_unit(w + i, wl - i, &open);
		if (open)
			return -1;
		if (w[i] == '\'' || w[i] == '"') {
			for (j = i + 1; j < i + u - 1; j++) {
				if (w[i] == '"' && w[j] == '\\' &&
				    dquote_escapes(w[j + 1]))
					j++;
				if (out != NULL)
					out[n] = w[j];
				n++;
			}
		} else {
			/* A byte, an escaped byte, or a lone final '\'. */
			if (out != NULL)
				out[n] = w[i + u - 1];
			n++;
		}
		i += u;
	}
	return (long)n;
}

int
words_split(const char *s, size_t len, char *buf, size_t bufsize,
    char **argv, int maxargs, const char **err)
{
	const char *w, *end = s + len;
	size_t wl, used = 0;
	long ul;
	int n = 0;

	while ((w = words_next(s, (size_t)(end - s), &wl)) != NULL) {
		if ((ul = unquote(w, wl, NULL)) < 0) {
			*err = "unterminated quote";
			return -1;
		}
		if (n + 2 > maxargs) {
			*err = "too many words";
			return -1;
		}
		if (bufsize - used < (size_t)ul + 1) {
			*err = "no room";
			return -1;
		}
		unquote(w, wl, buf + used);
		buf[used + (size_t)ul] = '\0';
		argv[n++] = buf + used;
		used += (size_t)ul + 1;
		s = w + wl;
	}
	if (n + 1 > maxargs) {
		*err = "too many words";
		return -1;
	}
	argv[n] = NULL;
	return n;
}
