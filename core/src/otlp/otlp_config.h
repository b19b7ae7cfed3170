/* otlp_config.h - the OTLP exporter's settings: explicit options over the
 * OTEL_EXPORTER_OTLP_TRACES_* variables over the OTEL_EXPORTER_OTLP_* variables over
 * the defaults, as the OpenTelemetry specification's "OTLP Exporter Configuration"
 * page defines them. Pure apart from reading the environment; any thread. */
#ifndef GENOPS_OTLP_CONFIG_H
#define GENOPS_OTLP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "genops.h"
#include "http.h"

#define OTLP_DEFAULT_ENDPOINT "http://localhost:4318/v1/traces"
#define OTLP_GRPC_DEFAULT     "http://localhost:4317"
/* The gRPC method every OTLP/gRPC trace export calls (opentelemetry-proto,
 * collector/trace/v1/trace_service.proto: service TraceService, rpc Export). */
#define OTLP_GRPC_PATH          "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
#define OTLP_DEFAULT_TIMEOUT_MS 10000u
#define OTLP_MAX_HEADERS        64

struct otlp_config {
    char *endpoint; /* the URL requests go to, checked (with grpc: ending in OTLP_GRPC_PATH) */
    bool json;      /* http/json, else http/protobuf (or grpc) */
    bool grpc;      /* OTLP/gRPC: protobuf in gRPC messages over HTTP/2 */
    bool gzip;
    uint32_t timeout_ms;
    struct http_tls tls; /* paths NULL when unset; the strings owned (http_tls_copy) */
    struct http_header headers[OTLP_MAX_HEADERS]; /* name and value strings owned */
    size_t header_count;
};

/* Fill *c from opt (may be NULL) and the environment. On failure returns GENOPS_EINVAL
 * (the message names the option or variable and what is wrong, never a header value)
 * or GENOPS_ENOMEM, and *c holds nothing to free. Otherwise free with otlp_config_free. */
genops_status otlp_config_resolve(const genops_otlp_options *opt, struct otlp_config *c,
                                  genops_error *err);
void otlp_config_free(struct otlp_config *c);

#endif
