/*
 * check_defects: one test (or loop test) per defect of the issue that the
 * rebuilt core (commit 8786258) fixes, each driving real kaipeer processes
 * the way the issue describes, so that each fails on the old core
 * (eb2eb83) and passes on the new one.  Each defect is a test case named
 * by the issue's number ("defect 4"); the section titles carry it too.
 * What the suite proves, in short:
 *
 *  - a node's resources cannot be held for ever: by peers that leave
 *    connections closing with unsent output, by a crowd of strangers
 *    claiming listen ports, by a burst of clients that hung up while the
 *    node was stopped; each time a healthy peer is served afterwards
 *    (1, 5, 19);
 *  - a node whose standard output or error nobody reads, or which started
 *    without standard streams at all, goes on serving every command
 *    (2, 17);
 *  - flow control: a peer that sends much and reads normally gets every
 *    byte of every result; the frame limit is announced and kept to (6, 7);
 *  - links heal: after a peer was stopped, after crossed dials, after a
 *    refusal for being full, after a stranger took a link over (3, 4, 18);
 *  - what users see is exact and safe: failures said once, clear messages
 *    for bad addresses and configs, ambiguous names, names that look like
 *    addresses, every byte a peer chose escaped (10, 11, 12, 15, 21, 22);
 *  - exit statuses and signals: -c with a failed connect, SIGHUP reloads,
 *    SIGUSR1 reports, SIGQUIT ends cleanly, nothing in flight is lost
 *    (13, 23).
 * The last case, "ask", is no defect: examples/ask, the library client,
 * against live and unreachable nodes (the client is new; with the old
 * core as the nodes it passes too).
 *
 * Build and run from the top of the repository:
 *	make tests/check_defects tests/kaipeer-asan kaipeer examples/ask
 *	KAIPEER_BIN=tests/kaipeer-asan ./tests/check_defects
 * One defect alone: CK_RUN_CASE='defect 4' ./tests/check_defects.
 *
 * The style is check_integration.c's: every test forks, starts its own
 * nodes on ports from h_port(), waits for output with a bound, sleeps no
 * fixed time beyond a few hundred ms, and a failure prints every node's
 * output so far.  Configs are written with ' for ".  Timeouts in configs
 * are small (FAST) so that what heals, heals within a few seconds.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>

#include "harness.h"
#include "suite.h"
#include "proto.h"

#define TCASE_TIMEOUT	40	/* seconds, per test */
#define BIG_FRAME	((size_t)1 << 30)	/* what we accept reading */

/* Small timeouts: a link that heals, heals within a few seconds. */
#define FAST	"'connectTimeout': 1, 'heartbeatInterval': 0.2, " \
		"'heartbeatTimeout': 1, 'commandTimeout': 2, 'reconnectMax': 1"

/* Text a peer chose to drive the terminal: OSC title, BEL, LF, C1 CSI. */
#define EVIL		"\x1b]0;title\x07\n\xc2\x9b"
#define EVIL_SHOWN	"\\x1b]0;title\\x07\\x0a\\xc2\\x9b"

/* --- helpers ------------------------------------------------------------- */




/* Write the config file at path again, for a SIGHUP. */
static void
rewrite(const char *path, const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	FILE *fp;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	quotes(text);
	CHECK((fp = fopen(path, "w")) != NULL && fputs(text, fp) >= 0 &&
	    fclose(fp) == 0, "cannot rewrite %s", path);
}



/* The node program the harness runs for "./kaipeer". */
static const char *
kaipeer_bin(void)
{
	const char *bin = getenv("KAIPEER_BIN");

	return bin != NULL && bin[0] != '\0' ? bin : "./kaipeer";
}


/* A quiet (-q) server on port, which prints nothing when all is well. */
static struct h_proc *
quiet_node(const char *name, int port, const char *more)
{
	static const char *const quiet[] = { "-q", NULL };

	return run(name, "./kaipeer", quiet, config("{'listenPort': %d, "
	    "'interactive': false%s%s}", port, more[0] != '\0' ? ", " : "",
	    more));
}



/* Wait until n lines of s (from its start) contain text; the count. */
static int
wait_count(struct h_proc *p, enum h_stream s, const char *text, int n,
    int ms)
{
	long long end = now_ms() + ms;
	int c;

	while ((c = h_count(p, s, 0, text)) < n && now_ms() < end)
		h_pump(50);
	return c;
}

/* A line containing text appears on stdout, wherever (results race). */
static void
expect_somewhere(struct h_proc *p, const char *text, int ms)
{
	CHECK(wait_count(p, H_OUT, text, 1, ms) >= 1, "%s printed no line "
	    "containing \"%s\" within %d ms", p->name, text, ms);
}

/* The exact line on stdout, wherever it is among the others. */
static void
expect_line_somewhere(struct h_proc *p, const char *line, int ms)
{
	long long end = now_ms() + ms;
	const struct h_buf *b = &p->out[H_OUT];
	const char *at;
	size_t n = strlen(line);

	for (;;) {
		for (at = b->buf; at != NULL && (at = strstr(at, line)) !=
		    NULL; at++)
			if ((at == b->buf || at[-1] == '\n') && at[n] == '\n')
				return;
		CHECK(now_ms() < end, "%s printed no line \"%s\" within %d ms",
		    p->name, line, ms);
		h_pump(50);
	}
}

/* Wait until p reports a link with the node at port, either way. */
static void
wait_up(struct h_proc *p, int port)
{
	long long end = now_ms() + H_WAIT;

	while (h_count(p, H_OUT, 0, S("Connected to peer: 127.0.0.1:%d",
	    port)) + h_count(p, H_OUT, 0, S("Peer connected from 127.0.0.1:%d",
	    port)) == 0) {
		CHECK(now_ms() < end, "%s reports no link with 127.0.0.1:%d "
		    "within %d ms", p->name, port, H_WAIT);
		h_pump(50);
	}
}

/*
 * Wait until p's "peers" lists the node at port exactly once, connected,
 * and nothing under "Other peers": asked again every tenth of a second,
 * up to ms.
 */
static void
listed_once(struct h_proc *p, int port, int ms)
{
	long long end = now_ms() + ms;
	size_t mark;

	for (;;) {
		mark = h_mark(p, H_OUT);
		SEND(p, "peers");
		SEND(p, "calc 0+0");
		EXPECT(p, "Result: 0");
		if (h_count(p, H_OUT, mark, S(": 127.0.0.1:%d", port)) == 1 &&
		    h_count(p, H_OUT, mark, "Connected peers:") == 1 &&
		    h_count(p, H_OUT, mark, "Other peers:") == 0)
			return;
		CHECK(now_ms() < end, "%s does not list 127.0.0.1:%d once, "
		    "connected, with nothing else, within %d ms (see its "
		    "last \"peers\")", p->name, port, ms);
		h_pump(100);
	}
}

/* p runs "@<sel> calc a+b" and gets the sum from the node at port. */
static void
remote_sum(struct h_proc *p, const char *sel, int port, int a, int b)
{
	SEND(p, S("@%s calc %d+%d", sel, a, b));
	EXPECT_EXACT(p, S("Result from 127.0.0.1:%d for command 'calc %d+%d': "
	    "%d", port, a, b, a + b));
}


/* Is ::1 there to listen on? */
static int
have_ipv6(void)
{
	struct sockaddr_in6 sin6;
	int fd, ok;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	ok = fd != -1 && bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	if (fd != -1)
		close(fd);
	return ok;
}

/* --- the raw peer -------------------------------------------------------- */

/* A node id no other raw peer of this test has: "RAW" and a number. */
static const unsigned char *
raw_id(unsigned n)
{
	static unsigned char ids[16][PROTO_NODE_ID];
	static unsigned next;
	unsigned char *id = ids[next++ % 16];

	memcpy(id, "RAW", 3);
	id[3] = (unsigned char)(n >> 24);
	id[4] = (unsigned char)(n >> 16);
	id[5] = (unsigned char)(n >> 8);
	id[6] = (unsigned char)n;
	id[7] = (unsigned char)getpid();
	return id;
}






