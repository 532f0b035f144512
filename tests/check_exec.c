/*
 * check_exec: the programs a node runs from its config's "exec", driven
 * through real kaipeer processes (KAIPEER_BIN, else ./kaipeer).  Ctrl-C on
 * a console, which cancels programs too, is tested in check_tty.c.
 *
 * What it covers:
 *   - running: a program's output as the result, on a peer ("@0 hello",
 *     by -c) and on the node itself (typed), uptime as in the docs;
 *     "args": true appends the caller's words split as sh(1) would, each
 *     one argument, never through a shell ($(...), `...`, ;, |, *, >
 *     reach the program as bytes); without "args" any argument is
 *     refused; a program that cannot be exec'd (no such file, not in
 *     PATH, not executable); one that exits non-zero ("Error: exit N",
 *     status 1 of -c) or is killed by a signal; stdout and stderr in
 *     arrival order; the multi-line form (a header, then each line after
 *     the peer's name or address), tabs kept, control bytes, NUL and
 *     bytes that are not UTF-8 escaped; stdin is /dev/null (cat ends at
 *     once); --json's "exit" field; the exit code in a RESULT frame only
 *     for a peer that announced it.
 *   - the config: program names that are built-ins or aliases, bad
 *     entries, maxProcesses and maxResultSize out of range (exit 78).
 *   - limits: 10 MiB of output is cut to maxResultSize (by default 512
 *     KiB, or maxFrameSize less 256), exactly at the limit, or to what
 *     the caller's frames take, with a note, and the node goes on
 *     serving; past maxProcesses (2, or 16 by default) a call gets "busy"
 *     at once while the others finish; many programs at once.
 *   - ends: a program that never ends, with a child, in its own process
 *     group, is killed at its "timeout" (SIGTERM; SIGCONT if it stopped
 *     itself; SIGKILL 2 s later if it ignores SIGTERM, or for a child
 *     that does) and no process of it is left; a caller whose command
 *     times out (-t, commandTimeout, --json too) prints one result line
 *     and its CANCEL kills the program on the peer, long before the
 *     program's own timeout, while the link stays; a raw CANCEL frame
 *     does the same, and no RESULT follows it; a caller that is killed,
 *     exits or disconnects takes its program with it; a node that is
 *     stopped kills what it runs.  After each of these the node has no
 *     child left (no zombie).
 *
 * "No process left" is checked by programs that write their process id
 * and their child's to a temporary file: each must be gone (kill(pid, 0)
 * fails with ESRCH, or it is a zombie waiting for init, not for the node)
 * within GONE_MS.  The hanging programs sleep LONG_S at most, so even a
 * test that dies early leaves nothing running for long.
 *
 * Run from the top of the repository:
 *	make kaipeer tests/check_exec && ./tests/check_exec
 *	make tests/kaipeer-asan && KAIPEER_BIN=tests/kaipeer-asan \
 *	    ./tests/check_exec
 * Every wait is bounded; every test starts its own nodes on ports from
 * free_port(), on 127.0.0.1 only.  About 25 s.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"
#include "proto.h"
#include "suite.h"

#define TCASE_TIMEOUT	40	/* seconds, per test */
#define GONE_MS		5000	/* a killed program's processes are gone */
#define LONG_S		20	/* how long a hanging program sleeps */
#define BUSY_MS		1000	/* "at once": a refusal when busy */

/*
 * Programs most tests share (JSON, ' for ").  printf's format is passed
 * as an argument of config(), never as its format.
 */
static const char programs[] =
    "'exec': {"
    "'hello': ['echo', 'hello world'], "
    "'up': ['uptime'], "
    "'args': {'argv': ['printf', '[%s]\\\\n'], 'args': true}, "
    "'fail1': ['sh', '-c', 'echo oops; exit 1'], "
    "'fail3': ['sh', '-c', 'echo one; sleep 0.2; echo two >&2; "
	"sleep 0.2; echo three; exit 3'], "
    "'nope': ['/nonexistent/kaipeer-program'], "
    "'nopath': ['kaipeer-no-such-program', 'x'], "
    "'noexec': ['/dev/null'], "
    "'cat': ['cat'], "
    "'multi': ['printf', 'a\\\\tb\\\\033c\\\\n\\\\nd\\\\n'], "
    "'one': ['printf', 'x'], "
    "'sig': ['sh', '-c', 'kill -9 $$'], "
    "'false': ['false'], "
    "'ex200': ['sh', '-c', 'exit 200'], "
    "'err': ['sh', '-c', 'echo to stderr >&2'], "
    "'bytes': ['printf', 'a\\\\000b\\\\r\\\\nc\\\\377d\\\\n'], "
    "'tout': {'argv': ['sh', '-c', 'echo started; sleep 5'], "
	"'timeout': 0.5}, "
    "'big': ['sh', '-c', 'head -c 10485760 /dev/zero | tr -c y y']}";

/* --- nodes ------------------------------------------------------------- */

/* kaipeer with opts (NULL-terminated) and a config naming port as peer 0. */
static struct h_proc *
caller(const char *name, int port, const char *const opts[],
    const char *more)
{
	return run(name, "./kaipeer", opts, config("{'interactive': false, "
	    "'connectTimeout': 3, 'commandTimeout': 30, %s%s%s}",
	    peers_of(port), more[0] != '\0' ? ", " : "", more));
}

/* kaipeer -c line, peer 0 at port. */
static struct h_proc *
oneshot(int port, const char *line)
{
	const char *opts[3];

	opts[0] = "-c";
	opts[1] = line;
	opts[2] = NULL;
	return caller("oneshot", port, opts, "");
}

