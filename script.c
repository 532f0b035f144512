/*
 * script: files of lines, and the lines of -c (contract in
 * include/script.h).
 *
 * A seq runs its lines one at a time.  A line that ends at once (a local
 * command) ends inside the call that started it, so the seq advances in a
 * loop guarded by a flag rather than by recursion: a script of a million
 * lines uses no more stack than one of two.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

struct seq {
	struct shell	*sh;
	char		*buf;		/* a file's text, owned */
	const char	**v;		/* the lines */
	size_t		*lens;
	int		 n, i;
	int		 keep_going;
	int		 depth;
	int		 status;
	int		 running;	/* a line of it runs */
	int		 stepping;
	int		 stop;
	unsigned	 gen;
	shell_done_fn	 done;
	void		*ctx;
};

static void seq_line_done(void *ctx, int status);

static void
seq_step(struct seq *q)
{
	if (q->stepping)
		return;
	q->stepping = 1;
	while (!q->running) {
		if (q->i >= q->n || q->stop || shell_exiting(q->sh) ||
		    q->gen != shell_generation(q->sh)) {
			if (q->gen != shell_generation(q->sh) && q->status < 2)
				q->status = 2;
			q->done(q->ctx, q->status);
			free(q->buf);
			free(q->v);
			free(q->lens);
			free(q);
			return;
		}
		q->running = 1;
		q->i++;
		shell_run_at(q->sh, q->v[q->i - 1], q->lens[q->i - 1], q->depth,
		    seq_line_done, q);
	}
	q->stepping = 0;
}

static void
seq_line_done(void *ctx, int status)
{
	struct seq *q = ctx;

	q->running = 0;
	if (status > q->status)
		q->status = status;
	if (status != 0 && !q->keep_going)
		q->stop = 1;
	seq_step(q);
}

/* Split a file's text into its lines, leaving out blanks and comments. */
static int
split_lines(struct seq *q)
{
	char *p = q->buf, *end = q->buf + strlen(q->buf), *nl, *s;
	size_t len;
	int cap = 0;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		for (s = p; s < p + len && (*s == ' ' || *s == '\t'); s++)
			continue;
		if (s == p + len || *s == '#')
			continue;
		if (q->n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			if ((q->v = realloc(q->v, (size_t)cap *
			    sizeof(*q->v))) == NULL ||
			    (q->lens = realloc(q->lens, (size_t)cap *
			    sizeof(*q->lens))) == NULL)
				return -1;
		}
		q->v[q->n] = p;
		q->lens[q->n++] = len;
	}
	return 0;
}

/* The text of the file at path in a new NUL-terminated buffer. */
static char *
read_file(struct shell *sh, const char *path)
{
	char msg[1200], *buf;
	size_t len;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(msg, sizeof(msg), "source: %s: %s", path,
		    strerror(errno));
		shell_say(sh, msg);
		return NULL;
	}
	if ((buf = malloc(SCRIPT_MAX_FILE + 1)) == NULL) {
		fclose(fp);
		shell_say(sh, "source: out of memory");
		return NULL;
	}
	len = fread(buf, 1, SCRIPT_MAX_FILE + 1, fp);
	if (ferror(fp) || len > SCRIPT_MAX_FILE || memchr(buf, '\0', len)) {
		snprintf(msg, sizeof(msg), "source: %s: %s", path,
		    ferror(fp) ? strerror(errno) : len > SCRIPT_MAX_FILE ?
		    "larger than 16 MiB" : "not a text file");
		shell_say(sh, msg);
		free(buf);
		buf = NULL;
	} else
		buf[len] = '\0';
	fclose(fp);
	return buf;
}

/*
 * Run a file's lines (path set, v NULL) or the n lines of v (with their
 * lengths) in order.
 */
static void
seq_start(struct shell *sh, const char *path, const char **v, size_t *lens, int
    n, int keep_going, int depth, shell_done_fn done, void *ctx)
{
	struct seq *q;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		shell_say(sh, "Cannot run the lines: out of memory");
		free(v);
		free(lens);
		done(ctx, 1);
		return;
	}
	q->sh = sh;
	q->keep_going = keep_going;
	q->depth = depth;
	q->gen = shell_generation(sh);
	q->done = done;
	q->ctx = ctx;
	q->v = v;
	q->lens = lens;
	q->n = n;
	if (path != NULL && ((q->buf = read_file(sh, path)) == NULL ||
	    split_lines(q) == -1)) {
		if (q->buf != NULL)
			shell_say(sh, "source: out of memory");
		free(q->buf);
		free(q->v);
		free(q->lens);
		free(q);
		done(ctx, 1);
		return;
	}
	seq_step(q);
}

static void
on_source(void *fctx, struct shell *sh, const char *path, int keep_going,
    int depth, shell_done_fn done, void *ctx)
{
	(void)fctx;
	script_file(sh, path, keep_going, depth, done, ctx);
}

void
script_attach(struct shell *sh)
{
	shell_set_source(sh, on_source, NULL);
}

void
script_lines(struct shell *sh, const char *const *lines, int n,
    int keep_going, shell_done_fn done, void *ctx)
{
	const char **v;
	size_t *lens;
	int i;

	if ((v = calloc((size_t)n + 1, sizeof(*v))) == NULL ||
	    (lens = calloc((size_t)n + 1, sizeof(*lens))) == NULL) {
		free(v);
		shell_say(sh, "Cannot run the lines: out of memory");
		done(ctx, 1);
		return;
	}
	for (i = 0; i < n; i++) {
		v[i] = lines[i];
		lens[i] = strlen(lines[i]);
	}
	seq_start(sh, NULL, v, lens, n, keep_going, 0, done, ctx);
}

void
script_file(struct shell *sh, const char *path, int keep_going, int depth,
    shell_done_fn done, void *ctx)
{
	seq_start(sh, path, NULL, NULL, 0, keep_going, depth, done, ctx);
}
