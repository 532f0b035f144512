/*
 * kaipeer-bench: a load generator for a kaipeer node, in the manner of
 * redis-benchmark.
 *
 * It opens -c TCP connections to the node, does the real handshake on each
 * (a HELLO with its own random node id, since a node refuses two connections
 * from one id), then keeps up to -P COMMAND frames in flight on every
 * connection until -n RESULTs in all have come back.  With -H N it measures
 * handshakes instead: N connections one after another, each connecting,
 * exchanging HELLOs and saying BYE, the next starting once the node has hung
 * up; it reports the rate of the first and of the last tenth of them and
 * the median time of one handshake in each, so that a node whose handshakes
 * get dearer as connections come and go shows it.  With -F it is a node
 * itself, timing one command fanned out to many (benchfan.c).  With
 * --mesh it starts a network of kaipeer processes and times a query that
 * floods it (benchmesh.c).  With -K key_file every connection is secured
 * (benchsec.c): after the HELLOs the Noise handshake, then the frames of
 * each direction go in sealed records (the frames queued for a
 * connection are sealed together just before its
 * write, the records read are opened into a plaintext buffer and the
 * frames taken from there); a connection is up at the node's first frame
 * opened.  -r paces new connections (with -K, at the node's handshake
 * limit unless told), and a connection the node refuses as too many
 * (ERROR 5 before its HELLO) is dialled again after a pause.
 * -M announces a larger frame limit and sizes the input for it, so that
 * large results can be measured (-E names a file holding the expected
 * one).  -A times the cipher alone.
 *
 * It runs on the node's own event loop (loop.h), in one thread: a watch per
 * connection, whose callback reads and handles every whole frame
 * (proto_frame_next()), and a hook that runs before the loop sleeps and
 * gives each connection that has something to send one write() carrying all
 * of it.  Only connections with new free slots, a PONG to send or a socket
 * that drained are visited.  Nothing is allocated per request: the
 * in-flight table of a connection has -P slots, a request's id is its slot
 * plus a multiple of -P, and the latencies go into an array of -n samples
 * made at start-up.
 *
 * Two clocks: every timeout is a loop timer on the loop's clock (no
 * progress for 10 s is fatal; -k holds the connections open, idle, for that
 * many seconds after the report, to measure the node's memory per
 * connection).  What is measured (latencies, the run's length, the
 * handshakes) is stamped in nanoseconds by now_ns(), since a request at
 * depth 1 takes a few tens of microseconds.  The run's clock starts once
 * every connection has finished its handshake.
 *
 * Every RESULT must name an id in flight, have status 0 and the expected
 * text (-e; else the local calc_eval() of a "calc ..." command; else the
 * first result).  Anything else (another result, an ERROR, a closed
 * connection, no progress for 10 s) is fatal: a message on standard error
 * and exit status 1.  A bad command line is exit status 64.  This is a
 * measuring tool, so it stops at the first fault rather than carrying on.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calc.h"
#include "random.h"
#include "loop.h"
#include "net.h"
#include "proto.h"
#include "guard.h"
#include "seal.h"
#include "bench.h"

#define EXIT_FAIL	1
#define STALL_MS	10000	/* no progress for this long is fatal */
#define IN_CAP		65536	/* input buffer without -M */
#define SLACK		256	/* output room for PONGs and the BYE */
#define REFUSED_MS	250	/* pause after a connection refused */
#define MESH_RUNS	11	/* --mesh: timed queries without -n */
#define MESH_MAX_RUNS	1000
#define MESH_PORT	24000	/* --mesh: the first port tried without -p */

enum client_state {
	C_CONNECTING,		/* TCP connect in progress */
	C_HELLO,		/* waiting for the node's HELLO */
	C_NOISE,		/* -K: the Noise handshake, to the first record */
	C_READY,		/* handshake done */
	C_DONE,			/* -H: the node's HELLO came; say BYE */
	C_CLOSING		/* -H: BYE sent; the node is to hang up */
};

