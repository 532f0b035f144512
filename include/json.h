/*
 * json: a strict RFC 8259 JSON parser that allocates nothing.
 *
 * json_parse() reads text[0..len) and fills an array of tokens owned by the
 * caller, in document order: a container is followed by its children, and an
 * object's children are its keys, each followed by its value (a key has one
 * child).  Tokens hold byte offsets into the text, never copies.  Exactly one
 * value, with only whitespace around it, makes a document.  Anything the RFC
 * does not allow is an error: trailing commas, comments, leading zeros or
 * '+', bad escapes, lone surrogates, raw control characters in strings,
 * invalid UTF-8.  Nesting is bounded by JSON_MAX_DEPTH, so neither the stack
 * nor the token array can be run out of by a hostile input.
 *
 * Truncated input is JSON_ERR_PARTIAL, never success: every proper prefix of
 * a document that is an object, array, string or literal is partial.
 *
 * json_quote() writes any bytes as a JSON string, for output.
 *
 * Pure: no I/O, no allocation, never exits.
 */
#ifndef KAIPEER_JSON_H
#define KAIPEER_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH	64	/* most objects and arrays open at once */

enum json_type {
	JSON_OBJECT = 1,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL
};

/* Results of json_parse() below zero; json_strerror() names each one. */
enum json_err {
	JSON_ERR_PARTIAL	= -1,	/* the input ends inside the document */
	JSON_ERR_NOMEM		= -2,	/* the token array is full */
	JSON_ERR_DEPTH		= -3,	/* more than JSON_MAX_DEPTH levels */
	JSON_ERR_CHAR		= -4,	/* a byte that cannot start a value */
	JSON_ERR_KEY		= -5,	/* an object key that is not a string */
	JSON_ERR_COLON		= -6,	/* no ':' after an object key */
	JSON_ERR_OBJECT		= -7,	/* no ',' or '}' after a member */
	JSON_ERR_ARRAY		= -8,	/* no ',' or ']' after an element */
	JSON_ERR_COMMA		= -9,	/* a ',' right before '}' or ']' */
	JSON_ERR_ESCAPE		= -10,	/* a bad '\' escape */
	JSON_ERR_SURROGATE	= -11,	/* a \u escape of a lone surrogate */
	JSON_ERR_CONTROL	= -12,	/* a raw byte below 0x20 in a string */
	JSON_ERR_UTF8		= -13,	/* bytes that are not UTF-8 */
	JSON_ERR_NUMBER		= -14,	/* a number the grammar refuses */
	JSON_ERR_ZERO		= -15,	/* a number with a leading zero */
	JSON_ERR_TRAILING	= -16	/* more than whitespace after it all */
};

/*
 * text[start..end) is the token's whole source, quotes and brackets
 * included.  size counts children: members of an object, elements of an
 * array, 1 for a key, 0 otherwise.  parent is the index of the enclosing
 * token (the key, for a member's value), -1 for the top-level value.
 */
struct json_token {
	enum json_type	 type;
	size_t		 start;
	size_t		 end;
	int		 size;
	int		 parent;
};

/*
 * Parse text[0..len) into tok[0..ntok).  Returns the number of tokens used,
 * at least 1, or a negative enum json_err with *erroff (if not NULL) set to
 * the byte offset of the problem.  For JSON_ERR_PARTIAL that is the start of
 * the unterminated string, object or array, else len.
 */
int	json_parse(const char *text, size_t len, struct json_token *tok,
	    int ntok, size_t *erroff);

/* A constant description of an error code, e.g. "trailing comma". */
const char *json_strerror(int err);

/*
 * Describe the error err found at text[off] (json_parse's results) into
 * buf, NUL-terminated and truncated to size: like json_strerror(), but
 * naming the byte ("unexpected character 'x'") or what is unterminated.
 */
void	json_error_message(char *buf, size_t size, int err, const char *text,
	    size_t len, size_t off);

/*
 * Decode the string token t, unescaped into UTF-8, into buf with a NUL
 * after it.  Returns 0 and sets *outlen (if not NULL) to the decoded length,
 * which does not count the NUL and may include NULs written as \u0000; or
 * -1 when t is not a string or the result and its NUL exceed size.
 * t must come from json_parse() on this same text.
 */
int	json_string(const char *text, const struct json_token *t, char *buf,
	    size_t size, size_t *outlen);

/*
 * Read the number token t as an exact integer.  Returns 0 and sets *out, or
 * -1 when t is not a number, has a fraction or exponent ("14595.0", "1e3"),
 * or lies outside the range of long long.
 */
int	json_integer(const char *text, const struct json_token *t,
	    long long *out);

/* The index of the token after tok[i] and all its descendants. */
int	json_skip(const struct json_token *tok, int i);

/*
 * The most bytes json_quote() writes for len bytes of input: 6 for each
 * byte (an escape "\u00XX" or "\ufffd") and the two quotes.  No NUL.
 * len must be below SIZE_MAX / 6 for this not to wrap.
 */
#define JSON_QUOTE_MAX(len)	(6 * (len) + 2)

/*
 * Write src[0..len), any bytes, as a JSON string literal with its quotes
 * into dst, which the caller owns and which must hold JSON_QUOTE_MAX(len)
 * bytes; no NUL is written.  Returns the bytes written.  '"' and '\' are
 * escaped, control bytes become \b \f \n \r \t or \u00XX, and DEL,
 * the C1 controls U+0080..U+009F, U+2028 and U+2029 become \uXXXX (so
 * the text is safe to show and to embed in JavaScript); other valid UTF-8
 * passes through, and each byte that is not part of valid UTF-8 (a stray
 * or cut-short sequence, an overlong form, a surrogate, above U+10FFFF)
 * becomes \ufffd.  The result always parses as one JSON string.
 */
size_t	json_quote(char *dst, const char *src, size_t len);

#endif
