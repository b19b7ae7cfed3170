/* otlp_exporter.c - OTLP/HTTP: encode a batch, send it, classify the answer.
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
 * A batch that goes out as several requests is counted part by part: spans are
 * delivered only by a request that succeeded, and a part that succeeded is never sent
 * again. The first failure of each kind (status, or transport) is logged at error level
 * with the backend's own words, cut short and scrubbed of secrets; later ones are
 * counted in the pipeline's stats, whose drop summary reports them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "otlp/otlp_encode.h"
#include "error.h"
#include "hec/hec_exporter.h"
#include "http.h"
#include "ids.h"
#include "log.h"
#include "otlp/otlp_config.h"
#include "otlp/otlp_response.h"
#include "retry.h"

/* The largest request body before compression: beyond it a batch is split without
 * asking the server. Collectors refuse bodies above 20 MiB by default (confighttp
 * max_request_body_size); a 512-span batch of 20-attribute spans is about 0.4 MiB. */
#define OTLP_MAX_REQUEST_BYTES ((size_t)16 << 20)
#define BACKEND_TEXT_MAX       256

/* http_client_first keys for failures that are not HTTP statuses. */
enum {
    FIRST_TRANSPORT = -1,
    FIRST_ENCODE = -2,
    FIRST_TIMEOUT = -3,
    FIRST_PARTIAL = 1,
    FIRST_BAD_BODY = 2
};

struct otlp_exporter {
    genops_exporter base;
    struct otlp_config cfg;
    struct http_client *http;
    struct compressor *gz; /* NULL without gzip */
    struct buf body;       /* the encoded request, reused */
    struct buf zbody;      /* its gzip form, reused */
    struct http_response resp;
    uint64_t rng; /* backoff jitter; re-seeded after fork so workers do not retry in step */
};

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

/* The backend's text from the current response, bounded and scrubbed. */
static void backend_text(struct otlp_exporter *x, char *out, size_t size)
{
    otlp_error_text(x->resp.body.data ? x->resp.body.data : "", x->resp.body.len,
                    x->resp.content_type, out, size);
    http_client_redact(x->http, out, size);
}

/* Encode spans [first, first + n) into the request body (and gzip it). */
static genops_status encode_part(struct otlp_exporter *x, const struct batch *b, size_t first,
                                 size_t n, struct buf **payload)
{
    struct batch part = {b->spans + first, n, b->resource};
    buf_truncate(&x->body, 0);
    genops_status rc =
        x->cfg.json ? encode_otlp_json(&part, &x->body) : encode_otlp_pb(&part, &x->body);
    if (rc)
        return rc;
    *payload = &x->body;
    if (x->gz) {
        rc = compress_gzip(x->gz, x->body.data, x->body.len, &x->zbody);
        *payload = &x->zbody;
    }
    return rc;
}

static genops_status send_part(struct otlp_exporter *x, const struct batch *b, size_t first,
                               size_t n, uint64_t deadline_ns, struct export_result *r);

/* 413 or a body over the limit: send the two halves as separate requests. */
static genops_status split(struct otlp_exporter *x, const struct batch *b, size_t first, size_t n,
                           uint64_t deadline_ns, struct export_result *r)
{
    size_t half = n / 2;
    genops_status a = send_part(x, b, first, half, deadline_ns, r);
    genops_status c = send_part(x, b, first + half, n - half, deadline_ns, r);
    return a ? a : c;
}

/* Count a 2xx: all delivered except what partial_success rejected. */
static genops_status on_success(struct otlp_exporter *x, size_t n, struct export_result *r)
{
    int64_t rejected = 0;
    char message[BACKEND_TEXT_MAX];
    if (!otlp_partial_success(x->resp.body.data ? x->resp.body.data : "", x->resp.body.len,
                              x->cfg.json, &rejected, message, sizeof message)) {
        if (http_client_first(x->http, FIRST_BAD_BODY))
            log_msg(LOG_WARNING,
                    "OTLP exporter: %s answered %ld with a body that is not an "
                    "ExportTraceServiceResponse; counting the batch as delivered",
                    http_client_url_for_log(x->http), x->resp.status);
    }
    http_client_redact(x->http, message, sizeof message);
    if ((uint64_t)rejected > n)
        rejected = (int64_t)n;
    r->delivered += n - (uint64_t)rejected;
    r->rejected += (uint64_t)rejected;
    if ((rejected || message[0]) && http_client_first(x->http, FIRST_PARTIAL))
        log_msg(rejected ? LOG_ERROR : LOG_WARNING,
                "OTLP exporter: %s accepted a batch partially: %" PRId64 " of %zu spans "
                "rejected: %s",
                http_client_url_for_log(x->http), rejected, n,
                message[0] ? message : "(no message)");
    return rejected ? GENOPS_EREJECTED : GENOPS_OK;
}

