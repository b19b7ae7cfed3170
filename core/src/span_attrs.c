/* span_attrs.c - a span's attributes: setting one (span_put, span_put_static and the
 * genops_span_set* calls) and, on the export thread, turning what was set into the
 * list the encoders read (span_materialize).
 *
 * Setting an attribute only appends the caller's bytes to the span's log: key and
 * value copied raw into one arena allocation, scalars by value, fixed semconv names not
 * copied at all, with the key's hash and a bit for it in the span's filter. Which value
 * of a repeated key wins, the count limit and UTF-8 repair cost the application thread
 * nothing: compact does them on the export thread, and only for a log that needs them
 * (a key whose bit was set already and is in the log, bytes that were not ASCII, more
 * keys than the limit). Every other log is the list as it stands, and the export
 * thread does not read it before the encoders do: each pass over the log there costs
 * the producer its lines back (benchmarks/README.md). */
#include <string.h>

#include "context.h"
#include "error.h"
#include "span.h"
#include "utf8.h"

/* The log's length past which the application thread compacts it, checked when its
 * list is full (only a span whose keys are set over and over gets there). */
static uint32_t log_cap(const struct span *s)
{
    uint32_t limit = s->limits.attributes < 4096 ? s->limits.attributes : 4096;
    return 2 * limit + 16;
}

/* Whether hash's bit was set already (the key may have been seen), setting it: a key
 * dropped by the limit leaves its bit too, which only costs a scan. */
static inline bool filter_test_and_set(uint64_t *filter, uint32_t hash)
{
    uint32_t bit = hash % (SPAN_KEY_FILTER_WORDS * 64);
    uint64_t mask = 1ull << (bit % 64);
    uint64_t *word = &filter[bit / 64];
    bool seen = *word & mask;
    *word |= mask;
    return seen;
}

/* s[0..*len) as valid UTF-8: in place when it is, else a repaired copy in the arena.
 * False when the arena is full. */
static bool make_valid(struct arena *a, const char **s, uint32_t *len)
{
    if (utf8_valid_prefix(*s, *len) == *len)
        return true;
    uint32_t fixed_len;
    const char *fixed = attr_copy_text(a, *s, *len, &fixed_len);
    if (!fixed)
        return false;
    *s = fixed;
    *len = fixed_len;
    return true;
}

/* e's bytes as valid UTF-8 (its hash again if its key was repaired); false when the
 * arena is full. */
static bool check_entry(struct arena *a, struct attr *e)
{
    const char *key = e->key;
    uint32_t vlen = e->value.type == GENOPS_TYPE_STRING ? (uint32_t)e->value.len : 0;
    if (!make_valid(a, &e->key, &e->key_len) || (vlen && !make_valid(a, &e->value.u.s, &vlen)))
        return false;
    if (vlen)
        e->value.len = vlen;
    if (e->key != key)
        e->hash = attr_hash(e->key, e->key_len);
    return true;
}

/* The log to a list of unique, valid keys, in the order of each key's first set, with
 * its last value; past the count limit a new key is dropped and counted. In place:
 * the list is the log's first part, and an entry moves only once one before it went. */
static void compact(struct span *s)
{
    uint64_t filter[SPAN_KEY_FILTER_WORDS] = {0};
    struct attr *items = s->attrs.items;
    /* Locals: the entries' stores could alias the span's fields. */
    const uint32_t count = s->attrs.count, checked = s->attrs_checked, limit = s->limits.attributes;
    const bool unchecked = s->log_unchecked;
    uint32_t kept = 0, dropped = 0;
    for (uint32_t i = 0; i < count; i++) {
        struct attr *e = &items[i];
        if (i >= checked && unchecked && !check_entry(&s->arena, e)) {
            dropped++;
            continue;
        }
        int32_t at = filter_test_and_set(filter, e->hash)
                         ? attr_list_find(&(struct attr_list){items, kept, kept}, e->key,
                                          e->key_len, e->hash)
                         : -1;
        if (at >= 0) {
            items[at].value = e->value;
        } else if (kept >= limit) {
            dropped++;
        } else {
            if (kept != i)
                items[kept] = *e;
            kept++;
        }
    }
    s->dropped_attributes += dropped;
    s->attrs.count = s->attrs_checked = kept;
    s->log_repeats = s->log_unchecked = false;
}

