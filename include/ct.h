/*
 * ct: the two helpers every piece of secret-handling code needs: compare
 * without leaking where the first difference is, and wipe a secret so that
 * the compiler cannot drop the stores.
 */
#ifndef KAIPEER_CT_H
#define KAIPEER_CT_H

#include <stddef.h>

/* 0 when a[0..n) equals b[0..n), -1 otherwise, in time that depends on n
 * alone. */
int	ct_compare(const void *a, const void *b, size_t n);

/* 1 when p[0..n) is all zero, else 0, in time that depends on n alone. */
int	ct_is_zero(const void *p, size_t n);

/* Overwrite p[0..n) with zeros: memset called through a volatile
 * function pointer, a call no compiler may drop as a dead store. */
void	ct_wipe(void *p, size_t n);

#endif
