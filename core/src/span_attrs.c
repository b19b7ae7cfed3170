/* span_attrs.c - a span's attributes: setting one (span_put, span_put_fixed and the
 * genops_span_set* calls), the key filter that makes a new key cheap to recognise, and
 * the merge of inherited attributes (span_materialize) on the export thread.
 *
 * Setting an attribute hashes the key in O(1) (attr_hash) and tests the span's key
 * filter; the list is scanned only when the filter says the key may be there. A new
 * key is copied into the same arena allocation as a string value; scalars are stored
 * by value; fixed semconv names are not copied at all. */
#include <string.h>

#include "context.h"
#include "error.h"
#include "span.h"
#include "utf8.h"

/* prefix + key copied into s's arena as valid UTF-8 (repaired if it was not); NULL
 * when the arena is full. */
static const char *copy_prefixed_key(struct span *s, const char *prefix, size_t prefix_len,
                                     const char *key, size_t klen, size_t *out_len)
{
    if (klen > UINT32_MAX - 1 - prefix_len)
        return NULL;
    char *k = arena_alloc(&s->arena, prefix_len + klen + 1);
    if (!k)
        return NULL;
    memcpy(k, prefix, prefix_len);
    bool ascii = attr_copy_ascii(k + prefix_len, key, klen);
    k[prefix_len + klen] = '\0';
    *out_len = prefix_len + klen;
    if (!ascii && utf8_valid_prefix(key, klen) != klen) {
        uint32_t fixed_len;
        const char *fixed = attr_copy_text(&s->arena, key, klen, &fixed_len);
        if (!fixed || !(k = arena_alloc(&s->arena, prefix_len + fixed_len + 1)))
            return NULL;
        memcpy(k, prefix, prefix_len);
        memcpy(k + prefix_len, fixed, fixed_len + 1);
        *out_len = prefix_len + fixed_len;
    }
    return k;
}

/* The span's key filter: a blocked Bloom filter, two bits per key in one of its words.
 * A clear bit means "a new key" without scanning the list; with 20 keys a scan is
 * needed about once in 100 lookups. */
static inline uint64_t filter_mask(uint32_t hash)
{
    return 1ull << ((hash >> 3) & 63) | 1ull << ((hash >> 9) & 63);
}

static inline bool filter_may_have(const uint64_t *filter, uint32_t hash)
{
    uint64_t mask = filter_mask(hash);
    return (filter[hash % (SPAN_KEY_FILTER_BITS / 64)] & mask) == mask;
}

static inline void filter_add(uint64_t *filter, uint32_t hash)
{
    filter[hash % (SPAN_KEY_FILTER_BITS / 64)] |= filter_mask(hash);
}

/* Set prefix + key (klen bytes) to v. A static key (a semconv name: valid, and alive as
 * long as the program) is stored without a copy. An unprefixed key is looked up before
 * it is copied, and a new one is copied into the same arena allocation as its value. */
static inline __attribute__((always_inline)) genops_status
put_key(struct span *s, const char *prefix, size_t prefix_len, const char *key, size_t klen,
        bool static_key, const genops_value *v, genops_error *err)
{
    if (v->type == GENOPS_TYPE_NULL)
        return GENOPS_OK;

    const char *full = key; /* the key as it will be stored */
    size_t flen = klen;
    bool kept = static_key;
    if (klen >= UINT32_MAX)
        goto too_big;
    if (prefix_len && !static_key) {
        /* Prefixed keys (an operation's own attributes, the recorders' other arguments)
         * are nearly always new: build prefix + key now, and hash it whole. */
        if (!(full = copy_prefixed_key(s, prefix, prefix_len, key, klen, &flen)))
            goto too_big;
        kept = true;
    }
    uint32_t hash = attr_hash(full, flen);
    int32_t at =
        filter_may_have(s->key_filter, hash) ? attr_list_find(&s->attrs, full, flen, hash) : -1;
    if (at < 0 && s->attrs.count >= s->limits.attributes) {
        s->dropped_attributes++;
        return GENOPS_OK;
    }
    bool copy_key = at < 0 && !kept;
    size_t key_room = copy_key ? klen + 1 : 0;
    char *room = NULL; /* key_room bytes for the key, then the value's text */
    genops_value value;
    if (v->type == GENOPS_TYPE_STRING && s->limits.value_length == UINT32_MAX &&
        v->len < UINT32_MAX && (room = arena_alloc(&s->arena, key_room + v->len + 1)) &&
        (v->len == 0 || attr_copy_ascii(room + key_room, v->u.s, v->len))) {
        /* The common case inline: an ASCII string and no length limit. */
        char *text = room + key_room;
        text[v->len] = '\0';
        value = (genops_value){.type = GENOPS_TYPE_STRING, .len = v->len, .u.s = text};
    } else if (v->type == GENOPS_TYPE_INT || v->type == GENOPS_TYPE_DOUBLE ||
               v->type == GENOPS_TYPE_BOOL) {
        value = *v; /* a scalar: copied by value */
    } else if (attr_copy_value(&s->arena, v, s->limits.value_length, &value,
                               &s->truncated_values)) {
        goto too_big;
    }
    if (copy_key) {
        char *k = room ? room : arena_alloc(&s->arena, key_room);
        if (!k)
            goto too_big;
        if (attr_copy_ascii(k, key, klen) || utf8_valid_prefix(key, klen) == klen) {
            k[klen] = '\0';
            full = k;
        } else {
            /* Invalid UTF-8 (rare): the repaired key may already be present. */
            uint32_t fixed_len;
            if (!(full = attr_copy_text(&s->arena, key, klen, &fixed_len)))
                goto too_big;
            flen = fixed_len;
            hash = attr_hash(full, flen);
            at = attr_list_find(&s->attrs, full, flen, hash);
        }
    }
    if (at >= 0) {
        s->attrs.items[at].value = value;
        return GENOPS_OK;
    }
    if (!attr_list_grow(&s->attrs))
        return error_set(err, GENOPS_ENOMEM, "out of memory setting '%.64s'", key);
    struct attr *e = &s->attrs.items[s->attrs.count++];
    e->key = full;
    e->key_len = (uint32_t)flen;
    e->hash = hash;
    e->value = value;
    filter_add(s->key_filter, hash);
    return GENOPS_OK;

too_big:
    s->dropped_attributes++;
    return error_set(err, GENOPS_ETOOBIG,
                     "span holds more than %zu bytes; attribute '%.64s%.64s' dropped",
                     s->limits.bytes, prefix, key);
}

