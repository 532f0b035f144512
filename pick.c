/*
 * pick: which entries of the peer table a selector names (contract in
 * include/pick.h).
 *
 * A selector is parsed by select.c (pure) and resolved here against the
 * peer table and the config's groups, each entry marked in a bitmap so
 * that a peer named twice is picked once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pick.h"
#include "frames.h"
#include "select.h"

struct picker {
	struct kaipeer_node *n;
	unsigned char	*seen;		/* by index */
	int		*out;
	int		 nout;
	int		 count;		/* indexes in the table */
	int		 wait;
	int		 waiting;	/* names are still being learnt */
	char		*err;
	size_t		 errsize;
};

/* May "*" or a glob pick e: up, being dialled, or dialled by us. */
static int
eligible(const struct peer *e)
{
	return e->state == PEER_UP || e->state == PEER_CONNECTING ||
	    (e->dial != NULL && !e->held);
}

static void
add(struct picker *pk, const struct peer *e)
{
	if (e->index < 0 || e->index >= pk->count || pk->seen[e->index])
		return;
	pk->seen[e->index] = 1;
	pk->out[pk->nout++] = e->index;
}

static int
globs(const struct select_item *it, const struct peer *e)
{
	return (e->name[0] != '\0' && select_glob(it->text, it->len, e->name,
	    strlen(e->name))) || (e->addr[0] != '\0' && select_glob(it->text,
	    it->len, e->addr, strlen(e->addr))) || (e->dial != NULL &&
	    select_glob(it->text, it->len, e->dial, strlen(e->dial)));
}

/* An index, a name or an address: exactly one entry, or an error. */
static int
pick_one(struct picker *pk, const struct select_item *it)
{
	struct peer *e, *found[8];
	int i, nf, k;

	if (it->kind == SELECT_INDEX) {
		if ((e = peers_at(pk->n->peers, it->lo)) != NULL) {
			add(pk, e);
			return 0;
		}
		nf = 0;
	} else if ((e = peers_find(pk->n->peers, it->text, it->len, found, 8,
	    &nf)) != NULL) {
		add(pk, e);
		return 0;
	}
	if (nf == 0 && pk->wait && it->kind == SELECT_NAME &&
	    peers_connecting(pk->n->peers)) {
		pk->waiting = 1;
		return 0;
	}
	if (nf <= 1) {
		snprintf(pk->err, pk->errsize, "No peer found matching '%.*s'",
		    (int)it->len, it->text);
		return -1;
	}
	k = snprintf(pk->err, pk->errsize, "Peer '%.*s' is ambiguous: %d "
	    "peers match:", (int)it->len, it->text, nf);
	for (i = 0; i < nf && i < 8 && k > 0 && (size_t)k < pk->errsize; i++)
		k += snprintf(pk->err + k, pk->errsize - (size_t)k, "%s %d "
		    "(%s)", i > 0 ? "," : "", found[i]->index,
		    peer_label(found[i]));
	return -1;
}

static int
pick(struct picker *pk, const char *sel, size_t len, int depth)
{
	const struct config *c = &pk->n->cfg;
	struct select_item *items;
	struct peer *e;
	int i, k, n, rc = 0;

	if ((items = malloc(SELECT_MAX_ITEMS * sizeof(*items))) == NULL) {
		snprintf(pk->err, pk->errsize, "out of memory");
		return -1;
	}
	if ((n = select_parse(sel, len, items, SELECT_MAX_ITEMS, pk->err,
	    pk->errsize)) < 0) {
		free(items);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		switch (items[i].kind) {
		case SELECT_INDEX:
		case SELECT_NAME:
		case SELECT_ADDR:
			rc = pick_one(pk, &items[i]);
			break;
		case SELECT_RANGE:
			for (k = items[i].lo; k <= items[i].hi && k < pk->count;
			    k++)
				if ((e = peers_at(pk->n->peers, k)) != NULL)
					add(pk, e);
			break;
		case SELECT_ALL:
		case SELECT_GLOB:
			if (items[i].kind == SELECT_GLOB && pk->wait &&
			    peers_connecting(pk->n->peers))
				pk->waiting = 1;
			for (k = 0; k < pk->count; k++)
				if ((e = peers_at(pk->n->peers, k)) != NULL &&
				    eligible(e) && (items[i].kind ==
				    SELECT_ALL || globs(&items[i], e)))
					add(pk, e);
			break;
		case SELECT_GROUP:
			for (k = 0; k < c->ngroups; k++)
				if (strlen(c->groups[k].name) == items[i].len &&
				    memcmp(c->groups[k].name, items[i].text,
				    items[i].len) == 0)
					break;
			if (k == c->ngroups) {
				snprintf(pk->err, pk->errsize, "No group named "
				    "'%.*s'", (int)items[i].len, items[i].text);
				rc = -1;
			} else if (depth >= PICK_GROUP_DEPTH) {
				snprintf(pk->err, pk->errsize, "Groups nest "
				    "deeper than %d at '@%s'",
				    PICK_GROUP_DEPTH, c->groups[k].name);
				rc = -1;
			} else
				rc = pick(pk, c->groups[k].selector,
				    strlen(c->groups[k].selector), depth + 1);
			break;
		}
	}
	free(items);
	return rc;
}

