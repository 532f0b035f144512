/*
 * suite: what the integration suites share (contract in tests/suite.h).
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "harness.h"
#include "suite.h"

/* printf into one of a ring of buffers: for short-lived expected lines. */
const char *
S(const char *fmt, ...)
{
	static char ring[16][2048];
	static int next;
	char *buf = ring[next++ % 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(ring[0]), fmt, ap);
	va_end(ap);
	return buf;
}

/* The text with every ' made a ". */
void
quotes(char *text)
{
	for (; *text != '\0'; text++)
		if (*text == '\'')
			*text = '"';
}

/* A temporary config file: the formatted text with every ' made a ". */
const char *
config(const char *fmt, ...)
{
	char text[4096];
	const char *path;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	quotes(text);
	path = h_file("%s", text);
	CHECK(path != NULL, "cannot write a config file");
	return path;
}

/* "'peers': [...]" listing 127.0.0.1:port. */
const char *
peers_of(int port)
{
	return S("'peers': [{'host': '127.0.0.1', 'port': %d}]", port);
}

int
free_port(void)
{
	int p = h_port();

	CHECK(p > 0, "no free port");
	return p;
}

/* Start prog with args (NULL-terminated) and then the config path. */
struct h_proc *
run(const char *name, const char *prog, const char *const args[],
    const char *cfg)
{
	const char *argv[MAX_ARGS + 3];
	struct h_proc *p;
	int n = 0;

	argv[n++] = prog;
	while (args != NULL && *args != NULL && n <= MAX_ARGS)
		argv[n++] = *args++;
	if (cfg != NULL)
		argv[n++] = cfg;
	argv[n] = NULL;
	p = h_start(name, argv);
	CHECK(p != NULL, "cannot start %s", prog);
	return p;
}

const char *
err_text(const char *text)
{
	if (strncmp(text, "kaipeer: ", 9) == 0)
		return text;
	return S("kaipeer: %s", text);
}

/* Wait until b (which dialled a) and a both report the connection. */
void
linked(struct h_proc *b, int port_b, struct h_proc *a, int port_a)
{
	/* A peer with a name is "127.0.0.1:P (name)". */
	EXPECT(b, S("Connected to peer: 127.0.0.1:%d", port_a));
	EXPECT(a, S("Peer connected from 127.0.0.1:%d", port_b));
}

long long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A frame within H_WAIT, or fail. */
void
frame(struct h_raw *r, struct h_frame *f)
{
	int rc = h_raw_frame(r, f, H_WAIT);

	CHECK(rc == 1, "no frame from the node (%s)", rc == 0 ?
	    "it closed the connection" : "timed out");
}

/* The next frame must be an ERROR with this code. */
void
expect_error(struct h_raw *r, unsigned code)
{
	struct proto_text t;
	struct h_frame f;

	memset(&t, 0, sizeof(t));
	frame(r, &f);
	CHECK(f.type == PROTO_ERROR && proto_error_decode(&f.f, &t) == 0 &&
	    t.code == code, "expected ERROR %u, got a frame of type %d "
	    "(%s), code %u", code, f.type, proto_type_name(f.type),
	    f.type == PROTO_ERROR ? t.code : 0);
}

/* The next frame must be RESULT id with status and text. */
void
expect_result(struct h_raw *r, uint32_t id, unsigned status,
    const char *text)
{
	struct proto_text t;
	struct h_frame f;

	frame(r, &f);
	CHECK(f.type == PROTO_RESULT && proto_result_decode(&f.f, &t) == 0,
	    "expected a RESULT, got type %d", f.type);
	CHECK(t.id == id && t.code == status && t.len == strlen(text) &&
	    memcmp(t.text, text, t.len) == 0, "expected RESULT %lu %u '%s', "
	    "got %lu %u '%.*s'", (unsigned long)id, status, text,
	    (unsigned long)t.id, t.code, (int)t.len, t.text);
}

/* The node's HELLO: version 1, its listen port; returned in *h. */
void
expect_hello(struct h_raw *r, int port, struct proto_hello *h)
{
	struct proto_hello mine;
	struct h_frame f;

	if (h == NULL)
		h = &mine;
	frame(r, &f);
	CHECK(f.type == PROTO_HELLO && proto_hello_decode(&f.f, h) == 0 &&
	    h->version == PROTO_VERSION && h->port == (unsigned)port,
	    "bad HELLO from the node (type %d)", f.type);
}

void
raw_send(struct h_raw *r, const void *bytes, size_t len)
{
	CHECK(h_raw_send(r, bytes, len) == 0, "send to the node");
}

/* The node's resident memory in KiB, from /proc; 0 where there is none. */
long
rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(fp);
	return kib;
}

TCase *
suite_case(Suite *s, const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	tcase_add_checked_fixture(tc, NULL, h_cleanup);
	suite_add_tcase(s, tc);
	return tc;
}

struct h_proc *
node_of(const char *prog, const char *name, int port, int interactive,
    const char *more)
{
	struct h_proc *p;

	p = run(name, prog, NULL, config("{'listenPort': %d, "
	    "'interactive': %s%s%s}", port, interactive ? "true" : "false",
	    more[0] != '\0' ? ", " : "", more));
	EXPECT_EXACT(p, S("Listening for connections on port %d", port));
	if (interactive)
		EXPECT(p, "Type 'help' for available commands");
	return p;
}

struct h_proc *
node(const char *name, int port, int interactive, const char *more)
{
	return node_of("./kaipeer", name, port, interactive, more);
}
