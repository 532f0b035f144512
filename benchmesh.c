/*
 * benchmesh: kaipeer-bench --mesh, the network-wide query figure
 * (include/bench.h).
 *
 * For each size N it starts N kaipeer processes on 127.0.0.1, node i
 * listening on ports[i] and dialling nodes i+1 and i+7 (mod N) given with
 * -p, no "discover": each node has four links, two it dialled and two
 * dialled to it, and the network is a ring with chords.  Node 0 runs in
 * its default output mode with its console on a pipe from the bench and
 * its standard output on a pipe to it; the others run with -q.  The
 * bench types "@** system status" on node 0's console until every node
 * answers and says it has four peers (a warm-up too), then one untimed
 * "@** calc 1", then -n timed ones: each from the write of the line to
 * the read of its "Done" line, in nanoseconds.  Every run must bring
 * exactly one result "1" from each of the N nodes (the last hop of each
 * result's path names the node, "self" node 0), and a Done line that
 * says N nodes, N ok and that every node reached answered; anything else
 * is fatal.  The path of each result says how far the flood went to that
 * node, which may be farther than the shortest way (a node takes a flood
 * on from the first link it comes by): the longest is reported.
 *
 * On the same console, for comparison: "calc 1" run by node 0 itself,
 * which is what the console and its output add to every figure taken
 * there (a node writes its lines in batches, a line up to about a
 * millisecond after it was made), and, once node 0 has been told to
 * "connect" to every other node, "@* calc 1" to its N-1 peers at once.
 * Then, without a console, the cost of one hop: the round trip of
 * "calc 1" from a node built here from the library (as in benchfan.c)
 * to node 1, linked for that alone.
 *
 * Cleaning up: every node is the bench's child and is sent SIGTERM at the
 * end, on every failure (atexit) and on SIGINT, SIGTERM and SIGHUP, then
 * SIGKILL if it lingers.  Should the bench be killed outright, each node's
 * standard input is a pipe whose only writer is the bench, and a node with
 * "interactive": true exits at the end of its input.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "frames.h"
#include "kaipeer.h"

#define LINKS		4	/* i+1, i+7 dialled; i-1, i-7 dialling in */
#define CHORD		7
#define READY_NS	(30LL * 1000000000LL)	/* every link up, or fail */
#define QUERY_NS	(15LL * 1000000000LL)	/* one console line */
#define SINGLES		21	/* local and one-link round trips */
#define LINE_CAP	65536	/* node 0's output read at once */
#define CMD		"calc 1"
#define ANSWER		"1"

/* The processes, for the cleanup (a signal handler reads these too). */
static pid_t kids[BENCH_MESH_MAX];
static volatile sig_atomic_t nkids;
static char dir[256], cfg0[300], cfg[300], logpath[300];
static const int caught[] = { SIGINT, SIGTERM, SIGHUP };
static int quiet;

struct mesh {
	int		 n;
	int		*port;		/* [n], ascending */
	int		 to0;		/* node 0's console */
	int		 from0;		/* its standard output */
	int		 hold;		/* the others' console: never written */
	int		 log;		/* every node's standard error */
	char		 buf[LINE_CAP + 1];
	size_t		 off, len;
	long long	 read_ns;	/* when buf last grew */
	unsigned char	*seen;		/* [n] results from each node */
};

/* What one console line brought, parsed as it comes. */
struct tally {
	const char	*cmd;
	int		 single;	/* no Done line: one result ends it */
	int		 status;	/* "system status": count nodes at LINKS */
	int		 results, wrong, twice, linked;
	int		 longest;	/* hops of the longest path */
	int		 done, done_n, done_ok, done_all;
	long		 done_ms;	/* the node's own figure */
	char		 why[256];	/* the first wrong line */
	char		 done_line[256];
	char		 other[256];	/* the last line of another kind */
};

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* SIGTERM to every node, SIGKILL to those still there after 3 s. */
static void
stop_nodes(void)
{
	long long end = now_ns() + 3000000000LL;
	struct timespec nap = { 0, 10000000 };
	int i, left;

	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			(void)kill(kids[i], SIGTERM);
	do {
		left = 0;
		for (i = 0; i < nkids; i++) {
			if (kids[i] > 0 && waitpid(kids[i], NULL, WNOHANG) != 0)
				kids[i] = 0;
			left += kids[i] > 0;
		}
		if (left > 0)
			nanosleep(&nap, NULL);
	} while (left > 0 && now_ns() < end);
	for (i = 0; i < nkids; i++)
		if (kids[i] > 0) {
			(void)kill(kids[i], SIGKILL);
			(void)waitpid(kids[i], NULL, 0);
		}
	nkids = 0;
}

