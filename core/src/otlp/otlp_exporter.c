/* otlp_exporter.c - OTLP/HTTP: encode a range of the batch into a request and classify
 * the answer; the shared loop (sender.c) sends, retries, splits and logs.
 *
 * The rules, from the OTLP specification (protocol/otlp.md, "OTLP/HTTP"):
 *  - 2xx is success; a partial_success in the response names spans the backend
 *    rejected (counted as rejected, its message logged) - the rest were accepted.
 *  - 429, 502, 503 and 504 are the retryable statuses ("Retryable Response Codes");
 *    the client honours Retry-After when the server sends it and otherwise backs off
 *    exponentially (retry.h: full jitter). Connection failures are retried the same way.
 *    Every attempt stays inside one deadline: the sooner of the pipeline's export
 *    deadline and this exporter's timeout (OTEL_EXPORTER_OTLP_TIMEOUT: "maximum time
 *    the OTLP exporter will wait for each batch export").
 *  - "All other 4xx or 5xx response status codes MUST NOT be retried": 4xx (400, 401,
 *    403, 404, ...) count the spans as rejected; other 5xx count them as failed.
 *  - 413 Payload Too Large is the exception we act on: the batch is split in halves,
 *    recursively; a single span that is still too large is rejected.
 * A batch that goes out as several requests is counted part by part (sender.h). The
 * first failure of each kind (status, or transport) is logged at error level with the
 * backend's own words, cut short and scrubbed of secrets; later ones are counted in the
 * pipeline's stats, whose drop summary reports them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "otlp/otlp_encode.h"
#include "error.h"
#include "hec/hec_config.h"
#include "http.h"
#include "log.h"
#include "otlp/otlp_config.h"
#include "otlp/otlp_exporter.h"
#include "otlp/otlp_response.h"
#include "sender.h"

/* The largest request body before compression: beyond it a batch is split without
 * asking the server. Collectors refuse bodies above 20 MiB by default (confighttp
 * max_request_body_size); a 512-span batch of 20-attribute spans is about 0.4 MiB. */
#define OTLP_MAX_REQUEST_BYTES ((size_t)16 << 20)
/* gRPC servers refuse messages above 4 MiB unless configured otherwise (grpc-go's and
 * grpc core's default receive limit; the Collector's OTLP receiver keeps it), so an
 * OTLP/gRPC batch beyond it is split without asking. */
#define GRPC_MAX_REQUEST_BYTES ((size_t)4 << 20)

/* The reason phrase of the statuses an OTLP backend uses, for log lines. */
static const char *status_name(long status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
    }
}

/* Why a non-retryable status rejects data, for the log line. */
static const char *status_hint(long status)
{
    switch (status) {
    case 400: return "the backend could not read the request; check the protocol setting";
    case 401: return "authentication failed; check the credentials in the headers";
    case 403: return "the credentials may not write here; check the API key's permissions";
    case 404:
        return "nothing receives traces at this URL; check the endpoint path "
               "(usually /v1/traces)";
    default: return "retrying cannot help";
    }
}

/* OTLP/HTTP "Retryable Response Codes". */
static bool retryable_status(long status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}

/* sender_ops.build: spans [first, first + n) as one request body (gzipped when
 * configured). */
static genops_status otlp_build(void *ctx, const struct batch *b, struct sender_part *part,
                                struct http_request *req)
{
    struct otlp_exporter *x = ctx;
    struct batch slice = {b->spans + part->first, part->n, b->resource, b->derived, false};
    buf_truncate(&x->se.body, 0);
    genops_status rc =
        x->cfg.json ? encode_otlp_json(&slice, &x->se.body) : encode_otlp_pb(&slice, &x->se.body);
    return sender_exporter_request(
        &x->se, rc, x->cfg.json ? "application/json" : "application/x-protobuf", part, req);
}

