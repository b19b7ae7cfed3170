/* hec_exporter.c - Splunk HEC: encode a batch, cut it into size-bounded requests,
 * classify each answer, and (with indexer acknowledgement) wait for the indexers. The
 * shared loop (sender.c) sends, retries, halves and logs; this file gives it the
 * request builder (a slice of the encoded batch) and the classifier.
 *
 * The rules, from Splunk's HEC documentation:
 *  - Every request carries "Authorization: Splunk <token>" and this exporter's channel
 *    GUID in X-Splunk-Request-Channel: a token with indexer acknowledgement refuses
 *    requests without one (code 10), and ack ids are counted per channel.
 *  - A request body may not pass the input's max_content_length (413). Requests are
 *    cut at event boundaries so the bytes on the wire, after gzip, stay under
 *    max_request_bytes; a 413 anyway halves the request (and the limit used from then
 *    on); a single event that still does not fit is dropped and counted.
 *  - Codes are classified by hec_response.c: server busy (503 code 9), unhealthy
 *    queues, 429 capacity codes, other 5xx and transport failures are retried with
 *    backoff (full jitter, Retry-After honoured) until the batch deadline, never past
 *    it; token, index and format errors are not retried.
 *  - A 400 that names an invalid-event-number refused that object: Splunk indexed the
 *    objects before it and none after it (observed on Splunk 10.4: "object 0 indexed,
 *    objects 1 and 2 not"). The objects before it count as delivered, the named one is
 *    dropped and counted, and the rest are sent once more; a second refusal drops them.
 *  - Indexer acknowledgement ("About HTTP Event Collector Indexer Acknowledgment"): an
 *    accepted request returns an ackId; POST {"acks":[ids]} to /services/collector/ack
 *    until each is true. A request is delivered only then; one not acknowledged within
 *    ack_timeout_ms is sent again (at-least-once: it may be indexed twice), and one
 *    still pending at the batch deadline is counted as failed.
 * Every outcome is counted in genops_hec_stats; the first failure of each kind is
 * logged at error level with HEC's words and what to do, never with the token. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "compress.h"
#include "hec/hec_encode.h"
#include "error.h"
#include "hec/hec_exporter.h"
#include "hec/hec_response.h"
#include "log.h"
#include "retry.h"
#include "sender.h"

#define BATCH_LIMIT     ((size_t)512 << 20) /* encoded batch before it is cut up */
#define FIRST_ACK_WAIT  20000000u           /* ns before the first /ack poll */
#define ACK_BODY_LIMIT  ((size_t)1 << 20)
#define FIRST_TRANSPORT (-1L)
#define FIRST_NO_ACK    (-2L)
#define FIRST_ACK_POLL  (-4L)

/* The drop reasons of genops_hec_stats, counted by the send loop (sender.h). */
enum drop_reason {
    DROP_INVALID_EVENT,
    DROP_TOO_LARGE,
    DROP_AUTH,
    DROP_INDEX,
    DROP_REJECTED,
    DROP_UNAVAILABLE,
    DROP_UNACKED,
    DROP_REASONS
};
_Static_assert(DROP_REASONS <= SENDER_REASONS, "the send loop counts every drop reason");

struct pending {
    size_t first, n;
    int64_t ack_id;
    uint64_t sent_ns;
    unsigned resends; /* the request's sender_part.resends */
};

struct hec_exporter {
    genops_exporter base;
    struct hec_config cfg;
    struct hec_encoding enc;
    struct sender sender;  /* the send loop and its HTTP client */
    struct compressor *gz; /* NULL without gzip */
    struct buf body;       /* the whole batch, encoded */
    size_t *ends;          /* ends[i]: offset in body past event i */
    size_t ends_cap;
    struct buf zbody; /* one request, gzipped */
    struct buf ack;   /* one /ack request body */
    char *raw_url;    /* event_url + the metadata query, for /raw */
    const struct resource *raw_url_for;
    uint32_t max_bytes; /* cfg.max_request_bytes, lowered by a 413 */
    double ratio;       /* uncompressed / compressed bytes, last seen */
    bool ack_off;       /* the token answered without ackIds: stop waiting for them */
    bool forked;        /* a new channel and connection before the next request */
    struct pending *pend;
    size_t pend_n, pend_cap;

