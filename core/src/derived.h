/* derived.h - the names GenOps' guides query, derived from what the recorders wrote
 * (the GENOPS_DERIVED table of semconv.def). Computed on the export thread, once per
 * span and encoder, into a small struct on the encoder's stack: nothing is stored on
 * the span, and the application thread never pays for it. Every encoder writes the
 * result after the span's own attributes. */
#ifndef GENOPS_DERIVED_H
#define GENOPS_DERIVED_H

#include "attr.h"
#include "span.h"

enum {
    DERIVED_MAX = 16,       /* more than the table has: a family yields one name */
    DERIVED_METRIC_MAX = 64 /* genops.eval.<metric>: a longer metric gets no name */
};

struct derived {
    uint32_t count;
    struct attr items[DERIVED_MAX];
    char metric_key[sizeof "genops.eval." + DERIVED_METRIC_MAX];
};

/* Whether metric (a genops.eval.metric value) can name genops.eval.<metric>: a string
 * of letters, digits and '_', at most DERIVED_METRIC_MAX bytes. */
bool derived_plain_metric(const genops_value *metric);

/* The derived attributes of s into *out: each name of the table whose source s has
 * and whose name s does not have itself. With on false, none. Values point into s
 * (or into *out), so *out lives no longer than s and is not copied. */
void derive(const struct span *s, bool on, struct derived *out);

#endif
