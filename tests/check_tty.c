/*
 * check_tty: kaipeer on an interactive terminal never blocks its loop.
 *
 * Each test opens a pseudo-terminal and plays the terminal and the shell
 * around a real kaipeer (KAIPEER_BIN, else ./kaipeer).  A small "shell"
 * process makes a new session with the pty as its controlling terminal and
 * starts the node in a process group of its own, in the foreground, with
 * the pty's slave as its standard input, output and error: the node's
 * process group is not orphaned, so the terminal's job-control signals
 * (SIGTTIN, SIGTSTP) reach it as they would under bash.  The test types
 * into the master and reads everything the node writes there (echo
 * included), and tells the shell to move the node between foreground and
 * background, to wait for it to stop, to continue it, and to reap it.  A
 * second kaipeer with -c is the peer that checks the node still serves.
 * Every process of a test has HOME set to a directory of the test's own
 * (so no test touches ~/.kaipeer_history) and TERM=xterm, so the node
 * runs its line editor: raw mode, the prompt "> " drawn by the editor.
 *
 *   1. background: with the node a background job, a line typed for it
 *      neither stops it (SIGTTIN) nor blocks its loop in read(): a peer's
 *      command gets its result at once.  Back in the foreground, that line
 *      and the next are answered.
 *   2. Ctrl-Z and fg (typed ^Z, then the shell's tcsetpgrp and SIGCONT),
 *      and SIGSTOP then SIGCONT: after each, a peer's command and then a
 *      typed line are answered at once, no extra line typed first.
 *   3. the terminal as it was: the modes (tcgetattr) are the same after the
 *      node exits as before it started, and O_NONBLOCK is never set on the
 *      open file description the shell shares with the node, while it runs
 *      or after it ended ("exit" typed, or ^C).
 *   4. Ctrl-C (^C typed) with commands in flight: a program running on a
 *      peer (a second kaipeer, not on the terminal, started by the test
 *      with an "exec" config) and one running on the node itself.  Each
 *      command ends with its one result line, "Error: cancelled", and no
 *      other later; the node says "Cancelled N command(s)"; the console
 *      stays; both programs are killed with their children (they write
 *      their process ids to a file; each must be gone within GONE_MS).
 *      With nothing in flight ^C says "Nothing to cancel", and a second
 *      ^C within a second ends the node with status 0, also right after
 *      a cancel (the peer's program is killed all the same).
 *   5. keys edit the line (a table of rows, each a line whose result is
 *      that of the edited line, not of the keys typed): movement, Home,
 *      End, Ctrl-A/E/B/F/K/U/W/T/L, Backspace, Delete, unknown escape
 *      sequences dropped whole; keys split across reads byte by byte; the
 *      exact bytes the editor draws after a move and after Ctrl-L.
 *   6. history: written after each line (mode 0600), read by a second
 *      node in the same HOME (Up, Up, Enter), Down back to the line being
 *      typed; with "history": false the file is neither read nor written.
 *   7. Tab: a command, "@" (every selector listed under the line), a
 *      peer's name, a group, the command after a selector, an alias, a
 *      program; a bell when nothing fits.
 *   8. a peer's command while "cal" is typed: the line hidden ("\r\e[0K"),
 *      the node's lines, the prompt and "cal" drawn again, exactly; typing
 *      on finishes the line.
 *   9. the modes given back after SIGTERM, after SIGSEGV (the node dies of
 *      it), and while stopped by ^Z (raw again after fg, and the line drawn
 *      again).
 *  10. "exit" with a command in flight: "Waiting for 1 command in flight",
 *      then the result, then the end at once.
 * Each test also checks that the node did not spin: its processor time
 * stays under a quarter of its life, plus 50 ms for starting (a node that
 * polls a terminal it may not read, or retries EIO at once, burns a whole
 * processor).
 *
 * Where no pseudo-terminal can be opened or made a controlling terminal,
 * it says so and ends with "0 passed, 0 failed, 1 skipped" (exit 0).
 * Nothing is left behind: the end of each test reaps the node and its
 * shell (and the peer), and a guardian process kills them (and the
 * programs) and removes the temporary files if the test dies first (a
 * failed assertion in fork mode, a Check timeout).  A sanitizer's report
 * from the node or the peer fails the test.  About 8 s.
 *
 * Run from the top of the repository:
 *	make kaipeer tests/check_tty && ./tests/check_tty
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>

#include "harness.h"

#define TCASE_TIMEOUT	30	/* seconds, per test */
#define WAIT_MS		5000	/* the bound of a wait that should not take long */
#define AT_ONCE_MS	1000	/* "at once": a typed line answered */
#define PEER_MS		2000	/* "at once": a peer's -c command, start to end */
#define SETTLE_MS	300	/* time given to the node to misbehave */
#define PORT_BASE	20000	/* ports from here ... */
#define PORT_SPAN	10000	/* ... on, below the usual ephemeral range */
#define OUT_MAX		(1024 * 1024)
#define LONG_S		20	/* a hanging program sleeps at most this */
#define GONE_MS		5000	/* a cancelled program's processes are gone */
#define COMMAND_TIMEOUT_S 3	/* of the node in the Ctrl-C tests */

static const char *kaipeer_bin;

/* --- time ----------------------------------------------------------------- */

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
	long long left = deadline - now_ms();

	return left < 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

static void
nap_ms(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* --- the guardian ----------------------------------------------------------- */

/*
 * A process that outlives the test process: it holds the read end of a pipe
 * whose write end only the test holds, and learns from it the process
 * groups to kill and the files to remove ("k <pid>", "f <path>", "d <dir>"
 * for a directory and the files in it, "c" to forget the processes, reaped
 * by then).  When the test process ends, however it ends, the guardian
 * reads EOF, kills the groups it still knows with SIGKILL and removes the
 * files, then the directories.
 */
static int guard_fd = -1;

/*
 * The HOME of the test's processes, a directory of its own (made with the
 * guardian, which removes it): no test reads or writes the user's
 * ~/.kaipeer_history.  Two nodes of one test share it.
 */
static char test_home[256];

static void guard_say(const char *fmt, ...);

static void
guardian(int fd)
{
	static char buf[8192];
	pid_t pids[16];
	char *files[16], *dirs[4], *line, *nl, path[1024];
	struct dirent *de;
	size_t len = 0;
	ssize_t r;
	int npids = 0, nfiles = 0, ndirs = 0, i;
	DIR *d;

	for (;;) {
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			if (line[0] == 'k' && npids < 16)
				pids[npids++] = (pid_t)atol(line + 2);
			else if (line[0] == 'f' && nfiles < 16)
				files[nfiles++] = strdup(line + 2);
			else if (line[0] == 'd' && ndirs < 4)
				dirs[ndirs++] = strdup(line + 2);
			else if (line[0] == 'c')
				npids = 0;
			line = nl + 1;
		}
		len -= (size_t)(line - buf);
		memmove(buf, line, len);
	}
	for (i = 0; i < npids; i++) {
		(void)kill(-pids[i], SIGKILL);
		(void)kill(pids[i], SIGKILL);
	}
	for (i = 0; i < nfiles; i++)
		if (files[i] != NULL)
			(void)unlink(files[i]);
	/* A directory of the test's (a HOME): its files, then itself. */
	for (i = 0; i < ndirs; i++) {
		if (dirs[i] == NULL || (d = opendir(dirs[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0 &&
			    (size_t)snprintf(path, sizeof(path), "%s/%s",
			    dirs[i], de->d_name) < sizeof(path))
				(void)unlink(path);
		closedir(d);
		(void)rmdir(dirs[i]);
	}
	_exit(0);
}

static void
guard_start(void)
{
	const char *dir;
	int p[2], fd;
	pid_t pid;

	ck_assert_msg(pipe(p) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* Out of the test's process group, which a timeout kills. */
		(void)setsid();
		for (fd = 3; fd < 256; fd++)
			if (fd != p[0])
				(void)close(fd);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		guardian(p[0]);
	}
	close(p[0]);
	(void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
	guard_fd = p[1];
	/* The environment every process of the test inherits: its own HOME,
	 * and a terminal type with which the node runs its line editor. */
	dir = getenv("TMPDIR");
	snprintf(test_home, sizeof(test_home), "%s/kaipeer-tty-home.XXXXXX",
	    dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	ck_assert_msg(mkdtemp(test_home) != NULL, "mkdtemp: %s",
	    strerror(errno));
	guard_say("d %s\n", test_home);
	ck_assert(setenv("HOME", test_home, 1) == 0);
	ck_assert(setenv("TERM", "xterm", 1) == 0);
}

/* The test is over: the guardian kills what is left and removes the files
 * and the HOME. */
static void
guard_end(void)
{
	close(guard_fd);
	guard_fd = -1;
	test_home[0] = '\0';
}

static void
guard_say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (guard_fd >= 0 && n > 0 && (size_t)n < sizeof(line) &&
	    write(guard_fd, line, (size_t)n) != (ssize_t)n)
		fprintf(stderr, "check_tty: cannot tell the guardian: %s\n",
		    strerror(errno));
}

/* --- temporary files and ports ------------------------------------------- */

/* A temporary file holding text; its path (static storage, one of four). */
static const char *
temp_file(const char *fmt, ...)
{
	static char paths[4][256];
	static int next;
	char *path = paths[next++ % 4];
	const char *dir = getenv("TMPDIR");
	va_list ap;
	FILE *fp;
	int fd;

	snprintf(path, sizeof(paths[0]), "%s/kaipeer-tty.XXXXXX",
	    dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_msg(fd != -1, "mkstemp: %s", strerror(errno));
	guard_say("f %s\n", path);
	fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(fclose(fp), 0);
	return path;
}

static int
bindable(int family, int port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int fd, ok, one = 1;

	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		return family == AF_INET6;	/* no IPv6 here: fine */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	} else {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((unsigned short)port);
		sin6.sin6_addr = in6addr_any;
		ok = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	}
	close(fd);
	return ok;
}

/*
 * A port free on both wildcards, from a place that depends on the pid,
 * never one given out before by this process (a peer's port may not be
 * bound yet when the node's is chosen).
 */
static int
free_port(void)
{
	static int given[8];
	static int ngiven;
	unsigned next = (unsigned)getpid() * 7919u;
	int tries, port, i;

	for (tries = 0; tries < PORT_SPAN; tries++) {
		port = PORT_BASE + (int)(next++ % PORT_SPAN);
		for (i = 0; i < ngiven && given[i] != port; i++)
			continue;
		if (i == ngiven && bindable(AF_INET, port) &&
		    bindable(AF_INET6, port)) {
			if (ngiven < 8)
				given[ngiven++] = port;
			return port;
		}
	}
	ck_abort_msg("no free port");
	return -1;
}

/* --- the terminal ------------------------------------------------------------ */

struct term {
	int	 master;	/* the terminal's side */
	int	 slave;		/* the description the shell and node share */
	char	 name[128];	/* /dev/pts/N */
	char	*out;		/* everything the node wrote, echo included */
	size_t	 len;
	size_t	 pos;		/* expect() looks from here on */
	int	 port;		/* the node's */
	pid_t	 shell;		/* the job-control shell */
	pid_t	 node;
	int	 cmd;		/* to the shell */
	int	 ack;		/* from the shell */
	struct termios modes;	/* before the node started */
	long long started;	/* when, in ms */
};

/* Open a pty: 0, or -1 with errno and what failed in *what. */
static int
pty_open(int *master, int *slave, char *name, size_t size, const char **what)
{
	const char *n;

	*slave = -1;
	*what = "posix_openpt";
	if ((*master = posix_openpt(O_RDWR | O_NOCTTY)) == -1)
		return -1;
	*what = "grantpt";
	if (grantpt(*master) == -1)
		goto fail;
	*what = "unlockpt";
	if (unlockpt(*master) == -1)
		goto fail;
	*what = "ptsname";
	if ((n = ptsname(*master)) == NULL || strlen(n) >= size)
		goto fail;
	snprintf(name, size, "%s", n);
	*what = "opening the slave";
	if ((*slave = open(name, O_RDWR | O_NOCTTY)) == -1)
		goto fail;
	(void)fcntl(*master, F_SETFD, FD_CLOEXEC);
	(void)fcntl(*slave, F_SETFD, FD_CLOEXEC);
	return 0;
fail:
	close(*master);
	*master = -1;
	return -1;
}

/* Read what the node wrote, waiting up to ms for some. */
static void
pump(struct term *t, int ms)
{
	struct pollfd pfd;
	ssize_t r;

	pfd.fd = t->master;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) <= 0)
		return;
	for (;;) {
		if (t->len == OUT_MAX) {
			/* Keep the last half: the tests read near the end. */
			memmove(t->out, t->out + OUT_MAX / 2, OUT_MAX / 2);
			t->len -= OUT_MAX / 2;
			t->pos = t->pos > OUT_MAX / 2 ? t->pos - OUT_MAX / 2 : 0;
		}
		r = read(t->master, t->out + t->len, OUT_MAX - t->len);
		if (r <= 0)
			break;
		t->len += (size_t)r;
		t->out[t->len] = '\0';
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) <= 0)
			break;
	}
}

