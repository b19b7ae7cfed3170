/* otlp_driver.c - records spans into a pipeline with one OTLP exporter and prints what
 * happened as one JSON object on stdout, for tests/python/test_otlp_exporter.py and the
 * end-to-end benchmark. Only the public API (genops.h) is used. Options that are not
 * given come from the OTEL_* environment, as they would in an application.
 *
 *   genops_otlp_driver [--spans N] [--rounds R] [--attrs K] [--big-span BYTES]
 *       [--batch B] [--queue Q] [--flush-ms T] [--endpoint URL] [--protocol json|protobuf|grpc]
 *       [--compression gzip|none] [--timeout-ms T] [--header NAME=VALUE]...
 *       [--headers-string S] [--certificate F] [--client-key F] [--client-cert F]
 *       [--insecure] [--fork] [--for-endpoint]
 *
 * --for-endpoint creates the exporter with genops_exporter_for_endpoint (which may
 * choose Splunk HEC) instead of genops_otlp_exporter_new.
 *
 * Output: {"created": bool, "code": n, "error": "...", "seconds": s, "stats": {...},
 * "exporter": "<genops_exporter_description>", "child": {...}} - "child" only with
 * --fork, where the child records --spans spans of its own after the parent's first round
 * and reports its stats through a pipe. The recording, the run and the common options
 * are driver_common.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_common.h"
#include "genops.h"

#define MAX_HEADERS 16

struct args {
    struct driver_args run;
    genops_otlp_options otlp;
    genops_attribute headers[MAX_HEADERS];
    size_t header_count;
    bool for_endpoint;
    genops_exporter *exporter;
};

/* driver_option_fn for the OTLP options (ctx: struct args). --header NAME=VALUE is split
 * in place. */
static bool otlp_option(void *ctx, const char *k, const char *v)
{
    struct args *a = ctx;
    genops_otlp_options *o = &a->otlp;
    if (!v) {
        if (!strcmp(k, "--for-endpoint"))
            a->for_endpoint = true;
        else if (!strcmp(k, "--insecure"))
            o->insecure = true;
        else
            return false;
        return true;
    }
    if (!strcmp(k, "--endpoint"))
        o->endpoint = v;
    else if (!strcmp(k, "--protocol"))
        o->protocol = !strcmp(v, "json")   ? GENOPS_OTLP_PROTOCOL_JSON
                      : !strcmp(v, "grpc") ? GENOPS_OTLP_PROTOCOL_GRPC
                                           : GENOPS_OTLP_PROTOCOL_PROTOBUF;
    else if (!strcmp(k, "--compression"))
        o->compression = !strcmp(v, "gzip") ? GENOPS_COMPRESSION_GZIP : GENOPS_COMPRESSION_NONE;
    else if (!strcmp(k, "--timeout-ms"))
        o->timeout_ms = (uint32_t)atoi(v);
    else if (!strcmp(k, "--headers-string"))
        o->headers_string = v;
    else if (!strcmp(k, "--certificate"))
        o->certificate = v;
    else if (!strcmp(k, "--client-key"))
        o->client_key = v;
    else if (!strcmp(k, "--client-cert"))
        o->client_certificate = v;
    else if (!strcmp(k, "--header") && a->header_count < MAX_HEADERS && strchr(v, '=')) {
        char *eq = strchr(v, '=');
        *eq = 0;
        a->headers[a->header_count++] = (genops_attribute){
            v, {.type = GENOPS_TYPE_STRING, .len = strlen(eq + 1), .u.s = eq + 1}};
    } else
        return false;
    return true;
}

/* Read the command line into *a; false on anything unknown or incomplete. */
static bool parse(int argc, char **argv, struct args *a)
{
    *a = (struct args){0};
    genops_otlp_options_init(&a->otlp);
    if (!driver_parse(argc, argv, &a->run, otlp_option, a))
        return false;
    a->otlp.headers = a->headers;
    a->otlp.header_count = a->header_count;
    return true;
}

/* driver_print_fn: which exporter was built. */
static void print_exporter(FILE *f, void *ctx)
{
    const struct args *a = ctx;
    fprintf(f, ", \"exporter\": ");
    driver_print_json_string(f, genops_exporter_description(a->exporter));
}

int main(int argc, char **argv)
{
    struct args a;
    if (!parse(argc, argv, &a))
        return driver_usage("otlp_driver.c");
    if (driver_fork_unsupported(&a.run))
        return 0;
    genops_error err = {0};
    a.exporter = a.for_endpoint ? genops_exporter_for_endpoint(&a.otlp, &err)
                                : genops_otlp_exporter_new(&a.otlp, &err);
    genops_pipeline *p = driver_open(&a.run, "otlp-driver", 0, a.exporter, &err);
    int status = driver_run(&a.run, p, &err, print_exporter, &a);
    if (p) {
        fflush(stdout);
        /* Join the export thread before exit, so that its per-thread state (OpenSSL's
         * error queue among it) is released and leak checkers see a clean exit. */
        genops_pipeline_shutdown(p, a.run.flush_ms, NULL);
    }
    genops_pipeline_free(p);
    return status;
}
