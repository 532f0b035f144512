/*
 * config: the node's settings, read from a strict JSON file.
 *
 * json_parse() checks the syntax into a token array sized from the text: a
 * document of len bytes has at most len / 2 + 1 tokens, plus one for each
 * container still open where the parse stops, so the array never fills.
 * One walk over the tokens then checks every known key's type and range as
 * it stores the value.  The first problem ends the walk, everything stored
 * so far is freed and the struct goes back to its defaults: a bad file is
 * never half-loaded.  Messages point at the offending key or value by its
 * 1-based line and byte column.  A UTF-8 byte-order mark is refused rather
 * than skipped, since RFC 8259 forbids writing one and its columns would be
 * ambiguous.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confread.h"
#include "conftrust.h"
#include "console.h"
#include "json.h"
#include "select.h"


/* The top-level keys, in the order of the enum below. */
static const char *const top_keys[] = {
	"listenPort", "autoListen", "interactive", "peers", "commands",
	"name", "maxPeers", "maxFrameSize", "commandTimeout",
	"connectTimeout", "heartbeatInterval", "heartbeatTimeout",
	"frameTimeout", "reconnectMax", "exec", "groups", "maxProcesses",
	"maxResultSize", "identity", "psk", "trusted", "rateLimit",
	"listenAddress", "history", "discover", "meshSize", "lanDiscovery",
	"cluster", "lanPort", NULL
};
enum {
	K_LISTEN_PORT, K_AUTO_LISTEN, K_INTERACTIVE, K_PEERS, K_COMMANDS,
	K_NAME, K_MAX_PEERS, K_MAX_FRAME, K_COMMAND_TIMEOUT, K_CONNECT_TIMEOUT,
	K_HEARTBEAT_INTERVAL, K_HEARTBEAT_TIMEOUT, K_FRAME_TIMEOUT,
	K_RECONNECT_MAX, K_EXEC, K_GROUPS, K_MAX_PROCESSES, K_MAX_RESULT,
	K_IDENTITY, K_PSK, K_TRUSTED, K_RATE_LIMIT, K_LISTEN_ADDRESS,
	K_HISTORY,
	K_DISCOVER, K_MESH_SIZE, K_LAN_DISCOVERY, K_CLUSTER, K_LAN_PORT
};
static const char *const peer_keys[] = { "host", "port", "key", NULL };
static const char *const exec_keys[] = { "argv", "args", "timeout", NULL };
/* Commands every node has: no program may take their names. */
static const char *const builtin_names[] = { "calc", "system", "help", NULL };

/* peer = { "host": string, "port": integer, "key": public key } */
static int
parse_peer(struct confread *r, int p, struct config_peer *peer)
{
	const struct json_token *tok = r->tok;
	long port = 0;
	int i, k, which, seen = 0;

	if (tok[p].type != JSON_OBJECT)
		return confread_error(r, tok[p].start, "each peer must be an "
		    "object with \"host\" and \"port\"");
	for (i = 0, k = p + 1; i < tok[p].size; i++, k = json_skip(tok, k)) {
		if ((which = confread_lookup(r, k, peer_keys)) < 0) {
			confread_unknown(r, k, peer_keys);
			continue;
		}
		if (seen & 1 << which)
			return confread_error(r, tok[k].start,
			    "duplicate key \"%s\"", peer_keys[which]);
		seen |= 1 << which;
		if (which == 0 && confread_string(r, k + 1, CONFIG_MAX_HOST,
		    "\"host\"", &peer->host) < 0)
			return -1;
		if (which == 0 && config_check_host(peer->host) != NULL)
			return confread_error(r, tok[k + 1].start, "\"host\" "
			    "%s: give the host alone and the port in \"port\"",
			    config_check_host(peer->host));
		if (which == 1 && (port = confread_integer(r, k + 1, "port", 1,
		    65535)) < 0)
			return -1;
		if (which == 2 && conftrust_key(r, k + 1, peer->key) < 0)
			return -1;
		peer->has_key |= which == 2;
	}
	if (peer->host == NULL)
		return confread_error(r, tok[p].start, "peer without a "
		    "\"host\"");
	if (port == 0)
		return confread_error(r, tok[p].start, "peer without a "
		    "\"port\"");
	peer->port = (int)port;
	return 0;
}

