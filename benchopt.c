/*
 * benchopt: kaipeer-bench's command line (include/bench.h).  Options
 * take their value attached (-c50) or as the next word (-c 50); numbers
 * are checked against their range; -H excludes the load options, -F
 * (where -n counts rounds) excludes -H and the connection options, and
 * -A excludes every other option but -q and --csv.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_CLIENTS	60000
#define MAX_DEPTH	10000
#define MAX_REQUESTS	100000000
#define MAX_HANDSHAKES	10000000
#define MIN_HANDSHAKES	10	/* a tenth is at least one */
#define MAX_KEEP	3600
#define MAX_RATE	1000000
#define MIN_FRAME	1024
#define MAX_FRAME	(64L * 1024 * 1024)	/* as a node's maxFrameSize */
#define MAX_AEAD	60

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: kaipeer-bench [-h host] [-p port] [-c clients] "
	    "[-n requests] [-P depth]\n"
	    "                     [-t command] [-e expected | -E file] "
	    "[-M max_frame]\n"
	    "                     [-k seconds] [-K key_file] [-r rate] "
	    "[-q] [--csv]\n"
	    "       kaipeer-bench [-h host] [-p port] -H handshakes "
	    "[-K key_file] [-r rate]\n"
	    "                     [-q] [--csv]\n"
	    "       kaipeer-bench -F config [-n rounds] [-t command] "
	    "[-e expected] [--csv]\n"
	    "       kaipeer-bench -A seconds [-q] [--csv]\n"
	    "       kaipeer-bench --mesh [-c nodes] [-n runs] [-p port] "
	    "[-q] [--csv]\n");
}

void
bench_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kaipeer-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(BENCH_EXIT_USAGE);
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
		bench_usage_error("%s: '%s' is not an integer from %ld to %ld",
		    opt, s, min, max);
	return v;
}

/* -t and -e: at most BENCH_MAX_TEXT bytes. */
static const char *
text(const char *opt, const char *val)
{
	if (strlen(val) > BENCH_MAX_TEXT)
		bench_usage_error("%s: longer than %d bytes", opt,
		    BENCH_MAX_TEXT);
	return val;
}

void
bench_parse_args(struct bench_opts *o, int argc, char **argv)
{
	const char *a, *val;
	char load = '\0';	/* a load option given, which -H excludes */
	char conn = '\0';	/* one that -F excludes */
	char any = '\0';	/* any option at all, which -A excludes */
	int i, rounds = 0;

	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->port = 14590;
	o->nclients = 50;
	o->depth = 1;
	o->requests = 100000;
	o->command = "calc 1+2";
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--csv") == 0) {
			o->csv = 1;
			continue;
		}
		if (strcmp(a, "-q") == 0) {
			o->quiet = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (a[0] != '-' || a[1] == '\0' ||
		    strchr("hpcnPtekHFKrMEA", a[1]) == NULL)
			bench_usage_error("unknown option '%s'", a);
		if (a[2] != '\0')
			val = a + 2;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			bench_usage_error("option -%c needs a value", a[1]);
		if (strchr("cnPtekME", a[1]) != NULL && load == '\0')
			load = a[1];
		if (a[1] != 'A' && any == '\0')
			any = a[1];
		switch (a[1]) {
		case 'h':
			if (*val == '\0')
				bench_usage_error("-h: empty host");
			o->host = val;
			break;
		case 'p':
			o->port = (int)number("-p", val, 1, 65535);
			break;
		case 'c':
			o->nclients = (int)number("-c", val, 1, MAX_CLIENTS);
			break;
		case 'n':
			o->requests = number("-n", val, 1, MAX_REQUESTS);
			break;
		case 'P':
			o->depth = (int)number("-P", val, 1, MAX_DEPTH);
			break;
		case 'k':
			o->keep = (int)number("-k", val, 0, MAX_KEEP);
			break;
		case 'H':
			o->handshakes = number("-H", val, MIN_HANDSHAKES,
			    MAX_HANDSHAKES);
			break;
		case 't':
			o->command = text("-t", val);
			break;
		case 'e':
			o->expect = text("-e", val);
			break;
		case 'F':
			o->fanout = val;
			break;
		case 'K':
			o->key = val;
			break;
		case 'r':
			o->rate = number("-r", val, 1, MAX_RATE);
			break;
		case 'M':
			o->max_frame = number("-M", val, MIN_FRAME, MAX_FRAME);
			break;
		case 'E':
			o->expect_file = val;
			break;
		case 'A':
			o->aead = (int)number("-A", val, 1, MAX_AEAD);
			break;
		}
		if (a[1] == 'n')
			rounds = 1;
		if (strchr("cPkHKrME", a[1]) != NULL && conn == '\0')
			conn = a[1];
	}
	if (o->aead > 0 && any != '\0')
		bench_usage_error("-A measures the cipher alone; -%c does not "
		    "apply", any);
	if (o->expect != NULL && o->expect_file != NULL)
		bench_usage_error("-e and -E both give the expected result; "
		    "give one");
	if (o->fanout != NULL && conn != '\0')
		bench_usage_error("-F measures a fan-out; -%c does not apply",
		    conn);
	if (o->fanout != NULL && !rounds)
		o->requests = 20;
	if (o->handshakes > 0 && load != '\0')
		bench_usage_error("-H measures handshakes alone; -%c does not "
		    "apply", load);
	if (o->handshakes > 0)
		o->nclients = 1;
}
