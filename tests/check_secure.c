/*
 * check_secure: the security of links, driven through real kaipeer
 * processes (KAIPEER_BIN, else ./kaipeer) with keys made by the binary
 * itself (--genkey into temporary files the harness removes).
 *
 * What it covers:
 *   - secured nodes that trust each other run commands both ways, with
 *     Noise_XX and with a psk (Noise_XXpsk3); key files named relative to
 *     the config file's directory;
 *   - refusals, each side with its own line naming what was refused: a
 *     key that is not trusted (on the acceptor, or on the dialler), a key
 *     that is not the one pinned for a peer, a wrong psk, a psk on one
 *     side only, a secured node and an insecure one; a refused dialler
 *     redials with a backoff, not in a tight loop; a pinned key needs no
 *     "trusted" entry, on either side;
 *   - the sealed frames themselves, through a proxy written here (the
 *     test binary run again as "--proxy"): one byte flipped, a frame
 *     replayed, two frames swapped, a frame cut short (then more frames,
 *     or the end of the connection), each way; the node reading it says
 *     so and drops the link, and goes on serving a third node connected
 *     to it directly.  The proxy's capture of a whole secured session
 *     holds none of the commands, aliases or results, while that of the
 *     same session between insecure nodes holds them all;
 *   - "allow" (after alias expansion), "rateLimit" (one result line per
 *     command, never silence), the limit on handshakes from one address;
 *   - a secured network of nodes: each hop of a relayed command
 *     authorizes the one before it, and a node discovers only the peers
 *     whose keys it trusts, dialling them with the key it was told of;
 *   - --genkey and --pubkey; protected mode ("identity" absent: loopback
 *     only, and "exec" refused beyond loopback), checked on a
 *     non-loopback address of this machine when it has one.
 *
 * Run from the top of the repository:
 *	make tests/kaipeer-asan tests/check_secure
 *	KAIPEER_BIN=tests/kaipeer-asan ./tests/check_secure
 * Every test forks, starts its own nodes on ports from free_port(), waits
 * with a bound, and a failure prints every process's output so far (the
 * proxy's too: it logs what it did to which frame).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"
#include "proto.h"
#include "suite.h"

#define TCASE_TIMEOUT	40	/* seconds, per test */
#define KEY_B64		44	/* a key in base64 */
#define NTH		2	/* the sealed frame the proxy tampers with */
#define REDIAL_MS	3000	/* how long refusals are counted */
#define MAX_REDIALS	8	/* at most this many in REDIAL_MS */
#define CROWD		15	/* connections at once, for the handshake limit */
#define BURST		4	/* commands at once through the proxy */
#define QUIET_LINK	"'heartbeatInterval': 30, 'heartbeatTimeout': 60"

#define AUTH_FAILED	"a sealed record failed authentication (altered, " \
			"replayed, reordered or cut short)"

static char self[PATH_MAX];	/* this program, run again as the proxy */

/* --- keys ---------------------------------------------------------------- */

struct key {
	const char	*path;		/* in TMPDIR, removed by h_cleanup() */
	const char	*base;		/* its last component */
	char		 pub[KEY_B64 + 1];
};

/* A fresh temporary path, for a file that does not exist yet. */
static const char *
new_path(void)
{
	const char *path = h_file("%s", "");

	CHECK(path != NULL, "cannot make a temporary file");
	CHECK(unlink(path) == 0, "unlink %s: %s", path, strerror(errno));
	return path;
}

