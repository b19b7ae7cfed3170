/* compress_zstd.c - see compress_zstd.h. */
#include "compress_zstd.h"

#include <stdlib.h>
#include <zstd.h>

struct zstd_compressor {
    ZSTD_CCtx *cctx;
};

struct zstd_compressor *zstd_compressor_new(int level)
{
    struct zstd_compressor *z = malloc(sizeof *z);
    if (!z)
        return NULL;
    z->cctx = ZSTD_createCCtx();
    if (!z->cctx || ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1))) {
        ZSTD_freeCCtx(z->cctx);
        free(z);
        return NULL;
    }
    return z;
}

void zstd_compressor_free(struct zstd_compressor *z)
{
    if (z) {
        ZSTD_freeCCtx(z->cctx);
        free(z);
    }
}

size_t zstd_compress_bound(size_t len)
{
    return ZSTD_compressBound(len);
}

size_t zstd_compress(struct zstd_compressor *z, const void *in, size_t len, void *dst, size_t cap)
{
    size_t n = ZSTD_compress2(z->cctx, dst, cap, in, len);
    return ZSTD_isError(n) ? 0 : n;
}
