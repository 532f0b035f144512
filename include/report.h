/*
 * report: results as people and programs read them.
 *
 * One result in text: "Result from <addr> for command '<command>': <text>"
 * (a result of this node's own console: "Result: <text>"), the line of
 * the original program.  A result of several lines (a program's output)
 * is a header line ending in ':' and then one line per line, each headed
 * by the peer's name (or address) as pdsh does: "web1: <line>".  An
 * error carrying a program's exit code says "Error: exit N".  Every byte
 * a peer chose is escaped (output.c); a newline is never shown as \x0a.
 *
 * One result in JSON (--json): one object per line with peer, name, addr,
 * command, status ("ok", "error", "timeout", "unreachable", "lost",
 * "cancelled"), exit (a number or null), result and ms; any bytes of the
 * result come out as valid JSON (json_quote()).
 *
 * Gathering (-b, "gather"): results collected until the last, then one
 * block per distinct result and status, headed by the peers that gave it
 * and their count, as "clush -b" prints.  And the summary line of a
 * fan-out: how many succeeded, failed, timed out, were unreachable, and
 * the time it took.
 */
#ifndef KAIPEER_REPORT_H
#define KAIPEER_REPORT_H

#include <stddef.h>

#include "fanout.h"
#include "output.h"

/* One result to show. */
struct report_item {
	int		 peer;		/* index; -1: this node */
	const char	*label;		/* "ip:port"; "" for this node */
	const char	*name;		/* "" if none */
	const char	*command;	/* as sent */
	size_t		 clen;
	int		 status;	/* REQ_OK ... REQ_CANCELLED */
	int		 exit_code;	/* or -1 */
	int		 bare;		/* this node: the text alone, no
					   "Result: " ("Unknown command") */
	const char	*text;
	size_t		 len;
	long		 ms;
};

/* The result in text, on standard output. */
void	report_text(struct output *o, const struct report_item *it);

/* The result as one line of JSON, on standard output. */
void	report_json(struct output *o, const struct report_item *it);

/* "ok", "error", "timeout", "unreachable", "lost", "cancelled". */
const char *report_status(int status);

/* The exit status a result calls for: 0 ok, 1 error, 2 the rest. */
int	report_class(int status);

/* "Done '<command>' on N peers in S s: N ok, N failed, ..."; for "**"
 * "on N nodes", and whether every node reached answered. */
void	report_summary(struct output *o, const char *cmd, size_t clen,
	    int npeers, const struct fan_counts *c, long ms);

struct gather;

/* An empty gathering, or NULL if no memory. */
struct gather *gather_new(void);

/* Keep it (copied).  0, or -1 if no memory (then it is shown at once). */
int	gather_add(struct gather *g, const struct report_item *it,
	    struct output *o);

/* Print the blocks, in the order of their lowest peer index. */
void	gather_print(struct gather *g, struct output *o);

void	gather_free(struct gather *g);

#endif