struct client {
	int		 fd;
	int		 i;		/* its number, for messages */
	enum client_state state;
	int		 blocked;	/* the socket took less than we had */
	int		 queued;	/* on the write list */
	struct client	*next;		/* on the write list */
	unsigned char	*in;		/* incap bytes */
	size_t		 inlen;
	unsigned char	*out;		/* outcap bytes */
	size_t		 outoff, outlen;
	uint32_t	 seq;		/* requests sent on this connection */
	uint32_t	*ids;		/* [depth] id in flight in each slot */
	long long	*sent;		/* [depth] when it was sent (ns) */
	unsigned char	*busy;		/* [depth] slot in flight */
	int		*freeslot;	/* stack of free slots */
	int		 nfree;
	unsigned long	 number;	/* its node id's, for the next dial */
	struct client	*next_dial;	/* on the dial queue (-r) */
	struct bench_sec *sec;		/* -K, else NULL */
	int		 sealed;	/* -K: frames go through sec's queue */
};

/* The command line (benchopt.c). */
static struct bench_opts opt;

/* The expected result; have_expected is 0 until the first result. */
static char *expected;		/* incap bytes */
static size_t expected_len;
static int have_expected;
static size_t frame_max;	/* the largest length field taken */
static size_t incap;		/* input buffer: that frame, or a record */

static struct loop *loop;
static struct loop_timer stall_timer, hold_timer, pace_timer;
static long long last_progress;	/* ms, on the loop's clock */
static int holding;

static struct addrinfo *addr;	/* the node */
static struct proto_hello hello;	/* ours; the id changes per connection */
static unsigned char base_id[PROTO_NODE_ID];
static struct client *clients;
static struct client *wlist;	/* connections with something to write */
static size_t outcap;
static unsigned char frame[PROTO_HEADER + 4 + BENCH_MAX_TEXT];
static unsigned char msg[BENCH_SEC_MSG];	/* -K: a handshake message */
static size_t frame_len;	/* the COMMAND, encoded once with id 0 */
static long long *samples;	/* [requests or handshakes] latencies in ns */
static long nsent, ndone;
static int nready;		/* connections past the handshake */
static long long t_begin, t_ready, t_end;	/* ns */

/* -H: the handshake under way began at hs_start; the first tenth ended at
 * t_first, the last began at t_last (ns).  samples[k] is how long
 * handshake k took, from socket() to the node's hang-up; up[k] until the
 * link was up (the node's HELLO, or with -K its first record opened). */
static long tenth;
static long long hs_start, t_first, t_last;
static long long *up;

/* -r: a connection is dialled pace_ms after the one before (loop clock),
 * and none before pause_until; the queue waits its turn. */
static long long pace_ms, last_dial, pause_until;
static struct client *dialq, *dialq_tail;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kaipeer-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (opt.handshakes > 0)
		fprintf(stderr, " (%ld of %ld handshakes done)", ndone,
		    opt.handshakes);
	else if (t_ready != 0)
		fprintf(stderr, " (%ld of %ld results received)", ndone,
		    opt.requests);
	fprintf(stderr, "\n");
	exit(EXIT_FAIL);
}

/* The measuring clock: CLOCK_MONOTONIC in ns.  Timeouts use the loop's. */
static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *alloc(size_t n, size_t size);

/* -E: the expected result is the whole of a file. */
static void
read_expected(const char *path, size_t cap)
{
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		die("-E %s: %s", path, strerror(errno));
	n = fread(expected, 1, cap, fp);
	if (ferror(fp) || getc(fp) != EOF)
		die("-E %s: %s", path, ferror(fp) ? strerror(errno) :
		    "larger than a result can be (see -M)");
	fclose(fp);
	expected_len = n;
	have_expected = 1;
}

/* What every result must say, when it can be known before the first. */
static void
set_expected(void)
{
	size_t cap = incap > IN_CAP ? incap : IN_CAP;

	expected = alloc(cap, 1);
	if (opt.expect_file != NULL)
		read_expected(opt.expect_file, frame_max - 6);	/* RESULT */
	else if (opt.expect != NULL) {
		expected_len = strlen(opt.expect);
		memcpy(expected, opt.expect, expected_len);
		have_expected = 1;
	} else if (strncmp(opt.command, "calc ", 5) == 0) {
		if (calc_eval(opt.command + 5, strlen(opt.command + 5), expected,
		    cap) == -1)
			bench_usage_error("-t '%s' fails here (%s); give -e", opt.command,
			    expected);
		expected_len = strlen(expected);
		have_expected = 1;
	}
}

/* Room for one descriptor per connection and a few more. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)opt.nclients + 16;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
	    need : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < need)
		die("%d clients need %lu descriptors; the limit is %lu",
		    opt.nclients, (unsigned long)need, (unsigned long)rl.rlim_cur);
}

static void *
alloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		die("out of memory");
	return p;
}

/* --- progress and the write list ---------------------------------------- */