    /* Stats beyond the loop's: written by the export thread, read by any thread. */
    _Atomic uint64_t acked, pending, resent, polls;
    pthread_mutex_t last_lock;
    int last_status, last_code;
    char last_error[GENOPS_ERROR_MESSAGE_SIZE];
};

static void count(_Atomic uint64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* Remember a failure for genops_hec_exporter_stats and put it in *out for the loop to
 * log (the first of its kind). text is HEC's (or the transport's) words, already
 * scrubbed of secrets. */
static void note_failure(struct hec_exporter *x, struct sender_outcome *out, long status, int code,
                         const char *what, const char *text, const char *hint)
{
    char code_part[24] = "";
    if (code >= 0)
        snprintf(code_part, sizeof code_part, " code %d", code);
    if (status)
        snprintf(out->text, sizeof out->text, "HTTP %ld%s%s%s%s: %s", status, code_part,
                 text[0] ? " (" : "", text, text[0] ? ")" : "", what);
    else
        snprintf(out->text, sizeof out->text, "%s: %s", text, what);
    pthread_mutex_lock(&x->last_lock);
    x->last_status = (int)status;
    x->last_code = code;
    snprintf(x->last_error, sizeof x->last_error, "%.*s", (int)sizeof x->last_error - 1, out->text);
    pthread_mutex_unlock(&x->last_lock);
    out->log_key = status ? status * 100 + (code >= 0 ? code : 99) : FIRST_TRANSPORT;
    out->hint = hint;
}

/* A failure outside the loop's requests (encoding, acknowledgement): noted and logged. */
static void note_own_failure(struct hec_exporter *x, const char *what, const char *text)
{
    struct sender_outcome out = {0};
    note_failure(x, &out, 0, -1, what, text, "");
    sender_log(&x->sender, &out);
}

/* Bytes of events [first, first + n) in x->body. */
static size_t span_start(const struct hec_exporter *x, size_t first)
{
    return first ? x->ends[first - 1] : 0;
}

/* sender_ops.build: events [first, first + n), a slice of x->body or its gzip; too
 * large (GENOPS_ETOOBIG) past max_bytes on the wire. */
static genops_status hec_build(void *ctx, const struct batch *b, struct sender_part *part,
                               struct http_request *req)
{
    (void)b;
    struct hec_exporter *x = ctx;
    size_t start = span_start(x, part->first);
    size_t raw_len = x->ends[part->first + part->n - 1] - start;
    const char *data = x->body.data + start;
    size_t len = raw_len;
    if (x->gz) {
        genops_status rc = compress_body(x->gz, data, raw_len, &x->zbody);
        if (rc && rc != GENOPS_ETOOBIG) { /* for the stats; the loop logs it */
            struct sender_outcome unlogged = {0};
            note_failure(x, &unlogged, 0, -1, "cannot compress the request", genops_strerror(rc),
                         "");
        }
        if (rc)
            return rc;
        data = x->zbody.data;
        len = x->zbody.len;
        if (len)
            x->ratio = (double)raw_len / (double)len;
    }
    part->bytes = len;
    if (len > x->max_bytes)
        return GENOPS_ETOOBIG;
    *req = (struct http_request){
        .url = x->cfg.raw ? x->raw_url : NULL,
        .content_type = x->cfg.raw ? "text/plain; charset=utf-8" : "application/json",
        .content_encoding = x->gz ? "gzip" : NULL,
        .body = data,
        .len = len,
    };
    return GENOPS_OK;
}

/* HEC accepted the request: delivered now, or (SENDER_PENDING) once its ackId is
 * acknowledged. */
static void accepted(struct hec_exporter *x, const struct sender_part *part,
                     const struct hec_reply *reply, struct sender_outcome *out)
{
    out->verdict = SENDER_DELIVERED;
    if (!x->cfg.use_ack || x->ack_off)
        return;
    if (reply->ack_id < 0) {
        /* The token has acknowledgement off: HEC said Success and gives nothing to wait
         * for. Count what it accepted and stop asking. */
        x->ack_off = true;
        out->log_key = FIRST_NO_ACK;
        out->log_level = LOG_WARNING;
        snprintf(out->text, sizeof out->text, "%s",
                 "use_ack is on but HEC answered without an ackId: the token has indexer "
                 "acknowledgement off; counting accepted requests as delivered");
        return;
    }
    if (x->pend_n == x->pend_cap) {
        size_t cap = x->pend_cap ? x->pend_cap * 2 : 16;
        struct pending *p = realloc(x->pend, cap * sizeof *p);
        if (!p) /* cannot track it: HEC did accept it */
            return;
        x->pend = p;
        x->pend_cap = cap;
    }
    x->pend[x->pend_n++] =
        (struct pending){part->first, part->n, reply->ack_id, clock_mono_ns(), part->resends};
    atomic_store(&x->pending, x->pend_n);
    out->verdict = SENDER_PENDING;
}