/* Read what the node writes for ms, whatever comes. */
static void
settle(struct term *t, int ms)
{
	long long deadline = now_ms() + ms;

	while (left_ms(deadline) > 0)
		pump(t, left_ms(deadline));
}

/* The end of what the node wrote, for a failure message. */
static const char *
tail(const struct term *t)
{
	const char *s = t->out + t->pos;

	return t->len - t->pos > 2000 ? t->out + t->len - 2000 : s;
}

/* Wait up to ms for text after the last match; move past its line. */
static int
expect(struct term *t, const char *text, int ms)
{
	long long deadline = now_ms() + ms;
	char *hit, *eol;

	for (;;) {
		if ((hit = strstr(t->out + t->pos, text)) != NULL) {
			eol = strchr(hit, '\n');
			t->pos = eol != NULL ? (size_t)(eol + 1 - t->out) :
			    (size_t)(hit + strlen(text) - t->out);
			return 0;
		}
		if (left_ms(deadline) == 0)
			return -1;
		pump(t, left_ms(deadline) < 20 ? left_ms(deadline) : 20);
	}
}

#define EXPECT(t, text, ms) do {					\
	const char *x_ = (text);					\
	ck_assert_msg(expect((t), x_, (ms)) == 0,			\
	    "the node did not print \"%s\" within %d ms; the terminal "	\
	    "shows since the last match:\n%s", x_, (ms), tail(t));	\
} while (0)

