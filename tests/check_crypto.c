/*
 * check_crypto: ct.c, sha256.c, chacha20.c, poly1305.c and aead.c, linked
 * with json.c and Check.
 *
 * Three kinds of tests.  Published vectors, typed in as tables: FIPS 180-4
 * SHA-256, RFC 4231 HMAC, RFC 5869 HKDF, and every example and appendix
 * vector of RFC 8439 (the quarter-round vectors of 2.1.1 and 2.2.1 check
 * a reference ChaCha20 written here from the RFC text, against which
 * chacha20_block() is then compared on random inputs, since the library
 * keeps its quarter round static).  Project Wycheproof's files for
 * ChaCha20-Poly1305, HKDF-SHA-256 and HMAC-SHA-256, read at run time from
 * tests/vectors/ with our own JSON parser; each test counts the vectors it
 * ran and checks the count against the file's numberOfTests, so a file
 * read wrongly cannot pass by running nothing.  And properties: any split
 * of a message into update calls gives the one-shot result, in == out,
 * aead_open refusing every single-bit change and leaving out alone.
 *
 * Inputs are copied into heap buffers of exactly their length, so
 * AddressSanitizer sees a read past the end.  Run from the repository
 * root: the vector files are opened by relative path.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "chacha20.h"
#include "ct.h"
#include "json.h"
#include "poly1305.h"
#include "sha256.h"

#define NELEM(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define MAXBUF		9000	/* bytes in the longest field */
#define MAXTOK		65536	/* tokens in the largest file */

#define VEC_DIR		"tests/vectors/wycheproof_"
#define VEC_AEAD	VEC_DIR "chacha20_poly1305_test.json"
#define VEC_HKDF	VEC_DIR "hkdf_sha256_test.json"
#define VEC_HMAC	VEC_DIR "hmac_sha256_test.json"

/*
 * Decode hex into out, skipping blanks and ':' so that rows can be typed
 * as the RFCs print them.  Returns the number of bytes.
 */
static size_t
unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == ':' || *s == '\n')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			ck_abort_msg("bad hex digit '%c'", *s);
		if (hi < 0) {
			hi = v;
			continue;
		}
		ck_assert_uint_lt(n, max);
		out[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	ck_assert_int_lt(hi, 0);
	return n;
}

/* A heap copy of p[0..n), so that reading past n is caught. */
static unsigned char *
dup(const void *p, size_t n)
{
	unsigned char *q = malloc(n > 0 ? n : 1);

	ck_assert_ptr_nonnull(q);
	if (n > 0)
		memcpy(q, p, n);
	return q;
}

/* A table field: text when text is set, else hex; into a heap copy. */
static unsigned char *
field(const char *text, const char *hex, size_t *len)
{
	unsigned char buf[MAXBUF];

	if (text != NULL) {
		*len = strlen(text);
		return dup(text, *len);
	}
	*len = unhex(hex, buf, sizeof(buf));
	return dup(buf, *len);
}

/* A small deterministic generator for test data (xorshift32). */
static uint32_t
next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
random_bytes(uint32_t *s, unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(next_random(s) >> 24);
}

/*
 * 1 when p[0..n) is all c.  Loops that would assert per byte or per case
 * count failures and assert once: each passing ck_assert costs Check a
 * write to its parent process.
 */
