/*
 * ct: constant-time comparison and wiping.
 *
 * The contract is in include/ct.h.  Both tests fold every byte into one
 * accumulator with OR and turn it into a result by arithmetic alone, so the
 * loop runs to n whatever the data and no branch depends on where a
 * difference lies.  ct_wipe() calls memset through a volatile function
 * pointer, a call the compiler must keep even when the object is dead
 * right after.
 */
#include <stddef.h>
#include <string.h>

#include "ct.h"

/* 1 when d (at most 0xff) is zero, else 0, without a branch. */
static int
byte_is_zero(unsigned int d)
{
	/* d - 1 wraps to all ones only for d == 0; bit 8 then says so. */
	return (int)(1 & ((d - 1) >> 8));
}

int
ct_compare(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	unsigned int d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return byte_is_zero(d) - 1;
}

int
ct_is_zero(const void *p, size_t n)
{
	const unsigned char *x = p;
	unsigned int d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i];
	return byte_is_zero(d);
}

/*
 * memset through a volatile pointer to it: the compiler cannot know which
 * function it will call, so it cannot drop the call as a dead store, and
 * the C library's memset clears a block a word (or a vector) at a time.
 */
static void *(*volatile const wipe_fn)(void *, int, size_t) = memset;

void
ct_wipe(void *p, size_t n)
{
	wipe_fn(p, 0, n);
}
