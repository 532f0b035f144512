/*
 * check_integration: real ./kaipeer processes on loopback, driven through
 * their console, through -c, and through raw sockets speaking the wire
 * protocol with proto.c's codec.
 *
 * Run from the top of the repository after make (examples/greet too):
 *	make kaipeer examples/greet tests/check_integration
 *	./tests/check_integration
 * Every test forks (Check's default), starts its own nodes on ports from
 * h_port(), waits for output lines with a bound (H_WAIT), never sleeps a
 * fixed time, and leaves nothing behind: a teardown kills and reaps the
 * nodes, and the harness's guardian does it when a failed assertion ends
 * the test early.  A failure prints every node's output so far.
 *
 * Configs are written with ' for " (see config()), so that JSON reads as
 * JSON.  Tables hold the cases; a loop test runs one row per fork.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>

#include "harness.h"
#include "suite.h"
#include "proto.h"

#define TCASE_TIMEOUT	30	/* seconds, per test */

/*
 * The next line must list entry i, addr, as known but not connected: in
 * any of the states a redialled peer goes through.
 */
#define EXPECT_NEXT_DOWN(p, i, addr, origin) do {			\
	const char *a_ = S("  %d: %s [%s] [", (i), (addr), (origin)), *l_;		\
	l_ = h_line((p), H_OUT, H_WAIT);				\
	CHECK(l_ != NULL && strncmp(l_, a_, strlen(a_)) == 0 &&		\
	    down_state(l_ + strlen(a_)), "%s: expected \"%s<state>]\", " \
	    "got \"%s\"", (p)->name, a_, l_ != NULL ? l_ : "(none)");	\
} while (0)

/* --- helpers ------------------------------------------------------------- */






/* The classic pair: peer1 (alias add) listens; peer2 dials it. */
static void
pair(struct h_proc **p1, int *port1, struct h_proc **p2, int *port2,
    int interactive1, const char *more2)
{
	*port1 = free_port();
	*port2 = free_port();
	*p1 = node("peer1", *port1, interactive1,
	    "'commands': {'add': 'calc 1+2', 'a': 'b', 'b': 'a'}");
	*p2 = node("peer2", *port2, 1, S("%s%s%s", peers_of(*port1),
	    more2[0] != '\0' ? ", " : "", more2));
	linked(*p2, *port2, *p1, *port1);
}

/*
 * A healthy peer still gets correct results from the node at port: a
 * one-shot kaipeer runs "@0 calc 6*7" there.  And n's console still works.
 */
static void
healthy(struct h_proc *n, int port)
{
	static const char *const args[] = { "-c", "@0 calc 6*7", NULL };
	struct h_proc *c;

	c = run("healthy", "./kaipeer", args, config("{'interactive': false, "
	    "'connectTimeout': 3, %s}", peers_of(port)));
	EXPECT_EXACT(c, S("Result from 127.0.0.1:%d for command 'calc 6*7': 42",
	    port));
	EXPECT_EXIT(c, 0, H_WAIT);
	if (n->in_fd != -1) {
		SEND(n, "calc 1+1");
		EXPECT_EXACT(n, "Result: 2");
	}
}

/* "connecting]", "retrying in N s]", "disconnected]" or "failed: ...]". */
static int
down_state(const char *s)
{
	int n = 0, secs;

	if (strcmp(s, "connecting]") == 0 || strcmp(s, "disconnected]") == 0)
		return 1;
	if (strncmp(s, "failed: ", 8) == 0 && s[strlen(s) - 1] == ']')
		return 1;
	return sscanf(s, "retrying in %d s]%n", &secs, &n) == 1 && n > 0 &&
	    s[n] == '\0' && secs >= 0 && secs <= 30;
}

static long long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ====================================================================== */
/* The command line                                                        */

#define CONFIG_ARG	"<config>"	/* replaced by a valid config's path */

struct cli_case {
	const char	*args[4];
	int		 status;
	enum h_stream	 stream;
	const char	*text;		/* a line must contain it */
};

static const struct cli_case cli_cases[] = {
	{ { "-V" }, 0, H_OUT, "kaipeer 0.1.0" },
	{ { "--version" }, 0, H_OUT, "kaipeer 0.1.0" },
	{ { "-h" }, 0, H_OUT, "[-c line]... [-p host:port]... [config_file] "
	    "[port]" },
	{ { "--help" }, 0, H_OUT, "usage: kaipeer --genkey key_file" },
	{ { "-x" }, 64, H_ERR, "unknown option '-x'" },
	{ { "--bogus", CONFIG_ARG }, 64, H_ERR, "unknown option" },
	{ { "-x" }, 64, H_ERR, "kaipeer: usage: kaipeer [-bhknqvV]" },
	{ { "-x" }, 64, H_ERR, "kaipeer: unknown option '-x'" },
	{ { "-p" }, 64, H_ERR, "kaipeer: -p needs a peer, host:port" },
	{ { "-p", "nohost" }, 64, H_ERR, "kaipeer: invalid peer 'nohost'" },
	{ { "-p", "h:0" }, 64, H_ERR, "kaipeer: invalid peer 'h:0'" },
	{ { "-n", "-c", "help" }, 64, H_ERR, "-n does not go with -c" },
	{ { "99999" }, 64, H_ERR, "kaipeer: invalid port '99999'" },
	{ { "-c" }, 64, H_ERR, "-c needs a console line" },
	{ { CONFIG_ARG, "0" }, 64, H_ERR, "invalid port '0'" },
	{ { CONFIG_ARG, "65536" }, 64, H_ERR, "invalid port '65536'" },
	{ { CONFIG_ARG, "abc" }, 64, H_ERR, "invalid port 'abc'" },
	{ { CONFIG_ARG, "14595x" }, 64, H_ERR, "invalid port '14595x'" },
	{ { CONFIG_ARG, "-1" }, 64, H_ERR, "unknown option '-1'" },
	{ { CONFIG_ARG, "1", "2" }, 64, H_ERR, "too many arguments" },
	{ { "/nonexistent/kaipeer.json" }, 78, H_ERR,
	    "/nonexistent/kaipeer.json: No such file or directory" },
};

START_TEST(test_cli)
{
	const struct cli_case *c = &cli_cases[_i];
	const char *args[NELEM(c->args) + 1];
	const char *cfg;
	struct h_proc *p;
	size_t i;

	/* A config that would run for ever: only a refusal ends it. */
	cfg = config("{'listenPort': %d, 'interactive': false}", free_port());
	for (i = 0; i < NELEM(c->args); i++)
		args[i] = c->args[i] != NULL && strcmp(c->args[i],
		    CONFIG_ARG) == 0 ? cfg : c->args[i];
	args[i] = NULL;
	p = run("kaipeer", "./kaipeer", args, NULL);
	EXPECT_ON(p, c->stream, c->text, H_WAIT);
	EXPECT_EXIT(p, c->status, H_WAIT);
}
END_TEST

struct config_case {
	const char	*json;		/* as written, ' for " */
	const char	*where;		/* "line:col: message" */
};

static const struct config_case bad_configs[] = {
	{ "{'listenPort': 0}",
	  "1:16: \"listenPort\" must be an integer from 1 to 65535" },
	{ "{'listenPort': 1,}", "1:17: trailing comma" },
	{ "{'listenPort': 1, 'listenPort': 2}",
	  "1:19: duplicate key \"listenPort\"" },
	{ "{'peers': [{'host': 'x'}]}", "1:12: peer without a \"port\"" },
	{ "{'peers': [{'host': '127.0.0.1', 'port': 70000}]}",
	  "1:42: \"port\" must be an integer from 1 to 65535" },
	{ "{'commandTimeout': '1'}", "1:20: \"commandTimeout\" must be a "
	  "number of seconds greater than 0 and at most 86400" },
	{ "{\n  'maxPeers': 0\n}",
	  "2:15: \"maxPeers\" must be an integer from 1 to 65535" },
	{ "{'maxFrameSize': 10}",
	  "1:18: \"maxFrameSize\" must be an integer from 1024 to 67108864" },
	{ "{'commands': {'a': 5}}", "1:20: command 'a' must be a string" },
	{ "{'commands': {'a b': 'calc 1'}}",
	  "1:15: command name 'a b' contains a space" },
	{ "nope", "1:2: unexpected character 'o'" },
	{ "", "1:1: empty file" },
	{ "{'name': 'x'} x", "1:15: unexpected text after the JSON value" },
};

/* A bad config file: one message with its position, exit 78, no start. */
START_TEST(test_bad_config)
{
	const struct config_case *c = &bad_configs[_i];
	const char *cfg, *want;
	struct h_proc *p;

	cfg = config("%s", c->json);
	want = S("kaipeer: %s:%s", cfg, c->where);
	p = run("kaipeer", "./kaipeer", NULL, cfg);
	EXPECT_EXIT(p, 78, H_WAIT);
	CHECK(h_line(p, H_ERR, 0) != NULL && strcmp(p->line, want) == 0,
	    "stderr: expected \"%s\", got \"%s\"", want, p->line);
	CHECK(h_line(p, H_ERR, 0) == NULL, "more on stderr: \"%s\"", p->line);
	CHECK(h_line(p, H_OUT, 0) == NULL, "a bad config was half-loaded: "
	    "stdout has \"%s\"", p->line);
}
END_TEST

/*
 * A service: -n is not interactive whatever the config says, prints no
 * banner, does not read standard input (a "help" sent there is not
 * answered), stamps every line with the UTC time when standard output is
 * not a terminal (here a pipe; on stderr after "kaipeer: "), serves, and
 * ends on SIGTERM with status 0.  A port given alone is the port.
 */