static void
progress(void)
{
	last_progress = loop_now(loop);
}

/* No progress for STALL_MS is fatal; otherwise look again then. */
static void
on_stall(void *ctx)
{
	(void)ctx;
	if (loop_now(loop) - last_progress >= STALL_MS) {
		if (opt.handshakes > 0)
			die("timed out: no progress for %d s", STALL_MS / 1000);
		die("timed out: no progress for %d s (%d of %d connections "
		    "ready)", STALL_MS / 1000, nready, opt.nclients);
	}
	if (loop_timer_at(loop, &stall_timer, last_progress + STALL_MS) == -1)
		die("out of memory");
}

static void
on_hold_over(void *ctx)
{
	(void)ctx;
	holding = 0;
}

/* Have the hook visit c before the loop next sleeps. */
static void
enqueue(struct client *c)
{
	if (c->queued)
		return;
	c->queued = 1;
	c->next = wlist;
	wlist = c;
}

/* Room for len more bytes at the end of c->out; NULL if there is none. */
static unsigned char *
out_room(struct client *c, size_t len)
{
	unsigned char *p;

	if (c->outoff > 0 && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (c->outlen + len > outcap) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (c->outlen + len > outcap)
		return NULL;
	p = c->out + c->outlen;
	c->outlen += len;
	return p;
}

/* Room for a frame of len bytes, to go at the next write: in c->out, or
 * once sealed in the plaintext queue (-K); NULL if full. */
static unsigned char *
frame_room(struct client *c, size_t len)
{
	return c->sealed ? bench_sec_queue(c->sec, len) : out_room(c, len);
}

/* As frame_room(); the buffers were sized for what is sent. */
static unsigned char *
out_space(struct client *c, size_t len)
{
	unsigned char *p;

	if ((p = frame_room(c, len)) == NULL)
		die("connection %d: output buffer full", c->i);
	return p;
}

/* -K: seal the frames queued into records, after what c->out holds. */
static void
seal_queued(struct client *c)
{
	long n;

	if (bench_sec_queued(c->sec) == 0)
		return;
	if (c->outoff > 0) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if ((n = bench_sec_seal(c->sec, c->out + c->outlen, outcap -
	    c->outlen)) < 0)
		die("connection %d: cannot seal (nonces used up)", c->i);
	c->outlen += (size_t)n;
}

/* Fill the free slots of a connection with COMMANDs. */
static void
fill(struct client *c)
{
	unsigned char *p;
	long long t;
	uint32_t id;
	int slot;

	if (c->state != C_READY || c->nfree == 0 || nsent >= opt.requests ||
	    t_ready == 0)
		return;
	t = now_ns();
	while (c->nfree > 0 && nsent < opt.requests) {
		slot = c->freeslot[--c->nfree];
		id = (uint32_t)slot + (uint32_t)opt.depth *
		    (c->seq++ % (UINT32_MAX / (uint32_t)opt.depth));
		p = out_space(c, frame_len);
		memcpy(p, frame, frame_len);
		p[PROTO_HEADER] = (unsigned char)(id >> 24);
		p[PROTO_HEADER + 1] = (unsigned char)(id >> 16);
		p[PROTO_HEADER + 2] = (unsigned char)(id >> 8);
		p[PROTO_HEADER + 3] = (unsigned char)id;
		c->ids[slot] = id;
		c->sent[slot] = t;
		c->busy[slot] = 1;
		nsent++;
	}
}

/* One write of everything pending (-K: the frames queued sealed first,
 * into as few records as they fit in); what the socket refuses waits for
 * it to turn writable. */
static void
flush(struct client *c)
{
	ssize_t w;

	if (c->state == C_CONNECTING || c->blocked)
		return;
	if (c->sealed)
		seal_queued(c);
	if (c->outoff == c->outlen)
		return;
	do
		w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
	while (w == -1 && errno == EINTR);
	if (w > 0) {
		c->outoff += (size_t)w;
		if (c->outoff == c->outlen) {
			c->outoff = c->outlen = 0;
			return;
		}
	} else if (errno != EAGAIN && errno != EWOULDBLOCK)
		die("connection %d: write: %s", c->i, strerror(errno));
	c->blocked = 1;
	loop_want(loop, c->fd, LOOP_READ | LOOP_WRITE);
}

/* The loop's hook, before it sleeps: new COMMANDs and one write each. */
static void
write_all(void *ctx)
{
	struct client *c;

	(void)ctx;
	while ((c = wlist) != NULL) {
		wlist = c->next;
		c->queued = 0;
		fill(c);
		flush(c);
	}
}

/* --- connections -------------------------------------------------------- */

static void on_io(void *ctx, int fd, int events);

/* Start connection c: a socket, a connect, our HELLO queued. */
static void
dial(struct client *c, unsigned long number)
{
	long n;
	int one = 1, j;

	hs_start = now_ns();
	memcpy(hello.id, base_id, sizeof(hello.id));
	for (j = 0; j < 4; j++)
		hello.id[PROTO_NODE_ID - 1 - j] ^=
		    (unsigned char)(number >> (8 * j));
	c->number = number;
	c->inlen = c->outoff = c->outlen = 0;
	c->blocked = 0;
	c->sealed = 0;
	if ((n = proto_hello_encode(c->out, outcap, &hello)) < 0)
		die("cannot encode HELLO");
	c->outlen = (size_t)n;
	if (c->sec != NULL)
		bench_sec_begin(c->sec, c->out, c->outlen);

	c->fd = socket(addr->ai_family, SOCK_STREAM, 0);
	if (c->fd == -1)
		die("socket: %s", strerror(errno));
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) == -1)
		die("fcntl: %s", strerror(errno));
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, addr->ai_addr, addr->ai_addrlen) == 0) {
		c->state = C_HELLO;
		enqueue(c);
	} else if (errno == EINPROGRESS)
		c->state = C_CONNECTING;
	else
		die("connection %d: connect to %s port %d: %s", c->i, opt.host,
		    opt.port, strerror(errno));
	if (loop_watch(loop, c->fd, c->state == C_CONNECTING ? LOOP_WRITE :
	    LOOP_READ, on_io, c) == -1)
		die("out of memory");
}

