/* otlp_response.h - reading what an OTLP/HTTP backend answered.
 *
 * Success (2xx) carries an ExportTraceServiceResponse, whose partial_success says how
 * many spans were rejected and why; failure (4xx/5xx) carries a google.rpc.Status with
 * a message (OTLP/HTTP specification, "OTLP/HTTP Response"). Each comes as protobuf or
 * as JSON, like the request; OTLP/gRPC's Status travels in a trailer instead.
 * Bodies are untrusted: everything is bounded and checked.
 * Pure; any thread. */
#ifndef GENOPS_OTLP_RESPONSE_H
#define GENOPS_OTLP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* From a success body: *rejected = partial_success.rejected_spans (0 when absent) and
 * message = its error_message (NUL-terminated, cut to size). json selects the
 * encoding. False when the body cannot be read (then *rejected = 0, message = ""); an
 * empty body is a full success. */
bool otlp_partial_success(const char *body, size_t len, bool json, int64_t *rejected, char *message,
                          size_t size);

/* The backend's own words from a failure body: Status.message when the body is a
 * Status (content_type application/x-protobuf or application/json), else the body as
 * text. Always NUL-terminated in out[size]; "" when there is nothing. */
void otlp_error_text(const char *body, size_t len, const char *content_type, char *out,
                     size_t size);

/* From a google.rpc.Status in protobuf (gRPC's grpc-status-details-bin, decoded): its
 * message (NUL-terminated in message[size], "" when absent) and, in *retry_ms, the
 * delay of a google.rpc.RetryInfo among its details (-1 when there is none; a
 * RetryInfo without a delay is 0). False when the bytes are not a Status (then
 * message = "" and *retry_ms = -1). */
bool otlp_rpc_status(const char *pb, size_t len, char *message, size_t size, int64_t *retry_ms);

#endif
