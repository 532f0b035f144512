/*
 * check_edit: the tests of edit.c, linked alone with Check.
 *
 * The key table holds the contract: a sequence of keys, the line and the
 * cursor it leaves.  Each row is fed whole, byte by byte, and cut in two at
 * every position, at three terminal widths, every piece in a malloc'd
 * buffer of exactly its length.  Whatever the editor wrote goes through a
 * small terminal emulator that knows only the sequences the editor may use
 * and fails on anything else; the row it shows must be the prompt and the
 * window on the line that an independent model computes, with the cursor
 * in place.  Other tests check exact bytes: refreshes on a narrow terminal,
 * hide and show, completion listings, the end of a line.  Then events and
 * the bytes left after them, the line bound, the history (browsing,
 * bounds, duplicates, load and save), completion, and random input.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"

#define S(s)	s, sizeof(s) - 1	/* a literal and its length, NULs too */
#define MAXW	128			/* widest emulated terminal */

/*
 * The assertion of the hot loops: Check's ck_assert*() marks a point on
 * every pass, a write to its pipe, and the tests would take seconds.
 */
#define REQUIRE(c)	do {						\
	if (!(c))							\
		ck_abort_msg("failed: %s", #c);				\
} while (0)

/* ---- helpers ------------------------------------------------------------ */

static const char *const words[] = {
	"help", "hello", "history", "peers", "ping", "connect",
	"caf\xc3\xa9", "caf\xc3\xa8s"
};

/* Offer each word that starts with the line. */
static void
complete_words(void *ctx, const char *line, size_t len,
    struct edit_completions *c)
{
	size_t i;

	REQUIRE(ctx == (void *)words);
	REQUIRE(strlen(line) == len);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strncmp(words[i], line, len) == 0)
			REQUIRE(edit_add_completion(c, words[i]) == 0);
}

static struct edit *
new_edit(const char *prompt, int cols)
{
	struct edit *e = malloc(sizeof(*e));

	REQUIRE(e != NULL);
	edit_init(e, prompt, cols);
	return e;
}

static void
free_edit(struct edit *e)
{
	edit_free(e);
	free(e);
}

/* The editor of the key table: a history of two, word completion. */
static struct edit *
table_edit(int cols)
{
	struct edit *e = new_edit("> ", cols);

	REQUIRE(edit_history_add(e, "ls -l") == 1);
	REQUIRE(edit_history_add(e, "echo h\xc3\xa9llo") == 1);
	edit_set_complete(e, complete_words, (void *)words);
	return e;
}

/* Feed s[0..n) from an exact copy; returns the event, *used the bytes. */
static int
feed(struct edit *e, const char *s, size_t n, size_t *used,
    struct edit_buf *out)
{
	unsigned char *copy = malloc(n > 0 ? n : 1);
	int ev;

	REQUIRE(copy != NULL);
	memcpy(copy, s, n);
	ev = edit_feed(e, copy, n, used, out);
	free(copy);
	return ev;
}

/* Feed s[0..n), which must not end the line. */
static void
feed_more(struct edit *e, const char *s, size_t n, struct edit_buf *out)
{
	size_t used = 12345;

	REQUIRE(feed(e, s, n, &used, out) == EDIT_MORE);
	REQUIRE(used == n);
}

static void
feed_str(struct edit *e, const char *s, struct edit_buf *out)
{
	feed_more(e, s, strlen(s), out);
}

/* out holds exactly want, then is emptied. */
static void
expect_out(struct edit_buf *out, const char *want)
{
	ck_assert_msg(!out->lost, "output lost");
	ck_assert_msg(out->len == strlen(want) &&
	    (out->len == 0 || memcmp(out->p, want, out->len) == 0),
	    "wrote \"%.*s\" (%zu bytes), not \"%s\"", (int)out->len,
	    out->p != NULL ? out->p : "", out->len, want);
	edit_buf_reset(out);
}

static void
expect_line(struct edit *e, const char *want, size_t pos)
{
	size_t len;
	const char *line = edit_line(e, &len);

	ck_assert_str_eq(line, want);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_uint_eq(edit_cursor(e), pos);
}

static size_t
count_byte(const struct edit_buf *b, char c)
{
	size_t i, n = 0;

	for (i = 0; i < b->len; i++)
		n += b->p[i] == c;
	return n;
}

/* ---- a terminal that knows only what the editor may write --------------- */

struct term {
	int	 width;
	char	 cell[MAXW][5];		/* one character each, "" if blank */
	int	 col;
	int	 bells;
	int	 newlines;
	int	 listing;		/* after \n until \r: text wraps */
};

static void
term_init(struct term *t, int width)
{
	memset(t, 0, sizeof(*t));
	t->width = width;
}

static void
term_erase(struct term *t, int from)
{
	for (; from < t->width; from++)
		t->cell[from][0] = '\0';
}

static size_t
term_utf8_len(unsigned char b)
{
	return b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
}

/* Run s[0..n) through the terminal; anything unknown fails the test. */
static void
term_feed(struct term *t, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l, j;
	int param, have;

	while (i < n) {
		if (u[i] == '\r') {
			t->col = 0;
			t->listing = 0;
			i++;
		} else if (u[i] == '\n') {
			term_erase(t, 0);
			t->newlines++;
			t->listing = 1;
			i++;
		} else if (u[i] == '\a') {
			t->bells++;
			i++;
		} else if (u[i] == 0x1b) {
			if (i + 2 >= n || u[i + 1] != '[')
				ck_abort_msg("bad escape at %zu", i);
			param = have = 0;
			for (i += 2; i < n && u[i] >= '0' && u[i] <= '9'; i++) {
				param = param * 10 + (u[i] - '0');
				have = 1;
				REQUIRE(param < 100000);
			}
			REQUIRE(i < n);		/* not cut short */
			switch (u[i++]) {
			case 'K':
				REQUIRE(param == 0);
				term_erase(t, t->col);
				break;
			case 'C':
				REQUIRE(have && param > 0);	/* not ESC [ 0 C */
				t->col += param;
				REQUIRE(t->col < t->width);
				break;
			case 'H':
				REQUIRE(!have);
				t->col = 0;
				break;
			case 'J':
				REQUIRE(param == 2);
				term_erase(t, 0);
				break;
			default:
				ck_abort_msg("unexpected escape final 0x%02x",
				    u[i - 1]);
			}
		} else {
			if (u[i] < 0x20 || u[i] == 0x7f)
				ck_abort_msg("control byte 0x%02x written",
				    u[i]);
			l = term_utf8_len(u[i]);
			REQUIRE(i + l <= n);
			/* the last column is the cursor's alone */
			if (!t->listing)
				REQUIRE(t->col < t->width - 1);
			else if (t->col == t->width) {
				term_erase(t, 0);
				t->col = 0;
			}
			for (j = 0; j < l; j++)
				t->cell[t->col][j] = (char)u[i + j];
			t->cell[t->col][l] = '\0';
			t->col++;
			i += l;
		}
	}
}

