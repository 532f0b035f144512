/*
 * harness: child processes, their output, and a raw protocol client for
 * the integration tests (the contract is in harness.h).
 *
 * Every file descriptor the test process keeps is close-on-exec, so a
 * child inherits only its own three pipes: closing a child's stdin really
 * gives it EOF, and the guardian's pipe reaches EOF exactly when the test
 * process is gone.  The guardian is forked before any other pipe exists,
 * so it holds none of them either, and it moves to its own process group
 * so that Check's killpg() of the test's group cannot stop it before it
 * has removed the temporary files.  SIGPIPE is ignored in the test process
 * (a write to a dead child fails with EPIPE instead) and restored to the
 * default in each child before exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>

#include "harness.h"

#define MAX_FILES	64
#define MAX_PORTS	64
#define PORT_BASE	20000	/* below Linux's and BSDs' ephemeral ranges */
#define PORT_SPAN	12000
#define BACKOFF_MS	20	/* longest sleep of a wait loop */
#define RAW_MAX_FRAME	((size_t)1 << 30)

static struct h_proc *procs[H_MAX_PROCS];
static int nprocs;
static char *files[MAX_FILES];
static int nfiles;
static int ports[MAX_PORTS];
static int nports;
static unsigned port_next;
static int guard_fd = -1;
static pid_t guard_pid;

/* --- small helpers ------------------------------------------------------- */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
left_ms(long long deadline)
{
	long long d = deadline - now_ms();

	return d < 0 ? 0 : d > INT_MAX ? INT_MAX : (int)d;
}

static void
cloexec(int fd)
{
	(void)fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

static void
nonblock(int fd)
{
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void
init(void)
{
	static int done;

	if (!done) {
		signal(SIGPIPE, SIG_IGN);
		done = 1;
	}
}

/* --- the guardian --------------------------------------------------------- */

/*
 * The guardian's whole life: read "P pid", "R pid", "F path" and "U path"
 * lines until EOF, then kill the pids and unlink the paths still listed.
 */
static void
guard_run(int fd)
{
	static pid_t pids[256];
	static char paths[MAX_FILES][PATH_MAX];
	char buf[PATH_MAX + 16], *nl;
	size_t len = 0;
	ssize_t n;
	int npids = 0, npaths = 0, i;

	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		while ((nl = memchr(buf, '\n', len)) != NULL) {
			*nl = '\0';
			if (buf[0] == 'P' && npids < 256)
				pids[npids++] = (pid_t)atol(buf + 2);
			for (i = 0; buf[0] == 'R' && i < npids; i++)
				if (pids[i] == (pid_t)atol(buf + 2))
					pids[i] = 0;
			if (buf[0] == 'F' && npaths < MAX_FILES &&
			    strlen(buf + 2) < PATH_MAX)
				memcpy(paths[npaths++], buf + 2,
				    strlen(buf + 2) + 1);
			for (i = 0; buf[0] == 'U' && i < npaths; i++)
				if (strcmp(paths[i], buf + 2) == 0)
					paths[i][0] = '\0';
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) - 1)
			len = 0;	/* cannot happen: lines are short */
	}
	for (i = 0; i < npids; i++)
		if (pids[i] > 0)
			(void)kill(pids[i], SIGKILL);
	for (i = 0; i < npaths; i++)
		if (paths[i][0] != '\0')
			(void)unlink(paths[i]);
}

static void
guard_start(void)
{
	int fds[2], fd, max;
	pid_t pid;

	init();
	if (guard_fd != -1 || pipe(fds) == -1)
		return;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		(void)setpgid(0, 0);
		signal(SIGINT, SIG_IGN);
		max = (int)sysconf(_SC_OPEN_MAX);
		if (max < 0 || max > 4096)
			max = 4096;
		for (fd = 3; fd < max; fd++)
			if (fd != fds[0])
				(void)close(fd);
		guard_run(fds[0]);
		_exit(0);
	}
	close(fds[0]);
	cloexec(fds[1]);
	guard_fd = fds[1];
	guard_pid = pid;
}