/* peers = [ *peer ] */
static long
parse_peers(struct confread *r, int v, struct config *c)
{
	const struct json_token *t = &r->tok[v];
	int i, e;

	if (t->type != JSON_ARRAY)
		return confread_error(r, t->start, "\"peers\" must be an "
		    "array");
	if (t->size > CONFIG_MAX_LIST)
		return confread_error(r, t->start, "\"peers\" has more than %d "
		    "entries", CONFIG_MAX_LIST);
	if (t->size > 0 &&
	    (c->peers = calloc(t->size, sizeof *c->peers)) == NULL)
		return confread_error(r, t->start, "out of memory");
	for (i = 0, e = v + 1; i < t->size; i++, e = json_skip(r->tok, e))
		if (parse_peer(r, e, &c->peers[c->npeers++]) < 0)
			return -1;
	return 0;
}

/* Is name an alias, or a program, of c (parsed so far)? */
static int
is_alias(const struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->naliases && c->aliases[i].name != NULL; i++)
		if (strcmp(c->aliases[i].name, name) == 0)
			return 1;
	return 0;
}

static int
is_exec(const struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->nexecs && c->execs[i].name != NULL; i++)
		if (strcmp(c->execs[i].name, name) == 0)
			return 1;
	return 0;
}

static int
alias_cmp(const void *a, const void *b)
{
	return strcmp(((const struct config_alias *)a)->name,
	    ((const struct config_alias *)b)->name);
}

/* commands = { *( name: expansion ) }, stored sorted by name */
static long
parse_commands(struct confread *r, int v, struct config *c)
{
	const struct json_token *t = &r->tok[v];
	struct config_alias *a;
	char what[CONFIG_MAX_NAME + 16];
	int i, j, k;

	if (t->type != JSON_OBJECT)
		return confread_error(r, t->start, "\"commands\" must be an "
		    "object");
	if (t->size > CONFIG_MAX_LIST)
		return confread_error(r, t->start, "\"commands\" has more than "
		    "%d entries", CONFIG_MAX_LIST);
	if (t->size > 0 &&
	    (c->aliases = calloc(t->size, sizeof *c->aliases)) == NULL)
		return confread_error(r, t->start, "out of memory");
	for (i = 0, k = v + 1; i < t->size; i++, k = json_skip(r->tok, k)) {
		a = &c->aliases[c->naliases++];
		if (confread_string(r, k, CONFIG_MAX_NAME, "a command name",
		    &a->name) < 0)
			return -1;
		if (strchr(a->name, ' ') != NULL)
			return confread_error(r, r->tok[k].start,
			    "command name '%s' contains a space", a->name);
		for (j = 0; j < c->naliases - 1; j++)
			if (strcmp(c->aliases[j].name, a->name) == 0)
				return confread_error(r, r->tok[k].start,
				    "duplicate key \"%s\"", a->name);
		if (is_exec(c, a->name))
			return confread_error(r, r->tok[k].start, "\"%s\" is "
			    "both a program and a command alias", a->name);
		snprintf(what, sizeof what, "command '%s'", a->name);
		if (confread_string(r, k + 1, CONFIG_MAX_FILE, what,
		    &a->expansion) < 0)
			return -1;
	}
	if (c->naliases > 1)
		qsort(c->aliases, c->naliases, sizeof *c->aliases, alias_cmp);
	return 0;
}

