/*
 * check_mesh: a network that finds itself, with real kaipeer processes on
 * loopback (docs/PROTOCOL.md, section 11).
 *
 * Contract.  Each test starts its nodes on ports of its own and checks
 * what a user sees on their consoles:
 *   - relaying: "@b/c cmd", "@0/0 cmd", a star after a hop, a hop that
 *     names nobody,
 *     paths too long or empty, the path shown in the result line;
 *   - "@**" on a ring of 12 nodes with at most 4 links each: 12 results,
 *     each node running the command once, the end as soon as the last
 *     answered; and with one node frozen, the end at the timeout saying
 *     that a link gave no answer;
 *   - peer exchange: a chain of 6 nodes with "discover" becomes a mesh,
 *     "peers" saying who told of whom; a discovered peer that goes away
 *     for good is forgotten after its failed redials;
 *   - the LAN beacon between two nodes of this machine in protected
 *     mode, over the loopback;
 *   - what a stranger says is bounded: a raw peer telling of 40 addresses
 *     gets a handful of them dialled, none into the table, each address
 *     no faster than the backoff; a malformed PEERS is a protocol error.
 * Every wait is bounded; a failed check dumps every node's output.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "frames.h"
#include "harness.h"
#include "suite.h"

#define TCASE_TIMEOUT	60
#define RING		12

/* Read p's output until text was seen n times (from its start), or ms. */
static int
seen(struct h_proc *p, const char *text, int n, int ms)
{
	long long end = now_ms() + ms;

	for (;;) {
		if (h_count(p, H_OUT, 0, text) >= n)
			return 1;
		if (now_ms() >= end)
			return 0;
		(void)h_expect(p, H_OUT, "\001not a line\001", 50);
	}
}

/* ====================================================================== */
/* Relaying                                                                */

START_TEST(test_relay)
{
	struct h_proc *a, *b, *c;
	int pa = free_port(), pb = free_port(), pc = free_port();

	c = node("c", pc, 0, "'name': 'c'");
	b = node("b", pb, 0, S("'name': 'b', %s", peers_of(pc)));
	linked(b, pb, c, pc);
	a = node("a", pa, 1, S("'name': 'a', %s", peers_of(pb)));
	linked(a, pa, b, pb);

	SEND(a, "@b/c calc 1+2");
	EXPECT_NEXT(a, S("Sent command 'calc 1+2' to 127.0.0.1:%d/c", pb));
	EXPECT_NEXT(a, S("Result from 127.0.0.1:%d/127.0.0.1:%d for command "
	    "'calc 1+2': 3", pb, pc));
	EXPECT(b, "Relay from 127.0.0.1:");
	EXPECT(c, S("Command from 127.0.0.1:%d (b) (relayed): calc 1+2", pb));

	/* Indexes; a hop that names nobody; a hop that names several. */
	SEND(a, "@0/0 calc 2*3");
	EXPECT_NEXT(a, S("Sent command 'calc 2*3' to 127.0.0.1:%d/0", pb));
	EXPECT_NEXT(a, S("Result from 127.0.0.1:%d/127.0.0.1:%d for command "
	    "'calc 2*3': 6", pb, pc));
	SEND(a, "@0/9 calc 1");
	EXPECT_NEXT(a, S("Sent command 'calc 1' to 127.0.0.1:%d/9", pb));
	EXPECT_NEXT(a, S("Result from 127.0.0.1:%d for command 'calc 1': "
	    "Error: No peer found matching '9'", pb));
	SEND(a, "@0/* calc 4");
	EXPECT_NEXT(a, "Sent command 'calc 4' to 1 peer, then '*'");
	CHECK(h_expect(a, H_OUT, "Done 'calc 4' on 2 peers in ", H_WAIT) !=
	    NULL, "no summary of '@0/*'");
	CHECK(h_count(a, H_OUT, 0, S("Result from 127.0.0.1:%d/127.0.0.1:%d "
	    "for command 'calc 4': 4", pb, pc)) == 1 && h_count(a, H_OUT, 0,
	    S("Result from 127.0.0.1:%d/127.0.0.1:%d for command 'calc 4': 4",
	    pb, pa)) == 1, "'@0/*' did not reach both peers of b");

	/* There and back: a path may pass a node twice, within 8 hops. */
	SEND(a, "@b/a/b/a/b/a/b/c calc 5");
	EXPECT(a, S("for command 'calc 5': 5"));
	CHECK(strstr(a->line, S("127.0.0.1:%d/127.0.0.1:%d/127.0.0.1:%d/",
	    pb, pa, pb)) != NULL, "the path is not shown: %s", a->line);
	SEND(a, "@b/a/b/a/b/a/b/a/c calc 5");
	EXPECT_NEXT(a, "Path 'b/a/b/a/b/a/b/a/c' is too long: at most 8 hops");
	SEND(a, "@b//c calc 5");
	EXPECT_NEXT(a, "Empty hop in path 'b//c'");
	SEND(a, "@b/** calc 5");
	EXPECT_NEXT(a, "'**' cannot be a hop of a path ('b/**')");
	SEND(a, "@nobody/c calc 5");
	EXPECT_NEXT(a, "No peer found matching 'nobody'");
	SEND(a, "calc 0");
	EXPECT_NEXT(a, "Result: 0");
}
END_TEST

