/*
 * conftrust: the security settings of a config file (contract in
 * include/conftrust.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "conftrust.h"
#include "json.h"

static const char *const trust_keys[] = { "key", "name", "allow", NULL };
static const char *const rate_keys[] = { "perSecond", "burst", NULL };

int
conftrust_key(struct confread *r, int v, unsigned char key[32])
{
	unsigned char buf[33];
	char *s;
	long n;

	if (confread_string(r, v, 256, "a key", &s) < 0)
		return -1;
	n = base64_decode(buf, sizeof(buf), s, strlen(s));
	free(s);
	if (n == 32)
		memcpy(key, buf, 32);
	else
		return confread_error(r, r->tok[v].start, "not a public key: "
		    "32 bytes in base64 (44 characters), as kaipeer --pubkey "
		    "prints");
	return 0;
}

static int
parse_allow(struct confread *r, int v, struct config_trust *t)
{
	const struct json_token *a = &r->tok[v];
	int i, e;

	if (a->type != JSON_ARRAY)
		return confread_error(r, a->start, "\"allow\" must be an array "
		    "of patterns");
	if (a->size > CONFIG_MAX_LIST)
		return confread_error(r, a->start, "\"allow\" has more than %d "
		    "entries", CONFIG_MAX_LIST);
	/* An empty list is legal: the key may connect and run nothing. */
	if ((t->allow = calloc((size_t)a->size + 1, sizeof(char *))) == NULL)
		return confread_error(r, a->start, "out of memory");
	for (i = 0, e = v + 1; i < a->size; i++, e = json_skip(r->tok, e)) {
		if (confread_string(r, e, CONFIG_MAX_HOST * 4, "a pattern",
		    &t->allow[i]) < 0)
			return -1;
		t->nallow++;
	}
	return 0;
}

static int
parse_trust(struct confread *r, int p, struct config_trust *t)
{
	const struct json_token *tok = r->tok;
	int i, k, which, seen = 0, rc;

	if (tok[p].type != JSON_OBJECT)
		return confread_error(r, tok[p].start, "each trusted peer must "
		    "be an object with a \"key\"");
	for (i = 0, k = p + 1; i < tok[p].size; i++, k = json_skip(tok, k)) {
		if ((which = confread_lookup(r, k, trust_keys)) < 0) {
			confread_unknown(r, k, trust_keys);
			continue;
		}
		if (seen & 1 << which)
			return confread_error(r, tok[k].start,
			    "duplicate key \"%s\"", trust_keys[which]);
		seen |= 1 << which;
		if (which == 0)
			rc = conftrust_key(r, k + 1, t->key);
		else if (which == 1)
			rc = confread_string(r, k + 1, CONFIG_MAX_NAME,
			    "\"name\"", &t->name);
		else
			rc = parse_allow(r, k + 1, t);
		if (rc < 0)
			return -1;
	}
	if (!(seen & 1))
		return confread_error(r, tok[p].start, "trusted peer without "
		    "a \"key\"");
	return 0;
}

static int
trust_cmp(const void *a, const void *b)
{
	return memcmp(((const struct config_trust *)a)->key,
	    ((const struct config_trust *)b)->key, 32);
}

long
conftrust_trusted(struct confread *r, int v, struct config *c)
{
	const struct json_token *t = &r->tok[v];
	int i, j, e;

	if (t->type != JSON_ARRAY)
		return confread_error(r, t->start, "\"trusted\" must be an "
		    "array");
	if (t->size > CONFIG_MAX_LIST)
		return confread_error(r, t->start, "\"trusted\" has more than "
		    "%d entries", CONFIG_MAX_LIST);
	if (t->size > 0 &&
	    (c->trusted = calloc(t->size, sizeof(*c->trusted))) == NULL)
		return confread_error(r, t->start, "out of memory");
	for (i = 0, e = v + 1; i < t->size; i++, e = json_skip(r->tok, e)) {
		if (parse_trust(r, e, &c->trusted[c->ntrusted++]) < 0)
			return -1;
		for (j = 0; j < c->ntrusted - 1; j++)
			if (memcmp(c->trusted[j].key,
			    c->trusted[c->ntrusted - 1].key, 32) == 0)
				return confread_error(r, r->tok[e].start,
				    "this key is trusted twice");
	}
	if (c->ntrusted > 1)
		qsort(c->trusted, c->ntrusted, sizeof(*c->trusted), trust_cmp);
	return 0;
}

const struct config_trust *
conftrust_find(const struct config *c, const unsigned char key[32])
{
	struct config_trust k;

	if (c->ntrusted == 0)
		return NULL;
	memset(&k, 0, sizeof(k));
	memcpy(k.key, key, 32);
	return bsearch(&k, c->trusted, c->ntrusted, sizeof(*c->trusted),
	    trust_cmp);
}

long
conftrust_rate(struct confread *r, int v, struct config *c)
{
	const struct json_token *tok = r->tok;
	int i, k, which, seen = 0;
	long n;

	if (tok[v].type != JSON_OBJECT)
		return confread_error(r, tok[v].start, "\"rateLimit\" must be "
		    "an object with \"perSecond\" and \"burst\"");
	for (i = 0, k = v + 1; i < tok[v].size; i++, k = json_skip(tok, k)) {
		if ((which = confread_lookup(r, k, rate_keys)) < 0) {
			confread_unknown(r, k, rate_keys);
			continue;
		}
		if (seen & 1 << which)
			return confread_error(r, tok[k].start,
			    "duplicate key \"%s\"", rate_keys[which]);
		seen |= 1 << which;
		if ((n = confread_integer(r, k + 1, rate_keys[which], 1,
		    1000000)) < 0)
			return -1;
		if (which == 0)
			c->rate_per_sec = n;
		else
			c->rate_burst = n;
	}
	if (!(seen & 1))
		return confread_error(r, tok[v].start, "\"rateLimit\" without "
		    "\"perSecond\"");
	if (!(seen & 2))
		c->rate_burst = c->rate_per_sec;
	return 0;
}

long
conftrust_listen(struct confread *r, int v, struct config *c)
{
	if (confread_string(r, v, CONFIG_MAX_HOST, "\"listenAddress\"",
	    &c->listen_address) < 0)
		return -1;
	if (strcmp(c->listen_address, "*") != 0 &&
	    config_check_host(c->listen_address) != NULL)
		return confread_error(r, r->tok[v].start, "\"listenAddress\" "
		    "%s: the port goes in \"listenPort\"",
		    config_check_host(c->listen_address));
	return 0;
}

int
conftrust_loopback(const char *addr)
{
	return addr == NULL || strcmp(addr, "localhost") == 0 ||
	    strcmp(addr, "::1") == 0 || strcmp(addr, "[::1]") == 0 ||
	    strncmp(addr, "127.", 4) == 0;
}

int
conftrust_check(struct confread *r, struct config *c, int at_exec,
    int at_psk)
{
	if (c->identity == NULL && c->psk != NULL)
		return confread_error(r, r->tok[at_psk].start, "\"psk\" needs "
		    "an \"identity\": a pre-shared key only adds to the Noise "
		    "handshake");
	/* Protected mode: strangers must not reach programs. */
	if (c->nexecs > 0 && c->identity == NULL &&
	    !conftrust_loopback(c->listen_address))
		return confread_error(r, r->tok[at_exec].start, "\"exec\" "
		    "needs security when listening beyond this machine "
		    "(\"listenAddress\" is \"%s\"): set an \"identity\", or "
		    "listen on loopback only", c->listen_address);
	return 0;
}
