/*
 * random: random bytes (contract in include/random.h).
 */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "random.h"

void
random_bytes(unsigned char *buf, size_t len)
{
	size_t i, got = 0;
	ssize_t r;
	unsigned long x;
	int fd;

	if ((fd = open("/dev/urandom", O_RDONLY)) >= 0) {
		while (got < len && (r = read(fd, buf + got, len - got)) > 0)
			got += (size_t)r;
		close(fd);
	}
	/* No urandom: mix the clock and pid, enough to tell nodes apart. */
	x = (unsigned long)loop_clock_ms() ^ ((unsigned long)getpid() << 16) ^
	    (unsigned long)time(NULL);
	for (i = got; i < len; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		buf[i] = (unsigned char)(x >> 33);
	}
}