/* Send spans [first, first + n) until they are delivered, rejected, or out of time. */
static genops_status send_part(struct otlp_exporter *x, const struct batch *b, size_t first,
                               size_t n, uint64_t deadline_ns, struct export_result *r)
{
    const char *url = http_client_url_for_log(x->http);
    struct buf *payload = NULL;
    genops_status rc = encode_part(x, b, first, n, &payload);
    if (rc == GENOPS_ETOOBIG && n > 1)
        return split(x, b, first, n, deadline_ns, r);
    if (rc) {
        if (http_client_first(x->http, FIRST_ENCODE))
            log_msg(LOG_ERROR, "OTLP exporter: cannot encode %zu span(s) for %s: %s%s", n, url,
                    genops_strerror(rc),
                    rc == GENOPS_ETOOBIG ? " (one span is larger than the request limit)" : "");
        if (rc == GENOPS_ETOOBIG)
            r->rejected += n;
        else
            r->failed += n;
        return rc;
    }
    struct http_request req = {
        .content_type = x->cfg.json ? "application/json" : "application/x-protobuf",
        .content_encoding = x->gz ? "gzip" : NULL,
        .body = payload->data,
        .len = payload->len,
        .deadline_ns = deadline_ns,
    };
    char text[BACKEND_TEXT_MAX];
    for (unsigned attempt = 1;; attempt++) {
        rc = http_send(x->http, &req, &x->resp);
        r->bytes_sent += x->resp.bytes_sent;
        long status = rc == GENOPS_OK ? x->resp.status : 0;
        if (status >= 200 && status < 300)
            return on_success(x, n, r);
        if (status == 413 && n > 1)
            return split(x, b, first, n, deadline_ns, r);

        bool retry = retryable_status(status) || (rc == GENOPS_EIO && x->resp.retryable);
        if (status)
            backend_text(x, text, sizeof text);
        else
            snprintf(text, sizeof text, "%s", x->resp.error);
        long key = status ? status : rc == GENOPS_ETIMEDOUT ? FIRST_TIMEOUT : FIRST_TRANSPORT;
        if (http_client_first(x->http, key)) {
            if (status)
                log_msg(LOG_ERROR, "OTLP exporter: %s answered %ld %s: %s (%s)", url, status,
                        status_name(status), text[0] ? text : "(no message)",
                        retry           ? "retrying within the export deadline"
                        : status == 413 ? "one span is larger than the backend accepts"
                                        : status_hint(status));
            else
                log_msg(LOG_ERROR, "OTLP exporter: sending to %s failed: %s (%s)", url, text,
                        retry ? "retrying within the export deadline" : "not retried");
        }
        uint64_t wake;
        if (retry && retry_when(&retry_default, attempt, x->resp.retry_after_ms, clock_mono_ns(),
                                deadline_ns, &x->rng, &wake)) {
            retry_sleep_until(wake);
            r->retries++;
            continue;
        }
        if (status >= 400 && status < 500 && !retryable_status(status)) {
            r->rejected += n;
            return GENOPS_EREJECTED;
        }
        r->failed += n;
        return rc == GENOPS_OK ? GENOPS_EIO : rc;
    }
}

/* exporter_ops.export_batch: the whole batch within the sooner of the two deadlines. */
static genops_status otlp_export(genops_exporter *e, const struct batch *b, uint64_t deadline_ns,
                                 struct export_result *r)
{
    struct otlp_exporter *x = (struct otlp_exporter *)e;
    uint64_t own = clock_mono_ns() + (uint64_t)x->cfg.timeout_ms * 1000000u;
    if (!b->count)
        return GENOPS_OK;
    return send_part(x, b, 0, b->count, own < deadline_ns ? own : deadline_ns, r);
}

/* exporter_ops.after_fork: a fresh connection and fresh jitter in the child. */
static void otlp_after_fork(genops_exporter *e)
{
    struct otlp_exporter *x = (struct otlp_exporter *)e;
    http_client_after_fork(x->http);
    x->rng = ids_random_u64();
}

