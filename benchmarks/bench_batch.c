/* bench_batch.c - see bench_batch.h. */
#include "bench_batch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIN_ROUND_NS 200000000.0 /* each round repeats the work for at least 0.2 s */

#define S(k, text)                                                                                 \
    {                                                                                              \
        (k),                                                                                       \
        {                                                                                          \
            .type = GENOPS_TYPE_STRING, .len = sizeof(text) - 1, .u.s = (text)                     \
        }                                                                                          \
    }
#define I(k, n)                                                                                    \
    {                                                                                              \
        (k),                                                                                       \
        {                                                                                          \
            .type = GENOPS_TYPE_INT, .u.i = (n)                                                    \
        }                                                                                          \
    }
#define D(k, x)                                                                                    \
    {                                                                                              \
        (k),                                                                                       \
        {                                                                                          \
            .type = GENOPS_TYPE_DOUBLE, .u.d = (x)                                                 \
        }                                                                                          \
    }

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Record BENCH_SPANS spans of 20 attributes into p. */
static void record(genops_pipeline *p)
{
    for (int i = 0; i < BENCH_SPANS; i++) {
        genops_attribute attrs[] = {
            S("genops.operation.name", "chat.completion"),
            S("genops.operation.type", "ai.inference"),
            S("genops.team", "ml-platform"),
            S("genops.project", "support-assistant"),
            S("genops.customer_id", "customer-0042"),
            S("genops.feature", "ticket-summary"),
            S("genops.environment", "production"),
            S("genops.cost.provider", "openai"),
            S("genops.cost.model", "gpt-4o-2024-08-06"),
            S("genops.cost.currency", "USD"),
            S("genops.policy.name", "pii-redaction"),
            S("genops.policy.result", "allowed"),
            I("genops.tokens.input", 1200 + i),
            I("genops.tokens.output", 350 + i % 50),
            I("genops.tokens.total", 1550 + i + i % 50),
            I("genops.retries", i % 3),
            I("genops.latency_ms", 840 + i % 97),
            D("genops.cost.total", 0.0125 + i * 0.0001),
            D("genops.budget.remaining", 4872.35 - i * 0.0125),
            D("genops.eval.score", 0.5 + (i % 50) / 100.0),
        };
        genops_span s = genops_span_start(p, "chat.completion", NULL, NULL);
        genops_span_set_kind(s, GENOPS_SPAN_KIND_CLIENT, NULL);
        genops_span_set_attributes(s, attrs, sizeof attrs / sizeof attrs[0], NULL);
        genops_span_end(s, NULL);
    }
}

bool bench_batch_open(struct bench_batch *bb, const genops_pipeline_options *opt)
{
    genops_error err = {0};
    *bb = (struct bench_batch){0};
    bb->pipeline = genops_pipeline_new(opt, &err);
    genops_exporter *memory = bb->pipeline ? genops_memory_exporter_new(&err) : NULL;
    if (!memory || genops_pipeline_add_exporter(bb->pipeline, memory, &err) ||
        resource_build(&bb->resource, opt, &err)) {
        fprintf(stderr, "%s: %s\n", program_invocation_short_name, err.message);
        genops_pipeline_free(bb->pipeline);
        return false;
    }
    record(bb->pipeline);
    genops_pipeline_flush(bb->pipeline, 10000, &err);
    size_t n = genops_memory_exporter_count(memory);
    if (n != BENCH_SPANS) {
        fprintf(stderr, "%s: %zu of %d spans recorded\n", program_invocation_short_name, n,
                BENCH_SPANS);
        bench_batch_close(bb);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        bb->spans[i] = (struct span *)genops_memory_exporter_get(memory, i);
    bb->batch =
        (struct batch){bb->spans, n, &bb->resource, !(opt && opt->no_derived_attributes), false};
    return true;
}

void bench_batch_close(struct bench_batch *bb)
{
    resource_free(&bb->resource);
    genops_pipeline_free(bb->pipeline);
    *bb = (struct bench_batch){0};
}

bool bench_batch_open_service(struct bench_batch *bb, const char *service)
{
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.service_name = service;
    opt.max_queue_size = 4096;
    opt.exit_flush_timeout_ms = GENOPS_NO_EXIT_FLUSH;
    return bench_batch_open(bb, &opt);
}

bool bench_parse_args(int argc, char **argv, bool *json, const char **sample)
{
    *json = false;
    *sample = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            *json = true;
        } else if (!strcmp(argv[i], "--sample") && i + 1 < argc) {
            *sample = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--json] [--sample PATH]\n", program_invocation_short_name);
            return false;
        }
    }
    return true;
}

void bench_print_header(bool json)
{
    if (!json)
        printf("| encoding (%d x 20-attribute spans) | ns/event | events/s per core | "
               "bytes/event |\n|---|---|---|---|\n",
               BENCH_SPANS);
}

void bench_print_row(bool json, const char *name, double ns, size_t batch_bytes)
{
    double bytes = (double)batch_bytes / BENCH_SPANS;
    if (json)
        printf("{\"name\": \"C %s\", \"ns_per_event\": %.1f, \"bytes_per_event\": %.1f}\n", name,
               ns, bytes);
    else
        printf("| %s | %.0f | %.0f | %.0f |\n", name, ns, 1e9 / ns, bytes);
}

bool bench_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "%s: cannot write %s: %s\n", program_invocation_short_name, path,
                strerror(errno));
    return ok;
}

double bench_best_ns(bench_fn fn, void *ctx, size_t items)
{
    double best = 0;
    long reps = 1;
    for (int round = 0; round < BENCH_ROUNDS; round++) {
        double t0 = now_ns(), elapsed;
        long done = 0;
        do {
            for (long r = 0; r < reps; r++) {
                if (!fn(ctx)) {
                    fprintf(stderr, "%s: encoding failed\n", program_invocation_short_name);
                    exit(1);
                }
            }
            done += reps;
            elapsed = now_ns() - t0;
            if (round == 0 && elapsed < MIN_ROUND_NS)
                reps *= 2; /* calibrate in the first round */
        } while (elapsed < MIN_ROUND_NS);
        double per_item = elapsed / (double)done / (double)items;
        best = round == 0 || per_item < best ? per_item : best;
    }
    return best;
}
