/* honeycomb_exporter.c - Honeycomb over OTLP: the OTLP/HTTP exporter (otlp/), pointed at
 * <api_endpoint>/v1/traces with Honeycomb's headers. Honeycomb's OTLP intake speaks the
 * OTLP/HTTP rules (429/503 with Retry-After, partial success), so nothing else differs.
 * The Events API is honeycomb_events.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "honeycomb/honeycomb_config.h"

genops_exporter *genops_honeycomb_exporter_new(const genops_honeycomb_options *opt,
                                               genops_error *err)
{
    struct honeycomb_config c;
    if (honeycomb_config_resolve(opt, &c, err))
        return NULL;
    if (c.events)
        return honeycomb_events_exporter_new(&c, err);
    char *url = honeycomb_url(&c, "/v1/traces", NULL);
    if (!url) {
        honeycomb_config_free(&c);
        error_set(err, GENOPS_ENOMEM, "out of memory creating a Honeycomb exporter");
        return NULL;
    }
    struct http_header h[2];
    size_t n = honeycomb_headers(&c, h);
    genops_attribute headers[2];
    for (size_t i = 0; i < n; i++)
        headers[i] = (genops_attribute){
            h[i].name, {.type = GENOPS_TYPE_STRING, .len = strlen(h[i].value), .u.s = h[i].value}};
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.endpoint = url;
    o.protocol = GENOPS_OTLP_PROTOCOL_PROTOBUF;
    o.headers = headers;
    o.header_count = n;
    o.compression =
        c.compression == COMPRESS_GZIP ? GENOPS_COMPRESSION_GZIP : GENOPS_COMPRESSION_NONE;
    o.timeout_ms = (genops_duration_ms)c.timeout_ms;
    o.certificate = c.tls.ca_file;
    o.insecure = c.tls.insecure;
    /* The OTLP exporter logs the key's kind (honeycomb_dataset_for_headers). */
    genops_exporter *e = genops_otlp_exporter_new(&o, err);
    free(url);
    honeycomb_config_free(&c);
    return e;
}

void genops_honeycomb_options_init(genops_honeycomb_options *opt)
{
    if (opt) {
        memset(opt, 0, sizeof *opt);
        opt->struct_size = sizeof *opt;
    }
}