START_TEST(test_daemon)
{
	static const char stamp[] = "dddd-dd-ddTdd:dd:dd.dddZ ";
	int pn = free_port(), i, k;
	const char *args[4] = { "-n", S("%d", pn), NULL, NULL };
	const char *ask[6];
	struct h_proc *p, *q;
	const char *l;

	p = run("daemon", "./kaipeer", args, NULL);
	SEND(p, "help");
	/* Every line: the time, then what it says. */
	for (k = 0; k < 3; k++) {
		l = h_line(p, H_OUT, H_WAIT);
		CHECK(l != NULL && strlen(l) > sizeof(stamp), "daemon: a line "
		    "was expected, got \"%s\"", l != NULL ? l : "(none)");
		for (i = 0; stamp[i] != '\0'; i++)
			CHECK(stamp[i] == 'd' ? l[i] >= '0' && l[i] <= '9' :
			    l[i] == stamp[i], "daemon: no time stamp at the "
			    "start of \"%s\"", l);
		if (k == 1)
			CHECK(strcmp(l + sizeof(stamp) - 1, S("Listening for "
			    "connections on port %d", pn)) == 0, "daemon: "
			    "\"%s\"", l);
	}
	/* A peer needs no file: -p host:port. */
	ask[0] = "-q";
	ask[1] = "-c";
	ask[2] = "@0 calc 20+22";
	ask[3] = "-p";
	ask[4] = S("127.0.0.1:%d", pn);
	ask[5] = NULL;
	q = run("asker", "./kaipeer", ask, NULL);
	EXPECT_EXACT(q, S("Result from 127.0.0.1:%d for command "
	    "'calc 20+22': 42", pn));
	EXPECT_EXIT(q, 0, H_WAIT);
	EXPECT(p, "Command from 127.0.0.1:");
	CHECK(h_count(p, H_OUT, 0, "Available commands") == 0 &&
	    h_count(p, H_OUT, 0, "P2P Network Console") == 0,
	    "daemon: it read its standard input, or printed a banner");
	h_signal(p, SIGTERM);
	EXPECT_EXIT(p, 0, H_WAIT);
}
END_TEST

/* help leaves out a heading with nothing under it. */
START_TEST(test_help_headings)
{
	struct h_proc *p;

	p = node("kaipeer", free_port(), 0, "");
	SEND(p, "help");
	EXPECT(p, "exit, quit");
	SEND(p, "calc 1");
	EXPECT_EXACT(p, "Result: 1");
	CHECK(h_count(p, H_OUT, 0, "Predefined commands:") == 0 &&
	    h_count(p, H_OUT, 0, "Programs:") == 0 &&
	    h_count(p, H_OUT, 0, "Groups:") == 0, "an empty heading");
	h_close_stdin(p);
}
END_TEST

/* An unknown key is a warning with its position, and the node starts. */
START_TEST(test_unknown_key)
{
	int pn = free_port();
	struct h_proc *p;
	const char *cfg;

	cfg = config("{'bogus': 1, 'listenPort': %d}", pn);
	p = run("kaipeer", "./kaipeer", NULL, cfg);
	EXPECT_ERR(p, S("%s:1:2: warning: unknown key 'bogus' ignored", cfg));
	EXPECT_EXACT(p, S("Listening for connections on port %d", pn));
	h_close_stdin(p);
	EXPECT_EXIT(p, 0, H_WAIT);
}
END_TEST

/*
 * Start-up lines, in order, with nothing between them; the failed dial is
 * reported on stderr and listed by "peers".  Without "interactive" there
 * is no banner, but the console still answers.
 */
START_TEST(test_startup_lines)
{
	int interactive = _i, pn = free_port(), dead = free_port();
	struct h_proc *p;

	p = run("kaipeer", "./kaipeer", NULL, config("{'listenPort': %d, "
	    "'interactive': %s, 'commands': {'zz': 'calc 2', "
	    "'add': 'calc 1+2'}, %s}", pn, interactive ? "true" : "false",
	    peers_of(dead)));
	EXPECT_NEXT(p, "Registering predefined command: add = calc 1+2");
	EXPECT_NEXT(p, "Registering predefined command: zz = calc 2");
	EXPECT_NEXT(p, S("Starting to listen on port %d", pn));
	EXPECT_NEXT(p, S("Listening for connections on port %d", pn));
	EXPECT_NEXT(p, "Protected mode: no \"identity\", so only this machine "
	    "may connect (loopback); set \"listenAddress\" to listen on other "
	    "addresses");
	EXPECT_NEXT(p, S("Connecting to peer at 127.0.0.1:%d", dead));
	if (interactive) {
		EXPECT_NEXT(p, "P2P Network Console");
		EXPECT_NEXT(p, "Type 'help' for available commands, "
		    "'exit' to quit");
	}
	EXPECT_ERR(p, S("Failed to connect to 127.0.0.1:%d: "
	    "Connection refused", dead));
	SEND(p, "peers");
	EXPECT_NEXT(p, "No peers connected.");
	EXPECT_NEXT(p, "Other peers:");
	EXPECT_NEXT_DOWN(p, 0, S("127.0.0.1:%d", dead), "config");
	SEND(p, "add");
	EXPECT_NEXT(p, "Result: 3");
	SEND(p, "exit");
	EXPECT_EXIT(p, 0, H_WAIT);
}
END_TEST

/* Interactive: EOF on stdin ends the node with status 0. */
START_TEST(test_eof_interactive)
{
	struct h_proc *p = node("kaipeer", free_port(), 1, "");

	h_close_stdin(p);
	EXPECT_EXIT(p, 0, H_WAIT);
}
END_TEST

/*
 * Not interactive: EOF on stdin does not end the node; it goes on
 * serving until SIGTERM or SIGINT, and then exits 0.
 */
static const int stop_signals[] = { SIGTERM, SIGINT };

START_TEST(test_eof_server)
{
	int pn = free_port();
	struct h_proc *p = node("server", pn, 0, "");

	h_close_stdin(p);
	healthy(p, pn);		/* over the network only: no console */
}
END_TEST

START_TEST(test_server_signal)
{
	int pn = free_port();
	struct h_proc *p = node("server", pn, 0, "");
	static const char *const args[] = { "-c", "@0 calc 6*7", NULL };
	struct h_proc *c;

	h_close_stdin(p);
	c = run("client", "./kaipeer", args, config("{'interactive': false, "
	    "%s}", peers_of(pn)));
	EXPECT_EXACT(c, S("Result from 127.0.0.1:%d for command 'calc 6*7': 42",
	    pn));
	EXPECT_EXIT(c, 0, H_WAIT);
	CHECK(h_wait(p, 0) == -1, "the server exited after EOF, status %d",
	    p->status);
	h_signal(p, stop_signals[_i]);
	EXPECT_EXIT(p, 0, H_WAIT);
}
END_TEST

/* "exit" and "quit" end the node; its peer hears a clean goodbye. */
static const char *const exit_words[] = { "exit", "quit", "  exit  " };

START_TEST(test_exit)
{
	struct h_proc *p1, *p2;
	int port1, port2;

	pair(&p1, &port1, &p2, &port2, 0, "");
	SEND(p2, exit_words[_i]);
	EXPECT_EXIT(p2, 0, H_WAIT);
	EXPECT_EXACT(p1, S("Peer disconnected: 127.0.0.1:%d", port2));
	CHECK(h_count(p1, H_OUT, 0, "Connection lost") == 0,
	    "a clean exit was reported as a lost connection");
}
END_TEST

/* ====================================================================== */
/* The console of one node                                                 */

struct console_case {
	const char	*line;
	const char	*out;		/* a whole line of the answer */
};

static const struct console_case console_cases[] = {
	{ "calc 1+2", "Result: 3" },
	{ "  calc 1+2  ", "Result: 3" },
	{ "calc 2*(3+4)", "Result: 14" },
	{ "calc 1/0", "Result: Error: division by zero" },
	{ "foo", "Unknown command: foo" },
	{ "foo bar", "Unknown command: foo bar" },
	{ "add", "Result: 3" },
	{ "a", "Result: Error: alias loop: a -> b -> a" },
	{ "peers", "No peers connected." },
	{ "@0", "Usage: @peer command [args]" },
	{ "@", "Usage: @peer command [args]" },
	{ "@ add", "Usage: @peer command [args]" },
	{ "@0 add", "No peer found matching '0'" },
	{ "@nobody calc 1", "No peer found matching 'nobody'" },
	{ "connect", "Usage: connect <host> <port>" },
	{ "connect 127.0.0.1", "Usage: connect <host> <port>" },
	{ "connect 127.0.0.1 0", "Usage: connect <host> <port>" },
	{ "connect 127.0.0.1 65536", "Usage: connect <host> <port>" },
	{ "connect 127.0.0.1 abc", "Usage: connect <host> <port>" },
	{ "connect 127.0.0.1 1 2", "Usage: connect <host> <port>" },
	{ "help", "Available commands:" },
	{ "help", "Predefined commands:" },
	{ "help", "  add - calc 1+2" },
};

/* One console line, its answer, and the node still well afterwards. */
START_TEST(test_console)
{
	const struct console_case *c = &console_cases[_i];
	struct h_proc *p;

	p = node("kaipeer", free_port(), 1,
	    "'commands': {'add': 'calc 1+2', 'a': 'b', 'b': 'a'}");
	SEND(p, c->line);
	EXPECT_EXACT(p, c->out);
	SEND(p, "calc 20+22");
	EXPECT_EXACT(p, "Result: 42");
	SEND(p, "exit");
	EXPECT_EXIT(p, 0, H_WAIT);
}
END_TEST