/* ====================================================================== */
/* Network-wide commands                                                    */

/*
 * A ring of n nodes, node i dialling i+1 and, with chords, i+5 (mod n):
 * at most 4 links each.  Node 0 is interactive.  Returns when every
 * node has all its links.
 */
static void
ring(struct h_proc **p, int *port, int n, int chords, const char *more)
{
	int i, links[RING];

	for (i = 0; i < n; i++) {
		port[i] = free_port();
		links[i] = 0;
	}
	for (i = 0; i < n; i++) {
		links[i] += 1 + chords;
		links[(i + 1) % n]++;
		if (chords)
			links[(i + 5) % n]++;
	}
	for (i = n - 1; i >= 0; i--)
		p[i] = node(S("n%d", i), port[i], i == 0, S("'name': 'n%d', "
		    "'reconnectMax': 1, %s'peers': [{'host': '127.0.0.1', "
		    "'port': %d}%s]", i, more, port[(i + 1) % n], chords ?
		    S(", {'host': '127.0.0.1', 'port': %d}", port[(i + 5) % n])
		    : ""));
	for (i = 0; i < n; i++)
		CHECK(seen(p[i], "Connected to peer: ", 1 + chords, H_WAIT) &&
		    seen(p[i], "Peer connected from ", links[i] - 1 - chords,
		    H_WAIT), "n%d did not get its %d links", i, links[i]);
}

START_TEST(test_all_ring)
{
	struct h_proc *p[RING];
	int port[RING], i;
	long long t0;

	ring(p, port, RING, 1, "");
	t0 = now_ms();
	SEND(p[0], "@** calc 6*7");
	EXPECT(p[0], "Sent command 'calc 6*7' to every node (through 4 "
	    "links)");
	CHECK(h_expect(p[0], H_OUT, S("Done 'calc 6*7' on %d nodes in ",
	    RING), H_WAIT) != NULL, "no summary");
	CHECK(strstr(p[0]->line, S("%d ok, 0 failed, 0 timed out, 0 "
	    "unreachable (every node reached answered)", RING)) != NULL,
	    "summary: %s", p[0]->line);
	CHECK(now_ms() - t0 < 3000, "'@**' took %lld ms: it waited for "
	    "more than the answers", now_ms() - t0);
	CHECK(h_count(p[0], H_OUT, 0, "for command 'calc 6*7': 42") == RING,
	    "not %d results", RING);
	CHECK(h_count(p[0], H_OUT, 0, "Result from self for command 'calc "
	    "6*7': 42") == 1, "the node itself did not answer once");
	for (i = 1; i < RING; i++) {
		CHECK(seen(p[i], "(network-wide): calc 6*7", 1, H_WAIT),
		    "n%d got no query", i);
		CHECK(seen(p[i], "Sent result: 42", 1, H_WAIT), "n%d did not "
		    "say it answered", i);
		CHECK(h_count(p[i], H_OUT, 0, "Command from ") == 1 &&
		    h_count(p[i], H_OUT, 0, "Sent result") == 1,
		    "n%d ran the query more than once", i);
	}
	/* Again: a new query id, each node once more. */
	SEND(p[0], "@** calc 1");
	CHECK(h_expect(p[0], H_OUT, S("Done 'calc 1' on %d nodes in ", RING),
	    H_WAIT) != NULL, "no summary of the second query");
	for (i = 1; i < RING; i++)
		CHECK(seen(p[i], "Sent result: 1", 1, H_WAIT) && h_count(p[i],
		    H_OUT, 0, "Command from ") == 2, "n%d: not twice", i);
}
END_TEST

