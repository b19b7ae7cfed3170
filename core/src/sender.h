/* sender.h - the send loop every HTTP exporter shares: build a request for a range of
 * the batch, send it, classify the answer, log the first failure of each kind, retry
 * when the answer allows it, split on "too large".
 *
 * A protocol supplies two callbacks (struct sender_ops): a request builder (encode items
 * [first, first + n) of the batch) and a response classifier (what an answer means for
 * those items). The loop owns the rest, the same for every protocol:
 *  - the deadline: the sooner of the pipeline's export deadline and the exporter's own
 *    timeout; no attempt starts that could not finish before it (retry.h);
 *  - backoff with full jitter, or the server's Retry-After (or the classifier's delay)
 *    when it sent one;
 *  - "too large" (a builder's GENOPS_ETOOBIG, a 413): the range is halved recursively and
 *    each half sent on its own; a single item that is still too large is rejected;
 *  - per-item answers (a backend that accepts some items of a request and refuses
 *    others): the classifier marks each item, and only those marked "again" are sent
 *    once more. Items are counted by the request that settled them, so a part that
 *    succeeded is never sent again;
 *  - the log: the first failure of each kind (the classifier's key) per exporter at the
 *    classifier's level, with its words; later ones only in the counters.
 * Export thread only, like the exporter that embeds it. */
#ifndef GENOPS_SENDER_H
#define GENOPS_SENDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "compress.h"
#include "exporter.h"
#include "http.h"

#define SENDER_REASONS  8   /* protocol drop reasons counted per exporter, 0..7 */
#define SENDER_TEXT_MAX 384 /* a classifier's words for the log (a backend says 255) */

/* What one answer means for the items of the request. */
enum sender_verdict {
    SENDER_DELIVERED, /* accepted; outcome.rejected of them refused all the same */
    SENDER_PENDING,   /* accepted; the protocol settles them later (sender_settle) */
    SENDER_RETRY,     /* may succeed later: again after backoff or Retry-After */
    SENDER_TOO_LARGE, /* halve the range and send each half; a single item is rejected */
    SENDER_REJECTED,  /* refused: retrying cannot help */
    SENDER_FAILED,    /* not delivered and not retried (a 500 to OTLP, a TLS failure) */
    SENDER_PER_ITEM   /* each item's fate is in marks[] (sender_mark) */
};

/* An item's fate in a SENDER_PER_ITEM answer. */
enum sender_fate {
    SENDER_ITEM_DELIVERED,
    SENDER_ITEM_REJECTED,
    SENDER_ITEM_FAILED,
    SENDER_ITEM_AGAIN /* send once more (after backoff when outcome.wait) */
};

/* A mark: the fate and the drop reason that counts it when it is not delivered. */
static inline uint8_t sender_mark(enum sender_fate fate, int reason)
{
    return (uint8_t)(fate | (unsigned)reason << 2);
}

/* The items of one request. */
struct sender_part {
    size_t first, n;  /* items [first, first + n) of the batch */
    unsigned resends; /* how many answers already marked these items "again" */
    size_t bytes;     /* the request body's length, once built */
};

/* A classifier's answer. Zero-initialised by the loop before each call. */
struct sender_outcome {
    enum sender_verdict verdict;
    uint64_t rejected;          /* SENDER_DELIVERED: how many of the items were refused anyway */
    int reason;                 /* the drop reason of the items this answer does not deliver */
    bool wait;                  /* SENDER_PER_ITEM: back off before sending the "again" items */
    int64_t retry_after_ms;     /* > 0: the server's own delay for SENDER_RETRY (gRPC's
                                   RetryInfo), instead of the response's Retry-After */
    long log_key;               /* 0: nothing to log; else logged the first time seen (> -1000) */
    int log_level;              /* LOG_ERROR when 0 */
    char text[SENDER_TEXT_MAX]; /* what happened, after the URL ("answered 401 ...") */
    const char *hint;           /* why or what to do; NULL: the loop says what it does next */
};

struct sender_ops {
    /* Fill req (url, content type and encoding, body) for part's items; the loop sets
     * the deadline. GENOPS_ETOOBIG: the items do not fit one request (split, or reject a
     * single one); another error fails the items. */
    genops_status (*build)(void *ctx, const struct batch *b, struct sender_part *part,
                           struct http_request *req);
    /* What rc (http_send's result) and resp mean for part's items; marks[0..n) are
     * theirs to fill for SENDER_PER_ITEM. */
    void (*classify)(void *ctx, const struct batch *b, const struct sender_part *part,
                     genops_status rc, const struct http_response *resp, struct sender_outcome *out,
                     uint8_t *marks);
    const char *item;     /* what an item is, for the log: "span", "event" */
    int too_large_reason; /* counts a single item that is too large */
    int failed_reason;    /* counts items the builder could not encode */
    /* For a protocol whose answer is not its HTTP status (gRPC), how the spool replays
     * (spool/spool_replay.h); both NULL: by the HTTP status. replay_request adds what
     * the spooled request needs to be read (a header hook); replay_fate says what the
     * answer means: SENDER_ITEM_DELIVERED, SENDER_ITEM_REJECTED (gone; *key and what
     * name the answer for the log), or SENDER_ITEM_AGAIN (keep it, stop replaying). */
    void (*replay_request)(void *ctx, struct http_request *req);
    enum sender_fate (*replay_fate)(void *ctx, genops_status rc, const struct http_response *resp,
                                    long *key, char *what, size_t size);
};

