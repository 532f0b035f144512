/*
 * bench: the parts of kaipeer-bench (bench.c) that are not the load
 * itself: its command line (benchopt.c), its report (benchrep.c) and the
 * fan-out figure (benchfan.c).
 */
#ifndef KAIPEER_BENCH_H
#define KAIPEER_BENCH_H

#include <stddef.h>

#define BENCH_EXIT_USAGE	64
#define BENCH_MAX_TEXT		60000	/* longest -t and -e */

struct bench_opts {
	const char	*host;		/* -h */
	int		 port;		/* -p */
	int		 nclients;	/* -c */
	int		 depth;		/* -P */
	int		 keep;		/* -k seconds */
	int		 quiet;		/* -q */
	int		 csv;		/* --csv */
	long		 requests;	/* -n */
	long		 handshakes;	/* -H: 0 unless given */
	const char	*command;	/* -t */
	const char	*expect;	/* -e, or NULL */
	const char	*fanout;	/* -F: a config file, or NULL */
};

/*
 * Fill o from the command line; --help prints the usage and exits 0, a
 * bad command line prints why and exits BENCH_EXIT_USAGE.
 */
void	bench_parse_args(struct bench_opts *o, int argc, char **argv);

/*
 * -F: dial the peers of o->fanout, then o->requests times send o->command
 * to all of them at once and time it to the last result; print the
 * figures (exit 1 on any wrong or missing result).
 */
void	bench_fanout(const struct bench_opts *o);

/* "kaipeer-bench: <message>", the usage, exit BENCH_EXIT_USAGE. */
void	bench_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2), noreturn))
#endif
	;

/* Text from the wire, made printable and cut short, into buf. */
const char *bench_show(const char *s, size_t len, char *buf, size_t size);

/* When a run's phases began and ended, in ns on one clock. */
struct bench_times {
	long long	 begin;		/* the first connect */
	long long	 ready;		/* every handshake done */
	long long	 end;		/* the last result */
	long long	 first;		/* -H: the first tenth done */
	long long	 last;		/* -H: the last tenth began */
};

/*
 * Print the figures of a load run (samples: o->requests latencies in ns,
 * sorted here; expected: what every result said) or of a handshake run
 * (o->handshakes durations in ns, tenth of them in each tenth).
 */
void	bench_report(const struct bench_opts *o, long long *samples,
	    const struct bench_times *t, const char *expected, size_t elen);
void	bench_report_handshakes(const struct bench_opts *o,
	    long long *samples, long tenth, const struct bench_times *t);

#endif
