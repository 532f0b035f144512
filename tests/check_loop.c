/*
 * check_loop: the event loop (loop.c) and the hash map (map.c).
 *
 * Timers: order, re-arming, stopping one from another's callback, many at
 * random.  Descriptors: I/O runs before the timers of the same turn, a
 * watch closed and reopened under the same number gets no stale event, a
 * hang-up on a descriptor that wants nothing does not spin.  Signals: a
 * handler installed, run through the self-pipe, and the old disposition
 * put back; one loop at a time.  The map: keys, duplicates, removal.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "loop.h"
#include "map.h"

static char order[64];
static int norder;

static void
mark(void *ctx)
{
	if (norder < (int)sizeof(order) - 1)
		order[norder++] = *(const char *)ctx;
	order[norder] = '\0';
}

static void
reset(void)
{
	norder = 0;
	order[0] = '\0';
}

START_TEST(test_timer_order)
{
	struct loop *l = loop_new();
	struct loop_timer t[4];
	static const char names[] = "abcd";
	long long now;
	int i;

	ck_assert_ptr_nonnull(l);
	reset();
	now = loop_now(l);
	for (i = 0; i < 4; i++)
		loop_timer_init(&t[i], mark, (void *)&names[i]);
	/* Deadlines in the past, out of order: they run earliest first. */
	ck_assert_int_eq(loop_timer_at(l, &t[2], now - 10), 0);
	ck_assert_int_eq(loop_timer_at(l, &t[0], now - 40), 0);
	ck_assert_int_eq(loop_timer_at(l, &t[3], now - 5), 0);
	ck_assert_int_eq(loop_timer_at(l, &t[1], now - 20), 0);
	ck_assert(loop_timer_armed(&t[1]));
	/* Re-armed later, and stopped: b moves to the end, c never runs. */
	ck_assert_int_eq(loop_timer_at(l, &t[1], now - 1), 0);
	loop_timer_stop(l, &t[2]);
	ck_assert(!loop_timer_armed(&t[2]));
	ck_assert_int_eq(loop_timeout(l, 1000), 0);
	ck_assert_int_eq(loop_turn(l, 0), 3);
	ck_assert_str_eq(order, "adb");
	ck_assert(!loop_timer_armed(&t[0]));
	ck_assert_int_eq(loop_timeout(l, 1000), 1000);
	/* A bound computed from a deadline just past is no wait at all,
	 * never poll()'s "forever". */
	ck_assert_int_eq(loop_timeout(l, -5), 0);
	ck_assert_int_eq(loop_timeout(l, -1), -1);
	ck_assert_int_eq(loop_turn(l, -5), 0);
	loop_free(l);
}
END_TEST

static struct loop_timer *victim;
static struct loop *vloop;

static void
stop_victim(void *ctx)
{
	mark(ctx);
	loop_timer_stop(vloop, victim);
}

/* A due timer stopped by another due timer's callback does not run. */
START_TEST(test_timer_stops_other)
{
	struct loop_timer a, b;
	long long now;

	vloop = loop_new();
	reset();
	now = loop_now(vloop);
	loop_timer_init(&a, stop_victim, "a");
	loop_timer_init(&b, mark, "b");
	victim = &b;
	ck_assert_int_eq(loop_timer_at(vloop, &a, now - 2), 0);
	ck_assert_int_eq(loop_timer_at(vloop, &b, now - 1), 0);
	ck_assert_int_eq(loop_turn(vloop, 0), 1);
	ck_assert_str_eq(order, "a");
	loop_free(vloop);
}
END_TEST

struct rt {
	struct loop_timer t;
	long long when;
	long long *last;
	int *bad;
	int *ran;
};

static void
check_order(void *ctx)
{
	struct rt *r = ctx;

	if (r->when < *r->last)
		(*r->bad)++;
	*r->last = r->when;
	(*r->ran)++;
}

