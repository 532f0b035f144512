/*
 * console: what a console line means, decided without side effects.
 *
 * Contract (include/console.h): every function here reads the caller's
 * strings and writes only through its out parameters.  Lines are trimmed of
 * blanks (space, tab, CR) before they are looked at.  Command words are
 * case-sensitive, as in the original console.
 *
 * Aliases are expanded in out, the caller's buffer, with no other memory:
 * the first hop reads the caller's line; a later hop reads the line
 * already in out, so an expansion that reuses its arguments ($1, $*) is
 * built at the front while they wait at the back (see console.h).
 * The rule for names lives in select.c (select_name_ok()), which needs
 * nothing else, so that any test may link it alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "select.h"
#include "words.h"

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

/* "gather <selector> <command>" */
static void
parse_gather(const char *args, size_t len, struct console_cmd *cmd)
{
	size_t sl, rest;
	const char *text;

	sl = word_len(args, len);
	rest = len - sl;
	text = trim(args + sl, &rest);
	if (sl == 0 || rest == 0) {
		cmd->kind = CONSOLE_USAGE;
		cmd->usage = "Usage: gather <selector> <command>";
		return;
	}
	cmd->kind = CONSOLE_GATHER;
	cmd->peer = args;
	cmd->peer_len = sl;
	cmd->text = text;
	cmd->text_len = rest;
}

/* "disconnect <peer>", "forget <peer>": one word, the selector. */
static void
parse_peer(const char *args, size_t len, enum console_kind kind,
    const char *usage, struct console_cmd *cmd)
{
	if (len == 0 || word_len(args, len) != len) {
		cmd->kind = CONSOLE_USAGE;
		cmd->usage = usage;
		return;
	}
	cmd->kind = kind;
	cmd->peer = args;
	cmd->peer_len = len;
}