/* Note e, about to be appended to s's log, in the span's key filter: a key whose bit
 * is set already is looked for in the log (hot in this thread's cache: it wrote it),
 * and only a key found there makes the log one to compact. */
static inline void note_key(struct span *s, const struct attr *e)
{
    if (!filter_test_and_set(s->key_filter, e->hash) || s->log_repeats)
        return;
    s->log_repeats = attr_list_find(&s->attrs, e->key, e->key_len, e->hash) >= 0;
}

/* Whether a string's text is copied with its key, as it is: no length limit to cut it
 * to (attr_copy_value does that). */
static inline bool plain_text(const struct span *s)
{
    return s->limits.value_length == UINT32_MAX;
}

/* The arena bytes an entry for prefix + key (klen bytes) = v copies: the key unless it
 * is static (a semconv name: valid, and alive as long as the program), and a plain
 * string's text; 0 for a semconv name with a scalar or for a NULL (nothing is set).
 * SIZE_MAX when a length does not fit the log's 32-bit fields. */
static inline size_t entry_room(const struct span *s, size_t prefix_len, size_t klen,
                                bool static_key, const genops_value *v)
{
    if (v->type == GENOPS_TYPE_NULL)
        return 0;
    if (klen >= UINT32_MAX - prefix_len)
        return SIZE_MAX;
    size_t room = static_key ? 0 : prefix_len + klen + 1;
    if (v->type == GENOPS_TYPE_STRING && plain_text(s)) {
        if (v->len >= UINT32_MAX)
            return SIZE_MAX;
        room += v->len + 1;
    }
    return room;
}

/* The log entry for prefix + key = v (not NULL), its bytes copied as they are into
 * *room (entry_room's size, advanced past them). False when a value the arena copies
 * on its own (an array, a string cut to the length limit) does not fit. */
static inline __attribute__((always_inline)) bool
entry_write(struct span *s, char **room, const char *prefix, size_t prefix_len, const char *key,
            size_t klen, bool static_key, uint32_t static_hash, const genops_value *v,
            struct attr *out)
{
    size_t flen = prefix_len + klen;
    genops_value value = *v; /* scalars by value */
    bool valid = true;       /* the bytes copied here were all ASCII */
    const char *full = key;
    if (!static_key) {
        char *copy = *room;
        (void)attr_copy_ascii(copy, prefix, prefix_len); /* a semconv prefix: ASCII */
        valid = attr_copy_ascii(copy + prefix_len, key, klen);
        copy[flen] = '\0';
        full = copy;
        *room += flen + 1;
    }
    if (v->type == GENOPS_TYPE_STRING && plain_text(s)) {
        char *text = *room;
        valid &= attr_copy_ascii(text, v->u.s, v->len);
        text[v->len] = '\0';
        value.u.s = text;
        *room += v->len + 1;
    } else if (v->type != GENOPS_TYPE_INT && v->type != GENOPS_TYPE_DOUBLE &&
               v->type != GENOPS_TYPE_BOOL &&
               attr_copy_value(&s->arena, v, s->limits.value_length, &value,
                               &s->truncated_values)) {
        return false;
    }
    *out = (struct attr){.key = full,
                         .key_len = (uint32_t)flen,
                         .hash = static_key ? static_hash : attr_hash(full, flen),
                         .value = value};
    s->log_unchecked |= !valid;
    note_key(s, out);
    return true;
}

/* Room in the log for n more entries. Past log_cap the log is compacted first (only a
 * span whose keys are set over and over gets there). False on ENOMEM. */
static bool log_reserve(struct span *s, uint32_t n)
{
    if (s->attrs.cap - s->attrs.count >= n)
        return true;
    if (s->attrs.count >= log_cap(s))
        compact(s);
    while (s->attrs.cap - s->attrs.count < n)
        if (!attr_list_grow_slow(&s->attrs))
            return false;
    return true;
}

static genops_status too_big(struct span *s, const char *prefix, const char *key, genops_error *err)
{
    s->dropped_attributes++;
    return error_set(err, GENOPS_ETOOBIG,
                     "span holds more than %zu bytes; attribute '%.64s%.64s' dropped",
                     s->limits.bytes, prefix, key);
}

/* Append prefix + key (klen bytes) = v to the span's log: the caller's bytes copied as
 * they are, nothing else. Which key wins, the limits and UTF-8 repair are the export
 * thread's (compact, from span_materialize). */