/* 5000 timers at random times, some re-armed, some stopped. */
START_TEST(test_timer_heap)
{
	enum { N = 5000 };
	struct loop *l = loop_new();
	struct rt *r = calloc(N, sizeof(*r));
	long long now, last = -1000000;
	int i, bad = 0, ran = 0, stopped = 0;

	ck_assert_ptr_nonnull(r);
	srand(7);
	now = loop_now(l);
	for (i = 0; i < N; i++) {
		loop_timer_init(&r[i].t, check_order, &r[i]);
		r[i].when = now - 100000 + rand() % 99000;
		r[i].last = &last;
		r[i].bad = &bad;
		r[i].ran = &ran;
		ck_assert_int_eq(loop_timer_at(l, &r[i].t, r[i].when), 0);
	}
	for (i = 0; i < N; i += 7) {
		r[i].when = now - 100000 + rand() % 99000;
		ck_assert_int_eq(loop_timer_at(l, &r[i].t, r[i].when), 0);
	}
	for (i = 3; i < N; i += 11) {
		loop_timer_stop(l, &r[i].t);
		stopped++;
	}
	(void)loop_turn(l, 0);
	ck_assert_int_eq(bad, 0);
	ck_assert_int_eq(ran, N - stopped);
	free(r);
	loop_free(l);
}
END_TEST

struct io {
	struct loop	*l;
	int		 fd;
	int		 calls;
	int		 events;
};

static void
on_io(void *ctx, int fd, int events)
{
	struct io *io = ctx;
	char buf[64];

	io->calls++;
	io->events = events;
	mark("i");
	if (events & LOOP_READ)
		(void)read(fd, buf, sizeof(buf));
}

/* Data and a due timer in one turn: the I/O first. */
START_TEST(test_io_before_timers)
{
	struct loop *l = loop_new();
	struct loop_timer t;
	struct io io = { 0 };
	int p[2];

	reset();
	ck_assert_int_eq(pipe(p), 0);
	io.l = l;
	ck_assert_int_eq(loop_watch(l, p[0], LOOP_READ, on_io, &io), 0);
	loop_timer_init(&t, mark, "t");
	ck_assert_int_eq(loop_timer_at(l, &t, loop_now(l) - 1), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(loop_turn(l, 100), 2);
	ck_assert_str_eq(order, "it");
	ck_assert_int_eq(io.events & LOOP_READ, LOOP_READ);
	loop_unwatch(l, p[0]);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}
END_TEST

static struct io *closer_victim;

static void
close_other(void *ctx, int fd, int events)
{
	struct io *io = ctx;
	int p[2];

	(void)fd;
	(void)events;
	io->calls++;
	/* Close the other watched pipe and open one on the same number. */
	loop_unwatch(io->l, closer_victim->fd);
	close(closer_victim->fd);
	ck_assert_int_eq(pipe(p), 0);
	if (p[0] != closer_victim->fd) {
		ck_assert_int_ne(dup2(p[0], closer_victim->fd), -1);
		close(p[0]);
	}
	ck_assert_int_eq(loop_watch(io->l, closer_victim->fd, LOOP_READ,
	    on_io, closer_victim), 0);
	io->fd = p[1];
}

/* A descriptor replaced during a turn gets none of the old one's events. */
START_TEST(test_no_stale_event)
{
	struct loop *l = loop_new();
	struct io a = { 0 }, b = { 0 };
	int pa[2], pb[2];

	ck_assert_int_eq(pipe(pa), 0);
	ck_assert_int_eq(pipe(pb), 0);
	a.l = b.l = l;
	b.fd = pb[0];
	closer_victim = &b;
	ck_assert_int_eq(loop_watch(l, pa[0], LOOP_READ, close_other, &a), 0);
	ck_assert_int_eq(loop_watch(l, pb[0], LOOP_READ, on_io, &b), 0);
	ck_assert_int_eq(write(pa[1], "x", 1), 1);
	ck_assert_int_eq(write(pb[1], "y", 1), 1);
	ck_assert_int_ge(loop_turn(l, 100), 1);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(b.calls, 0);	/* the new pipe is empty */
	close(pa[0]);
	close(pa[1]);
	close(pb[1]);
	close(b.fd);
	close(a.fd);
	loop_free(l);
}
END_TEST

/* A hang-up on a descriptor that wants nothing is not polled: no spin. */
START_TEST(test_hup_no_spin)
{
	struct loop *l = loop_new();
	struct io io = { 0 };
	int p[2], i;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(loop_watch(l, p[0], 0, on_io, &io), 0);
	close(p[1]);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(loop_turn(l, 0), 0);
	ck_assert_int_eq(io.calls, 0);
	/* Wanting to read again, it sees the end. */
	loop_want(l, p[0], LOOP_READ);
	ck_assert_int_eq(loop_turn(l, 100), 1);
	ck_assert_int_eq(io.calls, 1);
	close(p[0]);
	loop_free(l);
}
END_TEST

static int got_signal;

static void
on_sig(void *ctx, int signo)
{
	(void)ctx;
	got_signal = signo;
}

static void
old_handler(int signo)
{
	(void)signo;
}

START_TEST(test_signals)
{
	struct loop *a = loop_new(), *b = loop_new();
	struct sigaction sa, cur;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = old_handler;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR2, &sa, NULL), 0);
	ck_assert_int_eq(loop_signal(a, SIGUSR2, on_sig, NULL), 0);
	/* One loop owns signals at a time. */
	ck_assert_int_eq(loop_signal(b, SIGUSR1, on_sig, NULL), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(raise(SIGUSR2), 0);
	ck_assert_int_eq(loop_turn(a, 100), 1);
	ck_assert_int_eq(got_signal, SIGUSR2);
	loop_signals_restore(a);
	ck_assert_int_eq(sigaction(SIGUSR2, NULL, &cur), 0);
	ck_assert(cur.sa_handler == old_handler);
	/* Now the other one may. */
	ck_assert_int_eq(loop_signal(b, SIGUSR2, on_sig, NULL), 0);
	loop_free(b);		/* restores */
	ck_assert_int_eq(sigaction(SIGUSR2, NULL, &cur), 0);
	ck_assert(cur.sa_handler == old_handler);
	loop_free(a);
}
END_TEST

