/*
 * check_beacon: LAN discovery (beacon.c).
 *
 * The codec: round trips, the exact bytes, every refusal of the encoder
 * and the decoder, every prefix of a datagram, random bytes.  On the loop,
 * without multicast: datagrams sent straight to a beacon's port over
 * loopback (IPv4 and IPv6) are reported once per id, never for our own id
 * or another cluster, and the rate limit holds; a callback may free its
 * beacon.  With multicast: two beacons of one cluster on a private port
 * find each other, a third of another cluster hears them and reports
 * nothing, none reports itself.  Where no interface can carry multicast
 * (not even the loopback, which beacon.c falls back to) the live test says
 * "skipped" and passes; so do the loopback tests on a host without one.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "beacon.h"
#include "loop.h"
#include "random.h"

/* --- the codec ------------------------------------------------------------ */

static struct beacon_msg
msg(int tag, int port, int secured, const char *cluster)
{
	struct beacon_msg m;

	memset(&m, 0, sizeof(m));
	memset(m.id, 0xa0, BEACON_ID_LEN);
	m.id[BEACON_ID_LEN - 1] = (unsigned char)tag;
	m.port = port;
	m.secured = secured;
	m.cluster_len = strlen(cluster);
	memcpy(m.cluster, cluster, m.cluster_len);
	return m;
}

static const char cluster64[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

START_TEST(test_round_trip)
{
	static const struct {
		int	 port, secured;
		const char *cluster;
	} t[] = {
		{ 1, 0, "a" }, { 65535, 1, "lab" }, { 14595, 1, cluster64 },
		{ 256, 0, "with space\001\377" },
	};
	unsigned char buf[BEACON_MAX];
	struct beacon_msg in, out;
	size_t i;
	long n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		in = msg((int)i, t[i].port, t[i].secured, t[i].cluster);
		n = beacon_encode(buf, sizeof(buf), &in);
		ck_assert_int_eq(n, BEACON_FIXED + (long)strlen(t[i].cluster));
		memset(&out, 0x55, sizeof(out));
		ck_assert_int_eq(beacon_decode(buf, (size_t)n, &out), BEACON_OK);
		ck_assert_int_eq(out.port, t[i].port);
		ck_assert_int_eq(out.secured, t[i].secured);
		ck_assert_uint_eq(out.cluster_len, strlen(t[i].cluster));
		ck_assert_str_eq(out.cluster, t[i].cluster);
		ck_assert(memcmp(out.id, in.id, BEACON_ID_LEN) == 0);
	}
}
END_TEST

START_TEST(test_exact_bytes)
{
	static const unsigned char want[] = {
		'K', 'A', 'I', 'B', 1, 0x01, 0x38, 0xfe,
		1, 2, 3, 4, 5, 6, 7, 8,
		3, 'l', 'a', 'b'
	};
	unsigned char buf[BEACON_MAX];
	struct beacon_msg m = msg(0, 14590, 1, "lab");
	int i;

	for (i = 0; i < BEACON_ID_LEN; i++)
		m.id[i] = (unsigned char)(i + 1);
	ck_assert_int_eq(beacon_encode(buf, sizeof(buf), &m), sizeof(want));
	ck_assert(memcmp(buf, want, sizeof(want)) == 0);
	/* Exactly the room it needs, and not a byte less. */
	ck_assert_int_eq(beacon_encode(buf, sizeof(want), &m), sizeof(want));
	ck_assert_int_eq(beacon_encode(buf, sizeof(want) - 1, &m), -1);
	m.secured = 0;
	ck_assert_int_eq(beacon_encode(buf, sizeof(buf), &m), sizeof(want));
	ck_assert_int_eq(buf[5], 0);
}
END_TEST