/* HEC refused object k of the request: the ones before it were indexed, k is dropped,
 * and the rest go once more (see the file comment). */
static void invalid_event(const struct sender_part *part, size_t k, struct sender_outcome *out,
                          uint8_t *marks)
{
    out->verdict = SENDER_PER_ITEM;
    for (size_t i = 0; i < part->n; i++)
        marks[i] = i < k           ? sender_mark(SENDER_ITEM_DELIVERED, 0)
                   : i == k        ? sender_mark(SENDER_ITEM_REJECTED, DROP_INVALID_EVENT)
                   : part->resends ? sender_mark(SENDER_ITEM_REJECTED, DROP_REJECTED)
                                   : sender_mark(SENDER_ITEM_AGAIN, DROP_REJECTED);
}

/* sender_ops.classify: hec_response.c's verdicts, with the rules of the file comment. */
static void hec_classify_answer(void *ctx, const struct batch *b, const struct sender_part *part,
                                genops_status rc, const struct http_response *resp,
                                struct sender_outcome *out, uint8_t *marks)
{
    (void)b;
    struct hec_exporter *x = ctx;
    long status = rc == GENOPS_OK ? resp->status : 0;
    struct hec_reply reply;
    hec_reply_parse(resp->body.data, resp->body.len, &reply);
    http_client_redact_cut(x->sender.http, reply.text, sizeof reply.text, HEC_TEXT_SHOWN);
    const char *hint = hec_code_hint(reply.code);
    enum hec_verdict v = hec_classify(status, &reply);
    if (!status)
        v = rc == GENOPS_EIO && resp->retryable ? HEC_RETRY : HEC_REJECTED;
    if (v == HEC_INVALID_EVENT && (uint64_t)reply.invalid_event >= part->n)
        v = HEC_REJECTED; /* names an object we did not send */
    switch (v) {
    case HEC_DELIVERED: accepted(x, part, &reply, out); return;
    case HEC_TOO_LARGE:
        note_failure(x, out, status, reply.code, "request too large for HEC's max_content_length",
                     reply.text, part->n > 1 ? "halving the request" : "the event is dropped");
        out->verdict = SENDER_TOO_LARGE;
        out->reason = DROP_TOO_LARGE;
        if (part->n > 1 && part->bytes / 2 < x->max_bytes) /* HEC's limit is below ours */
            x->max_bytes = part->bytes / 2 > HEC_MIN_REQUEST_BYTES ? (uint32_t)(part->bytes / 2)
                                                                   : HEC_MIN_REQUEST_BYTES;
        return;
    case HEC_INVALID_EVENT:
        note_failure(x, out, status, reply.code, "one event refused, the rest sent once more",
                     reply.text, hint);
        invalid_event(part, (size_t)reply.invalid_event, out, marks);
        return;
    case HEC_AUTH:
        note_failure(x, out, status, reply.code, "the token was refused", reply.text,
                     hint[0] ? hint : "check SPLUNK_HEC_TOKEN");
        out->verdict = SENDER_REJECTED;
        out->reason = DROP_AUTH;
        return;
    case HEC_INDEX:
        note_failure(x, out, status, reply.code, "incorrect index", reply.text, hint);
        out->verdict = SENDER_REJECTED;
        out->reason = DROP_INDEX;
        return;
    case HEC_REJECTED:
        if (status) {
            note_failure(x, out, status, reply.code, "refused; not retried", reply.text, hint);
            out->verdict = SENDER_REJECTED;
            out->reason = DROP_REJECTED;
        } else {
            note_failure(x, out, 0, -1, "sending failed; not retried", resp->error, "");
            out->verdict = SENDER_FAILED;
            out->reason = DROP_UNAVAILABLE;
        }
        return;
    case HEC_RETRY:
        if (status)
            note_failure(x, out, status, reply.code, "HEC is unavailable", reply.text,
                         "retrying with backoff within the export deadline");
        else
            note_failure(x, out, 0, -1, "sending failed", resp->error,
                         "retrying with backoff within the export deadline");
        out->verdict = SENDER_RETRY;
        out->reason = DROP_UNAVAILABLE;
        return;
    }
}