/* The row as text, a blank cell inside it shown as "\x01". */
static void
term_row(const struct term *t, char *buf, size_t size)
{
	int last = -1, c;

	buf[0] = '\0';
	for (c = 0; c < t->width; c++)
		if (t->cell[c][0] != '\0')
			last = c;
	for (c = 0; c <= last; c++)
		strncat(buf, t->cell[c][0] != '\0' ? t->cell[c] : "\x01",
		    size - strlen(buf) - 1);
}

/*
 * What the row must show: the prompt (cut to width - 1 columns) and the
 * window on the line, the cursor at most at the last column, the text off
 * it.  Computed on code points, apart from edit.c's byte offsets.
 */
static void
model_row(const char *prompt, const char *line, size_t pos, int width,
    char *buf, size_t size, int *col)
{
	size_t starts[EDIT_MAX + 1], n = 0, i, at = 0, avail, c, first;
	size_t pcols = 0, plen = 0;

	for (i = 0; prompt[i] != '\0'; i++)
		pcols += ((unsigned char)prompt[i] & 0xc0) != 0x80;
	if (pcols > (size_t)width - 1)
		pcols = (size_t)width - 1;
	for (i = 0, c = 0; prompt[i] != '\0'; i++)
		if (((unsigned char)prompt[i] & 0xc0) != 0x80 && c++ == pcols)
			break;
	plen = i;
	for (i = 0; line[i] != '\0'; i++)
		if (((unsigned char)line[i] & 0xc0) != 0x80) {
			if (i < pos)
				at++;
			starts[n++] = i;
		}
	starts[n] = i;
	avail = (size_t)width - 1 - pcols;
	c = at < avail ? at : avail;
	first = at - c;
	snprintf(buf, size, "%.*s%.*s", (int)plen, prompt,
	    (int)(starts[first + avail < n ? first + avail : n] -
	    starts[first]), line + starts[first]);
	*col = (int)(pcols + c);
}

/* The screen shows e's prompt and line as the model says. */
static void
check_screen(const struct term *t, struct edit *e, const char *prompt)
{
	char got[MAXW * 5], want[MAXW * 5];
	int col;

	term_row(t, got, sizeof(got));
	model_row(prompt, edit_line(e, NULL), edit_cursor(e), t->width,
	    want, sizeof(want), &col);
	if (strcmp(got, want) != 0 || t->col != col)
		ck_abort_msg("screen \"%s\" at %d, not \"%s\" at %d", got,
		    t->col, want, col);
}

/* ---- the key table ------------------------------------------------------ */

struct key_row {
	const char	*in;
	size_t		 len;
	const char	*line;
	size_t		 pos;
};

#define LONG_CSI "\x1b[1111111111111111111111111111111111111111C"

