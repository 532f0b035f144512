/*
 * node: the NetworkPeer.  It ties the layers together and is the library
 * of include/kaipeer.h (but for kaipeer_send(), a fanout, in fanout.c, the
 * call objects, in command.c, and the config in force, in nodecfg.c).
 *
 * Contract (include/node.h): the node owns one loop, one output, one net,
 * one peer table, the requests it sent and the commands it runs.  The
 * peer table reports what happens; the node turns that into the lines a
 * user sees (all of them here, so the wording lives in one place), runs
 * the commands peers send and sends back their results (with a program's
 * exit code) unless guard.c forbids them, passes on a peer's CANCEL to
 * the command it names, and ends the requests of peers that went away.  Nothing here blocks; a peer that
 * misbehaves costs only its own link.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "beacon.h"
#include "builtin.h"
#include "conftrust.h"
#include "ct.h"
#include "discover.h"
#include "exec.h"
#include "guard.h"
#include "keys.h"
#include "random.h"
#include "node.h"
#include "relay.h"
#include "seal.h"

#define HWM		(256 * 1024)	/* a link's output high-water mark */

/* --- lines -------------------------------------------------------------- */

void
node_say(struct kaipeer_node *n, const char *fmt, ...)
{
	va_list ap;

	if (n->quiet)
		return;
	va_start(ap, fmt);
	out_vline(n->out, OUT_STDOUT, fmt, ap);
	va_end(ap);
}

void
node_print(struct kaipeer_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vline(n->out, n->json ? OUT_STDERR : OUT_STDOUT, fmt, ap);
	va_end(ap);
}

void
node_err(struct kaipeer_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vline(n->out, OUT_STDERR, fmt, ap);
	va_end(ap);
}

/* -v: one line per frame in (<) or out (>), with a timestamp. */
static void
trace(void *ctx, const char *who, int out, const unsigned char *frame,
    size_t size)
{
	struct kaipeer_node *n = ctx;
	struct timespec ts;
	struct tm tm;
	time_t secs;

	clock_gettime(CLOCK_REALTIME, &ts);
	secs = ts.tv_sec;
	localtime_r(&secs, &tm);
	node_err(n, "%02d:%02d:%02d.%03ld %s %s %s, %lu bytes", tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, out ? ">" : "<", who,
	    proto_type_name(frame[4]), (unsigned long)size);
}

void
node_report(struct kaipeer_node *n)
{
	struct beacon_stats bs;
	char line[512];
	int given_up, cands;

	builtin_status(n, line, sizeof(line));
	node_err(n, "kaipeer: %s; %d command%s in flight, %d running, %d "
	    "program%s", line, reqs_inflight(n->reqs),
	    reqs_inflight(n->reqs) == 1 ? "" : "s", commands_running(n->cmds),
	    execs_running(n->execs), execs_running(n->execs) == 1 ? "" : "s");
	if (n->disc == NULL)
		return;
	cands = discover_count(n->disc, &given_up);
	node_err(n, "kaipeer: %d relay%s in progress; %d address%s learnt "
	    "(%d given up), %d being dialled", relays_running(n->relays),
	    relays_running(n->relays) == 1 ? "" : "s", cands, cands == 1 ? "" :
	    "es", given_up, peers_probing(n->peers));
	if (n->beacon == NULL)
		return;
	beacon_stats(n->beacon, &bs);
	node_err(n, "kaipeer: LAN beacon: %lu sent, %lu heard, %lu ignored, "
	    "%lu node%s found, on %d interface%s", bs.sent, bs.received,
	    bs.ignored, bs.reported, bs.reported == 1 ? "" : "s", bs.ifaces,
	    bs.ifaces == 1 ? "" : "s");
}

/* --- what the peer table tells -------------------------------------------- */

/*
 * "addr", or "addr (name)" for a peer with a name: made once and kept in
 * the entry (a command's line should not cost a printf), made again when
 * the address or the name changed.
 */
