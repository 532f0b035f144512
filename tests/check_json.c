/*
 * check_json: the JSON parser and the config reader, driven by tables.
 *
 * Every input is parsed from a private heap copy of exactly its length, so
 * AddressSanitizer catches a read one byte past the end.  The json suite
 * covers good documents (token counts, types, tree shape), bad ones (error
 * code and byte offset), every proper prefix of several documents (always
 * JSON_ERR_PARTIAL), unescaping, integer reading, and quoting any bytes
 * (json_quote) so that the result parses back.  The config suite
 * checks the seed example, every kind of bad file by its exact message, the
 * unknown-key warnings, and that a failed parse leaves only the defaults.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "json.h"

#define NTOK	256
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char seed[] =
    "{\n"
    "    \"listenPort\": 14590,\n"
    "    \"autoListen\": true,\n"
    "    \"interactive\": true,\n"
    "    \"peers\": [\n"
    "        {\n"
    "            \"host\": \"127.0.0.1\",\n"
    "            \"port\": 14591\n"
    "        }\n"
    "    ],\n"
    "    \"commands\": {\n"
    "        \"add\": \"calc 1+2\",\n"
    "        \"status\": \"system status\"\n"
    "    }\n"
    "}";

/* json_parse() on a copy of s[0..len) that has no byte after it. */
static int
parse_n(const char *s, size_t len, struct json_token *tok, int ntok,
    size_t *off)
{
	char *copy = malloc(len > 0 ? len : 1);
	int n;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, len);
	n = json_parse(copy, len, tok, ntok, off);
	free(copy);
	return n;
}

static char
type_letter(enum json_type t)
{
	return "?oasntfz"[t];
}

/* head, then piece times times, then tail, in a new string. */
static char *
repeat(const char *head, const char *piece, int times, const char *tail)
{
	size_t hl = strlen(head), pl = strlen(piece);
	char *s = malloc(hl + pl * times + strlen(tail) + 1), *p;
	int i;

	ck_assert_ptr_nonnull(s);
	memcpy(s, head, hl);
	for (i = 0, p = s + hl; i < times; i++, p += pl)
		memcpy(p, piece, pl);
	strcpy(p, tail);
	return s;
}

/* --- json: good documents ------------------------------------------------ */

static const struct {
	const char	*in;
	const char	*types;		/* a letter per token: type_letter() */
} good[] = {
	{ "{}", "o" },
	{ "[]", "a" },
	{ " \t\r\n[ ]\n ", "a" },
	{ "0", "n" },
	{ "-0", "n" },
	{ "-12.5e+3", "n" },
	{ "1E-2", "n" },
	{ "0.0e0", "n" },
	{ "123456789012345678901234567890", "n" },
	{ "\"\"", "s" },
	{ "true", "t" },
	{ "false", "f" },
	{ "null", "z" },
	{ "[1,\"a\",true,false,null,{},[]]", "anstfzoa" },
	{ "{\"a\":{\"b\":[1,2]}}", "ososann" },
	{ "{\"\":0}", "osn" },
	{ "[[[[]]]]", "aaaa" },
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "s" },
	{ "\"\\u00e9\\ud83d\\ude00 \xc3\xa9 \xf0\x9f\x98\x80 \x7f\"", "s" },
	{ "\"\xef\xbf\xbf \xf4\x8f\xbf\xbf \xe0\xa0\x80 \xed\x9f\xbf\"", "s" },
	{ "\"\\uDBFF\\uDFFF\\u0000\"", "s" },
	{ " [ 1 , { \"k\" : [ ] } ] ", "anosa" },
	{ seed, "osnststsaosssnsossss" },
};

START_TEST(test_good)
{
	struct json_token tok[NTOK];
	size_t off = 12345, len = strlen(good[_i].in);
	char types[NTOK + 1];
	int i, n;

	n = parse_n(good[_i].in, len, tok, NTOK, &off);
	ck_assert_msg(n > 0, "'%s': error %d at %zu", good[_i].in, n, off);
	ck_assert_uint_eq(off, 12345);			/* untouched */
	for (i = 0; i < n; i++)
		types[i] = type_letter(tok[i].type);
	types[n] = '\0';
	ck_assert_str_eq(types, good[_i].types);
	ck_assert_int_eq(tok[0].parent, -1);
	ck_assert_int_eq(json_skip(tok, 0), n);
	/* The whole text, minus whitespace, is the top-level token. */
	ck_assert(len == tok[0].end + strspn(good[_i].in + tok[0].end,
	    " \t\r\n"));
}
END_TEST

START_TEST(test_tree)
{
	static const char in[] = "{\"a\":[1,{\"b\":null}],\"c\":2}";
	static const struct {
		int type, start, end, size, parent, next;
	} want[] = {
		{ JSON_OBJECT,	0, 26, 2, -1, 9 },
		{ JSON_STRING,	1,  4, 1,  0, 7 },
		{ JSON_ARRAY,	5, 19, 2,  1, 7 },
		{ JSON_NUMBER,	6,  7, 0,  2, 4 },
		{ JSON_OBJECT,	8, 18, 1,  2, 7 },
		{ JSON_STRING,	9, 12, 1,  4, 7 },
		{ JSON_NULL,   13, 17, 0,  5, 7 },
		{ JSON_STRING, 20, 23, 1,  0, 9 },
		{ JSON_NUMBER, 24, 25, 0,  7, 9 },
	};
	struct json_token tok[NTOK];
	int i;

	ck_assert_int_eq(parse_n(in, strlen(in), tok, NTOK, NULL),
	    NELEM(want));
	for (i = 0; i < NELEM(want); i++) {
		ck_assert_int_eq(tok[i].type, want[i].type);
		ck_assert_uint_eq(tok[i].start, want[i].start);
		ck_assert_uint_eq(tok[i].end, want[i].end);
		ck_assert_int_eq(tok[i].size, want[i].size);
		ck_assert_int_eq(tok[i].parent, want[i].parent);
		ck_assert_int_eq(json_skip(tok, i), want[i].next);
	}
}
END_TEST

/* --- json: bad documents ------------------------------------------------- */

