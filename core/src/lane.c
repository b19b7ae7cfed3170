/* lane.c - see lane.h. */
#include "lane.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "spool/spool.h"

#define REPLAY_WAIT_MIN_NS (1000000000ull)         /* 1 s */
#define REPLAY_WAIT_MAX_NS (32ull * 1000000000ull) /* 32 s */

/* *a becomes v when v is larger (or, with !larger, smaller) than it; lock-free. */
static void atomic_keep(atomic_uint_least64_t *a, uint64_t v, bool larger)
{
    uint64_t cur = atomic_load(a);
    while ((larger ? v > cur : v < cur) && !atomic_compare_exchange_weak(a, &cur, v)) {
    }
}

void fanout_done(struct fanout *f, uint64_t delivered, uint64_t rejected, bool shutdown)
{
    atomic_keep(&f->delivered, delivered, false);
    atomic_keep(&f->rejected, rejected, true);
    if (shutdown)
        atomic_store(&f->shutdown, true);
    if (atomic_fetch_sub(&f->refs, 1) == 1)
        f->settle(f);
}

void lane_init(struct lane *l, genops_exporter *e, const struct resource *resource, bool derived,
               uint64_t timeout_ns, void (*notify)(void *, struct lane *, bool), void *ctx)
{
    memset(l, 0, sizeof *l);
    l->e = e;
    l->resource = resource;
    l->derived = derived;
    l->timeout_ns = timeout_ns;
    l->notify = notify;
    l->ctx = ctx;
    pthread_mutex_init(&l->lock, NULL);
    cond_init_monotonic(&l->wake);
}

void lane_destroy(struct lane *l)
{
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->wake);
}

static struct fanout *pop_locked(struct lane *l, bool *to_spool)
{
    struct fanout *f = l->queue[l->head];
    *to_spool = l->to_spool > 0;
    if (*to_spool) {
        l->to_spool--;
        l->to_spool_bytes -= f->bytes;
        l->to_spool_spans -= f->n;
        if (!l->to_spool)
            atomic_store(&l->spool->hurry, false);
    }
    l->head = (l->head + 1) % LANE_DEPTH;
    l->count--;
    l->queued_bytes -= f->bytes;
    l->queued_spans -= f->n;
    return f;
}

static void export_one(struct lane *l, struct fanout *f, bool to_spool)
{
    struct batch b = {f->spans, f->n, l->resource, l->derived, to_spool};
    struct export_result r = {0};
    genops_status rc = l->e->ops->export_batch(l->e, &b, clock_mono_ns() + l->timeout_ns, &r);
    if (rc && !r.delivered && !r.failed && !r.rejected)
        r.failed = f->n;
    if (r.delivered > f->n)
        r.delivered = f->n;
    if (r.rejected > f->n - r.delivered)
        r.rejected = f->n - r.delivered;
    struct lane_stats *st = &l->stats;
    atomic_fetch_add(&st->exported, r.delivered);
    atomic_fetch_add(&st->rejected, r.rejected);
    /* Spooled spans are neither delivered nor dropped: counted apart. */
    uint64_t spooled =
        r.spooled < f->n - r.delivered - r.rejected ? r.spooled : f->n - r.delivered - r.rejected;
    atomic_fetch_add(&st->failed, f->n - r.delivered - r.rejected - spooled);
    atomic_fetch_add(&st->retries, r.retries);
    atomic_fetch_add(&st->bytes_sent, r.bytes_sent);
    atomic_fetch_add(&st->batches, 1);
    atomic_fetch_add(&st->spooled, spooled);
    pthread_mutex_lock(&l->lock);
    if (rc) {
        atomic_store(&st->last_status, (int)rc);
        atomic_store(&st->last_error_unix_ns, clock_unix_ns());
        snprintf(st->last_error, sizeof st->last_error, "%s",
                 r.error && r.error[0] ? r.error : genops_strerror(rc));
    }
    l->inflight = NULL;
    l->backlog = l->e->ops->replay != NULL; /* the spool may hold some now */
    /* Spooled spans count as delivered for the fanout's minimum, and apart. */
    atomic_keep(&f->spooled, r.spooled, true);
    fanout_done(f, r.delivered + r.spooled, r.rejected, false);
    pthread_mutex_unlock(&l->lock);
}

/* Idle with a spool that may hold requests: wait replay_wait_ns, then replay (the
 * lane's lock held, released while replaying). */
static void replay_when_idle(struct lane *l)
{
    if (!l->replay_wait_ns)
        l->replay_wait_ns = REPLAY_WAIT_MIN_NS;
    uint64_t at = clock_mono_ns() + l->replay_wait_ns;
    struct timespec ts = {(time_t)(at / 1000000000u), (long)(at % 1000000000u)};
    if (pthread_cond_timedwait(&l->wake, &l->lock, &ts) != ETIMEDOUT || l->stop || l->count)
        return;
    l->replaying = true;
    pthread_mutex_unlock(&l->lock);
    bool left = l->e->ops->replay(l->e, clock_mono_ns() + l->timeout_ns);
    pthread_mutex_lock(&l->lock);
    l->replaying = false;
    l->backlog = left;
    l->replay_wait_ns =
        left && l->replay_wait_ns < REPLAY_WAIT_MAX_NS ? l->replay_wait_ns * 2 : REPLAY_WAIT_MIN_NS;
}

