/*
 * node: the NetworkPeer.  It owns the peer table, runs the console, speaks
 * the protocol of docs/PROTOCOL.md over net.c, and runs commands for peers.
 *
 * Contract (include/kaipeer.h): kaipeer_main() is the whole program.  All
 * state lives in struct kaipeer_node; nothing here blocks; a peer that
 * misbehaves is dropped with a message and never stops the node.
 *
 * The peer table gives each peer an index that never changes: an entry is
 * made when we dial a peer or a new one dials us, and a peer that comes
 * back (same ip:listen-port) gets its old entry, and so its old index.
 * Every command sent waits in its peer's pending list under a request id
 * until its RESULT, its timeout, or the loss of the peer: each ends with
 * exactly one result line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calc.h"
#include "config.h"
#include "console.h"
#include "kaipeer.h"
#include "net.h"
#include "proto.h"

#define MAX_TABLE	65536	/* peer table entries over a process's life */
#define DRAIN_MS	1000	/* at exit, time allowed to flush goodbyes */
#define MIN_OUT_MAX	(256 * 1024)
#define RETRY_FIRST_MS	250	/* first wait before dialling again */

enum peer_state {
	PEER_CONNECTING,	/* TCP connect or handshake in progress */
	PEER_UP,		/* handshake done */
	PEER_DOWN,		/* was up, now gone */
	PEER_FAILED		/* our connect failed */
};

/*
 * A command in flight.  Slots past npend keep their text buffers, so a
 * steady stream of commands reuses memory instead of allocating.
 */
struct pending {
	uint32_t	 id;
	long long	 deadline;
	char		*text;		/* the command as typed, for the result line */
	size_t		 cap;		/* bytes allocated for text */
};

struct peer {
	int		 index;		/* in the table, or -1 before handshake */
	enum peer_state	 state;
	char		 addr[NET_ADDRLEN];	/* "ip:listen-port" */
	char		*dial;		/* "host:port" we dial, NULL if inbound */
	char		*host;
	int		 port;
	char		 name[PROTO_MAX_NAME + 1];
	unsigned char	 id[PROTO_NODE_ID];
	struct net_conn	*conn;
	int		 hello;		/* their HELLO arrived */
	long long	 deadline;	/* connect and handshake deadline */
	uint32_t	 next_id;
	struct pending	*pend;
	int		 npend;
	int		 pcap;
	int		 ephemeral;	/* inbound, not listening: cannot
					   be dialled back, so retired when
					   it leaves */
	long long	 last_rx;	/* when it last sent us anything */
	long long	 last_ping;	/* when we last sent it a PING */
	long long	 frame_start;	/* first byte of an incomplete frame */
	long long	 retry_at;	/* when to dial again, 0: not */
	long		 backoff_ms;	/* the last wait between dials */
	int		 no_retry;	/* it is us, or a duplicate */
	int		 reported;	/* its connect failure was printed */
	char		 why[256];	/* why the last connect failed */
};

struct processor {
	char		*name;
	kaipeer_command_fn fn;
	void		*ctx;
};

struct kaipeer_node {
	struct config	 cfg;
	struct net	 net;
	unsigned char	 id[PROTO_NODE_ID];
	struct peer	**table;	/* index -> entry; NULL once retired */
	int		 ntable;
	int		 reuse;		/* where to look for a retired index */
	struct console_peer *views;	/* scratch for console_match_peer() */
	struct console_alias *aliases;
	struct processor *procs;
	int		 nprocs;
	char		*cmd;		/* scratch: a command, NUL-terminated */
	char		*result;	/* scratch: a command's result */
	size_t		 result_size;
	long long	 started;
	unsigned long long served;
	int		 running;
	long long	 next_check;	/* no deadline is due before this */
	int		 closing;	/* exit once no command is in flight */
	int		 prompt;	/* print "> " (stdin is a terminal) */
	int		 quiet;		/* -q: print results only */
	int		 verbose;	/* -v: log frames to stderr */
	int		 status;	/* exit status */
	/* One-shot (-c) mode. */
	const char	**lines;
	int		 nlines;
	int		 oneshot;
	int		 failed;	/* a -c command failed */
};

static void drop_peer(struct kaipeer_node *, struct peer *, int, const char *);
static void schedule_retry(struct kaipeer_node *, struct peer *);

/* --- output -------------------------------------------------------------- */

/*
 * Print text from a peer, escaping control bytes other than tab, newline
 * included: a peer can neither drive the user's terminal nor fake lines.
 */
