/* attr.h - typed attributes: validation, copying into an arena, and keyed lists.
 *
 * Spans and contexts store attributes the same way: an attr_list of entries whose
 * keys and values live in the owner's arena. A list is owned by one thread at a time. */
#ifndef GENOPS_ATTR_H
#define GENOPS_ATTR_H

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

/* The slow part of attr_hash2: prefix + key shorter than 8 bytes on either end. */
uint32_t attr_hash2_short(const char *prefix, size_t prefix_len, const char *key, size_t len);

/* A hash of the key prefix + key (prefix may be ""), from its length and its first and
 * last eight bytes: O(1), because it only has to make the equality scan cheap. Inline:
 * it runs for every attribute. */
static inline uint32_t attr_hash2(const char *prefix, size_t prefix_len, const char *key,
                                  size_t len)
{
    if (len < 8 || (prefix_len && prefix_len < 8))
        return attr_hash2_short(prefix, prefix_len, key, len);
    uint64_t head, tail;
    memcpy(&head, prefix_len ? prefix : key, 8);
    memcpy(&tail, key + len - 8, 8);
    uint64_t h =
        (head * 0x9E3779B97F4A7C15ull) ^ (tail * 0xC2B2AE3D27D4EB4Full) ^ (prefix_len + len);
    return (uint32_t)(h ^ (h >> 32));
}

static inline uint32_t attr_hash(const char *key, size_t len)
{
    return attr_hash2("", 0, key, len);
}

/* Check a caller's value before anything is stored: known type, non-NULL pointers,
 * finite doubles. Returns GENOPS_EINVAL with a message naming key. */
genops_status attr_check(const char *key, const genops_value *v, genops_error *err);

/* Deep-copy v into a: strings repaired to valid UTF-8 and cut to length_limit
 * characters (*truncated counts the values cut). Returns GENOPS_ETOOBIG when the
 * arena's limit is reached, GENOPS_OK otherwise. */
genops_status attr_copy_value(struct arena *a, const genops_value *v, uint32_t length_limit,
                              genops_value *out, uint32_t *truncated);

/* Copy len bytes from src to dst; true when they were all ASCII (then they are valid
 * UTF-8 without further checking). Inline: it runs for every key and string. */
static inline bool attr_copy_ascii(char *dst, const char *src, size_t len)
{
    uint64_t seen = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, src + i, 8);
        memcpy(dst + i, &w, 8);
        seen |= w;
    }
    for (; i < len; i++) {
        dst[i] = src[i];
        seen |= (unsigned char)src[i];
    }
    return !(seen & 0x8080808080808080ull);
}

/* A repaired (valid UTF-8), NUL-terminated copy of s[0..len) in a; NULL on ETOOBIG. */
const char *attr_copy_text(struct arena *a, const char *s, size_t len, uint32_t *out_len);

/* Index of the key prefix + key in l (hash is of both), or -1. prefix may be "". */
int32_t attr_list_find(const struct attr_list *l, const char *prefix, size_t prefix_len,
                       const char *key, size_t len, uint32_t hash);

/* Room for one more entry; false on ENOMEM. */
bool attr_list_grow(struct attr_list *l);

void attr_list_free(struct attr_list *l);

/* Two values are equal in type and content (used by tests and the memory exporter). */
bool attr_value_equal(const genops_value *a, const genops_value *b);

#endif
