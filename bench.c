/*
 * kaipeer-bench: a load generator for a kaipeer node, in the manner of
 * redis-benchmark.
 *
 * It opens -c TCP connections to the node, does the real handshake on each
 * (a HELLO with its own random node id, since a node refuses two connections
 * from one id), then keeps up to -P COMMAND frames in flight on every
 * connection until -n RESULTs in all have come back.  One thread and one
 * poll() loop drive every connection; each connection gets at most one
 * write() per loop turn, carrying every frame queued for it.  Nothing is
 * allocated per request: the in-flight table of a connection has -P slots,
 * a request's id is its slot plus a multiple of -P, and the latencies go
 * into an array of -n samples made at start-up.  The clock starts once every
 * connection has finished its handshake.  With -k the connections then stay
 * open, idle, for that many seconds after the report (to measure the node's
 * memory per connection).
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
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calc.h"
#include "proto.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	64
#define STALL_NS	(10LL * 1000000000)	/* no progress for this long */
#define IN_CAP		65536	/* input buffer, so the largest RESULT */
#define MAX_TEXT	60000	/* longest -t and -e */
#define MAX_CLIENTS	60000
#define MAX_DEPTH	10000
#define MAX_REQUESTS	100000000
#define MAX_KEEP	3600
#define SLACK		256	/* output room for PONGs and the BYE */

struct client {
	int		 fd;
	int		 connected;	/* TCP connect finished */
	int		 hello;		/* the node's HELLO accepted */
	int		 blocked;	/* last write hit EAGAIN */
	unsigned char	*in;		/* IN_CAP bytes */
	size_t		 inlen;
	unsigned char	*out;		/* outcap bytes */
	size_t		 outoff, outlen;
	uint32_t	 seq;		/* requests sent on this connection */
	uint32_t	*ids;		/* [depth] id in flight in each slot */
	long long	*sent;		/* [depth] when it was sent */
	unsigned char	*busy;		/* [depth] slot in flight */
	int		*freeslot;	/* stack of free slots */
	int		 nfree;
};

/* Options. */
static const char *host = "127.0.0.1";
static int port = 14590, nclients = 50, depth = 1, keep, quiet, csv;
static long requests = 100000;
static const char *command = "calc 1+2";
static const char *expect_opt;

/* The expected result; have_expected is 0 until the first result. */
static char expected[IN_CAP];
static size_t expected_len;
static int have_expected;

static struct client *clients;
static struct pollfd *pfds;
static size_t outcap;
static unsigned char frame[PROTO_HEADER + 4 + MAX_TEXT];
static size_t frame_len;	/* the COMMAND, encoded once with id 0 */
static long long *samples;	/* [requests] latencies in ns */
static long nsent, ndone;
static int nready;		/* connections past the handshake */
static long long t_begin, t_ready, t_end, last_progress;

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: kaipeer-bench [-h host] [-p port] [-c clients] "
	    "[-n requests] [-P depth]\n"
	    "                     [-t command] [-e expected] [-k seconds] "
	    "[-q] [--csv]\n");
}

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kaipeer-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(EXIT_USAGE);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kaipeer-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (t_ready != 0)
		fprintf(stderr, " (%ld of %ld results received)", ndone,
		    requests);
	fprintf(stderr, "\n");
	exit(EXIT_FAIL);
}

/* Text from the wire, made printable and cut short, into buf. */
static const char *
show(const char *s, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 8 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	if (i < len)
		o += (size_t)snprintf(buf + o, size - o, "...");
	buf[o] = '\0';
	return buf;
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A decimal integer in [min, max], or a usage error naming the option. */
static long
number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		usage_error("%s: '%s' is not an integer from %ld to %ld",
		    opt, s, min, max);
	return v;
}

static void
parse_args(int argc, char **argv)
{
	const char *a, *val;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--csv") == 0) {
			csv = 1;
			continue;
		}
		if (strcmp(a, "-q") == 0) {
			quiet = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (a[0] != '-' || a[1] == '\0' ||
		    strchr("hpcnPtek", a[1]) == NULL)
			usage_error("unknown option '%s'", a);
		if (a[2] != '\0')
			val = a + 2;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			usage_error("option -%c needs a value", a[1]);
		switch (a[1]) {
		case 'h':
			if (*val == '\0')
				usage_error("-h: empty host");
			host = val;
			break;
		case 'p':
			port = (int)number("-p", val, 1, 65535);
			break;
		case 'c':
			nclients = (int)number("-c", val, 1, MAX_CLIENTS);
			break;
		case 'n':
			requests = number("-n", val, 1, MAX_REQUESTS);
			break;
		case 'P':
			depth = (int)number("-P", val, 1, MAX_DEPTH);
			break;
		case 'k':
			keep = (int)number("-k", val, 0, MAX_KEEP);
			break;
		case 't':
			if (strlen(val) > MAX_TEXT)
				usage_error("-t: longer than %d bytes",
				    MAX_TEXT);
			command = val;
			break;
		case 'e':
			if (strlen(val) > MAX_TEXT)
				usage_error("-e: longer than %d bytes",
				    MAX_TEXT);
			expect_opt = val;
			break;
		}
	}
}

