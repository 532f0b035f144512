/*
 * nodecfg: the node's config in force (contract in include/node.h): the
 * sessions' settings and the alias table taken from it, loading a file,
 * reloading it on SIGHUP (what changes at once, what needs a restart, the
 * links a new trust list no longer lets in), and the keys and listening
 * address a secured or protected node starts with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "guard.h"
#include "keys.h"
#include "node.h"

/* The sessions' settings from the config. */
void
node_set_env(struct kaipeer_node *n)
{
	const struct config *c = &n->cfg;

	n->env.heartbeat_interval_ms = c->heartbeat_interval_ms;
	n->env.heartbeat_timeout_ms = c->heartbeat_timeout_ms;
	n->env.frame_timeout_ms = c->frame_timeout_ms;
	n->env.connect_timeout_ms = c->connect_timeout_ms;
	n->env.linger_ms = c->connect_timeout_ms;
	memset(n->env.hello.name, 0, sizeof(n->env.hello.name));
	if (c->name != NULL)
		snprintf(n->env.hello.name, sizeof(n->env.hello.name), "%s",
		    c->name);
}

/* The alias table the console module reads, from the config's. */
int
node_set_aliases(struct kaipeer_node *n)
{
	struct console_alias *a;
	int i;

	if ((a = calloc((size_t)n->cfg.naliases + 1, sizeof(*a))) == NULL)
		return -1;
	for (i = 0; i < n->cfg.naliases; i++) {
		a[i].name = n->cfg.aliases[i].name;
		a[i].expansion = n->cfg.aliases[i].expansion;
	}
	free(n->aliases);
	n->aliases = a;
	commands_aliases(n->cmds, a, n->cfg.naliases);
	return 0;
}

int
node_use_config(struct kaipeer_node *n, struct config *c)
{
	config_free(&n->cfg);
	n->cfg = *c;
	config_defaults(c);
	node_set_env(n);
	if (node_set_aliases(n) == -1)
		return -1;
	(void)execs_configure(n->execs);
	return 0;
}

static void
warn_config(void *ctx, const char *msg)
{
	node_err(ctx, "%s", msg);
}

int
kaipeer_load_config(struct kaipeer_node *n, const char *path)
{
	struct config c;
	char err[512];

	if (config_load(&c, path, err, sizeof(err), warn_config, n) == -1) {
		node_err(n, "%s", err);
		return -1;
	}
	free(n->config_path);
	if ((n->config_path = strdup(path)) == NULL ||
	    node_use_config(n, &c) == -1) {
		config_free(&c);
		return -1;
	}
	return 0;
}

/* Is the configured peer host:port in c? */
int
node_configured(const struct config *c, const char *host, int port)
{
	int i;

	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].port == port &&
		    strcmp(c->peers[i].host, host) == 0)
			return 1;
	return 0;
}

static int
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Keep what changes only with a restart: move it from old into c. */
static void
keep_fixed(struct config *c, struct config *old)
{
	char *t;

	t = c->identity, c->identity = old->identity, old->identity = t;
	t = c->psk, c->psk = old->psk, old->psk = t;
	t = c->listen_address, c->listen_address = old->listen_address;
	old->listen_address = t;
	t = c->cluster, c->cluster = old->cluster, old->cluster = t;
	c->lan_discovery = old->lan_discovery;
	c->lan_port = old->lan_port;
}

/* After a reload: links whose key is no longer let in end now. */
static void
retrust(struct kaipeer_node *n)
{
	struct peer *e;
	char why[200];
	int i;

	for (i = 0; i < peers_count(n->peers); i++) {
		if ((e = peers_at(n->peers, i)) == NULL || e->link == NULL ||
		    !e->has_key || guard_authorize(&n->cfg, e, e->key, why,
		    sizeof(why)) == 0)
			continue;
		node_err(n, "Dropped peer %s: %s", e->addr, why);
		peers_kill(n->peers, e, SESS_DENIED, why);
	}
}

