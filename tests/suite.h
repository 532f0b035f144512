/*
 * suite: what the integration suites (check_integration.c,
 * check_defects.c) share, on top of the harness: assertions that print
 * every node's output so far when they fail, short formatted strings,
 * config files written with ' for ", nodes started and waited for, and
 * what a raw peer expects of the node's frames.
 *
 * Every wait is bounded (H_WAIT unless said otherwise); a failed check
 * dumps the logs and fails the test, never hangs it.
 */
#ifndef KAIPEER_SUITE_H
#define KAIPEER_SUITE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <check.h>

#include "harness.h"
#include "proto.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS	16	/* arguments of run() */
#define RAW_PORT	4242	/* what a raw peer says it listens on */

/* --- assertions that show the logs -------------------------------------- */

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		h_dump();						\
		ck_abort_msg(__VA_ARGS__);				\
	}								\
} while (0)

/* A line of stream s containing text, after the last one matched. */
#define EXPECT_ON(p, s, text, ms) do {					\
	const char *t_ = (text);					\
	CHECK(h_expect((p), (s), t_, (ms)) != NULL,			\
	    "%s printed no %s line containing \"%s\" within %d ms",	\
	    (p)->name, (s) == H_OUT ? "stdout" : "stderr", t_, (ms));	\
} while (0)
#define EXPECT(p, text)		EXPECT_ON(p, H_OUT, text, H_WAIT)
#define EXPECT_ERR(p, text)	EXPECT_ON(p, H_ERR, text, H_WAIT)

/* As EXPECT_ON, and the whole line must be exactly text (on stderr,
 * with the "kaipeer: " every diagnostic starts with: err_text()). */
#define EXPECT_EXACT_ON(p, s, text, ms) do {				\
	const char *x_ = (s) == H_ERR ? err_text(text) : (text), *l_;	\
	l_ = h_expect((p), (s), x_, (ms));				\
	CHECK(l_ != NULL && strcmp(l_, x_) == 0,			\
	    "%s: expected the %s line \"%s\", got \"%s\"", (p)->name,	\
	    (s) == H_OUT ? "stdout" : "stderr", x_,			\
	    l_ != NULL ? l_ : "(none)");				\
} while (0)
#define EXPECT_EXACT(p, text)	EXPECT_EXACT_ON(p, H_OUT, text, H_WAIT)

/* The very next line of stdout must be exactly text. */
#define EXPECT_NEXT(p, text) do {					\
	const char *n_ = (text), *l_;					\
	l_ = h_line((p), H_OUT, H_WAIT);				\
	CHECK(l_ != NULL && strcmp(l_, n_) == 0,			\
	    "%s: expected the next line \"%s\", got \"%s\"", (p)->name,	\
	    n_, l_ != NULL ? l_ : "(none)");				\
} while (0)

#define EXPECT_EXIT(p, status, ms) do {					\
	int st_ = h_wait((p), (ms));					\
	CHECK(st_ == (status), "%s: exit status %d, expected %d "	\
	    "(-1: still running after %d ms)", (p)->name, st_,		\
	    (status), (ms));						\
} while (0)

#define SEND(p, line)							\
	CHECK(h_send((p), (line)) == 0, "cannot write to %s", (p)->name)

/* --- helpers ------------------------------------------------------------- */

/* printf into one of a ring of 16 buffers, for short-lived lines. */
/* text as a line of stderr shows it: after "kaipeer: " (once). */
const char *err_text(const char *text);

const char *S(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Every ' of text made a ". */
void	quotes(char *text);

/* A temporary config file: the formatted text with every ' made a ". */
const char *config(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* "'peers': [...]" listing 127.0.0.1:port. */
const char *peers_of(int port);

/* A port from h_port(), or fail. */
int	free_port(void);

/* Start prog with args (NULL-terminated) and then the config path. */
struct h_proc *run(const char *name, const char *prog,
	    const char *const args[], const char *cfg);

/*
 * A node of prog (node(): ./kaipeer) listening on port, with more config
 * members (JSON, ' for "), once it listens; an interactive one once it
 * reads its console.
 */
struct h_proc *node_of(const char *prog, const char *name, int port,
	    int interactive, const char *more);
struct h_proc *node(const char *name, int port, int interactive,
	    const char *more);

/* Wait until b (which dialled a) and a both report the connection. */
void	linked(struct h_proc *b, int port_b, struct h_proc *a, int port_a);

/* CLOCK_MONOTONIC in ms. */
long long now_ms(void);

/* The node's resident memory in KiB, from /proc; 0 where there is none. */
long	rss_kib(pid_t pid);

/* A raw peer: the next frame (within H_WAIT), an ERROR with code, a
 * RESULT id with status and text, the node's HELLO announcing port (into
 * *h if h is not NULL); bytes sent. */
void	frame(struct h_raw *r, struct h_frame *f);
void	expect_error(struct h_raw *r, unsigned code);
void	expect_result(struct h_raw *r, uint32_t id, unsigned status,
	    const char *text);
void	expect_hello(struct h_raw *r, int port, struct proto_hello *h);
void	raw_send(struct h_raw *r, const void *bytes, size_t len);

/* A test case of suite s with the teardown and this timeout (s). */
TCase	*suite_case(Suite *s, const char *name, int timeout);

#endif
