/* honeycomb_driver.c - records spans into a pipeline with one Honeycomb exporter (the
 * Events API or OTLP/protobuf) and prints what happened as one JSON object on stdout,
 * for the end-to-end rows of benchmarks/compare_honeycomb.py. The recording, the run,
 * the common options and the output are tests/tools/driver_common.c's, as for the
 * OTLP and HEC drivers; only the public API (genops.h) is used. Options not given come
 * from the HONEYCOMB_* environment, as they would in an application.
 *
 *   bench_honeycomb_driver [--spans N] [--rounds R] [--attrs K] [--batch B] [--queue Q]
 *       [--flush-ms T] [--endpoint URL] [--key K] [--dataset D] [--api events|otlp]
 *       [--compression gzip|zstd|none] [--timeout-ms T]
 *
 * Output: {"created": bool, "code": n, "error": "...", "seconds": s, "stats": {...}}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_common.h"
#include "genops.h"

/* driver_option_fn for the Honeycomb options (ctx: genops_honeycomb_options). */
static bool honeycomb_option(void *ctx, const char *k, const char *v)
{
    genops_honeycomb_options *h = ctx;
    if (!v)
        return false; /* no flags of its own */
    if (!strcmp(k, "--endpoint"))
        h->api_endpoint = v;
    else if (!strcmp(k, "--key"))
        h->api_key = v;
    else if (!strcmp(k, "--dataset"))
        h->dataset = v;
    else if (!strcmp(k, "--api") && (!strcmp(v, "events") || !strcmp(v, "otlp")))
        h->api = !strcmp(v, "events") ? GENOPS_HONEYCOMB_API_EVENTS : GENOPS_HONEYCOMB_API_OTLP;
    else if (!strcmp(k, "--compression") &&
             (!strcmp(v, "gzip") || !strcmp(v, "zstd") || !strcmp(v, "none")))
        h->compression = !strcmp(v, "gzip")   ? GENOPS_COMPRESSION_GZIP
                         : !strcmp(v, "zstd") ? GENOPS_COMPRESSION_ZSTD
                                              : GENOPS_COMPRESSION_NONE;
    else if (!strcmp(k, "--timeout-ms"))
        h->timeout_ms = (uint32_t)atoi(v);
    else
        return false;
    return true;
}

int main(int argc, char **argv)
{
    struct driver_args run;
    genops_honeycomb_options hc;
    genops_honeycomb_options_init(&hc);
    if (!driver_parse(argc, argv, &run, honeycomb_option, &hc)) {
        fprintf(stderr, "usage: see the comment at the top of benchmarks/honeycomb_driver.c\n");
        return 2;
    }
    if (driver_fork_unsupported(&run))
        return 0;
    genops_error err = {0};
    genops_exporter *e = genops_honeycomb_exporter_new(&hc, &err);
    genops_pipeline *p = driver_open(&run, "honeycomb-driver", 60000, e, &err);
    int status = driver_run(&run, p, &err, NULL, NULL);
    genops_pipeline_free(p);
    return status;
}
