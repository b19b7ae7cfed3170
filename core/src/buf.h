/* buf.h - a growable byte buffer that encoders append to.
 *
 * Appends never fail half-way: on ENOMEM or when the buffer's limit would be passed,
 * buf->error records which, and later appends do nothing, so an encoder checks once at
 * the end (buf_ok / buf_status) and rewinds to a mark (buf_truncate). The common append
 * paths are inline: an encoded span is hundreds of small pieces. One owner at a time. */
#ifndef GENOPS_BUF_H
#define GENOPS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "genops.h"

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t limit;        /* the buffer never grows past this many bytes */
    genops_status error; /* GENOPS_OK, or why appending stopped: ETOOBIG or ENOMEM */
};

void buf_init(struct buf *b, size_t limit);
void buf_free(struct buf *b);
/* Grow so that n more bytes fit; false (and error set) when that is impossible. */
bool buf_grow(struct buf *b, size_t n);
/* Mark the buffer failed with code (for encoders whose own scratch allocation failed). */
void buf_fail(struct buf *b, genops_status code);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_put_u64(struct buf *b, uint64_t v);
void buf_put_i64(struct buf *b, int64_t v);
/* Lowercase hex of n bytes. */
void buf_put_hex(struct buf *b, const uint8_t *bytes, size_t n);
/* Rewind to len (a mark taken earlier) and clear the failure. */
void buf_truncate(struct buf *b, size_t len);

static inline bool buf_ok(const struct buf *b)
{
    return b->error == GENOPS_OK;
}

static inline genops_status buf_status(const struct buf *b)
{
    return b->error;
}

/* Room for n more bytes; false (and error set) when that is impossible. */
static inline bool buf_reserve(struct buf *b, size_t n)
{
    if (b->error)
        return false;
    return n <= b->cap - b->len || buf_grow(b, n);
}

static inline void buf_append(struct buf *b, const void *data, size_t n)
{
    if (n && buf_reserve(b, n)) {
        memcpy(b->data + b->len, data, n);
        b->len += n;
    }
}

static inline void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

static inline void buf_putc(struct buf *b, char c)
{
    if (buf_reserve(b, 1))
        b->data[b->len++] = c;
}

#endif