/* Check a "system status" result: uptime and host vary, the rest not. */
static void
check_status(const char *line, const char *prefix, const char *counts)
{
	char host[256], want[512];
	long up;
	int n = 0;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	snprintf(want, sizeof(want), ", %s, host %s", counts, host);
	CHECK(strncmp(line, prefix, strlen(prefix)) == 0 &&
	    sscanf(line + strlen(prefix), "up %lds%n", &up, &n) == 1 &&
	    n > 0 && up >= 0 && up < 60 &&
	    strcmp(line + strlen(prefix) + n, want) == 0,
	    "status line \"%s\", expected \"%sup Ns%s\"", line, prefix, want);
}

START_TEST(test_system_status)
{
	const char *prefix = "kaipeer 0.1.0, ";
	struct h_proc *p1, *p2;
	int port1, port2;

	pair(&p1, &port1, &p2, &port2, 1, "");
	SEND(p1, "system status");
	check_status(h_expect(p1, H_OUT, "Result: ", H_WAIT) ? p1->line : "",
	    S("Result: %s", prefix), "1 peer, 0 commands served");
	SEND(p2, "@0 system status");
	CHECK(h_expect(p2, H_OUT, "Result from", H_WAIT) != NULL,
	    "no result");
	check_status(p2->line, S("Result from 127.0.0.1:%d for command "
	    "'system status': %s", port1, prefix), "1 peer, 0 commands served");
	SEND(p1, "system status");
	check_status(h_expect(p1, H_OUT, "Result: ", H_WAIT) ? p1->line : "",
	    S("Result: %s", prefix), "1 peer, 1 command served");
	SEND(p2, "exit");
	EXPECT_EXACT(p1, S("Peer disconnected: 127.0.0.1:%d", port2));
	SEND(p1, "system status");
	check_status(h_expect(p1, H_OUT, "Result: ", H_WAIT) ? p1->line : "",
	    S("Result: %s", prefix), "0 peers, 1 command served");
}
END_TEST

/* ====================================================================== */
/* Two and more peers                                                      */

/* The documented demo, with both sides' lines, both ways. */
START_TEST(test_add)
{
	struct h_proc *p1, *p2;
	int port1, port2;

	pair(&p1, &port1, &p2, &port2, 1, "");
	SEND(p2, "peers");
	EXPECT_NEXT(p2, "Connected peers:");
	EXPECT_NEXT(p2, S("  0: 127.0.0.1:%d [config]", port1));
	SEND(p2, "@0 add");
	EXPECT_NEXT(p2, S("Sent command 'add' to 127.0.0.1:%d", port1));
	EXPECT_NEXT(p2, S("Result from 127.0.0.1:%d for command 'add': 3",
	    port1));
	EXPECT_NEXT(p1, S("Command from 127.0.0.1:%d: add", port2));
	EXPECT_NEXT(p1, "Sent result: 3");
	/* The listening side reaches the dialler by its listen port. */
	SEND(p1, "peers");
	EXPECT_NEXT(p1, "Connected peers:");
	EXPECT_NEXT(p1, S("  0: 127.0.0.1:%d [accepted]", port2));
	SEND(p1, "@0 calc 6*7");
	EXPECT_NEXT(p1, S("Sent command 'calc 6*7' to 127.0.0.1:%d", port2));
	EXPECT_NEXT(p1, S("Result from 127.0.0.1:%d for command 'calc 6*7': "
	    "42", port2));
	EXPECT_NEXT(p2, S("Command from 127.0.0.1:%d: calc 6*7", port1));
	EXPECT_NEXT(p2, "Sent result: 42");
	SEND(p2, "exit");
	EXPECT_EXIT(p2, 0, H_WAIT);
	EXPECT_NEXT(p1, S("Peer disconnected: 127.0.0.1:%d", port2));
	SEND(p1, "exit");
	EXPECT_EXIT(p1, 0, H_WAIT);
	CHECK(h_count(p1, H_ERR, 0, "") == 0 && h_count(p2, H_ERR, 0, "")
	    == 0, "something went to stderr");
}
END_TEST

struct remote_case {
	const char	*command;
	const char	*result;
};

static const struct remote_case remote_cases[] = {
	{ "add", "3" },				/* peer 1's alias */
	{ "calc 2*(3+4)", "14" },
	{ "calc 1/0", "Error: division by zero" },
	{ "foo", "Unknown command: foo" },
	{ "foo bar baz", "Unknown command: foo bar baz" },
	{ "a", "Error: alias loop: a -> b -> a" },
	{ "system", "Usage: system status" },
	{ "  add", "3" },
};

/* A command run on peer 1 for peer 2; peer 1 keeps working afterwards. */
START_TEST(test_remote)
{
	const struct remote_case *c = &remote_cases[_i];
	struct h_proc *p1, *p2;
	int port1, port2;

	pair(&p1, &port1, &p2, &port2, 0, "");
	SEND(p2, S("@0 %s", c->command));
	EXPECT_EXACT(p2, S("Result from 127.0.0.1:%d for command '%s': %s",
	    port1, c->command[0] == ' ' ? c->command + 2 : c->command,
	    c->result));
	EXPECT_EXACT(p1, S("Sent result: %s", c->result));
	SEND(p2, "@0 calc 1+1");
	EXPECT_EXACT(p2, S("Result from 127.0.0.1:%d for command "
	    "'calc 1+1': 2", port1));
}
END_TEST

/* A peer is chosen by index, name or ip:port; nothing else matches. */
static const struct {
	const char	*sel;
	int		 match;
} selectors[] = {
	{ "0", 1 }, { "alpha", 1 }, { "127.0.0.1:%d", 1 },
	{ "1", 0 }, { "alph", 0 }, { "ALPHA", 0 }, { "127.0.0.1", 0 },
	{ "127.0.0.1:1", 0 }, { "-0", 0 }, { "+0", 0 },
};

START_TEST(test_selectors)
{
	struct h_proc *p1, *p2;
	int port1, port2;
	const char *sel;

	port1 = free_port();
	port2 = free_port();
	p1 = node("peer1", port1, 0, "'name': 'alpha'");
	p2 = node("peer2", port2, 1, peers_of(port1));
	linked(p2, port2, p1, port1);
	SEND(p2, "peers");
	EXPECT_NEXT(p2, "Connected peers:");
	EXPECT_NEXT(p2, S("  0: 127.0.0.1:%d (alpha) [config]", port1));
	sel = S(selectors[_i].sel, port1);
	SEND(p2, S("@%s calc 3*3", sel));
	if (selectors[_i].match)
		EXPECT_EXACT(p2, S("Result from 127.0.0.1:%d for command "
		    "'calc 3*3': 9", port1));
	else
		EXPECT_NEXT(p2, S("No peer found matching '%s'", sel));
}
END_TEST

/* 50 commands in one write: each result is matched to its own command. */
START_TEST(test_many_in_flight)
{
	enum { N = 50 };
	struct h_proc *p1, *p2;
	int port1, port2, i, a, b, n, seen[N];
	char lines[N * 24], *w = lines;
	const char *prefix;

	pair(&p1, &port1, &p2, &port2, 0, "");
	for (i = 0; i < N; i++)
		w += sprintf(w, "@0 calc %d*2\n", i);
	CHECK(h_send_raw(p2, lines, (size_t)(w - lines)) == 0, "write");
	memset(seen, 0, sizeof(seen));
	prefix = S("Result from 127.0.0.1:%d for command 'calc ", port1);
	for (i = 0; i < N; i++) {
		EXPECT(p2, "Result from ");
		n = 0;
		CHECK(strncmp(p2->line, prefix, strlen(prefix)) == 0 &&
		    sscanf(p2->line + strlen(prefix), "%d*2': %d%n", &a, &b,
		    &n) == 2 && p2->line[strlen(prefix) + n] == '\0' &&
		    a >= 0 && a < N && b == 2 * a && !seen[a],
		    "bad result line \"%s\"", p2->line);
		seen[a] = 1;
	}
	CHECK(h_count(p2, H_OUT, 0, "Sent command 'calc ") == N,
	    "not %d commands sent", N);
}
END_TEST

/*
 * Indexes never change: with peers 0 and 1, peer 1 leaving keeps peer 0
 * at 0, and peer 1 coming back on the same port gets 1 again, once.
 */
START_TEST(test_stable_indexes)
{
	int ph = free_port(), px = free_port(), py = free_port();
	struct h_proc *h, *x, *y;

	h = node("hub", ph, 1, "");
	x = node("x", px, 0, peers_of(ph));
	linked(x, px, h, ph);
	y = node("y", py, 0, peers_of(ph));
	linked(y, py, h, ph);
	SEND(h, "peers");
	EXPECT_NEXT(h, "Connected peers:");
	EXPECT_NEXT(h, S("  0: 127.0.0.1:%d [accepted]", px));
	EXPECT_NEXT(h, S("  1: 127.0.0.1:%d [accepted]", py));

	h_signal(y, SIGTERM);
	EXPECT_EXIT(y, 0, H_WAIT);
	EXPECT_NEXT(h, S("Peer disconnected: 127.0.0.1:%d", py));
	SEND(h, "peers");
	EXPECT_NEXT(h, "Connected peers:");
	EXPECT_NEXT(h, S("  0: 127.0.0.1:%d [accepted]", px));
	EXPECT_NEXT(h, "Other peers:");
	EXPECT_NEXT(h, S("  1: 127.0.0.1:%d [accepted] [disconnected]", py));
	SEND(h, "@0 calc 1+1");
	EXPECT_NEXT(h, S("Sent command 'calc 1+1' to 127.0.0.1:%d", px));
	EXPECT_NEXT(h, S("Result from 127.0.0.1:%d for command 'calc 1+1': 2",
	    px));
	SEND(h, "@1 calc 1+1");
	EXPECT_NEXT(h, S("Peer 1 (127.0.0.1:%d) is not connected", py));

	y = node("y again", py, 0, peers_of(ph));
	linked(y, py, h, ph);
	SEND(h, "peers");
	SEND(h, "calc 0+0");	/* marks the end of the list */
	EXPECT_NEXT(h, "Connected peers:");
	EXPECT_NEXT(h, S("  0: 127.0.0.1:%d [accepted]", px));
	EXPECT_NEXT(h, S("  1: 127.0.0.1:%d [accepted]", py));
	EXPECT_NEXT(h, "Result: 0");
	SEND(h, "@1 calc 2+2");
	EXPECT_EXACT(h, S("Result from 127.0.0.1:%d for command 'calc 2+2': 4",
	    py));
	SEND(h, "@0 calc 3+3");
	EXPECT_EXACT(h, S("Result from 127.0.0.1:%d for command 'calc 3+3': 6",
	    px));
}
END_TEST

