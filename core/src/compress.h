/* compress.h - gzip and zstd for request bodies, behind one small interface.
 *
 * gzip's backend is libdeflate: at level 1 it measured 1.7-1.9x faster than zlib here on
 * OTLP batches, and a request body is always compressed whole (no streaming needed),
 * which is the one thing libdeflate cannot do. docs/architecture.md ("Transport") has
 * the numbers. zstd (compress_zstd.c, libzstd) is for Honeycomb's Events API, the one
 * intake here that documents it: OTLP/HTTP lists gzip only (OTLP specification,
 * "OTLP/HTTP Request": Content-Encoding: gzip) and Splunk HEC takes gzip. Swapping a
 * backend touches compress.c or compress_zstd.c only. */
#ifndef GENOPS_COMPRESS_H
#define GENOPS_COMPRESS_H

#include <stddef.h>

#include "buf.h"
#include "genops.h"

enum compress_format { COMPRESS_NONE, COMPRESS_GZIP, COMPRESS_ZSTD };

/* The levels the exporters compress at: the fastest of each (compression dominates the
 * cost of an export; benchmarks/README.md, "Honeycomb Events API", has zstd 1 beside 3). */
#define COMPRESS_GZIP_EXPORT_LEVEL 1
#define COMPRESS_ZSTD_EXPORT_LEVEL 1

struct compressor;

/* A compressor for format (GZIP: level 1 = fastest .. 12; ZSTD: 1 .. 19); NULL when out
 * of memory. The caller owns it (compress_free). One thread at a time; each exporter
 * keeps its own, because allocating one costs far more than compressing a batch. */
struct compressor *compress_new(enum compress_format format, int level);
void compress_free(struct compressor *c);

/* What the exporters compress request bodies with: *out = a compressor for format at
 * its export level, or NULL for COMPRESS_NONE. GENOPS_ENOMEM, with err filled, when out
 * of memory. */
genops_status compress_new_for_export(enum compress_format format, struct compressor **out,
                                      genops_error *err);

/* "none", "gzip", "zstd": for log lines. */
const char *compress_format_name(enum compress_format format);

/* The Content-Encoding of c's output ("gzip", "zstd"); NULL for no compressor. */
const char *compress_encoding(const struct compressor *c);

/* Replace out's contents with in[0..len) compressed: a gzip (RFC 1952) member or a zstd
 * (RFC 8878) frame. On failure (GENOPS_ETOOBIG when out's limit is too small,
 * GENOPS_ENOMEM) out is left empty. */
genops_status compress_body(struct compressor *c, const void *in, size_t len, struct buf *out);

#endif
