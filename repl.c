/*
 * repl: the console (contract in include/repl.h).
 *
 * Lines run through run_line(), whichever way they came.  Whether the
 * console is done is decided once per loop turn, in a hook, from state:
 * closing (exit, end of input, end of -c) and nothing left in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl.h"

#define BACKGROUND_RETRY_MS	500	/* a background node looks again */

struct repl {
	struct kaipeer_node *n;
	int		 interactive;
	int		 prompt;	/* print "> " */
	int		 fd;		/* standard input, -1 when not read */
	int		 own_fd;	/* fd was opened here (a terminal) */
	int		 restore_fl;	/* fd 0's flags to give back, or -1 */
	char		*line;
	size_t		 len;
	int		 skip;		/* discarding an overlong line */
	int		 closing;	/* exit once nothing is in flight */
	const char	**lines;	/* one-shot: -c lines */
	int		 nlines;
	int		 ran;		/* one-shot: the lines have run */
	int		*dialled;	/* one-shot: entries "connect" dialled */
	int		 ndialled;
	int		 failed;
	struct loop_timer retry;	/* background: read again later */
};

static void read_input(void *ctx, int fd, int events);

/* --- lines of output ------------------------------------------------------ */

static void
show_prompt(struct repl *r)
{
	if (r->prompt && !r->closing)
		out_partial(r->n->out, OUT_STDOUT, "> ", 2);
}

static void
print_help(struct repl *r)
{
	struct kaipeer_node *n = r->n;
	const char *name;
	int i;

	node_print(n, "Available commands:");
	node_print(n, "  help                   - Show this help");
	node_print(n, "  connect <host> <port>  - Connect to another peer");
	node_print(n, "  peers                  - List peers and their indexes");
	node_print(n, "  @<peer> <command>      - Run a command on a peer "
	    "(index, ip:port or name)");
	node_print(n, "  calc <expression>      - Evaluate an arithmetic "
	    "expression");
	node_print(n, "  system status          - Show this node's status");
	for (i = 0; (name = commands_name(n->cmds, i)) != NULL; i++)
		if (strcmp(name, "calc") != 0 && strcmp(name, "system") != 0)
			node_print(n, "  %-22s - A registered command", name);
	node_print(n, "  exit, quit             - Exit the program");
	node_print(n, "Predefined commands:");
	for (i = 0; i < n->cfg.naliases; i++)
		node_print(n, "  %s - %s", n->cfg.aliases[i].name,
		    n->cfg.aliases[i].expansion);
}

static void
print_entry(struct kaipeer_node *n, const struct peer *e)
{
	struct output *o = n->out;

	out_begin(o, OUT_STDOUT);
	out_printf(o, "  %d: %s", e->index, peer_label(e));
	if (e->name[0] != '\0') {
		out_str(o, " (");
		out_safe(o, e->name, strlen(e->name));
		out_str(o, ")");
	}
	if (e->state == PEER_CONNECTING)
		out_str(o, " [connecting]");
	else if (e->retry_at != 0)
		out_printf(o, " [retrying in %lld s]",
		    (e->retry_at - loop_now(n->loop) + 999) / 1000);
	else if (e->state == PEER_DOWN)
		out_str(o, " [disconnected]");
	else if (e->state == PEER_FAILED) {
		out_str(o, " [failed: ");
		out_safe(o, e->why, strlen(e->why));
		out_str(o, "]");
	}
	out_end(o);
}

static void
print_peers(struct repl *r)
{
	struct kaipeer_node *n = r->n;
	struct peer *e;
	int i, up = 0, other = 0;

	for (i = 0; i < peers_count(n->peers); i++) {
		if ((e = peers_at(n->peers, i)) == NULL)
			continue;
		if (e->state == PEER_UP)
			up++;
		else
			other++;
	}
	node_print(n, up == 0 ? "No peers connected." : "Connected peers:");
	for (i = 0; i < peers_count(n->peers); i++)
		if ((e = peers_at(n->peers, i)) != NULL && e->state == PEER_UP)
			print_entry(n, e);
	if (other > 0)
		node_print(n, "Other peers:");
	for (i = 0; i < peers_count(n->peers); i++)
		if ((e = peers_at(n->peers, i)) != NULL && e->state != PEER_UP)
			print_entry(n, e);
}

/* --- actions -------------------------------------------------------------- */

static void
console_connect(struct repl *r, const char *host, size_t hlen, int port)
{
	struct kaipeer_node *n = r->n;
	const char *why;
	char name[256];
	struct peer *e;
	int *d;

	if (hlen >= sizeof(name)) {
		node_print(n, "Usage: connect <host> <port>");
		r->failed = 1;
		return;
	}
	memcpy(name, host, hlen);
	name[hlen] = '\0';
	if ((why = config_check_host(name)) != NULL) {
		node_print(n, "connect: %s", why);
		r->failed = 1;
		return;
	}
	if ((e = peers_entry(n->peers, name, port, PEER_CONNECT)) == NULL) {
		node_print(n, "Cannot add another peer");
		r->failed = 1;
		return;
	}
	if (e->state == PEER_UP || e->nlinks > 0 || e->state ==
	    PEER_CONNECTING) {
		node_say(n, "Already connected to peer: %s", peer_label(e));
		return;
	}
	node_say(n, "Connecting to peer at %s", e->dial);
	if (r->lines != NULL &&
	    (d = realloc(r->dialled, (size_t)(r->ndialled + 1) *
	    sizeof(*d))) != NULL) {
		r->dialled = d;
		d[r->ndialled++] = e->index;
	}
	peers_dial(n->peers, e);
}

