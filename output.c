/*
 * output: bounded, non-blocking standard output and error (contract in
 * include/output.h).
 *
 * Each stream is a queue: buf[off..len) awaits writing.  A line is built
 * at the tail; if it would take the queue past its bound while something
 * is already queued, it is cut back off and counted as dropped, so memory
 * stays under the bound plus one line.  out_end() only finishes the line;
 * writing happens in the loop's hook (flush_hook: a batch is due) or its
 * timer (the oldest line is a millisecond old), and in the watch callback
 * once a blocked descriptor drains.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "output.h"

#define NAME	"kaipeer: "
#define NAME_LEN 9
#define STAMP_LEN 25	/* "2026-12-02T04:20:00.123Z " */

#define KEEP	65536		/* an empty buffer larger than this shrinks */
#define BATCH_BYTES 65536	/* written at once when this much waits */
#define BATCH_MS 1		/* otherwise when the oldest line is this old */

struct queue {
	int		 fd;		/* what we write to; -1: discard */
	int		 own;		/* fd was opened here */
	int		 restore_fd;	/* give it back restore_fl at the end */
	int		 restore_fl;
	int		 stream;	/* OUT_STDOUT or OUT_STDERR */
	int		 watched;
	char		*buf;
	size_t		 off, len, cap;
	unsigned long	 dropped;
	long long	 since;		/* when the queue stopped being empty */
};

struct output {
	struct loop	*loop;
	struct loop_timer timer;	/* the next batch is due */
	struct queue	 q[2];
	int		 merged;	/* stderr lines go to q[0] */
	size_t		 bound;
	out_log_fn	 log;
	void		*log_ctx;
	/* The line being built. */
	struct queue	*cur;
	int		 cur_stream;
	size_t		 start;
	int		 dropping;
	int		 whole;		/* in a group: 1 kept, -1 dropped */
	int		 prefix[3];	/* per stream: OUT_PREFIX_* */
	/* A line editor on the terminal of standard output. */
	void		(*hide)(void *);
	void		(*show)(void *);
	void		*edit_ctx;
	int		 edit_hidden;	/* lines are being printed over it */
	char		*scratch;	/* log mode: the line */
	size_t		 slen, scap;
};

/* --- escaping ----------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..len), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (len < n)
		return 0;
	cp = s[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

size_t
out_escape(char *dst, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, n, k;

	while (i < len) {
		if (s[i] >= 0x20 && s[i] < 0x7F) {
			dst[o++] = (char)s[i++];
			continue;
		}
		if (s[i] == '\t') {
			dst[o++] = '\t';
			i++;
			continue;
		}
		n = s[i] >= 0x80 ? utf8_len(s + i, len - i) : 0;
		/* U+0080..U+009F, the C1 controls, are C2 80..C2 9F. */
		if (n > 0 && !(n == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0)) {
			for (k = 0; k < n; k++)
				dst[o++] = (char)s[i++];
			continue;
		}
		if (n == 0)
			n = 1;
		for (k = 0; k < n; k++, i++) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[s[i] >> 4];
			dst[o++] = hex[s[i] & 15];
		}
	}
	return o;
}

/* --- descriptors -------------------------------------------------------- */

static void on_writable(void *ctx, int fd, int events);

/*
 * Make q write to fd without blocking: a terminal through a private open
 * file description, anything else with O_NONBLOCK set (and remembered).
 */
static void
open_queue(struct queue *q, int fd, int stream)
{
	struct stat st;
	const char *tty;
	int fl, nfd;

	q->stream = stream;
	q->fd = -1;
	q->restore_fd = -1;
	if (fstat(fd, &st) == -1)
		return;
	q->fd = fd;
	if (isatty(fd) && (tty = ttyname(fd)) != NULL &&
	    (nfd = open(tty, O_WRONLY | O_NOCTTY | O_NONBLOCK)) >= 0) {
		(void)fcntl(nfd, F_SETFD, FD_CLOEXEC);
		q->fd = nfd;
		q->own = 1;
		return;
	}
	if ((fl = fcntl(fd, F_GETFL)) != -1 && !(fl & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) != -1) {
		q->restore_fd = fd;
		q->restore_fl = fl;
	}
}

