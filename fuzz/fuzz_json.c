/*
 * fuzz_json: a libFuzzer target for json.c and config.c.
 *
 * Contract.  Each run takes the input bytes as a JSON document and as a
 * config file, keeps nothing from one run to the next and frees all it
 * allocates.  json_parse() runs three times, into token arrays of three
 * sizes, each allocated to its exact size so that AddressSanitizer sees a
 * write past its end: one with room for a token per byte (more than any
 * document can use), one sized as config.c sizes it, and one of only
 * SMALL_NTOK.  The results must agree, the small array failing only with
 * JSON_ERR_NOMEM.  When the parse succeeds every token is checked against
 * its source text and walked with json_skip(), json_string() (into buffers
 * of exact size and one byte short) and json_integer() (against strtoll()),
 * and the document cut one byte short must be partial.  config_parse() then
 * reads the same bytes; a refusal must leave the defaults and a message
 * naming the file, an acceptance only values in the documented ranges.
 * A broken property calls abort(), which libFuzzer reports as a crash.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json.h"

#define SMALL_NTOK	8
#define FILENAME	"fuzz.json"
#define MAX_TIMEOUT_MS	(86400L * 1000)

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void *
xmalloc(size_t n)
{
	void *p = malloc(n > 0 ? n : 1);

	CHECK(p != NULL);
	return p;
}

/* Parse into an array of exactly ntok tokens; the array is returned. */
static struct json_token *
parse(const char *text, size_t len, int ntok, int *rc, size_t *erroff)
{
	struct json_token *tok = xmalloc((size_t)ntok * sizeof *tok);

	*erroff = (size_t)-1;
	*rc = json_parse(text, len, tok, ntok, erroff);
	CHECK(*rc != 0);
	CHECK(*rc > 0 || *erroff <= len);
	return tok;
}

/* 1 if s[0..n) is valid UTF-8 (RFC 3629), NULs allowed. */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, more;
	unsigned long u, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xC2 && s[i] <= 0xDF) {
			more = 1;
			u = s[i] & 0x1F;
			min = 0x80;
		} else if (s[i] >= 0xE0 && s[i] <= 0xEF) {
			more = 2;
			u = s[i] & 0x0F;
			min = 0x800;
		} else if (s[i] >= 0xF0 && s[i] <= 0xF4) {
			more = 3;
			u = s[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i - 1 < more)
			return 0;
		for (k = 1; k <= more; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			u = u << 6 | (s[i + k] & 0x3F);
		}
		if (u < min || u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
			return 0;
		i += more + 1;
	}
	return 1;
}

/* The string token t: decoded whole, into an exact buffer, one byte short. */
static void
check_string(const char *text, const struct json_token *t)
{
	size_t room = t->end - t->start, n = (size_t)-1, n2;
	char *buf, *exact;

	buf = xmalloc(room);
	CHECK(json_string(text, t, buf, room, &n) == 0);
	CHECK(n <= room - 2);
	CHECK(buf[n] == '\0');
	CHECK(utf8_valid((const unsigned char *)buf, n));
	if (memchr(text + t->start + 1, '\\', room - 2) == NULL)
		CHECK(n == room - 2 &&
		    memcmp(buf, text + t->start + 1, n) == 0);

	exact = xmalloc(n + 1);
	CHECK(json_string(text, t, exact, n + 1, &n2) == 0);
	CHECK(n2 == n && memcmp(exact, buf, n + 1) == 0);
	CHECK(json_string(text, t, exact, n, NULL) == -1);
	free(exact);
	free(buf);
}

/* The number token t: json_integer() against strtoll() on its text. */
static void
check_number(const char *text, const struct json_token *t)
{
	size_t n = t->end - t->start, i;
	char *copy, *end;
	long long v = 0, want;
	int integral = 1, rc;

	for (i = 0; i < n; i++)
		if (text[t->start + i] == '.' || text[t->start + i] == 'e' ||
		    text[t->start + i] == 'E')
			integral = 0;
	rc = json_integer(text, t, &v);
	if (!integral) {
		CHECK(rc == -1);
		return;
	}
	copy = xmalloc(n + 1);
	memcpy(copy, text + t->start, n);
	copy[n] = '\0';
	errno = 0;
	want = strtoll(copy, &end, 10);
	CHECK(*end == '\0');
	if (errno == ERANGE)
		CHECK(rc == -1);
	else
		CHECK(rc == 0 && v == want);
	free(copy);
}