/* What every result must say, when it can be known before the first. */
static void
set_expected(void)
{
	if (expect_opt != NULL) {
		expected_len = strlen(expect_opt);
		memcpy(expected, expect_opt, expected_len);
		have_expected = 1;
	} else if (strncmp(command, "calc ", 5) == 0) {
		if (calc_eval(command + 5, strlen(command + 5), expected,
		    sizeof(expected)) == -1)
			usage_error("-t '%s' fails here (%s); give -e", command,
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
	rlim_t need = (rlim_t)nclients + 16;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
	    need : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < need)
		die("%d clients need %lu descriptors; the limit is %lu",
		    nclients, (unsigned long)need, (unsigned long)rl.rlim_cur);
}

static void *
alloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		die("out of memory");
	return p;
}

/* Allocate everything, resolve the host, start every connect. */
static void
setup(void)
{
	struct addrinfo hints, *ai;
	struct proto_hello h;
	struct client *c;
	unsigned char id[PROTO_NODE_ID];
	char serv[16];
	long n;
	int fd, i, j, one = 1, rc;

	if ((n = proto_command_encode(frame, sizeof(frame), 0, command,
	    strlen(command))) < 0)
		die("cannot encode the command");
	frame_len = (size_t)n;
	outcap = PROTO_MAX_HELLO + (size_t)depth * frame_len + SLACK;
	samples = alloc((size_t)requests, sizeof(*samples));
	clients = alloc((size_t)nclients, sizeof(*clients));
	pfds = alloc((size_t)nclients, sizeof(*pfds));

	/*
	 * A node refuses a second connection from one node id, so each
	 * connection has its own: a random base, i xored into its last bytes.
	 */
	fd = open("/dev/urandom", O_RDONLY);
	if (fd == -1 || read(fd, id, sizeof(id)) != (ssize_t)sizeof(id)) {
		long long t = now_ns() ^ ((long long)getpid() << 32);

		for (j = 0; j < PROTO_NODE_ID; j++)
			id[j] = (unsigned char)(t >> (8 * j));
	}
	if (fd != -1)
		close(fd);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &ai)) != 0)
		die("%s: %s", host, gai_strerror(rc));

	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.port = 0;
	snprintf(h.name, sizeof(h.name), "bench");
	t_begin = last_progress = now_ns();
	for (i = 0; i < nclients; i++) {
		c = &clients[i];
		c->in = alloc(IN_CAP, 1);
		c->out = alloc(outcap, 1);
		c->ids = alloc((size_t)depth, sizeof(*c->ids));
		c->sent = alloc((size_t)depth, sizeof(*c->sent));
		c->busy = alloc((size_t)depth, 1);
		c->freeslot = alloc((size_t)depth, sizeof(*c->freeslot));
		for (j = 0; j < depth; j++)
			c->freeslot[j] = depth - 1 - j;
		c->nfree = depth;

		memcpy(h.id, id, sizeof(h.id));
		h.id[6] ^= (unsigned char)(i >> 8);
		h.id[7] ^= (unsigned char)i;
		if ((n = proto_hello_encode(c->out, outcap, &h)) < 0)
			die("cannot encode HELLO");
		c->outlen = (size_t)n;

		c->fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (c->fd == -1)
			die("socket: %s", strerror(errno));
		if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) |
		    O_NONBLOCK) == -1)
			die("fcntl: %s", strerror(errno));
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			c->connected = 1;
		else if (errno != EINPROGRESS)
			die("connection %d: connect to %s port %d: %s", i,
			    host, port, strerror(errno));
		pfds[i].fd = c->fd;
	}
	freeaddrinfo(ai);
}

/* Queue a frame for the next write; the buffer was sized for it. */
static unsigned char *
out_space(struct client *c, size_t len, int i)
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
		die("connection %d: output buffer full", i);
	p = c->out + c->outlen;
	c->outlen += len;
	return p;
}

