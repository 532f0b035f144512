/*
 * check_noise: the Noise handshakes, sealed frames, base64 and key files.
 *
 *   - every Noise_XX_25519_ChaChaPoly_SHA256 and
 *     Noise_XXpsk3_25519_ChaChaPoly_SHA256 vector of the cacophony test
 *     file (tests/vectors/, with its licence), whole: each handshake
 *     message's bytes both ways, the handshake hash, then the transport
 *     messages; the file is read with our own JSON parser, and a test that
 *     found no vector fails;
 *   - handshakes between our own two ends: a wrong psk, a psk on one side
 *     only, every byte of every message altered, a low-order ephemeral key:
 *     each fails, and the state stays failed;
 *   - sealed records: round trips of every size class up to the Noise
 *     limit, every byte altered, a replay, two records swapped, a record
 *     cut short, lengths no record has, a frame in clear; and the rekey
 *     every SEAL_REKEY_EVERY records (the record after the boundary
 *     differs from one sealed without it);
 *   - base64 against RFC 4648's table and its refusals; key files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "base64.h"
#include "json.h"
#include "keys.h"
#include "noise.h"
#include "seal.h"
#include "x25519.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define VECTORS		"tests/vectors/noise_cacophony_25519_ChaChaPoly_SHA256.json"

/* --- the vector file ------------------------------------------------------ */

static char *vtext;
static size_t vlen;
static struct json_token *vtok;
static int vntok;

static void
load_vectors(void)
{
	FILE *fp;
	long n;

	if (vtext != NULL)
		return;
	fp = fopen(VECTORS, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s", VECTORS);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	vtext = malloc((size_t)n);
	ck_assert(vtext != NULL);
	vlen = fread(vtext, 1, (size_t)n, fp);
	fclose(fp);
	vtok = malloc((vlen / 2 + 2) * sizeof(*vtok));
	ck_assert(vtok != NULL);
	vntok = json_parse(vtext, vlen, vtok, (int)(vlen / 2 + 2), NULL);
	ck_assert_int_gt(vntok, 0);
}

/* The value token of key in object obj, or -1. */
static int
member(int obj, const char *key)
{
	char buf[64];
	int i, k;

	for (i = 0, k = obj + 1; i < vtok[obj].size; i++,
	    k = json_skip(vtok, k)) {
		if (json_string(vtext, &vtok[k], buf, sizeof(buf), NULL) == 0 &&
		    strcmp(buf, key) == 0)
			return k + 1;
	}
	return -1;
}

static int
hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The hex string at token t into out; its length in bytes. */
static size_t
hex(int t, unsigned char *out, size_t cap)
{
	const char *p = vtext + vtok[t].start + 1;
	size_t n = (vtok[t].end - vtok[t].start - 2) / 2, i;

	ck_assert_uint_le(n, cap);
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)(hexval(p[2 * i]) << 4 |
		    hexval(p[2 * i + 1]));
	return n;
}

/* --- the vectors ---------------------------------------------------------- */

struct end {
	struct noise_hs	 hs;
	struct noise_cipher tx, rx;
	unsigned char	 hash[NOISE_KEY];
};

