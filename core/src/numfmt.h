/* numfmt.h - numbers as text, the same under every locale.
 *
 * Doubles are written as the shortest decimal that reads back to the same value
 * (JSON-compatible: no NaN or inf, which attr_check refuses upstream). Pure; any
 * thread. */
#ifndef GENOPS_NUMFMT_H
#define GENOPS_NUMFMT_H

#include <stddef.h>

#define NUMFMT_DOUBLE_MAX 32

/* Write d to out (NUL-terminated); returns the length. */
size_t numfmt_double(double d, char out[NUMFMT_DOUBLE_MAX]);

#endif
