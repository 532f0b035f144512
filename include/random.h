/*
 * random: bytes from the system's random source (/dev/urandom), or, where
 * there is none, from the clock and the process id: enough to tell nodes
 * apart and to spread redials, not to make keys.
 */
#ifndef KAIPEER_RANDOM_H
#define KAIPEER_RANDOM_H

#include <stddef.h>

/* Fill buf with len random bytes. */
void	random_bytes(unsigned char *buf, size_t len);

#endif
