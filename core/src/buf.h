/* buf.h - a growable byte buffer that encoders append to.
 *
 * Appends never fail half-way: on ENOMEM or when the buffer's limit would be passed,
 * buf->failed is set and later appends do nothing, so an encoder checks once at the
 * end (buf_ok) and rewinds to a mark (buf_truncate). One owner at a time. */
#ifndef GENOPS_BUF_H
#define GENOPS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t limit; /* the buffer never grows past this many bytes */
    bool failed;
};

void buf_init(struct buf *b, size_t limit);
void buf_free(struct buf *b);
/* Make room for n more bytes; false (and failed set) when that is impossible. */
bool buf_reserve(struct buf *b, size_t n);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_put_u64(struct buf *b, uint64_t v);
void buf_put_i64(struct buf *b, int64_t v);
/* Lowercase hex of n bytes. */
void buf_put_hex(struct buf *b, const uint8_t *bytes, size_t n);
/* Rewind to len (a mark taken earlier) and clear the failure. */
void buf_truncate(struct buf *b, size_t len);
static inline bool buf_ok(const struct buf *b) { return !b->failed; }

#endif