/* exporter_ops.destroy, also used to undo a half-built exporter. */
static void otlp_destroy(genops_exporter *e)
{
    struct otlp_exporter *x = (struct otlp_exporter *)e;
    http_client_free(x->http);
    compress_free(x->gz);
    buf_free(&x->body);
    buf_free(&x->zbody);
    http_response_free(&x->resp);
    otlp_config_free(&x->cfg);
    free(x);
}

static const struct exporter_ops otlp_ops = {"otlp", otlp_export, otlp_destroy, otlp_after_fork};

/* One info line with what was configured; header values never, only names. */
static void log_config(const struct otlp_exporter *x)
{
    char names[256] = "";
    size_t n = 0;
    for (size_t i = 0; i < x->cfg.header_count && n < sizeof names; i++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? "," : "",
                              x->cfg.headers[i].name);
    log_msg(LOG_INFO,
            "OTLP exporter: endpoint %s, %s, compression %s, timeout %u ms, "
            "headers [%s], TLS verification %s",
            http_client_url_for_log(x->http), x->cfg.json ? "http/json" : "http/protobuf",
            x->gz ? "gzip" : "none", x->cfg.timeout_ms, names, x->cfg.tls.insecure ? "OFF" : "on");
}

/* GenOps' Splunk guide points the OTLP options at Splunk's HTTP Event Collector
 * (".../services/collector/raw", "Authorization: Splunk <token>"), which cannot index
 * OTLP: send HEC events to it instead, with the same TLS, compression and timeout, and
 * say so once. */
static genops_exporter *splunk_instead(const struct otlp_config *c, genops_error *err)
{
    genops_hec_options base;
    genops_hec_options_init(&base);
    base.compression = c->gzip ? GENOPS_COMPRESSION_GZIP : GENOPS_COMPRESSION_NONE;
    base.timeout_ms = c->timeout_ms;
    base.certificate = c->tls.ca_file;
    base.client_key = c->tls.client_key;
    base.client_certificate = c->tls.client_cert;
    base.insecure = c->tls.insecure;
    /* A base URL got OTLP's "/v1/traces" appended; HEC's events go to its own path. */
    static const char otlp_path[] = "/v1/traces", hec_path[] = "/services/collector/event";
    size_t path_len, start = http_url_path(c->endpoint, &path_len);
    char *endpoint = NULL;
    if (path_len == sizeof otlp_path - 1 && !memcmp(c->endpoint + start, otlp_path, path_len) &&
        (endpoint = malloc(strlen(c->endpoint) + sizeof hec_path))) {
        memcpy(endpoint, c->endpoint, start);
        strcpy(endpoint + start, hec_path);
        strcat(endpoint, c->endpoint + start + path_len);
    }
    const char *url = endpoint ? endpoint : c->endpoint;
    char shown[256];
    http_url_for_log(url, shown, sizeof shown);
    log_msg(LOG_WARNING,
            "OTLP exporter: %s is a Splunk HTTP Event Collector, which cannot index OTLP; "
            "sending Splunk HEC events there instead",
            shown);
    genops_exporter *hec = hec_exporter_from_endpoint(url, c->headers, c->header_count, &base, err);
    free(endpoint);
    return hec;
}

genops_exporter *genops_otlp_exporter_new(const genops_otlp_options *opt, genops_error *err)
{
    struct otlp_exporter *x = calloc(1, sizeof *x);
    if (!x) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating an OTLP exporter");
        return NULL;
    }
    x->base.ops = &otlp_ops;
    buf_init(&x->body, OTLP_MAX_REQUEST_BYTES);
    buf_init(&x->zbody, OTLP_MAX_REQUEST_BYTES + (OTLP_MAX_REQUEST_BYTES >> 4));
    http_response_init(&x->resp);
    x->rng = ids_random_u64();
    if (otlp_config_resolve(opt, &x->cfg, err)) {
        otlp_destroy(&x->base);
        return NULL;
    }
    if (hec_endpoint_is_splunk(x->cfg.endpoint, x->cfg.headers, x->cfg.header_count)) {
        genops_exporter *hec = splunk_instead(&x->cfg, err);
        otlp_destroy(&x->base);
        return hec;
    }
    struct http_config hc = {.url = x->cfg.endpoint,
                             .headers = x->cfg.headers,
                             .header_count = x->cfg.header_count,
                             .tls = x->cfg.tls,
                             .what = "OTLP exporter"};
    if (!(x->http = http_client_new(&hc, err)) ||
        compress_new_for_export(x->cfg.gzip, &x->gz, err)) {
        otlp_destroy(&x->base);
        return NULL;
    }
    log_config(x);
    error_clear(err);
    return &x->base;
}