static void
run_vector(int v)
{
	unsigned char s[32], e[32], psk[32], pro[256], pl[1024], ct[2048];
	unsigned char got[2048], hh[32];
	struct end ends[2];	/* 0: initiator, 1: responder */
	const char *who[2] = { "init", "resp" };
	char key[32];
	int w, msgs, i, m, has_psk = member(v, "init_psks") >= 0;
	size_t plen, clen, prolen;
	long n;

	for (w = 0; w < 2; w++) {
		snprintf(key, sizeof(key), "%s_static", who[w]);
		hex(member(v, key), s, sizeof(s));
		snprintf(key, sizeof(key), "%s_ephemeral", who[w]);
		hex(member(v, key), e, sizeof(e));
		snprintf(key, sizeof(key), "%s_prologue", who[w]);
		prolen = hex(member(v, key), pro, sizeof(pro));
		if (has_psk) {
			snprintf(key, sizeof(key), "%s_psks", who[w]);
			hex(member(v, key) + 1, psk, sizeof(psk));
		}
		noise_hs_init(&ends[w].hs, w == 0, s, NULL, e, has_psk ? psk : NULL,
		    pro, prolen);
	}
	msgs = member(v, "messages");
	ck_assert_int_ge(vtok[msgs].size, 3);
	for (i = 0, m = msgs + 1; i < vtok[msgs].size; i++,
	    m = json_skip(vtok, m)) {
		struct end *tx = &ends[i % 2], *rx = &ends[1 - i % 2];

		plen = hex(member(m, "payload"), pl, sizeof(pl));
		clen = hex(member(m, "ciphertext"), ct, sizeof(ct));
		if (i < 3) {
			ck_assert(noise_hs_my_turn(&tx->hs));
			ck_assert(!noise_hs_my_turn(&rx->hs));
			n = noise_hs_write(&tx->hs, pl, plen, got, sizeof(got));
			ck_assert_int_eq(n, (long)clen);
			ck_assert(memcmp(got, ct, clen) == 0);
			n = noise_hs_read(&rx->hs, ct, clen, got, sizeof(got));
			ck_assert_int_eq(n, (long)plen);
			ck_assert(memcmp(got, pl, plen) == 0);
			if (i == 2) {
				for (w = 0; w < 2; w++) {
					ck_assert(noise_hs_done(&ends[w].hs));
					noise_hs_split(&ends[w].hs, &ends[w].tx,
					    &ends[w].rx, ends[w].hash);
				}
				hex(member(v, "handshake_hash"), hh, sizeof(hh));
				ck_assert(memcmp(ends[0].hash, hh, 32) == 0);
				ck_assert(memcmp(ends[1].hash, hh, 32) == 0);
			}
			continue;
		}
		ck_assert_int_eq(noise_seal(&tx->tx, NULL, 0, pl, plen, got),
		    0);
		ck_assert_uint_eq(plen + NOISE_TAG, clen);
		ck_assert(memcmp(got, ct, clen) == 0);
		ck_assert_int_eq(noise_open(&rx->rx, NULL, 0, ct, clen, got),
		    0);
		ck_assert(memcmp(got, pl, plen) == 0);
	}
}

START_TEST(test_cacophony)
{
	char name[128];
	int i, v, vs, xx = 0, xxpsk3 = 0;

	load_vectors();
	vs = member(0, "vectors");
	ck_assert_int_gt(vs, 0);
	for (i = 0, v = vs + 1; i < vtok[vs].size; i++, v = json_skip(vtok, v)) {
		ck_assert_int_eq(json_string(vtext, &vtok[member(v,
		    "protocol_name")], name, sizeof(name), NULL), 0);
		if (strcmp(name, "Noise_XX_25519_ChaChaPoly_SHA256") == 0) {
			run_vector(v);
			xx++;
		} else if (strcmp(name,
		    "Noise_XXpsk3_25519_ChaChaPoly_SHA256") == 0) {
			run_vector(v);
			xxpsk3++;
		}
	}
	ck_assert_int_ge(xx, 1);
	ck_assert_int_ge(xxpsk3, 1);
}
END_TEST

/* --- our own handshakes --------------------------------------------------- */

static const unsigned char key_i[32] = { 1, 2, 3 }, key_r[32] = { 4, 5, 6 };
static const unsigned char eph_i[32] = { 7, 8 }, eph_r[32] = { 9, 10 };
static const unsigned char psk_a[32] = { 42 }, psk_b[32] = { 43 };

/*
 * Run a handshake; alter byte flip (of message flip_msg) when flip >= 0.
 * Returns the message index that failed, or 3 when all went through.
 */
static int
handshake(const unsigned char *psk_i, const unsigned char *psk_r,
    int flip_msg, long flip, struct end *ends)
{
	unsigned char msg[256], pl[256];
	long n;
	int i;

	noise_hs_init(&ends[0].hs, 1, key_i, NULL, eph_i, psk_i, "p", 1);
	noise_hs_init(&ends[1].hs, 0, key_r, NULL, eph_r, psk_r, "p", 1);
	for (i = 0; i < 3; i++) {
		n = noise_hs_write(&ends[i % 2].hs, "hi", 2, msg, sizeof(msg));
		if (n < 0)
			return i;
		if (i == flip_msg && flip >= 0) {
			if (flip >= n)
				return -1;
			msg[flip] ^= 0x20;
		}
		if (noise_hs_read(&ends[1 - i % 2].hs, msg, (size_t)n, pl,
		    sizeof(pl)) < 0)
			return i;
	}
	return 3;
}

