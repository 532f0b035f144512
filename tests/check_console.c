/*
 * Unit tests for console.c: how console lines parse, how a peer selector
 * resolves, how aliases expand.  Each rule is a row in a table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

/* --- console_parse ------------------------------------------------------ */

static const struct {
	const char	*line;
	enum console_kind kind;
	const char	*peer;		/* REMOTE */
	const char	*text;		/* REMOTE, LOCAL, CONNECT host */
	int		 port;		/* CONNECT */
	const char	*usage;		/* USAGE */
} parse_cases[] = {
	{ "", CONSOLE_EMPTY, NULL, NULL, 0, NULL },
	{ "   \t\r", CONSOLE_EMPTY, NULL, NULL, 0, NULL },
	{ "help", CONSOLE_HELP, NULL, NULL, 0, NULL },
	{ "  help  ", CONSOLE_HELP, NULL, NULL, 0, NULL },
	{ "help\r", CONSOLE_HELP, NULL, NULL, 0, NULL },
	{ "peers", CONSOLE_PEERS, NULL, NULL, 0, NULL },
	{ "exit", CONSOLE_EXIT, NULL, NULL, 0, NULL },
	{ "quit", CONSOLE_EXIT, NULL, NULL, 0, NULL },
	{ "EXIT", CONSOLE_LOCAL, NULL, "EXIT", 0, NULL },
	{ "exit now", CONSOLE_LOCAL, NULL, "exit now", 0, NULL },
	{ "@0 calc 1+2", CONSOLE_REMOTE, "0", "calc 1+2", 0, NULL },
	{ "@0   add  ", CONSOLE_REMOTE, "0", "add", 0, NULL },
	{ "@alpha\tcalc 2*3", CONSOLE_REMOTE, "alpha", "calc 2*3", 0, NULL },
	{ "@127.0.0.1:14595 add", CONSOLE_REMOTE, "127.0.0.1:14595", "add",
	    0, NULL },
	{ "@0", CONSOLE_USAGE, NULL, NULL, 0, "Usage: @peer command [args]" },
	{ "@0   ", CONSOLE_USAGE, NULL, NULL, 0, "Usage: @peer command [args]" },
	{ "@ add", CONSOLE_USAGE, NULL, NULL, 0, "Usage: @peer command [args]" },
	{ "@", CONSOLE_USAGE, NULL, NULL, 0, "Usage: @peer command [args]" },
	{ "connect 127.0.0.1 14595", CONSOLE_CONNECT, NULL, "127.0.0.1", 14595,
	    NULL },
	{ "connect  ::1   1", CONSOLE_CONNECT, NULL, "::1", 1, NULL },
	{ "connect localhost 65535", CONSOLE_CONNECT, NULL, "localhost", 65535,
	    NULL },
	{ "connect", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: connect <host> <port>" },
	{ "connect host", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: connect <host> <port>" },
	{ "connect host 0", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: connect <host> <port>" },
	{ "connect host 65536", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: connect <host> <port>" },
	{ "connect host 80x", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: connect <host> <port>" },
	{ "connect host -1", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: connect <host> <port>" },
	{ "connect host 1 2", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: connect <host> <port>" },
	{ "calc 1+2", CONSOLE_LOCAL, NULL, "calc 1+2", 0, NULL },
	{ "  add ", CONSOLE_LOCAL, NULL, "add", 0, NULL },
	{ "connection", CONSOLE_LOCAL, NULL, "connection", 0, NULL },
};

static int
span_is(const char *p, size_t len, const char *want)
{
	return want == NULL || (strlen(want) == len &&
	    memcmp(p, want, len) == 0);
}

START_TEST(test_parse)
{
	struct console_cmd cmd;
	const char *line = parse_cases[_i].line;

	console_parse(line, strlen(line), &cmd);
	ck_assert_msg(cmd.kind == parse_cases[_i].kind,
	    "'%s': kind %d, want %d", line, cmd.kind, parse_cases[_i].kind);
	ck_assert_msg(span_is(cmd.peer, cmd.peer_len, parse_cases[_i].peer),
	    "'%s': peer '%.*s'", line, (int)cmd.peer_len, cmd.peer);
	ck_assert_msg(span_is(cmd.text, cmd.text_len, parse_cases[_i].text),
	    "'%s': text '%.*s'", line, (int)cmd.text_len, cmd.text);
	if (cmd.kind == CONSOLE_CONNECT)
		ck_assert_int_eq(cmd.port, parse_cases[_i].port);
	if (parse_cases[_i].usage != NULL)
		ck_assert_str_eq(cmd.usage, parse_cases[_i].usage);
}
END_TEST

/* The line need not be NUL-terminated: only len bytes are read. */
START_TEST(test_parse_unterminated)
{
	struct console_cmd cmd;
	char buf[] = { 'p', 'e', 'e', 'r', 's', 'X' };

	console_parse(buf, 5, &cmd);
	ck_assert_int_eq(cmd.kind, CONSOLE_PEERS);
}
END_TEST

static const struct {
	const char	*s;
	int		 port;
} port_cases[] = {
	{ "1", 1 }, { "80", 80 }, { "14595", 14595 }, { "65535", 65535 },
	{ "00080", 80 }, { "0", -1 }, { "65536", -1 }, { "99999", -1 },
	{ "4294967377", -1 }, { "", -1 }, { "-1", -1 }, { "+80", -1 },
	{ " 80", -1 }, { "80 ", -1 }, { "8o", -1 }, { "0x50", -1 },
};

START_TEST(test_port)
{
	const char *s = port_cases[_i].s;

	ck_assert_msg(console_port(s, strlen(s)) == port_cases[_i].port,
	    "'%s' gave %d", s, console_port(s, strlen(s)));
}
END_TEST

/* --- console_selector and console_name_ok -------------------------------- */

static const struct {
	const char	*sel;
	enum console_sel kind;
	int		 index;
} selector_cases[] = {
	{ "0", CONSOLE_SEL_INDEX, 0 },
	{ "42", CONSOLE_SEL_INDEX, 42 },
	{ "007", CONSOLE_SEL_INDEX, 7 },
	{ "999999999", CONSOLE_SEL_INDEX, 999999999 },
	{ "9999999999", CONSOLE_SEL_INDEX, -1 },	/* no such index */
	{ "127.0.0.1:14595", CONSOLE_SEL_ADDR, -1 },
	{ "[::1]:14595", CONSOLE_SEL_ADDR, -1 },
	{ "localhost:14596", CONSOLE_SEL_ADDR, -1 },
	{ "alpha", CONSOLE_SEL_NAME, -1 },
	{ "127.0.0.1", CONSOLE_SEL_NAME, -1 },		/* no port: no address */
	{ "-1", CONSOLE_SEL_NAME, -1 },
	{ "+0", CONSOLE_SEL_NAME, -1 },
	{ "", CONSOLE_SEL_BAD, -1 },
};

START_TEST(test_selector)
{
	const char *sel = selector_cases[_i].sel;
	int index = 123;
	enum console_sel k = console_selector(sel, strlen(sel), &index);

	ck_assert_msg(k == selector_cases[_i].kind, "'%s' is kind %d, want %d",
	    sel, (int)k, (int)selector_cases[_i].kind);
	ck_assert_msg(index == selector_cases[_i].index, "'%s' is index %d, "
	    "want %d", sel, index, selector_cases[_i].index);
}
END_TEST

/* A name may shadow neither an index, an address nor a selector. */
static const struct {
	const char	*name;
	int		 ok;
} name_cases[] = {
	{ "alpha", 1 }, { "web-1", 1 }, { "db.example", 1 }, { "x", 1 },
	{ "h\xc3\xa9las", 1 }, { "1a", 1 }, { "a1-2", 1 },
	{ "", 0 }, { "12", 0 }, { "0", 0 }, { "1-3", 0 }, { "10.0.0.1", 0 },
	{ "127.0.0.1:22051", 0 }, { "::1", 0 }, { "a b", 1 }, { "a\tb", 0 },
	{ "web*", 0 }, { "db?", 0 }, { "a,b", 0 }, { "gw/2", 0 },
	{ "[x]", 0 }, { "a@b", 0 }, { "a\x7f", 0 },
};

START_TEST(test_name_ok)
{
	const char *name = name_cases[_i].name;

	ck_assert_msg(console_name_ok(name, strlen(name)) == name_cases[_i].ok,
	    "'%s' should %sbe a name", name, name_cases[_i].ok ? "" : "not ");
}
END_TEST

/* --- console_expand ----------------------------------------------------- */

static const struct console_alias aliases[] = {
	{ "add", "calc 1+2" },
	{ "status", "system status" },
	{ "a", "b" },
	{ "b", "a" },
	{ "self", "self" },
	{ "twice", "add" },
	{ "x", "y" },
	{ "y", "z" },
	{ "z", "y" },
	{ "padded", "  add  " },
};

static const struct {
	const char	*line;
	int		 rc;
	const char	*out;	/* the command, or the error */
} expand_cases[] = {
	{ "add", 0, "calc 1+2" },
	{ " add ", 0, "calc 1+2" },
	{ "twice", 0, "calc 1+2" },
	{ "padded", 0, "calc 1+2" },
	{ "status", 0, "system status" },
	{ "calc 5", 0, "calc 5" },
	{ "add 1", 0, "add 1" },		/* only a whole line expands */
	{ "ad", 0, "ad" },
	{ "a", -1, "alias loop: a -> b -> a" },
	{ "b", -1, "alias loop: b -> a -> b" },
	{ "self", -1, "alias loop: self -> self" },
	{ "x", -1, "alias loop: y -> z -> y" },
};

START_TEST(test_expand)
{
	const char *line = expand_cases[_i].line, *out = NULL;
	size_t out_len = 0;
	char err[128] = "";
	int rc;

	rc = console_expand(aliases, (int)(sizeof(aliases) /
	    sizeof(aliases[0])), line, strlen(line), &out, &out_len, err,
	    sizeof(err));
	ck_assert_int_eq(rc, expand_cases[_i].rc);
	if (rc == 0)
		ck_assert_msg(span_is(out, out_len, expand_cases[_i].out),
		    "'%s' gave '%.*s'", line, (int)out_len, out);
	else
		ck_assert_str_eq(err, expand_cases[_i].out);
}
END_TEST

/* A long alias chain stops at the hop limit, as a loop, not a crash. */
START_TEST(test_expand_long_chain)
{
	static struct console_alias chain[200];
	static char names[200][16];
	const char *out;
	size_t out_len;
	char err[4096];
	int i;

	for (i = 0; i < 200; i++)
		snprintf(names[i], sizeof(names[i]), "n%d", i);
	for (i = 0; i < 200; i++) {
		chain[i].name = names[i];
		chain[i].expansion = i + 1 < 200 ? names[i + 1] : "calc 1";
	}
	ck_assert_int_eq(console_expand(chain, 200, "n190", 4, &out, &out_len,
	    err, sizeof(err)), 0);
	ck_assert(span_is(out, out_len, "calc 1"));
	ck_assert_int_eq(console_expand(chain, 200, "n0", 2, &out, &out_len,
	    err, sizeof(err)), -1);
	ck_assert(strncmp(err, "alias loop: ", 12) == 0);
	/* A tiny error buffer is truncated, never overrun. */
	ck_assert_int_eq(console_expand(aliases, 4, "a", 1, &out, &out_len,
	    err, 5), -1);
	ck_assert_str_eq(err, "alia");
}
END_TEST

static Suite *
console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("console");

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
	tcase_add_loop_test(tc, test_parse, 0, N(parse_cases));
	tcase_add_test(tc, test_parse_unterminated);
	tcase_add_loop_test(tc, test_port, 0, N(port_cases));
	tcase_add_loop_test(tc, test_selector, 0, N(selector_cases));
	tcase_add_loop_test(tc, test_name_ok, 0, N(name_cases));
	tcase_add_loop_test(tc, test_expand, 0, N(expand_cases));
	tcase_add_test(tc, test_expand_long_chain);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(console_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