/* "source [-k] <file>": the file is the rest of the line. */
static void
parse_source(const char *args, size_t len, struct console_cmd *cmd)
{
	size_t wl = word_len(args, len);
	int keep_going = 0;

	if (wl == 2 && memcmp(args, "-k", 2) == 0) {
		keep_going = 1;
		len -= wl;
		args = trim(args + wl, &len);
	}
	if (len == 0) {
		cmd->kind = CONSOLE_USAGE;
		cmd->usage = "Usage: source [-k] <file>";
		return;
	}
	cmd->kind = CONSOLE_SOURCE;
	cmd->text = args;
	cmd->text_len = len;
	cmd->keep_going = keep_going;
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
	else if (equals(s, wl, "gather"))
		parse_gather(args, al, cmd);
	else if (equals(s, wl, "disconnect"))
		parse_peer(args, al, CONSOLE_DISCONNECT,
		    "Usage: disconnect <peer>", cmd);
	else if (equals(s, wl, "forget"))
		parse_peer(args, al, CONSOLE_FORGET, "Usage: forget <peer>",
		    cmd);
	else if (equals(s, wl, "source"))
		parse_source(args, al, cmd);
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
	return select_name_ok(name, len);
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


/* The arguments of an aliased line, as written: all ($*) and nine words. */
struct alias_args {
	const char	*all;
	size_t		 all_len;
	const char	*word[9];
	size_t		 len[9];
};

static void
find_args(const char *rest, size_t len, struct alias_args *a)
{
	const char *p = rest, *end = rest + len;
	int i;

	a->all = rest;
	a->all_len = len;
	for (i = 0; i < 9; i++) {
		a->word[i] = words_next(p, (size_t)(end - p), &a->len[i]);
		if (a->word[i] == NULL)
			a->word[i] = "";
		else
			p = a->word[i] + a->len[i];
	}
}

/* Which parameter starts at t[i]: 0..8 for $1..$9, 9 for $*, or -1. */
static int
param_at(const char *t, size_t tl, size_t i)
{
	if (t[i] != '$' || i + 1 >= tl)
		return -1;
	if (t[i + 1] >= '1' && t[i + 1] <= '9')
		return t[i + 1] - '1';
	return t[i + 1] == '*' ? 9 : -1;
}

static int
has_params(const char *t, size_t tl)
{
	size_t i;

	for (i = 0; i < tl; i++)
		if (param_at(t, tl, i) >= 0)
			return 1;
	return 0;
}

/* Append s[0..len) at out[n] (if out is not NULL); the new length. */
static size_t
put(char *out, size_t n, const char *s, size_t len)
{
	if (out != NULL && len > 0)
		memcpy(out + n, s, len);
	return len > SIZE_MAX - n ? SIZE_MAX : n + len;
}

/*
 * The template t[0..tl) with a's arguments in it, written to out, or only
 * measured when out is NULL.  Returns its length; SIZE_MAX stands for
 * anything that does not fit a size_t, which no buffer holds either.
 */
static size_t
substitute(const char *t, size_t tl, const struct alias_args *a, char *out)
{
	size_t i, n = 0, start = 0;
	int k, params = 0;

	for (i = 0; i < tl; i++) {
		if ((k = param_at(t, tl, i)) < 0)
			continue;
		n = put(out, n, t + start, i - start);
		if (k == 9)
			n = put(out, n, a->all, a->all_len);
		else
			n = put(out, n, a->word[k], a->len[k]);
		start = ++i + 1;
		params = 1;
	}
	n = put(out, n, t + start, tl - start);
	if (!params && a->all_len > 0) {
		n = put(out, n, " ", 1);
		n = put(out, n, a->all, a->all_len);
	}
	return n;
}

/*
 * Is alias a, met after chain[0..hops), a loop (or one hop too many)?
 * Then name it in err: "alias loop: a -> b -> a".
 */
static int
is_loop(const struct console_alias *const *chain, int hops,
    const struct console_alias *a, char *err, size_t errsize)
{
	size_t used;
	int i, w;

	for (i = 0; i < hops && chain[i] != a; i++)
		;
	if (i == hops && hops < MAX_ALIAS_HOPS)
		return 0;
	w = snprintf(err, errsize, "alias loop: ");
	used = w > 0 ? (size_t)w : 0;
	for (; i < hops && used < errsize; i++) {
		w = snprintf(err + used, errsize - used, "%s -> ",
		    chain[i]->name);
		used += w > 0 ? (size_t)w : 0;
	}
	if (used < errsize)
		snprintf(err + used, errsize - used, "%s", a->name);
	return 1;
}

int
console_expand(const struct console_alias *aliases, int n,
    const char *line, size_t len, char *out, size_t outsize, size_t *outlen,
    char *err, size_t errsize)
{
	const struct console_alias *a, *chain[MAX_ALIAS_HOPS];
	struct alias_args args;
	const char *cur, *w, *rest, *t;
	size_t curlen, wl, restlen, tl, need, lead;
	int hops = 0;

	cur = trim(line, &len);
	curlen = len;
	while ((w = words_next(cur, curlen, &wl)) != NULL &&
	    (a = find_alias(aliases, n, w, wl)) != NULL) {
		if (is_loop(chain, hops, a, err, errsize))
			return -1;
		chain[hops++] = a;
		restlen = (size_t)(cur + curlen - (w + wl));
		rest = trim(w + wl, &restlen);
		tl = strlen(a->expansion);
		t = trim(a->expansion, &tl);
		find_args(rest, restlen, &args);
		if ((need = substitute(t, tl, &args, NULL)) >= outsize)
			goto too_long;
		if (cur != out)			/* from the caller's line */
			substitute(t, tl, &args, out);
		else if (!has_params(t, tl)) {
			/* "name args" -> "expansion args", in place. */
			if (restlen > 0) {
				memmove(out + tl + 1, rest, restlen);
				out[tl] = ' ';
			}
			memcpy(out, t, tl);
		} else {
			/* The arguments wait at the end while out fills. */
			if (need > outsize - restlen)
				goto too_long;
			memmove(out + outsize - restlen, rest, restlen);
			find_args(out + outsize - restlen, restlen, &args);
			substitute(t, tl, &args, out);
		}
		for (lead = 0; lead < need && is_blank(out[lead]); lead++)
			;
		memmove(out, out + lead, need - lead);
		cur = out;
		curlen = need - lead;
		while (curlen > 0 && is_blank(out[curlen - 1]))
			curlen--;
	}
	if (cur != out) {
		if (curlen >= outsize) {
			snprintf(err, errsize, "command too long");
			return -1;
		}
		memcpy(out, cur, curlen);
	}
	out[curlen] = '\0';
	*outlen = curlen;
	return 0;

too_long:
	snprintf(err, errsize, "command too long after alias expansion");
	return -1;
}
