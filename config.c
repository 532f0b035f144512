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
#include "console.h"
#include "json.h"

#define MAX_TIMEOUT_MS	(86400L * 1000)

struct reader {
	const char	*text;
	size_t		 len;
	const struct json_token *tok;
	const char	*file;
	char		*err;
	size_t		 errsize;
	config_warn_fn	 warn;
	void		*ctx;
};

/* The top-level keys, in the order of the enum below. */
static const char *const top_keys[] = {
	"listenPort", "autoListen", "interactive", "peers", "commands",
	"name", "maxPeers", "maxFrameSize", "commandTimeout",
	"connectTimeout", "heartbeatInterval", "heartbeatTimeout",
	"frameTimeout", "reconnectMax", NULL
};
enum {
	K_LISTEN_PORT, K_AUTO_LISTEN, K_INTERACTIVE, K_PEERS, K_COMMANDS,
	K_NAME, K_MAX_PEERS, K_MAX_FRAME, K_COMMAND_TIMEOUT, K_CONNECT_TIMEOUT,
	K_HEARTBEAT_INTERVAL, K_HEARTBEAT_TIMEOUT, K_FRAME_TIMEOUT,
	K_RECONNECT_MAX
};
static const char *const peer_keys[] = { "host", "port", NULL };

/* Write "<file>:<line>:<col>: <kind><message>" into out. */
static void
format_at(const struct reader *r, size_t off, char *out, size_t size,
    const char *kind, const char *fmt, va_list ap)
{
	size_t i, line = 1, col = 1;
	int n;

	for (i = 0; i < off && i < r->len; i++) {
		if (r->text[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	n = snprintf(out, size, "%s:%zu:%zu: %s", r->file, line, col, kind);
	if (n >= 0 && (size_t)n < size)
		vsnprintf(out + n, size - n, fmt, ap);
}

/* Set the error message for text[off] and return -1. */
static int
error_at(struct reader *r, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (r->errsize > 0) {
		va_start(ap, fmt);
		format_at(r, off, r->err, r->errsize, "", fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void
warn_at(struct reader *r, size_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (r->warn == NULL)
		return;
	va_start(ap, fmt);
	format_at(r, off, msg, sizeof msg, "warning: ", fmt, ap);
	va_end(ap);
	r->warn(r->ctx, msg);
}

/* Warn about key token k, quoted as written, cut between characters. */
static void
unknown_key(struct reader *r, int k)
{
	const char *s = r->text + r->tok[k].start + 1;
	int n = (int)(r->tok[k].end - r->tok[k].start - 2);
	const char *more = "";

	if (n > 40) {
		for (n = 40; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
			continue;
		more = "...";
	}
	warn_at(r, r->tok[k].start, "unknown key '%.*s%s' ignored", n, s, more);
}

/* The index in names of key token k, or -1 when it is none of them. */
static int
lookup(const struct reader *r, int k, const char *const *names)
{
	char buf[32];
	size_t n;
	int i;

	if (json_string(r->text, &r->tok[k], buf, sizeof buf, &n) < 0)
		return -1;
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && memcmp(names[i], buf, n) == 0)
			return i;
	return -1;
}

/* The integer token v, from lo to hi (lo >= 0), or -1 after a message. */
static long
integer(struct reader *r, int v, const char *key, long lo, long hi)
{
	long long n;

	if (json_integer(r->text, &r->tok[v], &n) < 0 || n < lo || n > hi)
		return error_at(r, r->tok[v].start,
		    "\"%s\" must be an integer from %ld to %ld", key, lo, hi);
	return (long)n;
}

/* 1 for true, 0 for false, or -1 after a message. */
static long
boolean(struct reader *r, int v, const char *key)
{
	if (r->tok[v].type != JSON_TRUE && r->tok[v].type != JSON_FALSE)
		return error_at(r, r->tok[v].start,
		    "\"%s\" must be true or false", key);
	return r->tok[v].type == JSON_TRUE;
}

/*
 * The number token v, in seconds, as whole milliseconds rounded up, from 1
 * to MAX_TIMEOUT_MS; or -1 after a message.  Worked from the decimal digits,
 * so "0.1" is exactly 100 and no floating point is involved: each digit of
 * the mantissa has a power of ten, pw, counted in milliseconds.
 */
static long
seconds(struct reader *r, int v, const char *key)
{
	const struct json_token *t = &r->tok[v];
	const char *s = r->text;
	long exp = 0, nd = 0, frac = 0, pw, ms = 0;
	int dot = 0, neg = 0, rest = 0;
	size_t i, e;

	if (t->type != JSON_NUMBER || s[t->start] == '-')
		goto bad;
	for (e = t->start; e < t->end && s[e] != 'e' && s[e] != 'E'; e++) {
		if (s[e] == '.')
			dot = 1;
		else {
			nd++;
			frac += dot;
		}
	}
	for (i = e + 1; i < t->end; i++) {
		if (s[i] == '-')
			neg = 1;
		else if (s[i] != '+' && exp < 100000)	/* past any range */
			exp = exp * 10 + (s[i] - '0');
	}
	pw = nd - 1 - frac + (neg ? -exp : exp) + 3;	/* the first digit's */
	for (i = t->start; i < e; i++) {
		if (s[i] == '.')
			continue;
		if (pw-- < 0)
			rest |= s[i] != '0';
		else if (ms > MAX_TIMEOUT_MS)
			goto bad;
		else
			ms = ms * 10 + (s[i] - '0');
	}
	for (; pw >= 0 && ms != 0 && ms <= MAX_TIMEOUT_MS; pw--)
		ms *= 10;
	ms += rest;
	if (ms >= 1 && ms <= MAX_TIMEOUT_MS)
		return ms;
bad:
	return error_at(r, t->start, "\"%s\" must be a number of seconds "
	    "greater than 0 and at most %ld", key, MAX_TIMEOUT_MS / 1000);
}

/*
 * Decode the string token v into a new allocation at *out: 1 to max bytes,
 * without control characters (C0, DEL or C1).  Returns 0, or -1 after a
 * message that calls the value what.
 */
static int
copy_string(struct reader *r, int v, size_t max, const char *what, char **out)
{
	const struct json_token *t = &r->tok[v];
	size_t i, n, size = t->end - t->start;	/* more than it decodes to */
	unsigned char *s;
	int rc;

	if (t->type != JSON_STRING)
		return error_at(r, t->start, "%s must be a string", what);
	if ((s = malloc(size)) == NULL)
		return error_at(r, t->start, "out of memory");
	(void)json_string(r->text, t, (char *)s, size, &n);
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7F ||
		    (s[i] == 0xC2 && s[i + 1] < 0xA0))
			break;
	if (n == 0 || i < n)
		rc = error_at(r, t->start, "%s must be a non-empty string "
		    "without control characters", what);
	else if (n > max)
		rc = error_at(r, t->start, "%s is longer than %zu bytes",
		    what, max);
	else {
		*out = (char *)s;
		return 0;
	}
	free(s);
	return rc;
}

/* peer = { "host": string, "port": integer } */
static int
parse_peer(struct reader *r, int p, struct config_peer *peer)
{
	const struct json_token *tok = r->tok;
	long port = 0;
	int i, k, which, seen = 0;

	if (tok[p].type != JSON_OBJECT)
		return error_at(r, tok[p].start, "each peer must be an object "
		    "with \"host\" and \"port\"");
	for (i = 0, k = p + 1; i < tok[p].size; i++, k = json_skip(tok, k)) {
		if ((which = lookup(r, k, peer_keys)) < 0) {
			unknown_key(r, k);
			continue;
		}
		if (seen & 1 << which)
			return error_at(r, tok[k].start,
			    "duplicate key \"%s\"", peer_keys[which]);
		seen |= 1 << which;
		if (which == 0 && copy_string(r, k + 1, CONFIG_MAX_HOST,
		    "\"host\"", &peer->host) < 0)
			return -1;
		if (which == 0 && config_check_host(peer->host) != NULL)
			return error_at(r, tok[k + 1].start, "\"host\" %s: "
			    "give the host alone and the port in \"port\"",
			    config_check_host(peer->host));
		if (which == 1 && (port = integer(r, k + 1, "port", 1,
		    65535)) < 0)
			return -1;
	}
	if (peer->host == NULL)
		return error_at(r, tok[p].start, "peer without a \"host\"");
	if (port == 0)
		return error_at(r, tok[p].start, "peer without a \"port\"");
	peer->port = (int)port;
	return 0;
}

/* peers = [ *peer ] */
static long
parse_peers(struct reader *r, int v, struct config *c)
{
	const struct json_token *t = &r->tok[v];
	int i, e;

	if (t->type != JSON_ARRAY)
		return error_at(r, t->start, "\"peers\" must be an array");
	if (t->size > CONFIG_MAX_LIST)
		return error_at(r, t->start, "\"peers\" has more than %d "
		    "entries", CONFIG_MAX_LIST);
	if (t->size > 0 &&
	    (c->peers = calloc(t->size, sizeof *c->peers)) == NULL)
		return error_at(r, t->start, "out of memory");
	for (i = 0, e = v + 1; i < t->size; i++, e = json_skip(r->tok, e))
		if (parse_peer(r, e, &c->peers[c->npeers++]) < 0)
			return -1;
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
parse_commands(struct reader *r, int v, struct config *c)
{
	const struct json_token *t = &r->tok[v];
	struct config_alias *a;
	char what[CONFIG_MAX_NAME + 16];
	int i, j, k;

	if (t->type != JSON_OBJECT)
		return error_at(r, t->start, "\"commands\" must be an object");
	if (t->size > CONFIG_MAX_LIST)
		return error_at(r, t->start, "\"commands\" has more than %d "
		    "entries", CONFIG_MAX_LIST);
	if (t->size > 0 &&
	    (c->aliases = calloc(t->size, sizeof *c->aliases)) == NULL)
		return error_at(r, t->start, "out of memory");
	for (i = 0, k = v + 1; i < t->size; i++, k = json_skip(r->tok, k)) {
		a = &c->aliases[c->naliases++];
		if (copy_string(r, k, CONFIG_MAX_NAME, "a command name",
		    &a->name) < 0)
			return -1;
		if (strchr(a->name, ' ') != NULL)
			return error_at(r, r->tok[k].start,
			    "command name '%s' contains a space", a->name);
		for (j = 0; j < c->naliases - 1; j++)
			if (strcmp(c->aliases[j].name, a->name) == 0)
				return error_at(r, r->tok[k].start,
				    "duplicate key \"%s\"", a->name);
		snprintf(what, sizeof what, "command '%s'", a->name);
		if (copy_string(r, k + 1, CONFIG_MAX_FILE, what,
		    &a->expansion) < 0)
			return -1;
	}
	if (c->naliases > 1)
		qsort(c->aliases, c->naliases, sizeof *c->aliases, alias_cmp);
	return 0;
}

/* The top-level object: each known key at most once, in any order. */
static int
parse_top(struct reader *r, struct config *c)
{
	const struct json_token *tok = r->tok;
	const char *key;
	long rc;
	int i, k, v, which, seen = 0, at_interval = -1, at_timeout = -1;

	for (i = 0, k = 1; i < tok[0].size; i++, k = json_skip(tok, k)) {
		if ((which = lookup(r, k, top_keys)) < 0) {
			unknown_key(r, k);
			continue;
		}
		key = top_keys[which];
		if (seen & 1 << which)
			return error_at(r, tok[k].start,
			    "duplicate key \"%s\"", key);
		seen |= 1 << which;
		v = k + 1;
		switch (which) {
		case K_LISTEN_PORT:
			rc = integer(r, v, key, 1, 65535);
			c->listen_port = (int)rc;
			break;
		case K_AUTO_LISTEN:
			rc = c->auto_listen = (int)boolean(r, v, key);
			break;
		case K_INTERACTIVE:
			rc = c->interactive = (int)boolean(r, v, key);
			break;
		case K_PEERS:
			rc = parse_peers(r, v, c);
			break;
		case K_COMMANDS:
			rc = parse_commands(r, v, c);
			break;
		case K_NAME:
			rc = copy_string(r, v, CONFIG_MAX_NAME, "\"name\"",
			    &c->name);
			if (rc == 0 && !console_name_ok(c->name,
			    strlen(c->name)))
				rc = error_at(r, tok[v].start, "\"name\" must "
				    "not look like an index or an address, nor "
				    "hold any of :,*?[]/@");
			break;
		case K_MAX_PEERS:
			rc = integer(r, v, key, 1, 65535);
			c->max_peers = (int)rc;
			break;
		case K_MAX_FRAME:
			rc = c->max_frame = integer(r, v, key, 1024,
			    64L * 1024 * 1024);
			break;
		case K_COMMAND_TIMEOUT:
			rc = c->command_timeout_ms = seconds(r, v, key);
			break;
		case K_CONNECT_TIMEOUT:
			rc = c->connect_timeout_ms = seconds(r, v, key);
			break;
		case K_HEARTBEAT_INTERVAL:
			rc = c->heartbeat_interval_ms = seconds(r, v, key);
			at_interval = v;
			break;
		case K_HEARTBEAT_TIMEOUT:
			rc = c->heartbeat_timeout_ms = seconds(r, v, key);
			at_timeout = v;
			break;
		case K_FRAME_TIMEOUT:
			rc = c->frame_timeout_ms = seconds(r, v, key);
			break;
		default:
			rc = c->reconnect_max_ms = seconds(r, v, key);
			break;
		}
		if (rc < 0)
			return -1;
	}
	/* A PING must have time to be answered before a peer is lost. */
	if (c->heartbeat_timeout_ms <= c->heartbeat_interval_ms)
		return error_at(r, tok[at_timeout >= 0 ? at_timeout :
		    at_interval].start, "\"heartbeatTimeout\" (%ld ms) must be "
		    "greater than \"heartbeatInterval\" (%ld ms)",
		    c->heartbeat_timeout_ms, c->heartbeat_interval_ms);
	return 0;
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
}

int
config_parse(struct config *c, const char *text, size_t len,
    const char *filename, char *err, size_t errsize, config_warn_fn warn,
    void *ctx)
{
	struct reader r;
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
		return error_at(&r, 0, "file is larger than %d bytes",
		    CONFIG_MAX_FILE);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		return error_at(&r, 0, "byte-order mark not allowed; "
		    "save the file as UTF-8 without BOM");
	for (i = 0; i < len && (text[i] == ' ' || text[i] == '\t' ||
	    text[i] == '\n' || text[i] == '\r'); i++)
		continue;
	if (i == len)
		return error_at(&r, 0, "empty file");

	ntok = len / 2 + JSON_MAX_DEPTH + 2;
	if ((tok = malloc(ntok * sizeof *tok)) == NULL)
		return error_at(&r, 0, "out of memory");
	r.tok = tok;
	if ((n = json_parse(text, len, tok, (int)ntok, &off)) < 0) {
		json_error_message(msg, sizeof msg, n, text, len, off);
		n = error_at(&r, off, "%s", msg);
	} else if (tok[0].type != JSON_OBJECT)
		n = error_at(&r, tok[0].start, "the top level must be an "
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
	int i;

	for (i = 0; i < c->npeers; i++)
		free(c->peers[i].host);
	for (i = 0; i < c->naliases; i++) {
		free(c->aliases[i].name);
		free(c->aliases[i].expansion);
	}
	free(c->peers);
	free(c->aliases);
	free(c->name);
	config_defaults(c);
}