/* An interactive node of its own (port) that dialled the node at port. */
static struct h_proc *
console_of(int port, const char *const opts[], const char *more)
{
	int mine = free_port();
	struct h_proc *c;

	c = run("caller", "./kaipeer", opts, config("{'listenPort': %d, "
	    "'interactive': true, 'connectTimeout': 3, %s%s%s}", mine,
	    peers_of(port), more[0] != '\0' ? ", " : "", more));
	EXPECT_EXACT(c, S("Connected to peer: 127.0.0.1:%d", port));
	return c;
}

/* The node at port still serves a peer: kaipeer -c '@0 calc 6*7'. */
static void
serves(int port)
{
	struct h_proc *c = oneshot(port, "@0 calc 6*7");

	EXPECT_EXACT(c, S("Result from 127.0.0.1:%d for command 'calc 6*7': "
	    "42", port));
	EXPECT_EXIT(c, 0, H_WAIT);
}

/* --- processes ----------------------------------------------------------- */

/* How a hanging program takes SIGTERM. */
enum hang_kind {
	HANG_PLAIN,		/* dies of it, and so does its child */
	HANG_DEAF,		/* ignores it, and so does its child */
	HANG_DEAF_CHILD,	/* dies of it; its child ignores it */
	HANG_STOPPED		/* has stopped itself (SIGSTOP) */
};

/*
 * A program that runs until killed (its child sleeps LONG_S at most),
 * writing its process id and then its child's into path, with a timeout
 * of timeout_s.
 */
static const char *
hang_program(const char *name, const char *path, int timeout_s,
    enum hang_kind kind)
{
	return S("'%s': {'argv': ['sh', '-c', '%secho $$ > %s; %s & "
	    "echo $! >> %s; %swait'], 'timeout': %d}", name,
	    kind == HANG_DEAF ? "trap \\\"\\\" TERM; " : "", path,
	    kind == HANG_DEAF_CHILD ? S("(trap \\\"\\\" TERM; exec sleep %d)",
	    LONG_S) : S("sleep %d", LONG_S), path,
	    kind == HANG_STOPPED ? "kill -STOP $$; " : "", timeout_s);
}

/* An empty temporary file, for a program to write its pids to. */
static const char *
pid_file(void)
{
	const char *path = h_file("%s", "");

	CHECK(path != NULL, "cannot make a temporary file");
	return path;
}

/* Wait up to ms for path to hold n process ids, one a line. */
static void
read_pids(const char *path, long pids[], int n, int ms)
{
	long long end = now_ms() + ms;
	FILE *fp;
	int k;

	for (;;) {
		k = 0;
		if ((fp = fopen(path, "r")) != NULL) {
			while (k < n && fscanf(fp, "%ld", &pids[k]) == 1)
				k++;
			fclose(fp);
		}
		if (k == n)
			return;
		CHECK(now_ms() < end, "the program wrote %d of %d process "
		    "ids within %d ms: did it start?", k, n, ms);
		h_pump(20);
	}
}

/* Every one of pids gone within ms. */
static void
gone(pid_t node_pid, const long pids[], int n, int ms)
{
	long long end = now_ms() + ms;
	long ppid = 0;
	char state = '?';
	int i;

	for (i = 0; i < n; i++) {
		while (!h_pid_dead(pids[i], node_pid) && now_ms() < end)
			h_pump(20);
		if (!h_pid_dead(pids[i], node_pid)) {
			(void)h_proc_stat(pids[i], &state, &ppid);
			CHECK(0, "process %ld of the program (%s) is still "
			    "there %d ms later: state %c, parent %ld (the "
			    "node is %ld)", pids[i], i == 0 ? "the program" :
			    "its child", ms, state, ppid, (long)node_pid);
		}
	}
}

