/*
 * check_proc: running programs from the loop (proc.c).
 *
 * Each test runs real programs through /bin/sh and the usual tools on a
 * fresh loop, turning it until the callback came, under a wall-clock
 * guard so that a bug fails instead of hanging.  Output: one program,
 * both streams in arrival order, 10 MiB cut at the bound while the
 * program runs on to its end.  Ends: exit codes, a signal, a program that
 * does not exist or cannot be run, a timeout on a group that ignores
 * SIGTERM, a cancel, procs_free(), a descendant that keeps the output
 * open.  Inheritance: standard input is /dev/null, no descriptor of ours
 * reaches the program, signals ignored or blocked by us are not.  After
 * each, no process of the group, no zombie and no descriptor is left,
 * also when proc_start() fails for want of descriptors.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "loop.h"
#include "proc.h"

#define GUARD_MS	10000

struct res {
	int		 calls;
	struct proc_end	 end;
	char		*out;		/* a copy of end.out */
	long		 pid;
	struct procs	*ps;		/* for a callback that starts another */
	struct res	*next;
};

static void
on_done(void *ctx, struct proc *p, const struct proc_end *end)
{
	struct res *r = ctx;

	r->calls++;
	r->end = *end;
	r->pid = proc_pid(p);
	free(r->out);
	r->out = malloc(end->len + 1);
	ck_assert_ptr_nonnull(r->out);
	memcpy(r->out, end->out, end->len);
	r->out[end->len] = '\0';
	r->end.out = r->out;
}

/* Turn l until *flag is set (or, flag NULL, until ps runs nothing). */
static void
run(struct loop *l, struct procs *ps, const int *flag)
{
	long long deadline = loop_clock_ms() + GUARD_MS;

	while (flag != NULL ? *flag == 0 : procs_running(ps) > 0) {
		ck_assert_msg(loop_clock_ms() < deadline, "no end in %d ms",
		    GUARD_MS);
		ck_assert_int_ge(loop_turn(l, 50), 0);
	}
}

/* Run argv to its end; r gets the report.  No descriptor is left open. */
static void
run_one(char *const argv[], long timeout_ms, size_t max, struct res *r)
{
	struct loop *l;
	struct procs *ps;
	struct proc *p;
	int lowest = dup(0), now;

	close(lowest);
	ck_assert_ptr_nonnull(l = loop_new());
	ck_assert_ptr_nonnull(ps = procs_new(l, 4));
	memset(r, 0, sizeof(*r));
	p = proc_start(ps, argv, timeout_ms, max, on_done, r);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(r->calls, 0);		/* never from proc_start() */
	ck_assert_int_eq(procs_running(ps), 1);
	run(l, ps, &r->calls);
	ck_assert_int_eq(r->calls, 1);
	ck_assert_int_eq(procs_running(ps), 0);
	procs_free(ps);
	loop_free(l);
	now = dup(0);
	close(now);
	ck_assert_int_eq(now, lowest);		/* no descriptor leaked */
}

/*
 * No child of ours left, zombie or not, and soon no process in group
 * pgid.  Members other than the leader are not our children: once killed
 * they are reaped by init, whose zombies count for kill() until then (a
 * lazy init took 1.4 s here).  A member still alive keeps the group for
 * good, and fails.
 */
static void
assert_gone(long pgid)
{
	long long deadline = loop_clock_ms() + 5000;

	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	while (kill(-(pid_t)pgid, 0) == 0) {
		ck_assert_msg(loop_clock_ms() < deadline, "group %ld lives",
		    pgid);
		(void)poll(NULL, 0, 10);
	}
	ck_assert_int_eq(errno, ESRCH);
}

static char *const sh_echo[] = { "echo", "hello", "world", NULL };

START_TEST(test_echo)
{
	struct res r;

	run_one(sh_echo, 5000, 1024, &r);
	ck_assert_int_eq(r.end.started, 1);
	ck_assert_int_eq(r.end.err, 0);
	ck_assert_int_eq(r.end.code, 0);
	ck_assert_int_eq(r.end.signo, 0);
	ck_assert_int_eq(r.end.timed_out, 0);
	ck_assert_str_eq(r.out, "hello world\n");
	ck_assert_uint_eq(r.end.len, 12);
	ck_assert_uint_eq(r.end.total, 12);
	ck_assert_int_ge(r.end.ms, 0);
	ck_assert_int_lt(r.end.ms, 2000);
	assert_gone(r.pid);
	free(r.out);
}
END_TEST

