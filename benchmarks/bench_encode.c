/* bench_encode.c - OTLP encode throughput (issue 4): 512-span batches of 20-attribute
 * spans through the direct protobuf and JSON encoders, protobuf-c's generated packer
 * for reference, and gzip level 1 (libdeflate, zlib) on top.
 *
 *   bench_encode          a table (ns/span, spans/s, MB/s of output, bytes/span)
 *   bench_encode --json   the same rows as JSON lines, for benchmarks/compare_encode.py
 *   bench_encode --lean   either, without the derived names (GENOPS_DERIVED_ATTRIBUTES)
 *   bench_encode --callgrind
 *                         10 batches through collect_pb, then 10 through collect_json,
 *                         for valgrind --tool=callgrind --toggle-collect=collect_pb (or
 *                         collect_json): instructions, which repeat where time does not
 *
 * The batch and the timing (best of several rounds) are bench_batch.c's, shared with
 * bench_hec. Build it in Release (benchmarks/README.md). */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bench_batch.h"
#include "otlp/otlp_encode.h"
#include "genops.h"
#include "otlp_pbc.h"

/* What one row times: produce the payload for b into out (cleared first). */
typedef int (*encode_fn)(const struct batch *b, struct buf *out);

static int pb(const struct batch *b, struct buf *out)
{
    return encode_otlp_pb(b, out) == GENOPS_OK;
}

static int json(const struct batch *b, struct buf *out)
{
    return encode_otlp_json(b, out) == GENOPS_OK;
}

/* protobuf-c: building its message tree from the batch and packing it, or (with the
 * tree built once, outside the timing) packing alone. */
static struct otlp_pbc_built *prebuilt;

static int pbc_packed(uint8_t *data, size_t len, struct buf *out)
{
    if (data)
        buf_append(out, data, len);
    free(data);
    return data != NULL;
}

static int pbc(const struct batch *b, struct buf *out)
{
    size_t len = 0;
    uint8_t *data = otlp_pbc_pack(b, &len);
    return pbc_packed(data, len, out);
}

static int pbc_pack_only(const struct batch *b, struct buf *out)
{
    size_t len = 0;
    uint8_t *data = otlp_pbc_pack_built(prebuilt, &len);
    (void)b;
    return pbc_packed(data, len, out);
}

/* gzip level 1 of an encoding: the second buffer holds the uncompressed payload. */
static struct buf scratch;
static struct libdeflate_compressor *deflater;

static int gzip_libdeflate(struct buf *out)
{
    size_t bound = libdeflate_gzip_compress_bound(deflater, scratch.len);
    if (!buf_reserve(out, bound))
        return 0;
    out->len = libdeflate_gzip_compress(deflater, scratch.data, scratch.len, out->data, bound);
    return out->len != 0;
}

