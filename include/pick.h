/*
 * pick: which peers a selector names, against the peer table and the
 * config's groups; and how a selector with a path splits.
 *
 * pick_select() turns a selector ("3", "1-3", "web1", "10.0.0.5:14590",
 * "*", "web*", "@group", or a comma-separated list of these) into the
 * entries it names, each once, in index order.  "*" is every peer that is
 * connected or being dialled, and every peer this node dials (config or
 * "connect") even while it is down; a glob picks among those by name or
 * address.  An index, name or address that names nothing is an error; a
 * range, glob or group that matches nothing adds nothing, and a selector
 * that selects nobody at all is an error.
 *
 * pick_route() splits "gw/2", "0/1/3" or "gw/web*" into the selector of
 * the first hop and the path that goes on from there (each hop's
 * selector is checked now, so a typo is said before anything is sent),
 * and knows "**", every node of the network.  Used by the console, the
 * library and relay.c, which picks the next hop on a node on the way.
 */
#ifndef KAIPEER_PICK_H
#define KAIPEER_PICK_H

#include <stddef.h>

#include "node.h"

#define PICK_GROUP_DEPTH	8	/* groups within groups */

/* What pick_select() found. */
enum pick_sel {
	PICK_SEL_OK,		/* *out holds the entries */
	PICK_SEL_ERROR,		/* err says why: nothing runs */
	PICK_SEL_WAIT		/* names are still being learnt: ask again */
};

/*
 * The entries sel[0..len) names of node n, in a new array *out (free()
 * it) of *nout indexes.  With wait, a selector that needs names (a glob,
 * or a name not known yet) while configured peers are still being dialled
 * gets PICK_SEL_WAIT.  *multi says whether the selector could name more
 * than one peer (a list, a range, "*", a glob, a group).
 */
enum pick_sel pick_select(struct kaipeer_node *n, const char *sel,
	    size_t len, int wait, int **out, int *nout, int *multi,
	    char *err, size_t errsize);

/* How a selector reaches its peers. */
enum pick_kind {
	PICK_DIRECT,		/* no '/': the peers of this node */
	PICK_PATH,		/* "first/rest": relayed along a path */
	PICK_ALL		/* "**": every node of the network */
};

struct pick_route {
	enum pick_kind	 kind;
	const char	*first;		/* PICK_DIRECT, PICK_PATH: the first */
	size_t		 first_len;	/* hop's selector */
	const char	*rest;		/* PICK_PATH: what goes on, no '/' */
	size_t		 rest_len;	/* in front */
	int		 hops;		/* PICK_PATH: hops after the first */
	int		 multi;		/* may a later hop name several? */
};

/*
 * Split sel[0..len) into *rt (pointing into sel).  0, or -1 with err
 * saying why: an empty hop ("gw//2"), a hop whose selector does not
 * parse, more than FRAMES_MAX_HOPS hops, or "**" inside a path.
 */
int	pick_route(const char *sel, size_t len, struct pick_route *rt,
	    char *err, size_t errsize);

#endif
