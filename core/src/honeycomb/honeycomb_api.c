/* honeycomb_api.c - Honeycomb's REST API beside the telemetry: markers
 * (POST /1/markers/<dataset>) and the key check (GET /1/auth), one request each through
 * the shared transport (http.c). Honeycomb answers errors as {"error": "..."}; the text
 * is made printable and scrubbed of the key before it reaches *out or a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "error.h"
#include "honeycomb/honeycomb_config.h"
#include "json.h"
#include "json_read.h"
#include "utf8.h"

#define MARKER_ALL_DATASETS "__all__"

/* A string member at path into out ("" when absent or not a string). */
static void read_text(const struct http_response *r, const char *const *path, char *out,
                      size_t size)
{
    const char *v;
    size_t n;
    out[0] = 0;
    if (r->body.data && json_find(r->body.data, r->body.len, path, &v, &n) &&
        !json_text(v, n, out, size))
        out[0] = 0;
}

static bool read_bool(const struct http_response *r, const char *const *path)
{
    const char *v;
    size_t n;
    return r->body.data && json_find(r->body.data, r->body.len, path, &v, &n) && n == 4 &&
           !memcmp(v, "true", 4);
}

/* Honeycomb's error text (its "error" member, else the body itself), printable. */
static void error_text(const struct http_client *c, const struct http_response *r, char *out,
                       size_t size)
{
    static const char *const path[] = {"error", NULL};
    char text[HTTP_TEXT_ROOM];
    read_text(r, path, text, sizeof text);
    if (!text[0] && r->body.data)
        utf8_copy_printable(text, sizeof text, r->body.data,
                            r->body.len < sizeof text ? r->body.len : sizeof text - 1);
    http_client_redact_cut(c, text, sizeof text, size);
    memcpy(out, text, strlen(text) + 1); /* cut to fit out */
}

/* One request to url with the key (and, for a Classic key, the dataset) header; fills
 * out's status, round trip and message. */
static genops_status call(const struct honeycomb_config *cfg, const char *url,
                          const struct http_request *req, struct http_response *resp,
                          genops_honeycomb_answer *out, genops_error *err)
{
    struct http_header h[2];
    struct http_config hc = {.url = url,
                             .headers = h,
                             .header_count = honeycomb_headers(cfg, h),
                             .tls = cfg->tls,
                             .what = "Honeycomb API"};
    struct http_client *c = http_client_new(&hc, err);
    if (!c)
        return err ? err->code : GENOPS_EINVAL;
    uint64_t t0 = clock_mono_ns();
    genops_status rc = http_send(c, req, resp);
    out->ms = (uint32_t)((clock_mono_ns() - t0) / 1000000u);
    if (rc) {
        snprintf(out->message, sizeof out->message, "%s", resp->error);
        http_client_redact(c, out->message, sizeof out->message);
    } else {
        out->status = (int32_t)resp->status;
        if (resp->status < 200 || resp->status >= 300)
            error_text(c, resp, out->message, sizeof out->message);
    }
    http_client_free(c);
    return rc;
}

/* Reset *out (struct_size must be right) and resolve the options into *cfg. */
static genops_status begin(const genops_honeycomb_options *opt, genops_honeycomb_answer *out,
                           struct honeycomb_config *cfg, genops_error *err)
{
    if (!out || out->struct_size != sizeof *out)
        return error_set(err, GENOPS_EINVAL,
                         "genops_honeycomb_answer.struct_size must be "
                         "sizeof(genops_honeycomb_answer)");
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    genops_status rc = honeycomb_config_resolve(opt, cfg, err);
    if (!rc)
        snprintf(out->key_kind, sizeof out->key_kind, "%s", honeycomb_key_kind_name(cfg->key_kind));
    return rc;
}

genops_status genops_honeycomb_auth(const genops_honeycomb_options *opt,
                                    genops_honeycomb_answer *out, genops_error *err)
{
    struct honeycomb_config cfg = {0};
    genops_status rc = begin(opt, out, &cfg, err);
    if (rc)
        return rc;
    char *url = honeycomb_url(&cfg, "/1/auth", NULL);
    if (!url) {
        honeycomb_config_free(&cfg);
        return error_set(err, GENOPS_ENOMEM, "out of memory checking the Honeycomb key");
    }
    struct http_request req = {
        .get = true, .deadline_ns = clock_mono_ns() + (uint64_t)cfg.timeout_ms * 1000000u};
    struct http_response resp;
    http_response_init(&resp);
    rc = call(&cfg, url, &req, &resp, out, err);
    if (rc == GENOPS_EINVAL || rc == GENOPS_ENOMEM) {
        /* the client could not be made: an options error, reported as such */
    } else {
        rc = GENOPS_OK; /* no answer is a result here: out->status 0, out->message why */
        if (out->status == 200) {
            static const char *const tn[] = {"team", "name", NULL},
                                     *const ts[] = {"team", "slug", NULL},
                                     *const en[] = {"environment", "name", NULL},
                                     *const es[] = {"environment", "slug", NULL},
                                     *const ev[] = {"api_key_access", "events", NULL},
                                     *const mk[] = {"api_key_access", "markers", NULL};
            read_text(&resp, tn, out->team_name, sizeof out->team_name);
            read_text(&resp, ts, out->team_slug, sizeof out->team_slug);
            read_text(&resp, en, out->environment_name, sizeof out->environment_name);
            read_text(&resp, es, out->environment_slug, sizeof out->environment_slug);
            out->may_send_events = read_bool(&resp, ev);
            out->may_create_markers = read_bool(&resp, mk);
        }
        error_clear(err);
    }
    http_response_free(&resp);
    free(url);
    honeycomb_config_free(&cfg);
    return rc;
}

