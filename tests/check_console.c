/*
 * Unit tests for console.c and the pure pieces it stands on: how console
 * lines parse, how a peer selector resolves, how aliases expand with their
 * arguments (console.c), how a line splits into words (words.c), and how
 * a selector list and a glob read (select.c).  Each rule is a row in a
 * table; inputs are copied to the heap at their exact length, so
 * AddressSanitizer sees any read past the end.
 */
#include <check.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "select.h"
#include "words.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A heap copy of s without its NUL. */
static char *
dup_n(const char *s, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, len);
	return p;
}

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
	{ "gather 1-3 calc 1+2", CONSOLE_GATHER, "1-3", "calc 1+2", 0, NULL },
	{ "  gather\t*   uptime  ", CONSOLE_GATHER, "*", "uptime", 0, NULL },
	{ "gather @web,0 echo 'a  b'", CONSOLE_GATHER, "@web,0",
	    "echo 'a  b'", 0, NULL },
	{ "gather", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: gather <selector> <command>" },
	{ "gather *", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: gather <selector> <command>" },
	{ "gather *  \t", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: gather <selector> <command>" },
	{ "gathering x y", CONSOLE_LOCAL, NULL, "gathering x y", 0, NULL },
	{ "disconnect 2", CONSOLE_DISCONNECT, "2", NULL, 0, NULL },
	{ "disconnect  alpha ", CONSOLE_DISCONNECT, "alpha", NULL, 0, NULL },
	{ "disconnect", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: disconnect <peer>" },
	{ "disconnect a b", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: disconnect <peer>" },
	{ "forget 127.0.0.1:14595", CONSOLE_FORGET, "127.0.0.1:14595", NULL, 0,
	    NULL },
	{ "forget", CONSOLE_USAGE, NULL, NULL, 0, "Usage: forget <peer>" },
	{ "forget a b", CONSOLE_USAGE, NULL, NULL, 0, "Usage: forget <peer>" },
	{ "forgetful", CONSOLE_LOCAL, NULL, "forgetful", 0, NULL },
	{ "source cmds.txt", CONSOLE_SOURCE, NULL, "cmds.txt", 0, NULL },
	{ "source -k cmds.txt", CONSOLE_SOURCE, NULL, "cmds.txt", 0, NULL },
	{ "source  my file.txt", CONSOLE_SOURCE, NULL, "my file.txt", 0, NULL },
	{ "source", CONSOLE_USAGE, NULL, NULL, 0, "Usage: source [-k] <file>" },
	{ "source -k", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: source [-k] <file>" },
	{ "source -k  ", CONSOLE_USAGE, NULL, NULL, 0,
	    "Usage: source [-k] <file>" },
	{ "sources x", CONSOLE_LOCAL, NULL, "sources x", 0, NULL },
	{ "@1-3,web-* calc 1", CONSOLE_REMOTE, "1-3,web-*", "calc 1", 0, NULL },
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
	char *copy = dup_n(line, strlen(line));

	console_parse(copy, strlen(line), &cmd);
	/* Spans point into the line, so read them before it goes. */
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
	if (cmd.kind != CONSOLE_USAGE)
		ck_assert_ptr_null(cmd.usage);
	free(copy);
}
END_TEST

/* source [-k] <file>: the file, and whether -k was given. */
static const struct {
	const char	*line;
	const char	*file;
	int		 keep;
} source_cases[] = {
	{ "source cmds.txt", "cmds.txt", 0 },
	{ "source -k cmds.txt", "cmds.txt", 1 },
	{ "source\t-k\t my file.txt ", "my file.txt", 1 },
	{ "source  my file.txt", "my file.txt", 0 },
	{ "source -kx", "-kx", 0 },
	{ "source -k -k", "-k", 1 },
	{ "source ./-k", "./-k", 0 },
};

START_TEST(test_source)
{
	struct console_cmd cmd;
	const char *line = source_cases[_i].line;

	console_parse(line, strlen(line), &cmd);
	ck_assert_int_eq(cmd.kind, CONSOLE_SOURCE);
	ck_assert(span_is(cmd.text, cmd.text_len, source_cases[_i].file));
	ck_assert_int_eq(cmd.keep_going, source_cases[_i].keep);
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

/* Aliases without parameters: arguments are appended. */
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

/* Aliases with parameters. */
static const struct console_alias arg_aliases[] = {
	{ "add", "calc $1+$2" },
	{ "sum", "calc $*" },
	{ "greet", "echo $1" },
	{ "hello", "echo hello" },
	{ "swap", "echo $2 $1" },
	{ "cost", "echo $5 costs $$1, not $0 or $x or $" },
	{ "inc", "add $1 1" },
	{ "double", "add $1 $1" },
	{ "pre", "  add $1 $2  " },
	{ "first", "$1" },
	{ "all9", "$1$2$3$4$5$6$7$8$9|$*" },
	{ "ten", "echo $10" },
	{ "go", "run $*" },
	{ "run", "go $1" },
	{ "say", "greet $*" },
	{ "tail", "echo $* $9" },
};

static const struct {
	int		 args;	/* 1: arg_aliases, 0: aliases */
	const char	*line;
	int		 rc;
	const char	*out;	/* the command, or the error */
} expand_cases[] = {
	{ 0, "add", 0, "calc 1+2" },
	{ 0, " add ", 0, "calc 1+2" },
	{ 0, "twice", 0, "calc 1+2" },
	{ 0, "padded", 0, "calc 1+2" },
	{ 0, "status", 0, "system status" },
	{ 0, "calc 5", 0, "calc 5" },
	{ 0, "ad", 0, "ad" },
	{ 0, "", 0, "" },
	{ 0, " \t ", 0, "" },
	{ 0, "add 1", 0, "calc 1+2 1" },	/* arguments appended */
	{ 0, "add  1 \t 2 ", 0, "calc 1+2 1 \t 2" },
	{ 0, "twice 7", 0, "calc 1+2 7" },
	{ 0, "padded 'a b'", 0, "calc 1+2 'a b'" },
	{ 0, "\"add\" 1", 0, "\"add\" 1" },	/* quoted: no alias */
	{ 0, "add\\ 1", 0, "add\\ 1" },
	{ 0, "addx 1", 0, "addx 1" },
	{ 0, "a", -1, "alias loop: a -> b -> a" },
	{ 0, "b 1", -1, "alias loop: b -> a -> b" },
	{ 0, "self", -1, "alias loop: self -> self" },
	{ 0, "x", -1, "alias loop: y -> z -> y" },
	{ 1, "add 5 6", 0, "calc 5+6" },
	{ 1, "  add   5 \t 6  ", 0, "calc 5+6" },
	{ 1, "add 5", 0, "calc 5+" },		/* missing: empty */
	{ 1, "add", 0, "calc +" },
	{ 1, "add 5 6 7", 0, "calc 5+6" },	/* used: not appended */
	{ 1, "sum 1 + 2", 0, "calc 1 + 2" },
	{ 1, "sum   'a  b'   c  ", 0, "calc 'a  b'   c" },
	{ 1, "sum", 0, "calc" },
	{ 1, "greet \"a b\"", 0, "echo \"a b\"" },
	{ 1, "greet 'x y' z", 0, "echo 'x y'" },
	{ 1, "greet a\\ b c", 0, "echo a\\ b" },
	{ 1, "greet x\"y z\"w v", 0, "echo x\"y z\"w" },
	{ 1, "greet 'open quote", 0, "echo 'open quote" },
	{ 1, "hello", 0, "echo hello" },
	{ 1, "hello world  x", 0, "echo hello world  x" },
	{ 1, "swap a b", 0, "echo b a" },
	{ 1, "swap a", 0, "echo  a" },
	{ 1, "cost 1 2 3 4 5", 0, "echo 5 costs $1, not $0 or $x or $" },
	{ 1, "inc 41", 0, "calc 41+1" },
	{ 1, "double 3", 0, "calc 3+3" },
	{ 1, "pre 1 2", 0, "calc 1+2" },
	{ 1, "first hello x", 0, "echo hello" },
	{ 1, "first", 0, "" },
	{ 1, "all9 1 2 3 4 5 6 7 8 9 10", 0, "123456789|1 2 3 4 5 6 7 8 9 10" },
	{ 1, "ten a b", 0, "echo a0" },
	{ 1, "say \"a b\" c", 0, "echo \"a b\"" },
	{ 1, "say $2 x", 0, "echo $2" },	/* arguments are not re-read */
	{ 1, "tail a", 0, "echo a" },
	{ 1, "go x", -1, "alias loop: go -> run -> go" },
	{ 1, "run x", -1, "alias loop: run -> go -> run" },
};

/* console_expand() into a heap buffer of exactly outsize bytes. */
static int
expand(const struct console_alias *a, int n, const char *line,
    size_t outsize, char *got, size_t gotsize, char *err, size_t errsize)
{
	char *copy = dup_n(line, strlen(line));
	char *out = malloc(outsize > 0 ? outsize : 1);
	size_t outlen = 12345;
	int rc;

	ck_assert_ptr_nonnull(out);
	rc = console_expand(a, n, copy, strlen(line), out, outsize, &outlen,
	    err, errsize);
	if (rc == 0) {
		ck_assert_uint_lt(outlen, outsize);
		ck_assert_int_eq(out[outlen], '\0');
		ck_assert_uint_lt(outlen, gotsize);
		memcpy(got, out, outlen + 1);
	}
	free(out);
	free(copy);
	return rc;
}

START_TEST(test_expand)
{
	const char *line = expand_cases[_i].line;
	char got[256], err[128] = "";
	int rc;

	if (expand_cases[_i].args)
		rc = expand(arg_aliases, N(arg_aliases), line, 256, got,
		    sizeof(got), err, sizeof(err));
	else
		rc = expand(aliases, N(aliases), line, 256, got, sizeof(got),
		    err, sizeof(err));
	ck_assert_msg(rc == expand_cases[_i].rc, "'%s': rc %d (%s)", line, rc,
	    err);
	if (rc == 0)
		ck_assert_msg(strcmp(got, expand_cases[_i].out) == 0,
		    "'%s' gave '%s'", line, got);
	else
		ck_assert_str_eq(err, expand_cases[_i].out);
}
END_TEST

/* How much room each expansion needs. */
static const struct {
	int		 args;
	const char	*line;
	const char	*out;
	size_t		 fits;	/* the smallest outsize that works */
	const char	*err;	/* the error one byte below */
} room_cases[] = {
	{ 0, "calc 5", "calc 5", 7, "command too long" },
	{ 0, "", "", 1, "command too long" },
	{ 0, "add", "calc 1+2", 9, "command too long after alias expansion" },
	{ 0, "twice 7", "calc 1+2 7", 11,
	    "command too long after alias expansion" },
	{ 0, "padded 1 2 3", "calc 1+2 1 2 3", 15,
	    "command too long after alias expansion" },
	{ 1, "add 5 6", "calc 5+6", 9,
	    "command too long after alias expansion" },
	{ 1, "add  5  ", "calc 5+", 8,
	    "command too long after alias expansion" },
	{ 1, "swap 1", "echo  1", 8,
	    "command too long after alias expansion" },
	/* Every line on the way needs room: "greet x" and its NUL. */
	{ 1, "say x", "echo x", 8, "command too long after alias expansion" },
	/*
	 * "inc 41" -> "add 41 1" -> "calc 41+1": the second hop needs its
	 * arguments "41 1" and its result at once (console.h).
	 */
	{ 1, "inc 41", "calc 41+1", 13,
	    "command too long after alias expansion" },
};

START_TEST(test_expand_room)
{
	const struct console_alias *a = room_cases[_i].args ? arg_aliases :
	    aliases;
	int n = room_cases[_i].args ? N(arg_aliases) : N(aliases);
	size_t fits = room_cases[_i].fits;
	char got[256], err[128];

	ck_assert_int_eq(expand(a, n, room_cases[_i].line, fits, got,
	    sizeof(got), err, sizeof(err)), 0);
	ck_assert_str_eq(got, room_cases[_i].out);
	ck_assert_int_eq(expand(a, n, room_cases[_i].line, fits - 1, got,
	    sizeof(got), err, sizeof(err)), -1);
	ck_assert_str_eq(err, room_cases[_i].err);
}
END_TEST

/* Twenty aliases that each double their arguments stop at the bound. */
START_TEST(test_expand_growth)
{
	static struct console_alias grow[21];
	static char names[21][16], exps[21][32];
	char got[4096], err[128];
	int i;

	for (i = 0; i < 21; i++) {
		snprintf(names[i], sizeof(names[i]), "g%d", i);
		if (i < 20)
			snprintf(exps[i], sizeof(exps[i]), "g%d $* $*", i + 1);
		else
			snprintf(exps[i], sizeof(exps[i]), "echo $*");
		grow[i].name = names[i];
		grow[i].expansion = exps[i];
	}
	ck_assert_int_eq(expand(grow, 21, "g17 x", sizeof(got), got,
	    sizeof(got), err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(got), 5 + 8 * 2 - 1);	/* "echo" + 8 x's */
	ck_assert_int_eq(expand(grow, 21, "g0 x", sizeof(got), got,
	    sizeof(got), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "command too long after alias expansion");
	ck_assert_int_eq(expand(grow, 21, "g0 x", 0, got, sizeof(got), err,
	    sizeof(err)), -1);
}
END_TEST

/* A long alias chain stops at the hop limit, as a loop, not a crash. */
START_TEST(test_expand_long_chain)
{
	static struct console_alias chain[200];
	static char names[200][16];
	char out[64], err[4096];
	size_t out_len;
	int i;

	for (i = 0; i < 200; i++)
		snprintf(names[i], sizeof(names[i]), "n%d", i);
	for (i = 0; i < 200; i++) {
		chain[i].name = names[i];
		chain[i].expansion = i + 1 < 200 ? names[i + 1] : "calc 1";
	}
	ck_assert_int_eq(console_expand(chain, 200, "n190 x", 6, out,
	    sizeof(out), &out_len, err, sizeof(err)), 0);
	ck_assert_str_eq(out, "calc 1 x");
	ck_assert_uint_eq(out_len, 8);
	ck_assert_int_eq(console_expand(chain, 200, "n0", 2, out, sizeof(out),
	    &out_len, err, sizeof(err)), -1);
	ck_assert(strncmp(err, "alias loop: ", 12) == 0);
	/* A tiny error buffer is truncated, never overrun. */
	ck_assert_int_eq(console_expand(aliases, 4, "a", 1, out, sizeof(out),
	    &out_len, err, 5), -1);
	ck_assert_str_eq(err, "alia");
	ck_assert_int_eq(console_expand(aliases, 4, "calc 12345", 10, out, 4,
	    &out_len, err, 5), -1);
	ck_assert_str_eq(err, "comm");
}
END_TEST

/* --- words ---------------------------------------------------------------- */

/* Lines and their words as written, '|' between words. */
static const struct {
	const char	*line;
	const char	*raw;
} next_cases[] = {
	{ "", "" },
	{ " \t ", "" },
	{ "a", "a" },
	{ "  a  bc\td ", "a|bc|d" },
	{ "'a b' c", "'a b'|c" },
	{ "\"a \\\" b\" c", "\"a \\\" b\"|c" },
	{ "a\\ b c", "a\\ b|c" },
	{ "x'y z'w\"1 2\" v", "x'y z'w\"1 2\"|v" },
	{ "'open quote", "'open quote" },
	{ "\"open \\\" x", "\"open \\\" x" },
	{ "a \"b\\\\\" c", "a|\"b\\\\\"|c" },
	{ "'a\\' b", "'a\\'|b" },
	{ "trail\\", "trail\\" },
	{ "a\\\tb", "a\\\tb" },
	{ "a;b|c", "a;b|c" },
};

START_TEST(test_words_next)
{
	const char *line = next_cases[_i].line, *w, *p;
	size_t len = strlen(line), wl;
	char *copy = dup_n(line, len), got[128] = "";
	int k = 0;

	for (p = copy; (w = words_next(p, len - (size_t)(p - copy), &wl)) !=
	    NULL; p = w + wl) {
		ck_assert_uint_gt(wl, 0);
		if (k++ > 0)
			strcat(got, "|");
		strncat(got, w, wl);
	}
	ck_assert_uint_eq(wl, 0);
	ck_assert_str_eq(got, next_cases[_i].raw);
	free(copy);
}
END_TEST

/* Lines and their words unquoted, '|' between words, or the error. */
static const struct {
	const char	*line;
	int		 n;
	const char	*words;		/* or the error, when n is -1 */
} split_cases[] = {
	{ "", 0, "" },
	{ "  \t", 0, "" },
	{ "a b", 2, "a|b" },
	{ "'a b' c", 2, "a b|c" },
	{ "\"a \\\" b\"", 1, "a \" b" },
	{ "\"\\$x \\` \\\\ \\n\"", 1, "$x ` \\ \\n" },
	{ "'\\'", 1, "\\" },
	{ "'a\"b'", 1, "a\"b" },
	{ "\"a'b\"", 1, "a'b" },
	{ "a\\ b", 1, "a b" },
	{ "\\'x \\\"y", 2, "'x|\"y" },
	{ "''", 1, "" },
	{ "'' \"\" x", 3, "||x" },
	{ "a''b\"\"c", 1, "abc" },
	{ "x\\", 1, "x\\" },
	{ "\\\\", 1, "\\" },
	{ "it's", -1, "unterminated quote" },
	{ "a \"b", -1, "unterminated quote" },
	{ "a \"b\\\"", -1, "unterminated quote" },
};

START_TEST(test_words_split)
{
	const char *line = split_cases[_i].line, *err = NULL;
	size_t len = strlen(line);
	char *copy = dup_n(line, len), *buf = malloc(len + 1), *argv[8];
	char got[128] = "";
	int n, i;

	ck_assert_ptr_nonnull(buf);
	n = words_split(copy, len, buf, len + 1, argv, 8, &err);
	ck_assert_int_eq(n, split_cases[_i].n);
	if (n < 0)
		ck_assert_str_eq(err, split_cases[_i].words);
	else {
		for (i = 0; i < n; i++) {
			if (i > 0)
				strcat(got, "|");
			strcat(got, argv[i]);
		}
		ck_assert_str_eq(got, split_cases[_i].words);
		ck_assert_ptr_null(argv[n]);
	}
	free(buf);
	free(copy);
}
END_TEST

START_TEST(test_words_limits)
{
	char buf[32], *argv[4];
	const char *err = NULL;

	/* maxargs counts the NULL. */
	ck_assert_int_eq(words_split("a b c", 5, buf, sizeof(buf), argv, 4,
	    &err), 3);
	ck_assert_int_eq(words_split("a b c d", 7, buf, sizeof(buf), argv, 4,
	    &err), -1);
	ck_assert_str_eq(err, "too many words");
	ck_assert_int_eq(words_split("", 0, buf, sizeof(buf), argv, 0, &err),
	    -1);
	ck_assert_int_eq(words_split("", 0, buf, 0, argv, 1, &err), 0);
	/* Room for the unquoted words and their NULs is enough. */
	ck_assert_int_eq(words_split("'ab' 'cd'", 9, buf, 6, argv, 4, &err),
	    2);
	ck_assert_str_eq(argv[1], "cd");
	ck_assert_int_eq(words_split("'ab' 'cd'", 9, buf, 5, argv, 4, &err),
	    -1);
	ck_assert_str_eq(err, "no room");
}
END_TEST

/*
 * Random lines of blanks, quotes and backslashes: words_split() into
 * len + 1 bytes never runs out of room, and finds the words words_next()
 * finds.
 */
START_TEST(test_words_random)
{
	static const char alphabet[] = "ab \t'\"\\$";
	char line[24], buf[25], *argv[26];
	const char *err, *p, *w;
	size_t len, wl;
	int round, i, n, count;

	srand(7);
	for (round = 0; round < 20000; round++) {
		len = (size_t)(rand() % (int)sizeof(line));
		for (i = 0; i < (int)len; i++)
			line[i] = alphabet[rand() % (int)(sizeof(alphabet) -
			    1)];
		err = NULL;
		n = words_split(line, len, buf, len + 1, argv, 26, &err);
		for (count = 0, p = line; (w = words_next(p, len -
		    (size_t)(p - line), &wl)) != NULL; p = w + wl)
			count++;
		if (n < 0)
			ck_assert_str_eq(err, "unterminated quote");
		else
			ck_assert_int_eq(n, count);
	}
}
END_TEST
/* --- select -------------------------------------------------------------- */

/*
 * Selectors and their items, one word each: i<lo> for an index,
 * r<lo>-<hi> a range, n<text> a name, a<text> an address, * all,
 * g<pattern> a glob, @<name> a group; or the error when n is -1.
 */
static const struct {
	const char	*sel;
	int		 n;
	const char	*items;
	int		 multi;
} select_cases[] = {
	{ "0", 1, "i0", 0 },
	{ "007", 1, "i7", 0 },
	{ "999999999", 1, "i999999999", 0 },
	{ "0000000000001", 1, "i1", 0 },
	{ "1000000000", -1, "index too large", 0 },
	{ "99999999999999999999999", -1, "index too large", 0 },
	{ "1-3", 1, "r1-3", 1 },
	{ "3-3", 1, "r3-3", 1 },
	{ "0-999999999", 1, "r0-999999999", 1 },
	{ "5-3", -1, "bad range 5-3", 0 },
	{ "1-9999999999", -1, "index too large", 0 },
	{ "*", 1, "*", 1 },
	{ "@web", 1, "@web", 1 },
	{ "@", -1, "bad group name ''", 0 },
	{ "@12", -1, "bad group name '12'", 0 },
	{ "@a/b", -1, "bad group name 'a/b'", 0 },
	{ "@@x", -1, "bad group name '@x'", 0 },
	{ "web-*", 1, "gweb-*", 1 },
	{ "db?", 1, "gdb?", 1 },
	{ "[ab]x", 1, "g[ab]x", 1 },
	{ "**", 1, "g**", 1 },
	{ "10.0.0.*:14595", 1, "g10.0.0.*:14595", 1 },
	{ "[::1]:14595", 1, "a[::1]:14595", 0 },
	{ "[::1]:*", 1, "g[::1]:*", 1 },
	{ "\\[::1\\]:*", 1, "g\\[::1\\]:*", 1 },
	{ "127.0.0.1:14595", 1, "a127.0.0.1:14595", 0 },
	{ "localhost:1", 1, "alocalhost:1", 0 },
	{ "alpha", 1, "nalpha", 0 },
	{ "127.0.0.1", 1, "n127.0.0.1", 0 },
	{ "-1", 1, "n-1", 0 },
	{ "1-", 1, "n1-", 0 },
	{ "1-2-3", 1, "n1-2-3", 0 },
	{ "a]b", 1, "na]b", 0 },
	{ "0,2,alpha", 3, "i0 i2 nalpha", 1 },
	{ "1-3,*,@g,x*,[::1]:1", 5, "r1-3 * @g gx* a[::1]:1", 1 },
	{ "alpha,alpha", 2, "nalpha nalpha", 1 },
	{ "", -1, "empty selector", 0 },
	{ "a,,b", -1, "empty item in selector 'a,,b'", 0 },
	{ ",a", -1, "empty item in selector ',a'", 0 },
	{ "a,", -1, "empty item in selector 'a,'", 0 },
	{ ",", -1, "empty item in selector ','", 0 },
	{ "1,5-3", -1, "bad range 5-3", 0 },
};

START_TEST(test_select)
{
	const char *sel = select_cases[_i].sel;
	size_t len = strlen(sel);
	char *copy = dup_n(sel, len), got[256] = "", err[128] = "";
	struct select_item it[SELECT_MAX_ITEMS];
	int n, i;

	n = select_parse(copy, len, it, SELECT_MAX_ITEMS, err, sizeof(err));
	ck_assert_msg(n == select_cases[_i].n, "'%s': %d items (%s)", sel, n,
	    err);
	if (n < 0) {
		ck_assert_str_eq(err, select_cases[_i].items);
		free(copy);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(got, " ");
		switch (it[i].kind) {
		case SELECT_INDEX:
			ck_assert_int_eq(it[i].lo, it[i].hi);
			sprintf(got + strlen(got), "i%d", it[i].lo);
			break;
		case SELECT_RANGE:
			sprintf(got + strlen(got), "r%d-%d", it[i].lo,
			    it[i].hi);
			break;
		default:
			ck_assert_int_eq(it[i].lo, -1);
			ck_assert_int_eq(it[i].hi, -1);
			sprintf(got + strlen(got), "%s%.*s",
			    it[i].kind == SELECT_NAME ? "n" :
			    it[i].kind == SELECT_ADDR ? "a" :
			    it[i].kind == SELECT_GLOB ? "g" :
			    it[i].kind == SELECT_GROUP ? "@" : "",
			    (int)it[i].len, it[i].text);
			break;
		}
		/* Items point into the selector. */
		ck_assert(it[i].text >= copy && it[i].text + it[i].len <=
		    copy + len);
	}
	ck_assert_str_eq(got, select_cases[_i].items);
	ck_assert_int_eq(select_is_multi(it, n), select_cases[_i].multi);
	free(copy);
}
END_TEST

START_TEST(test_select_limits)
{
	static char sel[2 * SELECT_MAX_ITEMS + 8];
	struct select_item it[SELECT_MAX_ITEMS];
	char err[64];
	size_t len;
	int i;

	for (i = 0, len = 0; i < SELECT_MAX_ITEMS; i++) {
		sel[len++] = i > 0 ? ',' : '7';
		if (i > 0)
			sel[len++] = '7';
	}
	ck_assert_int_eq(select_parse(sel, len, it, SELECT_MAX_ITEMS, err,
	    sizeof(err)), SELECT_MAX_ITEMS);
	memcpy(sel + len, ",7", 2);
	ck_assert_int_eq(select_parse(sel, len + 2, it, SELECT_MAX_ITEMS, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "more than 256 items in selector");
	ck_assert_int_eq(select_parse("1,2,3", 5, it, 2, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "more than 2 items in selector");
	/* A small err is truncated. */
	ck_assert_int_eq(select_parse("a,,b", 4, it, 4, err, 6), -1);
	ck_assert_str_eq(err, "empty");
	ck_assert_int_eq(select_is_multi(it, 0), 0);
}
END_TEST

static const struct {
	const char	*pat;
	const char	*s;
	int		 match;
} glob_cases[] = {
	{ "", "", 1 }, { "", "a", 0 }, { "*", "", 1 }, { "*", "any", 1 },
	{ "a*", "a", 1 }, { "a*", "ba", 0 }, { "*a", "ba", 1 },
	{ "a?c", "abc", 1 }, { "a?c", "ac", 0 }, { "?", "", 0 },
	{ "[abc]x", "bx", 1 }, { "[abc]x", "dx", 0 }, { "[a-c]", "b", 1 },
	{ "[a-c]", "d", 0 }, { "[!a-c]", "b", 0 }, { "[!a-c]", "d", 1 },
	{ "[^a-c]", "d", 1 }, { "[^a-c]", "a", 0 }, { "[]]", "]", 1 },
	{ "[!]]", "]", 0 }, { "[!]]", "x", 1 }, { "[a-]", "-", 1 },
	{ "[-a]", "-", 1 }, { "[z-a]", "m", 0 }, { "\\*", "*", 1 },
	{ "\\*", "a", 0 }, { "\\?", "?", 1 }, { "a\\", "a\\", 1 },
	{ "[", "[", 1 }, { "[ab", "[ab", 1 }, { "[ab", "a", 0 },
	{ "a[", "a[", 1 }, { "[\\]]", "]", 1 }, { "[a\\-z]", "-", 1 },
	{ "[a\\-z]", "b", 0 }, { "[*]", "*", 1 }, { "[*]", "a", 0 },
	{ "web-*", "web-12", 1 }, { "web-*", "db-1", 0 },
	{ "10.0.0.*:14595", "10.0.0.7:14595", 1 },
	{ "10.0.0.*:14595", "10.0.0.7:14596", 0 },
	{ "\\[::1\\]:*", "[::1]:14595", 1 },
	{ "*.example", "db.example", 1 }, { "a*b*c", "aXbYc", 1 },
	{ "a*b*c", "aXbY", 0 }, { "*x*", "abc", 0 }, { "**a**", "bab", 1 },
	{ "*ab", "aab", 1 }, { "*aab", "aaab", 1 }, { "a*?", "a", 0 },
	{ "a*?", "ab", 1 }, { "h\xc3\xa9*", "h\xc3\xa9las", 1 },
	{ "[\x80-\xff]*", "\xc3\xa9", 1 }, { "[\x80-\xff]", "a", 0 },
};

START_TEST(test_glob)
{
	const char *pat = glob_cases[_i].pat, *s = glob_cases[_i].s;
	char *p = dup_n(pat, strlen(pat)), *t = dup_n(s, strlen(s));

	ck_assert_msg(select_glob(p, strlen(pat), t, strlen(s)) ==
	    glob_cases[_i].match, "'%s' ~ '%s'", pat, s);
	free(p);
	free(t);
}
END_TEST

/* A pattern that backtracks exponentially in a naive matcher. */
START_TEST(test_glob_fast)
{
	static char s[100001];
	static const char *const pats[] = {
		"a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*b", "*?*?*?*?*?*?*?b",
	};
	int i;

	memset(s, 'a', sizeof(s) - 1);
	for (i = 0; i < N(pats); i++) {
		ck_assert_int_eq(select_glob(pats[i], strlen(pats[i]), s,
		    sizeof(s) - 1), 0);
		ck_assert_int_eq(select_glob(pats[i], strlen(pats[i]) - 1, s,
		    sizeof(s) - 1), 1);
	}
}
END_TEST

/* select_glob() agrees with fnmatch(3) on random well-formed patterns. */
START_TEST(test_glob_fnmatch)
{
	static const char *const units[] = {
		"a", "b", "*", "?", "[ab]", "[!a]", "[a-b]", "\\*", "\\a",
	};
	char pat[64], s[12];
	int round, k, i, n;

	srand(11);
	for (round = 0; round < 50000; round++) {
		pat[0] = '\0';
		for (k = rand() % 7; k > 0; k--)
			strcat(pat, units[rand() % N(units)]);
		n = rand() % 9;
		for (i = 0; i < n; i++)
			s[i] = "ab*"[rand() % 3];
		s[n] = '\0';
		ck_assert_msg(select_glob(pat, strlen(pat), s, (size_t)n) ==
		    (fnmatch(pat, s, 0) == 0), "'%s' ~ '%s'", pat, s);
	}
}
END_TEST

static Suite *
console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("console");

	tcase_add_loop_test(tc, test_parse, 0, N(parse_cases));
	tcase_add_loop_test(tc, test_source, 0, N(source_cases));
	tcase_add_test(tc, test_parse_unterminated);
	tcase_add_loop_test(tc, test_port, 0, N(port_cases));
	tcase_add_loop_test(tc, test_selector, 0, N(selector_cases));
	tcase_add_loop_test(tc, test_name_ok, 0, N(name_cases));
	tcase_add_loop_test(tc, test_expand, 0, N(expand_cases));
	tcase_add_loop_test(tc, test_expand_room, 0, N(room_cases));
	tcase_add_test(tc, test_expand_growth);
	tcase_add_test(tc, test_expand_long_chain);
	tcase_add_loop_test(tc, test_words_next, 0, N(next_cases));
	tcase_add_loop_test(tc, test_words_split, 0, N(split_cases));
	tcase_add_test(tc, test_words_limits);
	tcase_add_test(tc, test_words_random);
	tcase_add_loop_test(tc, test_select, 0, N(select_cases));
	tcase_add_test(tc, test_select_limits);
	tcase_add_loop_test(tc, test_glob, 0, N(glob_cases));
	tcase_add_test(tc, test_glob_fast);
	tcase_add_test(tc, test_glob_fnmatch);
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
