/*
 * node: the inside of struct kaipeer_node, for the layers above it (the
 * console in repl.c, the program in cli.c).  Embedders use kaipeer.h.
 *
 * A node ties the layers together: it owns the loop, the output, the
 * net, the peer table, the requests it sent and the commands it runs; it
 * turns what the peer table reports into the lines users see, runs the
 * commands peers send, and implements the library API of kaipeer.h.
 */
#ifndef KAIPEER_NODE_H
#define KAIPEER_NODE_H

#include <stdarg.h>
#include <stdint.h>

#include "command.h"
#include "config.h"
#include "console.h"
#include "kaipeer.h"
#include "loop.h"
#include "net.h"
#include "output.h"
#include "peers.h"
#include "request.h"
#include "session.h"

#define NODE_DRAIN_MS	1000	/* at exit, time allowed to flush goodbyes */

struct kaipeer_node {
	struct config	 cfg;
	char		*config_path;	/* what SIGHUP reads again */
	struct console_alias *aliases;
	struct loop	*loop;
	struct output	*out;
	struct net	*net;
	struct sess_env	 env;
	struct peers	*peers;
	struct reqs	*reqs;
	struct commands	*cmds;
	struct execs	*execs;		/* the config's programs */
	struct guard	*guard;		/* handshakes per source address */
	struct relays	*relays;	/* RELAYs carried out for peers */
	struct discover	*disc;		/* peer exchange, candidates */
	struct beacon	*beacon;	/* the LAN beacon, or NULL */
	uint32_t	 qids;		/* ids of our network-wide requests */
	struct sess_keys keys;		/* env.keys, once secured */
	unsigned char	 id[PROTO_NODE_ID];
	long long	 born;
	unsigned long long served;	/* commands run for peers */
	uint32_t	 console_ids;	/* ids of the console's own calls */
	int		 listen_port;	/* -1: the config's; 0: none */
	int		 quiet;		/* -q: results only */
	int		 json;		/* --json: stdout is JSON lines */
	int		 verbose;	/* -v: trace frames */
	int		 oneshot;	/* -c: no redial */
	int		 started;
	int		 stopping;	/* kaipeer_stop() was called */
	int		 stopped;
	int		 failed;	/* a console command failed */
	kaipeer_log_fn	 log;
	void		*log_ctx;
};

/* Lines: for events (not with -q), always (on standard error with
 * --json, so that standard output stays JSON), and on standard error. */
void	node_say(struct kaipeer_node *n, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void	node_print(struct kaipeer_node *n, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void	node_err(struct kaipeer_node *n, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* nodecfg.c: the sessions' settings and the aliases, from n->cfg. */
void	node_set_env(struct kaipeer_node *n);
int	node_set_aliases(struct kaipeer_node *n);

/* Is host:port one of c's "peers"? */
int	node_configured(const struct config *c, const char *host, int port);

/* At start: the keys of an "identity" (0, or -1 having said why), and
 * where to listen (net_listen()'s host). */
int	node_secure(struct kaipeer_node *n);
const char *node_listen_host(struct kaipeer_node *n);

/* Take the config c (moved: c is left empty).  0, or -1 if no memory. */
int	node_use_config(struct kaipeer_node *n, struct config *c);

/* Read the config file again and apply what changed (SIGHUP). */
void	node_reload(struct kaipeer_node *n);

/* Print the node's state on standard error (SIGUSR1). */
void	node_report(struct kaipeer_node *n);

/*
 * Begin to stop: with force, every command in flight ends with
 * "Error: exiting"; the peers are told goodbye.  node_finish() then runs
 * the loop until the goodbyes are written (at most NODE_DRAIN_MS).
 */
void	node_stop(struct kaipeer_node *n, int force);
void	node_finish(struct kaipeer_node *n);

#endif