/* A name for an exec entry or a group: one word of at most max bytes. */
static int
word_name(struct confread *r, int k, const char *what, char **out)
{
	if (confread_string(r, k, CONFIG_MAX_NAME, what, out) < 0)
		return -1;
	if (strcspn(*out, " \t") != strlen(*out))
		return confread_error(r, r->tok[k].start, "%s '%s' contains a "
		    "space", what, *out);
	return 0;
}

/* argv = [ 1*string ] */
static int
parse_argv(struct confread *r, int v, struct config_exec *x)
{
	const struct json_token *t = &r->tok[v];
	int i, e;

	if (t->type != JSON_ARRAY || t->size == 0)
		return confread_error(r, t->start, "program '%s' must be a "
		    "non-empty array of strings (the program and its "
		    "arguments)", x->name);
	if (t->size > CONFIG_MAX_ARGV)
		return confread_error(r, t->start, "program '%s' has more than "
		    "%d words", x->name, CONFIG_MAX_ARGV);
	if ((x->argv = calloc((size_t)t->size + 1, sizeof(char *))) == NULL)
		return confread_error(r, t->start, "out of memory");
	for (i = 0, e = v + 1; i < t->size; i++, e = json_skip(r->tok, e)) {
		if (confread_string(r, e, CONFIG_MAX_HOST * 16, "each word of "
		    "a program", &x->argv[i]) < 0)
			return -1;
		x->argc++;
	}
	return 0;
}

/* exec entry = argv | { "argv": argv, "args": bool, "timeout": seconds } */
static int
parse_exec(struct confread *r, int v, struct config_exec *x)
{
	const struct json_token *tok = r->tok;
	int i, k, which, seen = 0;
	long rc;

	if (tok[v].type == JSON_ARRAY)
		return parse_argv(r, v, x);
	if (tok[v].type != JSON_OBJECT)
		return confread_error(r, tok[v].start, "program '%s' must be "
		    "an array or an object with \"argv\"", x->name);
	for (i = 0, k = v + 1; i < tok[v].size; i++, k = json_skip(tok, k)) {
		if ((which = confread_lookup(r, k, exec_keys)) < 0) {
			confread_unknown(r, k, exec_keys);
			continue;
		}
		if (seen & 1 << which)
			return confread_error(r, tok[k].start,
			    "duplicate key \"%s\"", exec_keys[which]);
		seen |= 1 << which;
		if (which == 0)
			rc = parse_argv(r, k + 1, x);
		else if (which == 1)
			rc = x->args = (int)confread_boolean(r, k + 1, "args");
		else
			rc = x->timeout_ms = confread_seconds(r, k + 1,
			    "timeout");
		if (rc < 0)
			return -1;
	}
	if (x->argv == NULL)
		return confread_error(r, tok[v].start, "program '%s' without "
		    "\"argv\"", x->name);
	return 0;
}

/* exec = { *( name: exec entry ) } */
static long
parse_execs(struct confread *r, int v, struct config *c)
{
	const struct json_token *t = &r->tok[v];
	struct config_exec *x;
	int i, j, k;

	if (t->type != JSON_OBJECT)
		return confread_error(r, t->start, "\"exec\" must be an "
		    "object");
	if (t->size > CONFIG_MAX_LIST)
		return confread_error(r, t->start, "\"exec\" has more than %d "
		    "entries", CONFIG_MAX_LIST);
	if (t->size > 0 &&
	    (c->execs = calloc(t->size, sizeof *c->execs)) == NULL)
		return confread_error(r, t->start, "out of memory");
	for (i = 0, k = v + 1; i < t->size; i++, k = json_skip(r->tok, k)) {
		x = &c->execs[c->nexecs++];
		if (word_name(r, k, "program name", &x->name) < 0)
			return -1;
		for (j = 0; builtin_names[j] != NULL; j++)
			if (strcmp(builtin_names[j], x->name) == 0)
				return confread_error(r, r->tok[k].start,
				    "program name '%s' is a built-in command",
				    x->name);
		for (j = 0; j < c->nexecs - 1; j++)
			if (strcmp(c->execs[j].name, x->name) == 0)
				return confread_error(r, r->tok[k].start,
				    "duplicate key \"%s\"", x->name);
		if (is_alias(c, x->name))
			return confread_error(r, r->tok[k].start, "\"%s\" is "
			    "both a program and a command alias", x->name);
		if (parse_exec(r, k + 1, x) < 0)
			return -1;
	}
	return 0;
}

