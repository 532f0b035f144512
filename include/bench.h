/*
 * bench: the parts of kaipeer-bench (bench.c) that are not the load
 * itself: its command line (benchopt.c), its report (benchrep.c), the
 * fan-out figure (benchfan.c), and the secured client with the speed of
 * its cipher (benchsec.c).
 */
#ifndef KAIPEER_BENCH_H
#define KAIPEER_BENCH_H

#include <stddef.h>

#include "proto.h"

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
	const char	*key;		/* -K: a key file (secured), or NULL */
	long		 rate;		/* -r: connections a second; 0 any */
	long		 max_frame;	/* -M: announced; 0 not (64 KiB) */
	const char	*expect_file;	/* -E: the expected result, or NULL */
	int		 aead;		/* -A: seconds per size; 0 unless given */
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
	long long	*up;		/* -H: [handshakes] connect to link up */
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

/*
 * benchsec.c: kaipeer-bench as a secured peer (-K), the Noise initiator
 * of docs/PROTOCOL.md section 10, one struct bench_sec per connection.
 */
struct bench_sec;

/* Read the key file (-K); a bad one is a message and exit status 1. */
void	bench_sec_load(const char *path);

/* A connection's secured state, unused until bench_sec_begin(); NULL if
 * no memory. */
struct bench_sec *bench_sec_new(void);

/* A new connection on s: hello[0..len) is our HELLO frame, as sent. */
void	bench_sec_begin(struct bench_sec *s, const unsigned char *hello,
	    size_t len);

#define BENCH_SEC_MSG	(PROTO_HEADER + 96)	/* room for a NOISE frame */

/*
 * The node's HELLO f came: message 1 (a NOISE frame) into out, which has
 * room for BENCH_SEC_MSG; then the NOISE frame f of message 2: message 3
 * into out, and the link is sealed from then on.  The frame's size, or -1
 * (no random source; message 2 wrong in size or tag).
 */
long	bench_sec_hello(struct bench_sec *s, const struct proto_frame *f,
	    unsigned char *out);
long	bench_sec_noise(struct bench_sec *s, const struct proto_frame *f,
	    unsigned char *out);

/* 1 once message 3 is written: every frame is sealed both ways. */
int	bench_sec_sealed(const struct bench_sec *s);

/* Seal the plain frame p[0..n) in place (room for n + 17); its size. */
size_t	bench_sec_seal(struct bench_sec *s, unsigned char *p, size_t n);

/*
 * The next frame of buf[0..avail), opened in place once the link is
 * sealed: as proto_frame_next() says (a clear ERROR before the first
 * sealed frame is given too, so that the caller can say why), or an
 * error for bench_sec_strerror().
 */
long	bench_sec_next(struct bench_sec *s, unsigned char *buf, size_t avail,
	    size_t max, struct proto_frame *f);
const char *bench_sec_strerror(long err);

/* -A: aead_seal()'s bytes per second at 16 B, 256 B, 1 KiB, 8 KiB and
 * 1 MiB, each for o->aead seconds of CPU time. */
void	bench_aead(const struct bench_opts *o);

#endif