START_TEST(test_handshakes)
{
	struct end ends[2];
	unsigned char msg[256];
	int m, r, done;
	long b;

	ck_assert_int_eq(handshake(NULL, NULL, -1, -1, ends), 3);
	ck_assert(memcmp(noise_hs_remote(&ends[0].hs),
	    noise_hs_local(&ends[1].hs), 32) == 0);
	ck_assert(memcmp(noise_hs_remote(&ends[1].hs),
	    noise_hs_local(&ends[0].hs), 32) == 0);
	ck_assert_int_eq(handshake(psk_a, psk_a, -1, -1, ends), 3);
	/* A wrong psk shows at the last message, read by the responder. */
	ck_assert_int_eq(handshake(psk_a, psk_b, -1, -1, ends), 2);
	ck_assert_int_eq(ends[1].hs.msg, -1);
	/* With a psk on one side only, the names differ from the start. */
	ck_assert_int_lt(handshake(psk_a, NULL, -1, -1, ends), 3);
	ck_assert_int_lt(handshake(NULL, psk_a, -1, -1, ends), 3);
	/* Every byte of every message matters (message 1's payload is in
	 * clear, but hashed: message 2 fails then). */
	for (m = 0, done = 0; m < 3; m++)
		for (b = 0; (r = handshake(psk_a, psk_a, m, b, ends)) != -1;
		    b++)
			done += r == 3;
	ck_assert_int_eq(done, 0);
	/* A failed handshake stays failed. */
	memset(msg, 0, sizeof(msg));
	ck_assert_int_eq(handshake(psk_a, psk_b, -1, -1, ends), 2);
	ck_assert_int_eq(ends[1].hs.msg, -1);
	ck_assert_int_eq(noise_hs_write(&ends[1].hs, NULL, 0, msg,
	    sizeof(msg)), -1);
	ck_assert_int_eq(noise_hs_read(&ends[1].hs, msg, 64, msg, 256), -1);
	ck_assert(!noise_hs_done(&ends[1].hs));
}
END_TEST

START_TEST(test_low_order)
{
	struct noise_hs r;
	unsigned char msg[64], pl[16];

	/* An ephemeral key of zero (a point of small order) is refused. */
	noise_hs_init(&r, 0, key_r, NULL, eph_r, NULL, "", 0);
	memset(msg, 0, sizeof(msg));
	ck_assert_int_eq(noise_hs_read(&r, msg, 32, pl, sizeof(pl)), 0);
	ck_assert_int_eq(noise_hs_write(&r, NULL, 0, msg, sizeof(msg) + 0),
	    -1);
	/* Wrong sizes and turns. */
	noise_hs_init(&r, 0, key_r, NULL, eph_r, NULL, "", 0);
	ck_assert_int_eq(noise_hs_read(&r, msg, 31, pl, sizeof(pl)), -1);
	noise_hs_init(&r, 1, key_i, NULL, eph_i, NULL, "", 0);
	ck_assert_int_eq(noise_hs_read(&r, msg, 32, pl, sizeof(pl)), -1);
}
END_TEST

/* --- sealed frames -------------------------------------------------------- */

static void
ciphers(struct noise_cipher *tx, struct noise_cipher *rx)
{
	struct end ends[2];

	ck_assert_int_eq(handshake(NULL, NULL, -1, -1, ends), 3);
	noise_hs_split(&ends[0].hs, tx, &ends[0].rx, NULL);
	noise_hs_split(&ends[1].hs, &ends[1].tx, rx, NULL);
}

/* len bytes of a pattern (a plaintext), the k-th of its kind. */
static void
pattern(unsigned char *p, size_t len, int k)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + (size_t)k);
}

/* Seal len bytes of pattern k into out; the record's size, or 0. */
static size_t
sealed(struct noise_cipher *tx, unsigned char *out, size_t len, int k)
{
	static unsigned char in[SEAL_MAX_PLAIN];
	long n;

	pattern(in, len, k);
	n = seal_record(tx, out, in, len);
	return n < 0 ? 0 : (size_t)n;
}

/* Does buf[0..n) open to len bytes of pattern k (and nothing else)? */
static int
opens(struct noise_cipher *rx, const unsigned char *buf, size_t n,
    size_t len, int k)
{
	static unsigned char out[SEAL_MAX_PLAIN], want[SEAL_MAX_PLAIN];
	struct proto_frame f;
	size_t plen, size;

	if (seal_open(rx, buf, n, out, &plen, 1024, &f, &size) != (long)n ||
	    plen != len || size != n)
		return 0;
	pattern(want, len, k);
	return memcmp(out, want, len) == 0;
}

