/*
 * words: shell-like words in a console line, found without side effects.
 *
 * A line is cut into words at blanks (space, tab) the way sh(1) does it,
 * with a subset of its quoting: '...' quotes every byte literally; "..."
 * quotes too, but there a backslash before " \ $ ` or a newline makes that
 * byte literal (and goes), while before any other byte it stays; outside
 * quotes a backslash makes the next byte literal, blank or not.  A quote
 * that is not closed runs to the end of the line.  There is no expansion of
 * any kind: '$' and '`' are ordinary bytes.
 *
 * Everything here is pure: it reads the caller's bytes (no NUL needed) and
 * writes only through its out parameters.  It allocates nothing.
 */
#ifndef KAIPEER_WORDS_H
#define KAIPEER_WORDS_H

#include <stddef.h>

/*
 * The length of the quoting unit that starts s[0..len), len > 0: a whole
 * '...' or "..." string with its quotes, a backslash with the byte it
 * escapes (a backslash that ends the text is a unit alone), or one byte.
 * *open becomes 1 when a quote is still open at len (the unit then runs to
 * len), else 0.  An operator or a blank inside a unit longer than one byte
 * is quoted; this is the scanner that words_next() and chain.c share.
 */
size_t	words_unit(const char *s, size_t len, int *open);

/*
 * Skip blanks at s[0..len) and find the next word.  Returns a pointer to
 * its first byte, in s, and sets *wlen to its length as written: quotes
 * and backslashes kept.  Returns NULL (and *wlen = 0) when only blanks
 * remain.  The next call may start at the returned pointer + *wlen.
 */
const char *words_next(const char *s, size_t len, size_t *wlen);

/*
 * Split s[0..len) into words, quotes removed and escapes resolved.  Each
 * word is written NUL-terminated into buf[0..bufsize), argv[i] points to
 * the i-th, and argv[n] is NULL, so argv must hold maxargs pointers with
 * maxargs >= n + 1.  A bufsize of len + 1 always suffices: no word grows
 * and each word's NUL takes the place of the blank after it.  Returns n,
 * or -1 with *err a constant message: "unterminated quote", "too many
 * words" (n + 1 > maxargs) or "no room" (bufsize too small).  The caller
 * owns buf and argv; argv's pointers point into buf.
 */
int	words_split(const char *s, size_t len, char *buf, size_t bufsize,
	    char **argv, int maxargs, const char **err);

#endif