static size_t pending(const struct queue *q);
static void flush_queue(struct output *o, struct queue *q);

/*
 * Before the loop polls: write a queue now if enough waits in it, or if
 * its oldest line has waited BATCH_MS; otherwise the timer comes back for
 * it then.  So a line is out within a millisecond, busy or not, and a
 * node making many lines writes many per system call.
 */
static void
flush_hook(void *ctx)
{
	struct output *o = ctx;
	long long now = loop_now(o->loop), at = 0;
	int i;

	for (i = 0; i < 2; i++) {
		struct queue *q = &o->q[i];

		if ((pending(q) == 0 && q->dropped == 0) || q->watched)
			continue;	/* nothing, or waiting for the fd */
		if (pending(q) >= BATCH_BYTES || now - q->since >= BATCH_MS ||
		    q->dropped > 0)
			flush_queue(o, q);
		else if (at == 0 || q->since + BATCH_MS < at)
			at = q->since + BATCH_MS;
	}
	if (at != 0 && (!loop_timer_armed(&o->timer) || o->timer.when > at))
		(void)loop_timer_at(o->loop, &o->timer, at);
}

static void
on_timer(void *ctx)
{
	output_flush(ctx);
}

static int
same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

struct output *
output_new(struct loop *l, int out_fd, int err_fd, size_t bound)
{
	struct output *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->loop = l;
	o->bound = bound;
	o->merged = same_file(out_fd, err_fd);
	open_queue(&o->q[0], out_fd, OUT_STDOUT);
	if (o->merged) {
		o->q[1].fd = -1;
		o->q[1].restore_fd = -1;
		o->q[1].stream = OUT_STDERR;
	} else
		open_queue(&o->q[1], err_fd, OUT_STDERR);
	loop_timer_init(&o->timer, on_timer, o);
	if (loop_hook(l, flush_hook, o) == -1) {
		output_free(o, 0);
		return NULL;
	}
	return o;
}

struct output *
output_new_log(out_log_fn fn, void *ctx)
{
	struct output *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->log = fn;
	o->log_ctx = ctx;
	o->q[0].fd = o->q[1].fd = -1;
	o->q[0].restore_fd = o->q[1].restore_fd = -1;
	return o;
}

static size_t
pending(const struct queue *q)
{
	return q->len - q->off;
}

static void append(struct output *o, const char *b, size_t len);
static void stamp(char out[STAMP_LEN + 1]);

/* Say how many lines were dropped, once the queue has room again. */
static void
report_dropped(struct output *o, struct queue *q)
{
	unsigned long n = q->dropped;

	q->dropped = 0;
	out_begin(o, q->stream);
	out_printf(o, "kaipeer: %lu line%s of output dropped: standard %s "
	    "was not being read", n, n == 1 ? "" : "s",
	    q->stream == OUT_STDOUT ? "output" : "error");
	out_end(o);
}

/* Write what q holds until it is empty or the descriptor is full. */
static void
flush_queue(struct output *o, struct queue *q)
{
	ssize_t w;

	/* Lines printed over the editor: draw it again below them. */
	if (q == &o->q[0] && o->edit_hidden && o->show != NULL) {
		o->edit_hidden = 0;
		o->show(o->edit_ctx);
	}
	while (q->fd >= 0 && pending(q) > 0) {
		w = write(q->fd, q->buf + q->off, pending(q));
		if (w > 0) {
			q->off += (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!q->watched && o->loop != NULL &&
			    loop_watch(o->loop, q->fd, LOOP_WRITE, on_writable,
			    o) == 0)
				q->watched = 1;
			return;
		}
		/* Gone for good (a closed pipe, an I/O error): discard. */
		if (q->watched)
			loop_unwatch(o->loop, q->fd);
		q->watched = 0;
		q->fd = -1;
	}
	if (q->fd < 0 || pending(q) == 0)
		q->off = q->len = 0;
	if (q->watched) {
		loop_unwatch(o->loop, q->fd);
		q->watched = 0;
	}
	if (q->cap > KEEP) {
		free(q->buf);
		q->buf = NULL;
		q->cap = 0;
	}
	if (q->dropped > 0 && q->fd >= 0) {
		report_dropped(o, q);
		flush_queue(o, q);
	}
}

