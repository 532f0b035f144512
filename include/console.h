/*
 * console: what a console line means, decided without side effects.
 *
 * The node reads lines from stdin (and from -c); console_parse() says which
 * console command a line is, console_match_peer() resolves the <peer> of
 * "@<peer> <command>", and console_expand() follows command aliases.  All
 * three are pure: they look at the caller's strings, allocate nothing and
 * print nothing, so every rule of the console is testable as a table.
 * Words are cut as words.h says; selectors are listed by select.h.
 */
#ifndef KAIPEER_CONSOLE_H
#define KAIPEER_CONSOLE_H

#include <stddef.h>

enum console_kind {
	CONSOLE_EMPTY,		/* blank line: nothing to do */
	CONSOLE_HELP,		/* help */
	CONSOLE_CONNECT,	/* connect <host> <port> */
	CONSOLE_PEERS,		/* peers */
	CONSOLE_EXIT,		/* exit, quit */
	CONSOLE_REMOTE,		/* @<peer> <command> */
	CONSOLE_LOCAL,		/* anything else: run here */
	CONSOLE_USAGE,		/* malformed: print usage, a usage message */
	CONSOLE_GATHER,		/* gather <selector> <command> */
	CONSOLE_DISCONNECT,	/* disconnect <peer> */
	CONSOLE_FORGET,		/* forget <peer> */
	CONSOLE_SOURCE		/* source [-k] <file> */
};

/*
 * A parsed line.  The (pointer, length) pairs point into the caller's line,
 * trimmed of surrounding blanks.
 */
struct console_cmd {
	enum console_kind kind;
	const char	*peer;		/* REMOTE: the selector after '@';
					   GATHER: the selector; DISCONNECT,
					   FORGET: the peer (a selector) */
	size_t		 peer_len;
	const char	*text;		/* REMOTE, GATHER: the command;
					   LOCAL: the line; CONNECT: the host;
					   SOURCE: the file (rest of line) */
	size_t		 text_len;
	int		 port;		/* CONNECT: 1..65535 */
	int		 keep_going;	/* SOURCE: 1 with -k, else 0 */
	const char	*usage;		/* USAGE: the line to print */
};

/*
 * Parse line[0..len) (no newline) into *cmd.  Never fails: a malformed
 * command is CONSOLE_USAGE with usage one of "Usage: @peer command
 * [args]", "Usage: connect <host> <port>", "Usage: gather <selector>
 * <command>", "Usage: disconnect <peer>", "Usage: forget <peer>" or
 * "Usage: source [-k] <file>" (constant strings).
 */
void	console_parse(const char *line, size_t len, struct console_cmd *cmd);

/*
 * Parse a decimal port "1".."65535" from s[0..len).  Returns the port, or
 * -1 for anything else (signs, blanks, junk, 0, 65536, huge numbers).
 */
int	console_port(const char *s, size_t len);

/* What a selector ("@<selector> command") names. */
enum console_sel {
	CONSOLE_SEL_BAD,	/* empty */
	CONSOLE_SEL_INDEX,	/* decimal digits: an index */
	CONSOLE_SEL_ADDR,	/* has a ':': "ip:port", "[v6]:port", "host:port" */
	CONSOLE_SEL_NAME	/* anything else: a peer's name */
};

/*
 * Classify sel[0..len).  For an index, *index is its value, or -1 when it
 * has more digits than any index.  An index or an address always means
 * what it says, so a name may look like neither (console_name_ok()).
 */
enum console_sel console_selector(const char *sel, size_t len, int *index);

/*
 * May name[0..len) be a node's name?  Not empty, no control byte, none of
 * ":,*?[]/@", not all digits (or digits-digits), and not a dotted number
 * like an IPv4 address: a name must never shadow an index, an address or
 * a selector.  The same as select_name_ok().
 */
int	console_name_ok(const char *name, size_t len);

struct console_alias {
	const char	*name;
	const char	*expansion;
};

/*
 * Follow aliases: while the first word of the (trimmed) line, as written, is
 * an alias name, replace the line by that alias's expansion with the
 * arguments (the words after the name) put in: "$1".."$9" become the 1st to
 * 9th argument as written (quotes kept; a missing one is empty), "$*" all of
 * them as written (the rest of the line, trimmed), and '$' before anything
 * else stays ("$10" is "$1" and a '0').  An expansion with none of these
 * gets the arguments appended after a blank, so "add" -> "calc 1+2" makes
 * "add" "calc 1+2" and "add 3" "calc 1+2 3".  Each result is trimmed.
 *
 * Writes into out[0..outsize), which must not overlap line.  Returns 0 with
 * out[0..*outlen) the final command and out[*outlen] a NUL, or -1 with err
 * (NUL-terminated, truncated to errsize) holding "alias loop: a -> b -> a"
 * (an alias met twice, or more than 64 hops), "command too long" (no alias,
 * and the line and its NUL exceed outsize) or "command too long after alias
 * expansion".  Every line on the way must fit in outsize with a NUL; past
 * the first hop, an expansion that uses $1..$9 or $* must fit together with
 * the arguments it reads, which wait at the end of out meanwhile.
 */
int	console_expand(const struct console_alias *aliases, int n,
	    const char *line, size_t len, char *out, size_t outsize,
	    size_t *outlen, char *err, size_t errsize);

#endif
