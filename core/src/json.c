/* json.c - see json.h. */
#include "json.h"

#include <math.h>
#include <stdlib.h>

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

/* The escaped, quoted form of valid UTF-8 s[0..len): plain runs are copied whole. */
static void put_escaped(struct buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;

    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!escape[c])
            continue;
        buf_append(out, s + run, i - run);
        if (escape[c] == 'u') {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_append(out, u, sizeof u);
        } else {
            char e[2] = {'\\', escape[c]};
            buf_append(out, e, sizeof e);
        }
        run = i + 1;
    }
    buf_append(out, s + run, len - run);
    buf_putc(out, '"');
}

void json_put_string(struct buf *out, const char *s, size_t len)
{
    if (utf8_valid_prefix(s, len) == len) {
        put_escaped(out, s, len);
        return;
    }
    /* Rare: repair into a scratch copy with the core's own rule, then escape that. */
    char small[256];
    size_t n = utf8_repaired_len(s, len);
    char *fixed = n <= sizeof small ? small : malloc(n);
    if (!fixed) {
        out->failed = true;
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