static const char *
named(struct peer *e, const char *who)
{
	size_t al, nl;

	if (e == NULL || e->name[0] == '\0' || strcmp(who, e->addr) != 0)
		return who;
	al = strlen(who);
	nl = strlen(e->name);
	if (e->label_len != al + nl + 3 || memcmp(e->label, who, al) != 0 ||
	    memcmp(e->label + al + 2, e->name, nl) != 0) {
		snprintf(e->label, sizeof(e->label), "%s (%s)", who, e->name);
		e->label_len = strlen(e->label);
	}
	return e->label;
}

static void
on_event(void *ctx, enum peer_event ev, struct peer *e, const char *who,
    const char *text, unsigned code)
{
	struct kaipeer_node *n = ctx;
	size_t tl = text != NULL ? strlen(text) : 0;
	char tail[32];

	who = named(e, who);
	switch (ev) {
	case PEV_UP_OUT:
		if (e->origin == PEER_DISCOVERED)
			node_say(n, "Connected to peer: %s (discovered %s%s)",
			    who, e->via[0] != '\0' ? "from " : "on the LAN",
			    e->via);
		else
			node_say(n, "Connected to peer: %s", who);
		discover_up(n->disc, e);
		break;
	case PEV_UP_IN:
		node_say(n, "Peer connected from %s", who);
		discover_up(n->disc, e);
		break;
	case PEV_BYE:
		node_say(n, "Peer disconnected: %s", who);
		break;
	case PEV_LOST:
		node_say(n, "Connection lost to peer: %s", who);
		break;
	case PEV_TIMEOUT:
		node_err(n, "No heartbeat from %s for %s ms", who, text);
		break;
	case PEV_STALLED:
		node_err(n, "Output queue full for peer %s, dropping it: it "
		    "read nothing for %ld ms", who,
		    n->env.heartbeat_timeout_ms);
		break;
	case PEV_VIOLATION:
		out_begin(n->out, OUT_STDERR);
		out_printf(n->out, "Protocol error from %s: ", who);
		out_safe(n->out, text, tl);
		out_end(n->out);
		break;
	case PEV_REFUSED_BY:
	case PEV_WARNING:
		snprintf(tail, sizeof(tail), " (code %u)", code);
		out_begin(n->out, OUT_STDERR);
		out_printf(n->out, "Error from %s: ", who);
		out_safe(n->out, text, tl);
		out_str(n->out, tail);
		out_end(n->out);
		break;
	case PEV_IGNORED:
		out_begin(n->out, OUT_STDERR);
		out_str(n->out, "Ignored ");
		out_safe(n->out, text, tl);
		out_printf(n->out, " from %s", who);
		out_end(n->out);
		break;
	case PEV_NOTE:
		out_begin(n->out, OUT_STDERR);
		out_printf(n->out, "Peer %s: ", who);
		out_safe(n->out, text, tl);
		out_end(n->out);
		break;
	case PEV_DIAL_FAILED:
		out_begin(n->out, OUT_STDERR);
		out_printf(n->out, "Failed to connect to %s: ", who);
		out_safe(n->out, text, tl);
		out_end(n->out);
		break;
	case PEV_SELF:
		node_err(n, "Refusing to connect to %s: it is this node", who);
		break;
	case PEV_REFUSED_IN:
		node_err(n, "Refused connection from %s: %s", who, text);
		break;
	case PEV_NO_HANDSHAKE:
		node_err(n, "No handshake from %s in time, dropped", who);
		break;
	case PEV_DENIED:
		node_err(n, "Refused peer %s: %s", who, text);
		break;
	}
}

/* The end of a command run for a peer. */
static void
call_done(void *ctx, const struct kaipeer_call *call, int peer, uint32_t id,
    int status, int exit_code, const char *text, size_t len)
{
	struct kaipeer_node *n = ctx;
	struct peer *e = peers_at(n->peers, peer);

	/* An index handed out again belongs to another node. */
	if (e == NULL || (call != NULL && memcmp(call->node_id, e->id,
	    PROTO_NODE_ID) != 0))
		return;
	if (!n->quiet)
		out_sent_result(n->out, text, len);
	if (e->link != NULL && session_send_result(e->link, id,
	    status == CALL_OK ? PROTO_STATUS_OK : PROTO_STATUS_ERROR, exit_code,
	    text, len) == -1 && e->link != NULL && e->link->state == SESS_S_UP)
		peers_kill(n->peers, e, SESS_STALLED, "output queue full");
}