/*
 * "connect" to a peer already connected, from the side that dialled
 * (_i == 0) or the side that was dialled (_i == 1): refused, one entry.
 */
START_TEST(test_duplicate_connect)
{
	struct h_proc *p1, *p2, *from;
	int port1, port2, to_port;

	pair(&p1, &port1, &p2, &port2, 1, "");
	from = _i == 0 ? p2 : p1;
	to_port = _i == 0 ? port1 : port2;
	SEND(from, S("connect 127.0.0.1 %d", to_port));
	EXPECT_NEXT(from, S("Already connected to peer: 127.0.0.1:%d",
	    to_port));
	SEND(from, "peers");
	SEND(from, "calc 0+0");
	EXPECT_NEXT(from, "Connected peers:");
	EXPECT_NEXT(from, S("  0: 127.0.0.1:%d [%s]", to_port,
	    _i == 0 ? "config" : "connect"));
	EXPECT_NEXT(from, "Result: 0");
	SEND(from, "@0 calc 5*5");
	EXPECT_EXACT(from, S("Result from 127.0.0.1:%d for command "
	    "'calc 5*5': 25", to_port));
}
END_TEST

/*
 * Wait until p's "peers" lists only the node at port, connected, at index
 * 0: asked again every tenth of a second, up to H_WAIT.  A crossed dial
 * may show two links for a moment; it must not stay that way.
 */
static void
listed_once(struct h_proc *p, int port)
{
	struct timespec t0;
	size_t mark;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		mark = h_mark(p, H_OUT);
		SEND(p, "peers");
		SEND(p, "calc 0+0");
		EXPECT(p, "Result: 0");
		if (h_count(p, H_OUT, mark, S("  0: 127.0.0.1:%d", port)) == 1 &&
		    h_count(p, H_OUT, mark, S("127.0.0.1:%d", port)) == 1 &&
		    h_count(p, H_OUT, mark, "Other peers:") == 0)
			return;
		CHECK(elapsed_ms(&t0) < H_WAIT, "%s does not list "
		    "127.0.0.1:%d once, at 0, connected (see its last "
		    "\"peers\")", p->name, port);
		h_pump(100);
	}
}

/*
 * Both nodes dial each other at once: the links cross.  Soon each node
 * lists the other once, connected, at index 0, and commands go both ways.
 */
START_TEST(test_simultaneous_connect)
{
	int port1 = free_port(), port2 = free_port();
	struct h_proc *p1, *p2;
	char both[2][64];

	p1 = node("peer1", port1, 1, "");
	p2 = node("peer2", port2, 1, "");
	snprintf(both[0], sizeof(both[0]), "connect 127.0.0.1 %d\n", port2);
	snprintf(both[1], sizeof(both[1]), "connect 127.0.0.1 %d\n", port1);
	CHECK(h_send_raw(p1, both[0], strlen(both[0])) == 0 &&
	    h_send_raw(p2, both[1], strlen(both[1])) == 0, "write");
	listed_once(p1, port2);
	listed_once(p2, port1);
	SEND(p1, "@0 calc 3+3");
	EXPECT_EXACT(p1, S("Result from 127.0.0.1:%d for command 'calc 3+3': "
	    "6", port2));
	SEND(p2, "@0 calc 4+4");
	EXPECT_EXACT(p2, S("Result from 127.0.0.1:%d for command 'calc 4+4': "
	    "8", port1));
	listed_once(p1, port2);
	listed_once(p2, port1);
}
END_TEST

/* "connect" to its own listen port is refused, and nothing is listed. */
START_TEST(test_connect_self)
{
	int pn = free_port();
	struct h_proc *p = node("kaipeer", pn, 1, "");

	SEND(p, S("connect 127.0.0.1 %d", pn));
	EXPECT_ERR(p, S("Refusing to connect to 127.0.0.1:%d: it is this "
	    "node", pn));
	EXPECT_NEXT(p, S("Connecting to peer at 127.0.0.1:%d", pn));
	SEND(p, "peers");
	EXPECT_NEXT(p, "No peers connected.");
	EXPECT_NEXT(p, "Other peers:");
	EXPECT_NEXT(p, S("  0: 127.0.0.1:%d [connect] [failed: connection to self]",
	    pn));
	healthy(p, pn);
}
END_TEST

/*
 * A refused "connect" is reported once and listed; the peer is dialled
 * again, so once it is up it is connected, at the same index.
 */
START_TEST(test_connect_refused)
{
	int pn = free_port(), pd = free_port();
	struct h_proc *p, *d;

	p = node("kaipeer", pn, 1, "");
	SEND(p, S("connect 127.0.0.1 %d", pd));
	EXPECT_NEXT(p, S("Connecting to peer at 127.0.0.1:%d", pd));
	EXPECT_ERR(p, S("Failed to connect to 127.0.0.1:%d: Connection "
	    "refused", pd));
	SEND(p, "peers");
	EXPECT_NEXT(p, "No peers connected.");
	EXPECT_NEXT(p, "Other peers:");
	EXPECT_NEXT_DOWN(p, 0, S("127.0.0.1:%d", pd), "connect");
	d = node("late", pd, 0, "");
	linked(p, pn, d, pd);
	SEND(p, "peers");
	SEND(p, "calc 0+0");
	EXPECT_NEXT(p, "Connected peers:");
	EXPECT_NEXT(p, S("  0: 127.0.0.1:%d [connect]", pd));
	EXPECT_NEXT(p, "Result: 0");
	CHECK(h_count(p, H_ERR, 0, "Failed to connect") == 1,
	    "each failed redial was reported");
}
END_TEST

/*
 * Peer 1 killed with a command in flight (it is stopped first, so the
 * command cannot be answered): the connection is lost, the command gets
 * its result line, and peer 1 restarted is dialled again, at index 0.
 */
START_TEST(test_killed_in_flight)
{
	struct h_proc *p1, *p2;
	int port1, port2;

	pair(&p1, &port1, &p2, &port2, 0, "");
	h_signal(p1, SIGSTOP);
	SEND(p2, "@0 calc 1+1");
	EXPECT_NEXT(p2, S("Sent command 'calc 1+1' to 127.0.0.1:%d", port1));
	h_kill(p1);
	EXPECT_NEXT(p2, S("Connection lost to peer: 127.0.0.1:%d", port1));
	EXPECT_NEXT(p2, S("Result from 127.0.0.1:%d for command 'calc 1+1': "
	    "Error: connection lost", port1));
	SEND(p2, "peers");
	EXPECT_NEXT(p2, "No peers connected.");
	EXPECT_NEXT(p2, "Other peers:");
	EXPECT_NEXT_DOWN(p2, 0, S("127.0.0.1:%d", port1), "config");

	p1 = node("peer1 again", port1, 0, "'commands': {'add': 'calc 1+2'}");
	linked(p2, port2, p1, port1);
	SEND(p2, "@0 add");
	EXPECT_EXACT(p2, S("Result from 127.0.0.1:%d for command 'add': 3",
	    port1));
	SEND(p2, "peers");
	SEND(p2, "calc 0+0");
	EXPECT_NEXT(p2, "Connected peers:");
	EXPECT_NEXT(p2, S("  0: 127.0.0.1:%d [config]", port1));
	EXPECT_NEXT(p2, "Result: 0");
}
END_TEST

/*
 * Leaving with a command in flight: "exit" says it waits, and waits for
 * its result (here a time-out), SIGTERM does not (the result is "Error:
 * exiting").  Both
 * exit 0, and the peer hears a goodbye.
 */
START_TEST(test_exit_in_flight)
{
	struct h_proc *p1, *p2;
	int port1, port2;

	pair(&p1, &port1, &p2, &port2, 0, "'commandTimeout': 1");
	h_signal(p1, SIGSTOP);
	SEND(p2, "@0 calc 1+1");
	EXPECT_NEXT(p2, S("Sent command 'calc 1+1' to 127.0.0.1:%d", port1));
	if (_i == 0) {
		SEND(p2, "exit");
		/* It says what it waits for. */
		EXPECT_NEXT(p2, "Waiting for 1 command in flight before "
		    "exiting (Ctrl-C cancels them)");
	} else
		h_signal(p2, SIGTERM);
	EXPECT_NEXT(p2, S("Result from 127.0.0.1:%d for command 'calc 1+1': "
	    "Error: %s", port1, _i == 0 ? "timed out after 1000 ms" :
	    "exiting"));
	EXPECT_EXIT(p2, 0, H_WAIT);
	h_signal(p1, SIGCONT);
	EXPECT(p1, S("Peer disconnected: 127.0.0.1:%d", port2));
}
END_TEST

/*
 * A command that gets no answer times out after commandTimeout and is
 * cancelled on the peer (CANCEL); the late answer is let go in silence,
 * not refused with ERROR 7, and the link goes on working.
 */