START_TEST(test_seal)
{
	static const size_t sizes[] = {
		0, 1, 15, 16, 63, 64, 65, 1000, SEAL_MAX_PLAIN
	};
	struct noise_cipher tx, rx, rx2;
	struct proto_frame f;
	unsigned char *a, *b, *c, *out;
	size_t i, k, n, m, size, plen;
	long r;

	a = malloc(SEAL_HEADER + SEAL_MAX_MSG + 64);
	b = malloc(SEAL_HEADER + SEAL_MAX_MSG + 64);
	c = malloc(SEAL_HEADER + SEAL_MAX_MSG + 64);
	out = malloc(SEAL_MAX_PLAIN);
	ciphers(&tx, &rx);
	for (i = 0; i < NELEM(sizes); i++) {
		n = sealed(&tx, a, sizes[i], (int)i);
		ck_assert_uint_eq(n, sizes[i] + SEAL_OVERHEAD);
		ck_assert_int_eq(a[4], PROTO_SEALED);
		/* Every prefix is partial. */
		for (k = 0; k < n; k += k < 64 ? 1 : 997)
			ck_assert_int_eq(seal_open(&rx, a, k, out, &plen, 1024,
			    &f, &size), PROTO_PARTIAL);
		ck_assert(opens(&rx, a, n, sizes[i], (int)i));
	}
	/* A record is a Noise message: 65535 bytes at most. */
	ck_assert_int_eq(seal_record(&tx, a, out, SEAL_MAX_PLAIN + 1), -1);
	/* Every byte altered: the tag fails, or the length is refused or
	 * waited for; nothing opens, the counter does not move. */
	n = sealed(&tx, a, 40, 3);
	for (k = 0; k < n; k++) {
		memcpy(b, a, n);
		b[k] ^= 0x01;
		rx2 = rx;
		r = seal_open(&rx2, b, n, out, &plen, 1024, &f, &size);
		ck_assert_msg(r == SEAL_EFORGED || r == PROTO_PARTIAL ||
		    r == SEAL_ECLEAR || r == PROTO_EEMPTY, "byte %zu: %ld", k,
		    r);
		ck_assert(rx2.n == rx.n);
	}
	ck_assert(opens(&rx, a, n, 40, 3));
	/* A replay fails. */
	ck_assert_int_eq(seal_open(&rx, a, n, out, &plen, 1024, &f, &size),
	    SEAL_EFORGED);
	/* Two records swapped fail. */
	n = sealed(&tx, a, 10, 4);
	m = sealed(&tx, b, 10, 5);
	memcpy(c, b, m);
	ck_assert_int_eq(seal_open(&rx, c, m, out, &plen, 1024, &f, &size),
	    SEAL_EFORGED);
	ck_assert(opens(&rx, a, n, 10, 4));
	ck_assert(opens(&rx, b, m, 10, 5));
	/* A record cut short, its length mended to match, fails. */
	n = sealed(&tx, a, 30, 6);
	a[3] -= 5;
	ck_assert_int_eq(seal_open(&rx, a, n - 5, out, &plen, 1024, &f,
	    &size), SEAL_EFORGED);
	/* Lengths no record has; empty. */
	memcpy(a, "\0\0\0\x10\x0a", 5);
	ck_assert_int_eq(seal_open(&rx, a, 20, out, &plen, 1024, &f, &size),
	    SEAL_EFORGED);
	memcpy(a, "\0\x01\0\x01\x0a", 5);
	ck_assert_int_eq(seal_open(&rx, a, 5, out, &plen, 1024, &f, &size),
	    SEAL_EFORGED);
	memcpy(a, "\0\0\0\0\x0a", 5);
	ck_assert_int_eq(seal_open(&rx, a, 5, out, &plen, 1024, &f, &size),
	    PROTO_EEMPTY);
	/* A frame in clear is given back as it is, if small. */
	memcpy(a, "\0\0\0\x03\x04\0\x0c", 7);
	ck_assert_int_eq(seal_open(&rx, a, 7, out, &plen, 1024, &f, &size),
	    SEAL_ECLEAR);
	ck_assert_int_eq(f.type, 4);
	ck_assert_uint_eq(size, 7);
	memcpy(a, "\0\0\x04\x01\x04", 5);
	ck_assert_int_eq(seal_open(&rx, a, 5, out, &plen, 1024, &f, &size),
	    SEAL_EFORGED);
	free(a);
	free(b);
	free(c);
	free(out);
}
END_TEST

