/*
 * Unit tests for chain.c: how a console line is cut at ';', '&&', '||'
 * and '|', what quoting protects, which lines are refused and with what
 * message, and how a piped stage takes its input.  Each rule is a row in
 * a table; every line is parsed from a heap copy of exactly its length, so
 * AddressSanitizer sees a read past the end.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char *
dup_n(const char *s, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, len);
	return p;
}

/*
 * The stages of c as one string: each stage's text in <>, after the
 * operator that joins it (" | " when piped).
 */
static void
describe(const struct chain *c, char *buf, size_t size)
{
	static const char *const ops[] = { "?", " ; ", " && ", " || " };
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < c->n; i++) {
		const struct chain_stage *st = &c->stages[i];

		if (i > 0)
			n += (size_t)snprintf(buf + n, size - n, "%s",
			    st->pipe ? " | " : ops[st->op]);
		n += (size_t)snprintf(buf + n, size - n, "<%.*s>",
		    (int)st->len, st->text);
	}
}

static const struct {
	const char	*line;
	int		 n;
	const char	*stages;	/* or the error, when n is -1 */
} parse_cases[] = {
	{ "", 0, "" },
	{ "  \t ", 0, "" },
	{ "calc 1", 1, "<calc 1>" },
	{ "  calc 1  ", 1, "<calc 1>" },
	{ "a ; b", 2, "<a> ; <b>" },
	{ "a;b", 2, "<a> ; <b>" },
	{ "a && b || c", 3, "<a> && <b> || <c>" },
	{ "a&&b||c", 3, "<a> && <b> || <c>" },
	{ "a | b | c", 3, "<a> | <b> | <c>" },
	{ "a ;", 1, "<a>" },
	{ "a ; \t", 1, "<a>" },
	{ "a ; b ;", 2, "<a> ; <b>" },
	{ "@0 calc 6*7 | @1 calc {} + 1", 2,
	    "<@0 calc 6*7> | <@1 calc {} + 1>" },
	{ "@0 echo 'a;b' ; calc 1", 2, "<@0 echo 'a;b'> ; <calc 1>" },
	{ "echo \"x && y\" && z", 2, "<echo \"x && y\"> && <z>" },
	{ "echo \"a \\\" | b\" | c", 2, "<echo \"a \\\" | b\"> | <c>" },
	{ "echo 'a \\' | b", 2, "<echo 'a \\'> | <b>" },
	{ "calc 1 \\; x", 1, "<calc 1 \\; x>" },
	{ "a \\| b \\&\\& c", 1, "<a \\| b \\&\\& c>" },
	{ "a\\\\;b", 2, "<a\\\\> ; <b>" },
	{ "x'y;z'w;v", 2, "<x'y;z'w> ; <v>" },
	{ "a & b", 1, "<a & b>" },
	{ "a &", 1, "<a &>" },
	{ "& a", 1, "<& a>" },
	{ "a &&& b", 2, "<a> && <& b>" },
	{ "a |& b", 2, "<a> | <& b>" },
	{ "a && b | c ; d || e | f", 6,
	    "<a> && <b> | <c> ; <d> || <e> | <f>" },
	{ "@0,2 calc 1 | @1-3 calc {}*2 | calc {}+{}", 3,
	    "<@0,2 calc 1> | <@1-3 calc {}*2> | <calc {}+{}>" },
	{ "a ; ; b", -1, "missing command before ';'" },
	{ ";", -1, "missing command before ';'" },
	{ " ; a", -1, "missing command before ';'" },
	{ "a ;;", -1, "missing command before ';'" },
	{ "&& b", -1, "missing command before '&&'" },
	{ "|| b", -1, "missing command before '||'" },
	{ "| b", -1, "missing command before '|'" },
	{ "a | | b", -1, "missing command before '|'" },
	{ "a ||| b", -1, "missing command before '|'" },
	{ "a && || b", -1, "missing command before '||'" },
	{ "a |", -1, "missing command after '|'" },
	{ "a || ", -1, "missing command after '||'" },
	{ "a &&", -1, "missing command after '&&'" },
	{ "a | b &&\t", -1, "missing command after '&&'" },
	{ "echo 'abc", -1, "unterminated quote" },
	{ "a ; echo \"x", -1, "unterminated quote" },
	{ "a ; b 'c ; d", -1, "unterminated quote" },
	{ "a \"b\\\"", -1, "unterminated quote" },
};