/* Connect to port and shake hands as adv, name, id; nothing awaited. */
static void
raw_hand(struct h_raw *r, int port, unsigned adv, const char *name,
    const unsigned char *id)
{
	CHECK(h_raw_connect(r, port, H_WAIT) == 0, "cannot connect to %d",
	    port);
	expect_hello(r, port, NULL);
	CHECK(h_raw_hello(r, adv, name, id) == 0, "send HELLO");
}

/* As raw_hand(), and wait until n has reported the peer. */
static void
raw_up(struct h_raw *r, struct h_proc *n, int port, unsigned adv,
    const char *name, const unsigned char *id)
{
	raw_hand(r, port, adv, name, id);
	EXPECT_EXACT(n, S("Peer connected from 127.0.0.1:%d", adv != 0 ?
	    (int)adv : h_raw_port(r)));
}

/* Wait until something listens on port (a node that prints nothing). */
static void
wait_listening(int port)
{
	long long end = now_ms() + H_WAIT;
	struct h_raw r;

	while (h_raw_connect(&r, port, 1000) != 0) {
		CHECK(now_ms() < end, "nothing listens on port %d", port);
		h_pump(50);
	}
	h_raw_close(&r);
}

/*
 * A healthy raw peer is served by the node at port: it is let in (an
 * ERROR 5 "too many peers" instead of the HELLO is tried again until
 * retry_ms have passed; 0: not at all) and "calc 6*7" gives 42.
 */
static void
served(int port, int retry_ms, unsigned n)
{
	long long end = now_ms() + retry_ms;
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	int refused, rc;

	for (;;) {
		CHECK(h_raw_connect(&r, port, H_WAIT) == 0, "cannot connect "
		    "to %d", port);
		memset(&t, 0, sizeof(t));
		rc = h_raw_frame(&r, &f, H_WAIT);
		CHECK(rc != -1, "no frame from the node (timed out)");
		/* Closed at once, or ERROR 5 ("too many peers"): refused. */
		refused = rc == 0 || (f.type == PROTO_ERROR &&
		    proto_error_decode(&f.f, &t) == 0 && t.code ==
		    PROTO_CODE_REFUSED);
		if (!refused)
			break;
		h_raw_close(&r);
		CHECK(now_ms() < end, "a healthy peer is still refused "
		    "(%s \"%.*s\") after %d ms", rc == 0 ? "closed at once" :
		    "ERROR 5", (int)t.len, t.text, retry_ms);
		h_pump(100);
	}
	CHECK(f.type == PROTO_HELLO, "expected the node's HELLO, got a frame "
	    "of type %d", f.type);
	CHECK(h_raw_hello(&r, 0, "", raw_id(n)) == 0, "send HELLO");
	CHECK(h_raw_command(&r, 1, "calc 6*7") == 0, "send");
	expect_result(&r, 1, PROTO_STATUS_OK, "42");
	h_raw_close(&r);
}

/*
 * Send what the socket takes of buf[0..len) without blocking, until it
 * is all sent or nothing moved for idle_ms.  Returns the bytes sent.
 */
static size_t
push(int fd, const unsigned char *buf, size_t len, int idle_ms)
{
	struct pollfd pfd;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, buf + done, len - done, 0);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			break;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		h_pump(0);
		if (poll(&pfd, 1, idle_ms) != 1)
			break;
	}
	return done;
}

/* count COMMAND frames "calc <i>*3", ids from first, into a new buffer. */
static unsigned char *
calc_commands(int first, int count, size_t *size)
{
	unsigned char *buf, *w;
	char text[32];
	long n;
	int i;

	CHECK((buf = malloc((size_t)count * 32)) != NULL, "malloc");
	for (w = buf, i = first; i < first + count; i++) {
		snprintf(text, sizeof(text), "calc %d*3", i);
		n = proto_command_encode(w, 32, (uint32_t)i, text,
		    strlen(text));
		CHECK(n > 0, "encode");
		w += n;
	}
	*size = (size_t)(w - buf);
	return buf;
}

/*
 * Read count RESULTs of calc_commands(1, count): each id once, each
 * result right ("<id*3>"), within ms.
 */
static void
calc_results(struct h_raw *r, int count, int ms)
{
	long long end = now_ms() + ms;
	struct proto_text t;
	struct h_frame f;
	char want[32];
	unsigned char *seen;
	int i, rc;

	CHECK((seen = calloc((size_t)count + 1, 1)) != NULL, "calloc");
	for (i = 0; i < count; i++) {
		rc = h_raw_frame(r, &f, (int)(end > now_ms() ? end - now_ms() :
		    0));
		CHECK(rc == 1, "only %d of %d results came (%s)", i, count,
		    rc == 0 ? "the node closed the connection" : "timed out");
		CHECK(f.type == PROTO_RESULT && proto_result_decode(&f.f, &t)
		    == 0 && t.id >= 1 && t.id <= (uint32_t)count &&
		    !seen[t.id], "result %d: a frame of type %d, or a bad or "
		    "repeated id", i, f.type);
		seen[t.id] = 1;
		snprintf(want, sizeof(want), "%lu", (unsigned long)t.id * 3);
		CHECK(t.code == PROTO_STATUS_OK && t.len == strlen(want) &&
		    memcmp(t.text, want, t.len) == 0, "result of 'calc %lu*3' "
		    "is '%.*s'", (unsigned long)t.id, (int)t.len, t.text);
	}
	free(seen);
}

/* ====================================================================== */
/* 1. Connections closing with output unsent                              */

/*
 * 20 peers, one after the other, each sending about 6 MB of commands
 * whose results it never reads, then a length-0 frame (a protocol error),
 * and keeping its socket open.  With maxPeers 4 the old node kept such
 * connections for ever, closing with results unsent: full, refusing
 * everyone, its memory grown by tens of MB.  Now such a peer is dropped
 * (it reads nothing for heartbeatTimeout, or it broke the protocol) and
 * its connection is closed for good after connectTimeout at most: a
 * healthy peer gets in soon, and memory stays small.
 */
START_TEST(test_closing_slots)
{
	enum { PEERS = 20, CMDS = 100, TEXT = 60000 };
	const size_t one = PROTO_HEADER + 4 + TEXT;
	static const unsigned char zero[4];
	struct h_raw r[PEERS];
	struct h_frame f;
	struct h_proc *n;
	unsigned char *cmds;
	char *text;
	const char *asan;
	int pn = free_port(), k, small = 4096, in = 0;
	long base, kib;
	size_t i;

	signal(SIGPIPE, SIG_IGN);	/* the node hangs up on them */
	CHECK((cmds = malloc(one * CMDS)) != NULL && (text = malloc(TEXT))
	    != NULL, "malloc");
	memset(text, 'z', TEXT);
	for (i = 0; i < CMDS; i++)
		CHECK(proto_command_encode(cmds + i * one, one, (uint32_t)i + 1,
		    text, TEXT) == (long)one, "encode");
	free(text);
	/* Under AddressSanitizer freed memory is held in a quarantine and
	 * stays resident: keep that small, so RSS shows what is live. */
	asan = getenv("ASAN_OPTIONS");
	CHECK(setenv("ASAN_OPTIONS", S("%s%squarantine_size_mb=4",
	    asan != NULL ? asan : "", asan != NULL && asan[0] != '\0' ? ":" :
	    ""), 1) == 0, "setenv");
	n = quiet_node("node", pn, "'maxPeers': 4, " FAST);
	wait_listening(pn);
	base = rss_kib(n->pid);
	for (k = 0; k < PEERS; k++) {
		CHECK(h_raw_connect(&r[k], pn, H_WAIT) == 0, "connect");
		if (h_raw_frame(&r[k], &f, H_WAIT) != 1 ||
		    f.type != PROTO_HELLO)
			continue;	/* refused: full for now */
		in++;
		CHECK(h_raw_hello(&r[k], 0, "", raw_id((unsigned)k)) == 0,
		    "send HELLO");
		(void)setsockopt(r[k].fd, SOL_SOCKET, SO_RCVBUF, &small,
		    sizeof(small));
		(void)push(r[k].fd, cmds, one * CMDS, 150);
		(void)push(r[k].fd, zero, sizeof(zero), 150);
	}
	free(cmds);
	CHECK(in >= 4, "only %d of %d peers were let in at all", in, PEERS);
	kib = rss_kib(n->pid);
	CHECK(kib - base < 24 * 1024, "the node grew from %ld to %ld KiB",
	    base, kib);
	/* Every flooder still holds its socket open and reads nothing. */
	served(pn, 6000, 100);
	CHECK(h_wait(n, 0) == -1, "the node exited, status %d", n->status);
	for (k = 0; k < PEERS; k++)
		h_raw_close(&r[k]);
}
END_TEST