/* Every token of a successful parse of text[0..len) into tok[0..n). */
static void
check_tokens(const char *text, size_t len, const struct json_token *tok,
    int n)
{
	const struct json_token *t;
	long long v;
	char c, last, dummy[4];
	int i, next;

	CHECK(json_skip(tok, 0) == n);
	CHECK(tok[0].parent == -1);
	for (i = 0; i < n; i++) {
		t = &tok[i];
		CHECK(t->start < t->end && t->end <= len);
		CHECK(i == 0 || (t->parent >= 0 && t->parent < i));
		CHECK(t->size >= 0);
		next = json_skip(tok, i);
		CHECK(next > i && next <= n);
		c = text[t->start];
		last = text[t->end - 1];
		if (i > 0 && tok[t->parent].type == JSON_OBJECT)
			CHECK(t->type == JSON_STRING && t->size == 1);
		switch (t->type) {
		case JSON_OBJECT:
			CHECK(c == '{' && last == '}');
			break;
		case JSON_ARRAY:
			CHECK(c == '[' && last == ']');
			break;
		case JSON_STRING:
			CHECK(c == '"' && last == '"' && t->end - t->start >= 2);
			check_string(text, t);
			break;
		case JSON_NUMBER:
			CHECK(c == '-' || (c >= '0' && c <= '9'));
			CHECK(t->size == 0);
			check_number(text, t);
			break;
		case JSON_TRUE:
			CHECK(t->end - t->start == 4 && c == 't');
			break;
		case JSON_FALSE:
			CHECK(t->end - t->start == 5 && c == 'f');
			break;
		case JSON_NULL:
			CHECK(t->end - t->start == 4 && c == 'n');
			break;
		default:
			CHECK(!"unknown token type");
		}
		if (t->type != JSON_STRING)
			CHECK(json_string(text, t, dummy, sizeof dummy,
			    NULL) == -1);
		if (t->type != JSON_NUMBER)
			CHECK(json_integer(text, t, &v) == -1);
		if (t->type != JSON_OBJECT && t->type != JSON_ARRAY &&
		    !(t->type == JSON_STRING && t->size == 1))
			CHECK(t->size == 0);
	}
}

/* Field by field: the padding of a struct json_token is not written. */
static int
same_token(const struct json_token *a, const struct json_token *b)
{
	return a->type == b->type && a->start == b->start &&
	    a->end == b->end && a->size == b->size && a->parent == b->parent;
}

static void
check_json(const char *text, size_t len)
{
	struct json_token *big, *cfg, *small, *cut;
	size_t off, off2, off3;
	char msg[64], tiny[1];
	int i, n, n2, n3, ntok_big, ntok_cfg;

	/* Each token starts at its own byte, so len + 1 is plenty. */
	ntok_big = (int)len + 1;
	ntok_cfg = (int)(len / 2 + JSON_MAX_DEPTH + 2);
	big = parse(text, len, ntok_big, &n, &off);
	cfg = parse(text, len, ntok_cfg, &n2, &off2);
	small = parse(text, len, SMALL_NTOK, &n3, &off3);

	CHECK(n != JSON_ERR_NOMEM);
	CHECK(n2 == n);			/* config.c's bound is enough */
	if (n < 0) {
		CHECK(off2 == off);
		CHECK(n3 == n || n3 == JSON_ERR_NOMEM);
		if (n == JSON_ERR_PARTIAL)
			CHECK(off == len || text[off] == '"' ||
			    text[off] == '{' || text[off] == '[');
		json_error_message(msg, sizeof msg, n, text, len, off);
		CHECK(memchr(msg, '\0', sizeof msg) != NULL);
		json_error_message(tiny, sizeof tiny, n, text, len, off);
		CHECK(tiny[0] == '\0');
		json_error_message(tiny, 0, n, text, len, off);
		CHECK(json_strerror(n) != NULL);
	} else {
		CHECK((size_t)n <= len / 2 + 1);
		CHECK(n3 == (n <= SMALL_NTOK ? n : JSON_ERR_NOMEM));
		for (i = 0; i < n; i++)
			CHECK(same_token(&cfg[i], &big[i]));
		check_tokens(text, len, big, n);

		/* Without the trailing blanks it is the same document... */
		cut = parse(text, big[0].end, n, &n2, &off2);
		CHECK(n2 == n);
		free(cut);
		/* ...and one byte short of it, anything but a number is cut. */
		if (big[0].type != JSON_NUMBER) {
			cut = parse(text, big[0].end - 1, n, &n2, &off2);
			CHECK(n2 == JSON_ERR_PARTIAL);
			free(cut);
		}
	}
	free(small);
	free(cfg);
	free(big);
}

