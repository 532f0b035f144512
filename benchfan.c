/*
 * benchfan: kaipeer-bench -F, the fan-out figure (include/bench.h).
 *
 * The bench is itself a kaipeer node here, built from the library: it
 * reads a config file whose "peers" are the nodes to measure (and whose
 * "maxPeers" lets it hold them all), dials them, and then, -n times over,
 * sends one command to every peer at once with kaipeer_send("*") and
 * times, in nanoseconds, from the send to the last result: the console's
 * "@* calc 1+2" through the same fanout.  The same command sent to one
 * peer, one at a time, gives the round trip to compare it with.  A first
 * round, not timed, waits until every peer is connected.
 *
 * Every result must be status ok with the expected text (-e; else the
 * local calc_eval() of a "calc ..." command); anything else, or no result
 * within 60 s, is fatal: a message and exit status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "calc.h"
#include "kaipeer.h"

#define ROUND_LIMIT_NS	(60LL * 1000000000LL)
#define SINGLES		200	/* one-peer round trips */

struct fan {
	struct kaipeer_node *node;
	const char	*expect;
	long		 got;		/* results of this round */
	long		 bad;
	char		 why[256];
};

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
on_result(void *ctx, const struct kaipeer_result *r)
{
	struct fan *f = ctx;
	char shown[128];

	f->got++;
	if (r->status == KAIPEER_OK && r->len == strlen(f->expect) &&
	    memcmp(r->text, f->expect, r->len) == 0)
		return;
	if (f->bad++ == 0)
		snprintf(f->why, sizeof(f->why), "%s answered \"%s\" (status "
		    "%d)", r->addr, bench_show(r->text, r->len, shown,
		    sizeof(shown)), r->status);
}

long long
bench_round_trip(struct kaipeer_node *k, const char *selector,
    const char *command, const char *expect, long n, char *why,
    size_t whysize)
{
	struct fan f;
	long long t0, t1;
	int sent;

	memset(&f, 0, sizeof(f));
	f.node = k;
	f.expect = expect;
	t0 = now_ns();
	if ((sent = kaipeer_send(k, selector, command, on_result, &f)) != n) {
		snprintf(why, whysize, "the command went to %d peers, not %ld",
		    sent, n);
		return -1;
	}
	while (f.got < n && f.bad == 0) {
		if (now_ns() - t0 > ROUND_LIMIT_NS) {
			snprintf(why, whysize, "%ld of %ld results in 60 s",
			    f.got, n);
			return -1;
		}
		if (kaipeer_step(k, 1000) == -1) {
			snprintf(why, whysize, "the node stopped");
			return -1;
		}
	}
	t1 = now_ns();
	if (f.bad > 0) {
		snprintf(why, whysize, "%s", f.why);
		return -1;
	}
	return t1 - t0;
}

static int
by_value(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void
fatal(const char *what)
{
	fprintf(stderr, "kaipeer-bench: fan-out: %s\n", what);
	exit(1);
}

void
bench_fanout(const struct bench_opts *o)
{
	struct fan f;
	long long *t, one[SINGLES];
	char expect[64];
	long i, rounds = o->requests, npeers;
	int n;

	memset(&f, 0, sizeof(f));
	if (o->expect != NULL)
		f.expect = o->expect;
	else if (strncmp(o->command, "calc ", 5) == 0 &&
	    calc_eval(o->command + 5, strlen(o->command + 5), expect,
	    sizeof(expect)) == 0)
		f.expect = expect;
	else
		bench_usage_error("-F: give the expected result with -e");
	if ((t = calloc((size_t)rounds, sizeof(*t))) == NULL ||
	    (f.node = kaipeer_new()) == NULL)
		fatal("out of memory");
	if (kaipeer_load_config(f.node, o->fanout) == -1)
		fatal("cannot read the config file");
	if (kaipeer_set_listen(f.node, 0) == -1 || kaipeer_start(f.node) != 0)
		fatal("cannot start the node");
	/* Every configured peer, once connected, answers the first round. */
	if ((n = kaipeer_send(f.node, "*", o->command, on_result, &f)) <= 0)
		fatal("no peers in the config file");
	npeers = n;
	f.got = 0;
	while (f.got < npeers && f.bad == 0)
		if (kaipeer_step(f.node, 1000) == -1)
			fatal("the node stopped");
	if (f.bad > 0)
		fatal(f.why);
	for (i = 0; i < rounds; i++)
		if ((t[i] = bench_round_trip(f.node, "*", o->command, f.expect,
		    npeers, f.why, sizeof(f.why))) < 0)
			fatal(f.why);
	for (i = 0; i < SINGLES; i++)
		if ((one[i] = bench_round_trip(f.node, "0", o->command,
		    f.expect, 1, f.why, sizeof(f.why))) < 0)
			fatal(f.why);
	qsort(t, (size_t)rounds, sizeof(*t), by_value);
	qsort(one, SINGLES, sizeof(*one), by_value);
	if (o->csv)
		printf("fanout,%ld,%ld,%.3f,%.3f,%.3f,%.1f\n", npeers, rounds,
		    t[rounds / 2] / 1e6, t[0] / 1e6, t[rounds - 1] / 1e6,
		    one[SINGLES / 2] / 1e3);
	else
		printf("fan-out '%s' to %ld peers, %ld rounds: send to last "
		    "result median %.3f ms (min %.3f, max %.3f); one peer, "
		    "one at a time: median %.1f us\n", o->command, npeers,
		    rounds, t[rounds / 2] / 1e6, t[0] / 1e6,
		    t[rounds - 1] / 1e6, one[SINGLES / 2] / 1e3);
	kaipeer_stop(f.node);
	while (kaipeer_step(f.node, 100) != -1)
		continue;
	kaipeer_free(f.node);
	free(t);
}
