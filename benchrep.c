/*
 * benchrep: kaipeer-bench's report (include/bench.h): requests or
 * handshakes per second, latency percentiles by nearest rank, in
 * redis-benchmark's manner (-q), in full, or as CSV (--csv).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "guard.h"

/* Text from the wire, made printable and cut short, into buf. */
const char *
bench_show(const char *s, size_t len, char *buf, size_t size)
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

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile p of the n sorted samples, in ms. */
static double
percentile(const long long *samples, double p, long n)
{
	long k = (long)(p * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
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

/* a / b, or 0. */
static double
per(unsigned long long a, unsigned long long b)
{
	return b > 0 ? (double)a / (double)b : 0;
}

void
bench_report(const struct bench_opts *o, long long *samples,
    const struct bench_times *t, const char *expected, size_t elen)
{
	double secs = (double)(t->end - t->ready) / 1e9, rps;
	double p50, p99, max;
	struct bench_sec_totals st;
	char buf[128];

	qsort(samples, (size_t)o->requests, sizeof(*samples), cmp_ll);
	rps = secs > 0 ? (double)o->requests / secs : 0;
	p50 = percentile(samples, 0.50, o->requests);
	p99 = percentile(samples, 0.99, o->requests);
	max = (double)samples[o->requests - 1] / 1e6;
	if (o->key != NULL)
		bench_sec_totals(&st);
	if (o->csv) {
		printf("\"name\",\"rps\",\"p50_ms\",\"p99_ms\",\"max_ms\"%s\n",
		    o->key != NULL ? ",\"frames_per_record_out\","
		    "\"frames_per_record_in\"" : "");
		csv_field(o->command);
		printf(",\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\"", rps, p50, p99,
		    max);
		if (o->key != NULL)
			printf(",\"%.2f\",\"%.2f\"", per(st.frames_out,
			    st.records_out), per(st.frames_in, st.records_in));
		printf("\n");
	} else if (o->quiet) {
		printf("%s: %.2f requests per second, p50=%.3f msec\n", o->command,
		    rps, p50);
	} else {
		printf("====== %s ======\n", o->command);
		printf("  %ld requests completed in %.3f seconds\n", o->requests,
		    secs);
		printf("  %d parallel clients, pipeline depth %d\n", o->nclients,
		    o->depth);
		printf("  node %s port %d; every result was '%s'\n", o->host, o->port,
		    bench_show(expected, elen, buf, sizeof(buf)));
		printf("  connect and handshake took %.3f ms\n",
		    (double)(t->ready - t->begin) / 1e6);
		if (o->key != NULL)
			printf("  secured: %llu frames sent in %llu records "
			    "(%.2f a record), %llu received in %llu (%.2f)\n",
			    st.frames_out, st.records_out, per(st.frames_out,
			    st.records_out), st.frames_in, st.records_in,
			    per(st.frames_in, st.records_in));
		printf("\n");
		printf("Summary:\n");
		printf("  throughput summary: %.2f requests per second\n", rps);
		printf("  latency summary (msec):\n");
		printf("          p50       p99       max\n");
		printf("    %9.3f %9.3f %9.3f\n", p50, p99, max);
	}
	fflush(stdout);
}

/* count handshakes over ns nanoseconds, per second. */
static double
per_second(long count, long long ns)
{
	return ns > 0 ? (double)count / ((double)ns / 1e9) : 0;
}

/* The median of the n samples at s, which it sorts, in microseconds. */
static double
median_us(long long *s, long n)
{
	qsort(s, (size_t)n, sizeof(*s), cmp_ll);
	return (double)s[(n - 1) / 2] / 1e3;
}

/*
 * Handshakes per second over the whole run, its first tenth and its last
 * tenth, and the median time of one handshake in each tenth: a burst of
 * other work on the machine moves a tenth's rate, much less its median.
 * Then p50 and p99 of the time from socket() to the link being up (the
 * node's HELLO; with -K its first record opened), the figure to compare
 * plain and secured handshakes by, since it leaves out the goodbye.
 */
void
bench_report_handshakes(const struct bench_opts *o, long long *samples,
    long tenth, const struct bench_times *t)
{
	double all, first, last, med1, med2, p50, p99, max, up50, up99;

	all = per_second(o->handshakes, t->end - t->begin);
	first = per_second(tenth, t->first - t->begin);
	last = per_second(tenth, t->end - t->last);
	med1 = median_us(samples, tenth);
	med2 = median_us(samples + o->handshakes - tenth, tenth);
	qsort(samples, (size_t)o->handshakes, sizeof(*samples), cmp_ll);
	p50 = percentile(samples, 0.50, o->handshakes) * 1e3;
	p99 = percentile(samples, 0.99, o->handshakes) * 1e3;
	max = (double)samples[o->handshakes - 1] / 1e3;
	qsort(t->up, (size_t)o->handshakes, sizeof(*t->up), cmp_ll);
	up50 = percentile(t->up, 0.50, o->handshakes) * 1e3;
	up99 = percentile(t->up, 0.99, o->handshakes) * 1e3;
	if (o->csv) {
		printf("\"name\",\"hps\",\"first_hps\",\"last_hps\","
		    "\"first_p50_us\",\"last_p50_us\",\"p50_us\",\"p99_us\","
		    "\"max_us\",\"up_p50_us\",\"up_p99_us\"\n");
		printf("\"%s\",\"%.2f\",\"%.2f\",\"%.2f\",\"%.1f\","
		    "\"%.1f\",\"%.1f\",\"%.1f\",\"%.1f\",\"%.1f\",\"%.1f\"\n",
		    o->key != NULL ? "secured handshakes" : "handshakes", all,
		    first, last, med1, med2, p50, p99, max, up50, up99);
	} else if (o->quiet) {
		printf("%s: %.2f per second; first tenth %.2f per "
		    "second, p50=%.1f usec; last tenth %.2f per second, "
		    "p50=%.1f usec; up p50=%.1f usec\n", o->key != NULL ?
		    "secured handshakes" : "handshakes", all, first, med1,
		    last, med2, up50);
	} else {
		printf("====== handshakes ======\n");
		printf("  %ld handshakes one after another in %.3f seconds\n",
		    o->handshakes, (double)(t->end - t->begin) / 1e9);
		printf("  node %s port %d; each: connect, HELLO both ways, "
		    "%sBYE, the node hangs up\n", o->host, o->port,
		    o->key != NULL ? "Noise XX, " : "");
		if (o->rate > 0 || o->key != NULL)
			printf("  paced: one connection every %ld ms at most\n",
			    o->rate > 0 ? (1000 + o->rate - 1) / o->rate :
			    1000L / GUARD_HS_PER_SEC);
		printf("\n");
		printf("Summary:\n");
		printf("  throughput summary: %.2f handshakes per second\n",
		    all);
		printf("  first %ld: %.2f handshakes per second, p50 %.1f "
		    "usec each\n", tenth, first, med1);
		printf("  last %ld:  %.2f handshakes per second, p50 %.1f "
		    "usec each\n", tenth, last, med2);
		printf("  cost of a handshake, last tenth / first tenth: "
		    "%.2f by rate, %.2f by p50\n", last > 0 ? first / last : 0,
		    med1 > 0 ? med2 / med1 : 0);
		printf("  latency summary, one handshake (usec):\n");
		printf("          p50       p99       max\n");
		printf("    %9.1f %9.1f %9.1f\n", p50, p99, max);
		printf("  from socket() to the link up (usec)%s:\n",
		    o->key != NULL ? ", secured: to the first record opened" :
		    "");
		printf("          p50       p99\n");
		printf("    %9.1f %9.1f\n", up50, up99);
	}
	fflush(stdout);
}
