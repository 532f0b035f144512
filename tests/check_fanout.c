/*
 * check_fanout: the shell over the core, with real kaipeer processes on
 * loopback: one command to many peers and what is printed of it.
 *
 * Covered: selectors (index, range, name, ip:port, lists with duplicates,
 * globs on names and addresses, "*" with configured peers that are down,
 * groups, a group nesting a group and a glob) with the exact set of peers
 * that run the command and the errors of selectors naming nobody; a
 * fan-out to 50 peers of which two are down and one is stopped; gathering
 * (-b and "gather") into blocks; multi-line results prefixed by name; the
 * --json lines, read by a strict JSON reader (and that reader's own
 * table), with a raw peer answering bytes 0x00, 0x1b and invalid UTF-8;
 * exit statuses 0, 1 and 2 and the worst of several lines; -t and its bad
 * values; -c waiting only for the peers it names; chains with ; && || and
 * pipes across three peers; quoted operators; scripts (-f, -k, comments,
 * source); aliases with arguments; "@peer help"; disconnect, forget and
 * connect again; an interactive node running lines side by side.
 *
 * Run from the top of the repository after make:
 *	make tests/check_fanout tests/kaipeer-asan
 *	KAIPEER_BIN=tests/kaipeer-asan ./tests/check_fanout
 * Every test forks, starts its own nodes on ports from free_port(), waits
 * for lines with a bound and never sleeps a fixed time; a failure prints
 * every node's output so far.  Configs are written with ' for " (see
 * config()).  Most cases are rows of a table, one fork per row, checked
 * against the whole of standard output (want() and check_out()).
 */
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"
#include "suite.h"
#include "proto.h"

#define TCASE_TIMEOUT	40	/* seconds, per test */
#define CMD_WAIT	15000	/* ms: a one-shot client to its end */
#define TIME		"\001"	/* in an expected line: seconds, "2.01" */
#define REST		"\002"	/* in an expected line: anything to its end */
#define MAX_LINES	128	/* lines of stdout a check looks at */
#define LINE_MAX_	1024

static const unsigned char raw_id[PROTO_NODE_ID] = "RAWPEER";

/* --- starting nodes ------------------------------------------------------- */

/*
 * A kaipeer for each i whose more[i] is not NULL, listening on port[i]
 * with the config members more[i]; all are started before any is waited
 * for, so that fifty start in the time of a few.  Where more[i] is NULL
 * nothing is started: a port with nothing listening, or a raw peer's.
 */
static void
start_peers(struct h_proc **p, const int *port, const char *const *more,
    int n)
{
	char name[16];
	int i;

	for (i = 0; i < n; i++) {
		p[i] = NULL;
		if (more[i] == NULL)
			continue;
		snprintf(name, sizeof(name), "peer%d", i);
		p[i] = run(name, "./kaipeer", NULL, config("{'listenPort': %d, "
		    "'interactive': false%s%s}", port[i], more[i][0] != '\0' ?
		    ", " : "", more[i]));
	}
	for (i = 0; i < n; i++)
		if (p[i] != NULL)
			EXPECT_EXACT_ON(p[i], H_OUT, S("Listening for "
			    "connections on port %d", port[i]), 4 * H_WAIT);
}

static void
ports(int *port, int n)
{
	int i;

	for (i = 0; i < n; i++)
		port[i] = free_port();
}

/* "'peers': [...]" listing 127.0.0.1:port[i] for each i, in order. */
static const char *
peer_list(const int *port, int n)
{
	static char buf[3000];
	size_t k;
	int i;

	k = (size_t)snprintf(buf, sizeof(buf), "'peers': [");
	for (i = 0; i < n && k < sizeof(buf); i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s{'host': "
		    "'127.0.0.1', 'port': %d}", i > 0 ? ", " : "", port[i]);
	if (k < sizeof(buf))
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "]");
	CHECK(k < sizeof(buf), "peer list too long");
	return buf;
}

/* A one-shot client's config: these peers, short timeouts, and more. */
static const char *
client_cfg(const int *port, int n, const char *more)
{
	return config("{'interactive': false, 'connectTimeout': 1, "
	    "'commandTimeout': 2, %s%s%s}", peer_list(port, n),
	    more[0] != '\0' ? ", " : "", more);
}

static struct h_proc *
client(const char *const *args, const char *cfg)
{
	return run("client", "./kaipeer", args, cfg);
}

/* Wait up to ms until both output pipes of p (which exited) are at EOF. */
static void
drained(struct h_proc *p, int ms)
{
	long long end = now_ms() + ms;

	while ((p->out[H_OUT].fd != -1 || p->out[H_ERR].fd != -1) &&
	    now_ms() < end)
		h_pump(20);
}

/* p exits with status within CMD_WAIT, and all it wrote has been read. */
#define FINISHED(p, status) do {					\
	EXPECT_EXIT((p), (status), CMD_WAIT);				\
	drained((p), H_WAIT);						\
} while (0)

/* Move past every whole line p wrote so far on s. */
static void
skip_all(struct h_proc *p, enum h_stream s)
{
	struct h_buf *b = &p->out[s];
	char *nl;

	if (b->buf == NULL)
		return;
	h_pump(0);
	for (nl = b->buf + b->len; nl > b->buf + b->pos && nl[-1] != '\n';
	    nl--)
		;
	b->pos = (size_t)(nl - b->buf);
}

/* --- lines ---------------------------------------------------------------- */

/* tmpl with each "{d}" (d a digit) made the address of peer d. */
static const char *
expand(const char *tmpl, const int *port)
{
	static char ring[16][LINE_MAX_];
	static int next;
	char *out = ring[next++ % 16];
	size_t k = 0;

	while (*tmpl != '\0' && k + 32 < sizeof(ring[0])) {
		if (tmpl[0] == '{' && isdigit((unsigned char)tmpl[1]) &&
		    tmpl[2] == '}') {
			k += (size_t)snprintf(out + k, sizeof(ring[0]) - k,
			    "127.0.0.1:%d", port[tmpl[1] - '0']);
			tmpl += 3;
		} else
			out[k++] = *tmpl++;
	}
	out[k] = '\0';
	return out;
}

/*
 * Does line match the pattern: the same bytes, except that TIME matches
 * seconds as the summary prints them ("12.05"), REST anything up to the
 * end, and "*" alone any line?
 */
static int
matches(const char *pat, const char *line)
{
	if (strcmp(pat, "*") == 0)
		return 1;
	while (*pat != '\0') {
		if (*pat == REST[0])
			return 1;
		if (*pat == TIME[0]) {
			if (!isdigit((unsigned char)*line))
				return 0;
			while (isdigit((unsigned char)*line))
				line++;
			if (line[0] != '.' || !isdigit((unsigned char)line[1]) ||
			    !isdigit((unsigned char)line[2]))
				return 0;
			line += 3;
			pat++;
			continue;
		}
		if (*pat++ != *line++)
			return 0;
	}
	return *line == '\0';
}

/* The whole lines of stream s of p from mark on, into v; how many. */
static int
split(const struct h_proc *p, enum h_stream s, size_t mark,
    char (*v)[LINE_MAX_], int max)
{
	const struct h_buf *b = &p->out[s];
	const char *start, *nl;
	size_t n;
	int k = 0;

	if (b->buf == NULL || mark > b->len)
		return 0;
	for (start = b->buf + mark; k < max &&
	    (nl = memchr(start, '\n', (size_t)(b->buf + b->len - start))) !=
	    NULL; start = nl + 1) {
		n = (size_t)(nl - start);
		if (n >= LINE_MAX_)
			n = LINE_MAX_ - 1;
		memcpy(v[k], start, n);
		v[k++][n] = '\0';
	}
	return k;
}

/* How many whole lines of s from mark on are exactly text. */
static int
count_exact(const struct h_proc *p, enum h_stream s, size_t mark,
    const char *text)
{
	static char v[MAX_LINES * 4][LINE_MAX_];
	int i, n, k = 0;

	n = split(p, s, mark, v, MAX_LINES * 4);
	for (i = 0; i < n; i++)
		k += strcmp(v[i], text) == 0;
	return k;
}


/* The next line of stdout must match the pattern (see matches()). */
#define NEXT_MATCH(p, pat) do {						\
	const char *m_ = (pat), *l_;					\
	l_ = h_line((p), H_OUT, H_WAIT);				\
	CHECK(l_ != NULL && matches(m_, l_), "%s: expected the next "	\
	    "line \"%s\", got \"%s\"", (p)->name, m_,			\
	    l_ != NULL ? l_ : "(none)");				\
} while (0)

/*
 * The expected standard output: want() adds a line.  A line starting
 * with '~' is one of a run of such lines that may come in any order (the
 * results of one fan-out arrive as they come); "*" is any one line.
 */
static struct {
	char	v[MAX_LINES][LINE_MAX_];
	int	n;
} W;

/*
 * Without -q a client also reports its connections as they come and go,
 * in no set order among the other lines: check_out() leaves those out
 * when the expected lines have a "Sent command" line, or when told.
 */
static const char *const events[] = { "Connected to peer: ",
    "Connection lost to peer: " };
static int events_expected;

static void
want_clear(void)
{
	W.n = 0;
	events_expected = 0;
}

/* The client is not quiet: leave its connection events out. */
static void
want_events(void)
{
	events_expected = 1;
}

static int
is_event(const char *line)
{
	size_t i;

	for (i = 0; i < NELEM(events); i++)
		if (strncmp(line, events[i], strlen(events[i])) == 0)
			return 1;
	return 0;
}

