/* otlp_driver.c - records spans into a pipeline with one OTLP exporter and prints what
 * happened as one JSON object on stdout, for tests/python/test_otlp_exporter.py and the
 * end-to-end benchmark. Only the public API (genops.h) is used. Options that are not
 * given come from the OTEL_* environment, as they would in an application.
 *
 *   genops_otlp_driver [--spans N] [--rounds R] [--attrs K] [--big-span BYTES]
 *       [--batch B] [--queue Q] [--flush-ms T] [--endpoint URL] [--protocol json|protobuf]
 *       [--compression gzip|none] [--timeout-ms T] [--header NAME=VALUE]...
 *       [--headers-string S] [--certificate F] [--client-key F] [--client-cert F]
 *       [--insecure] [--fork]
 *
 * Output: {"created": bool, "code": n, "error": "...", "seconds": s, "stats": {...},
 * "child": {...}} - "child" only with --fork, where the child records --spans spans of
 * its own after the parent's first round and reports its stats through a pipe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "genops.h"

#define MAX_HEADERS 16

struct args {
    int spans, rounds, attrs, big_span, batch, queue, flush_ms;
    bool fork;
    genops_otlp_options otlp;
    genops_attribute headers[MAX_HEADERS];
};

/* Seconds of CLOCK_MONOTONIC. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print s as a JSON string (the error messages are ASCII or UTF-8 already). */
static void print_json_string(FILE *f, const char *s)
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

/* The pipeline's stats as one JSON object. */
static void print_stats(FILE *f, genops_pipeline *p)
{
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, NULL);
    fprintf(f,
            "{\"started\": %llu, \"ended\": %llu, \"exported\": %llu, "
            "\"dropped_queue_full\": %llu, \"dropped_export_failed\": %llu, "
            "\"dropped_rejected\": %llu, \"dropped_shutdown\": %llu, \"batches\": %llu, "
            "\"bytes_sent\": %llu, \"retries\": %llu}",
            (unsigned long long)st.spans_started, (unsigned long long)st.spans_ended,
            (unsigned long long)st.spans_exported, (unsigned long long)st.dropped_queue_full,
            (unsigned long long)st.dropped_export_failed, (unsigned long long)st.dropped_rejected,
            (unsigned long long)st.dropped_shutdown, (unsigned long long)st.batches,
            (unsigned long long)st.bytes_sent, (unsigned long long)st.retries);
}

/* Record n operation spans shaped like GenOps' (governance attributes, a cost record);
 * span `big` (if >= 0) also carries a string of big_bytes bytes. */
static void record(genops_pipeline *p, const struct args *a, int n, int big, const char *tag)
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
        genops_span s =
            genops_operation_start(p, "chat.completion", NULL, NULL, NULL, ctx, 2, NULL);
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
        genops_span_end(s, NULL);
    }
    free(blob);
}

/* Read the command line into *a; false on anything unknown or incomplete. */
static bool parse(int argc, char **argv, struct args *a)
{
    size_t nh = 0;
    *a = (struct args){
        .spans = 10, .rounds = 1, .attrs = 5, .batch = 512, .queue = 8192, .flush_ms = 30000};
    genops_otlp_options_init(&a->otlp);
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool used = true;
        if (!strcmp(k, "--insecure"))
            a->otlp.insecure = true, used = false;
        else if (!strcmp(k, "--fork"))
            a->fork = true, used = false;
        else if (!v)
            return false;
        else if (!strcmp(k, "--spans"))
            a->spans = atoi(v);
        else if (!strcmp(k, "--rounds"))
            a->rounds = atoi(v);
        else if (!strcmp(k, "--attrs"))
            a->attrs = atoi(v);
        else if (!strcmp(k, "--big-span"))
            a->big_span = atoi(v);
        else if (!strcmp(k, "--batch"))
            a->batch = atoi(v);
        else if (!strcmp(k, "--queue"))
            a->queue = atoi(v);
        else if (!strcmp(k, "--flush-ms"))
            a->flush_ms = atoi(v);
        else if (!strcmp(k, "--endpoint"))
            a->otlp.endpoint = v;
        else if (!strcmp(k, "--protocol"))
            a->otlp.protocol =
                !strcmp(v, "json") ? GENOPS_OTLP_PROTOCOL_JSON : GENOPS_OTLP_PROTOCOL_PROTOBUF;
        else if (!strcmp(k, "--compression"))
            a->otlp.compression =
                !strcmp(v, "gzip") ? GENOPS_COMPRESSION_GZIP : GENOPS_COMPRESSION_NONE;
        else if (!strcmp(k, "--timeout-ms"))
            a->otlp.timeout_ms = (uint32_t)atoi(v);
        else if (!strcmp(k, "--headers-string"))
            a->otlp.headers_string = v;
        else if (!strcmp(k, "--certificate"))
            a->otlp.certificate = v;
        else if (!strcmp(k, "--client-key"))
            a->otlp.client_key = v;
        else if (!strcmp(k, "--client-cert"))
            a->otlp.client_certificate = v;
        else if (!strcmp(k, "--header") && nh < MAX_HEADERS && strchr(v, '=')) {
            char *eq = strchr(v, '=');
            *eq = 0;
            a->headers[nh++] = (genops_attribute){
                v, {.type = GENOPS_TYPE_STRING, .len = strlen(eq + 1), .u.s = eq + 1}};
        } else
            return false;
        i += used;
    }
    a->otlp.headers = a->headers;
    a->otlp.header_count = nh;
    return true;
}

