/*
 * keys: key files (contract in include/keys.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "ct.h"
#include "keys.h"
#include "random.h"
#include "x25519.h"

void
keys_format(char out[KEYS_B64 + 1], const unsigned char key[KEYS_SIZE])
{
	base64_encode(out, key, KEYS_SIZE);
}

int
keys_parse(const char *text, size_t len, unsigned char key[KEYS_SIZE])
{
	unsigned char buf[KEYS_SIZE + 3];
	long n;

	while (len > 0 && strchr(" \t\r\n", text[len - 1]) != NULL)
		len--;
	while (len > 0 && strchr(" \t\r\n", text[0]) != NULL) {
		text++;
		len--;
	}
	n = base64_decode(buf, sizeof(buf), text, len);
	if (n == KEYS_SIZE)
		memcpy(key, buf, KEYS_SIZE);
	ct_wipe(buf, sizeof(buf));
	return n == KEYS_SIZE ? 0 : -1;
}

int
keys_generate(const char *path, unsigned char pub[KEYS_SIZE], char *err,
    size_t errsize)
{
	unsigned char key[KEYS_SIZE];
	char text[KEYS_B64 + 2];
	size_t off = 0;
	ssize_t w;
	int fd, e;

	if (random_secure(key, sizeof(key)) == -1) {
		snprintf(err, errsize, "no random source: %s", strerror(errno));
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		e = errno;
		ct_wipe(key, sizeof(key));
		snprintf(err, errsize, "%s: %s%s", path, strerror(e),
		    e == EEXIST ? " (a key file is never overwritten)" : "");
		return -1;
	}
	keys_format(text, key);
	text[KEYS_B64] = '\n';
	while (off < KEYS_B64 + 1) {
		if ((w = write(fd, text + off, KEYS_B64 + 1 - off)) < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			unlink(path);
			ct_wipe(key, sizeof(key));
			ct_wipe(text, sizeof(text));
			snprintf(err, errsize, "%s: %s", path, strerror(e));
			return -1;
		}
		off += (size_t)w;
	}
	e = fsync(fd) == -1 ? errno : 0;
	if (close(fd) == -1 && e == 0)
		e = errno;
	x25519_public(pub, key);
	ct_wipe(key, sizeof(key));
	ct_wipe(text, sizeof(text));
	if (e != 0) {
		unlink(path);
		snprintf(err, errsize, "%s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}

int
keys_load(const char *path, unsigned char key[KEYS_SIZE], char *err,
    size_t errsize, char *warn, size_t warnsize)
{
	char text[256];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	warn[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
		snprintf(warn, warnsize, "key file %s may be read by others "
		    "(mode %03o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 0777));
	while (len < sizeof(text) &&
	    (n = read(fd, text + len, sizeof(text) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsize, "%s: %s", path, strerror(errno));
			close(fd);
			ct_wipe(text, sizeof(text));
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	rc = len < sizeof(text) ? keys_parse(text, len, key) : -1;
	ct_wipe(text, sizeof(text));
	if (rc == -1)
		snprintf(err, errsize, "%s: not a key file (one line: 32 bytes "
		    "in base64, as kaipeer --genkey writes)", path);
	return rc;
}
