/*
 * script: files of console lines, and the lines of -c, run in order.
 *
 * A file is read whole (at most SCRIPT_MAX_FILE bytes, text only); blank
 * lines and lines whose first non-blank byte is '#' are skipped; each
 * other line runs through the shell once the one before it has ended.
 * The first line that fails (a non-zero status) stops the file unless
 * keep_going; so do "exit" and Ctrl-C.  The file's status is the worst of
 * its lines' (2 wins over 1).
 */
#ifndef KAIPEER_SCRIPT_H
#define KAIPEER_SCRIPT_H

#include "shell.h"

#define SCRIPT_MAX_FILE	(16 * 1024 * 1024)

/* Make "source <file>" work in sh. */
void	script_attach(struct shell *sh);

/* Run lines[0..n) (kept alive by the caller until done) in order. */
void	script_lines(struct shell *sh, const char *const *lines, int n,
	    int keep_going, shell_done_fn done, void *ctx);

/* Run the lines of the file at path, depth files deep. */
void	script_file(struct shell *sh, const char *path, int keep_going,
	    int depth, shell_done_fn done, void *ctx);

#endif