static void
want(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

static void
want(const char *fmt, ...)
{
	va_list ap;

	CHECK(W.n < MAX_LINES, "too many expected lines");
	va_start(ap, fmt);
	vsnprintf(W.v[W.n++], sizeof(W.v[0]), fmt, ap);
	va_end(ap);
}

/* Is a client that is not quiet expected (a "Sent command" line)? */
static int
events_too(void)
{
	int i;

	for (i = 0; i < W.n; i++)
		if (strncmp(W.v[i] + (W.v[i][0] == '~'), "Sent command '",
		    14) == 0)
			return 1;
	return events_expected;
}

/*
 * p's whole stdout must be the lines of W, as want() describes them,
 * leaving out the connection events of a client that is not quiet.
 */
static void
check_out(struct h_proc *p)
{
	static char got[MAX_LINES][LINE_MAX_];
	int used[MAX_LINES];
	int ng, i, j, k, m;

	ng = split(p, H_OUT, 0, got, MAX_LINES);
	for (i = k = 0; i < ng; i++)
		if (!is_event(got[i]) || !events_too())
			memmove(got[k++], got[i], LINE_MAX_);
	ng = k;
	for (i = 0; i < W.n && i < ng; i = k) {
		if (W.v[i][0] != '~') {
			CHECK(matches(W.v[i], got[i]), "%s: stdout line %d: "
			    "expected \"%s\", got \"%s\"", p->name, i + 1,
			    W.v[i], got[i]);
			k = i + 1;
			continue;
		}
		for (k = i; k < W.n && k < ng && W.v[k][0] == '~'; k++)
			used[k] = 0;
		CHECK(k == W.n || W.v[k][0] != '~', "%s: stdout has %d lines, "
		    "fewer than the %d expected", p->name, ng, W.n);
		for (j = i; j < k; j++) {
			for (m = i; m < k; m++)
				if (!used[m] && matches(W.v[j] + 1, got[m]))
					break;
			CHECK(m < k, "%s: no line \"%s\" among stdout lines "
			    "%d to %d", p->name, W.v[j] + 1, i + 1, k);
			used[m] = 1;
		}
	}
	CHECK(ng == W.n, "%s printed %d lines on stdout, expected %d (the "
	    "first missing or extra: \"%s\")", p->name, ng, W.n, ng > W.n ?
	    got[W.n] : W.v[ng]);
}

/* --- a strict JSON reader, for the --json lines -------------------------- */

/*
 * RFC 8259 for the flat objects kaipeer writes: members whose values are
 * strings, numbers, true, false or null.  Strings are decoded (escapes,
 * surrogate pairs) and must be valid UTF-8 without raw control bytes;
 * duplicate keys and anything after the object are errors.
 */
enum { J_STR = 1, J_NUM, J_NULL, J_BOOL };

struct jfield {
	char		 key[16];
	int		 type;
	char		 s[LINE_MAX_];	/* J_STR, decoded (NUL-terminated too) */
	size_t		 len;
	long long	 num;		/* J_NUM */
	int		 integral;	/* J_NUM without fraction or exponent */
};

struct jobj {
	struct jfield	 f[16];
	int		 n;
};

struct jin {
	const unsigned char *s;
	size_t		 i, len;
};

static size_t json_error_at;	/* where the last refusal was */

static void
jws(struct jin *in)
{
	while (in->i < in->len && (in->s[in->i] == ' ' || in->s[in->i] ==
	    '\t' || in->s[in->i] == '\n' || in->s[in->i] == '\r'))
		in->i++;
}

/* The length of the valid UTF-8 sequence at s[0..avail), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned long cp;
	size_t n, k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (avail < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int
jhex4(struct jin *in, unsigned long *v)
{
	int k, c;

	*v = 0;
	for (k = 0; k < 4; k++) {
		if (in->i >= in->len || !isxdigit(c = in->s[in->i]))
			return -1;
		*v = *v << 4 | (unsigned long)(isdigit(c) ? c - '0' :
		    tolower(c) - 'a' + 10);
		in->i++;
	}
	return 0;
}

static size_t
put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* string = '"' *char '"', decoded into out[0..cap). */
static int
jstring(struct jin *in, char *out, size_t cap, size_t *olen)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	unsigned long cp, lo;
	const char *e;
	size_t o = 0, n;
	unsigned char c;

	if (in->i >= in->len || in->s[in->i] != '"')
		return -1;
	for (in->i++;; ) {
		if (in->i >= in->len || o + 5 > cap)
			return -1;
		c = in->s[in->i];
		if (c == '"')
			break;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			if ((n = utf8_seq(in->s + in->i, in->len - in->i)) == 0)
				return -1;
			memcpy(out + o, in->s + in->i, n);
			o += n;
			in->i += n;
			continue;
		}
		if (++in->i >= in->len)
			return -1;
		c = in->s[in->i++];
		if (c != 'u') {
			for (e = esc; *e != '\0' && *e != (char)c; e += 2)
				;
			if (*e == '\0')
				return -1;
			out[o++] = e[1];
			continue;
		}
		if (jhex4(in, &cp) == -1 || (cp >= 0xdc00 && cp <= 0xdfff))
			return -1;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (in->i + 2 > in->len || in->s[in->i] != '\\' ||
			    in->s[in->i + 1] != 'u')
				return -1;
			in->i += 2;
			if (jhex4(in, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
				return -1;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		o += put_utf8(out + o, cp);
	}
	in->i++;
	out[o] = '\0';
	*olen = o;
	return 0;
}

/* number = [ '-' ] int [ frac ] [ exp ] */
static int
jnumber(struct jin *in, struct jfield *f)
{
	size_t start = in->i;
	char digits[32];

	f->integral = 1;
	if (in->i < in->len && in->s[in->i] == '-')
		in->i++;
	if (in->i < in->len && in->s[in->i] == '0')
		in->i++;
	else if (in->i < in->len && in->s[in->i] >= '1' && in->s[in->i] <= '9')
		while (in->i < in->len && isdigit(in->s[in->i]))
			in->i++;
	else
		return -1;
	if (in->i < in->len && in->s[in->i] == '.') {
		f->integral = 0;
		if (++in->i >= in->len || !isdigit(in->s[in->i]))
			return -1;
		while (in->i < in->len && isdigit(in->s[in->i]))
			in->i++;
	}
	if (in->i < in->len && (in->s[in->i] == 'e' || in->s[in->i] == 'E')) {
		f->integral = 0;
		if (++in->i < in->len && (in->s[in->i] == '+' ||
		    in->s[in->i] == '-'))
			in->i++;
		if (in->i >= in->len || !isdigit(in->s[in->i]))
			return -1;
		while (in->i < in->len && isdigit(in->s[in->i]))
			in->i++;
	}
	if (in->i - start >= sizeof(digits))
		return -1;
	memcpy(digits, in->s + start, in->i - start);
	digits[in->i - start] = '\0';
	f->num = strtoll(digits, NULL, 10);
	return 0;
}

static int
jword(struct jin *in, const char *w)
{
	size_t n = strlen(w);

	if (in->len - in->i < n || memcmp(in->s + in->i, w, n) != 0)
		return -1;
	in->i += n;
	return 0;
}

/* One flat JSON object, the whole of line: 0, or -1 (json_error_at). */
static int
json_object(const char *line, struct jobj *o)
{
	struct jin in;
	struct jfield *f;
	char key[64];
	size_t klen;
	int k;

	in.s = (const unsigned char *)line;
	in.i = 0;
	in.len = strlen(line);
	o->n = 0;
	jws(&in);
	if (in.i >= in.len || in.s[in.i++] != '{')
		goto bad;
	jws(&in);
	if (in.i < in.len && in.s[in.i] == '}') {
		in.i++;
		goto end;
	}
	for (;;) {
		if (o->n == (int)NELEM(o->f))
			goto bad;
		f = &o->f[o->n];
		if (jstring(&in, key, sizeof(key), &klen) == -1 ||
		    klen >= sizeof(f->key) || strlen(key) != klen)
			goto bad;
		for (k = 0; k < o->n; k++)
			if (strcmp(o->f[k].key, key) == 0)
				goto bad;
		memcpy(f->key, key, klen + 1);
		jws(&in);
		if (in.i >= in.len || in.s[in.i++] != ':')
			goto bad;
		jws(&in);
		if (in.i >= in.len)
			goto bad;
		switch (in.s[in.i]) {
		case '"':
			f->type = J_STR;
			if (jstring(&in, f->s, sizeof(f->s), &f->len) == -1)
				goto bad;
			break;
		case 'n':
			f->type = J_NULL;
			if (jword(&in, "null") == -1)
				goto bad;
			break;
		case 't':
		case 'f':
			f->type = J_BOOL;
			if (jword(&in, in.s[in.i] == 't' ? "true" : "false") ==
			    -1)
				goto bad;
			break;
		default:
			f->type = J_NUM;
			if (jnumber(&in, f) == -1)
				goto bad;
			break;
		}
		o->n++;
		jws(&in);
		if (in.i < in.len && in.s[in.i] == ',') {
			in.i++;
			jws(&in);
			continue;
		}
		if (in.i < in.len && in.s[in.i] == '}') {
			in.i++;
			break;
		}
		goto bad;
	}
end:
	jws(&in);
	if (in.i == in.len)
		return 0;
bad:
	json_error_at = in.i;
	return -1;
}

static const struct jfield *
jget(const struct jobj *o, const char *key)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->f[i].key, key) == 0)
			return &o->f[i];
	return NULL;
}

/* What a --json result line must say. */
struct jwant {
	int		 peer;		/* -1: null (a local command) */
	const char	*name;		/* NULL: any string */
	const char	*addr;
	const char	*command;
	const char	*status;
	int		 exit;		/* -1: null */
	const char	*result;
	size_t		 rlen;
	long		 min_ms;
};

/* The line is one JSON object with exactly the fields of w. */
static void
check_json(const char *line, const struct jwant *w)
{
	static const char *const keys[] = { "peer", "name", "addr", "command",
	    "status", "exit", "result", "ms" };
	const struct jfield *f;
	struct jobj o;
	size_t i;

	CHECK(json_object(line, &o) == 0, "not a JSON object (at byte %lu): "
	    "%s", (unsigned long)json_error_at, line);
	CHECK(o.n == (int)NELEM(keys), "%d members, expected %d: %s", o.n,
	    (int)NELEM(keys), line);
	for (i = 0; i < NELEM(keys); i++)
		CHECK(jget(&o, keys[i]) != NULL, "no \"%s\": %s", keys[i], line);
	f = jget(&o, "peer");
	CHECK(w->peer < 0 ? f->type == J_NULL : f->type == J_NUM &&
	    f->integral && f->num == w->peer, "\"peer\" is not %d: %s",
	    w->peer, line);
	f = jget(&o, "name");
	CHECK(f->type == J_STR && (w->name == NULL || strcmp(f->s, w->name) ==
	    0), "\"name\" is not \"%s\": %s", w->name != NULL ? w->name : "",
	    line);
	f = jget(&o, "addr");
	CHECK(f->type == J_STR && strcmp(f->s, w->addr) == 0, "\"addr\" is "
	    "not \"%s\": %s", w->addr, line);
	f = jget(&o, "command");
	CHECK(f->type == J_STR && strcmp(f->s, w->command) == 0 &&
	    f->len == strlen(w->command), "\"command\" is not \"%s\": %s",
	    w->command, line);
	f = jget(&o, "status");
	CHECK(f->type == J_STR && strcmp(f->s, w->status) == 0, "\"status\" "
	    "is not \"%s\": %s", w->status, line);
	f = jget(&o, "exit");
	CHECK(w->exit < 0 ? f->type == J_NULL : f->type == J_NUM &&
	    f->integral && f->num == w->exit, "\"exit\" is not %d: %s",
	    w->exit, line);
	f = jget(&o, "result");
	CHECK(f->type == J_STR && f->len == w->rlen && memcmp(f->s, w->result,
	    w->rlen) == 0, "\"result\" is not the expected %lu bytes: %s",
	    (unsigned long)w->rlen, line);
	f = jget(&o, "ms");
	CHECK(f->type == J_NUM && f->integral && f->num >= w->min_ms &&
	    f->num < 60000, "\"ms\" is not an integer from %ld: %s",
	    w->min_ms, line);
}

