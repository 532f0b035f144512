/*
 * random: random bytes (contract in include/random.h).
 *
 * getentropy() is declared by glibc (2.25 and later) and the BSDs outside
 * strict POSIX, hence _DEFAULT_SOURCE here alone; elsewhere (musl's
 * headers cannot be told apart, older systems) /dev/urandom serves.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "random.h"

#if (defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 25)) || \
    defined(__OpenBSD__) || defined(__FreeBSD__)
#define HAVE_GETENTROPY 1
#endif

static int
from_urandom(unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;
	int fd, err;

	if ((fd = open("/dev/urandom", O_RDONLY)) < 0)
		return -1;
	while (got < len) {
		if ((r = read(fd, buf + got, len - got)) > 0)
			got += (size_t)r;
		else if (r == 0 || errno != EINTR) {
			err = r == 0 ? EIO : errno;
			close(fd);
			errno = err;
			return -1;
		}
	}
	close(fd);
	return 0;
}

int
random_secure(unsigned char *buf, size_t len)
{
#ifdef HAVE_GETENTROPY
	size_t n, off = 0;

	/* getentropy() gives at most 256 bytes a call. */
	while (off < len) {
		n = len - off > 256 ? 256 : len - off;
		if (getentropy(buf + off, n) != 0)
			break;
		off += n;
	}
	if (off == len)
		return 0;
	return from_urandom(buf + off, len - off);
#else
	return from_urandom(buf, len);
#endif
}

void
random_bytes(unsigned char *buf, size_t len)
{
	size_t i;
	unsigned long x;

	if (random_secure(buf, len) == 0)
		return;
	/* No source: mix the clock and pid, enough to tell nodes apart. */
	x = (unsigned long)loop_clock_ms() ^ ((unsigned long)getpid() << 16) ^
	    (unsigned long)time(NULL);
	for (i = 0; i < len; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		buf[i] = (unsigned char)(x >> 33);
	}
}
