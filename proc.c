/*
 * proc: programs run from the event loop (contract in include/proc.h).
 *
 * The child makes no allocation and calls only async-signal-safe
 * functions, with one exception: execvp(), which POSIX 2008 leaves off
 * that list but which glibc and musl implement on the stack alone (and
 * the node has no threads).  A failure before the program runs is sent
 * as an errno on a close-on-exec pipe, read once the child is gone: data
 * there means it never started.  All signals are blocked across fork(),
 * so no handler of the host runs in the child before every disposition
 * is back to the default.
 *
 * Each proc has two timers: tick, armed from start to end, peeks at the
 * leader and ends the proc; kill fires at the timeout, then at the end of
 * the grace.  Should the loop lack the memory to re-arm tick, the program
 * is killed and reaped at once rather than forgotten.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "proc.h"

#define PEEK_MS		100		/* peeks while the pipes are open */
#define OUT_START	1024		/* first size of the output buffer */
#define READ_CHUNK	16384
#define READS_PER_CALL	4		/* then let the other descriptors in */
#define MAX_FDS		65536		/* the child closes 3 up to this */
#define MAX_TIMEOUT	(1LL << 40)	/* ms: decades */

#if defined(NSIG)
#define SIG_TOP		NSIG
#else
#define SIG_TOP		129	/* past the last on any system; EINVAL after */
#endif

struct proc {
	struct procs	*ps;
	struct proc	*prev, *next;
	pid_t		 pid;		/* also the process group id */
	int		 fd[2];		/* stdout, stderr; -1 once closed */
	int		 errfd;		/* errno of a failed start */
	char		*buf;		/* the output kept */
	size_t		 len, cap;
	size_t		 max;		/* what may be kept */
	unsigned long long total;
	long long	 t0;
	long long	 exit_ms;	/* when the leader was seen ended */
	int		 backoff;	/* ms to the next peek, pipes closed */
	int		 exited;	/* the leader ended (not reaped) */
	int		 killing;	/* SIGTERM sent: SIGKILL what is left */
	int		 timed_out;
	int		 ended;		/* done is running */
	struct loop_timer tick;
	struct loop_timer kill;
	proc_done_fn	 done;		/* NULL once cancelled */
	void		*ctx;
};

struct procs {
	struct loop	*loop;
	int		 max;
	int		 n;		/* started, not yet reaped */
	struct proc	*head;
};

static void	finish(struct proc *);

/* --- the child ------------------------------------------------------- */

static void
child_fail(int fd)
{
	int e = errno != 0 ? errno : EINVAL;

	(void)write(fd, &e, sizeof(e));
	_exit(127);
}

/* wr: the write ends of stdout, stderr and the error pipe, all above 2. */
static void
child(char *const argv[], const int wr[3], int maxfd)
{
	struct sigaction sa;
	sigset_t none;
	int i, nul;

	(void)setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigemptyset(&sa.sa_mask);
	for (i = 1; i < SIG_TOP; i++)
		if (i != SIGKILL && i != SIGSTOP)
			(void)sigaction(i, &sa, NULL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if ((nul = open("/dev/null", O_RDONLY)) == -1 ||
	    (nul != 0 && dup2(nul, 0) == -1) ||
	    dup2(wr[0], 1) == -1 || dup2(wr[1], 2) == -1)
		child_fail(wr[2]);
	for (i = 3; i < maxfd; i++)
		if (i != wr[2])
			(void)close(i);
	(void)execvp(argv[0], argv);
	child_fail(wr[2]);
}

/* --- the parent ------------------------------------------------------- */

/* How far the child closes descriptors. */
static int
fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < MAX_FDS)
		return (int)rl.rlim_cur;
	return MAX_FDS;
}

/*
 * Make *fd close-on-exec, and non-blocking if ours, else above 2 (see
 * child()).  Returns 0, or -1 with errno set (*fd still to be closed).
 */
