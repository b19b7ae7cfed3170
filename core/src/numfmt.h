/* numfmt.h - numbers as text, the same under every locale.
 *
 * Doubles are written as the shortest decimal that reads back to the same value, laid
 * out as Python's repr() does ("0.02", "100.0", "1e+16", "5e-324", "-0.0"): valid
 * JSON numbers. NaN and infinities, which attr_check refuses upstream, come out as
 * "NaN", "Infinity" and "-Infinity" (proto3 JSON's spellings; not JSON numbers). Pure;
 * any thread. */
#ifndef GENOPS_NUMFMT_H
#define GENOPS_NUMFMT_H

#include <stddef.h>

#define NUMFMT_DOUBLE_MAX 32

/* Write d to out (NUL-terminated); returns the length (at most 24). */
size_t numfmt_double(double d, char out[NUMFMT_DOUBLE_MAX]);

#endif
