/*
 * kaipeer: a peer-to-peer remote-command node, as a library.
 *
 * A program embeds a node in three calls: kaipeer_new(), then any number
 * of kaipeer_register_command(), then kaipeer_main() with the program's
 * command line, which behaves exactly like the kaipeer program: it reads
 * the config, listens, dials, serves, and returns an exit status.  Peers
 * can then run the registered commands with "@<peer> <name> <args>".
 * Everything runs on the caller's thread; the library links libc only.
 */
#ifndef KAIPEER_H
#define KAIPEER_H

#include <stddef.h>

#define KAIPEER_VERSION "0.1.0"

/* Exit statuses of kaipeer_main(), as in sysexits.h. */
#define KAIPEER_EXIT_OK		0
#define KAIPEER_EXIT_FAILED	1	/* a -c command failed */
#define KAIPEER_EXIT_USAGE	64	/* bad command line */
#define KAIPEER_EXIT_UNAVAILABLE 69	/* cannot listen */
#define KAIPEER_EXIT_SOFTWARE	70	/* internal failure: memory, poll */
#define KAIPEER_EXIT_CONFIG	78	/* bad config file */

struct kaipeer_node;

/*
 * A command processor.  args is the NUL-terminated text after the command's
 * name (leading blanks removed; "" when none).  Write the result, at most
 * outsize bytes including the NUL, into out and return 0; or write a
 * message and return non-zero to report an error result.  It runs on the
 * node's only thread, so it must not block.
 */
typedef int (*kaipeer_command_fn)(void *ctx, const char *args, char *out,
    size_t outsize);

/* A new node with the built-in commands (calc, system); NULL if no memory. */
struct kaipeer_node *kaipeer_new(void);

/*
 * Make name (one word) a command that fn runs with ctx.  Returns 0, or -1
 * if name is empty, has blanks, is already registered, or memory ran out.
 */
int	kaipeer_register_command(struct kaipeer_node *node, const char *name,
	    kaipeer_command_fn fn, void *ctx);

/*
 * Run the node as "kaipeer [-hqvV] [-c line]... [config_file] [port]" would:
 * returns when the node exits, with one of the KAIPEER_EXIT_* statuses.
 * Call it at most once per node.
 */
int	kaipeer_main(struct kaipeer_node *node, int argc, char **argv);

/* Release the node and everything it owns. */
void	kaipeer_free(struct kaipeer_node *node);

#endif