static void
put_safe(const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* An informational line: events, progress.  -q leaves only results. */
static void
say(struct kaipeer_node *node, const char *fmt, ...)
{
	va_list ap;

	if (node->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* A new deadline at t: make sure expire() looks at it in time. */
static void
arm(struct kaipeer_node *node, long long t)
{
	if (t < node->next_check)
		node->next_check = t;
}

/* -v: one line per frame in (<) or out (>), with a timestamp. */
static void
trace(struct kaipeer_node *node, const char *who, int out,
    const unsigned char *frame, size_t size)
{
	struct timespec ts;
	struct tm tm;
	time_t secs;

	if (!node->verbose)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	secs = ts.tv_sec;
	localtime_r(&secs, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld %s %s %s, %lu bytes\n",
	    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L,
	    out ? ">" : "<", who, proto_type_name(frame[4]),
	    (unsigned long)size);
}

static void
show_prompt(struct kaipeer_node *node)
{
	if (node->prompt) {
		fputs("> ", stdout);
		fflush(stdout);
	}
}

/* --- built-in commands -------------------------------------------------- */

static int
cmd_calc(void *ctx, const char *args, char *out, size_t outsize)
{
	(void)ctx;
	/* Evaluated in place, after room for the prefix of an error. */
	if (calc_eval(args, strlen(args), out + 7, outsize - 7) == 0) {
		memmove(out, out + 7, strlen(out + 7) + 1);
		return 0;
	}
	memcpy(out, "Error: ", 7);
	return 1;
}

static int
count_up(const struct kaipeer_node *node)
{
	int i, n = 0;

	for (i = 0; i < node->ntable; i++)
		if (node->table[i] != NULL && node->table[i]->state == PEER_UP)
			n++;
	return n;
}

static int
cmd_system(void *ctx, const char *args, char *out, size_t outsize)
{
	struct kaipeer_node *node = ctx;
	char host[256];
	long long up = (net_now_ms() - node->started) / 1000;
	int n = count_up(node);

	if (strcmp(args, "status") != 0) {
		snprintf(out, outsize, "Usage: system status");
		return 1;
	}
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	snprintf(out, outsize, "kaipeer %s, up %llds, %d peer%s, "
	    "%llu command%s served, host %s", KAIPEER_VERSION, up, n,
	    n == 1 ? "" : "s", node->served, node->served == 1 ? "" : "s",
	    host);
	return 0;
}

/* --- the peer table ----------------------------------------------------- */

static struct peer *
new_peer(void)
{
	struct peer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->index = -1;
	p->next_id = 1;
	return p;
}

static void
free_peer(struct peer *p)
{
	int i;

	for (i = 0; i < p->pcap; i++)
		free(p->pend[i].text);
	free(p->pend);
	free(p->dial);
	free(p->host);
	free(p);
}

/*
 * Give p the next index.  Once MAX_TABLE indexes have been handed out, the
 * index of a peer that left for good (one that did not listen, so cannot
 * come back under it) is given again, oldest first.  Returns 0, or -1 when
 * every index belongs to a peer that may still come back.
 */
static int
table_add(struct kaipeer_node *node, struct peer *p)
{
	struct peer **t;
	struct console_peer *v;
	int i, slot;

	if (node->ntable == MAX_TABLE) {
		for (i = 0; i < MAX_TABLE; i++) {
			slot = (node->reuse + i) % MAX_TABLE;
			if (node->table[slot] == NULL) {
				node->reuse = slot + 1;
				p->index = slot;
				node->table[slot] = p;
				return 0;
			}
		}
		return -1;
	}
	t = realloc(node->table, (size_t)(node->ntable + 1) * sizeof(*t));
	if (t == NULL)
		return -1;
	node->table = t;
	v = realloc(node->views, (size_t)(node->ntable + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	node->views = v;
	p->index = node->ntable;
	node->table[node->ntable++] = p;
	return 0;
}

static const char *
peer_label(const struct peer *p)
{
	return p->addr[0] != '\0' ? p->addr : p->dial;
}

/* Peers with a connection, counted against maxPeers. */
static int
count_connections(const struct kaipeer_node *node)
{
	int i, n = 0;

	for (i = 0; i < node->net.nconns; i++)
		if (node->net.conns[i]->user != NULL)
			n++;
	return n;
}

/* --- sending ------------------------------------------------------------ */

/* Commit an encoded frame of n bytes; -1 if it did not fit. */
static int
queue(struct kaipeer_node *node, struct peer *p, long n)
{
	if (n <= 0)
		return -1;
	trace(node, peer_label(p), 1, p->conn->out + p->conn->out_len,
	    (size_t)n);
	net_commit(p->conn, (size_t)n);
	return 0;
}

/* p does not read what we send: past the output bound, drop it. */
static void
overflow(struct kaipeer_node *node, struct peer *p)
{
	fprintf(stderr, "Output queue full for peer %s, dropping it\n",
	    peer_label(p));
	if (p->hello)
		say(node, "Connection lost to peer: %s\n", p->addr);
	drop_peer(node, p, 0, "output queue full");
}

static int
send_text(struct kaipeer_node *node, struct peer *p, int type, unsigned code,
    const char *text, size_t len)
{
	size_t need = PROTO_HEADER + 6 + len;
	unsigned char *buf;
	long n = -1;

	if ((buf = net_space(p->conn, need)) != NULL) {
		if (type == PROTO_ERROR)
			n = proto_error_encode(buf, need, code, text, len);
		else
			n = proto_bye_encode(buf, need, text, len);
	}
	return queue(node, p, n);
}

static int
send_error(struct kaipeer_node *node, struct peer *p, unsigned code,
    const char *text)
{
	return send_text(node, p, PROTO_ERROR, code, text, strlen(text));
}

static int
send_hello(struct kaipeer_node *node, struct peer *p)
{
	struct proto_hello h;
	unsigned char *buf;
	size_t need = PROTO_MAX_HELLO;

	memset(&h, 0, sizeof(h));
	h.version = PROTO_VERSION;
	h.port = node->net.nlisten > 0 ? (unsigned)node->cfg.listen_port : 0;
	memcpy(h.id, node->id, sizeof(h.id));
	if (node->cfg.name != NULL)
		snprintf(h.name, sizeof(h.name), "%s", node->cfg.name);
	buf = net_space(p->conn, need);
	return queue(node, p, buf != NULL ?
	    proto_hello_encode(buf, need, &h) : -1);
}

/* Queue COMMAND id text for p; past its output bound p is dropped. */
static int
queue_command(struct kaipeer_node *node, struct peer *p, uint32_t id,
    const char *text, size_t len)
{
	size_t need = PROTO_HEADER + 4 + len;
	unsigned char *buf = net_space(p->conn, need);

	if (queue(node, p, buf != NULL ?
	    proto_command_encode(buf, need, id, text, len) : -1) == -1) {
		overflow(node, p);
		return -1;
	}
	return 0;
}

/* Send command text to p, remembering it under a new request id. */
static int
send_command(struct kaipeer_node *node, struct peer *p, const char *text,
    size_t len)
{
	struct pending *pd;
	size_t most = (size_t)node->cfg.max_frame - 1 - 4;	/* type, id */
	uint32_t id;

	if (len > most) {
		printf("Command too long for %s (%lu bytes, at most %lu)\n",
		    peer_label(p), (unsigned long)len, (unsigned long)most);
		return -1;
	}
	if (p->npend == p->pcap) {
		pd = realloc(p->pend, (size_t)(p->pcap * 2 + 4) * sizeof(*pd));
		if (pd == NULL)
			return -1;
		memset(pd + p->pcap, 0, (size_t)(p->pcap + 4) * sizeof(*pd));
		p->pend = pd;
		p->pcap = p->pcap * 2 + 4;
	}
	pd = &p->pend[p->npend];
	if (pd->cap < len + 1) {
		free(pd->text);
		pd->cap = len + 1 > 64 ? len + 1 : 64;
		if ((pd->text = malloc(pd->cap)) == NULL) {
			pd->cap = 0;
			return -1;
		}
	}
	memcpy(pd->text, text, len);
	pd->text[len] = '\0';
	id = p->next_id++;
	if (p->next_id == 0)
		p->next_id = 1;
	pd->id = id;
	pd->deadline = net_now_ms() + node->cfg.command_timeout_ms;
	arm(node, pd->deadline);
	p->npend++;
	if (queue_command(node, p, id, text, len) == -1)
		return -1;
	if (!node->quiet) {
		printf("Sent command '");
		put_safe(text, len);
		printf("' to %s\n", peer_label(p));
	}
	return 0;
}

/* Print the result line of pending command i of p and forget it. */
static void
finish_pending(struct kaipeer_node *node, struct peer *p, int i, int ok,
    const char *text, size_t len)
{
	struct pending *pd = &p->pend[i];
	struct pending done = *pd;

	printf("Result from %s for command '", peer_label(p));
	put_safe(pd->text, strlen(pd->text));
	printf("': ");
	put_safe(text, len);
	putchar('\n');
	if (!ok)
		node->failed = 1;
	/* Keep the order (results usually arrive oldest first), and the
	 * finished slot's buffer for the next command. */
	memmove(pd, pd + 1, (size_t)(p->npend - i - 1) * sizeof(*pd));
	p->pend[--p->npend] = done;
}

/* --- running commands --------------------------------------------------- */

static struct processor *
find_processor(struct kaipeer_node *node, const char *name, size_t len)
{
	int i;

	for (i = 0; i < node->nprocs; i++)
		if (strlen(node->procs[i].name) == len &&
		    memcmp(node->procs[i].name, name, len) == 0)
			return &node->procs[i];
	return NULL;
}

/*
 * Run a command line here: expand aliases, then hand the rest of the line
 * to the processor its first word names.  Returns 1 on success, 0 on an
 * error result, -1 for an unknown command; node->result holds the text.
 */
static int
execute(struct kaipeer_node *node, const char *line, size_t len)
{
	const char *cmd, *args;
	struct processor *pr;
	size_t clen, wl, alen;

	char err[256];

	if (console_expand(node->aliases, node->cfg.naliases, line, len, &cmd,
	    &clen, err, sizeof(err)) == -1) {
		snprintf(node->result, node->result_size, "Error: %s", err);
		return 0;
	}
	for (wl = 0; wl < clen && cmd[wl] != ' ' && cmd[wl] != '\t'; wl++)
		;
	if ((pr = find_processor(node, cmd, wl)) == NULL) {
		snprintf(node->result, node->result_size, "Unknown command: %.*s",
		    (int)clen, cmd);
		return -1;
	}
	for (args = cmd + wl; args < cmd + clen && (*args == ' ' ||
	    *args == '\t'); args++)
		;
	alen = (size_t)(cmd + clen - args);
	if (alen >= node->result_size) {
		snprintf(node->result, node->result_size, "Error: command too "
		    "long");
		return 0;
	}
	memcpy(node->cmd, args, alen);
	node->cmd[alen] = '\0';
	return pr->fn(pr->ctx, node->cmd, node->result,
	    node->result_size) == 0 ? 1 : 0;
}

/* --- the console --------------------------------------------------------- */

static void
print_help(struct kaipeer_node *node)
{
	int i;

	printf("Available commands:\n"
	    "  help                   - Show this help\n"
	    "  connect <host> <port>  - Connect to another peer\n"
	    "  peers                  - List peers and their indexes\n"
	    "  @<peer> <command>      - Run a command on a peer "
	    "(index, name or ip:port)\n"
	    "  calc <expression>      - Evaluate an arithmetic expression\n"
	    "  system status          - Show this node's status\n");
	for (i = 0; i < node->nprocs; i++)
		if (strcmp(node->procs[i].name, "calc") != 0 &&
		    strcmp(node->procs[i].name, "system") != 0)
			printf("  %-22s - A registered command\n",
			    node->procs[i].name);
	printf("  exit, quit             - Exit the program\n");
	printf("Predefined commands:\n");
	for (i = 0; i < node->cfg.naliases; i++)
		printf("  %s - %s\n", node->cfg.aliases[i].name,
		    node->cfg.aliases[i].expansion);
}

static void
print_entry(const struct peer *p)
{
	printf("  %d: %s", p->index, peer_label(p));
	if (p->name[0] != '\0')
		printf(" (%s)", p->name);
	if (p->state == PEER_CONNECTING)
		printf(" [connecting]");
	else if (p->retry_at != 0)
		printf(" [retrying in %lld s]",
		    (p->retry_at - net_now_ms() + 999) / 1000);
	else if (p->state == PEER_DOWN)
		printf(" [disconnected]");
	else if (p->state == PEER_FAILED)
		printf(" [failed: %s]", p->why);
	putchar('\n');
}

static void
print_peers(struct kaipeer_node *node)
{
	int i, up = 0, other = 0;

	for (i = 0; i < node->ntable; i++) {
		if (node->table[i] == NULL)
			continue;
		if (node->table[i]->state == PEER_UP)
			up++;
		else
			other++;
	}
	fputs(up == 0 ? "No peers connected.\n" : "Connected peers:\n", stdout);
	for (i = 0; i < node->ntable; i++)
		if (node->table[i] != NULL && node->table[i]->state == PEER_UP)
			print_entry(node->table[i]);
	if (other > 0)
		printf("Other peers:\n");
	for (i = 0; i < node->ntable; i++)
		if (node->table[i] != NULL && node->table[i]->state != PEER_UP)
			print_entry(node->table[i]);
}

/*
 * Dialling p failed.  The first failure is printed; the retries that
 * follow are silent until one succeeds ("peers" shows their state).
 */
static void
connect_failed(struct kaipeer_node *node, struct peer *p, const char *why)
{
	if (!p->reported)
		fprintf(stderr, "Failed to connect to %s: %s\n", p->dial, why);
	p->reported = 1;
	drop_peer(node, p, 0, why);
}

/* Start dialling p (p->host, p->port); reports failure itself. */
static void
dial(struct kaipeer_node *node, struct peer *p)
{
	char err[256];

	p->state = PEER_CONNECTING;
	p->hello = 0;
	p->retry_at = 0;
	p->deadline = net_now_ms() + node->cfg.connect_timeout_ms;
	arm(node, p->deadline);
	if ((p->conn = net_connect(&node->net, p->host, p->port, err,
	    sizeof(err))) == NULL) {
		connect_failed(node, p, err);
		return;
	}
	p->conn->user = p;
	/* Queued now, it goes out first, before any command typed meanwhile. */
	if (send_hello(node, p) == -1)
		overflow(node, p);
}

/* A table entry that dials host:port, new or (if it exists) the old one. */
static struct peer *
dial_entry(struct kaipeer_node *node, const char *host, size_t hlen, int port)
{
	struct peer *p;
	char name[256], buf[NET_ADDRLEN + 256];
	int i;

	if (hlen >= sizeof(name))
		return NULL;
	memcpy(name, host, hlen);
	name[hlen] = '\0';
	net_format(buf, sizeof(buf), name, port);	/* [::1]:14595 */
	for (i = 0; i < node->ntable; i++) {
		p = node->table[i];
		if (p != NULL && ((p->dial != NULL && strcmp(p->dial, buf) == 0)
		    || strcmp(p->addr, buf) == 0))
			return p;
	}
	if ((p = new_peer()) == NULL || (p->dial = strdup(buf)) == NULL ||
	    (p->host = malloc(hlen + 1)) == NULL || table_add(node, p) == -1) {
		if (p != NULL)
			free_peer(p);
		return NULL;
	}
	memcpy(p->host, host, hlen);
	p->host[hlen] = '\0';
	p->port = port;
	return p;
}

static void
console_connect(struct kaipeer_node *node, const char *host, size_t hlen,
    int port)
{
	struct peer *p;

	if ((p = dial_entry(node, host, hlen, port)) == NULL) {
		printf("Cannot add another peer\n");
		node->failed = 1;
		return;
	}
	if (p->state == PEER_UP || (p->state == PEER_CONNECTING &&
	    p->conn != NULL)) {
		say(node, "Already connected to peer: %s\n", peer_label(p));
		return;
	}
	if (p->dial == NULL) {
		/* A peer that dialled us and left: dial its listen address. */
		p->dial = strdup(p->addr);
		p->host = malloc(hlen + 1);
		if (p->dial == NULL || p->host == NULL)
			return;
		memcpy(p->host, host, hlen);
		p->host[hlen] = '\0';
		p->port = port;
	}
	say(node, "Connecting to peer at %s\n", p->dial);
	dial(node, p);
}

static void
console_remote(struct kaipeer_node *node, const struct console_cmd *cmd)
{
	struct peer *p;
	int i;

	for (i = 0; i < node->ntable; i++) {
		p = node->table[i];
		node->views[i].addr = p != NULL ? peer_label(p) : NULL;
		node->views[i].name = p != NULL && p->name[0] ? p->name : NULL;
		node->views[i].dial = p != NULL ? p->dial : NULL;
	}
	i = console_match_peer(cmd->peer, cmd->peer_len, node->views,
	    node->ntable);
	if (i < 0) {
		printf("No peer found matching '");
		put_safe(cmd->peer, cmd->peer_len);
		printf("'\n");
		node->failed = 1;
		return;
	}
	p = node->table[i];
	/* A peer still connecting gets the command after its HELLO. */
	if (p->conn == NULL) {
		printf("Peer %d (%s) is not connected\n", i, peer_label(p));
		node->failed = 1;
		return;
	}
	if (send_command(node, p, cmd->text, cmd->text_len) == -1)
		node->failed = 1;
}

/* Run one console line, from stdin or -c. */
static void
run_line(struct kaipeer_node *node, const char *line, size_t len)
{
	struct console_cmd cmd;
	int rc;

	console_parse(line, len, &cmd);
	switch (cmd.kind) {
	case CONSOLE_EMPTY:
		break;
	case CONSOLE_HELP:
		print_help(node);
		break;
	case CONSOLE_PEERS:
		print_peers(node);
		break;
	case CONSOLE_EXIT:
		node->closing = 1;
		net_stop_input(&node->net);
		break;
	case CONSOLE_CONNECT:
		console_connect(node, cmd.text, cmd.text_len, cmd.port);
		break;
	case CONSOLE_REMOTE:
		console_remote(node, &cmd);
		break;
	case CONSOLE_USAGE:
		printf("%s\n", cmd.usage);
		node->failed = 1;
		break;
	case CONSOLE_LOCAL:
		rc = execute(node, cmd.text, cmd.text_len);
		/* The line may hold anything stdin brought: print it safely. */
		if (rc >= 0)
			printf("Result: ");
		put_safe(node->result, strlen(node->result));
		putchar('\n');
		if (rc <= 0)
			node->failed = 1;
		break;
	}
}

/* --- peers coming and going --------------------------------------------- */

/*
 * Dial p again later: exponential backoff from RETRY_FIRST_MS, capped at
 * reconnectMax, with +-25% jitter so that peers cut off together do not
 * all call back in the same instant.
 */
static void
schedule_retry(struct kaipeer_node *node, struct peer *p)
{
	unsigned char r[2];
	long wait;

	p->backoff_ms = p->backoff_ms == 0 ? RETRY_FIRST_MS :
	    p->backoff_ms > node->cfg.reconnect_max_ms / 2 ?
	    node->cfg.reconnect_max_ms : p->backoff_ms * 2;
	net_random(r, sizeof(r));
	wait = p->backoff_ms * 3 / 4 +
	    (long)((r[0] << 8 | r[1]) * (p->backoff_ms / 2) / 65536);
	p->retry_at = net_now_ms() + (wait > 0 ? wait : 1);
	arm(node, p->retry_at);
}

/*
 * Forget p's connection, writing out what is queued for it first when
 * flush.  Each command still in flight gets its result line (why says
 * what happened).  A dialled peer is dialled again later; an inbound peer
 * we cannot dial back is retired from the table.
 */
static void
drop_peer(struct kaipeer_node *node, struct peer *p, int flush,
    const char *why)
{
	char msg[160];

	if (p->conn != NULL)
		net_close(&node->net, p->conn, flush);
	p->conn = NULL;
	snprintf(msg, sizeof(msg), "Error: %s", why);
	while (p->npend > 0)
		finish_pending(node, p, 0, 0, msg, strlen(msg));
	if (p->index < 0) {
		free_peer(p);
		return;
	}
	p->state = p->hello ? PEER_DOWN : PEER_FAILED;
	if (p->state == PEER_FAILED)
		snprintf(p->why, sizeof(p->why), "%s", why);
	p->hello = 0;
	p->frame_start = 0;
	if (p->dial != NULL && !p->no_retry && !node->oneshot &&
	    !node->closing)
		schedule_retry(node, p);
	if (p->dial == NULL && p->ephemeral) {
		node->table[p->index] = NULL;
		free_peer(p);
	}
}

/* The other end went away: say so, then drop. */
static void
peer_gone(struct kaipeer_node *node, struct peer *p, int clean)
{
	if (p->hello)
		say(node, clean ? "Peer disconnected: %s\n" :
		    "Connection lost to peer: %s\n", p->addr);
	drop_peer(node, p, 0, clean ? "peer disconnected" :
	    "connection lost");
}

/* Refuse p's connection with an ERROR frame and a message. */
static void
refuse(struct kaipeer_node *node, struct peer *p, unsigned code,
    const char *why)
{
	(void)send_error(node, p, code, why);
	drop_peer(node, p, 1, why);
}

static void
on_accepted(void *ctx, struct net_conn *c)
{
	struct kaipeer_node *node = ctx;
	struct peer *p;

	if ((p = new_peer()) == NULL) {
		net_close(&node->net, c, 0);
		return;
	}
	p->conn = c;
	c->user = p;
	p->state = PEER_CONNECTING;
	p->deadline = net_now_ms() + node->cfg.connect_timeout_ms;
	arm(node, p->deadline);
	net_format(p->addr, sizeof(p->addr), c->ip, c->port);
	if (count_connections(node) > node->cfg.max_peers) {
		fprintf(stderr, "Refused connection from %s: too many peers "
		    "(maxPeers %d)\n", p->addr, node->cfg.max_peers);
		refuse(node, p, PROTO_CODE_REFUSED, "too many peers");
		return;
	}
	if (send_hello(node, p) == -1)
		overflow(node, p);
}

static void
on_connected(void *ctx, struct net_conn *c, int err)
{
	struct kaipeer_node *node = ctx;
	struct peer *p = c->user;

	if (err != 0) {
		p->conn = NULL;
		connect_failed(node, p, strerror(err));
	}
}

/* The entry an inbound peer at addr had before, if any. */
static struct peer *
former_entry(struct kaipeer_node *node, const char *addr)
{
	struct peer *q;
	int i;

	for (i = 0; i < node->ntable; i++) {
		q = node->table[i];
		if (q != NULL && q->conn == NULL && strcmp(q->addr, addr) == 0)
			return q;
	}
	return NULL;
}

/* The initiator's TCP port of c: both ends of c know it. */
static int
initiator_port(const struct net_conn *c)
{
	return c->outbound ? c->local_port : c->port;
}

/*
 * Of two connections to the same node, keep the one the other side keeps
 * too (docs/PROTOCOL.md, 7.3): the one initiated by the smaller node id,
 * or, with one initiator, the one from its lower source port.
 */
static int
keep_new(struct kaipeer_node *node, const struct peer *old,
    const struct peer *new)
{
	const unsigned char *a, *b;
	int cmp;

	a = old->conn->outbound ? node->id : old->id;
	b = new->conn->outbound ? node->id : new->id;
	if ((cmp = memcmp(b, a, PROTO_NODE_ID)) != 0)
		return cmp < 0;
	return initiator_port(new->conn) < initiator_port(old->conn);
}

/* The entry still dialling addr (its handshake not done), if any. */
static struct peer *
dialling_entry(struct kaipeer_node *node, const char *addr)
{
	struct peer *q;
	int i;

	for (i = 0; i < node->ntable; i++) {
		q = node->table[i];
		if (q != NULL && q->dial != NULL && q->conn != NULL &&
		    !q->hello && (strcmp(q->dial, addr) == 0 ||
		    strcmp(q->addr, addr) == 0))
			return q;
	}
	return NULL;
}

/*
 * Peer p dialled us while we dial it in entry d: two connections between
 * the same two nodes.  Keep the one initiated by the smaller node id, as
 * the other side will, and keep it in d.  Returns d when the inbound
 * connection wins, NULL when it was refused.
 */
static struct peer *
crossed_dial(struct kaipeer_node *node, struct peer *p, struct peer *d,
    const struct proto_hello *h)
{
	if (memcmp(node->id, h->id, PROTO_NODE_ID) < 0) {
		refuse(node, p, PROTO_CODE_REFUSED, "duplicate connection");
		return NULL;
	}
	(void)send_error(node, d, PROTO_CODE_REFUSED, "duplicate connection");
	net_close(&node->net, d->conn, 1);
	d->conn = NULL;
	return d;
}

/* Send p's commands in flight again, on its new connection. */
static void
resend_pending(struct kaipeer_node *node, struct peer *p)
{
	int i;

	for (i = 0; i < p->npend; i++)
		if (queue_command(node, p, p->pend[i].id, p->pend[i].text,
		    strlen(p->pend[i].text)) == -1)
			return;		/* dropped: its commands are answered */
}

static void
on_hello(struct kaipeer_node *node, struct peer *p, const struct proto_hello *h)
{
	struct net_conn *c = p->conn;
	struct peer *q, *old = NULL;
	char addr[NET_ADDRLEN];
	int i, resend = 0;

	if (memcmp(h->id, node->id, PROTO_NODE_ID) == 0) {
		p->no_retry = 1;
		if (c->outbound)
			fprintf(stderr, "Refusing to connect to %s: "
			    "it is this node\n", p->dial);
		refuse(node, p, PROTO_CODE_REFUSED, "connection to self");
		return;
	}
	for (i = 0; i < node->ntable; i++) {
		q = node->table[i];
		if (q != NULL && q != p && q->state == PEER_UP &&
		    memcmp(q->id, h->id, PROTO_NODE_ID) == 0)
			old = q;
	}
	memcpy(p->id, h->id, PROTO_NODE_ID);
	if (old != NULL) {
		if (!keep_new(node, old, p)) {
			p->no_retry = 1;
			say(node, "Already connected to peer: %s\n", old->addr);
			refuse(node, p, PROTO_CODE_REFUSED,
			    "duplicate connection");
			return;
		}
		/* The other side keeps this one: retire the old link. */
		old->no_retry = 1;
		(void)send_error(node, old, PROTO_CODE_REFUSED,
		    "duplicate connection");
		drop_peer(node, old, 1, "duplicate connection");
	}
	net_format(addr, sizeof(addr), c->ip,
	    c->outbound || h->port == 0 ? c->port : (int)h->port);
	if (p->index < 0) {
		/*
		 * Inbound: take over the entry it had before, or the one
		 * that is dialling it right now, or a new one.
		 */
		q = former_entry(node, addr);
		if (q == NULL && (q = dialling_entry(node, addr)) != NULL) {
			if ((q = crossed_dial(node, p, q, h)) == NULL)
				return;
			resend = 1;
		}
		if (q != NULL) {
			q->conn = c;
			c->user = q;
			q->no_retry = 0;
			p->conn = NULL;
			free_peer(p);
			p = q;
		} else if (table_add(node, p) == -1) {
			refuse(node, p, PROTO_CODE_REFUSED, "peer table full");
			return;
		}
	}
	memcpy(p->id, h->id, PROTO_NODE_ID);
	snprintf(p->name, sizeof(p->name), "%s", h->name);
	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	p->ephemeral = !c->outbound && h->port == 0;
	p->hello = 1;
	p->reported = 0;
	p->backoff_ms = 0;
	p->retry_at = 0;
	p->last_rx = p->last_ping = net_now_ms();
	arm(node, p->last_rx + node->cfg.heartbeat_interval_ms);
	p->state = PEER_UP;
	if (c->outbound)
		say(node, "Connected to peer: %s\n", p->addr);
	else
		say(node, "Peer connected from %s\n", p->addr);
	if (resend)
		resend_pending(node, p);
}

static void
on_command(struct kaipeer_node *node, struct peer *p,
    const struct proto_text *t)
{
	unsigned char *buf;
	size_t len, need;
	int rc;

	if (!node->quiet) {
		printf("Command from %s: ", p->addr);
		put_safe(t->text, t->len);
		putchar('\n');
	}
	rc = execute(node, t->text, t->len);
	node->served++;
	len = strlen(node->result);
	need = PROTO_HEADER + 5 + len;
	if (!node->quiet) {
		printf("Sent result: ");
		put_safe(node->result, len);
		putchar('\n');
	}
	buf = net_space(p->conn, need);
	if (queue(node, p, buf != NULL ? proto_result_encode(buf, need, t->id,
	    rc > 0 ? PROTO_STATUS_OK : PROTO_STATUS_ERROR, node->result,
	    len) : -1) == -1)
		overflow(node, p);
}

static void
on_result(struct kaipeer_node *node, struct peer *p,
    const struct proto_text *t)
{
	char msg[96];
	int i;

	for (i = 0; i < p->npend; i++) {
		if (p->pend[i].id == t->id) {
			finish_pending(node, p, i, t->code == PROTO_STATUS_OK,
			    t->text, t->len);
			return;
		}
	}
	fprintf(stderr, "Ignored result from %s for unknown request %lu\n",
	    p->addr, (unsigned long)t->id);
	snprintf(msg, sizeof(msg), "no request with id %lu",
	    (unsigned long)t->id);
	if (send_error(node, p, PROTO_CODE_UNKNOWN_ID, msg) == -1)
		overflow(node, p);
}

/* A protocol error: tell the peer why, and drop it. */
static void
violation(struct kaipeer_node *node, struct peer *p, unsigned code,
    const char *what)
{
	fprintf(stderr, "Protocol error from %s: %s\n", peer_label(p), what);
	if (p->hello)
		say(node, "Connection lost to peer: %s\n", p->addr);
	refuse(node, p, code, what);
}

static void
handle_frame(struct kaipeer_node *node, struct peer *p,
    const struct proto_frame *f)
{
	struct proto_hello h;
	struct proto_text t;
	uint64_t token;
	char msg[160];
	unsigned char *buf;
	int rc = 0;

	if (!p->hello && f->type != PROTO_HELLO && f->type != PROTO_ERROR) {
		violation(node, p, PROTO_CODE_HANDSHAKE, "expected HELLO");
		return;
	}
	switch (f->type) {
	case PROTO_HELLO:
		if (p->hello) {
			violation(node, p, PROTO_CODE_MALFORMED,
			    "second HELLO");
			return;
		}
		if ((rc = proto_hello_decode(f, &h)) == PROTO_EVERSION) {
			snprintf(msg, sizeof(msg), "unsupported protocol "
			    "version %u (this peer speaks %d)", h.version,
			    PROTO_VERSION);
			violation(node, p, PROTO_CODE_VERSION, msg);
			return;
		}
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "bad HELLO: %s",
			    proto_strerror(rc));
			violation(node, p, PROTO_CODE_HANDSHAKE, msg);
			return;
		}
		on_hello(node, p, &h);
		return;
	case PROTO_COMMAND:
		if ((rc = proto_command_decode(f, &t)) == 0)
			on_command(node, p, &t);
		break;
	case PROTO_RESULT:
		if ((rc = proto_result_decode(f, &t)) == 0)
			on_result(node, p, &t);
		break;
	case PROTO_ERROR:
		if ((rc = proto_error_decode(f, &t)) != 0)
			break;
		fprintf(stderr, "Error from %s: %.*s (code %u)\n",
		    peer_label(p), (int)t.len, t.text, t.code);
		if (t.code >= PROTO_CODE_MALFORMED &&
		    t.code <= PROTO_CODE_REFUSED) {
			snprintf(msg, sizeof(msg), "refused by peer: %.*s",
			    (int)t.len, t.text);
			if (p->hello)
				say(node, "Connection lost to peer: %s\n",
				    p->addr);
			if (t.code == PROTO_CODE_REFUSED)
				p->no_retry = 1;	/* it is us, or a twin */
			/* A crossed dial: the other link carries on. */
			if (t.len == 20 && memcmp(t.text,
			    "duplicate connection", 20) == 0)
				p->reported = 1;
			if (!p->hello && p->dial != NULL)
				connect_failed(node, p, msg);
			else
				drop_peer(node, p, 0, msg);
		}
		return;
	case PROTO_BYE:
		peer_gone(node, p, 1);
		return;
	case PROTO_PING:
		if ((rc = proto_ping_decode(f, &token)) == 0) {
			buf = net_space(p->conn, PROTO_HEADER + 8);
			if (queue(node, p, buf != NULL ? proto_ping_encode(buf,
			    PROTO_HEADER + 8, PROTO_PONG, token) : -1) == -1)
				overflow(node, p);
		}
		break;
	case PROTO_PONG:
		rc = proto_ping_decode(f, &token);
		break;
	default:
		snprintf(msg, sizeof(msg), "unknown frame type %d", f->type);
		fprintf(stderr, "Ignored %s from %s\n", msg, p->addr);
		if (send_error(node, p, PROTO_CODE_UNKNOWN_TYPE, msg) == -1)
			overflow(node, p);
		return;
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "malformed %s frame: %s",
		    proto_type_name(f->type), proto_strerror(rc));
		violation(node, p, PROTO_CODE_MALFORMED, msg);
	}
}

static void
on_readable(void *ctx, struct net_conn *c)
{
	struct kaipeer_node *node = ctx;
	struct proto_frame f;
	struct peer *p, *p0 = c->user;
	size_t off = 0, max;
	long long now = net_now_ms();
	long n;
	char msg[128];

	if (p0 != NULL)
		p0->last_rx = now;
	while ((p = c->user) != NULL && c->state == NET_OPEN) {
		max = p->hello ? (size_t)node->cfg.max_frame : PROTO_MAX_HELLO;
		n = proto_frame_next(c->in + off, c->in_len - off, max, &f);
		if (n == PROTO_PARTIAL)
			break;
		if (n < 0) {
			snprintf(msg, sizeof(msg), "%s (at most %lu bytes)",
			    proto_strerror((int)n), (unsigned long)max);
			if (!p->hello)
				snprintf(msg, sizeof(msg), "not a kaipeer "
				    "peer (bad handshake)");
			violation(node, p, n == PROTO_ETOOBIG && p->hello ?
			    PROTO_CODE_TOO_BIG : p->hello ?
			    PROTO_CODE_MALFORMED : PROTO_CODE_HANDSHAKE, msg);
			break;
		}
		trace(node, peer_label(p), 0, c->in + off, (size_t)n);
		off += (size_t)n;
		handle_frame(node, p, &f);
	}
	net_consume(c, off);
	/* The time a frame may take to arrive runs from its first byte. */
	if ((p = c->user) != NULL && (off > 0 || c->in_len == 0))
		p->frame_start = 0;
	if (p != NULL && c->in_len > 0 && p->frame_start == 0) {
		p->frame_start = now;
		arm(node, now + node->cfg.frame_timeout_ms);
	}
}

static void
on_closed(void *ctx, struct net_conn *c, int err)
{
	struct kaipeer_node *node = ctx;
	struct peer *p = c->user;

	(void)err;
	p->conn = NULL;
	if (!p->hello && p->dial != NULL)
		connect_failed(node, p, "connection closed during handshake");
	else
		peer_gone(node, p, 0);
}

static void
on_line(void *ctx, const char *line, size_t len)
{
	struct kaipeer_node *node = ctx;

	run_line(node, line, len);
	if (node->running)
		show_prompt(node);
}

static void
on_long_line(void *ctx)
{
	(void)ctx;
	fprintf(stderr, "Input line longer than %d bytes ignored\n",
	    NET_LINE_MAX);
}

static void
on_eof(void *ctx)
{
	struct kaipeer_node *node = ctx;

	/* A non-interactive node is a server: it goes on serving. */
	if (node->cfg.interactive)
		node->closing = 1;
}

static void
on_signal(void *ctx, int signo)
{
	struct kaipeer_node *node = ctx;

	(void)signo;
	node->running = 0;
}

static const struct net_handlers handlers = {
	on_accepted, on_connected, on_readable, on_closed, on_line,
	on_long_line, on_eof, on_signal
};

/* --- timers ------------------------------------------------------------- */

/* Send p a PING; the token is only echoed, so the time will do. */
static void
ping(struct kaipeer_node *node, struct peer *p, long long now)
{
	unsigned char *buf = net_space(p->conn, PROTO_HEADER + 8);

	p->last_ping = now;
	if (queue(node, p, buf != NULL ? proto_ping_encode(buf,
	    PROTO_HEADER + 8, PROTO_PING, (uint64_t)now) : -1) == -1)
		overflow(node, p);
}

/*
 * The deadlines of one connection: its handshake, the frame it is
 * receiving, and its heartbeat.  Returns the next one, or 0 if c is gone.
 */
static long long
check_conn(struct kaipeer_node *node, struct net_conn *c, long long now)
{
	struct peer *p = c->user;
	const struct config *cfg = &node->cfg;
	long long t;
	char msg[96];

	if (!p->hello) {
		if (now < p->deadline)
			return p->deadline;
		if (p->dial != NULL)
			connect_failed(node, p, "timed out");
		else {
			fprintf(stderr, "No handshake from %s:%d in time, "
			    "dropped\n", c->ip, c->port);
			drop_peer(node, p, 0, "timed out");
		}
		return 0;
	}
	if (p->frame_start != 0 && now >= p->frame_start +
	    cfg->frame_timeout_ms) {
		/* A dribbled frame: its bytes do not buy it more time. */
		snprintf(msg, sizeof(msg), "frame incomplete after %ld ms",
		    cfg->frame_timeout_ms);
		violation(node, p, PROTO_CODE_MALFORMED, msg);
		return 0;
	}
	if (now >= p->last_rx + cfg->heartbeat_timeout_ms) {
		fprintf(stderr, "No heartbeat from %s for %ld ms\n", p->addr,
		    cfg->heartbeat_timeout_ms);
		peer_gone(node, p, 0);
		return 0;
	}
	if (now >= p->last_rx + cfg->heartbeat_interval_ms &&
	    now >= p->last_ping + cfg->heartbeat_interval_ms) {
		ping(node, p, now);
		if (c->user == NULL)
			return 0;
	}
	t = p->last_rx + cfg->heartbeat_timeout_ms;
	if (p->last_rx + cfg->heartbeat_interval_ms > now)
		t = p->last_rx + cfg->heartbeat_interval_ms;
	else if (p->last_ping + cfg->heartbeat_interval_ms < t)
		t = p->last_ping + cfg->heartbeat_interval_ms;
	if (p->frame_start != 0 && p->frame_start + cfg->frame_timeout_ms < t)
		t = p->frame_start + cfg->frame_timeout_ms;
	return t;
}

/*
 * Expire what is overdue: connects, handshakes, frames, heartbeats,
 * commands, and redials that are due.  Between deadlines it does nothing:
 * node->next_check is never later than the earliest of them.
 */
static void
expire(struct kaipeer_node *node)
{
	long long now = net_now_ms(), next = now + 60000, t;
	struct peer *p;
	char msg[64];
	int i, j;

	if (now < node->next_check)
		return;
	node->next_check = next;
	for (i = 0; i < node->net.nconns; i++) {
		if (node->net.conns[i]->user == NULL)
			continue;
		t = check_conn(node, node->net.conns[i], now);
		if (t != 0 && t < next)
			next = t;
	}
	snprintf(msg, sizeof(msg), "Error: timed out after %ld ms",
	    node->cfg.command_timeout_ms);
	for (i = 0; i < node->ntable; i++) {
		if ((p = node->table[i]) == NULL)
			continue;
		for (j = 0; j < p->npend; j++) {
			if (now >= p->pend[j].deadline)
				finish_pending(node, p, j--, 0, msg,
				    strlen(msg));
			else if (p->pend[j].deadline < next)
				next = p->pend[j].deadline;
		}
		if (p->conn == NULL && p->retry_at != 0) {
			if (now >= p->retry_at)
				dial(node, p);
			else if (p->retry_at < next)
				next = p->retry_at;
		}
	}
	arm(node, next);	/* keeps what dial() armed, if earlier */
}

/* How long poll() may sleep: until the next deadline, at most a minute. */
static int
wait_ms(const struct kaipeer_node *node)
{
	long long t = node->next_check - net_now_ms();

	return t < 0 ? 0 : t > 60000 ? 60000 : (int)t;
}

/* --- one-shot mode ------------------------------------------------------ */

static int
in_flight(const struct kaipeer_node *node)
{
	int i, n = 0;

	for (i = 0; i < node->ntable; i++)
		if (node->table[i] != NULL)
			n += node->table[i]->npend;
	return n;
}

static int
connecting(const struct kaipeer_node *node)
{
	int i;

	for (i = 0; i < node->ntable; i++)
		if (node->table[i] != NULL && node->table[i]->dial != NULL &&
		    node->table[i]->state == PEER_CONNECTING)
			return 1;
	return 0;
}

/* Drive -c: once no configured peer is still connecting, run the lines. */
static void
oneshot_step(struct kaipeer_node *node)
{
	int i;

	if (node->oneshot == 1 && !connecting(node)) {
		node->oneshot = 2;
		for (i = 0; i < node->nlines && !node->closing; i++)
			run_line(node, node->lines[i], strlen(node->lines[i]));
		node->closing = 1;
	}
}

/* --- start and stop ----------------------------------------------------- */

struct kaipeer_node *
kaipeer_new(void)
{
	struct kaipeer_node *node;

	if ((node = calloc(1, sizeof(*node))) == NULL)
		return NULL;
	config_defaults(&node->cfg);
	node->net.in_fd = -1;
	node->net.sig_fd[0] = node->net.sig_fd[1] = -1;
	if (kaipeer_register_command(node, "calc", cmd_calc, node) == -1 ||
	    kaipeer_register_command(node, "system", cmd_system, node) == -1) {
		kaipeer_free(node);
		return NULL;
	}
	return node;
}

int
kaipeer_register_command(struct kaipeer_node *node, const char *name,
    kaipeer_command_fn fn, void *ctx)
{
	struct processor *p;
	size_t len = strlen(name);

	if (len == 0 || strcspn(name, " \t\r\n") != len || fn == NULL ||
	    find_processor(node, name, len) != NULL)
		return -1;
	p = realloc(node->procs, (size_t)(node->nprocs + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	node->procs = p;
	p = &node->procs[node->nprocs];
	if ((p->name = strdup(name)) == NULL)
		return -1;
	p->fn = fn;
	p->ctx = ctx;
	node->nprocs++;
	return 0;
}

void
kaipeer_free(struct kaipeer_node *node)
{
	int i;

	if (node == NULL)
		return;
	for (i = 0; i < node->ntable; i++)
		if (node->table[i] != NULL)
			free_peer(node->table[i]);
	for (i = 0; i < node->nprocs; i++)
		free(node->procs[i].name);
	net_free(&node->net);
	config_free(&node->cfg);
	free(node->table);
	free(node->views);
	free(node->aliases);
	free(node->procs);
	free(node->cmd);
	free(node->result);
	free(node->lines);
	free(node);
}

static void
warn_config(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

#define USAGE "usage: %s [-hqvV] [-c line]... [config_file] [port]\n"

static int
usage(const char *prog)
{
	fprintf(stderr, USAGE, prog);
	return KAIPEER_EXIT_USAGE;
}

/*
 * Parse the command line, getopt style (-qv, -c line, -cline, --), into
 * node->lines, the flags, *config and *port.  Returns -1 to go on, or the
 * exit status to return at once.
 */
static int
parse_args(struct kaipeer_node *node, int argc, char **argv,
    const char **config, const char **port)
{
	const char *prog = argc > 0 ? argv[0] : "kaipeer", *a;
	int i, npos = 0, opts = 1;

	if ((node->lines = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return KAIPEER_EXIT_SOFTWARE;
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = 0;
			continue;
		}
		if (opts && strcmp(a, "--help") == 0)
			a = "-h";
		if (opts && strcmp(a, "--version") == 0)
			a = "-V";
		if (opts && a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
			return usage(prog);
		}
		if (!opts || a[0] != '-' || a[1] == '\0') {
			if (npos == 2) {
				fprintf(stderr, "%s: too many arguments\n",
				    prog);
				return usage(prog);
			}
			*(npos++ == 0 ? config : port) = a;
			continue;
		}
		for (a++; *a != '\0'; a++) {
			switch (*a) {
			case 'h':
				printf(USAGE, prog);
				return KAIPEER_EXIT_OK;
			case 'V':
				printf("kaipeer %s\n", KAIPEER_VERSION);
				return KAIPEER_EXIT_OK;
			case 'q':
				node->quiet = 1;
				continue;
			case 'v':
				node->verbose = 1;
				continue;
			case 'c':
				if (a[1] != '\0')
					node->lines[node->nlines++] = a + 1;
				else if (i + 1 < argc)
					node->lines[node->nlines++] = argv[++i];
				else {
					fprintf(stderr, "%s: -c needs a console "
					    "line\n", prog);
					return usage(prog);
				}
				break;
			default:
				fprintf(stderr, "%s: unknown option '-%c'\n",
				    prog, *a);
				return usage(prog);
			}
			break;	/* -c took the rest of the word */
		}
	}
	node->oneshot = node->nlines > 0;
	return -1;
}

/* Read the config and the port override.  -1 to go on, else exit status. */
static int
setup_config(struct kaipeer_node *node, const char *path, const char *port)
{
	char err[512];
	int i;

	if (path == NULL && access("peer_config.json", F_OK) == 0)
		path = "peer_config.json";
	if (path != NULL && config_load(&node->cfg, path, err, sizeof(err),
	    warn_config, NULL) == -1) {
		fprintf(stderr, "%s\n", err);
		return KAIPEER_EXIT_CONFIG;
	}
	if (port != NULL) {
		if ((i = console_port(port, strlen(port))) < 0) {
			fprintf(stderr, "kaipeer: invalid port '%s': must be an "
			    "integer from 1 to 65535\n", port);
			return KAIPEER_EXIT_USAGE;
		}
		node->cfg.listen_port = i;
	}
	node->aliases = calloc((size_t)node->cfg.naliases + 1,
	    sizeof(*node->aliases));
	/* A result must fit a RESULT frame: id, status and the text. */
	node->result_size = (size_t)node->cfg.max_frame - 16;
	node->result = malloc(node->result_size);
	node->cmd = malloc(node->result_size);
	if (node->aliases == NULL || node->result == NULL || node->cmd == NULL)
		return KAIPEER_EXIT_SOFTWARE;
	for (i = 0; i < node->cfg.naliases; i++) {
		node->aliases[i].name = node->cfg.aliases[i].name;
		node->aliases[i].expansion = node->cfg.aliases[i].expansion;
	}
	return -1;
}

/* Listen and dial as configured.  -1 to go on, else exit status. */
static int
start(struct kaipeer_node *node)
{
	struct config *cfg = &node->cfg;
	struct peer *p;
	size_t frame = (size_t)cfg->max_frame + 4;
	char err[256];
	int i, quiet = node->oneshot || node->quiet;

	if (net_init(&node->net, cfg->max_peers + 16, frame,
	    frame * 4 > MIN_OUT_MAX ? frame * 4 : MIN_OUT_MAX,
	    !node->oneshot) == -1) {
		fprintf(stderr, "kaipeer: %s\n", strerror(errno));
		return KAIPEER_EXIT_SOFTWARE;
	}
	net_random(node->id, sizeof(node->id));
	node->started = net_now_ms();
	if (!quiet)
		for (i = 0; i < cfg->naliases; i++)
			printf("Registering predefined command: %s = %s\n",
			    cfg->aliases[i].name, cfg->aliases[i].expansion);
	if (cfg->auto_listen && !node->oneshot) {
		say(node, "Starting to listen on port %d\n", cfg->listen_port);
		if (net_listen(&node->net, cfg->listen_port, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "Failed to listen on port %d: %s\n",
			    cfg->listen_port, err);
			return KAIPEER_EXIT_UNAVAILABLE;
		}
		say(node, "Listening for connections on port %d\n",
		    cfg->listen_port);
	}
	for (i = 0; i < cfg->npeers; i++) {
		p = dial_entry(node, cfg->peers[i].host,
		    strlen(cfg->peers[i].host), cfg->peers[i].port);
		if (p == NULL)
			return KAIPEER_EXIT_SOFTWARE;
		if (p->state != PEER_CONNECTING || p->conn != NULL)
			continue;	/* listed twice */
		if (!quiet)
			say(node, "Connecting to peer at %s\n", p->dial);
		dial(node, p);
	}
	if (cfg->interactive && !node->oneshot) {
		say(node, "P2P Network Console\n");
		say(node, "Type 'help' for available commands, 'exit' to "
		    "quit\n");
		node->prompt = isatty(STDIN_FILENO);
		show_prompt(node);
	}
	return -1;
}

/* Say goodbye to every peer, flush, close. */
static void
stop(struct kaipeer_node *node)
{
	struct peer *p;
	int i;

	for (i = 0; i < node->ntable; i++) {
		p = node->table[i];
		if (p != NULL && p->conn != NULL && p->hello)
			(void)send_text(node, p, PROTO_BYE, 0, "exit", 4);
	}
	for (i = 0; i < node->ntable; i++)
		if ((p = node->table[i]) != NULL && p->conn != NULL)
			drop_peer(node, p, 1, "exiting");
	for (i = 0; i < node->net.nconns; i++)
		if ((p = node->net.conns[i]->user) != NULL)
			drop_peer(node, p, 0, "exiting");	/* handshaking */
	net_drain(&node->net, DRAIN_MS);
}

int
kaipeer_main(struct kaipeer_node *node, int argc, char **argv)
{
	const char *config = NULL, *port = NULL;
	int rc;

	/* Line-buffered even into a pipe: scripts react to each line. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((rc = parse_args(node, argc, argv, &config, &port)) >= 0 ||
	    (rc = setup_config(node, config, port)) >= 0 ||
	    (rc = start(node)) >= 0)
		return rc;
	node->running = 1;
	while (node->running) {
		expire(node);
		if (node->oneshot)
			oneshot_step(node);
		/* exit, end of input, end of -c: first every result is in. */
		if (node->closing && in_flight(node) == 0)
			break;
		if (net_poll(&node->net, wait_ms(node), &handlers, node) == -1) {
			fprintf(stderr, "kaipeer: poll: %s\n", strerror(errno));
			node->status = KAIPEER_EXIT_SOFTWARE;
			break;
		}
	}
	stop(node);
	if (node->oneshot && node->failed && node->status == 0)
		node->status = KAIPEER_EXIT_FAILED;
	return node->status;
}