static void
on_command(void *ctx, struct peer *e, uint32_t id, const char *text,
    size_t len)
{
	struct kaipeer_node *n = ctx;
	static const char limited[] = "Error: rate limited";
	const char *who;

	if (!n->quiet) {
		who = named(e, e->addr);
		out_line3(n->out, OUT_STDOUT, "Command from ", 13, who,
		    strlen(who), ": ", 2, text, len);
	}
	if (!guard_rate(&n->cfg, e, loop_now(n->loop))) {
		call_done(n, NULL, e->index, id, CALL_ERROR, -1, limited,
		    sizeof(limited) - 1);
		return;
	}
	commands_run(n->cmds, e->index, e->id, id, e->addr, e->name, text, len,
	    call_done, n);
	n->served++;
}

static void
on_result(void *ctx, struct peer *e, uint32_t id, int status, int exit_code,
    const char *text, size_t len)
{
	struct kaipeer_node *n = ctx;
	char msg[64];

	if (reqs_result(n->reqs, e, id, status, exit_code, text, len) >= 0)
		return;
	node_err(n, "Ignored result from %s for unknown request %lu", e->addr,
	    (unsigned long)id);
	snprintf(msg, sizeof(msg), "no request with id %lu",
	    (unsigned long)id);
	if (e->link != NULL)
		(void)session_send_warning(e->link, PROTO_CODE_UNKNOWN_ID, msg);
}

static void
on_cancel(void *ctx, struct peer *e, uint32_t id)
{
	struct kaipeer_node *n = ctx;

	if (relays_cancel(n->relays, e, id) == -1)
		(void)commands_cancel(n->cmds, e->index, id);
}

static void
on_ready(void *ctx, struct peer *e)
{
	struct kaipeer_node *n = ctx;

	reqs_pump(n->reqs, e);
}

static void
on_gone(void *ctx, struct peer *e, const char *why)
{
	struct kaipeer_node *n = ctx;
	char msg[200];

	snprintf(msg, sizeof(msg), "Error: %s", why);
	reqs_fail(n->reqs, e, e->state == PEER_DOWN ? REQ_LOST :
	    REQ_UNREACHABLE, msg);
	commands_peer_gone(n->cmds, e->index);
	relays_peer_gone(n->relays, e);
}

static void
on_retired(void *ctx, struct peer *e, unsigned gen)
{
	struct kaipeer_node *n = ctx;

	reqs_requeue(n->reqs, e, gen);
}

static void
on_merged(void *ctx, struct peer *from, struct peer *into)
{
	struct kaipeer_node *n = ctx;

	reqs_move(n->reqs, from, into);
	commands_peer_gone(n->cmds, from->index);
	relays_peer_gone(n->relays, from);
}

static int
on_authorize(void *ctx, struct peer *e, const unsigned char key[32],
    char *why, size_t whysize)
{
	struct kaipeer_node *n = ctx;

	return guard_authorize(&n->cfg, e, key, why, whysize);
}

/* May peer run cmd (commands.c asks, after the aliases)? */
static int
permit(void *ctx, int peer, const char *cmd, size_t len)
{
	struct kaipeer_node *n = ctx;
	struct peer *e = peers_at(n->peers, peer);
	char b64[KEYS_B64 + 1];

	if (e == NULL || guard_permit(&n->cfg, e, cmd, len))
		return 0;
	keys_format(b64, e->key);
	out_begin(n->out, OUT_STDERR);
	out_printf(n->out, "Denied to %s (key %s): ", e->addr, b64);
	out_safe(n->out, cmd, len);
	out_end(n->out);
	return -1;
}

/* RELAY and PART (relay.c), PEERS (discover.c). */
static int
on_frame(void *ctx, struct peer *e, const struct proto_frame *f)
{
	struct kaipeer_node *n = ctx;

	if (f->type == PROTO_PEERS)
		return discover_frame(n->disc, e, f);
	return relays_frame(n->relays, e, f);
}

static void
on_probed(void *ctx, const char *dial, int ok, const char *why)
{
	struct kaipeer_node *n = ctx;

	discover_probed(n->disc, dial, ok, why);
}

static void
on_forgot(void *ctx, const struct peer *e)
{
	struct kaipeer_node *n = ctx;

	discover_forgot(n->disc, e);
}

