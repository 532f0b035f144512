/*
 * benchsec: kaipeer-bench as a secured peer (-K key_file), and the speed
 * of the cipher behind it (-A); contract in include/bench.h.
 *
 * With -K, every connection of kaipeer-bench speaks docs/PROTOCOL.md
 * section 10 as the dialler, with the library's own code: its HELLO sets
 * flag 0x1, and after the node's HELLO it runs the Noise XX handshake as
 * the initiator (noise.h), its prologue "kaipeer/1 Noise" || our HELLO ||
 * the node's HELLO, each frame whole as it was sent; a fresh ephemeral
 * key per connection comes from random_secure(), and the static public
 * key, computed once by bench_sec_load(), is handed to noise_hs_init().
 *
 * From message 3 on, each direction's frames are one plaintext stream
 * carried in sealed records (seal.h), as the node does it (session.c,
 * secure.c): the frames to send are appended to the connection's
 * plaintext queue (bench_sec_queue()) and sealed into records of at most
 * SEAL_MAX_PLAIN bytes just before the connection's write
 * (bench_sec_seal()), so that all the COMMANDs bench.c queues for a
 * connection in one turn of its loop (a burst of -P of them) go as one
 * record; the bytes read are opened record by record (seal_open()) into a
 * plaintext buffer, from which bench_sec_next() cuts the frames with
 * proto_frame_next().  Before the node's first record a frame in clear is
 * taken if it is an ERROR (the node refusing message 3), so that bench.c
 * can say why; anything else in clear ends the run.  The link is up at
 * the first frame opened, the node's PING.  A bench is a measuring tool,
 * not a node: it takes whatever key the node shows (no "trusted" of its
 * own) and has no psk.  The node must trust the bench's key (its public
 * key is what `kaipeer --genkey` printed, or `kaipeer --pubkey` prints).
 *
 * A struct bench_sec is one connection's state; bench.c keeps one per
 * client and starts it again for each new connection.  Nothing here does
 * I/O but reading the key file, and nothing allocates after
 * bench_sec_new(), which makes the two plaintext buffers.  The queue is
 * wiped as it is sealed, as the node's is; what was opened is wiped when
 * a connection starts over.  A failure is returned to bench.c, which
 * names the connection and exits 1: a measurement that went wrong prints
 * no figure.
 *
 * -A times aead_seal() (aead.c, the AEAD every record goes through) on
 * buffers of 16 B, 256 B, 1 KiB, 8 KiB and 65519 B (a full record) with
 * the 5 bytes of a record's header as associated data, as seal_record()
 * calls it: for each size, as many seals as fit in -A seconds of this
 * process's CPU time (the divisor `openssl speed` uses by default),
 * reported in bytes of message a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aead.h"
#include "bench.h"
#include "ct.h"
#include "keys.h"
#include "noise.h"
#include "random.h"
#include "seal.h"
#include "x25519.h"

#define PROLOGUE	"kaipeer/1 Noise"
#define PROLOGUE_LEN	(sizeof(PROLOGUE) - 1)

struct bench_sec {
	struct noise_hs	 hs;
	struct noise_cipher tx, rx;
	unsigned char	 hello[PROTO_MAX_HELLO];	/* ours, as sent */
	size_t		 hello_len;
	int		 sealed;	/* message 3 written */
	unsigned long	 opened;	/* records opened */
	/* The plaintext streams: frames queued, sealed at the next
	 * bench_sec_seal(); and opened, [in_off, in_len) not yet taken. */
	unsigned char	*out;
	size_t		 out_len, out_cap;
	unsigned char	*in;
	size_t		 in_off, in_len, in_cap;
};

static unsigned char secret[KEYS_SIZE];	/* -K's private key */
static unsigned char public[KEYS_SIZE];	/* and its public key */
static struct bench_sec_totals totals;

void
bench_sec_load(const char *path)
{
	char err[512], warn[512];

	if (keys_load(path, secret, err, sizeof(err), warn,
	    sizeof(warn)) == -1) {
		fprintf(stderr, "kaipeer-bench: -K: %s\n", err);
		exit(1);
	}
	if (warn[0] != '\0')
		fprintf(stderr, "kaipeer-bench: warning: %s\n", warn);
	x25519_public(public, secret);	/* once, not per handshake */
}

struct bench_sec *
bench_sec_new(size_t queue, size_t frame)
{
	struct bench_sec *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->out_cap = queue;
	s->in_cap = frame + SEAL_MAX_PLAIN;
	if ((s->out = malloc(s->out_cap)) == NULL ||
	    (s->in = malloc(s->in_cap)) == NULL) {
		free(s->out);
		free(s);
		return NULL;
	}
	return s;
}