static int gzip_zlib(struct buf *out)
{
    z_stream z = {0};
    if (deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    size_t bound = deflateBound(&z, scratch.len);
    int ok = buf_reserve(out, bound);
    if (ok) {
        z.next_in = (Bytef *)scratch.data;
        z.avail_in = (uInt)scratch.len;
        z.next_out = (Bytef *)out->data;
        z.avail_out = (uInt)bound;
        ok = deflate(&z, Z_FINISH) == Z_STREAM_END;
        out->len = z.total_out;
    }
    deflateEnd(&z);
    return ok;
}

static int pb_libdeflate(const struct batch *b, struct buf *out)
{
    scratch.len = 0;
    return pb(b, &scratch) && gzip_libdeflate(out);
}

static int pb_zlib(const struct batch *b, struct buf *out)
{
    scratch.len = 0;
    return pb(b, &scratch) && gzip_zlib(out);
}

static int json_libdeflate(const struct batch *b, struct buf *out)
{
    scratch.len = 0;
    return json(b, &scratch) && gzip_libdeflate(out);
}

static int json_zlib(const struct batch *b, struct buf *out)
{
    scratch.len = 0;
    return json(b, &scratch) && gzip_zlib(out);
}

/* bench_fn: one row's encoding of the batch into out (cleared first). */
struct row_run {
    encode_fn fn;
    const struct batch *b;
    struct buf *out;
};

static bool run_row(void *ctx)
{
    struct row_run *r = ctx;
    r->out->len = 0;
    return r->fn(r->b, r->out);
}

/* Every row of the table (or of the JSON lines). */
static void run_rows(const struct batch *b, struct buf *out, bool as_json)
{
    deflater = libdeflate_alloc_compressor(1);
    prebuilt = otlp_pbc_build(b);
    buf_init(&scratch, (size_t)1 << 30);
    static const struct {
        const char *name;
        encode_fn fn;
    } rows[] = {
        {"protobuf, direct (encode_otlp_pb)", pb},
        {"protobuf, protobuf-c build + pack", pbc},
        {"protobuf, protobuf-c pack only", pbc_pack_only},
        {"JSON (encode_otlp_json)", json},
        {"protobuf + gzip-1 (libdeflate)", pb_libdeflate},
        {"protobuf + gzip-1 (zlib)", pb_zlib},
        {"JSON + gzip-1 (libdeflate)", json_libdeflate},
        {"JSON + gzip-1 (zlib)", json_zlib},
    };
    if (!as_json) {
        printf("%zu spans x 20 attributes per batch; best of %d rounds\n\n", b->count,
               BENCH_ROUNDS);
        printf("| encoding | ns/span | spans/s | MB/s out | bytes/span |\n");
        printf("|---|---:|---:|---:|---:|\n");
    }
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct row_run run = {rows[i].fn, b, out};
        double ns = bench_best_ns(run_row, &run, b->count);
        double per_span = (double)out->len / (double)b->count;
        if (as_json)
            printf("{\"name\": \"%s\", \"ns_per_span\": %.1f, \"bytes_per_span\": %.1f}\n",
                   rows[i].name, ns, per_span);
        else
            printf("| %s | %.0f | %.2f M | %.0f | %.0f |\n", rows[i].name, ns, 1e3 / ns,
                   per_span / ns * 1e3, per_span);
        fflush(stdout);
    }
    libdeflate_free_compressor(deflater);
    otlp_pbc_release(prebuilt);
    buf_free(&scratch);
}

/* The functions callgrind collects in (--callgrind): not inlined, so that they exist. */
__attribute__((noinline)) void collect_pb(const struct batch *b, struct buf *out, int n);
__attribute__((noinline)) void collect_json(const struct batch *b, struct buf *out, int n);

void collect_pb(const struct batch *b, struct buf *out, int n)
{
    for (int i = 0; i < n; i++) {
        out->len = 0;
        pb(b, out);
    }
}

void collect_json(const struct batch *b, struct buf *out, int n)
{
    for (int i = 0; i < n; i++) {
        out->len = 0;
        json(b, out);
    }
}

int main(int argc, char **argv)
{
    bool as_json = false, callgrind = false, lean = false;
    for (int i = 1; i < argc; i++) {
        as_json |= strcmp(argv[i], "--json") == 0;
        callgrind |= strcmp(argv[i], "--callgrind") == 0;
        lean |= strcmp(argv[i], "--lean") == 0; /* no derived names (derived.h) */
    }
    genops_pipeline_options opt;
    struct bench_batch bb;

    genops_pipeline_options_init(&opt);
    opt.service_name = "support-assistant";
    opt.service_version = "2.4.1";
    opt.environment = "production";
    opt.max_export_batch_size = BENCH_SPANS;
    opt.no_derived_attributes = lean;
    if (!bench_batch_open(&bb, &opt))
        return 1;

    struct buf out;
    buf_init(&out, (size_t)1 << 30);
    if (callgrind) {
        collect_pb(&bb.batch, &out, 10);
        collect_json(&bb.batch, &out, 10);
        printf("10 batches of %zu spans through each encoder\n", bb.batch.count);
    } else {
        run_rows(&bb.batch, &out, as_json);
    }
    buf_free(&out);
    bench_batch_close(&bb);
    return 0;
}