/* The result of a command the console sent. */
static void
print_result(void *ctx, struct request *q, int status, const char *text,
    size_t len)
{
	struct repl *r = ctx;
	struct kaipeer_node *n = r->n;
	struct peer *e = peers_at(n->peers, q->peer);
	struct output *o = n->out;

	out_begin(o, OUT_STDOUT);
	out_printf(o, "Result from %s for command '",
	    e != NULL ? peer_label(e) : "?");
	out_safe(o, q->text, q->len);
	out_str(o, "': ");
	out_safe(o, text, len);
	out_end(o);
	if (status != REQ_OK)
		r->failed = 1;
}

static void
console_remote(struct repl *r, const struct console_cmd *cmd)
{
	struct kaipeer_node *n = r->n;
	struct peer *e, *found[8];
	struct output *o = n->out;
	int i, nf;

	if ((e = peers_find(n->peers, cmd->peer, cmd->peer_len, found, 8,
	    &nf)) == NULL) {
		r->failed = 1;
		out_begin(o, OUT_STDOUT);
		if (nf <= 1) {
			out_str(o, "No peer found matching '");
			out_safe(o, cmd->peer, cmd->peer_len);
			out_str(o, "'");
		} else {
			out_str(o, "Peer '");
			out_safe(o, cmd->peer, cmd->peer_len);
			out_printf(o, "' is ambiguous: %d peers match:", nf);
			for (i = 0; i < nf && i < 8; i++)
				out_printf(o, "%s %d (%s)", i > 0 ? "," : "",
				    found[i]->index, peer_label(found[i]));
		}
		out_end(o);
		return;
	}
	/* A peer still connecting gets the command once it is up. */
	if (e->state != PEER_UP && e->state != PEER_CONNECTING) {
		node_print(n, "Peer %d (%s) is not connected", e->index,
		    peer_label(e));
		r->failed = 1;
		return;
	}
	if (req_send(n->reqs, e, cmd->text, cmd->text_len,
	    n->cfg.command_timeout_ms, print_result, r) == NULL) {
		if (errno == EMSGSIZE)
			node_print(n, "Command too long for %s (%lu bytes, at "
			    "most %lu)", peer_label(e),
			    (unsigned long)cmd->text_len,
			    (unsigned long)session_max_text(e->link));
		else
			node_print(n, "Cannot send the command: %s",
			    strerror(errno));
		r->failed = 1;
		return;
	}
	if (!n->quiet) {
		out_begin(o, OUT_STDOUT);
		out_str(o, "Sent command '");
		out_safe(o, cmd->text, cmd->text_len);
		out_printf(o, "' to %s", peer_label(e));
		out_end(o);
	}
}

static void stop_reading(struct repl *r);

/* Run one console line, from standard input or -c. */
static void
run_line(struct repl *r, const char *line, size_t len)
{
	struct console_cmd cmd;

	console_parse(line, len, &cmd);
	switch (cmd.kind) {
	case CONSOLE_EMPTY:
		break;
	case CONSOLE_HELP:
		print_help(r);
		break;
	case CONSOLE_PEERS:
		print_peers(r);
		break;
	case CONSOLE_EXIT:
		r->closing = 1;
		stop_reading(r);
		break;
	case CONSOLE_CONNECT:
		console_connect(r, cmd.text, cmd.text_len, cmd.port);
		break;
	case CONSOLE_REMOTE:
		console_remote(r, &cmd);
		break;
	case CONSOLE_USAGE:
		node_print(r->n, "%s", cmd.usage);
		r->failed = 1;
		break;
	case CONSOLE_LOCAL:
		node_run_local(r->n, cmd.text, cmd.text_len);
		break;
	}
}

/* --- standard input ------------------------------------------------------- */

static void
stop_reading(struct repl *r)
{
	if (r->fd < 0)
		return;
	loop_unwatch(r->n->loop, r->fd);
	loop_timer_stop(r->n->loop, &r->retry);
	if (r->own_fd)
		close(r->fd);
	if (r->restore_fl != -1)
		(void)fcntl(STDIN_FILENO, F_SETFL, r->restore_fl);
	r->fd = -1;
	r->own_fd = 0;
	r->restore_fl = -1;
}

static void
read_again(void *ctx)
{
	struct repl *r = ctx;

	if (r->fd >= 0)
		loop_want(r->n->loop, r->fd, LOOP_READ);
}

