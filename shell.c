/*
 * shell: what console lines do (contract in include/shell.h).
 *
 * Two objects, each ending through a callback: a line runs the pipelines
 * of its chain, one at a time; a job is one stage of a pipeline for one
 * input.  A job that ends at once (a local command, "peers") ends inside
 * the call that started it, so a line advances in a loop guarded by a
 * flag rather than by recursion (script.c does the same for the lines of
 * a file).
 *
 * Every job is on the shell's list, so that Ctrl-C finds what runs, and a
 * hook looks once per loop turn at the jobs that wait (for names to be
 * learnt, for dials to end).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "chain.h"
#include "fanout.h"
#include "report.h"
#include "shell.h"

enum job_kind {
	J_DONE,			/* nothing more will happen */
	J_REMOTE,		/* a fanout in flight */
	J_SELECT,		/* waiting to select its peers */
	J_LOCAL,		/* a command of this node */
	J_CONNECT,		/* waiting for a dial's outcome */
	J_PEERS,		/* "peers", waiting for the dials to end */
	J_SOURCE		/* a file of lines */
};

struct line;

struct job {
	struct shell	*sh;
	struct line	*line;
	struct job	*prev, *next;	/* in sh->jobs */
	int		 stage;
	char		*text;
	size_t		 len;
	struct console_cmd cmd;
	enum job_kind	 kind;
	struct fanout	*fan;
	struct gather	*gather;
	int		 multi;
	int		 cancelled;
	uint32_t	 call_id;	/* J_LOCAL */
	long long	 started;
	int		 entry;		/* J_CONNECT */
};

struct line {
	struct shell	*sh;
	char		*text;
	struct chain	 chain;
	int		 depth;
	unsigned	 gen;
	int		 last;		/* last stage of the pipeline running */
	int		 next;		/* first stage of the next pipeline */
	int		 pending;	/* jobs of the pipeline running */
	int		 pipe_status;
	int		 status;
	int		 advancing;
	shell_done_fn	 done;
	void		*ctx;
};


struct shell {
	struct kaipeer_node *n;
	struct shell_opts opts;
	shell_exit_fn	 on_exit;
	void		*ctx;
	struct job	*jobs;
	int		 lines;		/* running */
	int		 waiting;	/* jobs in J_SELECT or J_CONNECT */
	unsigned	 gen;		/* one more at each Ctrl-C */
	int		 exiting;
	shell_source_fn	 source;	/* runs "source <file>" */
	void		*source_ctx;
};

static void line_advance(struct line *);
static void job_start(struct line *, int, const char *, size_t);

/* A message for the user: standard output, or standard error with --json
 * so that standard output stays JSON lines. */
static void
say(struct shell *sh, const char *text)
{
	struct output *o = sh->n->out;

	out_begin(o, sh->opts.json ? OUT_STDERR : OUT_STDOUT);
	out_safe(o, text, strlen(text));
	out_end(o);
}

/* --- jobs ----------------------------------------------------------------- */

static void
job_end(struct job *j, int status)
{
	struct shell *sh = j->sh;
	struct line *l = j->line;

	if (j->kind == J_SELECT || j->kind == J_CONNECT || j->kind == J_PEERS)
		sh->waiting--;
	j->kind = J_DONE;
	if (status > l->pipe_status)
		l->pipe_status = status;
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		sh->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	gather_free(j->gather);
	free(j->text);
	free(j);
	l->pending--;
	line_advance(l);
}

/* One result of a job: into the next stage of its pipe, or shown. */
static void
consume(struct job *j, const struct report_item *it)
{
	struct shell *sh = j->sh;
	struct line *l = j->line;
	const struct chain_stage *st;
	size_t in = it->len, need;
	int klass = report_class(it->status);
	char *text;

	if (klass == 0 && j->stage < l->last && l->gen == sh->gen &&
	    !shell_exiting(sh)) {
		if (in > 0 && it->text[in - 1] == '\n')
			in--;
		if (in > 0 && it->text[in - 1] == '\r')
			in--;
		st = &l->chain.stages[j->stage + 1];
		need = chain_subst_len(st->text, st->len, in);
		if (need > SHELL_MAX_STAGE || (text = malloc(need + 1)) ==
		    NULL) {
			say(sh, need > SHELL_MAX_STAGE ? "Cannot run the next "
			    "stage: the command would be too long" :
			    "Cannot run the next stage: out of memory");
			l->pipe_status = l->pipe_status > 1 ? l->pipe_status :
			    1;
			return;
		}
		chain_subst(st->text, st->len, it->text, in, text);
		job_start(l, j->stage + 1, text, need);
		free(text);
		return;
	}
	if (klass > l->pipe_status)
		l->pipe_status = klass;
	if (j->gather != NULL)
		(void)gather_add(j->gather, it, sh->n->out);
	else if (sh->opts.json)
		report_json(sh->n->out, it);
	else
		report_text(sh->n->out, it);
}

