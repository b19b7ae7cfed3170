/* compress.h - gzip for request bodies, behind one small interface.
 *
 * The backend is libdeflate: at level 1 it measured 1.7-1.9x faster than zlib here on
 * OTLP batches, and a request body is always compressed whole (no streaming needed),
 * which is the one thing libdeflate cannot do. docs/architecture.md ("Transport") has
 * the numbers. Swapping the backend touches compress.c only. */
#ifndef GENOPS_COMPRESS_H
#define GENOPS_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "genops.h"

struct compressor;

/* A gzip compressor at level (1 = fastest .. 12); NULL when out of memory. The caller
 * owns it (compress_free). One thread at a time; each exporter keeps its own, because
 * allocating one costs far more than compressing a batch. */
struct compressor *compress_new(int level);
void compress_free(struct compressor *c);

/* What the exporters compress request bodies with: *out = a compressor at level 1, the
 * fastest (compression dominates the cost of an export), when gzip is true; else NULL.
 * GENOPS_ENOMEM, with err filled, when out of memory. */
genops_status compress_new_for_export(bool gzip, struct compressor **out, genops_error *err);

/* Replace out's contents with the gzip (RFC 1952) member of in[0..len). On failure
 * (GENOPS_ETOOBIG when out's limit is too small, GENOPS_ENOMEM) out is left empty. */
genops_status compress_gzip(struct compressor *c, const void *in, size_t len, struct buf *out);

#endif
