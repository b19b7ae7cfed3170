/* sender.c - see sender.h. */
#include "sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ids.h"
#include "log.h"
#include "retry.h"
#include "spool/spool_replay.h"
#include "utf8.h"

/* Log keys of the loop's own failures; a protocol's keys are above them. */
#define KEY_ENCODE    (-1000L)
#define KEY_TOO_LARGE (-1001L)

/* Times one item may come back "again" before it counts as failed: a backend that
 * answers "again" forever must not keep the loop resending within a long deadline. */
#define MAX_RESENDS 8u

static void count(_Atomic uint64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static enum sender_fate mark_fate(uint8_t mark)
{
    return (enum sender_fate)(mark & 3u);
}

void sender_init(struct sender *s, const struct sender_ops *ops, void *ctx, const char *what,
                 uint32_t timeout_ms)
{
    memset(s, 0, sizeof *s);
    s->ops = ops;
    s->ctx = ctx;
    s->what = what;
    s->timeout_ms = timeout_ms;
    s->transport = http_send;
    s->policy = &retry_default;
    s->rng = ids_random_u64();
    http_response_init(&s->resp);
}

void sender_free(struct sender *s)
{
    http_response_free(&s->resp);
    free(s->marks);
    s->marks = NULL;
    s->marks_cap = 0;
}

void sender_after_fork(struct sender *s)
{
    s->rng = ids_random_u64();
    atomic_store(&s->stats.requests, 0);
    atomic_store(&s->stats.retries, 0);
    atomic_store(&s->stats.splits, 0);
    atomic_store(&s->stats.delivered, 0);
    for (int i = 0; i < SENDER_REASONS; i++)
        atomic_store(&s->stats.dropped[i], 0);
}

void sender_log(struct sender *s, const struct sender_outcome *out)
{
    if (out->log_key && out->log_level != LOG_WARNING && out->log_level != LOG_INFO)
        utf8_copy_printable(s->last_error, sizeof s->last_error, out->text, strlen(out->text));
    if (!out->log_key || !http_client_first(s->http, out->log_key))
        return;
    const char *hint = out->hint;
    if (!hint && out->verdict == SENDER_RETRY)
        hint = "retrying within the export deadline";
    bool has_hint = hint && hint[0];
    log_msg(out->log_level ? (enum log_level)out->log_level : LOG_ERROR, "%s: %s: %s%s%s%s",
            s->what, http_client_url_for_log(s->http), out->text, has_hint ? " (" : "",
            has_hint ? hint : "", has_hint ? ")" : "");
}

void sender_settle(struct sender *s, struct sender_run *run, uint64_t n, enum sender_fate fate,
                   int reason)
{
    if (!n)
        return;
    if (fate == SENDER_ITEM_DELIVERED) {
        count(&s->stats.delivered, n);
        run->r->delivered += n;
        return;
    }
    if (reason >= 0 && reason < SENDER_REASONS)
        count(&s->stats.dropped[reason], n);
    if (fate == SENDER_ITEM_REJECTED)
        run->r->rejected += n;
    else
        run->r->failed += n;
}

genops_status sender_begin(struct sender *s, struct sender_run *run, const struct batch *b,
                           uint64_t deadline_ns, struct export_result *r)
{
    uint64_t own = clock_mono_ns() + (uint64_t)s->timeout_ms * 1000000u;
    *run = (struct sender_run){b, own < deadline_ns ? own : deadline_ns, r, false};
    s->last_error[0] = 0;
    r->error = s->last_error;
    if (b->count > s->marks_cap) {
        uint8_t *marks = realloc(s->marks, b->count);
        if (!marks) {
            sender_settle(s, run, b->count, SENDER_ITEM_FAILED, s->ops->failed_reason);
            return GENOPS_ENOMEM;
        }
        s->marks = marks;
        s->marks_cap = b->count;
    }
    /* Older requests first: while the spool cannot be emptied, new ones queue behind;
     * a batch its lane had no room for goes straight behind them. */
    run->spool_only = s->spool && (b->spool_only || !spool_replay(s->spool, s, run->deadline_ns));
    return GENOPS_OK;
}

genops_status sender_end(const struct sender_run *run)
{
    if (run->r->delivered >= run->batch->count)
        return GENOPS_OK;
    return run->r->rejected ? GENOPS_EREJECTED : GENOPS_EIO;
}

genops_status sender_export(struct sender *s, const struct batch *b, uint64_t deadline_ns,
                            struct export_result *r)
{
    struct sender_run run;
    if (!b->count)
        return GENOPS_OK;
    if (sender_begin(s, &run, b, deadline_ns, r))
        return GENOPS_ENOMEM;
    sender_send(s, &run, 0, b->count, 0);
    return sender_end(&run);
}

/* Sleep until retry number attempt may start (after the server's delay: out's, else the
 * response's Retry-After); false when it could not start before the run's deadline (then
 * nothing is slept). */
static bool wait_for_retry(struct sender *s, struct sender_run *run, unsigned attempt,
                           const struct sender_outcome *out)
{
    uint64_t wake;
    int64_t delay_ms = out->retry_after_ms > 0 ? out->retry_after_ms : s->resp.retry_after_ms;
    if (!retry_when(s->policy, attempt, delay_ms, clock_mono_ns(), run->deadline_ns, &s->rng,
                    &wake))
        return false;
    retry_sleep_until(wake);
    count(&s->stats.retries, 1);
    run->r->retries++;
    return true;
}

/* Too large for one request: two halves, each on its own; a single item is rejected. */
static void too_large(struct sender *s, struct sender_run *run, const struct sender_part *p,
                      int reason)
{
    if (p->n == 1) {
        sender_settle(s, run, 1, SENDER_ITEM_REJECTED, reason);
        return;
    }
    size_t half = p->n / 2;
    sender_send(s, run, p->first, half, p->resends);
    sender_send(s, run, p->first + half, p->n - half, p->resends);
}

/* Settle each marked item; send the "again" ones once more, run by run. A run's own
 * send writes only its own marks, so the scan after it reads this answer's marks. */
static void per_item(struct sender *s, struct sender_run *run, const struct sender_part *p,
                     const struct sender_outcome *out, unsigned attempt)
{
    const uint8_t *m = s->marks + p->first;
    size_t again = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (mark_fate(m[i]) == SENDER_ITEM_AGAIN)
            again++;
        else
            sender_settle(s, run, 1, mark_fate(m[i]), m[i] >> 2);
    }
    if (!again)
        return;
    bool go = p->resends < MAX_RESENDS && (!out->wait || wait_for_retry(s, run, attempt, out));
    for (size_t i = 0; i < p->n;) {
        if (mark_fate(m[i]) != SENDER_ITEM_AGAIN) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < p->n && mark_fate(m[j]) == SENDER_ITEM_AGAIN)
            j++;
        if (go)
            sender_send(s, run, p->first + i, j - i, p->resends + 1);
        else
            sender_settle(s, run, j - i, SENDER_ITEM_FAILED, out->reason);
        i = j;
    }
}

