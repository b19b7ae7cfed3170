/* bench_pipeline.c - the application thread's cost per GenOps operation.
 *
 * One operation = start a span, set 12 attributes (one list call), record a cost (5
 * keyword arguments), end it; the export thread drains to an exporter that does
 * nothing, then to one that encodes each batch as OTLP protobuf and throws it away (a
 * real exporter's work, less the network). Reported, for 1, 2, 4 and 8 producer
 * threads: ns per operation, throughput, the producers' CPU per operation and the
 * export side's CPU per span (process CPU less the producers'), drops, against a
 * do-nothing floor with the same loop, and malloc calls per operation in steady state
 * (malloc, calloc and realloc are wrapped at link time and counted).
 *
 *   bench_pipeline [ops_per_thread]           the table
 *   bench_pipeline --callgrind [ops]          one thread, for
 *       valgrind --tool=callgrind --toggle-collect=run_ops: instructions per operation
 *       = the Ir of run_ops / ops
 *   bench_pipeline --callgrind-encode [ops]   the same into the OTLP-encoding exporter,
 *       every span exported before the end, for the export side's instructions: the
 *       whole program's Ir (without --toggle-collect) over 2 * ops spans
 *   bench_pipeline --sampling [ops]           the sampling table (docs/sampling.md): an
 *       operation (genops_operation_start with 5 attributes + record_cost + end) with
 *       sampling off, at a 10 % ratio, with per-attribute rules, and all sampled out
 *   bench_pipeline --callgrind-sampling MODE [ops]   one of those (on, ratio, rules,
 *       off), for callgrind as above
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "exporter.h"
#include "genops.h"
#include "otlp/otlp_encode.h"

/* ---- counting allocations (ld --wrap) ------------------------------------------ */

static atomic_long allocations;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return __real_realloc(p, n);
}

/* ---- an exporter that does nothing -------------------------------------------- */

static genops_status null_export(genops_exporter *e, const struct batch *b, uint64_t deadline,
                                 struct export_result *r)
{
    (void)e;
    (void)deadline;
    r->delivered = b->count;
    return GENOPS_OK;
}

static void null_destroy(genops_exporter *e)
{
    free(e);
}

static const struct exporter_ops null_ops = {
    .kind = "null", .export_batch = null_export, .destroy = null_destroy};

/* ---- an exporter that encodes: a real exporter's work, less the network ------------ */

/* Each batch encoded as OTLP protobuf, the OTLP/HTTP exporter's body, into one buffer
 * kept across batches (so that the mallocs counted stay the application's), then
 * thrown away. */
struct encode_exporter {
    genops_exporter base;
    struct buf out;
};

static genops_status encode_export(genops_exporter *e, const struct batch *b, uint64_t deadline,
                                   struct export_result *r)
{
    struct encode_exporter *x = (struct encode_exporter *)e;
    (void)deadline;
    buf_truncate(&x->out, 0);
    genops_status rc = encode_otlp_pb(b, &x->out);
    r->delivered = rc ? 0 : b->count;
    return rc;
}

static void encode_destroy(genops_exporter *e)
{
    buf_free(&((struct encode_exporter *)e)->out);
    free(e);
}

static const struct exporter_ops encode_ops = {
    .kind = "encode", .export_batch = encode_export, .destroy = encode_destroy};

/* The exporter of the pipelines measure() makes. */
static const struct exporter_ops *exporter_ops = &null_ops;

/* ---- the operation ------------------------------------------------------------ */

#define S(k, v)                                                                                    \
    {                                                                                              \
        k,                                                                                         \
        {                                                                                          \
            .type = GENOPS_TYPE_STRING, .len = sizeof(v) - 1, .u.s = v                             \
        }                                                                                          \
    }
#define I(k, v)                                                                                    \
    {                                                                                              \
        k,                                                                                         \
        {                                                                                          \
            .type = GENOPS_TYPE_INT, .u.i = v                                                      \
        }                                                                                          \
    }
#define D(k, v)                                                                                    \
    {                                                                                              \
        k,                                                                                         \
        {                                                                                          \
            .type = GENOPS_TYPE_DOUBLE, .u.d = v                                                   \
        }                                                                                          \
    }

static const genops_attribute attrs[12] = {
    S("genops.team", "ml-platform"),
    S("genops.project", "assistant"),
    S("genops.customer_id", "cust-4711"),
    S("genops.feature", "chat"),
    S("genops.environment", "production"),
    S("gen_ai.system", "openai"),
    S("gen_ai.request.model", "gpt-4o"),
    I("gen_ai.request.max_tokens", 1024),
    D("gen_ai.request.temperature", 0.7),
    S("user.tier", "enterprise"),
    I("retry.count", 0),
    S("region", "eu-west-1"),
};
static const genops_attribute cost[5] = {
    D("cost", 0.0234),      S("provider", "openai"), S("model", "gpt-4o"),
    I("tokens_input", 812), I("tokens_output", 311),
};

