/* hec_driver.c - records spans into a pipeline with one Splunk HEC exporter and prints
 * what happened as one JSON object on stdout, for tests/python/test_hec_exporter.py
 * and the end-to-end benchmark; or, with --validate, runs genops_hec_validate and
 * prints its result as the dict a binding would build, plus the formatted text. Only
 * the public API (genops.h) is used. Options not given come from the SPLUNK_*
 * environment, as they would in an application.
 *
 *   genops_hec_driver [--spans N] [--rounds R] [--attrs K] [--big-span BYTES]
 *       [--batch B] [--queue Q] [--flush-ms T] [--endpoint URL] [--token T]
 *       [--index I] [--source S] [--sourcetype T] [--host H] [--format event|raw]
 *       [--field KEY]... [--ack] [--ack-timeout-ms T] [--ack-poll-ms T]
 *       [--compression gzip|none] [--max-bytes N] [--max-events N] [--timeout-ms T]
 *       [--channel GUID] [--certificate F] [--insecure] [--fork]
 *       [--validate] [--no-connectivity]
 *
 * Output: {"created": bool, "code": n, "error": "...", "seconds": s, "stats": {...},
 * "hec": {...}, "child": {...}} ("child" only with --fork: the child records --spans
 * spans of its own after the parent's first round); with --validate:
 * {"validation": {...}, "text": "..."}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "genops.h"

#define MAX_FIELDS 16

struct args {
    int spans, rounds, attrs, big_span, batch, queue, flush_ms;
    bool fork, validate, connectivity;
    genops_hec_options hec;
    const char *fields[MAX_FIELDS];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print s as a JSON string (the messages are UTF-8 already). */
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

static void print_stats(FILE *f, genops_pipeline *p, genops_exporter *e)
{
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, NULL);
    fprintf(f,
            "{\"started\": %llu, \"ended\": %llu, \"exported\": %llu, "
            "\"dropped_queue_full\": %llu, \"dropped_export_failed\": %llu, "
            "\"dropped_rejected\": %llu, \"batches\": %llu, \"bytes_sent\": %llu, "
            "\"retries\": %llu}",
            (unsigned long long)st.spans_started, (unsigned long long)st.spans_ended,
            (unsigned long long)st.spans_exported, (unsigned long long)st.dropped_queue_full,
            (unsigned long long)st.dropped_export_failed, (unsigned long long)st.dropped_rejected,
            (unsigned long long)st.batches, (unsigned long long)st.bytes_sent,
            (unsigned long long)st.retries);
    genops_hec_stats h = {.struct_size = sizeof h};
    genops_hec_exporter_stats(e, &h, NULL);
    fprintf(f,
            ", \"hec\": {\"requests\": %llu, \"events_delivered\": %llu, \"acked\": %llu, "
            "\"ack_pending\": %llu, \"resent\": %llu, \"ack_polls\": %llu, \"retries\": %llu, "
            "\"splits\": %llu, \"dropped_invalid_event\": %llu, \"dropped_too_large\": %llu, "
            "\"dropped_auth\": %llu, \"dropped_index\": %llu, \"dropped_rejected\": %llu, "
            "\"dropped_unavailable\": %llu, \"dropped_unacked\": %llu, \"last_status\": %d, "
            "\"last_code\": %d, \"last_error\": ",
            (unsigned long long)h.requests, (unsigned long long)h.events_delivered,
            (unsigned long long)h.acked, (unsigned long long)h.ack_pending,
            (unsigned long long)h.resent, (unsigned long long)h.ack_polls,
            (unsigned long long)h.retries, (unsigned long long)h.splits,
            (unsigned long long)h.dropped_invalid_event, (unsigned long long)h.dropped_too_large,
            (unsigned long long)h.dropped_auth, (unsigned long long)h.dropped_index,
            (unsigned long long)h.dropped_rejected, (unsigned long long)h.dropped_unavailable,
            (unsigned long long)h.dropped_unacked, h.last_status, h.last_code);
    print_json_string(f, h.last_error);
    fputc('}', f);
}

/* Record n operation spans shaped like GenOps' (governance attributes, a cost record);
 * span `big` (if >= 0) also carries a string of big_span bytes. */
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
    size_t nf = 0;
    *a = (struct args){.spans = 10,
                       .rounds = 1,
                       .attrs = 5,
                       .batch = 512,
                       .queue = 8192,
                       .flush_ms = 30000,
                       .connectivity = true};
    genops_hec_options_init(&a->hec);
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool used = true;
        if (!strcmp(k, "--insecure"))
            a->hec.insecure = true, used = false;
        else if (!strcmp(k, "--fork"))
            a->fork = true, used = false;
        else if (!strcmp(k, "--ack"))
            a->hec.use_ack = true, used = false;
        else if (!strcmp(k, "--validate"))
            a->validate = true, used = false;
        else if (!strcmp(k, "--no-connectivity"))
            a->connectivity = false, used = false;
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
            a->hec.endpoint = v;
        else if (!strcmp(k, "--token"))
            a->hec.token = v;
        else if (!strcmp(k, "--index"))
            a->hec.index = v;
        else if (!strcmp(k, "--source"))
            a->hec.source = v;
        else if (!strcmp(k, "--sourcetype"))
            a->hec.sourcetype = v;
        else if (!strcmp(k, "--host"))
            a->hec.host = v;
        else if (!strcmp(k, "--channel"))
            a->hec.channel = v;
        else if (!strcmp(k, "--certificate"))
            a->hec.certificate = v;
        else if (!strcmp(k, "--format"))
            a->hec.format = !strcmp(v, "raw") ? GENOPS_HEC_FORMAT_RAW : GENOPS_HEC_FORMAT_EVENT;
        else if (!strcmp(k, "--compression"))
            a->hec.compression =
                !strcmp(v, "gzip") ? GENOPS_COMPRESSION_GZIP : GENOPS_COMPRESSION_NONE;
        else if (!strcmp(k, "--ack-timeout-ms"))
            a->hec.ack_timeout_ms = (uint32_t)atoi(v);
        else if (!strcmp(k, "--ack-poll-ms"))
            a->hec.ack_poll_interval_ms = (uint32_t)atoi(v);
        else if (!strcmp(k, "--max-bytes"))
            a->hec.max_request_bytes = (uint32_t)atoi(v);
        else if (!strcmp(k, "--max-events"))
            a->hec.max_request_events = (uint32_t)atoi(v);
        else if (!strcmp(k, "--timeout-ms"))
            a->hec.timeout_ms = (uint32_t)atoi(v);
        else if (!strcmp(k, "--field") && nf < MAX_FIELDS)
            a->fields[nf++] = v;
        else
            return false;
        i += used;
    }
    a->hec.indexed_fields = a->fields;
    a->hec.indexed_field_count = nf;
    return true;
}