static void
remove_files(void)
{
	if (dir[0] == '\0')
		return;
	(void)unlink(cfg0);
	(void)unlink(cfg);
	(void)unlink(logpath);
	(void)rmdir(dir);
}

static void
cleanup(void)
{
	stop_nodes();
	remove_files();
}

/* SIGINT, SIGTERM, SIGHUP: only async-signal-safe calls. */
static void
on_signal(int sig)
{
	int i;

	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			(void)kill(kids[i], SIGTERM);
	if (dir[0] != '\0') {
		(void)unlink(cfg0);
		(void)unlink(cfg);
		(void)unlink(logpath);
		(void)rmdir(dir);
	}
	_exit(128 + sig);
}

/* The last lines the nodes wrote on standard error, to say why. */
static void
show_log(void)
{
	char b[2048];
	FILE *fp;
	long size;
	size_t r;

	if (logpath[0] == '\0' || (fp = fopen(logpath, "r")) == NULL)
		return;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) > 0) {
		(void)fseek(fp, size > (long)sizeof(b) - 1 ? size -
		    ((long)sizeof(b) - 1) : 0, SEEK_SET);
		r = fread(b, 1, sizeof(b) - 1, fp);
		b[r] = '\0';
		fprintf(stderr, "kaipeer-bench: mesh: the nodes' last "
		    "messages:\n%s%s", b, r > 0 && b[r - 1] != '\n' ? "\n" : "");
	}
	fclose(fp);
}

static void
fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kaipeer-bench: mesh: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	show_log();
	exit(1);			/* cleanup() runs */
}

static void
cloexec(int fd)
{
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		fatal("fcntl: %s", strerror(errno));
}

/* A pipe whose ends the nodes do not inherit (dup2 in the child gives
 * them the one they are meant to have). */
static void
make_pipe(int fd[2])
{
	if (pipe(fd) == -1)
		fatal("pipe: %s", strerror(errno));
	cloexec(fd[0]);
	cloexec(fd[1]);
}

/* Is port free on 127.0.0.1 (as a node binds it, SO_REUSEADDR)? */
static int
port_free(int port)
{
	struct sockaddr_in a;
	int fd, one = 1, ok;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fatal("socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* n free ports from *next on, ascending; *next moves past them. */
static void
pick_ports(int *port, int n, int *next)
{
	int i;

	for (i = 0; i < n; i++) {
		while (*next <= 65535 && !port_free(*next))
			(*next)++;
		if (*next > 65535)
			fatal("not enough free ports for %d nodes (see -p)", n);
		port[i] = (*next)++;
	}
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) == EOF ||
	    fclose(fp) == EOF)
		fatal("%s: %s", path, strerror(errno));
}

/* Room for node 0's links, which the star takes to n, in every node. */
static void
raise_fd_limit(int n)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
	    need : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < need)
		fatal("node 0 needs %lu descriptors; the limit is %lu",
		    (unsigned long)need, (unsigned long)rl.rlim_cur);
}

/* Start node i: "kaipeer [-q] -p next -p chord config port". */
static void
spawn(struct mesh *m, const char *kaipeer, int i, int in, int out)
{
	char p1[32], p2[32], port[16];
	char *argv[10];
	int k = 0;
	pid_t pid;

	snprintf(p1, sizeof(p1), "127.0.0.1:%d", m->port[(i + 1) % m->n]);
	snprintf(p2, sizeof(p2), "127.0.0.1:%d", m->port[(i + CHORD) % m->n]);
	snprintf(port, sizeof(port), "%d", m->port[i]);
	argv[k++] = (char *)kaipeer;
	if (i > 0)
		argv[k++] = "-q";
	argv[k++] = "-p";
	argv[k++] = p1;
	argv[k++] = "-p";
	argv[k++] = p2;
	argv[k++] = i == 0 ? cfg0 : cfg;
	argv[k++] = port;
	argv[k] = NULL;
	if ((pid = fork()) == -1)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		for (k = 0; k < (int)(sizeof(caught) / sizeof(caught[0])); k++)
			signal(caught[k], SIG_DFL);	/* not on_signal() */
		if (dup2(in, 0) == -1 || dup2(out, 1) == -1 ||
		    dup2(m->log, 2) == -1)
			_exit(127);
		if (strchr(kaipeer, '/') != NULL)
			execv(kaipeer, argv);
		else
			execvp(kaipeer, argv);
		fprintf(stderr, "kaipeer-bench: mesh: %s: %s\n", kaipeer,
		    strerror(errno));
		_exit(127);
	}
	kids[nkids++] = pid;
}

