/*
 * report: results as people and programs read them (contract in
 * include/report.h).
 *
 * Gathering keys each result by its status, exit code and text in a hash
 * map, so that folding a thousand results costs a thousand lookups; the
 * blocks are sorted only when printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "map.h"
#include "random.h"
#include "report.h"
#include "request.h"

struct member {
	int		 peer;
	char		*who;
};

struct group {
	char		*key;		/* status, exit + 1, then the text */
	size_t		 klen;
	int		 status;
	int		 exit_code;
	struct member	*m;
	int		 n, cap;
	int		 first;		/* lowest peer index */
};

struct gather {
	struct map	 map;
	struct group	**g;
	int		 n, cap;
};

const char *
report_status(int status)
{
	static const char *const names[] = { "ok", "error", "timeout",
	    "unreachable", "lost", "cancelled" };

	return status >= 0 && status <= REQ_CANCELLED ? names[status] :
	    "error";
}

int
report_class(int status)
{
	return status == REQ_OK ? 0 : status == REQ_ERROR ? 1 : 2;
}

/* The text without one trailing newline (a program's last line ends). */
static size_t
shown_len(const char *text, size_t len)
{
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len > 0 && text[len - 1] == '\r')
		len--;
	return len;
}

static const char *
who(const struct report_item *it)
{
	return it->name[0] != '\0' ? it->name : it->label;
}

