/*
 * json: a strict RFC 8259 parser into a caller's token array.
 *
 * A recursive-descent parser, one function per grammar rule, each headed by
 * its rule.  Recursion is bounded by JSON_MAX_DEPTH, the token array by the
 * caller's ntok; every read of the text checks the position against len
 * first.  A rule that meets the end of the text reports JSON_ERR_PARTIAL,
 * so a truncated document is never mistaken for a complete or broken one.
 * The parser validates strings but does not decode them: json_string() does
 * that later, into a buffer the caller chooses.  json_quote() goes the other
 * way, and accepts any bytes: what is not valid UTF-8 becomes U+FFFD, by
 * the same utf8_length() the parser checks strings with.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

struct parser {
	const unsigned char *s;
	size_t		 len;
	size_t		 pos;
	struct json_token *tok;
	int		 ntok;
	int		 n;		/* tokens used */
	int		 depth;		/* containers open */
	size_t		 erroff;
};

static int	parse_value(struct parser *, int);

static int
fail(struct parser *p, int err, size_t off)
{
	p->erroff = off;
	return err;
}

static int
at_end(const struct parser *p)
{
	return p->pos >= p->len;
}

/* ws = *( %x20 / %x09 / %x0A / %x0D ) */
static void
skip_ws(struct parser *p)
{
	while (!at_end(p) && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
	    p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

/* Claim the next token, starting at the current position. */
static int
new_token(struct parser *p, enum json_type type, int parent)
{
	struct json_token *t;

	if (p->n >= p->ntok)
		return fail(p, JSON_ERR_NOMEM, p->pos);
	t = &p->tok[p->n];
	t->type = type;
	t->start = p->pos;
	t->end = p->pos;
	t->size = 0;
	t->parent = parent;
	return p->n++;
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The code unit of the escape "\uXXXX" at s[0..avail), or a negative error:
 * JSON_ERR_PARTIAL if it is cut short, JSON_ERR_ESCAPE if it is not one.
 */
static long
read_u_escape(const unsigned char *s, size_t avail)
{
	long v = 0;
	int i, d;

	for (i = 0; i < 6; i++) {
		if ((size_t)i >= avail)
			return JSON_ERR_PARTIAL;
		if (i < 2) {
			if (s[i] != "\\u"[i])
				return JSON_ERR_ESCAPE;
		} else if ((d = hex_value(s[i])) < 0)
			return JSON_ERR_ESCAPE;
		else
			v = v * 16 + d;
	}
	return v;
}

/*
 * The length of the UTF-8 sequence (RFC 3629) at s[0..avail): 0 if it is
 * invalid (overlong, a surrogate, above U+10FFFF), -1 if it is cut short.
 */
static int
utf8_length(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xBF;
	int i, n;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		if (s[0] == 0xE0)
			lo = 0xA0;		/* overlong */
		if (s[0] == 0xED)
			hi = 0x9F;		/* U+D800..U+DFFF */
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		if (s[0] == 0xF0)
			lo = 0x90;		/* overlong */
		if (s[0] == 0xF4)
			hi = 0x8F;		/* above U+10FFFF */
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return -1;
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
	}
	return n;
}

/*
 * escape = '\' ( '"' / '\' / '/' / 'b' / 'f' / 'n' / 'r' / 't' / 'u' 4HEXDIG )
 * A high surrogate must be followed by the escape of a low one.
 */
static int
parse_escape(struct parser *p, size_t start)
{
	const unsigned char *s = p->s + p->pos;
	size_t avail = p->len - p->pos;
	long u, low;

	if (avail < 2)
		return fail(p, JSON_ERR_PARTIAL, start);
	if (s[1] != '\0' && strchr("\"\\/bfnrt", s[1]) != NULL) {
		p->pos += 2;
		return 0;
	}
	if ((u = read_u_escape(s, avail)) < 0)
		return fail(p, (int)u, u == JSON_ERR_PARTIAL ? start : p->pos);
	if (u >= 0xDC00 && u <= 0xDFFF)
		return fail(p, JSON_ERR_SURROGATE, p->pos);
	if (u >= 0xD800 && u <= 0xDBFF) {
		low = read_u_escape(s + 6, avail - 6);
		if (low == JSON_ERR_PARTIAL)
			return fail(p, JSON_ERR_PARTIAL, start);
		if (low < 0xDC00 || low > 0xDFFF)
			return fail(p, JSON_ERR_SURROGATE, p->pos);
		p->pos += 6;
	}
	p->pos += 6;
	return 0;
}

/*
 * string = '"' *char '"'
 * char = %x20-21 / %x23-5B / %x5D-10FFFF (as UTF-8) / escape
 */
static int
parse_string(struct parser *p, int parent)
{
	size_t start = p->pos;
	int i, n, err;

	if ((i = new_token(p, JSON_STRING, parent)) < 0)
		return i;
	p->pos++;
	for (;;) {
		if (at_end(p))
			return fail(p, JSON_ERR_PARTIAL, start);
		if (p->s[p->pos] == '"')
			break;
		if (p->s[p->pos] == '\\') {
			if ((err = parse_escape(p, start)) < 0)
				return err;
		} else if (p->s[p->pos] < 0x20)
			return fail(p, JSON_ERR_CONTROL, p->pos);
		else if (p->s[p->pos] < 0x80)
			p->pos++;
		else if ((n = utf8_length(p->s + p->pos, p->len - p->pos)) > 0)
			p->pos += n;
		else
			return fail(p, n < 0 ? JSON_ERR_PARTIAL : JSON_ERR_UTF8,
			    n < 0 ? start : p->pos);
	}
	p->tok[i].end = ++p->pos;
	return i;
}

/* Skip *DIGIT and return how many there were. */
static int
skip_digits(struct parser *p)
{
	int n = 0;

	while (!at_end(p) && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		p->pos++;
		n++;
	}
	return n;
}

/* 1*DIGIT, where the text may still be cut short. */
static int
need_digits(struct parser *p)
{
	if (skip_digits(p) > 0)
		return 0;
	return fail(p, at_end(p) ? JSON_ERR_PARTIAL : JSON_ERR_NUMBER,
	    at_end(p) ? p->len : p->pos);
}

/*
 * number = [ '-' ] int [ frac ] [ exp ]
 * int = '0' / %x31-39 *DIGIT;  frac = '.' 1*DIGIT
 * exp = ( 'e' / 'E' ) [ '-' / '+' ] 1*DIGIT
 */
static int
parse_number(struct parser *p, int parent)
{
	int i, err;

	if ((i = new_token(p, JSON_NUMBER, parent)) < 0)
		return i;
	if (p->s[p->pos] == '-')
		p->pos++;
	if (!at_end(p) && p->s[p->pos] == '0') {
		p->pos++;
		if (!at_end(p) && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			return fail(p, JSON_ERR_ZERO, p->pos - 1);
	} else if ((err = need_digits(p)) < 0)
		return err;
	if (!at_end(p) && p->s[p->pos] == '.') {
		p->pos++;
		if ((err = need_digits(p)) < 0)
			return err;
	}
	if (!at_end(p) && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (!at_end(p) && (p->s[p->pos] == '-' || p->s[p->pos] == '+'))
			p->pos++;
		if ((err = need_digits(p)) < 0)
			return err;
	}
	p->tok[i].end = p->pos;
	return i;
}

/* literal = "true" / "false" / "null" */
static int
parse_literal(struct parser *p, int parent, const char *word,
    enum json_type type)
{
	int i;

	if ((i = new_token(p, type, parent)) < 0)
		return i;
	for (; *word != '\0'; word++, p->pos++) {
		if (at_end(p))
			return fail(p, JSON_ERR_PARTIAL, p->len);
		if (p->s[p->pos] != (unsigned char)*word)
			return fail(p, JSON_ERR_CHAR, p->pos);
	}
	p->tok[i].end = p->pos;
	return i;
}

/*
 * object = '{' ws [ member *( ws ',' ws member ) ws ] '}'
 * member = string ws ':' ws value
 * array  = '[' ws [ value *( ws ',' ws value ) ws ] ']'
 */
static int
parse_container(struct parser *p, int parent, enum json_type type)
{
	size_t start = p->pos, comma = 0;
	int close = type == JSON_OBJECT ? '}' : ']';
	int i, key, err, owner;

	if (p->depth >= JSON_MAX_DEPTH)
		return fail(p, JSON_ERR_DEPTH, p->pos);
	if ((i = new_token(p, type, parent)) < 0)
		return i;
	p->depth++;
	p->pos++;
	for (;;) {
		skip_ws(p);
		if (at_end(p))
			return fail(p, JSON_ERR_PARTIAL, start);
		if (p->s[p->pos] == close) {
			if (p->tok[i].size > 0)
				return fail(p, JSON_ERR_COMMA, comma);
			break;
		}
		owner = i;
		if (type == JSON_OBJECT) {
			if (p->s[p->pos] != '"')
				return fail(p, JSON_ERR_KEY, p->pos);
			if ((key = parse_string(p, i)) < 0)
				return key;
			skip_ws(p);
			if (at_end(p))
				return fail(p, JSON_ERR_PARTIAL, start);
			if (p->s[p->pos] != ':')
				return fail(p, JSON_ERR_COLON, p->pos);
			p->pos++;
			p->tok[key].size = 1;
			owner = key;
			skip_ws(p);
			if (at_end(p))
				return fail(p, JSON_ERR_PARTIAL, start);
		}
		if ((err = parse_value(p, owner)) < 0)
			return err;
		p->tok[i].size++;
		skip_ws(p);
		if (at_end(p))
			return fail(p, JSON_ERR_PARTIAL, start);
		if (p->s[p->pos] == close)
			break;
		if (p->s[p->pos] != ',')
			return fail(p, type == JSON_OBJECT ? JSON_ERR_OBJECT :
			    JSON_ERR_ARRAY, p->pos);
		comma = p->pos++;
	}
	p->depth--;
	p->tok[i].end = ++p->pos;
	return i;
}

/* value = object / array / string / number / literal */
static int
parse_value(struct parser *p, int parent)
{
	int c;

	if (at_end(p))
		return fail(p, JSON_ERR_PARTIAL, p->len);
	c = p->s[p->pos];
	if (c == '{')
		return parse_container(p, parent, JSON_OBJECT);
	if (c == '[')
		return parse_container(p, parent, JSON_ARRAY);
	if (c == '"')
		return parse_string(p, parent);
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p, parent);
	if (c == 't')
		return parse_literal(p, parent, "true", JSON_TRUE);
	if (c == 'f')
		return parse_literal(p, parent, "false", JSON_FALSE);
	if (c == 'n')
		return parse_literal(p, parent, "null", JSON_NULL);
	return fail(p, JSON_ERR_CHAR, p->pos);
}

/* JSON-text = ws value ws */
int
json_parse(const char *text, size_t len, struct json_token *tok, int ntok,
    size_t *erroff)
{
	struct parser p;
	int err;

	memset(&p, 0, sizeof p);
	p.s = (const unsigned char *)text;
	p.len = len;
	p.tok = tok;
	p.ntok = ntok;
	skip_ws(&p);
	if ((err = parse_value(&p, -1)) >= 0) {
		skip_ws(&p);
		if (!at_end(&p))
			err = fail(&p, JSON_ERR_TRAILING, p.pos);
	}
	if (err < 0) {
		if (erroff != NULL)
			*erroff = p.erroff;
		return err;
	}
	return p.n;
}

const char *
json_strerror(int err)
{
	static const char *const msg[] = {
		"no error",
		"unexpected end of input",
		"too many tokens",
		"nesting too deep",
		"unexpected character",
		"expected a string as object key",
		"expected ':' after object key",
		"expected ',' or '}' after object member",
		"expected ',' or ']' after array element",
		"trailing comma",
		"invalid escape",
		"unpaired surrogate in \\u escape",
		"control character in string",
		"invalid UTF-8",
		"invalid number",
		"leading zero in number",
		"unexpected text after the JSON value"
	};

	if (err > 0 || -err >= (int)(sizeof msg / sizeof msg[0]))
		return "unknown error";
	return msg[-err];
}

void
json_error_message(char *buf, size_t size, int err, const char *text,
    size_t len, size_t off)
{
	int c = off < len ? (unsigned char)text[off] : -1;

	if (size == 0)
		return;
	if (err == JSON_ERR_PARTIAL && c == '"')
		snprintf(buf, size, "unterminated string");
	else if (err == JSON_ERR_PARTIAL && (c == '{' || c == '['))
		snprintf(buf, size, "unterminated %s",
		    c == '{' ? "object" : "array");
	else if (err == JSON_ERR_CHAR && c >= 0x20 && c < 0x7F)
		snprintf(buf, size, "unexpected character '%c'", c);
	else if (err == JSON_ERR_CHAR && c >= 0)
		snprintf(buf, size, "unexpected byte 0x%02x", (unsigned)c);
	else
		snprintf(buf, size, "%s", json_strerror(err));
}

/* Append code point u to buf as UTF-8; -1 if it and a NUL would not fit. */
static int
put_utf8(char *buf, size_t size, size_t *n, long u)
{
	int len = u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : 4;
	static const unsigned char lead[] = { 0, 0, 0xC0, 0xE0, 0xF0 };
	int i;

	if (*n + len + 1 > size)
		return -1;
	for (i = len - 1; i > 0; i--) {
		buf[*n + i] = (char)(0x80 | (u & 0x3F));
		u >>= 6;
	}
	buf[*n] = (char)(len == 1 ? u : lead[len] | u);
	*n += len;
	return 0;
}

int
json_string(const char *text, const struct json_token *t, char *buf,
    size_t size, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i, n = 0;
	long u;

	if (t->type != JSON_STRING || size == 0)
		return -1;
	/* The parser has checked the string; only the values matter here. */
	for (i = t->start + 1; i < t->end - 1; i++) {
		if (s[i] != '\\') {		/* a byte of valid UTF-8 */
			if (n + 2 > size)
				return -1;
			buf[n++] = (char)s[i];
			continue;
		}
		switch (s[++i]) {
		case 'b':
			u = '\b';
			break;
		case 'f':
			u = '\f';
			break;
		case 'n':
			u = '\n';
			break;
		case 'r':
			u = '\r';
			break;
		case 't':
			u = '\t';
			break;
		case 'u':
			u = read_u_escape(s + i - 1, 6);
			i += 4;
			if (u >= 0xD800 && u <= 0xDBFF) {	/* a pair */
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (read_u_escape(s + i + 1, 6) - 0xDC00);
				i += 6;
			}
			break;
		default:			/* '"', '\\' or '/' */
			u = s[i];
			break;
		}
		if (put_utf8(buf, size, &n, u) < 0)
			return -1;
	}
	buf[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return 0;
}

/* Write the escape \uXXXX of u at dst; returns 6. */
static size_t
put_u_escape(char *dst, unsigned u)
{
	static const char hex[] = "0123456789abcdef";

	dst[0] = '\\';
	dst[1] = 'u';
	dst[2] = hex[(u >> 12) & 0xF];
	dst[3] = hex[(u >> 8) & 0xF];
	dst[4] = hex[(u >> 4) & 0xF];
	dst[5] = hex[u & 0xF];
	return 6;
}

size_t
json_quote(char *dst, const char *src, size_t len)
{
	static const char short_esc[] = "btn?fr";	/* 0x08..0x0D; no \v */
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, n = 0;
	int u;

	dst[n++] = '"';
	while (i < len) {
		if (s[i] == '"' || s[i] == '\\') {
			dst[n++] = '\\';
			dst[n++] = (char)s[i++];
		} else if (s[i] >= 0x08 && s[i] <= 0x0D && s[i] != 0x0B) {
			dst[n++] = '\\';
			dst[n++] = short_esc[s[i++] - 0x08];
		} else if (s[i] < 0x20 || s[i] == 0x7F)
			n += put_u_escape(dst + n, s[i++]);
		else if (s[i] < 0x80)
			dst[n++] = (char)s[i++];
		else if ((u = utf8_length(s + i, len - i)) <= 0) {
			n += put_u_escape(dst + n, 0xFFFD);
			i++;
		} else if (s[i] == 0xC2 && s[i + 1] <= 0x9F) {
			n += put_u_escape(dst + n, s[i + 1]);
			i += 2;
		} else if (s[i] == 0xE2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			/* Line and paragraph separators end a JS string. */
			n += put_u_escape(dst + n, 0x2000 | (s[i + 2] - 0x80));
			i += 3;
		} else {
			memcpy(dst + n, s + i, (size_t)u);
			n += (size_t)u;
			i += (size_t)u;
		}
	}
	dst[n++] = '"';
	return n;
}

int
json_integer(const char *text, const struct json_token *t, long long *out)
{
	size_t i = t->start;
	long long v = 0;
	int neg, d;

	if (t->type != JSON_NUMBER)
		return -1;
	neg = text[i] == '-';
	i += neg;
	/* Accumulate negatively: -LLONG_MIN does not fit. */
	for (; i < t->end; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		d = text[i] - '0';
		if (v < (LLONG_MIN + d) / 10)
			return -1;
		v = v * 10 - d;
	}
	if (!neg) {
		if (v < -LLONG_MAX)
			return -1;
		v = -v;
	}
	*out = v;
	return 0;
}

int
json_skip(const struct json_token *tok, int i)
{
	int pending = 1;

	/* Each token is one owed; it brings its children with it. */
	while (pending > 0)
		pending += tok[i++].size - 1;
	return i;
}
