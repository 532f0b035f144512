/*
 * edit: a line editor that is fed bytes and writes terminal bytes to memory.
 *
 * The contract is in include/edit.h.  Input goes through two small state
 * machines, one for escape sequences and one for UTF-8 characters, so a key
 * split across feeds is the same key; what they recognise becomes a key,
 * and each key an edit of the line.  Output is lazy: an edit only marks the
 * screen dirty, and one refresh at the end of the feed redraws it, so a
 * paste of thousands of bytes costs one refresh (and at most one bell), not
 * one per byte.  The exception is the common case, a character typed at the
 * end of a line that fits, which is echoed as it is.
 *
 * The window on a long line is linenoise's single-line mode: a function of
 * the cursor alone, the cursor staying at the right edge while the line
 * goes on past it.  History browsing keeps the new line aside; an entry
 * recalled and edited is not written back, moving away drops the edit.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"

#define CTRL(c)		((c) & 0x1f)
#define IS_CONT(c)	(((unsigned char)(c) & 0xc0) == 0x80)

enum { ESC_NONE, ESC_ESC, ESC_CSI, ESC_FINAL };

/* Keys that arrive as escape sequences; control keys are their byte. */
enum {
	KEY_LEFT = 256, KEY_RIGHT, KEY_UP, KEY_DOWN, KEY_HOME, KEY_END,
	KEY_DELETE
};

/* UTF-8 bytes in a character that starts with b, or 0. */
static size_t
utf8_need(int b)
{
	return b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 :
	    b >= 0xf0 && b <= 0xf4 ? 4 : 0;
}

/*
 * The length of the valid, printable UTF-8 character at s[0..n), or 0 if
 * there is none there: a control (C0, DEL, C1), a broken or overlong
 * encoding, a surrogate, or a value past U+10FFFF.  C1 controls are refused
 * because some terminals obey U+009B as CSI.
 */
static size_t
char_len(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if ((len = utf8_need(s[0])) == 0 || n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if (!IS_CONT(s[i]))
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < 0xa0 || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff)
		return 0;
	return len;
}

/* Is s[0..n) all valid printable characters? */
static int
text_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, l;

	for (i = 0; i < n; i += l)
		if ((l = char_len(u + i, n - i)) == 0)
			return 0;
	return 1;
}

/* The start of the character after the one at s[i], i < n. */
static size_t
next_char(const char *s, size_t n, size_t i)
{
	for (i++; i < n && IS_CONT(s[i]); i++)
		;
	return i;
}

/* The start of the character before s[i], i > 0. */
static size_t
prev_char(const char *s, size_t i)
{
	for (i--; i > 0 && IS_CONT(s[i]); i--)
		;
	return i;
}

/* Columns of s[0..n): one a code point. */
static size_t
columns(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += !IS_CONT(s[i]);
	return c;
}

/* The offset cols columns into s[0..n), at most n. */
static size_t
skip_cols(const char *s, size_t n, size_t cols)
{
	size_t i = 0;

	for (; i < n && cols > 0; cols--)
		i = next_char(s, n, i);
	return i;
}

/*
 * Make room for n more bytes in b, which may hold at most limit.  Once an
 * append failed, every later one fails too until edit_buf_reset(), so that
 * what the caller writes never has a hole in it.
 */
static int
buf_room(struct edit_buf *b, size_t n, size_t limit)
{
	size_t cap;
	char *p;

	if (b->lost)
		return -1;
	if (b->len > limit || n > limit - b->len)
		goto fail;
	if (n <= b->cap - b->len)
		return 0;
	for (cap = b->cap > 0 ? b->cap : 256; cap - b->len < n; cap *= 2)
		if (cap > SIZE_MAX / 2)
			goto fail;
	if ((p = realloc(b->p, cap)) == NULL)
		goto fail;
	b->p = p;
	b->cap = cap;
	return 0;
fail:
	b->lost = 1;
	return -1;
}