START_TEST(test_command_timeout)
{
	struct h_proc *p1, *p2;
	int port1, port2;
	struct timespec t0;

	pair(&p1, &port1, &p2, &port2, 0, "'commandTimeout': 1");
	h_signal(p1, SIGSTOP);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	SEND(p2, "@0 calc 1+1");
	EXPECT(p2, S("Result from 127.0.0.1:%d for command 'calc 1+1': ",
	    port1));
	CHECK(strstr(p2->line, "timed out") != NULL, "not a time-out: %s",
	    p2->line);
	CHECK(elapsed_ms(&t0) >= 900, "timed out after %lld ms, not 1 s",
	    elapsed_ms(&t0));
	h_signal(p1, SIGCONT);
	EXPECT_EXACT(p1, S("Command from 127.0.0.1:%d: calc 1+1", port2));
	SEND(p2, "@0 calc 2+2");
	EXPECT_EXACT(p2, S("Result from 127.0.0.1:%d for command 'calc 2+2': "
	    "4", port1));
	CHECK(h_count(p2, H_OUT, 0, "for command 'calc 1+1'") == 1,
	    "two result lines for one command");
	CHECK(h_count(p2, H_ERR, 0, "Ignored result") == 0 &&
	    h_count(p1, H_ERR, 0, "(code 7)") == 0,
	    "the late answer to a cancelled command was refused");
}
END_TEST

/* Over IPv6 loopback, addresses are written [::1]:port. */
START_TEST(test_ipv6)
{
	struct sockaddr_in6 sin6;
	struct h_proc *p1, *p2;
	int port1 = free_port(), port2 = free_port(), fd, ok;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	ok = fd != -1 && bind(fd, (struct sockaddr *)&sin6,
	    sizeof(sin6)) == 0;
	if (fd != -1)
		close(fd);
	if (!ok)
		return;		/* no ::1 here: nothing to test */
	p1 = node("peer1", port1, 0, "'commands': {'add': 'calc 1+2'}");
	p2 = node("peer2", port2, 1, S("'peers': [{'host': '::1', "
	    "'port': %d}]", port1));
	EXPECT_EXACT(p2, S("Connected to peer: [::1]:%d", port1));
	EXPECT_EXACT(p1, S("Peer connected from [::1]:%d", port2));
	SEND(p2, S("@[::1]:%d add", port1));
	EXPECT_EXACT(p2, S("Result from [::1]:%d for command 'add': 3",
	    port1));
}
END_TEST

/* ====================================================================== */
/* One-shot mode (-c)                                                      */

struct oneshot_case {
	const char	*args[8];	/* before the config path */
	int		 status;
	const char	*out[5];	/* lines that must appear, in order */
};

#define RESULT1	"Result from 127.0.0.1:%d for command "

static const struct oneshot_case oneshot_cases[] = {
	{ { "-c", "@0 add" }, 0, { RESULT1 "'add': 3" } },
	{ { "-c", "@0 foo" }, 1, { RESULT1 "'foo': Unknown command: foo" } },
	{ { "-c", "@0 calc 1/0" }, 1,
	  { RESULT1 "'calc 1/0': Error: division by zero" } },
	{ { "-c", "calc 1+2" }, 0, { "Result: 3" } },
	{ { "-c", "calc 1/0" }, 1, { "Result: Error: division by zero" } },
	{ { "-c", "foo" }, 1, { "Unknown command: foo" } },
	{ { "-c", "@5 add" }, 1, { "No peer found matching '5'" } },
	{ { "-c", "@0" }, 1, { "Usage: @peer command [args]" } },
	{ { "-c", "calc 1+1", "-c", "calc 2+2", "-ccalc 3+3", "-c", "@0 add" },
	  0, { "Result: 2", "Result: 4", "Result: 6",
	  "Sent command 'add' to 127.0.0.1:%d", RESULT1 "'add': 3" } },
	/* The lines run one after the other, each to its end. */
	{ { "-c", "@0 foo", "-c", "calc 1+1" }, 1,
	  { RESULT1 "'foo': Unknown command: foo", "Result: 2" } },
	{ { "-c", "@0 add", "-c", "@127.0.0.1:%d calc 5*5" }, 0,
	  { "Sent command 'add' to 127.0.0.1:%d", RESULT1 "'add': 3",
	  "Sent command 'calc 5*5' to 127.0.0.1:%d",
	  RESULT1 "'calc 5*5': 25" } },
};

START_TEST(test_oneshot)
{
	const struct oneshot_case *c = &oneshot_cases[_i];
	const char *args[NELEM(c->args) + 1];
	char argbuf[NELEM(c->args)][128];
	struct h_proc *p1, *p;
	int port1 = free_port();
	size_t i;

	p1 = node("peer1", port1, 0, "'commands': {'add': 'calc 1+2'}");
	for (i = 0; i < NELEM(c->args) && c->args[i] != NULL; i++) {
		snprintf(argbuf[i], sizeof(argbuf[i]), c->args[i], port1);
		args[i] = argbuf[i];
	}
	args[i] = NULL;
	p = run("oneshot", "./kaipeer", args, config("{'interactive': true, "
	    "'connectTimeout': 3, %s}", peers_of(port1)));
	for (i = 0; i < NELEM(c->out) && c->out[i] != NULL; i++)
		EXPECT_EXACT(p, S(c->out[i], port1));
	EXPECT_EXIT(p, c->status, H_WAIT);
	CHECK(h_count(p, H_OUT, 0, "P2P Network Console") == 0 &&
	    h_count(p, H_OUT, 0, "Listening") == 0,
	    "-c printed the console banner or listened");
	(void)p1;
}
END_TEST

/*
 * -c with its peer down, refused (_i == 0) or silent (a listener that
 * never answers, _i == 1): exit status 2 (unreachable) within
 * connectTimeout and a little, not a hang.
 */
START_TEST(test_oneshot_peer_down)
{
	static const char *const args[] = { "-c", "@0 add", NULL };
	int dead = free_port(), fd = -1;
	struct timespec t0;
	struct h_proc *p;

	if (_i == 1)
		CHECK((fd = h_listen(dead)) != -1, "cannot listen");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p = run("oneshot", "./kaipeer", args, config("{'interactive': false, "
	    "'connectTimeout': 1, %s}", peers_of(dead)));
	EXPECT_ERR(p, S("Failed to connect to 127.0.0.1:%d: %s", dead,
	    _i == 0 ? "Connection refused" : "timed out"));
	EXPECT_EXACT(p, S("Peer 0 (127.0.0.1:%d) is not connected", dead));
	EXPECT_EXIT(p, 2, H_WAIT);
	CHECK(elapsed_ms(&t0) < 3500, "took %lld ms", elapsed_ms(&t0));
	if (fd != -1)
		close(fd);
}
END_TEST

/*
 * -c whose command the peer (a raw socket here) never answers (_i == 0)
 * or drops (_i == 1): the result line says so and the exit is 2 (timed
 * out, lost), soon.
 */
START_TEST(test_oneshot_no_answer)
{
	static const char *const args[] = { "-c", "@0 calc 1", NULL };
	int q = free_port(), fd;
	struct h_frame f;
	struct h_raw r;
	struct h_proc *p;

	CHECK((fd = h_listen(q)) != -1, "cannot listen");
	p = run("oneshot", "./kaipeer", args, config("{'interactive': false, "
	    "'commandTimeout': 1, %s}", peers_of(q)));
	CHECK(h_raw_accept(&r, fd, H_WAIT) == 0, "no connection");
	CHECK(h_raw_frame(&r, &f, H_WAIT) == 1 && f.type == PROTO_HELLO,
	    "no HELLO");
	CHECK(h_raw_hello(&r, (unsigned)q, "", (const unsigned char *)
	    "SILENT!") == 0, "send HELLO");
	CHECK(h_raw_frame(&r, &f, H_WAIT) == 1 && f.type == PROTO_COMMAND,
	    "no COMMAND");
	if (_i == 1)
		h_raw_close(&r);
	EXPECT(p, S("Result from 127.0.0.1:%d for command 'calc 1': Error: %s",
	    q, _i == 0 ? "timed out" : "connection lost"));
	EXPECT_EXIT(p, 2, H_WAIT);
	h_raw_close(&r);
	close(fd);
}
END_TEST

/* ====================================================================== */
/* Raw sockets                                                             */


static const unsigned char raw_id[PROTO_NODE_ID] = "RAWPEER";





/*
 * Connect a raw client to n at port and shake hands, saying we listen on
 * adv; return once n has reported the peer.
 */
static void
raw_up(struct h_raw *r, struct h_proc *n, int port, unsigned adv,
    const char *name)
{
	CHECK(h_raw_connect(r, port, H_WAIT) == 0, "cannot connect to %d",
	    port);
	expect_hello(r, port, NULL);
	CHECK(h_raw_hello(r, adv, name, raw_id) == 0, "send HELLO");
	EXPECT_EXACT(n, S("Peer connected from 127.0.0.1:%d%s%s%s", adv != 0 ?
	    (int)adv : h_raw_port(r), name != NULL && name[0] != '\0' ?
	    " (" : "", name != NULL ? name : "", name != NULL &&
	    name[0] != '\0' ? ")" : ""));
}


/* A node for raw tests, interactive, with an alias. */
static struct h_proc *
raw_node(int *pn, const char *more)
{
	*pn = free_port();
	return node("node", *pn, 1, S("'commands': {'add': 'calc 1+2'}%s%s",
	    more[0] != '\0' ? ", " : "", more));
}