static const struct key_row keys[] = {
	/* text, UTF-8 kept whole */
	{ S(""), "", 0 },
	{ S("abc"), "abc", 3 },
	{ S("a b  c "), "a b  c ", 7 },
	{ S("h\xc3\xa9llo"), "h\xc3\xa9llo", 6 },
	{ S("\xe2\x82\xac" "1"), "\xe2\x82\xac" "1", 4 },
	{ S("\xf0\x9f\x98\x80!"), "\xf0\x9f\x98\x80!", 5 },
	{ S("\xc2\xa0"), "\xc2\xa0", 2 },
	/* malformed UTF-8 and C1 controls are dropped */
	{ S("a\x80" "b"), "ab", 2 },
	{ S("a\xc3" "b"), "ab", 2 },
	{ S("a\xe2\x82" "b"), "ab", 2 },
	{ S("a\xc0\xaf" "b"), "ab", 2 },
	{ S("a\xe0\x80\xaf" "b"), "ab", 2 },
	{ S("a\xed\xa0\x80" "b"), "ab", 2 },
	{ S("a\xf4\x90\x80\x80" "b"), "ab", 2 },
	{ S("a\xc2\x9b" "b"), "ab", 2 },
	{ S("a\xc2\x85" "b"), "ab", 2 },
	{ S("a\xff\xfe\xf5" "b"), "ab", 2 },
	{ S("a\xc3\xc3\xa9"), "a\xc3\xa9", 3 },
	/* other control bytes are ignored */
	{ S("a\0\x07\x0f\x12\x16\x19\x1a\x1c\x1d\x1e\x1f" "b"), "ab", 2 },
	{ S("\t"), "", 0 },
	/* Left, Right, Ctrl-B, Ctrl-F */
	{ S("abc\x1b[D"), "abc", 2 },
	{ S("abc\x1bOD"), "abc", 2 },
	{ S("abc\x02\x02"), "abc", 1 },
	{ S("abc\x02\x02\x02\x02\x02"), "abc", 0 },
	{ S("abc\x1b[D\x1b[D\x1b[C"), "abc", 2 },
	{ S("abc\x1bOD\x1bOD\x1bOC"), "abc", 2 },
	{ S("abc\x02\x06\x06\x06"), "abc", 3 },
	{ S("a\xc3\xa9\x1b[D"), "a\xc3\xa9", 1 },
	{ S("a\xc3\xa9" "b\x02\x02"), "a\xc3\xa9" "b", 1 },
	{ S("\xf0\x9f\x98\x80\x01\x06"), "\xf0\x9f\x98\x80", 4 },
	{ S("ac\x02" "b"), "abc", 2 },
	{ S("ac\x02\xc3\xa9"), "a\xc3\xa9" "c", 3 },
	/* Home and End, every spelling */
	{ S("abc\x1b[H"), "abc", 0 },
	{ S("abc\x1bOH"), "abc", 0 },
	{ S("abc\x1b[1~"), "abc", 0 },
	{ S("abc\x1b[7~"), "abc", 0 },
	{ S("abc\x01"), "abc", 0 },
	{ S("abc\x01\x1b[F"), "abc", 3 },
	{ S("abc\x01\x1bOF"), "abc", 3 },
	{ S("abc\x01\x1b[4~"), "abc", 3 },
	{ S("abc\x01\x1b[8~"), "abc", 3 },
	{ S("abc\x01\x05"), "abc", 3 },
	{ S("x\x01y"), "yx", 1 },
	/* Delete, Ctrl-D, Backspace, Ctrl-H */
	{ S("abc\x1b[H\x1b[3~"), "bc", 0 },
	{ S("abc\x1b[3~"), "abc", 3 },
	{ S("\xc3\xa9x\x01\x1b[3~"), "x", 0 },
	{ S("abc\x01\x04"), "bc", 0 },
	{ S("abc\x04"), "abc", 3 },
	{ S("abc\x7f"), "ab", 2 },
	{ S("abc\x08"), "ab", 2 },
	{ S("abc\x01\x7f"), "abc", 0 },
	{ S("a\xc3\xa9\x7f"), "a", 1 },
	{ S("a\xf0\x9f\x98\x80" "b\x02\x7f"), "ab", 1 },
	{ S("abc\x02\x7f\x7f"), "c", 0 },
	{ S("a\x7f\x7f\x7f"), "", 0 },
	/* Ctrl-K, Ctrl-U, Ctrl-W */
	{ S("abcdef\x02\x02\x02\x0b"), "abc", 3 },
	{ S("abc\x0b"), "abc", 3 },
	{ S("abcdef\x02\x02\x15"), "ef", 0 },
	{ S("abc\x15"), "", 0 },
	{ S("ls -l  foo\x17"), "ls -l  ", 7 },
	{ S("ls -l  \x17"), "ls ", 3 },
	{ S("hello world\x02\x02\x17"), "hello ld", 6 },
	{ S("word\x17"), "", 0 },
	{ S("  \x17"), "", 0 },
	{ S("a h\xc3\xa9\x17"), "a ", 2 },
	/* Ctrl-T */
	{ S("abc\x02\x14"), "acb", 3 },
	{ S("abc\x14"), "acb", 3 },
	{ S("abc\x01\x14"), "abc", 0 },
	{ S("a\x14"), "a", 1 },
	{ S("a\xc3\xa9\x14"), "\xc3\xa9" "a", 3 },
	{ S("\xe2\x82\xac" "ab\x01\x06\x14"), "a\xe2\x82\xac" "b", 4 },
	/* Ctrl-L changes nothing in the line */
	{ S("abc\x02\x0c"), "abc", 2 },
	/* history: Up, Down, Ctrl-P, Ctrl-N; the new line kept aside */
	{ S("\x1b[A"), "echo h\xc3\xa9llo", 11 },
	{ S("\x1bOA"), "echo h\xc3\xa9llo", 11 },
	{ S("\x10"), "echo h\xc3\xa9llo", 11 },
	{ S("\x1b[A\x1b[A"), "ls -l", 5 },
	{ S("\x1b[A\x1b[A\x1b[A\x1b[A"), "ls -l", 5 },
	{ S("\x1b[A\x1b[B"), "", 0 },
	{ S("\x1b[B"), "", 0 },
	{ S("x\x1b[B"), "x", 1 },
	{ S("new\x02\x1b[A\x1b[B"), "new", 3 },
	{ S("new\x1b[A\x1b[A\x1b[B\x1b[B"), "new", 3 },
	{ S("new\x1b[A\x1bOB"), "new", 3 },
	{ S("new\x10\x10\x0e\x0e"), "new", 3 },
	{ S("new\x10!\x0e"), "new", 3 },
	{ S("new\x10!\x0e\x10"), "echo h\xc3\xa9llo", 11 },
	{ S("new\x10\x10!\x0e"), "echo h\xc3\xa9llo", 11 },
	{ S("\x1b[A\x01\x0b" "cat\x1b[B\x1b[A"), "echo h\xc3\xa9llo", 11 },
	{ S("\x10\x7f\x7f\x7f"), "echo h\xc3\xa9", 8 },
	/* Tab: one candidate, a longer common prefix, a list, none */
	{ S("co\t"), "connect", 7 },
	{ S("co\x02\t"), "connect", 7 },
	{ S("pe\t"), "peers", 5 },
	{ S("he\t"), "hel", 3 },
	{ S("he\t\t"), "hel", 3 },
	{ S("hel\t"), "hel", 3 },
	{ S("hel\tp"), "help", 4 },
	{ S("h\t"), "h", 1 },
	{ S("\t"), "", 0 },
	{ S("x\t"), "x", 1 },
	{ S("c\t"), "c", 1 },
	{ S("ca\t"), "caf", 3 },
	{ S("caf\xc3\t"), "caf", 3 },
	{ S("caf\xc3\xa8\t"), "caf\xc3\xa8s", 6 },
	/* unknown escape sequences are taken whole */
	{ S("a\x1b[1;5C" "b"), "ab", 2 },
	{ S("a\x1b[1;5D" "b"), "ab", 2 },
	{ S("a\x1bOP" "b"), "ab", 2 },
	{ S("a\x1b[15~" "b"), "ab", 2 },
	{ S("a\x1b[2~" "b"), "ab", 2 },
	{ S("a\x1b[3;5~" "b"), "ab", 2 },
	{ S("a\x1b[[A" "b"), "ab", 2 },
	{ S("a\x1b[[~" "b"), "ab", 2 },
	{ S("a\x1bO[" "b"), "ab", 2 },
	{ S("a\x1b[?25h" "b"), "ab", 2 },
	{ S("a\x1b[ q" "b"), "ab", 2 },
	{ S("\x1b[200~paste\x1b[201~"), "paste", 5 },
	{ S("a\x1bx" "b"), "ab", 2 },
	{ S("a\x1b" "b"), "a", 1 },
	{ S("ab" LONG_CSI "c"), "abc", 3 },
	{ S("ab\x1b[0D" "c"), "abc", 3 },
	/* a control byte or ESC ends a sequence, and counts */
	{ S("ab\x1b\x01" "c"), "cab", 1 },
	{ S("ab\x1b[\x01" "c"), "cab", 1 },
	{ S("ab\x1b[12\x01" "c"), "cab", 1 },
	{ S("ab\x1bO\x01" "c"), "cab", 1 },
	{ S("ab\x1b\x1b[D"), "ab", 1 },
	{ S("ab\x1b[\x1b[D"), "ab", 1 },
	{ S("a\x1b\xc3\xa9"), "a\xc3\xa9", 3 },
	{ S("a\x1b[\xc3\xa9"), "a\xc3\xa9", 3 },
	{ S("a\xc3\x1b[D"), "a", 0 },
};