void
output_flush(struct output *o)
{
	int i;

	for (i = 0; i < 2; i++)
		if (pending(&o->q[i]) > 0 || o->q[i].dropped > 0)
			flush_queue(o, &o->q[i]);
}

static void
on_writable(void *ctx, int fd, int events)
{
	struct output *o = ctx;
	int i;

	(void)events;
	for (i = 0; i < 2; i++)
		if (o->q[i].fd == fd)
			flush_queue(o, &o->q[i]);
}

void
output_free(struct output *o, int timeout_ms)
{
	struct pollfd pfd;
	long long end = loop_clock_ms() + timeout_ms, left;
	int i;

	if (o == NULL)
		return;
	if (o->loop != NULL) {
		loop_unhook(o->loop, flush_hook, o);
		loop_timer_stop(o->loop, &o->timer);
	}
	for (i = 0; i < 2; i++) {
		struct queue *q = &o->q[i];

		while (q->fd >= 0 && (pending(q) > 0 || q->dropped > 0)) {
			flush_queue(o, q);
			if (q->fd < 0 || pending(q) == 0 ||
			    (left = end - loop_clock_ms()) <= 0)
				break;
			pfd.fd = q->fd;
			pfd.events = POLLOUT;
			(void)poll(&pfd, 1, (int)left);
		}
		if (q->watched)
			loop_unwatch(o->loop, q->fd);
		if (q->own)
			close(q->fd);
		if (q->restore_fd >= 0)
			(void)fcntl(q->restore_fd, F_SETFL, q->restore_fl);
		free(q->buf);
	}
	free(o->scratch);
	free(o);
}

size_t
output_pending(const struct output *o, int s)
{
	return pending(&o->q[s == OUT_STDERR && !o->merged ? 1 : 0]);
}

unsigned long
output_dropped(const struct output *o, int s)
{
	return o->q[s == OUT_STDERR ? 1 : 0].dropped;
}

/* --- building lines ----------------------------------------------------- */

void
out_begin(struct output *o, int s)
{
	o->cur_stream = s;
	o->dropping = 0;
	o->slen = 0;
	if (o->log != NULL) {
		o->cur = NULL;
		return;
	}
	o->cur = &o->q[s == OUT_STDERR && !o->merged ? 1 : 0];
	if (o->cur->fd < 0) {
		o->dropping = 1;	/* nowhere to write: discard quietly */
		return;
	}
	if (o->cur == &o->q[0] && o->hide != NULL && !o->edit_hidden) {
		o->edit_hidden = 1;	/* the prompt goes, the line comes */
		o->hide(o->edit_ctx);
	}
	if (o->whole < 0) {		/* the rest of a group that did not fit */
		o->dropping = 1;
		o->cur->dropped++;
		return;
	}
	if (o->cur->len == o->cur->off && o->loop != NULL)
		o->cur->since = loop_now(o->loop);
	o->start = o->cur->len;
	if (o->prefix[s == OUT_STDERR ? 2 : 1] & OUT_PREFIX_TIME) {
		char ts[STAMP_LEN + 1];

		stamp(ts);
		append(o, ts, STAMP_LEN);
	}
}

void
output_editor(struct output *o, void (*hide)(void *), void (*show)(void *),
    void *ctx)
{
	o->hide = hide;
	o->show = show;
	o->edit_ctx = ctx;
	o->edit_hidden = 0;
}

int
output_editor_hidden(const struct output *o)
{
	return o->edit_hidden;
}

void
out_raw(struct output *o, const char *b, size_t len)
{
	struct queue *q = &o->q[0];
	char *p;
	size_t ncap;

	if (o->log != NULL || q->fd < 0 || len == 0)
		return;
	/* The editor's bytes are few: taken past the bound, lost only when
	 * memory is. */
	if (q->len + len > q->cap) {
		if (q->off > 0) {
			memmove(q->buf, q->buf + q->off, q->len - q->off);
			q->len -= q->off;
			q->off = 0;
		}
		for (ncap = q->cap > 0 ? q->cap : 4096; ncap < q->len + len;)
			ncap *= 2;
		if (ncap > q->cap) {
			if ((p = realloc(q->buf, ncap)) == NULL)
				return;
			q->buf = p;
			q->cap = ncap;
		}
	}
	if (q->len == q->off && o->loop != NULL)
		q->since = loop_now(o->loop);
	memcpy(q->buf + q->len, b, len);
	q->len += len;
}