/* ====================================================================== */
/* 2. Standard output or error that nobody reads                          */

/*
 * _i == 0: the node's stdout is a pipe nobody reads (full after a few
 * hundred lines); a raw peer sends 3,000 commands in one go and gets all
 * 3,000 results, each right.  _i == 1: a quiet node's stderr is unread,
 * and a peer sends 5,000 frames of an unknown type: each is answered
 * with ERROR 6, a command still works, and the node said "Ignored ..."
 * once for the link.  The old node blocked on the full pipe and stopped
 * serving.
 */
START_TEST(test_unread_output)
{
	enum { COMMANDS = 3000, UNKNOWN = 5000 };
	static const unsigned char unknown[] = "\x00\x00\x00\x04" "\x63" "xyz";
	unsigned char *buf;
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	struct h_proc *n;
	size_t size;
	int pn = free_port(), i, rc;

	if (_i == 0) {
		n = node("node", pn, 0, "");
		h_hold(n, H_OUT, 1);
		raw_hand(&r, pn, RAW_PORT, "", raw_id(1));
		buf = calc_commands(1, COMMANDS, &size);
		raw_send(&r, buf, size);
		free(buf);
		calc_results(&r, COMMANDS, 20000);
	} else {
		n = quiet_node("node", pn, "");
		h_hold(n, H_ERR, 1);
		wait_listening(pn);
		raw_hand(&r, pn, RAW_PORT, "", raw_id(1));
		size = sizeof(unknown) - 1;
		CHECK((buf = malloc(UNKNOWN * size)) != NULL, "malloc");
		for (i = 0; i < UNKNOWN; i++)
			memcpy(buf + (size_t)i * size, unknown, size);
		raw_send(&r, buf, UNKNOWN * size);
		free(buf);
		for (i = 0; i < UNKNOWN; i++) {
			memset(&t, 0, sizeof(t));
			rc = h_raw_frame(&r, &f, H_WAIT);
			CHECK(rc == 1 && f.type == PROTO_ERROR &&
			    proto_error_decode(&f.f, &t) == 0 && t.code ==
			    PROTO_CODE_UNKNOWN_TYPE, "answer %d of %d is not "
			    "ERROR 6 (%s)", i + 1, UNKNOWN, rc == 1 ? "another "
			    "frame" : rc == 0 ? "the node closed the "
			    "connection" : "timed out");
		}
	}
	CHECK(h_raw_command(&r, 0, "calc 6*7") == 0, "send");
	expect_result(&r, 0, PROTO_STATUS_OK, "42");
	h_hold(n, _i == 0 ? H_OUT : H_ERR, 0);
	CHECK(h_wait(n, 0) == -1, "the node exited, status %d", n->status);
	if (_i == 1) {
		h_pump(200);
		CHECK(h_count(n, H_ERR, 0, "Ignored unknown frame type 99 from "
		    "127.0.0.1:4242") == 1 && h_count(n, H_ERR, 0, "") == 1,
		    "not one \"Ignored ...\" line and nothing else on stderr");
	}
	h_raw_close(&r);
}
END_TEST

/* ====================================================================== */
/* 3. A peer stopped for longer than heartbeatTimeout                      */

/*
 * Two nodes that each list the other in their config; one of them (_i
 * selects which) is stopped with SIGSTOP until the other has given it up
 * for lost, and a while longer, then continued.  Soon each node lists the
 * other once, connected, and commands go both ways.
 */
START_TEST(test_stopped_peer)
{
	int port1 = free_port(), port2 = free_port(), vport;
	struct h_proc *p1, *p2, *victim, *other;

	p1 = node("peer1", port1, 1, S("%s, %s", peers_of(port2), FAST));
	p2 = node("peer2", port2, 1, S("%s, %s", peers_of(port1), FAST));
	wait_up(p1, port2);
	wait_up(p2, port1);
	victim = _i == 0 ? p1 : p2;
	other = _i == 0 ? p2 : p1;
	vport = _i == 0 ? port1 : port2;
	h_signal(victim, SIGSTOP);
	EXPECT_ON(other, H_ERR, S("No heartbeat from 127.0.0.1:%d", vport),
	    3000);
	h_pump(500);		/* longer still: redials meet a stopped node */
	h_signal(victim, SIGCONT);
	listed_once(p1, port2, 8000);
	listed_once(p2, port1, 8000);
	remote_sum(p1, S("127.0.0.1:%d", port2), port2, 1, 2);
	remote_sum(p2, S("127.0.0.1:%d", port1), port1, 3, 4);
	listed_once(p1, port2, 1000);
	listed_once(p2, port1, 1000);
}
END_TEST

/* ====================================================================== */
/* 4. Two nodes dialling each other at the same moment                    */

/*
 * Both type "connect" to the other in the same instant, and two commands
 * right after it: the links cross.  Every command gets its right result
 * (none is "refused by peer"), and each node ends with one entry for the
 * other, connected.  A loop test: ten rounds.
 */
START_TEST(test_crossed_dials)
{
	int port1 = free_port(), port2 = free_port(), i;
	struct h_proc *p[2];
	char lines[2][160];
	int ports[2];

	ports[0] = port1;
	ports[1] = port2;
	p[0] = node("peer1", port1, 1, FAST);
	p[1] = node("peer2", port2, 1, FAST);
	for (i = 0; i < 2; i++)
		snprintf(lines[i], sizeof(lines[i]), "connect 127.0.0.1 %d\n"
		    "@0 calc %d+1\n@127.0.0.1:%d calc %d+2\n", ports[1 - i],
		    10 * i + _i, ports[1 - i], 10 * i + _i);
	CHECK(h_send_raw(p[0], lines[0], strlen(lines[0])) == 0 &&
	    h_send_raw(p[1], lines[1], strlen(lines[1])) == 0, "write");
	for (i = 0; i < 2; i++) {
		expect_line_somewhere(p[i], S("Result from 127.0.0.1:%d for "
		    "command 'calc %d+1': %d", ports[1 - i], 10 * i + _i,
		    10 * i + _i + 1), H_WAIT);
		expect_line_somewhere(p[i], S("Result from 127.0.0.1:%d for "
		    "command 'calc %d+2': %d", ports[1 - i], 10 * i + _i,
		    10 * i + _i + 2), H_WAIT);
	}
	for (i = 0; i < 2; i++) {
		CHECK(h_count(p[i], H_OUT, 0, "Result from ") == 2,
		    "%s: not exactly two results", p[i]->name);
		CHECK(h_count(p[i], H_OUT, 0, "refused") == 0 &&
		    h_count(p[i], H_OUT, 0, "Error:") == 0,
		    "%s: a command failed", p[i]->name);
	}
	listed_once(p[0], port2, H_WAIT);
	listed_once(p[1], port1, H_WAIT);
	remote_sum(p[0], "0", port2, 5, 5);
	remote_sum(p[1], "0", port1, 6, 6);
}
END_TEST

/* ====================================================================== */
/* 5. Strangers claiming listen ports 1..N                                 */

/*
 * A client connects 2,500 times, each time with a new node id, claiming
 * to listen on port 1, 2, ... 2500, and leaves after the handshake.  The
 * table keeps at most 1024 such departed strangers, so afterwards a real
 * peer connects and is served, "connect" reaches another, and "peers"
 * lists a bounded number of entries.
 */
