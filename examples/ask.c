/*
 * ask: run one command on several kaipeer nodes and print their answers,
 * a small client built on libkaipeer's send API and stepped from this
 * program's own poll() loop.
 *
 * Build: make examples/ask
 * Run:   examples/ask '<command>' host:port...
 *
 * Each answer is printed as "<host:port>: <result>" as it arrives, in
 * whatever order the nodes answer: an error result after "error: ", a
 * timeout (10 s) or a node that cannot be reached as "Error: ...".  The exit
 * status is 0 when every node answered with success, 1 otherwise, 64 for
 * a bad command line.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaipeer.h"

#define MAX_FDS		64

struct tally {
	int	 answered;
	int	 failed;
};

/* One result: print it; the library frees everything it points to. */
static void
on_result(void *ctx, const struct kaipeer_result *r)
{
	struct tally *t = ctx;

	t->answered++;
	if (r->status != KAIPEER_OK)
		t->failed++;
	/* A failure here ("Error: timed out...") says so itself. */
	printf("%s: %s%.*s\n", r->addr, r->status == KAIPEER_ERROR ?
	    "error: " : "", (int)r->len, r->text);
	fflush(stdout);
}

/* "host:port" or "[v6]:port" into host and port. */
static int
split(char *arg, char **host, int *port)
{
	char *colon = strrchr(arg, ':'), *end;
	long p;

	if (colon == NULL || colon == arg)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	*colon = '\0';
	*host = arg;
	*port = (int)p;
	return 0;
}

int
main(int argc, char **argv)
{
	struct kaipeer_node *node;
	struct pollfd fds[MAX_FDS];
	struct tally t = { 0, 0 };
	const char *command;
	char *host;
	int i = 1, n, port, sent;

	if (argc - i < 2) {
		fprintf(stderr, "usage: ask command host:port...\n");
		return 64;
	}
	command = argv[i++];
	if ((node = kaipeer_new()) == NULL ||
	    kaipeer_set_listen(node, 0) == -1) {
		fprintf(stderr, "ask: cannot set up a node\n");
		return 1;
	}
	for (; i < argc; i++)
		if (split(argv[i], &host, &port) == -1 ||
		    kaipeer_add_peer(node, host, port) == -1) {
			fprintf(stderr, "ask: bad peer '%s'\n", argv[i]);
			kaipeer_free(node);
			return 64;
		}
	if (kaipeer_start(node) != 0 ||
	    (sent = kaipeer_send(node, "*", command, on_result, &t)) < 0) {
		kaipeer_free(node);
		return 1;
	}
	/* Our loop: the node's descriptors, its timeout, one dispatch. */
	while (t.answered < sent) {
		n = kaipeer_pollfds(node, fds, MAX_FDS);
		if (n > MAX_FDS)
			n = MAX_FDS;
		if (poll(fds, (nfds_t)n, kaipeer_timeout(node)) == -1 ||
		    kaipeer_dispatch(node, fds, n) == -1)
			break;
	}
	kaipeer_stop(node);
	(void)kaipeer_step(node, 0);	/* says goodbye to every node */
	kaipeer_free(node);
	return t.failed == 0 && t.answered == sent ? 0 : 1;
}
