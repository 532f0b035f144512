/*
 * check_library: libkaipeer as an embedder uses it (include/kaipeer.h).
 *
 * Two nodes live in one process, set up from C and stepped by this test's
 * own loop: one listens, the other dials it, and commands go both ways
 * through kaipeer_send().  An asynchronous processor answers a call after
 * it returned, many turns later; one whose asker has gone is told so.  The
 * library prints nothing (its lines reach the log callback), and leaves
 * the process's signal dispositions as it found them.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "kaipeer.h"

#define WAIT_MS	5000

/* A TCP port free right now on the IPv4 and IPv6 wildcards. */
static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

struct log {
	int	 lines;
	char	 all[8192];
};

static void
on_log(void *ctx, int stream, const char *line, size_t len)
{
	struct log *l = ctx;
	size_t used = strlen(l->all);

	(void)stream;
	l->lines++;
	if (used + len + 2 < sizeof(l->all)) {
		memcpy(l->all + used, line, len);
		l->all[used + len] = '\n';
		l->all[used + len + 1] = '\0';
	}
}

/* One turn of each node, the way an embedder would: one poll for both. */
static void
step_both(struct kaipeer_node *a, struct kaipeer_node *b)
{
	struct pollfd fds[64];
	int na, nb, t, ta, tb;

	na = kaipeer_pollfds(a, fds, 32);
	nb = kaipeer_pollfds(b, fds + na, 32);
	ta = kaipeer_timeout(a);
	tb = kaipeer_timeout(b);
	t = ta < 0 ? tb : tb < 0 ? ta : ta < tb ? ta : tb;
	if (t < 0 || t > 50)
		t = 50;
	(void)poll(fds, (nfds_t)(na + nb), t);
	(void)kaipeer_dispatch(a, fds, na);
	(void)kaipeer_dispatch(b, fds + na, nb);
}

struct got {
	int	 n;
	int	 status;
	int	 peer;
	char	 text[256];
	char	 command[64];
	char	 addr[128];
};

static void
on_result(void *ctx, const struct kaipeer_result *r)
{
	struct got *g = ctx;

	g->n++;
	g->status = r->status;
	g->peer = r->peer;
	snprintf(g->text, sizeof(g->text), "%.*s", (int)r->len, r->text);
	snprintf(g->command, sizeof(g->command), "%s", r->command);
	snprintf(g->addr, sizeof(g->addr), "%s", r->addr);
}

static void
wait_for(struct kaipeer_node *a, struct kaipeer_node *b, const int *n,
    int want)
{
	int i;

	for (i = 0; i < WAIT_MS / 10 && *n < want; i++)
		step_both(a, b);
	ck_assert_int_eq(*n, want);
}

/* The asynchronous processor keeps its call; the test answers later. */
static struct kaipeer_call *held;
static int held_peer;
static char held_args[64];
static int held_cancels;	/* times the asker cancelled or went */

static void
on_cancel(void *ctx, struct kaipeer_call *call)
{
	(void)ctx;
	ck_assert_ptr_eq(call, held);
	ck_assert(kaipeer_call_gone(call));
	held_cancels++;
}

static void
later(void *ctx, struct kaipeer_call *call)
{
	(void)ctx;
	held = call;
	held_peer = kaipeer_call_peer(call);
	snprintf(held_args, sizeof(held_args), "%s",
	    kaipeer_call_args(call, NULL));
	ck_assert_str_eq(kaipeer_call_command(call), "later");
	kaipeer_call_on_cancel(call, on_cancel, NULL);
}

static int
up(struct kaipeer_node *a, struct kaipeer_node *b, struct log *la)
{
	int i;

	for (i = 0; i < WAIT_MS / 10 && strstr(la->all, "Peer connected")
	    == NULL; i++)
		step_both(a, b);
	return strstr(la->all, "Peer connected") != NULL;
}

