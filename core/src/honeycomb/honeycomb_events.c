/* honeycomb_events.c - the Events API exporter: batches of events in msgpack
 * (honeycomb_encode.c) to POST <endpoint>/1/batch/<dataset>, through the shared send loop
 * (sender.h).
 *
 * Honeycomb's rules ("Events API", docs.honeycomb.io/api/events): a batch answers 200 with
 * one {"status": n, "error": "..."} per event, in order: 202 accepted, anything else that
 * event refused. Those statuses are the classifier's per-item marks: an accepted event is
 * never sent again, a 429 or 5xx one is sent again after backoff, any other is counted as
 * rejected with Honeycomb's words in the first log line. The request itself answers 401
 * (unknown key), 400 (unreadable), 413 (over the 5 MB batch limit: the loop halves it),
 * 429 / 5xx with Retry-After (retried). A batch body is kept under 5 MB before sending, so
 * a full 512-span batch is split without asking, and an event over Honeycomb's 1 MB event
 * limit is never sent: the encoder refuses the part that holds it, the loop halves it
 * until that event is alone, and drops and counts it as rejected (too large). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "error.h"
#include "honeycomb/honeycomb_config.h"
#include "honeycomb/honeycomb_encode.h"
#include "json_read.h"
#include "log.h"
#include "sender.h"

/* Honeycomb's batch limit, uncompressed. The Events API pages do not state it; Honeycomb's
 * own libhoney-go has it (transmission.go, apiMaxBatchSize = 5000000, "5MB"). The event
 * limit is the encoder's (HONEYCOMB_MAX_EVENT_BYTES). */
#define EVENTS_MAX_BATCH_BYTES ((size_t)5000000)
#define TEXT_MAX               256

enum { REASON_REJECTED, REASON_TOO_LARGE, REASON_UNAVAILABLE, REASON_FAILED };
enum { FIRST_TRANSPORT = -1, FIRST_TIMEOUT = -3, FIRST_EVENTS = 1, FIRST_BAD_BODY = 2 };

struct events_exporter {
    struct sender_exporter se; /* first: the exporter is a sender_exporter */
    struct honeycomb_config cfg;
    char *url; /* .../1/batch/<dataset, percent-encoded> */
};

static genops_status events_build(void *ctx, const struct batch *b, struct sender_part *part,
                                  struct http_request *req)
{
    struct events_exporter *x = ctx;
    struct batch slice = {b->spans + part->first, part->n, b->resource, b->derived, false};
    buf_truncate(&x->se.body, 0);
    genops_status rc = encode_honeycomb_msgpack(&slice, &x->se.body);
    return sender_exporter_request(&x->se, rc, "application/msgpack", part, req);
}

/* Reading the per-event statuses into marks. */
struct statuses {
    struct events_exporter *x;
    uint8_t *marks;
    size_t n, rejected, again;
    char first_error[HTTP_TEXT_ROOM];
};

static void on_status(const char *item, size_t len, size_t i, void *ctx)
{
    struct statuses *st = ctx;
    static const char *const status_path[] = {"status", NULL}, *const error_path[] = {"error",
                                                                                      NULL};
    const char *v;
    size_t vn;
    int64_t status = 0;
    if (i >= st->n)
        return;
    if (json_find(item, len, status_path, &v, &vn))
        json_int64(v, vn, &status);
    if (status >= 200 && status < 300) {
        st->marks[i] = sender_mark(SENDER_ITEM_DELIVERED, 0);
    } else if (status == 429 || status >= 500) {
        st->marks[i] = sender_mark(SENDER_ITEM_AGAIN, REASON_UNAVAILABLE);
        st->again++;
    } else {
        st->marks[i] = sender_mark(SENDER_ITEM_REJECTED, REASON_REJECTED);
        if (!st->rejected++ && json_find(item, len, error_path, &v, &vn))
            json_text(v, vn, st->first_error, sizeof st->first_error);
    }
}

/* A 200: one status per event. Events the answer does not cover (a body cut short at
 * HTTP_BODY_KEEP, or a proxy's empty 200) were accepted as a request: delivered, said
 * once in the log. */
static void on_batch_answer(struct events_exporter *x, const struct sender_part *part,
                            const struct http_response *resp, struct sender_outcome *out,
                            uint8_t *marks)
{
    struct statuses st = {.x = x, .marks = marks, .n = part->n};
    for (size_t i = 0; i < part->n; i++)
        marks[i] = sender_mark(SENDER_ITEM_DELIVERED, 0);
    long seen =
        json_array_each(resp->body.data ? resp->body.data : "", resp->body.len, on_status, &st);
    out->verdict = SENDER_PER_ITEM;
    out->wait = st.again > 0;
    if (st.rejected) {
        http_client_redact_cut(x->se.sender.http, st.first_error, sizeof st.first_error, TEXT_MAX);
        out->log_key = FIRST_EVENTS;
        snprintf(out->text, sizeof out->text,
                 "refused %zu of %zu events in an accepted batch: %.*s", st.rejected, part->n,
                 TEXT_MAX - 1, st.first_error[0] ? st.first_error : "(no message)");
        out->hint = "those events are dropped and counted; the others were accepted";
    } else if (seen < (long)part->n) {
        out->log_key = FIRST_BAD_BODY;
        out->log_level = LOG_WARNING;
        snprintf(out->text, sizeof out->text,
                 "answered 200 with %ld status(es) for %zu events; counting the rest as "
                 "accepted",
                 seen < 0 ? 0 : seen, part->n);
    }
}