static const struct peers_ops peers_ops = {
	on_event, on_command, on_result, on_cancel, on_ready, on_gone,
	on_retired, on_merged, on_authorize, on_frame, on_probed, on_forgot
};

/* --- the library ---------------------------------------------------------- */

struct kaipeer_node *
kaipeer_new(void)
{
	struct kaipeer_node *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	config_defaults(&n->cfg);
	n->listen_port = -1;
	n->born = loop_clock_ms();
	node_set_env(n);
	if ((n->loop = loop_new()) == NULL ||
	    (n->out = output_new_log(NULL, NULL)) == NULL ||
	    (n->cmds = commands_new((size_t)n->cfg.max_frame - 16)) == NULL ||
	    node_set_aliases(n) == -1 ||
	    commands_register(n->cmds, "calc", builtin_calc, NULL, n) == -1 ||
	    commands_register(n->cmds, "system", builtin_system, NULL, n) ==
	    -1 ||
	    commands_register(n->cmds, "help", builtin_help, NULL, n) == -1 ||
	    (n->execs = execs_new(n)) == NULL ||
	    (n->guard = guard_new()) == NULL) {
		kaipeer_free(n);
		return NULL;
	}
	commands_set_permit(n->cmds, permit, n);
	return n;
}

int
kaipeer_register_command(struct kaipeer_node *n, const char *name,
    kaipeer_command_fn fn, void *ctx)
{
	return fn == NULL ? -1 : commands_register(n->cmds, name, fn, NULL,
	    ctx);
}

int
kaipeer_register_async(struct kaipeer_node *n, const char *name,
    kaipeer_async_fn fn, void *ctx)
{
	return fn == NULL ? -1 : commands_register(n->cmds, name, NULL, fn,
	    ctx);
}

void
kaipeer_set_log(struct kaipeer_node *n, kaipeer_log_fn fn, void *ctx)
{
	struct output *o;

	if ((o = output_new_log(fn, ctx)) == NULL)
		return;
	output_free(n->out, 0);
	n->out = o;
}

int
kaipeer_set_listen(struct kaipeer_node *n, int port)
{
	if (n->started || port < 0 || port > 65535)
		return -1;
	n->listen_port = port;
	return 0;
}

void
kaipeer_free(struct kaipeer_node *n)
{
	if (n == NULL)
		return;
	execs_free(n->execs);
	guard_free(n->guard);
	ct_wipe(&n->keys, sizeof(n->keys));
	beacon_free(n->beacon);
	relays_free(n->relays);
	discover_free(n->disc);
	reqs_free(n->reqs);
	peers_free(n->peers);
	commands_free(n->cmds);
	net_free(n->net);
	output_free(n->out, 0);
	loop_free(n->loop);
	config_free(&n->cfg);
	free(n->aliases);
	free(n->config_path);
	free(n);
}

static void
on_accept(void *ctx, struct conn *c)
{
	struct kaipeer_node *n = ctx;
	char msg[128];
	int first;

	if (n->env.keys != NULL && !guard_handshake(n->guard, c->ip,
	    loop_now(n->loop), &first)) {
		snprintf(msg, sizeof(msg), "too many handshakes from %s (at "
		    "most %d a second), try later", c->ip, GUARD_HS_PER_SEC);
		if (first)
			node_err(n, "Refused connection from %s: %s", c->ip,
			    msg);
		session_reject(&n->env, c, PROTO_CODE_REFUSED, msg);
		return;
	}
	peers_accept(n->peers, c);
}