/* Every whole line of p's stdout is a JSON object; how many there are. */
static int
all_json(struct h_proc *p)
{
	static char v[MAX_LINES][LINE_MAX_];
	struct jobj o;
	int i, n;

	n = split(p, H_OUT, 0, v, MAX_LINES);
	for (i = 0; i < n; i++)
		CHECK(json_object(v[i], &o) == 0, "%s: stdout line %d is not "
		    "a JSON object (at byte %lu): \"%s\"", p->name, i + 1,
		    (unsigned long)json_error_at, v[i]);
	return n;
}

/* ====================================================================== */
/* The JSON reader itself: it accepts JSON and refuses what is not.        */

struct jcase {
	const char	*text;
	int		 ok;
};

static const struct jcase json_cases[] = {
	{ "{}", 1 },
	{ " { \"a\" : 1 , \"b\":null,\"c\":true,\"d\":false } ", 1 },
	{ "{\"a\":\"\\u0000\\u001b\\ufffd\\ud83d\\ude00\\\"\\\\\\/\\n\"}", 1 },
	{ "{\"a\":-0.5e+3,\"b\":0,\"c\":-12}", 1 },
	{ "{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}", 1 },
	{ "", 0 },
	{ "{", 0 },
	{ "{\"a\":1,}", 0 },
	{ "{\"a\":1} x", 0 },
	{ "{\"a\":1,\"a\":2}", 0 },
	{ "{a:1}", 0 },
	{ "{\"a\":01}", 0 },
	{ "{\"a\":1.}", 0 },
	{ "{\"a\":+1}", 0 },
	{ "{\"a\":\"\x1b\"}", 0 },
	{ "{\"a\":\"\t\"}", 0 },
	{ "{\"a\":\"\\x41\"}", 0 },
	{ "{\"a\":\"\\u12\"}", 0 },
	{ "{\"a\":\"\\ud83d\"}", 0 },
	{ "{\"a\":\"\\ude00\"}", 0 },
	{ "{\"a\":\"\xff\"}", 0 },
	{ "{\"a\":\"\xc3\"}", 0 },
	{ "{\"a\":\"\xc0\xaf\"}", 0 },
	{ "{\"a\":\"\xed\xa0\x80\"}", 0 },
	{ "{\"a\":\"open}", 0 },
	{ "{\"a\":nul}", 0 },
	{ "{\"a\":[1]}", 0 },
};

START_TEST(test_json_reader)
{
	const struct jcase *c = &json_cases[_i];
	struct jobj o;

	ck_assert_msg((json_object(c->text, &o) == 0) == c->ok,
	    "the reader %s '%s'", c->ok ? "refused" : "accepted", c->text);
}
END_TEST

START_TEST(test_json_reader_decodes)
{
	static const char want_s[] = "\0\x1b\xef\xbf\xbd\xf0\x9f\x98\x80"
	    "\"\\/\n";
	const struct jfield *f;
	struct jobj o;

	ck_assert(json_object(json_cases[2].text, &o) == 0);
	f = jget(&o, "a");
	ck_assert(f != NULL && f->type == J_STR);
	ck_assert_uint_eq(f->len, sizeof(want_s) - 1);
	ck_assert(memcmp(f->s, want_s, f->len) == 0);
	ck_assert(json_object(json_cases[3].text, &o) == 0);
	ck_assert(jget(&o, "c")->integral && jget(&o, "c")->num == -12);
	ck_assert(!jget(&o, "a")->integral);
}
END_TEST

/* ====================================================================== */
/* Selectors                                                               */

/*
 * The selector fixture: 0 web1, 1 web2, 2 db1, 3 db2 (kaipeers), 4 a
 * configured port with nothing listening, unnamed.  The client has the
 * groups web (a list), dbs (a string) and all (a group and a glob).
 */
#define SEL_N		5
#define SEL_GROUPS	"'groups': {'web': ['web1', 'web2'], 'dbs': " \
			"'db1,db2', 'all': '@web,db?'}"

static const char *const sel_peers[SEL_N] = {
	"'name': 'web1'", "'name': 'web2'", "'name': 'db1'", "'name': 'db2'",
	NULL
};

struct sel_case {
	const char	*sel;		/* "{d}": the address of peer d */
	unsigned	 peers;		/* bit i: peer i runs the command */
	int		 multi;		/* "to N peers" and a summary */
	int		 status;
	const char	*error;		/* the only line printed, if not NULL */
};

static const struct sel_case sel_cases[] = {
	{ "0", 0x01, 0, 0, NULL },
	{ "3", 0x08, 0, 0, NULL },
	{ "1-3", 0x0e, 1, 0, NULL },
	{ "web2", 0x02, 0, 0, NULL },
	{ "{2}", 0x04, 0, 0, NULL },
	{ "0,0,1,web2", 0x03, 1, 0, NULL },
	{ "0-1,web*,1,{0}", 0x03, 1, 0, NULL },
	{ "web*", 0x03, 1, 0, NULL },
	{ "db?", 0x0c, 1, 0, NULL },
	{ "[wd]*1", 0x05, 1, 0, NULL },
	{ "*", 0x1f, 1, 2, NULL },
	{ "127.0.0.1:*", 0x1f, 1, 2, NULL },
	{ "@web", 0x03, 1, 0, NULL },
	{ "@dbs", 0x0c, 1, 0, NULL },
	{ "@all", 0x0f, 1, 0, NULL },
	{ "@web,3,db1", 0x0f, 1, 0, NULL },
	{ "web1,4", 0x11, 1, 2, NULL },
	{ "4", 0, 0, 2, "Peer 4 ({4}) is not connected" },
	{ "9", 0, 0, 1, "No peer found matching '9'" },
	{ "nobody", 0, 0, 1, "No peer found matching 'nobody'" },
	{ "0,nobody", 0, 0, 1, "No peer found matching 'nobody'" },
	{ "0,9", 0, 0, 1, "No peer found matching '9'" },
	{ "zz*", 0, 0, 1, "No peer found matching 'zz*'" },
	{ "zz*,q?", 0, 0, 1, "No peer found matching 'zz*,q?'" },
	{ "5-9", 0, 0, 1, "No peer found matching '5-9'" },
	{ "@nogroup", 0, 0, 1, "*" },
};

/*
 * "@<selector> calc 6*7" from a one-shot client: exactly the selected
 * peers run it, once each, and the lines around the results are right.
 */
START_TEST(test_select)
{
	const struct sel_case *c = &sel_cases[_i];
	const char *args[3];
	struct h_proc *p[SEL_N], *cl;
	int port[SEL_N], i, n = 0, ok = 0, down = 0, first = -1;

	ports(port, SEL_N);
	start_peers(p, port, sel_peers, SEL_N);
	args[0] = "-c";
	args[1] = S("@%s calc 6*7", expand(c->sel, port));
	args[2] = NULL;
	cl = client(args, client_cfg(port, SEL_N, SEL_GROUPS));
	FINISHED(cl, c->status);
	want_clear();
	want_events();
	if (c->error != NULL)
		want("%s", expand(c->error, port));
	else {
		for (i = 0; i < SEL_N; i++)
			if (c->peers & 1u << i) {
				if (first < 0)
					first = i;
				n++;
				ok += p[i] != NULL;
				down += p[i] == NULL;
			}
		if (c->multi)
			want("Sent command 'calc 6*7' to %d peers", n);
		else
			want("Sent command 'calc 6*7' to 127.0.0.1:%d",
			    port[first]);
		for (i = 0; i < SEL_N; i++)
			if (c->peers & 1u << i)
				want("~Result from 127.0.0.1:%d for command "
				    "'calc 6*7': %s", port[i], p[i] != NULL ?
				    "42" : "Error: not connected: Connection "
				    "refused");
		if (c->multi)
			want("Done 'calc 6*7' on %d peers in " TIME " s: %d ok, "
			    "0 failed, 0 timed out, %d unreachable", n, ok,
			    down);
	}
	check_out(cl);
	/* On the peers' side: each selected one ran it once, no other. */
	for (i = 0; i < SEL_N; i++)
		if (p[i] != NULL && (c->peers & 1u << i))
			EXPECT_ON(p[i], H_OUT, "Sent result: 42", H_WAIT);
	h_pump(100);
	for (i = 0; i < SEL_N; i++)
		if (p[i] != NULL)
			CHECK(h_count(p[i], H_OUT, 0, "Command from ") ==
			    ((c->peers & 1u << i) ? 1 : 0), "peer %d ran the "
			    "command %d times", i, h_count(p[i], H_OUT, 0,
			    "Command from "));
}
END_TEST

/* ====================================================================== */
/* Fifty peers                                                             */

#define FAN_N		50
#define FAN_DOWN1	10	/* nothing listens on these two */
#define FAN_DOWN2	30
#define FAN_STOPPED	20	/* SIGSTOP once it shook hands */
#define FAN_RAW		49	/* the test's own peer */

/*
 * "@* calc 6*7" with -t 2 to 50 peers: 46 kaipeers and a raw peer answer,
 * two configured ports have nothing listening, one kaipeer is stopped
 * after its handshake.  The raw peer holds "*" back (it waits for every
 * dial to end) until the stopped peer has shaken hands, so that it is
 * stopped with its link up.  Run with -q (exactly the 50 result lines),
 * then without (the "Sent" line and the summary).
 */