static void
run_key_row(const struct key_row *r, int width, size_t cut)
{
	struct edit *e = table_edit(width);
	struct edit_buf out = { NULL, 0, 0, 0 };
	struct term t;

	term_init(&t, width);
	edit_show(e, &out);
	if (cut == (size_t)-1) {	/* byte by byte */
		size_t i;

		for (i = 0; i < r->len; i++)
			feed_more(e, r->in + i, 1, &out);
	} else {
		feed_more(e, r->in, cut, &out);
		feed_more(e, r->in + cut, r->len - cut, &out);
	}
	REQUIRE(!out.lost);
	if (strcmp(edit_line(e, NULL), r->line) != 0 ||
	    edit_cursor(e) != r->pos)
		ck_abort_msg("row \"%s\" (width %d, cut %zu): \"%s\" at %zu, not \"%s\" at %zu",
	    r->in, width, cut, edit_line(e, NULL), edit_cursor(e),
	    r->line, r->pos);
	term_feed(&t, out.p, out.len);
	check_screen(&t, e, "> ");
	edit_buf_free(&out);
	free_edit(e);
}

START_TEST(test_keys)
{
	static const int widths[] = { 80, 10, 4 };
	const struct key_row *r = &keys[_i];
	size_t w, cut;

	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		run_key_row(r, widths[w], (size_t)-1);
		for (cut = 0; cut <= r->len; cut++)
			run_key_row(r, widths[w], cut);
	}
}
END_TEST

/* ---- exact bytes ---------------------------------------------------------- */

