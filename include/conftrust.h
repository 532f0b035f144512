/*
 * conftrust: the security settings of a config file (docs/PROTOCOL.md,
 * section 10; kaipeer.json(5)): "identity", "psk", "trusted",
 * "rateLimit", "listenAddress", and the "key" a peer may pin.
 *
 * Each reader checks one value through confread and stores it in the
 * struct config; like the rest of config.c they are pure and report the
 * first problem as file:line:col.  Key files are only named here; they
 * are read when the node starts (keys.c).
 */
#ifndef KAIPEER_CONFTRUST_H
#define KAIPEER_CONFTRUST_H

#include "config.h"
#include "confread.h"

/* A public key in base64 (string token v) into key; 0, or -1. */
int	conftrust_key(struct confread *r, int v, unsigned char key[32]);

/* trusted = [ *{ "key": key, "name": string, "allow": [ *pattern ] } ] */
long	conftrust_trusted(struct confread *r, int v, struct config *c);

/* rateLimit = { "perSecond": integer, "burst": integer } */
long	conftrust_rate(struct confread *r, int v, struct config *c);

/* listenAddress = "*" | an IP address | a host name */
long	conftrust_listen(struct confread *r, int v, struct config *c);

/* Checks between keys, once the whole file is read (at_*: the value
 * tokens of "exec" and "psk", for messages): 0, or -1. */
int	conftrust_check(struct confread *r, struct config *c, int at_exec,
	    int at_psk);

/* The trusted entry of key, or NULL (c->trusted is sorted by key). */
const struct config_trust *conftrust_find(const struct config *c,
	    const unsigned char key[32]);

/* Is this "listenAddress" loopback only (unset counts as loopback)? */
int	conftrust_loopback(const char *addr);

#endif