void
node_reload(struct kaipeer_node *n)
{
	struct config c, old;
	struct peer *e;
	char err[512];
	int i;

	if (n->config_path == NULL) {
		node_err(n, "kaipeer: no config file to read again");
		return;
	}
	if (config_load(&c, n->config_path, err, sizeof(err), warn_config,
	    n) == -1) {
		node_err(n, "%s", err);
		node_err(n, "kaipeer: %s not reloaded; the config in force "
		    "stays", n->config_path);
		return;
	}
	if (c.listen_port != n->cfg.listen_port ||
	    c.auto_listen != n->cfg.auto_listen ||
	    c.max_frame != n->cfg.max_frame)
		node_err(n, "kaipeer: listenPort, autoListen and maxFrameSize "
		    "change only with a restart");
	if (!same_str(c.identity, n->cfg.identity) ||
	    !same_str(c.psk, n->cfg.psk) ||
	    !same_str(c.listen_address, n->cfg.listen_address))
		node_err(n, "kaipeer: identity, psk and listenAddress change "
		    "only with a restart");
	if (c.lan_discovery != n->cfg.lan_discovery ||
	    c.lan_port != n->cfg.lan_port ||
	    !same_str(c.cluster, n->cfg.cluster))
		node_err(n, "kaipeer: lanDiscovery, lanPort and cluster change "
		    "only with a restart");
	c.listen_port = n->cfg.listen_port;
	c.auto_listen = n->cfg.auto_listen;
	c.max_frame = n->cfg.max_frame;
	keep_fixed(&c, &n->cfg);
	old = n->cfg;
	n->cfg = c;
	node_set_env(n);
	if (node_set_aliases(n) == -1) {
		n->cfg = old;		/* keep what works */
		node_set_env(n);
		config_free(&c);
		node_err(n, "kaipeer: out of memory; config not reloaded");
		return;
	}
	peers_limits(n->peers, n->cfg.max_peers, n->cfg.reconnect_max_ms);
	(void)execs_configure(n->execs);
	for (i = 0; i < old.npeers; i++)
		if (!node_configured(&n->cfg, old.peers[i].host,
		    old.peers[i].port) && (e = peers_entry(n->peers,
		    old.peers[i].host, old.peers[i].port, PEER_CONFIG)) != NULL)
			peers_drop(n->peers, e);
	for (i = 0; i < n->cfg.npeers; i++)
		if (!node_configured(&old, n->cfg.peers[i].host,
		    n->cfg.peers[i].port) && (e = peers_entry(n->peers,
		    n->cfg.peers[i].host, n->cfg.peers[i].port,
		    PEER_CONFIG)) != NULL) {
			node_say(n, "Connecting to peer at %s", e->dial);
			peers_dial(n->peers, e);
		}
	for (i = 0; i < n->cfg.npeers; i++)
		if ((e = peers_entry(n->peers, n->cfg.peers[i].host,
		    n->cfg.peers[i].port, PEER_CONFIG)) != NULL) {
			e->has_pin = n->cfg.peers[i].has_key;
			memcpy(e->pin, n->cfg.peers[i].key, sizeof(e->pin));
		}
	retrust(n);
	config_free(&old);
	node_say(n, "Config reloaded from %s", n->config_path);
}

/* With an "identity": load the keys, announce them, check the trust. */
int
node_secure(struct kaipeer_node *n)
{
	const struct config *c = &n->cfg;
	char err[512], warn[512], b64[KEYS_B64 + 1];
	int i, pins = 0;

	if (c->identity == NULL)
		return 0;
	if (guard_keys(c, n->config_path, &n->keys, err, sizeof(err), warn,
	    sizeof(warn)) == -1) {
		node_err(n, "kaipeer: \"identity\": %s", err);
		return -1;
	}
	if (warn[0] != '\0')
		node_err(n, "kaipeer: warning: %s", warn);
	n->env.keys = &n->keys;
	n->env.hello.flags = PROTO_FLAG_SECURE |
	    (n->keys.has_psk ? PROTO_FLAG_PSK : 0);
	keys_format(b64, n->keys.pub);
	if (!n->oneshot)
		node_say(n, "Secured with Noise_XX%s_25519_ChaChaPoly_SHA256, "
		    "public key %s", n->keys.has_psk ? "psk3" : "", b64);
	for (i = 0; i < c->npeers; i++)
		pins += c->peers[i].has_key;
	if (c->ntrusted == 0 && pins == 0)
		node_err(n, "kaipeer: warning: no \"trusted\" keys and no "
		    "peer \"key\": every peer will be refused");
	return 0;
}

/* Where to listen: "listenAddress", else everywhere when secured, else
 * loopback only (protected mode). */
const char *
node_listen_host(struct kaipeer_node *n)
{
	const char *a = n->cfg.listen_address;

	if (a != NULL)
		return strcmp(a, "*") == 0 ? NULL : a;
	return n->env.keys != NULL ? NULL : "";
}