START_TEST(test_fanout_50)
{
	static const char *const q_args[] = { "-q", "-t", "2", "-c",
	    "@* calc 6*7", NULL };
	static const char *const args[] = { "-t", "2", "-c", "@* calc 6*7",
	    NULL };
	static char more[FAN_N][32];
	const char *more_p[FAN_N];
	unsigned char buf[64];
	struct h_proc *p[FAN_N], *c;
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	int port[FAN_N], i, fd, quiet, secs, cs;
	long long t0, ms;
	const char *l, *cfg;
	long len;

	ports(port, FAN_N);
	for (i = 0; i < FAN_N; i++) {
		snprintf(more[i], sizeof(more[i]), "'name': 'n%02d'", i);
		more_p[i] = i == FAN_DOWN1 || i == FAN_DOWN2 || i == FAN_RAW ?
		    NULL : more[i];
	}
	CHECK((fd = h_listen(port[FAN_RAW])) != -1, "cannot listen");
	start_peers(p, port, more_p, FAN_N);
	cfg = config("{'interactive': false, 'connectTimeout': 3, "
	    "'commandTimeout': 10, %s}", peer_list(port, FAN_N));
	for (quiet = 1; quiet >= 0; quiet--) {
		c = client(quiet ? q_args : args, cfg);
		CHECK(h_raw_accept(&r, fd, H_WAIT) == 0, "no connection");
		CHECK(h_raw_frame(&r, &f, H_WAIT) == 1 && f.type ==
		    PROTO_HELLO, "no HELLO");
		EXPECT_ON(p[FAN_STOPPED], H_OUT, "Peer connected from ",
		    H_WAIT);
		h_signal(p[FAN_STOPPED], SIGSTOP);
		CHECK(h_raw_hello(&r, (unsigned)port[FAN_RAW], "", raw_id) ==
		    0, "send HELLO");
		t0 = now_ms();
		frame(&r, &f);
		CHECK(f.type == PROTO_COMMAND && proto_command_decode(&f.f, &t)
		    == 0 && t.len == 8 && memcmp(t.text, "calc 6*7", 8) == 0,
		    "expected COMMAND calc 6*7, got type %d", f.type);
		len = proto_result_encode(buf, sizeof(buf), t.id, 0, "42", 2);
		raw_send(&r, buf, (size_t)len);
		FINISHED(c, 2);
		ms = now_ms() - t0;
		CHECK(ms >= 1900 && ms < 8000, "the stopped peer's command "
		    "ended after %lld ms, not -t 2", ms);
		want_clear();
		if (!quiet)
			want("Sent command 'calc 6*7' to %d peers", FAN_N);
		for (i = 0; i < FAN_N; i++)
			want("~Result from 127.0.0.1:%d for command 'calc 6*7': "
			    "%s", port[i], i == FAN_STOPPED ? "Error: timed out "
			    "after 2000 ms" : i == FAN_DOWN1 || i == FAN_DOWN2 ?
			    "Error: not connected: Connection refused" : "42");
		if (!quiet)
			want("Done 'calc 6*7' on %d peers in " TIME " s: %d ok, "
			    "0 failed, 1 timed out, 2 unreachable", FAN_N,
			    FAN_N - 3);
		check_out(c);
		if (!quiet) {
			l = h_expect(c, H_OUT, "Done 'calc 6*7'", 0);
			CHECK(l != NULL && sscanf(l, "Done 'calc 6*7' on 50 "
			    "peers in %d.%d s", &secs, &cs) == 2 &&
			    secs * 100 + cs >= 195 && secs < 8, "the summary's "
			    "time is not about 2 s: %s", l != NULL ? l : "");
		}
		h_signal(p[FAN_STOPPED], SIGCONT);
		h_raw_close(&r);
	}
	close(fd);
}
END_TEST

/* ====================================================================== */
/* Gathering                                                               */

#define PROG_LINES	"'lines': ['printf', 'a\\\\tb\\\\nc\\\\n']"
#define PROG_FAIL	"'fail': ['sh', '-c', 'echo oops; exit 3']"
#define PROG_FAIL2	"'fail2': ['sh', '-c', 'echo x; echo y; exit 4']"
#define PROG_SAY	"'say': {'argv': ['echo'], 'args': true}"

/*
 * 0 web1 and 2 db1 say v is 1, 1 web2 says 2, 3 (unnamed) has no v, 4 is
 * down: four blocks, ordered by their lowest index, members by index.
 */
START_TEST(test_gather)
{
	static const char *const more[5] = {
		"'name': 'web1', 'commands': {'v': 'calc 1'}, 'exec': {"
		    PROG_LINES ", " PROG_FAIL "}",
		"'name': 'web2', 'commands': {'v': 'calc 2'}, 'exec': {"
		    PROG_LINES ", " PROG_FAIL "}",
		"'name': 'db1', 'commands': {'v': 'calc 1'}, 'exec': {"
		    PROG_LINES "}",
		"",
		NULL
	};
	static const char *const args1[] = { "-bq", "-c", "@* v", NULL };
	static const char *const args2[] = { "-c", "gather 0-2 lines", NULL };
	static const char *const args3[] = { "-b", "-c", "@1,0 fail", NULL };
	static const char *const args4[] = { "-q", "-c", "gather 2,0 v", "-c",
	    "gather web2 v", NULL };
	struct h_proc *p[5], *c;
	const char *cfg;
	int port[5];

	ports(port, 5);
	start_peers(p, port, more, 5);
	cfg = client_cfg(port, 5, "");

	c = client(args1, cfg);
	FINISHED(c, 2);
	want_clear();
	want("---------------");
	want("web1,db1 (2)");
	want("---------------");
	want("1");
	want("---------------");
	want("web2 (1)");
	want("---------------");
	want("2");
	want("---------------");
	want("127.0.0.1:%d (1): error", port[3]);
	want("---------------");
	want("Unknown command: v");
	want("---------------");
	want("127.0.0.1:%d (1): unreachable", port[4]);
	want("---------------");
	want("Error: not connected: Connection refused");
	check_out(c);

	c = client(args2, cfg);
	FINISHED(c, 0);
	want_clear();
	want("Sent command 'lines' to 3 peers");
	want("---------------");
	want("web1,web2,db1 (3)");
	want("---------------");
	want("a\tb");
	want("c");
	want("Done 'lines' on 3 peers in " TIME " s: 3 ok, 0 failed, "
	    "0 timed out, 0 unreachable");
	check_out(c);

	c = client(args3, cfg);
	FINISHED(c, 1);
	want_clear();
	want("Sent command 'fail' to 2 peers");
	want("---------------");
	want("web1,web2 (2): error, exit 3");
	want("---------------");
	want("oops");
	want("Done 'fail' on 2 peers in " TIME " s: 0 ok, 2 failed, "
	    "0 timed out, 0 unreachable");
	check_out(c);

	/* A single peer is gathered too; -q drops only the summary. */
	c = client(args4, cfg);
	FINISHED(c, 0);
	want_clear();
	want("---------------");
	want("web1,db1 (2)");
	want("---------------");
	want("1");
	want("---------------");
	want("web2 (1)");
	want("---------------");
	want("2");
	check_out(c);
}
END_TEST

/* ====================================================================== */
/* Multi-line results                                                      */

/*
 * A result of several lines: a header, then each line after the peer's
 * name (or ip:port); never an escaped newline.  With an exit code.
 */
START_TEST(test_multiline)
{
	static const char *const more[2] = {
		"'name': 'web1', 'exec': {" PROG_LINES ", " PROG_FAIL ", "
		    PROG_FAIL2 "}",
		"'exec': {" PROG_LINES "}"
	};
	static const char *const args[] = { "-q", "-c", "@0 lines", "-c",
	    "@1 lines", "-c", "@0 fail", "-c", "@0 fail2", NULL };
	static const char *const args2[] = { "-q", "-c", "@0-1 lines", NULL };
	static char v[MAX_LINES][LINE_MAX_];
	struct h_proc *p[2], *c;
	const char *cfg;
	int port[2], i, n;

	ports(port, 2);
	start_peers(p, port, more, 2);
	cfg = client_cfg(port, 2, "");
	c = client(args, cfg);
	FINISHED(c, 1);
	want_clear();
	want("Result from 127.0.0.1:%d for command 'lines':", port[0]);
	want("web1: a\tb");
	want("web1: c");
	want("Result from 127.0.0.1:%d for command 'lines':", port[1]);
	want("127.0.0.1:%d: a\tb", port[1]);
	want("127.0.0.1:%d: c", port[1]);
	want("Result from 127.0.0.1:%d for command 'fail': Error: exit 3: "
	    "oops", port[0]);
	want("Result from 127.0.0.1:%d for command 'fail2': Error: exit 4",
	    port[0]);
	want("web1: x");
	want("web1: y");
	check_out(c);
	CHECK(strstr(c->out[H_OUT].buf, "\\x0a") == NULL &&
	    strstr(c->out[H_OUT].buf, "\\x0A") == NULL, "a newline escaped");

	/* Two at once: each header is followed by its own lines. */
	c = client(args2, cfg);
	FINISHED(c, 0);
	n = split(c, H_OUT, 0, v, MAX_LINES);
	CHECK(n == 6, "%d lines, expected 6", n);
	for (i = 0; i < 6; i += 3) {
		const char *who = strstr(v[i], S("127.0.0.1:%d ", port[0])) !=
		    NULL ? "web1" : S("127.0.0.1:%d", port[1]);

		CHECK(strncmp(v[i], "Result from ", 12) == 0 &&
		    strcmp(v[i + 1], S("%s: a\tb", who)) == 0 &&
		    strcmp(v[i + 2], S("%s: c", who)) == 0, "a result's lines "
		    "are not together after its header: \"%s\" \"%s\" \"%s\"",
		    v[i], v[i + 1], v[i + 2]);
	}
	CHECK(strcmp(v[0], v[3]) != 0, "one peer's result twice");
}
END_TEST

/* ====================================================================== */
/* --json                                                                  */

/*
 * --json with 0 a raw peer (named raw), 1 web1 and 2 a port with nothing
 * listening: peers 1 and 2 answer first; then the raw peer answers with
 * an error, exit code 3 and the bytes 0x00, 0x1b and invalid UTF-8, so
 * its line comes third (arrival order, not index order); then a local
 * command (peer null), an unknown one, and a command that times out.
 */