/* -r: dial the next queued connection, and arm for the one after. */
static void
on_pace(void *ctx)
{
	struct client *c;

	(void)ctx;
	if ((c = dialq) == NULL)
		return;
	if ((dialq = c->next_dial) == NULL)
		dialq_tail = NULL;
	last_dial = loop_now(loop);
	progress();
	dial(c, c->number);
	if (dialq != NULL && loop_timer_at(loop, &pace_timer,
	    last_dial + pace_ms) == -1)
		die("out of memory");
}

/* Dial c now, or with -r in its turn; number: its node id's. */
static void
queue_dial(struct client *c, unsigned long number)
{
	long long when;

	if (pace_ms == 0 && pause_until == 0) {
		dial(c, number);
		return;
	}
	c->number = number;
	c->next_dial = NULL;
	if (dialq_tail != NULL)
		dialq_tail->next_dial = c;
	else
		dialq = c;
	dialq_tail = c;
	when = last_dial + pace_ms;
	if (when < pause_until)
		when = pause_until;
	if (loop_timer_at(loop, &pace_timer, when) == -1)
		die("out of memory");
}

/*
 * -K: the node refused c as one handshake too many from this address
 * (ERROR 5 before its HELLO).  Dial it again after a pause, which holds
 * back every dial, since the node's bucket is empty.
 */
static void
refused(struct client *c)
{
	loop_unwatch(loop, c->fd);
	close(c->fd);
	c->fd = -1;
	progress();
	pause_until = loop_now(loop) + REFUSED_MS;
	queue_dial(c, c->number);
}

