/*
 * exec: the programs of the config's "exec" (contract in include/exec.h).
 *
 * Each program is an asynchronous processor under its own name.  A call
 * becomes an argv (the configured words, then, with "args", the caller's
 * words split as a shell would split them, each one argument, never
 * through a shell), a process started by proc.c, and, when it ends, one
 * result: its output, cut to fit with a note saying so, ok if it exited
 * 0 and an error carrying its exit code otherwise.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "proc.h"
#include "words.h"

#define NOTE_MAX	160		/* room for the notes after the output */

struct run;

struct execs {
	struct kaipeer_node *n;
	struct procs	*procs;
	struct run	*runs;		/* running, for execs_free() */
	char		**names;	/* the programs registered */
	int		 nnames;
};

/* One program running for one call. */
struct run {
	struct execs	*x;
	struct kaipeer_call *call;
	struct proc	*p;
	long		 timeout_ms;
	struct run	*prev, *next;
};

struct execs *
execs_new(struct kaipeer_node *n)
{
	struct execs *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->n = n;
	if ((x->procs = procs_new(n->loop, n->cfg.max_processes)) == NULL) {
		free(x);
		return NULL;
	}
	return x;
}

/* r is over: off the list, its call answered (now, or before). */
static void
run_free(struct run *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else if (r->x->runs == r)
		r->x->runs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	free(r);
}

void
execs_free(struct execs *x)
{
	struct run *r;
	int i;

	if (x == NULL)
		return;
	/* Nobody hears of these any more; procs_free() kills them all. */
	while ((r = x->runs) != NULL) {
		r->call->gone = 1;
		commands_reply(r->call, KAIPEER_ERROR, -1, "", 0);
		run_free(r);
	}
	procs_free(x->procs);
	for (i = 0; i < x->nnames; i++)
		free(x->names[i]);
	free(x->names);
	free(x);
}

int
execs_running(const struct execs *x)
{
	return x != NULL ? procs_running(x->procs) : 0;
}

static const struct config_exec *
program(const struct execs *x, const char *name)
{
	const struct config *c = &x->n->cfg;
	int i;

	for (i = 0; i < c->nexecs; i++)
		if (strcmp(c->execs[i].name, name) == 0)
			return &c->execs[i];
	return NULL;
}

/* The most output a result for the call's asker can carry. */
static size_t
room_for(const struct execs *x, const struct kaipeer_call *call)
{
	struct kaipeer_node *n = x->n;
	size_t max = (size_t)n->cfg.max_result, link;
	struct peer *e;

	if (call->peer >= 0 && (e = peers_at(n->peers, call->peer)) != NULL &&
	    e->link != NULL) {
		link = session_max_text(e->link);
		link = link > 2 + NOTE_MAX + 1024 ? link - 2 - NOTE_MAX : 1024;
		if (link < max)
			max = link;
	}
	return max;
}

static void
reply(struct run *r, int status, int exit_code, const char *text, size_t len)
{
	struct kaipeer_call *call = r->call;

	r->call = NULL;
	commands_reply(call, status, exit_code, text, len);
}


/* Add a note on a line of its own after the output (and other notes). */
static void
add_note(char *note, int *n, int after_text, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= NOTE_MAX - 1)
		return;
	if (after_text || *n > 0)
		note[(*n)++] = '\n';
	va_start(ap, fmt);
	k = vsnprintf(note + *n, (size_t)(NOTE_MAX - *n), fmt, ap);
	va_end(ap);
	if (k > 0)
		*n += k < NOTE_MAX - *n ? k : NOTE_MAX - 1 - *n;
}

/* The result of a program: its output, then what the user must know. */
static void
on_end(void *ctx, struct proc *p, const struct proc_end *end)
{
	struct run *r = ctx;
	const struct config_exec *pg;
	char note[NOTE_MAX], *text;
	size_t len = end->len;
	int n = 0, open_line = len > 0 && end->out[len - 1] != '\n';
	int ok = end->started && end->code == 0 && !end->timed_out;

	(void)p;
	if (!end->started) {
		pg = program(r->x, kaipeer_call_command(r->call));
		n = snprintf(note, sizeof(note), "Error: cannot run '%s': %s",
		    pg != NULL ? pg->argv[0] : "?", strerror(end->err));
		reply(r, KAIPEER_ERROR, -1, note, (size_t)n);
		run_free(r);
		return;
	}
	if (end->total > end->len)
		add_note(note, &n, open_line, "[output cut: %llu bytes, the "
		    "first %lu shown]", end->total, (unsigned long)len);
	if (end->timed_out)
		add_note(note, &n, open_line, "[timed out after %ld ms: "
		    "killed]", r->timeout_ms);
	else if (end->signo != 0)
		add_note(note, &n, open_line, "[killed by signal %d]",
		    end->signo);
	if (n == 0 || (text = malloc(len + (size_t)n)) == NULL) {
		/* Without a note (or memory for one) the output says it. */
		reply(r, ok ? KAIPEER_OK : KAIPEER_ERROR, end->code, end->out,
		    len);
		run_free(r);
		return;
	}
	memcpy(text, end->out, len);
	memcpy(text + len, note, (size_t)n);
	reply(r, ok ? KAIPEER_OK : KAIPEER_ERROR, end->code, text,
	    len + (size_t)n);
	free(text);
	run_free(r);
}

