/* otlp_exporter.h - what the OTLP/HTTP exporter (otlp_exporter.c) and its OTLP/gRPC
 * form (otlp_grpc.c) share: one struct, one constructor (genops_otlp_exporter_new
 * picks the form from the resolved protocol), and the reading of a successful answer
 * and of a transport failure. Export thread only, like the sender it embeds. */
#ifndef GENOPS_OTLP_EXPORTER_H
#define GENOPS_OTLP_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>

#include "otlp/otlp_config.h"
#include "otlp/otlp_grpc_response.h"
#include "sender.h"

#define OTLP_BACKEND_TEXT_MAX 256

/* Log keys (sender_outcome.log_key) for failures that are not HTTP statuses; gRPC
 * statuses are OTLP_KEY_GRPC + code. */
enum {
    OTLP_KEY_TRANSPORT = -1,
    OTLP_KEY_TIMEOUT = -3,
    OTLP_KEY_PARTIAL = 1,
    OTLP_KEY_BAD_BODY = 2,
    OTLP_KEY_GRPC = 1000
};

struct otlp_exporter {
    struct sender_exporter se; /* first: the exporter is a sender_exporter */
    struct otlp_config cfg;
    struct grpc_answer grpc; /* OTLP/gRPC: the status of the call in flight */
};

/* The send loop's callbacks for OTLP/gRPC (otlp_grpc.c). */
extern const struct sender_ops otlp_grpc_sender_ops;

/* An accepted request of n spans whose ExportTraceServiceResponse is body[0..len)
 * (json: OTLP/JSON, else protobuf): delivered, less what partial_success rejected.
 * answer names the answer in the log ("200", "OK"). */
void otlp_success_outcome(const struct otlp_exporter *x, const char *body, size_t len, bool json,
                          const char *answer, size_t n, struct sender_outcome *out);

/* No answer arrived (rc, http_send's result, is not GENOPS_OK): retried when the
 * transport says a later attempt may work, else failed. */
void otlp_transport_outcome(genops_status rc, const struct http_response *resp,
                            struct sender_outcome *out);

#endif