static const struct sender_ops hec_sender_ops = {.build = hec_build,
                                                 .classify = hec_classify_answer,
                                                 .item = "event",
                                                 .too_large_reason = DROP_TOO_LARGE,
                                                 .failed_reason = DROP_UNAVAILABLE};

static void remove_pending(struct hec_exporter *x, size_t i)
{
    x->pend[i] = x->pend[--x->pend_n];
    atomic_store(&x->pending, x->pend_n);
}

/* One POST to /services/collector/ack for every pending id; acknowledged requests are
 * delivered. A failed poll is logged once and simply tried again later. */
static void poll_acks(struct hec_exporter *x, struct sender_run *run)
{
    struct http_response *resp = &x->sender.resp;
    int64_t ids[256];
    bool acked[256];
    size_t n = x->pend_n < 256 ? x->pend_n : 256;
    buf_truncate(&x->ack, 0);
    buf_puts(&x->ack, "{\"acks\":[");
    for (size_t i = 0; i < n; i++) {
        ids[i] = x->pend[i].ack_id;
        if (i)
            buf_putc(&x->ack, ',');
        buf_put_i64(&x->ack, ids[i]);
    }
    buf_puts(&x->ack, "]}");
    struct http_request req = {.url = x->cfg.ack_url,
                               .content_type = "application/json",
                               .body = x->ack.data,
                               .len = x->ack.len,
                               .deadline_ns = run->deadline_ns};
    genops_status rc = x->sender.transport(x->sender.http, &req, resp);
    count(&x->polls, 1);
    long status = rc == GENOPS_OK ? resp->status : 0;
    if (status == 200 && hec_ack_parse(resp->body.data, resp->body.len, ids, n, acked)) {
        for (size_t i = n; i-- > 0;) {
            if (!acked[i])
                continue;
            count(&x->acked, 1);
            sender_settle(&x->sender, run, x->pend[i].n, SENDER_ITEM_DELIVERED, 0);
            remove_pending(x, i);
        }
        return;
    }
    struct hec_reply reply;
    hec_reply_parse(resp->body.data, resp->body.len, &reply);
    http_client_redact_cut(x->sender.http, reply.text, sizeof reply.text, HEC_TEXT_SHOWN);
    if (reply.code == 14) {
        /* "ACK is disabled": nothing will ever be acknowledged; HEC did accept them. */
        struct sender_outcome out = {0};
        note_failure(x, &out, status, reply.code, "acknowledgement polls refused", reply.text,
                     hec_code_hint(14));
        sender_log(&x->sender, &out);
        x->ack_off = true;
        while (x->pend_n) {
            sender_settle(&x->sender, run, x->pend[x->pend_n - 1].n, SENDER_ITEM_DELIVERED, 0);
            remove_pending(x, x->pend_n - 1);
        }
        return;
    }
    if (http_client_first(x->sender.http, FIRST_ACK_POLL)) {
        char url[256];
        http_url_for_log(x->cfg.ack_url, url, sizeof url); /* no user:password, no query */
        log_msg(LOG_WARNING, "Splunk HEC exporter: polling %s for acknowledgements failed: %s", url,
                status ? reply.text : resp->error);
    }
}

/* Wait for every pending request's acknowledgement, re-sending those that pass
 * ack_timeout_ms, until the deadline. */
static void await_acks(struct hec_exporter *x, struct sender_run *run)
{
    uint64_t wait = FIRST_ACK_WAIT, timeout = (uint64_t)x->cfg.ack_timeout_ms * 1000000u;
    uint64_t wait_max = (uint64_t)x->cfg.ack_poll_ms * 1000000u;
    while (x->pend_n) {
        uint64_t now = clock_mono_ns();
        if (now + 1000000u >= run->deadline_ns) {
            size_t n = 0;
            for (size_t i = 0; i < x->pend_n; i++)
                n += x->pend[i].n;
            note_own_failure(x, "not acknowledged before the export deadline",
                             "indexer acknowledgement");
            sender_settle(&x->sender, run, n, SENDER_ITEM_FAILED, DROP_UNACKED);
            x->pend_n = 0;
            atomic_store(&x->pending, 0);
            return;
        }
        uint64_t wake = now + wait;
        for (size_t i = 0; i < x->pend_n;) {
            struct pending p = x->pend[i];
            if (p.sent_ns + timeout > now) { /* also a request re-sent just now */
                if (p.sent_ns + timeout < wake)
                    wake = p.sent_ns + timeout;
                i++;
                continue;
            }
            remove_pending(x, i); /* its slot now holds another: look at i again */
            count(&x->resent, 1);
            sender_send(&x->sender, run, p.first, p.n, p.resends);
        }
        if (!x->pend_n)
            return;
        retry_sleep_until(wake < run->deadline_ns ? wake : run->deadline_ns);
        poll_acks(x, run);
        wait = wait * 2 < wait_max ? wait * 2 : wait_max;
    }
}