START_TEST(test_many_strangers)
{
	enum { N = 2500, KEPT = 1024 };
	int pn = free_port(), py = free_port(), pz = free_port(), i, listed;
	struct h_proc *n, *y, *z;
	struct h_raw r;
	size_t mark;

	n = node("node", pn, 1, "");
	for (i = 1; i <= N; i++) {
		raw_hand(&r, pn, (unsigned)i, "", raw_id((unsigned)i));
		h_raw_close(&r);
	}
	y = node("listener", py, 0, peers_of(pn));
	linked(y, py, n, pn);
	remote_sum(n, S("127.0.0.1:%d", py), py, 2, 2);
	served(pn, 0, N + 1);
	z = node("other", pz, 0, "");
	SEND(n, S("connect 127.0.0.1 %d", pz));
	EXPECT_EXACT(n, S("Connected to peer: 127.0.0.1:%d", pz));
	remote_sum(n, S("127.0.0.1:%d", pz), pz, 3, 3);
	mark = h_mark(n, H_OUT);
	SEND(n, "peers");
	SEND(n, "calc 0+0");
	EXPECT(n, "Result: 0");
	listed = h_count(n, H_OUT, mark, ": 127.0.0.1:");
	CHECK(listed >= 3 && listed <= KEPT + 3, "\"peers\" lists %d entries",
	    listed);
	CHECK(h_count(n, H_OUT, mark, S(": 127.0.0.1:%d", py)) == 1 &&
	    h_count(n, H_OUT, mark, S(": 127.0.0.1:%d", pz)) == 1,
	    "the real peers are not listed once each");
	(void)z;
}
END_TEST

/* ====================================================================== */
/* 6. A peer that sends much and reads normally                            */

/*
 * 100 commands of 50,000 bytes in one write to a node taking frames of up
 * to 64 KiB, each answered with "Unknown command: <the 50 kB>": while the
 * peer reads normally, it gets every result in full and is never dropped
 * (the old node read on, and dropped it when its output queue, a few
 * frames long, filled).
 */
START_TEST(test_big_results)
{
	enum { CMDS = 100, TEXT = 50000 };
	const size_t one = PROTO_HEADER + 4 + TEXT;
	const char *prefix = "Unknown command: ";
	unsigned char *cmds, pong[PROTO_HEADER + 8], *nb;
	char *text;
	struct proto_frame pf;
	struct proto_text t;
	struct pollfd pfd;
	struct h_proc *n;
	struct h_raw r;
	uint64_t token;
	size_t sent = 0, i, k;
	long long end;
	ssize_t got;
	long size;
	int pn = free_port(), results = 0, seen[CMDS + 1], small = 16384;

	CHECK((cmds = malloc(one * CMDS)) != NULL && (text = malloc(TEXT))
	    != NULL, "malloc");
	memset(text, 'c', TEXT);
	for (i = 0; i < CMDS; i++)
		CHECK(proto_command_encode(cmds + i * one, one, (uint32_t)i + 1,
		    text, TEXT) == (long)one, "encode");
	free(text);
	memset(seen, 0, sizeof(seen));
	n = quiet_node("node", pn, "'maxFrameSize': 65536");
	wait_listening(pn);
	raw_hand(&r, pn, RAW_PORT, "", raw_id(1));
	/* A peer on a slower line: its window is small. */
	(void)setsockopt(r.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	/* Write and read at once, as a peer with a big write would. */
	end = now_ms() + 20000;
	while (results < CMDS) {
		CHECK(now_ms() < end, "only %d of %d results in 20 s", results,
		    CMDS);
		pfd.fd = r.fd;
		pfd.events = POLLIN | (sent < one * CMDS ? POLLOUT : 0);
		h_pump(0);
		(void)poll(&pfd, 1, 20);
		if (sent < one * CMDS && (pfd.revents & POLLOUT)) {
			got = send(r.fd, cmds + sent, one * CMDS - sent, 0);
			if (got > 0)
				sent += (size_t)got;
		}
		if (r.cap - r.len < 65536) {
			CHECK((nb = realloc(r.buf, r.cap * 2 + 65536)) != NULL,
			    "realloc");
			r.buf = nb;
			r.cap = r.cap * 2 + 65536;
		}
		got = recv(r.fd, r.buf + r.len, r.cap - r.len, 0);
		CHECK(got != 0, "the node closed the connection after %d "
		    "results", results);
		if (got > 0)
			r.len += (size_t)got;
		while ((size = proto_frame_next(r.buf, r.len, BIG_FRAME, &pf))
		    > 0) {
			if (pf.type == PROTO_PING) {
				CHECK(proto_ping_decode(&pf, &token) == 0,
				    "bad PING");
				raw_send(&r, pong, (size_t)proto_ping_encode(
				    pong, sizeof(pong), PROTO_PONG, token));
			} else {
				CHECK(pf.type == PROTO_RESULT &&
				    proto_result_decode(&pf, &t) == 0 &&
				    t.id >= 1 && t.id <= CMDS && !seen[t.id],
				    "frame %d: type %d, or a bad or repeated "
				    "id", results, pf.type);
				seen[t.id] = 1;
				CHECK(t.code == PROTO_STATUS_ERROR &&
				    t.len == strlen(prefix) + TEXT &&
				    memcmp(t.text, prefix, strlen(prefix)) == 0,
				    "result %lu: status %u, %lu bytes, not the "
				    "whole \"Unknown command: ccc...\"",
				    (unsigned long)t.id, t.code,
				    (unsigned long)t.len);
				for (k = strlen(prefix); k < t.len; k++)
					CHECK(t.text[k] == 'c', "result %lu "
					    "has '%c' at %lu", (unsigned long)
					    t.id, t.text[k], (unsigned long)k);
				results++;
			}
			r.len -= (size_t)size;
			memmove(r.buf, r.buf + size, r.len);
		}
		CHECK(size == PROTO_PARTIAL, "a frame the parser refuses");
	}
	free(cmds);
	CHECK(h_count(n, H_ERR, 0, "Output queue full") == 0,
	    "the node dropped a peer that reads");
	CHECK(h_raw_command(&r, 7, "calc 6*7") == 0, "send");
	expect_result(&r, 7, PROTO_STATUS_OK, "42");
	h_raw_close(&r);
}
END_TEST

/* ====================================================================== */
/* 7. The frame limit is announced, and kept to                           */

/* The node's HELLO announces its maxFrameSize. */
START_TEST(test_hello_max_frame)
{
	struct proto_hello h;
	struct h_raw r;
	int pn = free_port();

	node("node", pn, 0, "'maxFrameSize': 200000");
	CHECK(h_raw_connect(&r, pn, H_WAIT) == 0, "connect");
	expect_hello(&r, pn, &h);
	CHECK(h.max_frame == 200000, "the HELLO announces max_frame %lu, "
	    "not 200000", (unsigned long)h.max_frame);
	h_raw_close(&r);
}
END_TEST

/*
 * Node A takes frames of at most 1024 bytes; the result of its ~1000-byte
 * command on B would be longer: B sends an error result naming the limit
 * instead, and the link stays up (the old B sent it whole, and A hung up).
 */
START_TEST(test_result_too_large)
{
	enum { TEXT = 1010 };
	int pa = free_port(), pb = free_port();
	struct h_proc *a, *b;
	char cmd[TEXT + 1];
	const char *want;

	memset(cmd, 'x', TEXT);
	cmd[TEXT] = '\0';
	b = node("B", pb, 0, "");
	a = node("A", pa, 1, S("'maxFrameSize': 1024, %s", peers_of(pb)));
	linked(a, pa, b, pb);
	SEND(a, S("@0 %s", cmd));
	EXPECT(a, "Result from ");	/* longer than a->line holds */
	want = S("Result from 127.0.0.1:%d for command '%s': Error: result "
	    "too large: %d bytes, and this link takes at most 1018", pb, cmd,
	    TEXT + 17);
	CHECK(h_count(a, H_OUT, 0, want) == 1, "A: not the result \"%s\"",
	    want);
	remote_sum(a, "0", pb, 1, 1);
	CHECK(h_count(a, H_OUT, 0, "Connection lost") == 0 &&
	    h_count(b, H_OUT, 0, "Connection lost") == 0, "the link broke");
}
END_TEST

/* ====================================================================== */
/* 10. A configured address where something else answers                  */

/*
 * An HTTP server that answers every connection "400 Bad Request" and
 * closes: the node redials it again and again (reconnectMax 0.5) and
 * says so once, not once per dial.
 */
START_TEST(test_not_kaipeer)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	int pn = free_port(), q = free_port(), fd, accepts = 0;
	struct h_frame f;
	struct h_proc *n;
	struct h_raw r;
	long long end;

	CHECK((fd = h_listen(q)) != -1, "cannot listen");
	n = node("node", pn, 0, S("%s, 'connectTimeout': 1, "
	    "'reconnectMax': 0.5", peers_of(q)));
	for (end = now_ms() + 3000; now_ms() < end; ) {
		if (h_raw_accept(&r, fd, 100) != 0)
			continue;
		(void)h_raw_frame(&r, &f, 1000);	/* the request */
		(void)send(r.fd, http, sizeof(http) - 1, 0);
		h_raw_close(&r);
		accepts++;
	}
	/* Counted while the server is still there: once it is gone, the
	 * next dial fails for another reason, which is said too. */
	h_pump(100);
	CHECK(accepts >= 4, "only %d dials in 3 s", accepts);
	CHECK(h_count(n, H_ERR, 0, S("127.0.0.1:%d", q)) == 1,
	    "not one line about 127.0.0.1:%d on stderr for %d failed dials",
	    q, accepts);
	EXPECT_ERR(n, S("Failed to connect to 127.0.0.1:%d: protocol error: ",
	    q));
	close(fd);
}
END_TEST