/* The marker's JSON body. */
static void marker_body(const genops_honeycomb_marker_options *m, struct buf *b)
{
    const char *type = m->type && *m->type ? m->type : "deploy";
    buf_puts(b, "{\"message\":");
    json_put_string(b, m->message, strlen(m->message));
    buf_puts(b, ",\"type\":");
    json_put_string(b, type, strlen(type));
    if (m->url && *m->url) {
        buf_puts(b, ",\"url\":");
        json_put_string(b, m->url, strlen(m->url));
    }
    if (m->start_time) {
        buf_puts(b, ",\"start_time\":");
        buf_put_u64(b, m->start_time);
    }
    if (m->end_time) {
        buf_puts(b, ",\"end_time\":");
        buf_put_u64(b, m->end_time);
    }
    buf_putc(b, '}');
}

/* The marker's outcome as a status and message, in Honeycomb's terms. */
static genops_status marker_result(const genops_honeycomb_answer *out, const char *dataset,
                                   genops_status rc, genops_error *err)
{
    const char *text = out->message[0] ? out->message : "(no message)";
    if (rc)
        return error_set(err, rc, "Honeycomb marker: no answer from the API: %s", text);
    if (out->status >= 200 && out->status < 300) {
        if (!out->marker_id[0])
            return error_set(err, GENOPS_EREJECTED,
                             "Honeycomb marker: the API answered %d without a marker id",
                             out->status);
        error_clear(err);
        return GENOPS_OK;
    }
    if (out->status == 401)
        return error_set(err, GENOPS_EREJECTED,
                         "Honeycomb marker: the API key was rejected (401 Unauthorized): %s; "
                         "check HONEYCOMB_API_KEY",
                         text);
    if (out->status == 403)
        return error_set(err, GENOPS_EREJECTED,
                         "Honeycomb marker: this API key may not create markers (403 "
                         "Forbidden): %s; give the key the Manage Markers permission",
                         text);
    if (out->status == 404)
        return error_set(err, GENOPS_EREJECTED,
                         "Honeycomb marker: dataset '%.100s' not found (404): %s; markers "
                         "need an existing dataset (or \"__all__\" with an environment key)",
                         dataset, text);
    return error_set(err, out->status == 429 || out->status >= 500 ? GENOPS_EIO : GENOPS_EREJECTED,
                     "Honeycomb marker: the API answered %d: %s", out->status, text);
}

genops_status genops_honeycomb_marker_create(const genops_honeycomb_options *opt,
                                             const genops_honeycomb_marker_options *marker,
                                             genops_honeycomb_answer *out, genops_error *err)
{
    genops_honeycomb_marker_options m;
    genops_status rc =
        config_options_copy(&m, sizeof m, marker, "genops_honeycomb_marker_options", err);
    if (rc)
        return rc;
    if (!marker || !m.message)
        return error_set(err, GENOPS_EINVAL, "a Honeycomb marker needs a message");
    if (m.end_time && m.end_time < m.start_time)
        return error_set(err, GENOPS_EINVAL,
                         "Honeycomb marker: end_time is before start_time (both Unix seconds)");
    struct honeycomb_config cfg = {0};
    if ((rc = begin(opt, out, &cfg, err)))
        return rc;
    const char *dataset = m.dataset && *m.dataset ? m.dataset : cfg.dataset;
    if (!dataset) /* resolve always sets one; "" would fail the dataset check below */
        dataset = "";
    if (strcmp(dataset, MARKER_ALL_DATASETS) != 0 &&
        (rc = honeycomb_dataset_check(dataset, "the marker's dataset", err))) {
        honeycomb_config_free(&cfg);
        return rc;
    }
    char *url = honeycomb_url(&cfg, "/1/markers/", dataset);
    struct buf body;
    buf_init(&body, 1 << 16);
    marker_body(&m, &body);
    if (!url || !buf_ok(&body)) {
        rc = !url || buf_status(&body) == GENOPS_ENOMEM
                 ? error_set(err, GENOPS_ENOMEM, "out of memory creating a Honeycomb marker")
                 : error_set(err, GENOPS_EINVAL, "the Honeycomb marker is larger than 64 KiB");
    } else {
        struct http_request req = {.content_type = "application/json",
                                   .body = body.data,
                                   .len = body.len,
                                   .deadline_ns =
                                       clock_mono_ns() + (uint64_t)cfg.timeout_ms * 1000000u};
        struct http_response resp;
        http_response_init(&resp);
        rc = call(&cfg, url, &req, &resp, out, err);
        if (rc != GENOPS_EINVAL && rc != GENOPS_ENOMEM) {
            static const char *const id[] = {"id", NULL};
            if (out->status >= 200 && out->status < 300)
                read_text(&resp, id, out->marker_id, sizeof out->marker_id);
            rc = marker_result(out, dataset, rc, err);
        }
        http_response_free(&resp);
    }
    buf_free(&body);
    free(url);
    honeycomb_config_free(&cfg);
    return rc;
}