static void events_classify(void *ctx, const struct batch *b, const struct sender_part *part,
                            genops_status rc, const struct http_response *resp,
                            struct sender_outcome *out, uint8_t *marks)
{
    struct events_exporter *x = ctx;
    (void)b;
    long status = rc == GENOPS_OK ? resp->status : 0;
    if (status == 200) {
        on_batch_answer(x, part, resp, out, marks);
        return;
    }
    if (status >= 200 && status < 300) {
        out->verdict = SENDER_DELIVERED;
        return;
    }
    bool retry = status == 429 || status >= 500 || (rc == GENOPS_EIO && resp->retryable);
    out->verdict = status == 413 ? SENDER_TOO_LARGE
                   : retry       ? SENDER_RETRY
                   : status      ? SENDER_REJECTED
                                 : SENDER_FAILED;
    out->reason = retry || !status ? REASON_UNAVAILABLE : REASON_REJECTED;
    if (status == 413 && part->n > 1)
        return; /* split quietly */
    out->log_key = status ? status : rc == GENOPS_ETIMEDOUT ? FIRST_TIMEOUT : FIRST_TRANSPORT;
    if (!status) {
        snprintf(out->text, sizeof out->text, "sending failed: %s", resp->error);
        out->hint = retry ? NULL : "not retried";
        return;
    }
    static const char *const error_path[] = {"error", NULL};
    char text[HTTP_TEXT_ROOM] = "";
    const char *v;
    size_t vn;
    if (resp->body.data && json_find(resp->body.data, resp->body.len, error_path, &v, &vn))
        json_text(v, vn, text, sizeof text);
    http_client_redact_cut(x->se.sender.http, text, sizeof text, TEXT_MAX);
    snprintf(out->text, sizeof out->text, "answered %ld: %.*s", status, TEXT_MAX - 1,
             text[0] ? text : "(no message)");
    out->hint = retry           ? NULL
                : status == 401 ? "Honeycomb does not know the key; check HONEYCOMB_API_KEY"
                : status == 413 ? "one event is larger than Honeycomb accepts"
                                : "retrying cannot help";
}

static const struct sender_ops events_sender_ops = {.build = events_build,
                                                    .classify = events_classify,
                                                    .item = "event",
                                                    .too_large_reason = REASON_TOO_LARGE,
                                                    .failed_reason = REASON_FAILED};

static void events_destroy(genops_exporter *e)
{
    struct events_exporter *x = (struct events_exporter *)e;
    sender_exporter_release(&x->se);
    free(x->url);
    honeycomb_config_free(&x->cfg);
    free(x);
}

static const struct exporter_ops events_ops = {.kind = "honeycomb-events",
                                               .export_batch = sender_exporter_export,
                                               .destroy = events_destroy,
                                               .after_fork = sender_exporter_after_fork,
                                               .use_spool = sender_exporter_use_spool,
                                               .replay = sender_exporter_replay};

genops_exporter *honeycomb_events_exporter_new(struct honeycomb_config *c, genops_error *err)
{
    struct events_exporter *x = calloc(1, sizeof *x);
    if (!x) {
        honeycomb_config_free(c);
        error_set(err, GENOPS_ENOMEM, "out of memory creating a Honeycomb exporter");
        return NULL;
    }
    x->se.base.ops = &events_ops;
    x->cfg = *c;
    memset(c, 0, sizeof *c);
    buf_init(&x->se.body, EVENTS_MAX_BATCH_BYTES);
    buf_init(&x->se.zbody, EVENTS_MAX_BATCH_BYTES + (EVENTS_MAX_BATCH_BYTES >> 4));
    sender_init(&x->se.sender, &events_sender_ops, x, "Honeycomb exporter", x->cfg.timeout_ms);
    struct http_header h[2];
    struct http_config hc = {.headers = h,
                             .header_count = honeycomb_headers(&x->cfg, h),
                             .tls = x->cfg.tls,
                             .what = "Honeycomb exporter"};
    if (!(x->url = honeycomb_url(&x->cfg, "/1/batch/", x->cfg.dataset))) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating a Honeycomb exporter");
        events_destroy(&x->se.base);
        return NULL;
    }
    hc.url = x->url;
    if (!(x->se.sender.http = http_client_new(&hc, err)) ||
        compress_new_for_export(x->cfg.compression, &x->se.gz, err)) {
        events_destroy(&x->se.base);
        return NULL;
    }
    snprintf(x->se.base.endpoint, sizeof x->se.base.endpoint, "%s",
             http_client_url_for_log(x->se.sender.http));
    log_msg(LOG_INFO, "Honeycomb exporter: Events API at %s (msgpack, compression %s), a %s",
            http_client_url_for_log(x->se.sender.http), compress_format_name(x->cfg.compression),
            honeycomb_key_kind_name(x->cfg.key_kind));
    error_clear(err);
    return &x->se.base;
}