static inline __attribute__((always_inline)) genops_status
put_key(struct span *s, const char *prefix, size_t prefix_len, const char *key, size_t klen,
        bool static_key, uint32_t static_hash, const genops_value *v, genops_error *err)
{
    if (v->type == GENOPS_TYPE_NULL)
        return GENOPS_OK;
    size_t room_len = entry_room(s, prefix_len, klen, static_key, v);
    char none, *room = &none; /* never NULL: entry_write copies only what room_len counted */
    if (room_len == SIZE_MAX || (room_len && !(room = arena_alloc(&s->arena, room_len))))
        return too_big(s, prefix, key, err);
    if (!log_reserve(s, 1))
        return error_set(err, GENOPS_ENOMEM, "out of memory setting '%.64s'", key);
    if (!entry_write(s, &room, prefix, prefix_len, key, klen, static_key, static_hash, v,
                     &s->attrs.items[s->attrs.count]))
        return too_big(s, prefix, key, err);
    s->attrs.count++;
    return GENOPS_OK;
}

/* Up to PUT_BATCH of a caller's checked attributes as prefix + key at once: their keys
 * measured, one arena allocation and one log reservation for all. When the arena or
 * the log cannot take them all, one at a time. Each that does not fit is dropped and
 * counted, and the first error is returned. */
enum { PUT_BATCH = 32 };

static genops_status put_batch(struct span *s, const char *prefix, size_t prefix_len,
                               const genops_attribute *attrs, size_t n, genops_error *err)
{
    size_t klen[PUT_BATCH];
    size_t room_len = 0;
    for (size_t i = 0; i < n && room_len != SIZE_MAX; i++) {
        klen[i] = strlen(attrs[i].key);
        size_t r = entry_room(s, prefix_len, klen[i], false, &attrs[i].value);
        room_len = r == SIZE_MAX ? SIZE_MAX : room_len + r;
    }
    genops_status first = GENOPS_OK; /* err describes it */
    char none, *room = &none;        /* as in put_key */
    if (room_len == SIZE_MAX || !log_reserve(s, (uint32_t)n) ||
        (room_len && !(room = arena_alloc(&s->arena, room_len)))) {
        for (size_t i = 0; i < n; i++) {
            genops_status rc = put_key(s, prefix, prefix_len, attrs[i].key, strlen(attrs[i].key),
                                       false, 0, &attrs[i].value, first ? NULL : err);
            first = first ? first : rc;
        }
        return first;
    }
    for (size_t i = 0; i < n; i++) {
        const genops_attribute *a = &attrs[i];
        if (a->value.type == GENOPS_TYPE_NULL)
            continue;
        if (entry_write(s, &room, prefix, prefix_len, a->key, klen[i], false, 0, &a->value,
                        &s->attrs.items[s->attrs.count]))
            s->attrs.count++;
        else if (!first)
            first = too_big(s, prefix, a->key, err);
        else
            s->dropped_attributes++;
    }
    return first;
}

genops_status span_put_all(struct span *s, const char *prefix, size_t prefix_len,
                           const genops_attribute *attrs, size_t count, genops_error *err)
{
    genops_status first = GENOPS_OK;
    for (size_t at = 0; at < count; at += PUT_BATCH) {
        size_t n = count - at < PUT_BATCH ? count - at : PUT_BATCH;
        genops_status rc = put_batch(s, prefix, prefix_len, attrs + at, n, first ? NULL : err);
        first = first ? first : rc;
    }
    return first;
}

/* The last value set: the log read from its end. */
const genops_value *span_get(const struct span *s, const char *key, size_t len)
{
    for (uint32_t i = s->attrs.count; i-- > 0;) {
        const struct attr *e = &s->attrs.items[i];
        if (e->key_len == len && memcmp(e->key, key, len) == 0)
            return &e->value;
    }
    return NULL;
}

genops_status span_put(struct span *s, const char *prefix, size_t prefix_len, const char *key,
                       const genops_value *v, genops_error *err)
{
    return put_key(s, prefix, prefix_len, key, strlen(key), false, 0, v, err);
}

genops_status span_put_static(struct span *s, const char *key, size_t key_len, uint32_t hash,
                              const genops_value *v, genops_error *err)
{
    return put_key(s, "", 0, key, key_len, true, hash, v, err);
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
    return span_put_all(s, "", 0, attrs, count, err);
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
    if (span_log_needs_compact(s))
        compact(s);
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
