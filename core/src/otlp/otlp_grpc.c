/* otlp_grpc.c - OTLP/gRPC: the send loop's callbacks for TraceService/Export over
 * HTTP/2 (the exporter itself is otlp_exporter.c's, built for protocol grpc).
 *
 * The request (grpc/grpc doc/PROTOCOL-HTTP2.md): POST to OTLP_GRPC_PATH with
 * content-type application/grpc, te: trailers and grpc-timeout (the time left of the
 * export deadline, so that the server stops when we do); the body is one
 * Length-Prefixed-Message: a Compressed-Flag byte (1 when gzipped, announced by
 * grpc-encoding: gzip), the message's length as 4 bytes big-endian, then the
 * ExportTraceServiceRequest from the same protobuf encoder as OTLP/HTTP.
 *
 * The answer is the grpc-status trailer (otlp_grpc_response.h), by the OTLP
 * specification's rules (opentelemetry-proto docs/specification.md, "OTLP/gRPC
 * Response"):
 *  - OK: delivered, less what ExportTraceServiceResponse.partial_success rejected
 *    ("The client MUST NOT retry the request when it receives a partial success").
 *  - the retryable codes (grpc_retryable: RESOURCE_EXHAUSTED only with RetryInfo) are
 *    retried within the deadline, after RetryInfo's retry_delay when the server gave
 *    one (OTLP/gRPC Throttling), else with the usual backoff.
 *  - any other code "MUST NOT retry ... MUST drop the telemetry data": the spans count
 *    as rejected, or as failed for UNKNOWN and INTERNAL (the server's own failure, as a
 *    5xx is to OTLP/HTTP).
 * A response without grpc-status (not a gRPC server, or a proxy's own error page) is
 * read by its HTTP status as gRPC's status mapping says. */
#include <stdio.h>
#include <string.h>

#include "compress.h"
#include "log.h"
#include "otlp/otlp_encode.h"
#include "otlp/otlp_exporter.h"

/* The header hook (http_request.on_header): the answer of the call in flight. */
static void on_header(void *ctx, const char *line, size_t len)
{
    grpc_answer_header(&((struct otlp_exporter *)ctx)->grpc, line, len);
}

/* sender_ops.build: spans [first, first + n) as one Length-Prefixed-Message. */
static genops_status grpc_build(void *ctx, const struct batch *b, struct sender_part *part,
                                struct http_request *req)
{
    static const char no_prefix[GRPC_PREFIX_BYTES] = {0};
    struct otlp_exporter *x = ctx;
    struct batch slice = {b->spans + part->first, part->n, b->resource, b->derived, false};
    struct buf *m = &x->se.body;
    buf_truncate(m, 0);
    buf_append(m, no_prefix, sizeof no_prefix);
    genops_status rc = encode_otlp_pb(&slice, m);
    part->bytes = m->len;
    if (rc)
        return rc;
    if (x->se.gz) {
        /* Compressed whole, then moved up to make room for the prefix. */
        struct buf *z = &x->se.zbody;
        rc = compress_body(x->se.gz, m->data + GRPC_PREFIX_BYTES, m->len - GRPC_PREFIX_BYTES, z);
        if (rc || !buf_reserve(z, GRPC_PREFIX_BYTES))
            return rc ? rc : buf_status(z);
        memmove(z->data + GRPC_PREFIX_BYTES, z->data, z->len);
        z->len += GRPC_PREFIX_BYTES;
        m = z;
    }
    size_t n = m->len - GRPC_PREFIX_BYTES; /* below 4 GiB: the buffers' limits */
    unsigned char *p = (unsigned char *)m->data;
    p[0] = x->se.gz ? 1 : 0;
    p[1] = (unsigned char)(n >> 24);
    p[2] = (unsigned char)(n >> 16);
    p[3] = (unsigned char)(n >> 8);
    p[4] = (unsigned char)n;
    part->bytes = m->len;
    grpc_answer_reset(&x->grpc);
    *req = (struct http_request){.content_type = "application/grpc",
                                 .body = m->data,
                                 .len = m->len,
                                 .on_header = on_header,
                                 .header_ctx = x,
                                 .grpc_timeout = true};
    return GENOPS_OK;
}

/* Why a code that is not retried refuses the spans, for the log line. */
static const char *code_hint(int code, bool has_status)
{
    switch (code) {
    case GRPC_UNAUTHENTICATED: return "authentication failed; check the credentials in the headers";
    case GRPC_PERMISSION_DENIED:
        return "the credentials may not write here; check the API key's permissions";
    case GRPC_UNIMPLEMENTED:
        return "nothing serves OTLP traces over gRPC here; check the endpoint's port (usually "
               "4317; 4318 is OTLP/HTTP)";
    case GRPC_INVALID_ARGUMENT: return "the server could not read the request";
    case GRPC_RESOURCE_EXHAUSTED:
        return "without RetryInfo the server did not say it can recover; not retried";
    case GRPC_INTERNAL:
        return has_status ? "retrying cannot help"
                          : "no grpc-status: is this a gRPC server? (HTTP/2 needs h2c or ALPN h2)";
    default: return "retrying cannot help";
    }
}

