/*
 * term: the console's terminal, when standard input and output are one:
 * raw mode, the line editor (edit.c), the history file, Tab completion.
 *
 * The terminal is put in raw mode (no echo, no canonical input; signals
 * stay on, so Ctrl-C and Ctrl-Z still reach the node as SIGINT and
 * SIGTSTP) only while the node is in the foreground, and is given back as
 * it was in every way out: term_free(), SIGTSTP (Ctrl-Z: the terminal is
 * restored, the node stops, and on SIGCONT in the foreground it is raw
 * again and the line drawn again), and a crash (SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE, SIGABRT: restored from the signal handler, then the signal's
 * default action).  SIGWINCH gives the editor the new width.
 *
 * Lines printed while one is typed go above it: the output layer hides
 * the prompt and the partial line before them and draws them again after
 * (output_editor()).  Everything the editor draws goes through the output
 * layer too (out_raw()), so the order on the screen is the order of the
 * bytes.
 *
 * The history is kept in a file (TERM_HISTORY in $HOME), at most
 * TERM_HISTORY_MAX lines, written (mode 0600, through a temporary file
 * renamed over it) after each line; a node whose config says
 * "history": false neither reads nor writes it.
 */
#ifndef KAIPEER_TERM_H
#define KAIPEER_TERM_H

#include <stddef.h>

#include "node.h"

#define TERM_HISTORY		".kaipeer_history"
#define TERM_HISTORY_MAX	1000	/* lines kept */
#define TERM_PROMPT		"> "

struct term;

/* A typed line; the term is idle (not shown) during the call. */
typedef void (*term_line_fn)(void *ctx, const char *line, size_t len);

/*
 * The terminal on fd (which the caller reads), if standard input and
 * output are a terminal and $TERM is not "dumb"; NULL otherwise (or if no
 * memory), and the caller reads plain lines.  history: use the file.
 */
struct term *term_new(struct kaipeer_node *n, int fd, int history,
	    term_line_fn fn, void *ctx);

/* Raw mode, the signals, the first prompt. */
void	term_start(struct term *t);

/*
 * Typed bytes.  Complete lines go to fn.  Returns 1 at the end of input
 * (Ctrl-D on an empty line), else 0.
 */
int	term_feed(struct term *t, const char *buf, size_t len);

/* Ctrl-C: the partial line is dropped; the caller prints, then
 * term_prompt() draws a fresh one. */
void	term_drop_line(struct term *t);

/* Draw the prompt and the line again (after lines of the caller's). */
void	term_prompt(struct term *t);

/* Give the terminal back: no more editing, prompts or raw mode.  Safe
 * from inside fn; term_feed() then returns at once. */
void	term_stop(struct term *t);

/* term_stop(), and free t. */
void	term_free(struct term *t);

#endif
