/* semconv.h - C names for the genops.* attributes of semconv.def.
 *
 * SEMCONV_COST_TOTAL is "genops.cost.total", SEMCONV_COST_TOTAL_LEN its length. */
#ifndef GENOPS_SEMCONV_H
#define GENOPS_SEMCONV_H

#define GENOPS_ATTR(id, name, type, group, doc)                                                    \
    static const char SEMCONV_##id[] __attribute__((unused)) = name;                               \
    enum { SEMCONV_##id##_LEN = sizeof(name) - 1 };
#define GENOPS_PREFIX(id, prefix, group, doc) GENOPS_ATTR(id, prefix, string, group, doc)
#define GENOPS_DERIVED(id, name, type, rule, source, guides, doc)                                  \
    GENOPS_ATTR(id, name, type, derived, doc)
#include "semconv.def"
#undef GENOPS_ATTR
#undef GENOPS_PREFIX
#undef GENOPS_DERIVED

/* A name and its length, as two arguments: span_put_fixed(s, SEMCONV_KEY(COST_TOTAL), ...). */
#define SEMCONV_KEY(id) SEMCONV_##id, (size_t)SEMCONV_##id##_LEN

#endif
