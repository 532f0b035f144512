/*
 * resolve: host names to addresses without stalling the loop.
 *
 * getaddrinfo() blocks, for as long as the resolver takes.  resolve_start()
 * therefore runs it in a child process that writes the answer into a pipe
 * the loop watches; the caller is called back with the addresses or a
 * message.  A numeric address needs none of this: addr_numeric() parses it
 * on the spot.  The child keeps no other descriptor of the node open (a
 * connection the node closes is closed for real), and is always reaped:
 * when it has answered, or when resolve_cancel() kills it.  Since the
 * child calls getaddrinfo() after fork(), a program with threads should
 * give numeric addresses only.
 */
#ifndef KAIPEER_RESOLVE_H
#define KAIPEER_RESOLVE_H

#include "net.h"

struct resolve;

/* The answer: n addresses (n > 0), or n == 0 and err saying why. */
typedef void (*resolve_fn)(void *ctx, const struct addr *addrs, int n,
    const char *err);

/*
 * Look up host (a name) for port.  fn(ctx, ...) is called once, from the
 * loop, never from within resolve_start().  Returns the lookup, or NULL
 * with errno set (no process or pipe could be made).
 */
struct resolve *resolve_start(struct loop *l, const char *host, int port,
	    resolve_fn fn, void *ctx);

/* Give up a lookup that has not answered: no callback comes. */
void	resolve_cancel(struct resolve *r);

#endif
