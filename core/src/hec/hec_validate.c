/* hec_validate.c - checking a Splunk HEC setup before telemetry depends on it, as
 * GenOps' Splunk guide ("Testing & Validation") describes: configuration first (each
 * problem reported, not just the first), then the health endpoint, then one test event
 * that proves the token may write to the index. Messages use the guide's own words
 * ("SPLUNK_HEC_TOKEN not set", "HEC token authentication failed (401 Unauthorized)")
 * so its troubleshooting section applies as written. No text ever holds the token. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "error.h"
#include "hec/hec_config.h"
#include "hec/hec_encode.h"
#include "hec/hec_response.h"
#include "http.h"
#include "semconv.h"

#define DEFAULT_TIMEOUT_MS 10000u
#define TEXT               GENOPS_HEC_VALIDATION_TEXT
#define ITEMS              GENOPS_HEC_VALIDATION_ITEMS

static void add(char list[][TEXT], size_t *count, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(char list[][TEXT], size_t *count, const char *fmt, ...)
{
    if (*count == ITEMS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(list[*count], TEXT, fmt, ap);
    va_end(ap);
    (*count)++;
}

#define ERROR(v, ...)   add((v)->errors, &(v)->error_count, __VA_ARGS__)
#define WARNING(v, ...) add((v)->warnings, &(v)->warning_count, __VA_ARGS__)

static void detail(genops_hec_validation *v, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void detail(genops_hec_validation *v, const char *name, const char *fmt, ...)
{
    if (v->detail_count == ITEMS)
        return;
    snprintf(v->detail_names[v->detail_count], sizeof v->detail_names[0], "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->detail_values[v->detail_count], TEXT, fmt, ap);
    va_end(ap);
    v->detail_count++;
}

/* The configuration, each problem on its own; true when all is well-formed. */
static bool check_config(const genops_hec_options *opt, const genops_hec_options *o,
                         genops_hec_validation *v, struct hec_config *cfg)
{
    genops_error e;
    const char *endpoint =
        o->endpoint && *o->endpoint ? o->endpoint : config_str("SPLUNK_HEC_ENDPOINT");
    const char *token = o->token && *o->token ? o->token : config_str("SPLUNK_HEC_TOKEN");
    const char *index = o->index && *o->index ? o->index : config_str("SPLUNK_INDEX");
    if (!endpoint)
        ERROR(v, "SPLUNK_HEC_ENDPOINT not set: export "
                 "SPLUNK_HEC_ENDPOINT=\"https://splunk.example.com:8088\" (or pass endpoint)");
    else if (http_url_check(endpoint,
                            o->endpoint && *o->endpoint ? "endpoint" : "SPLUNK_HEC_ENDPOINT", &e))
        ERROR(v, "%s", e.message);
    if (!token)
        ERROR(v, "SPLUNK_HEC_TOKEN not set: create a token under Settings > Data Inputs > "
                 "HTTP Event Collector, then export SPLUNK_HEC_TOKEN=\"<token>\"");
    if (index && hec_index_check(index, o->index && *o->index ? "index" : "SPLUNK_INDEX", &e))
        ERROR(v, "%s", e.message);
    if (v->error_count)
        return false;
    if (hec_config_resolve(opt, cfg, &e)) {
        ERROR(v, "%s", e.message);
        return false;
    }
    if (!index)
        WARNING(v, "SPLUNK_INDEX not set: events go to the token's default index, and the "
                   "guide's searches read index=genops_ai");
    if (!cfg->https)
        WARNING(v, "the endpoint is plain http: the token and every event travel "
                   "unencrypted; turn on Enable SSL in HEC's Global Settings and use https");
    else if (cfg->tls.insecure)
        WARNING(v, "TLS certificate verification is OFF (insecure): anyone on the network "
                   "path can read the token and change what is sent; give the CA bundle "
                   "(certificate option) instead");
    char shown[TEXT];
    http_url_for_log(cfg->event_url, shown, sizeof shown);
    detail(v, "endpoint", "%s", shown);
    detail(v, "format", "%s",
           cfg->raw ? "raw (/services/collector/raw)" : "event (/services/collector/event)");
    detail(v, "index", "%s", cfg->index ? cfg->index : "(the token's default)");
    detail(v, "sourcetype", "%s", cfg->sourcetype ? cfg->sourcetype : HEC_DEFAULT_SOURCETYPE);
    detail(v, "host", "%s",
           cfg->host           ? cfg->host
           : cfg->default_host ? cfg->default_host
                               : "(unset)");
    detail(v, "acknowledgement", "%s", cfg->use_ack ? "on (use_ack)" : "off");
    detail(v, "tls", "%s",
           !cfg->https         ? "none (http)"
           : cfg->tls.insecure ? "verification OFF"
                               : "verified");
    return true;
}