/* Allocate everything, resolve the host, start every connect. */
static void
setup(void)
{
	struct addrinfo hints;
	struct client *c;
	char serv[16];
	long n;
	int i, j, rc;

	if ((loop = loop_new()) == NULL)
		die("cannot make the event loop: %s", strerror(errno));
	if (loop_ignore_signal(loop, SIGPIPE) == -1 ||
	    loop_hook(loop, write_all, NULL) == -1)
		die("cannot set up the event loop");
	loop_timer_init(&stall_timer, on_stall, NULL);
	loop_timer_init(&hold_timer, on_hold_over, NULL);
	loop_timer_init(&pace_timer, on_pace, NULL);
	if (opt.rate > 0)
		pace_ms = (1000 + opt.rate - 1) / opt.rate;
	else if (opt.key != NULL)
		pace_ms = 1000 / GUARD_HS_PER_SEC;

	if ((n = proto_command_encode(frame, sizeof(frame), 0, opt.command,
	    strlen(opt.command))) < 0)
		die("cannot encode the command");
	frame_len = (size_t)n;
	/* c->out: our HELLO and the handshake, then -P COMMANDs (sealed:
	 * in records, each at least one frame) and a few PONGs and the BYE;
	 * -K's plaintext queue is as large. */
	outcap = PROTO_MAX_HELLO + (size_t)opt.depth * (frame_len +
	    SEAL_OVERHEAD) + SLACK;
	samples = alloc(opt.handshakes > 0 ? (size_t)opt.handshakes :
	    (size_t)opt.requests, sizeof(*samples));
	if (opt.handshakes > 0)
		up = alloc((size_t)opt.handshakes, sizeof(*up));
	clients = alloc((size_t)opt.nclients, sizeof(*clients));

	/*
	 * A node refuses a second connection from one node id, so each
	 * connection has its own: a random base, its number xored into the
	 * last bytes.
	 */
	random_bytes(base_id, sizeof(base_id));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", opt.port);
	if ((rc = getaddrinfo(opt.host, serv, &hints, &addr)) != 0)
		die("%s: %s", opt.host, gai_strerror(rc));
	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	hello.port = 0;
	hello.flags = opt.key != NULL ? PROTO_FLAG_SECURE : 0;
	hello.max_frame = (uint32_t)opt.max_frame;
	snprintf(hello.name, sizeof(hello.name), "bench");

	progress();
	if (loop_timer_at(loop, &stall_timer, last_progress + STALL_MS) == -1)
		die("out of memory");
	t_begin = hs_start = now_ns();
	for (i = 0; i < opt.nclients; i++) {
		c = &clients[i];
		c->i = i;
		c->in = alloc(incap, 1);
		c->out = alloc(outcap, 1);
		if (opt.key != NULL && (c->sec = bench_sec_new(outcap,
		    frame_max + 4)) == NULL)
			die("out of memory");
		if (opt.handshakes == 0) {
			c->ids = alloc((size_t)opt.depth, sizeof(*c->ids));
			c->sent = alloc((size_t)opt.depth, sizeof(*c->sent));
			c->busy = alloc((size_t)opt.depth, 1);
			c->freeslot = alloc((size_t)opt.depth,
			    sizeof(*c->freeslot));
			for (j = 0; j < opt.depth; j++)
				c->freeslot[j] = opt.depth - 1 - j;
			c->nfree = opt.depth;
		}
		queue_dial(c, (unsigned long)i);
	}
}

static void
on_result(struct client *c, const struct proto_frame *f, long long now)
{
	struct proto_text t;
	char b1[128], b2[128];
	uint32_t slot;
	int rc;

	if ((rc = proto_result_decode(f, &t)) != 0)
		die("connection %d: malformed RESULT: %s", c->i,
		    proto_strerror(rc));
	slot = t.id % (uint32_t)opt.depth;
	if (!c->busy[slot] || c->ids[slot] != t.id)
		die("connection %d: RESULT for id %lu, which is not in flight",
		    c->i, (unsigned long)t.id);
	if (t.code != PROTO_STATUS_OK)
		die("connection %d: error result for '%s': %s", c->i, opt.command,
		    bench_show(t.text, t.len, b1, sizeof(b1)));
	if (!have_expected) {
		memcpy(expected, t.text, t.len);
		expected_len = t.len;
		have_expected = 1;
	}
	if (t.len != expected_len || memcmp(t.text, expected, t.len) != 0)
		die("connection %d: '%s' gave '%s', expected '%s'", c->i,
		    opt.command, bench_show(t.text, t.len, b1, sizeof(b1)),
		    bench_show(expected, expected_len, b2, sizeof(b2)));
	c->busy[slot] = 0;
	c->freeslot[c->nfree++] = (int)slot;
	samples[ndone++] = now - c->sent[slot];
	if (ndone == opt.requests)
		t_end = now;
}

/* The node's HELLO on c has arrived (with -K, its first record opened). */
static void
on_hello(struct client *c, long long now)
{
	int i;

	progress();
	if (opt.handshakes > 0) {
		up[ndone] = now - hs_start;
		c->state = C_DONE;
		return;
	}
	c->state = C_READY;
	if (++nready < opt.nclients)
		return;
	t_ready = now;			/* the clock starts */
	for (i = 0; i < opt.nclients; i++)
		enqueue(&clients[i]);
}

