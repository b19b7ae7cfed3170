/* spool_record.c - see spool_record.h. */
#include "spool_record.h"

#include <libdeflate.h>
#include <string.h>

#define MAGIC    0x31525347u /* "GSR1" read as little-endian */
#define TEXT_MAX 65535u

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t text_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static void put_text(struct buf *b, const char *s)
{
    size_t n = text_size(s);
    uint8_t len[2] = {(uint8_t)n, (uint8_t)(n >> 8)};
    buf_append(b, len, 2);
    if (n)
        buf_append(b, s, n);
}

genops_status spool_record_encode(const struct spool_record *r, struct buf *out)
{
    size_t ct = text_size(r->content_type), enc = text_size(r->content_encoding),
           url = text_size(r->url);
    if (ct > TEXT_MAX || enc > TEXT_MAX || url > TEXT_MAX)
        return GENOPS_ETOOBIG;
    size_t payload = 4 + 6 + ct + enc + url;
    if (r->len > SPOOL_RECORD_MAX - payload)
        return GENOPS_ETOOBIG;
    payload += r->len;
    size_t start = out->len;
    uint8_t head[SPOOL_RECORD_HEADER + 4];
    put_u32(head, MAGIC);
    put_u32(head + 4, (uint32_t)payload);
    put_u32(head + 8, 0); /* the CRC, once the payload is in */
    put_u32(head + 12, r->spans);
    buf_append(out, head, sizeof head);
    put_text(out, r->content_type);
    put_text(out, r->content_encoding);
    put_text(out, r->url);
    if (r->len)
        buf_append(out, r->body, r->len);
    if (!buf_ok(out))
        return buf_status(out);
    uint8_t *rec = (uint8_t *)out->data + start;
    put_u32(rec + 8,
            libdeflate_crc32(libdeflate_crc32(0, rec + 4, 4), rec + SPOOL_RECORD_HEADER, payload));
    return GENOPS_OK;
}

enum spool_read spool_record_length(const uint8_t *data, size_t avail, uint32_t *payload)
{
    if (avail < SPOOL_RECORD_HEADER)
        return SPOOL_READ_TORN;
    if (get_u32(data) != MAGIC)
        return SPOOL_READ_CORRUPT;
    *payload = get_u32(data + 4);
    return *payload < 10 || *payload > SPOOL_RECORD_MAX ? SPOOL_READ_CORRUPT : SPOOL_READ_OK;
}

/* One text of the payload at p[*at..end): NULL for an empty one. */
static int get_text(const uint8_t *p, size_t end, size_t *at, const char **out)
{
    if (end - *at < 2)
        return -1;
    size_t n = (size_t)p[*at] | (size_t)p[*at + 1] << 8;
    *at += 2;
    if (n > end - *at || (n && p[*at + n - 1] != '\0') ||
        (n && memchr(p + *at, 0, n) != p + *at + n - 1))
        return -1;
    *out = n ? (const char *)p + *at : NULL;
    *at += n;
    return 0;
}

enum spool_read spool_record_next(const uint8_t *data, size_t len, size_t *off,
                                  struct spool_record *out)
{
    if (*off >= len)
        return SPOOL_READ_END;
    const uint8_t *rec = data + *off;
    size_t avail = len - *off;
    uint32_t payload;
    enum spool_read rc = spool_record_length(rec, avail, &payload);
    if (rc)
        return rc;
    if (avail - SPOOL_RECORD_HEADER < payload)
        return SPOOL_READ_TORN;
    const uint8_t *p = rec + SPOOL_RECORD_HEADER;
    if (libdeflate_crc32(libdeflate_crc32(0, rec + 4, 4), p, payload) != get_u32(rec + 8))
        return SPOOL_READ_CORRUPT;
    struct spool_record r = {.spans = get_u32(p)};
    size_t at = 4;
    if (get_text(p, payload, &at, &r.content_type) ||
        get_text(p, payload, &at, &r.content_encoding) || get_text(p, payload, &at, &r.url) ||
        !r.content_type)
        return SPOOL_READ_CORRUPT;
    r.body = p + at;
    r.len = payload - at;
    *out = r;
    *off += SPOOL_RECORD_HEADER + payload;
    return SPOOL_READ_OK;
}