START_TEST(test_encode_refuses)
{
	unsigned char buf[BEACON_MAX + 8];
	struct beacon_msg m;

	m = msg(1, 0, 0, "a");
	ck_assert_int_eq(beacon_encode(buf, sizeof(buf), &m), -1);
	m = msg(1, 65536, 0, "a");
	ck_assert_int_eq(beacon_encode(buf, sizeof(buf), &m), -1);
	m = msg(1, -1, 0, "a");
	ck_assert_int_eq(beacon_encode(buf, sizeof(buf), &m), -1);
	m = msg(1, 1, 0, "");
	ck_assert_int_eq(beacon_encode(buf, sizeof(buf), &m), -1);
	m = msg(1, 1, 0, cluster64);
	m.cluster_len = BEACON_CLUSTER_MAX + 1;
	ck_assert_int_eq(beacon_encode(buf, sizeof(buf), &m), -1);
	m = msg(1, 1, 0, cluster64);
	ck_assert_int_eq(beacon_encode(buf, sizeof(buf), &m), BEACON_MAX);
}
END_TEST

/* A good datagram: "KAIB" 1 0 port 1 id 0xa0.. cluster "lab". */
static size_t
good(unsigned char *buf)
{
	struct beacon_msg m = msg(7, 1, 0, "lab");

	return (size_t)beacon_encode(buf, BEACON_MAX, &m);
}

START_TEST(test_decode_refuses)
{
	static const struct {
		int	 at;		/* byte to change, -1: length */
		int	 value;		/* its new value, or the new length */
		int	 want;
	} t[] = {
		{ 0, 'k', BEACON_EMAGIC },	{ 3, 'C', BEACON_EMAGIC },
		{ 4, 0, BEACON_EVERSION },	{ 4, 2, BEACON_EVERSION },
		{ 4, 255, BEACON_EVERSION },	{ 16, 0, BEACON_ECLUSTER },
		{ 16, 65, BEACON_ECLUSTER },	{ 16, 255, BEACON_ECLUSTER },
		{ 16, 4, BEACON_ESHORT },	{ 16, 2, BEACON_ETRAILING },
		{ -1, 21, BEACON_ETRAILING },	{ -1, BEACON_MAX + 1,
		    BEACON_ETRAILING },
		{ -1, 0, BEACON_ESHORT },	{ -1, 3, BEACON_ESHORT },
	};
	unsigned char buf[BEACON_MAX + 8];
	struct beacon_msg m;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		len = good(buf);
		if (t[i].at >= 0)
			buf[t[i].at] = (unsigned char)t[i].value;
		else
			len = (size_t)t[i].value;
		ck_assert_msg(beacon_decode(buf, len, &m) == t[i].want,
		    "row %zu", i);
	}
	/* Port 0, either byte order of a mistake. */
	len = good(buf);
	buf[6] = buf[7] = 0;
	ck_assert_int_eq(beacon_decode(buf, len, &m), BEACON_EPORT);
	/* Other flag bits are ignored; 0x1 alone says secured. */
	buf[7] = 1;
	buf[5] = 0xfe;
	ck_assert_int_eq(beacon_decode(buf, len, &m), BEACON_OK);
	ck_assert_int_eq(m.secured, 0);
	buf[5] = 0xff;
	ck_assert_int_eq(beacon_decode(buf, len, &m), BEACON_OK);
	ck_assert_int_eq(m.secured, 1);
	ck_assert_int_eq(m.port, 1);
}
END_TEST

START_TEST(test_decode_prefixes)
{
	unsigned char buf[BEACON_MAX], *copy;
	struct beacon_msg m;
	size_t len = good(buf), i;

	for (i = 0; i < len; i++) {
		/* A copy of exactly i bytes, so ASan sees any overread. */
		copy = malloc(i > 0 ? i : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, i);
		ck_assert_int_eq(beacon_decode(copy, i, &m), BEACON_ESHORT);
		free(copy);
	}
	ck_assert_int_eq(beacon_decode(buf, len, &m), BEACON_OK);
}
END_TEST

START_TEST(test_decode_random)
{
	unsigned char buf[BEACON_MAX + 4], *copy;
	struct beacon_msg m;
	size_t len;
	int i, r;

	for (i = 0; i < 20000; i++) {
		random_bytes(buf, sizeof(buf));
		len = buf[0] % sizeof(buf);
		if (i % 2 == 0 && len >= 5) {	/* get past the magic */
			memcpy(buf, "KAIB\001", 5);
			if (len > 16)
				buf[16] %= 70;
		}
		copy = malloc(len > 0 ? len : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, len);
		r = beacon_decode(copy, len, &m);
		ck_assert(r <= 0 && r >= BEACON_ETRAILING);
		if (r == BEACON_OK) {
			ck_assert_uint_eq(len, BEACON_FIXED + m.cluster_len);
			ck_assert_int_gt(m.port, 0);
		}
		free(copy);
	}
}
END_TEST