/* A node that has ended is fatal: which one, and how. */
static void
check_alive(const struct mesh *m)
{
	pid_t pid;
	int st, i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < nkids && kids[i] != pid; i++)
			continue;
		if (i == nkids)
			continue;
		kids[i] = 0;
		if (WIFEXITED(st))
			fatal("node %d (port %d) exited with status %d", i,
			    m->port[i], WEXITSTATUS(st));
		fatal("node %d (port %d) was killed by signal %d", i,
		    m->port[i], WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	}
}

/*
 * The next line of node 0's output (NUL-terminated, its newline gone),
 * or NULL once deadline (ns) has passed.  A line longer than the buffer
 * comes in pieces.  The end of the output is fatal.
 */
static char *
next_line(struct mesh *m, long long deadline)
{
	struct pollfd pfd;
	long long left;
	ssize_t r;
	char *l, *nl;
	int rc;

	for (;;) {
		nl = memchr(m->buf + m->off, '\n', m->len - m->off);
		if (nl != NULL || m->len - m->off == LINE_CAP) {
			l = m->buf + m->off;
			if (nl == NULL)
				nl = m->buf + m->len;
			*nl = '\0';
			m->off = (size_t)(nl - m->buf) + (nl < m->buf + m->len);
			return l;
		}
		memmove(m->buf, m->buf + m->off, m->len - m->off);
		m->len -= m->off;
		m->off = 0;
		if ((left = deadline - now_ns()) <= 0)
			return NULL;
		pfd.fd = m->from0;
		pfd.events = POLLIN;
		/* Look at the nodes at least every 200 ms. */
		rc = poll(&pfd, 1, left > 200000000LL ? 200 :
		    (int)(left / 1000000) + 1);
		if (rc == -1 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (rc <= 0) {
			check_alive(m);
			continue;
		}
		r = read(m->from0, m->buf + m->len, LINE_CAP - m->len);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r == -1)
			fatal("reading node 0: %s", strerror(errno));
		if (r == 0) {
			check_alive(m);
			fatal("node 0 closed its standard output");
		}
		m->read_ns = now_ns();
		m->len += (size_t)r;
	}
}