/* Is s a key in base64: 43 characters of the alphabet, then '='? */
static int
is_b64_key(const char *s)
{
	int i;

	if (strlen(s) != KEY_B64 || s[KEY_B64 - 1] != '=')
		return 0;
	for (i = 0; i < KEY_B64 - 1; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

/* kaipeer --genkey into a new temporary file: its public key in k. */
static void
genkey(struct key *k)
{
	const char *args[3];
	struct h_proc *p;
	const char *l;

	k->path = new_path();
	k->base = strrchr(k->path, '/') + 1;
	args[0] = "--genkey";
	args[1] = k->path;
	args[2] = NULL;
	p = run("genkey", "./kaipeer", args, NULL);
	EXPECT_EXIT(p, 0, H_WAIT);
	l = h_line(p, H_OUT, 0);
	CHECK(l != NULL && is_b64_key(l), "--genkey printed \"%s\", not a "
	    "public key", l != NULL ? l : "(nothing)");
	memcpy(k->pub, l, KEY_B64 + 1);
}

/* A "trusted" entry for k, named name, with more members (or ""). */
static const char *
trust(const struct key *k, const char *name, const char *more)
{
	return S("{'key': '%s', 'name': '%s'%s%s}", k->pub, name,
	    more[0] != '\0' ? ", " : "", more);
}

/* --- nodes ----------------------------------------------------------------- */

/*
 * An interactive secured node on port with identity id (and psk, if not
 * NULL), key files named as given, more members (JSON, ' for ") after
 * them; once it has announced its key, listens and reads its console.
 */
static struct h_proc *
snode_named(const char *name, int port, const char *id_file,
    const struct key *id, const char *psk_file, const char *more)
{
	struct h_proc *p;

	p = run(name, "./kaipeer", NULL, config("{'listenPort': %d, "
	    "'interactive': true, 'identity': '%s'%s%s%s}", port, id_file,
	    psk_file != NULL ? S(", 'psk': '%s'", psk_file) : "",
	    more[0] != '\0' ? ", " : "", more));
	EXPECT_EXACT(p, S("Secured with Noise_XX%s_25519_ChaChaPoly_SHA256, "
	    "public key %s", psk_file != NULL ? "psk3" : "", id->pub));
	EXPECT_EXACT(p, S("Listening for connections on port %d", port));
	EXPECT(p, "Type 'help' for available commands");
	return p;
}

static struct h_proc *
snode(const char *name, int port, const struct key *id,
    const struct key *psk, const char *more)
{
	return snode_named(name, port, id->path, id, psk != NULL ? psk->path :
	    NULL, more);
}

/* "'peers': [...]" listing 127.0.0.1:a and 127.0.0.1:b. */
static const char *
two_peers(int a, int b)
{
	return S("'peers': [{'host': '127.0.0.1', 'port': %d}, "
	    "{'host': '127.0.0.1', 'port': %d}]", a, b);
}

/* The result line of command on the peer at 127.0.0.1:port. */
static const char *
result_line(int port, const char *command, const char *text)
{
	return S("Result from 127.0.0.1:%d for command '%s': %s", port,
	    command, text);
}

/* At p's console: "@sel command" gets exactly text from port. */
static void
ask(struct h_proc *p, const char *sel, int port, const char *command,
    const char *text)
{
	SEND(p, S("@%s %s", sel, command));
	EXPECT_EXACT(p, result_line(port, command, text));
}

/*
 * The next line of stream s containing suffix must be exactly prefix, a
 * port number, and suffix: as "Refused peer 127.0.0.1:" "40312" ": key
 * ... is not trusted", where the port is that of the connection.
 */
static void
expect_port_line(struct h_proc *p, enum h_stream s, const char *prefix,
    const char *suffix)
{
	const char *l;

	if (s == H_ERR)
		prefix = err_text(prefix);
	l = h_expect(p, s, suffix, H_WAIT);
	size_t pl = strlen(prefix), sl = strlen(suffix), n, i;
	int ok;

	ok = l != NULL && strlen(l) > pl + sl && strncmp(l, prefix, pl) == 0 &&
	    strcmp(l + strlen(l) - sl, suffix) == 0;
	n = ok ? strlen(l) - pl - sl : 0;
	for (i = 0; ok && i < n; i++)
		ok = l[pl + i] >= '0' && l[pl + i] <= '9';
	CHECK(ok && n >= 1 && n <= 5, "%s: expected a %s line \"%s<port>%s\", "
	    "got \"%s\"", p->name, s == H_OUT ? "stdout" : "stderr", prefix,
	    suffix, l != NULL ? l : "(none)");
}

/* Pump the children's output for ms. */
static void
pump_for(int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end)
		h_pump((int)(end - now_ms()));
}

/*
 * Over REDIAL_MS, the lines of p's stream s containing text, from now on:
 * at least 1 (the dialler does redial), at most MAX_REDIALS (with a
 * backoff, not in a tight loop).
 */
static void
few_redials(struct h_proc *p, enum h_stream s, const char *text)
{
	size_t mark;
	int n;

	h_pump(0);
	mark = h_mark(p, s);
	pump_for(REDIAL_MS);
	n = h_count(p, s, mark, text);
	CHECK(n >= 1 && n <= MAX_REDIALS, "%s: %d lines with \"%s\" in %d ms: "
	    "expected 1 to %d (a redial with a backoff)", p->name, n, text,
	    REDIAL_MS, MAX_REDIALS);
}

/* --- the proxy ------------------------------------------------------------- */

/*
 * The proxy runs in a process of its own: this program again, with
 * "--proxy", started by run() so that the harness reaps it and shows its
 * output.  It accepts on 127.0.0.1:lport, connects each connection to
 * 127.0.0.1:tport, and forwards whole frames each way, appending every
 * byte it forwards to a capture file.  On the first connection only, it
 * does its mutation to the NTH sealed frame (type byte 10) going one way:
 * from the dialler (to the acceptor) or from the acceptor.
 */
enum mutation {
	MUT_NONE,
	MUT_FLIP,		/* one byte of the ciphertext flipped */
	MUT_REPLAY,		/* sent twice */
	MUT_REORDER,		/* sent after the next one */
	MUT_CUT,		/* half of it, then the next frames */
	MUT_CUT_CLOSE		/* half of it, then the end */
};

static const char *const mutation_names[] = {
	"none", "flip", "replay", "reorder", "cut", "cutclose"
};

enum { FROM_DIALLER, FROM_ACCEPTOR };

struct way {
	int		 from, to;
	unsigned char	*buf;
	size_t		 len, cap;
	unsigned	 sealed;	/* sealed frames seen */
	unsigned char	*held;		/* MUT_REORDER: the frame held */
	size_t		 heldlen;
};

static struct {
	enum mutation	 mut;
	int		 way;		/* which way is tampered with */
	unsigned	 nth;
	int		 armed;		/* not done yet */
	int		 capture;	/* fd */
} px;

static int
write_all(int fd, const unsigned char *b, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Forward n bytes one way, and capture them. */
static int
emit(struct way *w, const unsigned char *b, size_t n)
{
	(void)write_all(px.capture, b, n);
	return write_all(w->to, b, n);
}

static void
say(const char *what, int way, unsigned nth, size_t size)
{
	printf("proxy: %s sealed frame %u from the %s (%lu bytes)\n", what,
	    nth, way == FROM_DIALLER ? "dialler" : "acceptor",
	    (unsigned long)size);
	fflush(stdout);
}

/* One whole frame going way i: forward it, or tamper with it. */
static int
on_frame(struct way *w, int i, const unsigned char *f, size_t size)
{
	unsigned char *copy;
	int rc;

	if (!px.armed || i != px.way || size < PROTO_HEADER + 1 ||
	    f[4] != PROTO_SEALED)
		return emit(w, f, size);
	w->sealed++;
	if (w->held != NULL) {		/* MUT_REORDER: N+1, then N */
		rc = emit(w, f, size) == 0 && emit(w, w->held, w->heldlen) ==
		    0 ? 0 : -1;
		say("sent after the next one the", i, px.nth, w->heldlen);
		free(w->held);
		w->held = NULL;
		px.armed = 0;
		return rc;
	}
	if (w->sealed != px.nth)
		return emit(w, f, size);
	px.armed = 0;
	switch (px.mut) {
	case MUT_FLIP:
		if ((copy = malloc(size)) == NULL)
			return -1;
		memcpy(copy, f, size);
		copy[PROTO_HEADER + (size - PROTO_HEADER) / 2] ^= 0x20;
		say("flipped a byte of", i, px.nth, size);
		rc = emit(w, copy, size);
		free(copy);
		return rc;
	case MUT_REPLAY:
		say("replayed", i, px.nth, size);
		return emit(w, f, size) == 0 ? emit(w, f, size) : -1;
	case MUT_REORDER:
		if ((w->held = malloc(size)) == NULL)
			return -1;
		memcpy(w->held, f, size);
		w->heldlen = size;
		px.armed = 1;
		say("held back", i, px.nth, size);
		return 0;
	case MUT_CUT:
		say("cut short (half sent)", i, px.nth, size);
		return emit(w, f, size / 2);
	case MUT_CUT_CLOSE:
		say("cut short (half sent, then closed)", i, px.nth, size);
		(void)emit(w, f, size / 2);
		return -1;
	case MUT_NONE:
		break;
	}
	return emit(w, f, size);
}

/* Forward between a (the dialler) and b (the acceptor) until one ends. */
static void
relay(int a, int b)
{
	struct way ways[2];
	struct pollfd pfd[2];
	unsigned char tmp[65536], *nb;
	uint32_t len;
	ssize_t n;
	int i, done = 0;

	memset(ways, 0, sizeof(ways));
	ways[FROM_DIALLER].from = ways[FROM_ACCEPTOR].to = a;
	ways[FROM_DIALLER].to = ways[FROM_ACCEPTOR].from = b;
	while (!done) {
		for (i = 0; i < 2; i++) {
			pfd[i].fd = ways[i].from;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2 && !done; i++) {
			struct way *w = &ways[i];

			if (pfd[i].revents == 0)
				continue;
			n = read(w->from, tmp, sizeof(tmp));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				done = 1;
				break;
			}
			if (w->cap - w->len < (size_t)n) {
				nb = realloc(w->buf, w->len + (size_t)n +
				    65536);
				if (nb == NULL) {
					done = 1;
					break;
				}
				w->buf = nb;
				w->cap = w->len + (size_t)n + 65536;
			}
			memcpy(w->buf + w->len, tmp, (size_t)n);
			w->len += (size_t)n;
			while (w->len >= 4 && !done) {
				len = (uint32_t)w->buf[0] << 24 |
				    (uint32_t)w->buf[1] << 16 |
				    (uint32_t)w->buf[2] << 8 | w->buf[3];
				if (w->len < 4 + (size_t)len)
					break;
				if (on_frame(w, i, w->buf, 4 + (size_t)len)
				    == -1)
					done = 1;
				w->len -= 4 + (size_t)len;
				memmove(w->buf, w->buf + 4 + len, w->len);
			}
		}
	}
	for (i = 0; i < 2; i++) {
		if (ways[i].held != NULL) {
			printf("proxy: the connection ended with a frame "
			    "held back\n");
			fflush(stdout);
		}
		free(ways[i].held);
		free(ways[i].buf);
	}
	close(a);
	close(b);
	printf("proxy: connection closed\n");
	fflush(stdout);
}

static int
tcp_to(int port)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* argv: --proxy lport tport way nth mutation capture */
static int
proxy_main(int argc, char **argv)
{
	struct sockaddr_in sin;
	int ls, a, b, one = 1, lport, tport, i;

	if (argc != 8)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	lport = atoi(argv[2]);
	tport = atoi(argv[3]);
	px.way = atoi(argv[4]);
	px.nth = (unsigned)atoi(argv[5]);
	px.mut = MUT_NONE;
	for (i = 0; i < (int)NELEM(mutation_names); i++)
		if (strcmp(argv[6], mutation_names[i]) == 0)
			px.mut = (enum mutation)i;
	px.armed = px.mut != MUT_NONE;
	if ((px.capture = open(argv[7], O_WRONLY | O_APPEND | O_CREAT,
	    0600)) == -1) {
		perror(argv[7]);
		return 1;
	}
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 1;
	(void)setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)lport);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(ls, 8) == -1) {
		perror("proxy: listen");
		return 1;
	}
	printf("proxy: listening on %d\n", lport);
	fflush(stdout);
	for (;;) {
		if ((a = accept(ls, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return 1;
		}
		if ((b = tcp_to(tport)) == -1) {
			printf("proxy: cannot connect to %d\n", tport);
			fflush(stdout);
			close(a);
			continue;
		}
		printf("proxy: connection\n");
		fflush(stdout);
		relay(a, b);
	}
}

/* A proxy from lport to tport, doing mut to the way's NTH sealed frame. */
static struct h_proc *
proxy(int lport, int tport, int way, enum mutation mut, const char *capture)
{
	const char *args[7];
	struct h_proc *p;

	args[0] = "--proxy";
	args[1] = S("%d", lport);
	args[2] = S("%d", tport);
	args[3] = S("%d", way);
	args[4] = S("%d", NTH);
	args[5] = mutation_names[mut];
	args[6] = NULL;
	p = run("proxy", self, args, capture);
	EXPECT_EXACT(p, S("proxy: listening on %d", lport));
	return p;
}

/* b, listening on pb, dialled a through the proxy on px: both say so. */
static void
via_proxy(struct h_proc *b, int pb, struct h_proc *a, int px)
{
	EXPECT_EXACT(b, S("Connected to peer: 127.0.0.1:%d", px));
	EXPECT_EXACT(a, S("Peer connected from 127.0.0.1:%d", pb));
}

/* ======================================================================== */
/* Trusted peers                                                             */

/*
 * a and b trust each other; b dials a; commands run both ways, an alias
 * is expanded by a.  Key files are named relative to the config file
 * (which is in the same directory).  _i: 1 with a psk.
 */
START_TEST(test_trusted)
{
	int pa = free_port(), pb = free_port();
	struct key ka, kb, psk;
	struct h_proc *a, *b;

	genkey(&ka);
	genkey(&kb);
	genkey(&psk);
	a = snode_named("a", pa, ka.base, &ka, _i ? psk.base : NULL,
	    S("'trusted': [%s], 'commands': {'add': 'calc 1+2'}",
	    trust(&kb, "b", "")));
	b = snode_named("b", pb, kb.base, &kb, _i ? psk.base : NULL,
	    S("'trusted': [%s], %s", trust(&ka, "a", ""), peers_of(pa)));
	linked(b, pb, a, pa);
	ask(b, "0", pa, "calc 1+2", "3");
	ask(b, "0", pa, "add", "3");
	ask(a, "0", pb, "calc 2*3", "6");
	ask(b, "0", pa, "calc 12345+67890", "80235");
	CHECK(h_count(a, H_ERR, 0, "") == 0 && h_count(b, H_ERR, 0, "") == 0,
	    "a clean session wrote to stderr");
}
END_TEST

/* ======================================================================== */
/* Refusals                                                                  */

/*
 * A key that is not trusted, refused by the acceptor (_i 0) or by the
 * dialler (_i 1); each side names the key; the dialler redials with a
 * backoff, not in a tight loop.  b dials a.
 */
START_TEST(test_untrusted)
{
	int pa = free_port(), pb = free_port();
	struct key ka, kb, kc;
	struct h_proc *a, *b;
	const char *why;

	genkey(&ka);
	genkey(&kb);
	genkey(&kc);
	a = snode("a", pa, &ka, NULL, S("'trusted': [%s]",
	    trust(_i == 0 ? &kc : &kb, "x", "")));
	b = snode("b", pb, &kb, NULL, S("'trusted': [%s], %s",
	    trust(_i == 0 ? &ka : &kc, "x", ""), peers_of(pa)));
	if (_i == 0) {
		why = S("key %s is not trusted", kb.pub);
		expect_port_line(a, H_ERR, "Refused peer 127.0.0.1:",
		    S(": %s", why));
		EXPECT_EXACT_ON(b, H_ERR, S("Failed to connect to 127.0.0.1:%d: "
		    "refused by peer: %s", pa, why), H_WAIT);
		few_redials(a, H_ERR, S("Refused peer 127.0.0.1:"));
	} else {
		why = S("key %s is not trusted", ka.pub);
		EXPECT_EXACT_ON(b, H_ERR, S("Failed to connect to 127.0.0.1:%d: "
		    "refused: %s", pa, why), H_WAIT);
		expect_port_line(a, H_ERR, "Error from 127.0.0.1:",
		    S(": %s (code 11)", why));
		few_redials(a, H_ERR, S("%s (code 11)", why));
	}
	CHECK(h_count(a, H_OUT, 0, "Peer connected") == 0 &&
	    h_count(b, H_OUT, 0, "Connected to peer") == 0,
	    "a refused link was reported as up");
}
END_TEST

/*
 * b pins a key for a.  _i 0: the wrong key (c's), so b refuses a and a
 * hears why.  _i 1: a's key, b has no "trusted" at all, a trusts b: it
 * works.  _i 2: each pins the other (a lists b as a peer too), neither
 * has "trusted": the pinned key lets b in when it dials a.
 */
START_TEST(test_pinned)
{
	int pa = free_port(), pb = free_port();
	struct key ka, kb, kc;
	struct h_proc *a, *b;
	const char *why;

	genkey(&ka);
	genkey(&kb);
	genkey(&kc);
	if (_i < 2)
		a = snode("a", pa, &ka, NULL, S("'trusted': [%s]",
		    trust(&kb, "b", "")));
	else
		a = snode("a", pa, &ka, NULL, S("'peers': [{'host': "
		    "'127.0.0.1', 'port': %d, 'key': '%s'}]", pb, kb.pub));
	b = snode("b", pb, &kb, NULL, S("'peers': [{'host': '127.0.0.1', "
	    "'port': %d, 'key': '%s'}]", pa, _i == 0 ? kc.pub : ka.pub));
	if (_i == 0) {
		why = S("key %s is not the key pinned for 127.0.0.1:%d (%s)",
		    ka.pub, pa, kc.pub);
		EXPECT_EXACT_ON(b, H_ERR, S("Failed to connect to 127.0.0.1:%d: "
		    "refused: %s", pa, why), H_WAIT);
		expect_port_line(a, H_ERR, "Error from 127.0.0.1:",
		    S(": %s (code 11)", why));
		CHECK(h_count(b, H_OUT, 0, "Connected to peer") == 0,
		    "b reported a link to a key it refused");
		return;
	}
	EXPECT_EXACT(b, S("Connected to peer: 127.0.0.1:%d", pa));
	if (_i == 1)
		EXPECT_EXACT(a, S("Peer connected from 127.0.0.1:%d", pb));
	ask(b, "0", pa, "calc 1+2", "3");
	ask(a, S("127.0.0.1:%d", pb), pb, "calc 2*3", "6");
	CHECK(h_count(a, H_ERR, 0, "not trusted") == 0 &&
	    h_count(b, H_ERR, 0, "not trusted") == 0 &&
	    h_count(b, H_ERR, 0, "pinned") == 0, "a pinned key was refused");
}
END_TEST

/*
 * _i 0: both have a psk, different ones: the handshake fails on both
 * sides.  _i 1: only the acceptor has one, _i 2: only the dialler: both
 * refuse at the HELLO, each saying who lacks the "psk".
 */
START_TEST(test_psk)
{
	int pa = free_port(), pb = free_port();
	struct key ka, kb, p1, p2;
	struct h_proc *a, *b;
	static const char *const fail = "Noise handshake failed: a wrong "
	    "psk, or an altered message";
	static const char *const has = "it has a \"psk\", and this node has "
	    "none";
	static const char *const lacks = "it has no \"psk\", and this "
	    "network needs one";

	genkey(&ka);
	genkey(&kb);
	genkey(&p1);
	genkey(&p2);
	a = snode("a", pa, &ka, _i == 2 ? NULL : &p1, S("'trusted': [%s]",
	    trust(&kb, "b", "")));
	b = snode("b", pb, &kb, _i == 1 ? NULL : _i == 0 ? &p2 : &p1,
	    S("'trusted': [%s], %s", trust(&ka, "a", ""), peers_of(pa)));
	switch (_i) {
	case 0:
		expect_port_line(a, H_ERR, "Protocol error from 127.0.0.1:",
		    S(": %s", fail));
		EXPECT_EXACT_ON(b, H_ERR, S("Error from 127.0.0.1:%d: %s "
		    "(code 12)", pa, fail), H_WAIT);
		break;
	case 1:
		expect_port_line(a, H_ERR, "Refused peer 127.0.0.1:",
		    S(": %s", lacks));
		EXPECT_EXACT_ON(b, H_ERR, S("Failed to connect to 127.0.0.1:%d: "
		    "refused: %s", pa, has), H_WAIT);
		break;
	default:
		expect_port_line(a, H_ERR, "Refused peer 127.0.0.1:",
		    S(": %s", has));
		EXPECT_EXACT_ON(b, H_ERR, S("Failed to connect to 127.0.0.1:%d: "
		    "refused: %s", pa, lacks), H_WAIT);
		break;
	}
	CHECK(h_count(a, H_OUT, 0, "Peer connected") == 0 &&
	    h_count(b, H_OUT, 0, "Connected to peer") == 0,
	    "a refused link was reported as up");
}
END_TEST

/*
 * A secured node and an insecure one refuse each other, each with its
 * line.  _i 0: the secured one dials; _i 1: the insecure one dials.
 */
START_TEST(test_mixed)
{
	int pa = free_port(), pb = free_port();
	static const char *const plain = "it is not secured (no \"identity\"), "
	    "and this node accepts secured peers only";
	static const char *const secured = "it is secured, and this node has "
	    "no \"identity\": set one to talk to it";
	struct h_proc *a, *b;
	struct key k, other;

	genkey(&k);
	genkey(&other);
	if (_i == 0) {
		a = node("a", pa, 1, "");
		b = snode("b", pb, &k, NULL, S("'trusted': [%s], %s",
		    trust(&other, "x", ""), peers_of(pa)));
		expect_port_line(a, H_ERR, "Refused peer 127.0.0.1:",
		    S(": %s", secured));
		EXPECT_EXACT_ON(b, H_ERR, S("Failed to connect to 127.0.0.1:%d: "
		    "refused: %s", pa, plain), H_WAIT);
	} else {
		a = snode("a", pa, &k, NULL, S("'trusted': [%s]",
		    trust(&other, "x", "")));
		b = node("b", pb, 1, peers_of(pa));
		expect_port_line(a, H_ERR, "Refused peer 127.0.0.1:",
		    S(": %s", plain));
		EXPECT_EXACT_ON(b, H_ERR, S("Failed to connect to 127.0.0.1:%d: "
		    "refused: %s", pa, secured), H_WAIT);
	}
	CHECK(h_count(a, H_OUT, 0, "Peer connected") == 0 &&
	    h_count(b, H_OUT, 0, "Connected to peer") == 0,
	    "a refused link was reported as up");
}
END_TEST

/* ======================================================================== */
/* Sealed frames on the wire                                                 */

struct tamper_case {
	enum mutation	 mut;
	int		 way;
};

static const struct tamper_case tamper_cases[] = {
	{ MUT_FLIP, FROM_DIALLER },
	{ MUT_FLIP, FROM_ACCEPTOR },
	{ MUT_REPLAY, FROM_DIALLER },
	{ MUT_REPLAY, FROM_ACCEPTOR },
	{ MUT_REORDER, FROM_DIALLER },
	{ MUT_REORDER, FROM_ACCEPTOR },
	{ MUT_CUT, FROM_DIALLER },
	{ MUT_CUT, FROM_ACCEPTOR },
	{ MUT_CUT_CLOSE, FROM_DIALLER },
	{ MUT_CUT_CLOSE, FROM_ACCEPTOR },
};

/* Wait until p's stdout has whole lines x and y, in any order. */
static void
lines_seen(struct h_proc *p, const char *x, const char *y)
{
	long long end = now_ms() + H_WAIT;
	char lx[256], ly[256];

	snprintf(lx, sizeof(lx), "%s\n", x);
	snprintf(ly, sizeof(ly), "%s\n", y);
	while ((h_count(p, H_OUT, 0, x) == 0 || h_count(p, H_OUT, 0, y) == 0)
	    && now_ms() < end)
		h_pump(20);
	h_pump(0);
	CHECK(p->out[H_OUT].buf != NULL && strstr(p->out[H_OUT].buf, lx) !=
	    NULL && strstr(p->out[H_OUT].buf, ly) != NULL, "%s: expected the "
	    "lines \"%s\" and \"%s\"", p->name, x, y);
}

/* Wait until a line of p's stream s from mark on contains text. */
static void
seen(struct h_proc *p, enum h_stream s, size_t mark, const char *text)
{
	long long end = now_ms() + H_WAIT;

	while (h_count(p, s, mark, text) == 0 && now_ms() < end)
		h_pump(20);
	CHECK(h_count(p, s, mark, text) > 0, "%s printed no %s line "
	    "containing \"%s\" within %d ms", p->name, s == H_OUT ?
	    "stdout" : "stderr", text, H_WAIT);
}

/* Wait until p has a stdout line with out or a stderr line with err. */
static void
either_line(struct h_proc *p, size_t mo, const char *out, size_t me,
    const char *err)
{
	long long end = now_ms() + H_WAIT;

	while (h_count(p, H_OUT, mo, out) == 0 &&
	    h_count(p, H_ERR, me, err) == 0 && now_ms() < end)
		h_pump(20);
	CHECK(h_count(p, H_OUT, mo, out) > 0 || h_count(p, H_ERR, me, err) > 0,
	    "%s printed neither \"%s\" nor (stderr) \"%s\"", p->name, out,
	    err);
}

/*
 * b dials a through the proxy (port px), which tampers with one sealed
 * frame; c is connected to both directly.  Commands go both ways until
 * the node reading the bad frame says so; then c still gets results
 * from both.
 */
/*
 * Command k of b (through the proxy at px) got its one answer: a result
 * line, or, sent while the link was down, "is not connected".
 */
static void
one_answer(struct h_proc *b, size_t mb, int px, int k)
{
	const char *res = S("Result from 127.0.0.1:%d for command "
	    "'calc %d+%d': ", px, k, k);
	const char *down = S("Peer 0 (127.0.0.1:%d) is not connected", px);
	long long end = now_ms() + H_WAIT;

	while (h_count(b, H_OUT, mb, res) == 0 && now_ms() < end &&
	    h_count(b, H_OUT, mb, down) + h_count(b, H_OUT, mb, res) < 1)
		h_pump(20);
	CHECK(h_count(b, H_OUT, mb, res) == 1 || h_count(b, H_OUT, mb,
	    down) >= 1, "command %d of b got no answer", k);
}

START_TEST(test_tamper)
{
	const struct tamper_case *t = &tamper_cases[_i];
	int pa = free_port(), pb = free_port(), pc = free_port();
	int px = free_port(), k;
	struct h_proc *a, *b, *c, *reader, *prx;
	struct key ka, kb, kc;
	const char *burst;
	size_t mo, me, ma, mb;
	long long until;
	int rport;

	genkey(&ka);
	genkey(&kb);
	genkey(&kc);
	/* No heartbeat: the frames counted are those the test makes. */
	a = snode("a", pa, &ka, NULL, S("'trusted': [%s, %s], %s",
	    trust(&kb, "b", ""), trust(&kc, "c", ""), QUIET_LINK));
	prx = proxy(px, pa, t->way, t->mut, new_path());
	b = snode("b", pb, &kb, NULL, S("'trusted': [%s, %s], %s, %s",
	    trust(&ka, "a", ""), trust(&kc, "c", ""), peers_of(px),
	    QUIET_LINK));
	via_proxy(b, pb, a, px);
	c = snode("c", pc, &kc, NULL, S("'trusted': [%s, %s], %s",
	    trust(&ka, "a", ""), trust(&kb, "b", ""), two_peers(pa, pb)));
	lines_seen(c, S("Connected to peer: 127.0.0.1:%d", pa),
	    S("Connected to peer: 127.0.0.1:%d", pb));

	reader = t->way == FROM_DIALLER ? a : b;
	rport = t->way == FROM_DIALLER ? pb : px;	/* the writer, as seen */
	h_pump(0);
	mo = h_mark(reader, H_OUT);
	me = h_mark(reader, H_ERR);
	ma = h_mark(a, H_OUT);
	mb = h_mark(b, H_OUT);
	/*
	 * b's commands, one at a time, each in a turn of its own, so that
	 * each goes in a record of its own, and so does each result (a
	 * node seals what one turn queued into one record): records each
	 * way for the proxy to count, hold back and cut.
	 */
	for (k = 1; k <= BURST; k++) {
		burst = S("@0 calc %d+%d\n", k, k);
		CHECK(h_send_raw(b, burst, strlen(burst)) == 0,
		    "write b's console");
		for (until = now_ms() + 80; now_ms() < until;)
			h_pump((int)(until - now_ms()));
	}
	EXPECT(prx, S("sealed frame %d from the %s", NTH,
	    t->way == FROM_DIALLER ? "dialler" : "acceptor"));
	if (t->mut == MUT_CUT_CLOSE)
		either_line(reader, mo, S("Connection lost to peer: "
		    "127.0.0.1:%d", rport), me, S("Protocol error from "
		    "127.0.0.1:%d: ", rport));
	else
		EXPECT_EXACT_ON(reader, H_ERR, S("Protocol error from "
		    "127.0.0.1:%d: %s", rport, AUTH_FAILED), H_WAIT);
	/* The link is down on both sides. */
	seen(a, H_OUT, ma, S("Connection lost to peer: 127.0.0.1:%d", pb));
	seen(b, H_OUT, mb, S("Connection lost to peer: 127.0.0.1:%d", px));
	/* Each command got a result line, whatever it says; one sent
	 * after the link went down is refused at once instead. */
	for (k = 1; k <= BURST; k++)
		one_answer(b, mb, px, k);
	ask(c, S("127.0.0.1:%d", pa), pa, "calc 6*7", "42");
	ask(c, S("127.0.0.1:%d", pb), pb, "calc 6*8", "48");
	CHECK(h_count(c, H_ERR, 0, "") == 0, "c, never tampered with, "
	    "wrote to stderr");
	/* ... and only one each. */
	for (k = 1; k <= BURST; k++)
		CHECK(h_count(b, H_OUT, mb, S("for command 'calc %d+%d': ", k,
		    k)) <= 1, "command %d got more than one result line", k);
}
END_TEST

/*
 * The whole of a session through the proxy, captured: with secured nodes
 * (_i 0) no command, alias or result is in it; with insecure ones (_i 1)
 * every one is, so that the check can fail.
 */
static const char *const secrets[] = {
	"calc 12345+67890", "80235", "zebra", "585987",
	"calc 99999-11111", "88888", "calc"
};

/* Does file path hold the bytes of text? */
static int
file_has(const char *path, const char *text, size_t *size)
{
	unsigned char buf[1 << 16];
	size_t n, i, tl = strlen(text);
	int fd, found = 0;
	ssize_t r;

	*size = 0;
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = 0;
	while ((r = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)r;
	close(fd);
	*size = n;
	for (i = 0; i + tl <= n && !found; i++)
		found = memcmp(buf + i, text, tl) == 0;
	return found;
}

START_TEST(test_capture)
{
	int pa = free_port(), pb = free_port(), px = free_port();
	const char *capture = new_path(), *alias;
	struct h_proc *a, *b, *prx;
	struct key ka, kb;
	size_t i, size;
	int found;

	alias = "'commands': {'zebra': 'calc 271828+314159'}";
	prx = proxy(px, pa, FROM_DIALLER, MUT_NONE, capture);
	if (_i == 0) {
		genkey(&ka);
		genkey(&kb);
		a = snode("a", pa, &ka, NULL, S("'trusted': [%s], %s",
		    trust(&kb, "b", ""), alias));
		b = snode("b", pb, &kb, NULL, S("'trusted': [%s], %s",
		    trust(&ka, "a", ""), peers_of(px)));
	} else {
		a = node("a", pa, 1, alias);
		b = node("b", pb, 1, peers_of(px));
	}
	via_proxy(b, pb, a, px);
	ask(b, "0", px, "calc 12345+67890", "80235");
	ask(b, "0", px, "zebra", "585987");
	ask(a, "0", pb, "calc 99999-11111", "88888");
	SEND(b, "exit");
	EXPECT_EXIT(b, 0, H_WAIT);
	EXPECT(prx, "proxy: connection closed");
	CHECK(file_has(capture, "KAIP", &size) == 1 && size > 100,
	    "the capture (%lu bytes) lacks the HELLOs", (unsigned long)size);
	for (i = 0; i < NELEM(secrets); i++) {
		found = file_has(capture, secrets[i], &size);
		CHECK(found == _i, "the capture of %s session (%lu bytes) "
		    "%s \"%s\"", _i == 0 ? "a secured" : "an insecure",
		    (unsigned long)size, found ? "holds" : "lacks",
		    secrets[i]);
	}
}
END_TEST

/* ======================================================================== */
/* What a trusted peer may do                                                */

/*
 * b may run "calc *" and "uptime" on a; anything else is denied, an
 * alias after its expansion: "add" (calc 1+2) runs, "sneaky" (system
 * status) is denied; a logs each denial.
 */
START_TEST(test_allow)
{
	int pa = free_port(), pb = free_port();
	struct h_proc *a, *b;
	struct key ka, kb;

	genkey(&ka);
	genkey(&kb);
	a = snode("a", pa, &ka, NULL, S("'trusted': [%s], 'commands': "
	    "{'add': 'calc 1+2', 'sneaky': 'system status'}",
	    trust(&kb, "b", "'allow': ['calc *', 'uptime']")));
	b = snode("b", pb, &kb, NULL, S("'trusted': [%s], %s",
	    trust(&ka, "a", ""), peers_of(pa)));
	linked(b, pb, a, pa);
	ask(b, "0", pa, "calc 1+2", "3");
	ask(b, "0", pa, "system status",
	    "Error: permission denied: system status");
	EXPECT_EXACT_ON(a, H_ERR, S("Denied to 127.0.0.1:%d (key %s): "
	    "system status", pb, kb.pub), H_WAIT);
	ask(b, "0", pa, "add", "3");
	ask(b, "0", pa, "sneaky", "Error: permission denied: system status");
	EXPECT_EXACT_ON(a, H_ERR, S("Denied to 127.0.0.1:%d (key %s): "
	    "system status", pb, kb.pub), H_WAIT);
	ask(b, "0", pa, "help", "Error: permission denied: help");
	/* a itself is not limited by what b may do. */
	SEND(a, "@0 system status");
	EXPECT(a, S("Result from 127.0.0.1:%d for command 'system status': "
	    "kaipeer ", pb));
}
END_TEST

/*
 * A secured network of a, gw, c (and x, whom a does not trust): each hop
 * of a relayed command authorizes the one before ("allow" on gw for a,
 * on c for gw); a discovers c through gw, dialling it with the key gw
 * told of, and never x.
 */
START_TEST(test_mesh)
{
	int pa = free_port(), pg = free_port(), pc = free_port(),
	    px = free_port();
	struct h_proc *a, *g, *c, *x;
	struct key ka, kg, kc, kx;
	size_t mark;
	long long end;

	genkey(&ka);
	genkey(&kg);
	genkey(&kc);
	genkey(&kx);
	c = snode("c", pc, &kc, NULL, S("'name': 'c', 'trusted': [%s, %s]",
	    trust(&kg, "gw", "'allow': ['calc 1*']"), trust(&ka, "a", "")));
	x = snode("x", px, &kx, NULL, S("'name': 'x', 'trusted': [%s]",
	    trust(&kg, "gw", "")));
	g = snode("gw", pg, &kg, NULL, S("'name': 'gw', 'trusted': [%s, %s, "
	    "%s], %s", trust(&ka, "a", "'allow': ['calc *']"), trust(&kc, "c",
	    ""), trust(&kx, "x", ""), two_peers(pc, px)));
	linked(g, pg, c, pc);
	EXPECT(x, S("Peer connected from 127.0.0.1:%d (gw)", pg));
	a = snode("a", pa, &ka, NULL, S("'name': 'a', 'discover': true, "
	    "'trusted': [%s, %s], %s", trust(&kg, "gw", ""), trust(&kc, "c",
	    ""), peers_of(pg)));
	EXPECT(a, S("Connected to peer: 127.0.0.1:%d (gw)", pg));

	SEND(a, "@gw/c calc 1+2");
	EXPECT_EXACT(a, S("Result from 127.0.0.1:%d/127.0.0.1:%d for command "
	    "'calc 1+2': 3", pg, pc));
	/* c does not let gw run it: refused where it would run. */
	SEND(a, "@gw/c calc 2+2");
	EXPECT_EXACT(a, S("Result from 127.0.0.1:%d/127.0.0.1:%d for command "
	    "'calc 2+2': Error: permission denied: calc 2+2", pg, pc));
	/* gw does not let a run it: not passed on at all. */
	SEND(a, "@gw/c system status");
	EXPECT_EXACT(a, S("Result from 127.0.0.1:%d for command 'system "
	    "status': Error: permission denied", pg));
	EXPECT_EXACT_ON(g, H_ERR, S("Denied to 127.0.0.1:%d (key %s): system "
	    "status", pa, ka.pub), H_WAIT);
	CHECK(h_count(c, H_OUT, 0, "system status") == 0,
	    "c heard of a command gw should not have passed on");

	/* a dials c, which gw told of with its key; x it does not trust. */
	EXPECT(a, S("Connected to peer: 127.0.0.1:%d (c) (discovered from "
	    "127.0.0.1:%d)", pc, pg));
	end = now_ms() + 2000;
	while (now_ms() < end)
		(void)h_expect(a, H_OUT, "\001not a line\001", 100);
	mark = 0;
	CHECK(h_count(a, H_OUT, mark, S("127.0.0.1:%d", px)) == 0 &&
	    h_count(x, H_OUT, 0, S("Peer connected from 127.0.0.1:%d", pa)) ==
	    0, "a dialled x, whose key it does not trust");
	SEND(a, "@c calc 1+1");
	EXPECT_EXACT(a, S("Result from 127.0.0.1:%d for command 'calc 1+1': "
	    "2", pc));
}
END_TEST

/*
 * rateLimit 1 a second, burst 2: of 5 commands sent at once, 2 run and 3
 * get "Error: rate limited", one result line each; a second later one
 * more runs.
 */
START_TEST(test_rate_limit)
{
	int pa = free_port(), pb = free_port(), k, ok = 0, limited = 0;
	struct h_proc *a, *b;
	struct key ka, kb;
	const char *burst = "", *head;
	long long end;
	size_t mark;

	genkey(&ka);
	genkey(&kb);
	a = snode("a", pa, &ka, NULL, S("'trusted': [%s], "
	    "'rateLimit': {'perSecond': 1, 'burst': 2}", trust(&kb, "b", "")));
	b = snode("b", pb, &kb, NULL, S("'trusted': [%s], %s",
	    trust(&ka, "a", ""), peers_of(pa)));
	linked(b, pb, a, pa);
	h_pump(0);
	mark = h_mark(b, H_OUT);
	for (k = 1; k <= 5; k++)
		burst = S("%s@0 calc %d+%d\n", burst, k, k);
	CHECK(h_send_raw(b, burst, strlen(burst)) == 0, "write b's console");
	end = now_ms() + H_WAIT;
	while (h_count(b, H_OUT, mark, "Result from") < 5 && now_ms() < end)
		h_pump(20);
	pump_for(300);		/* any extra line would show by now */
	for (k = 1; k <= 5; k++) {
		head = S("Result from 127.0.0.1:%d for command 'calc %d+%d': ",
		    pa, k, k);
		CHECK(h_count(b, H_OUT, mark, head) == 1, "%d result lines "
		    "\"%s...\", expected 1", h_count(b, H_OUT, mark, head),
		    head);
		ok += h_count(b, H_OUT, mark, S("%s%d", head, 2 * k)) == 1;
		limited += h_count(b, H_OUT, mark,
		    S("%sError: rate limited", head)) == 1;
	}
	CHECK(ok == 2 && limited == 3, "of 5 commands at once, %d ran and %d "
	    "were rate limited, expected 2 and 3", ok, limited);
	CHECK(h_count(b, H_OUT, mark, "Result from") == 5, "%d result lines "
	    "for 5 commands", h_count(b, H_OUT, mark, "Result from"));
	pump_for(1100);
	ask(b, "0", pa, "calc 6+6", "12");
}
END_TEST

/*
 * CROWD connections at once from 127.0.0.1: the first few get the node's
 * HELLO, the rest ERROR 5 before any HELLO; the node says so once; a
 * second later a peer is let in.
 */
START_TEST(test_handshake_limit)
{
	int pa = free_port(), pb = free_port(), i, hello = 0, refused = 0;
	static const char *const why = "too many handshakes from 127.0.0.1 "
	    "(at most 20 a second), try later";
	struct h_raw raw[CROWD];
	struct proto_text t;
	struct h_proc *a, *b;
	struct h_frame f;
	struct key ka, kb;

	genkey(&ka);
	genkey(&kb);
	a = snode("a", pa, &ka, NULL, S("'trusted': [%s]",
	    trust(&kb, "b", "")));
	for (i = 0; i < CROWD; i++)
		CHECK(h_raw_connect(&raw[i], pa, H_WAIT) == 0,
		    "connection %d to a", i);
	for (i = 0; i < CROWD; i++) {
		memset(&t, 0, sizeof(t));
		frame(&raw[i], &f);
		if (f.type == PROTO_HELLO) {
			hello++;
			continue;
		}
		CHECK(f.type == PROTO_ERROR && proto_error_decode(&f.f,
		    &t) == 0 && t.code == PROTO_CODE_REFUSED &&
		    t.len == strlen(why) && memcmp(t.text, why, t.len) == 0,
		    "connection %d: a frame of type %d (code %u, \"%.*s\"), "
		    "expected a HELLO or ERROR 5 \"%s\"", i, f.type, t.code,
		    (int)t.len, t.text != NULL ? t.text : "", why);
		refused++;
	}
	CHECK(hello >= 5 && refused >= 5, "of %d connections at once, %d got "
	    "a HELLO and %d were refused: expected at least 5 of each "
	    "(burst 5)", CROWD, hello, refused);
	EXPECT_EXACT_ON(a, H_ERR, S("Refused connection from 127.0.0.1: %s",
	    why), H_WAIT);
	for (i = 0; i < CROWD; i++)
		h_raw_close(&raw[i]);
	pump_for(1100);
	CHECK(h_count(a, H_ERR, 0, "Refused connection from") == 1,
	    "the refusals were logged %d times, expected once",
	    h_count(a, H_ERR, 0, "Refused connection from"));
	b = snode("b", pb, &kb, NULL, S("'trusted': [%s], %s",
	    trust(&ka, "a", ""), peers_of(pa)));
	linked(b, pb, a, pa);
	ask(b, "0", pa, "calc 1+2", "3");
}
END_TEST

/* ======================================================================== */
/* Keys and protected mode                                                   */

/* The whole content of a small file, into buf. */
static size_t
slurp(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	CHECK((fd = open(path, O_RDONLY)) != -1, "open %s: %s", path,
	    strerror(errno));
	n = read(fd, buf, size - 1);
	close(fd);
	CHECK(n >= 0, "read %s", path);
	buf[n] = '\0';
	return (size_t)n;
}

/* kaipeer opt path: its process, ended with status. */
static struct h_proc *
keytool(const char *opt, const char *path, int status)
{
	const char *args[3];
	struct h_proc *p;

	args[0] = opt;
	args[1] = path;
	args[2] = NULL;
	p = run(opt + 2, "./kaipeer", args, NULL);
	EXPECT_EXIT(p, status, H_WAIT);
	return p;
}

START_TEST(test_keys)
{
	char before[256], after[256];
	const char *junk;
	struct h_proc *p;
	struct stat st;
	struct key k;

	umask(0);		/* the mode is the program's, not the umask's */
	genkey(&k);
	CHECK(stat(k.path, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "the key file has mode %o, expected 600", (unsigned)(st.st_mode &
	    07777));
	/* One line: the private key in base64, not the public one. */
	CHECK(slurp(k.path, before, sizeof(before)) == KEY_B64 + 1 &&
	    before[KEY_B64] == '\n', "the key file is not one line of %d "
	    "characters: \"%s\"", KEY_B64, before);
	before[KEY_B64] = '\0';
	CHECK(is_b64_key(before) && strcmp(before, k.pub) != 0, "the key file "
	    "holds \"%s\", not a private key in base64", before);
	slurp(k.path, before, sizeof(before));

	p = keytool("--genkey", k.path, 1);
	EXPECT_EXACT_ON(p, H_ERR, S("kaipeer: %s: File exists (a key file is "
	    "never overwritten)", k.path), 0);
	CHECK(h_line(p, H_OUT, 0) == NULL, "a refused --genkey printed "
	    "\"%s\"", p->line);
	slurp(k.path, after, sizeof(after));
	CHECK(strcmp(before, after) == 0, "--genkey changed an existing key "
	    "file");

	p = keytool("--pubkey", k.path, 0);
	EXPECT_EXACT_ON(p, H_OUT, k.pub, 0);
	CHECK(h_line(p, H_OUT, 0) == NULL, "--pubkey printed more: \"%s\"",
	    p->line);

	junk = h_file("%s", "not a key\n");
	CHECK(junk != NULL, "temporary file");
	p = keytool("--pubkey", junk, 1);
	EXPECT_EXACT_ON(p, H_ERR, S("kaipeer: %s: not a key file (one line: "
	    "32 bytes in base64, as kaipeer --genkey writes)", junk), 0);
	CHECK(h_line(p, H_OUT, 0) == NULL, "--pubkey of junk printed \"%s\"",
	    p->line);

	p = keytool("--pubkey", "/nonexistent/kaipeer.key", 1);
	EXPECT_EXACT_ON(p, H_ERR, "kaipeer: /nonexistent/kaipeer.key: No "
	    "such file or directory", 0);

	/* Two keys are not the same key. */
	{
		struct key k2;

		genkey(&k2);
		CHECK(strcmp(k.pub, k2.pub) != 0, "two --genkey gave one key");
	}
}
END_TEST

/* A non-loopback IPv4 address of this machine into buf, or 0. */
static int
outside_address(char *buf, size_t size)
{
	struct ifaddrs *ifs, *i;
	const struct sockaddr_in *sin;
	int found = 0;

	if (getifaddrs(&ifs) == -1)
		return 0;
	for (i = ifs; i != NULL && !found; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		sin = (const struct sockaddr_in *)(const void *)i->ifa_addr;
		if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
			continue;
		found = inet_ntop(AF_INET, &sin->sin_addr, buf,
		    (socklen_t)size) != NULL;
	}
	freeifaddrs(ifs);
	return found;
}

/* Connect to ip:port within H_WAIT: into r (a raw client), 0; or -1. */
static int
connect_ip(struct h_raw *r, const char *ip, int port)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int err = 0;

	memset(r, 0, sizeof(*r));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1 ||
	    (r->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	(void)fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
	(void)fcntl(r->fd, F_SETFD, FD_CLOEXEC);
	if (connect(r->fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return 0;
	if (errno == EINPROGRESS) {
		pfd.fd = r->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, H_WAIT) == 1 && getsockopt(r->fd, SOL_SOCKET,
		    SO_ERROR, &err, &len) == 0 && err == 0)
			return 0;
	}
	close(r->fd);
	r->fd = -1;
	return -1;
}

/*
 * An insecure node without "listenAddress" says it is in protected mode
 * and cannot be reached on another address of this machine; with
 * "listenAddress": "*" it can, and so can a secured node by default.
 */
START_TEST(test_protected)
{
	int pa = free_port(), pb = free_port(), pc = free_port();
	struct h_proc *a, *b, *c;
	char ip[INET_ADDRSTRLEN];
	struct h_raw r;
	struct key k;

	a = run("a", "./kaipeer", NULL, config("{'listenPort': %d, "
	    "'interactive': false}", pa));
	EXPECT_NEXT(a, S("Starting to listen on port %d", pa));
	EXPECT_NEXT(a, S("Listening for connections on port %d", pa));
	EXPECT_NEXT(a, "Protected mode: no \"identity\", so only this machine "
	    "may connect (loopback); set \"listenAddress\" to listen on other "
	    "addresses");
	b = node("b", pb, 0, "'listenAddress': '*'");
	genkey(&k);
	c = snode("c", pc, &k, NULL, "");
	pump_for(200);
	CHECK(h_count(b, H_OUT, 0, "Protected mode") == 0 &&
	    h_count(c, H_OUT, 0, "Protected mode") == 0, "a node with "
	    "\"listenAddress\" or \"identity\" says it is protected");
	if (!outside_address(ip, sizeof(ip))) {
		printf("check_secure: no non-loopback IPv4 address: the "
		    "protected mode is not checked from outside\n");
		return;
	}
	CHECK(connect_ip(&r, ip, pa) == -1, "reached the protected node on "
	    "%s:%d", ip, pa);
	CHECK(connect_ip(&r, ip, pb) == 0, "cannot reach the node with "
	    "\"listenAddress\": \"*\" on %s:%d", ip, pb);
	expect_hello(&r, pb, NULL);
	h_raw_close(&r);
	CHECK(connect_ip(&r, ip, pc) == 0, "cannot reach the secured node on "
	    "%s:%d", ip, pc);
	expect_hello(&r, pc, NULL);
	h_raw_close(&r);
	CHECK(h_wait(a, 0) == -1 && h_wait(b, 0) == -1 && h_wait(c, 0) == -1,
	    "a node ended");
}
END_TEST

/*
 * "exec" beyond loopback needs an "identity": listenAddress 0.0.0.0
 * without one is a config error naming "exec" (exit 78); on 127.0.0.1,
 * or with an identity, the node starts.
 */
START_TEST(test_exec_needs_identity)
{
	int pa = free_port(), col;
	const char *text, *cfg, *l;
	struct h_proc *p;
	struct key k;

	text = S("{'listenPort': %d, 'interactive': false, "
	    "'listenAddress': '0.0.0.0', 'exec': {'up': ['uptime']}}", pa);
	col = (int)(strstr(text, "'exec': ") - text) + 9;
	cfg = config("%s", text);
	p = run("exec", "./kaipeer", NULL, cfg);
	EXPECT_EXIT(p, 78, H_WAIT);
	l = h_line(p, H_ERR, 0);
	CHECK(l != NULL && strcmp(l, S("kaipeer: %s:1:%d: \"exec\" needs "
	    "security when "
	    "listening beyond this machine (\"listenAddress\" is "
	    "\"0.0.0.0\"): set an \"identity\", or listen on loopback only",
	    cfg, col)) == 0, "stderr: \"%s\"", l != NULL ? l : "(none)");
	CHECK(h_line(p, H_OUT, 0) == NULL, "a refused config started: \"%s\"",
	    p->line);

	p = node("loopback", free_port(), 0, "'listenAddress': '127.0.0.1', "
	    "'exec': {'up': ['uptime']}");
	genkey(&k);
	pa = free_port();
	p = run("secured", "./kaipeer", NULL, config("{'listenPort': %d, "
	    "'interactive': false, 'identity': '%s', "
	    "'listenAddress': '0.0.0.0', 'exec': {'up': ['uptime']}}", pa,
	    k.path));
	EXPECT_EXACT(p, S("Secured with Noise_XX_25519_ChaChaPoly_SHA256, "
	    "public key %s", k.pub));
	EXPECT_EXACT(p, S("Listening for connections on port %d", pa));
}
END_TEST

/* ======================================================================== */

/* Write text (' for ") over the file at path. */
static void
rewrite(const char *path, const char *text)
{
	char *t = strdup(text);
	FILE *fp;

	CHECK(t != NULL, "out of memory");
	quotes(t);
	fp = fopen(path, "w");
	CHECK(fp != NULL, "cannot write %s", path);
	fputs(t, fp);
	fclose(fp);
	free(t);
}

/*
 * SIGHUP: new permissions apply to the next command and the link stays;
 * a key no longer trusted loses its link at once, with a line naming it;
 * a file with an error is refused, file:line:col, the old config stays.
 */
START_TEST(test_reload)
{
	int pa = free_port(), pb = free_port();
	struct key ka, kb;
	struct h_proc *a, *b;
	const char *cfg, *head;

	genkey(&ka);
	genkey(&kb);
	/* S()'s buffers are reused: keep this one. */
	head = strdup(S("{'listenPort': %d, 'interactive': true, "
	    "'identity': '%s', ", pa, ka.path));
	CHECK(head != NULL, "out of memory");
	cfg = config("%s'trusted': [%s]}", head, trust(&kb, "b", ""));
	a = run("a", "./kaipeer", NULL, cfg);
	EXPECT_EXACT(a, S("Listening for connections on port %d", pa));
	b = snode("b", pb, &kb, NULL, S("'trusted': [%s], %s",
	    trust(&ka, "a", ""), peers_of(pa)));
	EXPECT(b, S("Connected to peer: 127.0.0.1:%d", pa));
	ask(b, "0", pa, "calc 1+1", "2");

	rewrite(cfg, S("%s'trusted': [%s]}", head, trust(&kb, "b",
	    "'allow': ['calc *']")));
	h_signal(a, SIGHUP);
	EXPECT(a, S("Config reloaded from %s", cfg));
	ask(b, "0", pa, "system status", "Error: permission denied: "
	    "system status");
	ask(b, "0", pa, "calc 2+3", "5");
	CHECK(h_count(b, H_OUT, 0, "Connection lost") == 0 &&
	    h_count(a, H_OUT, 0, "Connection lost") == 0, "a reload dropped "
	    "a link it should have kept");

	rewrite(cfg, "{'listenPort': }");
	h_signal(a, SIGHUP);
	EXPECT_ERR(a, S("%s:1:16: ", cfg));
	EXPECT_ERR(a, S("%s not reloaded; the config in force stays", cfg));
	ask(b, "0", pa, "system status", "Error: permission denied: "
	    "system status");

	rewrite(cfg, S("%s'trusted': []}", head));
	h_signal(a, SIGHUP);
	EXPECT_EXACT_ON(a, H_ERR, S("Dropped peer 127.0.0.1:%d: key %s is "
	    "not trusted", pb, kb.pub), H_WAIT);
	EXPECT(b, S("Connection lost to peer: 127.0.0.1:%d", pa));
	free((char *)head);
}
END_TEST

static Suite *
secure_suite(void)
{
	Suite *s = suite_create("secure");
	TCase *tc;

	tc = suite_case(s, "trust", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_trusted, 0, 2);
	tcase_add_loop_test(tc, test_untrusted, 0, 2);
	tcase_add_loop_test(tc, test_pinned, 0, 3);
	tcase_add_loop_test(tc, test_psk, 0, 3);
	tcase_add_loop_test(tc, test_mixed, 0, 2);

	tc = suite_case(s, "wire", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_tamper, 0, NELEM(tamper_cases));
	tcase_add_loop_test(tc, test_capture, 0, 2);

	tc = suite_case(s, "limits", TCASE_TIMEOUT);
	tcase_add_test(tc, test_allow);
	tcase_add_test(tc, test_mesh);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_handshake_limit);

	tc = suite_case(s, "keys", TCASE_TIMEOUT);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_protected);
	tcase_add_test(tc, test_exec_needs_identity);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc > 1 && strcmp(argv[1], "--proxy") == 0)
		return proxy_main(argc, argv);
	/* The working directory stays, so a relative path stays right. */
	snprintf(self, sizeof(self), "%s", strchr(argv[0], '/') != NULL ?
	    argv[0] : "/proc/self/exe");
	sr = srunner_create(secure_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