/* A group's members: a selector string, or a list of them joined. */
static int
group_members(struct confread *r, int v, struct config_group *g)
{
	const struct json_token *t = &r->tok[v];
	char *m, *s;
	size_t len = 0;
	int i, e;

	if (t->type == JSON_STRING)
		return confread_string(r, v, CONFIG_MAX_FILE, "a group",
		    &g->selector);
	if (t->type != JSON_ARRAY || t->size == 0)
		return confread_error(r, t->start, "group '%s' must be a "
		    "string or a non-empty array of strings", g->name);
	for (i = 0, e = v + 1; i < t->size; i++, e = json_skip(r->tok, e)) {
		if (confread_string(r, e, CONFIG_MAX_HOST, "a group member",
		    &m) < 0)
			return -1;
		if ((s = realloc(g->selector, len + strlen(m) + 2)) == NULL) {
			free(m);
			return confread_error(r, t->start, "out of memory");
		}
		g->selector = s;
		if (len > 0)
			s[len++] = ',';
		memcpy(s + len, m, strlen(m) + 1);
		len += strlen(m);
		free(m);
	}
	return 0;
}

/* The members must read as a selector. */
static int
check_selector(struct confread *r, int v, const struct config_group *g)
{
	struct select_item *items;
	char err[200];
	int n;

	if ((items = malloc(SELECT_MAX_ITEMS * sizeof(*items))) == NULL)
		return confread_error(r, r->tok[v].start, "out of memory");
	n = select_parse(g->selector, strlen(g->selector), items,
	    SELECT_MAX_ITEMS, err, sizeof(err));
	free(items);
	if (n < 0)
		return confread_error(r, r->tok[v].start, "group '%s': %s",
		    g->name, err);
	return 0;
}

/* groups = { *( name: selector | [ *member ] ) } */
static long
parse_groups(struct confread *r, int v, struct config *c)
{
	const struct json_token *t = &r->tok[v];
	struct config_group *g;
	int i, j, k;

	if (t->type != JSON_OBJECT)
		return confread_error(r, t->start, "\"groups\" must be an "
		    "object");
	if (t->size > CONFIG_MAX_LIST)
		return confread_error(r, t->start, "\"groups\" has more than "
		    "%d entries", CONFIG_MAX_LIST);
	if (t->size > 0 &&
	    (c->groups = calloc(t->size, sizeof *c->groups)) == NULL)
		return confread_error(r, t->start, "out of memory");
	for (i = 0, k = v + 1; i < t->size; i++, k = json_skip(r->tok, k)) {
		g = &c->groups[c->ngroups++];
		if (word_name(r, k, "group name", &g->name) < 0)
			return -1;
		if (!console_name_ok(g->name, strlen(g->name)))
			return confread_error(r, r->tok[k].start, "group name "
			    "'%s' must not look like an index or an address, "
			    "nor hold any of :,*?[]/@", g->name);
		for (j = 0; j < c->ngroups - 1; j++)
			if (strcmp(c->groups[j].name, g->name) == 0)
				return confread_error(r, r->tok[k].start,
				    "duplicate key \"%s\"", g->name);
		if (group_members(r, k + 1, g) < 0 ||
		    check_selector(r, k + 1, g) < 0)
			return -1;
	}
	return 0;
}

/* A cluster name: 1..64 bytes of printable ASCII, no space. */
static int
cluster_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

