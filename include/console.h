/*
 * console: what a console line means, decided without side effects.
 *
 * The node reads lines from stdin (and from -c); console_parse() says which
 * console command a line is, console_match_peer() resolves the <peer> of
 * "@<peer> <command>", and console_expand() follows command aliases.  All
 * three are pure: they look at the caller's strings, allocate nothing and
 * print nothing, so every rule of the console is testable as a table.
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
	CONSOLE_USAGE		/* malformed: print usage, a usage message */
};

/*
 * A parsed line.  The (pointer, length) pairs point into the caller's line,
 * trimmed of surrounding blanks.
 */
struct console_cmd {
	enum console_kind kind;
	const char	*peer;		/* REMOTE: the selector after '@' */
	size_t		 peer_len;
	const char	*text;		/* REMOTE: the command; LOCAL: the line;
					   CONNECT: the host */
	size_t		 text_len;
	int		 port;		/* CONNECT: 1..65535 */
	const char	*usage;		/* USAGE: the line to print */
};

/* Parse line[0..len) (no newline) into *cmd.  Never fails. */
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
 * a selector.
 */
int	console_name_ok(const char *name, size_t len);

struct console_alias {
	const char	*name;
	const char	*expansion;
};

/*
 * Follow aliases: while the whole (trimmed) line equals an alias name,
 * replace it by its expansion.  Returns 0 and sets *out and *out_len to the
 * final command (pointing into line or into an alias), or -1 when the
 * aliases loop, with err holding "alias loop: a -> b -> a".
 */
int	console_expand(const struct console_alias *aliases, int n,
	    const char *line, size_t len, const char **out, size_t *out_len,
	    char *err, size_t errsize);

#endif