/* An OK answer: the body's one message is the ExportTraceServiceResponse. */
static void on_ok(const struct otlp_exporter *x, const struct http_response *resp, size_t n,
                  struct sender_outcome *out)
{
    const char *msg;
    size_t len;
    bool compressed;
    if (!grpc_unframe(resp->body.data, resp->body.len, &msg, &len, &compressed) || compressed) {
        /* Compressed replies are not asked for (no grpc-accept-encoding is sent). */
        out->verdict = SENDER_DELIVERED;
        out->log_key = OTLP_KEY_BAD_BODY;
        out->log_level = LOG_WARNING;
        snprintf(out->text, sizeof out->text,
                 "answered OK with a body that is not one uncompressed gRPC message; counting "
                 "the batch as delivered");
        return;
    }
    otlp_success_outcome(x, msg, len, false, "OK", n, out);
}

/* sender_ops.classify, by the rules of the file comment. The answer is read once: the
 * next attempt starts a fresh one. */
/* NOLINTBEGIN(readability-non-const-parameter): marks is sender_ops.classify's */
static void grpc_classify(void *ctx, const struct batch *b, const struct sender_part *part,
                          genops_status rc, const struct http_response *resp,
                          struct sender_outcome *out, uint8_t *marks)
/* NOLINTEND(readability-non-const-parameter) */
{
    (void)b, (void)marks;
    struct otlp_exporter *x = ctx;
    struct grpc_answer a = x->grpc;
    grpc_answer_reset(&x->grpc);
    if (rc != GENOPS_OK) {
        otlp_transport_outcome(rc, resp, out);
        return;
    }
    bool has_status = a.status >= 0;
    int code = has_status ? a.status : grpc_code_from_http(resp->status);
    if (code == GRPC_OK) {
        on_ok(x, resp, part->n, out);
        return;
    }
    bool retry = grpc_retryable(code, a.retry_ms >= 0);
    out->verdict = retry                                           ? SENDER_RETRY
                   : code == GRPC_UNKNOWN || code == GRPC_INTERNAL ? SENDER_FAILED
                                                                   : SENDER_REJECTED;
    if (retry && a.retry_ms > 0)
        out->retry_after_ms = a.retry_ms;
    out->log_key = OTLP_KEY_GRPC + (code >= 0 && code < GRPC_CODE_COUNT ? code : GRPC_CODE_COUNT);
    http_client_redact_cut(x->se.sender.http, a.message, sizeof a.message, OTLP_BACKEND_TEXT_MAX);
    if (has_status)
        snprintf(out->text, sizeof out->text, "answered %s (%d): %.*s", grpc_code_name(code), code,
                 OTLP_BACKEND_TEXT_MAX - 1, a.message[0] ? a.message : "(no message)");
    else
        snprintf(out->text, sizeof out->text, "answered HTTP %ld without grpc-status (read as %s)",
                 resp->status, grpc_code_name(code));
    out->hint = retry ? NULL : code_hint(code, has_status);
}

/* sender_ops.replay_request: a spooled call's answer is read like a fresh one's. */
static void grpc_replay_request(void *ctx, struct http_request *req)
{
    struct otlp_exporter *x = ctx;
    grpc_answer_reset(&x->grpc);
    req->on_header = on_header;
    req->header_ctx = x;
    req->grpc_timeout = true;
}

/* sender_ops.replay_fate: OK delivers a spooled call (a partial success too, as for
 * OTLP/HTTP's spool), a code the classifier would retry keeps it, any other drops it. */
static enum sender_fate grpc_replay_fate(void *ctx, genops_status rc,
                                         const struct http_response *resp, long *key, char *what,
                                         size_t size)
{
    struct otlp_exporter *x = ctx;
    struct grpc_answer a = x->grpc;
    grpc_answer_reset(&x->grpc);
    if (rc != GENOPS_OK)
        return SENDER_ITEM_AGAIN;
    int code = a.status >= 0 ? a.status : grpc_code_from_http(resp->status);
    if (code == GRPC_OK)
        return SENDER_ITEM_DELIVERED;
    if (grpc_retryable(code, a.retry_ms >= 0) || code == GRPC_UNKNOWN || code == GRPC_INTERNAL)
        return SENDER_ITEM_AGAIN; /* as a 5xx is to OTLP/HTTP's spool: the server's failure */
    *key = OTLP_KEY_GRPC + (code < GRPC_CODE_COUNT ? code : GRPC_CODE_COUNT);
    snprintf(what, size, "%s", grpc_code_name(code));
    return SENDER_ITEM_REJECTED;
}

const struct sender_ops otlp_grpc_sender_ops = {.build = grpc_build,
                                                .classify = grpc_classify,
                                                .item = "span",
                                                .replay_request = grpc_replay_request,
                                                .replay_fate = grpc_replay_fate};