void
bench_sec_begin(struct bench_sec *s, const unsigned char *hello, size_t len)
{
	ct_wipe(&s->hs, sizeof(s->hs));
	ct_wipe(&s->tx, sizeof(s->tx));
	ct_wipe(&s->rx, sizeof(s->rx));
	ct_wipe(s->out, s->out_len);
	ct_wipe(s->in, s->in_len);
	s->out_len = s->in_off = s->in_len = 0;
	s->sealed = s->opened = 0;
	if (len > sizeof(s->hello))
		len = sizeof(s->hello);	/* cannot be: HELLOs are bounded */
	memcpy(s->hello, hello, len);
	s->hello_len = len;
}

/* A frame's header and the message after it: the frame's size. */
static long
put_frame(unsigned char *p, int type, const unsigned char *payload,
    size_t len)
{
	p[0] = (unsigned char)((len + 1) >> 24);
	p[1] = (unsigned char)((len + 1) >> 16);
	p[2] = (unsigned char)((len + 1) >> 8);
	p[3] = (unsigned char)(len + 1);
	p[4] = (unsigned char)type;
	memmove(p + PROTO_HEADER, payload, len);
	return (long)(PROTO_HEADER + len);
}

/* Our next handshake message, as a NOISE frame in out. */
static long
write_msg(struct bench_sec *s, unsigned char *out)
{
	long n;

	n = noise_hs_write(&s->hs, NULL, 0, out + PROTO_HEADER,
	    BENCH_SEC_MSG - PROTO_HEADER);
	return n < 0 ? -1 : put_frame(out, PROTO_NOISE, out + PROTO_HEADER,
	    (size_t)n);
}

long
bench_sec_hello(struct bench_sec *s, const struct proto_frame *f,
    unsigned char *out)
{
	unsigned char pro[PROLOGUE_LEN + 2 * PROTO_MAX_HELLO];
	unsigned char e[NOISE_KEY];
	size_t n = PROLOGUE_LEN;

	if (f->len + PROTO_HEADER > PROTO_MAX_HELLO)
		return -1;
	memcpy(pro, PROLOGUE, n);
	memcpy(pro + n, s->hello, s->hello_len);
	n += s->hello_len;
	n += (size_t)put_frame(pro + n, PROTO_HELLO, f->payload, f->len);
	if (random_secure(e, sizeof(e)) == -1)
		return -1;
	noise_hs_init(&s->hs, 1, secret, public, e, NULL, pro, n);
	ct_wipe(e, sizeof(e));
	return write_msg(s, out);
}

long
bench_sec_noise(struct bench_sec *s, const struct proto_frame *f,
    unsigned char *out)
{
	unsigned char payload[PROTO_MAX_HELLO];
	long n;

	if (s->sealed || noise_hs_read(&s->hs, f->payload, f->len, payload,
	    sizeof(payload)) < 0 || (n = write_msg(s, out)) < 0 ||
	    !noise_hs_done(&s->hs))
		return -1;
	noise_hs_split(&s->hs, &s->tx, &s->rx, NULL);
	noise_hs_wipe(&s->hs);
	s->sealed = 1;
	return n;
}

int
bench_sec_sealed(const struct bench_sec *s)
{
	return s->sealed;
}

unsigned long
bench_sec_opened(const struct bench_sec *s)
{
	return s->opened;
}

unsigned char *
bench_sec_queue(struct bench_sec *s, size_t len)
{
	unsigned char *p;

	if (len > s->out_cap - s->out_len)
		return NULL;
	p = s->out + s->out_len;
	s->out_len += len;
	totals.frames_out++;
	return p;
}

size_t
bench_sec_queued(const struct bench_sec *s)
{
	return s->out_len;
}

long
bench_sec_seal(struct bench_sec *s, unsigned char *out, size_t room)
{
	size_t done = 0, put = 0, chunk;
	long n;

	while (done < s->out_len && room - put > SEAL_OVERHEAD) {
		chunk = s->out_len - done;
		if (chunk > SEAL_MAX_PLAIN)
			chunk = SEAL_MAX_PLAIN;
		if (chunk > room - put - SEAL_OVERHEAD)
			chunk = room - put - SEAL_OVERHEAD;
		/* -1 only once 2^64 - 1 records went one way: never here. */
		if ((n = seal_record(&s->tx, out + put, s->out + done,
		    chunk)) < 0)
			return -1;
		put += (size_t)n;
		done += chunk;
		totals.records_out++;
	}
	if (done > 0) {
		memmove(s->out, s->out + done, s->out_len - done);
		ct_wipe(s->out + s->out_len - done, done);
		s->out_len -= done;
	}
	return (long)put;
}

