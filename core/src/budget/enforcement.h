/* enforcement.h - what a budget or a rate limit does at its limit: "block" refuses the
 * operation (the caller raises), "warn" logs and lets it go on, "record" only counts. */
#ifndef GENOPS_BUDGET_ENFORCEMENT_H
#define GENOPS_BUDGET_ENFORCEMENT_H

#include <stdbool.h>
#include <string.h>

#include "genops.h"

enum enforcement { ENFORCE_RECORD, ENFORCE_WARN, ENFORCE_BLOCK };

static inline const char *enforcement_name(enum enforcement e)
{
    static const char *const names[] = {"record", "warn", "block"};
    return names[e];
}

/* The enforcement v names (a string), into *out; false when it names none. */
static inline bool enforcement_parse(const genops_value *v, enum enforcement *out)
{
    for (int e = ENFORCE_RECORD; v->type == GENOPS_TYPE_STRING && e <= ENFORCE_BLOCK; e++) {
        const char *name = enforcement_name((enum enforcement)e);
        if (v->len == strlen(name) && memcmp(v->u.s, name, v->len) == 0) {
            *out = (enum enforcement)e;
            return true;
        }
    }
    return false;
}

#endif
