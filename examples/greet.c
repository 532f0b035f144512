/*
 * greet: a program that embeds a kaipeer node and adds its own command.
 *
 * Build: make examples/greet      Run: examples/greet [config_file] [port]
 * Any peer can then type "@<this peer> greet world" and gets back
 * "Hello, world!".  Everything else (config, console, -c) is kaipeer's.
 */
#include <stdio.h>

#include "kaipeer.h"

/* The command processor: args is the text after "greet". */
static int
greet(void *ctx, const char *args, char *out, size_t outsize)
{
	const char *greeting = ctx;

	if (args[0] == '\0') {
		snprintf(out, outsize, "Usage: greet <name>");
		return 1;	/* an error result */
	}
	snprintf(out, outsize, "%s, %s!", greeting, args);
	return 0;
}

int
main(int argc, char **argv)
{
	struct kaipeer_node *node;
	int rc;

	if ((node = kaipeer_new()) == NULL ||
	    kaipeer_register_command(node, "greet", greet, "Hello") == -1) {
		fprintf(stderr, "greet: cannot set up the node\n");
		return KAIPEER_EXIT_SOFTWARE;
	}
	rc = kaipeer_main(node, argc, argv);
	kaipeer_free(node);
	return rc;
}
