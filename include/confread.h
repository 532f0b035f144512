/*
 * confread: reading typed values out of a config file parsed by
 * json_parse(), for config.c.
 *
 * A struct confread holds the text, its tokens and where messages go.
 * Each reader takes a token index, checks the value's type and range, and
 * either returns it or writes "<file>:<line>:<col>: <what is wrong>" into
 * the error buffer (pointing at the value) and returns -1.  Lines and
 * columns are 1-based; the column counts bytes.  Nothing here does I/O:
 * warnings go to the caller's callback.
 */
#ifndef KAIPEER_CONFREAD_H
#define KAIPEER_CONFREAD_H

#include <stddef.h>

#include "config.h"
#include "json.h"

#define CONFREAD_MAX_MS	(86400L * 1000)	/* longest duration: a day */

struct confread {
	const char	*text;
	size_t		 len;
	const struct json_token *tok;
	const char	*file;
	char		*err;
	size_t		 errsize;
	config_warn_fn	 warn;
	void		*ctx;
};

/* Set the message for text[off] and return -1. */
int	confread_error(struct confread *r, size_t off, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Pass a warning for text[off] to the callback, if any. */
void	confread_warn(struct confread *r, size_t off, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Warn that key token k is unknown and ignored; name the nearest of
 * names (NULL-terminated) if one is near. */
void	confread_unknown(struct confread *r, int k, const char *const *names);

/* The index in names (NULL-terminated) of key token k, or -1. */
int	confread_lookup(const struct confread *r, int k,
	    const char *const *names);

/* The integer token v, from lo to hi (lo >= 0), or -1 after a message. */
long	confread_integer(struct confread *r, int v, const char *key, long lo,
	    long hi);

/* 1 for true, 0 for false, or -1 after a message. */
long	confread_boolean(struct confread *r, int v, const char *key);

/*
 * The number token v, in seconds, as whole milliseconds rounded up, from 1
 * to CONFREAD_MAX_MS; or -1 after a message.  Exact: no floating point.
 */
long	confread_seconds(struct confread *r, int v, const char *key);

/*
 * The string token v, decoded, in a new allocation at *out: 1 to max
 * bytes, without control characters (C0, DEL or C1).  Returns 0, or -1
 * after a message that calls the value what.
 */
int	confread_string(struct confread *r, int v, size_t max,
	    const char *what, char **out);

#endif
