/*
 * chain: the operators of a console line, found without side effects.
 *
 * A console line may hold several commands, joined as in sh(1):
 *
 *	a ; b		run a, then b
 *	a && b		run b only if a succeeded
 *	a || b		run b only if a failed
 *	a | b		run b with a's result in it (chain_subst())
 *
 * '|' binds tighter than ';', '&&' and '||', which are of equal rank and
 * run left to right.  An operator inside '...' or "...", or after a
 * backslash, is text (words.h has the quoting rules); a single '&' is text
 * too.  chain_parse() only cuts the line: each stage's text is passed on
 * as written, quotes and backslashes kept, for console_parse() to read.
 *
 * Pure: no I/O, no allocation.  Stages point into the caller's line.
 */
#ifndef KAIPEER_CHAIN_H
#define KAIPEER_CHAIN_H

#include <stddef.h>

enum chain_op {
	CHAIN_FIRST,		/* the first pipeline, or a piped stage */
	CHAIN_SEQ,		/* ; */
	CHAIN_AND,		/* && */
	CHAIN_OR		/* || */
};

#define CHAIN_MAX_STAGES	64

/*
 * One command of the line: text[0..len), trimmed of blanks.  pipe is 1
 * when the previous stage's result feeds this one through '|'.  op is, for
 * the first stage of a pipeline (pipe == 0), how it joins the pipeline
 * before it: CHAIN_FIRST for stage 0; for a piped stage it is CHAIN_FIRST.
 */
struct chain_stage {
	const char	*text;
	size_t		 len;
	int		 pipe;
	enum chain_op	 op;
};

struct chain {
	struct chain_stage stages[CHAIN_MAX_STAGES];
	int		 n;
};

/*
 * Cut line[0..len) at its operators into c->stages[0..c->n).  A blank
 * line gives n = 0; one ';' may end the line.  Returns c->n, or -1 with
 * err (NUL-terminated, truncated to errsize) saying why: "unterminated
 * quote", "missing command before ';'" (or '&&', '||', '|': a stage is
 * empty), "missing command after '|'" (or '&&', '||': the line ends
 * there), "more than 64 commands in one line".
 */
int	chain_parse(const char *line, size_t len, struct chain *c, char *err,
	    size_t errsize);

/*
 * Does line[0..len) hold an operator (';', '&&', '||', '|') outside
 * quotes?  Returns 1 or 0; 0 means chain_parse() would give the whole
 * (trimmed) line as one stage, or fail only on an unterminated quote.
 */
int	chain_has_ops(const char *line, size_t len);

/*
 * A piped stage with its input in[0..inlen): every "{}" in stage[0..len),
 * quoted or not, replaced by the input, or, if there is no "{}", the stage
 * followed by a blank and the input.  chain_subst_len() returns the exact
 * length of that (no NUL), or SIZE_MAX when it would not fit a size_t.
 * chain_subst() writes it and a NUL into out, which must hold
 * chain_subst_len() + 1 bytes and not overlap stage or in, and returns the
 * length.  The input is not quoted: it becomes part of the command as is.
 */
size_t	chain_subst_len(const char *stage, size_t len, size_t inlen);
size_t	chain_subst(const char *stage, size_t len, const char *in,
	    size_t inlen, char *out);

#endif