static uint32_t ms_since(uint64_t t0)
{
    return (uint32_t)((clock_mono_ns() - t0) / 1000000u);
}

/* A transport failure in the guide's words. */
static void transport_error(genops_hec_validation *v, const char *what, const char *error)
{
    if (strstr(error, "refused") || strstr(error, "Couldn't connect"))
        ERROR(v,
              "Connection refused - HEC endpoint not accessible (%s): is Splunk running, "
              "HEC enabled and port 8088 open?",
              error);
    else if (strstr(error, "SSL") || strstr(error, "certificate") || strstr(error, "TLS"))
        ERROR(v, "TLS failed during %s: %s; check the CA bundle (certificate option)", what, error);
    else
        ERROR(v, "HEC endpoint not reachable during %s: %s", what, error);
}

/* Send req, timed into *ms. A transport failure is reported as one during `what` and
 * returns false; otherwise *reply is HEC's answer (redacted) and *status and *code are
 * the HTTP status and HEC's code. */
static bool send_probe(struct http_client *c, const struct http_request *req, const char *what,
                       genops_hec_validation *v, struct http_response *resp,
                       struct hec_reply *reply, uint32_t *ms, int32_t *status, int32_t *code)
{
    uint64_t t0 = clock_mono_ns();
    genops_status rc = http_send(c, req, resp);
    *ms = ms_since(t0);
    if (rc) {
        transport_error(v, what, resp->error);
        return false;
    }
    hec_reply_parse(resp->body.data, resp->body.len, reply);
    http_client_redact_cut(c, reply->text, sizeof reply->text, HEC_TEXT_SHOWN);
    *status = (int32_t)resp->status;
    *code = reply->code;
    return true;
}

static void check_health(struct http_client *c, const struct hec_config *cfg,
                         genops_hec_validation *v, struct http_response *resp, uint64_t deadline)
{
    struct http_request req = {.url = cfg->health_url, .get = true, .deadline_ns = deadline};
    struct hec_reply reply;
    if (!send_probe(c, &req, "the health check", v, resp, &reply, &v->health_ms, &v->health_status,
                    &v->health_code))
        return;
    if (resp->status == 200) {
        v->connectivity = true;
        detail(v, "health", "%s (code %d), %u ms", reply.text[0] ? reply.text : "healthy",
               reply.code, v->health_ms);
    } else if (resp->status == 503) {
        ERROR(v, "HEC is unhealthy (503%s%s): %s", reply.code >= 0 ? ", code " : "",
              reply.code >= 0 ? hec_code_text(reply.code) : "",
              reply.text[0] ? reply.text : "the server is busy or its queues are full");
    } else if (resp->status == 404) {
        ERROR(v, "nothing answers at /services/collector/health (404): is this HEC's port "
                 "(8088 by default) rather than the management port (8089)?");
    } else {
        ERROR(v, "the HEC health check answered HTTP %ld: %s", resp->status,
              reply.text[0] ? reply.text : "(no message)");
    }
}