void otlp_success_outcome(const struct otlp_exporter *x, const char *body, size_t len, bool json,
                          const char *answer, size_t n, struct sender_outcome *out)
{
    int64_t rejected = 0;
    char message[HTTP_TEXT_ROOM];
    out->verdict = SENDER_DELIVERED;
    if (!otlp_partial_success(body ? body : "", len, json, &rejected, message, sizeof message)) {
        out->log_key = OTLP_KEY_BAD_BODY;
        out->log_level = LOG_WARNING;
        snprintf(out->text, sizeof out->text,
                 "answered %s with a body that is not an ExportTraceServiceResponse; counting "
                 "the batch as delivered",
                 answer);
        return;
    }
    http_client_redact_cut(x->se.sender.http, message, sizeof message, OTLP_BACKEND_TEXT_MAX);
    out->rejected = rejected > 0 ? (uint64_t)rejected : 0;
    if (!out->rejected && !message[0])
        return;
    out->log_key = OTLP_KEY_PARTIAL;
    out->log_level = out->rejected ? LOG_ERROR : LOG_WARNING;
    snprintf(out->text, sizeof out->text,
             "accepted a batch partially: %" PRIu64 " of %zu spans rejected: %.*s", out->rejected,
             n, OTLP_BACKEND_TEXT_MAX - 1, message[0] ? message : "(no message)");
}

void otlp_transport_outcome(genops_status rc, const struct http_response *resp,
                            struct sender_outcome *out)
{
    bool retry = rc == GENOPS_EIO && resp->retryable;
    out->verdict = retry ? SENDER_RETRY : SENDER_FAILED;
    out->log_key = rc == GENOPS_ETIMEDOUT ? OTLP_KEY_TIMEOUT : OTLP_KEY_TRANSPORT;
    snprintf(out->text, sizeof out->text, "sending failed: %s", resp->error);
    out->hint = retry ? NULL : "not retried";
}

/* sender_ops.classify, by the rules of the file comment (OTLP marks no item). */
/* NOLINTBEGIN(readability-non-const-parameter): marks is sender_ops.classify's */
static void otlp_classify(void *ctx, const struct batch *b, const struct sender_part *part,
                          genops_status rc, const struct http_response *resp,
                          struct sender_outcome *out, uint8_t *marks)
/* NOLINTEND(readability-non-const-parameter) */
{
    (void)b, (void)marks;
    struct otlp_exporter *x = ctx;
    if (rc != GENOPS_OK) {
        otlp_transport_outcome(rc, resp, out);
        return;
    }
    long status = resp->status;
    if (status >= 200 && status < 300) {
        char answer[24];
        snprintf(answer, sizeof answer, "%ld", status);
        otlp_success_outcome(x, resp->body.data, resp->body.len, x->cfg.json, answer, part->n, out);
        return;
    }
    bool retry = retryable_status(status);
    if (status == 413)
        out->verdict = SENDER_TOO_LARGE;
    else if (retry)
        out->verdict = SENDER_RETRY;
    else
        out->verdict = status >= 400 && status < 500 ? SENDER_REJECTED : SENDER_FAILED;
    if (status == 413 && part->n > 1)
        return; /* split quietly: the halves say whether it helped */
    out->log_key = status;
    char text[HTTP_TEXT_ROOM];
    otlp_error_text(resp->body.data ? resp->body.data : "", resp->body.len, resp->content_type,
                    text, sizeof text);
    http_client_redact_cut(x->se.sender.http, text, sizeof text, OTLP_BACKEND_TEXT_MAX);
    snprintf(out->text, sizeof out->text, "answered %ld %s: %.*s", status, status_name(status),
             OTLP_BACKEND_TEXT_MAX - 1, text[0] ? text : "(no message)");
    out->hint = retry           ? NULL
                : status == 413 ? "one span is larger than the backend accepts"
                                : status_hint(status);
}

static const struct sender_ops otlp_sender_ops = {
    .build = otlp_build, .classify = otlp_classify, .item = "span"};

/* exporter_ops.destroy, also used to undo a half-built exporter. */
static void otlp_destroy(genops_exporter *e)
{
    struct otlp_exporter *x = (struct otlp_exporter *)e;
    sender_exporter_release(&x->se);
    otlp_config_free(&x->cfg);
    free(x);
}

static const struct exporter_ops otlp_ops = {.kind = "otlp",
                                             .export_batch = sender_exporter_export,
                                             .destroy = otlp_destroy,
                                             .after_fork = sender_exporter_after_fork,
                                             .use_spool = sender_exporter_use_spool,
                                             .replay = sender_exporter_replay};

/* OTLP/gRPC: the same, with the spool replayed by grpc-status (otlp_grpc_sender_ops). */
static const struct exporter_ops otlp_grpc_ops = {.kind = "otlp-grpc",
                                                  .export_batch = sender_exporter_export,
                                                  .destroy = otlp_destroy,
                                                  .after_fork = sender_exporter_after_fork,
                                                  .use_spool = sender_exporter_use_spool,
                                                  .replay = sender_exporter_replay};

