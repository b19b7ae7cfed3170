/* utf8.c - see utf8.h. */
#include "utf8.h"

#include <string.h>

/* Length of the well-formed sequence at s (1..4), or 0 when ill-formed; *bad gets the
 * length of the maximal ill-formed subpart to replace (Unicode Table 3-7). */
static size_t seq_len(const unsigned char *s, size_t avail, size_t *bad)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        if (i >= avail || s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need;
}

size_t utf8_valid_prefix(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, bad = 1;

    while (i < len) {
        /* ASCII runs, eight bytes at a time. */
        while (i + 8 <= len) {
            unsigned long long w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (p[i] < 0x80) { /* the ASCII tail, without a call per byte */
            i++;
            continue;
        }
        size_t n = seq_len(p + i, len - i, &bad);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

size_t utf8_repaired_len(const char *s, size_t len)
{
    size_t out = 0, i = 0, bad = 1;

    while (i < len) {
        size_t ok = utf8_valid_prefix(s + i, len - i);
        out += ok;
        i += ok;
        if (i < len) {
            seq_len((const unsigned char *)s + i, len - i, &bad);
            out += 3;
            i += bad;
        }
    }
    return out;
}

size_t utf8_repair(char *dst, const char *s, size_t len)
{
    size_t out = 0, i = 0, bad = 1;

    while (i < len) {
        size_t ok = utf8_valid_prefix(s + i, len - i);
        memcpy(dst + out, s + i, ok);
        out += ok;
        i += ok;
        if (i < len) {
            seq_len((const unsigned char *)s + i, len - i, &bad);
            /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): dst is counted, not a string */
            memcpy(dst + out, "\xEF\xBF\xBD", 3);
            out += 3;
            i += bad;
        }
    }
    return out;
}

size_t utf8_prefix_chars(const char *s, size_t len, size_t max_chars)
{
    size_t i = 0;

    /* Every byte that is not a continuation byte starts a character. */
    for (size_t chars = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max_chars)
            break;
    }
    return i;
}

size_t utf8_copy_printable(char *out, size_t size, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        const unsigned char *c = (const unsigned char *)s + i;
        size_t bad = 1, ok = seq_len(c, len - i, &bad);
        bool control = ok && (c[0] < 0x20 || c[0] == 0x7F || (c[0] == 0xC2 && c[1] < 0xA0));
        const char *piece = ok && !control ? s + i : "\xEF\xBF\xBD";
        size_t piece_len = ok && !control ? ok : 3;
        if (n + piece_len >= size)
            break;
        memcpy(out + n, piece, piece_len);
        n += piece_len;
        i += ok ? ok : bad;
    }
    out[n] = '\0';
    return n;
}
