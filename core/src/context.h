/* context.h - immutable attribute snapshots (genops_context) and the global defaults.
 *
 * A snapshot never changes after it is built, so any thread may read it while it holds
 * a reference. Besides each attribute's key it keeps the "genops."-prefixed key that an
 * operation span uses, built once here rather than per span. */
#ifndef GENOPS_CONTEXT_H
#define GENOPS_CONTEXT_H

#include <stdatomic.h>

#include "attr.h"

struct genops_context {
    atomic_uint refs;
    bool is_static;         /* the empty snapshot: never freed */
    struct attr_list attrs; /* keys as given */
    const char **op_keys;   /* op_keys[i] = "genops." + attrs.items[i].key */
    uint32_t *op_key_lens;
    struct arena arena;
};

#endif
