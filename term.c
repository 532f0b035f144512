/*
 * term: the console's terminal (contract in include/term.h).
 *
 * The editor is pure; this file is what it needs around it: the termios
 * modes, the signals that must give the terminal back, the width, the
 * history file, and the words Tab offers.  The editor's bytes and the
 * node's lines share one queue in output.c, so they reach the screen in
 * the order they were made.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "edit.h"
#include "exec.h"
#include "term.h"

#define HISTORY_FILE_MAX (1024 * 1024)	/* bytes of history file read */

struct term {
	struct kaipeer_node *n;
	int		 fd;
	struct edit	*ed;
	struct edit_buf	 eb;
	term_line_fn	 fn;
	void		*ctx;
	struct termios	 tio;		/* as we found it */
	int		 have_tio;
	int		 raw;
	int		 quiet;		/* no more prompts */
	int		 in_line;	/* fn is running */
	int		 stopped;	/* term_stop() was called */
	int		 resumed;	/* on_tstp() drew the line again */
	char		*history;	/* the file, or NULL */
};

/* What a crash handler needs, set while the terminal is raw. */
static struct termios crash_tio;
static volatile sig_atomic_t crash_fd = -1;
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
static struct sigaction crash_old[5];

static void
on_crash(int signo)
{
	if (crash_fd >= 0)
		(void)tcsetattr(crash_fd, TCSANOW, &crash_tio);
	(void)signal(signo, SIG_DFL);
	(void)raise(signo);
}

/* --- output ---------------------------------------------------------------- */

/* What the editor appended goes out through the output layer. */
static void
emit(struct term *t)
{
	if (t->eb.len > 0)
		out_raw(t->n->out, t->eb.p, t->eb.len);
	if (t->eb.lost) {
		edit_buf_reset(&t->eb);
		edit_show(t->ed, &t->eb);
		out_raw(t->n->out, t->eb.p, t->eb.len);
	}
	edit_buf_reset(&t->eb);
}

static void
hide(void *ctx)
{
	struct term *t = ctx;

	edit_hide(t->ed, &t->eb);
	emit(t);
}

static void
show(void *ctx)
{
	struct term *t = ctx;

	if (t->quiet || t->in_line || output_editor_hidden(t->n->out))
		return;		/* later, or never */
	edit_show(t->ed, &t->eb);
	emit(t);
}

/* --- modes ------------------------------------------------------------------- */

static int
width(int fd)
{
#ifdef TIOCGWINSZ
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
#else
	(void)fd;
#endif
	return 80;
}

/* Raw mode, when the node has the terminal (not in the background). */
static void
enter_raw(struct term *t)
{
	struct termios raw;
	size_t i;

	if (t->raw || !t->have_tio || tcgetpgrp(t->fd) != getpgrp())
		return;
	raw = t->tio;
	raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	crash_tio = t->tio;
	crash_fd = t->fd;
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]);
	    i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = on_crash;
		(void)sigaction(crash_signals[i], &sa, &crash_old[i]);
	}
	if (tcsetattr(t->fd, TCSANOW, &raw) == 0)
		t->raw = 1;
	edit_resize(t->ed, width(t->fd), &t->eb);
	emit(t);
}

static void
leave_raw(struct term *t)
{
	size_t i;

	if (!t->raw)
		return;
	(void)tcsetattr(t->fd, TCSANOW, &t->tio);
	t->raw = 0;
	crash_fd = -1;
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		(void)sigaction(crash_signals[i], &crash_old[i], NULL);
}

/* Ctrl-Z: the terminal back as it was, stop; on return, raw again. */
static void
on_tstp(void *ctx, int signo)
{
	struct term *t = ctx;
	struct loop *l = t->n->loop;

	hide(t);
	output_flush(t->n->out);
	leave_raw(t);
	(void)loop_default_signal(l, signo);
	(void)raise(signo);
	/* Continued. */
	(void)loop_signal(l, signo, on_tstp, t);
	enter_raw(t);
	show(t);
	t->resumed = 1;		/* the SIGCONT that woke us needs no more */
}

