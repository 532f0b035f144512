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

/* What console_match_peer() needs to know of one peer table entry. */
struct console_peer {
	const char	*addr;		/* "127.0.0.1:14595", or NULL: no entry */
	const char	*name;		/* its "name", or NULL */
	const char	*dial;		/* "host:port" as configured, or NULL */
};

#define CONSOLE_NO_MATCH	(-1)
#define CONSOLE_AMBIGUOUS	(-2)

/*
 * Resolve a selector against n table entries: a decimal index of an entry,
 * else an exact name, else an exact "ip:port" or configured "host:port".
 * No substring guessing.  Returns the index, CONSOLE_NO_MATCH, or
 * CONSOLE_AMBIGUOUS when more than one entry has that name or address.
 */
int	console_match_peer(const char *sel, size_t len,
	    const struct console_peer *peers, int n);

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
