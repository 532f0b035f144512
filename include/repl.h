/*
 * repl: the console of a node run by kaipeer_main(): lines from standard
 * input, from -c or from a script (-f), handed to the shell (shell.c says
 * what a line does), and the ways a console ends.
 *
 * Standard input is read through the loop like any socket, without ever
 * blocking: a terminal through a private non-blocking file description
 * (so the shell's is untouched), anything else made non-blocking and
 * given back its flags at the end.  A node moved to the background of
 * its terminal (Ctrl-Z, bg) reads nothing until it is in the foreground
 * again, and goes on serving meanwhile.  Typed lines run side by side.
 *
 * Interactive: "exit", "quit" or the end of input stop reading, wait for
 * every command in flight (each ends within its timeout), and stop the
 * node.  On a terminal, Ctrl-C cancels every command in flight and keeps
 * the console; a second one within a second ends the node.  Not
 * interactive: the end of input changes nothing; the node serves until a
 * signal.  One-shot (-c, -f): the lines run one after the other (a
 * script stops at its first failure unless -k), then the node stops;
 * repl_status() is the exit status.
 */
#ifndef KAIPEER_REPL_H
#define KAIPEER_REPL_H

#include "node.h"
#include "shell.h"

#define REPL_LINE_MAX		65536	/* longest line of standard input */
#define REPL_DOUBLE_INT_MS	1000	/* two Ctrl-Cs within this: exit */

struct repl_opts {
	int		 interactive;	/* the config's "interactive" */
	const char	**lines;	/* -c lines, or none */
	int		 nlines;
	const char	*script;	/* -f file, or NULL */
	int		 keep_going;	/* -k */
	int		 daemon;	/* -n: standard input is not read */
	struct shell_opts shell;
};

struct repl;

/* The console of n.  NULL if no memory. */
struct repl *repl_new(struct kaipeer_node *n, const struct repl_opts *o);

/* Print the banner (interactive only) and start reading or running. */
void	repl_start(struct repl *r);

/* The exit status of a one-shot console: 0, 1 or 2 (shell.h). */
int	repl_status(const struct repl *r);

/*
 * SIGINT.  On an interactive console on a terminal, the first cancels
 * what is in flight and returns 1 (keep going); otherwise, or for a
 * second one within REPL_DOUBLE_INT_MS, it returns 0: stop the node.
 */
int	repl_interrupt(struct repl *r);

/* Stop reading, end what still runs, give standard input its flags back. */
void	repl_free(struct repl *r);

#endif