START_TEST(test_json)
{
	static const char bytes[] = "a\0b\x1b[31mc\xff" "d\xc3";
	static const char shown[] = "a\0b\x1b[31mc\xef\xbf\xbd" "d\xef\xbf\xbd";
	static const char *const more[3] = { NULL, "'name': 'web1'", NULL };
	static const char *const args[] = { "--json", "-t", "1.5", "-c",
	    "@* calc 6*7", "-c", "calc 1+1", "-c", "nope \"x\\y\"", "-c",
	    "@0 calc 1", NULL };
	static char v[MAX_LINES][LINE_MAX_];
	unsigned char buf[256];
	struct h_proc *p[3], *c;
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	struct jwant w;
	int port[3], fd, n, first;
	long len;

	ports(port, 3);
	CHECK((fd = h_listen(port[0])) != -1, "cannot listen");
	start_peers(p, port, more, 3);
	c = client(args, client_cfg(port, 3, ""));
	CHECK(h_raw_accept(&r, fd, H_WAIT) == 0, "no connection");
	CHECK(h_raw_frame(&r, &f, H_WAIT) == 1 && f.type == PROTO_HELLO,
	    "no HELLO");
	CHECK(h_raw_hello(&r, (unsigned)port[0], "raw", raw_id) == 0,
	    "send HELLO");
	frame(&r, &f);
	CHECK(f.type == PROTO_COMMAND && proto_command_decode(&f.f, &t) == 0,
	    "expected a COMMAND");
	CHECK(h_expect(c, H_OUT, "{\"peer\":", H_WAIT) != NULL &&
	    h_expect(c, H_OUT, "{\"peer\":", H_WAIT) != NULL,
	    "peers 1 and 2 did not both answer");
	len = proto_result_exit_encode(buf, sizeof(buf), t.id, 1, 3, bytes,
	    sizeof(bytes) - 1);
	CHECK(len > 0, "encode");
	raw_send(&r, buf, (size_t)len);
	frame(&r, &f);
	CHECK(f.type == PROTO_COMMAND && proto_command_decode(&f.f, &t) == 0 &&
	    t.len == 6 && memcmp(t.text, "calc 1", 6) == 0,
	    "expected COMMAND calc 1");
	FINISHED(c, 2);
	n = split(c, H_OUT, 0, v, MAX_LINES);
	CHECK(n == 6, "stdout has %d lines, expected 6", n);

	memset(&w, 0, sizeof(w));
	first = strstr(v[0], "\"peer\":1,") != NULL ? 0 : 1;
	w.peer = 1;
	w.name = "web1";
	w.addr = S("127.0.0.1:%d", port[1]);
	w.command = "calc 6*7";
	w.status = "ok";
	w.exit = -1;
	w.result = "42";
	w.rlen = 2;
	check_json(v[first], &w);
	w.peer = 2;
	w.name = "";
	w.addr = S("127.0.0.1:%d", port[2]);
	w.status = "unreachable";
	w.result = "Error: not connected: Connection refused";
	w.rlen = strlen(w.result);
	check_json(v[1 - first], &w);
	w.peer = 0;
	w.name = "raw";
	w.addr = S("127.0.0.1:%d", port[0]);
	w.status = "error";
	w.exit = 3;
	w.result = shown;
	w.rlen = sizeof(shown) - 1;
	check_json(v[2], &w);
	w.peer = -1;
	w.name = NULL;
	w.addr = "";
	w.command = "calc 1+1";
	w.status = "ok";
	w.exit = -1;
	w.result = "2";
	w.rlen = 1;
	check_json(v[3], &w);
	w.command = "nope \"x\\y\"";
	w.status = "error";
	w.result = "Unknown command: nope \"x\\y\"";
	w.rlen = strlen(w.result);
	check_json(v[4], &w);
	w.peer = 0;
	w.name = "raw";
	w.addr = S("127.0.0.1:%d", port[0]);
	w.command = "calc 1";
	w.status = "timeout";
	w.result = "Error: timed out after 1500 ms";
	w.rlen = strlen(w.result);
	w.min_ms = 1400;
	check_json(v[5], &w);
	h_raw_close(&r);
	close(fd);
}
END_TEST

/*
 * --json: standard output carries only the results' JSON lines, whatever
 * else the lines do (console commands, errors): those go to stderr.
 */
START_TEST(test_json_only_results)
{
	static const char *const more[1] = { "'name': 'web1'" };
	static const char *const args[] = { "--json", "-c", "peers", "-c",
	    "help", "-c", "@0 calc 1", "-c", "@9 calc 1", "-c", "a ; ; b",
	    NULL };
	struct h_proc *p[1], *c;
	int port[1];

	ports(port, 1);
	start_peers(p, port, more, 1);
	c = client(args, client_cfg(port, 1, ""));
	FINISHED(c, 1);
	CHECK(all_json(c) == 1, "stdout has %d JSON lines, expected 1",
	    all_json(c));
	EXPECT_ON(c, H_ERR, "No peer found matching '9'", 0);
}
END_TEST

/*
 * --json with gathering (-b, or "gather"): still one JSON line per
 * result on standard output, nothing else.
 */
static const char *const json_gather_args[][5] = {
	{ "-b", "--json", "-c", "@0-1 calc 1", NULL },
	{ "--json", "-c", "gather 0-1 calc 1", NULL },
};

START_TEST(test_json_gather)
{
	static const char *const more[2] = { "'name': 'web1'", "" };
	struct h_proc *p[2], *c;
	int port[2];

	ports(port, 2);
	start_peers(p, port, more, 2);
	c = client(json_gather_args[_i], client_cfg(port, 2, ""));
	FINISHED(c, 0);
	CHECK(all_json(c) == 2, "stdout has %d JSON lines, expected 2",
	    all_json(c));
}
END_TEST

/* ====================================================================== */
/* One-shot lines: statuses, chains, pipes, quoting, aliases               */

/*
 * The line fixture: 0 web1 (programs say, fail, lines; aliases add and
 * hi), 1 a configured port with nothing listening, 2 web2, 3 db1.
 */
#define LINE_N	4
static const char *const line_peers[LINE_N] = {
	"'name': 'web1', 'commands': {'add': 'calc $1+$2', 'hi': 'calc 1+1'}, "
	    "'exec': {" PROG_SAY ", " PROG_FAIL ", " PROG_LINES "}",
	NULL,
	"'name': 'web2'",
	"'name': 'db1'",
};

/* "Result from {i} for command 'cmd': text" */
#define R(i, cmd, text)	"Result from {" #i "} for command '" cmd "': " text
#define UNREACH		"Error: not connected: Connection refused"
#define DIV0		"Error: division by zero"

struct line_case {
	const char	*lines[4];	/* each one -c, after -q */
	int		 status;
	const char	*out[8];	/* stdout (see want()), "{d}" expanded */
};

/* Start the fixture, run the row with -q, check status and stdout. */
static void
run_line_case(const struct line_case *c)
{
	const char *args[2 * NELEM(c->lines) + 2];
	static char lines[NELEM(c->lines)][512];
	struct h_proc *p[LINE_N], *cl;
	int port[LINE_N];
	size_t i, n = 0;

	ports(port, LINE_N);
	start_peers(p, port, line_peers, LINE_N);
	args[n++] = "-q";
	for (i = 0; i < NELEM(c->lines) && c->lines[i] != NULL; i++) {
		snprintf(lines[i], sizeof(lines[i]), "%s",
		    expand(c->lines[i], port));
		args[n++] = "-c";
		args[n++] = lines[i];
	}
	args[n] = NULL;
	cl = client(args, client_cfg(port, LINE_N, ""));
	FINISHED(cl, c->status);
	want_clear();
	for (i = 0; i < NELEM(c->out) && c->out[i] != NULL; i++)
		want("%s", expand(c->out[i], port));
	check_out(cl);
}

/* Exit statuses: 0 all ok, 1 an error, 2 unreachable (2 wins over 1). */
static const struct line_case status_cases[] = {
	{ { "@0 calc 1" }, 0, { R(0, "calc 1", "1") } },
	{ { "@0 calc 1/0" }, 1, { R(0, "calc 1/0", DIV0) } },
	{ { "@0 fail" }, 1, { R(0, "fail", "Error: exit 3: oops") } },
	{ { "@1 calc 1" }, 2, { "Peer 1 ({1}) is not connected" } },
	{ { "@* calc 1" }, 2, { "~" R(0, "calc 1", "1"),
	    "~" R(1, "calc 1", UNREACH), "~" R(2, "calc 1", "1"),
	    "~" R(3, "calc 1", "1") } },
	{ { "@0,1 calc 1/0" }, 2, { "~" R(0, "calc 1/0", DIV0),
	    "~" R(1, "calc 1/0", UNREACH) } },
	{ { "@0 calc 1/0", "@1 calc 1" }, 2, { R(0, "calc 1/0", DIV0),
	    "Peer 1 ({1}) is not connected" } },
	{ { "@1 calc 1", "@0 calc 1/0", "calc 5" }, 2,
	    { "Peer 1 ({1}) is not connected", R(0, "calc 1/0", DIV0),
	    "Result: 5" } },
	{ { "@0 calc 1/0", "calc 5" }, 1, { R(0, "calc 1/0", DIV0),
	    "Result: 5" } },
	{ { "calc 1", "@2 calc 2", "calc 3", "@3 calc 4" }, 0,
	    { "Result: 1", R(2, "calc 2", "2"), "Result: 3",
	    R(3, "calc 4", "4") } },
	{ { "@nobody calc 1" }, 1, { "No peer found matching 'nobody'" } },
	{ { "nope" }, 1, { "Unknown command: nope" } },
	{ { "@1 calc 1 ; calc 5" }, 0, { "Peer 1 ({1}) is not connected",
	    "Result: 5" } },
	{ { "calc 5 ; @1 calc 1" }, 2, { "Result: 5",
	    "Peer 1 ({1}) is not connected" } },
	{ { "calc 1/0 ; calc 5" }, 0, { "Result: " DIV0, "Result: 5" } },
};

START_TEST(test_status)
{
	run_line_case(&status_cases[_i]);
}
END_TEST