/* An embedder's poll: the descriptors, then a dispatch of its revents. */
START_TEST(test_embedded)
{
	struct loop *l = loop_new();
	struct pollfd fds[8];
	struct io io = { 0 };
	int p[2], n;

	reset();
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(loop_watch(l, p[0], LOOP_READ, on_io, &io), 0);
	n = loop_pollfds(l, fds, 8);
	ck_assert_int_eq(n, 1);		/* ours: no signal, no self-pipe */
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(poll(fds, (nfds_t)n, 100), 1);
	ck_assert_int_eq(loop_dispatch(l, fds, n), 1);
	ck_assert_int_eq(io.calls, 1);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}
END_TEST

/* --- the map ---------------------------------------------------------- */

static void
count_val(void *ctx, void *val)
{
	(*(int *)ctx) += (int)(long)val;
}

START_TEST(test_map)
{
	enum { N = 3000 };
	static char keys[N][16];
	struct map m;
	int i, sum = 0;

	ck_assert_int_eq(map_init(&m, 12345), 0);
	for (i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key%d", i);
		ck_assert_int_eq(map_put(&m, keys[i], strlen(keys[i]),
		    (void *)(long)(i + 1)), 0);
	}
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(map_get(&m, keys[i], strlen(keys[i])),
		    (void *)(long)(i + 1));
	ck_assert_ptr_null(map_get(&m, "nope", 4));
	/* A second value under one key. */
	ck_assert_int_eq(map_put(&m, "key7", 4, (void *)100L), 0);
	ck_assert_uint_eq(map_count(&m, "key7", 4), 2);
	map_each(&m, "key7", 4, count_val, &sum);
	ck_assert_int_eq(sum, 108);
	map_del(&m, "key7", 4, (void *)8L);
	ck_assert_ptr_eq(map_get(&m, "key7", 4), (void *)100L);
	ck_assert_uint_eq(map_count(&m, "key7", 4), 1);
	/* Removing a pair that is not there changes nothing. */
	map_del(&m, "key8", 4, (void *)1L);
	ck_assert_ptr_eq(map_get(&m, "key8", 4), (void *)9L);
	for (i = 0; i < N; i++)
		map_del(&m, keys[i], strlen(keys[i]), (void *)(long)(i + 1));
	ck_assert_uint_eq(m.n, 1);
	map_free(&m);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loop");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_timer_order);
	tcase_add_test(tc, test_timer_stops_other);
	tcase_add_test(tc, test_timer_heap);
	tcase_add_test(tc, test_io_before_timers);
	tcase_add_test(tc, test_no_stale_event);
	tcase_add_test(tc, test_hup_no_spin);
	tcase_add_test(tc, test_signals);
	tcase_add_test(tc, test_embedded);
	tcase_add_test(tc, test_map);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