enum pick_sel
pick_select(struct kaipeer_node *n, const char *sel, size_t len, int wait,
    int **out, int *nout, int *multi, char *err, size_t errsize)
{
	struct select_item items[2];
	struct picker pk;
	char e1[8];
	int rc;

	*out = NULL;
	*nout = 0;
	*multi = select_parse(sel, len, items, 2, e1, sizeof(e1)) != 1 ||
	    select_is_multi(items, 1);
	memset(&pk, 0, sizeof(pk));
	pk.n = n;
	pk.count = n->peers != NULL ? peers_count(n->peers) : 0;
	pk.wait = wait;
	pk.err = err;
	pk.errsize = errsize;
	if ((pk.seen = calloc((size_t)pk.count + 1, 1)) == NULL ||
	    (pk.out = malloc(((size_t)pk.count + 1) * sizeof(int))) == NULL) {
		free(pk.seen);
		snprintf(err, errsize, "out of memory");
		return PICK_SEL_ERROR;
	}
	rc = n->peers != NULL ? pick(&pk, sel, len, 0) : 0;
	free(pk.seen);
	if (rc == 0 && pk.waiting) {
		free(pk.out);
		return PICK_SEL_WAIT;
	}
	if (rc != 0) {
		free(pk.out);
		return PICK_SEL_ERROR;
	}
	/* In index order, as a user reads the peer table. */
	for (rc = 1; rc < pk.nout; rc++) {
		int v = pk.out[rc], j = rc;

		for (; j > 0 && pk.out[j - 1] > v; j--)
			pk.out[j] = pk.out[j - 1];
		pk.out[j] = v;
	}
	*out = pk.out;
	*nout = pk.nout;
	return PICK_SEL_OK;
}


int
pick_route(const char *sel, size_t len, struct pick_route *rt, char *err,
    size_t errsize)
{
	struct select_item items[SELECT_MAX_ITEMS];
	const char *p, *slash, *end = sel + len;
	int hops = 0, n;

	memset(rt, 0, sizeof(*rt));
	rt->first = sel;
	rt->first_len = len;
	if (len == 2 && memcmp(sel, "**", 2) == 0) {
		rt->kind = PICK_ALL;
		rt->multi = 1;
		return 0;
	}
	if ((slash = memchr(sel, '/', len)) == NULL) {
		rt->kind = PICK_DIRECT;
		return 0;
	}
	rt->kind = PICK_PATH;
	rt->first_len = (size_t)(slash - sel);
	rt->rest = slash + 1;
	rt->rest_len = (size_t)(end - slash - 1);
	for (p = sel; p <= end; p = slash + 1, hops++) {
		if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL)
			slash = end;
		if (slash == p) {
			snprintf(err, errsize, "Empty hop in path '%.*s'",
			    (int)len, sel);
			return -1;
		}
		if (slash - p == 2 && memcmp(p, "**", 2) == 0) {
			snprintf(err, errsize, "'**' cannot be a hop of a path "
			    "('%.*s')", (int)len, sel);
			return -1;
		}
		if ((n = select_parse(p, (size_t)(slash - p), items,
		    SELECT_MAX_ITEMS, err, errsize)) < 0)
			return -1;
		if (p != sel && select_is_multi(items, n))
			rt->multi = 1;
	}
	rt->hops = hops - 1;
	if (rt->hops > FRAMES_MAX_HOPS - 1) {
		snprintf(err, errsize, "Path '%.*s' is too long: at most %d hops",
		    (int)len, sel, FRAMES_MAX_HOPS);
		return -1;
	}
	return 0;
}