/* Chains: ; && || left to right, remote and local mixed; bad lines. */
static const struct line_case chain_cases[] = {
	{ { "calc 1 ; calc 2" }, 0, { "Result: 1", "Result: 2" } },
	{ { "calc 1 && calc 2" }, 0, { "Result: 1", "Result: 2" } },
	{ { "calc 1/0 && calc 2" }, 1, { "Result: " DIV0 } },
	{ { "calc 1/0 || calc 2" }, 0, { "Result: " DIV0, "Result: 2" } },
	{ { "calc 1 || calc 2" }, 0, { "Result: 1" } },
	{ { "calc 1/0 && calc 2 || calc 3" }, 0, { "Result: " DIV0,
	    "Result: 3" } },
	{ { "calc 1 || calc 2 && calc 3" }, 0, { "Result: 1", "Result: 3" } },
	{ { "calc 1 ; calc 1/0 ; calc 2 || calc 3" }, 0, { "Result: 1",
	    "Result: " DIV0, "Result: 2" } },
	{ { "@0 calc 1 && calc 2 && @2 calc 3" }, 0, { R(0, "calc 1", "1"),
	    "Result: 2", R(2, "calc 3", "3") } },
	{ { "@0 calc 1/0 || @2 calc 4" }, 0, { R(0, "calc 1/0", DIV0),
	    R(2, "calc 4", "4") } },
	{ { "@0 calc 1/0 && @2 calc 4" }, 1, { R(0, "calc 1/0", DIV0) } },
	{ { "@0,2,3 calc 1 && calc 9" }, 0, { "~" R(0, "calc 1", "1"),
	    "~" R(2, "calc 1", "1"), "~" R(3, "calc 1", "1"), "Result: 9" } },
	{ { "@0,1 calc 1 && calc 9" }, 2, { "~" R(0, "calc 1", "1"),
	    "~" R(1, "calc 1", UNREACH) } },
	{ { "@0,1 calc 1 || calc 9" }, 0, { "~" R(0, "calc 1", "1"),
	    "~" R(1, "calc 1", UNREACH), "Result: 9" } },
	{ { "@0,2 hi && calc 9" }, 1, { "~" R(0, "hi", "2"),
	    "~" R(2, "hi", "Unknown command: hi") } },
	{ { "@0,2 hi || calc 9" }, 0, { "~" R(0, "hi", "2"),
	    "~" R(2, "hi", "Unknown command: hi"), "Result: 9" } },
	{ { "@0 calc 1 && @1 calc 2 ; calc 3" }, 0, { R(0, "calc 1", "1"),
	    "Peer 1 ({1}) is not connected", "Result: 3" } },
	{ { "calc 1 ;" }, 0, { "Result: 1" } },
	{ { "calc 1 & calc 2" }, 1,
	    { "Result: Error: unexpected '&' at position 3" } },
	{ { "a ; ; b" }, 1, { "*" } },
	{ { "; a" }, 1, { "*" } },
	{ { "| x" }, 1, { "*" } },
	{ { "calc 1 &&" }, 1, { "*" } },
	{ { "calc 1 | | calc 2" }, 1, { "*" } },
	{ { "calc 'open ; calc 2" }, 1, { "*" } },
};

START_TEST(test_chain)
{
	run_line_case(&chain_cases[_i]);
}
END_TEST

/* Pipes: each result of A into B ({} or appended), across peers. */
static const struct line_case pipe_cases[] = {
	{ { "@0 calc 6*7 | @2 calc {} + 1" }, 0,
	    { R(2, "calc 42 + 1", "43") } },
	{ { "@0 calc 6*7 | @2 calc {} + 1 | @3 calc {} * 2" }, 0,
	    { R(3, "calc 43 * 2", "86") } },
	{ { "@0 calc 6*7 | @2 calc 1 +" }, 0, { R(2, "calc 1 + 42", "43") } },
	{ { "@0 calc 6*7 | @2 calc {}+{}" }, 0, { R(2, "calc 42+42", "84") } },
	{ { "@2-3 calc 2 | @0 calc {}*10" }, 0,
	    { "~" R(0, "calc 2*10", "20"), "~" R(0, "calc 2*10", "20") } },
	{ { "calc 6*7 | @2 calc {}+1" }, 0, { R(2, "calc 42+1", "43") } },
	{ { "@0 calc 6*7 | calc {}+1" }, 0, { "Result: 43" } },
	{ { "@0 say 1 | @2 calc 2+{}" }, 0, { R(2, "calc 2+1", "3") } },
	{ { "@0 say '1|2' | @2 calc {}" }, 1,
	    { R(2, "calc 1|2", "Error: unexpected '|' at position 2") } },
	{ { "@0 calc 1/0 | @2 calc {}+1" }, 1, { R(0, "calc 1/0", DIV0) } },
	{ { "@0,1 calc 5 | @2 calc {}+1" }, 2,
	    { "~" R(1, "calc 5", UNREACH), "~" R(2, "calc 5+1", "6") } },
	{ { "@0 calc 6*7 | @2 calc {} + 1 && calc 5" }, 0,
	    { R(2, "calc 42 + 1", "43"), "Result: 5" } },
	{ { "peers | @0 calc 1" }, 1,
	    { "Only commands can feed a pipe ('|')" } },
	{ { "help | @0 calc 1" }, 1,
	    { "Only commands can feed a pipe ('|')" } },
};

START_TEST(test_pipe)
{
	run_line_case(&pipe_cases[_i]);
}
END_TEST

/* Operators inside quotes or after a backslash are text; '&' is text. */
static const struct line_case quote_cases[] = {
	{ { "@0 say 'a;b'" }, 0, { R(0, "say 'a;b'", "a;b") } },
	{ { "@0 say \"c|d\"" }, 0, { R(0, "say \"c|d\"", "c|d") } },
	{ { "@0 say 'x || y' && @0 say z" }, 0,
	    { R(0, "say 'x || y'", "x || y"), R(0, "say z", "z") } },
	{ { "@0 say \"it's; ok\" ; calc 1" }, 0,
	    { R(0, "say \"it's; ok\"", "it's; ok"), "Result: 1" } },
	{ { "@0 say e\\&\\&f g\\|h \\;" }, 0,
	    { R(0, "say e\\&\\&f g\\|h \\;", "e&&f g|h ;") } },
	{ { "@0 say a & b" }, 0, { R(0, "say a & b", "a & b") } },
	{ { "@0 say 'open ; calc 1" }, 1, { "*" } },
};

START_TEST(test_quoting)
{
	run_line_case(&quote_cases[_i]);
}
END_TEST

/* Aliases take arguments, expanded by the peer that runs them. */
static const struct line_case alias_cases[] = {
	{ { "@0 add 5 6" }, 0, { R(0, "add 5 6", "11") } },
	{ { "@0 add 10 -3" }, 0, { R(0, "add 10 -3", "7") } },
	{ { "@0 hi" }, 0, { R(0, "hi", "2") } },
	{ { "@0 hi + 3" }, 0, { R(0, "hi + 3", "5") } },
	{ { "@web1 add 2 2 && @0 hi * 3" }, 0,
	    { R(0, "add 2 2", "4"), R(0, "hi * 3", "4") } },
	{ { "@2 add 5 6" }, 1, { R(2, "add 5 6", "Unknown command: add 5 6") } },
	{ { "add 5 6" }, 1, { "Unknown command: add 5 6" } },
};

START_TEST(test_alias)
{
	run_line_case(&alias_cases[_i]);
}
END_TEST

/* The alias travels unexpanded: the peer logs what it was sent. */
START_TEST(test_alias_remote)
{
	static const char *const args[] = { "-q", "-c", "@0 add 5 6", NULL };
	struct h_proc *p[LINE_N], *c;
	int port[LINE_N];

	ports(port, LINE_N);
	start_peers(p, port, line_peers, LINE_N);
	c = client(args, client_cfg(port, LINE_N, ""));
	FINISHED(c, 0);
	EXPECT_ON(p[0], H_OUT, "Command from ", H_WAIT);
	CHECK(strlen(p[0]->line) > 9 && strcmp(p[0]->line +
	    strlen(p[0]->line) - 9, ": add 5 6") == 0, "the peer was sent "
	    "\"%s\"", p[0]->line);
	EXPECT_EXACT_ON(p[0], H_OUT, "Sent result: 11", H_WAIT);
}
END_TEST

/* "@peer help": its commands, programs and aliases. */
START_TEST(test_peer_help)
{
	static const char *const args[] = { "-q", "-c", "@0 help", NULL };
	struct h_proc *p[LINE_N], *c;
	int port[LINE_N];

	ports(port, LINE_N);
	start_peers(p, port, line_peers, LINE_N);
	c = client(args, client_cfg(port, LINE_N, ""));
	FINISHED(c, 0);
	want_clear();
	want("Result from 127.0.0.1:%d for command 'help':", port[0]);
	want("web1: Commands:");
	want("web1:   calc <expression>");
	want("web1:   system status");
	want("web1:   help");
	want("web1: Programs:");
	want("web1:   say: echo [args...]");
	want("web1:   fail: sh -c echo oops; exit 3");
	want("web1:   lines: printf a\\tb\\nc\\n");
	want("web1: Aliases:");
	want("web1:   add: calc $1+$2");
	want("web1:   hi: calc 1+1");
	check_out(c);
}
END_TEST

/* ====================================================================== */
/* -t                                                                      */

struct timeout_case {
	const char	*t;
	const char	*line;
	int		 close;		/* the raw peer hangs up, not silent */
	long		 min_ms;
	const char	*out[4];	/* "{0}": the raw peer */
};

static const struct timeout_case timeout_cases[] = {
	{ "0.5", "@0 calc 1", 0, 450, { "Sent command 'calc 1' to {0}",
	    R(0, "calc 1", "Error: timed out after 500 ms") } },
	{ "1.25", "@* calc 1", 0, 1200, { "Sent command 'calc 1' to 1 peer",
	    R(0, "calc 1", "Error: timed out after 1250 ms"),
	    "Done 'calc 1' on 1 peer in " TIME " s: 0 ok, 0 failed, "
	    "1 timed out, 0 unreachable" } },
	{ "5", "@* calc 1", 1, 0, { "Sent command 'calc 1' to 1 peer",
	    R(0, "calc 1", "Error: connection lost"),
	    "Done 'calc 1' on 1 peer in " TIME " s: 0 ok, 0 failed, "
	    "0 timed out, 0 unreachable, 1 lost" } },
};

/*
 * -t overrides commandTimeout (10 s here) for the run: a raw peer that
 * never answers times out after -t; one that hangs up is lost.
 */
START_TEST(test_timeout)
{
	const struct timeout_case *c = &timeout_cases[_i];
	const char *args[6];
	struct h_proc *cl;
	struct h_frame f;
	struct h_raw r;
	int port[1], fd;
	long long t0, ms;
	size_t i;

	ports(port, 1);
	CHECK((fd = h_listen(port[0])) != -1, "cannot listen");
	args[0] = "-t";
	args[1] = c->t;
	args[2] = "-c";
	args[3] = c->line;
	args[4] = NULL;
	cl = client(args, config("{'interactive': false, 'connectTimeout': 2, "
	    "'commandTimeout': 10, %s}", peer_list(port, 1)));
	CHECK(h_raw_accept(&r, fd, H_WAIT) == 0, "no connection");
	CHECK(h_raw_frame(&r, &f, H_WAIT) == 1 && f.type == PROTO_HELLO,
	    "no HELLO");
	CHECK(h_raw_hello(&r, (unsigned)port[0], "", raw_id) == 0, "HELLO");
	frame(&r, &f);
	t0 = now_ms();
	CHECK(f.type == PROTO_COMMAND, "expected a COMMAND");
	if (c->close)
		h_raw_close(&r);
	EXPECT_EXIT(cl, 2, 8000);
	drained(cl, H_WAIT);
	ms = now_ms() - t0;
	CHECK(ms >= c->min_ms && ms < c->min_ms + 4000, "ended after %lld ms",
	    ms);
	want_clear();
	for (i = 0; i < NELEM(c->out) && c->out[i] != NULL; i++)
		want("%s", expand(c->out[i], port));
	check_out(cl);
	if (!c->close)
		h_raw_close(&r);
	close(fd);
}
END_TEST

