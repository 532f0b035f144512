/*
 * cli: the kaipeer program as a function, kaipeer_main(): the command
 * line, the config file, standard input and output, the signals, and the
 * exit status.
 *
 * Contract (include/kaipeer.h): kaipeer_main() takes over the process's
 * standard descriptors and signals for its duration and gives them back
 * as it found them.  Before anything else is opened it makes sure
 * descriptors 0, 1 and 2 are open (on /dev/null if they were closed), so
 * that no socket or pipe of the node can land on them and be written to
 * as if it were standard output.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct.h"
#include "keys.h"
#include "node.h"
#include "repl.h"
#include "x25519.h"

#define USAGE1 "usage: kaipeer [-bhknqvV] [--json] [-t seconds] [-f script] " \
	"[-c line]... [-p host:port]... [config_file] [port]"
#define USAGE2 "usage: kaipeer --genkey key_file | --pubkey key_file"

struct cli {
	const char	*config;
	const char	*port;
	const char	**dial;		/* -p host:port */
	int		 ndial;
	struct repl_opts opts;
	const char	**lines;
	int		 signalled;	/* a signal ends the node */
	struct repl	*repl;
	struct kaipeer_node *node;
};

/* Descriptors 0, 1 and 2 open, whatever the parent left. */
static void
standard_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) == -1)
			return;		/* nothing better to do */
}

static int
usage(struct cli *c, const char *fmt, const char *what)
{
	if (fmt != NULL) {
		out_begin(c->node->out, OUT_STDERR);
		out_str(c->node->out, "kaipeer: ");
		out_printf(c->node->out, fmt, what);
		out_end(c->node->out);
	}
	node_err(c->node, USAGE1);
	node_err(c->node, USAGE2);
	return KAIPEER_EXIT_USAGE;
}

/*
 * --genkey: a new private key in path, its public key on standard output;
 * --pubkey: the public key of the key in path.  The exit status.
 */
static int
keyfile(struct cli *c, int generate, const char *path)
{
	unsigned char key[KEYS_SIZE], pub[KEYS_SIZE];
	char err[512], warn[512], b64[KEYS_B64 + 1];
	int rc;

	if (generate)
		rc = keys_generate(path, pub, err, sizeof(err));
	else if ((rc = keys_load(path, key, err, sizeof(err), warn,
	    sizeof(warn))) == 0) {
		x25519_public(pub, key);
		ct_wipe(key, sizeof(key));
		if (warn[0] != '\0')
			node_err(c->node, "kaipeer: warning: %s", warn);
	}
	if (rc == -1) {
		node_err(c->node, "kaipeer: %s", err);
		return KAIPEER_EXIT_FAILED;
	}
	keys_format(b64, pub);
	node_print(c->node, "%s", b64);
	return KAIPEER_EXIT_OK;
}

/*
 * "-t seconds": a decimal number of seconds, more than 0 and at most a
 * day, as milliseconds (rounded up); -1 if it is not one.
 */
static long
seconds_arg(const char *s)
{
	long ms = 0, scale = 100;
	int digits = 0, rest = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if ((ms = ms * 10 + (*s - '0')) > 86400)
			return -1;
	ms *= 1000;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			if (scale > 0)
				ms += (*s - '0') * scale;
			else
				rest |= *s != '0';
			scale /= 10;
		}
	if (*s != '\0' || digits == 0)
		return -1;
	ms += rest;
	return ms > 0 && ms <= 86400L * 1000 ? ms : -1;
}

