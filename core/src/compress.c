/* compress.c - see compress.h. */
#include "compress.h"

#include <libdeflate.h>
#include <stdlib.h>

#include "compress_zstd.h"
#include "error.h"

struct compressor {
    enum compress_format format;
    struct libdeflate_compressor *d; /* gzip */
    struct zstd_compressor *z;       /* zstd */
};

struct compressor *compress_new(enum compress_format format, int level)
{
    struct compressor *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->format = format;
    if (format == COMPRESS_ZSTD ? !(c->z = zstd_compressor_new(level))
                                : !(c->d = libdeflate_alloc_compressor(level))) {
        free(c);
        return NULL;
    }
    return c;
}

void compress_free(struct compressor *c)
{
    if (c) {
        if (c->d)
            libdeflate_free_compressor(c->d);
        zstd_compressor_free(c->z);
        free(c);
    }
}

genops_status compress_new_for_export(enum compress_format format, struct compressor **out,
                                      genops_error *err)
{
    static const int level[] = {
        [COMPRESS_GZIP] = COMPRESS_GZIP_EXPORT_LEVEL, [COMPRESS_ZSTD] = COMPRESS_ZSTD_EXPORT_LEVEL};
    *out = format == COMPRESS_NONE ? NULL : compress_new(format, level[format]);
    if (format != COMPRESS_NONE && !*out)
        return error_set(err, GENOPS_ENOMEM, "out of memory creating a %s compressor",
                         compress_format_name(format));
    return GENOPS_OK;
}

const char *compress_format_name(enum compress_format format)
{
    return format == COMPRESS_GZIP ? "gzip" : format == COMPRESS_ZSTD ? "zstd" : "none";
}

const char *compress_encoding(const struct compressor *c)
{
    return c ? compress_format_name(c->format) : NULL;
}

genops_status compress_body(struct compressor *c, const void *in, size_t len, struct buf *out)
{
    /* Both backends write in one call into a buffer that must hold the worst case. */
    size_t bound = c->format == COMPRESS_ZSTD ? zstd_compress_bound(len)
                                              : libdeflate_gzip_compress_bound(c->d, len);
    buf_truncate(out, 0);
    if (!buf_reserve(out, bound)) {
        genops_status rc = bound > out->limit ? GENOPS_ETOOBIG : GENOPS_ENOMEM;
        buf_truncate(out, 0);
        return rc;
    }
    size_t n = c->format == COMPRESS_ZSTD
                   ? zstd_compress(c->z, in, len, out->data, bound)
                   : libdeflate_gzip_compress(c->d, in, len, out->data, bound);
    if (!n) /* cannot happen with a bound-sized buffer; say so rather than send garbage */
        return GENOPS_EINTERNAL;
    out->len = n;
    return GENOPS_OK;
}