/* ====================================================================== */
/* 11. Addresses: IPv6 in brackets, a host that includes a port            */

/* "connect [::1] <port>" dials over IPv6 (skipped where ::1 is not). */
START_TEST(test_connect_ipv6)
{
	int port1 = free_port(), port2 = free_port();
	struct h_proc *p1, *p2;

	if (!have_ipv6())
		return;		/* no ::1 here: nothing to test */
	p1 = node("peer1", port1, 0, "");
	p2 = node("peer2", port2, 1, "");
	SEND(p2, S("connect [::1] %d", port1));
	EXPECT_EXACT(p2, S("Connected to peer: [::1]:%d", port1));
	EXPECT_EXACT(p1, S("Peer connected from [::1]:%d", port2));
	SEND(p2, "@0 calc 2+2");
	EXPECT_EXACT(p2, S("Result from [::1]:%d for command 'calc 2+2': 4",
	    port1));
}
END_TEST

/* A config peer "host" with a port in it is refused where it is. */
START_TEST(test_config_host_port)
{
	const char *cfg, *want;
	struct h_proc *p;

	cfg = config("{'peers': [{'host': '127.0.0.1:21001', 'port': 21003}], "
	    "'listenPort': %d, 'interactive': false}", free_port());
	want = S("kaipeer: %s:1:21: \"host\" includes a port: give the host "
	    "alone and the port in \"port\"", cfg);
	p = run("kaipeer", "./kaipeer", NULL, cfg);
	EXPECT_EXIT(p, 78, 3000);
	CHECK(h_line(p, H_ERR, 0) != NULL && strcmp(p->line, want) == 0,
	    "stderr: expected \"%s\", got \"%s\"", want, p->line);
	CHECK(h_line(p, H_OUT, 0) == NULL, "stdout has \"%s\"", p->line);
}
END_TEST

/* "connect host:port port" gets a clear message and dials nothing. */
START_TEST(test_connect_host_port)
{
	struct h_proc *p = node("kaipeer", free_port(), 1, "");

	SEND(p, "connect 127.0.0.1:21001 21003");
	EXPECT_NEXT(p, "connect: includes a port");
	SEND(p, "peers");
	EXPECT_NEXT(p, "No peers connected.");
	SEND(p, "calc 1+1");
	EXPECT_NEXT(p, "Result: 2");
	CHECK(h_count(p, H_ERR, 0, "") == 0, "something went to stderr");
}
END_TEST

/*
 * Names are looked up without stalling the node (a helper process does
 * it): "connect localhost" connects, and a name that does not resolve is
 * a failure said once while the console goes on answering.
 */
START_TEST(test_connect_by_name)
{
	int port1 = free_port(), port2 = free_port();
	struct h_proc *p1, *p2;

	p1 = node("peer1", port1, 0, "");
	p2 = node("peer2", port2, 1, "'reconnectMax': 1");
	SEND(p2, S("connect localhost %d", port1));
	EXPECT_NEXT(p2, S("Connecting to peer at localhost:%d", port1));
	EXPECT(p2, "Connected to peer: ");
	CHECK(strstr(p2->line, S(":%d", port1)) != NULL, "connected to %s",
	    p2->line);
	SEND(p2, S("@localhost:%d calc 3*3", port1));
	EXPECT(p2, "for command 'calc 3*3': 9");
	SEND(p2, "connect nosuchhost.invalid 9");
	SEND(p2, "calc 1+1");
	EXPECT(p2, "Result: 2");
	EXPECT_ERR(p2, "Failed to connect to nosuchhost.invalid:9: ");
	(void)p1;
}
END_TEST

/* ====================================================================== */
/* 12. heartbeatTimeout must be greater than heartbeatInterval             */

struct config_case {
	const char	*json;		/* as written, ' for "; %d: a port */
	const char	*where;		/* "line:col: message" */
};

static const struct config_case heartbeat_configs[] = {
	{ "{'heartbeatInterval': 2, 'heartbeatTimeout': 1, 'listenPort': %d}",
	  "1:46: \"heartbeatTimeout\" (1000 ms) must be greater than "
	  "\"heartbeatInterval\" (2000 ms)" },
	{ "{'heartbeatTimeout': 1,\n 'heartbeatInterval': 1, 'listenPort': %d}",
	  "1:22: \"heartbeatTimeout\" (1000 ms) must be greater than "
	  "\"heartbeatInterval\" (1000 ms)" },
	{ "{'heartbeatTimeout': 0.5, 'listenPort': %d}",
	  "1:22: \"heartbeatTimeout\" (500 ms) must be greater than "
	  "\"heartbeatInterval\" (1000 ms)" },
	{ "{\n  'heartbeatInterval': 5, 'listenPort': %d\n}",
	  "2:24: \"heartbeatTimeout\" (5000 ms) must be greater than "
	  "\"heartbeatInterval\" (5000 ms)" },
};

START_TEST(test_heartbeat_order)
{
	const struct config_case *c = &heartbeat_configs[_i];
	const char *cfg, *want;
	struct h_proc *p;

	cfg = config(c->json, free_port());
	want = S("kaipeer: %s:%s", cfg, c->where);
	p = run("kaipeer", "./kaipeer", NULL, cfg);
	EXPECT_EXIT(p, 78, 3000);
	CHECK(h_line(p, H_ERR, 0) != NULL && strcmp(p->line, want) == 0,
	    "stderr: expected \"%s\", got \"%s\"", want, p->line);
	CHECK(h_line(p, H_ERR, 0) == NULL, "more on stderr: \"%s\"", p->line);
	CHECK(h_line(p, H_OUT, 0) == NULL, "a bad config was half-loaded: "
	    "stdout has \"%s\"", p->line);
}
END_TEST

/* ====================================================================== */
/* 13. -c with a connect line                                              */

/* A connect line that fails makes the exit status 2, unreachable (_i ==
 * 0); one that works, 0 (_i == 1). */
START_TEST(test_oneshot_connect)
{
	static const char *args[] = { "-c", NULL, NULL };
	int port = free_port();
	struct h_proc *p;

	if (_i == 1)
		node("peer", port, 0, "");
	args[1] = S("connect 127.0.0.1 %d", port);
	p = run("oneshot", "./kaipeer", args, config("{'interactive': false, "
	    "'connectTimeout': 1}"));
	EXPECT_EXIT(p, _i == 0 ? 2 : 0, H_WAIT);
	if (_i == 0)
		EXPECT_ERR(p, S("Failed to connect to 127.0.0.1:%d: Connection "
		    "refused", port));
	else
		EXPECT_EXACT(p, S("Connected to peer: 127.0.0.1:%d", port));
}
END_TEST

/* ====================================================================== */
/* 15. A name two peers share                                              */