static void
on_fan_result(void *ctx, struct fanout *f, const struct fan_result *r)
{
	struct job *j = ctx;
	struct report_item it;

	memset(&it, 0, sizeof(it));
	it.peer = r->peer;
	it.label = r->label;
	it.name = r->name;
	it.command = fanout_command(f, &it.clen);
	it.status = r->status;
	it.exit_code = r->exit_code;
	it.text = r->text;
	it.len = r->len;
	it.ms = r->ms;
	consume(j, &it);
}

static void
on_fan_done(void *ctx, struct fanout *f)
{
	struct job *j = ctx;
	struct kaipeer_node *n = j->sh->n;
	const char *cmd;
	size_t clen;

	if (j->gather != NULL)
		gather_print(j->gather, n->out);
	if (j->multi && !n->quiet && !j->sh->opts.json) {
		cmd = fanout_command(f, &clen);
		report_summary(n->out, cmd, clen, fanout_size(f),
		    fanout_counts(f), fanout_ms(f));
	}
	j->fan = NULL;
	job_end(j, 0);
}

/* Are any of the entries still being dialled? */
static int
dialling(struct kaipeer_node *n, const int *idx, int nidx)
{
	struct peer *e;
	int i;

	for (i = 0; i < nidx; i++)
		if ((e = peers_at(n->peers, idx[i])) != NULL &&
		    e->state == PEER_CONNECTING)
			return 1;
	return 0;
}

/* A single peer, in text: the lines users of one peer always saw. */
static int
single_refused(struct job *j, const int *idx)
{
	struct kaipeer_node *n = j->sh->n;
	struct peer *e = peers_at(n->peers, idx[0]);
	char msg[256];

	if (j->sh->opts.json || j->gather != NULL || e == NULL)
		return -1;
	if (e->state != PEER_UP && e->state != PEER_CONNECTING) {
		snprintf(msg, sizeof(msg), "Peer %d (%s) is not connected",
		    e->index, peer_label(e));
		say(j->sh, msg);
		return 2;
	}
	if (e->link != NULL && e->link->state == SESS_S_UP &&
	    j->cmd.text_len > session_max_text(e->link)) {
		snprintf(msg, sizeof(msg), "Command too long for %s (%lu "
		    "bytes, at most %lu)", peer_label(e),
		    (unsigned long)j->cmd.text_len,
		    (unsigned long)session_max_text(e->link));
		say(j->sh, msg);
		return 1;
	}
	return -1;
}

/* "Sent command '<cmd>' to ...", the line before the results. */
static void
say_sent(struct job *j, const struct pick_route *rt, const int *idx,
    int nidx)
{
	struct kaipeer_node *n = j->sh->n;
	const struct console_cmd *c = &j->cmd;

	if (n->quiet)
		return;
	out_begin(n->out, OUT_STDOUT);
	out_str(n->out, "Sent command '");
	out_safe(n->out, c->text, c->text_len);
	if (rt->kind == PICK_ALL)
		out_printf(n->out, "' to every node (through %d link%s)",
		    nidx, nidx == 1 ? "" : "s");
	else if (j->multi || nidx > 1)
		out_printf(n->out, "' to %d peer%s", nidx, nidx == 1 ?
		    "" : "s");
	else
		out_printf(n->out, "' to %s",
		    peer_label(peers_at(n->peers, idx[0])));
	if (rt->kind == PICK_PATH) {
		out_str(n->out, rt->multi || nidx > 1 ? ", then '" : "/");
		out_safe(n->out, rt->rest, rt->rest_len);
		if (rt->multi || nidx > 1)
			out_str(n->out, "'");
	}
	out_end(n->out);
}