const genops_value *span_get(const struct span *s, const char *key, size_t len)
{
    uint32_t hash = attr_hash(key, len);
    int32_t at =
        filter_may_have(s->key_filter, hash) ? attr_list_find(&s->attrs, key, len, hash) : -1;
    return at < 0 ? NULL : &s->attrs.items[at].value;
}

genops_status span_put(struct span *s, const char *prefix, size_t prefix_len, const char *key,
                       const genops_value *v, genops_error *err)
{
    return put_key(s, prefix, prefix_len, key, strlen(key), false, v, err);
}

genops_status span_put_fixed(struct span *s, const char *key, size_t key_len, const genops_value *v,
                             genops_error *err)
{
    return put_key(s, "", 0, key, key_len, true, v, err);
}

genops_status genops_span_set(genops_span h, const char *key, const genops_value *value,
                              genops_error *err)
{
    struct span *s = span_lookup(h);
    if (!s)
        return span_stale(err, h);
    genops_status rc = attr_check(key, value, err);
    return rc ? rc : span_put(s, "", 0, key, value, err);
}

genops_status genops_span_set_attributes(genops_span h, const genops_attribute *attrs, size_t count,
                                         genops_error *err)
{
    struct span *s = span_lookup(h);
    if (!s)
        return span_stale(err, h);
    /* Check everything first, so that a bad list sets nothing. */
    genops_status rc = attr_check_all(attrs, count, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < count && !rc; i++)
        rc = put_key(s, "", 0, attrs[i].key, strlen(attrs[i].key), false, &attrs[i].value, err);
    return rc;
}

void genops_span_count_dropped_attributes(genops_span h, uint32_t n)
{
    struct span *s = n ? span_lookup(h) : NULL;
    if (!s)
        return;
    s->dropped_attributes += n;
    s->sink->ops->dropped_values(s->sink, n);
}

genops_status genops_span_set_str(genops_span h, const char *key, const char *value,
                                  genops_error *err)
{
    if (!value)
        return error_set(err, GENOPS_EINVAL, "value of '%.64s' is NULL", key ? key : "(null)");
    genops_value v = {.type = GENOPS_TYPE_STRING, .len = strlen(value), .u.s = value};
    return genops_span_set(h, key, &v, err);
}

genops_status genops_span_set_int(genops_span h, const char *key, int64_t value, genops_error *err)
{
    genops_value v = {.type = GENOPS_TYPE_INT, .u.i = value};
    return genops_span_set(h, key, &v, err);
}

genops_status genops_span_set_double(genops_span h, const char *key, double value,
                                     genops_error *err)
{
    genops_value v = {.type = GENOPS_TYPE_DOUBLE, .u.d = value};
    return genops_span_set(h, key, &v, err);
}

genops_status genops_span_set_bool(genops_span h, const char *key, bool value, genops_error *err)
{
    genops_value v = {.type = GENOPS_TYPE_BOOL, .u.b = value};
    return genops_span_set(h, key, &v, err);
}

void span_materialize(struct span *s)
{
    for (int layer = 0; layer < 2; layer++) {
        genops_context *c = s->inherit[layer];
        for (uint32_t i = 0; c && i < c->attrs.count; i++) {
            const struct attr *a = &c->attrs.items[i];
            const char *key = c->op_keys[i];
            uint32_t klen = c->op_key_lens[i];
            uint32_t hash = attr_hash(key, klen);
            if (attr_list_find(&s->attrs, key, klen, hash) >= 0)
                continue;
            if (s->attrs.count >= s->limits.attributes || !attr_list_grow(&s->attrs)) {
                s->dropped_attributes++;
                continue;
            }
            /* The snapshot outlives the span (it holds a reference), so its key and
             * value are used in place unless the length limit cuts the value. */
            struct attr e = {.key = key, .key_len = klen, .hash = hash, .value = a->value};
            if (s->limits.value_length != UINT32_MAX &&
                attr_copy_value(&s->arena, &a->value, s->limits.value_length, &e.value,
                                &s->truncated_values)) {
                s->dropped_attributes++;
                continue;
            }
            s->attrs.items[s->attrs.count++] = e;
        }
    }
}