/* The builder could not make a request of the part's items. */
static void build_failed(struct sender *s, struct sender_run *run, const struct sender_part *p,
                         genops_status rc)
{
    if (rc == GENOPS_ETOOBIG && p->n > 1) {
        too_large(s, run, p, s->ops->too_large_reason);
        return;
    }
    struct sender_outcome out = {.log_key = rc == GENOPS_ETOOBIG ? KEY_TOO_LARGE : KEY_ENCODE};
    if (rc == GENOPS_ETOOBIG) {
        char size[32] = "";
        if (p->bytes)
            snprintf(size, sizeof size, " of %zu bytes", p->bytes);
        snprintf(out.text, sizeof out.text,
                 "one %s%s is larger than a request may be; it is dropped", s->ops->item, size);
        sender_log(s, &out);
        sender_settle(s, run, 1, SENDER_ITEM_REJECTED, s->ops->too_large_reason);
        return;
    }
    snprintf(out.text, sizeof out.text, "cannot encode %zu %s(s): %s", p->n, s->ops->item,
             genops_strerror(rc));
    sender_log(s, &out);
    sender_settle(s, run, p->n, SENDER_ITEM_FAILED, s->ops->failed_reason);
}

void sender_send(struct sender *s, struct sender_run *run, size_t first, size_t n, unsigned resends)
{
    if (!n)
        return;
    struct sender_part part = {first, n, resends, 0};
    struct http_request req = {0};
    genops_status rc = s->ops->build(s->ctx, run->batch, &part, &req);
    if (rc) {
        build_failed(s, run, &part, rc);
        return;
    }
    req.deadline_ns = run->deadline_ns;
    if (run->spool_only) {
        if (!spool_request(s, run, n, &req))
            sender_settle(s, run, n, SENDER_ITEM_FAILED, s->ops->failed_reason);
        return;
    }
    for (unsigned attempt = 1;; attempt++) {
        rc = s->transport(s->http, &req, &s->resp);
        count(&s->stats.requests, 1);
        run->r->bytes_sent += s->resp.bytes_sent;
        struct sender_outcome out;
        memset(&out, 0, sizeof out);
        s->ops->classify(s->ctx, run->batch, &part, rc, &s->resp, &out, s->marks + first);
        sender_log(s, &out);
        switch (out.verdict) {
        case SENDER_DELIVERED: {
            uint64_t rejected = out.rejected < n ? out.rejected : n;
            sender_settle(s, run, n - rejected, SENDER_ITEM_DELIVERED, 0);
            sender_settle(s, run, rejected, SENDER_ITEM_REJECTED, out.reason);
            return;
        }
        case SENDER_PENDING: return;
        case SENDER_TOO_LARGE:
            if (n > 1)
                count(&s->stats.splits, 1);
            too_large(s, run, &part, out.reason);
            return;
        case SENDER_REJECTED: sender_settle(s, run, n, SENDER_ITEM_REJECTED, out.reason); return;
        case SENDER_FAILED:
            /* No answer at all (a timeout, a blackholed backend): the spool may keep it;
             * an answer that fails the items would fail them again. */
            if (rc != GENOPS_OK && spool_request(s, run, n, &req))
                return;
            sender_settle(s, run, n, SENDER_ITEM_FAILED, out.reason);
            return;
        case SENDER_PER_ITEM: per_item(s, run, &part, &out, resends + attempt); return;
        case SENDER_RETRY:
            /* Batches waiting past the lane's share: spool this one now, not later. */
            if (!(s->spool && atomic_load(&s->spool->hurry)) &&
                wait_for_retry(s, run, attempt, &out))
                continue;
            if (spool_request(s, run, n, &req))
                return;
            sender_settle(s, run, n, SENDER_ITEM_FAILED, out.reason);
            return;
        }
    }
}