/* Select the peers and send; or wait, and be called again. */
static void
remote_start(struct job *j)
{
	struct shell *sh = j->sh;
	struct kaipeer_node *n = sh->n;
	const struct console_cmd *c = &j->cmd;
	struct pick_route rt;
	int *idx, nidx, rc, wait = sh->opts.wait_dials;
	char err[600];

	if (pick_route(c->peer, c->peer_len, &rt, err, sizeof(err)) == -1) {
		say(sh, err);
		job_end(j, 1);
		return;
	}
	if (rt.kind == PICK_ALL) {
		if (wait && peers_connecting(n->peers))
			goto wait;	/* the first hops are still being dialled */
		if ((nidx = fanout_neighbours(n, &idx)) == -1) {
			say(sh, "Cannot send the command: out of memory");
			job_end(j, 1);
			return;
		}
		j->multi = 1;
		goto chosen;
	}
	switch (pick_select(n, rt.first, rt.first_len, wait, &idx, &nidx,
	    &j->multi, err, sizeof(err))) {
	case PICK_SEL_WAIT:
		goto wait;
	case PICK_SEL_ERROR:
		say(sh, err);
		job_end(j, 1);
		return;
	case PICK_SEL_OK:
		break;
	}
	if (nidx == 0) {
		snprintf(err, sizeof(err), "No peer found matching '%.*s'",
		    (int)rt.first_len, rt.first);
		say(sh, err);
		free(idx);
		job_end(j, 1);
		return;
	}
	if (wait && dialling(n, idx, nidx)) {
		free(idx);
		goto wait;
	}
	j->multi = j->multi || rt.multi;
chosen:
	if (j->kind == J_SELECT)
		sh->waiting--;
	j->kind = J_REMOTE;
	/* With --json every result is its own line: nothing to fold. */
	if ((c->kind == CONSOLE_GATHER || sh->opts.gather) && !sh->opts.json &&
	    (j->gather = gather_new()) == NULL) {
		say(sh, "Cannot gather the results: out of memory");
		free(idx);
		job_end(j, 1);
		return;
	}
	if (!j->multi && (rc = single_refused(j, idx)) >= 0) {
		free(idx);
		job_end(j, rc);
		return;
	}
	say_sent(j, &rt, idx, nidx);
	j->fan = fanout_route(n, idx, nidx, &rt, c->text, c->text_len,
	    sh->opts.timeout_ms > 0 ? sh->opts.timeout_ms :
	    n->cfg.command_timeout_ms, on_fan_result, on_fan_done, j);
	free(idx);
	if (j->fan == NULL) {
		say(sh, "Cannot send the command: out of memory");
		job_end(j, 1);
	}
	return;
wait:
	if (j->kind != J_SELECT)
		sh->waiting++;
	j->kind = J_SELECT;
}

static void
on_local_done(void *ctx, const struct kaipeer_call *call, int peer,
    uint32_t id, int status, int exit_code, const char *text, size_t len)
{
	struct job *j = ctx;
	struct kaipeer_node *n = j->sh->n;
	struct report_item it;

	(void)call;
	(void)peer;
	(void)id;
	memset(&it, 0, sizeof(it));
	it.peer = -1;
	it.label = "";
	it.name = n->cfg.name != NULL ? n->cfg.name : "";
	it.command = j->text;
	it.clen = j->len;
	it.status = status == CALL_OK ? REQ_OK : REQ_ERROR;
	it.exit_code = exit_code;
	it.bare = status == CALL_UNKNOWN;
	it.text = text;
	it.len = len;
	it.ms = (long)(loop_now(n->loop) - j->started);
	j->call_id = 0;
	consume(j, &it);
	job_end(j, 0);
}

/* Has the dial of a "connect" come to an end? */
static void
connect_check(struct job *j)
{
	struct peer *e = peers_at(j->sh->n->peers, j->entry);

	if (e == NULL)
		job_end(j, 2);
	else if (e->state == PEER_UP)
		job_end(j, 0);
	else if (e->state != PEER_CONNECTING && e->resolving == NULL)
		job_end(j, 2);
}

static void
peers_check(struct job *j)
{
	struct kaipeer_node *n = j->sh->n;

	if (j->sh->opts.wait_dials && peers_connecting(n->peers))
		return;
	admin_peers(n);
	job_end(j, 0);
}

static void
on_source_done(void *ctx, int status)
{
	job_end(ctx, status);
}

static void
source_start(struct job *j, const char *path, size_t plen, int keep_going)
{
	char name[1024];

	if (j->sh->source == NULL) {
		say(j->sh, "source: not available here");
		job_end(j, 1);
		return;
	}
	if (j->line->depth >= SHELL_MAX_DEPTH) {
		say(j->sh, "source: files source each other too deep");
		job_end(j, 1);
		return;
	}
	if (plen >= sizeof(name)) {
		say(j->sh, "source: file name too long");
		job_end(j, 1);
		return;
	}
	memcpy(name, path, plen);
	name[plen] = '\0';
	j->kind = J_SOURCE;
	j->sh->source(j->sh->source_ctx, j->sh, name, keep_going,
	    j->line->depth + 1, on_source_done, j);
}