/* Append terminal bytes, whole or not at all. */
static void
put(struct edit_buf *b, const char *s, size_t n)
{
	if (buf_room(b, n, EDIT_OUT_MAX) == 0) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

/*
 * The window on the line: the prompt's first *plen bytes, the line's bytes
 * [*start, *end), and the cursor's column.  The text keeps off the last
 * column, which only the cursor may reach.
 */
static size_t
window(const struct edit *e, size_t *plen, size_t *start, size_t *end)
{
	size_t pcols, width, at;

	pcols = e->prompt_cols < e->cols - 1 ? e->prompt_cols : e->cols - 1;
	*plen = skip_cols(e->prompt, e->prompt_len, pcols);
	width = e->cols - pcols - 1;
	at = columns(e->line, e->pos);
	*start = at > width ? skip_cols(e->line, e->len, at - width) : 0;
	*end = *start + skip_cols(e->line + *start, e->len - *start, width);
	return pcols + (at > width ? width : at);
}

/*
 * Redraw: \r, the prompt, the visible part of the line, erase to the end
 * of the row, \r, and forward to the cursor.
 */
static void
refresh(struct edit *e, struct edit_buf *out)
{
	size_t plen, start, end, col, mlen = 0;
	char move[32];

	e->dirty = 0;
	col = window(e, &plen, &start, &end);
	if (col > 0)
		mlen = (size_t)snprintf(move, sizeof(move), "\x1b[%zuC", col);
	if (buf_room(out, plen + (end - start) + mlen + 6, EDIT_OUT_MAX) == -1)
		return;
	put(out, "\r", 1);
	put(out, e->prompt, plen);
	put(out, e->line + start, end - start);
	put(out, "\x1b[0K\r", 5);
	put(out, move, mlen);
}

/* Bring the screen up to date: the end of every feed. */
static void
flush(struct edit *e, struct edit_buf *out)
{
	if (e->shown) {
		if (e->clear)
			put(out, "\x1b[H\x1b[2J", 7);
		if (e->dirty)
			refresh(e, out);
		if (e->bell)
			put(out, "\a", 1);
	}
	e->clear = e->bell = 0;
}

/* Replace line[from..to) by s[0..n); the caller checked EDIT_MAX. */
static void
splice(struct edit *e, size_t from, size_t to, const char *s, size_t n)
{
	if (from == to && n == 0)
		return;
	memmove(e->line + from + n, e->line + to, e->len - to + 1);
	memcpy(e->line + from, s, n);
	e->len = e->len - (to - from) + n;
	e->dirty = 1;
}

static void
set_line(struct edit *e, const char *s, size_t n)
{
	splice(e, 0, e->len, s, n);
	e->pos = e->len;
}

static void
move_to(struct edit *e, size_t pos)
{
	if (pos != e->pos) {
		e->pos = pos;
		e->dirty = 1;
	}
}

/* Delete line[from..to) and leave the cursor there. */
static void
cut(struct edit *e, size_t from, size_t to)
{
	splice(e, from, to, "", 0);
	move_to(e, from);
}

/* Insert a character at the cursor, echoing it alone if that is enough. */
static void
insert(struct edit *e, const char *s, size_t n, struct edit_buf *out)
{
	int echo = e->shown && !e->dirty && e->pos == e->len;

	if (n > EDIT_MAX - e->len) {
		e->bell = 1;
		return;
	}
	splice(e, e->pos, e->pos, s, n);
	e->pos += n;
	if (echo && e->prompt_cols + columns(e->line, e->len) < e->cols) {
		put(out, s, n);
		e->dirty = 0;
	}
}

/*
 * Swap the characters before and under the cursor and step past both; at
 * the end of the line, swap the last two.
 */
static void
transpose(struct edit *e)
{
	char tmp[4];
	size_t a, b, c;

	if (e->pos == 0)
		return;
	c = e->pos == e->len ? e->len : next_char(e->line, e->len, e->pos);
	if ((b = prev_char(e->line, c)) == 0)
		return;
	a = prev_char(e->line, b);
	memcpy(tmp, e->line + b, c - b);
	memmove(e->line + a + (c - b), e->line + a, b - a);
	memcpy(e->line + a, tmp, c - b);
	e->pos = c;
	e->dirty = 1;
}

static char **
hist_slot(const struct edit *e, size_t i)
{
	return &e->hist[(e->hist_head + i) % e->hist_cap];
}

static void
hist_drop_oldest(struct edit *e)
{
	free(*hist_slot(e, 0));
	e->hist_head = (e->hist_head + 1) % e->hist_cap;
	e->hist_n--;
}

/* Show the entry one older (dir 1) or newer (-1) than the one shown. */
static void
history_step(struct edit *e, int dir)
{
	const char *s;

	if (e->hist_idx > e->hist_n)		/* the history shrank */
		e->hist_idx = e->hist_n;
	if (dir > 0 ? e->hist_idx == e->hist_n : e->hist_idx == 0) {
		e->bell = 1;
		return;
	}
	if (e->hist_idx == 0) {
		memcpy(e->saved, e->line, e->len + 1);
		e->saved_len = e->len;
	}
	if (dir > 0)
		e->hist_idx++;
	else
		e->hist_idx--;
	if (e->hist_idx == 0)
		set_line(e, e->saved, e->saved_len);
	else {
		s = *hist_slot(e, e->hist_n - e->hist_idx);
		set_line(e, s, strlen(s));
	}
}

/* List the candidates below the line; the prompt follows them. */
static void
list(struct edit *e, struct edit_buf *out)
{
	const struct edit_completions *c = &e->comp;
	size_t i;

	if (!e->shown)
		return;
	flush(e, out);
	put(out, "\r\n", 2);
	for (i = 0; i < c->n; i++) {
		if (i > 0)
			put(out, " ", 1);
		put(out, c->text + c->off[i], strlen(c->text + c->off[i]));
	}
	put(out, "\r\n", 2);
	e->dirty = 1;
}

static void
complete(struct edit *e, struct edit_buf *out)
{
	struct edit_completions *c = &e->comp;
	const char *first, *s;
	size_t i, j, n;

	if (e->complete == NULL)
		return;
	c->n = c->used = 0;
	e->complete(e->complete_ctx, e->line, e->len, c);
	if (c->n == 0) {
		e->bell = 1;
		return;
	}
	first = c->text + c->off[0];
	n = strlen(first);
	for (i = 1; i < c->n; i++) {
		s = c->text + c->off[i];
		for (j = 0; j < n && s[j] == first[j]; j++)
			;
		n = j;
	}
	while (n > 0 && IS_CONT(first[n]))	/* whole characters only */
		n--;
	if (c->n == 1 || n > e->len)
		set_line(e, first, n);
	else
		list(e, out);
}

/* Do what key k says; returns the event it is, if any. */
static int
key(struct edit *e, int k, struct edit_buf *out)
{
	size_t i;

	switch (k) {
	case CTRL('A'):
	case KEY_HOME:
		move_to(e, 0);
		break;
	case CTRL('E'):
	case KEY_END:
		move_to(e, e->len);
		break;
	case CTRL('B'):
	case KEY_LEFT:
		if (e->pos > 0)
			move_to(e, prev_char(e->line, e->pos));
		break;
	case CTRL('F'):
	case KEY_RIGHT:
		if (e->pos < e->len)
			move_to(e, next_char(e->line, e->len, e->pos));
		break;
	case CTRL('H'):
	case 0x7f:
		if (e->pos > 0)
			cut(e, prev_char(e->line, e->pos), e->pos);
		break;
	case CTRL('D'):
		if (e->len == 0)
			return EDIT_EOF;
		/* FALLTHROUGH */
	case KEY_DELETE:
		if (e->pos < e->len)
			splice(e, e->pos, next_char(e->line, e->len, e->pos),
			    "", 0);
		break;
	case CTRL('K'):
		splice(e, e->pos, e->len, "", 0);
		break;
	case CTRL('U'):
		cut(e, 0, e->pos);
		break;
	case CTRL('W'):
		for (i = e->pos; i > 0 && e->line[i - 1] == ' '; i--)
			;
		for (; i > 0 && e->line[i - 1] != ' '; i--)
			;
		cut(e, i, e->pos);
		break;
	case CTRL('T'):
		transpose(e);
		break;
	case CTRL('L'):
		e->clear = e->dirty = 1;
		break;
	case CTRL('P'):
	case KEY_UP:
		history_step(e, 1);
		break;
	case CTRL('N'):
	case KEY_DOWN:
		history_step(e, -1);
		break;
	case CTRL('I'):
		complete(e, out);
		break;
	case '\r':
		e->skip_lf = 1;
		return EDIT_LINE;
	case '\n':
		return EDIT_LINE;
	case CTRL('C'):
		return EDIT_INTERRUPT;
	}
	return EDIT_MORE;
}

/*
 * The key of an escape sequence whose parameter bytes are seq[0..len) and
 * whose final byte is b, or 0: ESC [ or ESC O and a letter alone, or
 * ESC [, one digit and '~'.
 */
static int
seq_key(const unsigned char *seq, size_t len, int b)
{
	static const char letters[] = "ABCDHF", digits[] = "13478";
	static const int by_letter[] = {
		KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT, KEY_HOME, KEY_END
	};
	static const int by_digit[] = {
		KEY_HOME, KEY_DELETE, KEY_END, KEY_HOME, KEY_END
	};
	const char *p;

	if (len == 0 && (p = strchr(letters, b)) != NULL)
		return by_letter[p - letters];
	if (len == 1 && b == '~' && (p = strchr(digits, seq[0])) != NULL)
		return by_digit[p - digits];
	return 0;
}

/*
 * One byte after an ESC.  Returns 0 if it was taken, -1 if it cannot
 * belong to an escape sequence: the sequence is dropped and the byte is
 * read as if none had begun (so Esc then Enter is still Enter).  Sequences
 * follow ECMA-48: ESC [, parameter and intermediate bytes, a final byte;
 * ESC O and one final byte; the Linux console's ESC [ [ and one byte; ESC
 * and any other byte (Alt-key).
 */
static int
escape(struct edit *e, int b, struct edit_buf *out)
{
	int k = 0;

	if (b < 0x20 || b >= 0x7f) {
		e->esc = ESC_NONE;
		return -1;
	}
	switch (e->esc) {
	case ESC_ESC:
		e->esc = b == '[' ? ESC_CSI : b == 'O' ? ESC_FINAL : ESC_NONE;
		e->seq_len = 0;
		return 0;
	case ESC_CSI:
		if (b < 0x40) {
			if (e->seq_len < EDIT_SEQ_MAX)
				e->seq[e->seq_len] = (unsigned char)b;
			if (e->seq_len <= EDIT_SEQ_MAX)
				e->seq_len++;
			return 0;
		}
		if (b == '[' && e->seq_len == 0) {
			e->esc = ESC_FINAL;
			e->seq[e->seq_len++] = '[';	/* names no key */
			return 0;
		}
		/* FALLTHROUGH */
	case ESC_FINAL:
		if (e->seq_len <= EDIT_SEQ_MAX)
			k = seq_key(e->seq, e->seq_len, b);
		break;
	}
	e->esc = ESC_NONE;
	if (k != 0)
		key(e, k, out);		/* never an event */
	return 0;
}

static int
feed_byte(struct edit *e, unsigned char b, struct edit_buf *out)
{
	char c = (char)b;

	if (e->skip_lf) {
		e->skip_lf = 0;
		if (b == '\n')
			return EDIT_MORE;
	}
	if (e->u8_need > 0) {
		if (IS_CONT(b)) {
			e->u8[e->u8_len++] = b;
			if (e->u8_len == e->u8_need) {
				if (char_len(e->u8, e->u8_len) == e->u8_len)
					insert(e, (const char *)e->u8,
					    e->u8_len, out);
				e->u8_need = 0;
			}
			return EDIT_MORE;
		}
		e->u8_need = 0;		/* a broken character: dropped */
	}
	if (e->esc != ESC_NONE && escape(e, b, out) == 0)
		return EDIT_MORE;
	if (b == 0x1b)
		e->esc = ESC_ESC;
	else if (b < 0x20 || b == 0x7f)
		return key(e, b, out);
	else if (b < 0x80)
		insert(e, &c, 1, out);
	else if ((e->u8_need = utf8_need(b)) > 0) {
		e->u8[0] = b;
		e->u8_len = 1;
	}
	return EDIT_MORE;
}

/* End the line on screen after event ev. */
static void
finish(struct edit *e, int ev, struct edit_buf *out)
{
	size_t plen, start, end;

	move_to(e, e->len);
	flush(e, out);
	if (e->shown) {
		if (ev == EDIT_INTERRUPT &&
		    window(e, &plen, &start, &end) + 2 < e->cols)
			put(out, "^C", 2);
		put(out, "\r\n", 2);
	}
	e->shown = 0;
	e->done = ev;
	if (ev == EDIT_INTERRUPT) {
		e->len = e->pos = 0;
		e->line[0] = '\0';
	}
}

void
edit_init(struct edit *e, const char *prompt, int cols)
{
	memset(e, 0, sizeof(*e));
	e->hist_max = EDIT_HISTORY_DEFAULT;
	e->cols = cols < 1 ? 80 : (size_t)cols;
	edit_set_prompt(e, prompt);
}

void
edit_free(struct edit *e)
{
	while (e->hist_n > 0)
		hist_drop_oldest(e);
	free(e->hist);
	e->hist = NULL;
	e->hist_cap = e->hist_head = e->hist_idx = 0;
}

void
edit_set_prompt(struct edit *e, const char *prompt)
{
	const unsigned char *s = (const unsigned char *)prompt;
	size_t n = strlen(prompt), i = 0, l;

	e->prompt_len = e->prompt_cols = 0;
	while (i < n) {
		if ((l = char_len(s + i, n - i)) == 0) {
			i++;
			continue;
		}
		if (l > EDIT_PROMPT_MAX - e->prompt_len)
			break;
		memcpy(e->prompt + e->prompt_len, s + i, l);
		e->prompt_len += l;
		e->prompt_cols++;
		i += l;
	}
	e->prompt[e->prompt_len] = '\0';
	e->dirty = 1;
}

void
edit_resize(struct edit *e, int cols, struct edit_buf *out)
{
	e->cols = cols < 1 ? 80 : (size_t)cols;
	if (e->shown)
		refresh(e, out);
}

int
edit_feed(struct edit *e, const unsigned char *in, size_t len,
    size_t *used, struct edit_buf *out)
{
	size_t i;
	int ev = EDIT_MORE;

	if (e->done != EDIT_MORE)
		edit_reset(e);
	for (i = 0; i < len && ev == EDIT_MORE; i++)
		ev = feed_byte(e, in[i], out);
	if (used != NULL)
		*used = i;
	if (ev == EDIT_MORE)
		flush(e, out);
	else
		finish(e, ev, out);
	return ev;
}

const char *
edit_line(const struct edit *e, size_t *len)
{
	if (len != NULL)
		*len = e->len;
	return e->line;
}

size_t
edit_cursor(const struct edit *e)
{
	return e->pos;
}

void
edit_reset(struct edit *e)
{
	e->len = e->pos = e->saved_len = e->hist_idx = 0;
	e->line[0] = '\0';
	e->done = EDIT_MORE;
	e->dirty = 1;
}

void
edit_hide(struct edit *e, struct edit_buf *out)
{
	if (e->shown)
		put(out, "\r\x1b[0K", 5);
	e->shown = 0;
}

void
edit_show(struct edit *e, struct edit_buf *out)
{
	e->shown = 1;
	e->clear = e->bell = 0;
	refresh(e, out);
}

void
edit_set_complete(struct edit *e, void (*fn)(void *ctx, const char *line,
    size_t len, struct edit_completions *c), void *ctx)
{
	e->complete = fn;
	e->complete_ctx = ctx;
}

int
edit_add_completion(struct edit_completions *c, const char *text)
{
	size_t n = strlen(text), i;

	if (n > EDIT_MAX || !text_ok(text, n)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < c->n; i++)
		if (strcmp(c->text + c->off[i], text) == 0)
			return 0;
	if (c->n == EDIT_COMPLETIONS_MAX ||
	    n >= EDIT_COMPLETIONS_BYTES - c->used) {
		errno = ENOSPC;
		return -1;
	}
	c->off[c->n++] = c->used;
	memcpy(c->text + c->used, text, n + 1);
	c->used += n + 1;
	return 0;
}

void
edit_history_set_max(struct edit *e, size_t max)
{
	e->hist_max = max;
	while (e->hist_n > max)
		hist_drop_oldest(e);
}

int
edit_history_add(struct edit *e, const char *line)
{
	size_t n = strlen(line), cap, i;
	char **v, *copy;

	if (n > EDIT_MAX || !text_ok(line, n)) {
		errno = EINVAL;
		return -1;
	}
	if (n == 0 || e->hist_max == 0 || (e->hist_n > 0 &&
	    strcmp(*hist_slot(e, e->hist_n - 1), line) == 0))
		return 0;
	if ((copy = malloc(n + 1)) == NULL)
		goto nomem;
	memcpy(copy, line, n + 1);
	if (e->hist_n >= e->hist_max)
		hist_drop_oldest(e);
	else if (e->hist_n == e->hist_cap) {
		cap = e->hist_cap == 0 ? 16 : e->hist_cap < e->hist_max / 2 ?
		    e->hist_cap * 2 : e->hist_max;
		if (cap > e->hist_max)
			cap = e->hist_max;
		if (cap > SIZE_MAX / sizeof(*v) ||
		    (v = malloc(cap * sizeof(*v))) == NULL) {
			free(copy);
			goto nomem;
		}
		for (i = 0; i < e->hist_n; i++)
			v[i] = *hist_slot(e, i);
		free(e->hist);
		e->hist = v;
		e->hist_cap = cap;
		e->hist_head = 0;
	}
	*hist_slot(e, e->hist_n) = copy;
	e->hist_n++;
	return 1;
nomem:
	errno = ENOMEM;
	return -1;
}

size_t
edit_history_len(const struct edit *e)
{
	return e->hist_n;
}

const char *
edit_history_get(const struct edit *e, size_t i)
{
	return i < e->hist_n ? *hist_slot(e, i) : NULL;
}

int
edit_history_load(struct edit *e, const char *buf, size_t len)
{
	char line[EDIT_MAX + 1];
	const char *p = buf, *end = buf + len, *nl;
	size_t n;
	int stored = 0, rc;

	for (; p < end; p = nl != NULL ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > EDIT_MAX || !text_ok(p, n))
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		if ((rc = edit_history_add(e, line)) == -1)
			return -1;
		if (rc == 1 && stored < INT_MAX)
			stored++;
	}
	return stored;
}

int
edit_history_save(const struct edit *e, struct edit_buf *out)
{
	const char *s;
	size_t i, n;

	for (i = 0; i < e->hist_n; i++) {
		s = *hist_slot(e, i);
		n = strlen(s);
		if (buf_room(out, n + 1, SIZE_MAX) == -1)
			return -1;
		memcpy(out->p + out->len, s, n);
		out->p[out->len + n] = '\n';
		out->len += n + 1;
	}
	return 0;
}

void
edit_buf_reset(struct edit_buf *b)
{
	b->len = 0;
	b->lost = 0;
}

void
edit_buf_free(struct edit_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->lost = 0;
}