static void *lane_main(void *arg)
{
    struct lane *l = arg;
    pthread_mutex_lock(&l->lock);
    for (;;) {
        while (!l->stop && !l->count) {
            if (l->backlog && l->spool)
                replay_when_idle(l);
            else
                pthread_cond_wait(&l->wake, &l->lock);
        }
        if (l->stop)
            break;
        bool to_spool;
        struct fanout *f = l->inflight = pop_locked(l, &to_spool);
        pthread_mutex_unlock(&l->lock);
        export_one(l, f, to_spool);
        pthread_mutex_lock(&l->lock);
        bool idle = !l->count;
        pthread_mutex_unlock(&l->lock);
        if (idle)
            l->notify(l->ctx, l, false);
        pthread_mutex_lock(&l->lock);
    }
    /* Stopped: what is still queued missed shutdown's flush. */
    bool marked;
    while (l->count) {
        atomic_fetch_add(&l->stats.dropped_shutdown, l->queue[l->head]->n);
        fanout_done(pop_locked(l, &marked), 0, 0, true);
    }
    pthread_mutex_unlock(&l->lock);
    l->notify(l->ctx, l, true); /* the last touch of the lane */
    return NULL;
}

static void start_locked(struct lane *l)
{
    if (!l->thread_started && !l->stop) {
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        if (pthread_create(&l->thread, NULL, lane_main, l) == 0) {
            l->thread_started = true;
            l->thread_exited = false;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
}

void lane_start(struct lane *l)
{
    pthread_mutex_lock(&l->lock);
    start_locked(l);
    pthread_mutex_unlock(&l->lock);
}

size_t lane_offer(struct lane *l, struct fanout *f, uint64_t share_bytes, size_t share_spans)
{
    pthread_mutex_lock(&l->lock);
    start_locked(l);
    if (l->stop || !l->thread_started) {
        atomic_fetch_add(&l->stats.dropped_shutdown, f->n);
        fanout_done(f, 0, 0, true);
        pthread_mutex_unlock(&l->lock);
        return 0;
    }
    size_t dropped = 0;
    bool marked;
    for (;;) {
        unsigned held = l->count - l->to_spool; /* what counts against the share */
        bool over = held && (l->queued_bytes - l->to_spool_bytes + f->bytes > share_bytes ||
                             l->queued_spans - l->to_spool_spans + f->n > share_spans);
        if (over && l->spool && !l->spool->disabled) {
            struct fanout *next = l->queue[(l->head + l->to_spool) % LANE_DEPTH];
            l->to_spool++;
            l->to_spool_bytes += next->bytes;
            l->to_spool_spans += next->n;
            atomic_store(&l->spool->hurry, true); /* the export in flight: spool, not wait */
            continue;
        }
        if (!l->count || (!over && l->count < LANE_DEPTH))
            break;
        struct fanout *old = pop_locked(l, &marked);
        atomic_fetch_add(&l->stats.dropped_share, old->n);
        dropped += old->n;
        fanout_done(old, 0, 0, false);
    }
    l->queue[(l->head + l->count) % LANE_DEPTH] = f;
    l->count++;
    l->queued_bytes += f->bytes;
    l->queued_spans += f->n;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    return dropped;
}

bool lane_idle(struct lane *l)
{
    pthread_mutex_lock(&l->lock);
    bool idle = !l->count && !l->inflight;
    pthread_mutex_unlock(&l->lock);
    return idle;
}

bool lane_exporting(struct lane *l)
{
    pthread_mutex_lock(&l->lock);
    bool busy = l->inflight != NULL || l->replaying;
    pthread_mutex_unlock(&l->lock);
    return busy;
}

size_t lane_depth(struct lane *l)
{
    pthread_mutex_lock(&l->lock);
    size_t n = 0;
    for (unsigned i = 0; i < l->count; i++)
        n += l->queue[(l->head + i) % LANE_DEPTH]->n;
    if (l->inflight)
        n += l->inflight->n;
    pthread_mutex_unlock(&l->lock);
    return n;
}

void lane_stats_read(struct lane *l, genops_exporter_stats *out)
{
    const struct lane_stats *st = &l->stats;
    snprintf(out->type, sizeof out->type, "%s", l->e->ops->kind);
    snprintf(out->name, sizeof out->name, "%s", genops_exporter_description(l->e));
    snprintf(out->endpoint, sizeof out->endpoint, "%s", l->e->endpoint);
    out->exported = atomic_load(&st->exported);
    out->spooled = atomic_load(&st->spooled);
    out->dropped_export_failed = atomic_load(&st->failed);
    out->dropped_rejected = atomic_load(&st->rejected);
    out->dropped_share = atomic_load(&st->dropped_share);
    out->dropped_shutdown = atomic_load(&st->dropped_shutdown);
    out->retries = atomic_load(&st->retries);
    out->bytes_sent = atomic_load(&st->bytes_sent);
    out->batches = atomic_load(&st->batches);
    out->queue_depth = lane_depth(l);
    pthread_mutex_lock(&l->lock);
    out->last_status = atomic_load(&st->last_status);
    out->last_error_unix_ns = atomic_load(&st->last_error_unix_ns);
    snprintf(out->last_error, sizeof out->last_error, "%s", st->last_error);
    pthread_mutex_unlock(&l->lock);
}

void lane_stop(struct lane *l)
{
    pthread_mutex_lock(&l->lock);
    l->stop = true;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
}

void lane_lock(struct lane *l)
{
    pthread_mutex_lock(&l->lock);
}

void lane_unlock(struct lane *l)
{
    pthread_mutex_unlock(&l->lock);
}

void lane_after_fork_child(struct lane *l)
{
    bool marked;
    while (l->count)
        fanout_done(pop_locked(l, &marked), 0, 0, true);
    if (l->inflight)
        fanout_done(l->inflight, 0, 0, true);
    l->inflight = NULL;
    l->thread_started = l->thread_exited = l->detached = false;
    l->stop = l->replaying = l->backlog = false;
    memset(&l->stats, 0, sizeof l->stats);
    cond_init_monotonic(&l->wake);
    pthread_mutex_unlock(&l->lock);
}