/* -K: queue the handshake message msg[0..n) (n -1: it failed). */
static void
queue_noise(struct client *c, long n)
{
	if (n < 0)
		die("connection %d: the Noise handshake failed (no random "
		    "source, or the node's message 2 is wrong)", c->i);
	memcpy(out_space(c, (size_t)n), msg, (size_t)n);	/* in clear */
	enqueue(c);
}

static void
on_frame(struct client *c, const struct proto_frame *f, long long now)
{
	struct proto_hello h;
	struct proto_text t;
	unsigned char *p;
	uint64_t token;
	char buf[128];
	int rc;

	if (f->type == PROTO_ERROR) {
		if (proto_error_decode(f, &t) != 0)
			die("connection %d: malformed ERROR frame", c->i);
		if (c->sec != NULL && c->state == C_HELLO &&
		    t.code == PROTO_CODE_REFUSED) {
			refused(c);
			return;
		}
		die("connection %d: the node sent ERROR %u: %s", c->i, t.code,
		    bench_show(t.text, t.len, buf, sizeof(buf)));
	}
	if (c->state == C_HELLO) {
		if (f->type != PROTO_HELLO)
			die("connection %d: expected HELLO, got %s", c->i,
			    proto_type_name(f->type));
		if ((rc = proto_hello_decode(f, &h)) != 0)
			die("connection %d: bad HELLO: %s", c->i,
			    proto_strerror(rc));
		if (c->sec == NULL) {
			on_hello(c, now);
			return;
		}
		if (!(h.flags & PROTO_FLAG_SECURE))
			die("connection %d: the node is not secured (-K)", c->i);
		queue_noise(c, bench_sec_hello(c->sec, f, msg));
		c->state = C_NOISE;
		return;
	}
	if (c->state == C_NOISE) {
		if (!c->sealed) {
			if (f->type != PROTO_NOISE)
				die("connection %d: expected NOISE, got %s",
				    c->i, proto_type_name(f->type));
			queue_noise(c, bench_sec_noise(c->sec, f, msg));
			c->sealed = 1;
			return;
		}
		on_hello(c, now);	/* in its first record */
		if (c->state == C_DONE)
			return;
	}
	switch (f->type) {
	case PROTO_RESULT:
		on_result(c, f, now);
		break;
	case PROTO_BYE:
		if (proto_bye_decode(f, &t) != 0)
			t.len = 0;
		die("connection %d: the node said goodbye: %s", c->i,
		    bench_show(t.text, t.len, buf, sizeof(buf)));
		break;
	case PROTO_PING:
		if (proto_ping_decode(f, &token) != 0)
			die("connection %d: malformed PING", c->i);
		p = out_space(c, PROTO_HEADER + 8);
		(void)proto_ping_encode(p, PROTO_HEADER + 8, PROTO_PONG, token);
		enqueue(c);
		break;
	case PROTO_PONG:
		break;
	default:
		die("connection %d: unexpected %s frame", c->i,
		    proto_type_name(f->type));
	}
}

/* A polite goodbye on c, after whatever is queued (sealed with it). */
static void
send_bye(struct client *c)
{
	unsigned char b[32], *p;
	ssize_t w;
	long len;

	/* Best effort: a failure here changes nothing measured. */
	len = proto_bye_encode(b, sizeof(b), "bench done", 10);
	if (len > 0 && (p = frame_room(c, (size_t)len)) != NULL)
		memcpy(p, b, (size_t)len);
	if (c->sealed)
		seal_queued(c);
	if (c->outlen > c->outoff) {
		w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
		(void)w;
		c->outoff = c->outlen;
	}
}

static void
hang_up(struct client *c)
{
	loop_unwatch(loop, c->fd);
	close(c->fd);
	c->fd = -1;
}

/*
 * -H: the node has hung up after our BYE, so the handshake on c is over:
 * start the next.  Letting the node close first leaves the TIME_WAIT on
 * its side, where every connection has its own address pair, instead of
 * using up this side's ephemeral ports over a long series.
 */
static void
next_handshake(struct client *c)
{
	long long now = now_ns();

	hang_up(c);
	samples[ndone++] = now - hs_start;
	progress();
	if (ndone == tenth)
		t_first = now;
	if (ndone == opt.handshakes - tenth)
		t_last = now;
	if (ndone == opt.handshakes) {
		t_end = now;
		return;
	}
	queue_dial(c, (unsigned long)ndone);
}

/* The next whole frame of c->in from *off (which moves past what it
 * took), opened from its records if sealed; as bench_sec_next() returns. */
