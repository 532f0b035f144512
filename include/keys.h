/*
 * keys: a node's key files.
 *
 * A key file holds one 32-byte secret, written in base64 on one line: the
 * X25519 private key of a node's "identity", or the network's pre-shared
 * key ("psk"); `kaipeer --genkey` writes either.  Public keys are shown and
 * configured in the same base64.
 *
 * keys_generate() makes a new file (mode 0600, never over an existing
 * file) from random_secure(); keys_load() reads one and warns, through
 * the caller's buffer, when others may read it.  Secrets pass through
 * stack buffers only, wiped before return.  Errors are sentences naming
 * the file, for the user.
 */
#ifndef KAIPEER_KEYS_H
#define KAIPEER_KEYS_H

#include <stddef.h>

#define KEYS_SIZE	32
#define KEYS_B64	44	/* characters of a key in base64 */

/*
 * Write a new private key to path; its public key goes to pub.  Return 0,
 * or -1 with err set (the file exists, cannot be written, no random source).
 */
int	keys_generate(const char *path, unsigned char pub[KEYS_SIZE],
	    char *err, size_t errsize);

/*
 * Read the key of the file at path into key.  Return 0 (warn[0] is then
 * '\0', or a warning: the file may be read by others), or -1 with err set.
 */
int	keys_load(const char *path, unsigned char key[KEYS_SIZE], char *err,
	    size_t errsize, char *warn, size_t warnsize);

/* Parse a key written in base64 (surrounding blanks allowed); 0 or -1. */
int	keys_parse(const char *text, size_t len, unsigned char key[KEYS_SIZE]);

/* out[0..KEYS_B64] = the key in base64, NUL-terminated. */
void	keys_format(char out[KEYS_B64 + 1], const unsigned char key[KEYS_SIZE]);

#endif
