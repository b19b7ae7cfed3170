/* genops_bindings.h - what the language bindings share in C: the one attribute-list builder,
 * the option structs filled from attribute lists, the result structs turned into
 * attribute lists, and the status table. Compiled into each language module
 * (the files of bindings/common); language-neutral: no interpreter header here. */
#ifndef GENOPS_BINDINGS_H
#define GENOPS_BINDINGS_H

#include <stddef.h>

#include "genops.h"

/* ---- the attribute-list builder (attr_list.c) ------------------------------------- */

#define GENOPS_ATTR_LIST_INLINE_ITEMS 24
#define GENOPS_ATTR_LIST_INLINE_BYTES 512

/* A growable list of attributes for one native call, and the memory for the bytes it
 * points to that no interpreter owns (flattened keys, copied strings, arrays). Lives
 * where it is declared (a wrapper's local): it starts in its own inline storage and
 * grows onto the heap past the inline sizes, so it must not be copied or moved once
 * initialised. Everything is freed together by genops_attr_list_free. */
typedef struct genops_attr_list {
    genops_attribute *items;
    size_t count, cap;
    char *mem; /* bump allocator: inline_mem, then heap blocks */
    size_t mem_used, mem_cap;
    void **heap; /* heap blocks to free, a grown items array among them */
    size_t nheap, capheap;
    genops_attribute inline_items[GENOPS_ATTR_LIST_INLINE_ITEMS];
    _Alignas(16) char inline_mem[GENOPS_ATTR_LIST_INLINE_BYTES];
} genops_attr_list;

void genops_attr_list_init(genops_attr_list *l);

/* Free what l holds and make it empty again (initialised). */
void genops_attr_list_free(genops_attr_list *l);

/* n bytes, 8-aligned, owned by l; NULL when out of memory. */
void *genops_attr_list_alloc(genops_attr_list *l, size_t n);

/* A NUL-terminated copy of s[0..len) owned by l; NULL when out of memory. */
char *genops_attr_list_strdup(genops_attr_list *l, const char *s, size_t len);

/* "prefix.key", owned by l; NULL when out of memory. */
char *genops_attr_list_join(genops_attr_list *l, const char *prefix, const char *key);

/* Room for one more attribute, already counted; NULL when out of memory. */
genops_attribute *genops_attr_list_next(genops_attr_list *l);

/* Append key = v (key must outlive l). 1, or 0 when out of memory. */
int genops_attr_list_push(genops_attr_list *l, const char *key, genops_value v);

/* ---- option structs from attribute lists (options.c) ----------------------------- */

/* Fill *o from a list of its field names ({"service_name": "x", "max_queue_size":
 * 4096, ...}), after the struct's _init. Strings point into a, which must outlive the
 * call made with *o. A nested map (resource_attributes, headers) arrives flattened as
 * "<name>.<key>" and is gathered into nested (room for n) with the prefix stripped.
 * Unknown names, wrong types and out-of-range numbers are GENOPS_EINVAL naming the
 * field. The fields are the X-macro lists bindings/common (pipeline_, otlp_, hec_options.def). */
genops_status genops_bind_pipeline_options(genops_pipeline_options *o, const genops_attribute *a,
                                           size_t n, genops_attribute *nested, genops_error *err);
genops_status genops_bind_otlp_options(genops_otlp_options *o, const genops_attribute *a, size_t n,
                                       genops_attribute *nested, genops_error *err);
genops_status genops_bind_hec_options(genops_hec_options *o, const genops_attribute *a, size_t n,
                                      genops_attribute *nested, genops_error *err);

/* Room in res for the nested map items of an options list of n attributes; NULL with
 * GENOPS_ENOMEM in *err when out of memory. */
genops_status genops_bind_honeycomb_options(genops_honeycomb_options *o, const genops_attribute *a,
                                            size_t n, genops_attribute *nested, genops_error *err);
genops_status genops_bind_honeycomb_marker_options(genops_honeycomb_marker_options *o,
                                                   const genops_attribute *a, size_t n,
                                                   genops_attribute *nested, genops_error *err);
genops_attribute *genops_bind_nested(genops_attr_list *res, size_t n, genops_error *err);

/* ---- result structs as attribute lists (results.c) -------------------------------- */

/* The struct's fields as (name, value) pairs appended to l (names static, values
 * pointing into the struct, which must outlive l's use); each language turns the
 * list into its map. 1, or 0 when out of memory. The stats fields are the X-macro
 * lists bindings/common (pipeline_stats.def, hec_stats.def, exporter_stats.def). */
int genops_bind_stats_list(const genops_stats *s, genops_attr_list *l);
int genops_bind_hec_stats_list(const genops_hec_stats *s, genops_attr_list *l);
int genops_bind_exporter_stats_list(const genops_exporter_stats *s, genops_attr_list *l);
/* A budget's state (genops_budget_get) as its fields by name. */
int genops_bind_budget_state_list(const genops_budget_state *s, genops_attr_list *l);
/* A rate limit's bucket (genops_rate_limit_get) as its fields by name. */
int genops_bind_rate_limit_state_list(const genops_rate_limit_state *s, genops_attr_list *l);
/* The validation: its verdicts and round trips, errors and warnings as string lists,
 * each detail as "detail.<name>", and "report", the text for a person. */
int genops_bind_hec_validation_list(const genops_hec_validation *v, genops_attr_list *l);
int genops_bind_honeycomb_answer_list(const genops_honeycomb_answer *h, genops_attr_list *l);

/* ---- status codes (status.c, from core/src/status.def) --------------------------- */

/* "EINVAL" for GENOPS_EINVAL...; NULL for a code genops.h does not have. */
const char *genops_bind_status_name(genops_status code);

/* The name of the exception class for code ("ConfigError"...; "GenOpsError" for
 * GENOPS_OK); NULL for a code genops.h does not have. Python's classes have these
 * names (python/genops/_status.py is generated from the same list). */
const char *genops_bind_status_class(genops_status code);

#endif