/* --- on the loop ---------------------------------------------------------- */

struct found {
	int		 calls;
	int		 by[256];	/* calls per last byte of the id */
	char		 ip[64];	/* of the last call */
	int		 port, secured;
	struct beacon	*b;
	int		 free_in_callback;
};

static void
on_found(void *ctx, const char *ip, int port, const unsigned char *id,
    int secured)
{
	struct found *f = ctx;

	f->calls++;
	f->by[id[BEACON_ID_LEN - 1]]++;
	snprintf(f->ip, sizeof(f->ip), "%s", ip);
	f->port = port;
	f->secured = secured;
	if (f->free_in_callback) {
		beacon_free(f->b);
		f->b = NULL;
	}
}

/* A beacon with id a0..a0 tag on a port picked at random (a few tries). */
static struct beacon *
start(struct loop *l, int *port, int tag, int tcp, int secured,
    const char *cluster, int interval, struct found *f)
{
	struct beacon_conf c;
	unsigned char r[2];
	char err[256];
	int tries;

	memset(&c, 0, sizeof(c));
	memset(c.id, 0xa0, BEACON_ID_LEN);
	c.id[BEACON_ID_LEN - 1] = (unsigned char)tag;
	c.listen_port = tcp;
	c.secured = secured;
	c.cluster = cluster;
	c.interval_ms = interval;
	for (tries = 0; tries < 8; tries++) {
		if (*port == 0) {
			random_bytes(r, sizeof(r));
			c.udp_port = 40000 + (r[0] << 8 | r[1]) % 20000;
		} else
			c.udp_port = *port;
		if ((f->b = beacon_new(l, &c, on_found, f, err,
		    sizeof(err))) != NULL) {
			*port = c.udp_port;
			return f->b;
		}
		ck_assert_msg(*port == 0, "beacon_new: %s", err);
	}
	ck_abort_msg("beacon_new: %s", err);
	return NULL;
}