static const struct {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	int		 err;
	size_t		 off;
} bad[] = {
	{ "", 0, JSON_ERR_PARTIAL, 0 },
	{ "   ", 0, JSON_ERR_PARTIAL, 3 },
	{ "[", 0, JSON_ERR_PARTIAL, 0 },
	{ " [1", 0, JSON_ERR_PARTIAL, 1 },
	{ "{\"a\":", 0, JSON_ERR_PARTIAL, 0 },
	{ "[\"abc", 0, JSON_ERR_PARTIAL, 1 },
	{ "[\"\\u12", 0, JSON_ERR_PARTIAL, 1 },
	{ "\"\xe2\x82", 0, JSON_ERR_PARTIAL, 0 },
	{ "nul", 0, JSON_ERR_PARTIAL, 3 },
	{ "-", 0, JSON_ERR_PARTIAL, 1 },
	{ "1e", 0, JSON_ERR_PARTIAL, 2 },
	{ "[1,]", 0, JSON_ERR_COMMA, 2 },
	{ "{\"a\":1,}", 0, JSON_ERR_COMMA, 6 },
	{ "[1 , ]", 0, JSON_ERR_COMMA, 3 },
	{ "[,1]", 0, JSON_ERR_CHAR, 1 },
	{ "[1,,2]", 0, JSON_ERR_CHAR, 3 },
	{ "[1 2]", 0, JSON_ERR_ARRAY, 3 },
	{ "[1}", 0, JSON_ERR_ARRAY, 2 },
	{ "{\"a\" 1}", 0, JSON_ERR_COLON, 5 },
	{ "{\"a\":1 \"b\":2}", 0, JSON_ERR_OBJECT, 7 },
	{ "{\"a\":1]", 0, JSON_ERR_OBJECT, 6 },
	{ "{1:2}", 0, JSON_ERR_KEY, 1 },
	{ "{a:1}", 0, JSON_ERR_KEY, 1 },
	{ "{,}", 0, JSON_ERR_KEY, 1 },
	{ "{\"a\":1,2}", 0, JSON_ERR_KEY, 7 },
	{ "01", 0, JSON_ERR_ZERO, 0 },
	{ "-01", 0, JSON_ERR_ZERO, 1 },
	{ "[00]", 0, JSON_ERR_ZERO, 1 },
	{ "+1", 0, JSON_ERR_CHAR, 0 },
	{ ".5", 0, JSON_ERR_CHAR, 0 },
	{ "1.x", 0, JSON_ERR_NUMBER, 2 },
	{ "1.e5", 0, JSON_ERR_NUMBER, 2 },
	{ "1e+x", 0, JSON_ERR_NUMBER, 3 },
	{ "-x", 0, JSON_ERR_NUMBER, 1 },
	{ "[-]", 0, JSON_ERR_NUMBER, 2 },
	{ "0x10", 0, JSON_ERR_TRAILING, 1 },
	{ "1 2", 0, JSON_ERR_TRAILING, 2 },
	{ "{} x", 0, JSON_ERR_TRAILING, 3 },
	{ "{}}", 0, JSON_ERR_TRAILING, 2 },
	{ "{} /* c */", 0, JSON_ERR_TRAILING, 3 },
	{ "// c\n{}", 0, JSON_ERR_CHAR, 0 },
	{ "{\"a\":1 /* c */}", 0, JSON_ERR_OBJECT, 7 },
	{ "tru e", 0, JSON_ERR_CHAR, 3 },
	{ "True", 0, JSON_ERR_CHAR, 0 },
	{ "nulL", 0, JSON_ERR_CHAR, 3 },
	{ "NaN", 0, JSON_ERR_CHAR, 0 },
	{ "-Infinity", 0, JSON_ERR_NUMBER, 1 },
	{ "'a'", 0, JSON_ERR_CHAR, 0 },
	{ "\"a\\x\"", 0, JSON_ERR_ESCAPE, 2 },
	{ "\"\\0\"", 0, JSON_ERR_ESCAPE, 1 },
	{ "\"\\u12G4\"", 0, JSON_ERR_ESCAPE, 1 },
	{ "\"\\U1234\"", 0, JSON_ERR_ESCAPE, 1 },
	{ "\"ab\\ud800\"", 0, JSON_ERR_SURROGATE, 3 },
	{ "\"\\udc00\"", 0, JSON_ERR_SURROGATE, 1 },
	{ "\"\\ud800\\u0041\"", 0, JSON_ERR_SURROGATE, 1 },
	{ "\"\\ud800\\ud800\"", 0, JSON_ERR_SURROGATE, 1 },
	{ "\"\\ud800x\"", 0, JSON_ERR_SURROGATE, 1 },
	{ "\"\\udfff\\ud800\"", 0, JSON_ERR_SURROGATE, 1 },
	{ "\"a\tb\"", 0, JSON_ERR_CONTROL, 2 },
	{ "\"a\nb\"", 0, JSON_ERR_CONTROL, 2 },
	{ "\"a\0b\"", 5, JSON_ERR_CONTROL, 2 },
	{ "\0", 1, JSON_ERR_CHAR, 0 },
	{ "[1]\0", 4, JSON_ERR_TRAILING, 3 },
	{ "\"\xff\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"\x80\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"\xc3\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"\xc0\xaf\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"\xe0\x80\xaf\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"\xed\xa0\x80\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"\xf0\x80\x80\x80\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"\xf4\x90\x80\x80\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"\xf5\x80\x80\x80\"", 0, JSON_ERR_UTF8, 1 },
	{ "\"ok\xe2\x82\"", 0, JSON_ERR_UTF8, 3 },
	{ "\xc3\xa9", 0, JSON_ERR_CHAR, 0 },
	{ "\xef\xbb\xbf{}", 0, JSON_ERR_CHAR, 0 },
};

START_TEST(test_bad)
{
	struct json_token tok[NTOK];
	size_t off = 12345, len = bad[_i].len;
	int n;

	if (len == 0)
		len = strlen(bad[_i].in);
	n = parse_n(bad[_i].in, len, tok, NTOK, &off);
	ck_assert_msg(n == bad[_i].err && off == bad[_i].off,
	    "'%s': got %d at %zu, want %d at %zu", bad[_i].in, n, off,
	    bad[_i].err, bad[_i].off);
}
END_TEST

/* Every proper prefix of these is partial; none is a number on its own. */
static const char *const whole[] = {
	seed,
	"{\"a\":[1,-2.5e+3,0,true,false,null,\"\\u00e9\\ud83d\\ude00 \xc3\xa9 "
	    "\xf0\x9f\x98\x80\"],\"b\":{},\"c\":[[]]}",
	"\"\\ud83d\\ude00\\n\\\"x\\\"\"",
	"[[[\"\"]],{\"\":[]}]",
	"true",
	"false",
	"null",
};

START_TEST(test_prefixes)
{
	struct json_token tok[NTOK];
	size_t k, off, len = strlen(whole[_i]);
	int n;

	ck_assert_int_gt(parse_n(whole[_i], len, tok, NTOK, NULL), 0);
	for (k = 0; k < len; k++) {
		off = 12345;
		n = parse_n(whole[_i], k, tok, NTOK, &off);
		ck_assert_msg(n == JSON_ERR_PARTIAL && off <= k,
		    "prefix %zu of '%s': got %d at %zu", k, whole[_i], n, off);
	}
}
END_TEST