/* Each line of text[0..len) on a line of its own, after "<prefix>: ". */
static void
lines(struct output *o, const char *prefix, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	size_t n;

	while (p <= end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		out_begin(o, OUT_STDOUT);
		if (prefix[0] != '\0') {
			out_safe(o, prefix, strlen(prefix));
			out_str(o, ": ");
		}
		out_safe(o, p, n);
		out_end(o);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

void
report_text(struct output *o, const struct report_item *it)
{
	size_t len = shown_len(it->text, it->len);
	int multi = memchr(it->text, '\n', len) != NULL;
	int code = it->status == REQ_ERROR && it->exit_code > 0;
	int from = it->peer >= 0 || it->label[0] != '\0';
	const char *sep = from || !it->bare ? " " : "";

	out_group_begin(o, OUT_STDOUT);
	out_begin(o, OUT_STDOUT);
	if (from) {
		out_printf(o, "Result from %s for command '", it->label);
		out_safe(o, it->command, it->clen);
		out_str(o, "':");
	} else if (!it->bare)
		out_str(o, "Result:");
	if (code) {
		out_printf(o, "%sError: exit %d", sep, it->exit_code);
		sep = ": ";
	}
	if (!multi) {
		if (len > 0 || !code) {
			out_str(o, sep);
			out_safe(o, it->text, len);
		}
		out_end(o);
		out_group_end(o);
		return;
	}
	out_end(o);
	lines(o, it->peer >= 0 ? who(it) : "", it->text, len);
	out_group_end(o);
}

void
report_json(struct output *o, const struct report_item *it)
{
	size_t len = it->len > it->clen ? it->len : it->clen;
	char *buf;

	if ((buf = malloc(JSON_QUOTE_MAX(len > 256 ? len : 256))) == NULL)
		return;
	out_group_begin(o, OUT_STDOUT);
	out_begin(o, OUT_STDOUT);
	if (it->peer >= 0)
		out_printf(o, "{\"peer\":%d,\"name\":", it->peer);
	else
		out_str(o, "{\"peer\":null,\"name\":");
	out_bytes(o, buf, json_quote(buf, it->name, strlen(it->name)));
	out_str(o, ",\"addr\":");
	out_bytes(o, buf, json_quote(buf, it->label, strlen(it->label)));
	out_str(o, ",\"command\":");
	out_bytes(o, buf, json_quote(buf, it->command, it->clen));
	out_printf(o, ",\"status\":\"%s\",\"exit\":",
	    report_status(it->status));
	if (it->exit_code >= 0)
		out_printf(o, "%d", it->exit_code);
	else
		out_str(o, "null");
	out_str(o, ",\"result\":");
	out_bytes(o, buf, json_quote(buf, it->text, it->len));
	out_printf(o, ",\"ms\":%ld}", it->ms);
	out_end(o);
	out_group_end(o);
	free(buf);
}

void
report_summary(struct output *o, const char *cmd, size_t clen, int npeers,
    const struct fan_counts *c, long ms)
{
	out_begin(o, OUT_STDOUT);
	out_str(o, "Done '");
	out_safe(o, cmd, clen);
	out_printf(o, "' on %d %s%s in %ld.%02ld s: %d ok, %d failed, "
	    "%d timed out, %d unreachable", npeers, c->all ? "node" : "peer",
	    npeers == 1 ? "" : "s", ms / 1000, ms % 1000 / 10, c->ok,
	    c->error, c->timeout, c->unreachable);
	if (c->lost > 0)
		out_printf(o, ", %d lost", c->lost);
	if (c->cancelled > 0)
		out_printf(o, ", %d cancelled", c->cancelled);
	if (c->all && c->missing == 0)
		out_str(o, " (every node reached answered)");
	else if (c->all)
		out_printf(o, "; %ld link%s gave no answer in time: nodes "
		    "behind %s may be missing", c->missing, c->missing == 1 ?
		    "" : "s", c->missing == 1 ? "it" : "them");
	out_end(o);
}

/* --- gathering ------------------------------------------------------------ */

struct gather *
gather_new(void)
{
	struct gather *g;
	uint64_t seed;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	random_bytes((unsigned char *)&seed, sizeof(seed));
	if (map_init(&g->map, seed) == -1) {
		free(g);
		return NULL;
	}
	return g;
}

void
gather_free(struct gather *g)
{
	int i, k;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		for (k = 0; k < g->g[i]->n; k++)
			free(g->g[i]->m[k].who);
		free(g->g[i]->m);
		free(g->g[i]->key);
		free(g->g[i]);
	}
	free(g->g);
	map_free(&g->map);
	free(g);
}

/* The block for it's key, made if new; NULL if no memory. */
static struct group *
group_of(struct gather *g, const struct report_item *it, size_t len)
{
	struct group *gr, **gg;
	size_t klen = 2 + len;
	char *key;

	if ((key = malloc(klen)) == NULL)
		return NULL;
	key[0] = (char)it->status;
	key[1] = (char)(it->exit_code + 1);
	memcpy(key + 2, it->text, len);
	if ((gr = map_get(&g->map, key, klen)) != NULL) {
		free(key);
		return gr;
	}
	if (g->n == g->cap) {
		if ((gg = realloc(g->g, (size_t)(g->cap > 0 ? g->cap * 2 : 8) *
		    sizeof(*gg))) == NULL) {
			free(key);
			return NULL;
		}
		g->g = gg;
		g->cap = g->cap > 0 ? g->cap * 2 : 8;
	}
	if ((gr = calloc(1, sizeof(*gr))) == NULL ||
	    map_put(&g->map, key, klen, gr) == -1) {
		free(gr);
		free(key);
		return NULL;
	}
	gr->key = key;
	gr->klen = klen;
	gr->status = it->status;
	gr->exit_code = it->exit_code;
	gr->first = it->peer;
	g->g[g->n++] = gr;
	return gr;
}

int
gather_add(struct gather *g, const struct report_item *it, struct output *o)
{
	struct group *gr;
	struct member *m;

	if ((gr = group_of(g, it, shown_len(it->text, it->len))) == NULL)
		goto now;
	if (gr->n == gr->cap) {
		if ((m = realloc(gr->m, (size_t)(gr->cap > 0 ? gr->cap * 2 :
		    4) * sizeof(*m))) == NULL)
			goto now;
		gr->m = m;
		gr->cap = gr->cap > 0 ? gr->cap * 2 : 4;
	}
	if ((gr->m[gr->n].who = strdup(who(it))) == NULL)
		goto now;
	gr->m[gr->n++].peer = it->peer;
	if (it->peer < gr->first)
		gr->first = it->peer;
	return 0;
now:
	report_text(o, it);
	return -1;
}

static int
by_peer(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return (x->peer > y->peer) - (x->peer < y->peer);
}

static int
by_first(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a;
	const struct group *y = *(struct group *const *)b;

	return (x->first > y->first) - (x->first < y->first);
}

void
gather_print(struct gather *g, struct output *o)
{
	struct group *gr;
	int i, k;

	qsort(g->g, (size_t)g->n, sizeof(*g->g), by_first);
	for (i = 0; i < g->n; i++) {
		gr = g->g[i];
		qsort(gr->m, (size_t)gr->n, sizeof(*gr->m), by_peer);
		out_group_begin(o, OUT_STDOUT);
		out_line(o, OUT_STDOUT, "---------------");
		out_begin(o, OUT_STDOUT);
		for (k = 0; k < gr->n; k++) {
			if (k > 0)
				out_str(o, ",");
			out_safe(o, gr->m[k].who, strlen(gr->m[k].who));
		}
		out_printf(o, " (%d)", gr->n);
		if (gr->status != REQ_OK)
			out_printf(o, ": %s", report_status(gr->status));
		if (gr->status == REQ_ERROR && gr->exit_code > 0)
			out_printf(o, ", exit %d", gr->exit_code);
		out_end(o);
		out_line(o, OUT_STDOUT, "---------------");
		if (gr->klen > 2)
			lines(o, "", gr->key + 2, gr->klen - 2);
		out_group_end(o);
	}
}
