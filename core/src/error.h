/* error.h - filling a caller's genops_error. */
#ifndef GENOPS_ERROR_H
#define GENOPS_ERROR_H

#include "genops.h"

/* Fill *err (when not NULL) with code and a printf-style message; returns code so that
 * callers can write `return error_set(err, GENOPS_EINVAL, "...")`. Any thread. */
genops_status error_set(genops_error *err, genops_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Mark *err (when not NULL) as success. */
void error_clear(genops_error *err);

#endif
