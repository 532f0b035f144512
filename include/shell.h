/*
 * shell: what console lines do, however they come (typed, -c, a script).
 *
 * A line is split at its operators (chain.c) and run with the shell's
 * meaning: "A ; B" runs both, "A && B" runs B if A succeeded, "A || B" if
 * it failed, and "A | B" runs B once per successful result of A, with {}
 * in B replaced by that result (or the result appended).  Each stage is a
 * local command, a console command (admin.c), or a command for peers:
 * "@<selector> <command>" and "gather <selector> <command>" go to every
 * peer the selector names at once (fanout.c), and each result is shown as
 * it arrives (report.c), or folded at the end when gathering, followed by
 * a summary line when the selector could name several peers.
 *
 * Every line, and every file of lines, ends with one exit status: 0 when
 * every command succeeded, 1 when one failed (an error result, a mistake
 * of the user), 2 when a peer could not be reached, was lost, timed out
 * or the command was cancelled (2 wins over 1).  A pipeline's status is
 * the worst of all its commands; a line's is that of the last pipeline
 * it ran, as in a shell.
 *
 * Typed lines run side by side; the lines of a file run one after the
 * other (script.c).
 * With wait_dials (one-shot mode) a command waits until the peers it
 * names have connected or failed, and a selector that needs names waits
 * until no configured peer is still being dialled.
 */
#ifndef KAIPEER_SHELL_H
#define KAIPEER_SHELL_H

#include <stddef.h>

#include "node.h"

#define SHELL_MAX_DEPTH		8	/* files sourcing files */
#define SHELL_MAX_STAGE		(64 * 1024 * 1024)	/* a piped command */

struct shell_opts {
	int	 gather;		/* -b: fold identical results */
	int	 json;			/* --json: results as JSON lines */
	long	 timeout_ms;		/* -t; 0: the config's */
	int	 wait_dials;		/* one-shot: wait for named peers */
};

struct shell;

/* The end of a line or a file: its exit status. */
typedef void (*shell_done_fn)(void *ctx, int status);

/* "exit" was run: the console should close. */
typedef void (*shell_exit_fn)(void *ctx);

/* A shell for node n.  NULL if no memory. */
struct shell *shell_new(struct kaipeer_node *n, const struct shell_opts *o,
	    shell_exit_fn on_exit, void *ctx);

/* Cancel what runs (no callbacks) and free the shell. */
void	shell_free(struct shell *sh);

/*
 * Run line[0..len).  done(ctx, status) is called once, from the loop or
 * from within this call.
 */
void	shell_run(struct shell *sh, const char *line, size_t len,
	    shell_done_fn done, void *ctx);

/* The same for a line of a file sourced depth files deep. */
void	shell_run_at(struct shell *sh, const char *line, size_t len,
	    int depth, shell_done_fn done, void *ctx);

/*
 * "source [-k] <file>": run the file's lines depth deep, then done(ctx,
 * status).  The shell knows no files: script.c sets this.
 */
typedef void (*shell_source_fn)(void *fctx, struct shell *sh,
    const char *path, int keep_going, int depth, shell_done_fn done,
    void *ctx);
void	shell_set_source(struct shell *sh, shell_source_fn fn, void *fctx);

/* For runners of many lines: the count of Ctrl-Cs (a change means stop),
 * whether "exit" was run or the node is stopping, and a message for the
 * user. */
unsigned shell_generation(const struct shell *sh);
int	shell_exiting(const struct shell *sh);
void	shell_say(struct shell *sh, const char *text);

/*
 * Ctrl-C: every command in flight ends "Error: cancelled" (and is
 * cancelled on its peer), and no line or file goes on.  Returns how many
 * commands were cancelled.
 */
int	shell_interrupt(struct shell *sh);

/* Lines still running. */
int	shell_busy(const struct shell *sh);

#endif