/* Nodes at pa and pb, both named alpha, and a hub that dials both. */
static struct h_proc *
two_alphas(int pa, int pb)
{
	struct h_proc *h;

	node("alpha1", pa, 0, "'name': 'alpha'");
	node("alpha2", pb, 0, "'name': 'alpha'");
	h = node("hub", free_port(), 1, S("'peers': [{'host': '127.0.0.1', "
	    "'port': %d}, {'host': '127.0.0.1', 'port': %d}]", pa, pb));
	expect_somewhere(h, S("Connected to peer: 127.0.0.1:%d", pa), H_WAIT);
	expect_somewhere(h, S("Connected to peer: 127.0.0.1:%d", pb), H_WAIT);
	return h;
}

/* "@alpha" says the name is ambiguous and lists both candidates. */
START_TEST(test_ambiguous_name)
{
	int pa = free_port(), pb = free_port();
	const char *one, *other;
	struct h_proc *h;

	h = two_alphas(pa, pb);
	SEND(h, "@alpha calc 1");
	EXPECT(h, "is ambiguous");
	one = S("Peer 'alpha' is ambiguous: 2 peers match: 0 (127.0.0.1:%d), "
	    "1 (127.0.0.1:%d)", pa, pb);
	other = S("Peer 'alpha' is ambiguous: 2 peers match: 1 (127.0.0.1:%d), "
	    "0 (127.0.0.1:%d)", pb, pa);
	CHECK(strcmp(h->line, one) == 0 || strcmp(h->line, other) == 0,
	    "hub: expected \"%s\" (in any order), got \"%s\"", one, h->line);
	remote_sum(h, "1", pb, 1, 2);
}
END_TEST

/* The candidates come in index order, as documented (README). */
START_TEST(test_ambiguous_order)
{
	int pa = free_port(), pb = free_port();
	struct h_proc *h;
	const char *want;

	h = two_alphas(pa, pb);
	SEND(h, "@alpha calc 1");
	EXPECT(h, "is ambiguous");
	want = S("Peer 'alpha' is ambiguous: 2 peers match: 0 (127.0.0.1:%d), "
	    "1 (127.0.0.1:%d)", pa, pb);
	CHECK(strcmp(h->line, want) == 0, "hub: expected \"%s\", got \"%s\"",
	    want, h->line);
}
END_TEST

/* ====================================================================== */
/* 17. Started with standard input, output and error closed                */

/*
 * "kaipeer <&- >&- 2>&-": the node's sockets must not take descriptors
 * 0-2 (where its messages would go into a peer's connection).  A raw peer
 * sends an unknown frame type (which the node notes on stderr): it gets
 * ERROR 6, clean frames only, and the node goes on serving everyone.
 */
START_TEST(test_no_std_fds)
{
	const char *argv[6];
	int pn = free_port();
	struct h_proc *n;
	struct h_raw r;
	const unsigned char unknown[] = "\x00\x00\x00\x04" "\x63" "xyz";
	char path[64], target[256];
	ssize_t len;
	int fd;

	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = "exec \"$0\" \"$1\" <&- >&- 2>&-";
	argv[3] = kaipeer_bin();
	argv[4] = config("{'listenPort': %d, 'interactive': false}", pn);
	argv[5] = NULL;
	n = h_start("closed", argv);
	CHECK(n != NULL, "cannot start the node");
	wait_listening(pn);
	raw_hand(&r, pn, RAW_PORT, "", raw_id(1));
	raw_send(&r, unknown, sizeof(unknown) - 1);
	expect_error(&r, PROTO_CODE_UNKNOWN_TYPE);
	CHECK(h_raw_command(&r, 1, "calc 6*7") == 0, "send");
	expect_result(&r, 1, PROTO_STATUS_OK, "42");
	served(pn, 0, 2);
	CHECK(h_raw_command(&r, 2, "calc 1+1") == 0, "send");
	expect_result(&r, 2, PROTO_STATUS_OK, "2");
	CHECK(h_wait(n, 0) == -1, "the node exited, status %d", n->status);
	h_raw_close(&r);
	/* Where /proc tells: 0, 1 and 2 were reopened on /dev/null. */
	for (fd = 0; fd <= 2; fd++) {
		snprintf(path, sizeof(path), "/proc/%ld/fd/%d", (long)n->pid,
		    fd);
		if ((len = readlink(path, target, sizeof(target) - 1)) == -1)
			continue;
		target[len] = '\0';
		CHECK(strcmp(target, "/dev/null") == 0, "the node's descriptor "
		    "%d is %s, not /dev/null", fd, target);
	}
	h_signal(n, SIGTERM);
	CHECK(h_wait(n, H_WAIT) == 0, "SIGTERM did not end the node cleanly "
	    "(status %d; -1: still running after %d ms)", n->status, H_WAIT);
}
END_TEST

/* ====================================================================== */
/* 18. Links that must come back                                           */

/*
 * (a) A dials B while B is full (maxPeers 1, taken by a raw peer): A is
 * refused, "too many peers".  Once there is room, A dials again and ends
 * connected.
 */
START_TEST(test_refused_when_full)
{
	int pa = free_port(), pb = free_port();
	struct h_proc *a, *b;
	struct h_raw r;

	b = node("B", pb, 0, "'maxPeers': 1");
	raw_up(&r, b, pb, RAW_PORT, "", raw_id(1));
	a = node("A", pa, 1, S("%s, %s", peers_of(pb), FAST));
	EXPECT_ERR(a, S("Failed to connect to 127.0.0.1:%d: refused by peer: "
	    "too many peers", pb));
	EXPECT_ERR(b, "too many peers (maxPeers 1)");
	h_raw_close(&r);
	EXPECT_EXACT_ON(a, H_OUT, S("Connected to peer: 127.0.0.1:%d", pb),
	    4000);
	remote_sum(a, "0", pb, 2, 3);
}
END_TEST

/*
 * (b) A stranger dials B with A's node id (read from A's HELLO) from a
 * source port lower than that of A's link: by the rule for duplicates B
 * keeps the stranger's link and drops A's.  Once the stranger leaves, A
 * is connected to B again within the backoff, and commands work.
 */
START_TEST(test_stranger_takes_over)
{
	int pa = free_port(), pb = free_port(), src = free_port();
	struct proto_hello ha;
	struct h_proc *a, *b;
	struct h_raw r, s;

	CHECK(src < 32768, "port %d is not below the ephemeral ports", src);
	b = node("B", pb, 1, FAST);
	a = node("A", pa, 1, S("%s, %s", peers_of(pb), FAST));
	linked(a, pa, b, pb);
	CHECK(h_raw_connect(&r, pa, H_WAIT) == 0, "connect to A");
	expect_hello(&r, pa, &ha);
	h_raw_close(&r);
	CHECK(h_raw_connect_from(&s, pb, src, H_WAIT) == 0, "cannot connect "
	    "to B from port %d", src);
	expect_hello(&s, pb, NULL);
	CHECK(h_raw_hello(&s, (unsigned)pa, "", ha.id) == 0, "send HELLO");
	EXPECT_EXACT(a, S("Connection lost to peer: 127.0.0.1:%d", pb));
	/* Meanwhile A's redials meet the stranger's link, and lose. */
	h_pump(300);
	h_raw_close(&s);
	EXPECT_EXACT(b, S("Connection lost to peer: 127.0.0.1:%d", pa));
	EXPECT_EXACT_ON(b, H_OUT, S("Peer connected from 127.0.0.1:%d", pa),
	    4000);
	listed_once(a, pb, H_WAIT);
	remote_sum(a, "0", pb, 4, 5);
	remote_sum(b, S("127.0.0.1:%d", pa), pa, 5, 6);
	listed_once(a, pb, H_WAIT);
	listed_once(b, pa, H_WAIT);
}
END_TEST

/* ====================================================================== */
/* 19. A burst of clients that hung up while the node was stopped          */

/*
 * 70 clients connect and close while the node (maxPeers 8) is stopped;
 * when it runs again they are all waiting to be accepted.  A real peer
 * that connects right then is let in: the node drops the connections
 * whose client already left rather than refuse it.
 */