/* The top-level object: each known key at most once, in any order. */
static int
parse_top(struct confread *r, struct config *c)
{
	const struct json_token *tok = r->tok;
	const char *key;
	long rc;
	int i, k, v, which, seen = 0, at_interval = -1, at_timeout = -1;
	int at_result = 0, at_exec = 0, at_psk = 0;

	for (i = 0, k = 1; i < tok[0].size; i++, k = json_skip(tok, k)) {
		if ((which = confread_lookup(r, k, top_keys)) < 0) {
			confread_unknown(r, k, top_keys);
			continue;
		}
		key = top_keys[which];
		if (seen & 1 << which)
			return confread_error(r, tok[k].start,
			    "duplicate key \"%s\"", key);
		seen |= 1 << which;
		v = k + 1;
		switch (which) {
		case K_LISTEN_PORT:
			rc = confread_integer(r, v, key, 1, 65535);
			c->listen_port = (int)rc;
			break;
		case K_AUTO_LISTEN:
			rc = c->auto_listen = (int)confread_boolean(r, v, key);
			break;
		case K_INTERACTIVE:
			rc = c->interactive = (int)confread_boolean(r, v, key);
			break;
		case K_PEERS:
			rc = parse_peers(r, v, c);
			break;
		case K_COMMANDS:
			rc = parse_commands(r, v, c);
			break;
		case K_NAME:
			rc = confread_string(r, v, CONFIG_MAX_NAME, "\"name\"",
			    &c->name);
			if (rc == 0 && !console_name_ok(c->name,
			    strlen(c->name)))
				rc = confread_error(r, tok[v].start, "\"name\" "
				    "must not look like an index or an "
				    "address, nor hold any of :,*?[]/@");
			break;
		case K_MAX_PEERS:
			rc = confread_integer(r, v, key, 1, 65535);
			c->max_peers = (int)rc;
			break;
		case K_MAX_FRAME:
			rc = c->max_frame = confread_integer(r, v, key, 1024,
			    64L * 1024 * 1024);
			break;
		case K_COMMAND_TIMEOUT:
			rc = c->command_timeout_ms = confread_seconds(r, v,
			    key);
			break;
		case K_CONNECT_TIMEOUT:
			rc = c->connect_timeout_ms = confread_seconds(r, v,
			    key);
			break;
		case K_HEARTBEAT_INTERVAL:
			rc = c->heartbeat_interval_ms = confread_seconds(r, v,
			    key);
			at_interval = v;
			break;
		case K_HEARTBEAT_TIMEOUT:
			rc = c->heartbeat_timeout_ms = confread_seconds(r, v,
			    key);
			at_timeout = v;
			break;
		case K_FRAME_TIMEOUT:
			rc = c->frame_timeout_ms = confread_seconds(r, v, key);
			break;
		case K_RECONNECT_MAX:
			rc = c->reconnect_max_ms = confread_seconds(r, v, key);
			break;
		case K_EXEC:
			rc = parse_execs(r, v, c);
			at_exec = v;
			break;
		case K_IDENTITY:
			rc = confread_string(r, v, CONFIG_MAX_PATH, "\"identity\"",
			    &c->identity);
			break;
		case K_PSK:
			rc = confread_string(r, v, CONFIG_MAX_PATH, "\"psk\"",
			    &c->psk);
			at_psk = v;
			break;
		case K_TRUSTED:
			rc = conftrust_trusted(r, v, c);
			break;
		case K_RATE_LIMIT:
			rc = conftrust_rate(r, v, c);
			break;
		case K_LISTEN_ADDRESS:
			rc = conftrust_listen(r, v, c);
			break;
		case K_HISTORY:
			rc = c->history = (int)confread_boolean(r, v, key);
			break;
		case K_DISCOVER:
			rc = c->discover = (int)confread_boolean(r, v, key);
			break;
		case K_MESH_SIZE:
			rc = c->mesh_size = (int)confread_integer(r, v, key, 1,
			    1024);
			break;
		case K_LAN_DISCOVERY:
			rc = c->lan_discovery = (int)confread_boolean(r, v,
			    key);
			break;
		case K_CLUSTER:
			rc = confread_string(r, v, CONFIG_MAX_NAME,
			    "\"cluster\"", &c->cluster);
			if (rc == 0 && !cluster_ok(c->cluster))
				rc = confread_error(r, tok[v].start,
				    "\"cluster\" must be printable ASCII "
				    "without spaces");
			break;
		case K_LAN_PORT:
			rc = c->lan_port = (int)confread_integer(r, v, key, 1,
			    65535);
			break;
		case K_GROUPS:
			rc = parse_groups(r, v, c);
			break;
		case K_MAX_PROCESSES:
			rc = c->max_processes = (int)confread_integer(r, v, key,
			    1, 1024);
			break;
		case K_MAX_RESULT:
		default:
			rc = c->max_result = confread_integer(r, v, key, 1024,
			    64L * 1024 * 1024);
			at_result = v;
			break;
		}
		if (rc < 0)
			return -1;
	}
	/* A program's output, with a note, fits a RESULT frame. */
	if (at_result == 0 && c->max_result > c->max_frame - CONFIG_RESULT_ROOM)
		c->max_result = c->max_frame - CONFIG_RESULT_ROOM;
	if (c->max_result > c->max_frame - CONFIG_RESULT_ROOM)
		return confread_error(r, tok[at_result].start,
		    "\"maxResultSize\" (%ld) must be at most \"maxFrameSize\" "
		    "less %d (%ld)", c->max_result, CONFIG_RESULT_ROOM,
		    c->max_frame - CONFIG_RESULT_ROOM);
	/* A PING must have time to be answered before a peer is lost. */
	if (c->heartbeat_timeout_ms <= c->heartbeat_interval_ms)
		return confread_error(r, tok[at_timeout >= 0 ? at_timeout :
		    at_interval].start, "\"heartbeatTimeout\" (%ld ms) must be "
		    "greater than \"heartbeatInterval\" (%ld ms)",
		    c->heartbeat_timeout_ms, c->heartbeat_interval_ms);
	return conftrust_check(r, c, at_exec, at_psk);
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->name = NULL;
	c->peers = NULL;
	c->aliases = NULL;
	c->listen_port = CONFIG_DEFAULT_PORT;
	c->auto_listen = 1;
	c->interactive = 1;
	c->max_peers = CONFIG_DEFAULT_MAX_PEERS;
	c->max_frame = CONFIG_DEFAULT_MAX_FRAME;
	c->command_timeout_ms = CONFIG_DEFAULT_COMMAND_TIMEOUT_MS;
	c->connect_timeout_ms = CONFIG_DEFAULT_CONNECT_TIMEOUT_MS;
	c->heartbeat_interval_ms = CONFIG_DEFAULT_HEARTBEAT_INTERVAL_MS;
	c->heartbeat_timeout_ms = CONFIG_DEFAULT_HEARTBEAT_TIMEOUT_MS;
	c->frame_timeout_ms = CONFIG_DEFAULT_FRAME_TIMEOUT_MS;
	c->reconnect_max_ms = CONFIG_DEFAULT_RECONNECT_MAX_MS;
	c->max_processes = CONFIG_DEFAULT_MAX_PROCESSES;
	c->max_result = CONFIG_DEFAULT_MAX_RESULT;
	c->history = 1;
	c->mesh_size = CONFIG_DEFAULT_MESH_SIZE;
	c->lan_port = CONFIG_DEFAULT_LAN_PORT;
}