START_TEST(test_parse)
{
	const char *line = parse_cases[_i].line;
	size_t len = strlen(line);
	char *copy = dup_n(line, len), got[256], err[64] = "";
	struct chain c;
	int n, i;

	n = chain_parse(copy, len, &c, err, sizeof(err));
	ck_assert_msg(n == parse_cases[_i].n, "'%s': %d (%s)", line, n, err);
	if (n < 0) {
		ck_assert_str_eq(err, parse_cases[_i].stages);
		free(copy);
		return;
	}
	ck_assert_int_eq(c.n, n);
	describe(&c, got, sizeof(got));
	ck_assert_str_eq(got, parse_cases[_i].stages);
	for (i = 0; i < n; i++) {
		ck_assert(c.stages[i].text >= copy && c.stages[i].text +
		    c.stages[i].len <= copy + len);
		if (i == 0 || c.stages[i].pipe)
			ck_assert_int_eq(c.stages[i].op, CHAIN_FIRST);
		else
			ck_assert_int_ne(c.stages[i].op, CHAIN_FIRST);
	}
	if (n > 0)
		ck_assert_int_eq(c.stages[0].pipe, 0);
	if (n > 1)
		ck_assert_int_eq(chain_has_ops(copy, len), 1);
	free(copy);
}
END_TEST

/* The exact flags of one line, not only its description. */
START_TEST(test_flags)
{
	static const char line[] = "a | b && c || d ; e | f";
	static const struct {
		int pipe;
		enum chain_op op;
	} want[] = {
		{ 0, CHAIN_FIRST }, { 1, CHAIN_FIRST }, { 0, CHAIN_AND },
		{ 0, CHAIN_OR }, { 0, CHAIN_SEQ }, { 1, CHAIN_FIRST },
	};
	struct chain c;
	char err[64];
	int i;

	ck_assert_int_eq(chain_parse(line, sizeof(line) - 1, &c, err,
	    sizeof(err)), N(want));
	for (i = 0; i < N(want); i++) {
		ck_assert_int_eq(c.stages[i].pipe, want[i].pipe);
		ck_assert_int_eq(c.stages[i].op, want[i].op);
		ck_assert_uint_eq(c.stages[i].len, 1);
		ck_assert_int_eq(c.stages[i].text[0], "abcdef"[i]);
	}
}
END_TEST

