/*
 * guard: what a node lets its peers do (contract in include/guard.h).
 *
 * Buckets count thousandths of a token, so that rates need no floating
 * point: a bucket refills rate tokens a second up to burst, and a command
 * or a handshake takes one whole token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conftrust.h"
#include "ct.h"
#include "guard.h"
#include "keys.h"
#include "select.h"
#include "x25519.h"

struct source {
	char		 ip[64];
	long		 tokens;
	long long	 at;
	int		 refusing;
	int		 used;
};

struct guard {
	struct source	 src[GUARD_HS_SOURCES];
	int		 next;		/* the slot to reuse next */
};

struct guard *
guard_new(void)
{
	return calloc(1, sizeof(struct guard));
}

void
guard_free(struct guard *g)
{
	free(g);
}

/* Refill a bucket of rate/s up to burst at now; take a token if one is
 * there.  Returns 1 when taken. */
static int
take(long *tokens, long long *at, long rate, long burst, long long now)
{
	long long t = *tokens, full = (long long)burst * 1000;

	if (*at == 0)
		t = full;
	else if (now > *at)
		t += (now - *at) * rate;	/* ms * rate/s = thousandths */
	if (t > full)
		t = full;
	*at = now;
	if (t < 1000) {
		*tokens = (long)t;
		return 0;
	}
	*tokens = (long)(t - 1000);
	return 1;
}

/* name, relative to the directory of config_path. */
static void
beside(char *out, size_t size, const char *config_path, const char *name)
{
	const char *slash;

	if (name[0] == '/' || config_path == NULL ||
	    (slash = strrchr(config_path, '/')) == NULL)
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - config_path),
		    config_path, name);
}

int
guard_keys(const struct config *c, const char *config_path,
    struct sess_keys *k, char *err, size_t errsize, char *warn,
    size_t warnsize)
{
	char path[CONFIG_MAX_PATH + 256], w2[256];

	memset(k, 0, sizeof(*k));
	warn[0] = '\0';
	if (c->identity == NULL)
		return -1;
	beside(path, sizeof(path), config_path, c->identity);
	if (keys_load(path, k->secret, err, errsize, warn, warnsize) == -1)
		return -1;
	x25519_public(k->pub, k->secret);
	if (c->psk != NULL) {
		beside(path, sizeof(path), config_path, c->psk);
		if (keys_load(path, k->psk, err, errsize, w2,
		    sizeof(w2)) == -1) {
			ct_wipe(k, sizeof(*k));
			return -1;
		}
		if (warn[0] == '\0')
			snprintf(warn, warnsize, "%s", w2);
		k->has_psk = 1;
	}
	return 0;
}

int
guard_authorize(const struct config *c, const struct peer *e,
    const unsigned char key[32], char *why, size_t whysize)
{
	char b64[KEYS_B64 + 1], pin[KEYS_B64 + 1];
	int i;

	keys_format(b64, key);
	if (e != NULL && e->has_pin) {
		/* A pin a peer told us (discovery) checks; it grants nothing. */
		if (memcmp(e->pin, key, 32) == 0 &&
		    e->origin != PEER_DISCOVERED)
			return 0;
		if (memcmp(e->pin, key, 32) == 0)
			goto trusted;
		keys_format(pin, e->pin);
		snprintf(why, whysize, "key %s is not the key pinned for %s "
		    "(%s)", b64, e->dial != NULL ? e->dial : e->addr, pin);
		return -1;
	}
trusted:
	if (conftrust_find(c, key) != NULL)
		return 0;
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].has_key && memcmp(c->peers[i].key, key,
		    32) == 0)
			return 0;
	snprintf(why, whysize, "key %s is not trusted", b64);
	return -1;
}

int
guard_permit(const struct config *c, const struct peer *e, const char *cmd,
    size_t len)
{
	const struct config_trust *t;
	int i;

	if (!e->has_key || (t = conftrust_find(c, e->key)) == NULL ||
	    t->allow == NULL)
		return 1;
	for (i = 0; i < t->nallow; i++)
		if (select_glob(t->allow[i], strlen(t->allow[i]), cmd, len))
			return 1;
	return 0;
}

int
guard_rate(const struct config *c, struct peer *e, long long now_ms)
{
	if (c->rate_per_sec == 0)
		return 1;
	return take(&e->rate_tokens, &e->rate_at, c->rate_per_sec,
	    c->rate_burst, now_ms);
}

int
guard_handshake(struct guard *g, const char *ip, long long now_ms,
    int *first)
{
	struct source *s = NULL;
	int i, ok;

	*first = 0;
	for (i = 0; i < GUARD_HS_SOURCES && g->src[i].used; i++)
		if (strcmp(g->src[i].ip, ip) == 0) {
			s = &g->src[i];
			break;
		}
	if (s == NULL) {
		/* A new address takes a free slot, or the oldest one's. */
		s = &g->src[i < GUARD_HS_SOURCES ? i : g->next];
		if (i == GUARD_HS_SOURCES)
			g->next = (g->next + 1) % GUARD_HS_SOURCES;
		memset(s, 0, sizeof(*s));
		s->used = 1;
		snprintf(s->ip, sizeof(s->ip), "%s", ip);
	}
	ok = take(&s->tokens, &s->at, GUARD_HS_PER_SEC, GUARD_HS_BURST,
	    now_ms);
	*first = !ok && !s->refusing;
	s->refusing = !ok;
	return ok;
}