/* Fill the free slots of a connection with COMMANDs. */
static void
fill(struct client *c, int i)
{
	unsigned char *p;
	long long t;
	uint32_t id;
	int slot;

	if (!c->hello || c->nfree == 0 || nsent >= requests || t_ready == 0)
		return;
	t = now_ns();
	while (c->nfree > 0 && nsent < requests) {
		slot = c->freeslot[--c->nfree];
		id = (uint32_t)slot + (uint32_t)depth *
		    (c->seq++ % (UINT32_MAX / (uint32_t)depth));
		p = out_space(c, frame_len, i);
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

/* One write of everything pending. */
static void
flush(struct client *c, int i)
{
	ssize_t w;

	if (!c->connected || c->blocked || c->outoff == c->outlen)
		return;
	w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
	if (w > 0) {
		c->outoff += (size_t)w;
		if (c->outoff == c->outlen)
			c->outoff = c->outlen = 0;
	} else if (errno == EAGAIN || errno == EWOULDBLOCK)
		c->blocked = 1;
	else if (errno != EINTR)
		die("connection %d: write: %s", i, strerror(errno));
}

static void
on_result(struct client *c, int i, const struct proto_frame *f,
    long long now)
{
	struct proto_text t;
	char b1[128], b2[128];
	uint32_t slot;
	int rc;

	if ((rc = proto_result_decode(f, &t)) != 0)
		die("connection %d: malformed RESULT: %s", i,
		    proto_strerror(rc));
	slot = t.id % (uint32_t)depth;
	if (!c->busy[slot] || c->ids[slot] != t.id)
		die("connection %d: RESULT for id %lu, which is not in flight",
		    i, (unsigned long)t.id);
	if (t.code != PROTO_STATUS_OK)
		die("connection %d: error result for '%s': %s", i, command,
		    show(t.text, t.len, b1, sizeof(b1)));
	if (!have_expected) {
		memcpy(expected, t.text, t.len);
		expected_len = t.len;
		have_expected = 1;
	}
	if (t.len != expected_len || memcmp(t.text, expected, t.len) != 0)
		die("connection %d: '%s' gave '%s', expected '%s'", i, command,
		    show(t.text, t.len, b1, sizeof(b1)),
		    show(expected, expected_len, b2, sizeof(b2)));
	c->busy[slot] = 0;
	c->freeslot[c->nfree++] = (int)slot;
	samples[ndone++] = now - c->sent[slot];
	last_progress = now;
	if (ndone == requests)
		t_end = now;
}

static void
on_frame(struct client *c, int i, const struct proto_frame *f, long long now)
{
	struct proto_hello h;
	struct proto_text t;
	unsigned char *p;
	uint64_t token;
	char buf[128];
	int rc;

	if (f->type == PROTO_ERROR) {
		if (proto_error_decode(f, &t) != 0)
			die("connection %d: malformed ERROR frame", i);
		die("connection %d: the node sent ERROR %u: %s", i, t.code,
		    show(t.text, t.len, buf, sizeof(buf)));
	}
	if (!c->hello) {
		if (f->type != PROTO_HELLO)
			die("connection %d: expected HELLO, got %s", i,
			    proto_type_name(f->type));
		if ((rc = proto_hello_decode(f, &h)) != 0)
			die("connection %d: bad HELLO: %s", i,
			    proto_strerror(rc));
		c->hello = 1;
		nready++;
		last_progress = now;
		return;
	}
	switch (f->type) {
	case PROTO_RESULT:
		on_result(c, i, f, now);
		break;
	case PROTO_BYE:
		if (proto_bye_decode(f, &t) != 0)
			t.len = 0;
		die("connection %d: the node said goodbye: %s", i,
		    show(t.text, t.len, buf, sizeof(buf)));
		break;
	case PROTO_PING:
		if (proto_ping_decode(f, &token) != 0)
			die("connection %d: malformed PING", i);
		p = out_space(c, PROTO_HEADER + 8, i);
		(void)proto_ping_encode(p, PROTO_HEADER + 8, PROTO_PONG, token);
		break;
	case PROTO_PONG:
		break;
	default:
		die("connection %d: unexpected %s frame", i,
		    proto_type_name(f->type));
	}
}

/* Read what is there and handle every whole frame in it. */
static void
on_readable(struct client *c, int i)
{
	struct proto_frame f;
	size_t off, room;
	long long now;
	ssize_t r;
	long n;

	for (;;) {
		room = IN_CAP - c->inlen;
		r = read(c->fd, c->in + c->inlen, room);
		if (r == 0)
			die("connection %d: closed by the node", i);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			die("connection %d: read: %s", i, strerror(errno));
		}
		now = now_ns();
		c->inlen += (size_t)r;
		off = 0;
		while ((n = proto_frame_next(c->in + off, c->inlen - off,
		    c->hello ? IN_CAP - 4 : PROTO_MAX_HELLO, &f)) > 0) {
			on_frame(c, i, &f, now);
			off += (size_t)n;
		}
		if (n != PROTO_PARTIAL)
			die("connection %d: bad frame from the node: %s", i,
			    proto_strerror((int)n));
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
		if ((size_t)r < room)
			return;		/* drained: save a read() */
	}
}

/* A connect in progress finished. */
static void
on_connect(struct client *c, int i)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0)
		die("connection %d: connect to %s port %d: %s", i, host, port,
		    strerror(err));
	c->connected = 1;
	last_progress = now_ns();
}

