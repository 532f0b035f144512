/*
 * builtin: the commands every node has, as synchronous processors
 * (kaipeer_command_fn): "calc <expression>" (calc.c), "system status",
 * one line about the node, and "help", what the node offers its peers.
 */
#ifndef KAIPEER_BUILTIN_H
#define KAIPEER_BUILTIN_H

#include <stddef.h>

#include "node.h"

/* calc: the value, or "Error: <what>" and non-zero.  ctx is unused. */
int	builtin_calc(void *ctx, const char *args, char *out, size_t outsize);

/* system status: ctx is the node.  Anything else is its usage. */
int	builtin_system(void *ctx, const char *args, char *out, size_t outsize);

/* help: what this node runs for others, one per line: its commands,
 * its programs ("exec") and its aliases.  ctx is the node. */
int	builtin_help(void *ctx, const char *args, char *out, size_t outsize);

/* The line of "system status" for node n into out. */
void	builtin_status(struct kaipeer_node *n, char *out, size_t size);

#endif
