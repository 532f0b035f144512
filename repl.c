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
#include "script.h"
#include "term.h"

#define BACKGROUND_RETRY_MS	500	/* a background node looks again */

struct repl {
	struct kaipeer_node *n;
	struct shell	*sh;
	struct repl_opts opts;
	int		 interactive;
	int		 prompt;	/* print "> " */
	int		 fd;		/* standard input, -1 when not read */
	int		 own_fd;	/* fd was opened here (a terminal) */
	int		 restore_fl;	/* fd 0's flags to give back, or -1 */
	char		*line;
	size_t		 len;
	int		 skip;		/* discarding an overlong line */
	int		 closing;	/* exit once nothing is in flight */
	int		 oneshot;	/* -c or -f */
	int		 ran;		/* one-shot: the lines have ended */
	int		 status;	/* the worst exit status so far */
	long long	 last_int;	/* the last Ctrl-C, ms */
	struct loop_timer retry;	/* background: read again later */
	struct term	*term;		/* a terminal: line editing */
};

static void read_input(void *ctx, int fd, int events);
static void stop_reading(struct repl *r);

static void
show_prompt(struct repl *r)
{
	if (r->term != NULL)
		term_prompt(r->term);
	else if (r->prompt && !r->closing)
		out_partial(r->n->out, OUT_STDOUT, "> ", 2);
}

static void
on_exit_cmd(void *ctx)
{
	struct repl *r = ctx;
	struct kaipeer_node *n = r->n;
	int k;

	r->closing = 1;
	stop_reading(r);
	/* Say what the end waits for (each ends within its timeout). */
	k = reqs_inflight(n->reqs) + commands_running(n->cmds);
	if (k > 0)
		node_print(n, "Waiting for %d command%s in flight before exiting "
		    "(Ctrl-C cancels them)", k, k == 1 ? "" : "s");
}

/* A typed line ended; its status matters only to one-shot runs. */
static void
typed_done(void *ctx, int status)
{
	struct repl *r = ctx;

	if (status > r->status)
		r->status = status;
}

static void
run_line(struct repl *r, const char *line, size_t len)
{
	shell_run(r->sh, line, len, typed_done, r);
}

/* A line from the line editor. */
static void
typed_line(void *ctx, const char *line, size_t len)
{
	run_line(ctx, line, len);
}

/* --- standard input ------------------------------------------------------- */

static void
stop_reading(struct repl *r)
{
	if (r->term != NULL)
		term_stop(r->term);	/* freed with the console */
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
	if (r->term != NULL) {
		if (term_feed(r->term, buf, (size_t)n) && r->fd >= 0)
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

static void
oneshot_done(void *ctx, int status)
{
	struct repl *r = ctx;

	if (status > r->status)
		r->status = status;
	r->ran = 1;
	r->closing = 1;
}

/* Every turn: is the console done? */
static void
check(void *ctx)
{
	struct repl *r = ctx;
	struct kaipeer_node *n = r->n;

	if (n->stopping)
		return;
	if (r->oneshot ? !r->ran : (!r->closing || shell_busy(r->sh) > 0 ||
	    reqs_inflight(n->reqs) > 0 || commands_running(n->cmds) > 0))
		return;
	kaipeer_stop(n);
}

struct repl *
repl_new(struct kaipeer_node *n, const struct repl_opts *o)
{
	struct repl *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->n = n;
	r->opts = *o;
	r->fd = -1;
	r->restore_fl = -1;
	r->interactive = o->interactive;
	r->oneshot = o->nlines > 0 || o->script != NULL;
	loop_timer_init(&r->retry, read_again, r);
	/* Hooks run last registered first: the shell's, whose jobs may end
	 * in it, must run before this one, which sees that they ended. */
	if ((!r->oneshot && (r->line = malloc(REPL_LINE_MAX)) == NULL) ||
	    loop_hook(n->loop, check, r) == -1) {
		free(r->line);
		free(r);
		return NULL;
	}
	if ((r->sh = shell_new(n, &o->shell, on_exit_cmd, r)) == NULL) {
		loop_unhook(n->loop, check, r);
		free(r->line);
		free(r);
		return NULL;
	}
	script_attach(r->sh);
	return r;
}

void
repl_start(struct repl *r)
{
	if (r->opts.script != NULL) {
		script_file(r->sh, r->opts.script, r->opts.keep_going, 0,
		    oneshot_done, r);
		return;
	}
	if (r->oneshot) {
		script_lines(r->sh, r->opts.lines, r->opts.nlines, 1,
		    oneshot_done, r);
		return;
	}
	if (r->opts.daemon)
		return;		/* a service: no console at all */
	if (r->interactive) {
		node_say(r->n, "P2P Network Console");
		node_say(r->n, "Type 'help' for available commands, 'exit' to "
		    "quit");
		r->prompt = isatty(STDIN_FILENO);
	}
	if (open_input(r) == -1)
		node_err(r->n, "kaipeer: cannot read standard input");
	else if (r->prompt && (r->term = term_new(r->n, r->fd,
	    r->n->cfg.history, typed_line, r)) != NULL) {
		term_start(r->term);
		return;
	}
	show_prompt(r);
}

int
repl_status(const struct repl *r)
{
	return r->status;
}

int
repl_interrupt(struct repl *r)
{
	long long now = loop_clock_ms();
	int k;

	/* Only a console on a terminal keeps going; twice in a second ends. */
	if (!r->prompt || r->fd < 0 || (r->last_int != 0 &&
	    now - r->last_int < REPL_DOUBLE_INT_MS))
		return 0;
	r->last_int = now;
	if (r->term != NULL)
		term_drop_line(r->term);	/* as a shell drops it */
	k = shell_interrupt(r->sh);
	if (k > 0)
		node_print(r->n, "Cancelled %d command%s (Ctrl-C again within "
		    "a second to exit)", k, k == 1 ? "" : "s");
	else
		node_print(r->n, "Nothing to cancel (Ctrl-C again within a "
		    "second to exit, or type exit)");
	show_prompt(r);
	return 1;
}

void
repl_free(struct repl *r)
{
	if (r == NULL)
		return;
	stop_reading(r);
	term_free(r->term);
	shell_free(r->sh);
	loop_unhook(r->n->loop, check, r);
	free(r->line);
	free(r);
}