static int
all_bytes(const unsigned char *p, size_t n, int c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* ---- ct ---------------------------------------------------------------- */

START_TEST(test_ct_compare)
{
	unsigned char a[64], b[64];
	size_t i, n;
	int bit, bad = 0;

	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (unsigned char)(i * 7 + 1);
	ck_assert_int_eq(ct_compare(a, b, 0), 0);
	ck_assert_int_eq(ct_compare(a, b, sizeof(a)), 0);
	for (n = 1; n <= sizeof(a); n++) {
		for (i = 0; i < n; i++) {
			for (bit = 0; bit < 8; bit++) {
				b[i] ^= (unsigned char)(1 << bit);
				bad += ct_compare(a, b, n) != -1;
				bad += ct_compare(b, a, n) != -1;
				b[i] ^= (unsigned char)(1 << bit);
			}
		}
		bad += ct_compare(a, b, n) != 0;
	}
	ck_assert_int_eq(bad, 0);
	/* A difference past n does not count. */
	b[10] ^= 0xff;
	ck_assert_int_eq(ct_compare(a, b, 10), 0);
	ck_assert_int_eq(ct_compare(a, b, 11), -1);
}
END_TEST

START_TEST(test_ct_is_zero)
{
	unsigned char z[100];
	size_t i;
	int bit, bad = 0;

	memset(z, 0, sizeof(z));
	ck_assert_int_eq(ct_is_zero(z, 0), 1);
	ck_assert_int_eq(ct_is_zero(z, sizeof(z)), 1);
	for (i = 0; i < sizeof(z); i++) {
		for (bit = 0; bit < 8; bit++) {
			z[i] = (unsigned char)(1 << bit);
			bad += ct_is_zero(z, sizeof(z)) != 0;
			bad += ct_is_zero(z, i) != 1;
			bad += ct_is_zero(z, i + 1) != 0;
		}
		z[i] = 0;
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(test_ct_wipe)
{
	unsigned char b[40];
	size_t i;

	memset(b, 0xa5, sizeof(b));
	ct_wipe(b + 5, 30);
	for (i = 0; i < sizeof(b); i++)
		ck_assert_uint_eq(b[i], i < 5 || i >= 35 ? 0xa5 : 0);
	ct_wipe(b, 0);
	ck_assert_uint_eq(b[0], 0xa5);
}
END_TEST

/* ---- SHA-256, HMAC, HKDF: published vectors ---------------------------- */

/* Repeated text, for the long inputs of the tables. */
#define REP2(s)		s s
#define REP4(s)		REP2(REP2(s))
#define REP16(s)	REP4(REP4(s))
#define REP64(s)	REP4(REP16(s))

/* FIPS 180-4 examples (also RFC 6234, section 8.5). */
static const struct {
	const char	*msg;
	long		 repeat;	/* msg this many times */
	const char	*digest;
} sha_vectors[] = {
	{ "abc", 1,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad" },
	{ "", 1,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	    "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1" },
	{ "a", 1000000,
	    "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0" },
	/* the million again, as 10,000 times 100 */
	{ REP64("a") REP16("a") REP16("a") REP4("a"), 10000,
	    "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0" },
};

START_TEST(test_sha256_vectors)
{
	unsigned char want[SHA256_SIZE], got[SHA256_SIZE], *msg;
	struct sha256 c;
	size_t len = strlen(sha_vectors[_i].msg);
	long r;

	unhex(sha_vectors[_i].digest, want, sizeof(want));
	msg = dup(sha_vectors[_i].msg, len);
	if (sha_vectors[_i].repeat == 1) {
		sha256(got, msg, len);
		ck_assert_mem_eq(got, want, sizeof(want));
	}
	sha256_init(&c);
	for (r = 0; r < sha_vectors[_i].repeat; r++)
		sha256_update(&c, msg, len);
	sha256_final(&c, got);
	ck_assert_mem_eq(got, want, sizeof(want));
	/* final wipes the context */
	ck_assert_int_eq(ct_is_zero(&c, sizeof(c)), 1);
	free(msg);
}
END_TEST

/* RFC 4231, section 4: test cases 1 to 7, HMAC-SHA-256. */
static const struct {
	const char	*key;		/* hex */
	const char	*text;		/* data as text, or NULL */
	const char	*hex;		/* data as hex */
	const char	*mac;		/* hex; case 5 cut to 128 bits */
} hmac_vectors[] = {
	{ REP4("0b0b0b0b0b"), "Hi There", NULL,
	    "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7" },
	{ "4a656665", "what do ya want for nothing?", NULL,
	    "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843" },
	{ REP4("aaaaaaaaaa"), NULL, REP4("dddddddddddddddddddddddd") "dddd",
	    "773ea91e36800e46854db8ebd09181a7"
	    "2959098b3ef8c122d9635514ced565fe" },
	{ "0102030405060708090a0b0c0d0e0f10111213141516171819", NULL,
	    REP4("cdcdcdcdcdcdcdcdcdcdcdcd") "cdcd",
	    "82558a389a443c0ea4cc819899f2083a"
	    "85f0faa3e578f8077a2e3ff46729665b" },
	{ REP4("0c0c0c0c0c"), "Test With Truncation", NULL,
	    "a3b6167473100ee06e0c796c2955552b" },
	{ REP64("aa") REP64("aa") "aaaaaa",
	    "Test Using Larger Than Block-Size Key - Hash Key First", NULL,
	    "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54" },
	{ REP64("aa") REP64("aa") "aaaaaa",
	    "This is a test using a larger than block-size key and a larger "
	    "than block-size data. The key needs to be hashed before being "
	    "used by the HMAC algorithm.", NULL,
	    "9b09ffa71b942fcb27635fbcd5b0e944"
	    "bfdc63644f0713938a7f51535c3a35e2" },
};

START_TEST(test_hmac_vectors)
{
	unsigned char want[SHA256_SIZE], got[SHA256_SIZE], *key, *data;
	size_t klen, dlen, wlen;
	struct hmac_sha256 c;

	key = field(NULL, hmac_vectors[_i].key, &klen);
	data = field(hmac_vectors[_i].text, hmac_vectors[_i].hex, &dlen);
	wlen = unhex(hmac_vectors[_i].mac, want, sizeof(want));
	hmac_sha256(got, key, klen, data, dlen);
	ck_assert_mem_eq(got, want, wlen);
	memset(got, 0, sizeof(got));
	hmac_sha256_init(&c, key, klen);
	hmac_sha256_update(&c, data, dlen);
	hmac_sha256_final(&c, got);
	ck_assert_mem_eq(got, want, wlen);
	ck_assert_int_eq(ct_is_zero(&c, sizeof(c)), 1);
	free(key);
	free(data);
}
END_TEST

/* RFC 5869, appendix A: test cases 1 to 3, SHA-256. */
static const struct {
	const char	*ikm, *salt, *info;
	size_t		 len;
	const char	*prk, *okm;
} hkdf_vectors[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "000102030405060708090a0b0c",
	    "f0f1f2f3f4f5f6f7f8f9",
	    42,
	    "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	    "3cb25f25faacd57a90434f64d0362f2a"
	    "2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	    "34007208d5b887185865" },
	{ "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f"
	    "303132333435363738393a3b3c3d3e3f"
	    "404142434445464748494a4b4c4d4e4f",
	    "606162636465666768696a6b6c6d6e6f"
	    "707172737475767778797a7b7c7d7e7f"
	    "808182838485868788898a8b8c8d8e8f"
	    "909192939495969798999a9b9c9d9e9f"
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	    "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	    "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	    "e0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	    82,
	    "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
	    "b11e398dc80327a1c8e7f78c596a4934"
	    "4f012eda2d4efad8a050cc4c19afa97c"
	    "59045a99cac7827271cb41c65e590e09"
	    "da3275600c2f09b8367793a9aca3db71"
	    "cc30c58179ec3e87c14c01d5c1f3434f1d87" },
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "",
	    "",
	    42,
	    "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
	    "8da4e775a563c18f715f802a063c5a31"
	    "b8a11f5c5ee1879ec3454e5f3c738d2d"
	    "9d201395faa4b61a96c8" },
};

START_TEST(test_hkdf_vectors)
{
	unsigned char prk[SHA256_SIZE], want_prk[SHA256_SIZE], want[100],
	    got[101], *ikm, *salt, *info;
	size_t ilen, slen, inlen, wlen;

	ikm = field(NULL, hkdf_vectors[_i].ikm, &ilen);
	salt = field(NULL, hkdf_vectors[_i].salt, &slen);
	info = field(NULL, hkdf_vectors[_i].info, &inlen);
	unhex(hkdf_vectors[_i].prk, want_prk, sizeof(want_prk));
	wlen = unhex(hkdf_vectors[_i].okm, want, sizeof(want));
	ck_assert_uint_eq(wlen, hkdf_vectors[_i].len);

	hkdf_sha256_extract(prk, salt, slen, ikm, ilen);
	ck_assert_mem_eq(prk, want_prk, sizeof(prk));
	memset(got, 0xee, sizeof(got));
	ck_assert_int_eq(hkdf_sha256_expand(got, wlen, prk, sizeof(prk), info,
	    inlen), 0);
	ck_assert_mem_eq(got, want, wlen);
	ck_assert_uint_eq(got[wlen], 0xee);
	memset(got, 0xee, sizeof(got));
	ck_assert_int_eq(hkdf_sha256(got, wlen, salt, slen, ikm, ilen, info,
	    inlen), 0);
	ck_assert_mem_eq(got, want, wlen);
	ck_assert_uint_eq(got[wlen], 0xee);
	/* An empty salt is a salt of 32 zero bytes (RFC 5869, 2.2). */
	if (slen == 0) {
		memset(want_prk, 0, sizeof(want_prk));
		hkdf_sha256_extract(prk, want_prk, sizeof(want_prk), ikm, ilen);
		unhex(hkdf_vectors[_i].prk, want_prk, sizeof(want_prk));
		ck_assert_mem_eq(prk, want_prk, sizeof(prk));
	}
	/* okm may be the very buffer that holds prk. */
	hkdf_sha256_extract(got, salt, slen, ikm, ilen);
	ck_assert_int_eq(hkdf_sha256_expand(got, wlen, got, SHA256_SIZE, info,
	    inlen), 0);
	ck_assert_mem_eq(got, want, wlen);
	free(ikm);
	free(salt);
	free(info);
}
END_TEST

START_TEST(test_hkdf_limits)
{
	static unsigned char okm[255 * 32 + 2], part[255 * 32];
	unsigned char prk[SHA256_SIZE];
	size_t n;
	int bad = 0;

	memset(prk, 0x42, sizeof(prk));
	memset(okm, 0xee, sizeof(okm));
	ck_assert_int_eq(hkdf_sha256_expand(okm, 255 * 32 + 1, prk,
	    sizeof(prk), "", 0), -1);
	ck_assert_int_eq(hkdf_sha256(okm, 255 * 32 + 1, "", 0, "x", 1, "", 0),
	    -1);
	ck_assert_int_eq(hkdf_sha256(okm, (size_t)-1, "", 0, "x", 1, "", 0),
	    -1);
	ck_assert(all_bytes(okm, sizeof(okm), 0xee));
	/* The longest output is fine; a shorter one is a prefix of it. */
	ck_assert_int_eq(hkdf_sha256_expand(okm, 255 * 32, prk, sizeof(prk),
	    "i", 1), 0);
	ck_assert_uint_eq(okm[255 * 32], 0xee);
	for (n = 0; n <= 255 * 32; n += n < 100 ? 1 : 997) {
		memset(part, 0xee, sizeof(part));
		bad += hkdf_sha256_expand(part, n, prk, sizeof(prk), "i",
		    1) != 0;
		bad += memcmp(part, okm, n) != 0;
		bad += !all_bytes(part + n, sizeof(part) - n, 0xee);
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

/* ---- ChaCha20: a reference model, checked on 2.1.1, 2.2.1, 2.3.2 ------ */

static uint32_t
ref_rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

/* RFC 8439, 2.1, written out as the RFC writes it. */
static void
ref_quarter(uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	*a += *b; *d ^= *a; *d = ref_rol(*d, 16);
	*c += *d; *b ^= *c; *b = ref_rol(*b, 12);
	*a += *b; *d ^= *a; *d = ref_rol(*d, 8);
	*c += *d; *b ^= *c; *b = ref_rol(*b, 7);
}

static void
ref_qround(uint32_t s[16], int x, int y, int z, int w)
{
	ref_quarter(&s[x], &s[y], &s[z], &s[w]);
}

/* RFC 8439, 2.3.1: 10 inner blocks on a copy, no addition yet. */
static void
ref_rounds(uint32_t s[16])
{
	int i;

	for (i = 0; i < 10; i++) {
		ref_qround(s, 0, 4, 8, 12);
		ref_qround(s, 1, 5, 9, 13);
		ref_qround(s, 2, 6, 10, 14);
		ref_qround(s, 3, 7, 11, 15);
		ref_qround(s, 0, 5, 10, 15);
		ref_qround(s, 1, 6, 11, 12);
		ref_qround(s, 2, 7, 8, 13);
		ref_qround(s, 3, 4, 9, 14);
	}
}

static void
ref_setup(uint32_t s[16], const unsigned char *key, uint32_t counter,
    const unsigned char *nonce)
{
	static const uint32_t sigma[4] = {
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
	};
	int i, j;

	for (i = 0; i < 4; i++)
		s[i] = sigma[i];
	for (i = 0; i < 8; i++)
		for (s[4 + i] = 0, j = 3; j >= 0; j--)
			s[4 + i] = s[4 + i] << 8 | key[4 * i + j];
	s[12] = counter;
	for (i = 0; i < 3; i++)
		for (s[13 + i] = 0, j = 3; j >= 0; j--)
			s[13 + i] = s[13 + i] << 8 | nonce[4 * i + j];
}

static void
ref_block(unsigned char out[64], const unsigned char *key, uint32_t counter,
    const unsigned char *nonce)
{
	uint32_t s[16], x[16];
	int i;

	ref_setup(s, key, counter, nonce);
	memcpy(x, s, sizeof(x));
	ref_rounds(x);
	for (i = 0; i < 16; i++) {
		x[i] += s[i];
		out[4 * i] = (unsigned char)x[i];
		out[4 * i + 1] = (unsigned char)(x[i] >> 8);
		out[4 * i + 2] = (unsigned char)(x[i] >> 16);
		out[4 * i + 3] = (unsigned char)(x[i] >> 24);
	}
}

START_TEST(test_chacha20_reference)
{
	/* 2.2.1 */
	static const uint32_t before[16] = {
		0x879531e0, 0xc5ecf37d, 0x516461b1, 0xc9a62f8a,
		0x44c20ef3, 0x3390af7f, 0xd9fc690b, 0x2a5f714c,
		0x53372767, 0xb00a5631, 0x974c541a, 0x359e9963,
		0x5c971061, 0x3d631689, 0x2098d9d6, 0x91dbd320
	};
	static const uint32_t after[16] = {
		0x879531e0, 0xc5ecf37d, 0xbdb886dc, 0xc9a62f8a,
		0x44c20ef3, 0x3390af7f, 0xd9fc690b, 0xcfacafd2,
		0xe46bea80, 0xb00a5631, 0x974c541a, 0x359e9963,
		0x5c971061, 0xccc07c79, 0x2098d9d6, 0x91dbd320
	};
	/* 2.3.2: the setup and the state after 20 rounds */
	static const uint32_t setup232[16] = {
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
		0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
		0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c,
		0x00000001, 0x09000000, 0x4a000000, 0x00000000
	};
	static const uint32_t rounds232[16] = {
		0x837778ab, 0xe238d763, 0xa67ae21e, 0x5950bb2f,
		0xc4f2d0c7, 0xfc62bb2f, 0x8fa018fc, 0x3f5ec7b7,
		0x335271c2, 0xf29489f3, 0xeabda8fc, 0x82e46ebd,
		0xd19c12b4, 0xb04e16de, 0x9e83d0cb, 0x4e3c50a2
	};
	uint32_t a, b, c, d, s[16], seed = 8439, counter;
	unsigned char key[32], nonce[12], want[64], got[64];
	int i, bad = 0;

	/* 2.1: the worked fourth line of the example */
	ck_assert_uint_eq(0x77777777 + 0x01234567, 0x789abcde);
	ck_assert_uint_eq(0x01020304 ^ 0x789abcde, 0x7998bfda);
	ck_assert_uint_eq(ref_rol(0x7998bfda, 7), 0xcc5fed3c);
	/* 2.1.1 */
	a = 0x11111111;
	b = 0x01020304;
	c = 0x9b8d6f43;
	d = 0x01234567;
	ref_quarter(&a, &b, &c, &d);
	ck_assert_uint_eq(a, 0xea2a92f4);
	ck_assert_uint_eq(b, 0xcb1cf8ce);
	ck_assert_uint_eq(c, 0x4581472e);
	ck_assert_uint_eq(d, 0x5881c4bb);
	/* 2.2.1 */
	memcpy(s, before, sizeof(s));
	ref_qround(s, 2, 7, 8, 13);
	ck_assert_mem_eq(s, after, sizeof(s));
	/* 2.3.2 */
	for (i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	unhex("00 00 00 09 00 00 00 4a 00 00 00 00", nonce, sizeof(nonce));
	ref_setup(s, key, 1, nonce);
	ck_assert_mem_eq(s, setup232, sizeof(s));
	ref_rounds(s);
	ck_assert_mem_eq(s, rounds232, sizeof(s));

	/* The library against the model, on random inputs. */
	for (i = 0; i < 2000; i++) {
		random_bytes(&seed, key, sizeof(key));
		random_bytes(&seed, nonce, sizeof(nonce));
		counter = next_random(&seed);
		if (i % 4 == 0)
			counter = 0xffffffff - (uint32_t)(i % 3);
		ref_block(want, key, counter, nonce);
		chacha20_block(got, key, counter, nonce);
		bad += memcmp(got, want, sizeof(got)) != 0;
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

/* ---- ChaCha20: RFC 8439 vectors ---------------------------------------- */

#define KEY_SEQ	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"
#define KEY_80	"808182838485868788898a8b8c8d8e8f" \
		"909192939495969798999a9b9c9d9e9f"
#define KEY_0	"00000000000000000000000000000000" \
		"00000000000000000000000000000000"
#define KEY_1	"00000000000000000000000000000000" \
		"00000000000000000000000000000001"
#define KEY_1C	"1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0" \
		"47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 75 c0"
#define NONCE_0	"000000000000000000000000"
#define NONCE_2	"000000000000000000000002"

/* A.1 #1, A.2 #1 and A.4 #1 share this key stream. */
#define STREAM_0 \
	"76 b8 e0 ad a0 f1 3d 90 40 5d 6a e5 53 86 bd 28" \
	"bd d2 19 b8 a0 8d ed 1a a8 36 ef cc 8b 77 0d c7" \
	"da 41 59 7c 51 57 48 8d 77 24 e0 3f b8 d8 4a 37" \
	"6a 43 b8 f4 15 18 a1 1c c3 87 b6 69 b2 ee 65 86"

static const char sunscreen[] =
    "Ladies and Gentlemen of the class of '99: If I could offer you only "
    "one tip for the future, sunscreen would be it.";

static const char ietf[] =
    "Any submission to the IETF intended by the Contributor for "
    "publication as all or part of an IETF Internet-Draft or RFC and any "
    "statement made within the context of an IETF activity is considered "
    "an \"IETF Contribution\". Such statements include oral statements in "
    "IETF sessions, as well as written and electronic communications made "
    "at any time or place, which are addressed to";

static const char jabberwocky[] =
    "'Twas brillig, and the slithy toves\nDid gyre and gimble in the "
    "wabe:\nAll mimsy were the borogoves,\nAnd the mome raths outgrabe.";

/* 2.3.2, 2.6.2, A.1 and A.4: key stream blocks (A.4 gives 32 bytes). */
static const struct {
	const char	*name, *key, *nonce;
	uint32_t	 counter;
	const char	*block;
} block_vectors[] = {
	{ "2.3.2", KEY_SEQ, "00 00 00 09 00 00 00 4a 00 00 00 00", 1,
	    "10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4"
	    "c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e"
	    "d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2"
	    "b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e" },
	{ "2.6.2", KEY_80, "00 00 00 00 00 01 02 03 04 05 06 07", 0,
	    "8a d5 a0 8b 90 5f 81 cc 81 50 40 27 4a b2 94 71"
	    "a8 33 b6 37 e3 fd 0d a5 08 db b8 e2 fd d1 a6 46" },
	{ "2.8.2 one-time key", KEY_80, "07 00 00 00 40 41 42 43 44 45 46 47",
	    0,
	    "7b ac 2b 25 2d b4 47 af 09 b6 7a 55 a4 e9 55 84"
	    "0a e1 d6 73 10 75 d9 eb 2a 93 75 78 3e d5 53 ff" },
	{ "A.1 #1", KEY_0, NONCE_0, 0, STREAM_0 },
	{ "A.1 #2", KEY_0, NONCE_0, 1,
	    "9f 07 e7 be 55 51 38 7a 98 ba 97 7c 73 2d 08 0d"
	    "cb 0f 29 a0 48 e3 65 69 12 c6 53 3e 32 ee 7a ed"
	    "29 b7 21 76 9c e6 4e 43 d5 71 33 b0 74 d8 39 d5"
	    "31 ed 1f 28 51 0a fb 45 ac e1 0a 1f 4b 79 4d 6f" },
	{ "A.1 #3", KEY_1, NONCE_0, 1,
	    "3a eb 52 24 ec f8 49 92 9b 9d 82 8d b1 ce d4 dd"
	    "83 20 25 e8 01 8b 81 60 b8 22 84 f3 c9 49 aa 5a"
	    "8e ca 00 bb b4 a7 3b da d1 92 b5 c4 2f 73 f2 fd"
	    "4e 27 36 44 c8 b3 61 25 a6 4a dd eb 00 6c 13 a0" },
	{ "A.1 #4", "00ff" "0000000000000000000000000000"
	    "00000000000000000000000000000000", NONCE_0, 2,
	    "72 d5 4d fb f1 2e c4 4b 36 26 92 df 94 13 7f 32"
	    "8f ea 8d a7 39 90 26 5e c1 bb be a1 ae 9a f0 ca"
	    "13 b2 5a a2 6c b4 a6 48 cb 9b 9d 1b e6 5b 2c 09"
	    "24 a6 6c 54 d5 45 ec 1b 73 74 f4 87 2e 99 f0 96" },
	{ "A.1 #5", KEY_0, NONCE_2, 0,
	    "c2 c6 4d 37 8c d5 36 37 4a e2 04 b9 ef 93 3f cd"
	    "1a 8b 22 88 b3 df a4 96 72 ab 76 5b 54 ee 27 c7"
	    "8a 97 0e 0e 95 5c 14 f3 a8 8e 74 1b 97 c2 86 f7"
	    "5f 8f c2 99 e8 14 83 62 fa 19 8a 39 53 1b ed 6d" },
	{ "A.4 #1", KEY_0, NONCE_0, 0, STREAM_0 },
	{ "A.4 #2", KEY_1, NONCE_2, 0,
	    "ec fa 25 4f 84 5f 64 74 73 d3 cb 14 0d a9 e8 76"
	    "06 cb 33 06 6c 44 7b 87 bc 26 66 dd e3 fb b7 39" },
	{ "A.4 #3", KEY_1C, NONCE_2, 0,
	    "96 5e 3b c6 f9 ec 7e d9 56 08 08 f4 d2 29 f9 4b"
	    "13 7f f2 75 ca 9b 3f cb dd 59 de aa d2 33 10 ae" },
};

START_TEST(test_chacha20_block_vectors)
{
	unsigned char key[32], nonce[12], want[64], got[64], zero[64];
	size_t n;

	ck_assert_uint_eq(unhex(block_vectors[_i].key, key, sizeof(key)), 32);
	ck_assert_uint_eq(unhex(block_vectors[_i].nonce, nonce,
	    sizeof(nonce)), 12);
	n = unhex(block_vectors[_i].block, want, sizeof(want));
	ck_assert(n == 32 || n == 64);
	chacha20_block(got, key, block_vectors[_i].counter, nonce);
	ck_assert_msg(memcmp(got, want, n) == 0, "%s", block_vectors[_i].name);
	/* The block is the key stream: chacha20_xor on zeros. */
	memset(zero, 0, sizeof(zero));
	chacha20_xor(zero, zero, sizeof(zero), key, block_vectors[_i].counter,
	    nonce);
	ck_assert_mem_eq(zero, got, sizeof(got));
}
END_TEST

/* 2.4.2 and A.2: encryption. */
static const struct {
	const char	*name, *key, *nonce;
	uint32_t	 counter;
	const char	*text, *hex;	/* plaintext as text or as hex */
	const char	*ct;
} xor_vectors[] = {
	{ "2.4.2", KEY_SEQ, "00 00 00 00 00 00 00 4a 00 00 00 00", 1,
	    sunscreen, NULL,
	    "6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81"
	    "e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b"
	    "f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57"
	    "16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8"
	    "07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e"
	    "52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36"
	    "5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42"
	    "87 4d" },
	{ "A.2 #1", KEY_0, NONCE_0, 0, NULL,
	    REP4("00000000000000000000000000000000"), STREAM_0 },
	{ "A.2 #2", KEY_1, NONCE_2, 1, ietf, NULL,
	    "a3 fb f0 7d f3 fa 2f de 4f 37 6c a2 3e 82 73 70"
	    "41 60 5d 9f 4f 4f 57 bd 8c ff 2c 1d 4b 79 55 ec"
	    "2a 97 94 8b d3 72 29 15 c8 f3 d3 37 f7 d3 70 05"
	    "0e 9e 96 d6 47 b7 c3 9f 56 e0 31 ca 5e b6 25 0d"
	    "40 42 e0 27 85 ec ec fa 4b 4b b5 e8 ea d0 44 0e"
	    "20 b6 e8 db 09 d8 81 a7 c6 13 2f 42 0e 52 79 50"
	    "42 bd fa 77 73 d8 a9 05 14 47 b3 29 1c e1 41 1c"
	    "68 04 65 55 2a a6 c4 05 b7 76 4d 5e 87 be a8 5a"
	    "d0 0f 84 49 ed 8f 72 d0 d6 62 ab 05 26 91 ca 66"
	    "42 4b c8 6d 2d f8 0e a4 1f 43 ab f9 37 d3 25 9d"
	    "c4 b2 d0 df b4 8a 6c 91 39 dd d7 f7 69 66 e9 28"
	    "e6 35 55 3b a7 6c 5c 87 9d 7b 35 d4 9e b2 e6 2b"
	    "08 71 cd ac 63 89 39 e2 5e 8a 1e 0e f9 d5 28 0f"
	    "a8 ca 32 8b 35 1c 3c 76 59 89 cb cf 3d aa 8b 6c"
	    "cc 3a af 9f 39 79 c9 2b 37 20 fc 88 dc 95 ed 84"
	    "a1 be 05 9c 64 99 b9 fd a2 36 e7 e8 18 b0 4b 0b"
	    "c3 9c 1e 87 6b 19 3b fe 55 69 75 3f 88 12 8c c0"
	    "8a aa 9b 63 d1 a1 6f 80 ef 25 54 d7 18 9c 41 1f"
	    "58 69 ca 52 c5 b8 3f a3 6f f2 16 b9 c1 d3 00 62"
	    "be bc fd 2d c5 bc e0 91 19 34 fd a7 9a 86 f6 e6"
	    "98 ce d7 59 c3 ff 9b 64 77 33 8f 3d a4 f9 cd 85"
	    "14 ea 99 82 cc af b3 41 b2 38 4d d9 02 f3 d1 ab"
	    "7a c6 1d d2 9c 6f 21 ba 5b 86 2f 37 30 e3 7c fd"
	    "c4 fd 80 6c 22 f2 21" },
	{ "A.2 #3", KEY_1C, NONCE_2, 42, jabberwocky, NULL,
	    "62 e6 34 7f 95 ed 87 a4 5f fa e7 42 6f 27 a1 df"
	    "5f b6 91 10 04 4c 0d 73 11 8e ff a9 5b 01 e5 cf"
	    "16 6d 3d f2 d7 21 ca f9 b2 1e 5f b1 4c 61 68 71"
	    "fd 84 c5 4f 9d 65 b2 83 19 6c 7f e4 f6 05 53 eb"
	    "f3 9c 64 02 c4 22 34 e3 2a 35 6b 3e 76 43 12 a6"
	    "1a 55 32 05 57 16 ea d6 96 25 68 f8 7d 3f 3f 77"
	    "04 c6 a8 d1 bc d1 bf 4d 50 d6 15 4b 6d a7 31 b1"
	    "87 b5 8d fd 72 8a fa 36 75 7a 79 7a c1 88 d1" },
};

START_TEST(test_chacha20_xor_vectors)
{
	unsigned char key[32], nonce[12], *pt, *want, *got;
	size_t n, wn, split;
	uint32_t counter = xor_vectors[_i].counter;

	unhex(xor_vectors[_i].key, key, sizeof(key));
	unhex(xor_vectors[_i].nonce, nonce, sizeof(nonce));
	pt = field(xor_vectors[_i].text, xor_vectors[_i].hex, &n);
	want = field(NULL, xor_vectors[_i].ct, &wn);
	ck_assert_uint_eq(n, wn);
	got = dup(pt, n);
	chacha20_xor(got, pt, n, key, counter, nonce);
	ck_assert_msg(memcmp(got, want, n) == 0, "%s", xor_vectors[_i].name);
	/* in place, both ways */
	chacha20_xor(got, got, n, key, counter, nonce);
	ck_assert_mem_eq(got, pt, n);
	chacha20_xor(got, got, n, key, counter, nonce);
	ck_assert_mem_eq(got, want, n);
	/* in pieces at block boundaries, the counter moved on by hand */
	for (split = 0; split <= n; split += CHACHA20_BLOCK) {
		memset(got, 0, n);
		chacha20_xor(got, pt, split, key, counter, nonce);
		chacha20_xor(got + split, pt + split, n - split, key,
		    counter + (uint32_t)(split / CHACHA20_BLOCK), nonce);
		ck_assert_mem_eq(got, want, n);
	}
	free(pt);
	free(want);
	free(got);
}
END_TEST

/* Every length from 0 to 300, in place and not, against chacha20_block. */
START_TEST(test_chacha20_lengths)
{
	unsigned char key[32], nonce[12], in[300], want[300], out[300 + 1],
	    ks[320], buf[300];
	uint32_t seed = 7539, counter = 0xfffffff0;
	size_t n, i;
	int bad = 0;

	random_bytes(&seed, key, sizeof(key));
	random_bytes(&seed, nonce, sizeof(nonce));
	random_bytes(&seed, in, sizeof(in));
	for (i = 0; i < 5; i++)
		chacha20_block(ks + 64 * i, key, counter + (uint32_t)i, nonce);
	for (i = 0; i < sizeof(in); i++)
		want[i] = in[i] ^ ks[i];
	for (n = 0; n <= sizeof(in); n++) {
		memset(out, 0x77, sizeof(out));
		chacha20_xor(out, in, n, key, counter, nonce);
		bad += memcmp(out, want, n) != 0;
		bad += out[n] != 0x77;
		memcpy(buf, in, sizeof(buf));
		chacha20_xor(buf, buf, n, key, counter, nonce);
		bad += memcmp(buf, want, n) != 0;
		bad += memcmp(buf + n, in + n, sizeof(buf) - n) != 0;
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

/* ---- Poly1305 ---------------------------------------------------------- */

/* 2.5.2 and A.3 #1 to #11; A.3 #5 to #11 give R and S, here as one key. */
static const struct {
	const char	*name, *key;
	const char	*text, *hex;	/* the message, as text or hex */
	const char	*tag;
} poly_vectors[] = {
	{ "2.5.2",
	    "85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8"
	    "01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b",
	    "Cryptographic Forum Research Group", NULL,
	    "a8:06:1d:c1:30:51:36:c6:c2:2b:8b:af:0c:01:27:a9" },
	{ "A.3 #1", KEY_0, NULL, REP4("00000000000000000000000000000000"),
	    "00000000000000000000000000000000" },
	{ "A.3 #2",
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "36 e5 f6 b5 c5 e0 60 70 f0 ef ca 96 22 7a 86 3e",
	    ietf, NULL,
	    "36 e5 f6 b5 c5 e0 60 70 f0 ef ca 96 22 7a 86 3e" },
	{ "A.3 #3",
	    "36 e5 f6 b5 c5 e0 60 70 f0 ef ca 96 22 7a 86 3e"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    ietf, NULL,
	    "f3 47 7e 7c d9 54 17 af 89 a6 b8 79 4c 31 0c f0" },
	{ "A.3 #4", KEY_1C, jabberwocky, NULL,
	    "45 41 66 9a 7e aa ee 61 e7 08 dc 7c bc c5 eb 62" },
	{ "A.3 #5",
	    "02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    NULL, "FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF",
	    "03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
	{ "A.3 #6",
	    "02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF",
	    NULL, "02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    "03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
	{ "A.3 #7",
	    "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    NULL,
	    "FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"
	    "F0 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"
	    "11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    "05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
	{ "A.3 #8",
	    "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    NULL,
	    "FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"
	    "FB FE FE FE FE FE FE FE FE FE FE FE FE FE FE FE"
	    "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
	{ "A.3 #9",
	    "02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    NULL, "FD FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF",
	    "FA FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF" },
	{ "A.3 #10",
	    "01 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    NULL,
	    "E3 35 94 D7 50 5E 43 B9 00 00 00 00 00 00 00 00"
	    "33 94 D7 50 5E 43 79 CD 01 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    "14 00 00 00 00 00 00 00 55 00 00 00 00 00 00 00" },
	{ "A.3 #11",
	    "01 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    NULL,
	    "E3 35 94 D7 50 5E 43 B9 00 00 00 00 00 00 00 00"
	    "33 94 D7 50 5E 43 79 CD 01 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    "13 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
};

START_TEST(test_poly1305_vectors)
{
	unsigned char key[32], want[16], got[16], *msg;
	struct poly1305 c;
	size_t n, i;

	ck_assert_uint_eq(unhex(poly_vectors[_i].key, key, sizeof(key)), 32);
	ck_assert_uint_eq(unhex(poly_vectors[_i].tag, want, sizeof(want)), 16);
	msg = field(poly_vectors[_i].text, poly_vectors[_i].hex, &n);
	poly1305(got, msg, n, key);
	ck_assert_msg(memcmp(got, want, 16) == 0, "%s", poly_vectors[_i].name);
	/* a byte at a time */
	poly1305_init(&c, key);
	for (i = 0; i < n; i++)
		poly1305_update(&c, msg + i, 1);
	poly1305_final(&c, got);
	ck_assert_mem_eq(got, want, 16);
	ck_assert_int_eq(ct_is_zero(&c, sizeof(c)), 1);
	free(msg);
}
END_TEST

/* ---- AEAD: RFC 8439 2.8.2 and A.5 -------------------------------------- */

static const struct {
	const char	*name, *key, *nonce, *ad;
	const char	*text;		/* plaintext */
	const char	*ct, *tag;
} aead_vectors[] = {
	{ "2.8.2", KEY_80, "07 00 00 00 40 41 42 43 44 45 46 47",
	    "50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7", sunscreen,
	    "d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2"
	    "a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6"
	    "3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b"
	    "1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36"
	    "92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58"
	    "fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc"
	    "3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b"
	    "61 16",
	    "1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91" },
	{ "A.5", KEY_1C, "00 00 00 00 01 02 03 04 05 06 07 08",
	    "f3 33 88 86 00 00 00 00 00 00 4e 91",
	    "Internet-Drafts are draft documents valid for a maximum of six "
	    "months and may be updated, replaced, or obsoleted by other "
	    "documents at any time. It is inappropriate to use Internet-Drafts "
	    "as reference material or to cite them other than as "
	    "/\xe2\x80\x9c" "work in progress./\xe2\x80\x9d",
	    "64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd"
	    "5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2"
	    "4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0"
	    "bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf"
	    "33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81"
	    "14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55"
	    "97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38"
	    "36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4"
	    "b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9"
	    "90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e"
	    "af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a"
	    "0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a"
	    "0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e"
	    "ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10"
	    "49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30"
	    "30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29"
	    "a6 ad 5c b4 02 2b 02 70 9b",
	    "ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38" },
};

/* One AEAD vector, decoded into heap buffers of exact size. */
struct aead_case {
	unsigned char	 key[AEAD_KEY], nonce[AEAD_NONCE];
	unsigned char	*ad, *pt, *sealed;	/* sealed: ct || tag */
	size_t		 adlen, len;		/* len of pt */
};

static void
aead_case_load(struct aead_case *v, int i)
{
	unsigned char buf[MAXBUF];
	size_t n;

	unhex(aead_vectors[i].key, v->key, sizeof(v->key));
	unhex(aead_vectors[i].nonce, v->nonce, sizeof(v->nonce));
	v->ad = field(NULL, aead_vectors[i].ad, &v->adlen);
	v->pt = field(aead_vectors[i].text, NULL, &v->len);
	n = unhex(aead_vectors[i].ct, buf, sizeof(buf));
	ck_assert_uint_eq(n, v->len);
	ck_assert_uint_eq(unhex(aead_vectors[i].tag, buf + n,
	    sizeof(buf) - n), AEAD_TAG);
	v->sealed = dup(buf, n + AEAD_TAG);
}

static void
aead_case_free(struct aead_case *v)
{
	free(v->ad);
	free(v->pt);
	free(v->sealed);
}

START_TEST(test_aead_vectors)
{
	struct aead_case v;
	unsigned char *out, *buf;

	aead_case_load(&v, _i);
	out = malloc(v.len + AEAD_TAG);
	ck_assert_ptr_nonnull(out);
	aead_seal(out, v.key, v.nonce, v.ad, v.adlen, v.pt, v.len);
	ck_assert_msg(memcmp(out, v.sealed, v.len + AEAD_TAG) == 0, "%s",
	    aead_vectors[_i].name);
	memset(out, 0, v.len + AEAD_TAG);
	ck_assert_int_eq(aead_open(out, v.key, v.nonce, v.ad, v.adlen,
	    v.sealed, v.len + AEAD_TAG), 0);
	ck_assert_mem_eq(out, v.pt, v.len);
	/* in == out, both ways */
	buf = malloc(v.len + AEAD_TAG);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, v.pt, v.len);
	aead_seal(buf, v.key, v.nonce, v.ad, v.adlen, buf, v.len);
	ck_assert_mem_eq(buf, v.sealed, v.len + AEAD_TAG);
	ck_assert_int_eq(aead_open(buf, v.key, v.nonce, v.ad, v.adlen, buf,
	    v.len + AEAD_TAG), 0);
	ck_assert_mem_eq(buf, v.pt, v.len);
	free(buf);
	free(out);
	aead_case_free(&v);
}
END_TEST

/* Flip bit b of p. */
static void
flip(unsigned char *p, size_t b)
{
	p[b / 8] ^= (unsigned char)(1 << (b % 8));
}

/*
 * Every single-bit change of ciphertext, tag, ad, nonce or key makes
 * aead_open fail and leaves out untouched, whether out is a separate
 * buffer or the input itself.
 */
START_TEST(test_aead_bit_flips)
{
	struct aead_case v;
	unsigned char *out, *in, *copy;
	size_t n, b;
	int bad = 0;

	aead_case_load(&v, _i);
	n = v.len + AEAD_TAG;
	out = malloc(n);
	in = dup(v.sealed, n);
	copy = malloc(n);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(copy);
	for (b = 0; b < 8 * n; b++) {
		flip(in, b);
		memset(out, 0xa5, n);
		bad += aead_open(out, v.key, v.nonce, v.ad, v.adlen, in, n) !=
		    -1;
		bad += !all_bytes(out, n, 0xa5);
		memcpy(copy, in, n);
		bad += aead_open(copy, v.key, v.nonce, v.ad, v.adlen, copy,
		    n) != -1;
		bad += memcmp(copy, in, n) != 0;
		flip(in, b);
	}
	for (b = 0; b < 8 * v.adlen; b++) {
		flip(v.ad, b);
		memset(out, 0xa5, n);
		bad += aead_open(out, v.key, v.nonce, v.ad, v.adlen, in, n) !=
		    -1;
		bad += !all_bytes(out, n, 0xa5);
		flip(v.ad, b);
	}
	for (b = 0; b < 8 * AEAD_NONCE; b++) {
		flip(v.nonce, b);
		memset(out, 0xa5, n);
		bad += aead_open(out, v.key, v.nonce, v.ad, v.adlen, in, n) !=
		    -1;
		bad += !all_bytes(out, n, 0xa5);
		flip(v.nonce, b);
	}
	for (b = 0; b < 8 * AEAD_KEY; b++) {
		flip(v.key, b);
		memset(out, 0xa5, n);
		bad += aead_open(out, v.key, v.nonce, v.ad, v.adlen, in, n) !=
		    -1;
		bad += !all_bytes(out, n, 0xa5);
		flip(v.key, b);
	}
	ck_assert_int_eq(bad, 0);
	/* Dropping the ad, or a byte of it, fails too. */
	ck_assert_int_eq(aead_open(out, v.key, v.nonce, NULL, 0, in, n), -1);
	ck_assert_int_eq(aead_open(out, v.key, v.nonce, v.ad, v.adlen - 1, in,
	    n), -1);
	/* And everything unchanged still opens. */
	ck_assert_int_eq(aead_open(out, v.key, v.nonce, v.ad, v.adlen, in, n),
	    0);
	ck_assert_mem_eq(out, v.pt, v.len);
	free(copy);
	free(in);
	free(out);
	aead_case_free(&v);
}
END_TEST

/* Inputs shorter than a tag are refused; a bare tag is an empty message. */
START_TEST(test_aead_short)
{
	unsigned char key[32], nonce[12], sealed[AEAD_TAG], out[AEAD_TAG];
	size_t n;

	memset(key, 1, sizeof(key));
	memset(nonce, 2, sizeof(nonce));
	aead_seal(sealed, key, nonce, "ad", 2, NULL, 0);
	for (n = 0; n < AEAD_TAG; n++) {
		memset(out, 0xa5, sizeof(out));
		ck_assert_int_eq(aead_open(out, key, nonce, "ad", 2, sealed, n),
		    -1);
		ck_assert(all_bytes(out, sizeof(out), 0xa5));
	}
	ck_assert_int_eq(aead_open(out, key, nonce, "ad", 2, sealed,
	    AEAD_TAG), 0);
	ck_assert_int_eq(aead_open(out, key, nonce, "da", 2, sealed,
	    AEAD_TAG), -1);
	ck_assert_int_eq(aead_open(NULL, key, nonce, "ad", 2, sealed,
	    AEAD_TAG), 0);
}
END_TEST

/*
 * Every length from 0 to 300 (and a few long ones, past the chunk size of
 * aead_seal), with ad of several lengths: open(seal(m)) == m, in place
 * and not, and the tag matches poly1305 over the RFC's layout built here.
 */
START_TEST(test_aead_round_trip)
{
	static const size_t adlens[] = { 0, 1, 15, 16, 17, 40 };
	static const size_t longs[] = { 4095, 4096, 4097, 12345, 70000 };
	unsigned char key[32], nonce[12], otk[64], ad[40], tag[16], *pt, *ct,
	    *buf, *mac;
	uint32_t seed = 2018;
	size_t n, a, i, m, len, maxlen = 70000;
	int bad = 0;

	pt = malloc(maxlen);
	ct = malloc(maxlen + AEAD_TAG);
	buf = malloc(maxlen + AEAD_TAG);
	mac = malloc(maxlen + 100);
	ck_assert(pt != NULL && ct != NULL && buf != NULL && mac != NULL);
	random_bytes(&seed, key, sizeof(key));
	random_bytes(&seed, nonce, sizeof(nonce));
	random_bytes(&seed, ad, sizeof(ad));
	random_bytes(&seed, pt, maxlen);
	chacha20_block(otk, key, 0, nonce);
	for (n = 0; n <= 300 + NELEM(longs); n++) {
		len = n <= 300 ? n : longs[n - 301];
		for (a = 0; a < (size_t)NELEM(adlens); a++) {
			aead_seal(ct, key, nonce, ad, adlens[a], pt, len);
			/* the layout of 2.8 by hand */
			memcpy(mac, ad, adlens[a]);
			for (m = adlens[a]; m % 16 != 0; m++)
				mac[m] = 0;
			memcpy(mac + m, ct, len);
			for (m += len; m % 16 != 0; m++)
				mac[m] = 0;
			for (i = 0; i < 8; i++)
				mac[m++] = (unsigned char)((uint64_t)adlens[a]
				    >> (8 * i));
			for (i = 0; i < 8; i++)
				mac[m++] = (unsigned char)((uint64_t)len >>
				    (8 * i));
			poly1305(tag, mac, m, otk);
			bad += memcmp(ct + len, tag, AEAD_TAG) != 0;
			/* the ciphertext is ChaCha20 from counter 1 */
			memcpy(buf, pt, len);
			chacha20_xor(buf, buf, len, key, 1, nonce);
			bad += memcmp(buf, ct, len) != 0;
			memset(buf, 0, len);
			bad += aead_open(buf, key, nonce, ad, adlens[a], ct,
			    len + AEAD_TAG) != 0;
			bad += memcmp(buf, pt, len) != 0;
			/* in place */
			memcpy(buf, pt, len);
			aead_seal(buf, key, nonce, ad, adlens[a], buf, len);
			bad += memcmp(buf, ct, len + AEAD_TAG) != 0;
			bad += aead_open(buf, key, nonce, ad, adlens[a], buf,
			    len + AEAD_TAG) != 0;
			bad += memcmp(buf, pt, len) != 0;
		}
	}
	ck_assert_int_eq(bad, 0);
	free(pt);
	free(ct);
	free(buf);
	free(mac);
}
END_TEST

/* ---- incremental equals one-shot, at every split point ----------------- */

static const size_t split_lengths[] = {
	0, 1, 15, 16, 17, 55, 56, 63, 64, 65, 119, 128, 129, 200
};

START_TEST(test_sha256_splits)
{
	unsigned char msg[200], want[32], got[32];
	struct sha256 c;
	uint32_t seed = 180;
	size_t n = split_lengths[_i], i, j;
	int bad = 0;

	random_bytes(&seed, msg, sizeof(msg));
	sha256(want, msg, n);
	/* every split into three pieces, two when i == j */
	for (i = 0; i <= n; i++) {
		for (j = i; j <= n; j++) {
			sha256_init(&c);
			sha256_update(&c, msg, i);
			sha256_update(&c, msg + i, j - i);
			sha256_update(&c, msg + j, n - j);
			sha256_final(&c, got);
			bad += memcmp(got, want, 32) != 0;
		}
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(test_hmac_splits)
{
	static const size_t klens[] = { 0, 1, 32, 63, 64, 65, 131 };
	unsigned char key[131], msg[200], want[32], got[32];
	struct hmac_sha256 c, base;
	uint32_t seed = 2104;
	size_t n = split_lengths[_i], i, k;
	int bad = 0;

	random_bytes(&seed, key, sizeof(key));
	random_bytes(&seed, msg, sizeof(msg));
	for (k = 0; k < (size_t)NELEM(klens); k++) {
		hmac_sha256(want, key, klens[k], msg, n);
		hmac_sha256_init(&base, key, klens[k]);
		for (i = 0; i <= n; i++) {
			c = base;
			hmac_sha256_update(&c, msg, i);
			hmac_sha256_update(&c, msg + i, n - i);
			hmac_sha256_final(&c, got);
			bad += memcmp(got, want, 32) != 0;
		}
	}
	ck_assert_int_eq(bad, 0);
	/* A key longer than a block is the same as its hash as a key. */
	sha256(got, key, sizeof(key));
	hmac_sha256(want, key, sizeof(key), msg, n);
	hmac_sha256(got, got, 32, msg, n);
	ck_assert_mem_eq(got, want, 32);
}
END_TEST

START_TEST(test_poly1305_splits)
{
	unsigned char key[32], msg[200], want[16], got[16];
	struct poly1305 c;
	uint32_t seed = 1305;
	size_t n = split_lengths[_i], i, j;
	int round, bad = 0;

	for (round = 0; round < 3; round++) {
		random_bytes(&seed, key, sizeof(key));
		random_bytes(&seed, msg, sizeof(msg));
		if (round == 1)
			memset(msg, 0xff, sizeof(msg));	/* carries */
		if (round == 2)
			memset(key, 0xff, sizeof(key));	/* top r, s */
		poly1305(want, msg, n, key);
		for (i = 0; i <= n; i++) {
			for (j = i; j <= n; j++) {
				poly1305_init(&c, key);
				poly1305_update(&c, msg, i);
				poly1305_update(&c, msg + i, j - i);
				poly1305_update(&c, msg + j, n - j);
				poly1305_final(&c, got);
				bad += memcmp(got, want, 16) != 0;
			}
		}
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

/* ---- Wycheproof -------------------------------------------------------- */

struct vecfile {
	char			*text;
	size_t			 len;
	struct json_token	*tok;
	int			 ntok;
};

static void
vecfile_load(struct vecfile *v, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n;
	size_t off = 0;
	int rc;

	ck_assert_msg(f != NULL, "cannot open %s: run from the repository root",
	    path);
	v->text = malloc(cap);
	ck_assert_ptr_nonnull(v->text);
	while ((n = fread(v->text + off, 1, cap - off, f)) > 0) {
		off += n;
		ck_assert_uint_lt(off, cap);
	}
	ck_assert_int_eq(ferror(f), 0);
	fclose(f);
	v->len = off;
	v->tok = malloc(MAXTOK * sizeof(*v->tok));
	ck_assert_ptr_nonnull(v->tok);
	rc = json_parse(v->text, v->len, v->tok, MAXTOK, &off);
	ck_assert_msg(rc > 0, "%s: %s at byte %zu", path, json_strerror(rc),
	    off);
	v->ntok = rc;
	ck_assert_int_eq(v->tok[0].type, JSON_OBJECT);
}

static void
vecfile_free(struct vecfile *v)
{
	free(v->text);
	free(v->tok);
}

/* The value of member key of object obj, or -1. */
static int
member(const struct vecfile *v, int obj, const char *key)
{
	char name[64];
	int i, k;

	ck_assert_int_eq(v->tok[obj].type, JSON_OBJECT);
	for (i = obj + 1, k = 0; k < v->tok[obj].size; k++) {
		if (json_string(v->text, &v->tok[i], name, sizeof(name),
		    NULL) == 0 && strcmp(name, key) == 0)
			return i + 1;
		i = json_skip(v->tok, i);
	}
	return -1;
}

static int
must(const struct vecfile *v, int obj, const char *key)
{
	int i = member(v, obj, key);

	ck_assert_msg(i > 0, "no member \"%s\"", key);
	return i;
}

static long long
get_int(const struct vecfile *v, int obj, const char *key)
{
	long long x;

	ck_assert_int_eq(json_integer(v->text, &v->tok[must(v, obj, key)],
	    &x), 0);
	return x;
}

static void
get_str(const struct vecfile *v, int obj, const char *key, char *buf,
    size_t size)
{
	ck_assert_int_eq(json_string(v->text, &v->tok[must(v, obj, key)], buf,
	    size, NULL), 0);
}

/* A hex member decoded into a heap buffer of exactly its length. */
static unsigned char *
get_hex(const struct vecfile *v, int obj, const char *key, size_t *len)
{
	static char hex[2 * MAXBUF + 1];

	get_str(v, obj, key, hex, sizeof(hex));
	return field(NULL, hex, len);
}

enum result { VALID, INVALID, ACCEPTABLE };

static enum result
get_result(const struct vecfile *v, int t)
{
	char r[16];

	get_str(v, t, "result", r, sizeof(r));
	if (strcmp(r, "valid") == 0)
		return VALID;
	if (strcmp(r, "invalid") == 0)
		return INVALID;
	ck_assert_str_eq(r, "acceptable");
	return ACCEPTABLE;
}

/*
 * Whether test t carries flag.  Every flag must be one of known[], so a
 * file with a flag this code has not thought about fails loudly.
 */
static int
has_flag(const struct vecfile *v, int t, const char *flag,
    const char *const *known)
{
	char name[64];
	int a = must(v, t, "flags"), i, k, found = 0;
	const char *const *kn;

	ck_assert_int_eq(v->tok[a].type, JSON_ARRAY);
	for (i = a + 1, k = 0; k < v->tok[a].size; k++) {
		ck_assert_int_eq(json_string(v->text, &v->tok[i], name,
		    sizeof(name), NULL), 0);
		for (kn = known; *kn != NULL; kn++)
			if (strcmp(*kn, name) == 0)
				break;
		ck_assert_msg(*kn != NULL, "unknown flag %s", name);
		if (strcmp(name, flag) == 0)
			found = 1;
		i = json_skip(v->tok, i);
	}
	return found;
}

/* Call fn on each test of each group; return the number of tests seen. */
static int
each_test(const struct vecfile *v, void (*fn)(const struct vecfile *, int,
    int, void *), void *arg)
{
	int groups = must(v, 0, "testGroups"), g, i, j, k, tests, seen = 0;

	ck_assert_int_eq(v->tok[groups].type, JSON_ARRAY);
	for (g = groups + 1, i = 0; i < v->tok[groups].size; i++) {
		tests = must(v, g, "tests");
		ck_assert_int_eq(v->tok[tests].type, JSON_ARRAY);
		for (j = tests + 1, k = 0; k < v->tok[tests].size; k++) {
			fn(v, g, j, arg);
			seen++;
			j = json_skip(v->tok, j);
		}
		g = json_skip(v->tok, g);
	}
	return seen;
}

struct counts {
	int	ran;		/* vectors checked */
	int	valid, invalid, acceptable;
	int	not_applicable;	/* outside what the API can express */
};

static void
count_result(struct counts *n, enum result r)
{
	n->ran++;
	if (r == VALID)
		n->valid++;
	else if (r == INVALID)
		n->invalid++;
	else
		n->acceptable++;
}

static const char *const aead_flags[] = {
	"Ktv", "Pseudorandom", "ModifiedTag", "EdgeCaseCiphertext",
	"EdgeCasePoly1305", "EdgeCasePolyKey", "EdgeCaseTag",
	"InvalidNonceSize", "CounterWrap", "LongIv", NULL
};

static void
wycheproof_aead(const struct vecfile *v, int g, int t, void *arg)
{
	struct counts *cnt = arg;
	unsigned char *key, *iv, *ad, *msg, *ct, *tag, *sealed, *out, *mine;
	size_t klen, ivlen, adlen, mlen, ctlen, taglen;
	enum result r = get_result(v, t);
	long long id = get_int(v, t, "tcId");
	int rc;

	ck_assert_int_eq(get_int(v, g, "keySize"), 256);
	ck_assert_int_eq(get_int(v, g, "tagSize"), 128);
	if (get_int(v, g, "ivSize") != 96) {
		/* Our API takes 96-bit nonces only: by design, n/a. */
		ck_assert(has_flag(v, t, "InvalidNonceSize", aead_flags));
		ck_assert_int_ne(r, VALID);
		cnt->not_applicable++;
		return;
	}
	ck_assert(!has_flag(v, t, "InvalidNonceSize", aead_flags));
	if (has_flag(v, t, "ModifiedTag", aead_flags))
		ck_assert_int_eq(r, INVALID);
	key = get_hex(v, t, "key", &klen);
	iv = get_hex(v, t, "iv", &ivlen);
	ad = get_hex(v, t, "aad", &adlen);
	msg = get_hex(v, t, "msg", &mlen);
	ct = get_hex(v, t, "ct", &ctlen);
	tag = get_hex(v, t, "tag", &taglen);
	ck_assert_uint_eq(klen, AEAD_KEY);
	ck_assert_uint_eq(ivlen, AEAD_NONCE);
	ck_assert_uint_eq(taglen, AEAD_TAG);
	sealed = malloc(ctlen + taglen);
	out = malloc(ctlen + taglen);
	mine = malloc(mlen + AEAD_TAG);
	ck_assert(sealed != NULL && out != NULL && mine != NULL);
	if (ctlen > 0)
		memcpy(sealed, ct, ctlen);
	memcpy(sealed + ctlen, tag, taglen);

	memset(out, 0xa5, ctlen + taglen);
	rc = aead_open(out, key, iv, ad, adlen, sealed, ctlen + taglen);
	aead_seal(mine, key, iv, ad, adlen, msg, mlen);
	if (r == VALID || (r == ACCEPTABLE && rc == 0)) {
		ck_assert_msg(rc == 0, "tcId %lld: valid, refused", id);
		ck_assert_uint_eq(mlen, ctlen);
		ck_assert_mem_eq(out, msg, mlen);
		ck_assert_msg(memcmp(mine, sealed, ctlen + taglen) == 0,
		    "tcId %lld: seal differs", id);
		/* in place */
		memcpy(out, sealed, ctlen + taglen);
		ck_assert_int_eq(aead_open(out, key, iv, ad, adlen, out,
		    ctlen + taglen), 0);
		ck_assert_mem_eq(out, msg, mlen);
	} else {
		ck_assert_msg(rc == -1, "tcId %lld: invalid, accepted", id);
		ck_assert(all_bytes(out, ctlen + taglen, 0xa5));
		/* and our seal of msg is not this forgery */
		ck_assert(mlen != ctlen ||
		    memcmp(mine, sealed, ctlen + taglen) != 0);
	}
	count_result(cnt, r);
	free(key);
	free(iv);
	free(ad);
	free(msg);
	free(ct);
	free(tag);
	free(sealed);
	free(out);
	free(mine);
}

START_TEST(test_wycheproof_aead)
{
	struct vecfile v = { NULL, 0, NULL, 0 };
	struct counts n = { 0, 0, 0, 0, 0 };
	long long total;
	int seen;

	vecfile_load(&v, VEC_AEAD);
	total = get_int(&v, 0, "numberOfTests");
	seen = each_test(&v, wycheproof_aead, &n);
	ck_assert_int_eq(seen, total);
	ck_assert_int_eq(n.ran, total - n.not_applicable);
	/* What this copy of the file holds: 9 tests of other nonce sizes. */
	ck_assert_int_eq(total, 325);
	ck_assert_int_eq(n.not_applicable, 9);
	ck_assert_int_eq(n.ran, 316);
	ck_assert_int_eq(n.valid, 256);
	ck_assert_int_eq(n.invalid, 60);
	vecfile_free(&v);
}
END_TEST

static const char *const mac_flags[] = { "Pseudorandom", "ModifiedTag",
    NULL };

static void
wycheproof_hmac(const struct vecfile *v, int g, int t, void *arg)
{
	struct counts *cnt = arg;
	unsigned char *key, *msg, *tag, mac[SHA256_SIZE], inc[SHA256_SIZE];
	size_t klen, mlen, taglen, i;
	long long tagbits = get_int(v, g, "tagSize");
	long long id = get_int(v, t, "tcId");
	enum result r = get_result(v, t);
	struct hmac_sha256 c;
	int rc;

	ck_assert(tagbits > 0 && tagbits <= 256 && tagbits % 8 == 0);
	if (has_flag(v, t, "ModifiedTag", mac_flags))
		ck_assert_int_eq(r, INVALID);
	key = get_hex(v, t, "key", &klen);
	msg = get_hex(v, t, "msg", &mlen);
	tag = get_hex(v, t, "tag", &taglen);
	ck_assert_int_eq(klen * 8, get_int(v, g, "keySize"));
	ck_assert_int_eq(taglen * 8, tagbits);
	hmac_sha256(mac, key, klen, msg, mlen);
	rc = ct_compare(mac, tag, taglen);
	if (r == VALID)
		ck_assert_msg(rc == 0, "tcId %lld: valid, no match", id);
	else if (r == INVALID)
		ck_assert_msg(rc == -1, "tcId %lld: invalid, matched", id);
	/* byte by byte, the same */
	hmac_sha256_init(&c, key, klen);
	for (i = 0; i < mlen; i++)
		hmac_sha256_update(&c, msg + i, 1);
	hmac_sha256_final(&c, inc);
	ck_assert_mem_eq(inc, mac, sizeof(mac));
	count_result(cnt, r);
	free(key);
	free(msg);
	free(tag);
}

START_TEST(test_wycheproof_hmac)
{
	struct vecfile v = { NULL, 0, NULL, 0 };
	struct counts n = { 0, 0, 0, 0, 0 };
	long long total;
	int seen;

	vecfile_load(&v, VEC_HMAC);
	total = get_int(&v, 0, "numberOfTests");
	seen = each_test(&v, wycheproof_hmac, &n);
	ck_assert_int_eq(seen, total);
	ck_assert_int_eq(n.ran, total);
	ck_assert_int_eq(total, 174);
	ck_assert_int_eq(n.valid, 66);
	ck_assert_int_eq(n.invalid, 108);
	vecfile_free(&v);
}
END_TEST

static const char *const hkdf_flags[] = { "Normal", "EmptySalt",
    "OutputCollision", "MaximalOutputSize", "SizeTooLarge", NULL };

static void
wycheproof_hkdf(const struct vecfile *v, int g, int t, void *arg)
{
	struct counts *cnt = arg;
	unsigned char *ikm, *salt, *info, *okm, *out;
	size_t ilen, slen, inlen, olen;
	long long size = get_int(v, t, "size");
	long long id = get_int(v, t, "tcId");
	enum result r = get_result(v, t);
	int rc;

	ikm = get_hex(v, t, "ikm", &ilen);
	ck_assert_int_eq(8 * (long long)ilen, get_int(v, g, "keySize"));
	salt = get_hex(v, t, "salt", &slen);
	info = get_hex(v, t, "info", &inlen);
	okm = get_hex(v, t, "okm", &olen);
	ck_assert(size >= 0 && size < MAXBUF);
	if (has_flag(v, t, "EmptySalt", hkdf_flags))
		ck_assert_uint_eq(slen, 0);
	ck_assert_int_eq(has_flag(v, t, "SizeTooLarge", hkdf_flags),
	    size > 255 * 32);
	out = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(out);
	memset(out, 0xa5, (size_t)size + 1);
	rc = hkdf_sha256(out, (size_t)size, salt, slen, ikm, ilen, info,
	    inlen);
	if (size > 255 * 32) {
		ck_assert_int_ne(r, VALID);
		ck_assert_msg(rc == -1, "tcId %lld: too long, accepted", id);
		ck_assert(all_bytes(out, (size_t)size + 1, 0xa5));
	} else {
		ck_assert_int_ne(r, INVALID);
		ck_assert_msg(rc == 0, "tcId %lld: refused", id);
		ck_assert_uint_eq(olen, (size_t)size);
		ck_assert_msg(memcmp(out, okm, olen) == 0, "tcId %lld", id);
		ck_assert_uint_eq(out[size], 0xa5);
	}
	count_result(cnt, r);
	free(ikm);
	free(salt);
	free(info);
	free(okm);
	free(out);
}

START_TEST(test_wycheproof_hkdf)
{
	struct vecfile v = { NULL, 0, NULL, 0 };
	struct counts n = { 0, 0, 0, 0, 0 };
	long long total;
	int seen;

	vecfile_load(&v, VEC_HKDF);
	total = get_int(&v, 0, "numberOfTests");
	seen = each_test(&v, wycheproof_hkdf, &n);
	ck_assert_int_eq(seen, total);
	ck_assert_int_eq(n.ran, total);
	ck_assert_int_eq(total, 86);
	ck_assert_int_eq(n.valid, 83);
	ck_assert_int_eq(n.invalid, 3);
	vecfile_free(&v);
}
END_TEST

/* ---- suites ------------------------------------------------------------ */

static Suite *
ct_suite(void)
{
	Suite *s = suite_create("ct");
	TCase *tc = tcase_create("ct");

	tcase_add_test(tc, test_ct_compare);
	tcase_add_test(tc, test_ct_is_zero);
	tcase_add_test(tc, test_ct_wipe);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("sha256");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_sha256_vectors, 0, NELEM(sha_vectors));
	tcase_add_loop_test(tc, test_hmac_vectors, 0, NELEM(hmac_vectors));
	tcase_add_loop_test(tc, test_hkdf_vectors, 0, NELEM(hkdf_vectors));
	tcase_add_test(tc, test_hkdf_limits);
	tcase_add_loop_test(tc, test_sha256_splits, 0, NELEM(split_lengths));
	tcase_add_loop_test(tc, test_hmac_splits, 0, NELEM(split_lengths));
	tcase_add_test(tc, test_wycheproof_hmac);
	tcase_add_test(tc, test_wycheproof_hkdf);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
chacha20_suite(void)
{
	Suite *s = suite_create("chacha20");
	TCase *tc = tcase_create("chacha20");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_chacha20_reference);
	tcase_add_loop_test(tc, test_chacha20_block_vectors, 0,
	    NELEM(block_vectors));
	tcase_add_loop_test(tc, test_chacha20_xor_vectors, 0,
	    NELEM(xor_vectors));
	tcase_add_test(tc, test_chacha20_lengths);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
poly1305_suite(void)
{
	Suite *s = suite_create("poly1305");
	TCase *tc = tcase_create("poly1305");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_poly1305_vectors, 0, NELEM(poly_vectors));
	tcase_add_loop_test(tc, test_poly1305_splits, 0,
	    NELEM(split_lengths));
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
aead_suite(void)
{
	Suite *s = suite_create("aead");
	TCase *tc = tcase_create("rfc8439");
	TCase *props = tcase_create("properties");
	TCase *wp = tcase_create("wycheproof");

	tcase_add_loop_test(tc, test_aead_vectors, 0, NELEM(aead_vectors));
	suite_add_tcase(s, tc);
	tcase_set_timeout(props, 60);
	tcase_add_loop_test(props, test_aead_bit_flips, 0,
	    NELEM(aead_vectors));
	tcase_add_test(props, test_aead_short);
	tcase_add_test(props, test_aead_round_trip);
	suite_add_tcase(s, props);
	tcase_set_timeout(wp, 60);
	tcase_add_test(wp, test_wycheproof_aead);
	suite_add_tcase(s, wp);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ct_suite());
	int failed;

	srunner_add_suite(sr, sha256_suite());
	srunner_add_suite(sr, chacha20_suite());
	srunner_add_suite(sr, poly1305_suite());
	srunner_add_suite(sr, aead_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