static long
next_frame(struct client *c, size_t *off, struct proto_frame *f)
{
	size_t max = c->state == C_HELLO || c->state == C_NOISE ?
	    PROTO_MAX_HELLO : frame_max;
	long n;

	if (c->sec != NULL)
		return bench_sec_next(c->sec, c->in, c->inlen, off, max, f);
	if ((n = proto_frame_next(c->in + *off, c->inlen - *off, max, f)) > 0)
		*off += (size_t)n;
	return n;
}

/* Read what is there and handle every whole frame in it. */
static void
on_readable(struct client *c)
{
	struct proto_frame f;
	size_t off, room;
	long long now;
	ssize_t r;
	long n, before;
	unsigned long opened = 0;

	for (;;) {
		room = incap - c->inlen;
		r = read(c->fd, c->in + c->inlen, room);
		if (r == 0 || (r == -1 && errno == ECONNRESET &&
		    c->state == C_CLOSING)) {
			if (c->state != C_CLOSING)
				die("connection %d: closed by the node", c->i);
			next_handshake(c);
			return;
		}
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			die("connection %d: read: %s", c->i, strerror(errno));
		}
		if (c->state == C_CLOSING) {
			c->inlen = 0;	/* whatever comes after our BYE */
			continue;
		}
		now = now_ns();
		c->inlen += (size_t)r;
		off = 0;
		if (c->sealed)
			opened = bench_sec_opened(c->sec);
		before = ndone;
		while ((n = next_frame(c, &off, &f)) > 0) {
			if (c->sealed && bench_sec_opened(c->sec) != opened) {
				opened = bench_sec_opened(c->sec);
				now = now_ns();	/* opened: usable from now */
			}
			on_frame(c, &f, now);
			if (c->fd == -1)
				return;		/* refused: dialled again */
			if (c->state == C_DONE)
				break;
		}
		if (c->state == C_DONE) {
			send_bye(c);
			c->state = C_CLOSING;
			c->inlen = 0;
			return;		/* the node hangs up next */
		}
		if (n != PROTO_PARTIAL)
			die("connection %d: bad frame from the node: %s", c->i,
			    bench_sec_strerror(n));
		if (ndone != before) {
			progress();
			if (c->nfree > 0)
				enqueue(c);	/* refill the freed slots */
		}
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
		if ((size_t)r < room)
			return;		/* drained: save a read() */
	}
}

/* A connect in progress finished. */
static void
on_connect(struct client *c)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0)
		die("connection %d: connect to %s port %d: %s", c->i, opt.host,
		    opt.port, strerror(err));
	c->state = C_HELLO;
	loop_want(loop, c->fd, LOOP_READ);
	enqueue(c);			/* our HELLO */
	progress();
}

/* The watch of every connection. */
static void
on_io(void *ctx, int fd, int events)
{
	struct client *c = ctx;

	(void)fd;
	if (c->state == C_CONNECTING) {
		if (!(events & (LOOP_WRITE | LOOP_HUP)))
			return;
		on_connect(c);
	} else if (events & LOOP_WRITE) {
		c->blocked = 0;
		loop_want(loop, c->fd, LOOP_READ);
		enqueue(c);
	}
	if (events & (LOOP_READ | LOOP_HUP))
		on_readable(c);
}

/* Turn the loop until the run is over (t_end set). */
static void
run(void)
{
	while (t_end == 0)
		if (loop_turn(loop, -1) == -1)
			die("poll: %s", strerror(errno));
}

/*
 * Hold the connections open, idle, for -k seconds, so that a script can
 * look at the node's memory meanwhile.  PINGs are still answered, and a
 * connection the node closes is still a failure.
 */
static void
hold(void)
{
	loop_timer_stop(loop, &stall_timer);
	if (loop_timer_at(loop, &hold_timer, loop_update_now(loop) +
	    (long long)opt.keep * 1000) == -1)
		die("out of memory");
	holding = 1;
	while (holding)
		if (loop_turn(loop, -1) == -1)
			die("poll: %s", strerror(errno));
}

/* A polite goodbye on every connection, then close. */
static void
finish(void)
{
	int i;

	for (i = 0; i < opt.nclients; i++)
		if (clients[i].fd >= 0) {
			send_bye(&clients[i]);
			hang_up(&clients[i]);
		}
	loop_free(loop);
	freeaddrinfo(addr);
}

