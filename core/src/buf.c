/* buf.c - see buf.h. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t limit)
{
    memset(b, 0, sizeof *b);
    b->limit = limit;
}

void buf_free(struct buf *b)
{
    free(b->data);
    buf_init(b, b->limit);
}

void buf_fail(struct buf *b, genops_status code)
{
    if (!b->error)
        b->error = code;
}

bool buf_grow(struct buf *b, size_t n)
{
    if (n > b->limit - b->len || b->len > b->limit) {
        buf_fail(b, GENOPS_ETOOBIG);
        return false;
    }
    size_t cap = b->cap ? b->cap : (b->limit < 256 ? b->limit : 256);
    while (cap - b->len < n)
        cap = cap > b->limit / 2 ? b->limit : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        buf_fail(b, GENOPS_ENOMEM);
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[128];

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        buf_fail(b, GENOPS_EINTERNAL);
    } else if ((size_t)n < sizeof small) {
        buf_append(b, small, (size_t)n);
    } else if (buf_reserve(b, (size_t)n + 1)) {
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
    }
}

void buf_put_u64(struct buf *b, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_append(b, tmp + i, sizeof tmp - i);
}

void buf_put_i64(struct buf *b, int64_t v)
{
    if (v < 0) {
        buf_putc(b, '-');
        buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        buf_put_u64(b, (uint64_t)v);
    }
}

void buf_put_hex(struct buf *b, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (!buf_reserve(b, 2 * n))
        return;
    for (size_t i = 0; i < n; i++) {
        b->data[b->len++] = digits[bytes[i] >> 4];
        b->data[b->len++] = digits[bytes[i] & 15];
    }
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len <= b->len)
        b->len = len;
    b->error = GENOPS_OK;
}
