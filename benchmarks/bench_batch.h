/* bench_batch.h - what the encode benchmarks (bench_encode.c, bench_hec.c,
 * bench_honeycomb.c) share: the one batch they encode, so their tables compare, the
 * best-of-rounds timing, and the command line of those with a pure-Python comparison.
 *
 * The batch is BENCH_SPANS spans of 20 attributes (12 string, 5 integer and 3 double:
 * the shape of a GenOps cost + policy + budget operation), recorded through the public
 * API and read back from a memory exporter; benchmarks/python/otel_encode.py records the
 * same spans with the OpenTelemetry SDK. Build in Release (benchmarks/README.md). One
 * thread. */
#ifndef GENOPS_BENCH_BATCH_H
#define GENOPS_BENCH_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "exporter.h"
#include "genops.h"
#include "resource.h"

#define BENCH_SPANS  512
#define BENCH_ROUNDS 7

struct bench_batch {
    struct batch batch; /* what the rows encode: spans and resource below */
    genops_pipeline *pipeline;
    struct resource resource;
    struct span *spans[BENCH_SPANS];
};

/* Record the spans into a pipeline made with opt (whose service name and environment
 * go into the resource) and fill *bb. On failure prints why on stderr and returns false;
 * otherwise free with bench_batch_close. */
bool bench_batch_open(struct bench_batch *bb, const genops_pipeline_options *opt);
void bench_batch_close(struct bench_batch *bb);

/* bench_batch_open with a pipeline named service, other options at their defaults. */
bool bench_batch_open_service(struct bench_batch *bb, const char *service);

/* The command line [--json] [--sample PATH] into *json and *sample (NULL when absent);
 * false, after printing the usage on stderr, on anything else. */
bool bench_parse_args(int argc, char **argv, bool *json, const char **sample);

/* The table's header (none with json), then one row per call: ns per event timed over
 * the batch and bytes the batch came to, as a table row or (json) a JSON line for
 * benchmarks/compare_*.py. */
void bench_print_header(bool json);
void bench_print_row(bool json, const char *name, double ns, size_t batch_bytes);

/* Write data[0..len) to path (the --sample file); false, with a message on stderr, when
 * it cannot. */
bool bench_write_file(const char *path, const void *data, size_t len);

/* One repetition of what a row times; false when it failed. */
typedef bool (*bench_fn)(void *ctx);

/* Nanoseconds per item (fn's work covers `items` of them), the best of BENCH_ROUNDS
 * rounds: these machines are shared and noisy, and the minimum is the least disturbed
 * measurement. Each round repeats fn for at least 0.2 s (the first round calibrates the
 * repetitions). Exits the program with a message when fn fails. */
double bench_best_ns(bench_fn fn, void *ctx, size_t items);

#endif