/* Append s percent-encoded (RFC 3986 unreserved characters kept) to out. */
static void put_query_value(struct buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(out, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(out, e, 3);
        }
    }
}

/* /raw takes the metadata from the query string (HEC REST reference,
 * services/collector/raw: channel, host, index, source, sourcetype). */
static genops_status build_raw_url(struct hec_exporter *x, const struct resource *r)
{
    struct hec_meta m;
    struct buf u;
    encode_hec_meta(&x->enc, r, &m);
    buf_init(&u, 64 << 10);
    buf_puts(&u, x->cfg.event_url);
    buf_puts(&u, "?channel=");
    buf_puts(&u, x->cfg.channel);
    const char *names[] = {"&host=", "&source=", "&sourcetype=", "&index="};
    const char *values[] = {m.host, m.source, m.sourcetype, m.index};
    size_t lens[] = {m.host_len, m.source_len, m.sourcetype_len, m.index_len};
    for (int i = 0; i < 4; i++) {
        if (!values[i])
            continue;
        buf_puts(&u, names[i]);
        put_query_value(&u, values[i], lens[i]);
    }
    buf_putc(&u, 0);
    if (!buf_ok(&u)) {
        buf_free(&u);
        return GENOPS_ENOMEM;
    }
    free(x->raw_url);
    x->raw_url = u.data; /* ownership moves */
    x->raw_url_for = r;
    return GENOPS_OK;
}

static struct http_client *new_client(const struct hec_exporter *x, genops_error *err)
{
    struct http_config hc = hec_config_http(&x->cfg, "Splunk HEC exporter");
    return http_client_new(&hc, err);
}

/* In a forked child, before its first request: a channel of its own (two processes on
 * one channel would confuse each other's ack ids) and a connection of its own. */
static void renew_after_fork(struct hec_exporter *x)
{
    x->forked = false;
    if (!x->cfg.channel_given)
        hec_config_new_channel(&x->cfg);
    else if (x->cfg.use_ack)
        log_msg(LOG_WARNING, "Splunk HEC exporter: a forked process keeps the configured "
                             "channel; parent and child share its ack ids");
    struct http_client *c = new_client(x, NULL);
    if (c) {
        http_client_free(x->sender.http); /* its connection was already let go */
        x->sender.http = c;
    }
    x->raw_url_for = NULL;
}

static genops_status hec_export(genops_exporter *e, const struct batch *b, uint64_t deadline_ns,
                                struct export_result *r)
{
    struct hec_exporter *x = (struct hec_exporter *)e;
    struct sender_run run;
    if (!b->count)
        return GENOPS_OK;
    if (x->forked)
        renew_after_fork(x);
    if (sender_begin(&x->sender, &run, b, deadline_ns, r))
        return GENOPS_ENOMEM;
    if (b->count > x->ends_cap) {
        size_t *ends = realloc(x->ends, b->count * sizeof *ends);
        if (!ends) {
            sender_settle(&x->sender, &run, b->count, SENDER_ITEM_FAILED, DROP_UNAVAILABLE);
            return GENOPS_ENOMEM;
        }
        x->ends = ends;
        x->ends_cap = b->count;
    }
    if (x->cfg.raw && (!x->raw_url || x->raw_url_for != b->resource) &&
        build_raw_url(x, b->resource)) {
        sender_settle(&x->sender, &run, b->count, SENDER_ITEM_FAILED, DROP_UNAVAILABLE);
        return GENOPS_ENOMEM;
    }
    buf_truncate(&x->body, 0);
    genops_status rc = encode_hec(b, &x->enc, &x->body, x->ends);
    if (rc) {
        note_own_failure(x, "cannot encode the batch", genops_strerror(rc));
        sender_settle(&x->sender, &run, b->count,
                      rc == GENOPS_ETOOBIG ? SENDER_ITEM_REJECTED : SENDER_ITEM_FAILED,
                      rc == GENOPS_ETOOBIG ? DROP_TOO_LARGE : DROP_UNAVAILABLE);
        return rc;
    }