START_TEST(test_burst_while_stopped)
{
	enum { BURST = 70 };
	int pn = free_port(), i;
	struct h_proc *n;
	struct h_raw r;
	long long t0;

	n = node("node", pn, 0, "'maxPeers': 8, 'connectTimeout': 3");
	h_signal(n, SIGSTOP);
	t0 = now_ms();
	for (i = 0; i < BURST; i++) {
		CHECK(h_raw_connect(&r, pn, H_WAIT) == 0, "client %d cannot "
		    "connect", i);
		h_raw_close(&r);
	}
	if (now_ms() - t0 < 1000)
		h_pump((int)(1000 - (now_ms() - t0)));
	h_signal(n, SIGCONT);
	served(pn, 0, 1);
	CHECK(h_count(n, H_ERR, 0, "Refused connection") == 0,
	    "the node refused someone");
}
END_TEST

/* ====================================================================== */
/* 21. A name that looks like an address or an index                      */

/*
 * Raw peers name themselves "127.0.0.1:<a real peer's port>" and "0":
 * each name is ignored with a note, "@127.0.0.1:<port>" reaches the real
 * peer, and "@<index>" means the index.
 */
START_TEST(test_name_like_address)
{
	int ph = free_port(), py = free_port();
	struct proto_text t;
	struct h_raw r1, r2;
	struct h_frame f;
	struct h_proc *h, *y;
	unsigned char buf[64];
	const char *fake;
	long len;
	int rc;

	h = node("hub", ph, 1, "");
	y = node("real", py, 0, peers_of(ph));
	linked(y, py, h, ph);
	fake = S("127.0.0.1:%d", py);
	raw_up(&r1, h, ph, RAW_PORT, fake, raw_id(1));
	raw_up(&r2, h, ph, RAW_PORT + 1, "0", raw_id(2));
	remote_sum(h, fake, py, 2, 2);
	remote_sum(h, "0", py, 3, 3);
	SEND(h, "@2 calc 4+4");
	frame(&r2, &f);
	CHECK(f.type == PROTO_COMMAND && proto_command_decode(&f.f, &t) == 0 &&
	    t.len == 8 && memcmp(t.text, "calc 4+4", 8) == 0,
	    "the peer at index 2 did not get 'calc 4+4'");
	len = proto_result_encode(buf, sizeof(buf), t.id, 0, "8", 1);
	raw_send(&r2, buf, (size_t)len);
	EXPECT_EXACT(h, S("Result from 127.0.0.1:%d for command 'calc 4+4': 8",
	    RAW_PORT + 1));
	rc = h_raw_frame(&r1, &f, 200);
	CHECK(rc == -1, "the peer named '%s' got a frame of type %d", fake,
	    rc == 1 ? f.type : -1);
	EXPECT_ERR(h, S("Peer 127.0.0.1:%d: name '%s' ignored: it looks like "
	    "an index or an address", RAW_PORT, fake));
	EXPECT_ERR(h, S("Peer 127.0.0.1:%d: name '0' ignored: it looks like "
	    "an index or an address", RAW_PORT + 1));
	SEND(h, "peers");
	EXPECT_NEXT(h, "Connected peers:");
	EXPECT_NEXT(h, S("  0: 127.0.0.1:%d [accepted]", py));
	EXPECT_NEXT(h, S("  1: 127.0.0.1:%d [accepted]", RAW_PORT));
	EXPECT_NEXT(h, S("  2: 127.0.0.1:%d [accepted]", RAW_PORT + 1));
	h_raw_close(&r1);
	h_raw_close(&r2);
}
END_TEST

/* ====================================================================== */
/* 22. Text a peer chose is escaped everywhere                             */

/* No raw ESC, BEL or C1 byte anywhere in what p printed. */
static void
no_raw_controls(struct h_proc *p)
{
	static const char *const bad[] = { "\x1b", "\x07", "\xc2\x9b" };
	size_t i;
	int s;

	h_pump(0);
	for (s = 0; s < 2; s++)
		for (i = 0; i < NELEM(bad); i++)
			CHECK(p->out[s].buf == NULL ||
			    strstr(p->out[s].buf, bad[i]) == NULL,
			    "%s printed a raw control byte on %s", p->name,
			    s == H_OUT ? "stdout" : "stderr");
}

/* An ERROR frame's text with a terminal escape, LF and C1 CSI. */
START_TEST(test_escaped_error)
{
	unsigned char buf[128];
	struct h_proc *n;
	struct h_raw r;
	long len;
	int pn = free_port();

	n = node("node", pn, 0, "");
	raw_up(&r, n, pn, RAW_PORT, "", raw_id(1));
	len = proto_error_encode(buf, sizeof(buf), PROTO_CODE_UNKNOWN_TYPE,
	    EVIL, sizeof(EVIL) - 1);
	raw_send(&r, buf, (size_t)len);
	EXPECT_EXACT_ON(n, H_ERR, "Error from 127.0.0.1:4242: " EVIL_SHOWN
	    " (code 6)", H_WAIT);
	CHECK(h_raw_command(&r, 1, "calc 6*7") == 0, "send");
	expect_result(&r, 1, PROTO_STATUS_OK, "42");
	no_raw_controls(n);
	h_raw_close(&r);
}
END_TEST

/*
 * A dialled listener refuses with ERROR 5 and such a text: a one-shot
 * node says so escaped on stderr and in "peers".
 */
START_TEST(test_escaped_refusal)
{
	static const char *const args[] = { "-c", "peers", NULL };
	unsigned char buf[128];
	int q = free_port(), fd;
	struct h_frame f;
	struct h_proc *c;
	struct h_raw r;
	long len;

	CHECK((fd = h_listen(q)) != -1, "cannot listen");
	c = run("oneshot", "./kaipeer", args, config("{'interactive': false, "
	    "'connectTimeout': 1, %s}", peers_of(q)));
	CHECK(h_raw_accept(&r, fd, H_WAIT) == 0, "no connection");
	CHECK(h_raw_frame(&r, &f, H_WAIT) == 1 && f.type == PROTO_HELLO,
	    "no HELLO");
	len = proto_error_encode(buf, sizeof(buf), PROTO_CODE_REFUSED, EVIL,
	    sizeof(EVIL) - 1);
	raw_send(&r, buf, (size_t)len);
	h_raw_close(&r);
	EXPECT_EXACT_ON(c, H_ERR, S("Failed to connect to 127.0.0.1:%d: "
	    "refused by peer: " EVIL_SHOWN, q), H_WAIT);
	EXPECT_EXACT(c, S("  0: 127.0.0.1:%d [config] [failed: refused by peer: "
	    EVIL_SHOWN "]", q));
	CHECK(h_wait(c, H_WAIT) != -1, "the one-shot node did not exit");
	no_raw_controls(c);
	close(fd);
}
END_TEST

/* ====================================================================== */
/* 23. Signals                                                             */

/*
 * SIGHUP and SIGUSR1 while 3,000 commands of a raw peer are being served:
 * the node goes on, every command gets its right result, SIGUSR1 prints
 * the status line and SIGHUP reloads.
 */
START_TEST(test_signals_in_flight)
{
	enum { BATCH = 1000 };
	static const int sigs[] = { SIGHUP, SIGUSR1, SIGHUP };
	unsigned char *buf;
	struct h_proc *n;
	struct h_raw r;
	size_t size;
	int pn = free_port(), i;

	n = node("node", pn, 0, "");
	raw_up(&r, n, pn, RAW_PORT, "", raw_id(1));
	for (i = 0; i < 3; i++) {
		buf = calc_commands(1 + i * BATCH, BATCH, &size);
		raw_send(&r, buf, size);
		free(buf);
		h_signal(n, sigs[i]);
	}
	calc_results(&r, 3 * BATCH, 20000);
	CHECK(h_wait(n, 0) == -1, "the node exited, status %d", n->status);
	EXPECT_ERR(n, "kaipeer: kaipeer 0.1.0, up ");
	CHECK(strstr(n->line, " commands in flight, ") != NULL ||
	    strstr(n->line, " command in flight, ") != NULL,
	    "status line \"%s\"", n->line);
	EXPECT(n, "Config reloaded from ");
	h_raw_close(&r);
}
END_TEST