/* A node that does not answer: the query ends at its timeout, and says. */
START_TEST(test_all_frozen)
{
	struct h_proc *p[4];
	int port[4];
	long long t0;

	ring(p, port, 4, 0, "'commandTimeout': 2, 'heartbeatTimeout': 30, ");
	h_signal(p[2], SIGSTOP);
	t0 = now_ms();
	SEND(p[0], "@** calc 1");
	CHECK(h_expect(p[0], H_OUT, "Done 'calc 1' on ", 5000) != NULL,
	    "no summary");
	h_signal(p[2], SIGCONT);
	CHECK(strstr(p[0]->line, "link gave no answer in time") != NULL ||
	    strstr(p[0]->line, "links gave no answer in time") != NULL,
	    "the summary does not say that a node may be missing: %s",
	    p[0]->line);
	CHECK(strstr(p[0]->line, "on 3 nodes") != NULL, "not 3 nodes: %s",
	    p[0]->line);
	CHECK(now_ms() - t0 < 3500, "the query took %lld ms", now_ms() - t0);
}
END_TEST

/* ====================================================================== */
/* Peer exchange                                                            */

START_TEST(test_discover_chain)
{
	struct h_proc *p[6];
	int port[6], i;
	size_t mark;
	long long end;

	for (i = 0; i < 6; i++)
		port[i] = free_port();
	for (i = 5; i >= 0; i--)
		p[i] = node(S("n%d", i), port[i], i == 0, S("'name': 'n%d', "
		    "'discover': true%s%s", i, i < 5 ? ", " : "", i < 5 ?
		    peers_of(port[i + 1]) : ""));
	end = now_ms() + 15000;
	for (;;) {
		mark = h_mark(p[0], H_OUT);
		SEND(p[0], "peers");
		SEND(p[0], "calc 0+0");
		EXPECT(p[0], "Result: 0");
		if (h_count(p[0], H_OUT, mark, "  ") - h_count(p[0], H_OUT,
		    mark, "Other") >= 5 && h_count(p[0], H_OUT, mark,
		    "Other peers:") == 0)
			break;
		CHECK(now_ms() < end, "n0 is not linked to all 5 others");
		(void)h_expect(p[0], H_OUT, "\001not a line\001", 200);
	}
	CHECK(h_count(p[0], H_OUT, mark, S("  0: 127.0.0.1:%d (n1) [config]",
	    port[1])) == 1, "n1 is not listed as configured");
	CHECK(h_count(p[0], H_OUT, mark, "[discovered from 127.0.0.1:") >= 1,
	    "no peer listed as discovered, and from whom");
	SEND(p[0], "@** calc 2+2");
	CHECK(h_expect(p[0], H_OUT, "Done 'calc 2+2' on 6 nodes", H_WAIT) !=
	    NULL, "'@**' did not reach the 6 nodes");
}
END_TEST