/* An operation as track_enhanced(customer_tier=..., ...) starts it. */
static const genops_attribute op_attrs[5] = {
    S("team", "ml-platform"),   S("project", "assistant"), S("customer_id", "cust-4711"),
    S("customer_tier", "free"), S("feature", "chat"),
};

/* The sampling modes of --sampling: the pipeline's sampler and rules. */
struct mode {
    const char *name, *what;
    genops_sampler sampler;
    double ratio;
    const char *rules;
};
static const struct mode modes[] = {
    {"on", "sampling off (parentbased_always_on)", GENOPS_SAMPLER_DEFAULT, 0, NULL},
    {"ratio", "traceidratio 0.1", GENOPS_SAMPLER_PARENTBASED_TRACEIDRATIO, 0.1, NULL},
    {"rules", "ratio 0.1 + 3 rules (the guide's tiers; free: 0.01)",
     GENOPS_SAMPLER_PARENTBASED_TRACEIDRATIO, 0.1,
     "[{\"attributes\": [\"customer_tier\"], \"equals\": [\"enterprise\"], \"ratio\": 1},"
     " {\"attributes\": [\"customer_tier\"], \"equals\": [\"business\"], \"ratio\": 0.1},"
     " {\"attributes\": [\"customer_tier\"], \"equals\": [\"free\"], \"ratio\": 0.01}]"},
    {"off", "always_off (every span recorded, then left out)", GENOPS_SAMPLER_ALWAYS_OFF, 0, NULL},
};
static const struct mode *mode = &modes[0];

static volatile int sink;

static void floor_op(genops_pipeline *p)
{
    (void)p;
    sink++;
}

static void genops_op(genops_pipeline *p)
{
    genops_span s = genops_span_start(p, "chat.completion", NULL, NULL);
    genops_span_set_attributes(s, attrs, 12, NULL);
    genops_span_record_cost(s, cost, 5, NULL);
    genops_span_end(s, NULL);
}

static void operation_op(genops_pipeline *p)
{
    genops_span s =
        genops_operation_start(p, "chat.completion", NULL, NULL, NULL, op_attrs, 5, NULL);
    genops_span_record_cost(s, cost, 5, NULL);
    genops_span_end(s, NULL);
}

/* Not static and not inlined: callgrind's --toggle-collect names it. */
__attribute__((noinline)) void run_ops(genops_pipeline *p, void (*op)(genops_pipeline *), long n);
__attribute__((noinline)) void run_ops(genops_pipeline *p, void (*op)(genops_pipeline *), long n)
{
    for (long i = 0; i < n; i++)
        op(p);
}

enum { MAX_THREADS = 8 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct job {
    genops_pipeline *p;
    void (*op)(genops_pipeline *);
    long n;
    pthread_barrier_t *start;
    double cpu_s; /* this producer's CPU in the timed part */
};

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
    struct job *j = arg;
    run_ops(j->p, j->op, j->n / 10); /* warm the pools of this thread */
    pthread_barrier_wait(j->start);
    double c0 = thread_cpu_s();
    run_ops(j->p, j->op, j->n);
    j->cpu_s = thread_cpu_s() - c0;
    return NULL;
}

static genops_pipeline *pipeline_new(void)
{
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_queue_size = 1 << 16;
    opt.exit_flush_timeout_ms = GENOPS_NO_EXIT_FLUSH;
    opt.sampler = mode->sampler;
    opt.sampler_ratio = mode->ratio;
    genops_pipeline *p = genops_pipeline_new(&opt, NULL);
    genops_pipeline_set_sampling_rules(p, mode->rules, NULL);
    struct encode_exporter *e = calloc(1, sizeof *e); /* the null exporter ignores out */
    e->base.ops = exporter_ops;
    buf_init(&e->out, SIZE_MAX);
    genops_pipeline_add_exporter(p, &e->base, NULL);
    return p;
}

static uint64_t exported; /* by the last measure() */
static double cpu_s;      /* process CPU of the last measure()'s timed part and flush */
static double producer_s; /* the producers' share of cpu_s */

static double cpu_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time of `threads` threads each running n operations; also the mallocs. */
static double measure(void (*op)(genops_pipeline *), int threads, long n, double *mallocs,
                      uint64_t *dropped)
{
    genops_pipeline *p = pipeline_new();
    pthread_t t[MAX_THREADS];
    struct job jobs[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        jobs[i] = (struct job){p, op, n, &start, 0};
        pthread_create(&t[i], NULL, worker, &jobs[i]);
    }
    genops_pipeline_flush(p, 10000, NULL);
    long before = atomic_load(&allocations);
    pthread_barrier_wait(&start);
    double t0 = now_s(), c0 = cpu_now_s();
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double elapsed = now_s() - t0;
    long after = atomic_load(&allocations);
    genops_pipeline_flush(p, 30000, NULL);
    cpu_s = cpu_now_s() - c0; /* the export thread's work included */
    producer_s = 0;
    for (int i = 0; i < threads; i++)
        producer_s += jobs[i].cpu_s;
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, NULL);
    *dropped = st.dropped_queue_full + st.dropped_buffer_full;
    exported = st.spans_exported;
    *mallocs = (double)(after - before) / ((double)n * threads);
    genops_pipeline_free(p);
    pthread_barrier_destroy(&start);
    return elapsed;
}

