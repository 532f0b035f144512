/*
 * builtin: the commands every node has, as synchronous processors
 * (kaipeer_command_fn): "calc <expression>" (calc.c) and "system status",
 * one line about the node.
 */
#ifndef KAIPEER_BUILTIN_H
#define KAIPEER_BUILTIN_H

#include <stddef.h>

#include "node.h"

/* calc: the value, or "Error: <what>" and non-zero.  ctx is unused. */
int	builtin_calc(void *ctx, const char *args, char *out, size_t outsize);

/* system status: ctx is the node.  Anything else is its usage. */
int	builtin_system(void *ctx, const char *args, char *out, size_t outsize);

/* The line of "system status" for node n into out. */
void	builtin_status(struct kaipeer_node *n, char *out, size_t size);

#endif
