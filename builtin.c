/*
 * builtin: the commands every node has (contract in include/builtin.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "calc.h"

int
builtin_calc(void *ctx, const char *args, char *out, size_t outsize)
{
	size_t n;

	(void)ctx;
	/* Evaluated in place, after room for the prefix of an error. */
	if (calc_eval(args, strlen(args), out + 7, outsize - 7) == 0) {
		n = strlen(out + 7);
		memmove(out, out + 7, n + 1);
		return 0;
	}
	memcpy(out, "Error: ", 7);
	return 1;
}

void
builtin_status(struct kaipeer_node *n, char *out, size_t size)
{
	char host[256];
	long long up = (loop_clock_ms() - n->born) / 1000;
	int np = n->peers != NULL ? peers_up(n->peers) : 0;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	snprintf(out, size, "kaipeer %s, up %llds, %d peer%s, %llu command%s "
	    "served, host %s", KAIPEER_VERSION, up, np, np == 1 ? "" : "s",
	    n->served, n->served == 1 ? "" : "s", host);
}

int
builtin_system(void *ctx, const char *args, char *out, size_t outsize)
{
	if (strcmp(args, "status") != 0) {
		snprintf(out, outsize, "Usage: system status");
		return 1;
	}
	builtin_status(ctx, out, outsize);
	return 0;
}

/* Append to out[*n..size) what fmt says, as much as fits. */
static void
put(char *out, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n + 1 >= size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(out + *n, size - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n += (size_t)k < size - *n ? (size_t)k : size - *n - 1;
}

int
builtin_help(void *ctx, const char *args, char *out, size_t outsize)
{
	struct kaipeer_node *n = ctx;
	const struct config *c = &n->cfg;
	const char *name;
	size_t len = 0;
	int i, k;

	(void)args;
	out[0] = '\0';
	put(out, outsize, &len, "Commands:\n");
	put(out, outsize, &len, "  calc <expression>\n  system status\n"
	    "  help\n");
	for (i = 0; (name = commands_name(n->cmds, i)) != NULL; i++) {
		for (k = 0; k < c->nexecs; k++)
			if (strcmp(c->execs[k].name, name) == 0)
				break;
		if (k == c->nexecs && strcmp(name, "calc") != 0 &&
		    strcmp(name, "system") != 0 && strcmp(name, "help") != 0)
			put(out, outsize, &len, "  %s\n", name);
	}
	if (c->nexecs > 0)
		put(out, outsize, &len, "Programs:\n");
	for (i = 0; i < c->nexecs; i++) {
		put(out, outsize, &len, "  %s:", c->execs[i].name);
		for (k = 0; k < c->execs[i].argc; k++)
			put(out, outsize, &len, " %s", c->execs[i].argv[k]);
		put(out, outsize, &len, "%s\n", c->execs[i].args ?
		    " [args...]" : "");
	}
	if (c->naliases > 0)
		put(out, outsize, &len, "Aliases:\n");
	for (i = 0; i < c->naliases; i++)
		put(out, outsize, &len, "  %s: %s\n", c->aliases[i].name,
		    c->aliases[i].expansion);
	if (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	return 0;
}