/*
 * SIGHUP with a changed config (_i == 0): a new alias works, a peer added
 * is dialled, one removed is said goodbye to, and the link with another
 * peer stays.  With a broken config (_i == 1): refused with its position,
 * and the config in force stays.
 */
START_TEST(test_sighup_reload)
{
	int pn = free_port(), px = free_port(), py = free_port();
	int pz = free_port();
	struct h_proc *n, *x, *z;
	const char *cfg;

	z = node("removed", pz, 0, "");
	node("added", py, 0, "");
	cfg = config("{'listenPort': %d, 'interactive': true, "
	    "'commands': {'add': 'calc 1+2'}, %s}", pn, peers_of(pz));
	n = run("node", "./kaipeer", NULL, cfg);
	EXPECT(n, "Type 'help' for available commands");
	linked(n, pn, z, pz);
	x = node("kept", px, 0, peers_of(pn));
	linked(x, px, n, pn);
	SEND(n, "mul");
	EXPECT_NEXT(n, "Unknown command: mul");
	if (_i == 0) {
		rewrite(cfg, "{'listenPort': %d, 'interactive': true, "
		    "'commands': {'add': 'calc 1+2', 'mul': 'calc 6*7'}, %s}",
		    pn, peers_of(py));
		h_signal(n, SIGHUP);
		EXPECT_EXACT(n, S("Config reloaded from %s", cfg));
		SEND(n, "mul");
		EXPECT_EXACT(n, "Result: 42");
		expect_line_somewhere(n, S("Connected to peer: 127.0.0.1:%d",
		    py), H_WAIT);
		EXPECT_EXACT(z, S("Peer disconnected: 127.0.0.1:%d", pn));
		remote_sum(n, S("127.0.0.1:%d", py), py, 1, 1);
	} else {
		rewrite(cfg, "{'listenPort': %d,\n 'commands': {'add': }}", pn);
		h_signal(n, SIGHUP);
		EXPECT_EXACT_ON(n, H_ERR, S("%s:2:22: unexpected character '}'",
		    cfg), H_WAIT);
		EXPECT_EXACT_ON(n, H_ERR, S("kaipeer: %s not reloaded; the "
		    "config in force stays", cfg), H_WAIT);
		CHECK(h_count(n, H_OUT, 0, "Config reloaded") == 0,
		    "a broken config was reloaded");
		remote_sum(n, S("127.0.0.1:%d", pz), pz, 1, 1);
	}
	SEND(n, "add");
	EXPECT_EXACT(n, "Result: 3");
	remote_sum(n, S("127.0.0.1:%d", px), px, 2, 2);
	CHECK(h_count(n, H_OUT, 0, S("Peer disconnected: 127.0.0.1:%d", px))
	    == 0 && h_count(n, H_OUT, 0, "Connection lost") == 0,
	    "a link was dropped");
	CHECK(h_wait(n, 0) == -1, "the node exited, status %d", n->status);
}
END_TEST

/* SIGQUIT ends the node cleanly: exit 0, and its peer hears goodbye. */
START_TEST(test_sigquit)
{
	int port1 = free_port(), port2 = free_port();
	struct h_proc *p1, *p2;

	p1 = node("peer1", port1, 0, "");
	p2 = node("peer2", port2, 0, peers_of(port1));
	linked(p2, port2, p1, port1);
	h_signal(p2, SIGQUIT);
	EXPECT_EXIT(p2, 0, H_WAIT);
	EXPECT_EXACT(p1, S("Peer disconnected: 127.0.0.1:%d", port2));
	CHECK(h_count(p1, H_OUT, 0, "Connection lost") == 0,
	    "a clean exit was seen as a lost connection");
}
END_TEST

/* ====================================================================== */
/* examples/ask, the library client                                       */

/* Two nodes answer (_i == 0), or one cannot be reached (_i == 1). */
START_TEST(test_ask)
{
	int pa = free_port(), pb = free_port();
	const char *args[4];
	struct h_proc *p;

	CHECK(access("examples/ask", X_OK) == 0, "no examples/ask: run make "
	    "examples/ask first");
	node("A", pa, 0, "'commands': {'add': 'calc 1+2'}");
	if (_i == 0)
		node("B", pb, 0, "'commands': {'add': 'calc 2+2'}");
	args[0] = "add";
	args[1] = S("127.0.0.1:%d", pa);
	args[2] = S("127.0.0.1:%d", pb);
	args[3] = NULL;
	p = run("ask", "examples/ask", args, NULL);
	expect_line_somewhere(p, S("127.0.0.1:%d: 3", pa), H_WAIT);
	if (_i == 0)
		expect_line_somewhere(p, S("127.0.0.1:%d: 4", pb), H_WAIT);
	else
		expect_somewhere(p, S("127.0.0.1:%d: Error: ", pb), H_WAIT);
	EXPECT_EXIT(p, _i == 0 ? 0 : 1, H_WAIT);
	CHECK(h_count(p, H_OUT, 0, "") == 2, "not one line per node");
}
END_TEST

/* ====================================================================== */


static Suite *
defects_suite(void)
{
	Suite *s = suite_create("defects");
	TCase *tc;

	/* One case per defect, named by the number: CK_RUN_CASE
	 * picks one ("CK_RUN_CASE='defect 4' ./tests/check_defects"). */
	tc = suite_case(s, "defect 1", TCASE_TIMEOUT);
	tcase_add_test(tc, test_closing_slots);
	tc = suite_case(s, "defect 2", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_unread_output, 0, 2);
	tc = suite_case(s, "defect 3", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_stopped_peer, 0, 2);
	tc = suite_case(s, "defect 4", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_crossed_dials, 0, 10);
	tc = suite_case(s, "defect 5", TCASE_TIMEOUT);
	tcase_add_test(tc, test_many_strangers);
	tc = suite_case(s, "defect 6", TCASE_TIMEOUT);
	tcase_add_test(tc, test_big_results);
	tc = suite_case(s, "defect 7", TCASE_TIMEOUT);
	tcase_add_test(tc, test_hello_max_frame);
	tcase_add_test(tc, test_result_too_large);
	tc = suite_case(s, "defect 10", TCASE_TIMEOUT);
	tcase_add_test(tc, test_not_kaipeer);
	tc = suite_case(s, "defect 11", TCASE_TIMEOUT);
	tcase_add_test(tc, test_connect_ipv6);
	tcase_add_test(tc, test_config_host_port);
	tcase_add_test(tc, test_connect_host_port);
	tcase_add_test(tc, test_connect_by_name);
	tc = suite_case(s, "defect 12", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_heartbeat_order, 0,
	    NELEM(heartbeat_configs));
	tc = suite_case(s, "defect 13", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_oneshot_connect, 0, 2);
	tc = suite_case(s, "defect 15", TCASE_TIMEOUT);
	tcase_add_test(tc, test_ambiguous_name);
	tcase_add_test(tc, test_ambiguous_order);
	tc = suite_case(s, "defect 17", TCASE_TIMEOUT);
	tcase_add_test(tc, test_no_std_fds);
	tc = suite_case(s, "defect 18", TCASE_TIMEOUT);
	tcase_add_test(tc, test_refused_when_full);
	tcase_add_test(tc, test_stranger_takes_over);
	tc = suite_case(s, "defect 19", TCASE_TIMEOUT);
	tcase_add_test(tc, test_burst_while_stopped);
	tc = suite_case(s, "defect 21", TCASE_TIMEOUT);
	tcase_add_test(tc, test_name_like_address);
	tc = suite_case(s, "defect 22", TCASE_TIMEOUT);
	tcase_add_test(tc, test_escaped_error);
	tcase_add_test(tc, test_escaped_refusal);
	tc = suite_case(s, "defect 23", TCASE_TIMEOUT);
	tcase_add_test(tc, test_signals_in_flight);
	tcase_add_loop_test(tc, test_sighup_reload, 0, 2);
	tcase_add_test(tc, test_sigquit);
	tc = suite_case(s, "ask", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_ask, 0, 2);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(defects_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