/* The value of an option: the rest of the word, or the next word. */
static const char *
optarg_of(const char *a, int argc, char **argv, int *i)
{
	if (a[1] != '\0')
		return a + 1;
	if (*i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/*
 * Parse the command line, getopt style (-qv, -c line, -cline, --).
 * Returns -1 to go on, or the exit status to return at once.
 */
static int
parse_args(struct cli *c, int argc, char **argv)
{
	struct kaipeer_node *n = c->node;
	struct repl_opts *o = &c->opts;
	const char *a, *v;
	int i, npos = 0, opts = 1;

	if ((c->lines = calloc((size_t)argc + 1, sizeof(char *))) == NULL ||
	    (c->dial = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return KAIPEER_EXIT_SOFTWARE;
	o->lines = c->lines;
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = 0;
			continue;
		}
		if (opts && strcmp(a, "--help") == 0)
			a = "-h";
		if (opts && strcmp(a, "--version") == 0)
			a = "-V";
		if (opts && strcmp(a, "--daemon") == 0)
			a = "-n";
		if (opts && strcmp(a, "--json") == 0) {
			o->shell.json = n->json = n->quiet = 1;
			continue;
		}
		if (opts && (strcmp(a, "--genkey") == 0 ||
		    strcmp(a, "--pubkey") == 0)) {
			if (i + 1 >= argc)
				return usage(c, "%s needs a key file", a);
			return keyfile(c, a[2] == 'g', argv[i + 1]);
		}
		if (opts && a[0] == '-' && a[1] == '-')
			return usage(c, "unknown option '%s'", a);
		if (!opts || a[0] != '-' || a[1] == '\0') {
			if (npos == 2)
				return usage(c, "too many arguments%s", "");
			*(npos++ == 0 ? &c->config : &c->port) = a;
			continue;
		}
		for (a++; *a != '\0'; a++) {
			switch (*a) {
			case 'h':
				node_print(n, USAGE1);
				node_print(n, USAGE2);
				return KAIPEER_EXIT_OK;
			case 'V':
				node_print(n, "kaipeer %s", KAIPEER_VERSION);
				return KAIPEER_EXIT_OK;
			case 'q':
				n->quiet = 1;
				continue;
			case 'v':
				n->verbose = 1;
				continue;
			case 'b':
				o->shell.gather = 1;
				continue;
			case 'k':
				o->keep_going = 1;
				continue;
			case 'n':
				o->daemon = 1;
				continue;
			case 'p':
				if ((v = optarg_of(a, argc, argv, &i)) == NULL)
					return usage(c, "-p needs a peer, "
					    "host:port%s", "");
				c->dial[c->ndial++] = v;
				break;
			case 'c':
				if ((v = optarg_of(a, argc, argv, &i)) == NULL)
					return usage(c, "-c needs a console "
					    "line%s", "");
				c->lines[o->nlines++] = v;
				break;
			case 'f':
				if ((v = optarg_of(a, argc, argv, &i)) == NULL)
					return usage(c, "-f needs a script "
					    "file%s", "");
				o->script = v;
				break;
			case 't':
				if ((v = optarg_of(a, argc, argv, &i)) == NULL)
					return usage(c, "-t needs a number of "
					    "seconds%s", "");
				if ((o->shell.timeout_ms = seconds_arg(v)) < 0)
					return usage(c, "invalid timeout '%s': "
					    "seconds, more than 0 and at most "
					    "86400", v);
				break;
			default: {
				char opt[3] = { '-', *a, '\0' };

				return usage(c, "unknown option '%s'", opt);
			}
			}
			break;	/* the option took the rest of the word */
		}
	}
	if (o->script != NULL && o->nlines > 0)
		return usage(c, "-c and -f do not go together%s", "");
	if (o->daemon && (o->script != NULL || o->nlines > 0))
		return usage(c, "-n does not go with -c or -f%s", "");
	n->oneshot = o->nlines > 0 || o->script != NULL;
	o->shell.wait_dials = n->oneshot;
	return -1;
}

/* An operand of digits alone is a port, not a file. */
static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* -p host:port (or [v6]:port): dial it.  -1 to go on, or a status. */
static int
add_dial(struct cli *c, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	char host[256];
	size_t hl;
	int port;

	if (colon == NULL || colon == arg || (port = console_port(colon + 1,
	    strlen(colon + 1))) < 0)
		goto bad;
	hl = (size_t)(colon - arg);
	if (arg[0] == '[' && arg[hl - 1] == ']') {
		arg++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	if (config_check_host(host) != NULL)
		goto bad;
	if (kaipeer_add_peer(c->node, host, port) < 0) {
		node_err(c->node, "kaipeer: out of memory");
		return KAIPEER_EXIT_SOFTWARE;
	}
	return -1;
bad:
	node_err(c->node, "kaipeer: invalid peer '%s': give host:port, "
	    "[ipv6]:port, the port from 1 to 65535", arg);
	return KAIPEER_EXIT_USAGE;
}

/* The config file and the port argument.  -1 to go on, or a status. */
static int
setup_config(struct cli *c)
{
	struct kaipeer_node *n = c->node;
	const char *path = c->config;
	int i, port, rc;

	/* "kaipeer 21500": a port alone. */
	if (path != NULL && c->port == NULL && all_digits(path)) {
		c->port = path;
		path = NULL;
	} else if (path == NULL && access("peer_config.json", F_OK) == 0)
		path = "peer_config.json";
	if (path != NULL && kaipeer_load_config(n, path) == -1)
		return KAIPEER_EXIT_CONFIG;
	if (c->port != NULL) {
		if ((port = console_port(c->port, strlen(c->port))) < 0) {
			node_err(n, "kaipeer: invalid port '%s': must be an "
			    "integer from 1 to 65535", c->port);
			return KAIPEER_EXIT_USAGE;
		}
		n->cfg.listen_port = port;
	}
	for (i = 0; i < c->ndial; i++)
		if ((rc = add_dial(c, c->dial[i])) >= 0)
			return rc;
	return -1;
}

/* --- signals -------------------------------------------------------------- */

static void
on_stop_signal(void *ctx, int signo)
{
	struct cli *c = ctx;

	/* Ctrl-C on a console cancels what is in flight, the second ends. */
	if (signo == SIGINT && c->repl != NULL && repl_interrupt(c->repl))
		return;
	c->signalled = 1;
	kaipeer_stop(c->node);
}

static void
on_hup(void *ctx, int signo)
{
	struct cli *c = ctx;

	(void)signo;
	node_reload(c->node);
}

static void
on_usr1(void *ctx, int signo)
{
	struct cli *c = ctx;

	(void)signo;
	node_report(c->node);
}

static int
take_signals(struct cli *c)
{
	struct loop *l = c->node->loop;

	/*
	 * A peer that vanishes mid-write is a lost link, not the end of the
	 * process; a node in the background of its terminal keeps serving
	 * (a read then fails with EIO, a write goes through).  Programs are
	 * reaped with waitid(), so SIGCHLD must not be ignored, as a parent
	 * may have left it (children would then reap themselves).
	 */
	if (loop_default_signal(l, SIGCHLD) == -1 ||
	    loop_ignore_signal(l, SIGPIPE) == -1 ||
	    loop_ignore_signal(l, SIGTTIN) == -1 ||
	    loop_ignore_signal(l, SIGTTOU) == -1 ||
	    loop_signal(l, SIGINT, on_stop_signal, c) == -1 ||
	    loop_signal(l, SIGTERM, on_stop_signal, c) == -1 ||
	    loop_signal(l, SIGQUIT, on_stop_signal, c) == -1 ||
	    loop_signal(l, SIGHUP, on_hup, c) == -1 ||
	    loop_signal(l, SIGUSR1, on_usr1, c) == -1)
		return -1;
	return 0;
}

/* --- the program ---------------------------------------------------------- */

static int
run(struct cli *c)
{
	struct kaipeer_node *n = c->node;
	int rc;

	if ((rc = kaipeer_start(n)) != 0)
		return rc;
	c->opts.interactive = n->cfg.interactive && !c->opts.daemon;
	if ((c->repl = repl_new(n, &c->opts)) == NULL) {
		node_err(n, "kaipeer: out of memory");
		return KAIPEER_EXIT_SOFTWARE;
	}
	repl_start(c->repl);
	while (!n->stopping)
		if (loop_turn(n->loop, -1) == -1) {
			node_err(n, "kaipeer: poll: %s", strerror(errno));
			rc = KAIPEER_EXIT_SOFTWARE;
			break;
		}
	node_stop(n, 1);
	node_finish(n);
	if (rc == 0 && n->oneshot)
		rc = repl_status(c->repl);
	return rc;
}

int
kaipeer_main(struct kaipeer_node *n, int argc, char **argv)
{
	struct output *o;
	struct cli c;
	int rc;

	standard_fds();
	memset(&c, 0, sizeof(c));
	c.node = n;
	if ((o = output_new(n->loop, STDOUT_FILENO, STDERR_FILENO,
	    OUT_DEFAULT_BOUND)) == NULL)
		return KAIPEER_EXIT_SOFTWARE;
	output_free(n->out, 0);
	n->out = o;
	/* Every diagnostic says whose it is; a service's lines say when. */
	output_prefix(o, OUT_STDERR, OUT_PREFIX_NAME);
	if ((rc = parse_args(&c, argc, argv)) < 0 && c.opts.daemon &&
	    !isatty(STDOUT_FILENO)) {
		output_prefix(o, OUT_STDOUT, OUT_PREFIX_TIME);
		output_prefix(o, OUT_STDERR, OUT_PREFIX_NAME | OUT_PREFIX_TIME);
	}
	if (rc < 0 && (rc = setup_config(&c)) < 0) {
		if (take_signals(&c) == -1) {
			node_err(n, "kaipeer: signals: %s", strerror(errno));
			rc = KAIPEER_EXIT_SOFTWARE;
		} else
			rc = run(&c);
	}
	repl_free(c.repl);
	loop_signals_restore(n->loop);
	/* Everything said is written, within a bound; then stdio is back. */
	output_free(n->out, NODE_DRAIN_MS);
	n->out = output_new_log(NULL, NULL);
	free(c.lines);
	free(c.dial);
	return rc;
}
