/*
 * bench: the parts of kaipeer-bench (bench.c) that are not the load
 * itself: its command line (benchopt.c), its report (benchrep.c), the
 * fan-out figure (benchfan.c), the network-wide query figure
 * (benchmesh.c), and the secured client with the speed of its cipher
 * (benchsec.c).
 */
#ifndef KAIPEER_BENCH_H
#define KAIPEER_BENCH_H

#include <stddef.h>

#include "proto.h"

#define BENCH_EXIT_USAGE	64
#define BENCH_MAX_TEXT		60000	/* longest -t and -e */

struct kaipeer_node;

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

/*
 * On node k, send command to the n peers selector names and step k until
 * their n results came, each status ok with the text expect: the
 * nanoseconds it took, or -1 with why (a wrong result, another number of
 * peers, no results within 60 s, the node stopped).  benchfan.c.
 */
long long bench_round_trip(struct kaipeer_node *k, const char *selector,
	    const char *command, const char *expect, long n, char *why,
	    size_t whysize);

/*
 * --mesh: for each of sizes[0..nsizes) (each from BENCH_MESH_MIN to
 * BENCH_MESH_MAX), start that many kaipeer processes (the program
 * kaipeer: a path, or a name looked up in PATH) on 127.0.0.1, on free
 * ports from base_port up, each dialling two others so that every node
 * has four links; then o->requests times type "@** calc 1" on node 0's
 * console and time it to its Done line, and compare with "calc 1" run
 * there, "@0 calc 1" and, node 0 linked to every node, "@* calc 1".
 * Prints the figures (o->csv: as CSV; o->quiet: no set-up lines), and
 * ends every node it started.  A wrong or missing result, a node that
 * exits or no answer in time: a message and exit status 1.
 */
#define BENCH_MESH_MIN	16	/* fewer: a node's four links not distinct */
#define BENCH_MESH_MAX	1000
void	bench_mesh(const struct bench_opts *o, const int *sizes, int nsizes,
	    int base_port, const char *kaipeer);

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
 * sorted here; expected: what every result said; with -K also the frames
 * per record each way, from bench_sec_totals(), as two more CSV columns)
 * or of a handshake run (o->handshakes durations in ns, tenth of them in
 * each tenth).
 */
void	bench_report(const struct bench_opts *o, long long *samples,
	    const struct bench_times *t, const char *expected, size_t elen);
void	bench_report_handshakes(const struct bench_opts *o,
	    long long *samples, long tenth, const struct bench_times *t);

/*
 * benchsec.c: kaipeer-bench as a secured peer (-K), the Noise initiator
 * of docs/PROTOCOL.md section 10, one struct bench_sec per connection.
 * Once sealed, each direction is one plaintext stream of frames carried
 * in sealed records (seal.h): frames to send are queued in plaintext and
 * sealed into records just before the connection's write, and the bytes
 * read are opened record by record into a plaintext buffer from which
 * the frames are taken.
 */
struct bench_sec;

/* Read the key file (-K) and compute its public key; a bad file is a
 * message and exit status 1. */
void	bench_sec_load(const char *path);

/*
 * A connection's secured state, unused until bench_sec_begin(), with room
 * for queue bytes of plaintext waiting to be sealed and for frames of up
 * to frame bytes (header included) read; NULL if no memory.  Nothing is
 * allocated after this.
 */
struct bench_sec *bench_sec_new(size_t queue, size_t frame);

/* A new connection on s: hello[0..len) is our HELLO frame, as sent. */
void	bench_sec_begin(struct bench_sec *s, const unsigned char *hello,
	    size_t len);

#define BENCH_SEC_MSG	(PROTO_HEADER + 96)	/* room for a NOISE frame */

/*
 * The node's HELLO f came: message 1 (a NOISE frame) into out, which has
 * room for BENCH_SEC_MSG; then the NOISE frame f of message 2: message 3
 * into out (to be sent in clear, before any record), and the link is
 * sealed from then on.  The frame's size, or -1 (no random source;
 * message 2 wrong in size or tag).
 */
long	bench_sec_hello(struct bench_sec *s, const struct proto_frame *f,
	    unsigned char *out);
long	bench_sec_noise(struct bench_sec *s, const struct proto_frame *f,
	    unsigned char *out);

/* 1 once message 3 is written: every frame goes in records both ways. */
int	bench_sec_sealed(const struct bench_sec *s);

/* Records opened on this connection so far: when it changes, the frame
 * just taken came in a record opened since. */
unsigned long bench_sec_opened(const struct bench_sec *s);

/*
 * Room for a frame of len bytes at the end of the plaintext queue, where
 * the caller writes it whole; NULL when the queue is full.  It is sent at
 * the next bench_sec_seal().
 */
unsigned char *bench_sec_queue(struct bench_sec *s, size_t len);

/* Bytes of plaintext queued, not yet sealed. */
size_t	bench_sec_queued(const struct bench_sec *s);

/*
 * Seal the queue into records of at most SEAL_MAX_PLAIN bytes each, as
 * many as fit in out[0..room), for the caller to write after whatever it
 * wrote before: their size in bytes (what did not fit stays queued, for
 * the next call), or -1 (the nonces are used up: never, in practice).
 */
long	bench_sec_seal(struct bench_sec *s, unsigned char *out, size_t room);

/*
 * The next frame read.  Before the link is sealed: the frame at
 * buf[*used..avail), as proto_frame_next() says.  Once sealed: the next
 * frame of the plaintext opened before, or, when that holds no whole
 * frame, of the records at buf[*used..avail), opened one by one (each
 * moves *used past it).  *f then points into the plaintext buffer, valid
 * until the next call.  Returns the frame's size; PROTO_PARTIAL (more
 * bytes needed); or an error for bench_sec_strerror() (a frame of more
 * than max bytes, a record that fails its tag, a frame in clear).  A
 * clear ERROR frame before the node's first record is returned as a
 * frame (*used moved past it), so that the caller can say why it was
 * refused.
 */
long	bench_sec_next(struct bench_sec *s, const unsigned char *buf,
	    size_t avail, size_t *used, size_t max, struct proto_frame *f);
const char *bench_sec_strerror(long err);

/* Over the whole run, every connection: frames queued and records
 * sealed, records opened and frames taken from them. */
struct bench_sec_totals {
	unsigned long long frames_out, records_out;
	unsigned long long records_in, frames_in;
};
void	bench_sec_totals(struct bench_sec_totals *t);

/* -A: aead_seal()'s bytes per second at 16 B, 256 B, 1 KiB, 8 KiB and
 * 65519 B (a full record), each for o->aead seconds of CPU time. */
void	bench_aead(const struct bench_opts *o);

#endif
