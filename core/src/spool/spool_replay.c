/* spool_replay.c - see spool_replay.h. */
#include "spool_replay.h"

#include <stdio.h>

#include "clock.h"
#include "log.h"

/* Log keys (http_client_first) below the send loop's own. */
#define KEY_SPOOLED (-1900L)
#define KEY_REFUSED (-2000L) /* minus the status */

bool spool_request(struct sender *s, struct sender_run *run, size_t n,
                   const struct http_request *req)
{
    if (!s->spool || n > UINT32_MAX)
        return false;
    struct spool_record r = {(uint32_t)n, req->content_type, req->content_encoding,
                             req->url,    req->body,         req->len};
    if (spool_append(s->spool, &r))
        return false;
    run->r->spooled += n;
    if (http_client_first(s->http, KEY_SPOOLED))
        log_msg(LOG_WARNING,
                "%s: %s: not delivered; kept in the spool at %s and sent again once it answers",
                s->what, http_client_url_for_log(s->http), s->spool->dir);
    return true;
}

/* What an HTTP status means for a spooled request (spool_replay.h); *key and what name
 * a refusal for the log. */
static enum sender_fate by_status(long status, long *key, char *what, size_t size)
{
    if (status >= 200 && status < 300)
        return SENDER_ITEM_DELIVERED;
    if (status < 400 || status >= 500 || status == 408 || status == 429)
        return SENDER_ITEM_AGAIN;
    *key = status;
    snprintf(what, size, "%ld", status);
    return SENDER_ITEM_REJECTED;
}

bool spool_replay(struct spool *sp, struct sender *s, uint64_t deadline_ns)
{
    struct spool_record r;
    for (;;) {
        uint64_t now = clock_mono_ns();
        if (now >= deadline_ns)
            return !spool_pending(sp);
        if (!spool_peek(sp, &r))
            return true;
        uint64_t own = now + (uint64_t)s->timeout_ms * 1000000u;
        struct http_request req = {.url = r.url,
                                   .content_type = r.content_type,
                                   .content_encoding = r.content_encoding,
                                   .body = r.body,
                                   .len = r.len,
                                   .deadline_ns = own < deadline_ns ? own : deadline_ns};
        if (s->ops->replay_request)
            s->ops->replay_request(s->ctx, &req);
        genops_status rc = s->transport(s->http, &req, &s->resp);
        atomic_fetch_add_explicit(&s->stats.requests, 1, memory_order_relaxed);
        long key = 0;
        char what[48] = "";
        enum sender_fate fate =
            s->ops->replay_fate ? s->ops->replay_fate(s->ctx, rc, &s->resp, &key, what, sizeof what)
                                : by_status(s->resp.status, &key, what, sizeof what);
        if (fate == SENDER_ITEM_DELIVERED) {
            spool_consume(sp, &r, true);
        } else if (fate == SENDER_ITEM_REJECTED) {
            if (http_client_first(s->http, KEY_REFUSED - key))
                log_msg(LOG_ERROR, "%s: %s: answered %s to %u spooled span(s); they are dropped",
                        s->what, http_client_url_for_log(s->http), what, r.spans);
            spool_consume(sp, &r, false);
        } else {
            return false;
        }
    }
}