/* Counters: written by the export thread, readable from any thread. */
struct sender_stats {
    _Atomic uint64_t requests, retries, splits, delivered;
    _Atomic uint64_t dropped[SENDER_REASONS];
};

struct sender {
    const struct sender_ops *ops;
    void *ctx;
    struct http_client *http; /* the protocol's client; it may replace it (fork) */
    /* http_send; a test of the loop itself puts a scripted transport here. */
    genops_status (*transport)(struct http_client *c, const struct http_request *req,
                               struct http_response *r);
    struct http_response resp;
    const char *what; /* "OTLP exporter": the start of each log line */
    uint32_t timeout_ms;
    const struct retry_policy *policy; /* retry_default; a test of the loop sets a faster one */
    uint64_t rng;                      /* backoff jitter; re-seeded after fork */
    uint8_t *marks;                    /* one per item of the largest batch seen */
    size_t marks_cap;
    struct spool *spool; /* NULL, or where items whose retries are spent go (borrowed) */
    struct sender_stats stats;
    /* The last answer of the current export call that had words to log (its text,
     * after the URL): export_result.error points here. */
    char last_error[GENOPS_ERROR_MESSAGE_SIZE];
};

/* One export call: its batch, its deadline, its result. */
struct sender_run {
    const struct batch *batch;
    uint64_t deadline_ns;
    struct export_result *r;
    bool spool_only; /* the spool still holds older requests: add these after them */
};

/* Set up s (http may be set later). what and ctx are borrowed. */
void sender_init(struct sender *s, const struct sender_ops *ops, void *ctx, const char *what,
                 uint32_t timeout_ms);
void sender_free(struct sender *s);
/* In a forked child: new jitter, zero counters. */
void sender_after_fork(struct sender *s);

/* Start an export call of b with the pipeline's deadline_ns: the run's deadline is the
 * sooner of it and the exporter's timeout from now. With a spool, its older requests are
 * sent first; while some stay (or b is spool_only) the run only spools. GENOPS_ENOMEM
 * (every item counted as failed with failed_reason) when there is no room for the
 * batch's marks. */
genops_status sender_begin(struct sender *s, struct sender_run *run, const struct batch *b,
                           uint64_t deadline_ns, struct export_result *r);

/* Send items [first, first + n) until each is delivered, pending, refused, or out of
 * time; resends as in struct sender_part. */
void sender_send(struct sender *s, struct sender_run *run, size_t first, size_t n,
                 unsigned resends);

/* Count n items the protocol settled itself (SENDER_PENDING ones, or its own drops). */
void sender_settle(struct sender *s, struct sender_run *run, uint64_t n, enum sender_fate fate,
                   int reason);

/* Log out's words the first time its log_key is seen (the loop does this for every
 * answer; a protocol calls it for failures of its own, such as HEC's acknowledgements):
 * "<what>: <url>: <text> (<hint>)". */
void sender_log(struct sender *s, const struct sender_outcome *out);

/* The export call's status from its counts: GENOPS_OK when every item was delivered,
 * GENOPS_EREJECTED when some were refused, else GENOPS_EIO. */
genops_status sender_end(const struct sender_run *run);

/* The whole batch through the loop, for a protocol without extras: begin, send, end. */
genops_status sender_export(struct sender *s, const struct batch *b, uint64_t deadline_ns,
                            struct export_result *r);

/* An exporter that is the loop and nothing more (OTLP, Honeycomb events) begins with
 * this: the loop with its HTTP client, the compressor and the reused bodies. */
struct sender_exporter {
    genops_exporter base;
    struct sender sender;
    struct compressor *gz; /* gzip or zstd; NULL without compression */
    struct buf body;       /* the encoded request, reused */
    struct buf zbody;      /* its compressed form, reused */
};

/* exporter_ops.export_batch of a sender_exporter: the whole batch through the loop. */
genops_status sender_exporter_export(genops_exporter *e, const struct batch *b,
                                     uint64_t deadline_ns, struct export_result *r);
/* exporter_ops.after_fork of a sender_exporter: a fresh connection and jitter. */
void sender_exporter_after_fork(genops_exporter *e);
/* The request for the part the protocol just encoded into x->body (encoded: the
 * encoder's status, returned as is when it failed): compressed into x->zbody when the
 * exporter compresses (Content-Encoding gzip or zstd); part->bytes is what goes on the wire. */
genops_status sender_exporter_request(struct sender_exporter *x, genops_status encoded,
                                      const char *content_type, struct sender_part *part,
                                      struct http_request *req);
/* exporter_ops.replay for an exporter whose loop is s: what s's spool holds. */
bool sender_replay(struct sender *s, uint64_t deadline_ns);

/* exporter_ops.use_spool and .replay of a sender_exporter (spool/spool_replay.h). */
void sender_exporter_use_spool(genops_exporter *e, struct spool *spool);
bool sender_exporter_replay(genops_exporter *e, uint64_t deadline_ns);
/* Free what struct sender_exporter owns (not the struct itself). */
void sender_exporter_release(struct sender_exporter *x);

#endif