START_TEST(test_depth)
{
	static struct json_token tok[1024];
	size_t off;
	char *s;

	s = repeat("", "[", JSON_MAX_DEPTH, "");
	ck_assert_int_eq(parse_n(s, strlen(s), tok, 1024, &off),
	    JSON_ERR_PARTIAL);
	free(s);
	s = repeat("", "[", JSON_MAX_DEPTH + 1, "");
	ck_assert_int_eq(parse_n(s, strlen(s), tok, 1024, &off),
	    JSON_ERR_DEPTH);
	ck_assert_uint_eq(off, JSON_MAX_DEPTH);
	free(s);
	s = repeat("", "{\"a\":", JSON_MAX_DEPTH - 1, "[1]");
	ck_assert_int_eq(parse_n(s, strlen(s), tok, 1024, &off),
	    JSON_ERR_PARTIAL);
	free(s);
	s = repeat("", "{\"a\":", JSON_MAX_DEPTH, "[1]");
	ck_assert_int_eq(parse_n(s, strlen(s), tok, 1024, &off),
	    JSON_ERR_DEPTH);
	ck_assert_uint_eq(off, 5 * JSON_MAX_DEPTH);
	free(s);
	/* The stack is safe however deep the text goes. */
	s = repeat("", "[", 100000, "");
	ck_assert_int_eq(parse_n(s, strlen(s), tok, 1024, &off),
	    JSON_ERR_DEPTH);
	free(s);
	/* And exactly the limit, closed, is fine. */
	s = malloc(2 * JSON_MAX_DEPTH + 1);
	memset(s, '[', JSON_MAX_DEPTH);
	memset(s + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	s[2 * JSON_MAX_DEPTH] = '\0';
	ck_assert_int_eq(parse_n(s, strlen(s), tok, 1024, &off),
	    JSON_MAX_DEPTH);
	free(s);
}
END_TEST

START_TEST(test_nomem)
{
	struct json_token tok[4];
	size_t off;

	ck_assert_int_eq(parse_n("[1,2,3]", 7, tok, 4, &off), 4);
	ck_assert_int_eq(parse_n("[1,2,3]", 7, tok, 3, &off),
	    JSON_ERR_NOMEM);
	ck_assert_uint_eq(off, 5);
	ck_assert_int_eq(parse_n("{}", 2, NULL, 0, &off), JSON_ERR_NOMEM);
	ck_assert_uint_eq(off, 0);
}
END_TEST

/* --- json: messages, strings, integers ----------------------------------- */

static const struct {
	const char	*in;
	const char	*msg;
} messages[] = {
	{ "[1,x]", "unexpected character 'x'" },
	{ "tru e", "unexpected character ' '" },
	{ "\xc3\xa9", "unexpected byte 0xc3" },
	{ "\"abc", "unterminated string" },
	{ "{\"a\":\"b", "unterminated string" },
	{ "{\"a\":1", "unterminated object" },
	{ "[1", "unterminated array" },
	{ "tru", "unexpected end of input" },
	{ "", "unexpected end of input" },
	{ "[1,]", "trailing comma" },
	{ "{\"a\" 1}", "expected ':' after object key" },
	{ "{\"a\":1 1}", "expected ',' or '}' after object member" },
	{ "[1 1]", "expected ',' or ']' after array element" },
	{ "{1:1}", "expected a string as object key" },
	{ "\"\\q\"", "invalid escape" },
	{ "\"\\udc00\"", "unpaired surrogate in \\u escape" },
	{ "\"\x01\"", "control character in string" },
	{ "\"\xff\"", "invalid UTF-8" },
	{ "-a", "invalid number" },
	{ "012", "leading zero in number" },
	{ "{}{}", "unexpected text after the JSON value" },
};

START_TEST(test_messages)
{
	struct json_token tok[NTOK];
	size_t off, len = strlen(messages[_i].in);
	char buf[80];
	int n;

	n = parse_n(messages[_i].in, len, tok, NTOK, &off);
	ck_assert_int_lt(n, 0);
	json_error_message(buf, sizeof buf, n, messages[_i].in, len, off);
	ck_assert_str_eq(buf, messages[_i].msg);
}
END_TEST

START_TEST(test_strerror)
{
	char buf[8];
	int e;

	for (e = JSON_ERR_PARTIAL; e >= JSON_ERR_TRAILING; e--)
		ck_assert_str_ne(json_strerror(e), "unknown error");
	ck_assert_str_eq(json_strerror(-99), "unknown error");
	ck_assert_str_eq(json_strerror(JSON_ERR_DEPTH), "nesting too deep");
	json_error_message(buf, sizeof buf, JSON_ERR_DEPTH, "", 0, 0);
	ck_assert_str_eq(buf, "nesting");	/* truncated, terminated */
}
END_TEST

static const struct {
	const char	*in;		/* a JSON string */
	const char	*out;
	size_t		 len;
} unescape[] = {
	{ "\"abc\"", "abc", 3 },
	{ "\"\"", "", 0 },
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8 },
	{ "\"\\u0041\\u00e9\\u20ac\"", "A\xc3\xa9\xe2\x82\xac", 6 },
	{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4 },
	{ "\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80", 4 },
	{ "\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4 },
	{ "\"a\\u0000b\"", "a\0b", 3 },
	{ "\"\xc3\xa9\xf0\x9f\x98\x80\"", "\xc3\xa9\xf0\x9f\x98\x80", 6 },
	{ "\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"",
	    "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 11 },
	{ "\"x\\ud83d\\ude00y\\n\"", "x\xf0\x9f\x98\x80y\n", 7 },
};

START_TEST(test_unescape)
{
	struct json_token tok[1];
	char buf[64];
	size_t len = 999;

	ck_assert_int_eq(parse_n(unescape[_i].in, strlen(unescape[_i].in), tok,
	    1, NULL), 1);
	ck_assert_int_eq(json_string(unescape[_i].in, tok, buf, sizeof buf,
	    &len), 0);
	ck_assert_uint_eq(len, unescape[_i].len);
	ck_assert_mem_eq(buf, unescape[_i].out, len + 1);
	/* Exactly enough room, then one byte too little. */
	ck_assert_int_eq(json_string(unescape[_i].in, tok, buf, len + 1,
	    NULL), 0);
	ck_assert_int_eq(json_string(unescape[_i].in, tok, buf, len, NULL),
	    -1);
}
END_TEST

START_TEST(test_string_misuse)
{
	struct json_token tok[1];
	char buf[8];

	ck_assert_int_eq(parse_n("12", 2, tok, 1, NULL), 1);
	ck_assert_int_eq(json_string("12", tok, buf, sizeof buf, NULL), -1);
}
END_TEST

/* --- json_quote ------------------------------------------------------------ */

#define Q(s)	s, sizeof(s) - 1

static const struct {
	const char	*in;
	size_t		 len;
	const char	*out;
} quote_cases[] = {
	{ Q(""), "\"\"" },
	{ Q("abc"), "\"abc\"" },
	{ Q("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"" },
	{ Q("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"" },
	{ Q("\x00\x01\x0b\x1b\x1f"),
	    "\"\\u0000\\u0001\\u000b\\u001b\\u001f\"" },
	{ Q("~\x7f"), "\"~\\u007f\"" },
	{ Q("h\xc3\xa9las \xe2\x82\xac \xf0\x9f\x98\x80"),
	    "\"h\xc3\xa9las \xe2\x82\xac \xf0\x9f\x98\x80\"" },
	{ Q("\xc2\x80\xc2\x9f\xc2\xa0"), "\"\\u0080\\u009f\xc2\xa0\"" },
	{ Q("\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaa"),
	    "\"\\u2028\\u2029\xe2\x80\xaa\"" },
	{ Q("\xef\xbf\xbf\xf4\x8f\xbf\xbf"), "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"" },
	{ Q("\xff"), "\"\\ufffd\"" },
	{ Q("a\x80z"), "\"a\\ufffdz\"" },
	{ Q("\xc3"), "\"\\ufffd\"" },				/* cut short */
	{ Q("\xe2\x82"), "\"\\ufffd\\ufffd\"" },
	{ Q("\xe2\x82x"), "\"\\ufffd\\ufffdx\"" },
	{ Q("\xc0\xaf"), "\"\\ufffd\\ufffd\"" },		/* overlong */
	{ Q("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"" },
	{ Q("\xf0\x8f\xbf\xbf"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ Q("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate */
	{ Q("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ Q("\xf8\x88\x80\x80\x80"),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ Q("\xc3\xa9\xa9"), "\"\xc3\xa9\\ufffd\"" },
};

/* json_quote() into exactly JSON_QUOTE_MAX(len) heap bytes. */
static char *
quote(const char *in, size_t len, size_t *outlen)
{
	char *src = malloc(len > 0 ? len : 1);
	char *dst = malloc(JSON_QUOTE_MAX(len));

	ck_assert_ptr_nonnull(src);
	ck_assert_ptr_nonnull(dst);
	memcpy(src, in, len);
	*outlen = json_quote(dst, src, len);
	ck_assert_uint_le(*outlen, JSON_QUOTE_MAX(len));
	free(src);
	return dst;
}

/* out[0..len) is one JSON string; decode it into buf. */
static size_t
decode(const char *out, size_t len, char *buf, size_t size)
{
	struct json_token tok[2];
	size_t dlen = 0;

	ck_assert_int_eq(parse_n(out, len, tok, 2, NULL), 1);
	ck_assert_int_eq(tok[0].type, JSON_STRING);
	ck_assert_uint_eq(tok[0].end, len);
	ck_assert_int_eq(json_string(out, tok, buf, size, &dlen), 0);
	return dlen;
}

START_TEST(test_quote)
{
	size_t len;
	char *out = quote(quote_cases[_i].in, quote_cases[_i].len, &len);
	char buf[128];

	ck_assert_uint_eq(len, strlen(quote_cases[_i].out));
	ck_assert_mem_eq(out, quote_cases[_i].out, len);
	(void)decode(out, len, buf, sizeof buf);
	free(out);
}
END_TEST

/* The worst case fills JSON_QUOTE_MAX exactly. */
START_TEST(test_quote_max)
{
	size_t len;
	char *out = quote("\x01\xff\x1f", 3, &len);

	ck_assert_uint_eq(len, JSON_QUOTE_MAX(3));
	free(out);
}
END_TEST

/*
 * Strings built from pieces whose decoding is known, invalid bytes among
 * them, go through json_quote(), json_parse() and json_string() and come
 * back as they were, each invalid byte as U+FFFD.  The invalid bytes are
 * ones that can neither start a sequence nor complete one after a whole
 * piece, so pieces never combine.
 */
START_TEST(test_quote_round_trip)
{
	static const char *const valid[] = {
		"\"", "\\", "/", "\xc3\xa9", "\xc2\x85", "\xc2\xa0",
		"\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbf\xbf", "\xef\xbf\xbd",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf",
	};
	char in[64], want[256], *out;
	char got[256];
	size_t n, w, len, k;
	int round, c;

	srand(3);
	for (round = 0; round < 20000; round++) {
		for (n = w = 0; n + 4 < sizeof(in) && rand() % 24 != 0;) {
			switch (rand() % 4) {
			case 0:		/* any ASCII byte, NUL and DEL too */
				in[n++] = want[w++] = (char)(rand() % 128);
				break;
			case 1:
				c = rand() % NELEM(valid);
				k = strlen(valid[c]);
				memcpy(in + n, valid[c], k);
				memcpy(want + w, valid[c], k);
				n += k;
				w += k;
				break;
			default:	/* 80..BF, C0, C1, F5..FF */
				c = rand() % 77;
				c = c < 64 ? 0x80 + c : c < 66 ? 0xC0 + c - 64 :
				    0xF5 + c - 66;
				in[n++] = (char)c;
				memcpy(want + w, "\xef\xbf\xbd", 3);
				w += 3;
				break;
			}
		}
		out = quote(in, n, &len);
		ck_assert_uint_eq(decode(out, len, got, sizeof(got)), w);
		ck_assert_mem_eq(got, want, w);
		free(out);
	}
}
END_TEST

/* Any bytes at all quote to one JSON string. */
START_TEST(test_quote_random)
{
	char in[48], *out, got[512];
	size_t n, i, len;
	int round;

	srand(4);
	for (round = 0; round < 20000; round++) {
		n = (size_t)(rand() % (int)sizeof(in));
		for (i = 0; i < n; i++)
			in[i] = (char)(rand() % 256);
		out = quote(in, n, &len);
		(void)decode(out, len, got, sizeof(got));
		free(out);
	}
}
END_TEST

static const struct {
	const char	*in;
	int		 ok;
	long long	 value;
} integers[] = {
	{ "14595", 1, 14595 },
	{ "0", 1, 0 },
	{ "-0", 1, 0 },
	{ "-1", 1, -1 },
	{ "9223372036854775807", 1, LLONG_MAX },
	{ "-9223372036854775808", 1, LLONG_MIN },
	{ "9223372036854775808", 0, 0 },
	{ "-9223372036854775809", 0, 0 },
	{ "99999999999999999999", 0, 0 },
	{ "14595.0", 0, 0 },
	{ "1e3", 0, 0 },
	{ "1E3", 0, 0 },
	{ "-1.5", 0, 0 },
	{ "\"1\"", 0, 0 },
	{ "true", 0, 0 },
	{ "null", 0, 0 },
};

START_TEST(test_integer)
{
	struct json_token tok[1];
	long long v = 42;

	ck_assert_int_eq(parse_n(integers[_i].in, strlen(integers[_i].in), tok,
	    1, NULL), 1);
	ck_assert_int_eq(json_integer(integers[_i].in, tok, &v),
	    integers[_i].ok ? 0 : -1);
	ck_assert(v == (integers[_i].ok ? integers[_i].value : 42));
}
END_TEST

/* --- config -------------------------------------------------------------- */

struct warnings {
	int	n;
	char	msg[8][256];
};

static void
collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	if (w->n < 8)
		snprintf(w->msg[w->n], sizeof w->msg[0], "%s", msg);
	w->n++;
}

/* config_parse() of a heap copy of text, with no byte after it. */
static int
parse_config(struct config *c, const char *text, char *err, size_t errsize,
    struct warnings *w)
{
	size_t len = strlen(text);
	char *copy = malloc(len > 0 ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	memset(c, 0x55, sizeof *c);		/* whatever was there before */
	rc = config_parse(c, copy, len, "t.json", err, errsize,
	    w != NULL ? collect : NULL, w);
	free(copy);
	return rc;
}

static void
assert_defaults(const struct config *c)
{
	ck_assert_ptr_null(c->name);
	ck_assert_int_eq(c->listen_port, 14590);
	ck_assert_int_eq(c->auto_listen, 1);
	ck_assert_int_eq(c->interactive, 1);
	ck_assert_int_eq(c->max_peers, 64);
	ck_assert_int_eq(c->max_frame, 1024 * 1024);
	ck_assert_int_eq(c->command_timeout_ms, 10000);
	ck_assert_int_eq(c->connect_timeout_ms, 5000);
	ck_assert_ptr_null(c->peers);
	ck_assert_int_eq(c->npeers, 0);
	ck_assert_ptr_null(c->aliases);
	ck_assert_int_eq(c->naliases, 0);
}

START_TEST(test_seed)
{
	struct config c;
	struct warnings w = { 0 };
	char err[256] = "";

	ck_assert_int_eq(parse_config(&c, seed, err, sizeof err, &w), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(w.n, 0);
	ck_assert_int_eq(c.listen_port, 14590);
	ck_assert_int_eq(c.auto_listen, 1);
	ck_assert_int_eq(c.interactive, 1);
	ck_assert_int_eq(c.npeers, 1);
	ck_assert_str_eq(c.peers[0].host, "127.0.0.1");
	ck_assert_int_eq(c.peers[0].port, 14591);
	ck_assert_int_eq(c.naliases, 2);
	ck_assert_str_eq(c.aliases[0].name, "add");
	ck_assert_str_eq(c.aliases[0].expansion, "calc 1+2");
	ck_assert_str_eq(c.aliases[1].name, "status");
	ck_assert_str_eq(c.aliases[1].expansion, "system status");
	ck_assert_ptr_null(c.name);
	ck_assert_int_eq(c.max_peers, 64);
	ck_assert_int_eq(c.max_frame, 1024 * 1024);
	ck_assert_int_eq(c.command_timeout_ms, 10000);
	ck_assert_int_eq(c.connect_timeout_ms, 5000);
	config_free(&c);
	assert_defaults(&c);
}
END_TEST

START_TEST(test_every_key)
{
	static const char text[] = "{\"name\":\"node-1 \\u00e9\", "
	    "\"maxPeers\":8, \"maxFrameSize\":1024, \"commandTimeout\":1.5, "
	    "\"connectTimeout\":0.25, \"autoListen\":false, "
	    "\"interactive\":false, \"listenPort\":65535, \"peers\":[], "
	    "\"commands\":{\"zeta\":\"z\",\"add\":\"a\",\"mid\":\"m m\","
	    "\"Zed\":\"Z\"}}";
	struct config c;
	char err[256];

	ck_assert_int_eq(parse_config(&c, text, err, sizeof err, NULL), 0);
	ck_assert_str_eq(c.name, "node-1 \xc3\xa9");
	ck_assert_int_eq(c.max_peers, 8);
	ck_assert_int_eq(c.max_frame, 1024);
	ck_assert_int_eq(c.command_timeout_ms, 1500);
	ck_assert_int_eq(c.connect_timeout_ms, 250);
	ck_assert_int_eq(c.auto_listen, 0);
	ck_assert_int_eq(c.interactive, 0);
	ck_assert_int_eq(c.listen_port, 65535);
	ck_assert_int_eq(c.npeers, 0);
	ck_assert_int_eq(c.naliases, 4);
	ck_assert_str_eq(c.aliases[0].name, "Zed");
	ck_assert_str_eq(c.aliases[1].name, "add");
	ck_assert_str_eq(c.aliases[1].expansion, "a");
	ck_assert_str_eq(c.aliases[2].name, "mid");
	ck_assert_str_eq(c.aliases[2].expansion, "m m");
	ck_assert_str_eq(c.aliases[3].name, "zeta");
	config_free(&c);
	assert_defaults(&c);
}
END_TEST

/* Programs in both forms, groups in both forms, their limits. */
START_TEST(test_exec_groups)
{
	static const char text[] = "{\"exec\":{\"up\":[\"uptime\"],"
	    "\"ls\":{\"argv\":[\"ls\",\"-l\"],\"args\":true,\"timeout\":2.5}},"
	    "\"groups\":{\"web\":[\"web1\",\"web*\"],\"all\":\"@web,3-4\"},"
	    "\"maxProcesses\":3,\"maxResultSize\":4096}";
	struct config c;
	char err[256];

	ck_assert_int_eq(parse_config(&c, text, err, sizeof err, NULL), 0);
	ck_assert_int_eq(c.nexecs, 2);
	ck_assert_str_eq(c.execs[0].name, "up");
	ck_assert_int_eq(c.execs[0].argc, 1);
	ck_assert_str_eq(c.execs[0].argv[0], "uptime");
	ck_assert_ptr_null(c.execs[0].argv[1]);
	ck_assert_int_eq(c.execs[0].args, 0);
	ck_assert_int_eq(c.execs[0].timeout_ms, 0);
	ck_assert_str_eq(c.execs[1].name, "ls");
	ck_assert_int_eq(c.execs[1].argc, 2);
	ck_assert_str_eq(c.execs[1].argv[1], "-l");
	ck_assert_int_eq(c.execs[1].args, 1);
	ck_assert_int_eq(c.execs[1].timeout_ms, 2500);
	ck_assert_int_eq(c.ngroups, 2);
	ck_assert_str_eq(c.groups[0].name, "web");
	ck_assert_str_eq(c.groups[0].selector, "web1,web*");
	ck_assert_str_eq(c.groups[1].selector, "@web,3-4");
	ck_assert_int_eq(c.max_processes, 3);
	ck_assert_int_eq(c.max_result, 4096);
	config_free(&c);
	assert_defaults(&c);

	/* A small frame makes the default result size smaller. */
	ck_assert_int_eq(parse_config(&c, "{\"maxFrameSize\":2048}", err,
	    sizeof err, NULL), 0);
	ck_assert_int_eq(c.max_result, 2048 - CONFIG_RESULT_ROOM);
	config_free(&c);
}
END_TEST

/* commandTimeout values and the milliseconds they give, -1 for an error. */
static const struct {
	const char	*in;
	long		 ms;
} timeouts[] = {
	{ "10", 10000 },
	{ "1.5", 1500 },
	{ "0.1", 100 },
	{ "0.001", 1 },
	{ "0.0015", 2 },
	{ "0.0001", 1 },
	{ "1e-400", 1 },
	{ "2.5e-1", 250 },
	{ "1E3", 1000000 },
	{ "8.64e4", 86400000 },
	{ "86400", 86400000 },
	{ "86400.000", 86400000 },
	{ "0.000086400e9", 86400000 },
	{ "0", -1 },
	{ "0.0", -1 },
	{ "0e5", -1 },
	{ "-1", -1 },
	{ "-0.5", -1 },
	{ "86400.0000001", -1 },
	{ "86401", -1 },
	{ "1e5", -1 },
	{ "1e999999999999", -1 },
	{ "100000000000000000000000", -1 },
	{ "\"5\"", -1 },
	{ "true", -1 },
};

START_TEST(test_timeouts)
{
	struct config c;
	char text[128], err[256];
	int rc;

	snprintf(text, sizeof text, "{\"commandTimeout\": %s}",
	    timeouts[_i].in);
	rc = parse_config(&c, text, err, sizeof err, NULL);
	if (timeouts[_i].ms < 0) {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(err, "t.json:1:20: \"commandTimeout\" must be "
		    "a number of seconds greater than 0 and at most 86400");
		assert_defaults(&c);
	} else {
		ck_assert_msg(rc == 0, "%s: %s", timeouts[_i].in, err);
		ck_assert_int_eq(c.command_timeout_ms, timeouts[_i].ms);
		config_free(&c);
	}
}
END_TEST

static const struct {
	const char	*in;
	const char	*msg;		/* after "t.json:" */
} bad_config[] = {
	/* wrong types and ranges, at the value */
	{ "{\"listenPort\":0}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"listenPort\":65536}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"listenPort\":\"x\"}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"listenPort\":14595.0}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"listenPort\":1e3}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"listenPort\":-1}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"listenPort\":true}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"listenPort\":null}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"listenPort\":[1]}",
	    "1:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\"autoListen\":1}",
	    "1:15: \"autoListen\" must be true or false" },
	{ "{\"autoListen\":\"true\"}",
	    "1:15: \"autoListen\" must be true or false" },
	{ "{\"interactive\":null}",
	    "1:16: \"interactive\" must be true or false" },
	{ "{\"peers\":{}}", "1:10: \"peers\" must be an array" },
	{ "{\"peers\":\"127.0.0.1:1\"}", "1:10: \"peers\" must be an array" },
	{ "{\"peers\":[1]}",
	    "1:11: each peer must be an object with \"host\" and \"port\"" },
	{ "{\"peers\":[{\"host\":\"h\"}]}",
	    "1:11: peer without a \"port\"" },
	{ "{\"peers\":[{\"port\":1}]}", "1:11: peer without a \"host\"" },
	{ "{\"peers\":[{\"host\":\"h\",\"port\":1},{\"host\":\"h\"}]}",
	    "1:33: peer without a \"port\"" },
	{ "{\"peers\":[{\"host\":\"h\",\"port\":0}]}",
	    "1:30: \"port\" must be an integer from 1 to 65535" },
	{ "{\"peers\":[{\"host\":\"h\",\"port\":65536}]}",
	    "1:30: \"port\" must be an integer from 1 to 65535" },
	{ "{\"peers\":[{\"host\":\"h\",\"port\":\"x\"}]}",
	    "1:30: \"port\" must be an integer from 1 to 65535" },
	{ "{\"peers\":[{\"host\":\"\",\"port\":1}]}",
	    "1:19: \"host\" must be a non-empty string without control "
	    "characters" },
	{ "{\"peers\":[{\"host\":5,\"port\":1}]}",
	    "1:19: \"host\" must be a string" },
	{ "{\"peers\":[{\"host\":\"h\",\"host\":\"i\",\"port\":1}]}",
	    "1:23: duplicate key \"host\"" },
	{ "{\"commands\":[]}", "1:13: \"commands\" must be an object" },
	{ "{\"commands\":{\"a\":1}}", "1:18: command 'a' must be a string" },
	{ "{\"commands\":{\"a\":\"\"}}",
	    "1:18: command 'a' must be a non-empty string without control "
	    "characters" },
	{ "{\"commands\":{\"a\":\"x\\ny\"}}",
	    "1:18: command 'a' must be a non-empty string without control "
	    "characters" },
	{ "{\"commands\":{\"\":\"x\"}}",
	    "1:14: a command name must be a non-empty string without "
	    "control characters" },
	{ "{\"commands\":{\"a b\":\"x\"}}",
	    "1:14: command name 'a b' contains a space" },
	{ "{\"commands\":{\"a\":\"x\",\"a\":\"y\"}}",
	    "1:22: duplicate key \"a\"" },
	{ "{\"name\":\"\"}",
	    "1:9: \"name\" must be a non-empty string without control "
	    "characters" },
	{ "{\"name\":\"a\\u0007b\"}",
	    "1:9: \"name\" must be a non-empty string without control "
	    "characters" },
	{ "{\"name\":\"a\\u0085\"}",
	    "1:9: \"name\" must be a non-empty string without control "
	    "characters" },
	{ "{\"name\":\"a\\u007f\"}",
	    "1:9: \"name\" must be a non-empty string without control "
	    "characters" },
	{ "{\"name\":7}", "1:9: \"name\" must be a string" },
	{ "{\"maxPeers\":0}",
	    "1:13: \"maxPeers\" must be an integer from 1 to 65535" },
	{ "{\"maxPeers\":1.5}",
	    "1:13: \"maxPeers\" must be an integer from 1 to 65535" },
	{ "{\"maxFrameSize\":1023}",
	    "1:17: \"maxFrameSize\" must be an integer from 1024 to 67108864" },
	{ "{\"maxFrameSize\":67108865}",
	    "1:17: \"maxFrameSize\" must be an integer from 1024 to 67108864" },
	{ "{\"commandTimeout\":0}",
	    "1:19: \"commandTimeout\" must be a number of seconds greater "
	    "than 0 and at most 86400" },
	{ "{\"connectTimeout\":\"5\"}",
	    "1:19: \"connectTimeout\" must be a number of seconds greater "
	    "than 0 and at most 86400" },
	/* duplicates, at the second key, even when spelled differently */
	{ "{\"listenPort\":1,\"listenPort\":2}",
	    "1:17: duplicate key \"listenPort\"" },
	{ "{\"listenPort\":1,\"listen\\u0050ort\":1}",
	    "1:17: duplicate key \"listenPort\"" },
	{ "{\"peers\":[],\"foo\":1,\"peers\":[]}",
	    "1:21: duplicate key \"peers\"" },
	/* lines and columns */
	{ "{\n    \"listenPort\": 0\n}",
	    "2:19: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\r\n\"listenPort\": 0}",
	    "2:15: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{\n  \"peers\": [\n    {\"host\": \"a\"}\n  ]\n}",
	    "3:5: peer without a \"port\"" },
	/* not JSON, or not an object */
	{ "{\n  \"a\": 1,\n}\n", "2:9: trailing comma" },
	{ "{\"listenPort\":14590,}", "1:20: trailing comma" },
	{ "{\"a\":1 \"b\":2}",
	    "1:8: expected ',' or '}' after object member" },
	{ "{\"a\" 1}", "1:6: expected ':' after object key" },
	{ "{listenPort:1}", "1:2: expected a string as object key" },
	{ "{\"listenPort\":01}", "1:15: leading zero in number" },
	{ "{\"listenPort\":+1}", "1:15: unexpected character '+'" },
	{ "{\"name\":'x'}", "1:9: unexpected character '''" },
	{ "{} x", "1:4: unexpected text after the JSON value" },
	{ "{}}", "1:3: unexpected text after the JSON value" },
	{ "{}\n\n  // comment", "3:3: unexpected text after the JSON value" },
	{ "{\"name\":\"abc", "1:9: unterminated string" },
	{ "{\"peers\":[", "1:10: unterminated array" },
	{ "{\"peers\":[1", "1:10: unterminated array" },
	{ "{", "1:1: unterminated object" },
	{ "{\"a\":tru", "1:9: unexpected end of input" },
	{ "{\"name\":\"\\x\"}", "1:10: invalid escape" },
	{ "{\"name\":\"\\ud800\"}", "1:10: unpaired surrogate in \\u escape" },
	{ "{\"name\":\"\xff\"}", "1:10: invalid UTF-8" },
	{ "{\"name\":\"a\tb\"}", "1:11: control character in string" },
	{ "\xc3\xa9", "1:1: unexpected byte 0xc3" },
	{ "[]", "1:1: the top level must be an object" },
	{ "  \"x\"", "1:3: the top level must be an object" },
	{ "42", "1:1: the top level must be an object" },
	{ "", "1:1: empty file" },
	{ " \n\t\r\n", "1:1: empty file" },
	{ "\xef\xbb\xbf{}",
	    "1:1: byte-order mark not allowed; save the file as UTF-8 "
	    "without BOM" },
	/* programs, groups and their limits */
	{ "{\"exec\":[]}",
	    "1:9: \"exec\" must be an object" },
	{ "{\"exec\":{\"a\":[]}}",
	    "1:14: program 'a' must be a non-empty array of strings (the "
	    "program and its arguments)" },
	{ "{\"exec\":{\"a\":\"ls\"}}",
	    "1:14: program 'a' must be an array or an object with \"argv\"" },
	{ "{\"exec\":{\"a\":[1]}}",
	    "1:15: each word of a program must be a string" },
	{ "{\"exec\":{\"a\":[\"\"]}}",
	    "1:15: each word of a program must be a non-empty string "
	    "without control characters" },
	{ "{\"exec\":{\"calc\":[\"ls\"]}}",
	    "1:10: program name 'calc' is a built-in command" },
	{ "{\"exec\":{\"a b\":[\"ls\"]}}",
	    "1:10: program name 'a b' contains a space" },
	{ "{\"exec\":{\"a\":[\"ls\"],\"a\":[\"ls\"]}}",
	    "1:21: duplicate key \"a\"" },
	{ "{\"exec\":{\"a\":{\"args\":true}}}",
	    "1:14: program 'a' without \"argv\"" },
	{ "{\"exec\":{\"a\":{\"argv\":[\"ls\"],\"args\":1}}}",
	    "1:36: \"args\" must be true or false" },
	{ "{\"exec\":{\"a\":{\"argv\":[\"ls\"],\"timeout\":0}}}",
	    "1:39: \"timeout\" must be a number of seconds greater than 0 "
	    "and at most 86400" },
	{ "{\"commands\":{\"a\":\"calc 1\"},\"exec\":{\"a\":[\"ls\"]}}",
	    "1:36: \"a\" is both a program and a command alias" },
	{ "{\"exec\":{\"a\":[\"ls\"]},\"commands\":{\"a\":\"calc 1\"}}",
	    "1:34: \"a\" is both a program and a command alias" },
	{ "{\"groups\":[]}",
	    "1:11: \"groups\" must be an object" },
	{ "{\"groups\":{\"1\":\"a\"}}",
	    "1:12: group name '1' must not look like an index or an "
	    "address, nor hold any of :,*?[]/@" },
	{ "{\"groups\":{\"g\":[]}}",
	    "1:16: group 'g' must be a string or a non-empty array of "
	    "strings" },
	{ "{\"groups\":{\"g\":\"a,,b\"}}",
	    "1:16: group 'g': empty item in selector 'a,,b'" },
	{ "{\"groups\":{\"g\":[\"a\",1]}}",
	    "1:21: a group member must be a string" },
	{ "{\"maxProcesses\":0}",
	    "1:17: \"maxProcesses\" must be an integer from 1 to 1024" },
	{ "{\"maxResultSize\":100}",
	    "1:18: \"maxResultSize\" must be an integer from 1024 to "
	    "67108864" },
	{ "{\"maxFrameSize\":2048,\"maxResultSize\":2000}",
	    "1:38: \"maxResultSize\" (2000) must be at most "
	    "\"maxFrameSize\" less 256 (1792)" },
	/* Security (conftrust.c). */
	{ "{\"psk\": \"p.key\"}", "1:9: \"psk\" needs an \"identity\": "
	    "a pre-shared key only adds to the Noise handshake" },
	{ "{\"trusted\": [{\"key\": \"abc\"}]}", "1:22: not a public key: 32 "
	    "bytes in base64 (44 characters), as kaipeer --pubkey prints" },
	{ "{\"trusted\": [{\"name\": \"x\"}]}", "1:14: trusted peer without "
	    "a \"key\"" },
	{ "{\"trusted\": [{\"key\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\", "
	    "\"allow\": \"calc *\"}]}", "1:79: \"allow\" must be an array of "
	    "patterns" },
	{ "{\"rateLimit\": {\"burst\": 3}}", "1:15: \"rateLimit\" without "
	    "\"perSecond\"" },
	{ "{\"rateLimit\": {\"perSecond\": 0}}", "1:29: \"perSecond\" must be "
	    "an integer from 1 to 1000000" },
	{ "{\"listenAddress\": \"1.2.3.4:5\"}", "1:19: \"listenAddress\" "
	    "includes a port: the port goes in \"listenPort\"" },
	{ "{\"listenAddress\": \"0.0.0.0\", \"exec\": {\"up\": [\"uptime\"]}}",
	    "1:38: \"exec\" needs security when listening beyond this "
	    "machine (\"listenAddress\" is \"0.0.0.0\"): set an "
	    "\"identity\", or listen on loopback only" },
	{ "{\"peers\": [{\"host\": \"h\", \"port\": 1, \"key\": 5}]}",
	    "1:44: a key must be a string" },
	{ "{\"history\": 1}", "1:13: \"history\" must be true or false" },
	{ "{\"discover\": \"yes\"}", "1:14: \"discover\" must be true or "
	    "false" },
	{ "{\"meshSize\": 0}", "1:14: \"meshSize\" must be an integer from 1 "
	    "to 1024" },
	{ "{\"lanDiscovery\": 1}", "1:18: \"lanDiscovery\" must be true or "
	    "false" },
	{ "{\"cluster\": \"a b\"}", "1:13: \"cluster\" must be printable "
	    "ASCII without spaces" },
	{ "{\"cluster\": \"\"}", "1:13: \"cluster\" must be a non-empty "
	    "string without control characters" },
	{ "{\"lanPort\": 70000}", "1:13: \"lanPort\" must be an integer from "
	    "1 to 65535" },
};

START_TEST(test_bad_config)
{
	struct config c;
	struct warnings w = { 0 };
	char err[256], want[256];

	snprintf(want, sizeof want, "t.json:%s", bad_config[_i].msg);
	ck_assert_int_eq(parse_config(&c, bad_config[_i].in, err, sizeof err,
	    &w), -1);
	ck_assert_str_eq(err, want);
	assert_defaults(&c);
}
END_TEST

/* Texts too repetitive for the table: built, then checked the same way. */
START_TEST(test_bad_config_built)
{
	struct config c;
	char err[256], *s;

	s = repeat("{\"name\":\"", "n", CONFIG_MAX_NAME, "\"}");
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), 0);
	config_free(&c);
	free(s);
	s = repeat("{\"name\":\"", "n", CONFIG_MAX_NAME + 1, "\"}");
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), -1);
	ck_assert_str_eq(err, "t.json:1:9: \"name\" is longer than 64 bytes");
	free(s);

	s = repeat("{\"peers\":[{\"port\":1,\"host\":\"", "h", CONFIG_MAX_HOST,
	    "\"}]}");
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), 0);
	ck_assert_uint_eq(strlen(c.peers[0].host), CONFIG_MAX_HOST);
	config_free(&c);
	free(s);
	s = repeat("{\"peers\":[{\"port\":1,\"host\":\"", "h",
	    CONFIG_MAX_HOST + 1, "\"}]}");
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), -1);
	ck_assert_str_eq(err, "t.json:1:28: \"host\" is longer than 255 bytes");
	free(s);

	s = repeat("{\"peers\":[", "{\"host\":\"h\",\"port\":1},",
	    CONFIG_MAX_LIST - 1, "{\"host\":\"h\",\"port\":1}]}");
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), 0);
	ck_assert_int_eq(c.npeers, CONFIG_MAX_LIST);
	config_free(&c);
	free(s);
	s = repeat("{\"peers\":[", "{\"host\":\"h\",\"port\":1},",
	    CONFIG_MAX_LIST, "{\"host\":\"h\",\"port\":1}]}");
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), -1);
	ck_assert_str_eq(err,
	    "t.json:1:10: \"peers\" has more than 1024 entries");
	assert_defaults(&c);
	free(s);

	/* One level too deep inside the top-level object. */
	s = repeat("{\"a\":", "[", JSON_MAX_DEPTH, "");
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), -1);
	ck_assert_str_eq(err, "t.json:1:69: nesting too deep");
	free(s);
}
END_TEST

