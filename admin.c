/*
 * admin: the console's own commands (contract in include/admin.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "fanout.h"

static const char *const help_lines[] = {
	"Available commands:",
	"  help                        - Show this help",
	"  connect <host> <port>       - Connect to another peer",
	"  disconnect <peer>           - Close a link and stop redialling it",
	"  forget <peer>               - Disconnect a peer and remove it from "
	    "the list",
	"  peers                       - List peers and their indexes",
	"  @<peer> <command>           - Run a command on a peer (index, "
	    "ip:port or name)",
	"  @<selector> <command>       - Run it on several peers at once",
	"  @<peer>/<sel> <command>     - Relayed: on the peers of a peer (8 "
	    "hops)",
	"  @** <command>               - On every node of the network, once "
	    "each",
	"  gather <selector> <command> - The same, identical results folded",
	"  source [-k] <file>          - Run the lines of a file (-k: past "
	    "failures)",
	"  calc <expression>           - Evaluate an arithmetic expression",
	"  system status               - Show this node's status",
	NULL
};

static const char *const grammar_lines[] = {
	"  exit, quit                  - Exit the program",
	"Selectors, comma-separated: 3 (index), 1-3 (range), web1 (name), "
	    "ip:port, * (every peer), web* or db? (glob), @group",
	"Operators: A ; B   A && B   A || B   A | B ({} in B is A's result); "
	    "quote or \\-escape a literal ; | &",
	NULL
};

/* Where the console's own lines go: stderr when stdout is JSON lines. */
static int
stream(const struct kaipeer_node *n)
{
	return n->json ? OUT_STDERR : OUT_STDOUT;
}

void
admin_help(struct kaipeer_node *n)
{
	const struct config *c = &n->cfg;
	const char *name;
	int i, k;

	for (i = 0; help_lines[i] != NULL; i++)
		node_print(n, "%s", help_lines[i]);
	for (i = 0; (name = commands_name(n->cmds, i)) != NULL; i++) {
		if (strcmp(name, "calc") == 0 || strcmp(name, "system") == 0 ||
		    strcmp(name, "help") == 0)
			continue;
		for (k = 0; k < c->nexecs; k++)
			if (strcmp(c->execs[k].name, name) == 0)
				break;
		if (k == c->nexecs)
			node_print(n, "  %-27s - A registered command", name);
	}
	for (i = 0; grammar_lines[i] != NULL; i++)
		node_print(n, "%s", grammar_lines[i]);
	if (c->nexecs > 0)
		node_print(n, "Programs:");
	for (i = 0; i < c->nexecs; i++) {
		out_begin(n->out, stream(n));
		out_printf(n->out, "  %s -", c->execs[i].name);
		for (k = 0; k < c->execs[i].argc; k++)
			out_printf(n->out, " %s", c->execs[i].argv[k]);
		if (c->execs[i].args)
			out_str(n->out, " [args...]");
		out_end(n->out);
	}
	if (c->ngroups > 0)
		node_print(n, "Groups:");
	for (i = 0; i < c->ngroups; i++)
		node_print(n, "  @%s - %s", c->groups[i].name,
		    c->groups[i].selector);
	if (c->naliases > 0)
		node_print(n, "Predefined commands:");
	for (i = 0; i < c->naliases; i++)
		node_print(n, "  %s - %s", c->aliases[i].name,
		    c->aliases[i].expansion);
}

