/*
 * proc: running real programs inside the single-threaded event loop.
 *
 * proc_start() forks and execs a program in a process group of its own,
 * with default signal dispositions, an empty signal mask, standard input
 * from /dev/null, standard output and standard error on two pipes, and no
 * other descriptor of ours.  The loop reads both pipes as they turn
 * readable, into one buffer kept to max_output bytes: what comes past it
 * is read, counted and dropped, so a program is never blocked on a full
 * pipe and never makes us hold more than the bound.
 *
 * No signal handler is installed: the end of a program is found by
 * peeking at it with waitid(WNOWAIT) from a loop timer, every 100 ms
 * while its pipes are open and at once, then backing off from 1 to 100
 * ms, when both have reached end of file.  A program whose descendants
 * hold the pipes open after it exited is read for PROC_LINGER_MS more,
 * then ended (the descendants are left alone).  The process is reaped
 * only at the very end, so its pid, which is also its process group id,
 * cannot be reused while we may still signal the group.
 *
 * A program that times out or is cancelled gets SIGTERM (and SIGCONT,
 * should it be stopped) to its whole group, and SIGKILL PROC_GRACE_MS
 * later; once its leader has ended, whatever is left of a group that was
 * killed is sent SIGKILL before the leader is reaped, so no process of it
 * outlives the report.  A timeout that passes while the output of a
 * program that has exited lingers does nothing.  Every child is reaped,
 * by procs_free() too; should the loop have no memory left for a timer,
 * the program is killed and reaped at once.
 *
 * The host must leave our children to us: SIGCHLD must not be ignored
 * and nothing else may wait() for them (a status taken from us is
 * reported as code -1).  At most max programs run at once per runner, and
 * a cancelled program counts until it is reaped.
 */
#ifndef KAIPEER_PROC_H
#define KAIPEER_PROC_H

#include <stddef.h>

#define PROC_GRACE_MS	2000	/* from SIGTERM to SIGKILL */
#define PROC_LINGER_MS	200	/* output still read after the program exited */

struct loop;
struct proc;
struct procs;

/* How a program ended. */
struct proc_end {
	int		 started;	/* 0: it could not be started (err says why;
					   code is then 127) */
	int		 err;		/* errno of a failed start (exec: ENOENT, EACCES...) */
	int		 code;		/* exit code 0..255, or 128 + the signal that killed it */
	int		 signo;		/* the signal that killed it, else 0 */
	int		 timed_out;	/* killed because its timeout passed */
	const char	*out;		/* what it wrote on stdout and stderr, in arrival order
					   (len bytes, not NUL-terminated) */
	size_t		 len;		/* bytes in out: at most the max_output given */
	unsigned long long total;	/* bytes it wrote in all (> len when cut) */
	long		 ms;		/* from start to end */
};

/*
 * Called once per program, from the loop.  p and end (out included) are
 * valid until it returns; then p is freed.  It may call proc_start(), and
 * proc_cancel() on any proc (on p itself it does nothing); it must not
 * call procs_free().
 */
typedef void (*proc_done_fn)(void *ctx, struct proc *p,
    const struct proc_end *end);

/* A runner on loop l for at most max programs at once (max >= 1).  NULL if
 * no memory.  The loop must outlive it. */
struct procs *procs_new(struct loop *l, int max);

/* Change the limit (programs running beyond it go on). */
void	procs_limit(struct procs *ps, int max);

/* Programs running (started, not yet ended and reaped). */
int	procs_running(const struct procs *ps);

/*
 * Kill every program still running (SIGKILL to its process group), reap
 * them, free everything; no callback is called.  Every struct proc of ps
 * is invalid afterwards.
 */
void	procs_free(struct procs *ps);

/*
 * Run argv[0] (looked up in PATH, as execvp() does) with argv
 * (NULL-terminated; read only until proc_start() returns).
 * done(ctx, p, end) is called exactly once, from the loop, never from
 * within proc_start().  Returns p, or NULL with errno EAGAIN when max
 * programs are already running, or ENOMEM / the errno of pipe() or
 * fork() (or EINVAL: no argv[0] or no done).  A program that cannot be
 * exec'd (no such file...) is NOT a NULL return: it ends through done
 * with started 0 and err set.  timeout_ms 0: no timeout.  At most
 * max_output bytes of output are kept (0: none, only counted); should
 * memory run out, less is kept, and total still counts all.  p is owned
 * by ps: it lives until done returns or, cancelled, until it is reaped.
 */
struct proc *proc_start(struct procs *ps, char *const argv[], long timeout_ms,
	    size_t max_output, proc_done_fn done, void *ctx);

/*
 * The caller gave up: kill p's process group (SIGTERM, then SIGKILL after
 * PROC_GRACE_MS), reap it; done is never called for p after this, and p
 * must not be used again.
 */
void	proc_cancel(struct proc *p);

/* p's process id, which is also its process group id (for tests and
 * reports). */
long	proc_pid(const struct proc *p);

#endif