/* Make the layers that need the config: net, peer table, requests. */
static int
make_layers(struct kaipeer_node *n)
{
	size_t frame = (size_t)n->cfg.max_frame, in;

	if (n->net != NULL)
		return 0;
	random_bytes(n->id, sizeof(n->id));
	memcpy(n->env.hello.id, n->id, sizeof(n->id));
	n->env.hello.version = PROTO_VERSION;
	n->env.hello.max_frame = (uint32_t)frame;
	n->env.hello.features = PROTO_FEATURES;
	n->env.max_frame = frame;
	n->env.hwm = HWM;
	n->env.loop = n->loop;
	n->env.trace = n->verbose ? trace : NULL;
	n->env.trace_ctx = n;
	/* A result must fit a RESULT frame: id, status and the text. */
	if (commands_resize(n->cmds, frame - 16) == -1)
		return -1;
	/* A frame, or a sealed record, whichever is longer. */
	in = frame + PROTO_HEADER > SEAL_HEADER + SEAL_MAX_MSG ?
	    frame + PROTO_HEADER : SEAL_HEADER + SEAL_MAX_MSG;
	if ((n->net = net_new(n->loop, in,
	    HWM + frame + 65536, on_accept, n)) == NULL)
		return -1;
	n->env.net = n->net;
	if ((n->peers = peers_new(&n->env, n->cfg.max_peers,
	    n->cfg.reconnect_max_ms, &peers_ops, n)) == NULL ||
	    (n->reqs = reqs_new(n->loop, n->peers)) == NULL ||
	    (n->relays = relays_new(n)) == NULL ||
	    (n->disc = discover_new(n)) == NULL)
		return -1;
	random_bytes((unsigned char *)&n->qids, sizeof(n->qids));
	if (n->oneshot)
		peers_no_redial(n->peers);
	return 0;
}

static void
on_beacon(void *ctx, const char *ip, int port, const unsigned char *id,
    int secured)
{
	struct kaipeer_node *n = ctx;

	discover_lan(n->disc, ip, port, id, secured);
}

/* "lanDiscovery": the beacon, on the port we listen on. */
static void
start_beacon(struct kaipeer_node *n, int port)
{
	struct beacon_conf bc;
	const char *host;
	char err[256];

	memset(&bc, 0, sizeof(bc));
	memcpy(bc.id, n->id, sizeof(bc.id));
	bc.listen_port = port;
	bc.secured = n->env.keys != NULL;
	bc.cluster = n->cfg.cluster != NULL ? n->cfg.cluster :
	    CONFIG_DEFAULT_CLUSTER;
	bc.udp_port = n->cfg.lan_port;
	host = node_listen_host(n);
	bc.loopback = host != NULL && (host[0] == '\0' ||
	    conftrust_loopback(host));
	if ((n->beacon = beacon_new(n->loop, &bc, on_beacon, n, err,
	    sizeof(err))) == NULL) {
		node_err(n, "LAN discovery is off: %s", err);
		return;
	}
	node_say(n, "LAN discovery on UDP port %d, cluster '%s'%s",
	    n->cfg.lan_port, bc.cluster, bc.loopback ? ", on this machine "
	    "alone (it listens on loopback)" : "");
}

int
kaipeer_start(struct kaipeer_node *n)
{
	struct config *cfg = &n->cfg;
	struct peer *e;
	char err[256];
	int i, port;

	if (n->started)
		return 0;
	if (make_layers(n) == -1) {
		node_err(n, "kaipeer: out of memory");
		return KAIPEER_EXIT_SOFTWARE;
	}
	n->started = 1;
	if (node_secure(n) == -1)
		return KAIPEER_EXIT_CONFIG;
	if (!n->quiet && !n->oneshot)
		for (i = 0; i < cfg->naliases; i++)
			node_say(n, "Registering predefined command: %s = %s",
			    cfg->aliases[i].name, cfg->aliases[i].expansion);
	port = n->listen_port >= 0 ? n->listen_port : cfg->auto_listen &&
	    !n->oneshot ? cfg->listen_port : 0;
	if (port > 0) {
		node_say(n, "Starting to listen on port %d", port);
		if (net_listen(n->net, node_listen_host(n), port, err,
		    sizeof(err)) == -1) {
			node_err(n, "Failed to listen on port %d: %s", port,
			    err);
			return KAIPEER_EXIT_UNAVAILABLE;
		}
		n->env.hello.port = (unsigned)port;
		node_say(n, "Listening for connections on port %d", port);
		if (n->env.keys == NULL && cfg->listen_address == NULL)
			node_say(n, "Protected mode: no \"identity\", so only "
			    "this machine may connect (loopback); set "
			    "\"listenAddress\" to listen on other addresses");
		if (cfg->lan_discovery && !n->oneshot)
			start_beacon(n, port);
	}
	for (i = 0; i < cfg->npeers; i++) {
		e = peers_entry(n->peers, cfg->peers[i].host,
		    cfg->peers[i].port, PEER_CONFIG);
		if (e == NULL) {
			node_err(n, "kaipeer: out of memory");
			return KAIPEER_EXIT_SOFTWARE;
		}
		e->has_pin = cfg->peers[i].has_key;
		memcpy(e->pin, cfg->peers[i].key, sizeof(e->pin));
		if (e->state == PEER_CONNECTING || e->nlinks > 0)
			continue;	/* listed twice */
		if (!n->oneshot)
			node_say(n, "Connecting to peer at %s", e->dial);
		peers_dial(n->peers, e);
	}
	return 0;
}

