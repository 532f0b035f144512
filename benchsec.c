/*
 * benchsec: kaipeer-bench as a secured peer (-K key_file), and the speed
 * of the cipher behind it (-A); contract in include/bench.h.
 *
 * With -K, every connection of kaipeer-bench speaks docs/PROTOCOL.md
 * section 10 as the dialler, with the library's own code: its HELLO sets
 * flag 0x1, and after the node's HELLO it runs the Noise XX handshake as
 * the initiator (noise.h), its prologue "kaipeer/1 Noise" || our HELLO ||
 * the node's HELLO, each frame whole as it was sent; a fresh ephemeral
 * key per connection comes from random_secure().  From message 3 on,
 * every frame it sends is sealed in place (seal_frame()) and every frame
 * it reads is opened in place (seal_next()).  The link is up at the first
 * sealed frame, the node's PING.  A bench is a measuring tool, not a
 * node: it takes whatever key the node shows (no "trusted" of its own)
 * and has no psk.  The node must trust the bench's key (its public key is
 * what `kaipeer --genkey` printed, or `kaipeer --pubkey` prints).
 *
 * A struct bench_sec is one connection's state; bench.c keeps one per
 * client and starts it again for each new connection.  Nothing here does
 * I/O but reading the key file, and nothing allocates after
 * bench_sec_new().  A failure is returned to bench.c, which names the
 * connection and exits 1: a measurement that went wrong prints no figure.
 *
 * -A times aead_seal() (aead.c, the AEAD every sealed frame goes through)
 * on buffers of 16 B, 256 B, 1 KiB, 8 KiB and 1 MiB with the 5 bytes of a
 * frame header as associated data, as seal_frame() calls it: for each
 * size, as many seals as fit in -A seconds of this process's CPU time
 * (the divisor `openssl speed` uses by default), reported in bytes of
 * message a second.
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

#define PROLOGUE	"kaipeer/1 Noise"
#define PROLOGUE_LEN	(sizeof(PROLOGUE) - 1)

struct bench_sec {
	struct noise_hs	 hs;
	struct noise_cipher tx, rx;
	unsigned char	 hello[PROTO_MAX_HELLO];	/* ours, as sent */
	size_t		 hello_len;
	int		 sealed;	/* message 3 written */
	int		 opened;	/* a sealed frame came */
};

static unsigned char secret[KEYS_SIZE];	/* -K's private key */

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
}

struct bench_sec *
bench_sec_new(void)
{
	return calloc(1, sizeof(struct bench_sec));
}

void
bench_sec_begin(struct bench_sec *s, const unsigned char *hello, size_t len)
{
	ct_wipe(s, sizeof(*s));
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
	noise_hs_init(&s->hs, 1, secret, e, NULL, pro, n);
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
	s->sealed = 1;
	return n;
}

int
bench_sec_sealed(const struct bench_sec *s)
{
	return s->sealed;
}

size_t
bench_sec_seal(struct bench_sec *s, unsigned char *p, size_t n)
{
	long m;

	/* -1 only once 2^64 - 1 frames went one way: never, here. */
	m = seal_frame(&s->tx, p, n);
	return m < 0 ? 0 : (size_t)m;
}

long
bench_sec_next(struct bench_sec *s, unsigned char *buf, size_t avail,
    size_t max, struct proto_frame *f)
{
	size_t size;
	long n;

	if (!s->sealed)
		return proto_frame_next(buf, avail, max, f);
	n = seal_next(&s->rx, buf, avail, max, f, &size);
	if (n > 0)
		s->opened = 1;
	else if (n == SEAL_ECLEAR && !s->opened && f->type == PROTO_ERROR)
		return (long)size;	/* refused: the caller says why */
	return n;
}

const char *
bench_sec_strerror(long err)
{
	if (err == SEAL_EFORGED)
		return "a sealed frame failed authentication";
	if (err == SEAL_ECLEAR)
		return "a frame in clear on a secured link";
	return proto_strerror((int)err);
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
	static const size_t sizes[] = { 16, 256, 1024, 8192, 1048576 };
	unsigned char key[AEAD_KEY], nonce[AEAD_NONCE], ad[PROTO_HEADER];
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