static void
guard_tell(char what, const char *text)
{
	char line[PATH_MAX + 8];
	int n;

	if (guard_fd == -1)
		return;
	n = snprintf(line, sizeof(line), "%c %s\n", what, text);
	if (n > 0 && n < (int)sizeof(line))
		(void)write(guard_fd, line, (size_t)n);	/* < PIPE_BUF: atomic */
}

static void
guard_pid_tell(char what, pid_t pid)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", (long)pid);
	guard_tell(what, num);
}

/* --- temporary files ----------------------------------------------------- */

const char *
h_file(const char *fmt, ...)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	va_list ap;
	FILE *fp;
	size_t size;
	int fd, rc;

	guard_start();
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	size = strlen(dir) + sizeof("/kaipeer-test.XXXXXX");
	if (nfiles == MAX_FILES || (path = malloc(size)) == NULL)
		return NULL;
	snprintf(path, size, "%s/kaipeer-test.XXXXXX", dir);
	if ((fd = mkstemp(path)) == -1) {
		free(path);
		return NULL;
	}
	files[nfiles++] = path;
	guard_tell('F', path);
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return NULL;
	}
	va_start(ap, fmt);
	rc = vfprintf(fp, fmt, ap);
	va_end(ap);
	if (fclose(fp) != 0 || rc < 0)
		return NULL;
	return path;
}

/* --- children ------------------------------------------------------------ */

/*
 * Exec argv in the child.  "./kaipeer" may be swapped for another build
 * (KAIPEER_BIN, e.g. one with sanitizers) and run under a wrapper
 * (KAIPEER_WRAP, e.g. "valgrind -q"), so the same suite checks them all.
 */