static const struct bench_times *
times(void)
{
	static struct bench_times t;

	t.begin = t_begin;
	t.ready = t_ready;
	t.end = t_end;
	t.first = t_first;
	t.last = t_last;
	t.up = up;
	return &t;
}

/*
 * --mesh, which benchopt.c does not know: take it out of argv, leaving the
 * options it shares with the rest for bench_parse_args() (-p the first
 * port, -n the runs, -c one size alone, -q, --csv); the other options do
 * not apply.  1 if it was there, with the letters of those given in
 * given (room for 4).
 */
static int
take_mesh(int *argc, char **argv, char *given)
{
	const char *a;
	int i, j, found = 0;
	size_t k = 0;

	for (i = 1; i < *argc; i++)
		if (strcmp(argv[i], "--mesh") == 0) {
			for (j = i; j < *argc; j++)
				argv[j] = argv[j + 1];	/* and the NULL */
			(*argc)--;
			i--;
			found = 1;
		}
	for (i = 1; found && i < *argc; i++) {
		a = argv[i];
		if (a[0] != '-' || a[1] == '\0' || a[1] == '-' ||
		    strcmp(a, "-q") == 0)
			continue;
		if (strchr("pnc", a[1]) != NULL && strchr(given, a[1]) == NULL &&
		    k < 3) {
			given[k++] = a[1];
			given[k] = '\0';
		} else if (strchr("hPtekHFKrMEA", a[1]) != NULL)
			bench_usage_error("--mesh measures a network-wide query; "
			    "-%c does not apply", a[1]);
		if (a[2] == '\0')
			i++;		/* its value */
	}
	return found;
}

/* --mesh: 50 and 200 nodes (-c: that many alone), the program kaipeer
 * from $KAIPEER_BIN, else next to this one. */
static void
mesh(const char *argv0, const char *given)
{
	int sizes[2] = { 50, 200 }, nsizes = 2;
	const char *kp = getenv("KAIPEER_BIN"), *slash;
	char path[4096];

	if (strchr(given, 'n') == NULL)
		opt.requests = MESH_RUNS;
	else if (opt.requests > MESH_MAX_RUNS)
		bench_usage_error("--mesh: -n: at most %d runs", MESH_MAX_RUNS);
	if (strchr(given, 'c') != NULL) {
		if (opt.nclients < BENCH_MESH_MIN ||
		    opt.nclients > BENCH_MESH_MAX)
			bench_usage_error("--mesh: -c: from %d to %d nodes",
			    BENCH_MESH_MIN, BENCH_MESH_MAX);
		sizes[0] = opt.nclients;
		nsizes = 1;
	}
	if (kp == NULL || *kp == '\0') {
		if ((slash = strrchr(argv0, '/')) != NULL &&
		    slash - argv0 < (long)sizeof(path) - 9) {
			snprintf(path, sizeof(path), "%.*s/kaipeer",
			    (int)(slash - argv0), argv0);
			kp = path;
		} else
			kp = "kaipeer";
	}
	bench_mesh(&opt, sizes, nsizes, strchr(given, 'p') != NULL ?
	    opt.port : MESH_PORT, kp);
}

int
main(int argc, char **argv)
{
	char given[4] = "";
	int with_mesh = take_mesh(&argc, argv, given);

	bench_parse_args(&opt, argc, argv);
	if (with_mesh) {
		mesh(argv[0], given);
		return 0;
	}
	if (opt.aead > 0) {
		bench_aead(&opt);
		return 0;
	}
	if (opt.key != NULL)
		bench_sec_load(opt.key);
	frame_max = opt.max_frame > 0 ? (size_t)opt.max_frame : IN_CAP - 4;
	incap = frame_max + 4;
	if (opt.key != NULL && incap < SEAL_HEADER + SEAL_MAX_MSG)
		incap = SEAL_HEADER + SEAL_MAX_MSG;	/* a whole record */
	if (opt.fanout != NULL) {
		raise_fd_limit();
		bench_fanout(&opt);
		return 0;
	}
	if (opt.handshakes > 0) {
		tenth = opt.handshakes / 10;
		setup();
		run();
		bench_report_handshakes(&opt, samples, tenth, times());
		finish();
		return 0;
	}
	set_expected();
	raise_fd_limit();
	setup();
	run();
	bench_report(&opt, samples, times(), expected, expected_len);
	if (opt.keep > 0)
		hold();
	finish();
	return 0;
}