START_TEST(test_rekey)
{
	struct noise_cipher tx, rx, plain_tx;
	unsigned char a[64], b[64];
	unsigned i, bad;

	ciphers(&tx, &rx);
	for (i = 0, bad = 0; i < SEAL_REKEY_EVERY - 1; i++) {
		sealed(&tx, a, 8, 1);
		bad += !opens(&rx, a, 8 + SEAL_OVERHEAD, 8, 1);
	}
	ck_assert_uint_eq(bad, 0);
	/* Record SEAL_REKEY_EVERY - 1 is the last under the first key. */
	plain_tx = tx;
	sealed(&tx, a, 8, 1);
	ck_assert(opens(&rx, a, 8 + SEAL_OVERHEAD, 8, 1));
	ck_assert(memcmp(plain_tx.k, tx.k, 32) != 0);
	ck_assert(memcmp(tx.k, rx.k, 32) == 0);
	/* The next goes under the new key: without the rekey it differs. */
	plain_tx.n = tx.n;
	sealed(&tx, a, 8, 1);
	sealed(&plain_tx, b, 8, 1);
	ck_assert(memcmp(a, b, 8 + SEAL_OVERHEAD) != 0);
	ck_assert(opens(&rx, a, 8 + SEAL_OVERHEAD, 8, 1));
	for (i = 0, bad = 0; i < 1000; i++) {
		sealed(&tx, a, 8, 2);
		bad += !opens(&rx, a, 8 + SEAL_OVERHEAD, 8, 2);
	}
	ck_assert_uint_eq(bad, 0);
}
END_TEST

/* --- base64 and key files --------------------------------------------------- */

START_TEST(test_base64)
{
	static const char *const tab[][2] = {	/* RFC 4648, section 10 */
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" }
	};
	static const char *const bad[] = {
		"Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zm8", "Zm8*", "Z g=",
		"====", "Zg==Zg==", "Zm9vY===", "\xc3\xa9xx"
	};
	unsigned char all[256], out[512];
	char text[512];
	size_t i;
	long n;

	for (i = 0; i < NELEM(tab); i++) {
		base64_encode(text, (const unsigned char *)tab[i][0],
		    strlen(tab[i][0]));
		ck_assert_str_eq(text, tab[i][1]);
		n = base64_decode(out, sizeof(out), tab[i][1],
		    strlen(tab[i][1]));
		ck_assert_int_eq(n, (long)strlen(tab[i][0]));
		ck_assert(memcmp(out, tab[i][0], (size_t)n) == 0);
	}
	for (i = 0; i < NELEM(bad); i++)
		ck_assert_msg(base64_decode(out, sizeof(out), bad[i],
		    strlen(bad[i])) == -1, "%s", bad[i]);
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (i = 0; i <= 256; i++) {
		base64_encode(text, all, i);
		ck_assert_uint_eq(strlen(text), BASE64_LEN(i));
		ck_assert_int_eq(base64_decode(out, sizeof(out), text,
		    strlen(text)), (long)i);
		ck_assert(memcmp(out, all, i) == 0);
	}
	base64_encode(text, all, 64);
	ck_assert_int_eq(base64_decode(out, 47, text, strlen(text)), -1);
}
END_TEST

START_TEST(test_keys)
{
	char dir[] = "/tmp/kaipeer-keys-XXXXXX", path[128], err[256];
	char warn[256], b64[KEYS_B64 + 1];
	unsigned char pub[32], key[32], again[32];
	struct stat st;
	FILE *fp;

	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/id.key", dir);
	ck_assert_int_eq(keys_generate(path, pub, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, KEYS_B64 + 1);
	/* Never overwritten. */
	ck_assert_int_eq(keys_generate(path, again, err, sizeof(err)), -1);
	ck_assert(strstr(err, "never overwritten") != NULL);
	ck_assert_int_eq(keys_load(path, key, err, sizeof(err), warn,
	    sizeof(warn)), 0);
	ck_assert_str_eq(warn, "");
	x25519_public(again, key);
	ck_assert(memcmp(again, pub, 32) == 0);
	keys_format(b64, pub);
	ck_assert_int_eq(keys_parse(b64, strlen(b64), again), 0);
	ck_assert(memcmp(again, pub, 32) == 0);
	/* Readable by others: loaded, with a warning. */
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(keys_load(path, key, err, sizeof(err), warn,
	    sizeof(warn)), 0);
	ck_assert(strstr(warn, "chmod 600") != NULL);
	unlink(path);
	/* Not a key. */
	fp = fopen(path, "w");
	fputs("hello\n", fp);
	fclose(fp);
	ck_assert_int_eq(keys_load(path, key, err, sizeof(err), warn,
	    sizeof(warn)), -1);
	ck_assert(strstr(err, "not a key file") != NULL);
	unlink(path);
	ck_assert_int_eq(keys_load(path, key, err, sizeof(err), warn,
	    sizeof(warn)), -1);
	rmdir(dir);
}
END_TEST

static Suite *
noise_suite(void)
{
	Suite *s = suite_create("noise");
	TCase *tc = tcase_create("noise");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cacophony);
	tcase_add_test(tc, test_handshakes);
	tcase_add_test(tc, test_low_order);
	tcase_add_test(tc, test_seal);
	tcase_add_test(tc, test_rekey);
	tcase_add_test(tc, test_base64);
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(noise_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