START_TEST(test_exit_code)
{
	char *const argv[] = { "sh", "-c", "exit 3", NULL };
	struct res r;

	run_one(argv, 0, 1024, &r);
	ck_assert_int_eq(r.end.started, 1);
	ck_assert_int_eq(r.end.code, 3);
	ck_assert_int_eq(r.end.signo, 0);
	ck_assert_uint_eq(r.end.len, 0);
	ck_assert_str_eq(r.end.out, "");
	assert_gone(r.pid);
	free(r.out);
}
END_TEST

/* Both streams, in the order written; and max_output 0 counts only. */
START_TEST(test_stdout_stderr)
{
	char *const argv[] = { "sh", "-c", "echo out; sleep 0.2; "
	    "echo err >&2; sleep 0.2; echo out2; exit 1", NULL };
	struct res r;

	run_one(argv, 0, 1024, &r);
	ck_assert_int_eq(r.end.code, 1);
	ck_assert_str_eq(r.out, "out\nerr\nout2\n");
	ck_assert_uint_eq(r.end.total, 13);
	free(r.out);
	run_one(argv, 0, 0, &r);
	ck_assert_uint_eq(r.end.len, 0);
	ck_assert_uint_eq(r.end.total, 13);
	ck_assert_str_eq(r.out, "");
	free(r.out);
	/* Cut in the middle of a read. */
	run_one(argv, 0, 5, &r);
	ck_assert_str_eq(r.out, "out\ne");
	ck_assert_uint_eq(r.end.total, 13);
	free(r.out);
}
END_TEST

START_TEST(test_no_such_program)
{
	char *const nope[] = { "kaipeer-no-such-program-x", NULL };
	char *const nope_path[] = { "/nonexistent/dir/prog", NULL };
	char *const not_exec[] = { "/etc/passwd", NULL };
	char *const empty[] = { "", NULL };
	struct res r;

	run_one(nope, 0, 1024, &r);
	ck_assert_int_eq(r.end.started, 0);
	ck_assert_int_eq(r.end.err, ENOENT);
	ck_assert_uint_eq(r.end.len, 0);
	assert_gone(r.pid);
	free(r.out);
	run_one(nope_path, 0, 1024, &r);
	ck_assert_int_eq(r.end.started, 0);
	ck_assert_int_eq(r.end.err, ENOENT);
	free(r.out);
	run_one(not_exec, 0, 1024, &r);
	ck_assert_int_eq(r.end.started, 0);
	ck_assert_int_eq(r.end.err, EACCES);
	free(r.out);
	run_one(empty, 0, 1024, &r);
	ck_assert_int_eq(r.end.started, 0);
	ck_assert_int_eq(r.end.err, ENOENT);
	free(r.out);
}
END_TEST

/* 10 MiB through a 64 KiB bound: all counted, the program not blocked. */
START_TEST(test_big_output)
{
	char *const argv[] = { "head", "-c", "10485760", "/dev/zero", NULL };
	struct res r;
	size_t i;

	run_one(argv, 8000, 65536, &r);
	ck_assert_int_eq(r.end.timed_out, 0);
	ck_assert_int_eq(r.end.started, 1);
	ck_assert_int_eq(r.end.code, 0);
	ck_assert_int_eq(r.end.signo, 0);
	ck_assert_uint_eq(r.end.len, 65536);
	ck_assert(r.end.total == 10485760ULL);
	for (i = 0; i < r.end.len; i++)
		ck_assert_int_eq(r.out[i], 0);
	free(r.out);
}
END_TEST

/* A group that ignores SIGTERM: SIGKILL after the grace, nothing left. */
START_TEST(test_timeout_group)
{
	char *const argv[] = { "sh", "-c",
	    "trap '' TERM; sleep 1000 & sleep 1000; echo never", NULL };
	struct res r;

	run_one(argv, 200, 1024, &r);
	ck_assert_int_eq(r.end.started, 1);
	ck_assert_int_eq(r.end.timed_out, 1);
	ck_assert_int_eq(r.end.signo, SIGKILL);
	ck_assert_int_eq(r.end.code, 128 + SIGKILL);
	ck_assert_int_ge(r.end.ms, 200 + PROC_GRACE_MS - 50);
	ck_assert_int_lt(r.end.ms, 200 + PROC_GRACE_MS + 1500);
	ck_assert_str_eq(r.out, "");
	assert_gone(r.pid);
	free(r.out);
}
END_TEST

/*
 * A program that heeds SIGTERM ends at once, though we ignore and block
 * SIGTERM: neither reaches it.  Its group is gone too.
 */
