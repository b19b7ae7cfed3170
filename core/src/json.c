/* json.c - see json.h. */
#include "json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "utf8.h"

/* What to write after a backslash for each byte that JSON does not allow raw in a
 * string (RFC 8259, section 7): a short escape letter, or 'u' for \u00XX. 0 = copy. */
static const char escape[256] = {
    ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',  ['\t'] = 't', [0x00] = 'u',
    [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',  [0x05] = 'u', [0x06] = 'u',
    [0x07] = 'u', [0x0B] = 'u', [0x0E] = 'u', [0x0F] = 'u',  [0x10] = 'u', [0x11] = 'u',
    [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u',  [0x16] = 'u', [0x17] = 'u',
    [0x18] = 'u', [0x19] = 'u', [0x1A] = 'u', [0x1B] = 'u',  [0x1C] = 'u', [0x1D] = 'u',
    [0x1E] = 'u', [0x1F] = 'u', ['"'] = '"',  ['\\'] = '\\',
};

/* Does any byte of s[0..len) need more than a copy (a JSON escape, or a UTF-8 check
 * because it is not ASCII)? Eight bytes at a time: most keys and values are plain ASCII,
 * and for them the whole string is then one copy. */
static bool needs_care(const char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w, quote, backslash;
        memcpy(&w, s + i, 8);
        quote = w ^ (ones * '"');
        backslash = w ^ (ones * '\\');
        /* (x - ones * n) & ~x & highs is non-zero exactly when some byte of x is below n
         * (n <= 0x80): here a control character, or a zero left by the xor with '"' or
         * '\\'. w & highs finds the bytes that are not ASCII. */
        if (((w - ones * 0x20) & ~w & highs) | ((quote - ones) & ~quote & highs) |
            ((backslash - ones) & ~backslash & highs) | (w & highs))
            return true;
    }
    for (; i < len; i++)
        if (escape[(unsigned char)s[i]] || (unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

/* The escaped, quoted form of valid UTF-8 s[0..len): room for the plain case is reserved
 * once; an escape reserves what it adds. */
static void put_escaped(struct buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";

    if (!buf_reserve(out, len + 2))
        return;
    char *p = out->data + out->len;
    *p++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!escape[c]) {
            *p++ = (char)c;
            continue;
        }
        out->len = (size_t)(p - out->data);
        if (!buf_reserve(out, 6 + (len - i - 1) + 1)) /* \u00XX, the rest, the quote */
            return;
        p = out->data + out->len;
        *p++ = '\\';
        *p++ = escape[c];
        if (escape[c] == 'u') {
            *p++ = '0';
            *p++ = '0';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p++ = '"';
    out->len = (size_t)(p - out->data);
}

void json_put_string(struct buf *out, const char *s, size_t len)
{
    if (!needs_care(s, len)) {
        if (buf_reserve(out, len + 2)) {
            char *p = out->data + out->len;
            p[0] = '"';
            memcpy(p + 1, s, len);
            p[len + 1] = '"';
            out->len += len + 2;
        }
        return;
    }
    if (utf8_valid_prefix(s, len) == len) {
        put_escaped(out, s, len);
        return;
    }
    /* Rare: repair into a scratch copy with the core's own rule, then escape that. */
    char small[256];
    size_t n = utf8_repaired_len(s, len);
    char *fixed = n <= sizeof small ? small : malloc(n);
    if (!fixed) {
        buf_fail(out, GENOPS_ENOMEM);
        return;
    }
    utf8_repair(fixed, s, len);
    put_escaped(out, fixed, n);
    if (fixed != small)
        free(fixed);
}

void json_put_double(struct buf *out, double d)
{
    char text[NUMFMT_DOUBLE_MAX];
    size_t n = numfmt_double(d, text);
    bool number = isfinite(d);

    if (!number)
        buf_putc(out, '"');
    buf_append(out, text, n);
    if (!number)
        buf_putc(out, '"');
}

void json_put_hex(struct buf *out, const uint8_t *bytes, size_t n)
{
    buf_putc(out, '"');
    buf_put_hex(out, bytes, n);
    buf_putc(out, '"');
}
