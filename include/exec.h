/*
 * exec: the programs a node runs for its peers, and only those: each
 * entry of the config's "exec" is a command of that name.
 *
 * "uptime": ["uptime"] runs uptime; with "args": true the caller's words
 * are appended to the argv, each one argument (quotes group words, as in
 * a shell, but no shell is involved); without it, arguments are refused.
 * Programs run inside the loop (proc.c): at most maxProcesses at once (a
 * call past it gets "Error: busy ..." at once), output bounded by
 * maxResultSize and by what the asker's link takes (cut, with a note),
 * killed at their "timeout" or when the caller cancels or goes away.  A
 * program that exits 0 gives an ok result; any other end is an error
 * result that carries the exit code (128 + N for a signal N) and the
 * output.
 */
#ifndef KAIPEER_EXEC_H
#define KAIPEER_EXEC_H

#include "node.h"

struct execs;

/* The programs of node n (none yet); NULL if no memory. */
struct execs *execs_new(struct kaipeer_node *n);

/* Kill what still runs and free everything. */
void	execs_free(struct execs *x);

/*
 * Register the programs of n's config as commands, after unregistering
 * those of the config before.  Returns 0, or -1 if one could not be
 * registered (said on standard error; the others are).
 */
int	execs_configure(struct execs *x);

/* Programs running now. */
int	execs_running(const struct execs *x);

#endif
