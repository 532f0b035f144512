/*
 * config: the node's settings, read from a strict JSON file.
 *
 * config_parse() is pure: it reads a buffer and fills a struct config, whose
 * strings and arrays it allocates and config_free() releases.  A file is
 * taken whole or not at all: on any error the struct is left as defaults
 * and the message, "<file>:<line>:<col>: <what is wrong>", is written to err.
 * An unknown key is not an error; it is reported through the warn callback
 * in the same file:line:col form.
 */
#ifndef KAIPEER_CONFIG_H
#define KAIPEER_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_PORT	14590
#define CONFIG_DEFAULT_MAX_PEERS 64
#define CONFIG_DEFAULT_MAX_FRAME (1024 * 1024)
#define CONFIG_DEFAULT_COMMAND_TIMEOUT_MS 10000
#define CONFIG_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define CONFIG_DEFAULT_HEARTBEAT_INTERVAL_MS 1000
#define CONFIG_DEFAULT_HEARTBEAT_TIMEOUT_MS 5000
#define CONFIG_DEFAULT_FRAME_TIMEOUT_MS 10000
#define CONFIG_DEFAULT_RECONNECT_MAX_MS 30000
#define CONFIG_DEFAULT_MESH_SIZE 8	/* links sought through discovery */
#define CONFIG_DEFAULT_LAN_PORT	14590	/* UDP, the LAN beacon */
#define CONFIG_DEFAULT_CLUSTER	"kaipeer"
#define CONFIG_MAX_FILE	(1024 * 1024)	/* larger config files are refused */
#define CONFIG_MAX_NAME	64		/* bytes in "name" */
#define CONFIG_MAX_HOST	255		/* bytes in a peer's "host" */
#define CONFIG_MAX_LIST	1024		/* entries in "peers" or "commands" */
#define CONFIG_MAX_ARGV	64		/* words of an "exec" program */
#define CONFIG_DEFAULT_MAX_PROCESSES 16
#define CONFIG_DEFAULT_MAX_RESULT (512 * 1024)	/* or maxFrameSize less: */
#define CONFIG_RESULT_ROOM	256	/* a RESULT's fields and a note */
#define CONFIG_MAX_PATH	4096		/* bytes of a key file's name */

struct config_peer {
	char	*host;
	int	 port;
	int	 has_key;		/* "key": the key it must show */
	unsigned char key[32];
};

/* "trusted": a key allowed in, and what it may run. */
struct config_trust {
	unsigned char key[32];
	char	*name;			/* "name", or NULL */
	char	**allow;		/* "allow" patterns; NULL: anything */
	int	 nallow;
};

struct config_alias {
	char	*name;
	char	*expansion;
};

/* "exec": a program this node runs for its peers, by name. */
struct config_exec {
	char	*name;
	char	**argv;			/* argv[argc] == NULL */
	int	 argc;
	int	 args;			/* "args": the caller's words appended */
	long	 timeout_ms;		/* "timeout"; 0: none of its own */
};

/* "groups": a name for a selector ("web": "web1,web2" or a list). */
struct config_group {
	char	*name;
	char	*selector;		/* the members, comma-separated */
};

struct config {
	char	*name;			/* "name", NULL when not set */
	int	 listen_port;		/* "listenPort", 1..65535 */
	int	 auto_listen;		/* "autoListen" */
	int	 interactive;		/* "interactive" */
	int	 max_peers;		/* "maxPeers", >= 1 */
	long	 max_frame;		/* "maxFrameSize", bytes, 1024..(64 MiB) */
	long	 command_timeout_ms;	/* "commandTimeout", seconds in the file */
	long	 connect_timeout_ms;	/* "connectTimeout", seconds in the file */
	long	 heartbeat_interval_ms;	/* "heartbeatInterval": PING when idle */
	long	 heartbeat_timeout_ms;	/* "heartbeatTimeout": silent = lost */
	long	 frame_timeout_ms;	/* "frameTimeout": a frame's arrival */
	long	 reconnect_max_ms;	/* "reconnectMax": longest redial wait */
	struct config_peer *peers;	/* "peers", in file order */
	int	 npeers;
	struct config_alias *aliases;	/* "commands", sorted by name */
	int	 naliases;
	struct config_exec *execs;	/* "exec", in file order */
	int	 nexecs;
	struct config_group *groups;	/* "groups", in file order */
	int	 ngroups;
	int	 max_processes;		/* "maxProcesses": programs at once */
	long	 max_result;		/* "maxResultSize": a program's output */
	/* Security (conftrust.c). */
	char	*identity;		/* "identity": key file, or NULL */
	char	*psk;			/* "psk": key file, or NULL */
	struct config_trust *trusted;	/* "trusted", sorted by key */
	int	 ntrusted;
	long	 rate_per_sec;		/* "rateLimit"; 0: no limit */
	long	 rate_burst;
	char	*listen_address;	/* "listenAddress", or NULL */
	int	 history;		/* "history": the console's file */
	/* Finding peers (discover.c, beacon.c). */
	int	 discover;		/* "discover": dial what peers tell */
	int	 mesh_size;		/* "meshSize": links discovery seeks */
	int	 lan_discovery;		/* "lanDiscovery": the UDP beacon */
	char	*cluster;		/* "cluster", or NULL: the default */
	int	 lan_port;		/* "lanPort": the beacon's UDP port */
};

/* Called once per warning with a complete message and the caller's ctx. */
typedef void (*config_warn_fn)(void *ctx, const char *msg);

/* Fill c with the built-in defaults; it owns no memory afterwards. */
void	config_defaults(struct config *c);

/*
 * Parse text[0..len) as a config file named filename (used in messages).
 * Returns 0 and fills c (defaults for absent keys), or -1 with c left as
 * defaults and err holding "<filename>:<line>:<col>: <what is wrong>".
 * Lines and columns are 1-based; the column counts bytes.
 */
int	config_parse(struct config *c, const char *text, size_t len,
	    const char *filename, char *err, size_t errsize,
	    config_warn_fn warn, void *ctx);

/*
 * Read and parse the file at path.  Returns 0, or -1 with err set; an
 * unreadable file is reported as "<path>: <strerror>".
 */
int	config_load(struct config *c, const char *path, char *err,
	    size_t errsize, config_warn_fn warn, void *ctx);

/*
 * Is host usable as a peer's "host" (or the host of "connect")?  NULL if
 * so, else why not: a host with a port in it ("127.0.0.1:21001",
 * "[::1]:21001") is refused, the port goes apart.  A bracketed IPv6
 * address ("[::1]") is fine.
 */
const char *config_check_host(const char *host);

/* Release what c owns and reset it to defaults. */
void	config_free(struct config *c);

#endif