/* 64 stages fit, 65 do not; a trailing ';' is not a stage. */
START_TEST(test_max_stages)
{
	static char line[4 * CHAIN_MAX_STAGES + 8];
	struct chain c;
	char err[64];
	size_t len = 0;
	int i;

	for (i = 0; i < CHAIN_MAX_STAGES; i++) {
		memcpy(line + len, "a ; ", 4);
		len += 4;
	}
	ck_assert_int_eq(chain_parse(line, len, &c, err, sizeof(err)),
	    CHAIN_MAX_STAGES);
	line[len++] = 'b';
	ck_assert_int_eq(chain_parse(line, len, &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "more than 64 commands in one line");
	/* A small err is truncated, never overrun. */
	ck_assert_int_eq(chain_parse("a |", 3, &c, err, 8), -1);
	ck_assert_str_eq(err, "missing");
}
END_TEST

static const struct {
	const char	*line;
	int		 ops;
} ops_cases[] = {
	{ "", 0 }, { "calc 1", 0 }, { "a;b", 1 }, { "a & b", 0 },
	{ "a && b", 1 }, { "a | b", 1 }, { "a || b", 1 }, { "'a;b'", 0 },
	{ "\"a|b\"", 0 }, { "a \\; b", 0 }, { "a\\\\;b", 1 },
	{ "'open ; ", 0 }, { "x \"a\\\";\"", 0 }, { "a ;", 1 },
};

START_TEST(test_has_ops)
{
	const char *line = ops_cases[_i].line;
	char *copy = dup_n(line, strlen(line));

	ck_assert_msg(chain_has_ops(copy, strlen(line)) == ops_cases[_i].ops,
	    "'%s'", line);
	free(copy);
}
END_TEST

/*
 * Random lines of operators, quotes and backslashes: a line that parses
 * gives stages that are trimmed, not empty, and parse again alone as
 * themselves.
 */
START_TEST(test_random)
{
	static const char alphabet[] = "ab ;|&'\"\\";
	char line[20], err[64];
	struct chain c, one;
	size_t len;
	int round, i, n;

	srand(5);
	for (round = 0; round < 50000; round++) {
		len = (size_t)(rand() % (int)sizeof(line));
		for (i = 0; i < (int)len; i++)
			line[i] = alphabet[rand() % (int)(sizeof(alphabet) -
			    1)];
		if ((n = chain_parse(line, len, &c, err, sizeof(err))) < 0)
			continue;
		for (i = 0; i < n; i++) {
			const struct chain_stage *st = &c.stages[i];

			ck_assert_uint_gt(st->len, 0);
			ck_assert(st->text[0] != ' ' &&
			    st->text[st->len - 1] != ' ');
			ck_assert_int_eq(chain_has_ops(st->text, st->len), 0);
			ck_assert_int_eq(chain_parse(st->text, st->len, &one,
			    err, sizeof(err)), 1);
			ck_assert(one.stages[0].text == st->text &&
			    one.stages[0].len == st->len);
		}
	}
}
END_TEST

/* --- chain_subst ---------------------------------------------------------- */

static const struct {
	const char	*stage;
	const char	*in;
	const char	*out;
} subst_cases[] = {
	{ "calc {} + 1", "42", "calc 42 + 1" },
	{ "@1 calc {} + 1", "42", "@1 calc 42 + 1" },
	{ "calc {}*{}", "6", "calc 6*6" },
	{ "{}{}{}", "ab", "ababab" },
	{ "{}", "abc", "abc" },
	{ "echo", "hi there", "echo hi there" },
	{ "echo", "", "echo " },
	{ "echo {}", "", "echo " },
	{ "say '{}'", "a b", "say 'a b'" },
	{ "x {{}}", "1", "x {1}" },
	{ "a{", "z", "a{ z" },
	{ "}{", "z", "}{ z" },
	{ "{ }", "z", "{ } z" },
	{ "echo {}", "{}", "echo {}" },
	{ "echo", "a;b | c", "echo a;b | c" },
};

START_TEST(test_subst)
{
	const char *stage = subst_cases[_i].stage, *in = subst_cases[_i].in;
	size_t sl = strlen(stage), il = strlen(in), need;
	char *s = dup_n(stage, sl), *i = dup_n(in, il), *out;

	need = chain_subst_len(s, sl, il);
	ck_assert_uint_eq(need, strlen(subst_cases[_i].out));
	out = malloc(need + 1);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(chain_subst(s, sl, i, il, out), need);
	ck_assert_str_eq(out, subst_cases[_i].out);
	free(out);
	free(i);
	free(s);
}
END_TEST

START_TEST(test_subst_overflow)
{
	ck_assert_uint_eq(chain_subst_len("{}{}", 4, SIZE_MAX / 2 + 1),
	    SIZE_MAX);
	ck_assert_uint_eq(chain_subst_len("{}", 2, SIZE_MAX - 1),
	    SIZE_MAX - 1);
	ck_assert_uint_eq(chain_subst_len("x", 1, SIZE_MAX - 1), SIZE_MAX);
	ck_assert_uint_eq(chain_subst_len("x", 1, SIZE_MAX - 3),
	    SIZE_MAX - 1);
	ck_assert_uint_eq(chain_subst_len("{}x", 3, SIZE_MAX - 1), SIZE_MAX);
	ck_assert_uint_eq(chain_subst_len("", 0, 0), 1);
}
END_TEST

static Suite *
chain_suite(void)
{
	Suite *s = suite_create("chain");
	TCase *tc = tcase_create("chain");

	tcase_add_loop_test(tc, test_parse, 0, N(parse_cases));
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_max_stages);
	tcase_add_loop_test(tc, test_has_ops, 0, N(ops_cases));
	tcase_add_test(tc, test_random);
	tcase_add_loop_test(tc, test_subst, 0, N(subst_cases));
	tcase_add_test(tc, test_subst_overflow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(chain_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