/* The caller gave up, or went: stop the program. */
static void
on_cancel(void *ctx, struct kaipeer_call *call)
{
	struct run *r = ctx;

	(void)call;
	proc_cancel(r->p);
	reply(r, KAIPEER_ERROR, -1, "Error: cancelled", 16);
	run_free(r);
}

/* The argv of one call: the program's words, then the caller's. */
static char **
make_argv(const struct config_exec *pg, const char *args, size_t alen,
    char *buf, const char **err)
{
	char **argv;
	int n = 0, max = pg->argc + CONFIG_MAX_ARGV + 1;

	if ((argv = calloc((size_t)max, sizeof(*argv))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	memcpy(argv, pg->argv, (size_t)pg->argc * sizeof(*argv));
	if (alen > 0 && (n = words_split(args, alen, buf, alen + 1,
	    argv + pg->argc, max - pg->argc, err)) < 0) {
		free(argv);
		return NULL;
	}
	argv[pg->argc + n] = NULL;
	return argv;
}

static void
run_program(void *ctx, struct kaipeer_call *call)
{
	struct execs *x = ctx;
	const struct config_exec *pg = program(x, kaipeer_call_command(call));
	const char *args, *err = NULL;
	char msg[200], *buf = NULL, **argv = NULL;
	struct run *r;
	size_t alen;

	args = kaipeer_call_args(call, &alen);
	if (pg == NULL) {		/* gone with a reload */
		commands_reply(call, KAIPEER_ERROR, -1, "Error: no such "
		    "program", 23);
		return;
	}
	if (alen > 0 && !pg->args) {
		snprintf(msg, sizeof(msg), "Error: '%s' takes no arguments",
		    pg->name);
		commands_reply(call, KAIPEER_ERROR, -1, msg, strlen(msg));
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (buf = malloc(alen + 1)) == NULL ||
	    (argv = make_argv(pg, args, alen, buf, &err)) == NULL) {
		snprintf(msg, sizeof(msg), "Error: %s", err != NULL ? err :
		    "out of memory");
		commands_reply(call, KAIPEER_ERROR, -1, msg, strlen(msg));
		free(buf);
		free(r);
		return;
	}
	r->x = x;
	r->call = call;
	r->timeout_ms = pg->timeout_ms;
	r->p = proc_start(x->procs, argv, pg->timeout_ms, room_for(x, call),
	    on_end, r);
	free(argv);
	free(buf);
	if (r->p == NULL) {
		if (errno == EAGAIN)
			snprintf(msg, sizeof(msg), "Error: busy: %d programs "
			    "running (maxProcesses); try again later",
			    procs_running(x->procs));
		else
			snprintf(msg, sizeof(msg), "Error: cannot run '%s': %s",
			    pg->argv[0], strerror(errno));
		commands_reply(call, KAIPEER_ERROR, -1, msg, strlen(msg));
		free(r);
		return;
	}
	r->next = x->runs;
	if (x->runs != NULL)
		x->runs->prev = r;
	x->runs = r;
	commands_on_cancel(call, on_cancel, r);
}

int
execs_configure(struct execs *x)
{
	const struct config *c = &x->n->cfg;
	char **names;
	int i, rc = 0;

	procs_limit(x->procs, c->max_processes);
	for (i = 0; i < x->nnames; i++) {
		commands_unregister(x->n->cmds, x->names[i]);
		free(x->names[i]);
	}
	x->nnames = 0;
	if (c->nexecs == 0)
		return 0;
	if ((names = realloc(x->names, (size_t)c->nexecs *
	    sizeof(*names))) == NULL)
		return -1;
	x->names = names;
	for (i = 0; i < c->nexecs; i++) {
		if (commands_register(x->n->cmds, c->execs[i].name, NULL,
		    run_program, x) == -1) {
			out_line(x->n->out, OUT_STDERR, "kaipeer: program '%s' "
			    "not available: a command of that name exists",
			    c->execs[i].name);
			rc = -1;
			continue;
		}
		if ((x->names[x->nnames] = strdup(c->execs[i].name)) == NULL) {
			commands_unregister(x->n->cmds, c->execs[i].name);
			return -1;
		}
		x->nnames++;
	}
	return rc;
}