/* Continued after a stop we did not see, or brought to the foreground. */
static void
on_cont(void *ctx, int signo)
{
	struct term *t = ctx;

	(void)signo;
	enter_raw(t);
	if (!t->resumed)
		show(t);
	t->resumed = 0;
}

#ifdef SIGWINCH
static void
on_winch(void *ctx, int signo)
{
	struct term *t = ctx;

	(void)signo;
	edit_resize(t->ed, width(t->fd), &t->eb);
	emit(t);
}
#endif

/* --- history -------------------------------------------------------------- */

static void
load_history(struct term *t)
{
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	if (t->history == NULL || (fd = open(t->history, O_RDONLY)) == -1)
		return;
	if ((buf = malloc(HISTORY_FILE_MAX)) != NULL) {
		while (len < HISTORY_FILE_MAX && (n = read(fd, buf + len,
		    HISTORY_FILE_MAX - len)) > 0)
			len += (size_t)n;
		(void)edit_history_load(t->ed, buf, len);
		free(buf);
	}
	close(fd);
}

/* The whole history to a new file, renamed over the old one. */
static void
save_history(struct term *t)
{
	struct edit_buf b = { NULL, 0, 0, 0 };
	char tmp[4096];
	size_t off = 0;
	ssize_t w;
	int fd, ok = 1;

	if (t->history == NULL || edit_history_save(t->ed, &b) == -1)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.%ld", t->history, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		goto out;
	while (off < b.len && ok) {
		if ((w = write(fd, b.p + off, b.len - off)) > 0)
			off += (size_t)w;
		else if (w == -1 && errno != EINTR)
			ok = 0;
	}
	if (close(fd) == -1 || !ok || rename(tmp, t->history) == -1)
		(void)unlink(tmp);
out:
	edit_buf_free(&b);
}

/* --- completion ------------------------------------------------------------ */

static const char *const console_words[] = {
	"help", "peers", "connect ", "disconnect ", "forget ", "gather ",
	"source ", "exit", "quit", "calc ", "system status", NULL
};

/* Offer each word that extends line[0..len) from its start at; the
 * candidate is the whole line with the word in place. */
static void
offer(struct edit_completions *c, const char *line, size_t at, size_t len,
    const char *word, const char *tail)
{
	char buf[EDIT_MAX + 1];

	if (strlen(word) < len - at || strncmp(word, line + at, len - at) != 0 ||
	    at + strlen(word) + strlen(tail) > EDIT_MAX)
		return;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)at, line, word, tail);
	(void)edit_add_completion(c, buf);
}

static void
complete(void *ctx, const char *line, size_t len, struct edit_completions *c)
{
	struct term *t = ctx;
	const struct config *cfg = &t->n->cfg;
	const struct peer *e;
	char word[PROTO_MAX_NAME + 8];
	size_t at = 0;
	int i;

	if (memchr(line, ' ', len) == NULL && len > 0 && line[0] == '@') {
		/* A selector: indexes, names, groups, all, the network. */
		for (i = 0; i < peers_count(t->n->peers); i++) {
			if ((e = peers_at(t->n->peers, i)) == NULL)
				continue;
			snprintf(word, sizeof(word), "@%d", i);
			offer(c, line, 0, len, word, " ");
			if (e->name[0] != '\0') {
				snprintf(word, sizeof(word), "@%s", e->name);
				offer(c, line, 0, len, word, " ");
			}
		}
		for (i = 0; i < cfg->ngroups; i++) {
			snprintf(word, sizeof(word), "@@%s", cfg->groups[i].name);
			offer(c, line, 0, len, word, " ");
		}
		offer(c, line, 0, len, "@*", " ");
		offer(c, line, 0, len, "@**", " ");
		return;
	}
	/* A command: the first word, or the one after a selector. */
	if (len > 0 && line[0] == '@') {
		at = (size_t)((const char *)memchr(line, ' ', len) - line) + 1;
		if (memchr(line + at, ' ', len - at) != NULL)
			return;
	} else if (memchr(line, ' ', len) != NULL)
		return;
	for (i = 0; at == 0 && console_words[i] != NULL; i++)
		offer(c, line, at, len, console_words[i], "");
	if (at > 0) {
		offer(c, line, at, len, "calc", " ");
		offer(c, line, at, len, "system", " status");
		offer(c, line, at, len, "help", "");
	}
	for (i = 0; i < cfg->naliases; i++)
		offer(c, line, at, len, cfg->aliases[i].name, "");
	for (i = 0; i < cfg->nexecs; i++)
		offer(c, line, at, len, cfg->execs[i].name, "");
}