/* The node a result's path ends at: "self" is node 0; -1 if none. */
static int
node_of(const struct mesh *m, const char *label, size_t len)
{
	const char *last = label, *p, *colon;
	int port, lo = 0, hi = m->n - 1, mid;

	for (p = label; p < label + len; p++)
		if (*p == '/')
			last = p + 1;
	len -= (size_t)(last - label);
	if (len == 4 && memcmp(last, "self", 4) == 0)
		return 0;
	if ((colon = memchr(last, ':', len)) == NULL)
		return -1;
	port = atoi(colon + 1);
	while (lo <= hi) {		/* the ports are ascending */
		mid = (lo + hi) / 2;
		if (m->port[mid] == port)
			return mid;
		if (m->port[mid] < port)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static void
note(struct tally *t, const char *l)
{
	if (t->why[0] == '\0')
		snprintf(t->why, sizeof(t->why), "\"%.200s\"", l);
}

/* One "Result from <path> for command '<cmd>': <text>". */
static void
on_result_line(struct mesh *m, struct tally *t, char *l)
{
	size_t clen = strlen(t->cmd);
	char *label = l + 12, *p, *text, *c;
	int k, hops = 1;

	if ((p = strstr(label, " for command '")) == NULL ||
	    strncmp(p + 14, t->cmd, clen) != 0 ||
	    strncmp(p + 14 + clen, "': ", 3) != 0) {
		t->wrong++;
		note(t, l);
		return;
	}
	text = p + 14 + clen + 3;
	t->results++;
	for (c = label; c < p; c++)
		hops += *c == '/';
	if (hops > t->longest && strncmp(label, "self ", 5) != 0)
		t->longest = hops;
	if (t->status ? strstr(text, ", 4 peers,") != NULL :
	    strcmp(text, ANSWER) == 0)
		t->linked += t->status;
	else if (!t->status) {
		t->wrong++;
		note(t, l);
	}
	if ((k = node_of(m, label, (size_t)(p - label))) == -1) {
		t->wrong++;
		note(t, l);
	} else if (m->seen[k]++ > 0)
		t->twice++;
	if (t->single)
		t->done = 1;
}

/* "Done '<cmd>' on N nodes in S.CC s: K ok, ..." */
static void
on_done_line(struct tally *t, const char *l)
{
	size_t clen = strlen(t->cmd);
	long s = 0, cs = 0;
	char what[16];

	t->done = 1;
	snprintf(t->done_line, sizeof(t->done_line), "%.250s", l);
	if (strncmp(l + 6, t->cmd, clen) != 0 ||
	    sscanf(l + 6 + clen, "' on %d %15s in %ld.%ld s: %d ok",
	    &t->done_n, what, &s, &cs, &t->done_ok) != 5) {
		t->wrong++;
		note(t, l);
		return;
	}
	t->done_ms = s * 1000 + cs * 10;
	t->done_all = strstr(l, " (every node reached answered)") != NULL;
}

/*
 * Type line on node 0's console and read its output until the line's
 * end (t->single: its one result; else its Done line), filling t: the
 * time from the write to the read of that last line, in ns.  No end in
 * QUERY_NS is fatal.
 */
static long long
type_line(struct mesh *m, const char *line, struct tally *t)
{
	char cmdline[256];
	long long t0, deadline;
	ssize_t w;
	size_t len;
	char *l;

	check_alive(m);
	memset(m->seen, 0, (size_t)m->n);
	len = (size_t)snprintf(cmdline, sizeof(cmdline), "%s\n", line);
	t0 = now_ns();
	deadline = t0 + QUERY_NS;
	do
		w = write(m->to0, cmdline, len);
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)len)
		fatal("writing to node 0's console: %s", w == -1 ?
		    strerror(errno) : "short write");
	while (!t->done) {
		if ((l = next_line(m, deadline)) == NULL)
			fatal("'%s': no end in %lld s (%d results so far)",
			    line, QUERY_NS / 1000000000LL, t->results);
		if (strncmp(l, "Result from ", 12) == 0)
			on_result_line(m, t, l);
		else if (strncmp(l, "Result: ", 8) == 0) {
			t->results++;
			if (strcmp(l + 8, ANSWER) != 0) {
				t->wrong++;
				note(t, l);
			}
			t->done = t->single;
		} else if (strncmp(l, "Done '", 6) == 0)
			on_done_line(t, l);
		else if (strncmp(l, "Sent command '", 14) != 0)
			snprintf(t->other, sizeof(t->other), "%.250s", l);
	}
	return m->read_ns - t0;
}

static void
tally_init(struct tally *t, const char *cmd, int single, int status)
{
	memset(t, 0, sizeof(*t));
	t->cmd = cmd;
	t->single = single;
	t->status = status;
}

/* Did a "@**" or "@*" bring one right result from each of want nodes
 * (first the node the list starts from), as its Done line says too?
 * NULL, or why not. */
static const char *
complete(const struct mesh *m, const struct tally *t, int first, int want,
    int flood)
{
	static char why[1000];
	size_t k;
	int i;

	if (t->wrong > 0)
		snprintf(why, sizeof(why), "%d wrong lines, the first %s",
		    t->wrong, t->why);
	else if (t->results == want && t->twice == 0 && t->done_n == want &&
	    t->done_ok == want && (!flood || t->done_all))
		return NULL;
	else {
		k = (size_t)snprintf(why, sizeof(why), "%d results from %d "
		    "nodes, %d of them more than once; none from node",
		    t->results, want, t->twice);
		for (i = first; i < first + want && k < sizeof(why) - 60; i++)
			if (m->seen[i] == 0)
				k += (size_t)snprintf(why + k, sizeof(why) - k,
				    " %d", i);
		snprintf(why + k, sizeof(why) - k, "; \"%s\"%s%s%s",
		    t->done_line, t->other[0] != '\0' ? " (before it: \"" :
		    "", t->other, t->other[0] != '\0' ? "\")" : "");
	}
	return why;
}

