/*
 * calc: a recursive-descent evaluator for arithmetic expressions.
 *
 * Pure: it reads a buffer, writes into memory the caller owns, allocates
 * nothing, does no I/O and never exits.  Integers stay exact 64-bit values
 * while every operand is an integer and the operation stays integral; an
 * operation that would overflow is an error, never a wrong number.  Anything
 * else is computed in doubles and printed in the shortest form that reads
 * back to the same value.  Nesting is bounded by CALC_MAX_DEPTH.
 */
#ifndef KAIPEER_CALC_H
#define KAIPEER_CALC_H

#include <stddef.h>

#define CALC_MAX_DEPTH 256	/* deepest nesting of '(' and unary operators */

/*
 * Evaluate the expression expr[0..len).  On success returns 0 and writes the
 * result ("3", "3.5", "-4611686018427387904") into out, NUL-terminated.  On
 * failure returns -1 and writes the reason into out, without any "Error: "
 * prefix: "division by zero", "integer overflow",
 * "unexpected ')' at position 4".  Positions are 1-based byte offsets into
 * expr.  out is always NUL-terminated when outsize > 0 (truncated if short).
 */
int	calc_eval(const char *expr, size_t len, char *out, size_t outsize);

#endif