START_TEST(test_too_many_commands)
{
	struct config c;
	char err[256], *s, *p;
	int i;

	s = malloc(32 * (CONFIG_MAX_LIST + 1) + 32);
	ck_assert_ptr_nonnull(s);
	p = s + sprintf(s, "{\"commands\":{");
	for (i = 0; i <= CONFIG_MAX_LIST; i++)
		p += sprintf(p, "%s\"c%d\":\"calc %d+1\"", i > 0 ? "," : "",
		    CONFIG_MAX_LIST - i, i);
	strcpy(p, "}}");
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), -1);
	ck_assert_str_eq(err,
	    "t.json:1:13: \"commands\" has more than 1024 entries");
	/* Without the first, it fits, and comes out sorted. */
	p = strchr(s + 13, ',') + 1;
	memmove(s + 13, p, strlen(p) + 1);
	ck_assert_int_eq(parse_config(&c, s, err, sizeof err, NULL), 0);
	ck_assert_int_eq(c.naliases, CONFIG_MAX_LIST);
	for (i = 1; i < c.naliases; i++)
		ck_assert_int_lt(strcmp(c.aliases[i - 1].name,
		    c.aliases[i].name), 0);
	config_free(&c);
	free(s);
}
END_TEST

START_TEST(test_warnings)
{
	static const char text[] =
	    "{\n"
	    "  \"foo\": 1,\n"
	    "  \"peers\": [{\"host\": \"h\", \"port\": 1, \"weight\": 2}],\n"
	    "  \"x\\u00e9\": {\"nested\": [1, {\"listenPort\": \"no\"}]},\n"
	    "  \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\xc3\xa9kkkkk\": 0\n"
	    "}";
	struct config c;
	struct warnings w = { 0 };
	char err[256];

	ck_assert_int_eq(parse_config(&c, text, err, sizeof err, &w), 0);
	ck_assert_int_eq(w.n, 4);
	ck_assert_str_eq(w.msg[0],
	    "t.json:2:3: warning: unknown key 'foo' ignored");
	ck_assert_str_eq(w.msg[1],
	    "t.json:3:38: warning: unknown key 'weight' ignored");
	ck_assert_str_eq(w.msg[2],
	    "t.json:4:3: warning: unknown key 'x\\u00e9' ignored");
	ck_assert_str_eq(w.msg[3], "t.json:5:3: warning: unknown key "
	    "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' ignored");
	ck_assert_int_eq(c.npeers, 1);
	ck_assert_int_eq(c.listen_port, 14590);
	config_free(&c);

	/* Without a callback, warnings are dropped. */
	ck_assert_int_eq(parse_config(&c, text, err, sizeof err, NULL), 0);
	config_free(&c);
}
END_TEST

