/* bench_hec.c - Splunk HEC encode throughput (issue 5): 512-span batches of
 * 20-attribute spans through encode_hec as event envelopes, as event envelopes with
 * three indexed fields, and as raw lines, plus gzip level 1 (libdeflate) on top.
 *
 *   bench_hec                   a table (ns/event, events/s per core, bytes/event)
 *   bench_hec --json            the same rows as JSON lines (benchmarks/compare_hec.py)
 *   bench_hec --sample PATH     also write one batch's event encoding to PATH: the
 *                               events the pure-Python comparison builds again
 *
 * The spans are recorded through the public API (12 string, 5 integer and 3 double
 * attributes: a GenOps cost + policy + budget operation). The batch and the timing (best
 * of several rounds) are bench_batch.c's, shared with bench_encode, so the two tables
 * compare. Build it in Release (benchmarks/README.md). */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_batch.h"
#include "hec/hec_encode.h"
#include "genops.h"

static const char *const fields[] = {"genops.team", "genops.project", "genops.customer_id"};

struct row {
    const char *name;
    struct hec_encoding enc;
    bool gzip;
};

/* bench_fn: encode (and compress) the batch once; bytes is what one batch came to. */
struct row_run {
    const struct row *r;
    const struct batch *b;
    struct buf *out;
    struct libdeflate_compressor *z;
    char *zout;
    size_t zcap, bytes;
};

static bool run_row(void *ctx)
{
    struct row_run *x = ctx;
    x->out->len = 0;
    if (encode_hec(x->b, &x->r->enc, x->out, NULL) != GENOPS_OK)
        return false;
    x->bytes = x->out->len;
    if (x->r->gzip)
        x->bytes = libdeflate_gzip_compress(x->z, x->out->data, x->out->len, x->zout, x->zcap);
    return true;
}

int main(int argc, char **argv)
{
    bool json;
    const char *sample;
    struct bench_batch bb;
    if (!bench_parse_args(argc, argv, &json, &sample))
        return 2;
    if (!bench_batch_open_service(&bb, "bench-hec"))
        return 1;
    const struct batch *b = &bb.batch;

    struct hec_encoding base = {.host = "ai-app-server-01", .index = "genops_ai"};
    struct row rows[] = {
        {"event", base, false},
        {"event + 3 indexed fields", base, false},
        {"raw lines", base, false},
        {"event + gzip (libdeflate 1)", base, true},
    };
    rows[1].enc.fields = fields;
    rows[1].enc.field_count = 3;
    rows[2].enc.raw = true;

    struct buf out;
    buf_init(&out, (size_t)64 << 20);
    size_t zcap = (size_t)64 << 20;
    char *zout = malloc(zcap);
    struct libdeflate_compressor *z = libdeflate_alloc_compressor(1);
    int rc = 0;
    if (sample) {
        out.len = 0;
        if (encode_hec(b, &rows[0].enc, &out, NULL) != GENOPS_OK ||
            !bench_write_file(sample, out.data, out.len))
            rc = 1;
    }
    if (!rc) {
        bench_print_header(json);
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            struct row_run run = {&rows[i], b, &out, z, zout, zcap, 0};
            double ns = bench_best_ns(run_row, &run, b->count);
            bench_print_row(json, rows[i].name, ns, run.bytes);
        }
    }
    libdeflate_free_compressor(z);
    free(zout);
    buf_free(&out);
    bench_batch_close(&bb);
    return rc;
}