/* How many children pid has, from /proc; -1 where there is no /proc. */
static int
children(pid_t pid)
{
	struct dirent *d;
	long ppid;
	char state;
	DIR *dir;
	int n = 0;

	if ((dir = opendir("/proc")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9' &&
		    h_proc_stat(atol(d->d_name), &state, &ppid) == 0 &&
		    ppid == (long)pid)
			n++;
	closedir(dir);
	return n;
}

/* The node has no child left (no program, no zombie) within ms. */
static void
no_children(struct h_proc *p, int ms)
{
	long long end = now_ms() + ms;
	int n;

	while ((n = children(p->pid)) > 0 && now_ms() < end)
		h_pump(20);
	CHECK(n <= 0, "%s still has %d child process(es) %d ms after its "
	    "programs ended", p->name, n, ms);
}

/* --- lines --------------------------------------------------------------- */

/*
 * tmpl with "{R}" made the result header and "{W}" the line prefix: for
 * a peer "Result from <addr> for command '<line>':" and "<who>: ", for
 * the node's own console "Result:" and nothing.
 */
static const char *
expand(const char *tmpl, const char *header, const char *who)
{
	char out[2048];
	size_t n = 0, k;
	const char *s, *with;

	for (s = tmpl; *s != '\0' && n < sizeof(out) - 1; ) {
		with = strncmp(s, "{R}", 3) == 0 ? header :
		    strncmp(s, "{W}", 3) == 0 ? who : NULL;
		if (with == NULL) {
			out[n++] = *s++;
			continue;
		}
		for (k = 0; with[k] != '\0' && n < sizeof(out) - 1; k++)
			out[n++] = with[k];
		s += 3;
	}
	out[n] = '\0';
	return S("%s", out);
}

/* Wait up to ms for n lines of p's stdout from mark on to hold text. */
static void
lines_seen(struct h_proc *p, size_t mark, const char *text, int n, int ms)
{
	long long end = now_ms() + ms;

	while (h_count(p, H_OUT, mark, text) < n && now_ms() < end)
		h_pump(20);
	CHECK(h_count(p, H_OUT, mark, text) == n, "%s: %d lines with \"%s\", "
	    "expected %d", p->name, h_count(p, H_OUT, mark, text), text, n);
}

/* The next line of p's stdout, whole (not cut as p->line is): length. */
static const char *
whole_line(struct h_proc *p, size_t *len)
{
	size_t at = h_mark(p, H_OUT);

	CHECK(h_line(p, H_OUT, H_WAIT) != NULL, "%s: no next line", p->name);
	*len = h_mark(p, H_OUT) - at - 1;
	return p->out[H_OUT].buf + at;
}

/* ====================================================================== */
/* Running programs                                                        */

struct prog_case {
	const char	*line;		/* what is run (after "@0 ") */
	int		 status;	/* of kaipeer -c */
	const char	*out[16];	/* the lines, "{R}" and "{W}" expanded */
};

static const struct prog_case prog_cases[] = {
	{ "hello", 0, { "{R} hello world" } },
	{ "one", 0, { "{R} x" } },
	{ "hello x", 1, { "{R} Error: 'hello' takes no arguments" } },
	{ "args \"a b\" c", 0, { "{R}", "{W}[a b]", "{W}[c]" } },
	{ "args", 0, { "{R} []" } },
	/* Nothing is a shell's: each byte reaches the program. */
	{ "args 'x;y' \"a;b\" \"$(id)\" `id` * ? $HOME \\; a\\ b \"q\\\"q\" "
	  "'|' '&&' >f <g", 0, { "{R}", "{W}[x;y]", "{W}[a;b]",
	  "{W}[$(id)]", "{W}[`id`]", "{W}[*]", "{W}[?]", "{W}[$HOME]",
	  "{W}[;]", "{W}[a b]", "{W}[q\"q]", "{W}[|]", "{W}[&&]", "{W}[>f]",
	  "{W}[<g]" } },
	{ "fail1", 1, { "{R} Error: exit 1: oops" } },
	/* stdout and stderr in the order they came. */
	{ "fail3", 1, { "{R} Error: exit 3", "{W}one", "{W}two",
	  "{W}three" } },
	{ "nope", 1, { "{R} Error: cannot run '/nonexistent/kaipeer-program': "
	  "No such file or directory" } },
	{ "nopath", 1, { "{R} Error: cannot run 'kaipeer-no-such-program': "
	  "No such file or directory" } },
	{ "noexec", 1, { "{R} Error: cannot run '/dev/null': "
	  "Permission denied" } },
	/* Its stdin is /dev/null: it ends at once, with nothing. */
	{ "cat", 0, { "{R} " } },
	/* A tab is kept, an escape byte shown escaped, an empty line kept. */
	{ "multi", 0, { "{R}", "{W}a\tb\\x1bc", "{W}", "{W}d" } },
	{ "sig", 1, { "{R} Error: exit 137: [killed by signal 9]" } },
	/* An exit code alone; one above 128 that is no signal. */
	{ "false", 1, { "{R} Error: exit 1" } },
	{ "ex200", 1, { "{R} Error: exit 200" } },
	{ "err", 0, { "{R} to stderr" } },
	/* NUL and a byte that is not UTF-8 escaped, CR LF a line end. */
	{ "bytes", 0, { "{R}", "{W}a\\x00b", "{W}c\\xffd" } },
	/* Output, then killed at its timeout (0.5 s): both said. */
	{ "tout", 1, { "{R} Error: exit 143", "{W}started",
	  "{W}[timed out after 500 ms: killed]" } },
};

/*
 * Every case on a peer with a name (_i 0: lines after "web1: "), on a peer
 * without one (1: after its address), and typed on the node itself (2:
 * "Result:", lines alone).  The lines are exact and nothing follows them;
 * -c exits 0 for an ok result and 1 for an error.  Then the node has no
 * child left and still serves.
 */
START_TEST(test_programs)
{
	int pn = free_port(), mode = _i;
	char who[64], header[512];
	const struct prog_case *c;
	struct h_proc *p, *q;
	const char *want;
	size_t i, k;

	p = node("server", pn, 1, mode == 0 ? S("'name': 'web1', %s",
	    programs) : programs);
	snprintf(who, sizeof(who), "%s", mode == 0 ? "web1: " : mode == 1 ?
	    S("127.0.0.1:%d: ", pn) : "");
	for (i = 0; i < NELEM(prog_cases); i++) {
		c = &prog_cases[i];
		if (mode == 2) {
			snprintf(header, sizeof(header), "Result:");
			q = p;
			SEND(p, c->line);
		} else {
			snprintf(header, sizeof(header), "Result from "
			    "127.0.0.1:%d for command '%s':", pn, c->line);
			q = oneshot(pn, S("@0 %s", c->line));
		}
		for (k = 0; k < NELEM(c->out) && c->out[k] != NULL; k++) {
			want = expand(c->out[k], header, who);
			if (k == 0)
				EXPECT_EXACT(q, want);
			else
				EXPECT_NEXT(q, want);
		}
		if (mode != 2) {
			EXPECT_EXIT(q, c->status, H_WAIT);
			CHECK(h_line(q, H_OUT, 0) == NULL, "'%s': a line after "
			    "the result: \"%s\"", c->line, q->line);
		}
	}
	no_children(p, 1000);
	SEND(p, "calc 1+1");
	EXPECT_EXACT(p, "Result: 2");
	if (mode == 2)
		CHECK(h_count(p, H_OUT, 0, "Unknown command") == 0,
		    "a program's line was taken for a command");
	serves(pn);
	SEND(p, "exit");
	EXPECT_EXIT(p, 0, H_WAIT);
}
END_TEST

/* The example of the config's documentation: uptime, there and here. */
START_TEST(test_uptime)
{
	int pn = free_port();
	struct h_proc *p, *c;
	const char *l;

	p = node("server", pn, 1, programs);
	c = oneshot(pn, "@0 up");
	l = h_expect(c, H_OUT, S("Result from 127.0.0.1:%d for command "
	    "'up': ", pn), H_WAIT);
	CHECK(l != NULL && strstr(l, "load average") != NULL, "@0 up: "
	    "\"%s\"", l != NULL ? l : "(none)");
	EXPECT_EXIT(c, 0, H_WAIT);
	SEND(p, "up");
	l = h_expect(p, H_OUT, "Result: ", H_WAIT);
	CHECK(l != NULL && strstr(l, "load average") != NULL, "up: \"%s\"",
	    l != NULL ? l : "(none)");
}
END_TEST

/*
 * A node started with SIGCHLD ignored (as some parents leave it, and exec
 * keeps it) would have its programs reaped behind its back: kaipeer_main()
 * puts the default back, so their exit codes are still seen.
 */
START_TEST(test_sigchld_ignored)
{
	static const char *const args[] = { "-c", "hello", "-c", "fail1",
	    NULL };
	struct sigaction ign, old;
	struct h_proc *p;
	const char *cfg;

	cfg = config("{'interactive': false, %s}", programs);
	/* Started with SIGCHLD ignored, as exec passes it on. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	CHECK(sigaction(SIGCHLD, &ign, &old) == 0, "sigaction");
	p = run("ignoring", "./kaipeer", args, cfg);
	CHECK(sigaction(SIGCHLD, &old, NULL) == 0, "sigaction");
	EXPECT_EXACT(p, "Result: hello world");
	EXPECT_EXACT(p, "Result: Error: exit 1: oops");
	EXPECT_EXIT(p, 1, H_WAIT);
}
END_TEST

/* --json: "exit" is the program's exit code, null for other commands. */
static const char *const json_lines[] = {
	"{'peer':0,'name':'','addr':'@','command':'fail1','status':'error',"
	    "'exit':1,'result':'oops\\n','ms':",
	"{'peer':0,'name':'','addr':'@','command':'hello','status':'ok',"
	    "'exit':0,'result':'hello world\\n','ms':",
	"{'peer':0,'name':'','addr':'@','command':'calc 1+2','status':'ok',"
	    "'exit':null,'result':'3','ms':",
	"{'peer':null,'name':'','addr':'','command':'hello','status':'ok',"
	    "'exit':0,'result':'hello world\\n','ms':",
	"{'peer':null,'name':'','addr':'','command':'fail1',"
	    "'status':'error','exit':1,'result':'oops\\n','ms':",
	"{'peer':0,'name':'','addr':'@','command':'sig','status':'error',"
	    "'exit':137,'result':'[killed by signal 9]','ms':",
};

START_TEST(test_json)
{
	static const char *const opts[] = { "--json", "-c", "@0 fail1",
	    "-c", "@0 hello", "-c", "@0 calc 1+2", "-c", "hello", "-c",
	    "fail1", "-c", "@0 sig", NULL };
	int pn = free_port();
	char tmpl[512], want[512], *at;
	struct h_proc *c;
	const char *l;
	size_t i;

	(void)node("server", pn, 0, programs);
	c = caller("json", pn, opts, programs);
	for (i = 0; i < NELEM(json_lines); i++) {
		snprintf(tmpl, sizeof(tmpl), "%s", json_lines[i]);
		quotes(tmpl);
		if ((at = strchr(tmpl, '@')) != NULL)
			snprintf(want, sizeof(want), "%.*s127.0.0.1:%d%s",
			    (int)(at - tmpl), tmpl, pn, at + 1);
		else
			snprintf(want, sizeof(want), "%s", tmpl);
		l = h_line(c, H_OUT, H_WAIT);
		CHECK(l != NULL && strncmp(l, want, strlen(want)) == 0 &&
		    l[strlen(l) - 1] == '}', "--json line %lu: expected "
		    "\"%s<ms>}\", got \"%s\"", (unsigned long)i, want,
		    l != NULL ? l : "(none)");
	}
	EXPECT_EXIT(c, 1, H_WAIT);
	CHECK(h_line(c, H_OUT, 0) == NULL, "more on stdout: \"%s\"", c->line);
}
END_TEST

/*
 * The exit code travels in a RESULT frame only to a peer whose HELLO
 * announced PROTO_FEAT_EXIT (_i 1); to another (_i 0), the result is the
 * same without it.
 */
START_TEST(test_raw_exit_code)
{
	int pn = free_port();
	unsigned char buf[PROTO_MAX_HELLO];
	struct proto_hello h;
	struct proto_text t;
	struct h_frame f;
	struct h_raw r;
	long n;

	(void)node("server", pn, 0, programs);
	CHECK(h_raw_connect(&r, pn, H_WAIT) == 0, "cannot connect");
	expect_hello(&r, pn, NULL);
	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.port = RAW_PORT;
	memcpy(h.id, "RAWPEER", PROTO_NODE_ID);
	h.features = _i == 1 ? PROTO_FEATURES : 0;
	CHECK((n = proto_hello_encode(buf, sizeof(buf), &h)) > 0, "encode");
	raw_send(&r, buf, (size_t)n);
	CHECK(h_raw_command(&r, 5, "fail1") == 0, "send");
	frame(&r, &f);
	CHECK(f.type == PROTO_RESULT && proto_result_decode(&f.f, &t) == 0,
	    "expected a RESULT, got type %d", f.type);
	CHECK(t.id == 5 && t.code == PROTO_STATUS_ERROR && t.len == 5 &&
	    memcmp(t.text, "oops\n", 5) == 0, "RESULT %lu %u '%.*s'",
	    (unsigned long)t.id, t.code, (int)t.len, t.text);
	CHECK(t.exit == (_i == 1 ? 1 : -1), "exit code %d in the RESULT",
	    t.exit);
	h_raw_close(&r);
}
END_TEST

/* ====================================================================== */
/* The config                                                              */

struct config_case {
	const char	*json;		/* as written, ' for " */
	const char	*where;		/* "line:col: message" */
};

static const struct config_case bad_configs[] = {
	{ "{'exec': {'calc': ['ls']}}",
	  "1:11: program name 'calc' is a built-in command" },
	{ "{'exec': {'system': ['ls']}}",
	  "1:11: program name 'system' is a built-in command" },
	{ "{'exec': {'help': ['ls']}}",
	  "1:11: program name 'help' is a built-in command" },
	{ "{'commands': {'up': 'calc 1'}, 'exec': {'up': ['uptime']}}",
	  "1:41: \"up\" is both a program and a command alias" },
	{ "{'exec': {'up': ['uptime']}, 'commands': {'up': 'calc 1'}}",
	  "1:43: \"up\" is both a program and a command alias" },
	{ "{'exec': {'up': []}}", "1:17: program 'up' must be a non-empty "
	  "array of strings (the program and its arguments)" },
	{ "{'exec': {'up': {'args': true}}}",
	  "1:17: program 'up' without \"argv\"" },
	{ "{'exec': {'a b': ['ls']}}",
	  "1:11: program name 'a b' contains a space" },
	{ "{'maxProcesses': 0}",
	  "1:18: \"maxProcesses\" must be an integer from 1 to 1024" },
	{ "{'maxResultSize': 10}",
	  "1:19: \"maxResultSize\" must be an integer from 1024 to 67108864" },
	{ "{'maxFrameSize': 65536, 'maxResultSize': 65536}",
	  "1:42: \"maxResultSize\" (65536) must be at most \"maxFrameSize\" "
	  "less 256 (65280)" },
};

/* A bad "exec": one message with its position, exit 78, nothing run. */
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
	CHECK(h_line(p, H_OUT, 0) == NULL, "a bad config was half-loaded: "
	    "stdout has \"%s\"", p->line);
}
END_TEST

/* ====================================================================== */
/* Limits                                                                  */

struct big_case {
	const char	*more;		/* of the server's config */
	int		 local;		/* typed on the server */
	long		 kept;
};

static const struct big_case big_cases[] = {
	{ "", 0, 512 * 1024 },
	{ "'maxResultSize': 4096", 0, 4096 },
	{ "'maxFrameSize': 65536", 0, 65536 - 256 },
	{ "", 1, 512 * 1024 },
};

/*
 * 10 MiB of output: the first maxResultSize bytes (by default 512 KiB or
 * maxFrameSize less 256) and a note; the program's end is an ok result,
 * -c exits 0, and the node goes on serving, here and for peers, and ends
 * well.
 */
START_TEST(test_big_output)
{
	const struct big_case *c = &big_cases[_i];
	int pn = free_port();
	const char *who = c->local ? "" : S("127.0.0.1:%d: ", pn), *l;
	struct h_proc *p, *q;
	size_t len, i, wl = strlen(who);

	p = node("server", pn, 1, c->more[0] != '\0' ? S("%s, %s", c->more,
	    programs) : programs);
	if (c->local) {
		q = p;
		SEND(p, "big");
		EXPECT_EXACT_ON(p, H_OUT, "Result:", 10000);
	} else {
		q = oneshot(pn, "@0 big");
		EXPECT_EXACT_ON(q, H_OUT, S("Result from 127.0.0.1:%d for "
		    "command 'big':", pn), 10000);
	}
	l = whole_line(q, &len);
	for (i = wl; i < len && l[i] == 'y'; i++)
		continue;
	CHECK(len == wl + (size_t)c->kept && strncmp(l, who, wl) == 0 &&
	    i == len, "the output line: %lu bytes (%lu of them y), expected "
	    "\"%s\" and %ld y", (unsigned long)len, (unsigned long)(i - wl),
	    who, c->kept);
	EXPECT_NEXT(q, S("%s[output cut: 10485760 bytes, the first %ld "
	    "shown]", who, c->kept));
	if (!c->local)
		EXPECT_EXIT(q, 0, H_WAIT);
	no_children(p, 1000);
	SEND(p, "calc 1+1");
	EXPECT_EXACT(p, "Result: 2");
	serves(pn);
	SEND(p, "exit");
	EXPECT_EXIT(p, 0, H_WAIT);
}
END_TEST

/*
 * The cut is exact: maxResultSize bytes are all shown with no note; one
 * more, and the note says what was kept.
 */
START_TEST(test_cut_boundary)
{
	int pn = free_port(), n = 4096 + _i;
	const char *who = S("127.0.0.1:%d: ", pn), *l;
	size_t len, i, wl = strlen(who);
	struct h_proc *c;

	(void)node("server", pn, 0, "'maxResultSize': 4096, 'exec': {'ys': "
	    "{'argv': ['sh', '-c', 'head -c $0 /dev/zero | tr -c y y'], "
	    "'args': true}}");
	c = oneshot(pn, S("@0 ys %d", n));
	if (n == 4096) {
		EXPECT(c, "Sent command");
		l = whole_line(c, &len);
		wl = strlen(S("Result from 127.0.0.1:%d for command 'ys %d': ",
		    pn, n));
		for (i = wl; i < len && l[i] == 'y'; i++)
			continue;
		CHECK(len == wl + 4096 && i == len && strncmp(l, "Result from",
		    11) == 0, "the result is not the 4096 bytes of output "
		    "alone: %lu bytes, %lu y", (unsigned long)len,
		    (unsigned long)(i - wl));
	} else {
		EXPECT_EXACT(c, S("Result from 127.0.0.1:%d for command "
		    "'ys %d':", pn, n));
		l = whole_line(c, &len);
		for (i = wl; i < len && l[i] == 'y'; i++)
			continue;
		CHECK(len == wl + 4096 && i == len, "the output line: %lu "
		    "bytes, %lu y", (unsigned long)len, (unsigned long)(i - wl));
		EXPECT_NEXT(c, S("%s[output cut: %d bytes, the first 4096 "
		    "shown]", who, n));
	}
	EXPECT_EXIT(c, 0, H_WAIT);
	CHECK(h_line(c, H_OUT, 0) == NULL, "more: \"%s\"", c->line);
}
END_TEST

/*
 * A caller that takes small frames (maxFrameSize 4096) gets the output cut
 * to fit them, with the note, never "result too large".
 */
START_TEST(test_cut_small_link)
{
	static const char *const opts[] = { "-c", "@0 big", NULL };
	int pn = free_port();
	const char *who = S("127.0.0.1:%d: ", pn), *l;
	size_t len, i, wl = strlen(who);
	struct h_proc *c;
	unsigned long kept = 0;
	int n = 0;

	(void)node("server", pn, 0, programs);
	c = caller("small", pn, opts, "'maxFrameSize': 4096");
	EXPECT_EXACT(c, S("Result from 127.0.0.1:%d for command 'big':", pn));
	l = whole_line(c, &len);
	for (i = wl; i < len && l[i] == 'y'; i++)
		continue;
	CHECK(i == len && len > wl && len - wl < 4096, "the output line: %lu "
	    "bytes, %lu y", (unsigned long)len, (unsigned long)(i - wl));
	l = h_line(c, H_OUT, H_WAIT);
	CHECK(l != NULL && strncmp(l, who, wl) == 0 && sscanf(l + wl,
	    "[output cut: 10485760 bytes, the first %lu shown]%n", &kept,
	    &n) == 1 && l[wl + (size_t)n] == '\0' && kept == len - wl,
	    "expected the note \"%s[output cut: 10485760 bytes, the first %lu "
	    "shown]\", got \"%s\"", who, (unsigned long)(len - wl),
	    l != NULL ? l : "(none)");
	EXPECT_EXIT(c, 0, H_WAIT);
}
END_TEST

/*
 * maxProcesses 2 (_i 0), or by default 16 (1): with that many programs
 * running, one more call, from a peer or typed, is refused at once with
 * "busy", before any of them ends; they all finish well, and then there
 * is room again.
 */
START_TEST(test_busy)
{
	int pn = free_port(), max = _i == 0 ? 2 : 16, i;
	const char *path = pid_file(), *busy, *done;
	long pids[16];
	long long t0;
	struct h_proc *p, *c;
	size_t mark;

	p = node("server", pn, 1, S("%s'exec': {'slow': ['sh', '-c', "
	    "'echo $$ >> %s; sleep 2; echo done']}", _i == 0 ?
	    "'maxProcesses': 2, " : "", path));
	c = console_of(pn, NULL, "");
	mark = h_mark(c, H_OUT);
	for (i = 0; i < max; i++)
		SEND(c, "@0 slow");
	read_pids(path, pids, max, H_WAIT);
	busy = S("Error: busy: %d programs running (maxProcesses); try again "
	    "later", max);
	done = S("Result from 127.0.0.1:%d for command 'slow': done", pn);
	t0 = now_ms();
	SEND(c, "@0 slow");
	EXPECT_EXACT_ON(c, H_OUT, S("Result from 127.0.0.1:%d for command "
	    "'slow': %s", pn, busy), BUSY_MS);
	CHECK(now_ms() - t0 < BUSY_MS, "busy took %lld ms", now_ms() - t0);
	CHECK(h_count(c, H_OUT, mark, done) == 0, "a program ended before "
	    "the call past the limit was refused: it waited instead");
	SEND(p, "slow");
	EXPECT_EXACT_ON(p, H_OUT, S("Result: %s", busy), BUSY_MS);
	for (i = 0; i < max; i++)
		EXPECT_EXACT(c, done);
	CHECK(h_count(c, H_OUT, mark, "for command 'slow'") == max + 1,
	    "%d results for %d calls", h_count(c, H_OUT, mark,
	    "for command 'slow'"), max + 1);
	/* Room again: a new result, after those. */
	SEND(c, "@0 slow");
	EXPECT_EXACT(c, done);
	no_children(p, 1000);
}
END_TEST

/* Many programs at once, under maxProcesses: every one answered, no
 * child left. */
START_TEST(test_many)
{
	int pn = free_port(), i;
	struct h_proc *p, *c;
	const char *want;
	size_t mark;

	p = node("server", pn, 0, programs);
	c = console_of(pn, NULL, "");
	mark = h_mark(c, H_OUT);
	for (i = 0; i < 12; i++)
		SEND(c, i % 2 == 0 ? "@0 hello" : "@0 fail3");
	want = S("Result from 127.0.0.1:%d for command 'hello': hello world",
	    pn);
	lines_seen(c, mark, want, 6, H_WAIT);
	lines_seen(c, mark, S("Result from 127.0.0.1:%d for command 'fail3': "
	    "Error: exit 3", pn), 6, H_WAIT);
	CHECK(h_count(c, H_OUT, mark, "busy") == 0, "busy below "
	    "maxProcesses");
	no_children(p, 1000);
}
END_TEST

/* ====================================================================== */
/* Ends: timeouts, cancels, callers that go                                */

struct timeout_case {
	enum hang_kind	 kind;
	int		 code;
	long		 min_ms, max_ms;	/* from the call to the result */
};

static const struct timeout_case timeout_cases[] = {
	{ HANG_PLAIN, 143, 1000, 3000 },
	{ HANG_DEAF, 137, 3000, 5000 },
	{ HANG_DEAF_CHILD, 143, 1000, 3000 },
	{ HANG_STOPPED, 143, 1000, 3000 },
};

/*
 * A program that never ends, with a child, in its own process group, is
 * killed at its timeout (1 s): SIGTERM to the group (with SIGCONT, for
 * one that stopped itself), and SIGKILL 2 s later for one that ignores
 * SIGTERM; a child that ignores it is killed once the program has ended.
 * The result says so, -c exits 1, and no process of it is left.
 */
START_TEST(test_timeout)
{
	const struct timeout_case *c = &timeout_cases[_i];
	int pn = free_port();
	const char *path = pid_file();
	long pids[2];
	long long t0, ms;
	struct h_proc *p, *q;

	p = node("server", pn, 0, S("'exec': {%s}", hang_program("hang",
	    path, 1, c->kind)));
	t0 = now_ms();		/* the program starts after this */
	q = oneshot(pn, "@0 hang");
	read_pids(path, pids, 2, H_WAIT);
	CHECK(getpgid((pid_t)pids[0]) == (pid_t)pids[0] &&
	    getpgid((pid_t)pids[1]) == (pid_t)pids[0] &&
	    getpgid(p->pid) != (pid_t)pids[0], "not a process group of its "
	    "own: program %ld in %ld, its child in %ld, the node in %ld",
	    pids[0], (long)getpgid((pid_t)pids[0]), (long)getpgid((pid_t)
	    pids[1]), (long)getpgid(p->pid));
	EXPECT_EXACT_ON(q, H_OUT, S("Result from 127.0.0.1:%d for command "
	    "'hang': Error: exit %d: [timed out after 1000 ms: killed]", pn,
	    c->code), (int)c->max_ms + 1000);
	ms = now_ms() - t0;
	CHECK(ms >= c->min_ms && ms <= c->max_ms, "the result came %lld ms "
	    "after the call, expected %ld to %ld", ms, c->min_ms, c->max_ms);
	EXPECT_EXIT(q, 1, H_WAIT);
	gone(p->pid, pids, 2, GONE_MS);
	no_children(p, 1000);
	serves(pn);
}
END_TEST

/*
 * The caller gives up on its command after 1 s: one result line, "timed
 * out", and its CANCEL kills the program on the peer at once, long before
 * the program's own timeout (LONG_S).  In the interactive rows the caller
 * stays connected, so the link's end is not what kills it; it then
 * still gets results.  The node still serves.
 */
struct cancel_case {
	const char	*opts[6];	/* of the caller */
	const char	*more;		/* of its config */
	int		 oneshot;	/* -c: the caller then exits 2 */
	const char	*line;		/* its result ("%d": the port) */
	const char	*count;		/* in its lines once only */
};

#define TIMED_OUT	"Result from 127.0.0.1:%d for command 'hang': Error: " \
			"timed out after 1000 ms"

static const struct cancel_case cancel_cases[] = {
	{ { "-t", "1" }, "", 0, TIMED_OUT, "for command 'hang'" },
	{ { NULL }, "'commandTimeout': 1", 0, TIMED_OUT,
	  "for command 'hang'" },
	{ { "-t", "1", "-c", "@0 hang" }, "", 1, TIMED_OUT,
	  "for command 'hang'" },
	{ { "--json", "-t", "1", "-c", "@0 hang" }, "", 1,
	  "{\"peer\":0,\"name\":\"\",\"addr\":\"127.0.0.1:%d\","
	  "\"command\":\"hang\",\"status\":\"timeout\",\"exit\":null,"
	  "\"result\":\"Error: timed out after 1000 ms\",\"ms\":",
	  "\"command\":\"hang\"" },
};

START_TEST(test_cancel)
{
	const struct cancel_case *cc = &cancel_cases[_i];
	int pn = free_port();
	const char *path = pid_file(), *want, *l;
	long pids[2];
	struct h_proc *p, *c;

	p = node("server", pn, 0, S("'exec': {%s}", hang_program("hang",
	    path, LONG_S, HANG_PLAIN)));
	if (cc->oneshot)
		c = caller("oneshot", pn, cc->opts, cc->more);
	else {
		c = console_of(pn, cc->opts, cc->more);
		SEND(c, "@0 hang");
	}
	read_pids(path, pids, 2, H_WAIT);
	want = S(cc->line, pn);
	l = h_expect(c, H_OUT, want, 3000);
	CHECK(l != NULL && strncmp(l, want, strlen(want)) == 0, "%s: "
	    "expected a line \"%s\", got \"%s\"", c->name, want,
	    l != NULL ? l : "(none)");
	gone(p->pid, pids, 2, GONE_MS);
	if (cc->oneshot)
		EXPECT_EXIT(c, 2, H_WAIT);
	else {
		CHECK(h_wait(c, 0) == -1, "the caller ended");
		CHECK(h_count(p, H_OUT, 0, "Peer disconnected") == 0 &&
		    h_count(p, H_OUT, 0, "Connection lost") == 0,
		    "the link ended: it, not the CANCEL, stopped the program");
		SEND(c, "@0 calc 6*7");
		EXPECT_EXACT(c, S("Result from 127.0.0.1:%d for command "
		    "'calc 6*7': 42", pn));
	}
	CHECK(h_count(c, H_OUT, 0, cc->count) == 1, "%d result lines for "
	    "one command", h_count(c, H_OUT, 0, cc->count));
	no_children(p, 1000);
}
END_TEST

/*
 * A raw peer's CANCEL frame for a running program kills it, and no
 * RESULT comes for that id: the next frame is the next command's.
 */
START_TEST(test_raw_cancel)
{
	int pn = free_port();
	const char *path = pid_file();
	unsigned char buf[64];
	long pids[2], n;
	struct h_proc *p;
	struct h_raw r;

	p = node("server", pn, 0, S("'exec': {%s}", hang_program("hang",
	    path, LONG_S, HANG_PLAIN)));
	CHECK(h_raw_connect(&r, pn, H_WAIT) == 0, "cannot connect");
	expect_hello(&r, pn, NULL);
	CHECK(h_raw_hello(&r, RAW_PORT, "raw", (const unsigned char *)
	    "RAWPEER") == 0, "send HELLO");
	CHECK(h_raw_command(&r, 7, "hang") == 0, "send COMMAND");
	read_pids(path, pids, 2, H_WAIT);
	CHECK((n = proto_cancel_encode(buf, sizeof(buf), 7)) > 0, "encode");
	raw_send(&r, buf, (size_t)n);
	gone(p->pid, pids, 2, GONE_MS);
	CHECK(h_raw_command(&r, 8, "calc 1+1") == 0, "send COMMAND");
	expect_result(&r, 8, PROTO_STATUS_OK, "2");
	h_raw_close(&r);
}
END_TEST

/*
 * The caller goes while its program runs on the peer: SIGKILL (_i 0:
 * the link just breaks), SIGTERM (1: it says goodbye), or it stays and
 * types "disconnect 0" (2: its command then ends with one result line).
 * The peer kills the program, and still serves.
 */
START_TEST(test_caller_gone)
{
	static const int sigs[] = { SIGKILL, SIGTERM };
	int pn = free_port();
	const char *path = pid_file();
	struct h_proc *p, *c;
	long pids[2];

	p = node("server", pn, 0, S("'exec': {%s}", hang_program("hang",
	    path, LONG_S, HANG_PLAIN)));
	c = _i < 2 ? oneshot(pn, "@0 hang") : console_of(pn, NULL, "");
	if (_i == 2)
		SEND(c, "@0 hang");
	read_pids(path, pids, 2, H_WAIT);
	if (_i < 2) {
		h_signal(c, sigs[_i]);
		CHECK(h_wait(c, H_WAIT) != -1, "the caller did not end");
	} else {
		SEND(c, "disconnect 0");
		EXPECT(c, "for command 'hang'");
	}
	gone(p->pid, pids, 2, GONE_MS);
	if (_i == 2)
		CHECK(h_count(c, H_OUT, 0, "for command 'hang'") == 1,
		    "%d result lines for one command", h_count(c, H_OUT, 0,
		    "for command 'hang'"));
	no_children(p, 1000);
	serves(pn);
}
END_TEST

/* A node told to stop (SIGTERM) kills what it runs, and exits 0. */
START_TEST(test_node_stops)
{
	int pn = free_port();
	const char *path = pid_file();
	struct h_proc *p, *c;
	long pids[2];
	pid_t pid;

	p = node("server", pn, 0, S("'exec': {%s}", hang_program("hang",
	    path, LONG_S, HANG_PLAIN)));
	pid = p->pid;
	c = oneshot(pn, "@0 hang");
	read_pids(path, pids, 2, H_WAIT);
	h_signal(p, SIGTERM);
	EXPECT_EXIT(p, 0, H_WAIT);
	gone(pid, pids, 2, GONE_MS);
	CHECK(h_wait(c, H_WAIT) != -1, "the caller did not end");
}
END_TEST

/* ====================================================================== */

static Suite *
exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc;

	tc = suite_case(s, "running", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_programs, 0, 3);
	tcase_add_test(tc, test_uptime);
	tcase_add_test(tc, test_sigchld_ignored);
	tcase_add_test(tc, test_json);
	tcase_add_loop_test(tc, test_raw_exit_code, 0, 2);

	tc = suite_case(s, "config", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_bad_config, 0, NELEM(bad_configs));

	tc = suite_case(s, "limits", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_big_output, 0, NELEM(big_cases));
	tcase_add_loop_test(tc, test_cut_boundary, 0, 2);
	tcase_add_test(tc, test_cut_small_link);
	tcase_add_loop_test(tc, test_busy, 0, 2);
	tcase_add_test(tc, test_many);

	tc = suite_case(s, "ends", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_timeout, 0, NELEM(timeout_cases));
	tcase_add_loop_test(tc, test_cancel, 0, NELEM(cancel_cases));
	tcase_add_test(tc, test_raw_cancel);
	tcase_add_loop_test(tc, test_caller_gone, 0, 3);
	tcase_add_test(tc, test_node_stops);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(exec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
