/* bench_honeycomb.c - Honeycomb Events API encode throughput (issue 10): 512-span batches
 * of 20-attribute spans through encode_honeycomb_msgpack, the body of POST
 * /1/batch/<dataset>, alone and with gzip or zstd (compress.h) on top, with the
 * derived names the guides query (derived.h; the default) and without them.
 *
 *   bench_honeycomb                   a table (ns/event, events/s per core, bytes/event)
 *   bench_honeycomb --json            the same rows as JSON lines (compare_honeycomb.py)
 *   bench_honeycomb --sample PATH     also write one batch's msgpack body to PATH: the
 *                                     events the pure-Python comparison builds again
 *   bench_honeycomb --callgrind       10 batches through collect_msgpack only, for
 *                                     valgrind --tool=callgrind
 *                                     --toggle-collect=collect_msgpack: instructions,
 *                                     which repeat where time does not
 *   bench_honeycomb --callgrind-compress gzip|zstd1|zstd3
 *                                     one batch's body compressed 10 times in
 *                                     collect_compress (--toggle-collect=collect_compress)
 *
 * The tree has no JSON form of the Events API body (the exporter sends msgpack only), so
 * there are no C JSON rows. The batch and the timing (best of several rounds) are
 * bench_batch.c's, shared with bench_encode and bench_hec, so the tables compare. Build
 * it in Release (benchmarks/README.md). */
#include <stdio.h>
#include <string.h>

#include "bench_batch.h"
#include "compress.h"
#include "genops.h"
#include "honeycomb/honeycomb_encode.h"

/* bench_fn: encode (and compress) the batch once; bytes is what one batch came to. */
struct row_run {
    const struct batch *b;
    struct buf *out, *zout;
    struct compressor *z; /* NULL: not compressed */
    size_t bytes;
};

static bool run_row(void *ctx)
{
    struct row_run *x = ctx;
    x->out->len = 0;
    if (encode_honeycomb_msgpack(x->b, x->out) != GENOPS_OK)
        return false;
    x->bytes = x->out->len;
    if (x->z) {
        if (compress_body(x->z, x->out->data, x->out->len, x->zout) != GENOPS_OK)
            return false;
        x->bytes = x->zout->len;
    }
    return true;
}

/* What callgrind collects in (--callgrind): not inlined, so that it exists. */
__attribute__((noinline)) bool collect_msgpack(const struct batch *b, struct buf *out, int n);

bool collect_msgpack(const struct batch *b, struct buf *out, int n)
{
    for (int i = 0; i < n; i++) {
        out->len = 0;
        if (encode_honeycomb_msgpack(b, out) != GENOPS_OK)
            return false;
    }
    return true;
}

__attribute__((noinline)) bool collect_compress(struct compressor *c, const struct buf *in,
                                                struct buf *out, int n);

bool collect_compress(struct compressor *c, const struct buf *in, struct buf *out, int n)
{
    for (int i = 0; i < n; i++)
        if (compress_body(c, in->data, in->len, out) != GENOPS_OK)
            return false;
    return true;
}

int main(int argc, char **argv)
{
    bool json = false, callgrind = argc == 2 && !strcmp(argv[1], "--callgrind");
    const char *squeeze = argc == 3 && !strcmp(argv[1], "--callgrind-compress") ? argv[2] : NULL;
    const char *sample = NULL;
    struct bench_batch bb;
    if (!callgrind && !squeeze && !bench_parse_args(argc, argv, &json, &sample))
        return 2;
    if (!bench_batch_open_service(&bb, "bench-honeycomb"))
        return 1;

    struct buf out, zout;
    buf_init(&out, (size_t)64 << 20);
    buf_init(&zout, (size_t)64 << 20);
    /* gzip as the exporters compress, zstd at the two levels the default was chosen from */
    struct compressor *z = compress_new(COMPRESS_GZIP, COMPRESS_GZIP_EXPORT_LEVEL);
    struct compressor *z1 = compress_new(COMPRESS_ZSTD, 1), *z3 = compress_new(COMPRESS_ZSTD, 3);
    int status = 0;
    if (squeeze) {
        struct compressor *c = !strcmp(squeeze, "gzip")    ? z
                               : !strcmp(squeeze, "zstd1") ? z1
                               : !strcmp(squeeze, "zstd3") ? z3
                                                           : NULL;
        status = c && encode_honeycomb_msgpack(&bb.batch, &out) == GENOPS_OK &&
                         collect_compress(c, &out, &zout, 10)
                     ? 0
                     : 1;
        printf("%s: 10 bodies of %zu spans through collect_compress, %zu -> %zu bytes\n", squeeze,
               bb.batch.count, out.len, zout.len);
    } else if (callgrind) {
        status = collect_msgpack(&bb.batch, &out, 10) ? 0 : 1;
        printf("10 batches of %zu spans through encode_honeycomb_msgpack\n", bb.batch.count);
    } else if (!z || !z1 || !z3) {
        fprintf(stderr, "bench_honeycomb: out of memory creating the compressors\n");
        status = 1;
    } else if (sample && (encode_honeycomb_msgpack(&bb.batch, &out) != GENOPS_OK ||
                          !bench_write_file(sample, out.data, out.len))) {
        status = 1;
    } else {
        /* derived: with the names the guides query (derived.h), as the exporter sends */
        const struct {
            const char *name;
            struct compressor *z;
            bool derived;
        } rows[] = {{"msgpack", NULL, true},
                    {"msgpack + gzip (compress.h, libdeflate 1)", z, true},
                    {"msgpack + zstd level 1 (compress.h, libzstd)", z1, true},
                    {"msgpack + zstd level 3 (compress.h, libzstd)", z3, true},
                    {"msgpack, no derived names (GENOPS_DERIVED_ATTRIBUTES off)", NULL, false}};
        bench_print_header(json);
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            bb.batch.derived = rows[i].derived;
            struct row_run run = {&bb.batch, &out, &zout, rows[i].z, 0};
            double ns = bench_best_ns(run_row, &run, bb.batch.count);
            bench_print_row(json, rows[i].name, ns, run.bytes);
        }
    }
    compress_free(z);
    compress_free(z1);
    compress_free(z3);
    buf_free(&zout);
    buf_free(&out);
    bench_batch_close(&bb);
    return status;
}