static void
print_entry(struct kaipeer_node *n, const struct peer *e)
{
	struct output *o = n->out;

	out_begin(o, stream(n));
	out_printf(o, "  %d: %s", e->index, peer_label(e));
	if (e->name[0] != '\0') {
		out_str(o, " (");
		out_safe(o, e->name, strlen(e->name));
		out_str(o, ")");
	}
	switch (e->origin) {
	case PEER_CONFIG:
		out_str(o, " [config]");
		break;
	case PEER_CONNECT:
		out_str(o, " [connect]");
		break;
	case PEER_ACCEPTED:
		out_str(o, " [accepted]");
		break;
	case PEER_DISCOVERED:
		if (e->via[0] != '\0')
			out_printf(o, " [discovered from %s]", e->via);
		else
			out_str(o, " [discovered on the LAN]");
		break;
	}
	if (e->state == PEER_CONNECTING)
		out_str(o, " [connecting]");
	else if (e->retry_at != 0)
		out_printf(o, " [retrying in %lld s]",
		    (e->retry_at - loop_now(n->loop) + 999) / 1000);
	else if (e->state == PEER_DOWN)
		out_str(o, " [disconnected]");
	else if (e->state == PEER_FAILED) {
		out_str(o, " [failed: ");
		out_safe(o, e->why, strlen(e->why));
		out_str(o, "]");
	}
	out_end(o);
}

void
admin_peers(struct kaipeer_node *n)
{
	struct peer *e;
	int i, up = 0, other = 0;

	for (i = 0; n->peers != NULL && i < peers_count(n->peers); i++) {
		if ((e = peers_at(n->peers, i)) == NULL)
			continue;
		if (e->state == PEER_UP)
			up++;
		else
			other++;
	}
	node_print(n, up == 0 ? "No peers connected." : "Connected peers:");
	for (i = 0; up > 0 && i < peers_count(n->peers); i++)
		if ((e = peers_at(n->peers, i)) != NULL && e->state == PEER_UP)
			print_entry(n, e);
	if (other > 0)
		node_print(n, "Other peers:");
	for (i = 0; other > 0 && i < peers_count(n->peers); i++)
		if ((e = peers_at(n->peers, i)) != NULL && e->state != PEER_UP)
			print_entry(n, e);
}

int
admin_connect(struct kaipeer_node *n, const char *host, size_t hlen,
    int port)
{
	const char *why;
	char name[256];
	struct peer *e;

	if (hlen >= sizeof(name)) {
		node_print(n, "Usage: connect <host> <port>");
		return -1;
	}
	memcpy(name, host, hlen);
	name[hlen] = '\0';
	if ((why = config_check_host(name)) != NULL) {
		node_print(n, "connect: %s", why);
		return -1;
	}
	if ((e = peers_entry(n->peers, name, port, PEER_CONNECT)) == NULL) {
		node_print(n, "Cannot add another peer");
		return -1;
	}
	if (e->state == PEER_UP || e->nlinks > 0 || e->state ==
	    PEER_CONNECTING) {
		node_say(n, "Already connected to peer: %s", peer_label(e));
		return e->index;
	}
	node_say(n, "Connecting to peer at %s", e->dial);
	peers_dial(n->peers, e);
	return e->index;
}

int
admin_disconnect(struct kaipeer_node *n, const char *sel, size_t len,
    int forget)
{
	char err[512], label[ADDR_STRLEN + 256];
	struct peer *e;
	int *idx, nidx, multi, i;

	if (pick_select(n, sel, len, 0, &idx, &nidx, &multi, err,
	    sizeof(err)) != PICK_SEL_OK || nidx == 0) {
		if (nidx == 0 && idx != NULL)
			snprintf(err, sizeof(err), "No peer found matching "
			    "'%.*s'", (int)len, sel);
		out_begin(n->out, stream(n));
		out_safe(n->out, err, strlen(err));
		out_end(n->out);
		free(idx);
		return 1;
	}
	for (i = 0; i < nidx; i++) {
		if ((e = peers_at(n->peers, idx[i])) == NULL)
			continue;
		snprintf(label, sizeof(label), "%s", peer_label(e));
		if (forget)
			peers_forget(n->peers, e);
		else
			peers_disconnect(n->peers, e);
		node_say(n, "%s peer %d: %s", forget ? "Forgot" :
		    "Disconnected from", idx[i], label);
	}
	free(idx);
	return 0;
}
