/*
 * random: bytes from the system's random source.
 *
 * random_bytes() never fails: where the system has no source it falls back
 * to the clock and the process id, enough to tell nodes apart and to
 * spread redials, not to make keys.  random_secure() is for keys: the
 * kernel's generator (getentropy() where the C library has it, else
 * /dev/urandom), or failure; never the clock.
 */
#ifndef KAIPEER_RANDOM_H
#define KAIPEER_RANDOM_H

#include <stddef.h>

/* Fill buf with len random bytes. */
void	random_bytes(unsigned char *buf, size_t len);

/* Fill buf with len bytes fit for keys; 0, or -1 with errno set. */
int	random_secure(unsigned char *buf, size_t len);

#endif