static void
input_ended(struct repl *r)
{
	if (r->len > 0 && !r->skip)
		run_line(r, r->line, r->len);
	r->len = 0;
	stop_reading(r);
	/* A node that is not interactive is a server: it goes on. */
	if (r->interactive)
		r->closing = 1;
}

static void
read_input(void *ctx, int fd, int events)
{
	struct repl *r = ctx;
	char buf[4096];
	ssize_t n;
	size_t i, len;

	(void)events;
	n = read(fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n == -1 && errno == EIO) {
		/* In the background of its terminal: look again later. */
		loop_want(r->n->loop, fd, 0);
		(void)loop_timer_at(r->n->loop, &r->retry,
		    loop_now(r->n->loop) + BACKGROUND_RETRY_MS);
		return;
	}
	if (n <= 0) {
		input_ended(r);
		return;
	}
	for (i = 0; i < (size_t)n && r->fd >= 0; i++) {
		if (buf[i] != '\n') {
			if (r->len == REPL_LINE_MAX) {
				if (!r->skip)
					node_err(r->n, "Input line longer "
					    "than %d bytes ignored",
					    REPL_LINE_MAX);
				r->skip = 1;
				r->len = 0;
			}
			if (!r->skip)
				r->line[r->len++] = buf[i];
			continue;
		}
		len = r->len;
		if (len > 0 && r->line[len - 1] == '\r')
			len--;
		if (!r->skip)
			run_line(r, r->line, len);
		r->len = 0;
		r->skip = 0;
		show_prompt(r);
	}
}

/* Read fd 0 without blocking, whatever it is. */
static int
open_input(struct repl *r)
{
	const char *tty;
	int fl, fd;

	r->restore_fl = -1;
	if (isatty(STDIN_FILENO) && (tty = ttyname(STDIN_FILENO)) != NULL &&
	    (fd = open(tty, O_RDONLY | O_NOCTTY | O_NONBLOCK)) >= 0) {
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		r->fd = fd;
		r->own_fd = 1;
	} else {
		r->fd = STDIN_FILENO;
		if ((fl = fcntl(STDIN_FILENO, F_GETFL)) != -1 &&
		    !(fl & O_NONBLOCK) &&
		    fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) != -1)
			r->restore_fl = fl;
	}
	if (loop_watch(r->n->loop, r->fd, LOOP_READ, read_input, r) == -1) {
		stop_reading(r);
		return -1;
	}
	return 0;
}

/* --- endings ---------------------------------------------------------------- */

/* Every turn: run -c lines when their time has come; end when done. */
static void
check(void *ctx)
{
	struct repl *r = ctx;
	struct kaipeer_node *n = r->n;
	struct peer *e;
	int i;

	if (n->stopping)
		return;
	if (r->lines != NULL && !r->ran && !peers_connecting(n->peers)) {
		r->ran = 1;
		for (i = 0; i < r->nlines && !r->closing; i++)
			run_line(r, r->lines[i], strlen(r->lines[i]));
		r->closing = 1;
	}
	if (!r->closing || reqs_inflight(n->reqs) > 0 ||
	    commands_running(n->cmds) > 0)
		return;
	if (r->lines != NULL) {
		/* Each "connect" has its outcome first. */
		for (i = 0; i < r->ndialled; i++) {
			e = peers_at(n->peers, r->dialled[i]);
			if (e != NULL && e->state == PEER_CONNECTING)
				return;
		}
		for (i = 0; i < r->ndialled; i++) {
			e = peers_at(n->peers, r->dialled[i]);
			if (e == NULL || e->state != PEER_UP)
				r->failed = 1;
		}
	}
	kaipeer_stop(n);
}

struct repl *
repl_new(struct kaipeer_node *n, int interactive, const char **lines,
    int nlines)
{
	struct repl *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->n = n;
	r->fd = -1;
	r->restore_fl = -1;
	r->interactive = interactive;
	if (nlines > 0) {
		r->lines = lines;
		r->nlines = nlines;
	} else if ((r->line = malloc(REPL_LINE_MAX)) == NULL) {
		free(r);
		return NULL;
	}
	loop_timer_init(&r->retry, read_again, r);
	if (loop_hook(n->loop, check, r) == -1) {
		free(r->line);
		free(r);
		return NULL;
	}
	return r;
}

void
repl_start(struct repl *r)
{
	if (r->lines != NULL)
		return;
	if (r->interactive) {
		node_say(r->n, "P2P Network Console");
		node_say(r->n, "Type 'help' for available commands, 'exit' to "
		    "quit");
		r->prompt = isatty(STDIN_FILENO);
	}
	if (open_input(r) == -1)
		node_err(r->n, "kaipeer: cannot read standard input");
	show_prompt(r);
}

int
repl_failed(const struct repl *r)
{
	return r->failed || r->n->failed;
}

void
repl_interrupt(struct repl *r)
{
	stop_reading(r);
	kaipeer_stop(r->n);
}

void
repl_free(struct repl *r)
{
	if (r == NULL)
		return;
	stop_reading(r);
	loop_unhook(r->n->loop, check, r);
	free(r->line);
	free(r->dialled);
	free(r);
}