/* A key near a known one: a typo, or the wrong case, is named. */
START_TEST(test_near_keys)
{
	static const struct {
		const char *json, *msg;
	} tab[] = {
		{ "{\"listenport\": 1}", "t.json:1:2: warning: unknown key "
		    "'listenport' ignored; did you mean \"listenPort\"?" },
		{ "{\"idenity\": \"k\"}", "t.json:1:2: warning: unknown key "
		    "'idenity' ignored; did you mean \"identity\"?" },
		{ "{\"peers\": [{\"hots\": \"h\", \"host\": \"h\", "
		    "\"port\": 1}]}", "t.json:1:13: warning: unknown key "
		    "'hots' ignored; did you mean \"host\"?" },
		{ "{\"rateLimit\": {\"persecond\": 1}}", NULL },
		{ "{\"zzz\": 1}", "t.json:1:2: warning: unknown key 'zzz' "
		    "ignored" },
		{ "{\"maxpeer\": 1}", "t.json:1:2: warning: unknown key "
		    "'maxpeer' ignored; did you mean \"maxPeers\"?" },
	};
	struct config c;
	struct warnings w;
	char err[256];
	size_t i;

	for (i = 0; i < NELEM(tab); i++) {
		memset(&w, 0, sizeof(w));
		if (tab[i].msg == NULL) {
			/* "rateLimit" without "perSecond": refused, named. */
			ck_assert_int_eq(parse_config(&c, tab[i].json, err,
			    sizeof err, &w), -1);
			ck_assert_int_eq(w.n, 1);
			ck_assert(strstr(w.msg[0], "did you mean "
			    "\"perSecond\"?") != NULL);
			continue;
		}
		ck_assert_int_eq(parse_config(&c, tab[i].json, err,
		    sizeof err, &w), 0);
		ck_assert_int_eq(w.n, 1);
		ck_assert_str_eq(w.msg[0], tab[i].msg);
		config_free(&c);
	}
}
END_TEST