/* One info line with what was configured; header values never, only names. */
static void log_config(const struct otlp_exporter *x)
{
    char names[256] = "";
    size_t n = 0;
    for (size_t i = 0; i < x->cfg.header_count && n < sizeof names; i++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? "," : "",
                              x->cfg.headers[i].name);
    log_msg(LOG_INFO,
            "%s: endpoint %s, %s, compression %s, timeout %u ms, "
            "headers [%s], TLS verification %s",
            x->se.sender.what, http_client_url_for_log(x->se.sender.http),
            x->cfg.grpc   ? "grpc"
            : x->cfg.json ? "http/json"
                          : "http/protobuf",
            x->se.gz ? "gzip" : "none", x->cfg.timeout_ms, names,
            x->cfg.tls.insecure ? "OFF" : "on");
}

/* An OTLP exporter pointed at Splunk HEC is what the caller asked for (the choice of
 * HEC instead is genops_exporter_for_endpoint's), but Splunk will refuse what it sends:
 * say so once, at creation. */
static void warn_if_splunk(const struct otlp_exporter *x)
{
    if (hec_endpoint_splunk_sign(x->cfg.endpoint, x->cfg.headers, x->cfg.header_count))
        log_msg(LOG_WARNING,
                "OTLP exporter: %s looks like a Splunk HTTP Event Collector, which cannot "
                "index OTLP; sending OTLP as asked (genops_exporter_for_endpoint, and "
                "init(exporter_type=\"otlp\") in Python, send Splunk HEC events there)",
                http_client_url_for_log(x->se.sender.http));
}

genops_exporter *genops_otlp_exporter_new(const genops_otlp_options *opt, genops_error *err)
{
    struct otlp_exporter *x = calloc(1, sizeof *x);
    if (!x) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating an OTLP exporter");
        return NULL;
    }
    x->se.base.ops = &otlp_ops;
    sender_init(&x->se.sender, &otlp_sender_ops, x, "OTLP exporter", 0);
    if (otlp_config_resolve(opt, &x->cfg, err)) {
        otlp_destroy(&x->se.base);
        return NULL;
    }
    bool grpc = x->cfg.grpc;
    size_t limit = grpc ? GRPC_PREFIX_BYTES + GRPC_MAX_REQUEST_BYTES : OTLP_MAX_REQUEST_BYTES;
    buf_init(&x->se.body, limit);
    buf_init(&x->se.zbody, limit + (limit >> 4));
    if (grpc) {
        x->se.base.ops = &otlp_grpc_ops;
        x->se.sender.ops = &otlp_grpc_sender_ops;
        x->se.sender.what = "OTLP/gRPC exporter";
        grpc_answer_reset(&x->grpc);
    }
    x->se.sender.timeout_ms = x->cfg.timeout_ms;
    /* gRPC's request headers (PROTOCOL-HTTP2.md) after the configured ones: te: trailers
     * (required), and the message encoding when messages are compressed. */
    struct http_header headers[OTLP_MAX_HEADERS + 2];
    size_t count = x->cfg.header_count;
    memcpy(headers, x->cfg.headers, count * sizeof *headers);
    if (grpc)
        headers[count++] = (struct http_header){"te", "trailers"};
    if (grpc && x->cfg.gzip)
        headers[count++] = (struct http_header){"grpc-encoding", "gzip"};
    struct http_config hc = {.url = x->cfg.endpoint,
                             .headers = headers,
                             .header_count = count,
                             .tls = x->cfg.tls,
                             .what = x->se.sender.what,
                             .http2 = grpc};
    if (!(x->se.sender.http = http_client_new(&hc, err)) ||
        compress_new_for_export(x->cfg.gzip ? COMPRESS_GZIP : COMPRESS_NONE, &x->se.gz, err)) {
        otlp_destroy(&x->se.base);
        return NULL;
    }
    snprintf(x->se.base.endpoint, sizeof x->se.base.endpoint, "%s",
             http_client_url_for_log(x->se.sender.http));
    log_config(x);
    if (!grpc)
        warn_if_splunk(x);
    error_clear(err);
    return &x->se.base;
}
