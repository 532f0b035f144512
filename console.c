/*
 * console: what a console line means, decided without side effects.
 *
 * Contract (include/console.h): every function here reads the caller's
 * strings and writes only through its out parameters.  Lines are trimmed of
 * blanks (space, tab, CR) before they are looked at.  Command words are
 * case-sensitive, as in the original console.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"

#define MAX_ALIAS_HOPS	64	/* a longer chain is reported as a loop */

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim blanks from both ends of s[0..*len); returns the new start. */
static const char *
trim(const char *s, size_t *len)
{
	while (*len > 0 && is_blank(s[0])) {
		s++;
		(*len)--;
	}
	while (*len > 0 && is_blank(s[*len - 1]))
		(*len)--;
	return s;
}

/* Length of the word at s[0..len): up to the first blank. */
static size_t
word_len(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && !is_blank(s[n]))
		n++;
	return n;
}

static int
equals(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

int
console_port(const char *s, size_t len)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

static void
parse_connect(const char *args, size_t len, struct console_cmd *cmd)
{
	size_t hl, rest;
	const char *port;

	hl = word_len(args, len);
	rest = len - hl;
	port = trim(args + hl, &rest);
	cmd->usage = "Usage: connect <host> <port>";
	cmd->kind = CONSOLE_USAGE;
	if (hl == 0 || rest == 0 || word_len(port, rest) != rest)
		return;
	if ((cmd->port = console_port(port, rest)) < 0)
		return;
	cmd->kind = CONSOLE_CONNECT;
	cmd->text = args;
	cmd->text_len = hl;
	cmd->usage = NULL;
}

void
console_parse(const char *line, size_t len, struct console_cmd *cmd)
{
	const char *s, *args;
	size_t wl, al;

	memset(cmd, 0, sizeof(*cmd));
	s = trim(line, &len);
	wl = word_len(s, len);
	al = len - wl;
	args = trim(s + wl, &al);

	if (len == 0)
		cmd->kind = CONSOLE_EMPTY;
	else if (s[0] == '@') {
		cmd->peer = s + 1;
		cmd->peer_len = wl - 1;
		cmd->text = args;
		cmd->text_len = al;
		cmd->kind = CONSOLE_REMOTE;
		if (cmd->peer_len == 0 || al == 0) {
			cmd->kind = CONSOLE_USAGE;
			cmd->usage = "Usage: @peer command [args]";
		}
	} else if (equals(s, len, "help"))
		cmd->kind = CONSOLE_HELP;
	else if (equals(s, len, "peers"))
		cmd->kind = CONSOLE_PEERS;
	else if (equals(s, len, "exit") || equals(s, len, "quit"))
		cmd->kind = CONSOLE_EXIT;
	else if (equals(s, wl, "connect"))
		parse_connect(args, al, cmd);
	else {
		cmd->kind = CONSOLE_LOCAL;
		cmd->text = s;
		cmd->text_len = len;
	}
}

enum console_sel
console_selector(const char *sel, size_t len, int *index)
{
	size_t i, digits = 0;
	long v = 0;

	*index = -1;
	if (len == 0)
		return CONSOLE_SEL_BAD;
	for (i = 0; i < len; i++) {
		if (sel[i] == ':')
			return CONSOLE_SEL_ADDR;
		if (sel[i] >= '0' && sel[i] <= '9')
			digits++;
	}
	if (digits < len)
		return CONSOLE_SEL_NAME;
	if (len <= 9) {
		for (i = 0; i < len; i++)
			v = v * 10 + (sel[i] - '0');
		*index = (int)v;
	}
	return CONSOLE_SEL_INDEX;
}

int
console_name_ok(const char *name, size_t len)
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

static const struct console_alias *
find_alias(const struct console_alias *aliases, int n, const char *s,
    size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (equals(s, len, aliases[i].name))
			return &aliases[i];
	return NULL;
}

int
console_expand(const struct console_alias *aliases, int n,
    const char *line, size_t len, const char **out, size_t *out_len,
    char *err, size_t errsize)
{
	const struct console_alias *a, *chain[MAX_ALIAS_HOPS];
	size_t used;
	int hops = 0, i, w;

	line = trim(line, &len);
	while ((a = find_alias(aliases, n, line, len)) != NULL) {
		for (i = 0; i < hops && chain[i] != a; i++)
			;
		if (i < hops || hops == MAX_ALIAS_HOPS) {
			/* Name the loop: "alias loop: a -> b -> a". */
			w = snprintf(err, errsize, "alias loop: ");
			used = w > 0 ? (size_t)w : 0;
			for (; i < hops && used < errsize; i++) {
				w = snprintf(err + used, errsize - used,
				    "%s -> ", chain[i]->name);
				used += w > 0 ? (size_t)w : 0;
			}
			if (used < errsize)
				snprintf(err + used, errsize - used, "%s",
				    a->name);
			return -1;
		}
		chain[hops++] = a;
		len = strlen(a->expansion);
		line = trim(a->expansion, &len);
	}
	*out = line;
	*out_len = len;
	return 0;
}