/* A discovered peer that goes away for good is forgotten, in a while. */
START_TEST(test_discovered_forgotten)
{
	struct h_proc *a, *b, *c;
	int pa = free_port(), pb = free_port(), pc = free_port();
	size_t mark;
	long long end;

	b = node("b", pb, 0, "'name': 'b'");
	c = node("c", pc, 0, S("'name': 'c', %s", peers_of(pb)));
	linked(c, pc, b, pb);
	a = node("a", pa, 1, S("'name': 'a', 'discover': true, "
	    "'reconnectMax': 1, 'connectTimeout': 1, %s", peers_of(pb)));
	EXPECT(a, S("Connected to peer: 127.0.0.1:%d (c) (discovered from "
	    "127.0.0.1:%d)", pc, pb));
	SEND(a, "peers");
	EXPECT(a, S("127.0.0.1:%d (c) [discovered from 127.0.0.1:%d]", pc,
	    pb));
	h_kill(c);
	EXPECT(a, S("Connection lost to peer: 127.0.0.1:%d (c)", pc));
	EXPECT_ERR(a, S("Peer 127.0.0.1:%d (c): forgotten: a discovered peer "
	    "that failed too often", pc));
	end = now_ms() + 2000;
	for (;;) {
		mark = h_mark(a, H_OUT);
		SEND(a, "peers");
		SEND(a, "calc 0+0");
		EXPECT(a, "Result: 0");
		if (h_count(a, H_OUT, mark, S("127.0.0.1:%d", pc)) == 0)
			break;
		CHECK(now_ms() < end, "c is still listed");
	}
	CHECK(h_count(a, H_OUT, mark, S("127.0.0.1:%d (b) [config]", pb)) ==
	    1, "b is not listed as before");
}
END_TEST

/* Ask p for "peers" until it lists line, for up to 8 s. */
static void
listed_as(struct h_proc *p, const char *line)
{
	long long end = now_ms() + 8000;
	size_t mark;
	char *want = strdup(line);

	CHECK(want != NULL, "out of memory");
	for (;;) {
		mark = h_mark(p, H_OUT);
		SEND(p, "peers");
		SEND(p, "calc 0+0");
		EXPECT(p, "Result: 0");
		if (h_count(p, H_OUT, mark, want) == 1)
			break;
		CHECK(now_ms() < end, "%s never listed \"%s\"", p->name, want);
		(void)h_expect(p, H_OUT, "\001not a line\001", 200);
	}
	free(want);
}

/*
 * Two nodes of one machine in protected mode (loopback alone) with
 * "lanDiscovery": their beacons go over the loopback, and they link, each
 * listing the other "[discovered on the LAN]".  Where the loopback
 * carries no multicast (the beacon counters say nothing was heard), the
 * test says so and passes: tests/netns_mesh.sh covers bridges.
 */
START_TEST(test_lan_loopback)
{
	struct h_proc *a, *b;
	int pa = free_port(), pb = free_port(), udp = free_port();
	const char *more = S("'lanDiscovery': true, 'lanPort': %d, "
	    "'cluster': 'mesh-test-%d'", udp, udp);

	a = node("a", pa, 1, S("'name': 'a', %s", more));
	b = node("b", pb, 1, S("'name': 'b', %s", more));
	CHECK(h_count(a, H_OUT, 0, "LAN discovery on UDP port ") == 1 &&
	    h_count(a, H_OUT, 0, "on this machine alone (it listens on "
	    "loopback)") == 1, "the beacon does not say it keeps to loopback");
	if (h_expect(a, H_OUT, S("127.0.0.1:%d (b)", pb), 6000) == NULL) {
		h_signal(a, SIGUSR1);
		CHECK(h_expect(a, H_ERR, "LAN beacon: ", H_WAIT) != NULL,
		    "no beacon counters");
		CHECK(strstr(a->line, " 0 heard") != NULL, "beacons were heard "
		    "but the nodes did not link: %s", a->line);
		printf("lan_loopback: skipped: this loopback carries no "
		    "multicast (%s)\n", a->line);
		return;
	}
	/* The end dialled says so once it has heard the other's beacon too
	 * (at once if it had before the dial, else within an interval). */
	listed_as(a, S("  0: 127.0.0.1:%d (b) [discovered on the LAN]", pb));
	listed_as(b, S("  0: 127.0.0.1:%d (a) [discovered on the LAN]", pa));
	SEND(a, "@b calc 2+5");
	EXPECT_EXACT(a, S("Result from 127.0.0.1:%d for command 'calc 2+5': 7",
	    pb));
}
END_TEST