/* Start stage of line l with text[0..len). */
static void
job_start(struct line *l, int stage, const char *text, size_t len)
{
	struct shell *sh = l->sh;
	struct kaipeer_node *n = sh->n;
	struct job *j;
	int idx;

	l->pending++;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->text = malloc(len + 1)) == NULL) {
		free(j);
		say(sh, "Cannot run the command: out of memory");
		l->pipe_status = l->pipe_status > 1 ? l->pipe_status : 1;
		l->pending--;
		return;
	}
	memcpy(j->text, text, len);
	j->text[len] = '\0';
	j->len = len;
	j->sh = sh;
	j->line = l;
	j->stage = stage;
	j->kind = J_DONE;
	j->next = sh->jobs;
	if (sh->jobs != NULL)
		sh->jobs->prev = j;
	sh->jobs = j;
	console_parse(j->text, j->len, &j->cmd);
	if (stage < l->last && j->cmd.kind != CONSOLE_REMOTE &&
	    j->cmd.kind != CONSOLE_GATHER && j->cmd.kind != CONSOLE_LOCAL) {
		say(sh, "Only commands can feed a pipe ('|')");
		job_end(j, 1);
		return;
	}
	switch (j->cmd.kind) {
	case CONSOLE_EMPTY:
		job_end(j, 0);
		break;
	case CONSOLE_HELP:
		admin_help(n);
		job_end(j, 0);
		break;
	case CONSOLE_PEERS:
		/* One-shot: the table once the dials have come to an end. */
		j->kind = J_PEERS;
		sh->waiting++;
		peers_check(j);
		break;
	case CONSOLE_EXIT:
		sh->exiting = 1;
		if (sh->on_exit != NULL)
			sh->on_exit(sh->ctx);
		job_end(j, 0);
		break;
	case CONSOLE_CONNECT:
		if ((idx = admin_connect(n, j->cmd.text, j->cmd.text_len,
		    j->cmd.port)) < 0) {
			job_end(j, 1);
			break;
		}
		j->entry = idx;
		j->kind = J_CONNECT;
		sh->waiting++;
		connect_check(j);
		break;
	case CONSOLE_DISCONNECT:
	case CONSOLE_FORGET:
		job_end(j, admin_disconnect(n, j->cmd.peer, j->cmd.peer_len,
		    j->cmd.kind == CONSOLE_FORGET));
		break;
	case CONSOLE_SOURCE:
		source_start(j, j->cmd.text, j->cmd.text_len,
		    j->cmd.keep_going);
		break;
	case CONSOLE_USAGE:
		say(sh, j->cmd.usage);
		job_end(j, 1);
		break;
	case CONSOLE_REMOTE:
	case CONSOLE_GATHER:
		remote_start(j);
		break;
	case CONSOLE_LOCAL:
		j->kind = J_LOCAL;
		j->call_id = ++n->console_ids;
		if (j->call_id == 0)
			j->call_id = ++n->console_ids;
		j->started = loop_now(n->loop);
		commands_run(n->cmds, -1, NULL, j->call_id, "", "", j->text,
		    j->len, on_local_done, j);
		break;	/* j may be gone */
	}
}

/* --- lines ---------------------------------------------------------------- */

/* Where the pipeline starting at stage s ends (its last stage). */
static int
pipe_end(const struct chain *c, int s)
{
	while (s + 1 < c->n && c->stages[s + 1].pipe)
		s++;
	return s;
}

static void
line_advance(struct line *l)
{
	struct shell *sh = l->sh;
	const struct chain_stage *st;
	int s, run;

	if (l->advancing || l->pending > 0)
		return;
	l->advancing = 1;
	while (l->pending == 0) {
		if (l->next > 0)
			l->status = l->pipe_status;
		for (s = l->next; s < l->chain.n; s = pipe_end(&l->chain, s) +
		    1) {
			st = &l->chain.stages[s];
			run = st->op == CHAIN_FIRST || st->op == CHAIN_SEQ ||
			    (st->op == CHAIN_AND && l->status == 0) ||
			    (st->op == CHAIN_OR && l->status != 0);
			if (run)
				break;
		}
		if (l->gen != sh->gen) {
			l->status = 2;
			s = l->chain.n;
		}
		if (s >= l->chain.n || shell_exiting(sh))
			break;
		l->last = pipe_end(&l->chain, s);
		l->next = l->last + 1;
		l->pipe_status = 0;
		st = &l->chain.stages[s];
		job_start(l, s, st->text, st->len);
	}
	if (l->pending > 0) {
		l->advancing = 0;
		return;
	}
	sh->lines--;
	l->done(l->ctx, l->status);
	free(l->text);
	free(l);
}

