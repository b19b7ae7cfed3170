/* bench_budget.c - what budgets cost on the application thread (benchmarks/README.md,
 * "Budgets").
 *
 * Rows, each the median of 5 runs of ops iterations on an open operation span (a new one
 * every 1,000, which adds a start and an end per 1,000 iterations to every row but the
 * floor):
 *   floor            the same loop around an empty function
 *   record_cost      genops_span_record_cost (cost, provider) with no budget defined
 *   + 1 budget       the same with one budget in scope (team) and currency: the update
 *   + 1 host budget  the same with store "host" (a mapped file under /tmp)
 *   + 8 budgets      eight budgets, four in scope
 *   check            genops_span_budget_blocked with one "block" budget in scope
 *   check, none      genops_span_budget_blocked with no budget defined
 *   rate limit       genops_span_rate_limited with one limit keyed by team (never reached)
 * The budget's own cost per operation is "+ 1 budget" - "record_cost" (the update) plus
 * "check" (the start's check).
 *
 *   bench_budget [ops]                  the table
 *   bench_budget --callgrind ROW [ops]  one row, for valgrind --tool=callgrind
 *       --toggle-collect=run_row: instructions per operation = the Ir of run_row / ops
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "genops.h"

enum row { FLOOR, RECORD, RECORD_1, RECORD_HOST, RECORD_8, CHECK, CHECK_NONE, RATE, ROWS };
static const char *const row_names[] = {"floor (empty function)",
                                        "record_cost, no budget",
                                        "record_cost + 1 budget in scope",
                                        "record_cost + 1 host-store budget in scope",
                                        "record_cost + 8 budgets (4 in scope)",
                                        "check at start, 1 blocking budget",
                                        "check at start, no budget",
                                        "rate limit at start, 1 keyed limit"};

static genops_span span;
static genops_attribute cost_kv[] = {
    {"cost", {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.0001}},
    {"provider", {.type = GENOPS_TYPE_STRING, .len = 6, .u.s = "openai"}}};

__attribute__((noinline)) static void nothing(void)
{
    __asm__ volatile("" ::: "memory");
}

static void define(const char *name, const char *team, const char *enforcement, bool host)
{
    static const char dir[] = "/tmp/genops-bench-budget";
    genops_attribute kv[] = {
        {"store",
         {.type = GENOPS_TYPE_STRING, .len = host ? 4 : 7, .u.s = host ? "host" : "process"}},
        {"state_dir", {.type = GENOPS_TYPE_STRING, .len = sizeof dir - 1, .u.s = dir}},
        {"name", {.type = GENOPS_TYPE_STRING, .len = strlen(name), .u.s = name}},
        {"limit", {.type = GENOPS_TYPE_DOUBLE, .u.d = 1e9}},
        {"scope.team", {.type = GENOPS_TYPE_STRING, .len = strlen(team), .u.s = team}},
        {"enforcement",
         {.type = GENOPS_TYPE_STRING, .len = strlen(enforcement), .u.s = enforcement}}};
    genops_error err;
    if (genops_budget_define(kv, 6, &err)) {
        fprintf(stderr, "define: %s\n", err.message);
        exit(1);
    }
}

/* The budgets row r runs with (all others removed). */
static void prepare(enum row r)
{
    static const char *const names[] = {"b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"};
    for (int i = 0; i < 8; i++)
        genops_budget_remove(names[i], NULL);
    genops_rate_limit_remove("rate", NULL);
    if (r == RATE) {
        genops_attribute kv[] = {{"name", {.type = GENOPS_TYPE_STRING, .len = 4, .u.s = "rate"}},
                                 {"requests_per_minute", {.type = GENOPS_TYPE_DOUBLE, .u.d = 1e12}},
                                 {"key", {.type = GENOPS_TYPE_STRING, .len = 4, .u.s = "team"}}};
        genops_error err;
        if (genops_rate_limit_define(kv, 3, &err)) {
            fprintf(stderr, "rate limit: %s\n", err.message);
            exit(1);
        }
    }
    if (r == RECORD_1 || r == CHECK || r == RECORD_HOST)
        define("b0", "ml", r == CHECK ? "block" : "record", r == RECORD_HOST);
    if (r == RECORD_8)
        for (int i = 0; i < 8; i++)
            define(names[i], i % 2 ? "search" : "ml", "record", false);
}

static genops_pipeline *pipeline;

/* A fresh operation every SPAN_OPS operations: a span's arena keeps every value set on
 * it, so one span recording millions of costs would reach max_buffer_bytes. */
enum { SPAN_OPS = 1000 };

static void restart(void)
{
    genops_attribute own[] = {{"team", {.type = GENOPS_TYPE_STRING, .len = 2, .u.s = "ml"}}};
    genops_error err;
    if (span)
        genops_span_end(span, NULL);
    if (!(span = genops_operation_start(pipeline, "chat", NULL, NULL, NULL, own, 1, &err))) {
        fprintf(stderr, "start: %s\n", err.message);
        exit(1);
    }
}

/* Not static and not inlined: callgrind's --toggle-collect names it. */
__attribute__((noinline)) void run_row(enum row r, long n);
__attribute__((noinline)) void run_row(enum row r, long n)
{
    for (long i = 0; i < n; i++) {
        if (i % SPAN_OPS == SPAN_OPS - 1)
            restart();
        switch (r) {
        case FLOOR: nothing(); break;
        case RECORD:
        case RECORD_1:
        case RECORD_HOST:
        case RECORD_8: genops_span_record_cost(span, cost_kv, 2, NULL); break;
        case RATE: genops_span_rate_limited(span, NULL, 0, NULL, 0); break;
        default: genops_span_budget_blocked(span, NULL, 0, NULL, 0); break;
        }
    }
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    genops_error err;
    if (!(pipeline = genops_pipeline_new(NULL, &err))) {
        fprintf(stderr, "pipeline: %s\n", err.message);
        return 1;
    }
    restart();
    if (argc > 2 && strcmp(argv[1], "--callgrind") == 0) {
        enum row r = (enum row)atoi(argv[2]);
        long n = argc > 3 ? atol(argv[3]) : 100000;
        prepare(r);
        run_row(r, n / 10);
        run_row(r, n);
        printf("%s: %ld ops\n", row_names[r], n);
        return 0;
    }
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    printf("| row (%ld ops, one thread) | ns/op (median of 5) |\n|---|---|\n", n);
    for (int r = 0; r < ROWS; r++) {
        prepare((enum row)r);
        double t[5];
        run_row((enum row)r, n / 10);
        for (int k = 0; k < 5; k++) {
            double t0 = now_ns();
            run_row((enum row)r, n);
            t[k] = (now_ns() - t0) / (double)n;
        }
        qsort(t, 5, sizeof t[0], cmp);
        printf("| %s | %.1f |\n", row_names[r], t[2]);
    }
    prepare(FLOOR);
    genops_span_end(span, NULL);
    genops_pipeline_free(pipeline);
    return 0;
}
