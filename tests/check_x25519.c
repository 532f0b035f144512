/*
 * check_x25519: the tests of x25519.c, linked with Check, json.c and ct.c.
 *
 * The published vectors come first: RFC 7748's own (section 5.2, its
 * iterated test, the key pairs and shared secret of section 6.1), then
 * every vector of Project Wycheproof's x25519 file, read at run time from
 * tests/vectors/ with our own JSON parser and counted against the file's
 * numberOfTests, so that a test that reads nothing cannot pass.  The
 * properties that need no table follow: a public key is the product with
 * 9, both sides of a Diffie-Hellman agree, the high bit of the point and
 * the bits that clamping sets are ignored, a point of small order gives
 * zero and -1, a value from p up acts as its reduction, and out may be an
 * input.  The million-step iteration of RFC 7748 takes minutes; it runs
 * only when KAIPEER_SLOW_TESTS is set.  Run from the top of the tree.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "x25519.h"

#define NELEM(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define WYCHEPROOF	"tests/vectors/wycheproof_x25519_test.json"

struct vector {
	const char	*scalar;
	const char	*point;
	const char	*out;
};

/* RFC 7748 section 5.2; the second point has its high bit set. */
static const struct vector rfc[] = {
	{ "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
	  "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
	  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552" },
	{ "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
	  "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
	  "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957" },
};

/* RFC 7748 section 6.1. */
static const char alice_private[] =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char alice_public[] =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char bob_private[] =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
static const char bob_public[] =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
static const char shared_secret[] =
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

/* RFC 7748 section 5.2: k after so many steps of k, u = x25519(k, u), k. */
struct iteration {
	long		 steps;
	const char	*k;
};

static const struct iteration iterations[] = {
	{ 1,
	  "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079" },
	{ 1000,
	  "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51" },
	{ 1000000,
	  "7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424" },
};

/*
 * Points of small order below 2^255 (0, 1, two of order 8, p - 1, p,
 * p + 1): every scalar takes them to zero.
 */
static const char *small_order[] = {
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

/* Points from p to 2^255 - 1, each with its reduction mod p. */
static const char *non_canonical[][2] = {
	{ "f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	  "0900000000000000000000000000000000000000000000000000000000000000" },
	{ "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	  "1200000000000000000000000000000000000000000000000000000000000000" },
	{ "efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	  "0200000000000000000000000000000000000000000000000000000000000000" },
};

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* out[0..n) from exactly 2n hex digits. */
static void
unhex(unsigned char *out, size_t n, const char *hex)
{
	size_t i;
	int hi, lo;

	ck_assert_msg(strlen(hex) == 2 * n, "\"%s\" is not %zu bytes", hex, n);
	for (i = 0; i < n; i++) {
		hi = hex_digit(hex[2 * i]);
		lo = hex_digit(hex[2 * i + 1]);
		ck_assert_msg(hi >= 0 && lo >= 0, "bad hex \"%s\"", hex);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
}

/* The 32 bytes b in hex, in buf (65 bytes). */
static const char *
tohex(char *buf, const unsigned char *b)
{
	int i;

	for (i = 0; i < X25519_SIZE; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	return buf;
}

static void
check_bytes(const char *what, const unsigned char *got, const char *want)
{
	unsigned char w[X25519_SIZE];
	char buf[2 * X25519_SIZE + 1];

	unhex(w, sizeof(w), want);
	ck_assert_msg(memcmp(got, w, sizeof(w)) == 0, "%s: got %s, want %s",
	    what, tohex(buf, got), want);
}

static void
check_same(const char *what, const unsigned char *a, const unsigned char *b)
{
	char ha[2 * X25519_SIZE + 1], hb[2 * X25519_SIZE + 1];

	ck_assert_msg(memcmp(a, b, X25519_SIZE) == 0, "%s: %s != %s", what,
	    tohex(ha, a), tohex(hb, b));
}

/* A fixed sequence of pseudo-random bytes: failures are reproducible. */
static void
fill(unsigned char *b, size_t n, uint32_t *seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245 + 12345;
		b[i] = (unsigned char)(*seed >> 16);
	}
}

/* --- RFC 7748 ------------------------------------------------------------ */

START_TEST(test_rfc_vectors)
{
	unsigned char k[X25519_SIZE], u[X25519_SIZE], out[X25519_SIZE];

	unhex(k, sizeof(k), rfc[_i].scalar);
	unhex(u, sizeof(u), rfc[_i].point);
	ck_assert_int_eq(x25519(out, k, u), 0);
	check_bytes("section 5.2", out, rfc[_i].out);
}
END_TEST

/* k = u = 9, then k, u = x25519(k, u), k for as many steps as the row. */
static void
check_iteration(const struct iteration *it)
{
	unsigned char k[X25519_SIZE] = { 9 }, u[X25519_SIZE] = { 9 };
	unsigned char next[X25519_SIZE];
	char what[64];
	long i;
	int rc = 0;

	/* One assertion at the end: Check records a location at each. */
	for (i = 0; i < it->steps; i++) {
		rc |= x25519(next, k, u);
		memcpy(u, k, sizeof(u));
		memcpy(k, next, sizeof(k));
	}
	snprintf(what, sizeof(what), "after %ld iterations", it->steps);
	check_bytes(what, k, it->k);
	ck_assert_int_eq(rc, 0);
}

START_TEST(test_rfc_iterated)
{
	check_iteration(&iterations[0]);
	check_iteration(&iterations[1]);
}
END_TEST

START_TEST(test_rfc_iterated_million)
{
	check_iteration(&iterations[2]);
}
END_TEST

START_TEST(test_rfc_dh)
{
	unsigned char a[X25519_SIZE], b[X25519_SIZE], pub[X25519_SIZE];
	unsigned char out[X25519_SIZE];

	unhex(a, sizeof(a), alice_private);
	unhex(b, sizeof(b), bob_private);
	x25519_public(out, a);
	check_bytes("Alice's public key", out, alice_public);
	x25519_public(out, b);
	check_bytes("Bob's public key", out, bob_public);

	unhex(pub, sizeof(pub), bob_public);
	ck_assert_int_eq(x25519(out, a, pub), 0);
	check_bytes("Alice's shared secret", out, shared_secret);
	unhex(pub, sizeof(pub), alice_public);
	ck_assert_int_eq(x25519(out, b, pub), 0);
	check_bytes("Bob's shared secret", out, shared_secret);
}
END_TEST

/* --- Wycheproof ---------------------------------------------------------- */

struct doc {
	char			*text;
	size_t			 len;
	struct json_token	*tok;
	int			 ntok;
};

/*
 * Every token but the top one is the first child of an array or object,
 * or comes after a ',' or a ':'; so the tokens number at most one more
 * than the bytes "[{,:" in the text, wherever they are.
 */
static int
max_tokens(const char *text, size_t len)
{
	size_t i, n = 1;

	for (i = 0; i < len; i++)
		if (text[i] == '[' || text[i] == '{' || text[i] == ',' ||
		    text[i] == ':')
			n++;
	ck_assert_msg(n < INT_MAX, "too many tokens");
	return (int)n;
}

static void
load_json(struct doc *d, const char *path)
{
	FILE *f;
	size_t size = 0, got, off = 0;
	int max, n;

	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s (tests run from the top of the tree)",
	    path, strerror(errno));
	d->text = NULL;
	d->len = 0;
	do {
		if (d->len == size) {
			size = size == 0 ? 65536 : 2 * size;
			d->text = realloc(d->text, size);
			ck_assert_ptr_nonnull(d->text);
		}
		got = fread(d->text + d->len, 1, size - d->len, f);
		d->len += got;
	} while (got > 0);
	ck_assert_msg(!ferror(f), "%s: read error", path);
	fclose(f);

	max = max_tokens(d->text, d->len);
	d->tok = malloc((size_t)max * sizeof(d->tok[0]));
	ck_assert_ptr_nonnull(d->tok);
	n = json_parse(d->text, d->len, d->tok, max, &off);
	ck_assert_msg(n > 0, "%s: %s at byte %zu", path, json_strerror(n), off);
	d->ntok = n;
}

static void
free_json(struct doc *d)
{
	free(d->text);
	free(d->tok);
}

/* The index of the value of key in the object at obj, or -1. */
static int
member(const struct doc *d, int obj, const char *key)
{
	char buf[64];
	int i, k;

	ck_assert_int_eq(d->tok[obj].type, JSON_OBJECT);
	for (k = 0, i = obj + 1; k < d->tok[obj].size;
	    k++, i = json_skip(d->tok, i))
		if (json_string(d->text, &d->tok[i], buf, sizeof(buf),
		    NULL) == 0 && strcmp(buf, key) == 0)
			return i + 1;
	return -1;
}

/* The member key of obj, which must be there and be of type type. */
static int
need(const struct doc *d, int obj, const char *key, enum json_type type)
{
	int i = member(d, obj, key);

	ck_assert_msg(i >= 0, "no \"%s\" in the object at byte %zu", key,
	    d->tok[obj].start);
	ck_assert_msg(d->tok[i].type == type, "\"%s\" at byte %zu has type %d",
	    key, d->tok[i].start, (int)d->tok[i].type);
	return i;
}

static void
need_string(const struct doc *d, int obj, const char *key, char *buf,
    size_t size)
{
	int i = need(d, obj, key, JSON_STRING);

	ck_assert_msg(json_string(d->text, &d->tok[i], buf, size, NULL) == 0,
	    "\"%s\" at byte %zu is too long", key, d->tok[i].start);
}

static long long
need_integer(const struct doc *d, int obj, const char *key)
{
	long long v;
	int i = need(d, obj, key, JSON_NUMBER);

	ck_assert_msg(json_integer(d->text, &d->tok[i], &v) == 0,
	    "\"%s\" at byte %zu is not an integer", key, d->tok[i].start);
	return v;
}

/* Is the string flag among the elements of the array at arr? */
static int
has_flag(const struct doc *d, int arr, const char *flag)
{
	char buf[64];
	int i, k;

	for (k = 0, i = arr + 1; k < d->tok[arr].size;
	    k++, i = json_skip(d->tok, i))
		if (json_string(d->text, &d->tok[i], buf, sizeof(buf),
		    NULL) == 0 && strcmp(buf, flag) == 0)
			return 1;
	return 0;
}

/*
 * One test of the file.  "valid" and "acceptable" alike must give the
 * listed secret, and "valid" must return 0.  An all-zero secret, which
 * the file marks with the flag ZeroSharedSecret, must return -1, any
 * other 0.
 */
static void
run_vector(const struct doc *d, int t)
{
	unsigned char k[X25519_SIZE], u[X25519_SIZE], want[X25519_SIZE];
	unsigned char out[X25519_SIZE], zero[X25519_SIZE] = { 0 };
	char hex[2 * X25519_SIZE + 1], result[16], buf[2 * X25519_SIZE + 1];
	long long id;
	int flags, is_zero, rc;

	id = need_integer(d, t, "tcId");
	need_string(d, t, "result", result, sizeof(result));
	flags = need(d, t, "flags", JSON_ARRAY);
	need_string(d, t, "private", hex, sizeof(hex));
	unhex(k, sizeof(k), hex);
	need_string(d, t, "public", hex, sizeof(hex));
	unhex(u, sizeof(u), hex);
	need_string(d, t, "shared", hex, sizeof(hex));
	unhex(want, sizeof(want), hex);

	memset(out, 0xa5, sizeof(out));
	rc = x25519(out, k, u);
	ck_assert_msg(memcmp(out, want, sizeof(out)) == 0,
	    "tcId %lld: got %s, want %s", id, tohex(buf, out), hex);
	if (strcmp(result, "valid") == 0)
		ck_assert_msg(rc == 0, "tcId %lld: valid, yet %d", id, rc);
	else
		ck_assert_msg(strcmp(result, "acceptable") == 0,
		    "tcId %lld: unexpected result \"%s\"", id, result);
	is_zero = memcmp(want, zero, sizeof(want)) == 0;
	ck_assert_msg(is_zero == has_flag(d, flags, "ZeroSharedSecret"),
	    "tcId %lld: ZeroSharedSecret does not match the secret", id);
	ck_assert_msg(rc == (is_zero ? -1 : 0), "tcId %lld: returned %d", id,
	    rc);
}

START_TEST(test_wycheproof)
{
	struct doc d;
	char alg[32];
	long long want;
	int groups, group, tests, t, i, j, run = 0;

	load_json(&d, WYCHEPROOF);
	need_string(&d, 0, "algorithm", alg, sizeof(alg));
	ck_assert_str_eq(alg, "XDH");
	want = need_integer(&d, 0, "numberOfTests");
	groups = need(&d, 0, "testGroups", JSON_ARRAY);
	for (i = 0, group = groups + 1; i < d.tok[groups].size;
	    i++, group = json_skip(d.tok, group)) {
		need_string(&d, group, "curve", alg, sizeof(alg));
		ck_assert_str_eq(alg, "curve25519");
		tests = need(&d, group, "tests", JSON_ARRAY);
		for (j = 0, t = tests + 1; j < d.tok[tests].size;
		    j++, t = json_skip(d.tok, t)) {
			run_vector(&d, t);
			run++;
		}
	}
	ck_assert_int_gt(run, 0);
	ck_assert_int_eq(run, want);
	free_json(&d);
}
END_TEST

/* --- properties ---------------------------------------------------------- */

/* x25519_public(k) is x25519(k, 9). */
START_TEST(test_public)
{
	static const unsigned char nine[X25519_SIZE] = { 9 };
	unsigned char k[X25519_SIZE], a[X25519_SIZE], b[X25519_SIZE];
	uint32_t seed = 7;
	int i;

	for (i = 0; i < 16; i++) {
		fill(k, sizeof(k), &seed);
		x25519_public(a, k);
		ck_assert_int_eq(x25519(b, k, nine), 0);
		check_same("public key", a, b);
	}
}
END_TEST

/* x25519(a, pub(b)) = x25519(b, pub(a)), and both return 0. */
START_TEST(test_agreement)
{
	unsigned char a[X25519_SIZE], b[X25519_SIZE];
	unsigned char pa[X25519_SIZE], pb[X25519_SIZE];
	unsigned char sa[X25519_SIZE], sb[X25519_SIZE];
	uint32_t seed = 2024;
	int i;

	for (i = 0; i < 16; i++) {
		fill(a, sizeof(a), &seed);
		fill(b, sizeof(b), &seed);
		x25519_public(pa, a);
		x25519_public(pb, b);
		ck_assert_int_eq(x25519(sa, a, pb), 0);
		ck_assert_int_eq(x25519(sb, b, pa), 0);
		check_same("shared secret", sa, sb);
	}
}
END_TEST

/* The top bit of the point changes nothing. */
START_TEST(test_high_bit)
{
	unsigned char k[X25519_SIZE], u[X25519_SIZE];
	unsigned char a[X25519_SIZE], b[X25519_SIZE];
	uint32_t seed = 99;
	int i, ra, rb;

	for (i = 0; i < 16; i++) {
		fill(k, sizeof(k), &seed);
		fill(u, sizeof(u), &seed);
		u[31] &= 0x7f;
		ra = x25519(a, k, u);
		u[31] |= 0x80;
		rb = x25519(b, k, u);
		check_same("high bit", a, b);
		ck_assert_int_eq(ra, rb);
	}
}
END_TEST

/* Bits 0 to 2, 254 and 255 of the scalar are set by clamping, not read. */
START_TEST(test_clamping)
{
	unsigned char k[X25519_SIZE], u[X25519_SIZE];
	unsigned char a[X25519_SIZE], b[X25519_SIZE];
	uint32_t seed = 31337;
	int i;

	for (i = 0; i < 16; i++) {
		fill(k, sizeof(k), &seed);
		fill(u, sizeof(u), &seed);
		k[0] &= 0xf8;
		k[31] = (k[31] & 0x7f) | 0x40;
		ck_assert_int_eq(x25519(a, k, u), 0);
		k[0] |= (unsigned char)(i % 8);
		k[31] ^= 0x40;
		k[31] |= (unsigned char)(i % 2 << 7);
		ck_assert_int_eq(x25519(b, k, u), 0);
		check_same("clamping", a, b);
	}
}
END_TEST

/*
 * A point of small order gives zero and -1, with or without its top bit,
 * and out is written all the same.
 */
START_TEST(test_small_order)
{
	unsigned char k[X25519_SIZE], u[X25519_SIZE], out[X25519_SIZE];
	unsigned char zero[X25519_SIZE] = { 0 };
	uint32_t seed = 5 + (uint32_t)_i;
	int i, top;

	unhex(u, sizeof(u), small_order[_i]);
	for (i = 0; i < 4; i++) {
		fill(k, sizeof(k), &seed);
		for (top = 0; top < 2; top++) {
			u[31] = (unsigned char)((u[31] & 0x7f) | top << 7);
			memset(out, 0xa5, sizeof(out));
			ck_assert_int_eq(x25519(out, k, u), -1);
			check_same(small_order[_i], out, zero);
		}
	}
}
END_TEST

/* A point from p up acts as its reduction mod p. */
START_TEST(test_non_canonical)
{
	unsigned char k[X25519_SIZE], u[X25519_SIZE], r[X25519_SIZE];
	unsigned char a[X25519_SIZE], b[X25519_SIZE];
	uint32_t seed = 11 + (uint32_t)_i;
	int i;

	unhex(u, sizeof(u), non_canonical[_i][0]);
	unhex(r, sizeof(r), non_canonical[_i][1]);
	for (i = 0; i < 4; i++) {
		fill(k, sizeof(k), &seed);
		ck_assert_int_eq(x25519(a, k, u), 0);
		ck_assert_int_eq(x25519(b, k, r), 0);
		check_same(non_canonical[_i][0], a, b);
	}
}
END_TEST

/* out may be the same array as the scalar or the point. */
START_TEST(test_alias)
{
	unsigned char k[X25519_SIZE], u[X25519_SIZE], want[X25519_SIZE];
	unsigned char buf[X25519_SIZE];

	unhex(k, sizeof(k), rfc[0].scalar);
	unhex(u, sizeof(u), rfc[0].point);
	unhex(want, sizeof(want), rfc[0].out);
	memcpy(buf, u, sizeof(buf));
	ck_assert_int_eq(x25519(buf, k, buf), 0);
	check_same("out = point", buf, want);
	memcpy(buf, k, sizeof(buf));
	ck_assert_int_eq(x25519(buf, buf, u), 0);
	check_same("out = scalar", buf, want);

	unhex(k, sizeof(k), alice_private);
	x25519_public(k, k);
	check_bytes("public key, out = scalar", k, alice_public);
}
END_TEST

static Suite *
x25519_suite(void)
{
	Suite *s = suite_create("x25519");
	TCase *tc = tcase_create("core");
	TCase *slow;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_rfc_vectors, 0, NELEM(rfc));
	tcase_add_test(tc, test_rfc_iterated);
	tcase_add_test(tc, test_rfc_dh);
	tcase_add_test(tc, test_wycheproof);
	tcase_add_test(tc, test_public);
	tcase_add_test(tc, test_agreement);
	tcase_add_test(tc, test_high_bit);
	tcase_add_test(tc, test_clamping);
	tcase_add_loop_test(tc, test_small_order, 0, NELEM(small_order));
	tcase_add_loop_test(tc, test_non_canonical, 0, NELEM(non_canonical));
	tcase_add_test(tc, test_alias);
	suite_add_tcase(s, tc);

	if (getenv("KAIPEER_SLOW_TESTS") != NULL) {
		slow = tcase_create("slow");
		tcase_set_timeout(slow, 4 * 3600);
		tcase_add_test(slow, test_rfc_iterated_million);
		suite_add_tcase(s, slow);
	}
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(x25519_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