/* The URL a test event goes to: the event endpoint, even when the exporter sends raw. */
static char *event_url(const struct hec_config *cfg)
{
    if (!cfg->raw)
        return strdup(cfg->event_url);
    size_t n = strlen(cfg->ack_url); /* .../services/collector/ack */
    char *u = malloc(n + 3);
    if (u)
        snprintf(u, n + 3, "%.*s/event", (int)(n - 4), cfg->ack_url);
    return u;
}

static void check_token(struct http_client *c, const struct hec_config *cfg,
                        genops_hec_validation *v, struct http_response *resp, uint64_t deadline)
{
    struct hec_encoding enc = hec_config_encoding(cfg);
    struct hec_meta m;
    struct buf body;
    encode_hec_meta(&enc, NULL, &m);
    buf_init(&body, 1 << 16);
    uint64_t now = clock_unix_ns();
    buf_puts(&body, "{\"time\":");
    buf_put_u64(&body, now / 1000000000u);
    encode_hec_envelope(&body, &m);
    buf_puts(&body, ",\"event\":{\"name\":\"");
    buf_append(&body, SEMCONV_VALIDATION, SEMCONV_VALIDATION_LEN);
    buf_puts(&body, "\",\"message\":\"GenOps HEC setup validation test event\",\"");
    buf_append(&body, SEMCONV_VALIDATION, SEMCONV_VALIDATION_LEN);
    buf_puts(&body, "\":true}}");
    char *url = event_url(cfg);
    if (!buf_ok(&body) || !url) {
        ERROR(v, "out of memory building the test event");
        buf_free(&body);
        free(url);
        return;
    }
    struct http_request req = {.url = url,
                               .content_type = "application/json",
                               .body = body.data,
                               .len = body.len,
                               .deadline_ns = deadline};
    struct hec_reply reply;
    bool answered = send_probe(c, &req, "the test event", v, resp, &reply, &v->event_ms,
                               &v->event_status, &v->event_code);
    buf_free(&body);
    free(url);
    if (!answered)
        return;
    const char *text = reply.text[0] ? reply.text : hec_code_text(reply.code);
    const char *hint = hec_code_hint(reply.code);
    switch (hec_classify(resp->status, &reply)) {
    case HEC_DELIVERED:
        v->token_ok = v->index_accessible = true;
        detail(v, "token", "accepted a test event into %s, %u ms",
               cfg->index ? cfg->index : "the token's default index", v->event_ms);
        if (reply.ack_id >= 0 && !cfg->use_ack)
            WARNING(v, "the token has indexer acknowledgement on (it answered with an "
                       "ackId): set use_ack so that events count as delivered once indexed");
        if (reply.ack_id < 0 && cfg->use_ack)
            WARNING(v, "use_ack is on but the token has indexer acknowledgement off: turn "
                       "on \"Enable indexer acknowledgement\" for the token, or use_ack off");
        return;
    case HEC_AUTH:
        if (resp->status == 401)
            ERROR(v, "HEC token authentication failed (401 Unauthorized): %s; %s", text,
                  hint[0] ? hint : "check SPLUNK_HEC_TOKEN");
        else
            ERROR(v, "HEC token forbidden (403 Forbidden): %s; %s", text,
                  hint[0] ? hint : "check the token's permissions");
        return;
    case HEC_INDEX:
        v->token_ok = true;
        ERROR(v, "index '%s' is not writable with this token (%s); %s",
              cfg->index ? cfg->index : "(default)", text, hint);
        return;
    default:
        ERROR(v, "HEC refused the test event: HTTP %ld%s%s: %s", resp->status,
              reply.code >= 0 ? " code " : "", reply.code >= 0 ? hec_code_text(reply.code) : "",
              text[0] ? text : "(no message)");
        return;
    }
}