START_TEST(test_timeout_term)
{
	char *const argv[] = { "sh", "-c", "sleep 1000 & sleep 1000", NULL };
	char *const sleeper[] = { "sleep", "1000", NULL };
	struct res r;
	sigset_t set;

	signal(SIGTERM, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	run_one(sleeper, 100, 1024, &r);
	ck_assert_int_eq(r.end.timed_out, 1);
	ck_assert_int_eq(r.end.signo, SIGTERM);
	ck_assert_int_eq(r.end.code, 128 + SIGTERM);
	ck_assert_int_lt(r.end.ms, 1000);
	assert_gone(r.pid);
	free(r.out);
	run_one(argv, 100, 1024, &r);
	ck_assert_int_eq(r.end.timed_out, 1);
	ck_assert_int_lt(r.end.ms, 1000);
	assert_gone(r.pid);
	free(r.out);
}
END_TEST

START_TEST(test_signal_death)
{
	char *const argv[] = { "sh", "-c", "echo bye; kill -9 $$", NULL };
	struct res r;

	run_one(argv, 5000, 1024, &r);
	ck_assert_int_eq(r.end.started, 1);
	ck_assert_int_eq(r.end.signo, 9);
	ck_assert_int_eq(r.end.code, 137);
	ck_assert_int_eq(r.end.timed_out, 0);
	ck_assert_str_eq(r.out, "bye\n");
	assert_gone(r.pid);
	free(r.out);
}
END_TEST

START_TEST(test_stdin_null)
{
	char *const argv[] = { "cat", NULL };
	struct res r;

	run_one(argv, 5000, 1024, &r);
	ck_assert_int_eq(r.end.code, 0);
	ck_assert_int_eq(r.end.timed_out, 0);
	ck_assert_uint_eq(r.end.total, 0);
	ck_assert_int_lt(r.end.ms, 1000);
	free(r.out);
}
END_TEST

/* A grandchild holds stdout: we end after the linger, it lives on. */
START_TEST(test_linger)
{
	char *const argv[] = { "sh", "-c", "sleep 5 & echo hi", NULL };
	struct res r;

	run_one(argv, 0, 1024, &r);
	ck_assert_int_eq(r.end.code, 0);
	ck_assert_str_eq(r.out, "hi\n");
	ck_assert_int_ge(r.end.ms, PROC_LINGER_MS);
	ck_assert_int_lt(r.end.ms, PROC_LINGER_MS + 400);
	/* Not ours to kill: it still runs, in the group we made. */
	ck_assert_int_eq(kill(-(pid_t)r.pid, 0), 0);
	ck_assert_int_eq(kill(-(pid_t)r.pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	free(r.out);
}
END_TEST

static int never_calls;

static void
never(void *ctx, struct proc *p, const struct proc_end *end)
{
	(void)ctx;
	(void)p;
	(void)end;
	never_calls++;
}

/* Cancelled: no callback; the group killed and reaped, even one that
 * ignores SIGTERM. */
START_TEST(test_cancel)
{
	char *const argv[] = { "sh", "-c", "sleep 1000 & sleep 1000", NULL };
	char *const stubborn[] = { "sh", "-c",
	    "trap '' TERM; sleep 1000 & echo x; sleep 1000", NULL };
	struct loop *l = loop_new();
	struct procs *ps = procs_new(l, 2);
	struct proc *p, *q;
	long pid, qid;
	int i;

	never_calls = 0;
	ck_assert_ptr_nonnull(p = proc_start(ps, argv, 0, 1024, never, NULL));
	ck_assert_ptr_nonnull(q = proc_start(ps, stubborn, 0, 1024, never,
	    NULL));
	pid = proc_pid(p);
	qid = proc_pid(q);
	for (i = 0; i < 5; i++)
		ck_assert_int_ge(loop_turn(l, 20), 0);
	proc_cancel(p);
	proc_cancel(q);
	ck_assert_int_eq(procs_running(ps), 2);	/* until reaped */
	run(l, ps, NULL);
	ck_assert_int_eq(never_calls, 0);
	assert_gone(pid);
	assert_gone(qid);
	procs_free(ps);
	loop_free(l);
}
END_TEST

/* At most max at once; a done callback may start the next one. */
static void
start_next(void *ctx, struct proc *p, const struct proc_end *end)
{
	static char *const argv[] = { "echo", "second", NULL };
	struct res *r = ctx;

	on_done(ctx, p, end);
	if (r->next != NULL)
		ck_assert_ptr_nonnull(proc_start(r->ps, argv, 0, 64, on_done,
		    r->next));
}

START_TEST(test_max)
{
	char *const argv[] = { "sleep", "1000", NULL };
	struct loop *l = loop_new();
	struct procs *ps = procs_new(l, 1);
	struct proc *p, *q;
	struct res a, b;
	long pid, qid;

	never_calls = 0;
	ck_assert_ptr_nonnull(p = proc_start(ps, argv, 0, 64, never, NULL));
	errno = 0;
	ck_assert_ptr_null(proc_start(ps, argv, 0, 64, never, NULL));
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(procs_running(ps), 1);
	procs_limit(ps, 2);
	ck_assert_ptr_nonnull(q = proc_start(ps, argv, 0, 64, never, NULL));
	ck_assert_int_eq(procs_running(ps), 2);
	pid = proc_pid(p);
	qid = proc_pid(q);
	/* Lowered: both go on, nothing new starts. */
	procs_limit(ps, 1);
	ck_assert_ptr_null(proc_start(ps, argv, 0, 64, never, NULL));
	ck_assert_int_eq(errno, EAGAIN);
	proc_cancel(p);
	proc_cancel(q);
	run(l, ps, NULL);
	assert_gone(pid);
	assert_gone(qid);
	/* With max 1, the callback of the first starts the second. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.ps = ps;
	a.next = &b;
	ck_assert_ptr_nonnull(proc_start(ps, sh_echo, 0, 64, start_next, &a));
	run(l, ps, &b.calls);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_str_eq(b.out, "second\n");
	ck_assert_int_eq(never_calls, 0);
	assert_gone(b.pid);
	free(a.out);
	free(b.out);
	procs_free(ps);
	loop_free(l);
}
END_TEST

/* procs_free() with programs running: no callback, nothing left. */
START_TEST(test_free_running)
{
	char *const argv[] = { "sh", "-c",
	    "trap '' TERM; sleep 1000 & sleep 1000", NULL };
	struct loop *l = loop_new();
	struct procs *ps = procs_new(l, 3);
	long pid[3];
	struct proc *p;
	int i;

	never_calls = 0;
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(p = proc_start(ps, argv, 100, 64, never,
		    NULL));
		pid[i] = proc_pid(p);
	}
	for (i = 0; i < 5; i++)
		ck_assert_int_ge(loop_turn(l, 20), 0);
	procs_free(ps);
	ck_assert_int_eq(never_calls, 0);
	for (i = 0; i < 3; i++)
		assert_gone(pid[i]);
	loop_free(l);
}
END_TEST

/* No descriptor for the third pipe: NULL with EMFILE, nothing leaked. */
START_TEST(test_no_fds)
{
	struct loop *l = loop_new();
	struct procs *ps = procs_new(l, 1);
	struct rlimit rl, low;
	int lowest = dup(0), i, now;

	close(lowest);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	for (i = 0; i < 6; i += 2) {
		low.rlim_cur = (rlim_t)(lowest + i);
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
		errno = 0;
		ck_assert_ptr_null(proc_start(ps, sh_echo, 0, 64, never, NULL));
		ck_assert_int_eq(errno, EMFILE);
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
		now = dup(0);
		close(now);
		ck_assert_int_eq(now, lowest);
	}
	ck_assert_int_eq(procs_running(ps), 0);
	procs_free(ps);
	loop_free(l);
}
END_TEST

/* A descriptor we did not mark close-on-exec does not reach the child. */
START_TEST(test_fds_closed)
{
	char *const argv[] = { "sleep", "2", NULL };
	struct loop *l = loop_new();
	struct procs *ps = procs_new(l, 1);
	struct pollfd pfd;
	struct proc *p;
	long long t0;
	int fds[2];
	long pid;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_ptr_nonnull(p = proc_start(ps, argv, 0, 64, never, NULL));
	pid = proc_pid(p);
	close(fds[1]);
	/* Had the child kept the write end, no end of file for 2 s. */
	t0 = loop_clock_ms();
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 1500), 1);
	ck_assert_int_lt(loop_clock_ms() - t0, 1000);
	close(fds[0]);
	procs_free(ps);
	assert_gone(pid);
	loop_free(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("proc");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_echo);
	tcase_add_test(tc, test_exit_code);
	tcase_add_test(tc, test_stdout_stderr);
	tcase_add_test(tc, test_no_such_program);
	tcase_add_test(tc, test_big_output);
	tcase_add_test(tc, test_timeout_group);
	tcase_add_test(tc, test_timeout_term);
	tcase_add_test(tc, test_signal_death);
	tcase_add_test(tc, test_stdin_null);
	tcase_add_test(tc, test_linger);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_max);
	tcase_add_test(tc, test_free_running);
	tcase_add_test(tc, test_no_fds);
	tcase_add_test(tc, test_fds_closed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