void
shell_run_at(struct shell *sh, const char *text, size_t len, int depth,
    shell_done_fn done, void *ctx)
{
	struct line *l;
	char err[200];

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->text = malloc(len + 1)) == NULL) {
		free(l);
		say(sh, "Cannot run the line: out of memory");
		done(ctx, 1);
		return;
	}
	memcpy(l->text, text, len);
	l->text[len] = '\0';
	if (chain_parse(l->text, len, &l->chain, err, sizeof(err)) == -1) {
		say(sh, err);
		free(l->text);
		free(l);
		done(ctx, 1);
		return;
	}
	l->sh = sh;
	l->depth = depth;
	l->gen = sh->gen;
	l->done = done;
	l->ctx = ctx;
	sh->lines++;
	line_advance(l);
}

/* --- the shell ------------------------------------------------------------ */

/*
 * Once a turn: the jobs that wait look again.  Ending a job may start
 * others (at the head of the list) but never frees another, so the next
 * one saved stays valid.
 */
static void
look_again(void *ctx)
{
	struct shell *sh = ctx;
	struct job *j, *next;

	for (j = sh->jobs; j != NULL && sh->waiting > 0; j = next) {
		next = j->next;
		if (j->kind == J_SELECT)
			remote_start(j);
		else if (j->kind == J_CONNECT)
			connect_check(j);
		else if (j->kind == J_PEERS)
			peers_check(j);
	}
}

struct shell *
shell_new(struct kaipeer_node *n, const struct shell_opts *o,
    shell_exit_fn on_exit, void *ctx)
{
	struct shell *sh;

	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		return NULL;
	sh->n = n;
	sh->opts = *o;
	sh->on_exit = on_exit;
	sh->ctx = ctx;
	if (loop_hook(n->loop, look_again, sh) == -1) {
		free(sh);
		return NULL;
	}
	return sh;
}

void
shell_free(struct shell *sh)
{
	if (sh == NULL)
		return;
	(void)shell_interrupt(sh);	/* everything ends, now */
	loop_unhook(sh->n->loop, look_again, sh);
	free(sh);
}

void
shell_run(struct shell *sh, const char *line, size_t len, shell_done_fn done,
    void *ctx)
{
	shell_run_at(sh, line, len, 0, done, ctx);
}

void
shell_set_source(struct shell *sh, shell_source_fn fn, void *ctx)
{
	sh->source = fn;
	sh->source_ctx = ctx;
}

unsigned
shell_generation(const struct shell *sh)
{
	return sh->gen;
}

int
shell_exiting(const struct shell *sh)
{
	return sh->exiting || sh->n->stopping;
}

void
shell_say(struct shell *sh, const char *text)
{
	say(sh, text);
}

/* A local command given up: its result says so (the call is gone). */
static void
on_local_cancelled(struct job *j)
{
	struct report_item it;

	memset(&it, 0, sizeof(it));
	it.peer = -1;
	it.label = "";
	it.name = "";
	it.command = j->text;
	it.clen = j->len;
	it.status = REQ_CANCELLED;
	it.exit_code = -1;
	it.text = "Error: cancelled";
	it.len = 16;
	it.ms = (long)(loop_now(j->sh->n->loop) - j->started);
	j->call_id = 0;
	consume(j, &it);
	job_end(j, 0);
}

int
shell_interrupt(struct shell *sh)
{
	struct job *j;
	int n = 0;

	sh->gen++;
	/* What waits ends now; what runs here and there is cancelled. */
	for (j = sh->jobs; j != NULL; ) {
		if (j->kind == J_SELECT || j->kind == J_CONNECT ||
		    j->kind == J_PEERS) {
			job_end(j, 2);
			j = sh->jobs;
			continue;
		}
		if (j->kind == J_LOCAL && j->call_id != 0) {
			commands_cancel(sh->n->cmds, -1, j->call_id);
			n++;
			on_local_cancelled(j);
			j = sh->jobs;
			continue;
		}
		if (j->kind == J_REMOTE && j->fan != NULL && !j->cancelled) {
			j->cancelled = 1;
			n += fanout_pending(j->fan);
			fanout_cancel(j->fan, "Error: cancelled");
			j = sh->jobs;
			continue;
		}
		j = j->next;
	}
	return n;
}

int
shell_busy(const struct shell *sh)
{
	return sh->lines;
}