/* --- the console's side ------------------------------------------------------ */

struct term *
term_new(struct kaipeer_node *n, int fd, int history, term_line_fn fn,
    void *ctx)
{
	const char *tname = getenv("TERM"), *home = getenv("HOME");
	struct term *t;
	size_t len;

	if (!isatty(fd) || !isatty(STDOUT_FILENO) || (tname != NULL &&
	    (strcmp(tname, "dumb") == 0 || strcmp(tname, "emacs") == 0)))
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->ed = malloc(sizeof(*t->ed))) == NULL) {
		free(t);
		return NULL;
	}
	t->n = n;
	t->fd = fd;
	t->fn = fn;
	t->ctx = ctx;
	edit_init(t->ed, TERM_PROMPT, width(fd));
	edit_history_set_max(t->ed, TERM_HISTORY_MAX);
	edit_set_complete(t->ed, complete, t);
	if (history && home != NULL && home[0] != '\0') {
		len = strlen(home) + sizeof(TERM_HISTORY) + 2;
		if ((t->history = malloc(len)) != NULL)
			snprintf(t->history, len, "%s/%s", home, TERM_HISTORY);
	}
	t->have_tio = tcgetattr(fd, &t->tio) == 0;
	return t;
}

void
term_start(struct term *t)
{
	struct loop *l = t->n->loop;

	load_history(t);
	(void)loop_signal(l, SIGTSTP, on_tstp, t);
	(void)loop_signal(l, SIGCONT, on_cont, t);
#ifdef SIGWINCH
	(void)loop_signal(l, SIGWINCH, on_winch, t);
#endif
	output_editor(t->n->out, hide, show, t);
	enter_raw(t);
	show(t);
}

int
term_feed(struct term *t, const char *buf, size_t len)
{
	const unsigned char *in = (const unsigned char *)buf;
	const char *line;
	size_t used, n;
	char *copy;
	int ev;

	enter_raw(t);		/* back in the foreground without a signal */
	while (len > 0) {
		ev = edit_feed(t->ed, in, len, &used, &t->eb);
		emit(t);
		in += used;
		len -= used;
		if (ev == EDIT_EOF)
			return 1;
		if (ev == EDIT_INTERRUPT) {
			edit_reset(t->ed);
			show(t);
			continue;
		}
		if (ev != EDIT_LINE)
			continue;
		line = edit_line(t->ed, &n);
		if ((copy = malloc(n + 1)) != NULL) {
			memcpy(copy, line, n);
			copy[n] = '\0';
			if (edit_history_add(t->ed, copy) == 1)
				save_history(t);
			edit_reset(t->ed);
			t->in_line = 1;
			t->fn(t->ctx, copy, n);
			t->in_line = 0;
			free(copy);
			if (t->stopped)
				return 0;	/* "exit": the rest is not ours */
		} else
			edit_reset(t->ed);
		show(t);
	}
	return 0;
}

void
term_drop_line(struct term *t)
{
	hide(t);
	edit_reset(t->ed);
}

void
term_prompt(struct term *t)
{
	show(t);
}

void
term_stop(struct term *t)
{
	struct loop *l = t->n->loop;

	if (t->stopped)
		return;
	t->stopped = 1;
	if (!t->quiet) {
		hide(t);
		t->quiet = 1;
	}
	output_editor(t->n->out, NULL, NULL, NULL);
	output_flush(t->n->out);
	leave_raw(t);
	(void)loop_default_signal(l, SIGTSTP);
	(void)loop_default_signal(l, SIGCONT);
#ifdef SIGWINCH
	(void)loop_default_signal(l, SIGWINCH);
#endif
}

void
term_free(struct term *t)
{
	if (t == NULL)
		return;
	term_stop(t);
	edit_free(t->ed);
	edit_buf_free(&t->eb);
	free(t->ed);
	free(t->history);
	free(t);
}
