/*
 * builtin: the commands every node has (contract in include/builtin.h).
 */
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
