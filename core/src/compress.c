/* compress.c - see compress.h. */
#include "compress.h"

#include <libdeflate.h>
#include <stdlib.h>

#include "error.h"

struct compressor {
    struct libdeflate_compressor *d;
};

struct compressor *compress_new(int level)
{
    struct compressor *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    c->d = libdeflate_alloc_compressor(level);
    if (!c->d) {
        free(c);
        return NULL;
    }
    return c;
}

void compress_free(struct compressor *c)
{
    if (c) {
        libdeflate_free_compressor(c->d);
        free(c);
    }
}

genops_status compress_new_for_export(bool gzip, struct compressor **out, genops_error *err)
{
    *out = gzip ? compress_new(1) : NULL;
    if (gzip && !*out)
        return error_set(err, GENOPS_ENOMEM, "out of memory creating a gzip compressor");
    return GENOPS_OK;
}

genops_status compress_gzip(struct compressor *c, const void *in, size_t len, struct buf *out)
{
    /* libdeflate writes in one call into a buffer that must hold the worst case. */
    size_t bound = libdeflate_gzip_compress_bound(c->d, len);
    buf_truncate(out, 0);
    if (!buf_reserve(out, bound)) {
        genops_status rc = bound > out->limit ? GENOPS_ETOOBIG : GENOPS_ENOMEM;
        buf_truncate(out, 0);
        return rc;
    }
    size_t n = libdeflate_gzip_compress(c->d, in, len, out->data, bound);
    if (!n) /* cannot happen with a bound-sized buffer; say so rather than send garbage */
        return GENOPS_EINTERNAL;
    out->len = n;
    return GENOPS_OK;
}
