/*
 * chain: cutting a console line at its operators (contract in
 * include/chain.h).
 *
 * The line is walked one quoting unit at a time with words_unit(), the
 * scanner words.c splits words with, so a ';' that words.c would call
 * quoted is never an operator here.  Cutting is one pass, left to right;
 * each operator closes the stage before it, which must not be empty, and
 * says how the next stage joins.  The last stage may be empty only after
 * a ';', like "a ;" in sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chain.h"
#include "words.h"

/* An operator found in a line. */
struct op {
	size_t		 at;		/* its offset; len when there is none */
	size_t		 len;		/* 1 or 2 */
	int		 pipe;		/* 1 for '|' */
	enum chain_op	 kind;		/* SEQ, AND, OR; FIRST for '|' */
	const char	*name;		/* ";", "&&", "||", "|" */
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

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

/*
 * Find the first operator in s[0..len) outside quotes and describe it in
 * *o (o->at == len if there is none).  Returns -1 if a quote is still
 * open at len, else 0.
 */
static int
find_op(const char *s, size_t len, struct op *o)
{
	size_t i = 0;
	int open;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		o->at = i;
		o->len = 1;
		if (s[i] == ';') {
			o->kind = CHAIN_SEQ;
			o->name = ";";
			return 0;
		}
		if (s[i] == '|' && i + 1 < len && s[i + 1] == '|') {
			o->len = 2;
			o->kind = CHAIN_OR;
			o->name = "||";
			return 0;
		}
		if (s[i] == '|') {
			o->pipe = 1;
			o->kind = CHAIN_FIRST;
			o->name = "|";
			return 0;
		}
		if (s[i] == '&' && i + 1 < len && s[i + 1] == '&') {
			o->len = 2;
			o->kind = CHAIN_AND;
			o->name = "&&";
			return 0;
		}
		i += words_unit(s + i, len - i, &open);
		if (open)
			return -1;
	}
	o->at = len;
	o->len = 0;
	return 0;
}

int
chain_has_ops(const char *line, size_t len)
{
	struct op o;

	return find_op(line, len, &o) == 0 && o.at < len;
}

int
chain_parse(const char *line, size_t len, struct chain *c, char *err,
    size_t errsize)
{
	struct chain_stage *st;
	struct op o, prev;
	const char *s = line, *text;
	size_t left = len, tl;

	c->n = 0;
	memset(&prev, 0, sizeof(prev));		/* stage 0: CHAIN_FIRST */
	for (;;) {
		if (find_op(s, left, &o) == -1) {
			snprintf(err, errsize, "unterminated quote");
			return -1;
		}
		tl = o.at;
		text = trim(s, &tl);
		if (tl == 0) {
			if (o.at < left)
				snprintf(err, errsize,
				    "missing command before '%s'", o.name);
			else if (prev.name != NULL && prev.kind != CHAIN_SEQ)
				snprintf(err, errsize,
				    "missing command after '%s'", prev.name);
			else
				return c->n;	/* a blank line, or "a ;" */
			return -1;
		}
		if (c->n == CHAIN_MAX_STAGES) {
			snprintf(err, errsize, "more than %d commands in one "
			    "line", CHAIN_MAX_STAGES);
			return -1;
		}
		st = &c->stages[c->n++];
		st->text = text;
		st->len = tl;
		st->pipe = prev.pipe;
		st->op = prev.kind;
		if (o.at == left)
			return c->n;
		prev = o;
		s += o.at + o.len;
		left -= o.at + o.len;
	}
}

/* How many "{}" there are in s[0..len), not overlapping. */
static size_t
count_braces(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i + 1 < len; i++)
		if (s[i] == '{' && s[i + 1] == '}') {
			n++;
			i++;
		}
	return n;
}

size_t
chain_subst_len(const char *stage, size_t len, size_t inlen)
{
	size_t n = count_braces(stage, len);

	if (n == 0)
		return inlen >= SIZE_MAX - len ? SIZE_MAX : len + 1 + inlen;
	if (inlen > 0 && n > (SIZE_MAX - (len - 2 * n)) / inlen)
		return SIZE_MAX;
	return len - 2 * n + n * inlen;
}

size_t
chain_subst(const char *stage, size_t len, const char *in, size_t inlen,
    char *out)
{
	size_t i, n = 0;

	if (count_braces(stage, len) == 0) {
		if (len > 0)
			memcpy(out, stage, len);
		out[len] = ' ';
		if (inlen > 0)
			memcpy(out + len + 1, in, inlen);
		n = len + 1 + inlen;
	} else
		for (i = 0; i < len; i++) {
			if (i + 1 < len && stage[i] == '{' &&
			    stage[i + 1] == '}') {
				if (inlen > 0)
					memcpy(out + n, in, inlen);
				n += inlen;
				i++;
			} else
				out[n++] = stage[i];
		}
	out[n] = '\0';
	return n;
}