START_TEST(test_raw_command)
{
	struct h_raw r;
	struct h_proc *n;
	int pn;

	n = raw_node(&pn, "");
	raw_up(&r, n, pn, 0, "");
	CHECK(h_raw_command(&r, 7, "calc 6*7") == 0, "send");
	expect_result(&r, 7, PROTO_STATUS_OK, "42");
	EXPECT_EXACT(n, S("Command from 127.0.0.1:%d: calc 6*7",
	    h_raw_port(&r)));
	CHECK(h_raw_command(&r, 0xffffffffu, "add") == 0, "send");
	expect_result(&r, 0xffffffffu, PROTO_STATUS_OK, "3");
	CHECK(h_raw_command(&r, 8, "calc 1/0") == 0, "send");
	expect_result(&r, 8, PROTO_STATUS_ERROR, "Error: division by zero");
	CHECK(h_raw_command(&r, 9, "nope") == 0, "send");
	expect_result(&r, 9, PROTO_STATUS_ERROR, "Unknown command: nope");
	h_raw_close(&r);
}
END_TEST

/* Two COMMANDs in one segment: both answered, each with its own id. */
START_TEST(test_raw_two_ids)
{
	unsigned char buf[256];
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	struct h_proc *n;
	long a, b;
	int pn, i, got = 0;

	n = raw_node(&pn, "");
	raw_up(&r, n, pn, 0, "");
	a = proto_command_encode(buf, sizeof(buf), 1, "calc 1+1", 8);
	b = proto_command_encode(buf + a, sizeof(buf) - (size_t)a, 2,
	    "calc 2+2", 8);
	CHECK(a > 0 && b > 0, "encode");
	raw_send(&r, buf, (size_t)(a + b));
	for (i = 0; i < 2; i++) {
		frame(&r, &f);
		CHECK(f.type == PROTO_RESULT && proto_result_decode(&f.f, &t)
		    == 0 && t.code == 0 && t.len == 1, "bad RESULT");
		CHECK((t.id == 1 && t.text[0] == '2') || (t.id == 2 &&
		    t.text[0] == '4'), "RESULT %lu says %c",
		    (unsigned long)t.id, t.text[0]);
		got |= 1 << t.id;
	}
	CHECK(got == 6, "not both ids answered");
	h_raw_close(&r);
}
END_TEST

static const uint64_t tokens[] = {
	0, 1, UINT64_C(0x0102030405060708), UINT64_MAX
};

START_TEST(test_raw_ping)
{
	unsigned char buf[32];
	struct h_frame f;
	struct h_raw r;
	struct h_proc *n;
	uint64_t token = 0;
	long len;
	int pn;

	n = raw_node(&pn, "");
	raw_up(&r, n, pn, 0, "");
	len = proto_ping_encode(buf, sizeof(buf), PROTO_PING, tokens[_i]);
	raw_send(&r, buf, (size_t)len);
	frame(&r, &f);
	CHECK(f.type == PROTO_PONG && proto_ping_decode(&f.f, &token) == 0 &&
	    token == tokens[_i], "no PONG with the token");
	h_raw_close(&r);
}
END_TEST

/*
 * Frames after the handshake that are answered (or ignored) and leave the
 * connection open: a COMMAND still works afterwards.
 */
struct kept_case {
	const char	*what;
	const char	*bytes;
	size_t		 len;
	unsigned	 code;		/* ERROR code expected; 0: no answer */
};

#define BYTES(s)	(s), sizeof(s) - 1

static const struct kept_case kept_cases[] = {
	{ "unknown type 99", BYTES("\x00\x00\x00\x04" "\x63" "xyz"), 6 },
	{ "unknown type 0", BYTES("\x00\x00\x00\x01" "\x00"), 6 },
	{ "RESULT for an id never sent",
	  BYTES("\x00\x00\x00\x07" "\x03" "\x00\x00\x30\x39" "\x00" "x"), 7 },
	{ "unasked PONG",
	  BYTES("\x00\x00\x00\x09" "\x07" "\x00\x00\x00\x00\x00\x00\x00\x05"),
	  0 },
	{ "ERROR 6 from the peer", BYTES("\x00\x00\x00\x03" "\x04" "\x00\x06"),
	  0 },
};

START_TEST(test_raw_kept)
{
	const struct kept_case *c = &kept_cases[_i];
	struct h_raw r;
	struct h_proc *n;
	int pn;

	n = raw_node(&pn, "");
	raw_up(&r, n, pn, RAW_PORT, "");
	raw_send(&r, c->bytes, c->len);
	if (c->code != 0)
		expect_error(&r, c->code);
	CHECK(h_raw_command(&r, 3, "calc 6*7") == 0, "send");
	expect_result(&r, 3, PROTO_STATUS_OK, "42");
	CHECK(h_count(n, H_OUT, 0, "Connection lost") == 0,
	    "the node dropped the peer (%s)", c->what);
	h_raw_close(&r);
}
END_TEST

/*
 * Abuse that ends the connection: an ERROR with the code first (when
 * code is not 0), then the node closes; the node says why, and keeps
 * serving a healthy peer.
 */
struct abuse_case {
	const char	*what;
	int		 hello;		/* shake hands before the bytes */
	const char	*bytes;
	size_t		 len;
	int		 code;		/* ERROR code; negative: optional */
	int		 shut;		/* we close our side after the bytes */
	enum h_stream	 stream;	/* where the node says it */
	const char	*says;
};

#define HELLO_REST	"\x00\x00" "\x00\x00" "RAWPEER\x00" "\x00"
#define LOST		"Connection lost to peer: 127.0.0.1:4242"

static const struct abuse_case abuse_cases[] = {
	{ "HTTP instead of HELLO", 0, BYTES("GET / HTTP/1.1\r\n\r\n"), -3, 0,
	  H_ERR, "Protocol error from 127.0.0.1:" },
	{ "random bytes instead of HELLO", 0, BYTES("\x9f\x3a\xc1\x07\x5e"
	  "\xd2\x88\x01\xfe\x44\x19\xb3\x6c\x00\xe7\x2d\x91\x58\xaa\x0f"),
	  -3, 0, H_ERR, "Protocol error from 127.0.0.1:" },
	{ "HELLO version 2", 0, BYTES("\x00\x00\x00\x14" "\x01" "KAIP"
	  "\x00\x02" HELLO_REST), 4, 0, H_ERR,
	  "unsupported protocol version 2" },
	{ "HELLO wrong magic", 0, BYTES("\x00\x00\x00\x14" "\x01" "KAIQ"
	  "\x00\x01" HELLO_REST), 3, 0, H_ERR, "bad HELLO" },
	{ "HELLO too short", 0, BYTES("\x00\x00\x00\x07" "\x01" "KAIP" "\x00"
	  "\x01"), 3, 0, H_ERR, "bad HELLO" },
	{ "COMMAND before HELLO", 0, BYTES("\x00\x00\x00\x06" "\x02"
	  "\x00\x00\x00\x01" "x"), 3, 0, H_ERR, "expected HELLO" },
	{ "2000 bytes before HELLO", 0, BYTES("\x00\x00\x07\xd0" "\x01"), 3,
	  0, H_ERR, "bad handshake" },
	{ "length 0 before HELLO", 0, BYTES("\x00\x00\x00\x00"), 3, 0, H_ERR,
	  "bad handshake" },
	{ "nothing, past connectTimeout", 0, BYTES(""), 0, 0, H_ERR,
	  "No handshake from 127.0.0.1:" },
	{ "length 0xFFFFFFFF", 1, BYTES("\xff\xff\xff\xff"), 2, 0, H_OUT,
	  LOST },
	{ "length 0", 1, BYTES("\x00\x00\x00\x00"), 1, 0, H_OUT, LOST },
	{ "length maxFrameSize + 1", 1, BYTES("\x00\x10\x00\x01"), 2, 0,
	  H_OUT, LOST },
	{ "second HELLO", 1, BYTES("\x00\x00\x00\x14" "\x01" "KAIP"
	  "\x00\x01" HELLO_REST), 1, 0, H_ERR, "second HELLO" },
	{ "COMMAND too short", 1, BYTES("\x00\x00\x00\x03" "\x02" "\x00\x01"),
	  1, 0, H_ERR, "malformed COMMAND" },
	{ "RESULT with status 9", 1, BYTES("\x00\x00\x00\x06" "\x03"
	  "\x00\x00\x00\x01" "\x09"), 1, 0, H_OUT, LOST },
	{ "frame cut short, then EOF", 1, BYTES("\x00\x00\x00\x0a" "\x02"
	  "\x00\x00"), 0, 1, H_OUT, LOST },
	{ "EOF right after HELLO", 1, BYTES(""), 0, 1, H_OUT, LOST },
	{ "frame dribbled past frameTimeout", 1, BYTES("\x00\x00\x00\x0a"
	  "\x02\x00"), 1, 0, H_ERR, "frame incomplete after 1000 ms" },
	{ "BYE", 1, BYTES("\x00\x00\x00\x04" "\x05" "bye"), 0, 0, H_OUT,
	  "Peer disconnected: 127.0.0.1:4242" },
};

START_TEST(test_raw_abuse)
{
	const struct abuse_case *c = &abuse_cases[_i];
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	struct h_proc *n;
	int pn, rc;

	/* No PING before the deadline: the raw peer's PONG would land in
	 * the middle of the frame it is dribbling (a real peer finishes a
	 * frame before it answers). */
	n = raw_node(&pn, "'frameTimeout': 1, 'connectTimeout': 1, "
	    "'heartbeatInterval': 5, 'heartbeatTimeout': 10");
	if (c->hello)
		raw_up(&r, n, pn, RAW_PORT, "");
	else {
		CHECK(h_raw_connect(&r, pn, H_WAIT) == 0, "connect");
		expect_hello(&r, pn, NULL);
	}
	raw_send(&r, c->bytes, c->len);
	if (c->shut)
		(void)shutdown(r.fd, SHUT_WR);
	if (c->code > 0)
		expect_error(&r, (unsigned)c->code);
	else if (c->code < 0 && (rc = h_raw_frame(&r, &f, H_WAIT)) == 1)
		CHECK(f.type == PROTO_ERROR && proto_error_decode(&f.f, &t)
		    == 0 && t.code == (unsigned)-c->code, "expected ERROR %d",
		    -c->code);
	CHECK(h_raw_closed(&r, H_WAIT), "the node kept the connection (%s)",
	    c->what);
	EXPECT_ON(n, c->stream, c->says, H_WAIT);
	h_raw_close(&r);
	healthy(n, pn);
}
END_TEST