static const char *const bad_timeouts[] = {
	"abc", "0", "-1", "", "1x", "86401", "0x10", " 1", NULL
};

/* A bad -t is a usage error: 64, a message, nothing run. */
START_TEST(test_bad_timeout)
{
	const char *args[6];
	struct h_proc *c;
	int port[1];

	ports(port, 1);
	args[0] = "-t";
	args[1] = bad_timeouts[_i];
	args[2] = "-c";
	args[3] = "calc 1";
	args[4] = NULL;
	c = client(args, client_cfg(port, 1, ""));
	FINISHED(c, 64);
	EXPECT_ON(c, H_ERR, "invalid timeout", 0);
	CHECK(h_count(c, H_OUT, 0, "Result") == 0, "a line ran");
}
END_TEST

/* -t without its value, and -c with -f: usage errors too. */
START_TEST(test_usage_errors)
{
	static const char *const a1[] = { "-c", "calc 1", "-t", NULL };
	static const char *const a2[] = { "-c", "calc 1", "-f", "<script>",
	    NULL };
	const char *args[5];
	struct h_proc *c;
	int port[1], i;

	ports(port, 1);
	for (i = 0; i < 4; i++)
		args[i] = (_i == 0 ? a1 : a2)[i];
	if (_i == 1)
		args[3] = h_file("calc 2\n");
	args[4] = NULL;
	c = client(args, client_cfg(port, 1, ""));
	FINISHED(c, 64);
	CHECK(h_count(c, H_OUT, 0, "Result") == 0, "a line ran");
}
END_TEST

/* ====================================================================== */
/* -c waits for the peers it names                                         */

/*
 * 0 web1; 1 a listener that never speaks, so its dial lasts
 * connectTimeout (3 s).  Lines naming peer 0 or none end at once; a
 * glob, an unknown name, "*" and "peers" wait for the dial to end.
 */
START_TEST(test_wait_named)
{
	static const char *const fast[][4] = {
		{ "-q", "-c", "@0 calc 1", NULL },
		{ "-q", "-c", "calc 1+2", NULL },
		{ "-q", "-c", "@web1 calc 2", NULL },
	};
	static const char *const slow[][4] = {
		{ "-q", "-c", "@w* calc 3", NULL },
		{ "-q", "-c", "@nobody calc 1", NULL },
		{ "-q", "-c", "@* calc 4", NULL },
		{ "-q", "-c", "peers", NULL },
	};
	static const char *const more[2] = { "'name': 'web1'", NULL };
	struct h_proc *p[2], *c[4];
	const char *cfg;
	int port[2], fd, i;
	long long t0, ms;

	ports(port, 2);
	CHECK((fd = h_listen(port[1])) != -1, "cannot listen");
	start_peers(p, port, more, 2);
	cfg = config("{'interactive': false, 'connectTimeout': 3, "
	    "'commandTimeout': 2, %s}", peer_list(port, 2));

	t0 = now_ms();
	for (i = 0; i < 3; i++)
		c[i] = client(fast[i], cfg);
	for (i = 0; i < 3; i++) {
		EXPECT_EXIT(c[i], 0, 4000);
		ms = now_ms() - t0;
		CHECK(ms < 1500, "'%s' took %lld ms: it waited for peer 1",
		    fast[i][2], ms);
	}
	drained(c[2], H_WAIT);
	EXPECT_EXACT_ON(c[0], H_OUT, S("Result from 127.0.0.1:%d for command "
	    "'calc 1': 1", port[0]), 0);
	EXPECT_EXACT_ON(c[1], H_OUT, "Result: 3", 0);
	EXPECT_EXACT_ON(c[2], H_OUT, S("Result from 127.0.0.1:%d for command "
	    "'calc 2': 2", port[0]), 0);

	t0 = now_ms();
	for (i = 0; i < 4; i++)
		c[i] = client(slow[i], cfg);
	for (i = 0; i < 4; i++) {
		EXPECT_EXIT(c[i], i == 0 || i == 3 ? 0 : i == 1 ? 1 : 2, 8000);
		drained(c[i], H_WAIT);
		ms = now_ms() - t0;
		CHECK(ms >= 2800 && ms < 7000, "'%s' took %lld ms, not "
		    "connectTimeout", slow[i][2], ms);
	}
	want_clear();
	want("Result from 127.0.0.1:%d for command 'calc 3': 3", port[0]);
	check_out(c[0]);
	want_clear();
	want("No peer found matching 'nobody'");
	check_out(c[1]);
	CHECK(count_exact(c[2], H_OUT, 0, S("Result from 127.0.0.1:%d for "
	    "command 'calc 4': 4", port[0])) == 1 && h_count(c[2], H_OUT, 0,
	    S("Result from 127.0.0.1:%d for command 'calc 4': Error: not "
	    "connected", port[1])) == 1 && h_count(c[2], H_OUT, 0, "Result")
	    == 2, "'*' did not include the peer being dialled as unreachable");
	/* The dial has ended: failed, not "connecting". */
	want_clear();
	want("Connected peers:");
	want("  0: 127.0.0.1:%d (web1) [config]", port[0]);
	want("Other peers:");
	want("  1: 127.0.0.1:%d [config] [failed: " REST, port[1]);
	check_out(c[3]);
	close(fd);
}
END_TEST

/* ====================================================================== */
/* Scripts                                                                 */

/*
 * The scripts: A has comments, blank lines and a failing third line; B
 * an unreachable peer, then an error; NEST sources A with -k, then goes
 * on; EMPTY only comments; CHAINS operators.  "{A}" in a row is A's path.
 */
enum { SCR_A, SCR_B, SCR_NEST, SCR_EMPTY, SCR_CHAINS, SCR_N };

struct script_case {
	const char	*args[6];
	int		 status;
	const char	*out[6];	/* "{0}": web1 */
};

#define A_OUT	"Result: 2", R(0, "calc 2", "2"), "Result: " DIV0
static const struct script_case script_cases[] = {
	/* Stops at the first failing line; comments and blanks skipped. */
	{ { "-f", "{A}" }, 1, { A_OUT } },
	{ { "-k", "-f", "{A}" }, 1, { A_OUT, "Result: 3" } },
	/* source from -c, with and without -k; -c goes on after it. */
	{ { "-c", "source {A}" }, 1, { A_OUT } },
	{ { "-c", "source -k {A}", "-c", "calc 4" }, 1, { A_OUT, "Result: 3",
	    "Result: 4" } },
	/* The worst status of the lines run: 2 wins over 1. */
	{ { "-k", "-f", "{B}" }, 2, { "Peer 1 ({1}) is not connected",
	    "Result: " DIV0, "Result: 5" } },
	{ { "-f", "{B}" }, 2, { "Peer 1 ({1}) is not connected" } },
	/* A source line fails as its file does: the outer file stops. */
	{ { "-f", "{N}" }, 1, { A_OUT, "Result: 3" } },
	{ { "-f", "{E}" }, 0, { NULL } },
	{ { "-f", "{C}" }, 0, { "Result: 1", "Result: 2", "Result: 4" } },
};

START_TEST(test_script)
{
	static const char *const more[2] = { "'name': 'web1'", NULL };
	static const char marks[SCR_N + 1] = "ABNEC";
	const struct script_case *c = &script_cases[_i];
	const char *path[SCR_N], *args[NELEM(c->args) + 2], *m;
	struct h_proc *p[2], *cl;
	int port[2];
	size_t i;

	ports(port, 2);
	start_peers(p, port, more, 2);
	path[SCR_A] = h_file("# a comment\n\n   # an indented comment\n\t\n"
	    "calc 1+1\n@0 calc 2\ncalc 1/0\n  calc 3\n");
	path[SCR_B] = h_file("@1 calc 1\ncalc 1/0\ncalc 5\n");
	path[SCR_NEST] = h_file("source -k %s\ncalc 7\n", path[SCR_A]);
	path[SCR_EMPTY] = h_file("# nothing\n\n");
	path[SCR_CHAINS] = h_file("calc 1 ; calc 2\n@0 calc 3 | calc {}+1\n");
	for (i = 0; i < SCR_N; i++)
		CHECK(path[i] != NULL, "cannot write the scripts");
	args[0] = "-q";
	for (i = 0; i < NELEM(c->args) && c->args[i] != NULL; i++) {
		args[i + 1] = c->args[i];
		if ((m = strchr(c->args[i], '{')) != NULL)
			args[i + 1] = S("%.*s%s", (int)(m - c->args[i]),
			    c->args[i], path[strchr(marks, m[1]) - marks]);
	}
	args[i + 1] = NULL;
	cl = client(args, client_cfg(port, 2, ""));
	FINISHED(cl, c->status);
	want_clear();
	for (i = 0; i < NELEM(c->out) && c->out[i] != NULL; i++)
		want("%s", expand(c->out[i], port));
	check_out(cl);
}
END_TEST

/* ====================================================================== */
/* An interactive node                                                     */

/* Wait until c reports a connection to each of port[0..n). */
static void
linked_all(struct h_proc *c, const int *port, int n)
{
	long long end = now_ms() + H_WAIT;
	const char *line;
	int i;

	/* In any order; "127.0.0.1:P (name)" for a peer with a name. */
	for (i = 0; i < n; i++) {
		line = S("Connected to peer: 127.0.0.1:%d", port[i]);
		while (count_exact(c, H_OUT, 0, line) == 0 &&
		    h_count(c, H_OUT, 0, S("%s (", line)) == 0 &&
		    now_ms() < end)
			h_pump(20);
		CHECK(now_ms() < end, "%s printed no line \"%s\"", c->name,
		    line);
	}
	skip_all(c, H_OUT);
}

/* The next two lines of c's stdout are a and b, in either order. */
static void
next_two(struct h_proc *c, const char *a, const char *b)
{
	char first[LINE_MAX_];
	const char *l;

	l = h_line(c, H_OUT, H_WAIT);
	CHECK(l != NULL && (strcmp(l, a) == 0 || strcmp(l, b) == 0),
	    "expected \"%s\" or \"%s\", got \"%s\"", a, b,
	    l != NULL ? l : "(none)");
	snprintf(first, sizeof(first), "%s", l);
	l = h_line(c, H_OUT, H_WAIT);
	CHECK(l != NULL && strcmp(l, strcmp(first, a) == 0 ? b : a) == 0,
	    "expected \"%s\", got \"%s\"", strcmp(first, a) == 0 ? b : a,
	    l != NULL ? l : "(none)");
}

