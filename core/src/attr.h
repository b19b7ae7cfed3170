/* attr.h - typed attributes: validation, copying into an arena, and keyed lists.
 *
 * Spans and contexts store attributes the same way: an attr_list of entries whose
 * keys and values live in the owner's arena. A list is owned by one thread at a time. */
#ifndef GENOPS_ATTR_H
#define GENOPS_ATTR_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "genops.h"

struct attr {
    const char *key; /* NUL-terminated, valid UTF-8 */
    uint32_t key_len;
    uint32_t hash;
    genops_value value; /* strings and arrays point into the owner's arena */
};

struct attr_list {
    struct attr *items;
    uint32_t count;
    uint32_t cap;
};

/* What a copy did, for the span's counters. */
struct attr_limits {
    uint32_t count_limit;  /* UINT32_MAX = none */
    uint32_t length_limit; /* characters; UINT32_MAX = none */
};

/* The slow part of attr_hash: keys shorter than 8 bytes. */
uint32_t attr_hash_short(const char *key, size_t len);

/* A hash of the whole key from its length and its first and last eight bytes: O(1),
 * because it only has to make the equality scan cheap. Inline: it runs for every
 * attribute. */
static inline uint32_t attr_hash(const char *key, size_t len)
{
    if (len < 8)
        return attr_hash_short(key, len);
    uint64_t head, tail;
    memcpy(&head, key, 8);
    /* len >= 8 here; cppcheck pairs this line with short literal keys of other calls. */
    // cppcheck-suppress pointerOutOfBoundsCond
    memcpy(&tail, key + len - 8, 8);
    uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ (tail * 0xC2B2AE3D27D4EB4Full) ^ len;
    return (uint32_t)(h ^ (h >> 32));
}

/* The full check, with the error message: see attr_check. */
genops_status attr_check_slow(const char *key, const genops_value *v, genops_error *err);

/* Check a caller's value before anything is stored: known type, non-NULL pointers,
 * finite doubles. Returns GENOPS_EINVAL with a message naming key. Inline: the common
 * cases (a key, a string, an integer, a finite double, a boolean) are decided here. */
static inline genops_status attr_check(const char *key, const genops_value *v, genops_error *err)
{
    if (key && *key && v &&
        ((v->type == GENOPS_TYPE_STRING && (v->u.s || !v->len)) || v->type == GENOPS_TYPE_INT ||
         (v->type == GENOPS_TYPE_DOUBLE && isfinite(v->u.d)) || v->type == GENOPS_TYPE_BOOL ||
         v->type == GENOPS_TYPE_NULL))
        return GENOPS_OK;
    return attr_check_slow(key, v, err);
}

/* GENOPS_EINVAL for an attribute list that is NULL although count is not 0. */
genops_status attr_list_missing(size_t count, genops_error *err);

/* attr_check for each of a caller's count attributes, which may be NULL only when count
 * is 0: the first bad one's error. */
static inline genops_status attr_check_all(const genops_attribute *attrs, size_t count,
                                           genops_error *err)
{
    if (count && !attrs)
        return attr_list_missing(count, err);
    for (size_t i = 0; i < count; i++) {
        genops_status rc = attr_check(attrs[i].key, &attrs[i].value, err);
        if (rc)
            return rc;
    }
    return GENOPS_OK;
}

/* Deep-copy v into a: strings repaired to valid UTF-8 and cut to length_limit
 * characters (*truncated counts the values cut). Returns GENOPS_ETOOBIG when the
 * arena's limit is reached, GENOPS_OK otherwise. */
genops_status attr_copy_value(struct arena *a, const genops_value *v, uint32_t length_limit,
                              genops_value *out, uint32_t *truncated);

/* Copy len bytes from src to dst; true when they were all ASCII (then they are valid
 * UTF-8 without further checking). Inline: it runs for every key and string. */
static inline bool attr_copy_ascii(char *dst, const char *src, size_t len)
{
    /* Whole words, the last ones overlapping those before: no byte loop, and no loop
     * at all up to 16 bytes (most keys and values). */
    if (len > 16) {
        uint64_t a, b, seen = 0;
        for (size_t i = 0; i + 16 < len; i += 16) {
            memcpy(&a, src + i, 8);
            memcpy(&b, src + i + 8, 8);
            memcpy(dst + i, &a, 8);
            memcpy(dst + i + 8, &b, 8);
            seen |= a | b;
        }
        memcpy(&a, src + len - 16, 8);
        memcpy(&b, src + len - 8, 8);
        memcpy(dst + len - 16, &a, 8);
        memcpy(dst + len - 8, &b, 8);
        return !((seen | a | b) & 0x8080808080808080ull);
    }
    if (len >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + len - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + len - 8, &b, 8);
        return !((a | b) & 0x8080808080808080ull);
    }
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + len - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + len - 4, &b, 4);
        return !((a | b) & 0x80808080u);
    }
    unsigned seen = 0;
    for (size_t i = 0; i < len; i++)
        seen |= (unsigned char)(dst[i] = src[i]);
    return !(seen & 0x80);
}

/* A repaired (valid UTF-8), NUL-terminated copy of s[0..len) in a; NULL on ETOOBIG. */
const char *attr_copy_text(struct arena *a, const char *s, size_t len, uint32_t *out_len);

/* Index of key in l (hash = attr_hash(key, len)), or -1. */
int32_t attr_list_find(const struct attr_list *l, const char *key, size_t len, uint32_t hash);

/* The slow path of attr_list_grow. */
bool attr_list_grow_slow(struct attr_list *l);

/* Room for one more entry; false on ENOMEM. */
static inline bool attr_list_grow(struct attr_list *l)
{
    return l->count < l->cap || attr_list_grow_slow(l);
}

void attr_list_free(struct attr_list *l);

#endif