int
kaipeer_add_peer(struct kaipeer_node *n, const char *host, int port)
{
	struct peer *e;

	if (port < 1 || port > 65535 || make_layers(n) == -1 ||
	    (e = peers_entry(n->peers, host, port, PEER_CONNECT)) == NULL)
		return -1;
	if (n->started)
		peers_dial(n->peers, e);
	else if (!node_configured(&n->cfg, e->host, port)) {
		/* Dialled by kaipeer_start(), in order, with the config's. */
		struct config_peer *p = realloc(n->cfg.peers,
		    (size_t)(n->cfg.npeers + 1) * sizeof(*p));

		if (p == NULL)
			return -1;
		n->cfg.peers = p;
		if ((p[n->cfg.npeers].host = strdup(host)) == NULL)
			return -1;
		p[n->cfg.npeers].has_key = 0;
		p[n->cfg.npeers++].port = port;
	}
	return e->index;
}

/* --- stepping and stopping ------------------------------------------------ */

int
kaipeer_pollfds(const struct kaipeer_node *n, struct pollfd *fds, int max)
{
	return loop_pollfds(n->loop, fds, max);
}

int
kaipeer_timeout(const struct kaipeer_node *n)
{
	return loop_timeout(n->loop, -1);
}

/* After a turn: a kaipeer_stop() from a callback takes effect. */
static int
after_turn(struct kaipeer_node *n, int rc)
{
	if (n->stopping && !n->stopped) {
		node_stop(n, 1);
		node_finish(n);
	}
	return n->stopped ? -1 : rc;
}

int
kaipeer_dispatch(struct kaipeer_node *n, const struct pollfd *fds, int nfds)
{
	if (n->stopped)
		return -1;
	return after_turn(n, loop_dispatch(n->loop, fds, nfds));
}

int
kaipeer_step(struct kaipeer_node *n, int timeout_ms)
{
	if (n->stopped)
		return -1;
	return after_turn(n, loop_turn(n->loop, timeout_ms));
}

int
kaipeer_run(struct kaipeer_node *n)
{
	while (!n->stopping)
		if (loop_turn(n->loop, -1) == -1) {
			node_err(n, "kaipeer: poll: %s", strerror(errno));
			(void)after_turn(n, 0);
			return -1;
		}
	(void)after_turn(n, 0);
	return 0;
}

void
kaipeer_stop(struct kaipeer_node *n)
{
	n->stopping = 1;
	loop_break(n->loop);
}

void
node_stop(struct kaipeer_node *n, int force)
{
	n->stopping = 1;
	if (n->peers == NULL)
		return;
	if (force)
		reqs_fail(n->reqs, NULL, REQ_CANCELLED, "Error: exiting");
	peers_bye_all(n->peers, "exit");
	/* What waited for a link that will not come now. */
	reqs_fail(n->reqs, NULL, REQ_CANCELLED, "Error: exiting");
}

void
node_finish(struct kaipeer_node *n)
{
	long long end = loop_clock_ms() + NODE_DRAIN_MS, left;

	loop_flush(n->loop);	/* most goodbyes go at once */
	/* One reading of the clock per turn: never a negative wait. */
	while (n->net != NULL && net_count(n->net) > 0 &&
	    (left = end - loop_clock_ms()) > 0)
		if (loop_turn(n->loop, (int)left) == -1)
			break;
	n->stopped = 1;
}

int
kaipeer_pending(const struct kaipeer_node *n)
{
	return n->reqs != NULL ? reqs_inflight(n->reqs) : 0;
}