long
bench_sec_next(struct bench_sec *s, const unsigned char *buf, size_t avail,
    size_t *used, size_t max, struct proto_frame *f)
{
	size_t plen, size;
	long n;

	if (!s->sealed) {
		if ((n = proto_frame_next(buf + *used, avail - *used, max,
		    f)) > 0)
			*used += (size_t)n;
		return n;
	}
	for (;;) {
		n = proto_frame_next(s->in + s->in_off, s->in_len - s->in_off,
		    max, f);
		if (n > 0) {
			s->in_off += (size_t)n;
			totals.frames_in++;
			return n;
		}
		if (n != PROTO_PARTIAL)
			return n;
		/* The frame goes on in the next record: room for one. */
		if (s->in_off == s->in_len)
			s->in_off = s->in_len = 0;
		else if (s->in_off > 0) {
			memmove(s->in, s->in + s->in_off, s->in_len -
			    s->in_off);
			s->in_len -= s->in_off;
			s->in_off = 0;
		}
		if (s->in_cap - s->in_len < SEAL_MAX_PLAIN)
			return PROTO_ETOOBIG;	/* cannot be: max is ours */
		n = seal_open(&s->rx, buf + *used, avail - *used,
		    s->in + s->in_len, &plen, PROTO_MAX_HELLO, f, &size);
		if (n == SEAL_ECLEAR && !s->opened && f->type == PROTO_ERROR) {
			*used += size;	/* refused: the caller says why */
			return (long)size;
		}
		if (n < 0)
			return n;
		*used += (size_t)n;
		s->in_len += plen;
		s->opened++;
		totals.records_in++;
	}
}

const char *
bench_sec_strerror(long err)
{
	if (err == SEAL_EFORGED)
		return "a sealed record failed authentication";
	if (err == SEAL_ECLEAR)
		return "a frame in clear on a secured link";
	return proto_strerror((int)err);
}

void
bench_sec_totals(struct bench_sec_totals *t)
{
	*t = totals;
}

/* --- -A: the cipher's speed ------------------------------------------------ */

/* CPU time of this process, in ns. */
static long long
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
bench_aead(const struct bench_opts *o)
{
	static const size_t sizes[] = { 16, 256, 1024, 8192, SEAL_MAX_PLAIN };
	unsigned char key[AEAD_KEY], nonce[AEAD_NONCE], ad[SEAL_HEADER];
	unsigned char *buf;
	long long t0, t, limit = (long long)o->aead * 1000000000;
	unsigned long long calls, batch;
	size_t i, k;
	double bps;

	if ((buf = malloc(sizes[4] + AEAD_TAG)) == NULL) {
		fprintf(stderr, "kaipeer-bench: out of memory\n");
		exit(1);
	}
	random_bytes(key, sizeof(key));
	memset(nonce, 0, sizeof(nonce));
	memset(ad, 0, sizeof(ad));
	memset(buf, 'x', sizes[4] + AEAD_TAG);
	if (o->csv)
		printf("\"size\",\"bytes_per_second\",\"seals\",\"cpu_s\"\n");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* Look at the clock about every millisecond, not per call. */
		batch = sizes[i] >= 65536 ? 1 : 65536 / sizes[i];
		calls = 0;
		t0 = cpu_ns();
		do {
			for (k = 0; k < batch; k++) {
				/* A new nonce each time, as a link's counter. */
				nonce[4] = (unsigned char)calls;
				nonce[5] = (unsigned char)(calls >> 8);
				nonce[6] = (unsigned char)(calls >> 16);
				aead_seal(buf, key, nonce, ad, sizeof(ad), buf,
				    sizes[i]);
				calls++;
			}
			t = cpu_ns() - t0;
		} while (t < limit);
		bps = (double)calls * (double)sizes[i] / ((double)t / 1e9);
		if (o->csv)
			printf("\"%lu\",\"%.0f\",\"%llu\",\"%.3f\"\n",
			    (unsigned long)sizes[i], bps, calls, (double)t / 1e9);
		else
			printf("aead_seal %7lu bytes: %10.2f MB/s (%llu seals "
			    "in %.3f s of CPU)\n", (unsigned long)sizes[i],
			    bps / 1e6, calls, (double)t / 1e9);
		fflush(stdout);
	}
	ct_wipe(key, sizeof(key));
	free(buf);
}