genops_status sender_exporter_export(genops_exporter *e, const struct batch *b,
                                     uint64_t deadline_ns, struct export_result *r)
{
    return sender_export(&((struct sender_exporter *)e)->sender, b, deadline_ns, r);
}

bool sender_replay(struct sender *s, uint64_t deadline_ns)
{
    return s->spool && !spool_replay(s->spool, s, deadline_ns);
}

void sender_exporter_use_spool(genops_exporter *e, struct spool *spool)
{
    ((struct sender_exporter *)e)->sender.spool = spool;
}

bool sender_exporter_replay(genops_exporter *e, uint64_t deadline_ns)
{
    return sender_replay(&((struct sender_exporter *)e)->sender, deadline_ns);
}

void sender_exporter_after_fork(genops_exporter *e)
{
    struct sender_exporter *x = (struct sender_exporter *)e;
    http_client_after_fork(x->sender.http);
    sender_after_fork(&x->sender);
}

genops_status sender_exporter_request(struct sender_exporter *x, genops_status encoded,
                                      const char *content_type, struct sender_part *part,
                                      struct http_request *req)
{
    part->bytes = x->body.len;
    if (encoded)
        return encoded;
    struct buf *payload = &x->body;
    if (x->gz) {
        genops_status rc = compress_body(x->gz, x->body.data, x->body.len, &x->zbody);
        if (rc)
            return rc;
        payload = &x->zbody;
    }
    part->bytes = payload->len;
    *req = (struct http_request){.content_type = content_type,
                                 .content_encoding = compress_encoding(x->gz),
                                 .body = payload->data,
                                 .len = payload->len};
    return GENOPS_OK;
}

void sender_exporter_release(struct sender_exporter *x)
{
    http_client_free(x->sender.http);
    sender_free(&x->sender);
    compress_free(x->gz);
    buf_free(&x->body);
    buf_free(&x->zbody);
}
