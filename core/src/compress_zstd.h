/* compress_zstd.h - zstd (RFC 8878) for request bodies, compress.c's second format.
 *
 * Honeycomb's Events API takes Content-Encoding: zstd on /1/batch, and Honeycomb's own
 * libhoney-go sends it by default (honeycombio/libhoney-go, transmission/transmission.go:
 * buildReqReader compresses each batch whole with a zstd encoder at level 2 and sets
 * "Content-Encoding: zstd" unless DisableCompression). The backend is Debian's libzstd,
 * one-shot with a reused context: a body is always compressed whole. The levels used
 * here keep the window at or under the 8 MB RFC 8878 section 3.1.1.1.2 asks every
 * decoder to support. Only compress.c includes this. */
#ifndef GENOPS_COMPRESS_ZSTD_H
#define GENOPS_COMPRESS_ZSTD_H

#include <stddef.h>

struct zstd_compressor;

/* A zstd compressor at level (1 = fastest .. 19); NULL when out of memory. */
struct zstd_compressor *zstd_compressor_new(int level);
void zstd_compressor_free(struct zstd_compressor *z);

/* The most bytes zstd_compress can write for len bytes in. */
size_t zstd_compress_bound(size_t len);

/* One zstd frame of in[0..len) (with its content size and checksum) into dst[0..cap);
 * its size, or 0 when libzstd fails (not with cap >= zstd_compress_bound(len)). */
size_t zstd_compress(struct zstd_compressor *z, const void *in, size_t len, void *dst, size_t cap);

#endif
