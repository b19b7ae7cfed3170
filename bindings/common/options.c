/* options.c - option structs from attribute lists, one field table per struct, each
 * made from its X-macro list (pipeline_options.def, otlp_options.def, hec_options.def,
 * honeycomb_options.def, honeycomb_marker_options.def) so that
 * genops.h, these tables and the Python stubs cannot drift apart (tools/gen_bindings.py --check).
 */
#include "genops_bindings.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

enum kind { STRING, UINT32, UINT64, DURATION, BOOL, DOUBLE, ENUM, MAP, STRING_MAP, STRING_LIST };

struct field {
    const char *name;
    size_t offset;
    size_t count_offset; /* MAP, STRING_MAP, STRING_LIST: where the item count goes */
    enum kind kind;
    const char *const *names; /* ENUM: the values' names, index = value */
};

/* Each enum's names, "" standing for its DEFAULT (0). */
#define GENOPS_OPTION_NAMES(table, ...)                                                            \
    static const char *const table##_names[] = {"", __VA_ARGS__, NULL};
#include "option_enums.def"
#undef GENOPS_OPTION_NAMES

/* The .def lines as table rows of the struct named OPTION_STRUCT. */
#define GENOPS_OPTION(field, kind) {#field, offsetof(OPTION_STRUCT, field), 0, kind, NULL},
#define GENOPS_OPTION_ENUM(field, table)                                                           \
    {#field, offsetof(OPTION_STRUCT, field), 0, ENUM, table##_names},
#define GENOPS_OPTION_COUNTED(field, count, kind)                                                  \
    {#field, offsetof(OPTION_STRUCT, field), offsetof(OPTION_STRUCT, count), kind, NULL},

#define OPTION_STRUCT genops_pipeline_options
static const struct field pipeline_fields[] = {
#include "pipeline_options.def"
};
#undef OPTION_STRUCT

#define OPTION_STRUCT genops_otlp_options
static const struct field otlp_fields[] = {
#include "otlp_options.def"
};
#undef OPTION_STRUCT

#define OPTION_STRUCT genops_hec_options
static const struct field hec_fields[] = {
#include "hec_options.def"
};
#undef OPTION_STRUCT

#define OPTION_STRUCT genops_honeycomb_options
static const struct field honeycomb_fields[] = {
#include "honeycomb_options.def"
};
#undef OPTION_STRUCT

#define OPTION_STRUCT genops_honeycomb_marker_options
static const struct field honeycomb_marker_fields[] = {
#include "honeycomb_marker_options.def"
};
#undef OPTION_STRUCT

#undef GENOPS_OPTION
#undef GENOPS_OPTION_ENUM
#undef GENOPS_OPTION_COUNTED

static genops_status option_error(genops_error *err, const char *what, const char *key,
                                  const char *problem)
{
    if (err) {
        err->code = GENOPS_EINVAL;
        snprintf(err->message, sizeof err->message, "%s option '%.64s' %s", what, key, problem);
    }
    return GENOPS_EINVAL;
}

/* The struct's nested map field (at most one per struct), or NULL. */
static const struct field *map_field(const struct field *fields, size_t nfields)
{
    for (size_t f = 0; f < nfields; f++)
        if (fields[f].kind == MAP || fields[f].kind == STRING_MAP)
            return &fields[f];
    return NULL;
}

/* Store v into the field at `at`; NULL, or what is wrong with v. */
static const char *store(void *o, const struct field *f, const genops_value *v)
{
    char *at = (char *)o + f->offset;
    int64_t x = v->u.i;
    switch (f->kind) {
    case STRING:
        if (v->type != GENOPS_TYPE_STRING)
            return "must be a string";
        *(const char **)at = v->u.s;
        return NULL;
    case BOOL:
        if (v->type != GENOPS_TYPE_BOOL)
            return "must be true or false";
        *(bool *)at = v->u.b;
        return NULL;
    case DOUBLE: /* an integer is a number too (Python's 1 for 1.0) */
        if (v->type != GENOPS_TYPE_DOUBLE && v->type != GENOPS_TYPE_INT)
            return "must be a number";
        *(double *)at = v->type == GENOPS_TYPE_INT ? (double)v->u.i : v->u.d;
        return NULL;
    case STRING_LIST:
        if (v->type != GENOPS_TYPE_STRING_ARRAY)
            return "must be a list of strings";
        *(const char *const **)at = v->u.sa;
        *(size_t *)((char *)o + f->count_offset) = v->len;
        return NULL;
    case ENUM:
        for (int j = 1; v->type == GENOPS_TYPE_STRING && f->names[j]; j++)
            if (strcmp(v->u.s, f->names[j]) == 0) {
                *(int *)at = j;
                return NULL;
            }
        return "has an unknown value";
    case MAP:
    case STRING_MAP: return "must be a map";
    case UINT32:
    case UINT64:
    case DURATION: break;
    }
    if (v->type != GENOPS_TYPE_INT)
        return "must be an integer";
    if ((f->kind == UINT32 && (x < 0 || x > (int64_t)UINT32_MAX)) || (f->kind == UINT64 && x < 0) ||
        (f->kind == DURATION && (x < INT32_MIN || x > INT32_MAX)))
        return "is out of range";
    if (f->kind == UINT32)
        *(uint32_t *)at = (uint32_t)x;
    else if (f->kind == UINT64)
        *(uint64_t *)at = (uint64_t)x;
    else
        *(genops_duration_ms *)at = (genops_duration_ms)x;
    return NULL;
}

static genops_status fill(void *o, const struct field *fields, size_t nfields, const char *what,
                          const genops_attribute *a, size_t n, genops_attribute *nested,
                          genops_error *err)
{
    const struct field *mf = map_field(fields, nfields);
    size_t plen = mf ? strlen(mf->name) : 0, nnested = 0;

    for (size_t i = 0; i < n; i++) {
        const char *k = a[i].key;
        const genops_value *v = &a[i].value;
        if (v->type == GENOPS_TYPE_NULL)
            continue; /* None / nil: the default */
        /* A C string ends at a NUL: a value with one inside would be cut short, silently. */
        bool nul = v->type == GENOPS_TYPE_STRING && v->u.s && memchr(v->u.s, '\0', v->len);
        if (mf && strncmp(k, mf->name, plen) == 0 && k[plen] == '.') {
            /* Named by the map only: a header name may be a pasted credential. */
            if (mf->kind == STRING_MAP && (v->type != GENOPS_TYPE_STRING || nul))
                return option_error(err, what, mf->name,
                                    "values must be strings without NUL characters");
            nested[nnested] = a[i];
            nested[nnested++].key = k + plen + 1;
            continue;
        }
        size_t f;
        for (f = 0; f < nfields && strcmp(k, fields[f].name) != 0; f++)
            ;
        if (f == nfields)
            return option_error(err, what, k, "is unknown (genops.h lists the options)");
        const char *problem = nul ? "contains a NUL character" : store(o, &fields[f], v);
        if (problem)
            return option_error(err, what, k, problem);
    }
    if (mf) {
        *(const genops_attribute **)((char *)o + mf->offset) = nnested ? nested : NULL;
        *(size_t *)((char *)o + mf->count_offset) = nnested;
    }
    return GENOPS_OK;
}

genops_attribute *genops_bind_nested(genops_attr_list *res, size_t n, genops_error *err)
{
    genops_attribute *nested =
        (genops_attribute *)genops_attr_list_alloc(res, (n + 1) * sizeof *nested);
    if (!nested && err) {
        err->code = GENOPS_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
    }
    return nested;
}

#define FIELD_COUNT(table) (sizeof table / sizeof table[0])

genops_status genops_bind_pipeline_options(genops_pipeline_options *o, const genops_attribute *a,
                                           size_t n, genops_attribute *nested, genops_error *err)
{
    genops_pipeline_options_init(o);
    return fill(o, pipeline_fields, FIELD_COUNT(pipeline_fields), "pipeline", a, n, nested, err);
}

genops_status genops_bind_otlp_options(genops_otlp_options *o, const genops_attribute *a, size_t n,
                                       genops_attribute *nested, genops_error *err)
{
    genops_otlp_options_init(o);
    return fill(o, otlp_fields, FIELD_COUNT(otlp_fields), "OTLP", a, n, nested, err);
}

genops_status genops_bind_hec_options(genops_hec_options *o, const genops_attribute *a, size_t n,
                                      genops_attribute *nested, genops_error *err)
{
    genops_hec_options_init(o);
    return fill(o, hec_fields, FIELD_COUNT(hec_fields), "Splunk HEC", a, n, nested, err);
}

genops_status genops_bind_honeycomb_options(genops_honeycomb_options *o, const genops_attribute *a,
                                            size_t n, genops_attribute *nested, genops_error *err)
{
    genops_honeycomb_options_init(o);
    return fill(o, honeycomb_fields, FIELD_COUNT(honeycomb_fields), "Honeycomb", a, n, nested, err);
}

genops_status genops_bind_honeycomb_marker_options(genops_honeycomb_marker_options *o,
                                                   const genops_attribute *a, size_t n,
                                                   genops_attribute *nested, genops_error *err)
{
    memset(o, 0, sizeof *o); /* no _init in the API: a marker has no defaults to set */
    o->struct_size = sizeof *o;
    return fill(o, honeycomb_marker_fields, FIELD_COUNT(honeycomb_marker_fields),
                "Honeycomb marker", a, n, nested, err);
}