/* Unknown keys are warnings; the target has no use for them. */
static void
ignore_warning(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static void
check_defaults(const struct config *c)
{
	CHECK(c->name == NULL && c->peers == NULL && c->aliases == NULL);
	CHECK(c->npeers == 0 && c->naliases == 0);
	CHECK(c->listen_port == CONFIG_DEFAULT_PORT);
	CHECK(c->auto_listen == 1 && c->interactive == 1);
	CHECK(c->max_peers == CONFIG_DEFAULT_MAX_PEERS);
	CHECK(c->max_frame == CONFIG_DEFAULT_MAX_FRAME);
	CHECK(c->command_timeout_ms == CONFIG_DEFAULT_COMMAND_TIMEOUT_MS);
	CHECK(c->reconnect_max_ms == CONFIG_DEFAULT_RECONNECT_MAX_MS);
}

static int
timeout_ok(long ms)
{
	return ms >= 1 && ms <= MAX_TIMEOUT_MS;
}

/* A string config.c accepted: 1..max bytes, no C0, DEL or C1 controls. */
static int
clean_string(const char *s, size_t max)
{
	size_t n = strlen(s), i;
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0 || n > max || !utf8_valid(u, n))
		return 0;
	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == 0x7F ||
		    (u[i] == 0xC2 && u[i + 1] < 0xA0))
			return 0;
	return 1;
}

static void
check_accepted(const struct config *c)
{
	int i;

	CHECK(c->listen_port >= 1 && c->listen_port <= 65535);
	CHECK(c->auto_listen == 0 || c->auto_listen == 1);
	CHECK(c->interactive == 0 || c->interactive == 1);
	CHECK(c->max_peers >= 1 && c->max_peers <= 65535);
	CHECK(c->max_frame >= 1024 && c->max_frame <= 64L * 1024 * 1024);
	CHECK(timeout_ok(c->command_timeout_ms));
	CHECK(timeout_ok(c->connect_timeout_ms));
	CHECK(timeout_ok(c->heartbeat_interval_ms));
	CHECK(timeout_ok(c->heartbeat_timeout_ms));
	CHECK(timeout_ok(c->frame_timeout_ms));
	CHECK(timeout_ok(c->reconnect_max_ms));
	CHECK(c->name == NULL || clean_string(c->name, CONFIG_MAX_NAME));
	CHECK(c->npeers >= 0 && c->npeers <= CONFIG_MAX_LIST);
	CHECK((c->npeers == 0) == (c->peers == NULL));
	for (i = 0; i < c->npeers; i++) {
		CHECK(c->peers[i].host != NULL);
		CHECK(clean_string(c->peers[i].host, CONFIG_MAX_HOST));
		CHECK(c->peers[i].port >= 1 && c->peers[i].port <= 65535);
	}
	CHECK(c->naliases >= 0 && c->naliases <= CONFIG_MAX_LIST);
	CHECK((c->naliases == 0) == (c->aliases == NULL));
	for (i = 0; i < c->naliases; i++) {
		CHECK(c->aliases[i].name != NULL);
		CHECK(c->aliases[i].expansion != NULL);
		CHECK(clean_string(c->aliases[i].name, CONFIG_MAX_NAME));
		CHECK(strchr(c->aliases[i].name, ' ') == NULL);
		CHECK(clean_string(c->aliases[i].expansion, CONFIG_MAX_FILE));
		CHECK(i == 0 || strcmp(c->aliases[i - 1].name,
		    c->aliases[i].name) < 0);
	}
}

static void
check_config(const char *text, size_t len)
{
	struct config c;
	char err[256], short_err[16];
	int rc;

	err[0] = '\0';
	rc = config_parse(&c, text, len, FILENAME, err, sizeof err,
	    ignore_warning, NULL);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0)
		check_accepted(&c);
	else {
		check_defaults(&c);
		CHECK(strncmp(err, FILENAME ":", sizeof FILENAME) == 0);
		/* The same refusal, cut to a short buffer. */
		short_err[0] = 'x';
		CHECK(config_parse(&c, text, len, FILENAME, short_err,
		    sizeof short_err, NULL, NULL) == -1);
		CHECK(strncmp(short_err, err, sizeof short_err - 1) == 0);
		CHECK(memchr(short_err, '\0', sizeof short_err) != NULL);
	}
	config_free(&c);
	check_defaults(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	check_json(text, size);
	check_config(text, size);
	return 0;
}
