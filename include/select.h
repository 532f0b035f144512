/*
 * select: which peers a selector names, as a list of items.
 *
 * The selector is the word after '@' in "@<selector> <command>" (and the
 * <selector> of "gather").  It is a comma-separated list of items, each
 * one of:
 *
 *	*		ALL: every peer
 *	@name		GROUP: the peers of a group (name as for a node)
 *	12		INDEX: the peer of that index
 *	3-7		RANGE: indexes 3 to 7 (3 <= 7)
 *	web-*, 10.0.?.1:*	GLOB: peers whose name or address matches
 *	[::1]:14595	ADDR: a bracketed IPv6 address stays an address
 *	host:port	ADDR: anything else with a ':'
 *	alpha		NAME: anything else
 *
 * select_parse() only says what each item is; table.c and its callers
 * decide which peers are meant.  Pure: no I/O, no allocation; items point
 * into the caller's selector.
 */
#ifndef KAIPEER_SELECT_H
#define KAIPEER_SELECT_H

#include <stddef.h>

enum select_kind {
	SELECT_INDEX,
	SELECT_RANGE,
	SELECT_NAME,
	SELECT_ADDR,
	SELECT_ALL,
	SELECT_GLOB,
	SELECT_GROUP
};

/*
 * text[0..len) is the item as written, except for a GROUP, where it is the
 * name without its '@'.  lo and hi are the indexes of an INDEX (lo == hi)
 * or a RANGE, and -1 for the other kinds.
 */
struct select_item {
	enum select_kind kind;
	const char	*text;
	size_t		 len;
	int		 lo, hi;
};

#define SELECT_MAX_ITEMS	256	/* a sensible max for select_parse() */
#define SELECT_MAX_INDEX	999999999	/* larger is "index too large" */

/*
 * Parse sel[0..len) into items[0..max).  Returns the number of items
 * (at least 1), or -1 with err (NUL-terminated, truncated to errsize)
 * saying why: "empty selector", "empty item in selector 'a,,b'", "more
 * than 256 items in selector", "index too large", "bad range 5-3", "bad
 * group name 'x/y'".  Commas always separate, even in a glob's class.
 */
int	select_parse(const char *sel, size_t len, struct select_item *items,
	    int max, char *err, size_t errsize);

/*
 * Does s[0..slen) match the glob pat[0..plen)?  Returns 1 or 0.  '*'
 * matches any run of bytes, '?' one byte, "[abc]", "[a-z]", "[!a-z]" and
 * "[^a-z]" one byte of (or not of) a class, in which a ']' right after
 * '[' (or '[!') is a member; '\' makes the byte after it literal, in a
 * class too.  A '[' without its ']' is a literal '['.  POSIX's "[:alpha:]",
 * "[.x.]" and "[=x=]" are not known: in a class their bytes are members.  Bytes compare as
 * unsigned, with no locale.  Time is O(plen * slen) at worst: a mismatch
 * backs up to the last '*' only, never further.
 */
int	select_glob(const char *pat, size_t plen, const char *s, size_t slen);

/*
 * May items[0..n) select more than one peer?  1 when n > 1 or an item
 * is a RANGE, ALL, GLOB or GROUP (even one that happens to name a single
 * peer), else 0.
 */
int	select_is_multi(const struct select_item *items, int n);

/*
 * May name[0..len) be a node's (or a group's) name?  Not empty, no
 * control byte, none of ":,*?[]/@", not all digits (or digits-digits),
 * and not a dotted number like an IPv4 address: a name must never shadow
 * an index, a range, an address or a selector.  console_name_ok() is
 * this.
 */
int	select_name_ok(const char *name, size_t len);

#endif