int
config_parse(struct config *c, const char *text, size_t len,
    const char *filename, char *err, size_t errsize, config_warn_fn warn,
    void *ctx)
{
	struct confread r;
	struct json_token *tok;
	char msg[64];
	size_t i, off, ntok;
	int n;

	config_defaults(c);
	memset(&r, 0, sizeof r);
	r.text = text;
	r.len = len;
	r.file = filename;
	r.err = err;
	r.errsize = errsize;
	r.warn = warn;
	r.ctx = ctx;
	if (len > CONFIG_MAX_FILE)
		return confread_error(&r, 0, "file is larger than %d bytes",
		    CONFIG_MAX_FILE);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		return confread_error(&r, 0, "byte-order mark not allowed; "
		    "save the file as UTF-8 without BOM");
	for (i = 0; i < len && (text[i] == ' ' || text[i] == '\t' ||
	    text[i] == '\n' || text[i] == '\r'); i++)
		continue;
	if (i == len)
		return confread_error(&r, 0, "empty file");

	ntok = len / 2 + JSON_MAX_DEPTH + 2;
	if ((tok = malloc(ntok * sizeof *tok)) == NULL)
		return confread_error(&r, 0, "out of memory");
	r.tok = tok;
	if ((n = json_parse(text, len, tok, (int)ntok, &off)) < 0) {
		json_error_message(msg, sizeof msg, n, text, len, off);
		n = confread_error(&r, off, "%s", msg);
	} else if (tok[0].type != JSON_OBJECT)
		n = confread_error(&r, tok[0].start, "the top level must be an "
		    "object");
	else
		n = parse_top(&r, c);
	free(tok);
	if (n < 0) {
		config_free(c);
		return -1;
	}
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errsize,
    config_warn_fn warn, void *ctx)
{
	FILE *fp;
	char *buf;
	size_t len;
	int rc = -1;

	config_defaults(c);
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed, so that config_parse() sees too much. */
	if ((buf = malloc(CONFIG_MAX_FILE + 1)) == NULL)
		snprintf(err, errsize, "%s: out of memory", path);
	else {
		len = fread(buf, 1, CONFIG_MAX_FILE + 1, fp);
		if (ferror(fp))
			snprintf(err, errsize, "%s: %s", path, strerror(errno));
		else
			rc = config_parse(c, buf, len, path, err, errsize,
			    warn, ctx);
		free(buf);
	}
	fclose(fp);
	return rc;
}