/* How many hops from node 0 to the farthest node (breadth first). */
static int
depth(int n)
{
	int *dist, *queue, head = 0, tail = 0, i, j, k, far = 0;
	int step[LINKS] = { 1, CHORD, -1, -CHORD };

	if ((dist = malloc((size_t)n * sizeof(int))) == NULL ||
	    (queue = malloc((size_t)n * sizeof(int))) == NULL)
		fatal("out of memory");
	for (i = 0; i < n; i++)
		dist[i] = -1;
	dist[0] = 0;
	queue[tail++] = 0;
	while (head < tail) {
		i = queue[head++];
		for (k = 0; k < LINKS; k++) {
			j = ((i + step[k]) % n + n) % n;
			if (dist[j] == -1) {
				dist[j] = dist[i] + 1;
				far = dist[j];
				queue[tail++] = j;
			}
		}
	}
	free(dist);
	free(queue);
	return far;
}

/* ", load average a b c" where /proc says (Linux), and the newline. */
static void
print_load(void)
{
	double a[3];
	FILE *fp;

	if ((fp = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(fp, "%lf %lf %lf", &a[0], &a[1], &a[2]) == 3)
			printf("; load average %.2f %.2f %.2f", a[0], a[1],
			    a[2]);
		fclose(fp);
	}
	printf("\n");
}