/*
 * One turn of the loop: queue COMMANDs into free slots, one write per
 * connection, one poll() for at most timeout_ms, then handle what it found.
 */
static void
turn(int timeout_ms)
{
	struct client *c;
	int i, n;

	for (i = 0; i < nclients; i++) {
		c = &clients[i];
		fill(c, i);
		flush(c, i);
		pfds[i].events = !c->connected || c->blocked ? POLLOUT : 0;
		if (c->connected)
			pfds[i].events |= POLLIN;
	}
	if ((n = poll(pfds, (nfds_t)nclients, timeout_ms)) == -1) {
		if (errno == EINTR)
			return;
		die("poll: %s", strerror(errno));
	}
	for (i = 0; i < nclients && n > 0; i++) {
		if (pfds[i].revents == 0)
			continue;
		n--;
		c = &clients[i];
		if (!c->connected) {
			on_connect(c, i);
			continue;
		}
		if (pfds[i].revents & POLLOUT)
			c->blocked = 0;
		if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))
			on_readable(c, i);
	}
}

/* Connect, handshake and measure, until every result is in. */
static void
run(void)
{
	long long now;

	while (t_end == 0) {
		now = now_ns();
		if (now - last_progress > STALL_NS)
			die("timed out: no progress for %lld s (%d of %d "
			    "connections ready)", STALL_NS / 1000000000,
			    nready, nclients);
		if (t_ready == 0 && nready == nclients)
			t_ready = last_progress = now;	/* the clock starts */
		turn((int)((last_progress + STALL_NS - now) / 1000000) + 1);
	}
}

/*
 * Hold the connections open, idle, for -k seconds, so that a script can
 * look at the node's memory meanwhile.  PINGs are still answered, and a
 * connection the node closes is still a failure.
 */
static void
hold(void)
{
	long long end = now_ns() + (long long)keep * 1000000000, now;

	while ((now = now_ns()) < end)
		turn((int)((end - now) / 1000000) + 1);
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile p of the sorted samples, in ms. */
static double
percentile(double p)
{
	long k = (long)(p * (double)requests + 0.999999);

	if (k < 1)
		k = 1;
	if (k > requests)
		k = requests;
	return (double)samples[k - 1] / 1e6;
}

/* A CSV field: quoted, with inner quotes doubled. */
static void
csv_field(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void
report(void)
{
	double secs = (double)(t_end - t_ready) / 1e9, rps;
	double p50, p99, max;
	char buf[128];

	qsort(samples, (size_t)requests, sizeof(*samples), cmp_ll);
	rps = secs > 0 ? (double)requests / secs : 0;
	p50 = percentile(0.50);
	p99 = percentile(0.99);
	max = (double)samples[requests - 1] / 1e6;
	if (csv) {
		printf("\"name\",\"rps\",\"p50_ms\",\"p99_ms\",\"max_ms\"\n");
		csv_field(command);
		printf(",\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\"\n", rps, p50, p99,
		    max);
	} else if (quiet) {
		printf("%s: %.2f requests per second, p50=%.3f msec\n", command,
		    rps, p50);
	} else {
		printf("====== %s ======\n", command);
		printf("  %ld requests completed in %.3f seconds\n", requests,
		    secs);
		printf("  %d parallel clients, pipeline depth %d\n", nclients,
		    depth);
		printf("  node %s port %d; every result was '%s'\n", host, port,
		    show(expected, expected_len, buf, sizeof(buf)));
		printf("  connect and handshake took %.3f ms\n\n",
		    (double)(t_ready - t_begin) / 1e6);
		printf("Summary:\n");
		printf("  throughput summary: %.2f requests per second\n", rps);
		printf("  latency summary (msec):\n");
		printf("          p50       p99       max\n");
		printf("    %9.3f %9.3f %9.3f\n", p50, p99, max);
	}
	fflush(stdout);
}

/* A polite goodbye on every connection, then close. */
static void
finish(void)
{
	unsigned char bye[32];
	ssize_t w;
	long len;
	int i;

	len = proto_bye_encode(bye, sizeof(bye), "bench done", 10);
	for (i = 0; i < nclients; i++) {
		/* Best effort: a failure here changes nothing measured. */
		w = len > 0 ? write(clients[i].fd, bye, (size_t)len) : 0;
		(void)w;
		close(clients[i].fd);
	}
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	parse_args(argc, argv);
	set_expected();
	raise_fd_limit();
	setup();
	run();
	report();
	if (keep > 0)
		hold();
	finish();
	return 0;
}