void
output_prefix(struct output *o, int s, int flags)
{
	o->prefix[s == OUT_STDERR ? 2 : 1] = flags;
}

/* The time now, as the start of a line: UTC, to the millisecond. */
static void
stamp(char out[STAMP_LEN + 1])
{
	struct timespec ts;
	struct tm tm;
	time_t t;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec;
	(void)gmtime_r(&t, &tm);
	/* strftime takes the date and time; the milliseconds go after. */
	if (strftime(out, STAMP_LEN + 1, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
		memcpy(out, "0000-00-00T00:00:00", 20);
	snprintf(out + 19, STAMP_LEN + 1 - 19, ".%03uZ ",
	    (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

/*
 * The line from o->start is done: give it its prefix.  "kaipeer: " goes
 * first, once (a message that says it already keeps its own), then the
 * time stamp, which out_begin() wrote.
 */
static void
add_prefix(struct output *o)
{
	int f = o->prefix[o->cur_stream == OUT_STDERR ? 2 : 1];
	size_t t = f & OUT_PREFIX_TIME ? STAMP_LEN : 0, len;
	char ts[STAMP_LEN], *line;
	struct queue *q = o->cur;

	if (!(f & OUT_PREFIX_NAME) || o->dropping)
		return;
	len = q->len - o->start;
	line = q->buf + o->start;
	if (len >= t + NAME_LEN && memcmp(line + t, NAME, NAME_LEN) == 0) {
		memcpy(ts, line, t);		/* "T kaipeer: m" -> "kaipeer: T m" */
		memcpy(line, NAME, NAME_LEN);
		memcpy(line + NAME_LEN, ts, t);
		return;
	}
	append(o, NAME, NAME_LEN);		/* room; then move the line */
	if (o->dropping)
		return;
	line = q->buf + o->start;
	memmove(line + NAME_LEN, line, len);
	memcpy(line, NAME, NAME_LEN);
}

void
out_group_begin(struct output *o, int s)
{
	struct queue *q;

	o->whole = 1;
	if (o->log != NULL)
		return;
	q = &o->q[s == OUT_STDERR && !o->merged ? 1 : 0];
	if (q->fd >= 0 && q->len - q->off > o->bound)
		o->whole = -1;
}

void
out_group_end(struct output *o)
{
	o->whole = 0;
}

/* Room for n more bytes at the tail of the line; NULL to drop it. */
static char *
room(struct output *o, size_t n)
{
	struct queue *q = o->cur;
	size_t need, ncap;
	char *p;

	if (o->dropping)
		return NULL;
	if (q == NULL) {		/* log mode */
		if (o->slen + n + 1 > o->scap) {
			ncap = o->scap > 0 ? o->scap : 256;
			while (ncap < o->slen + n + 1)
				ncap *= 2;
			if ((p = realloc(o->scratch, ncap)) == NULL)
				goto drop;
			o->scratch = p;
			o->scap = ncap;
		}
		return o->scratch + o->slen;
	}
	/* Past the bound, with something queued before this line: drop. */
	if (q->len - q->off + n > o->bound && o->start > q->off &&
	    o->whole == 0)
		goto drop;
	need = q->len + n;
	if (need > q->cap && q->off > 0) {
		memmove(q->buf, q->buf + q->off, q->len - q->off);
		q->len -= q->off;
		o->start -= q->off;
		q->off = 0;
		need = q->len + n;
	}
	if (need > q->cap) {
		ncap = q->cap > 0 ? q->cap : 4096;
		while (ncap < need)
			ncap *= 2;
		if ((p = realloc(q->buf, ncap)) == NULL)
			goto drop;
		q->buf = p;
		q->cap = ncap;
	}
	return q->buf + q->len;
drop:
	if (q != NULL) {
		q->len = o->start;
		q->dropped++;
	}
	o->dropping = 1;
	return NULL;
}

static void
grew(struct output *o, size_t n)
{
	if (o->cur == NULL)
		o->slen += n;
	else
		o->cur->len += n;
}

static void
append(struct output *o, const char *b, size_t len)
{
	struct queue *q = o->cur;
	char *p;

	if (len == 0)
		return;
	/* The usual case: room in the buffer, well under the bound. */
	if (q != NULL && !o->dropping && q->cap - q->len >= len &&
	    q->len - q->off + len <= o->bound) {
		memcpy(q->buf + q->len, b, len);
		q->len += len;
		return;
	}
	if ((p = room(o, len)) == NULL)
		return;
	memcpy(p, b, len);
	grew(o, len);
}

void
out_bytes(struct output *o, const char *b, size_t len)
{
	append(o, b, len);
}

void
out_str(struct output *o, const char *str)
{
	append(o, str, strlen(str));
}

void
out_safe(struct output *o, const char *b, size_t len)
{
	const unsigned char *s = (const unsigned char *)b;
	size_t i;
	char *p;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] >= 0x7F)
			break;
	if (i == len) {			/* the usual case: plain text */
		append(o, b, len);
		return;
	}
	if ((p = room(o, 4 * len)) == NULL)
		return;
	grew(o, out_escape(p, b, len));
}

void
out_printf(struct output *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		append(o, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1);
}

void
out_end(struct output *o)
{
	if (o->cur != NULL)
		add_prefix(o);
	append(o, "\n", 1);
	if (o->dropping)
		return;
	if (o->log != NULL) {
		o->log(o->log_ctx, o->cur_stream, o->scratch, o->slen - 1);
		o->slen = 0;
	}
}

void
out_vline(struct output *o, int s, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	out_begin(o, s);
	if (n > 0)
		append(o, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1);
	out_end(o);
}

void
out_line(struct output *o, int s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vline(o, s, fmt, ap);
	va_end(ap);
}

void
out_partial(struct output *o, int s, const char *b, size_t len)
{
	if (o->log != NULL)
		return;
	out_begin(o, s);
	append(o, b, len);
}

void
out_line3(struct output *o, int s, const char *a, size_t alen, const char *b,
    size_t blen, const char *c, size_t clen, const char *text, size_t tlen)
{
	struct queue *q = &o->q[s == OUT_STDERR && !o->merged ? 1 : 0];
	size_t i, n = alen + blen + clen + tlen + 1;
	char *p;

	/* The usual case: plain text, room in the buffer, under the bound. */
	for (i = 0; i < tlen; i++)
		if ((unsigned char)text[i] < 0x20 ||
		    (unsigned char)text[i] >= 0x7F)
			break;
	if (i == tlen && o->log == NULL && q->fd >= 0 && o->hide == NULL &&
	    o->prefix[s == OUT_STDERR ? 2 : 1] == 0 &&
	    q->cap - q->len >= n && q->len - q->off + n <= o->bound) {
		if (q->len == q->off && o->loop != NULL)
			q->since = loop_now(o->loop);
		p = q->buf + q->len;
		memcpy(p, a, alen);
		memcpy(p += alen, b, blen);
		memcpy(p += blen, c, clen);
		memcpy(p += clen, text, tlen);
		p[tlen] = '\n';
		q->len += n;
		return;
	}
	out_begin(o, s);
	out_bytes(o, a, alen);
	out_bytes(o, b, blen);
	out_bytes(o, c, clen);
	out_safe(o, text, tlen);
	out_end(o);
}

/*
 * "Sent result: <result>"; of a result of many lines (a program's
 * output), the first line and how many more, so a log stays a log.
 */
void
out_sent_result(struct output *o, const char *text, size_t len)
{
	const char *nl;
	size_t first, lines = 0, i;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if ((nl = memchr(text, '\n', len)) == NULL) {
		out_line3(o, OUT_STDOUT, "Sent result: ", 13, "", 0, "", 0,
		    text, len);
		return;
	}
	first = (size_t)(nl - text);
	for (i = first; i < len; i++)
		lines += text[i] == '\n';
	out_begin(o, OUT_STDOUT);
	out_str(o, "Sent result: ");
	out_safe(o, text, first > 0 && text[first - 1] == '\r' ?
	    first - 1 : first);
	out_printf(o, " (and %lu more line%s)", (unsigned long)lines,
	    lines == 1 ? "" : "s");
	out_end(o);
}