/* A raw peer as listed by "peers", and answering the node's commands. */
START_TEST(test_raw_listed)
{
	unsigned char buf[256];
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	struct h_proc *n;
	uint32_t id[2];
	long len;
	int pn, i;

	n = raw_node(&pn, "");
	raw_up(&r, n, pn, RAW_PORT, "rawpeer");
	SEND(n, "peers");
	EXPECT_NEXT(n, "Connected peers:");
	EXPECT_NEXT(n, "  0: 127.0.0.1:4242 (rawpeer) [accepted]");
	/* Two commands, answered in the opposite order. */
	SEND(n, "@rawpeer first");
	SEND(n, "@127.0.0.1:4242 second");
	for (i = 0; i < 2; i++) {
		frame(&r, &f);
		CHECK(f.type == PROTO_COMMAND && proto_command_decode(&f.f, &t)
		    == 0 && t.len == strlen(i == 0 ? "first" : "second") &&
		    memcmp(t.text, i == 0 ? "first" : "second", t.len) == 0,
		    "expected COMMAND %d", i);
		id[i] = t.id;
	}
	CHECK(id[0] != id[1], "two commands with id %lu",
	    (unsigned long)id[0]);
	len = proto_result_encode(buf, sizeof(buf), id[1], 0, "B", 1);
	raw_send(&r, buf, (size_t)len);
	len = proto_result_encode(buf, sizeof(buf), id[0], 1, "A", 1);
	raw_send(&r, buf, (size_t)len);
	EXPECT_EXACT(n, "Result from 127.0.0.1:4242 for command 'second': B");
	EXPECT_EXACT(n, "Result from 127.0.0.1:4242 for command 'first': A");
	/* A result cannot drive the terminal: control bytes are escaped. */
	SEND(n, "@0 third");
	frame(&r, &f);
	CHECK(f.type == PROTO_COMMAND && proto_command_decode(&f.f, &t) == 0,
	    "expected a COMMAND");
	len = proto_result_encode(buf, sizeof(buf), t.id, 0, "\x1b[2Jred\a",
	    8);
	raw_send(&r, buf, (size_t)len);
	EXPECT_EXACT(n, "Result from 127.0.0.1:4242 for command 'third': "
	    "\\x1b[2Jred\\x07");
	h_raw_close(&r);
	EXPECT_EXACT(n, "Connection lost to peer: 127.0.0.1:4242 (rawpeer)");
}
END_TEST

/* A peer that never answers: the command times out; late is refused. */
START_TEST(test_raw_no_answer)
{
	unsigned char buf[64];
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	struct h_proc *n;
	long len;
	int pn;

	n = raw_node(&pn, "'commandTimeout': 1");
	raw_up(&r, n, pn, RAW_PORT, "");
	SEND(n, "@0 calc 1");
	frame(&r, &f);
	CHECK(f.type == PROTO_COMMAND && proto_command_decode(&f.f, &t) == 0,
	    "expected a COMMAND");
	EXPECT(n, "Result from 127.0.0.1:4242 for command 'calc 1': ");
	CHECK(strstr(n->line, "timed out") != NULL, "not timed out: %s",
	    n->line);
	len = proto_result_encode(buf, sizeof(buf), t.id, 0, "1", 1);
	raw_send(&r, buf, (size_t)len);
	expect_error(&r, PROTO_CODE_UNKNOWN_ID);
	CHECK(h_raw_command(&r, 5, "calc 2+3") == 0, "send");
	expect_result(&r, 5, PROTO_STATUS_OK, "5");
	h_raw_close(&r);
}
END_TEST

/*
 * Heartbeats: a raw peer that answers the node's PINGs stays connected
 * well past heartbeatTimeout (_i == 0); one that is silent is lost at
 * heartbeatTimeout (_i == 1).
 */
START_TEST(test_raw_heartbeat)
{
	unsigned char buf[32];
	struct timespec t0;
	struct h_frame f;
	struct h_raw r;
	struct h_proc *n;
	uint64_t token;
	int pn, pings = 0;
	long len;

	n = raw_node(&pn, "'heartbeatInterval': 0.2, 'heartbeatTimeout': 1");
	raw_up(&r, n, pn, RAW_PORT, "");
	r.see_pings = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) < 1500) {
		frame(&r, &f);
		CHECK(f.type == PROTO_PING && proto_ping_decode(&f.f, &token)
		    == 0, "expected a PING, got type %d", f.type);
		pings++;
		if (_i == 1)
			break;
		len = proto_ping_encode(buf, sizeof(buf), PROTO_PONG, token);
		raw_send(&r, buf, (size_t)len);
	}
	if (_i == 0) {
		CHECK(pings >= 3, "only %d PINGs in 1.5 s", pings);
		CHECK(h_raw_command(&r, 1, "calc 6*7") == 0, "send");
		expect_result(&r, 1, PROTO_STATUS_OK, "42");
		CHECK(h_count(n, H_OUT, 0, "Connection lost") == 0,
		    "a peer answering PINGs was lost");
	} else {
		EXPECT_ERR(n, "No heartbeat from 127.0.0.1:4242 for 1000 ms");
		EXPECT_EXACT(n, LOST);
		CHECK(elapsed_ms(&t0) < 2500, "lost after %lld ms",
		    elapsed_ms(&t0));
		CHECK(h_raw_closed(&r, H_WAIT), "the node kept the connection");
	}
	h_raw_close(&r);
}
END_TEST

/* With maxPeers 1, a second peer is refused with ERROR 5. */
START_TEST(test_raw_max_peers)
{
	struct h_raw a, b;
	struct h_proc *n;
	int pn;

	n = raw_node(&pn, "'maxPeers': 1");
	raw_up(&a, n, pn, RAW_PORT, "");
	CHECK(h_raw_connect(&b, pn, H_WAIT) == 0, "connect");
	expect_error(&b, PROTO_CODE_REFUSED);
	CHECK(h_raw_closed(&b, H_WAIT), "the second peer was kept");
	EXPECT_ERR(n, "too many peers");
	CHECK(h_raw_command(&a, 1, "add") == 0, "send");
	expect_result(&a, 1, PROTO_STATUS_OK, "3");
	h_raw_close(&a);
	h_raw_close(&b);
}
END_TEST

/* ====================================================================== */
/* Extending: examples/greet embeds libkaipeer                            */

static const struct {
	const char	*command;
	int		 status;
	const char	*result;
} greet_cases[] = {
	{ "greet world", 0, "Hello, world!" },
	{ "greet  big world", 0, "Hello, big world!" },
	{ "greet", 1, "Usage: greet <name>" },
	{ "add", 0, "3" },
};

START_TEST(test_greet)
{
	const char *args[3];
	struct h_proc *p1, *p;
	int port1 = free_port();

	CHECK(access("examples/greet", X_OK) == 0, "no examples/greet: "
	    "run make examples/greet first");
	p1 = node_of("examples/greet", "greet", port1, 0,
	    "'commands': {'add': 'calc 1+2'}");
	args[0] = "-c";
	args[1] = S("@0 %s", greet_cases[_i].command);
	args[2] = NULL;
	p = run("kaipeer", "./kaipeer", args, config("{'interactive': false, "
	    "%s}", peers_of(port1)));
	EXPECT_EXACT(p, S("Result from 127.0.0.1:%d for command '%s': %s",
	    port1, greet_cases[_i].command, greet_cases[_i].result));
	EXPECT_EXIT(p, greet_cases[_i].status, H_WAIT);
	(void)p1;
}
END_TEST

/* ====================================================================== */
/* Robustness: big frames, slow peers, deaf peers, bad standard input      */

/*
 * The largest COMMAND the node takes (length field = maxFrameSize) is
 * answered; one byte more is ERROR 2 and the end of that connection only.
 */
START_TEST(test_big_command)
{
	const size_t max = 1024 * 1024, text = max - 1 - 4;
	unsigned char *buf;
	char *cmd;
	struct h_frame f;
	struct proto_text t;
	struct h_raw r;
	struct h_proc *n;
	long len;
	int pn;

	CHECK((buf = malloc(max + 16)) != NULL &&
	    (cmd = malloc(max)) != NULL, "malloc");
	memset(cmd, 'a', max);
	n = raw_node(&pn, "");
	raw_up(&r, n, pn, RAW_PORT, "");
	len = proto_command_encode(buf, max + 16, 9, cmd, text + (size_t)_i);
	CHECK(len == (long)(PROTO_HEADER + 4 + text) + _i, "encode");
	if (_i == 0)
		raw_send(&r, buf, (size_t)len);
	else {
		/* The node may hang up before the body is all sent: that is
		 * the point, so a failed send is no failure here. */
		signal(SIGPIPE, SIG_IGN);
		(void)h_raw_send(&r, buf, (size_t)len);
	}
	free(buf);
	free(cmd);
	if (_i == 0) {
		frame(&r, &f);
		CHECK(f.type == PROTO_RESULT && proto_result_decode(&f.f, &t)
		    == 0 && t.id == 9 && t.code == PROTO_STATUS_ERROR &&
		    t.len > 17 && memcmp(t.text, "Unknown command: aaa", 20)
		    == 0, "expected an error RESULT 9 for the 1 MiB command");
		CHECK(h_raw_command(&r, 10, "calc 6*7") == 0, "send");
		expect_result(&r, 10, PROTO_STATUS_OK, "42");
	} else {
		/* The ERROR may be lost to the reset that closing a socket
		 * with unread bytes sends; if it arrives, it says why. */
		if (h_raw_frame(&r, &f, H_WAIT) == 1)
			CHECK(f.type == PROTO_ERROR &&
			    proto_error_decode(&f.f, &t) == 0 &&
			    t.code == PROTO_CODE_TOO_BIG, "expected ERROR 2");
		CHECK(h_raw_closed(&r, H_WAIT), "the node kept the connection");
		EXPECT_ERR(n, "frame too large");
		EXPECT(n, LOST);
	}
	h_raw_close(&r);
	healthy(n, pn);
}
END_TEST