    /* Cut the batch at event boundaries: by count, and by bytes. Without gzip the
     * bytes are known; with it, a slice is sized by the last compression ratio seen
     * and halved when its gzip still comes out too large. */
    size_t max_events = x->cfg.max_request_events ? x->cfg.max_request_events : b->count;
    for (size_t i = 0; i < b->count;) {
        double ratio = x->gz ? (x->ratio > 1.0 ? x->ratio * 0.9 : 1.0) : 1.0;
        size_t cap = (size_t)((double)x->max_bytes * ratio), start = span_start(x, i), j = i;
        while (j < b->count && j - i < max_events && x->ends[j] - start <= cap)
            j++;
        if (j == i)
            j = i + 1; /* alone too large: the loop drops it (or gzip makes it fit) */
        sender_send(&x->sender, &run, i, j - i, 0);
        i = j;
    }
    if (x->pend_n)
        await_acks(x, &run);
    return sender_end(&run);
}

static void hec_after_fork(genops_exporter *e)
{
    struct hec_exporter *x = (struct hec_exporter *)e;
    http_client_after_fork(x->sender.http);
    sender_after_fork(&x->sender);
    x->forked = true;
    x->pend_n = 0;
    pthread_mutex_init(&x->last_lock, NULL); /* the parent may have held it */
    atomic_store(&x->acked, 0);
    atomic_store(&x->pending, 0);
    atomic_store(&x->resent, 0);
    atomic_store(&x->polls, 0);
}

static void hec_destroy(genops_exporter *e)
{
    struct hec_exporter *x = (struct hec_exporter *)e;
    http_client_free(x->sender.http);
    sender_free(&x->sender);
    compress_free(x->gz);
    buf_free(&x->body);
    buf_free(&x->zbody);
    buf_free(&x->ack);
    free(x->ends);
    free(x->pend);
    free(x->raw_url);
    hec_config_free(&x->cfg);
    pthread_mutex_destroy(&x->last_lock);
    free(x);
}

static void hec_use_spool(genops_exporter *e, struct spool *spool)
{
    ((struct hec_exporter *)e)->sender.spool = spool;
}

static bool hec_replay(genops_exporter *e, uint64_t deadline_ns)
{
    return sender_replay(&((struct hec_exporter *)e)->sender, deadline_ns);
}

/* With indexer acknowledgement a request is delivered only once acknowledged, on the
 * channel of this process; a spooled request replayed later (maybe by another process)
 * could only count on HEC's 200. So only an exporter without use_ack spools. */
static const struct exporter_ops hec_ops = {.kind = "splunk-hec",
                                            .export_batch = hec_export,
                                            .destroy = hec_destroy,
                                            .after_fork = hec_after_fork};
static const struct exporter_ops hec_spooling_ops = {.kind = "splunk-hec",
                                                     .export_batch = hec_export,
                                                     .destroy = hec_destroy,
                                                     .after_fork = hec_after_fork,
                                                     .use_spool = hec_use_spool,
                                                     .replay = hec_replay};

/* One info line with what was configured; never the token. */
static void log_config(const struct hec_exporter *x)
{
    log_msg(LOG_INFO,
            "Splunk HEC exporter: endpoint %s (%s), index %s, sourcetype %s, "
            "acknowledgement %s, compression %s, max %u bytes per request, TLS "
            "verification %s",
            http_client_url_for_log(x->sender.http), x->cfg.raw ? "raw" : "event",
            x->cfg.index ? x->cfg.index : "(the token's default)",
            x->cfg.sourcetype ? x->cfg.sourcetype : HEC_DEFAULT_SOURCETYPE,
            x->cfg.use_ack ? "on" : "off", x->gz ? "gzip" : "none", x->max_bytes,
            !x->cfg.https         ? "n/a (plain http)"
            : x->cfg.tls.insecure ? "OFF"
                                  : "on");
    if (!x->cfg.https)
        log_msg(LOG_WARNING,
                "Splunk HEC exporter: %s is plain http: the token and the events travel "
                "unencrypted",
                http_client_url_for_log(x->sender.http));
}

