/* attr.c - see attr.h. */
#include "attr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf8.h"

uint32_t attr_hash_short(const char *key, size_t len)
{
    uint64_t word = 0;
    if (len >= 4) { /* two overlapping 4-byte loads */
        uint32_t a, b;
        memcpy(&a, key, 4);
        memcpy(&b, key + len - 4, 4);
        word = (uint64_t)a | (uint64_t)b << 32;
    } else {
        for (size_t i = 0; i < len; i++)
            word |= (uint64_t)(unsigned char)key[i] << (8 * i);
    }
    uint64_t h = (word * 0x9E3779B97F4A7C15ull) ^ (word * 0xC2B2AE3D27D4EB4Full) ^ len;
    return (uint32_t)(h ^ (h >> 32));
}

genops_status attr_list_missing(size_t count, genops_error *err)
{
    return error_set(err, GENOPS_EINVAL, "attribute list is NULL but count is %zu", count);
}

genops_status attr_check_slow(const char *key, const genops_value *v, genops_error *err)
{
    if (!key || !*key)
        return error_set(err, GENOPS_EINVAL, "attribute key is NULL or empty");
    if (!v)
        return error_set(err, GENOPS_EINVAL, "attribute '%.64s' has a NULL value pointer", key);
    switch (v->type) {
    case GENOPS_TYPE_NULL:
    case GENOPS_TYPE_INT:
    case GENOPS_TYPE_BOOL: return GENOPS_OK;
    case GENOPS_TYPE_DOUBLE:
        if (!isfinite(v->u.d))
            return error_set(err, GENOPS_EINVAL,
                             "attribute '%.64s' is %s; only finite numbers "
                             "are recorded",
                             key, isnan(v->u.d) ? "NaN" : "infinite");
        return GENOPS_OK;
    case GENOPS_TYPE_STRING:
        if (!v->u.s && v->len)
            return error_set(err, GENOPS_EINVAL, "attribute '%.64s' has a NULL string", key);
        return GENOPS_OK;
    case GENOPS_TYPE_STRING_ARRAY:
    case GENOPS_TYPE_INT_ARRAY:
    case GENOPS_TYPE_DOUBLE_ARRAY:
    case GENOPS_TYPE_BOOL_ARRAY:
        if (v->len && !v->u.sa)
            return error_set(err, GENOPS_EINVAL, "attribute '%.64s' has a NULL array", key);
        for (size_t i = 0; i < v->len; i++) {
            if (v->type == GENOPS_TYPE_STRING_ARRAY && !v->u.sa[i])
                return error_set(err, GENOPS_EINVAL, "attribute '%.64s' item %zu is NULL", key, i);
            if (v->type == GENOPS_TYPE_DOUBLE_ARRAY && !isfinite(v->u.da[i]))
                return error_set(err, GENOPS_EINVAL,
                                 "attribute '%.64s' item %zu is not a finite number", key, i);
        }
        return GENOPS_OK;
    }
    return error_set(err, GENOPS_EINVAL, "attribute '%.64s' has unknown type %d", key,
                     (int)v->type);
}

const char *attr_copy_text(struct arena *a, const char *s, size_t len, uint32_t *out_len)
{
    if (len > UINT32_MAX - 1)
        return NULL;
    char *p = arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    /* Copy and look for non-ASCII bytes in the same pass: nearly all keys and values are
     * ASCII, and for them this is the only pass. */
    bool ascii = attr_copy_ascii(p, s, len);
    p[len] = '\0';
    *out_len = (uint32_t)len;
    if (ascii || utf8_valid_prefix(s, len) == len)
        return p;
    /* Invalid UTF-8 (rare): write the repaired text instead; the first copy is left
     * unused in the arena. */
    size_t n = utf8_repaired_len(s, len);
    if (n > UINT32_MAX - 1 || !(p = arena_alloc(a, n + 1)))
        return NULL;
    utf8_repair(p, s, len);
    p[n] = '\0';
    *out_len = (uint32_t)n;
    return p;
}

/* Copy one string, repaired and cut to limit characters. */
static const char *copy_limited(struct arena *a, const char *s, size_t len, uint32_t limit,
                                uint32_t *out_len, uint32_t *truncated)
{
    const char *p = attr_copy_text(a, s, len, out_len);
    if (p && limit != UINT32_MAX && *out_len > limit) {
        size_t cut = utf8_prefix_chars(p, *out_len, limit);
        if (cut < *out_len) {
            ((char *)p)[cut] = '\0';
            *out_len = (uint32_t)cut;
            (*truncated)++;
        }
    }
    return p;
}

genops_status attr_copy_value(struct arena *a, const genops_value *v, uint32_t length_limit,
                              genops_value *out, uint32_t *truncated)
{
    uint32_t n = 0;
    size_t item;

    *out = *v;
    switch (v->type) {
    case GENOPS_TYPE_STRING:
        out->u.s = copy_limited(a, v->len ? v->u.s : "", v->len, length_limit, &n, truncated);
        out->len = n;
        return out->u.s ? GENOPS_OK : GENOPS_ETOOBIG;
    case GENOPS_TYPE_STRING_ARRAY: {
        if (v->len > SIZE_MAX / sizeof(const char *))
            return GENOPS_ETOOBIG;
        const char **items = v->len ? arena_alloc(a, v->len * sizeof *items) : NULL;
        if (v->len && !items)
            return GENOPS_ETOOBIG;
        for (size_t i = 0; i < v->len; i++) {
            items[i] = copy_limited(a, v->u.sa[i], strlen(v->u.sa[i]), length_limit, &n, truncated);
            if (!items[i])
                return GENOPS_ETOOBIG;
        }
        out->u.sa = items;
        return GENOPS_OK;
    }
    case GENOPS_TYPE_INT_ARRAY: item = sizeof(int64_t); break;
    case GENOPS_TYPE_DOUBLE_ARRAY: item = sizeof(double); break;
    case GENOPS_TYPE_BOOL_ARRAY: item = sizeof(bool); break;
    default: return GENOPS_OK; /* scalars are copied by value */
    }
    if (v->len > SIZE_MAX / item)
        return GENOPS_ETOOBIG;
    void *copy = v->len ? arena_alloc(a, v->len * item) : NULL;
    if (v->len && !copy)
        return GENOPS_ETOOBIG;
    if (v->len)
        memcpy(copy, v->u.ia, v->len * item);
    out->u.ia = copy;
    return GENOPS_OK;
}

int32_t attr_list_find(const struct attr_list *l, const char *key, size_t len, uint32_t hash)
{
    for (uint32_t i = 0; i < l->count; i++) {
        const struct attr *e = &l->items[i];
        if (e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0)
            return (int32_t)i;
    }
    return -1;
}

bool attr_list_grow_slow(struct attr_list *l)
{
    uint32_t cap = l->cap ? l->cap * 2 : 16;
    struct attr *p = realloc(l->items, cap * sizeof *p);
    if (!p)
        return false;
    l->items = p;
    l->cap = cap;
    return true;
}

void attr_list_free(struct attr_list *l)
{
    free(l->items);
    memset(l, 0, sizeof *l);
}