/* A pipeline with the OTLP exporter; NULL (and *err filled) when either fails. */
static genops_pipeline *open_pipeline(struct args *a, genops_error *err)
{
    genops_options opt;
    genops_options_init(&opt);
    opt.service_name = "otlp-driver";
    opt.max_export_batch_size = (uint32_t)a->batch;
    opt.max_queue_size = (uint32_t)a->queue;
    opt.max_buffer_bytes = (uint64_t)1 << 30;
    opt.exit_flush_timeout_ms = GENOPS_NO_EXIT_FLUSH;
    genops_exporter *e = genops_otlp_exporter_new(&a->otlp, err);
    if (!e)
        return NULL;
    genops_pipeline *p = genops_pipeline_new(&opt, err);
    if (!p || genops_pipeline_add_exporter(p, e, err)) {
        genops_exporter_free(e);
        genops_pipeline_free(p);
        return NULL;
    }
    return p;
}

/* The child of --fork: its own spans, flushed, stats written to fd. */
static void child_main(genops_pipeline *p, struct args *a, int fd)
{
    record(p, a, a->spans, -1, "child");
    genops_error err = {0};
    genops_status rc = genops_pipeline_flush(p, a->flush_ms, &err);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "{\"code\": %d, \"error\": ", (int)rc);
    print_json_string(f, rc ? err.message : "");
    fprintf(f, ", \"stats\": ");
    print_stats(f, p);
    fprintf(f, "}");
    fclose(f);
    genops_pipeline_shutdown(p, a->flush_ms, NULL);
    _exit(0);
}

int main(int argc, char **argv)
{
    struct args a;
    if (!parse(argc, argv, &a)) {
        fprintf(stderr, "usage: see the comment at the top of tests/tools/otlp_driver.c\n");
        return 2;
    }
#ifdef __SANITIZE_THREAD__
    if (a.fork) { /* ThreadSanitizer cannot start threads in a forked child */
        printf("{\"skip\": \"--fork is not supported under ThreadSanitizer\"}\n");
        return 0;
    }
#endif
    genops_error err = {0};
    genops_pipeline *p = open_pipeline(&a, &err);
    if (!p) {
        printf("{\"created\": false, \"code\": %d, \"error\": ", (int)err.code);
        print_json_string(stdout, err.message);
        printf("}\n");
        return 0;
    }
    char child[2048] = "";
    double start = now_s();
    genops_status rc = GENOPS_OK;
    for (int round = 0; round < a.rounds && !rc; round++) {
        record(p, &a, a.spans, round == 0 ? a.spans / 2 : -1, "parent");
        rc = genops_pipeline_flush(p, a.flush_ms, &err);
        if (a.fork && round == 0) {
            int fds[2];
            if (pipe(fds) != 0)
                return 1;
            pid_t pid = fork();
            if (pid == 0) {
                close(fds[0]);
                child_main(p, &a, fds[1]);
            }
            close(fds[1]);
            ssize_t n = read(fds[0], child, sizeof child - 1);
            child[n > 0 ? n : 0] = 0;
            close(fds[0]);
            waitpid(pid, NULL, 0);
        }
    }
    double seconds = now_s() - start;
    printf("{\"created\": true, \"code\": %d, \"error\": ", (int)rc);
    print_json_string(stdout, rc ? err.message : "");
    printf(", \"seconds\": %.6f, \"stats\": ", seconds);
    print_stats(stdout, p);
    if (child[0])
        printf(", \"child\": %s", child);
    printf("}\n");
    fflush(stdout);
    /* Join the export thread before exit, so that its per-thread state (OpenSSL's error
     * queue among it) is released and leak checkers see a clean exit. */
    genops_pipeline_shutdown(p, a.flush_ms, NULL);
    genops_pipeline_free(p);
    return 0;
}