static int
by_value(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long
median(long long *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return v[n / 2];
}

/* Start the n nodes; return once every node has its LINKS links. */
static void
start(struct mesh *m, const char *kaipeer, int *next_port)
{
	struct timespec nap = { 0, 50000000 };
	int in0[2], out0[2], hold[2], i, tries = 0;
	long long t0, deadline;
	struct tally t;

	pick_ports(m->port, m->n, next_port);
	make_pipe(in0);
	make_pipe(out0);
	make_pipe(hold);
	t0 = now_ns();
	spawn(m, kaipeer, 0, in0[0], out0[1]);
	for (i = 1; i < m->n; i++)
		spawn(m, kaipeer, i, hold[0], m->log);
	close(in0[0]);
	close(out0[1]);
	close(hold[0]);
	m->to0 = in0[1];
	m->from0 = out0[0];
	m->hold = hold[1];
	m->off = m->len = 0;
	if (fcntl(m->from0, F_SETFL, fcntl(m->from0, F_GETFL) |
	    O_NONBLOCK) == -1)
		fatal("fcntl: %s", strerror(errno));
	/* Every node answers, and says it has all its links. */
	deadline = t0 + READY_NS;
	for (;;) {
		tally_init(&t, "system status", 0, 1);
		(void)type_line(m, "@** system status", &t);
		tries++;
		if (t.results == m->n && t.linked == m->n &&
		    complete(m, &t, 0, m->n, 1) == NULL)
			break;
		if (now_ns() > deadline)
			fatal("%d nodes: after %lld s, %d answered and %d had "
			    "their %d links", m->n, READY_NS / 1000000000LL,
			    t.results, t.linked, LINKS);
		nanosleep(&nap, NULL);
	}
	if (!quiet)
		printf("mesh: %d nodes on ports %d-%d, %d links, all up %.2f s "
		    "after the first start (%d '@** system status')\n", m->n,
		    m->port[0], m->port[m->n - 1], m->n * LINKS / 2,
		    (now_ns() - t0) / 1e9, tries);
}

/*
 * The median round trip (ns) of SINGLES "calc 1", one at a time, from a
 * node made here from the library to node 1; the first, which waits for
 * the link, is not counted.
 */
static long long
one_link(const struct mesh *m)
{
	struct kaipeer_node *k;
	long long t[SINGLES], dt;
	char why[256];
	int i;

	if ((k = kaipeer_new()) == NULL || kaipeer_set_listen(k, 0) == -1 ||
	    kaipeer_add_peer(k, "127.0.0.1", m->port[1]) == -1 ||
	    kaipeer_start(k) != 0)
		fatal("cannot start the bench's own node");
	for (i = -1; i < SINGLES; i++) {
		if ((dt = bench_round_trip(k, "0", CMD, ANSWER, 1, why,
		    sizeof(why))) < 0)
			fatal("'%s' over one link to node 1: %s", CMD, why);
		if (i >= 0)
			t[i] = dt;
	}
	kaipeer_stop(k);
	while (kaipeer_step(k, 100) != -1)
		continue;
	kaipeer_free(k);
	return median(t, SINGLES);
}

/* Tell node 0 to dial every node it has no link to; wait for them. */
static void
star(struct mesh *m)
{
	long long deadline = now_ns() + READY_NS;
	char line[64];
	int i, want = 0, got = 0, d;
	ssize_t w;
	char *l;

	for (i = 1; i < m->n; i++) {
		d = i < m->n - i ? i : m->n - i;
		if (d == 1 || d == CHORD)
			continue;	/* linked already */
		snprintf(line, sizeof(line), "connect 127.0.0.1 %d\n",
		    m->port[i]);
		w = write(m->to0, line, strlen(line));
		if (w != (ssize_t)strlen(line))
			fatal("writing to node 0's console: %s", w == -1 ?
			    strerror(errno) : "short write");
		want++;
	}
	while (got < want) {
		if ((l = next_line(m, deadline)) == NULL)
			fatal("node 0 connected to %d of %d nodes in %lld s",
			    got, want, READY_NS / 1000000000LL);
		got += strncmp(l, "Connected to peer: ", 19) == 0;
	}
}

static void
one_size(int n, const struct bench_opts *o, const char *kaipeer,
    int *next_port, int log)
{
	struct mesh m;
	struct tally t;
	long long *flood, *fan, *node, *path, local[SINGLES], hop;
	long i, runs = o->requests;
	const char *why;
	char which[32];
	int hops;

	memset(&m, 0, sizeof(m));
	m.n = n;
	m.log = log;
	if ((m.port = calloc((size_t)n, sizeof(int))) == NULL ||
	    (m.seen = calloc((size_t)n, 1)) == NULL ||
	    (flood = calloc((size_t)runs, sizeof(*flood))) == NULL ||
	    (node = calloc((size_t)runs, sizeof(*node))) == NULL ||
	    (path = calloc((size_t)runs, sizeof(*path))) == NULL ||
	    (fan = calloc((size_t)runs, sizeof(*fan))) == NULL)
		fatal("out of memory");
	hops = depth(n);
	start(&m, kaipeer, next_port);

	for (i = -1; i < runs; i++) {		/* -1: a warm-up */
		tally_init(&t, CMD, 0, 0);
		flood[i < 0 ? 0 : i] = type_line(&m, "@** " CMD, &t);
		if (i < 0)
			snprintf(which, sizeof(which), "the warm-up");
		else
			snprintf(which, sizeof(which), "run %ld", i + 1);
		if ((why = complete(&m, &t, 0, n, 1)) != NULL)
			fatal("%d nodes, %s of '@** %s': %s; the longest path "
			    "a result came by: %d hops, where the farthest node "
			    "is %d away%s", n, which, CMD, why, t.longest, hops,
			    t.longest >= FRAMES_MAX_FLOOD_HOPS ? " (the hop "
			    "limit: a node takes a flood on from the first "
			    "link it comes by, with the hops left that way, "
			    "and passes on no more)" : "");
		if (i >= 0) {
			node[i] = t.done_ms;
			path[i] = t.longest;
		}
	}
	for (i = 0; i < SINGLES; i++) {
		tally_init(&t, CMD, 1, 0);
		local[i] = type_line(&m, CMD, &t);
		if (t.wrong > 0 || t.results != 1)
			fatal("'%s' on node 0: %s", CMD, t.why);
	}
	hop = one_link(&m);
	star(&m);
	for (i = 0; i < runs; i++) {
		tally_init(&t, CMD, 0, 0);
		fan[i] = type_line(&m, "@* " CMD, &t);
		if ((why = complete(&m, &t, 1, n - 1, 0)) != NULL)
			fatal("%d nodes, run %ld of '@* %s': %s", n, i + 1,
			    CMD, why);
	}
	close(m.to0);
	close(m.hold);
	close(m.from0);
	stop_nodes();

	qsort(flood, (size_t)runs, sizeof(*flood), by_value);
	qsort(fan, (size_t)runs, sizeof(*fan), by_value);
	qsort(path, (size_t)runs, sizeof(*path), by_value);
	if (o->csv)
		printf("mesh,%d,%d,%d,%ld,%.3f,%.3f,%d,%lld,%lld,%lld,%.3f,"
		    "%d,%.3f,%.3f,%.1f\n", n, LINKS, hops, runs,
		    flood[runs / 2] / 1e6, flood[0] / 1e6, n,
		    median(node, runs), path[runs / 2], path[runs - 1],
		    median(local, SINGLES) / 1e6, n - 1, fan[runs / 2] / 1e6,
		    fan[0] / 1e6, hop / 1e3);
	else {
		printf("@** on %d nodes (<=%d links each, %d hops deep): "
		    "median %.3f ms, best %.3f ms, %d/%d answered, %ld runs "
		    "(node 0's Done line: %.2f s)\n", n, LINKS, hops,
		    flood[runs / 2] / 1e6, flood[0] / 1e6, n, n, runs,
		    median(node, runs) / 1e3);
		printf("    the longest path a result came back by: median "
		    "%lld hops, at most %lld (a flood goes at most %d)\n",
		    path[runs / 2], path[runs - 1], FRAMES_MAX_FLOOD_HOPS);
		printf("    same console: '%s' on node 0 itself median %.3f "
		    "ms (%d runs); '@* %s' to %d peers linked directly "
		    "median %.3f ms, best %.3f ms\n", CMD,
		    median(local, SINGLES) / 1e6, SINGLES, CMD, n - 1,
		    fan[runs / 2] / 1e6, fan[0] / 1e6);
		printf("    one hop, no console: '%s' from a library node to "
		    "node 1 and back, median %.1f us (%d runs)\n", CMD,
		    hop / 1e3, SINGLES);
	}
	fflush(stdout);
	free(m.port);
	free(m.seen);
	free(flood);
	free(node);
	free(path);
	free(fan);
}

void
bench_mesh(const struct bench_opts *o, const int *sizes, int nsizes,
    int base_port, const char *kaipeer)
{
	struct sigaction sa;
	const char *tmp = getenv("TMPDIR");
	int i, log, next = base_port, largest = 0;

	quiet = o->quiet || o->csv;
	for (i = 0; i < nsizes; i++)
		if (sizes[i] > largest)
			largest = sizes[i];
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < (int)(sizeof(caught) / sizeof(caught[0])); i++)
		(void)sigaction(caught[i], &sa, NULL);
	if (atexit(cleanup) != 0)
		fatal("atexit failed");
	raise_fd_limit(largest);

	snprintf(dir, sizeof(dir), "%s/kaipeer-bench-mesh.XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 200 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		dir[0] = '\0';
		fatal("mkdtemp: %s", strerror(errno));
	}
	snprintf(cfg0, sizeof(cfg0), "%s/node0.json", dir);
	snprintf(cfg, sizeof(cfg), "%s/node.json", dir);
	snprintf(logpath, sizeof(logpath), "%s/nodes.log", dir);
	/*
	 * "interactive": a node exits at the end of its console's input.
	 * Node 0 takes the star's links too; reconnectMax is short since
	 * nodes dial one another as they start, some before the other
	 * listens.
	 */
	write_file(cfg0, "{\"interactive\": true, \"history\": false, "
	    "\"maxPeers\": 2000, \"reconnectMax\": 0.5}\n");
	write_file(cfg, "{\"interactive\": true, \"history\": false, "
	    "\"maxPeers\": 16, \"reconnectMax\": 0.5}\n");
	if ((log = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1)
		fatal("%s: %s", logpath, strerror(errno));
	cloexec(log);

	if (!quiet) {
		printf("network-wide query: N kaipeer nodes (%s) on 127.0.0.1, "
		    "node i dialling i+1 and i+%d (mod N), 4 links each; "
		    "'@** %s' typed on node 0's console, timed from the write "
		    "to the read of its Done line", kaipeer, CHORD, CMD);
		print_load();
	}
	for (i = 0; i < nsizes; i++)
		one_size(sizes[i], o, kaipeer, &next, log);
	close(log);
}
