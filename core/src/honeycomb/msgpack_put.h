/* msgpack_put.h - MessagePack tokens written straight into a buf.
 *
 * The formats are the MessagePack specification's (github.com/msgpack/msgpack,
 * spec.md): each integer in its shortest form, doubles as float 64, lengths big-endian.
 * Each call reserves its whole token, then stores it: no callback per token, which is
 * what msgpack-c's packer costs (its write callback was 23 % of the encoder's
 * instructions). msgpack-c stays the independent reader in the tests and the fuzzer.
 * The buf's limit and sticky failure work as for every encoder (buf.h). */
#ifndef GENOPS_MSGPACK_PUT_H
#define GENOPS_MSGPACK_PUT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "attr.h"
#include "buf.h"
#include "utf8.h"

static inline char *mp_room(struct buf *out, size_t n)
{
    if (!buf_reserve(out, n))
        return NULL;
    char *p = out->data + out->len;
    out->len += n;
    return p;
}

static inline void mp_be(char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (char)(v & 0xff);
}

/* A header: one byte when n fits the fix form (n < fix_limit, fix | n), else the 8-,
 * 16- or 32-bit form (first byte code8 / code16 / code32; code8 0 = none, as for maps
 * and arrays). */
static inline char *mp_header(struct buf *out, uint32_t n, size_t extra, unsigned fix,
                              uint32_t fix_limit, unsigned code8, unsigned code16, unsigned code32)
{
    char *p;
    if (n < fix_limit) {
        if ((p = mp_room(out, 1 + extra)))
            p[0] = (char)(fix | n);
        return p ? p + 1 : NULL;
    }
    if (code8 && n <= 0xff) {
        if ((p = mp_room(out, 2 + extra))) {
            p[0] = (char)code8;
            p[1] = (char)n;
        }
        return p ? p + 2 : NULL;
    }
    if (n <= 0xffff) {
        if ((p = mp_room(out, 3 + extra))) {
            p[0] = (char)code16;
            mp_be(p + 1, n, 2);
        }
        return p ? p + 3 : NULL;
    }
    if ((p = mp_room(out, 5 + extra))) {
        p[0] = (char)code32;
        mp_be(p + 1, n, 4);
    }
    return p ? p + 5 : NULL;
}

static inline void mp_map(struct buf *out, uint32_t n)
{
    mp_header(out, n, 0, 0x80, 16, 0, 0xde, 0xdf);
}

/* A map whose count is known only after its entries: mp_map_begin writes a header wide
 * enough for at most `most` entries, mp_map_end sets the count and, when a shorter header
 * would do, moves the entries back over the extra bytes, so the map is written in its
 * shortest form as the specification's serializers do. */
struct mp_map {
    size_t at;     /* the header's offset */
    size_t header; /* its width: 3 (map 16) or 5 (map 32); 0 when out had failed */
};

static inline struct mp_map mp_map_begin(struct buf *out, size_t most)
{
    struct mp_map m = {out->len, most <= 0xffff ? 3 : 5};
    if (!mp_room(out, m.header))
        m.header = 0;
    return m;
}

static inline void mp_map_end(struct buf *out, struct mp_map m, uint32_t n)
{
    if (!m.header || !buf_ok(out))
        return;
    char *p = out->data + m.at;
    size_t header = n < 16 ? 1 : n <= 0xffff ? 3 : 5;
    if (header == 1)
        p[0] = (char)(0x80 | n);
    else if (header == 3) {
        p[0] = (char)0xde;
        mp_be(p + 1, n, 2);
    } else {
        p[0] = (char)0xdf;
        mp_be(p + 1, n, 4);
    }
    if (header < m.header) {
        memmove(p + header, p + m.header, out->len - m.at - m.header);
        out->len -= m.header - header;
    }
}

static inline void mp_array(struct buf *out, uint32_t n)
{
    mp_header(out, n, 0, 0x90, 16, 0, 0xdc, 0xdd);
}

/* A str's header and room for its n bytes, which the caller stores. */
static inline char *mp_str_room(struct buf *out, uint32_t n)
{
    return mp_header(out, n, n, 0xa0, 32, 0xd9, 0xda, 0xdb);
}

/* A str of text known to be valid UTF-8 (the encoder's own keys and hex). */
static inline void mp_str_trusted(struct buf *out, const char *s, uint32_t len)
{
    char *p = mp_str_room(out, len);
    if (p)
        memcpy(p, s, len);
}

#define MP_KEY(out, lit) mp_str_trusted((out), (lit), sizeof(lit) - 1)

/* A str. The copy also looks for non-ASCII bytes (attr_copy_ascii); only text that has
 * some is validated, and text that is not valid UTF-8 (which the core never stores) is
 * written again, repaired to U+FFFD, rather than sent as an invalid str. */
static inline void mp_str(struct buf *out, const char *s, size_t len)
{
    size_t mark = out->len;
    if (len > UINT32_MAX) {
        buf_fail(out, GENOPS_ETOOBIG);
        return;
    }
    char *p = mp_str_room(out, (uint32_t)len);
    if (!p)
        return;
    if (attr_copy_ascii(p, s, len) || utf8_valid_prefix(s, len) == len)
        return;
    out->len = mark;
    size_t n = utf8_repaired_len(s, len);
    if (n > UINT32_MAX) {
        buf_fail(out, GENOPS_ETOOBIG);
        return;
    }
    if ((p = mp_str_room(out, (uint32_t)n)))
        utf8_repair(p, s, len);
}

static inline void mp_int(struct buf *out, int64_t v)
{
    char *p;
    if (v >= -32 && v <= 127) {
        if ((p = mp_room(out, 1)))
            p[0] = (char)(v & 0xff);
        return;
    }
    uint64_t u = (uint64_t)v;
    unsigned code;
    int bytes;
    if (v > 0)
        code = u <= 0xff ? 0xcc : u <= 0xffff ? 0xcd : u <= 0xffffffffu ? 0xce : 0xcf;
    else
        code = v >= INT8_MIN ? 0xd0 : v >= INT16_MIN ? 0xd1 : v >= INT32_MIN ? 0xd2 : 0xd3;
    bytes = 1 << (code & 3);
    if ((p = mp_room(out, 1 + (size_t)bytes))) {
        p[0] = (char)code;
        mp_be(p + 1, u, bytes);
    }
}

static inline void mp_double(struct buf *out, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    char *p = mp_room(out, 9);
    if (p) {
        p[0] = (char)0xcb;
        mp_be(p + 1, bits, 8);
    }
}

static inline void mp_bool(struct buf *out, bool b)
{
    char *p = mp_room(out, 1);
    if (p)
        p[0] = (char)(b ? 0xc3 : 0xc2);
}

static inline void mp_nil(struct buf *out)
{
    char *p = mp_room(out, 1);
    if (p)
        p[0] = (char)0xc0;
}

#endif
