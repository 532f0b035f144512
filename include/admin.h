/*
 * admin: the console's own commands, which manage the node rather than
 * run something on it: help, peers, connect, disconnect and forget.
 *
 * Each prints what it did (or why it could not) on standard output and
 * returns the exit status it calls for: 0 done, 1 a mistake of the user
 * (a bad host, a selector naming nothing).  "connect" only starts the
 * dial; whoever runs it watches the entry it returns for the outcome.
 */
#ifndef KAIPEER_ADMIN_H
#define KAIPEER_ADMIN_H

#include <stddef.h>

#include "node.h"

/* The console's help: commands, selectors, operators, programs, aliases. */
void	admin_help(struct kaipeer_node *n);

/* The peer table: connected peers, then the others with their state. */
void	admin_peers(struct kaipeer_node *n);

/*
 * Dial host[0..hlen):port unless it is connected or being dialled.
 * Returns the entry's index (>= 0), or -1 after a message.
 */
int	admin_connect(struct kaipeer_node *n, const char *host, size_t hlen,
	    int port);

/*
 * Close the links of the peers sel[0..len) names and dial them no more;
 * with forget, take them out of the table too.  Returns 0 or 1.
 */
int	admin_disconnect(struct kaipeer_node *n, const char *sel, size_t len,
	    int forget);

#endif