START_TEST(test_show_hide)
{
	struct edit *e = new_edit("> ", 80);
	struct edit_buf out = { NULL, 0, 0, 0 };

	/* nothing is drawn before edit_show(); edits still happen */
	feed_str(e, "ab", &out);
	expect_out(&out, "");
	edit_hide(e, &out);
	expect_out(&out, "");
	edit_show(e, &out);
	expect_out(&out, "\r> ab\x1b[0K\r\x1b[4C");
	/* typed at the end of a line that fits: the character alone */
	feed_str(e, "c", &out);
	expect_out(&out, "c");
	feed_str(e, "\xc3\xa9", &out);
	expect_out(&out, "\xc3\xa9");
	feed_str(e, "\xe2\x82", &out);
	expect_out(&out, "");
	feed_str(e, "\xac", &out);
	expect_out(&out, "\xe2\x82\xac");
	/* anything else: a full refresh */
	feed_str(e, "\x1b[D", &out);
	expect_out(&out, "\r> abc\xc3\xa9\xe2\x82\xac\x1b[0K\r\x1b[6C");
	feed_str(e, "x", &out);
	expect_out(&out, "\r> abc\xc3\xa9x\xe2\x82\xac\x1b[0K\r\x1b[7C");
	feed_str(e, "\x01", &out);
	expect_out(&out, "\r> abc\xc3\xa9x\xe2\x82\xac\x1b[0K\r\x1b[2C");
	/* hide, print, show */
	edit_hide(e, &out);
	expect_out(&out, "\r\x1b[0K");
	edit_hide(e, &out);
	expect_out(&out, "");
	feed_str(e, "\x05!", &out);	/* edits while hidden draw nothing */
	expect_out(&out, "");
	edit_show(e, &out);
	expect_out(&out, "\r> abc\xc3\xa9x\xe2\x82\xac!\x1b[0K\r\x1b[9C");
	edit_show(e, &out);		/* a second show redraws */
	expect_out(&out, "\r> abc\xc3\xa9x\xe2\x82\xac!\x1b[0K\r\x1b[9C");
	/* Ctrl-L */
	feed_str(e, "\x0c", &out);
	expect_out(&out,
	    "\x1b[H\x1b[2J\r> abc\xc3\xa9x\xe2\x82\xac!\x1b[0K\r\x1b[9C");
	/* a bell at the end of the line's moves, once a feed */
	feed_str(e, "\x1b[B\x1b[B\x1b[B", &out);
	expect_out(&out, "\a");
	/* an empty prompt at column 0: no ESC [ 0 C, which moves one */
	edit_set_prompt(e, "");
	feed_str(e, "\x01", &out);
	expect_out(&out, "\rabc\xc3\xa9x\xe2\x82\xac!\x1b[0K\r");
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

START_TEST(test_scroll)
{
	struct edit *e = new_edit("> ", 10);
	struct edit_buf out = { NULL, 0, 0, 0 };
	size_t i;

	edit_show(e, &out);
	expect_out(&out, "\r> \x1b[0K\r\x1b[2C");
	/* 7 characters fit; the 8th scrolls, one refresh for the feed */
	feed_str(e, "abcdefghij", &out);
	expect_out(&out, "abcdefg\r> defghij\x1b[0K\r\x1b[9C");
	feed_str(e, "\x1b[D", &out);
	expect_out(&out, "\r> cdefghi\x1b[0K\r\x1b[9C");
	feed_str(e, "\x01", &out);
	expect_out(&out, "\r> abcdefg\x1b[0K\r\x1b[2C");
	feed_str(e, "\x06\x06\x06\x06\x06\x06\x06", &out);
	expect_out(&out, "\r> abcdefg\x1b[0K\r\x1b[9C");
	feed_str(e, "\x06", &out);
	expect_out(&out, "\r> bcdefgh\x1b[0K\r\x1b[9C");
	/* wider, narrower */
	edit_resize(e, 20, &out);
	expect_out(&out, "\r> abcdefghij\x1b[0K\r\x1b[10C");
	feed_str(e, "\x05", &out);
	expect_out(&out, "\r> abcdefghij\x1b[0K\r\x1b[12C");
	edit_resize(e, 6, &out);
	expect_out(&out, "\r> hij\x1b[0K\r\x1b[5C");
	edit_resize(e, 0, &out);	/* unknown: 80 */
	expect_out(&out, "\r> abcdefghij\x1b[0K\r\x1b[12C");
	edit_resize(e, 10, &out);
	expect_out(&out, "\r> defghij\x1b[0K\r\x1b[9C");
	/* columns count code points */
	feed_str(e, "\x15", &out);
	expect_out(&out, "\r> \x1b[0K\r\x1b[2C");
	for (i = 0; i < 9; i++)
		feed_str(e, "\xc3\xa9", &out);
	edit_buf_reset(&out);
	feed_str(e, "\x1b[D", &out);
	expect_out(&out, "\r> \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\x1b[0K\r\x1b[9C");
	/* a prompt wider than the terminal is cut */
	edit_hide(e, &out);
	edit_set_prompt(e, "kaipeer> ");
	edit_resize(e, 5, &out);
	expect_out(&out, "\r\x1b[0K");
	edit_show(e, &out);
	expect_out(&out, "\rkaip\x1b[0K\r\x1b[4C");
	edit_resize(e, 1, &out);
	expect_out(&out, "\r\x1b[0K\r");
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

START_TEST(test_prompt)
{
	struct edit *e = new_edit("\x1b[31mred\x1b[0m\t\xc3\xa9> ", 80);
	struct edit_buf out = { NULL, 0, 0, 0 };
	char big[EDIT_PROMPT_MAX + 8];

	/* control characters dropped; columns are code points */
	edit_show(e, &out);
	expect_out(&out, "\r[31mred[0m\xc3\xa9> \x1b[0K\r\x1b[13C");
	/* cut at a character boundary */
	memset(big, 'p', EDIT_PROMPT_MAX - 1);
	strcpy(big + EDIT_PROMPT_MAX - 1, "\xc3\xa9xyz");
	edit_hide(e, &out);
	edit_set_prompt(e, big);
	edit_resize(e, 1000, &out);
	edit_buf_reset(&out);
	edit_show(e, &out);
	ck_assert_uint_eq(out.len, 1 + (EDIT_PROMPT_MAX - 1) + 4 + 1 + 6);
	ck_assert(memcmp(out.p + EDIT_PROMPT_MAX, "\x1b[0K\r\x1b[127C",
	    out.len - EDIT_PROMPT_MAX) == 0);
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

/* ---- events ------------------------------------------------------------- */

START_TEST(test_enter)
{
	struct edit *e = new_edit("> ", 80);
	struct edit_buf out = { NULL, 0, 0, 0 };
	size_t used;

	edit_show(e, &out);
	edit_buf_reset(&out);
	/* CR: the bytes after it are left */
	ck_assert_int_eq(feed(e, S("ab\rcd"), &used, &out), EDIT_LINE);
	ck_assert_uint_eq(used, 3);
	expect_line(e, "ab", 2);
	expect_out(&out, "ab\r\n");
	edit_reset(e);
	expect_line(e, "", 0);
	edit_show(e, &out);
	expect_out(&out, "\r> \x1b[0K\r\x1b[2C");
	feed_more(e, S("cd"), &out);
	expect_line(e, "cd", 2);
	/* the line scrolls to its end, then the newline */
	feed_str(e, "\x01", &out);
	edit_buf_reset(&out);
	ck_assert_int_eq(feed(e, S("\n"), &used, &out), EDIT_LINE);
	ck_assert_uint_eq(used, 1);
	expect_out(&out, "\r> cd\x1b[0K\r\x1b[4C\r\n");
	expect_line(e, "cd", 2);
	/* CR LF counts once, even split; LF LF is two lines */
	edit_reset(e);
	ck_assert_int_eq(feed(e, S("x\r\ny"), &used, &out), EDIT_LINE);
	ck_assert_uint_eq(used, 2);
	edit_reset(e);
	feed_more(e, S("\ny"), &out);
	expect_line(e, "y", 1);
	ck_assert_int_eq(feed(e, S("\r"), &used, &out), EDIT_LINE);
	edit_reset(e);
	feed_more(e, S("\n"), &out);
	feed_more(e, S("z"), &out);
	expect_line(e, "z", 1);
	ck_assert_int_eq(feed(e, S("\n\nw"), &used, &out), EDIT_LINE);
	ck_assert_uint_eq(used, 1);
	expect_line(e, "z", 1);
	edit_reset(e);
	ck_assert_int_eq(feed(e, S("\nw"), &used, &out), EDIT_LINE);
	ck_assert_uint_eq(used, 1);
	expect_line(e, "", 0);
	ck_assert_int_eq(feed(e, S("\r\r"), &used, &out), EDIT_LINE);
	ck_assert_uint_eq(used, 1);
	ck_assert_int_eq(feed(e, S("\r"), &used, &out), EDIT_LINE);
	/* a feed after an event starts the next line itself */
	feed_more(e, S("q"), &out);
	expect_line(e, "q", 1);
	/* used may be NULL */
	ck_assert_int_eq(edit_feed(e, (const unsigned char *)"\r", 1, NULL,
	    &out), EDIT_LINE);
	expect_line(e, "q", 1);
	/* CR inside an escape sequence is still Enter */
	edit_reset(e);
	ck_assert_int_eq(feed(e, S("ab\x1b[1\r"), &used, &out), EDIT_LINE);
	ck_assert_uint_eq(used, 6);
	expect_line(e, "ab", 2);
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

START_TEST(test_eof_interrupt)
{
	struct edit *e = new_edit("> ", 80);
	struct edit_buf out = { NULL, 0, 0, 0 };
	size_t used;

	edit_show(e, &out);
	edit_buf_reset(&out);
	ck_assert_int_eq(feed(e, S("\x04rest"), &used, &out), EDIT_EOF);
	ck_assert_uint_eq(used, 1);
	expect_out(&out, "\r\n");
	edit_reset(e);
	edit_show(e, &out);
	edit_buf_reset(&out);
	/* emptied by hand: Ctrl-D is end of input again */
	ck_assert_int_eq(feed(e, S("a\x7f\x04"), &used, &out), EDIT_EOF);
	ck_assert_uint_eq(used, 3);
	/* Ctrl-C: the line is dropped, "^C" after it */
	edit_reset(e);
	edit_show(e, &out);
	edit_buf_reset(&out);
	ck_assert_int_eq(feed(e, S("abc\x01\x03xyz"), &used, &out),
	    EDIT_INTERRUPT);
	ck_assert_uint_eq(used, 5);
	expect_out(&out, "abc\r> abc\x1b[0K\r\x1b[5C^C\r\n");
	expect_line(e, "", 0);
	edit_reset(e);
	feed_more(e, S("xyz"), &out);
	expect_line(e, "xyz", 3);
	/* hidden: the events write nothing */
	edit_buf_reset(&out);
	ck_assert_int_eq(feed(e, S("\x03"), &used, &out), EDIT_INTERRUPT);
	ck_assert_int_eq(feed(e, S("\x04"), &used, &out), EDIT_EOF);
	ck_assert_int_eq(feed(e, S("k\r"), &used, &out), EDIT_LINE);
	expect_out(&out, "");
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

/* ---- bounds --------------------------------------------------------------- */

START_TEST(test_line_bound)
{
	struct edit *e = new_edit("> ", 80);
	struct edit_buf out = { NULL, 0, 0, 0 };
	char *big = malloc(3 * EDIT_MAX);
	size_t len;

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 3 * EDIT_MAX);
	edit_show(e, &out);
	edit_buf_reset(&out);
	/* a paste three times the bound: one refresh, one bell */
	feed_more(e, big, 3 * EDIT_MAX, &out);
	edit_line(e, &len);
	ck_assert_uint_eq(len, EDIT_MAX);
	ck_assert_uint_eq(edit_cursor(e), EDIT_MAX);
	ck_assert_uint_eq(count_byte(&out, '\a'), 1);
	ck_assert_uint_eq(count_byte(&out, '\r'), 2);
	ck_assert_uint_lt(out.len, 200);
	/* a character that does not fit whole is refused whole */
	feed_str(e, "\x7f", &out);
	edit_buf_reset(&out);
	feed_str(e, "\x01\xc3\xa9", &out);
	edit_line(e, &len);
	ck_assert_uint_eq(len, EDIT_MAX - 1);
	ck_assert_uint_eq(count_byte(&out, '\a'), 1);
	feed_str(e, "b", &out);
	ck_assert_int_eq(edit_line(e, &len)[0], 'b');
	ck_assert_uint_eq(len, EDIT_MAX);
	ck_assert_uint_eq(edit_cursor(e), 1);
	free(big);
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

START_TEST(test_out_bound)
{
	struct edit *e = new_edit("> ", 80);
	struct edit_buf out = { NULL, 0, 0, 0 };

	out.p = malloc(EDIT_OUT_MAX);
	ck_assert_ptr_nonnull(out.p);
	out.cap = EDIT_OUT_MAX;
	out.len = EDIT_OUT_MAX - 3;
	edit_show(e, &out);		/* does not fit: nothing */
	ck_assert(out.lost);
	ck_assert_uint_eq(out.len, EDIT_OUT_MAX - 3);
	feed_str(e, "abc", &out);	/* lost stays until the reset */
	ck_assert_uint_eq(out.len, EDIT_OUT_MAX - 3);
	edit_buf_reset(&out);
	ck_assert(!out.lost);
	edit_show(e, &out);
	expect_out(&out, "\r> abc\x1b[0K\r\x1b[5C");
	/* a refresh is appended whole or not at all */
	out.len = EDIT_OUT_MAX - 10;
	feed_str(e, "\x01", &out);
	ck_assert(out.lost);
	ck_assert_uint_eq(out.len, EDIT_OUT_MAX - 10);
	edit_buf_reset(&out);
	edit_buf_free(&out);
	ck_assert_ptr_null(out.p);
	free_edit(e);
}
END_TEST

/* ---- history ---------------------------------------------------------- */

START_TEST(test_history_add)
{
	struct edit *e = new_edit("> ", 80);
	char *big = malloc(EDIT_MAX + 2);

	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(edit_history_add(e, "one"), 1);
	ck_assert_int_eq(edit_history_add(e, ""), 0);
	ck_assert_int_eq(edit_history_add(e, "one"), 0);
	ck_assert_int_eq(edit_history_add(e, "two"), 1);
	ck_assert_int_eq(edit_history_add(e, "one"), 1);
	ck_assert_int_eq(edit_history_add(e, "caf\xc3\xa9"), 1);
	ck_assert_uint_eq(edit_history_len(e), 4);
	/* control characters and malformed UTF-8 are refused */
	errno = 0;
	ck_assert_int_eq(edit_history_add(e, "a\tb"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(edit_history_add(e, "\x1b[31mred"), -1);
	ck_assert_int_eq(edit_history_add(e, "a\x7f"), -1);
	ck_assert_int_eq(edit_history_add(e, "a\n"), -1);
	ck_assert_int_eq(edit_history_add(e, "a\xc2\x9b"), -1);
	ck_assert_int_eq(edit_history_add(e, "a\xc3"), -1);
	ck_assert_int_eq(edit_history_add(e, "\xed\xa0\x80"), -1);
	/* the line bound */
	memset(big, 'x', EDIT_MAX + 1);
	big[EDIT_MAX + 1] = '\0';
	ck_assert_int_eq(edit_history_add(e, big), -1);
	big[EDIT_MAX] = '\0';
	ck_assert_int_eq(edit_history_add(e, big), 1);
	ck_assert_uint_eq(edit_history_len(e), 5);
	ck_assert_str_eq(edit_history_get(e, 0), "one");
	ck_assert_str_eq(edit_history_get(e, 1), "two");
	ck_assert_str_eq(edit_history_get(e, 2), "one");
	ck_assert_str_eq(edit_history_get(e, 3), "caf\xc3\xa9");
	ck_assert_ptr_null(edit_history_get(e, 5));
	free(big);
	free_edit(e);
}
END_TEST

START_TEST(test_history_bound)
{
	struct edit *e = new_edit("> ", 80);
	struct edit_buf out = { NULL, 0, 0, 0 };
	char s[32];
	size_t i;

	edit_history_set_max(e, 20);
	for (i = 0; i < 100; i++) {
		snprintf(s, sizeof(s), "cmd %zu", i);
		ck_assert_int_eq(edit_history_add(e, s), 1);
	}
	ck_assert_uint_eq(edit_history_len(e), 20);
	for (i = 0; i < 20; i++) {
		snprintf(s, sizeof(s), "cmd %zu", 80 + i);
		ck_assert_str_eq(edit_history_get(e, i), s);
	}
	/* Up walks from the newest to the oldest, then rings */
	for (i = 0; i < 20; i++) {
		feed_str(e, "\x1b[A", &out);
		snprintf(s, sizeof(s), "cmd %zu", 99 - i);
		expect_line(e, s, strlen(s));
	}
	feed_str(e, "\x1b[A", &out);
	expect_line(e, "cmd 80", 6);
	/* the history shrinks under the browsing */
	edit_history_set_max(e, 3);
	ck_assert_uint_eq(edit_history_len(e), 3);
	ck_assert_str_eq(edit_history_get(e, 0), "cmd 97");
	feed_str(e, "\x1b[B", &out);
	expect_line(e, "cmd 98", 6);
	feed_str(e, "\x1b[B\x1b[B\x1b[B", &out);
	expect_line(e, "", 0);
	/* max 0 keeps nothing */
	edit_history_set_max(e, 0);
	ck_assert_uint_eq(edit_history_len(e), 0);
	ck_assert_int_eq(edit_history_add(e, "x"), 0);
	feed_str(e, "\x1b[A", &out);
	expect_line(e, "", 0);
	/* and it grows again */
	edit_history_set_max(e, 1000);
	for (i = 0; i < 1500; i++) {
		snprintf(s, sizeof(s), "%zu", i);
		ck_assert_int_eq(edit_history_add(e, s), 1);
	}
	ck_assert_uint_eq(edit_history_len(e), 1000);
	ck_assert_str_eq(edit_history_get(e, 0), "500");
	ck_assert_str_eq(edit_history_get(e, 999), "1499");
	/* edit_free, then use again */
	edit_free(e);
	ck_assert_uint_eq(edit_history_len(e), 0);
	ck_assert_int_eq(edit_history_add(e, "again"), 1);
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

START_TEST(test_history_browse)
{
	struct edit *e = table_edit(80);
	struct edit_buf out = { NULL, 0, 0, 0 };
	size_t used;

	feed_str(e, "draft", &out);
	feed_str(e, "\x1b[A\x1b[A", &out);
	expect_line(e, "ls -l", 5);
	feed_str(e, " -a", &out);	/* edit the entry, come back */
	feed_str(e, "\x1b[B\x1b[B", &out);
	expect_line(e, "draft", 5);
	feed_str(e, "\x1b[A\x1b[A", &out);
	expect_line(e, "ls -l", 5);	/* the entry is unchanged */
	ck_assert_str_eq(edit_history_get(e, 0), "ls -l");
	/* Enter on a recalled, edited entry gives that line */
	feed_str(e, " -a", &out);
	ck_assert_int_eq(feed(e, S("\r"), &used, &out), EDIT_LINE);
	expect_line(e, "ls -l -a", 8);
	ck_assert_int_eq(edit_history_add(e, edit_line(e, NULL)), 1);
	/* a new line starts at the newest end */
	edit_reset(e);
	feed_str(e, "\x1b[A", &out);
	expect_line(e, "ls -l -a", 8);
	feed_str(e, "\x1b[B", &out);
	expect_line(e, "", 0);
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

START_TEST(test_history_load_save)
{
	static const char file[] =
	    "one\ntwo\r\n\nthree\x01\nfour\nfour\n\t\ncaf\xc3\xa9\nlast";
	struct edit *e = new_edit("> ", 80), *f = new_edit("> ", 80);
	struct edit_buf out = { NULL, 0, 0, 0 }, again = { NULL, 0, 0, 0 };
	char *big;
	size_t i;

	ck_assert_int_eq(edit_history_load(e, file, sizeof(file) - 1), 5);
	ck_assert_int_eq(edit_history_save(e, &out), 0);
	ck_assert_uint_eq(out.len, 24);
	ck_assert(memcmp(out.p, "one\ntwo\nfour\ncaf\xc3\xa9\nlast\n", 24)
	    == 0);
	/* round trip */
	ck_assert_int_eq(edit_history_load(f, out.p, out.len), 5);
	ck_assert_int_eq(edit_history_save(f, &again), 0);
	ck_assert_uint_eq(again.len, out.len);
	ck_assert(memcmp(again.p, out.p, out.len) == 0);
	/* only buf[0..len) counts; NUL bytes make a line refused */
	ck_assert_int_eq(edit_history_load(f, "x\0y\nz", 5), 1);
	ck_assert_str_eq(edit_history_get(f, 5), "z");
	ck_assert_int_eq(edit_history_load(f, "abc", 2), 1);
	ck_assert_str_eq(edit_history_get(f, 6), "ab");
	ck_assert_int_eq(edit_history_load(f, "", 0), 0);
	/* a long file keeps its last entries; long lines are refused */
	big = malloc(60001);
	ck_assert_ptr_nonnull(big);
	for (i = 0; i < 10000; i++)
		snprintf(big + 6 * i, 7, "%05zu\n", i);
	edit_history_set_max(f, 100);
	ck_assert_int_eq(edit_history_load(f, big, 60000), 10000);
	ck_assert_uint_eq(edit_history_len(f), 100);
	ck_assert_str_eq(edit_history_get(f, 0), "09900");
	memset(big, 'x', EDIT_MAX + 1);
	big[EDIT_MAX + 1] = '\n';
	ck_assert_int_eq(edit_history_load(f, big, EDIT_MAX + 2), 0);
	ck_assert_int_eq(edit_history_load(f, big, EDIT_MAX), 1);
	free(big);
	edit_buf_free(&out);
	edit_buf_free(&again);
	free_edit(e);
	free_edit(f);
}
END_TEST

/* ---- completion ----------------------------------------------------------- */

START_TEST(test_complete_output)
{
	struct edit *e = table_edit(80);
	struct edit_buf out = { NULL, 0, 0, 0 };

	edit_show(e, &out);
	edit_buf_reset(&out);
	feed_str(e, "hel", &out);
	expect_out(&out, "hel");
	feed_str(e, "\t", &out);
	expect_out(&out, "\r\nhelp hello\r\n\r> hel\x1b[0K\r\x1b[5C");
	feed_str(e, "\x02\t", &out);	/* the cursor stays */
	expect_out(&out, "\r> hel\x1b[0K\r\x1b[4C"
	    "\r\nhelp hello\r\n\r> hel\x1b[0K\r\x1b[4C");
	feed_str(e, "\x05\x15x\t", &out);	/* none: a bell */
	expect_out(&out, "\r> x\x1b[0K\r\x1b[3C\a");
	feed_str(e, "\x0bpi\t", &out);
	expect_out(&out, "pi\a");
	feed_str(e, "\x15pi\t", &out);
	expect_out(&out, "\r> ping\x1b[0K\r\x1b[6C");
	/* without a callback, Tab does nothing */
	edit_set_complete(e, NULL, NULL);
	feed_str(e, "\x15h\t", &out);
	expect_out(&out, "\r> h\x1b[0K\r\x1b[3C");
	/* hidden: the listing is not written */
	edit_set_complete(e, complete_words, (void *)words);
	edit_hide(e, &out);
	edit_buf_reset(&out);
	feed_str(e, "el\t", &out);
	expect_out(&out, "");
	expect_line(e, "hel", 3);
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

START_TEST(test_completions_bound)
{
	struct edit_completions *c = malloc(sizeof(*c));
	char s[EDIT_MAX + 2];
	size_t i;

	ck_assert_ptr_nonnull(c);
	c->n = c->used = 0;
	for (i = 0; i < EDIT_COMPLETIONS_MAX; i++) {
		snprintf(s, sizeof(s), "c%zu", i);
		ck_assert_int_eq(edit_add_completion(c, s), 0);
	}
	errno = 0;
	ck_assert_int_eq(edit_add_completion(c, "more"), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(edit_add_completion(c, "c7"), 0);	/* there */
	ck_assert_uint_eq(c->n, EDIT_COMPLETIONS_MAX);
	/* the byte bound */
	c->n = c->used = 0;
	memset(s, 'y', EDIT_MAX);
	s[EDIT_MAX] = '\0';
	for (i = 0; i < EDIT_COMPLETIONS_BYTES / (EDIT_MAX + 1); i++) {
		s[0] = (char)('a' + i);
		ck_assert_int_eq(edit_add_completion(c, s), 0);
	}
	s[0] = 'z';
	ck_assert_int_eq(edit_add_completion(c, s), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(edit_add_completion(c, "short"), 0);
	/* not text, too long */
	errno = 0;
	ck_assert_int_eq(edit_add_completion(c, "a\tb"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(edit_add_completion(c, "\xc2\x9b"), -1);
	memset(s, 'y', EDIT_MAX + 1);
	s[EDIT_MAX + 1] = '\0';
	ck_assert_int_eq(edit_add_completion(c, s), -1);
	ck_assert_int_eq(errno, EINVAL);
	free(c);
}
END_TEST

/* ---- random input ------------------------------------------------------- */

static unsigned long rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 1103515245 + 12345;
	return (unsigned)(rng >> 16) % n;
}

/* The line is valid UTF-8 without controls; the cursor on a boundary. */
static void
check_invariants(struct edit *e)
{
	const unsigned char *s;
	size_t len, i, pos = edit_cursor(e);

	s = (const unsigned char *)edit_line(e, &len);
	REQUIRE(len <= EDIT_MAX);
	REQUIRE(pos <= len);
	REQUIRE(pos == len || (s[pos] & 0xc0) != 0x80);
	for (i = 0; i < len; i++) {
		REQUIRE(s[i] >= 0x20 && s[i] != 0x7f);
		REQUIRE(s[i] != 0xc0 && s[i] != 0xc1 && s[i] < 0xf5);
		REQUIRE(!(s[i] == 0xc2 && s[i + 1] < 0xa0));
	}
}

START_TEST(test_random)
{
	static const char *const pieces[] = {
		"a", "b", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F",
		"\x1b[3~", "\x1b[1;5C", "\x1b[200~", "\x1bO", "\x1b", "\x1b[",
		"\x01", "\x02", "\x04", "\x05", "\x06", "\x08", "\x0b", "\x0c",
		"\x10", "\x0e", "\x14", "\x15", "\x17", "\x7f", "\t", "\x80",
		"\xc3", "\xff", "\r", "\n", "\x03", "he", "co",
	};
	struct edit *e = table_edit(12);
	struct edit_buf out = { NULL, 0, 0, 0 };
	struct term t;
	char in[256];
	size_t n, used, off;
	int round, ev;

	term_init(&t, 12);
	edit_show(e, &out);
	for (round = 0; round < 3000; round++) {
		for (n = 0; n < 200; ) {
			const char *p = pieces[rnd(sizeof(pieces) /
			    sizeof(pieces[0]))];

			if (n + strlen(p) > sizeof(in))
				break;
			memcpy(in + n, p, strlen(p));
			n += strlen(p);
		}
		for (off = 0; off < n; off += used) {
			size_t chunk = 1 + rnd((unsigned)(n - off));

			ev = feed(e, in + off, chunk, &used, &out);
			ck_assert_uint_le(used, chunk);
			ck_assert(ev == EDIT_MORE ? used == chunk : used > 0);
			check_invariants(e);
			term_feed(&t, out.p, out.len);
			edit_buf_reset(&out);
			if (ev != EDIT_MORE) {
				edit_reset(e);
				edit_show(e, &out);
				if (ev == EDIT_LINE)
					edit_history_add(e, edit_line(e,
					    NULL));
				continue;
			}
			check_screen(&t, e, "> ");
		}
	}
	ck_assert_uint_le(edit_history_len(e), EDIT_HISTORY_DEFAULT);
	edit_buf_free(&out);
	free_edit(e);
}
END_TEST

static Suite *
edit_suite(void)
{
	Suite *s = suite_create("edit");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_keys, 0, sizeof(keys) / sizeof(keys[0]));
	tcase_add_test(tc, test_show_hide);
	tcase_add_test(tc, test_scroll);
	tcase_add_test(tc, test_prompt);
	tcase_add_test(tc, test_enter);
	tcase_add_test(tc, test_eof_interrupt);
	tcase_add_test(tc, test_line_bound);
	tcase_add_test(tc, test_out_bound);
	tcase_add_test(tc, test_history_add);
	tcase_add_test(tc, test_history_bound);
	tcase_add_test(tc, test_history_browse);
	tcase_add_test(tc, test_history_load_save);
	tcase_add_test(tc, test_complete_output);
	tcase_add_test(tc, test_completions_bound);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(edit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
