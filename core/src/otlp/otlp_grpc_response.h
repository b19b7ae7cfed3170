/* otlp_grpc_response.h - reading what an OTLP/gRPC server answered.
 *
 * gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md): the response is HTTP 200 with
 * content-type application/grpc, then the reply as Length-Prefixed-Messages (a 1-byte
 * Compressed-Flag, a 4-byte big-endian Message-Length, the message), then trailers:
 * grpc-status (the code, decimal), grpc-message (percent-encoded text) and optionally
 * grpc-status-details-bin (a google.rpc.Status in base64, padding optional). A server
 * that fails at once sends "Trailers-Only": those fields in the headers and no body.
 * What the server sends is untrusted: everything is bounded and checked. Pure; any
 * thread. */
#ifndef GENOPS_OTLP_GRPC_RESPONSE_H
#define GENOPS_OTLP_GRPC_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define GRPC_PREFIX_BYTES 5

/* The gRPC status codes, in value order from 0 (grpc/grpc doc/statuscodes.md). */
#define GRPC_CODES(X)                                                                              \
    X(OK)                                                                                          \
    X(CANCELLED)                                                                                   \
    X(UNKNOWN)                                                                                     \
    X(INVALID_ARGUMENT)                                                                            \
    X(DEADLINE_EXCEEDED)                                                                           \
    X(NOT_FOUND)                                                                                   \
    X(ALREADY_EXISTS)                                                                              \
    X(PERMISSION_DENIED)                                                                           \
    X(RESOURCE_EXHAUSTED)                                                                          \
    X(FAILED_PRECONDITION)                                                                         \
    X(ABORTED)                                                                                     \
    X(OUT_OF_RANGE)                                                                                \
    X(UNIMPLEMENTED)                                                                               \
    X(INTERNAL)                                                                                    \
    X(UNAVAILABLE)                                                                                 \
    X(DATA_LOSS)                                                                                   \
    X(UNAUTHENTICATED)

#define GRPC_CODE_ENUM(name) GRPC_##name,
enum grpc_code { GRPC_CODES(GRPC_CODE_ENUM) GRPC_CODE_COUNT };
#undef GRPC_CODE_ENUM

/* The status of one call, from its header and trailer lines. */
struct grpc_answer {
    int status; /* grpc-status; -1 until one is seen */
    /* grpc-message, percent-decoded and made printable; else the Status message of
     * grpc-status-details-bin. Room for much, as for HTTP texts: it is redacted before it
     * is cut to what a log line shows (http_client_redact_cut). */
    char message[HTTP_TEXT_ROOM];
    int64_t retry_ms; /* RetryInfo's delay from grpc-status-details-bin; -1 when none */
};

void grpc_answer_reset(struct grpc_answer *a);

/* One header or trailer line as libcurl delivers it (http_request.on_header): a status
 * line starts a new answer; grpc-status, grpc-message and grpc-status-details-bin are
 * kept; anything else is ignored. */
void grpc_answer_header(struct grpc_answer *a, const char *line, size_t len);

/* The one message of a unary response body: *msg, *msg_len (0 for an empty body,
 * which carries no message) and whether its Compressed-Flag is set. False when the
 * body is not exactly one well-formed Length-Prefixed-Message. */
bool grpc_unframe(const char *body, size_t len, const char **msg, size_t *msg_len,
                  bool *compressed);

/* The code a response without grpc-status means, from its HTTP status (grpc/grpc
 * doc/http-grpc-status-mapping.md; a 200 without one is a protocol error: INTERNAL). */
int grpc_code_from_http(long http_status);

/* OTLP/gRPC's "Failures" table (opentelemetry-proto docs/specification.md):
 * CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are
 * retryable; RESOURCE_EXHAUSTED only when the server sent RetryInfo ("the server
 * signals that the recovery from resource exhaustion is possible"); no other code. */
bool grpc_retryable(int code, bool retry_info);

/* The code's name ("UNAVAILABLE"); "UNKNOWN_CODE" outside 0..16. */
const char *grpc_code_name(int code);

#endif