static void
exec_child(const char *const argv[])
{
	const char *bin = getenv("KAIPEER_BIN"), *wrap = getenv("KAIPEER_WRAP");
	const char *args[64];
	char script[512];
	int i, n = 0;

	if (strcmp(argv[0], "./kaipeer") != 0) {
		execv(argv[0], (char *const *)argv);
		return;
	}
	if (bin == NULL || bin[0] == '\0')
		bin = argv[0];
	if (wrap == NULL || wrap[0] == '\0') {
		execv(bin, (char *const *)argv);
		return;
	}
	snprintf(script, sizeof(script), "exec %s \"$@\"", wrap);
	args[n++] = "/bin/sh";
	args[n++] = "-c";
	args[n++] = script;
	args[n++] = "sh";
	args[n++] = bin;
	for (i = 1; argv[i] != NULL && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	execv(args[0], (char *const *)args);
}

/*
 * Did a child report a memory error?  AddressSanitizer, LeakSanitizer and
 * UndefinedBehaviorSanitizer print these, and tests/valgrind.sh has
 * valgrind mark each of its errors with "KAIPEER-VALGRIND-ERROR".
 */
static const char *
memory_report(const struct h_proc *p)
{
	static const char *const marks[] = {
		"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
		"runtime error:", "KAIPEER-VALGRIND-ERROR", NULL
	};
	int i;

	for (i = 0; marks[i] != NULL; i++)
		if (p->out[H_ERR].buf != NULL &&
		    strstr(p->out[H_ERR].buf, marks[i]) != NULL)
			return marks[i];
	return NULL;
}

struct h_proc *
h_start(const char *name, const char *const argv[])
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	struct h_proc *p;
	pid_t pid;
	int i;

	guard_start();
	if (nprocs == H_MAX_PROCS || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (pipe(in) == -1 || pipe(out) == -1 || pipe(err) == -1)
		goto fail;
	/* The test's ends must not leak into this or any later child. */
	cloexec(in[1]);
	cloexec(out[0]);
	cloexec(err[0]);
	if ((pid = fork()) == -1)
		goto fail;
	if (pid == 0) {
		if (dup2(in[0], 0) == -1 || dup2(out[1], 1) == -1 ||
		    dup2(err[1], 2) == -1)
			_exit(127);
		close(in[0]);
		close(out[1]);
		close(err[1]);
		signal(SIGPIPE, SIG_DFL);
		exec_child(argv);
		fprintf(stderr, "harness: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	guard_pid_tell('P', pid);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	nonblock(in[1]);
	nonblock(out[0]);
	nonblock(err[0]);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->pid = pid;
	p->in_fd = in[1];
	p->out[H_OUT].fd = out[0];
	p->out[H_ERR].fd = err[0];
	procs[nprocs++] = p;
	return p;
fail:
	for (i = 0; i < 2; i++) {
		if (in[i] != -1)
			close(in[i]);
		if (out[i] != -1)
			close(out[i]);
		if (err[i] != -1)
			close(err[i]);
	}
	free(p);
	return NULL;
}

struct h_proc *
h_peer(const char *name, const char *config)
{
	const char *path = h_file("%s", config);
	const char *argv[3];

	if (path == NULL)
		return NULL;
	argv[0] = "./kaipeer";
	argv[1] = path;
	argv[2] = NULL;
	return h_start(name, argv);
}

/* Read what b's pipe holds; close it at EOF. */
static void
drain(struct h_buf *b)
{
	char *nb;
	ssize_t n;

	while (b->fd != -1) {
		if (b->cap - b->len < 4096) {
			nb = realloc(b->buf, b->cap * 2 + 8192);
			if (nb == NULL)
				return;
			if (b->len == 0)
				nb[0] = '\0';	/* a string even if empty */
			b->buf = nb;
			b->cap = b->cap * 2 + 8192;
		}
		n = read(b->fd, b->buf + b->len, b->cap - b->len - 1);
		if (n > 0) {
			b->len += (size_t)n;
			b->buf[b->len] = '\0';
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		close(b->fd);
		b->fd = -1;
	}
}

void
h_pump(int ms)
{
	struct pollfd pfd[H_MAX_PROCS * 2];
	struct h_buf *which[H_MAX_PROCS * 2];
	int i, s, n = 0;

	for (i = 0; i < nprocs; i++)
		for (s = 0; s < 2; s++)
			if (procs[i]->out[s].fd != -1 &&
			    (!procs[i]->hold[s] || procs[i]->pid == 0)) {
				pfd[n].fd = procs[i]->out[s].fd;
				pfd[n].events = POLLIN;
				which[n++] = &procs[i]->out[s];
			}
	if (poll(pfd, (nfds_t)n, ms) <= 0)
		return;
	for (i = 0; i < n; i++)
		if (pfd[i].revents != 0)
			drain(which[i]);
}

/*
 * Find the first whole line of b from b->pos that contains text (any line
 * when text is NULL); copy it to p->line and move b->pos past it.
 */
static const char *
find_line(struct h_proc *p, struct h_buf *b, const char *text)
{
	char *start, *nl;
	size_t n;

	if (b->buf == NULL)
		return NULL;
	for (start = b->buf + b->pos;
	    (nl = memchr(start, '\n', (size_t)(b->buf + b->len - start)))
	    != NULL; start = nl + 1) {
		*nl = '\0';
		if (text == NULL || strstr(start, text) != NULL) {
			n = (size_t)(nl - start);
			if (n >= sizeof(p->line))
				n = sizeof(p->line) - 1;
			memcpy(p->line, start, n);
			p->line[n] = '\0';
			*nl = '\n';
			b->pos = (size_t)(nl + 1 - b->buf);
			return p->line;
		}
		*nl = '\n';
	}
	return NULL;
}

static const char *
wait_line(struct h_proc *p, enum h_stream s, const char *text, int ms)
{
	long long deadline = now_ms() + ms;
	struct h_buf *b = &p->out[s];
	const char *line;
	int eof;

	for (;;) {
		eof = b->fd == -1;
		if ((line = find_line(p, b, text)) != NULL)
			return line;
		if (eof || left_ms(deadline) == 0)
			return NULL;
		h_pump(left_ms(deadline) < BACKOFF_MS * 5 ?
		    left_ms(deadline) : BACKOFF_MS * 5);
	}
}

const char *
h_expect(struct h_proc *p, enum h_stream s, const char *text, int ms)
{
	return wait_line(p, s, text, ms);
}

const char *
h_line(struct h_proc *p, enum h_stream s, int ms)
{
	return wait_line(p, s, NULL, ms);
}

size_t
h_mark(const struct h_proc *p, enum h_stream s)
{
	return p->out[s].pos;
}

int
h_count(const struct h_proc *p, enum h_stream s, size_t mark,
    const char *text)
{
	const struct h_buf *b = &p->out[s];
	const char *start, *nl;
	char line[4096];
	size_t n;
	int count = 0;

	if (b->buf == NULL || mark > b->len)
		return 0;
	for (start = b->buf + mark;
	    (nl = memchr(start, '\n', (size_t)(b->buf + b->len - start)))
	    != NULL; start = nl + 1) {
		n = (size_t)(nl - start);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, start, n);
		line[n] = '\0';
		if (strstr(line, text) != NULL)
			count++;
	}
	return count;
}

int
h_send_raw(struct h_proc *p, const char *bytes, size_t len)
{
	long long deadline = now_ms() + H_WAIT;
	struct pollfd pfd;
	ssize_t n;

	while (len > 0) {
		if (p->in_fd == -1)
			return -1;
		n = write(p->in_fd, bytes, len);
		if (n > 0) {
			bytes += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
		if (left_ms(deadline) == 0)
			return -1;
		/* The child reads slowly: keep its output moving meanwhile. */
		h_pump(0);
		pfd.fd = p->in_fd;
		pfd.events = POLLOUT;
		(void)poll(&pfd, 1, BACKOFF_MS);
	}
	return 0;
}

int
h_send(struct h_proc *p, const char *line)
{
	if (h_send_raw(p, line, strlen(line)) == -1)
		return -1;
	return h_send_raw(p, "\n", 1);
}

void
h_close_stdin(struct h_proc *p)
{
	if (p->in_fd != -1) {
		close(p->in_fd);
		p->in_fd = -1;
	}
}

/* p has exited with wait status st: record it and take its last output. */
static void
reaped(struct h_proc *p, int st)
{
	long long deadline = now_ms() + 1000;

	guard_pid_tell('R', p->pid);
	p->pid = 0;
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) :
	    WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
	h_close_stdin(p);
	while ((p->out[H_OUT].fd != -1 || p->out[H_ERR].fd != -1) &&
	    left_ms(deadline) > 0)
		h_pump(BACKOFF_MS);
}

int
h_wait(struct h_proc *p, int ms)
{
	long long deadline = now_ms() + ms;
	pid_t r;
	int st;

	while (p->pid != 0) {
		r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid) {
			reaped(p, st);
			break;
		}
		if (r == -1 && errno != EINTR)
			return -1;
		if (left_ms(deadline) == 0)
			return -1;
		h_pump(left_ms(deadline) < BACKOFF_MS ? left_ms(deadline) :
		    BACKOFF_MS);
	}
	return p->status;
}

void
h_hold(struct h_proc *p, enum h_stream s, int hold)
{
	p->hold[s] = hold;
}

void
h_signal(struct h_proc *p, int sig)
{
	if (p->pid != 0)
		(void)kill(p->pid, sig);
}

void
h_kill(struct h_proc *p)
{
	int st;

	if (p->pid == 0)
		return;
	(void)kill(p->pid, SIGKILL);
	while (waitpid(p->pid, &st, 0) == -1 && errno == EINTR)
		;
	reaped(p, st);
}

static void
dump_text(const char *what, const char *name, const struct h_buf *b)
{
	fprintf(stderr, "----- %s of %s (%lu bytes) -----\n%s", what, name,
	    (unsigned long)b->len, b->buf != NULL ? b->buf : "");
	if (b->len > 0 && b->buf[b->len - 1] != '\n')
		fputc('\n', stderr);
}

void
h_dump(void)
{
	int i;

	h_pump(0);
	for (i = 0; i < nprocs; i++) {
		dump_text("stdout", procs[i]->name, &procs[i]->out[H_OUT]);
		dump_text("stderr", procs[i]->name, &procs[i]->out[H_ERR]);
	}
	fprintf(stderr, "----- end of logs -----\n");
}

void
h_cleanup(void)
{
	struct h_proc *p;
	const char *report = NULL;
	char who[32];
	int i, s, st;

	for (i = 0; i < nprocs; i++)
		h_kill(procs[i]);	/* h_kill() pumps every child */
	for (i = 0; i < nprocs && report == NULL; i++)
		if ((report = memory_report(procs[i])) != NULL) {
			snprintf(who, sizeof(who), "%s", procs[i]->name);
			h_dump();
		}
	for (i = 0; i < nprocs; i++) {
		p = procs[i];
		for (s = 0; s < 2; s++) {
			if (p->out[s].fd != -1)
				close(p->out[s].fd);
			free(p->out[s].buf);
		}
		free(p);
		procs[i] = NULL;
	}
	nprocs = 0;
	for (i = 0; i < nfiles; i++) {
		(void)unlink(files[i]);
		guard_tell('U', files[i]);
		free(files[i]);
	}
	nfiles = 0;
	nports = 0;
	if (guard_fd != -1) {
		close(guard_fd);
		guard_fd = -1;
		while (waitpid(guard_pid, &st, 0) == -1 && errno == EINTR)
			;
	}
	if (report != NULL)
		ck_abort_msg("%s reported a memory error (\"%s\"); its output "
		    "is above", who, report);
}

/* --- ports --------------------------------------------------------------- */

/* Can a listener bind port on family's wildcard, as kaipeer would? */
static int
bindable(int family, int port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr *sa;
	socklen_t salen;
	int fd, one = 1, ok;

	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		return errno == EAFNOSUPPORT;	/* no IPv6: nothing to clash */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	} else {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((unsigned short)port);
		sin6.sin6_addr = in6addr_any;
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	}
	ok = bind(fd, sa, salen) == 0 && listen(fd, 1) == 0;
	close(fd);
	return ok;
}

int
h_port(void)
{
	int i, port, tries, used;

	if (port_next == 0)
		port_next = (unsigned)getpid() * 7919u;
	for (tries = 0; tries < PORT_SPAN && nports < MAX_PORTS; tries++) {
		port = PORT_BASE + (int)(port_next++ % PORT_SPAN);
		for (used = 0, i = 0; i < nports; i++)
			used |= ports[i] == port;
		if (!used && bindable(AF_INET, port) &&
		    bindable(AF_INET6, port)) {
			ports[nports++] = port;
			return port;
		}
	}
	return -1;
}

/* --- the raw client ------------------------------------------------------ */

static void
loopback(struct sockaddr_in *sin, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

int
h_listen(int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	init();
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	cloexec(fd);
	nonblock(fd);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	loopback(&sin, port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 8) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
h_raw_accept(struct h_raw *r, int fd, int ms)
{
	long long deadline = now_ms() + ms;
	struct pollfd pfd;

	memset(r, 0, sizeof(*r));
	for (;;) {
		if ((r->fd = accept(fd, NULL, NULL)) != -1) {
			cloexec(r->fd);
			nonblock(r->fd);
			return 0;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			return -1;
		if (left_ms(deadline) == 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		h_pump(0);
		(void)poll(&pfd, 1, left_ms(deadline) < BACKOFF_MS ?
		    left_ms(deadline) : BACKOFF_MS);
	}
}

int
h_raw_connect(struct h_raw *r, int port, int ms)
{
	return h_raw_connect_from(r, port, 0, ms);
}

int
h_raw_connect_from(struct h_raw *r, int port, int src_port, int ms)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int err = 0, one = 1;

	init();
	memset(r, 0, sizeof(*r));
	if ((r->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	cloexec(r->fd);
	nonblock(r->fd);
	if (src_port != 0) {
		(void)setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		loopback(&sin, src_port);
		if (bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			goto fail;
	}
	loopback(&sin, port);
	if (connect(r->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = r->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, ms) != 1 ||
		    getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0)
			goto fail;
	}
	return 0;
fail:
	close(r->fd);
	r->fd = -1;
	return -1;
}

int
h_raw_send(struct h_raw *r, const void *bytes, size_t len)
{
	long long deadline = now_ms() + H_WAIT;
	const unsigned char *b = bytes;
	struct pollfd pfd;
	ssize_t n;

	while (len > 0) {
		n = send(r->fd, b, len, 0);
		if (n > 0) {
			b += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
		if (left_ms(deadline) == 0)
			return -1;
		pfd.fd = r->fd;
		pfd.events = POLLOUT;
		(void)poll(&pfd, 1, BACKOFF_MS);
	}
	return 0;
}

int
h_raw_hello(struct h_raw *r, unsigned port, const char *name,
    const unsigned char id[PROTO_NODE_ID])
{
	struct proto_hello h;
	unsigned char buf[PROTO_MAX_HELLO];
	long n;

	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.port = port;
	memcpy(h.id, id, PROTO_NODE_ID);
	snprintf(h.name, sizeof(h.name), "%s", name);
	if ((n = proto_hello_encode(buf, sizeof(buf), &h)) < 0)
		return -1;
	return h_raw_send(r, buf, (size_t)n);
}

int
h_raw_command(struct h_raw *r, uint32_t id, const char *text)
{
	unsigned char buf[4096];
	long n;

	n = proto_command_encode(buf, sizeof(buf), id, text, strlen(text));
	if (n < 0)
		return -1;
	return h_raw_send(r, buf, (size_t)n);
}

int
h_raw_frame(struct h_raw *r, struct h_frame *f, int ms)
{
	long long deadline = now_ms() + ms;
	unsigned char *nb, pong[PROTO_HEADER + 8];
	struct proto_frame pf;
	struct pollfd pfd;
	uint64_t token;
	ssize_t n;
	long size;

	for (;;) {
		size = proto_frame_next(r->buf, r->len, RAW_MAX_FRAME, &pf);
		if (size > 0 && pf.type == PROTO_PING && !r->see_pings &&
		    proto_ping_decode(&pf, &token) == 0) {
			r->len -= (size_t)size;
			memmove(r->buf, r->buf + size, r->len);
			n = proto_ping_encode(pong, sizeof(pong), PROTO_PONG,
			    token);
			if (n < 0 || h_raw_send(r, pong, (size_t)n) == -1)
				return -1;
			continue;
		}
		if (size > 0) {
			memset(f, 0, sizeof(*f));
			f->type = pf.type;
			f->len = pf.len;
			memcpy(f->payload, pf.payload, pf.len <
			    sizeof(f->payload) ? pf.len : sizeof(f->payload));
			f->f.type = pf.type;
			f->f.payload = f->payload;
			f->f.len = pf.len < sizeof(f->payload) ? pf.len :
			    sizeof(f->payload);
			r->len -= (size_t)size;
			memmove(r->buf, r->buf + size, r->len);
			return 1;
		}
		if (size != PROTO_PARTIAL)
			return -1;
		if (r->eof)
			return 0;
		if (r->cap - r->len < 4096) {
			if ((nb = realloc(r->buf, r->cap * 2 + 8192)) == NULL)
				return -1;
			r->buf = nb;
			r->cap = r->cap * 2 + 8192;
		}
		n = recv(r->fd, r->buf + r->len, r->cap - r->len, 0);
		if (n > 0) {
			r->len += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)) {
			r->eof = 1;	/* closed, or reset */
			continue;
		}
		if (left_ms(deadline) == 0)
			return -1;
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		/* Keep the children's pipes moving while we wait. */
		h_pump(0);
		(void)poll(&pfd, 1, left_ms(deadline) < BACKOFF_MS ?
		    left_ms(deadline) : BACKOFF_MS);
	}
}

int
h_raw_closed(struct h_raw *r, int ms)
{
	long long deadline = now_ms() + ms;
	struct h_frame *f;
	int rc;

	if ((f = malloc(sizeof(*f))) == NULL)
		return 0;
	while ((rc = h_raw_frame(r, f, left_ms(deadline))) == 1)
		;
	free(f);
	return rc == 0;
}

int
h_raw_port(const struct h_raw *r)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(r->fd, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	return ntohs(sin.sin_port);
}

void
h_raw_close(struct h_raw *r)
{
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

int
h_proc_stat(long pid, char *state, long *ppid)
{
	char path[64], buf[1024], *p;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %ld", state, ppid) != 2)
		return -1;
	return 0;
}

int
h_pid_dead(long pid, pid_t owner)
{
	long ppid;
	char state;

	if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
		return 1;
	return h_proc_stat(pid, &state, &ppid) == 0 && state == 'Z' &&
	    ppid != (long)owner;
}