static const struct mode *mode_named(const char *name)
{
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(modes[i].name, name))
            return &modes[i];
    return NULL;
}

/* Steady state for callgrind: n operations open at once first (not collected), so that
 * the pool holds n slots whose arenas and attribute lists have all grown. However far
 * the export thread falls behind (valgrind runs one thread at a time), run_ops then
 * never meets a cold slot, and the count is the same every run. */
static void callgrind_run(void (*op)(genops_pipeline *), long n)
{
    genops_pipeline *p = pipeline_new();
    genops_span *held = calloc((size_t)n, sizeof *held);
    for (long i = 0; i < n; i++) {
        held[i] = genops_span_start(p, "chat.completion", NULL, NULL);
        genops_span_set_attributes(held[i], attrs, 12, NULL);
        genops_span_record_cost(held[i], cost, 5, NULL);
    }
    for (long i = 0; i < n; i++)
        genops_span_end(held[i], NULL);
    free(held);
    genops_pipeline_flush(p, 60000, NULL);
    run_ops(p, op, n);
    genops_pipeline_flush(p, 600000, NULL); /* every span exported: --callgrind-encode */
    genops_pipeline_free(p);
}

static int sampling_table(long n)
{
    double m_floor;
    uint64_t d;
    double floor1 = measure(floor_op, 1, n, &m_floor, &d);
    printf(
        "| operation, 1 thread (%ld ops) | ns/op | process CPU ns/op | exported | mallocs/op |\n",
        n);
    printf("|---|---|---|---|---|\n");
    printf("| do-nothing floor (same loop) | %.1f | %.1f | - | %.3f |\n", floor1 / (double)n * 1e9,
           cpu_s / (double)n * 1e9, m_floor);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        double mallocs;
        mode = &modes[i];
        double t = measure(operation_op, 1, n, &mallocs, &d);
        printf("| %s | %.1f | %.1f | %.1f %% | %.3f |\n", mode->what, t / (double)n * 1e9,
               cpu_s / (double)n * 1e9, 100.0 * (double)exported / (1.1 * (double)n), mallocs);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--sampling") == 0)
        return sampling_table(argc > 2 ? atol(argv[2]) : 1000000);
    if (argc > 2 && strcmp(argv[1], "--callgrind-sampling") == 0) {
        if (!(mode = mode_named(argv[2]))) {
            fprintf(stderr, "modes: on, ratio, rules, off\n");
            return 2;
        }
        callgrind_run(operation_op, argc > 3 ? atol(argv[3]) : 20000);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--callgrind-encode") == 0) {
        exporter_ops = &encode_ops;
        callgrind_run(genops_op, argc > 2 ? atol(argv[2]) : 20000);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--callgrind") == 0) {
        callgrind_run(genops_op, argc > 2 ? atol(argv[2]) : 20000);
        return 0;
    }
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    double m_floor;
    uint64_t d_floor;
    double floor1 = measure(floor_op, 1, n, &m_floor, &d_floor);
    /* The export thread's CPU per span is the process's CPU (to the flush after the
     * last operation) less the producers' own: on C cores the pipeline's throughput is
     * at most C / (producer CPU per op + export CPU per span). */
    printf("| workload (%ld ops per thread) | threads | ns/op per thread | Mops/s total | "
           "scaling | producer CPU ns/op | export CPU ns/span | mallocs/op | dropped |\n",
           n);
    printf("|---|---|---|---|---|---|---|---|---|\n");
    printf("| do-nothing floor (same loop) | 1 | %.1f | %.1f | - | - | - | %.3f | %llu |\n",
           floor1 / (double)n * 1e9, (double)n / floor1 / 1e6, m_floor,
           (unsigned long long)d_floor);
    const struct {
        const char *what;
        const struct exporter_ops *ops;
    } exporters[] = {{"null exporter", &null_ops}, {"OTLP protobuf encoded", &encode_ops}};
    for (size_t x = 0; x < sizeof exporters / sizeof exporters[0]; x++) {
        exporter_ops = exporters[x].ops;
        double one_mops = 0;
        for (int threads = 1; threads <= MAX_THREADS; threads *= 2) {
            double mallocs;
            uint64_t dropped;
            double wall = measure(genops_op, threads, n, &mallocs, &dropped);
            double ops = (double)n * threads, mops = ops / wall / 1e6;
            if (threads == 1)
                one_mops = mops;
            printf("| start + 12 attrs + record_cost + end, %s | %d | %.1f | %.2f | %.2fx | %.1f | "
                   "%.1f | %.3f | %llu |\n",
                   exporters[x].what, threads, wall / (double)n * 1e9, mops, mops / one_mops,
                   producer_s / ops * 1e9, (cpu_s - producer_s) / (double)exported * 1e9, mallocs,
                   (unsigned long long)dropped);
            fflush(stdout);
        }
    }
    return 0;
}