/*
 * A raw peer that tells of 40 addresses that never answer (the first of
 * them 0.0.0.0, which is not an address to dial).
 */
START_TEST(test_stranger_bounded)
{
	unsigned char buf[8192];
	static const unsigned char id[PROTO_NODE_ID] = "STRANGER";
	struct frames_peer fp[40];
	struct h_raw r, in;
	struct h_proc *n;
	int pn = free_port(), fd[40], got[40], i, total = 0, most = 0;
	long len;
	long long end;

	n = node("node", pn, 1, "'discover': true, 'connectTimeout': 1, "
	    "'reconnectMax': 4");
	CHECK(h_raw_connect(&r, pn, H_WAIT) == 0, "cannot connect");
	CHECK(h_raw_hello(&r, RAW_PORT, "", id) == 0, "cannot send HELLO");
	memset(fp, 0, sizeof(fp));
	for (i = 0; i < 40; i++) {
		fp[i].port = (unsigned)free_port();
		fd[i] = h_listen((int)fp[i].port);
		CHECK(fd[i] != -1, "cannot listen");
		got[i] = 0;
		snprintf(fp[i].ip, sizeof(fp[i].ip), "127.0.0.1");
		memcpy(fp[i].id, "CANDxxxx", 8);
		fp[i].id[6] = (unsigned char)('A' + i / 26);
		fp[i].id[7] = (unsigned char)('a' + i % 26);
	}
	/* The first: "0.0.0.0" reaches this machine, but is no address. */
	snprintf(fp[0].ip, sizeof(fp[0].ip), "0.0.0.0");
	len = frames_peers_encode(buf, sizeof(buf), fp, 40);
	CHECK(len > 0, "cannot encode PEERS");
	raw_send(&r, buf, (size_t)len);
	/* Accept, and close at once: each is a failed probe. */
	end = now_ms() + 3000;
	while (now_ms() < end)
		for (i = 0; i < 40; i++)
			while (h_raw_accept(&in, fd[i], 0) == 0) {
				got[i]++;
				h_raw_close(&in);
			}
	for (i = 0; i < 40; i++) {
		total += got[i];
		most = got[i] > most ? got[i] : most;
		close(fd[i]);
	}
	CHECK(got[0] == 0, "0.0.0.0 was dialled");
	CHECK(total >= 1, "no address told was dialled");
	CHECK(total <= 4 + 4 * 3, "%d dials in 3 s: not rate-limited", total);
	CHECK(most <= 3, "an address was dialled %d times in 3 s", most);
	SEND(n, "peers");
	EXPECT(n, "Connected peers:");
	EXPECT_NEXT(n, S("  0: 127.0.0.1:%d [accepted]", RAW_PORT));
	SEND(n, "calc 1");
	EXPECT_NEXT(n, "Result: 1");

	/* A PEERS that does not decode is a protocol error. */
	buf[0] = 0;
	buf[1] = 0;
	buf[2] = 0;
	buf[3] = 2;
	buf[4] = PROTO_PEERS;
	buf[5] = FRAMES_MAX_PEERS + 1;
	raw_send(&r, buf, 6);
	EXPECT_ERR(n, "malformed PEERS frame");
	EXPECT(n, S("Connection lost to peer: 127.0.0.1:%d", RAW_PORT));
	h_raw_close(&r);
	SEND(n, "calc 2");
	EXPECT_NEXT(n, "Result: 2");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mesh");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = suite_case(s, "relay", TCASE_TIMEOUT);
	tcase_add_test(tc, test_relay);
	tc = suite_case(s, "all", TCASE_TIMEOUT);
	tcase_add_test(tc, test_all_ring);
	tcase_add_test(tc, test_all_frozen);
	tc = suite_case(s, "discover", TCASE_TIMEOUT);
	tcase_add_test(tc, test_discover_chain);
	tcase_add_test(tc, test_discovered_forgotten);
	tcase_add_test(tc, test_lan_loopback);
	tcase_add_test(tc, test_stranger_bounded);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