static int validate(const struct args *a)
{
    genops_hec_validation v = {.struct_size = sizeof v};
    genops_error err = {0};
    if (genops_hec_validate(&a->hec, a->connectivity, &v, &err)) {
        printf("{\"code\": %d, \"error\": ", (int)err.code);
        print_json_string(stdout, err.message);
        printf("}\n");
        return 0;
    }
    printf("{\"validation\": {\"valid\": %s, \"config_ok\": %s, \"connectivity\": %s, "
           "\"token_ok\": %s, \"index_accessible\": %s, \"health_status\": %d, "
           "\"health_code\": %d, \"event_status\": %d, \"event_code\": %d, \"errors\": [",
           v.valid ? "true" : "false", v.config_ok ? "true" : "false",
           v.connectivity ? "true" : "false", v.token_ok ? "true" : "false",
           v.index_accessible ? "true" : "false", v.health_status, v.health_code, v.event_status,
           v.event_code);
    const char *s, *name;
    for (size_t i = 0; (s = genops_hec_validation_error(&v, i)); i++) {
        printf(i ? ", " : "");
        print_json_string(stdout, s);
    }
    printf("], \"warnings\": [");
    for (size_t i = 0; (s = genops_hec_validation_warning(&v, i)); i++) {
        printf(i ? ", " : "");
        print_json_string(stdout, s);
    }
    printf("], \"details\": {");
    for (size_t i = 0; (s = genops_hec_validation_detail(&v, i, &name)); i++) {
        printf(i ? ", " : "");
        print_json_string(stdout, name);
        printf(": ");
        print_json_string(stdout, s);
    }
    size_t need = genops_hec_validation_format(&v, NULL, 0);
    char *text = malloc(need + 1);
    genops_hec_validation_format(&v, text, need + 1);
    printf("}}, \"text\": ");
    print_json_string(stdout, text);
    printf("}\n");
    free(text);
    return 0;
}

/* A pipeline with the HEC exporter (*e); NULL (and *err filled) when either fails. */
static genops_pipeline *open_pipeline(struct args *a, genops_exporter **e, genops_error *err)
{
    genops_options opt;
    genops_options_init(&opt);
    opt.service_name = "hec-driver";
    opt.max_export_batch_size = (uint32_t)a->batch;
    opt.max_queue_size = (uint32_t)a->queue;
    opt.max_buffer_bytes = (uint64_t)1 << 30;
    opt.export_timeout_ms = 60000;
    opt.exit_flush_timeout_ms = GENOPS_NO_EXIT_FLUSH;
    *e = genops_hec_exporter_new(&a->hec, err);
    if (!*e)
        return NULL;
    genops_pipeline *p = genops_pipeline_new(&opt, err);
    if (!p || genops_pipeline_add_exporter(p, *e, err)) {
        genops_exporter_free(*e);
        genops_pipeline_free(p);
        return NULL;
    }
    return p;
}

/* The child of --fork: its own spans, flushed, stats written to fd. */
static void child_main(genops_pipeline *p, genops_exporter *e, struct args *a, int fd)
{
    record(p, a, a->spans, -1, "child");
    genops_error err = {0};
    genops_status rc = genops_pipeline_flush(p, a->flush_ms, &err);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "{\"code\": %d, \"error\": ", (int)rc);
    print_json_string(f, rc ? err.message : "");
    fprintf(f, ", \"stats\": ");
    print_stats(f, p, e);
    fprintf(f, "}");
    fclose(f);
    genops_pipeline_shutdown(p, a->flush_ms, NULL);
    _exit(0);
}

int main(int argc, char **argv)
{
    struct args a;
    if (!parse(argc, argv, &a)) {
        fprintf(stderr, "usage: see the comment at the top of tests/tools/hec_driver.c\n");
        return 2;
    }
    if (a.validate)
        return validate(&a);
#ifdef __SANITIZE_THREAD__
    if (a.fork) { /* ThreadSanitizer cannot start threads in a forked child */
        printf("{\"skip\": \"--fork is not supported under ThreadSanitizer\"}\n");
        return 0;
    }
#endif
    genops_error err = {0};
    genops_exporter *e = NULL;
    genops_pipeline *p = open_pipeline(&a, &e, &err);
    if (!p) {
        printf("{\"created\": false, \"code\": %d, \"error\": ", (int)err.code);
        print_json_string(stdout, err.message);
        printf("}\n");
        return 0;
    }
    char child[4096] = "";
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
                child_main(p, e, &a, fds[1]);
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
    print_stats(stdout, p, e);
    if (child[0])
        printf(", \"child\": %s", child);
    printf("}\n");
    genops_pipeline_free(p);
    return 0;
}