/* A file good up to its last key is still refused as a whole. */
START_TEST(test_no_half_loading)
{
	static const char *const texts[] = {
		("{\"listenPort\":1234, \"name\":\"n\", \"autoListen\":false,"
		" \"peers\":[{\"host\":\"a\",\"port\":1}],"
		" \"commands\":{\"x\":\"y\"}, \"maxPeers\":0}"),
		("{\"commands\":{\"x\":\"y\",\"z\":\"w\"},"
		" \"peers\":[{\"host\":\"a\",\"port\":1},{\"host\":\"b\"}]}"),
		"{\"commands\":{\"x\":\"y\",\"z\":3}}",
		"{\"peers\":[{\"host\":\"a\",\"port\":1,\"host\":\"b\"}]}",
	};
	struct config c;
	char err[256];
	int i;

	for (i = 0; i < NELEM(texts); i++) {
		ck_assert_int_eq(parse_config(&c, texts[i], err, sizeof err,
		    NULL), -1);
		assert_defaults(&c);
		config_free(&c);		/* harmless on defaults */
		assert_defaults(&c);
	}
}
END_TEST

START_TEST(test_small_err)
{
	struct config c;
	char err[8];

	ck_assert_int_eq(parse_config(&c, "[]", err, sizeof err, NULL), -1);
	ck_assert_str_eq(err, "t.json:");
	ck_assert_int_eq(parse_config(&c, "[]", NULL, 0, NULL), -1);
}
END_TEST