/* Send len bytes of buf to port on loopback, IPv4 or IPv6; 0 or -1. */
static int
send_to(int family, int port, const void *buf, size_t len)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	int fd, rc;

	if ((fd = socket(family, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	s4.sin_family = AF_INET;
	s4.sin_port = htons((unsigned short)port);
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons((unsigned short)port);
	s6.sin6_addr = in6addr_loopback;
	rc = family == AF_INET ?
	    sendto(fd, buf, len, 0, (struct sockaddr *)&s4, sizeof(s4)) :
	    sendto(fd, buf, len, 0, (struct sockaddr *)&s6, sizeof(s6));
	close(fd);
	return rc == (int)len ? 0 : -1;
}

/* Can this host send to itself (a network namespace may lack even lo)? */
static int
have_loopback(const char *test)
{
	struct sockaddr_in s4;
	int fd, ok, e;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons(9);
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&s4, sizeof(s4)) == 0;
	e = errno;
	close(fd);
	if (!ok)
		printf("check_beacon: %s skipped: no loopback (%s)\n", test,
		    strerror(e));
	return ok;
}

/* Send the beacon of id tag, port tcp, cluster to port. */
static int
send_beacon(int family, int port, int tag, int tcp, const char *cluster)
{
	unsigned char buf[BEACON_MAX];
	struct beacon_msg m = msg(tag, tcp, 1, cluster);
	long n = beacon_encode(buf, sizeof(buf), &m);

	ck_assert_int_gt(n, 0);
	return send_to(family, port, buf, (size_t)n);
}

/* Turn l until the beacon's counters say want datagrams were read. */
static void
run_until_read(struct loop *l, struct beacon *b, unsigned long want)
{
	struct beacon_stats st;
	long long end = loop_clock_ms() + 2000;

	do {
		ck_assert_int_ge(loop_turn(l, 50), 0);
		beacon_stats(b, &st);
	} while (st.received < want && loop_clock_ms() < end);
	/* Our own multicast beacons count too: read what else is there. */
	end = loop_clock_ms() + 100;
	while (loop_clock_ms() < end)
		ck_assert_int_ge(loop_turn(l, 20), 0);
}

START_TEST(test_conf_refused)
{
	struct loop *l = loop_new();
	struct beacon_conf c;
	char err[256], big[BEACON_CLUSTER_MAX + 2];

	ck_assert_ptr_nonnull(l);
	memset(&c, 0, sizeof(c));
	c.listen_port = 14595;
	c.cluster = "";
	ck_assert_ptr_null(beacon_new(l, &c, on_found, NULL, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "cluster name must have 1 to 64 bytes");
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	c.cluster = big;
	ck_assert_ptr_null(beacon_new(l, &c, on_found, NULL, err,
	    sizeof(err)));
	c.cluster = "lab";
	c.listen_port = 0;
	ck_assert_ptr_null(beacon_new(l, &c, on_found, NULL, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "listen port 0 out of range");
	c.listen_port = 1;
	c.udp_port = 70000;
	ck_assert_ptr_null(beacon_new(l, &c, on_found, NULL, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "UDP port 70000 out of range");
	loop_free(l);
}
END_TEST

START_TEST(test_unicast)
{
	struct loop *l = loop_new();
	struct found f;
	struct beacon_stats st;
	unsigned char junk[200];
	int port = 0, v6, i;

	ck_assert_ptr_nonnull(l);
	if (!have_loopback("unicast")) {
		loop_free(l);
		return;
	}
	memset(&f, 0, sizeof(f));
	start(l, &port, 1, 14595, 0, "lab", 60000, &f);
	/* Peer 2 three times: one report.  Ours, another cluster and junk:
	 * none. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(send_beacon(AF_INET, port, 2, 2222, "lab"), 0);
	ck_assert_int_eq(send_beacon(AF_INET, port, 1, 1111, "lab"), 0);
	ck_assert_int_eq(send_beacon(AF_INET, port, 3, 3333, "lab2"), 0);
	ck_assert_int_eq(send_beacon(AF_INET, port, 4, 4444, "la"), 0);
	memset(junk, 'K', sizeof(junk));
	ck_assert_int_eq(send_to(AF_INET, port, junk, sizeof(junk)), 0);
	ck_assert_int_eq(send_to(AF_INET, port, junk, 0), 0);
	run_until_read(l, f.b, 8);
	beacon_stats(f.b, &st);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_int_eq(f.by[2], 1);
	ck_assert_str_eq(f.ip, "127.0.0.1");
	ck_assert_int_eq(f.port, 2222);
	ck_assert_int_eq(f.secured, 1);
	ck_assert_uint_ge(st.own, 1);
	ck_assert_uint_ge(st.ignored, 4);
	ck_assert_uint_eq(st.reported, 1);
	/* Over IPv6 where this host has it: a new peer, seen from ::1. */
	v6 = send_beacon(AF_INET6, port, 5, 5555, "lab") == 0;
	if (v6) {
		run_until_read(l, f.b, st.received + 1);
		ck_assert_int_eq(f.by[5], 1);
		ck_assert_str_eq(f.ip, "::1");
	} else
		printf("check_beacon: IPv6 part skipped: no ::1 here\n");
	beacon_free(f.b);
	loop_free(l);
}
END_TEST

START_TEST(test_rate_limit)
{
	struct loop *l = loop_new();
	struct found f;
	struct beacon_stats st;
	int port = 0, i, sent = 0;

	ck_assert_ptr_nonnull(l);
	if (!have_loopback("rate limit")) {
		loop_free(l);
		return;
	}
	memset(&f, 0, sizeof(f));
	start(l, &port, 1, 14595, 0, "lab", 60000, &f);
	/* 120 peers at once: about 50 are looked at, the rest dropped. */
	for (i = 0; i < 120; i++)
		sent += send_beacon(AF_INET, port, 10 + i, 2000 + i,
		    "lab") == 0;
	run_until_read(l, f.b, (unsigned long)sent);
	beacon_stats(f.b, &st);
	ck_assert_int_ge(sent, 100);
	ck_assert_int_ge(f.calls, 40);
	ck_assert_int_le(f.calls, 55);
	ck_assert_uint_ge(st.ignored, (unsigned long)sent - 55);
	ck_assert_uint_eq(st.received, st.reported + st.ignored + st.own);
	beacon_free(f.b);
	loop_free(l);
}
END_TEST

START_TEST(test_free_in_callback)
{
	struct loop *l = loop_new();
	struct found f;
	int port = 0, i;

	ck_assert_ptr_nonnull(l);
	if (!have_loopback("free in callback")) {
		loop_free(l);
		return;
	}
	memset(&f, 0, sizeof(f));
	start(l, &port, 1, 14595, 0, "lab", 60000, &f);
	f.free_in_callback = 1;
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(send_beacon(AF_INET, port, 20 + i, 2000,
		    "lab"), 0);
	for (i = 0; i < 10 && f.b != NULL; i++)
		ck_assert_int_ge(loop_turn(l, 50), 0);
	ck_assert_ptr_null(f.b);
	ck_assert_int_eq(f.calls, 1);
	for (i = 0; i < 3; i++)		/* nothing left on the loop */
		ck_assert_int_ge(loop_turn(l, 10), 0);
	ck_assert_int_eq(f.calls, 1);
	loop_free(l);
}
END_TEST

START_TEST(test_live)
{
	struct loop *l = loop_new();
	struct found a, b, c;
	struct beacon_stats sa, sb, sc;
	long long end;
	int port = 0;

	ck_assert_ptr_nonnull(l);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	start(l, &port, 1, 1111, 1, "lab", 100, &a);
	beacon_stats(a.b, &sa);
	if (sa.ifaces == 0) {
		printf("check_beacon: live test skipped: no interface can "
		    "carry multicast\n");
		beacon_free(a.b);
		loop_free(l);
		return;
	}
	start(l, &port, 2, 2222, 0, "lab", 100, &b);
	start(l, &port, 3, 3333, 1, "other", 100, &c);
	end = loop_clock_ms() + 3000;
	do {
		ck_assert_int_ge(loop_turn(l, 50), 0);
		beacon_stats(c.b, &sc);
	} while ((a.by[2] == 0 || b.by[1] == 0 || sc.ignored < 2 ||
	    sc.own == 0) && loop_clock_ms() < end);
	beacon_stats(a.b, &sa);
	beacon_stats(b.b, &sb);
	ck_assert_msg(a.by[2] == 1 && b.by[1] == 1,
	    "not found in 3 s: a heard %d, b heard %d (sent %lu/%lu, "
	    "received %lu/%lu, %d interfaces)", a.by[2], b.by[1], sa.sent,
	    sb.sent, sa.received, sb.received, sa.ifaces);
	ck_assert_int_eq(a.port, 2222);
	ck_assert_int_eq(a.secured, 0);
	ck_assert_int_eq(b.port, 1111);
	ck_assert_int_eq(b.secured, 1);
	ck_assert(a.ip[0] != '\0' && strncmp(a.ip, "fe80", 4) != 0);
	/* Never ourselves, never another cluster; and ours did loop back. */
	ck_assert_int_eq(a.by[1] + a.by[3] + b.by[2] + b.by[3], 0);
	ck_assert_int_eq(c.calls, 0);
	ck_assert_uint_ge(sc.ignored, 2);
	ck_assert_uint_ge(sa.own + sb.own + sc.own, 1);
	ck_assert_uint_ge(sa.sent, 1);
	ck_assert_uint_eq(sa.send_errors, 0);
	printf("check_beacon: live test ran: %d interfaces, a heard b from "
	    "%s\n", sa.ifaces, a.ip);
	beacon_free(a.b);
	beacon_free(b.b);
	beacon_free(c.b);
	loop_free(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("beacon");
	TCase *tc = tcase_create("beacon");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_exact_bytes);
	tcase_add_test(tc, test_encode_refuses);
	tcase_add_test(tc, test_decode_refuses);
	tcase_add_test(tc, test_decode_prefixes);
	tcase_add_test(tc, test_decode_random);
	tcase_add_test(tc, test_conf_refused);
	tcase_add_test(tc, test_unicast);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_free_in_callback);
	tcase_add_test(tc, test_live);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
