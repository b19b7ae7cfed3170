/* driver_common.c - see driver_common.h. */
#include "driver_common.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds of CLOCK_MONOTONIC. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The common options that take an integer. */
static const struct {
    const char *name;
    size_t offset;
} int_options[] = {
    {"--spans", offsetof(struct driver_args, spans)},
    {"--rounds", offsetof(struct driver_args, rounds)},
    {"--attrs", offsetof(struct driver_args, attrs)},
    {"--big-span", offsetof(struct driver_args, big_span)},
    {"--batch", offsetof(struct driver_args, batch)},
    {"--queue", offsetof(struct driver_args, queue)},
    {"--flush-ms", offsetof(struct driver_args, flush_ms)},
    {"--past-s", offsetof(struct driver_args, past_s)},
};

/* How many arguments a common option k (value v, may be NULL) takes: 1 for --fork, 2 for
 * an integer option with its value, 0 when k is not a common option or lacks its value. */
static int common_option(struct driver_args *a, const char *k, const char *v)
{
    if (!strcmp(k, "--fork") || !strcmp(k, "--fork-queued")) {
        a->fork = true;
        a->fork_queued = !strcmp(k, "--fork-queued");
        return 1;
    }
    for (size_t i = 0; v && i < sizeof int_options / sizeof int_options[0]; i++) {
        if (!strcmp(k, int_options[i].name)) {
            *(int *)((char *)a + int_options[i].offset) = atoi(v);
            return 2;
        }
    }
    return 0;
}

bool driver_parse(int argc, char **argv, struct driver_args *a, driver_option_fn fn, void *ctx)
{
    *a = (struct driver_args){
        .spans = 10, .rounds = 1, .attrs = 5, .batch = 512, .queue = 8192, .flush_ms = 30000};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int took = common_option(a, k, v);
        if (!took)
            took = fn(ctx, k, NULL) ? 1 : v && fn(ctx, k, v) ? 2 : 0;
        if (!took)
            return false;
        i += took - 1;
    }
    return true;
}

int driver_usage(const char *file)
{
    fprintf(stderr, "usage: see the comment at the top of tests/tools/%s\n", file);
    return 2;
}

void driver_print_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

bool driver_fork_unsupported(const struct driver_args *a)
{
#ifdef __SANITIZE_THREAD__
    if (a->fork) {
        printf("{\"skip\": \"--fork is not supported under ThreadSanitizer\"}\n");
        return true;
    }
#endif
    (void)a;
    return false;
}

genops_pipeline *driver_open(const struct driver_args *a, const char *service,
                             uint32_t export_timeout_ms, genops_exporter *e, genops_error *err)
{
    if (!e)
        return NULL;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.service_name = service;
    opt.max_export_batch_size = (uint32_t)a->batch;
    opt.max_queue_size = (uint32_t)a->queue;
    opt.max_buffer_bytes = (uint64_t)1 << 30;
    opt.export_timeout_ms = export_timeout_ms;
    opt.exit_flush_timeout_ms = GENOPS_NO_EXIT_FLUSH;
    genops_pipeline *p = genops_pipeline_new(&opt, err);
    if (!p || genops_pipeline_add_exporter(p, e, err)) {
        genops_exporter_free(e);
        genops_pipeline_free(p);
        return NULL;
    }
    return p;
}

/* The peak resident set of this program in KiB (VmHWM of /proc/self/status; Linux), -1
 * when unknown. Not getrusage's ru_maxrss: that keeps the forking parent's size across
 * exec, so a driver started by a big test process would look as big. */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    }
    if (f)
        fclose(f);
    return kb;
}

/* The pipeline's stats as one JSON object. */
static void print_stats(FILE *f, genops_pipeline *p)
{
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, NULL);
    fprintf(f,
            "{\"started\": %llu, \"ended\": %llu, \"exported\": %llu, "
            "\"dropped_queue_full\": %llu, \"dropped_export_failed\": %llu, "
            "\"dropped_rejected\": %llu, \"dropped_shutdown\": %llu, \"batches\": %llu, "
            "\"bytes_sent\": %llu, \"retries\": %llu, \"spooled\": %llu, \"spool_replayed\": %llu, "
            "\"spool_write_failed\": %llu, \"spool_corrupt_tails\": %llu, \"spool_pending\": %llu}",
            (unsigned long long)st.spans_started, (unsigned long long)st.spans_ended,
            (unsigned long long)st.spans_exported, (unsigned long long)st.dropped_queue_full,
            (unsigned long long)st.dropped_export_failed, (unsigned long long)st.dropped_rejected,
            (unsigned long long)st.dropped_shutdown, (unsigned long long)st.batches,
            (unsigned long long)st.bytes_sent, (unsigned long long)st.retries,
            (unsigned long long)st.spans_spooled, (unsigned long long)st.spool_replayed,
            (unsigned long long)st.spool_write_failed, (unsigned long long)st.spool_corrupt_tails,
            (unsigned long long)st.spool_pending);
}

/* A span of --past-s: started a->past_s seconds before now (CLOCK_REALTIME), its ids
 * made from that time and i; *start gets its start time. */