const char *
config_check_host(const char *host)
{
	size_t len = strlen(host);
	const char *colon = strchr(host, ':');

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
		return strchr(host, ']') == host + len - 1 ? NULL :
		    "is not an address";
	if (host[0] == '[')
		return "includes a port";
	/* One colon is host:port; an IPv6 address has two or more. */
	if (colon != NULL && strchr(colon + 1, ':') == NULL)
		return "includes a port";
	return NULL;
}

void
config_free(struct config *c)
{
	int i, k;

	for (i = 0; i < c->npeers; i++)
		free(c->peers[i].host);
	for (i = 0; i < c->naliases; i++) {
		free(c->aliases[i].name);
		free(c->aliases[i].expansion);
	}
	for (i = 0; i < c->nexecs; i++) {
		for (k = 0; k < c->execs[i].argc; k++)
			free(c->execs[i].argv[k]);
		free(c->execs[i].argv);
		free(c->execs[i].name);
	}
	for (i = 0; i < c->ngroups; i++) {
		free(c->groups[i].name);
		free(c->groups[i].selector);
	}
	for (i = 0; i < c->ntrusted; i++) {
		for (k = 0; k < c->trusted[i].nallow; k++)
			free(c->trusted[i].allow[k]);
		free(c->trusted[i].allow);
		free(c->trusted[i].name);
	}
	free(c->trusted);
	free(c->identity);
	free(c->psk);
	free(c->listen_address);
	free(c->cluster);
	free(c->peers);
	free(c->aliases);
	free(c->execs);
	free(c->groups);
	free(c->name);
	config_defaults(c);
}