/* Write text to a new temporary file; the caller unlinks it. */
static void
temp_file(char *path, const char *text, size_t len)
{
	FILE *fp;
	int fd;

	strcpy(path, "/tmp/check_json.XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_load)
{
	struct config c;
	char path[64], err[256], want[256], *big;

	temp_file(path, seed, strlen(seed));
	ck_assert_int_eq(config_load(&c, path, err, sizeof err, NULL, NULL),
	    0);
	ck_assert_int_eq(c.naliases, 2);
	ck_assert_str_eq(c.peers[0].host, "127.0.0.1");
	config_free(&c);
	unlink(path);

	temp_file(path, "{\n\"peers\": 3}", 13);
	ck_assert_int_eq(config_load(&c, path, err, sizeof err, NULL, NULL),
	    -1);
	snprintf(want, sizeof want, "%s:2:10: \"peers\" must be an array",
	    path);
	ck_assert_str_eq(err, want);
	unlink(path);

	ck_assert_int_eq(config_load(&c, "/nonexistent/peer_config.json", err,
	    sizeof err, NULL, NULL), -1);
	ck_assert_str_eq(err,
	    "/nonexistent/peer_config.json: No such file or directory");
	assert_defaults(&c);

	/* A file of exactly the limit is read; one byte more is refused. */
	big = malloc(CONFIG_MAX_FILE + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', CONFIG_MAX_FILE + 1);
	big[0] = '{';
	big[CONFIG_MAX_FILE - 1] = '}';
	temp_file(path, big, CONFIG_MAX_FILE);
	ck_assert_int_eq(config_load(&c, path, err, sizeof err, NULL, NULL),
	    0);
	unlink(path);
	temp_file(path, big, CONFIG_MAX_FILE + 1);
	ck_assert_int_eq(config_load(&c, path, err, sizeof err, NULL, NULL),
	    -1);
	snprintf(want, sizeof want, "%s:1:1: file is larger than 1048576 "
	    "bytes", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	free(big);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_loop_test(tc, test_good, 0, NELEM(good));
	tcase_add_test(tc, test_tree);
	tcase_add_loop_test(tc, test_bad, 0, NELEM(bad));
	tcase_add_loop_test(tc, test_prefixes, 0, NELEM(whole));
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_nomem);
	tcase_add_loop_test(tc, test_messages, 0, NELEM(messages));
	tcase_add_test(tc, test_strerror);
	tcase_add_loop_test(tc, test_unescape, 0, NELEM(unescape));
	tcase_add_test(tc, test_string_misuse);
	tcase_add_loop_test(tc, test_integer, 0, NELEM(integers));
	tcase_add_loop_test(tc, test_quote, 0, NELEM(quote_cases));
	tcase_add_test(tc, test_quote_max);
	tcase_add_test(tc, test_quote_round_trip);
	tcase_add_test(tc, test_quote_random);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_seed);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_exec_groups);
	tcase_add_loop_test(tc, test_timeouts, 0, NELEM(timeouts));
	tcase_add_loop_test(tc, test_bad_config, 0, NELEM(bad_config));
	tcase_add_test(tc, test_bad_config_built);
	tcase_add_test(tc, test_too_many_commands);
	tcase_add_test(tc, test_warnings);
	tcase_add_test(tc, test_near_keys);
	tcase_add_test(tc, test_no_half_loading);
	tcase_add_test(tc, test_small_err);
	tcase_add_test(tc, test_load);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_add_suite(sr, config_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