static genops_span start_past(genops_pipeline *p, const struct driver_args *a, int i,
                              uint64_t *start)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *start = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec -
             (uint64_t)a->past_s * 1000000000u;
    genops_span_context ids = {.trace_flags = GENOPS_TRACE_FLAG_SAMPLED};
    memcpy(ids.trace_id, start, sizeof *start);
    ids.trace_id[15] = ids.span_id[7] = (uint8_t)(i + 1);
    return genops_span_start_with_ids(p, "chat.completion", &ids, NULL, *start, NULL);
}

/* Record n operation spans shaped like GenOps' (governance attributes, a cost record,
 * a->attrs extra integers); span `big` (if >= 0) also carries a string of a->big_span
 * bytes. past: plain spans of start_past instead, that end 1 ms after their start. */
static void record(genops_pipeline *p, const struct driver_args *a, int n, int big, const char *tag,
                   bool past)
{
    static const char *const teams[] = {"ai-platform", "support", "search", "billing"};
    char *blob = NULL;
    if (big >= 0 && a->big_span > 0) {
        blob = malloc((size_t)a->big_span + 1);
        memset(blob, 'x', (size_t)a->big_span);
        blob[a->big_span] = 0;
    }
    for (int i = 0; i < n; i++) {
        genops_attribute ctx[] = {
            {"team",
             {.type = GENOPS_TYPE_STRING, .len = strlen(teams[i % 4]), .u.s = teams[i % 4]}},
            {"driver.tag", {.type = GENOPS_TYPE_STRING, .len = strlen(tag), .u.s = tag}},
        };
        uint64_t start = 0;
        genops_span s =
            past ? start_past(p, a, i, &start)
                 : genops_operation_start(p, "chat.completion", NULL, NULL, NULL, ctx, 2, NULL);
        genops_attribute cost[] = {
            {"cost", {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.0021 * (i % 7 + 1)}},
            {"provider", {.type = GENOPS_TYPE_STRING, .len = 6, .u.s = "openai"}},
            {"model", {.type = GENOPS_TYPE_STRING, .len = 6, .u.s = "gpt-4o"}},
            {"tokens_input", {.type = GENOPS_TYPE_INT, .u.i = 150 + i % 100}},
            {"tokens_output", {.type = GENOPS_TYPE_INT, .u.i = 40 + i % 50}},
        };
        genops_span_record_cost(s, cost, 5, NULL);
        for (int k = 0; k < a->attrs; k++) {
            char key[32];
            snprintf(key, sizeof key, "genops.extra.%d", k);
            genops_span_set_int(s, key, (int64_t)i * k, NULL);
        }
        genops_span_set_int(s, "driver.index", i, NULL);
        if (i == big && blob)
            genops_span_set_str(s, "driver.blob", blob, NULL);
        if (past)
            genops_span_end_at(s, start + 1000000u, NULL);
        else
            genops_span_end(s, NULL);
    }
    free(blob);
}

/* The child of --fork: its own spans, flushed, its result written to fd; never returns. */
static void child_main(const struct driver_args *a, genops_pipeline *p, driver_print_fn extra,
                       void *ctx, int fd)
{
    record(p, a, a->spans, -1, "child", false);
    genops_error err = {0};
    genops_status rc = genops_pipeline_flush(p, a->flush_ms, &err);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "{\"code\": %d, \"error\": ", (int)rc);
    driver_print_json_string(f, rc ? err.message : "");
    fprintf(f, ", \"stats\": ");
    print_stats(f, p);
    if (extra)
        extra(f, ctx);
    fprintf(f, "}");
    fclose(f);
    genops_pipeline_shutdown(p, a->flush_ms, NULL);
    _exit(0);
}

/* Fork a child (child_main) and wait for it; its JSON into out. False when no pipe. */
static bool fork_child(const struct driver_args *a, genops_pipeline *p, driver_print_fn extra,
                       void *ctx, char *out, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_main(a, p, extra, ctx, fds[1]);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], out, size - 1);
    out[n > 0 ? n : 0] = 0;
    close(fds[0]);
    waitpid(pid, NULL, 0);
    return true;
}

int driver_run(const struct driver_args *a, genops_pipeline *p, genops_error *err,
               driver_print_fn extra, void *ctx)
{
    if (!p) {
        printf("{\"created\": false, \"code\": %d, \"error\": ", (int)err->code);
        driver_print_json_string(stdout, err->message);
        printf("}\n");
        return 0;
    }
    char child[4096] = "";
    double start = now_s();
    genops_status rc = GENOPS_OK;
    for (int round = 0; round < a->rounds && !rc; round++) {
        record(p, a, a->spans, round == 0 ? a->spans / 2 : -1, "parent",
               round > 0 && a->past_s > 0);
        bool fork_now = a->fork && round == 0;
        if (fork_now && a->fork_queued && !fork_child(a, p, extra, ctx, child, sizeof child))
            return 1;
        rc = genops_pipeline_flush(p, a->flush_ms, err);
        if (fork_now && !a->fork_queued && !fork_child(a, p, extra, ctx, child, sizeof child))
            return 1;
    }
    double seconds = now_s() - start;
    printf("{\"created\": true, \"code\": %d, \"error\": ", (int)rc);
    driver_print_json_string(stdout, rc ? err->message : "");
    printf(", \"seconds\": %.6f, \"peak_rss_kb\": %ld, \"stats\": ", seconds, peak_rss_kb());
    print_stats(stdout, p);
    if (extra)
        extra(stdout, ctx);
    if (child[0])
        printf(", \"child\": %s", child);
    printf("}\n");
    return 0;
}
