/*
 * check_output: the output layer (output.c).
 *
 * Escaping is a table: every kind of byte a peer could send, and what
 * reaches the terminal.  Then the queue: a pipe nobody reads never blocks
 * the writer, lines past the bound are dropped and counted, and once the
 * pipe is read again the count is reported; lines reach a log callback
 * whole; standard output and error that are one file keep their order.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "loop.h"
#include "output.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*in;
	size_t		 len;
	const char	*out;
} escapes[] = {
	{ "plain text", 10, "plain text" },
	{ "tab\there", 8, "tab\there" },
	{ "new\nline", 8, "new\\x0aline" },
	{ "cr\rret", 6, "cr\\x0dret" },
	{ "\x1b[2J", 4, "\\x1b[2J" },
	{ "bell\a", 5, "bell\\x07" },
	{ "del\x7f", 4, "del\\x7f" },
	{ "nul\0x", 5, "nul\\x00x" },
	/* UTF-8 passes: e acute, the euro sign, an emoji. */
	{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
	{ "\xe2\x82\xac", 3, "\xe2\x82\xac" },
	{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
	{ "\xc2\xa0", 2, "\xc2\xa0" },			/* U+00A0 */
	/* C1 controls, U+0080 to U+009F, and the CSI byte alone. */
	{ "\xc2\x9b" "31m", 5, "\\xc2\\x9b31m" },
	{ "\xc2\x80", 2, "\\xc2\\x80" },
	{ "\x9b" "31m", 4, "\\x9b31m" },
	/* Not UTF-8: stray, truncated, overlong, surrogate, too big. */
	{ "\x80", 1, "\\x80" },
	{ "\xc3", 1, "\\xc3" },
	{ "\xe2\x82", 2, "\\xe2\\x82" },
	{ "\xc0\xaf", 2, "\\xc0\\xaf" },
	{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },
	{ "\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80" },
	{ "\xff", 1, "\\xff" },
};

START_TEST(test_escape)
{
	char out[64];
	size_t n;

	n = out_escape(out, escapes[_i].in, escapes[_i].len);
	out[n] = '\0';
	ck_assert_msg(strcmp(out, escapes[_i].out) == 0, "case %d: got '%s'",
	    _i, out);
}
END_TEST

struct lines {
	int	 n;
	char	 last[256];
	int	 stream;
};

static void
on_line(void *ctx, int stream, const char *line, size_t len)
{
	struct lines *l = ctx;

	l->n++;
	l->stream = stream;
	snprintf(l->last, sizeof(l->last), "%.*s", (int)len, line);
}

START_TEST(test_log)
{
	struct lines got = { 0 };
	struct output *o = output_new_log(on_line, &got);

	out_line(o, OUT_STDERR, "a %d", 1);
	ck_assert_int_eq(got.n, 1);
	ck_assert_str_eq(got.last, "a 1");
	ck_assert_int_eq(got.stream, OUT_STDERR);
	out_begin(o, OUT_STDOUT);
	out_str(o, "Result: ");
	out_safe(o, "x\ny", 3);
	out_end(o);
	ck_assert_str_eq(got.last, "Result: x\\x0ay");
	ck_assert_int_eq(got.stream, OUT_STDOUT);
	output_free(o, 0);
}
END_TEST

/* Read everything the pipe holds, without blocking. */
static size_t
slurp(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return got;
}

/* A line in one go, plain and escaped, through a queue and a log. */
START_TEST(test_line3)
{
	struct lines got = { 0 };
	struct output *lo = output_new_log(on_line, &got);
	struct loop *l = loop_new();
	struct output *o;
	char buf[256];
	int p[2];

	out_line3(lo, OUT_STDOUT, "Command from ", 13, "1.2.3.4:5", 9, ": ",
	    2, "calc 1+2", 8);
	ck_assert_str_eq(got.last, "Command from 1.2.3.4:5: calc 1+2");
	out_line3(lo, OUT_STDOUT, "Sent result: ", 13, "", 0, "", 0,
	    "a\x1b[2J\xc2\x9b", 7);
	ck_assert_str_eq(got.last, "Sent result: a\\x1b[2J\\xc2\\x9b");
	output_free(lo, 0);

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(fcntl(p[0], F_SETFL, O_NONBLOCK), -1);
	o = output_new(l, p[1], STDERR_FILENO, 4096);
	out_line(o, OUT_STDOUT, "first");	/* the buffer exists */
	out_line3(o, OUT_STDOUT, "a", 1, "b", 1, "c", 1, "d", 1);
	out_line3(o, OUT_STDOUT, "x", 1, "", 0, "", 0, "\n", 1);
	output_flush(o);
	(void)slurp(p[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "first\nabcd\nx\\x0a\n");
	output_free(o, 0);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}
END_TEST

/* Nobody reads: writing never blocks, memory stays bounded. */
START_TEST(test_unread_pipe)
{
	struct loop *l = loop_new();
	struct output *o;
	static char buf[1 << 20];
	int p[2], i, lines = 0;
	char *s, *msg;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(fcntl(p[0], F_SETFL, O_NONBLOCK), -1);
	o = output_new(l, p[1], STDERR_FILENO, 4096);
	ck_assert_ptr_nonnull(o);
	/* Far more than the pipe and the bound hold. */
	for (i = 0; i < 20000; i++) {
		out_line(o, OUT_STDOUT, "line %05d of some length to fill", i);
		output_flush(o);
	}
	ck_assert_uint_le(output_pending(o, OUT_STDOUT), 4096 + 64);
	ck_assert_uint_gt(output_dropped(o, OUT_STDOUT), 0);
	/* The reader comes back: the count is reported, lines go on. */
	(void)slurp(p[0], buf, sizeof(buf));	/* what fitted before */
	s = buf;
	for (i = 0; i < 50; i++) {
		(void)loop_turn(l, 10);
		s += slurp(p[0], s, sizeof(buf) - (size_t)(s - buf));
		if (i == 10)
			out_line(o, OUT_STDOUT, "after");
	}
	msg = strstr(buf, "lines of output dropped: standard output was "
	    "not being read");
	ck_assert_msg(msg != NULL, "no report of the dropped lines");
	ck_assert_uint_eq(output_dropped(o, OUT_STDOUT), 0);
	ck_assert_ptr_nonnull(strstr(msg, "after\n"));
	for (s = buf; (s = strstr(s, "line ")) != NULL; s++)
		lines++;
	ck_assert_int_gt(lines, 0);
	output_free(o, 0);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}
END_TEST

/* One file for both streams: one queue, the lines in the order said. */
START_TEST(test_merged)
{
	struct loop *l = loop_new();
	struct output *o;
	char buf[256];
	int p[2], d;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(fcntl(p[0], F_SETFL, O_NONBLOCK), -1);
	d = dup(p[1]);
	o = output_new(l, p[1], d, 4096);
	out_line(o, OUT_STDOUT, "one");
	out_line(o, OUT_STDERR, "two");
	out_line(o, OUT_STDOUT, "three");
	output_flush(o);
	(void)slurp(p[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "one\ntwo\nthree\n");
	output_free(o, 0);
	close(d);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}
END_TEST

/* A closed reader: lines are discarded, nothing blocks or dies. */
START_TEST(test_closed_reader)
{
	struct loop *l = loop_new();
	struct output *o;
	int p[2], i;

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	o = output_new(l, p[1], STDERR_FILENO, 4096);
	for (i = 0; i < 100; i++) {
		out_line(o, OUT_STDOUT, "into nothing %d", i);
		output_flush(o);
	}
	ck_assert_uint_eq(output_pending(o, OUT_STDOUT), 0);
	output_free(o, 100);
	close(p[1]);
	loop_free(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("output");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_escape, 0, N(escapes));
	tcase_add_test(tc, test_log);
	tcase_add_test(tc, test_line3);
	tcase_add_test(tc, test_unread_pipe);
	tcase_add_test(tc, test_merged);
	tcase_add_test(tc, test_closed_reader);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