/*
 * disconnect closes the link and stops redialling; connect dials it
 * again (same index); forget removes it; "*" takes in a peer dialled with
 * connect that is down.
 */
START_TEST(test_disconnect)
{
	static const char *const more[2] = { "'name': 'web1'",
	    "'name': 'web2'" };
	struct h_proc *p[2], *c;
	int port[2], pc = free_port(), dead = free_port();

	ports(port, 2);
	start_peers(p, port, more, 2);
	c = node("client", pc, 1, S("'connectTimeout': 1, 'commandTimeout': 2, "
	    "'reconnectMax': 1, %s", peer_list(port, 2)));
	linked_all(c, port, 2);

	SEND(c, "disconnect 0");
	EXPECT_NEXT(c, S("Disconnected from peer 0: 127.0.0.1:%d", port[0]));
	EXPECT(p[0], S("Peer disconnected: 127.0.0.1:%d", pc));
	SEND(c, "peers");
	EXPECT_NEXT(c, "Connected peers:");
	EXPECT_NEXT(c, S("  1: 127.0.0.1:%d (web2) [config]", port[1]));
	EXPECT_NEXT(c, "Other peers:");
	EXPECT_NEXT(c, S("  0: 127.0.0.1:%d (web1) [config] [disconnected]",
	    port[0]));
	SEND(c, "@0 calc 1");
	EXPECT_NEXT(c, S("Peer 0 (127.0.0.1:%d) is not connected", port[0]));
	SEND(c, "@* calc 2");
	EXPECT_NEXT(c, "Sent command 'calc 2' to 1 peer");
	EXPECT_NEXT(c, S("Result from 127.0.0.1:%d for command 'calc 2': 2",
	    port[1]));
	NEXT_MATCH(c, "Done 'calc 2' on 1 peer in " TIME " s: 1 ok, 0 failed, "
	    "0 timed out, 0 unreachable");
	/* Not dialled again (a redial would come within reconnectMax). */
	CHECK(h_expect(p[0], H_OUT, "Peer connected from", 1500) == NULL,
	    "a disconnected peer was dialled again");
	CHECK(h_count(c, H_OUT, 0, S("Connected to peer: 127.0.0.1:%d",
	    port[0])) == 1, "the client dialled peer 0 again");

	SEND(c, S("connect 127.0.0.1 %d", port[0]));
	EXPECT_NEXT(c, S("Connecting to peer at 127.0.0.1:%d", port[0]));
	EXPECT_NEXT(c, S("Connected to peer: 127.0.0.1:%d (web1)", port[0]));
	EXPECT_ON(p[0], H_OUT, S("Peer connected from 127.0.0.1:%d", pc),
	    H_WAIT);
	SEND(c, "@0 calc 3");
	EXPECT_NEXT(c, S("Sent command 'calc 3' to 127.0.0.1:%d", port[0]));
	EXPECT_NEXT(c, S("Result from 127.0.0.1:%d for command 'calc 3': 3",
	    port[0]));

	SEND(c, "forget web2");
	EXPECT_NEXT(c, S("Forgot peer 1: 127.0.0.1:%d", port[1]));
	SEND(c, "peers");
	EXPECT_NEXT(c, "Connected peers:");
	EXPECT_NEXT(c, S("  0: 127.0.0.1:%d (web1) [config]", port[0]));
	SEND(c, "calc 7");
	EXPECT_NEXT(c, "Result: 7");
	SEND(c, "@1 calc 4");
	EXPECT_NEXT(c, "No peer found matching '1'");
	SEND(c, "@web2 calc 4");
	EXPECT_NEXT(c, "No peer found matching 'web2'");
	/* A selector naming nobody somewhere does nothing at all. */
	SEND(c, "forget 0,9");
	EXPECT_NEXT(c, "No peer found matching '9'");
	SEND(c, "disconnect nobody");
	EXPECT_NEXT(c, "No peer found matching 'nobody'");
	SEND(c, "@web1 calc 5");
	EXPECT_NEXT(c, S("Sent command 'calc 5' to 127.0.0.1:%d", port[0]));
	EXPECT_NEXT(c, S("Result from 127.0.0.1:%d for command 'calc 5': 5",
	    port[0]));

	/* A peer dialled with connect, down: "*" reports it unreachable. */
	SEND(c, S("connect 127.0.0.1 %d", dead));
	EXPECT_NEXT(c, S("Connecting to peer at 127.0.0.1:%d", dead));
	EXPECT_ERR(c, S("Failed to connect to 127.0.0.1:%d: Connection "
	    "refused", dead));
	SEND(c, "@* calc 6");
	EXPECT_NEXT(c, "Sent command 'calc 6' to 2 peers");
	next_two(c, S("Result from 127.0.0.1:%d for command 'calc 6': 6",
	    port[0]), S("Result from 127.0.0.1:%d for command 'calc 6': "
	    "Error: not connected: Connection refused", dead));
	NEXT_MATCH(c, "Done 'calc 6' on 2 peers in " TIME " s: 1 ok, 0 failed, "
	    "0 timed out, 1 unreachable");

	/* disconnect takes selectors; the down one is [disconnected] too. */
	SEND(c, S("disconnect 127.0.0.1:%d", dead));
	EXPECT_NEXT(c, S("Disconnected from peer 2: 127.0.0.1:%d", dead));
	SEND(c, "@* calc 8");
	EXPECT_NEXT(c, "Sent command 'calc 8' to 1 peer");
	EXPECT_NEXT(c, S("Result from 127.0.0.1:%d for command 'calc 8': 8",
	    port[0]));
	NEXT_MATCH(c, "Done 'calc 8' on 1 peer in " TIME " s: 1 ok, 0 failed, "
	    "0 timed out, 0 unreachable");
	SEND(c, "peers");
	EXPECT_NEXT(c, "Connected peers:");
	EXPECT_NEXT(c, S("  0: 127.0.0.1:%d (web1) [config]", port[0]));
	EXPECT_NEXT(c, "Other peers:");
	EXPECT_NEXT(c, S("  2: 127.0.0.1:%d [connect] [disconnected]", dead));
	SEND(c, "exit");
	EXPECT_EXIT(c, 0, H_WAIT);
}
END_TEST

/*
 * Typed lines run side by side: a local command and a second remote one
 * go on while a stopped peer's command waits for its timeout; "source"
 * runs a file's lines.  On the peer, "*" takes in the node that dialled
 * it.
 */
START_TEST(test_side_by_side)
{
	static const char *const more[1] = { "'name': 'web1'" };
	struct h_proc *p[1], *c;
	const char *script;
	int port[1], pc = free_port();

	ports(port, 1);
	start_peers(p, port, more, 1);
	c = node("client", pc, 1, S("'commandTimeout': 1, %s",
	    peer_list(port, 1)));
	linked_all(c, port, 1);
	EXPECT(p[0], "Peer connected from ");
	h_signal(p[0], SIGSTOP);
	SEND(c, "@0 calc 1");
	SEND(c, "calc 2");
	SEND(c, "@web1 calc 3");
	EXPECT_NEXT(c, S("Sent command 'calc 1' to 127.0.0.1:%d", port[0]));
	EXPECT_NEXT(c, "Result: 2");
	EXPECT_NEXT(c, S("Sent command 'calc 3' to 127.0.0.1:%d", port[0]));
	/* Their deadlines may fall in the same millisecond: either order. */
	next_two(c, S("Result from 127.0.0.1:%d for command 'calc 1': "
	    "Error: timed out after 1000 ms", port[0]), S("Result from "
	    "127.0.0.1:%d for command 'calc 3': Error: timed out after "
	    "1000 ms", port[0]));
	h_signal(p[0], SIGCONT);
	script = h_file("# two lines\ncalc 1+1\n@0 calc 2+2\n");
	CHECK(script != NULL, "cannot write the script");
	SEND(c, S("source %s", script));
	EXPECT_NEXT(c, "Result: 2");
	EXPECT_NEXT(c, S("Sent command 'calc 2+2' to 127.0.0.1:%d", port[0]));
	EXPECT_NEXT(c, S("Result from 127.0.0.1:%d for command 'calc 2+2': 4",
	    port[0]));
	SEND(p[0], "@* calc 9");
	EXPECT_EXACT(p[0], "Sent command 'calc 9' to 1 peer");
	EXPECT_EXACT(p[0], S("Result from 127.0.0.1:%d for command 'calc 9': "
	    "9", pc));
	SEND(c, "exit");
	EXPECT_EXIT(c, 0, H_WAIT);
}
END_TEST

/* ====================================================================== */

#define LOOP(tc, t, n)	tcase_add_loop_test((tc), (t), 0, (int)(n))

int
main(void)
{
	Suite *s = suite_create("fanout");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = suite_case(s, "json_reader", TCASE_TIMEOUT);
	LOOP(tc, test_json_reader, NELEM(json_cases));
	tcase_add_test(tc, test_json_reader_decodes);

	tc = suite_case(s, "select", TCASE_TIMEOUT);
	LOOP(tc, test_select, NELEM(sel_cases));

	tc = suite_case(s, "fifty", 90);
	tcase_add_test(tc, test_fanout_50);

	tc = suite_case(s, "output", TCASE_TIMEOUT);
	tcase_add_test(tc, test_gather);
	tcase_add_test(tc, test_multiline);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_only_results);
	LOOP(tc, test_json_gather, NELEM(json_gather_args));

	tc = suite_case(s, "lines", TCASE_TIMEOUT);
	LOOP(tc, test_status, NELEM(status_cases));
	LOOP(tc, test_chain, NELEM(chain_cases));
	LOOP(tc, test_pipe, NELEM(pipe_cases));
	LOOP(tc, test_quoting, NELEM(quote_cases));
	LOOP(tc, test_alias, NELEM(alias_cases));
	tcase_add_test(tc, test_alias_remote);
	tcase_add_test(tc, test_peer_help);

	tc = suite_case(s, "oneshot", TCASE_TIMEOUT);
	LOOP(tc, test_timeout, NELEM(timeout_cases));
	LOOP(tc, test_bad_timeout, NELEM(bad_timeouts) - 1);
	LOOP(tc, test_usage_errors, 2);
	tcase_add_test(tc, test_wait_named);
	LOOP(tc, test_script, NELEM(script_cases));

	tc = suite_case(s, "console", TCASE_TIMEOUT);
	tcase_add_test(tc, test_disconnect);
	tcase_add_test(tc, test_side_by_side);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