/* Create the exporter around a resolved configuration (taken over, even on failure). */
static genops_exporter *create(struct hec_config *cfg, genops_error *err)
{
    struct hec_exporter *x = calloc(1, sizeof *x);
    if (!x) {
        hec_config_free(cfg);
        error_set(err, GENOPS_ENOMEM, "out of memory creating a Splunk HEC exporter");
        return NULL;
    }
    x->cfg = *cfg;
    x->base.ops = x->cfg.use_ack ? &hec_ops : &hec_spooling_ops;
    pthread_mutex_init(&x->last_lock, NULL);
    x->last_code = -1;
    buf_init(&x->body, BATCH_LIMIT);
    buf_init(&x->zbody, BATCH_LIMIT);
    buf_init(&x->ack, ACK_BODY_LIMIT);
    sender_init(&x->sender, &hec_sender_ops, x, "Splunk HEC exporter", x->cfg.timeout_ms);
    x->max_bytes = x->cfg.max_request_bytes;
    x->enc = hec_config_encoding(&x->cfg);
    if (!(x->sender.http = new_client(x, err)) ||
        compress_new_for_export(x->cfg.gzip ? COMPRESS_GZIP : COMPRESS_NONE, &x->gz, err)) {
        hec_destroy(&x->base);
        return NULL;
    }
    snprintf(x->base.endpoint, sizeof x->base.endpoint, "%s",
             http_client_url_for_log(x->sender.http));
    log_config(x);
    error_clear(err);
    return &x->base;
}

void genops_hec_options_init(genops_hec_options *opt)
{
    if (opt) {
        memset(opt, 0, sizeof *opt);
        opt->struct_size = sizeof *opt;
    }
}

genops_exporter *genops_hec_exporter_new(const genops_hec_options *opt, genops_error *err)
{
    struct hec_config cfg;
    if (hec_config_resolve(opt, &cfg, err))
        return NULL;
    return create(&cfg, err);
}

genops_exporter *hec_exporter_from_endpoint(const char *url, const struct http_header *headers,
                                            size_t header_count, const genops_hec_options *base,
                                            genops_error *err)
{
    struct hec_config cfg;
    if (hec_config_from_endpoint(url, headers, header_count, base, &cfg, err))
        return NULL;
    return create(&cfg, err);
}

genops_status genops_hec_exporter_stats(genops_exporter *e, genops_hec_stats *out,
                                        genops_error *err)
{
    if (!e || (e->ops != &hec_ops && e->ops != &hec_spooling_ops))
        return error_set(err, GENOPS_EINVAL, "not a Splunk HEC exporter");
    if (!out || out->struct_size < sizeof(size_t) || out->struct_size > sizeof *out)
        return error_set(err, GENOPS_EINVAL,
                         "genops_hec_stats.struct_size must be set to sizeof(genops_hec_stats)");
    struct hec_exporter *x = (struct hec_exporter *)e;
    genops_hec_stats s = {.struct_size = out->struct_size};
    const struct sender_stats *loop = &x->sender.stats;
    s.requests = atomic_load(&loop->requests);
    s.events_delivered = atomic_load(&loop->delivered);
    s.acked = atomic_load(&x->acked);
    s.ack_pending = atomic_load(&x->pending);
    s.resent = atomic_load(&x->resent);
    s.ack_polls = atomic_load(&x->polls);
    s.retries = atomic_load(&loop->retries);
    s.splits = atomic_load(&loop->splits);
    s.dropped_invalid_event = atomic_load(&loop->dropped[DROP_INVALID_EVENT]);
    s.dropped_too_large = atomic_load(&loop->dropped[DROP_TOO_LARGE]);
    s.dropped_auth = atomic_load(&loop->dropped[DROP_AUTH]);
    s.dropped_index = atomic_load(&loop->dropped[DROP_INDEX]);
    s.dropped_rejected = atomic_load(&loop->dropped[DROP_REJECTED]);
    s.dropped_unavailable = atomic_load(&loop->dropped[DROP_UNAVAILABLE]);
    s.dropped_unacked = atomic_load(&loop->dropped[DROP_UNACKED]);
    pthread_mutex_lock(&x->last_lock);
    s.last_status = x->last_status;
    s.last_code = x->last_code;
    memcpy(s.last_error, x->last_error, sizeof s.last_error);
    pthread_mutex_unlock(&x->last_lock);
    memcpy(out, &s, out->struct_size);
    error_clear(err);
    return GENOPS_OK;
}