genops_status genops_hec_validate(const genops_hec_options *opt, bool check_connectivity,
                                  genops_hec_validation *out, genops_error *err)
{
    if (!out || out->struct_size != sizeof *out)
        return error_set(err, GENOPS_EINVAL,
                         "genops_hec_validation.struct_size must be "
                         "sizeof(genops_hec_validation)");
    genops_hec_options o;
    genops_status rc = config_options_copy(&o, sizeof o, opt, "genops_hec_options", err);
    if (rc)
        return rc;
    genops_hec_validation *v = calloc(1, sizeof *v);
    if (!v)
        return error_set(err, GENOPS_ENOMEM, "out of memory validating the HEC setup");
    v->struct_size = sizeof *v;
    v->health_code = v->event_code = -1;

    struct hec_config cfg;
    memset(&cfg, 0, sizeof cfg);
    v->config_ok = check_config(opt, &o, v, &cfg);
    if (v->config_ok && check_connectivity) {
        genops_error e;
        struct http_config hc = hec_config_http(&cfg, "Splunk HEC validation");
        struct http_client *c = http_client_new(&hc, &e);
        if (!c) {
            ERROR(v, "%s", e.message);
        } else {
            struct http_response resp;
            http_response_init(&resp);
            uint64_t deadline =
                clock_mono_ns() +
                (uint64_t)(o.timeout_ms > 0 ? (uint32_t)o.timeout_ms : DEFAULT_TIMEOUT_MS) *
                    1000000u;
            check_health(c, &cfg, v, &resp, deadline);
            if (v->health_status) /* something answered: try the token too */
                check_token(c, &cfg, v, &resp, deadline);
            http_response_free(&resp);
            http_client_free(c);
        }
    } else if (v->config_ok) {
        detail(v, "connectivity", "not checked");
    }
    hec_config_free(&cfg);
    v->valid = v->error_count == 0;
    memcpy(out, v, sizeof *v);
    free(v);
    error_clear(err);
    return GENOPS_OK;
}

const char *genops_hec_validation_error(const genops_hec_validation *v, size_t i)
{
    return v && i < v->error_count && i < ITEMS ? v->errors[i] : NULL;
}

const char *genops_hec_validation_warning(const genops_hec_validation *v, size_t i)
{
    return v && i < v->warning_count && i < ITEMS ? v->warnings[i] : NULL;
}

const char *genops_hec_validation_detail(const genops_hec_validation *v, size_t i,
                                         const char **name)
{
    if (!v || i >= v->detail_count || i >= ITEMS)
        return NULL;
    if (name)
        *name = v->detail_names[i];
    return v->detail_values[i];
}

/* snprintf into out at *n, counting what would be needed past size. */
static void put(char *out, size_t size, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char *out, size_t size, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(*n < size ? out + *n : NULL, *n < size ? size - *n : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n += (size_t)k;
}

size_t genops_hec_validation_format(const genops_hec_validation *v, char *out, size_t size)
{
    size_t n = 0;
    if (size)
        out[0] = 0;
    if (!v)
        return 0;
    if (v->valid)
        put(out, size, &n, "\xe2\x9c\x85 Splunk HEC setup is valid\n");
    else
        put(out, size, &n, "\xe2\x9d\x8c Splunk HEC setup has %zu error(s)\n", v->error_count);
    put(out, size, &n, "   configuration: %s\n", v->config_ok ? "ok" : "invalid");
    put(out, size, &n, "   connectivity:  %s\n", v->connectivity ? "ok" : "not confirmed");
    put(out, size, &n, "   token/index:   %s\n",
        v->index_accessible ? "ok"
        : v->token_ok       ? "token ok, index not writable"
                            : "not confirmed");
    for (size_t i = 0; i < v->detail_count && i < ITEMS; i++)
        put(out, size, &n, "   %-14s %s\n", v->detail_names[i], v->detail_values[i]);
    if (v->error_count)
        put(out, size, &n, "\n\xe2\x9d\x8c Errors:\n");
    for (size_t i = 0; i < v->error_count && i < ITEMS; i++)
        put(out, size, &n, "   - %s\n", v->errors[i]);
    if (v->warning_count)
        put(out, size, &n, "\n\xe2\x9a\xa0\xef\xb8\x8f  Warnings:\n");
    for (size_t i = 0; i < v->warning_count && i < ITEMS; i++)
        put(out, size, &n, "   - %s\n", v->warnings[i]);
    return n;
}
