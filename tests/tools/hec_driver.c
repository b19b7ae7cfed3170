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
 * {"validation": {...}, "text": "..."}. The recording, the run and the common options
 * are driver_common.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_common.h"
#include "genops.h"

#define MAX_FIELDS 16

struct args {
    struct driver_args run;
    bool validate, connectivity;
    genops_hec_options hec;
    const char *fields[MAX_FIELDS];
    size_t field_count;
};

/* driver_print_fn: `, "hec": {...}`, the exporter's own counters (ctx: the exporter). */
static void print_hec_stats(FILE *f, void *ctx)
{
    genops_hec_stats h = {.struct_size = sizeof h};
    genops_hec_exporter_stats(ctx, &h, NULL);
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
    driver_print_json_string(f, h.last_error);
    fputc('}', f);
}

/* driver_option_fn for the HEC options (ctx: struct args). */
static bool hec_option(void *ctx, const char *k, const char *v)
{
    struct args *a = ctx;
    genops_hec_options *h = &a->hec;
    if (!v) {
        if (!strcmp(k, "--insecure"))
            h->insecure = true;
        else if (!strcmp(k, "--ack"))
            h->use_ack = true;
        else if (!strcmp(k, "--validate"))
            a->validate = true;
        else if (!strcmp(k, "--no-connectivity"))
            a->connectivity = false;
        else
            return false;
        return true;
    }
    if (!strcmp(k, "--endpoint"))
        h->endpoint = v;
    else if (!strcmp(k, "--token"))
        h->token = v;
    else if (!strcmp(k, "--index"))
        h->index = v;
    else if (!strcmp(k, "--source"))
        h->source = v;
    else if (!strcmp(k, "--sourcetype"))
        h->sourcetype = v;
    else if (!strcmp(k, "--host"))
        h->host = v;
    else if (!strcmp(k, "--channel"))
        h->channel = v;
    else if (!strcmp(k, "--certificate"))
        h->certificate = v;
    else if (!strcmp(k, "--format"))
        h->format = !strcmp(v, "raw") ? GENOPS_HEC_FORMAT_RAW : GENOPS_HEC_FORMAT_EVENT;
    else if (!strcmp(k, "--compression"))
        h->compression = !strcmp(v, "gzip") ? GENOPS_COMPRESSION_GZIP : GENOPS_COMPRESSION_NONE;
    else if (!strcmp(k, "--ack-timeout-ms"))
        h->ack_timeout_ms = (uint32_t)atoi(v);
    else if (!strcmp(k, "--ack-poll-ms"))
        h->ack_poll_interval_ms = (uint32_t)atoi(v);
    else if (!strcmp(k, "--max-bytes"))
        h->max_request_bytes = (uint32_t)atoi(v);
    else if (!strcmp(k, "--max-events"))
        h->max_request_events = (uint32_t)atoi(v);
    else if (!strcmp(k, "--timeout-ms"))
        h->timeout_ms = (uint32_t)atoi(v);
    else if (!strcmp(k, "--field") && a->field_count < MAX_FIELDS)
        a->fields[a->field_count++] = v;
    else
        return false;
    return true;
}

/* Read the command line into *a; false on anything unknown or incomplete. */
static bool parse(int argc, char **argv, struct args *a)
{
    *a = (struct args){.connectivity = true};
    genops_hec_options_init(&a->hec);
    if (!driver_parse(argc, argv, &a->run, hec_option, a))
        return false;
    a->hec.indexed_fields = a->fields;
    a->hec.indexed_field_count = a->field_count;
    return true;
}

static int validate(const struct args *a)
{
    genops_hec_validation v = {.struct_size = sizeof v};
    genops_error err = {0};
    if (genops_hec_validate(&a->hec, a->connectivity, &v, &err)) {
        printf("{\"code\": %d, \"error\": ", (int)err.code);
        driver_print_json_string(stdout, err.message);
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
        driver_print_json_string(stdout, s);
    }
    printf("], \"warnings\": [");
    for (size_t i = 0; (s = genops_hec_validation_warning(&v, i)); i++) {
        printf(i ? ", " : "");
        driver_print_json_string(stdout, s);
    }
    printf("], \"details\": {");
    for (size_t i = 0; (s = genops_hec_validation_detail(&v, i, &name)); i++) {
        printf(i ? ", " : "");
        driver_print_json_string(stdout, name);
        printf(": ");
        driver_print_json_string(stdout, s);
    }
    size_t need = genops_hec_validation_format(&v, NULL, 0);
    char *text = malloc(need + 1);
    genops_hec_validation_format(&v, text, need + 1);
    printf("}}, \"text\": ");
    driver_print_json_string(stdout, text);
    printf("}\n");
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    struct args a;
    if (!parse(argc, argv, &a))
        return driver_usage("hec_driver.c");
    if (a.validate)
        return validate(&a);
    if (driver_fork_unsupported(&a.run))
        return 0;
    genops_error err = {0};
    genops_exporter *e = genops_hec_exporter_new(&a.hec, &err);
    genops_pipeline *p = driver_open(&a.run, "hec-driver", 60000, e, &err);
    int status = driver_run(&a.run, p, &err, print_hec_stats, e);
    genops_pipeline_free(p);
    return status;
}