static int
setup_fd(int *fd, int ours)
{
	int fl, nfd;

	if (!ours && *fd <= 2) {
		if ((nfd = fcntl(*fd, F_DUPFD, 3)) == -1)
			return -1;
		(void)close(*fd);
		*fd = nfd;
	}
	if (fcntl(*fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	if (ours && ((fl = fcntl(*fd, F_GETFL)) == -1 ||
	    fcntl(*fd, F_SETFL, fl | O_NONBLOCK) == -1))
		return -1;
	return 0;
}

/* To the whole group; to the leader alone if it left the group. */
static void
signal_group(struct proc *p, int signo)
{
	if (kill(-p->pid, signo) == -1)
		(void)kill(p->pid, signo);
}

static void
close_out(struct proc *p, int i)
{
	if (p->fd[i] == -1)
		return;
	loop_unwatch(p->ps->loop, p->fd[i]);
	(void)close(p->fd[i]);
	p->fd[i] = -1;
}

/* Arm p's tick for when; without the memory for it, end p now. */
static void
tick_at(struct proc *p, long long when)
{
	if (loop_timer_at(p->ps->loop, &p->tick, when) == -1) {
		p->killing = 1;
		finish(p);
	}
}

/* Keep what fits of n bytes of output; count them all. */
static void
keep(struct proc *p, const char *b, size_t n)
{
	size_t take = p->max - p->len, ncap;
	char *nb;

	p->total += n;
	if (take > n)
		take = n;
	if (take == 0)
		return;
	if (p->len + take > p->cap) {
		ncap = p->cap > 0 ? p->cap : OUT_START;
		while (ncap < p->len + take)
			ncap = ncap > p->max / 2 ? p->max : ncap * 2;
		if (ncap > p->max)
			ncap = p->max;
		if ((nb = realloc(p->buf, ncap)) == NULL) {
			p->max = p->len;	/* keep what we have */
			return;
		}
		p->buf = nb;
		p->cap = ncap;
	}
	memcpy(p->buf + p->len, b, take);
	p->len += take;
}

static void
on_output(void *ctx, int fd, int events)
{
	struct proc *p = ctx;
	char b[READ_CHUNK];
	ssize_t n;
	int i;

	(void)events;
	for (i = 0; i < READS_PER_CALL; i++) {
		if ((n = read(fd, b, sizeof(b))) > 0) {
			keep(p, b, (size_t)n);
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return;
		close_out(p, fd == p->fd[0] ? 0 : 1);	/* end, or error */
		if (p->fd[0] == -1 && p->fd[1] == -1) {
			p->backoff = 1;
			tick_at(p, loop_now(p->ps->loop));
		}
		return;
	}
}

/* Has the leader ended?  It stays a zombie, so its pid stays ours. */
static int
leader_ended(struct proc *p)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
		return si.si_pid == p->pid;
	if (errno != ECHILD)
		return 0;
	/* Reaped behind our back: the pid may be another's now. */
	p->killing = 0;
	loop_timer_stop(p->ps->loop, &p->kill);
	return 1;
}

static void
tick(void *ctx)
{
	struct proc *p = ctx;
	long long now = loop_now(p->ps->loop), when;
	int piped = p->fd[0] != -1 || p->fd[1] != -1;

	if (!p->exited && leader_ended(p)) {
		p->exited = 1;
		p->exit_ms = now;
	}
	if (p->exited) {
		if (!piped || now >= p->exit_ms + PROC_LINGER_MS) {
			finish(p);
			return;
		}
		when = p->exit_ms + PROC_LINGER_MS;
	} else if (piped)
		when = now + PEEK_MS;
	else {
		when = now + p->backoff;
		if ((p->backoff *= 2) > PEEK_MS)
			p->backoff = PEEK_MS;
	}
	tick_at(p, when);
}

static void
terminate(struct proc *p)
{
	struct loop *l = p->ps->loop;

	p->killing = 1;
	signal_group(p, SIGTERM);
	signal_group(p, SIGCONT);	/* a stopped process gets it too */
	if (loop_timer_at(l, &p->kill, loop_now(l) + PROC_GRACE_MS) == -1)
		signal_group(p, SIGKILL);
}

static void
on_kill(void *ctx)
{
	struct proc *p = ctx;

	if (p->killing)
		signal_group(p, SIGKILL);
	else if (!p->exited) {	/* else it ends within PROC_LINGER_MS */
		p->timed_out = 1;
		terminate(p);
	}
}

/*
 * Close, kill what is left of a group that was killed, reap, report,
 * free.  On Linux the zombie leader keeps kill(-pgid, 0) succeeding, so
 * it cannot tell an empty group: the SIGKILL is simply sent.
 */
static void
finish(struct proc *p)
{
	struct procs *ps = p->ps;
	struct proc_end e;
	int st = 0, err = 0;
	pid_t r;

	loop_timer_stop(ps->loop, &p->tick);
	loop_timer_stop(ps->loop, &p->kill);
	close_out(p, 0);
	close_out(p, 1);
	if (p->killing)
		signal_group(p, SIGKILL);
	while ((r = waitpid(p->pid, &st, 0)) == -1 && errno == EINTR)
		continue;
	if (read(p->errfd, &err, sizeof(err)) != (ssize_t)sizeof(err))
		err = 0;
	(void)close(p->errfd);
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		ps->head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	ps->n--;

	memset(&e, 0, sizeof(e));
	e.started = err == 0;
	e.err = err;
	if (r == -1)
		e.code = -1;
	else if (WIFSIGNALED(st)) {
		e.signo = WTERMSIG(st);
		e.code = 128 + e.signo;
	} else
		e.code = WEXITSTATUS(st);
	e.timed_out = p->timed_out;
	e.out = p->buf != NULL ? p->buf : "";
	e.len = p->len;
	e.total = p->total;
	e.ms = (long)(loop_clock_ms() - p->t0);
	p->ended = 1;
	if (p->done != NULL)
		p->done(p->ctx, p, &e);
	free(p->buf);
	free(p);
}

/* --- the API ---------------------------------------------------------- */

struct procs *
procs_new(struct loop *l, int max)
{
	struct procs *ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	ps->loop = l;
	ps->max = max < 1 ? 1 : max;
	return ps;
}

void
procs_limit(struct procs *ps, int max)
{
	ps->max = max < 1 ? 1 : max;
}

int
procs_running(const struct procs *ps)
{
	return ps->n;
}

void
procs_free(struct procs *ps)
{
	struct proc *p;

	if (ps == NULL)
		return;
	for (p = ps->head; p != NULL; p = p->next)
		signal_group(p, SIGKILL);	/* all die at once */
	while ((p = ps->head) != NULL) {
		p->done = NULL;
		p->killing = 1;
		finish(p);
	}
	free(ps);
}

struct proc *
proc_start(struct procs *ps, char *const argv[], long timeout_ms,
    size_t max_output, proc_done_fn done, void *ctx)
{
	struct loop *l = ps->loop;
	struct proc *p;
	sigset_t all, old;
	int pp[2], rd[3] = { -1, -1, -1 }, wr[3] = { -1, -1, -1 };
	int i, err, maxfd = fd_limit();
	pid_t pid;

	if (argv == NULL || argv[0] == NULL || done == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (ps->n >= ps->max) {
		errno = EAGAIN;
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	loop_timer_init(&p->tick, tick, p);
	loop_timer_init(&p->kill, on_kill, p);
	for (i = 0; i < 3; i++) {
		if (pipe(pp) == -1)
			goto fail;
		rd[i] = pp[0];
		wr[i] = pp[1];
		if (setup_fd(&rd[i], 1) == -1 || setup_fd(&wr[i], 0) == -1)
			goto fail;
	}
	/* Everything that can fail, before there is a child to undo. */
	errno = ENOMEM;
	p->t0 = loop_clock_ms();
	if (timeout_ms > MAX_TIMEOUT)
		timeout_ms = MAX_TIMEOUT;
	if (loop_watch(l, rd[0], LOOP_READ, on_output, p) == -1 ||
	    loop_watch(l, rd[1], LOOP_READ, on_output, p) == -1 ||
	    loop_timer_at(l, &p->tick, p->t0 + PEEK_MS) == -1 ||
	    (timeout_ms > 0 &&
	    loop_timer_at(l, &p->kill, p->t0 + timeout_ms) == -1))
		goto fail;
	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, &old);
	if ((pid = fork()) == 0)
		child(argv, wr, maxfd);
	err = errno;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		errno = err;
		goto fail;
	}
	(void)setpgid(pid, pid);	/* whichever of us comes first */
	for (i = 0; i < 3; i++)
		(void)close(wr[i]);
	p->ps = ps;
	p->pid = pid;
	p->fd[0] = rd[0];
	p->fd[1] = rd[1];
	p->errfd = rd[2];
	p->max = max_output;
	p->done = done;
	p->ctx = ctx;
	if ((p->next = ps->head) != NULL)
		p->next->prev = p;
	ps->head = p;
	ps->n++;
	return p;
fail:
	err = errno;
	loop_timer_stop(l, &p->tick);
	loop_timer_stop(l, &p->kill);
	for (i = 0; i < 3; i++) {
		if (rd[i] != -1) {
			if (i < 2)
				loop_unwatch(l, rd[i]);
			(void)close(rd[i]);
		}
		if (wr[i] != -1)
			(void)close(wr[i]);
	}
	free(p);
	errno = err;
	return NULL;
}

void
proc_cancel(struct proc *p)
{
	if (p == NULL || p->ended || p->done == NULL)
		return;
	p->done = NULL;
	close_out(p, 0);
	close_out(p, 1);
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = p->max = 0;
	if (!p->killing)
		terminate(p);
	p->backoff = 1;
	tick_at(p, loop_now(p->ps->loop));
}

long
proc_pid(const struct proc *p)
{
	return (long)p->pid;
}