/*
 * Slowloris: a HELLO (_i == 0) or, after the handshake, a COMMAND
 * (_i == 1) sent one byte every 100 ms.  The node drops the connection at
 * its deadline (connectTimeout or frameTimeout, 1 s), which the bytes do
 * not move, and meanwhile serves a healthy peer at normal speed.
 */
START_TEST(test_slowloris)
{
	unsigned char buf[64];
	struct proto_hello h;
	struct timespec t0, th;
	struct h_raw r;
	struct h_proc *n;
	long len, i;
	long long took;
	int pn, closed = 0;

	/* No PING before the deadline: the raw peer's PONG would land in
	 * the middle of the frame it is dribbling (a real peer finishes a
	 * frame before it answers). */
	n = raw_node(&pn, "'frameTimeout': 1, 'connectTimeout': 1, "
	    "'heartbeatInterval': 5, 'heartbeatTimeout': 10");
	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.port = RAW_PORT;
	memcpy(h.id, raw_id, sizeof(h.id));
	if (_i == 0) {
		CHECK(h_raw_connect(&r, pn, H_WAIT) == 0, "connect");
		expect_hello(&r, pn, NULL);
		len = proto_hello_encode(buf, sizeof(buf), &h);
	} else {
		raw_up(&r, n, pn, RAW_PORT, "");
		len = proto_command_encode(buf, sizeof(buf), 1,
		    "calc 1+2+3+4+5+6+7+8+9+10+11+12+13+14+15", 41);
	}
	CHECK(len > 20, "encode");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < len - 1 && !closed; i++) {
		if (h_raw_send(&r, buf + i, 1) == -1)
			break;
		if (i == 3) {
			/* A healthy peer meanwhile: answered at once. */
			clock_gettime(CLOCK_MONOTONIC, &th);
			healthy(n, pn);
			CHECK(elapsed_ms(&th) < 900, "a healthy peer waited "
			    "%lld ms", elapsed_ms(&th));
		}
		closed = h_raw_closed(&r, 100);
	}
	if (!closed)
		closed = h_raw_closed(&r, H_WAIT);
	took = elapsed_ms(&t0);
	CHECK(closed, "the dribbling peer was never dropped");
	CHECK(took >= 800 && took < 2500, "dropped after %lld ms, not about "
	    "1000", took);
	EXPECT_ERR(n, _i == 0 ? "No handshake from 127.0.0.1:" :
	    "frame incomplete after 1000 ms");
	h_raw_close(&r);
	healthy(n, pn);
}
END_TEST


/*
 * A peer that sends commands and never reads the results: the node's
 * output queue for it fills to its cap, the peer is dropped, the node's
 * memory stays bounded, and everyone else is served.
 */
START_TEST(test_never_reads)
{
	static const char *const quiet[] = { "-q", NULL };
	static char text[60001];
	unsigned char *buf;
	struct h_raw r;
	struct h_proc *n;
	size_t need = PROTO_HEADER + 4 + sizeof(text);
	long len, kib;
	int pn = free_port(), i, small = 4096;

	signal(SIGPIPE, SIG_IGN);	/* the node will hang up on us */
	memset(text, 'z', sizeof(text) - 1);
	CHECK((buf = malloc(need)) != NULL, "malloc");
	/* Quiet: 60 kB command lines would fill its stdout pipe instead. */
	n = run("node", "./kaipeer", quiet, config("{'listenPort': %d, "
	    "'interactive': false, 'maxFrameSize': 65536}", pn));
	for (i = 0; h_raw_connect(&r, pn, H_WAIT) != 0 && i < 100; i++)
		h_pump(50);	/* until it listens */
	CHECK(i < 100, "cannot connect to the node");
	expect_hello(&r, pn, NULL);
	CHECK(h_raw_hello(&r, RAW_PORT, "", raw_id) == 0, "send HELLO");
	(void)setsockopt(r.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	/* Each answer is "Unknown command: zzz...": 60 kB nobody reads. */
	for (i = 0; i < 600; i++) {
		len = proto_command_encode(buf, need, (uint32_t)i + 1, text,
		    sizeof(text) - 1);
		if (h_raw_send(&r, buf, (size_t)len) == -1)
			break;		/* dropped, as it should be */
	}
	free(buf);
	EXPECT_ERR(n, "Output queue full for peer 127.0.0.1:4242, dropping it");
	kib = rss_kib(n->pid);
	CHECK(kib < 64 * 1024, "the node grew to %ld KiB", kib);
	h_raw_close(&r);
	healthy(n, pn);
}
END_TEST

/*
 * Standard input that is not a tidy line: one longer than the line limit
 * (_i == 0), binary junk with terminal escapes (_i == 1), the last line
 * without its newline at the end of input (_i == 2).  Each gets a clear
 * message or its result, and the node goes on.
 */
START_TEST(test_bad_stdin)
{
	static char big[100001];
	struct h_proc *n;
	int pn = free_port();

	n = node("node", pn, _i == 2, "");
	if (_i == 0) {
		memset(big, 'x', sizeof(big) - 1);
		CHECK(h_send_raw(n, big, sizeof(big) - 1) == 0 &&
		    h_send_raw(n, "\n", 1) == 0, "write");
		EXPECT_ERR(n, "Input line longer than 65536 bytes ignored");
	} else if (_i == 1) {
		CHECK(h_send_raw(n, "\x01\x1b[2J\x07junk\n", 11) == 0, "write");
		EXPECT_EXACT(n, "Unknown command: \\x01\\x1b[2J\\x07junk");
	} else {
		CHECK(h_send_raw(n, "calc 2+2", 8) == 0, "write");
		h_close_stdin(n);
		EXPECT_EXACT(n, "Result: 4");
		EXPECT_EXIT(n, 0, H_WAIT);
		return;
	}
	SEND(n, "calc 1+2");
	EXPECT_EXACT(n, "Result: 3");
	healthy(n, pn);
}
END_TEST

/* ====================================================================== */


static Suite *
integration_suite(void)
{
	Suite *s = suite_create("integration");
	TCase *tc;

	tc = suite_case(s, "command line", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_cli, 0, NELEM(cli_cases));
	tcase_add_loop_test(tc, test_bad_config, 0, NELEM(bad_configs));
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_daemon);
	tcase_add_test(tc, test_help_headings);
	tcase_add_loop_test(tc, test_startup_lines, 0, 2);
	tcase_add_test(tc, test_eof_interactive);
	tcase_add_test(tc, test_eof_server);
	tcase_add_loop_test(tc, test_server_signal, 0, NELEM(stop_signals));
	tcase_add_loop_test(tc, test_exit, 0, NELEM(exit_words));

	tc = suite_case(s, "console", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_console, 0, NELEM(console_cases));
	tcase_add_test(tc, test_system_status);

	tc = suite_case(s, "peers", TCASE_TIMEOUT);
	tcase_add_test(tc, test_add);
	tcase_add_loop_test(tc, test_remote, 0, NELEM(remote_cases));
	tcase_add_loop_test(tc, test_selectors, 0, NELEM(selectors));
	tcase_add_test(tc, test_many_in_flight);
	tcase_add_test(tc, test_stable_indexes);
	tcase_add_loop_test(tc, test_duplicate_connect, 0, 2);
	tcase_add_test(tc, test_simultaneous_connect);
	tcase_add_test(tc, test_connect_self);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_test(tc, test_killed_in_flight);
	tcase_add_loop_test(tc, test_exit_in_flight, 0, 2);
	tcase_add_test(tc, test_command_timeout);
	tcase_add_test(tc, test_ipv6);

	tc = suite_case(s, "one-shot", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_oneshot, 0, NELEM(oneshot_cases));
	tcase_add_loop_test(tc, test_oneshot_peer_down, 0, 2);
	tcase_add_loop_test(tc, test_oneshot_no_answer, 0, 2);

	tc = suite_case(s, "protocol", TCASE_TIMEOUT);
	tcase_add_test(tc, test_raw_command);
	tcase_add_test(tc, test_raw_two_ids);
	tcase_add_loop_test(tc, test_raw_ping, 0, NELEM(tokens));
	tcase_add_loop_test(tc, test_raw_kept, 0, NELEM(kept_cases));
	tcase_add_loop_test(tc, test_raw_abuse, 0, NELEM(abuse_cases));
	tcase_add_test(tc, test_raw_listed);
	tcase_add_test(tc, test_raw_no_answer);
	tcase_add_loop_test(tc, test_raw_heartbeat, 0, 2);
	tcase_add_test(tc, test_raw_max_peers);

	tc = suite_case(s, "robustness", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_big_command, 0, 2);
	tcase_add_loop_test(tc, test_slowloris, 0, 2);
	tcase_add_test(tc, test_never_reads);
	tcase_add_loop_test(tc, test_bad_stdin, 0, 3);

	tc = suite_case(s, "extending", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_greet, 0, NELEM(greet_cases));
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(integration_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
