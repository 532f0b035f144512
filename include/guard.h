/*
 * guard: what a node lets its peers do (docs/PROTOCOL.md, section 10;
 * kaipeer.json(5)).
 *
 *   - keys: the node's identity and psk, read from the key files its
 *     config names (relative names are taken from the config file's
 *     directory);
 *   - who may connect: a secured peer's key must be in "trusted", or be
 *     the key pinned for a configured peer; a peer we dial whose entry
 *     pins a key must show that key;
 *   - what a peer may run: a trusted key's "allow" patterns, matched
 *     against the command after its aliases;
 *   - how often: a token bucket per peer on commands ("rateLimit"), and
 *     one per source address on handshakes (GUARD_HS_PER_SEC, burst
 *     GUARD_HS_BURST, as WireGuard), kept for the last GUARD_HS_SOURCES
 *     addresses seen.
 *
 * The decisions are pure functions of the config and the clock given;
 * only guard_keys() reads files.
 */
#ifndef KAIPEER_GUARD_H
#define KAIPEER_GUARD_H

#include <stddef.h>

#include "config.h"
#include "session.h"
#include "table.h"

#define GUARD_HS_PER_SEC	20
#define GUARD_HS_BURST		5
#define GUARD_HS_SOURCES	1024

struct guard;

/* A handshake limiter; NULL if no memory. */
struct guard *guard_new(void);
void	guard_free(struct guard *g);

/*
 * Read the identity (and psk) that c names into k, config_path being the
 * config file's name (NULL: names are taken as they are).  Return 0 (warn
 * may hold a warning: a key file others may read), or -1 with err set.
 */
int	guard_keys(const struct config *c, const char *config_path,
	    struct sess_keys *k, char *err, size_t errsize, char *warn,
	    size_t warnsize);

/*
 * May the peer that proved key in?  e: the entry we dialled, or NULL.
 * 0, or -1 with why ("key <base64> is not trusted", ...).
 */
int	guard_authorize(const struct config *c, const struct peer *e,
	    const unsigned char key[32], char *why, size_t whysize);

/* May e run cmd[0..len) (after its aliases)?  1 or 0. */
int	guard_permit(const struct config *c, const struct peer *e,
	    const char *cmd, size_t len);

/* One more command from e at now_ms: 1 within "rateLimit", else 0. */
int	guard_rate(const struct config *c, struct peer *e, long long now_ms);

/*
 * One more handshake from ip at now_ms: 1 within the limit, else 0.
 * *first is set when this is the first refusal in a row for ip (say it
 * once, not per connection).
 */
int	guard_handshake(struct guard *g, const char *ip, long long now_ms,
	    int *first);

#endif