/* Type bytes into the terminal. */
static void
type(struct term *t, const char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t w;

	while (off < len) {
		w = write(t->master, s + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		ck_assert_msg(w > 0, "writing to the terminal: %s",
		    strerror(errno));
		off += (size_t)w;
	}
}

/* --- the shell ------------------------------------------------------------- */

/*
 * The shell: a session leader with the pty as its controlling terminal,
 * SIGTTOU, SIGTTIN, SIGTSTP, SIGINT and SIGQUIT ignored as a shell has
 * them, that runs the node as a job in a process group of its own and
 * obeys one-byte commands:
 *	'b'	put the node in the background (the shell's group in front)
 *	'f'	put the node in the foreground
 *	'c'	send SIGCONT to the node's group
 *	's'	send SIGSTOP to the node's group
 *	'z'	wait until the node stops; then take the terminal, as bash does
 *	'p'	report the node's state now
 *	'w'	wait until the node exits
 * and answers each with { result, state, cpu_ms }: result 0 or an errno;
 * state as waitpid() reported it last, -1 while running; cpu_ms, once the
 * node has exited, the processor time it used.
 */
struct reply {
	int	result;
	int	state;
	long	cpu_ms;
};

/*
 * Poll the node's state changes into *state (-1: running) and *exited for
 * up to ms.  want: 0 just look; 'z' until a stop is reported during this
 * call; 'w' until it has exited.  Returns whether that happened.
 */
static int
shell_wait(pid_t node, int *state, int *exited, int want, int ms)
{
	long long deadline = now_ms() + ms;
	pid_t r;
	int st, stopped = 0;

	for (;;) {
		while (!*exited && (r = waitpid(node, &st, WNOHANG |
		    WUNTRACED | WCONTINUED)) == node) {
			*state = WIFCONTINUED(st) ? -1 : st;
			if (WIFSTOPPED(st))
				stopped = 1;
			if (WIFEXITED(st) || WIFSIGNALED(st))
				*exited = 1;
		}
		if (want == 0 || (want == 'z' && stopped) ||
		    (want == 'w' && *exited))
			return 1;
		if (*exited || left_ms(deadline) == 0)
			return 0;
		nap_ms(5);
	}
}

static void
shell(int slave, const char *config, int cmd, int ack)
{
	static const int ign[] = { SIGTTOU, SIGTTIN, SIGTSTP, SIGINT,
	    SIGQUIT };
	struct reply rep;
	struct rusage ru;
	struct rlimit nocore;
	sigset_t none;
	pid_t node;
	unsigned i;
	int state = -1, exited = 0, fd;
	char c;

	if (setsid() == -1 || ioctl(slave, TIOCSCTTY, 0) == -1)
		_exit(90);
	for (i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
		signal(ign[i], SIG_IGN);
	if ((node = fork()) == -1)
		_exit(91);
	if (node == 0) {
		(void)setpgid(0, 0);
		(void)tcsetpgrp(slave, getpgrp());
		for (i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
			signal(ign[i], SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* A test sends it SIGSEGV: no core file. */
		nocore.rlim_cur = nocore.rlim_max = 0;
		(void)setrlimit(RLIMIT_CORE, &nocore);
		if (dup2(slave, 0) == -1 || dup2(slave, 1) == -1 ||
		    dup2(slave, 2) == -1)
			_exit(92);
		for (fd = 3; fd < 256; fd++)
			(void)close(fd);
		execl(kaipeer_bin, kaipeer_bin, config, (char *)NULL);
		_exit(93);
	}
	(void)setpgid(node, node);
	(void)tcsetpgrp(slave, node);
	rep.result = (int)node;
	rep.state = -1;
	rep.cpu_ms = 0;
	if (write(ack, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(94);
	while (read(cmd, &c, 1) == 1) {
		rep.result = 0;
		switch (c) {
		case 'b':
			if (tcsetpgrp(slave, getpgrp()) == -1)
				rep.result = errno;
			break;
		case 'f':
			if (tcsetpgrp(slave, node) == -1)
				rep.result = errno;
			break;
		case 'c':
			if (kill(-node, SIGCONT) == -1)
				rep.result = errno;
			break;
		case 's':
			if (kill(-node, SIGSTOP) == -1)
				rep.result = errno;
			break;
		case 'z':
			if (!shell_wait(node, &state, &exited, 'z', WAIT_MS))
				rep.result = ETIMEDOUT;
			else if (tcsetpgrp(slave, getpgrp()) == -1)
				rep.result = errno;
			break;
		case 'p':
			(void)shell_wait(node, &state, &exited, 0, 0);
			break;
		case 'w':
			if (!shell_wait(node, &state, &exited, 'w', WAIT_MS))
				rep.result = ETIMEDOUT;
			else if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
				rep.cpu_ms = (long)(ru.ru_utime.tv_sec +
				    ru.ru_stime.tv_sec) * 1000 +
				    (long)(ru.ru_utime.tv_usec +
				    ru.ru_stime.tv_usec) / 1000;
			break;
		default:
			rep.result = EINVAL;
		}
		rep.state = state;
		if (write(ack, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
			break;
	}
	_exit(0);
}

/* Ask the shell; its reply, within WAIT_MS plus a margin. */
static struct reply
ask(struct term *t, char c)
{
	long long deadline = now_ms() + WAIT_MS + 2000;
	struct reply rep;
	struct pollfd pfd;
	size_t got = 0;
	ssize_t r;

	ck_assert_int_eq(write(t->cmd, &c, 1), 1);
	while (got < sizeof(rep)) {
		pfd.fd = t->ack;
		pfd.events = POLLIN;
		pump(t, 0);	/* the node must never block on its output */
		if (poll(&pfd, 1, 20) == 1) {
			r = read(t->ack, (char *)&rep + got, sizeof(rep) - got);
			ck_assert_msg(r > 0, "the shell died");
			got += (size_t)r;
		}
		ck_assert_msg(left_ms(deadline) > 0, "the shell did not "
		    "answer '%c'", c);
	}
	return rep;
}

/* What a state from the shell means, for messages. */
static const char *
describe(int state, char *buf, size_t size)
{
	if (state == -1)
		snprintf(buf, size, "running");
	else if (WIFSTOPPED(state))
		snprintf(buf, size, "stopped by signal %d%s", WSTOPSIG(state),
		    WSTOPSIG(state) == SIGTTIN ? " (SIGTTIN: it read the "
		    "terminal from the background)" : WSTOPSIG(state) ==
		    SIGTTOU ? " (SIGTTOU)" : "");
	else if (WIFEXITED(state))
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(state));
	else if (WIFSIGNALED(state))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(state));
	else
		snprintf(buf, size, "in state %#x", (unsigned)state);
	return buf;
}

static void
shell_do(struct term *t, char c, const char *what)
{
	struct reply rep = ask(t, c);
	char buf[128];

	ck_assert_msg(rep.result == 0, "%s: %s (the node is %s)", what,
	    strerror(rep.result), describe(rep.state, buf, sizeof(buf)));
}

/* The node, probed now, must be running. */
static void
assert_running(struct term *t, const char *when)
{
	struct reply rep = ask(t, 'p');
	char buf[128];

	ck_assert_msg(rep.state == -1, "%s, the node is %s; the terminal "
	    "shows:\n%s", when, describe(rep.state, buf, sizeof(buf)),
	    tail(t));
}

static int
nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	ck_assert_msg(fl != -1, "F_GETFL: %s", strerror(errno));
	return (fl & O_NONBLOCK) != 0;
}

/*
 * Open a pty, start the shell and the node in it, with more members in
 * its config (JSON, "" for none); wait for the banner.
 */
static void
start_with(struct term *t, const char *more)
{
	int cmd[2], ack[2];
	const char *config, *what;
	struct reply rep;
	size_t got = 0;
	ssize_t r;
	int st = 0;

	memset(t, 0, sizeof(*t));
	t->cmd = t->ack = -1;
	if (guard_fd == -1)
		guard_start();
	ck_assert_msg(pty_open(&t->master, &t->slave, t->name,
	    sizeof(t->name), &what) == 0, "%s: %s", what, strerror(errno));
	ck_assert_msg(tcgetattr(t->slave, &t->modes) == 0, "tcgetattr: %s",
	    strerror(errno));
	ck_assert_msg(!nonblocking(t->slave), "the new pty is non-blocking");
	t->out = malloc(OUT_MAX + 1);
	ck_assert_ptr_nonnull(t->out);
	t->out[0] = '\0';
	t->port = free_port();
	config = temp_file("{ \"listenPort\": %d, \"interactive\": true%s%s "
	    "}\n", t->port, more[0] != '\0' ? ", " : "", more);
	ck_assert(pipe(cmd) == 0 && pipe(ack) == 0);
	t->started = now_ms();
	t->shell = fork();
	ck_assert_msg(t->shell != -1, "fork: %s", strerror(errno));
	if (t->shell == 0) {
		close(cmd[1]);
		close(ack[0]);
		close(t->master);
		shell(t->slave, config, cmd[0], ack[1]);
	}
	guard_say("k %ld\n", (long)t->shell);
	close(cmd[0]);
	close(ack[1]);
	t->cmd = cmd[1];
	t->ack = ack[0];
	(void)fcntl(t->cmd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(t->ack, F_SETFD, FD_CLOEXEC);
	while (got < sizeof(rep)) {
		r = read(t->ack, (char *)&rep + got, sizeof(rep) - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			(void)waitpid(t->shell, &st, 0);
			ck_abort_msg("the shell could not start the node: %s",
			    WIFEXITED(st) && WEXITSTATUS(st) == 90 ?
			    "setsid or TIOCSCTTY failed" :
			    WIFEXITED(st) && WEXITSTATUS(st) == 91 ?
			    "fork failed" : "it died");
		}
		got += (size_t)r;
	}
	t->node = (pid_t)rep.result;
	guard_say("k %ld\n", (long)t->node);
	EXPECT(t, "Listening for connections on port", WAIT_MS);
	EXPECT(t, "Type 'help'", WAIT_MS);
	/* The node reads the terminal now; the shared description is as the
	 * shell left it. */
	EXPECT(t, "> ", WAIT_MS);
	ck_assert_msg(!nonblocking(t->slave), "the node set O_NONBLOCK on "
	    "the open file description it shares with the shell");
}

static void
start(struct term *t)
{
	start_with(t, "");
}

/* A peer's command: kaipeer -c '@0 calc 6*7', answered within PEER_MS. */
static void
peer_command(struct term *t, const char *when)
{
	const char *config;
	char out[4096], want[128], buf[128], *argv[6];
	long long start_ms = now_ms(), deadline = start_ms + PEER_MS;
	struct pollfd pfd;
	size_t len = 0;
	ssize_t r;
	pid_t pid;
	int p[2], st = 0, fd, done = 0;
	struct reply rep;

	config = temp_file("{ \"peers\": [ { \"host\": \"127.0.0.1\", "
	    "\"port\": %d } ], \"commandTimeout\": 3, \"connectTimeout\": 3 }\n",
	    t->port);
	ck_assert(pipe(p) == 0);
	argv[0] = (char *)kaipeer_bin;
	argv[1] = (char *)"-c";
	argv[2] = (char *)"@0 calc 6*7";
	argv[3] = (char *)config;
	argv[4] = NULL;
	pid = fork();
	ck_assert(pid != -1);
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(fd, 0) == -1 || dup2(p[1], 1) == -1 ||
		    dup2(p[1], 2) == -1)
			_exit(127);
		for (fd = 3; fd < 256; fd++)
			(void)close(fd);
		execv(kaipeer_bin, argv);
		_exit(127);
	}
	close(p[1]);
	/* Its output to the end, within a bound past the command's timeout. */
	while (!done && now_ms() < start_ms + 6000) {
		pfd.fd = p[0];
		pfd.events = POLLIN;
		pump(t, 0);
		if (poll(&pfd, 1, 20) != 1)
			continue;
		r = read(p[0], out + len, sizeof(out) - 1 - len);
		if (r <= 0)
			done = 1;
		else
			len += (size_t)r;
		out[len] = '\0';
	}
	close(p[0]);
	if (!done)
		(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &st, 0);
	snprintf(want, sizeof(want), "Result from 127.0.0.1:%d for command "
	    "'calc 6*7': 42", t->port);
	if (strstr(out, want) == NULL || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0 || now_ms() > deadline) {
		rep = ask(t, 'p');
		ck_abort_msg("%s, a peer's command got no result within %d ms "
		    "(took %lld ms, exit status %#x); the node is %s; the "
		    "peer printed:\n%s\nthe terminal shows:\n%s", when,
		    PEER_MS, now_ms() - start_ms, (unsigned)st,
		    describe(rep.state, buf, sizeof(buf)), out, tail(t));
	}
}

/* Compare the terminal's modes now with those before the node. */
static void
assert_modes(struct term *t)
{
	struct termios now;
	int i;

	ck_assert_msg(tcgetattr(t->slave, &now) == 0, "tcgetattr: %s",
	    strerror(errno));
	ck_assert_msg(now.c_iflag == t->modes.c_iflag, "c_iflag %#lx, was "
	    "%#lx", (unsigned long)now.c_iflag,
	    (unsigned long)t->modes.c_iflag);
	ck_assert_msg(now.c_oflag == t->modes.c_oflag, "c_oflag %#lx, was "
	    "%#lx", (unsigned long)now.c_oflag,
	    (unsigned long)t->modes.c_oflag);
	ck_assert_msg(now.c_cflag == t->modes.c_cflag, "c_cflag %#lx, was "
	    "%#lx", (unsigned long)now.c_cflag,
	    (unsigned long)t->modes.c_cflag);
	ck_assert_msg(now.c_lflag == t->modes.c_lflag, "c_lflag %#lx, was "
	    "%#lx", (unsigned long)now.c_lflag,
	    (unsigned long)t->modes.c_lflag);
	for (i = 0; i < NCCS; i++)
		ck_assert_msg(now.c_cc[i] == t->modes.c_cc[i], "c_cc[%d] %d, "
		    "was %d", i, now.c_cc[i], t->modes.c_cc[i]);
	ck_assert(cfgetispeed(&now) == cfgetispeed(&t->modes));
	ck_assert(cfgetospeed(&now) == cfgetospeed(&t->modes));
}

/* The mark of a sanitizer's (or valgrind's) report in text, or NULL. */
static const char *
sanitizer_report(const char *text)
{
	static const char *const marks[] = { "ERROR: AddressSanitizer",
	    "ERROR: LeakSanitizer", "runtime error:",
	    "KAIPEER-VALGRIND-ERROR", NULL };
	int i;

	for (i = 0; marks[i] != NULL; i++)
		if (strstr(text, marks[i]) != NULL)
			return marks[i];
	return NULL;
}

/* The node exited (it is in rep): check it and the tty; reap the shell.
 * report_ok: a sanitizer's report is allowed (the node was sent SIGSEGV). */
static void
end_node(struct term *t, const struct reply *rep, int report_ok)
{
	long long life = now_ms() - t->started;
	int st;

	/* A quarter of its life, and what starting takes (a sanitizer
	 * build spends some 10 ms before main()). */
	ck_assert_msg(rep->cpu_ms <= life / 4 + 50, "the node spun: %ld ms of "
	    "processor time in %lld ms", rep->cpu_ms, life);
	pump(t, 50);
	ck_assert_msg(report_ok || sanitizer_report(t->out) == NULL, "the "
	    "node reported \"%s\"; the terminal shows:\n%s",
	    sanitizer_report(t->out), tail(t));
	close(t->cmd);
	ck_assert_int_eq(waitpid(t->shell, &st, 0), t->shell);
	guard_say("c\n");
	close(t->ack);
	assert_modes(t);
	ck_assert_msg(!nonblocking(t->slave), "the node left O_NONBLOCK set "
	    "on the open file description it shared with the shell");
	close(t->master);
	close(t->slave);
	free(t->out);
}

/* Wait for the node to exit with status; then the shell; check the tty.
 * The test goes on (the guardian and HOME stay): a second node may run. */
static void
finish_node(struct term *t, int status)
{
	struct reply rep = ask(t, 'w');
	char buf[128];

	ck_assert_msg(rep.result == 0, "the node did not exit (it is %s); "
	    "the terminal shows:\n%s", describe(rep.state, buf, sizeof(buf)),
	    tail(t));
	ck_assert_msg(WIFEXITED(rep.state) && WEXITSTATUS(rep.state) ==
	    status, "the node %s, not with status %d; the terminal shows:\n%s",
	    describe(rep.state, buf, sizeof(buf)), status, tail(t));
	end_node(t, &rep, 0);
}

/* finish_node(), and the end of the test: the guardian removes the files. */
static void
finish(struct term *t, int status)
{
	finish_node(t, status);
	guard_end();
}

/* --- a peer that runs programs -------------------------------------------- */

/*
 * The peer of the Ctrl-C tests: a second kaipeer, not on the terminal, in
 * a process group of its own (the guardian kills it if the test dies),
 * standard output and error into a temporary file, that runs the
 * program "hang".
 */
struct peer {
	pid_t	 pid;
	int	 port;
	char	 log[256];	/* its output */
};

/* A copy of a path from temp_file(), whose own storage is reused. */
static void
keep_path(char *dst, size_t size, const char *path)
{
	ck_assert(strlen(path) < size);
	snprintf(dst, size, "%s", path);
}

/* The whole of a small file, NUL-terminated, in buf; "" if unreadable. */
static const char *
slurp(const char *path, char *buf, size_t size)
{
	size_t n = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, size - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return buf;
}

/*
 * JSON for a program that runs until killed (LONG_S at most), writing its
 * process id and then its child's, one a line, into path.
 */
static const char *
hang_program(const char *name, const char *path)
{
	static char json[1024];

	snprintf(json, sizeof(json), "\"%s\": { \"argv\": [ \"sh\", \"-c\", "
	    "\"echo $$ > %s; sleep %d & echo $! >> %s; wait\" ], "
	    "\"timeout\": %d }", name, path, LONG_S, path, LONG_S);
	return json;
}

/* Start the peer with more members in its config (JSON); wait until it
 * listens. */
static void
peer_start_with(struct peer *pe, const char *more)
{
	char cfg[256], buf[4096];
	long long deadline;
	int fd;

	memset(pe, 0, sizeof(*pe));
	pe->port = free_port();
	keep_path(pe->log, sizeof(pe->log), temp_file("%s", ""));
	keep_path(cfg, sizeof(cfg), temp_file("{ \"listenPort\": %d, "
	    "\"interactive\": false, %s }\n", pe->port, more));
	pe->pid = fork();
	ck_assert_msg(pe->pid != -1, "fork: %s", strerror(errno));
	if (pe->pid == 0) {
		(void)setpgid(0, 0);
		if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(fd, 0) == -1 ||
		    (fd = open(pe->log, O_WRONLY | O_APPEND)) == -1 ||
		    dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(127);
		for (fd = 3; fd < 256; fd++)
			(void)close(fd);
		execl(kaipeer_bin, kaipeer_bin, cfg, (char *)NULL);
		_exit(127);
	}
	guard_say("k %ld\n", (long)pe->pid);
	deadline = now_ms() + WAIT_MS;
	while (strstr(slurp(pe->log, buf, sizeof(buf)),
	    "Listening for connections on port") == NULL) {
		ck_assert_msg(left_ms(deadline) > 0, "the peer did not "
		    "listen within %d ms; it printed:\n%s", WAIT_MS, buf);
		nap_ms(10);
	}
}

/* Start the peer with the program "hang" (pids into pids). */
static void
peer_start(struct peer *pe, const char *pids)
{
	char more[1200];

	snprintf(more, sizeof(more), "\"exec\": { %s }",
	    hang_program("hang", pids));
	peer_start_with(pe, more);
}

/* SIGTERM the peer: it must exit 0 at once, with no sanitizer report. */
static void
peer_stop(struct term *t, struct peer *pe)
{
	long long deadline = now_ms() + WAIT_MS;
	char buf[65536];
	pid_t r;
	int st = 0;

	(void)kill(pe->pid, SIGTERM);
	while ((r = waitpid(pe->pid, &st, WNOHANG)) == 0 &&
	    left_ms(deadline) > 0)
		pump(t, 10);
	if (r != pe->pid) {
		(void)kill(pe->pid, SIGKILL);
		(void)waitpid(pe->pid, &st, 0);
		ck_abort_msg("the peer did not end within %d ms of SIGTERM",
		    WAIT_MS);
	}
	slurp(pe->log, buf, sizeof(buf));
	ck_assert_msg(sanitizer_report(buf) == NULL, "the peer reported "
	    "\"%s\":\n%s", sanitizer_report(buf), buf);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the peer ended "
	    "with status %#x; it printed:\n%s", (unsigned)st, buf);
}

/*
 * Wait up to ms for path to hold n process ids (a program's, its
 * child's); the guardian kills the program's group should the test die.
 */
static void
read_pids(struct term *t, const char *path, long pids[], int n, int ms)
{
	long long deadline = now_ms() + ms;
	FILE *fp;
	int k;

	for (;;) {
		k = 0;
		if ((fp = fopen(path, "r")) != NULL) {
			while (k < n && fscanf(fp, "%ld", &pids[k]) == 1)
				k++;
			fclose(fp);
		}
		if (k == n)
			break;
		ck_assert_msg(left_ms(deadline) > 0, "the program wrote %d "
		    "of %d process ids within %d ms; the terminal shows:\n%s",
		    k, n, ms, tail(t));
		pump(t, 10);
	}
	guard_say("k %ld\n", pids[0]);
}

/* Every one of pids (of a program that owner ran) gone within ms. */
static void
gone(struct term *t, pid_t owner, const long pids[], int n, int ms,
    const char *what)
{
	long long deadline = now_ms() + ms;
	long ppid = 0;
	char state = '?';
	int i;

	for (i = 0; i < n; i++) {
		while (!h_pid_dead(pids[i], owner) && left_ms(deadline) > 0)
			pump(t, 10);
		if (!h_pid_dead(pids[i], owner)) {
			(void)h_proc_stat(pids[i], &state, &ppid);
			ck_abort_msg("%s: process %ld (%s) still there %d ms "
			    "after Ctrl-C: state %c, parent %ld", what,
			    pids[i], i == 0 ? "the program" : "its child", ms,
			    state, ppid);
		}
	}
}

/* How many times text occurs in what the node wrote from mark on. */
static int
count_from(const struct term *t, size_t mark, const char *text)
{
	const char *s = t->out + (mark < t->len ? mark : t->len);
	int n = 0;

	while ((s = strstr(s, text)) != NULL) {
		n++;
		s += strlen(text);
	}
	return n;
}

/* Wait up to ms for text anywhere in what the node wrote. */
static void
seen(struct term *t, const char *text, int ms)
{
	long long deadline = now_ms() + ms;

	while (strstr(t->out, text) == NULL) {
		ck_assert_msg(left_ms(deadline) > 0, "the node did not print "
		    "\"%s\" within %d ms; the terminal shows:\n%s", text, ms,
		    tail(t));
		pump(t, 10);
	}
}

/*
 * The node of the Ctrl-C tests on the terminal: peer 0 is pe, commands
 * time out after 3 s, and it runs "lhang" itself (pids into local).
 */
static void
start_caller(struct term *t, struct peer *pe, const char *local)
{
	char more[2048], line[64];

	snprintf(more, sizeof(more), "\"commandTimeout\": %d, \"peers\": "
	    "[ { \"host\": \"127.0.0.1\", \"port\": %d } ], \"exec\": { %s }",
	    COMMAND_TIMEOUT_S, pe->port, hang_program("lhang", local));
	start_with(t, more);
	snprintf(line, sizeof(line), "Connected to peer: 127.0.0.1:%d",
	    pe->port);
	seen(t, line, WAIT_MS);
}

/* The node, told to end (a second Ctrl-C), has exited with status 0. */
static void
assert_exits(struct term *t)
{
	struct reply rep = ask(t, 'w');
	char buf[128];

	ck_assert_msg(rep.result == 0 && WIFEXITED(rep.state) &&
	    WEXITSTATUS(rep.state) == 0, "a second Ctrl-C within a second did "
	    "not end the node with status 0 (it is %s); the terminal "
	    "shows:\n%s", describe(rep.state, buf, sizeof(buf)), tail(t));
}

/* --- the line editor ---------------------------------------------------- */

/*
 * Text with its control bytes spelled out (\r, \n, \e, \a, \xNN), for
 * messages: static storage, one of two, cut at VISIBLE_MAX bytes (a Check
 * message must stay under some 8 kB).
 */
#define VISIBLE_MAX	2400

static const char *
visible(const char *s, size_t len)
{
	static char bufs[2][VISIBLE_MAX + 8];
	static int next;
	char *buf = bufs[next++ % 2];
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len && o < VISIBLE_MAX && s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c == '\r')
			o += (size_t)sprintf(buf + o, "\\r");
		else if (c == '\n')
			o += (size_t)sprintf(buf + o, "\\n\n");
		else if (c == 0x1b)
			o += (size_t)sprintf(buf + o, "\\e");
		else if (c == '\a')
			o += (size_t)sprintf(buf + o, "\\a");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)sprintf(buf + o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/* Wait up to ms for the exact bytes after the last match; move past them
 * (not past the end of their line, as expect() does). */
static int
expect_bytes(struct term *t, const char *bytes, int ms)
{
	long long deadline = now_ms() + ms;
	char *hit;

	for (;;) {
		if ((hit = strstr(t->out + t->pos, bytes)) != NULL) {
			t->pos = (size_t)(hit + strlen(bytes) - t->out);
			return 0;
		}
		if (left_ms(deadline) == 0)
			return -1;
		pump(t, left_ms(deadline) < 20 ? left_ms(deadline) : 20);
	}
}

#define EXPECT_BYTES(t, bytes, ms) do {					\
	const char *b_ = (bytes);					\
	ck_assert_msg(expect_bytes((t), b_, (ms)) == 0,			\
	    "the terminal did not show \"%s\" within %d ms; it shows "	\
	    "since the last match:\n%s", visible(b_, strlen(b_)), (ms),	\
	    visible((t)->out + (t)->pos, (t)->len - (t)->pos));		\
} while (0)

/* What the editor draws for the prompt and line, the cursor at col. */
static const char *
drawn(const char *line, int col)
{
	static char bufs[2][256];
	static int next;
	char *buf = bufs[next++ % 2];

	snprintf(buf, sizeof(bufs[0]), "\r> %s\x1b[0K\r\x1b[%dC", line, col);
	return buf;
}

/* Type each byte of s alone: written, taken by the node (it is no longer
 * in the terminal's input queue), then a pause, so that the node reads it
 * alone and the editor sees a sequence split across reads. */
static void
type_slowly(struct term *t, const char *s)
{
	long long deadline;
	char one[2];
	int queued;

	for (; *s != '\0'; s++) {
		one[0] = *s;
		one[1] = '\0';
		type(t, one);
		deadline = now_ms() + WAIT_MS;
		nap_ms(30);
		while (ioctl(t->slave, FIONREAD, &queued) == 0 && queued > 0) {
			ck_assert_msg(left_ms(deadline) > 0, "the node did not "
			    "read what was typed within %d ms", WAIT_MS);
			pump(t, 10);
		}
		pump(t, 20);
	}
}

/* The editor is on: the terminal, within WAIT_MS, has ECHO and ICANON off
 * (raw mode) and ISIG on (Ctrl-C, Ctrl-Z still signals). */
static void
assert_raw(struct term *t, const char *when)
{
	long long deadline = now_ms() + WAIT_MS;
	struct termios now;

	for (;;) {
		ck_assert_msg(tcgetattr(t->slave, &now) == 0, "tcgetattr: %s",
		    strerror(errno));
		if ((now.c_lflag & (ECHO | ICANON)) == 0)
			break;
		ck_assert_msg(left_ms(deadline) > 0, "%s, the terminal is not "
		    "in raw mode within %d ms: c_lflag %#lx (ECHO %s, ICANON "
		    "%s)", when, WAIT_MS, (unsigned long)now.c_lflag,
		    now.c_lflag & ECHO ? "on" : "off",
		    now.c_lflag & ICANON ? "on" : "off");
		pump(t, 10);
	}
	ck_assert_msg(now.c_lflag & ISIG, "%s, raw mode turned ISIG off", when);
}

/* The history file in the test's HOME. */
static const char *
history_path(void)
{
	static char path[512];

	ck_assert(test_home[0] != '\0');
	snprintf(path, sizeof(path), "%s/.kaipeer_history", test_home);
	return path;
}

/* The history file holds exactly text, with mode 0600. */
static void
assert_history(const char *text, const char *when)
{
	static char buf[65536];
	struct stat sb;
	size_t i;

	ck_assert_msg(stat(history_path(), &sb) == 0, "%s, no history file "
	    "%s: %s", when, history_path(), strerror(errno));
	ck_assert_msg((sb.st_mode & 07777) == 0600, "%s, the history file "
	    "has mode %04o, not 0600", when, (unsigned)(sb.st_mode & 07777));
	slurp(history_path(), buf, sizeof(buf));
	/* The line where they part. */
	for (i = 0; buf[i] != '\0' && buf[i] == text[i]; i++)
		continue;
	while (i > 0 && buf[i - 1] != '\n')
		i--;
	ck_assert_msg(strcmp(buf, text) == 0, "%s, the history file (%zu "
	    "bytes) holds from byte %zu:\n%s\nnot:\n%s", when, strlen(buf), i,
	    visible(buf + i, 300), visible(text + i, 300));
}

/* The names in the test's HOME, "" for none. */
static const char *
home_files(void)
{
	static char names[1024];
	struct dirent *de;
	size_t o = 0;
	DIR *d;

	names[0] = '\0';
	d = opendir(test_home);
	ck_assert_msg(d != NULL, "%s: %s", test_home, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 && o < sizeof(names) - 1)
			o += (size_t)snprintf(names + o, sizeof(names) - o,
			    "%s ", de->d_name);
	closedir(d);
	return names;
}

/*
 * What the node wrote in out[from, to) while a line was typed: one or more
 * blocks, each "\r\e[0K" (the prompt and the line hidden), whole lines
 * ("\r\n" each, no control bytes in them), then exactly redraw (the prompt
 * and the line again).  Among the lines, in this order, lines beginning
 * with want[0..n).
 */
static void
assert_blocks(struct term *t, size_t from, size_t to, const char *redraw,
    const char *const want[], int n)
{
	const char *p = t->out + from, *end = t->out + to, *eol, *q;
	size_t rlen = strlen(redraw);
	int k = 0, lines;

	ck_assert_msg(from < to, "nothing was printed over the line");
	while (p < end) {
		ck_assert_msg(end - p >= 5 && memcmp(p, "\r\x1b[0K", 5) == 0,
		    "at byte %zu, the line was not hidden (\\r\\e[0K) before "
		    "lines printed over it; the terminal shows:\n%s",
		    (size_t)(p - t->out - from), visible(t->out + from,
		    to - from));
		p += 5;
		lines = 0;
		while ((size_t)(end - p) < rlen ||
		    memcmp(p, redraw, rlen) != 0) {
			for (eol = p; eol + 1 < end && !(eol[0] == '\r' &&
			    eol[1] == '\n'); eol++)
				continue;
			ck_assert_msg(eol + 1 < end, "lines printed over the "
			    "line are not followed by \"%s\"; the terminal "
			    "shows:\n%s", visible(redraw, rlen),
			    visible(t->out + from, to - from));
			for (q = p; q < eol; q++)
				ck_assert_msg((unsigned char)*q >= 0x20 &&
				    *q != 0x7f, "a control byte in a line "
				    "printed over the line; the terminal "
				    "shows:\n%s", visible(t->out + from,
				    to - from));
			ck_assert_msg(eol > p, "an empty line printed over "
			    "the line; the terminal shows:\n%s",
			    visible(t->out + from, to - from));
			if (k < n && strncmp(p, want[k], strlen(want[k])) == 0)
				k++;
			p = eol + 2;
			lines++;
		}
		ck_assert_msg(lines > 0, "the line was hidden and drawn again "
		    "with nothing between; the terminal shows:\n%s",
		    visible(t->out + from, to - from));
		p += rlen;
	}
	ck_assert_msg(k == n, "no line \"%s...\" printed over the line (in "
	    "this order); the terminal shows:\n%s", want[k < n ? k : 0],
	    visible(t->out + from, to - from));
}

/* --- the tests ------------------------------------------------------------- */

START_TEST(test_background)
{
	struct term t;

	start(&t);
	shell_do(&t, 'b', "putting the node in the background");
	/* A line for the node while it is in the background. */
	type(&t, "calc 1+2\n");
	settle(&t, SETTLE_MS);
	assert_running(&t, "in the background with a line typed");
	peer_command(&t, "with the node in the background and a line typed");
	assert_running(&t, "in the background after a peer's command");
	peer_command(&t, "in the background, again");
	/* Back in front: the line typed, then a new one. */
	shell_do(&t, 'f', "bringing the node to the foreground");
	EXPECT(&t, "Result: 3", AT_ONCE_MS + 500);
	type(&t, "calc 2*3\n");
	EXPECT(&t, "Result: 6", AT_ONCE_MS);
	peer_command(&t, "back in the foreground");
	type(&t, "exit\n");
	finish(&t, 0);
}
END_TEST

START_TEST(test_stop_cont)
{
	struct term t;
	struct reply rep;
	char buf[128];

	start(&t);
	/* Ctrl-Z: the terminal sends SIGTSTP; the shell takes the terminal. */
	type(&t, "\032");
	rep = ask(&t, 'z');
	ck_assert_msg(rep.result == 0, "^Z did not stop the node (it is %s)",
	    describe(rep.state, buf, sizeof(buf)));
	ck_assert_msg(WSTOPSIG(rep.state) == SIGTSTP, "^Z: the node is %s",
	    describe(rep.state, buf, sizeof(buf)));
	/* fg: the node in front again, then SIGCONT, as bash does. */
	shell_do(&t, 'f', "fg: tcsetpgrp");
	shell_do(&t, 'c', "fg: SIGCONT");
	peer_command(&t, "after ^Z and fg, before any line is typed");
	type(&t, "calc 4*5\n");
	EXPECT(&t, "Result: 20", AT_ONCE_MS);

	/* SIGSTOP and SIGCONT, the terminal staying with the node. */
	shell_do(&t, 's', "SIGSTOP");
	rep = ask(&t, 'z');
	ck_assert_msg(rep.result == 0 && WSTOPSIG(rep.state) == SIGSTOP,
	    "SIGSTOP: the node is %s", describe(rep.state, buf, sizeof(buf)));
	shell_do(&t, 'f', "tcsetpgrp after SIGSTOP");
	shell_do(&t, 'c', "SIGCONT");
	peer_command(&t, "after SIGSTOP and SIGCONT, before any line is typed");
	type(&t, "calc 5*5\n");
	EXPECT(&t, "Result: 25", AT_ONCE_MS);
	type(&t, "exit\n");
	finish(&t, 0);
}
END_TEST

/* The terminal as it was, after "exit" (row 0) or ^C (row 1). */
START_TEST(test_modes)
{
	struct term t;

	start(&t);
	assert_raw(&t, "at the first prompt");	/* so there is a change */
	type(&t, "calc 1+1\n");
	EXPECT(&t, "Result: 2", AT_ONCE_MS);
	ck_assert_msg(!nonblocking(t.slave), "the node set O_NONBLOCK on the "
	    "open file description it shares with the shell");
	/* In the background too, where the shell reads that description. */
	shell_do(&t, 'b', "putting the node in the background");
	settle(&t, SETTLE_MS);
	ck_assert_msg(!nonblocking(t.slave), "the node in the background set "
	    "O_NONBLOCK on the open file description the shell reads");
	shell_do(&t, 'f', "bringing the node to the foreground");
	/* "exit", or ^C twice within a second (SIGINT to the foreground
	 * group; the first cancels, and says so): status 0 both. */
	if (_i == 0)
		type(&t, "exit\n");
	else {
		type(&t, "\003");
		EXPECT(&t, "Ctrl-C again within a second", AT_ONCE_MS);
		type(&t, "\003");
	}
	finish(&t, 0);
}
END_TEST

/*
 * Ctrl-C with a program running on the peer (@0 hang) and one here
 * (lhang): each ends with its one result line, "cancelled", the node says
 * how many it cancelled, the console stays, and both programs are killed,
 * their children too.  No other result comes later (not at the command's
 * timeout either).  Later, with nothing in flight, Ctrl-C says so, and a
 * second within a second ends the node (status 0).
 */
START_TEST(test_ctrl_c)
{
	struct term t;
	struct peer pe;
	char rfile[256], lfile[256], want[256];
	long rp[2], lp[2];
	long long sent, intr;
	size_t mark;

	guard_start();
	keep_path(rfile, sizeof(rfile), temp_file("%s", ""));
	keep_path(lfile, sizeof(lfile), temp_file("%s", ""));
	peer_start(&pe, rfile);
	start_caller(&t, &pe, lfile);
	sent = now_ms();
	type(&t, "@0 hang\n");
	read_pids(&t, rfile, rp, 2, WAIT_MS);
	type(&t, "lhang\n");
	read_pids(&t, lfile, lp, 2, WAIT_MS);
	mark = t.len;
	intr = now_ms();
	type(&t, "\003");
	EXPECT(&t, "Cancelled 2 commands (Ctrl-C again within a second to "
	    "exit)", AT_ONCE_MS);
	/* The console stays. */
	type(&t, "calc 1+1\n");
	EXPECT(&t, "Result: 2", AT_ONCE_MS);
	gone(&t, pe.pid, rp, 2, GONE_MS, "the program on the peer");
	gone(&t, t.node, lp, 2, GONE_MS, "the program of the node");
	/* Past the command's timeout: nothing more about them. */
	settle(&t, left_ms(sent + COMMAND_TIMEOUT_S * 1000 + 500));
	snprintf(want, sizeof(want), "Result from 127.0.0.1:%d for command "
	    "'hang': Error: cancelled", pe.port);
	ck_assert_msg(count_from(&t, mark, want) == 1 &&
	    count_from(&t, mark, "for command 'hang'") == 1, "expected one "
	    "line \"%s\"; the terminal shows:\n%s", want, t.out + mark);
	ck_assert_msg(count_from(&t, mark, "Result: Error: cancelled") == 1 &&
	    count_from(&t, mark, "Result: ") == 2, "expected one line "
	    "\"Result: Error: cancelled\"; the terminal shows:\n%s",
	    t.out + mark);
	ck_assert_msg(count_from(&t, 0, "timed out") == 0, "a cancelled "
	    "command timed out too; the terminal shows:\n%s", t.out + mark);
	/* Nothing in flight now; twice within a second ends the node. */
	ck_assert(now_ms() - intr > 1100);
	type(&t, "\003");
	EXPECT(&t, "Nothing to cancel (Ctrl-C again within a second to exit, "
	    "or type exit)", AT_ONCE_MS);
	type(&t, "\003");
	assert_exits(&t);
	peer_stop(&t, &pe);
	finish(&t, 0);
}
END_TEST

/*
 * Ctrl-C, then Ctrl-C again at once, with a program running on the peer:
 * the first cancels it (one result line), the second ends the node with
 * status 0, and the program on the peer is killed.
 */
START_TEST(test_ctrl_c_twice)
{
	struct term t;
	struct peer pe;
	char rfile[256], lfile[256], want[256];
	long rp[2];
	size_t mark;

	guard_start();
	keep_path(rfile, sizeof(rfile), temp_file("%s", ""));
	keep_path(lfile, sizeof(lfile), temp_file("%s", ""));
	peer_start(&pe, rfile);
	start_caller(&t, &pe, lfile);
	type(&t, "@0 hang\n");
	read_pids(&t, rfile, rp, 2, WAIT_MS);
	mark = t.len;
	type(&t, "\003");
	EXPECT(&t, "Cancelled 1 command (Ctrl-C again within a second to "
	    "exit)", AT_ONCE_MS);
	type(&t, "\003");
	assert_exits(&t);
	gone(&t, pe.pid, rp, 2, GONE_MS, "the program on the peer");
	snprintf(want, sizeof(want), "Result from 127.0.0.1:%d for command "
	    "'hang': Error: cancelled", pe.port);
	ck_assert_msg(count_from(&t, mark, want) == 1 &&
	    count_from(&t, mark, "for command 'hang'") == 1, "expected one "
	    "line \"%s\"; the terminal shows:\n%s", want, t.out + mark);
	peer_stop(&t, &pe);
	finish(&t, 0);
}
END_TEST

/*
 * Keys edit the line (rows typed whole, one write each): the result is
 * that of the line as edited.  Each row's result differs from that of the
 * line with any one of its keys ignored.
 */
static const struct {
	const char	*keys;
	const char	*line;		/* as edited, for messages */
	const char	*result;	/* what follows: "Result: ...\r\n" */
} edit_rows[] = {
	/* Ctrl-A, Home (ESC [ H, ESC O H, ESC [ 1 ~): text at the start. */
	{ "2*3\001calc 5+\r", "calc 5+2*3", "Result: 11\r\n" },
	{ "4\x1b[Hcalc 6*\r", "calc 6*4", "Result: 24\r\n" },
	{ "8\x1bOHcalc 1+\r", "calc 1+8", "Result: 9\r\n" },
	{ "5\x1b[1~calc 3*\r", "calc 3*5", "Result: 15\r\n" },
	/* Ctrl-B, Ctrl-F, Ctrl-E (and End, ESC O F, ESC [ 4 ~). */
	{ "calc 4*\002\002\0061\0052\r", "calc 41*2", "Result: 82\r\n" },
	{ "calc 7*\x1b[D\x1b[D1\x1bOF2\r", "calc 17*2", "Result: 34\r\n" },
	{ "calc 3-\x1b[D\x1b[D2\x1b[4~1\r", "calc 23-1", "Result: 22\r\n" },
	/* Ctrl-U kills to the start, Ctrl-W a word, Ctrl-K to the end. */
	{ "garbage words\025calc 7*6\r", "calc 7*6", "Result: 42\r\n" },
	{ "calc 8*8 zz\027-1\r", "calc 8*8 -1", "Result: 63\r\n" },
	{ "calc 9*9 \027\027calc 7*7\r", "calc 7*7", "Result: 49\r\n" },
	{ "calc 3+5xyz\x1b[D\x1b[D\x1b[D\013\r", "calc 3+5", "Result: 8\r\n" },
	{ "calc 2*9\001\013calc 5*5\r", "calc 5*5", "Result: 25\r\n" },
	/* Backspace (DEL, Ctrl-H), Delete (ESC [ 3 ~), Ctrl-D (not empty),
	 * Delete and Right at the end (nothing). */
	{ "calc 2+29\x7f\b5\r", "calc 2+5", "Result: 7\r\n" },
	{ "calc 1+23\x1b[D\x1b[D\x1b[3~\r", "calc 1+3", "Result: 4\r\n" },
	{ "calc 5+67\x1b[D\x1b[D\004\r", "calc 5+7", "Result: 12\r\n" },
	{ "calc 6+1\x1b[3~\x1b[C\x1b[C\r", "calc 6+1", "Result: 7\r\n" },
	/* Ctrl-T at the end: the last two characters swapped. */
	{ "calc 2+13\024\r", "calc 2+31", "Result: 33\r\n" },
	/* Unknown sequences are dropped whole, nothing inserted: Ctrl-Right,
	 * F1, F5, a bracketed paste's start, ESC [ [ A (the Linux F1). */
	{ "calc 1+\x1b[1;5C\x1bOP\x1b[15~\x1b[200~\x1b[[A2\r", "calc 1+2",
	    "Result: 3\r\n" },
	/* Other control bytes are ignored. */
	{ "calc \007\017\0302*\0223\r", "calc 2*3", "Result: 6\r\n" },
};

START_TEST(test_edit_keys)
{
	struct term t;
	size_t i;

	start(&t);
	assert_raw(&t, "at the first prompt");
	/* On the screen: what is typed at the end of the line is echoed as
	 * it is; a key that moves the cursor draws the line again, the
	 * cursor in its column. */
	type(&t, "calc 2*");
	EXPECT_BYTES(&t, "calc 2*", AT_ONCE_MS);
	type(&t, "\x1b[D\x1b[D");
	EXPECT_BYTES(&t, drawn("calc 2*", 7), AT_ONCE_MS);
	type(&t, "1");
	EXPECT_BYTES(&t, drawn("calc 12*", 8), AT_ONCE_MS);
	type(&t, "\x1b[F3\r");
	EXPECT_BYTES(&t, "Result: 36\r\n", AT_ONCE_MS);	/* calc 12*3 */
	for (i = 0; i < sizeof(edit_rows) / sizeof(edit_rows[0]); i++) {
		type(&t, edit_rows[i].keys);
		ck_assert_msg(expect_bytes(&t, edit_rows[i].result,
		    AT_ONCE_MS) == 0, "row %zu: typed \"%s\" (\"%s\"), the "
		    "node did not print \"%s\" within %d ms; the terminal "
		    "shows:\n%s", i, visible(edit_rows[i].keys,
		    strlen(edit_rows[i].keys)), edit_rows[i].line,
		    edit_rows[i].result, AT_ONCE_MS,
		    visible(t.out + t.pos, t.len - t.pos));
	}
	/* Ctrl-L: the screen cleared, the line drawn again at the top. */
	type(&t, "calc 3");
	EXPECT_BYTES(&t, "calc 3", AT_ONCE_MS);
	type(&t, "\014");
	EXPECT_BYTES(&t, "\x1b[H\x1b[2J\r> calc 3\x1b[0K\r\x1b[8C", AT_ONCE_MS);
	type(&t, "\r");
	EXPECT_BYTES(&t, "Result: 3\r\n", AT_ONCE_MS);
	/* Keys split across reads, byte by byte: Left (ESC [ D), Delete
	 * (ESC [ 3 ~), an unknown sequence (Ctrl-Right), End (ESC O F). */
	type(&t, "calc 5*");
	EXPECT_BYTES(&t, "calc 5*", AT_ONCE_MS);
	type_slowly(&t, "\x1b[D");
	EXPECT_BYTES(&t, drawn("calc 5*", 8), AT_ONCE_MS);
	type_slowly(&t, "1\x1b[3~\x1b[1;5C\x1bOF");
	type(&t, "+2\r");
	EXPECT_BYTES(&t, "Result: 53\r\n", AT_ONCE_MS);	/* calc 51+2 */
	type(&t, "exit\r");
	finish(&t, 0);
}
END_TEST

/*
 * The history across two runs in one HOME: written after each line (mode
 * 0600), read by the next node, browsed with Up and Down (back to the line
 * being typed).
 */
START_TEST(test_history)
{
	struct term t;

	guard_start();
	start(&t);
	type(&t, "calc 2*21\r");
	EXPECT_BYTES(&t, "Result: 42\r\n", AT_ONCE_MS);
	assert_history("calc 2*21\n", "after one line");
	type(&t, "calc 5+5\r");
	EXPECT_BYTES(&t, "Result: 10\r\n", AT_ONCE_MS);
	assert_history("calc 2*21\ncalc 5+5\n", "after two lines");
	type(&t, "\004");		/* Ctrl-D on an empty line: the end */
	finish_node(&t, 0);
	assert_history("calc 2*21\ncalc 5+5\n", "after the first node");

	/* The second node, same HOME: Up twice is the first line. */
	start(&t);
	type(&t, "\x1b[A");
	EXPECT_BYTES(&t, drawn("calc 5+5", 10), AT_ONCE_MS);
	type(&t, "\x1b[A");
	EXPECT_BYTES(&t, drawn("calc 2*21", 11), AT_ONCE_MS);
	type(&t, "\r");
	EXPECT_BYTES(&t, "Result: 42\r\n", AT_ONCE_MS);
	/* Up past the oldest rings; Down comes back to the line typed. */
	type(&t, "calc 1");
	EXPECT_BYTES(&t, "calc 1", AT_ONCE_MS);
	type(&t, "\x1b[A\x1b[A\x1b[A\x1b[A");
	EXPECT_BYTES(&t, "\a", AT_ONCE_MS);
	type(&t, "\x1b[B\x1b[B\x1b[B\x1b[B+2\r");
	EXPECT_BYTES(&t, "Result: 3\r\n", AT_ONCE_MS);	/* calc 1+2 */
	type(&t, "exit\r");
	finish_node(&t, 0);
	assert_history("calc 2*21\ncalc 5+5\ncalc 2*21\ncalc 1+2\nexit\n",
	    "after the second node");
	guard_end();
}
END_TEST

/*
 * "history": false: the file is neither read (row 1: it holds a line,
 * which Up does not bring) nor written (row 0: it is not created; row 1:
 * it is left as it was).
 */
START_TEST(test_history_off)
{
	struct term t;
	FILE *fp;

	guard_start();
	if (_i == 1) {
		ck_assert((fp = fopen(history_path(), "w")) != NULL);
		ck_assert(fputs("calc 7*7\n", fp) >= 0 && fclose(fp) == 0);
		ck_assert(chmod(history_path(), 0600) == 0);
	}
	start_with(&t, "\"history\": false");
	type(&t, "\x1b[A");		/* no history: a bell */
	EXPECT_BYTES(&t, "\a", AT_ONCE_MS);
	type(&t, "\r");
	type(&t, "calc 3*3\r");
	EXPECT_BYTES(&t, "Result: 9\r\n", AT_ONCE_MS);
	ck_assert_msg(count_from(&t, 0, "Result: 49") == 0, "Up brought a "
	    "line of the history file; the terminal shows:\n%s",
	    visible(t.out, t.len));
	/* In memory, the history still works. */
	type(&t, "\x1b[A");
	EXPECT_BYTES(&t, drawn("calc 3*3", 10), AT_ONCE_MS);
	type(&t, "\025exit\r");
	finish_node(&t, 0);
	if (_i == 0)
		ck_assert_msg(strcmp(home_files(), "") == 0, "with "
		    "\"history\": false the node wrote into HOME: %s",
		    home_files());
	else {
		ck_assert_msg(strcmp(home_files(), ".kaipeer_history ") == 0,
		    "with \"history\": false the node wrote into HOME: %s",
		    home_files());
		assert_history("calc 7*7\n", "with \"history\": false");
	}
	guard_end();
}
END_TEST

/*
 * The history keeps the newest 1000 lines: a file of 1005 is read as its
 * last 1000 (Up brings the newest), and a new line pushes out the oldest.
 */
START_TEST(test_history_max)
{
	struct term t;
	FILE *fp;
	char *want;
	size_t o = 0;
	int i;

	guard_start();
	ck_assert((fp = fopen(history_path(), "w")) != NULL);
	for (i = 1; i <= 1005; i++)
		ck_assert(fprintf(fp, "calc %d\n", i) > 0);
	ck_assert(fclose(fp) == 0);
	start(&t);
	type(&t, "\x1b[A");
	EXPECT_BYTES(&t, drawn("calc 1005", 11), AT_ONCE_MS);
	type(&t, "\025calc 2*3\r");
	EXPECT_BYTES(&t, "Result: 6\r\n", AT_ONCE_MS);
	type(&t, "\025exit\r");
	finish_node(&t, 0);
	want = malloc(16 * 1001);
	ck_assert_ptr_nonnull(want);
	for (i = 8; i <= 1005; i++)
		o += (size_t)sprintf(want + o, "calc %d\n", i);
	sprintf(want + o, "calc 2*3\nexit\n");
	assert_history(want, "after 1005 lines read and two added");
	free(want);
	guard_end();
}
END_TEST

/*
 * Tab: a command's name, a selector (with one candidate it is taken;
 * with several, all are listed under the line and the line drawn again
 * below), the command after a selector, an alias, a program.
 */
START_TEST(test_complete)
{
	struct term t;
	struct peer pe;
	char more[512], line[128];

	guard_start();
	peer_start_with(&pe, "\"name\": \"alpha\"");
	snprintf(more, sizeof(more), "\"peers\": [ { \"host\": \"127.0.0.1\", "
	    "\"port\": %d } ], \"commands\": { \"answer\": \"calc 6*7\" }, "
	    "\"exec\": { \"greet\": [ \"echo\", \"hi\" ] }, \"groups\": { "
	    "\"grp\": \"alpha\" }", pe.port);
	start_with(&t, more);
	snprintf(line, sizeof(line), "Connected to peer: 127.0.0.1:%d (alpha)",
	    pe.port);
	seen(&t, line, WAIT_MS);
	pump(&t, 50);
	t.pos = t.len;
	/* A command. */
	type(&t, "he\t");
	EXPECT_BYTES(&t, drawn("help", 6), AT_ONCE_MS);
	type(&t, "\r");
	EXPECT_BYTES(&t, "\r\nAvailable commands:\r\n", AT_ONCE_MS);
	/* "@": the peer's index and name, the group, every peer, the
	 * network. */
	type(&t, "@\t");
	EXPECT_BYTES(&t, "@\r\r\n@0  @alpha  @@grp  @*  @** \r\r\n\r> @\x1b[0K"
	    "\r\x1b[3C", AT_ONCE_MS);
	type(&t, "a\t");
	EXPECT_BYTES(&t, drawn("@alpha ", 9), AT_ONCE_MS);
	type(&t, "calc 6*7\r");
	EXPECT_BYTES(&t, "for command 'calc 6*7': 42\r\n", WAIT_MS);
	type(&t, "@0\t");
	EXPECT_BYTES(&t, drawn("@0 ", 5), AT_ONCE_MS);
	type(&t, "ca\t");
	EXPECT_BYTES(&t, drawn("@0 calc ", 10), AT_ONCE_MS);
	type(&t, "1+1\r");
	EXPECT_BYTES(&t, "for command 'calc 1+1': 2\r\n", WAIT_MS);
	type(&t, "@@g\t");
	EXPECT_BYTES(&t, drawn("@@grp ", 8), AT_ONCE_MS);
	type(&t, "calc 2+2\r");
	EXPECT_BYTES(&t, "'calc 2+2': 4\r\n", WAIT_MS);
	/* An alias, a program. */
	type(&t, "ans\t");
	EXPECT_BYTES(&t, drawn("answer", 8), AT_ONCE_MS);
	type(&t, "\r");
	EXPECT_BYTES(&t, "Result: 42\r\n", AT_ONCE_MS);
	type(&t, "gre\t");
	EXPECT_BYTES(&t, drawn("greet", 7), AT_ONCE_MS);
	type(&t, "\r");
	EXPECT_BYTES(&t, "Result: hi\r\n", WAIT_MS);
	/* Nothing to complete: a bell, the line as it was. */
	type(&t, "zz\t");
	EXPECT_BYTES(&t, "zz\a", AT_ONCE_MS);
	type(&t, "\025exit\r");
	assert_exits(&t);
	peer_stop(&t, &pe);
	finish(&t, 0);
}
END_TEST

/*
 * A peer's command arrives while "cal" is typed: the line is hidden
 * (\r ESC [ 0 K), the node's lines printed, the prompt and "cal" drawn
 * again below them, the cursor after it; typing on ends the line typed.
 */
START_TEST(test_redraw)
{
	static const char *const events[] = { "Peer connected from 127.0.0.1:",
	    "Command from 127.0.0.1:", "Sent result: 42",
	    "Peer disconnected: 127.0.0.1:" };
	struct term t;
	size_t mark;

	start(&t);
	type(&t, "cal");
	EXPECT_BYTES(&t, "\x1b[2Ccal", AT_ONCE_MS);
	pump(&t, 20);
	ck_assert_msg(t.pos == t.len, "after \"cal\" the node wrote:\n%s",
	    visible(t.out + t.pos, t.len - t.pos));
	mark = t.pos;
	peer_command(&t, "with \"cal\" typed");
	EXPECT(&t, "Peer disconnected: 127.0.0.1:", WAIT_MS);
	EXPECT_BYTES(&t, drawn("cal", 5), AT_ONCE_MS);
	settle(&t, 50);
	assert_blocks(&t, mark, t.pos, drawn("cal", 5), events, 4);
	ck_assert_msg(t.pos == t.len, "after the line was drawn again, the "
	    "node wrote:\n%s", visible(t.out + t.pos, t.len - t.pos));
	/* The line goes on: "calc 2". */
	mark = t.pos;
	type(&t, "c 2\r");
	EXPECT_BYTES(&t, "Result: 2\r\n", AT_ONCE_MS);
	ck_assert_msg(strncmp(t.out + mark, "c 2\r\r\nResult: 2\r\n",
	    t.pos - mark) == 0 && t.pos - mark == 17, "typing \"c 2\" and "
	    "Enter after the line was drawn again showed:\n%s",
	    visible(t.out + mark, t.pos - mark));
	type(&t, "exit\r");
	finish(&t, 0);
}
END_TEST

/*
 * The modes given back when the node is killed with a line typed: by
 * SIGTERM (row 0: a clean exit, status 0) and by SIGSEGV (row 1: it dies
 * of the signal, or a sanitizer build's runtime reports and exits
 * non-zero; either way the terminal is as it was).
 */
START_TEST(test_modes_killed)
{
	struct term t;
	struct reply rep;
	char buf[128];
	int died, asan;

	start(&t);
	type(&t, "calc 1");
	EXPECT_BYTES(&t, "calc 1", AT_ONCE_MS);
	assert_raw(&t, "with a line typed");
	if (_i == 0) {
		ck_assert_int_eq(kill(t.node, SIGTERM), 0);
		finish(&t, 0);
		return;
	}
	ck_assert_int_eq(kill(t.node, SIGSEGV), 0);
	rep = ask(&t, 'w');
	ck_assert_msg(rep.result == 0, "the node did not end after SIGSEGV "
	    "(it is %s); the terminal shows:\n%s",
	    describe(rep.state, buf, sizeof(buf)), tail(&t));
	pump(&t, 50);
	died = WIFSIGNALED(rep.state) && WTERMSIG(rep.state) == SIGSEGV;
	asan = WIFEXITED(rep.state) && WEXITSTATUS(rep.state) != 0 &&
	    strstr(t.out, "AddressSanitizer") != NULL;
	ck_assert_msg(died || asan, "after SIGSEGV the node %s; the terminal "
	    "shows:\n%s", describe(rep.state, buf, sizeof(buf)), tail(&t));
	end_node(&t, &rep, asan);
	guard_end();
}
END_TEST

/*
 * Ctrl-Z with a line typed: the line taken off the screen, and while the
 * node is stopped the terminal is as it was; after fg, raw again and the
 * line drawn again; typing on ends it.
 */
START_TEST(test_modes_stopped)
{
	struct term t;
	struct reply rep;
	char buf[128];
	size_t mark;

	start(&t);
	type(&t, "calc 1");
	EXPECT_BYTES(&t, "calc 1", AT_ONCE_MS);
	assert_raw(&t, "with a line typed");
	mark = t.pos;
	type(&t, "\032");
	rep = ask(&t, 'z');
	ck_assert_msg(rep.result == 0 && WIFSTOPPED(rep.state) &&
	    WSTOPSIG(rep.state) == SIGTSTP, "^Z: the node is %s",
	    describe(rep.state, buf, sizeof(buf)));
	pump(&t, 20);
	ck_assert_msg(t.len - mark == 5 && memcmp(t.out + mark, "\r\x1b[0K",
	    5) == 0, "^Z: the line was not taken off the screen (\\r\\e[0K); "
	    "the terminal shows:\n%s", visible(t.out + mark, t.len - mark));
	t.pos = t.len;
	assert_modes(&t);
	/* fg: the terminal to the node, SIGCONT. */
	shell_do(&t, 'f', "fg: tcsetpgrp");
	shell_do(&t, 'c', "fg: SIGCONT");
	assert_raw(&t, "after fg");
	EXPECT_BYTES(&t, drawn("calc 1", 8), AT_ONCE_MS);
	type(&t, "+1\r");
	EXPECT_BYTES(&t, "Result: 2\r\n", AT_ONCE_MS);
	type(&t, "exit\r");
	finish(&t, 0);
}
END_TEST

/*
 * "exit" with a command in flight (a program on the peer that sleeps a
 * second): the node says what it waits for, keeps running, prints the
 * result, then ends at once, with status 0.
 */
START_TEST(test_exit_in_flight)
{
	struct term t;
	struct peer pe;
	struct reply rep;
	char more[512], line[128], buf[128];
	long long got;

	guard_start();
	peer_start_with(&pe, "\"exec\": { \"nap\": { \"argv\": [ \"sh\", "
	    "\"-c\", \"sleep 1; echo napped\" ], \"timeout\": 10 } }");
	snprintf(more, sizeof(more), "\"peers\": [ { \"host\": \"127.0.0.1\", "
	    "\"port\": %d } ]", pe.port);
	start_with(&t, more);
	snprintf(line, sizeof(line), "Connected to peer: 127.0.0.1:%d",
	    pe.port);
	seen(&t, line, WAIT_MS);
	type(&t, "@0 nap\r");
	type(&t, "exit\r");
	EXPECT_BYTES(&t, "\r\nWaiting for 1 command in flight before exiting "
	    "(Ctrl-C cancels them)\r\n", AT_ONCE_MS);
	assert_running(&t, "with a command in flight after \"exit\"");
	snprintf(line, sizeof(line), "Result from 127.0.0.1:%d for command "
	    "'nap': napped", pe.port);
	EXPECT_BYTES(&t, line, WAIT_MS);
	got = now_ms();
	rep = ask(&t, 'w');
	ck_assert_msg(rep.result == 0 && WIFEXITED(rep.state) &&
	    WEXITSTATUS(rep.state) == 0, "after its last command ended, the "
	    "node is %s; the terminal shows:\n%s",
	    describe(rep.state, buf, sizeof(buf)), tail(&t));
	ck_assert_msg(now_ms() - got < AT_ONCE_MS, "the node took %lld ms "
	    "to exit after its last command ended", now_ms() - got);
	peer_stop(&t, &pe);
	finish(&t, 0);
}
END_TEST

static Suite *
tty_suite(void)
{
	Suite *s = suite_create("tty");
	TCase *tc = tcase_create("tty");

	tcase_set_timeout(tc, TCASE_TIMEOUT);
	tcase_add_test(tc, test_background);
	tcase_add_test(tc, test_stop_cont);
	tcase_add_loop_test(tc, test_modes, 0, 2);
	tcase_add_test(tc, test_ctrl_c);
	tcase_add_test(tc, test_ctrl_c_twice);
	tcase_add_test(tc, test_edit_keys);
	tcase_add_test(tc, test_history);
	tcase_add_loop_test(tc, test_history_off, 0, 2);
	tcase_add_test(tc, test_history_max);
	tcase_add_test(tc, test_complete);
	tcase_add_test(tc, test_redraw);
	tcase_add_loop_test(tc, test_modes_killed, 0, 2);
	tcase_add_test(tc, test_modes_stopped);
	tcase_add_test(tc, test_exit_in_flight);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *what;
	char name[128];
	int master, slave, failed, st;
	SRunner *sr;
	pid_t pid;

	if ((kaipeer_bin = getenv("KAIPEER_BIN")) == NULL ||
	    kaipeer_bin[0] == '\0')
		kaipeer_bin = "./kaipeer";
	if (pty_open(&master, &slave, name, sizeof(name), &what) == -1) {
		printf("check_tty: skipped: cannot open a pseudo-terminal "
		    "(%s: %s)\n", what, strerror(errno));
		printf("0 passed, 0 failed, 1 skipped\n");
		return EXIT_SUCCESS;
	}
	/* Can a new session take it as its controlling terminal? */
	if ((pid = fork()) == 0)
		_exit(setsid() != -1 && ioctl(slave, TIOCSCTTY, 0) != -1 ? 0 :
		    errno);
	st = -1;
	if (pid != -1)
		(void)waitpid(pid, &st, 0);
	close(slave);
	close(master);
	if (st != 0) {
		printf("check_tty: skipped: a new session cannot take a "
		    "pseudo-terminal as its controlling terminal (%s)\n",
		    pid == -1 ? strerror(errno) : WIFEXITED(st) ?
		    strerror(WEXITSTATUS(st)) : "the probe died");
		printf("0 passed, 0 failed, 1 skipped\n");
		return EXIT_SUCCESS;
	}
	if (access(kaipeer_bin, X_OK) == -1) {
		printf("check_tty: %s: %s (make kaipeer, or set KAIPEER_BIN)\n",
		    kaipeer_bin, strerror(errno));
		return EXIT_FAILURE;
	}
	sr = srunner_create(tty_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