START_TEST(test_two_nodes)
{
	struct kaipeer_node *a, *b;
	struct sigaction before[3], after;
	static const int sigs[3] = { SIGPIPE, SIGINT, SIGTERM };
	struct log la = { 0, "" }, lb = { 0, "" };
	struct got g;
	int i, port = free_port();

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(sigaction(sigs[i], NULL, &before[i]), 0);
	a = kaipeer_new();
	b = kaipeer_new();
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	kaipeer_set_log(a, on_log, &la);
	kaipeer_set_log(b, on_log, &lb);
	ck_assert_int_eq(kaipeer_register_async(a, "later", later, NULL), 0);
	ck_assert_int_eq(kaipeer_register_async(a, "later", later, NULL), -1);
	ck_assert_int_eq(kaipeer_set_listen(a, port), 0);
	ck_assert_int_eq(kaipeer_set_listen(b, 0), 0);
	ck_assert_int_eq(kaipeer_add_peer(b, "127.0.0.1", port), 0);
	ck_assert_int_eq(kaipeer_start(a), 0);
	ck_assert_int_eq(kaipeer_start(b), 0);
	ck_assert_msg(up(a, b, &la), "the nodes did not connect: %s", la.all);

	/* A synchronous built-in, from b to a. */
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(kaipeer_send(b, "0", "calc 1+2", on_result, &g), 1);
	ck_assert_int_eq(g.n, 0);		/* never from within the call */
	wait_for(a, b, &g.n, 1);
	ck_assert_int_eq(g.status, KAIPEER_OK);
	ck_assert_str_eq(g.text, "3");
	ck_assert_str_eq(g.command, "calc 1+2");

	/* The asynchronous one: answered many turns after it returned. */
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(kaipeer_send(b, "*", "later some words", on_result,
	    &g), 1);
	for (i = 0; i < WAIT_MS / 10 && held == NULL; i++)
		step_both(a, b);
	ck_assert_ptr_nonnull(held);
	ck_assert_str_eq(held_args, "some words");
	ck_assert_int_eq(held_peer, 0);
	for (i = 0; i < 20; i++)
		step_both(a, b);
	ck_assert_int_eq(g.n, 0);
	ck_assert_int_eq(kaipeer_pending(b), 1);
	ck_assert_int_eq(kaipeer_reply(held, KAIPEER_OK, "done\0!", 6), 0);
	held = NULL;
	wait_for(a, b, &g.n, 1);
	ck_assert_int_eq(g.status, KAIPEER_OK);
	ck_assert_int_eq(memcmp(g.text, "done", 5), 0);
	ck_assert_int_eq(kaipeer_pending(b), 0);

	/* The other way: a sends to b (which dialled it). */
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(kaipeer_send(a, "0", "system status", on_result, &g),
	    1);
	wait_for(a, b, &g.n, 1);
	ck_assert_int_eq(g.status, KAIPEER_OK);
	ck_assert_ptr_nonnull(strstr(g.text, "kaipeer " KAIPEER_VERSION));

	/* Every node of the network: b and a, one result each. */
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(kaipeer_send(b, "**", "calc 2+3", on_result, &g), 1);
	wait_for(a, b, &g.n, 2);
	ck_assert_int_eq(g.n, 2);
	ck_assert_str_eq(g.text, "5");

	/* Through a and back to b: the path in addr. */
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(kaipeer_send(b, "0/0", "calc 3+4", on_result, &g), 1);
	wait_for(a, b, &g.n, 1);
	ck_assert_int_eq(g.status, KAIPEER_OK);
	ck_assert_str_eq(g.text, "7");
	ck_assert_ptr_nonnull(strchr(g.addr, '/'));

	/* No peer by that name: -1, said in the log. */
	ck_assert_int_eq(kaipeer_send(a, "nobody", "calc 1", on_result, &g),
	    -1);
	ck_assert_ptr_nonnull(strstr(la.all, "No peer found matching 'nobody'"));

	/* A call whose asker goes away: it is told, the reply is dropped. */
	ck_assert_int_eq(held_cancels, 0);
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(kaipeer_send(b, "0", "later x", on_result, &g), 1);
	for (i = 0; i < WAIT_MS / 10 && held == NULL; i++)
		step_both(a, b);
	ck_assert_ptr_nonnull(held);
	kaipeer_stop(b);
	for (i = 0; i < WAIT_MS / 10 && !kaipeer_call_gone(held); i++)
		step_both(a, b);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(g.status, KAIPEER_CANCELLED);
	ck_assert(kaipeer_call_gone(held));
	ck_assert_int_eq(held_cancels, 1);
	ck_assert_int_eq(kaipeer_reply(held, KAIPEER_OK, "late", 4), -1);
	held = NULL;
	ck_assert_int_eq(kaipeer_step(b, 0), -1);

	/* The library changed no signal disposition. */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(sigaction(sigs[i], NULL, &after), 0);
		ck_assert(after.sa_handler == before[i].sa_handler);
	}
	kaipeer_free(a);
	kaipeer_free(b);
}
END_TEST

/* kaipeer_run() until a callback stops it. */
static void
stop_on_result(void *ctx, const struct kaipeer_result *r)
{
	struct kaipeer_node *n = ctx;

	(void)r;
	kaipeer_stop(n);
}

START_TEST(test_run_until_stopped)
{
	struct kaipeer_node *n = kaipeer_new();

	ck_assert_int_eq(kaipeer_set_listen(n, 0), 0);
	ck_assert_int_eq(kaipeer_add_peer(n, "127.0.0.1", free_port()), 0);
	ck_assert_int_eq(kaipeer_start(n), 0);
	/* Nobody listens: the result says so, then the node stops. */
	ck_assert_int_eq(kaipeer_send(n, "0", "calc 1", stop_on_result, n), 1);
	ck_assert_int_eq(kaipeer_run(n), 0);
	ck_assert_int_eq(kaipeer_step(n, 0), -1);
	kaipeer_free(n);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("library");
	TCase *tc = tcase_create("library");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_two_nodes);
	tcase_add_test(tc, test_run_until_stopped);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
