/*
 * repl: the console of a node run by kaipeer_main(): lines from standard
 * input or from -c, turned into actions (console.c says what a line
 * means), and the two ways a console ends.
 *
 * Standard input is read through the loop like any socket, without ever
 * blocking: a terminal through a private non-blocking file description
 * (so the shell's is untouched), anything else made non-blocking and
 * given back its flags at the end.  A node moved to the background of
 * its terminal (Ctrl-Z, bg) reads nothing until it is in the foreground
 * again, and goes on serving meanwhile.
 *
 * Interactive: "exit", "quit" or the end of input stop reading, wait for
 * every command in flight (each ends within commandTimeout), and stop the
 * node.  Not interactive: the end of input changes nothing; the node
 * serves until a signal.  One-shot (-c): once no configured peer is still
 * being dialled, the lines run in order; when every command has its
 * result and every "connect" has its outcome, the node stops, and the exit
 * status says whether all went well.
 */
#ifndef KAIPEER_REPL_H
#define KAIPEER_REPL_H

#include "node.h"

#define REPL_LINE_MAX	65536		/* longest line of standard input */

struct repl;

/*
 * The console of n.  With lines (n of them, from -c) it is one-shot and
 * does not read standard input; otherwise it reads it, interactive or
 * not, with a "> " prompt when interactive on a terminal.  NULL if no
 * memory.
 */
struct repl *repl_new(struct kaipeer_node *n, int interactive,
	    const char **lines, int nlines);

/* Print the banner (interactive only) and start reading. */
void	repl_start(struct repl *r);

/* Has a one-shot console seen a failure? */
int	repl_failed(const struct repl *r);

/* Stop reading and give standard input its flags back. */
void	repl_free(struct repl *r);

/* Ctrl-C on the console: stop reading and end the node. */
void	repl_interrupt(struct repl *r);

#endif
