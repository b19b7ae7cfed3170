/* pipeline.c - batching, the export thread, flush and shutdown, fork, self-metrics.
 *
 * Application threads hand ended spans to the pipeline through a bounded lock-free ring
 * (ring.c): no lock, no allocation, no waiting. Past a full ring the span waits on the
 * overflow stack (overflow.h) unless max_queue_size was set; the byte budget
 * (max_buffer_bytes), or a full ring under a set max_queue_size, drops the span and
 * counts it. One export thread per pipeline pops batches, compacts each span's
 * attributes and merges the inherited ones, and hands the batch to every exporter's
 * lane (lane.c); the last lane done with it returns the spans to the pool.
 *
 * Waking the export thread: its state word `mode` is also a futex. It goes IDLE (empty
 * queue) or TIMED (waiting for a full batch or the schedule delay) and sleeps on the
 * futex; a producer wakes it only on the transitions that matter (first span into an
 * idle pipeline, a batch's worth queued), with a CAS so that one producer pays for the
 * syscall. While spans flow the thread times itself instead (POLLING): it sleeps until
 * a batch should be full at the rate spans came, and a producer wakes it only when the
 * ring passes its high-water mark (half full), so a steady stream costs the
 * application threads no syscall at all. ring_push's seq_cst CAS and the thread's
 * seq_cst store of mode make the handshake free of lost wake-ups.
 *
 * Lifetime: spans keep a plain pointer to their pipeline, so genops_pipeline_free
 * cannot free it while any span started on it is still open. Open spans are counted
 * per thread shard (`live`); a freed pipeline is "retired" and reclaimed once every
 * shard sums to zero and its thread has exited, at a later free or at exit. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "error.h"
#include "exporter.h"
#include "fork.h"
#include "lane.h"
#include "log.h"
#include "overflow.h"
#include "resource.h"
#include "ring.h"
#include "sampling_rules.h"
#include "semconv.h"
#include "span.h"
#include "spool/spool.h"
#include "spool/spool_lock.h"

#define SHARDS                   16
#define DEFAULT_MAX_BUFFER_BYTES ((uint64_t)64 << 20)
#define DEFAULT_EXIT_FLUSH_MS    5000
#define DROP_SUMMARY_INTERVAL_NS (60ull * 1000000000ull)
#define DEFAULT_SPOOL_MAX_MB     256u

enum state { RUNNING, STOPPING, STOPPED };
enum mode { AWAKE, IDLE, TIMED, POLLING };

/* The shortest self-timed sleep while spans flow: about the kernel's default timer
 * slack, below which a sleep is not much shorter anyway. */
#define MIN_POLL_NS 50000u

/* The ring of an elastic queue (max_queue_size unset). Bursts from a process recording
 * flat out on shared cores outrun a 2048-span ring (OpenTelemetry's default) before the
 * export thread gets the CPU; past the ring the overflow stack takes them, at a CAS on
 * one shared word each, so the ring is sized to make that rare. */
#define ELASTIC_RING_SPANS 8192

/* Counters that application threads bump, one cache line per shard of threads. */
struct shard {
    _Alignas(64) atomic_long live; /* spans begun and not yet submitted */
    atomic_uint_least64_t started, ended, start_failures;
    atomic_uint_least64_t dropped_queue_full, dropped_buffer_full, dropped_shutdown;
    atomic_uint_least64_t sampled_out, below_cost_threshold;
};

struct genops_pipeline {
    struct span_sink sink; /* first: span.c reaches it through span_sink_of */
    struct resource resource;
    uint32_t batch_size;
    uint64_t delay_ns, export_timeout_ns;
    int32_t exit_flush_ms;
    uint64_t max_bytes;

    struct ring ring;
    struct overflow overflow; /* past a full ring, when elastic */
    bool elastic;             /* max_queue_size not set: the byte budget bounds the queue */
    size_t high_water;        /* ring count that wakes a POLLING thread */
    struct span **batch;      /* the export thread's current batch */
    atomic_size_t batch_len;  /* spans in batch not yet released: exact at any fork() */

    _Atomic int state;
    _Atomic uint32_t mode; /* futex word */
    atomic_bool stop;
    atomic_bool exporting; /* the thread is (about to be) inside an exporter */
    bool disabled;         /* OTEL_SDK_DISABLED: exporters are refused, spans counted */
    bool derived;          /* batches carry the derived names (derived.h) */
    struct sampling_thresholds thresholds; /* what sampling keeps or drops at span end */
    atomic_uint_least64_t flush_requested;
    atomic_bool warned_drop;
    atomic_bool freed;        /* genops_pipeline_free was called: spans ending now are orphans */
    atomic_bool warned_freed; /* the first orphan was logged */
    atomic_int stats_interval_ms;

    pthread_mutex_t lock; /* flush_done, thread start/exit, exporters list */
    pthread_cond_t changed;
    uint64_t flush_done;
    pthread_t thread;
    /* Atomic: ensure_thread's fast path reads them without the lock. */
    atomic_bool thread_started, thread_exited;
    atomic_uint thread_fork_gen; /* fork_gen when the thread was started */

    _Atomic(genops_exporter *) exporters;
    _Atomic(struct lane *) lanes; /* one per exporter, in the same order */
    atomic_uint lane_count;

    atomic_uint_least64_t buffered_bytes;
    /* Export-thread counters; atomics so that stats readers may read them. */
    atomic_uint_least64_t exported, export_failed, rejected, no_exporter, batches,
        shutdown_leftovers, dropped_values, spooled;
    atomic_uint_least64_t thread_wakeups; /* futex wakes an application thread paid for */

    /* The disk spool: NULL without one; the directory's lock for the pipeline's life. */
    char *spool_dir;
    int spool_lock_fd;
    struct spool_options spool_opt;

    struct shard shards[SHARDS];
    genops_pipeline *next; /* in `live_pipelines` or `retired` */
};

_Static_assert(offsetof(struct genops_pipeline, sink) == 0, "span_sink_of casts the pipeline");

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static genops_pipeline *live_pipelines, *retired;
static atomic_uint fork_gen;
static atomic_uint_least64_t ended_after_free; /* genops_stats.dropped_pipeline_freed */
static pthread_once_t exit_flush_once = PTHREAD_ONCE_INIT;
static atomic_uint next_shard;
static _Thread_local int my_shard = -1;

static void *export_main(void *arg);

/* ---- small helpers ------------------------------------------------------------ */

/* The queue: the ring, and past it the overflow. Only the export thread pops (or
 * whoever owns the pipeline once it has exited). */
static struct span *queue_pop(genops_pipeline *p)
{
    struct span *s = ring_pop(&p->ring);
    return s ? s : overflow_pop(&p->overflow);
}

static size_t queue_count(const genops_pipeline *p)
{
    return ring_count(&p->ring) + overflow_count(&p->overflow);
}

static struct shard *shard_of_thread(genops_pipeline *p)
{
    if (my_shard < 0)
        my_shard = (int)(atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % SHARDS);
    return &p->shards[my_shard];
}

static uint64_t sum_shards(genops_pipeline *p, size_t offset)
{
    uint64_t total = 0;
    for (int i = 0; i < SHARDS; i++)
        total += atomic_load((atomic_uint_least64_t *)((char *)&p->shards[i] + offset));
    return total;
}
#define SUM(p, field) sum_shards((p), offsetof(struct shard, field))

static long live_spans(genops_pipeline *p)
{
    long total = 0;
    for (int i = 0; i < SHARDS; i++)
        total += atomic_load(&p->shards[i].live);
    return total;
}

static void futex_wait(_Atomic uint32_t *word, uint32_t expected, uint64_t timeout_ns)
{
    struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, timeout_ns ? &ts : NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Wake the export thread whatever it waits for (flush, shutdown). */
static void wake_thread(genops_pipeline *p)
{
    if (atomic_exchange(&p->mode, AWAKE) != AWAKE)
        futex_wake(&p->mode);
}

static struct timespec mono_deadline(uint64_t deadline_ns)
{
    return (struct timespec){(time_t)(deadline_ns / 1000000000u),
                             (long)(deadline_ns % 1000000000u)};
}

static uint64_t deadline_after_ms(genops_duration_ms timeout_ms)
{
    return clock_mono_ns() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000u;
}

/* ---- process hooks: fork and exit --------------------------------------------- */

/* Fork (fork.h, FORK_RANK_PIPELINES: the outermost locks). */

static void fork_prepare(void)
{
    pthread_mutex_lock(&registry_lock);
    for (genops_pipeline *p = live_pipelines; p; p = p->next) {
        pthread_mutex_lock(&p->lock);
        for (struct lane *l = p->lanes; l; l = l->next)
            lane_lock(l);
    }
}

static void fork_parent(void)
{
    for (genops_pipeline *p = live_pipelines; p; p = p->next) {
        for (struct lane *l = p->lanes; l; l = l->next)
            lane_unlock(l);
        pthread_mutex_unlock(&p->lock);
    }
    pthread_mutex_unlock(&registry_lock);
}

/* The child starts every pipeline afresh: empty queue, zero counters, no thread (one
 * starts on first use). The parent's queued and in-flight spans are the parent's to
 * export: here they only go back to the pool. */
static void fork_child(void)
{
    atomic_fetch_add(&fork_gen, 1);
    atomic_store(&ended_after_free, 0);
    for (genops_pipeline *p = live_pipelines; p; p = p->next) {
        struct span *s;
        while ((s = queue_pop(p)))
            span_release(s);
        /* A parent producer caught mid-push left a claimed cell that is never
         * published here (its span is lost to this process): start the ring anew. */
        ring_reset(&p->ring);
        overflow_reset(&p->overflow);
        for (size_t i = atomic_load(&p->batch_len); i > 0; i--)
            span_release(p->batch[i - 1]);
        atomic_store(&p->batch_len, 0);
        /* Before the counters are zeroed: giving the lanes' batches back settles them. */
        for (struct lane *l = p->lanes; l; l = l->next)
            lane_after_fork_child(l);
        /* Made anew, not destroyed: a thread of the parent that was waiting on it (in a
         * flush) does not exist here, and destroying a condition that still counts it
         * as a waiter blocks forever. */
        cond_init_monotonic(&p->changed);
        p->thread_started = p->thread_exited = false;
        atomic_store(&p->mode, AWAKE);
        atomic_store(&p->stop, false);
        atomic_store(&p->buffered_bytes, 0);
        atomic_store(&p->flush_requested, 0);
        p->flush_done = 0;
        atomic_store(&p->exported, 0);
        atomic_store(&p->export_failed, 0);
        atomic_store(&p->rejected, 0);
        atomic_store(&p->no_exporter, 0);
        atomic_store(&p->batches, 0);
        atomic_store(&p->shutdown_leftovers, 0);
        atomic_store(&p->dropped_values, 0);
        atomic_store(&p->spooled, 0);
        atomic_store(&p->thread_wakeups, 0);
        /* The parent's spool files and lock are the parent's (spool_lock.h). */
        for (struct lane *l = p->lanes; l; l = l->next)
            if (l->spool)
                spool_after_fork_child(l->spool);
        atomic_store(&p->warned_drop, false);
        epoch_after_fork_child(&p->sink.rules_epoch);
        for (int i = 0; i < SHARDS; i++) {
            struct shard *sh = &p->shards[i];
            /* live stays: spans open in the forking thread may still end here. */
            atomic_store(&sh->started, 0);
            atomic_store(&sh->ended, 0);
            atomic_store(&sh->start_failures, 0);
            atomic_store(&sh->dropped_queue_full, 0);
            atomic_store(&sh->dropped_buffer_full, 0);
            atomic_store(&sh->dropped_shutdown, 0);
            atomic_store(&sh->sampled_out, 0);
            atomic_store(&sh->below_cost_threshold, 0);
        }
        for (genops_exporter *e = p->exporters; e; e = e->next)
            if (e->ops->after_fork)
                e->ops->after_fork(e);
        pthread_mutex_unlock(&p->lock);
    }
    pthread_mutex_unlock(&registry_lock);
}

/* At exit, give every pipeline its bounded exit flush. Nothing is freed: other threads
 * may still be running, and the process is going away. */
static void exit_flush(void)
{
    pthread_mutex_lock(&registry_lock);
    for (genops_pipeline *p = live_pipelines; p; p = p->next) {
        genops_error err;
        /* What the deadline leaves undelivered is said here: nothing counts it later. */
        if (p->exit_flush_ms > 0 && atomic_load(&p->state) == RUNNING &&
            genops_pipeline_flush(p, p->exit_flush_ms, &err) == GENOPS_ETIMEDOUT)
            log_msg(LOG_WARNING, "exit flush: %s; the process exits without them", err.message);
    }
    pthread_mutex_unlock(&registry_lock);
}

__attribute__((constructor)) static void register_fork_hooks(void)
{
    static const struct fork_hooks hooks = {fork_prepare, fork_parent, fork_child};
    fork_hooks_register(FORK_RANK_PIPELINES, &hooks);
}

static void install_exit_flush(void)
{
    atexit(exit_flush);
}

/* ---- the export thread -------------------------------------------------------- */

static genops_status start_thread(genops_pipeline *p, genops_error *err)
{
    sigset_t all, old;
    sigfillset(&all);
    /* The thread inherits a blocked signal mask: signals go to application threads. */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&p->thread, NULL, export_main, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc)
        return error_set(err, GENOPS_ENOMEM, "cannot start the export thread: %s", strerror(rc));
    p->thread_started = true;
    p->thread_exited = false;
    p->thread_fork_gen = atomic_load(&fork_gen);
    return GENOPS_OK;
}

/* In a forked child the thread does not exist yet: start it on first use. */
static void ensure_thread(genops_pipeline *p)
{
    if (p->thread_fork_gen == atomic_load_explicit(&fork_gen, memory_order_relaxed) &&
        p->thread_started)
        return;
    pthread_mutex_lock(&p->lock);
    if ((!p->thread_started || p->thread_fork_gen != atomic_load(&fork_gen)) &&
        atomic_load(&p->state) != STOPPED)
        start_thread(p, NULL);
    pthread_mutex_unlock(&p->lock);
}

/* The last lane done with a batch: count each span exactly once (exported when every
 * exporter delivered it, else rejected, dropped at shutdown or failed) and give the
 * spans back. */
static void settle_fanout(struct fanout *f)
{
    genops_pipeline *p = f->owner;
    uint64_t delivered = atomic_load(&f->delivered), rejected = atomic_load(&f->rejected);
    if (rejected > f->n - delivered)
        rejected = f->n - delivered;
    uint64_t rest = f->n - delivered - rejected;
    /* Lanes count what they spooled as delivered in the minimum: take it back out. */
    uint64_t spooled = atomic_load(&f->spooled);
    if (spooled > delivered)
        spooled = delivered;
    delivered -= spooled;
    atomic_fetch_add(&p->spooled, spooled);
    atomic_fetch_add(&p->exported, delivered);
    atomic_fetch_add(&p->rejected, rejected);
    atomic_fetch_add(atomic_load(&f->shutdown) ? &p->shutdown_leftovers : &p->export_failed, rest);
    atomic_fetch_add(&p->batches, 1);
    span_release_batch(f->spans, f->n);
    atomic_fetch_sub(&p->buffered_bytes, f->bytes);
    free(f);
}

/* A lane went idle (a flush may be waiting for it) or its thread exited. */
static void lane_notify(void *ctx, struct lane *l, bool exited)
{
    genops_pipeline *p = ctx;
    if (exited) {
        pthread_mutex_lock(&p->lock);
        l->thread_exited = true;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    } else {
        wake_thread(p);
    }
}

static bool lanes_idle(genops_pipeline *p)
{
    for (struct lane *l = atomic_load(&p->lanes); l; l = atomic_load(&l->next))
        if (!lane_idle(l))
            return false;
    return true;
}

static void note_first_drop(genops_pipeline *p, const char *why)
{
    if (!atomic_load_explicit(&p->warned_drop, memory_order_relaxed) &&
        !atomic_exchange(&p->warned_drop, true))
        log_msg(LOG_WARNING, "dropping spans: %s (further drops are summarised once a minute)",
                why);
}

/* Pop up to one batch and hand it to every exporter's lane; the spans go back to the
 * pool when the last lane is done with them (settle_fanout). Returns how many. */
static size_t export_some(genops_pipeline *p)
{
    size_t n = 0;
    struct span *s;

    /* batch_len follows every pop, so that a fork() at any point leaves the child
     * knowing exactly which spans are still in hand. */
    while (n < p->batch_size && (s = queue_pop(p))) {
        p->batch[n++] = s;
        atomic_store_explicit(&p->batch_len, n, memory_order_relaxed);
    }
    if (!n)
        return 0;
    uint64_t bytes = 0;
    /* compact reads a span's log and keys, cold by now (span_prefetch_*); a log that
     * needs no compaction is left for the encoders, which prefetch it themselves. */
    const size_t attrs_ahead = 4, slot_ahead = 2 * attrs_ahead;
    for (size_t i = 0; i < n; i++) {
        if (i + slot_ahead < n)
            span_prefetch_slot(p->batch[i + slot_ahead]);
        if (i + attrs_ahead < n && span_log_needs_compact(p->batch[i + attrs_ahead]))
            span_prefetch_attrs(p->batch[i + attrs_ahead]);
        span_materialize(p->batch[i]);
        bytes += p->batch[i]->queued_bytes;
    }
    /* acquire: pairs with the release in genops_pipeline_add_exporter. */
    unsigned lanes = atomic_load_explicit(&p->lane_count, memory_order_acquire);
    struct fanout *f = lanes ? malloc(sizeof *f + n * sizeof(struct span *)) : NULL;
    if (!f) {
        atomic_fetch_add(lanes ? &p->export_failed : &p->no_exporter, n);
        atomic_store_explicit(&p->batch_len, 0, memory_order_relaxed);
        span_release_batch(p->batch, n);
        atomic_fetch_sub(&p->buffered_bytes, bytes);
        return n;
    }
    memcpy(f->spans, p->batch, n * sizeof(struct span *));
    f->n = n;
    f->bytes = bytes;
    f->owner = p;
    f->settle = settle_fanout;
    atomic_init(&f->delivered, n);
    atomic_init(&f->rejected, 0);
    atomic_init(&f->shutdown, false);
    atomic_init(&f->spooled, 0);
    /* One reference per lane and one for this loop, so that no lane settles f before
     * every lane has it. A fork() from here on may leak this batch in the child, never
     * release it twice. */
    atomic_init(&f->refs, lanes + 1);
    atomic_store_explicit(&p->batch_len, 0, memory_order_relaxed);
    /* Each lane's waiting batches are bounded like the queue itself (max_queue_size
     * spans, when set; the lanes share the spans) and by a fair share of
     * max_buffer_bytes. */
    uint64_t share = p->max_bytes / lanes;
    size_t share_spans = p->elastic ? SIZE_MAX : ring_capacity(&p->ring);
    unsigned offered = 0;
    bool lane_dropped = false;
    for (struct lane *l = atomic_load_explicit(&p->lanes, memory_order_acquire);
         l && offered < lanes; l = atomic_load_explicit(&l->next, memory_order_acquire)) {
        lane_dropped |= lane_offer(l, f, share, share_spans) > 0;
        offered++;
    }
    if (lane_dropped)
        note_first_drop(p, "the queue is full (max_queue_size; spans waiting for an exporter)");
    for (; offered < lanes; offered++)
        fanout_done(f, 0, 0, false);
    fanout_done(f, n, 0, false);
    return n;
}

/* Take every span still queued, count it as dropped by shutdown and return it to the
 * pool. Only the ring's consumer: the export thread, or shutdown once it has exited. */
static void drop_leftovers(genops_pipeline *p)
{
    struct span *s;
    uint64_t n = 0, bytes = 0;
    while ((s = queue_pop(p))) {
        bytes += s->queued_bytes;
        span_release(s);
        n++;
    }
    atomic_fetch_add(&p->shutdown_leftovers, n);
    atomic_fetch_sub(&p->buffered_bytes, bytes);
}

static uint64_t total_dropped(genops_pipeline *p)
{
    return SUM(p, dropped_queue_full) + SUM(p, dropped_buffer_full) + SUM(p, dropped_shutdown) +
           atomic_load(&p->export_failed) + atomic_load(&p->rejected) +
           atomic_load(&p->no_exporter);
}

static void log_stats_line(genops_pipeline *p)
{
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, NULL);
    log_msg(LOG_INFO,
            "stats: started=%llu ended=%llu exported=%llu dropped{queue_full=%llu "
            "buffer_full=%llu shutdown=%llu export_failed=%llu rejected=%llu "
            "no_exporter=%llu} sampled_out=%llu below_cost_threshold=%llu batches=%llu "
            "bytes_sent=%llu retries=%llu queue=%llu",
            (unsigned long long)st.spans_started, (unsigned long long)st.spans_ended,
            (unsigned long long)st.spans_exported, (unsigned long long)st.dropped_queue_full,
            (unsigned long long)st.dropped_buffer_full, (unsigned long long)st.dropped_shutdown,
            (unsigned long long)st.dropped_export_failed, (unsigned long long)st.dropped_rejected,
            (unsigned long long)st.dropped_no_exporter, (unsigned long long)st.sampled_out,
            (unsigned long long)st.below_cost_threshold, (unsigned long long)st.batches,
            (unsigned long long)st.bytes_sent, (unsigned long long)st.retries,
            (unsigned long long)st.queue_depth);
}

static void *export_main(void *arg)
{
    genops_pipeline *p = arg;
    uint64_t first_seen = 0; /* when the export thread first saw the queue non-empty */
    uint64_t flush_seen = 0;
    uint64_t last_summary = clock_mono_ns(), dropped_at_summary = 0, last_stats_log = 0;
    uint64_t taken = 0;        /* spans this thread popped */
    uint64_t seen_arrived = 0; /* spans queued or popped when it last looked, at seen_at */
    uint64_t seen_at = 0, poll_until = 0;

    /* Stopping does not drain the queue: shutdown's flush did that within its
     * deadline, and whatever is left is counted as dropped by shutdown. */
    while (!atomic_load(&p->stop)) {
        uint64_t flush_target = atomic_load(&p->flush_requested);
        size_t queued = queue_count(p);
        uint64_t now = clock_mono_ns();

        if (queued && !first_seen)
            first_seen = now;
        bool flushing = flush_target != flush_seen;
        if (queued && (queued >= p->batch_size || now - first_seen >= p->delay_ns || flushing)) {
            /* seq_cst, then re-check stop: shutdown sets stop, then reads exporting, so
             * either we see stop here or it sees us busy and keeps to its deadline. */
            atomic_store(&p->exporting, true);
            if (atomic_load(&p->stop)) {
                atomic_store(&p->exporting, false);
                break;
            }
            size_t n = export_some(p);
            taken += n;
            atomic_store(&p->exporting, false);
            if (n == 0)
                sched_yield(); /* a producer claimed a cell but has not published it */
            first_seen = queue_count(p) ? clock_mono_ns() : 0;
            continue;
        }
        if (!queued && flush_target != flush_seen && lanes_idle(p)) {
            pthread_mutex_lock(&p->lock);
            p->flush_done = flush_seen = flush_target;
            pthread_cond_broadcast(&p->changed);
            pthread_mutex_unlock(&p->lock);
            continue;
        }

        /* Periodic lines: a drop summary at most once a minute, stats when asked. */
        uint64_t dropped = total_dropped(p);
        if (dropped != dropped_at_summary && now - last_summary >= DROP_SUMMARY_INTERVAL_NS) {
            log_msg(LOG_WARNING,
                    "%llu spans dropped in the last minute (genops_pipeline_stats "
                    "has the reasons)",
                    (unsigned long long)(dropped - dropped_at_summary));
            dropped_at_summary = dropped;
            last_summary = now;
        }
        int stats_ms = atomic_load(&p->stats_interval_ms);
        if (stats_ms > 0 && now - last_stats_log >= (uint64_t)stats_ms * 1000000u) {
            log_stats_line(p);
            last_stats_log = now;
        }

        uint64_t timeout = queued ? first_seen + p->delay_ns - now : 0;
        if (stats_ms > 0 && (!timeout || timeout > (uint64_t)stats_ms * 1000000u))
            timeout = (uint64_t)stats_ms * 1000000u;
        if (dropped != dropped_at_summary && (!timeout || timeout > DROP_SUMMARY_INTERVAL_NS))
            timeout = DROP_SUMMARY_INTERVAL_NS;
        uint32_t mode = queued ? TIMED : IDLE;
        uint64_t arrived = taken + queued;
        if (arrived == seen_arrived && now < poll_until) {
            /* Woken early with nothing new (a producer's late futex wake, a flush):
             * keep the schedule. */
            mode = POLLING;
            timeout = poll_until - now;
        } else {
            if (arrived > seen_arrived && seen_at && now > seen_at) {
                /* Spans are flowing: sleep until they should fill a batch at the rate
                 * they came since the thread last looked, with no producer's wake-up
                 * unless they outrun that (POLLING: the ring past its high-water mark). */
                double fill = (double)(p->batch_size - queued) * (double)(now - seen_at) /
                              (double)(arrived - seen_arrived);
                uint64_t poll = fill < MIN_POLL_NS ? MIN_POLL_NS : (uint64_t)fill;
                if (!timeout || poll < timeout) {
                    mode = POLLING;
                    timeout = poll;
                }
            }
            seen_arrived = arrived;
            seen_at = now;
            poll_until = mode == POLLING ? now + timeout : 0;
        }
        atomic_store(&p->mode, mode); /* seq_cst: see the file comment */
        /* A flush waiting for busy lanes sleeps too: a lane going idle wakes it. */
        if (queue_count(p) == queued && atomic_load(&p->flush_requested) == flush_target &&
            !atomic_load(&p->stop) && !(flushing && !queued && lanes_idle(p)))
            futex_wait(&p->mode, mode, timeout);
        atomic_store(&p->mode, AWAKE);
    }

    /* Whatever is still queued missed shutdown's deadline (an exporter held the thread
     * past it): this thread is the ring's only consumer, so it counts them here. */
    drop_leftovers(p);
    pthread_mutex_lock(&p->lock);
    p->thread_exited = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- the span sink: what spans call -------------------------------------------- */

/* Queue s: into the ring, or past a full one when the queue is elastic. */
static bool enqueue(genops_pipeline *p, struct span *s)
{
    if (ring_push(&p->ring, s))
        return true;
    if (!p->elastic)
        return false;
    overflow_push(&p->overflow, s);
    return true;
}

static genops_pipeline *pipeline_of(struct span_sink *sink)
{
    return (genops_pipeline *)(void *)sink;
}

static bool sink_begin(struct span_sink *sink)
{
    genops_pipeline *p = pipeline_of(sink);
    struct shard *sh = shard_of_thread(p);
    /* seq_cst pair with retire's store of state and sum of live (Dekker): either we
     * see the pipeline stopping, or it sees our span. */
    atomic_fetch_add(&sh->live, 1);
    if (atomic_load(&p->state) != RUNNING) {
        atomic_fetch_add_explicit(&sh->start_failures, 1, memory_order_relaxed);
        atomic_fetch_sub(&sh->live, 1);
        return false;
    }
    atomic_fetch_add_explicit(&sh->started, 1, memory_order_relaxed);
    return true;
}

static void sink_abandon(struct span_sink *sink)
{
    genops_pipeline *p = pipeline_of(sink);
    struct shard *sh = shard_of_thread(p);
    atomic_fetch_sub_explicit(&sh->started, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sh->start_failures, 1, memory_order_relaxed);
    atomic_fetch_sub(&sh->live, 1);
}

/* A span ended on a freed pipeline: nowhere to export it. Counted process-wide, so the
 * pipeline that replaced this one shows it, and logged once per freed pipeline. */
static void note_orphan(genops_pipeline *p)
{
    atomic_fetch_add_explicit(&ended_after_free, 1, memory_order_relaxed);
    if (!atomic_load_explicit(&p->warned_freed, memory_order_relaxed) &&
        !atomic_exchange(&p->warned_freed, true))
        log_msg(LOG_WARNING,
                "a span started before its pipeline was freed (replaced, e.g. by init() again) "
                "ended after it and is dropped; such spans are counted in "
                "dropped_pipeline_freed (end spans before replacing the pipeline)");
}

static void sink_submit(struct span_sink *sink, struct span *s)
{
    genops_pipeline *p = pipeline_of(sink);
    struct shard *sh = shard_of_thread(p);
    atomic_fetch_add_explicit(&sh->ended, 1, memory_order_relaxed);

    /* The common path (sampled at 1, no cost floor) pays these two tests and nothing
     * else; the verdict reads a few attributes through the span's key filter. */
    enum sample_verdict verdict = SAMPLE_EXPORT;
    if (s->sample_rate != 1 ||
        atomic_load_explicit(&p->thresholds.min_cost, memory_order_relaxed) > 0)
        verdict = sampler_verdict(&p->thresholds, s);
    if (verdict != SAMPLE_EXPORT) {
        /* Recorded, never queued: left out by head sampling or the cost floor. */
        atomic_fetch_add_explicit(verdict == SAMPLE_OUT ? &sh->sampled_out
                                                        : &sh->below_cost_threshold,
                                  1, memory_order_relaxed);
        span_release(s);
        atomic_fetch_sub(&sh->live, 1);
        return;
    }
    if (s->sample_rate > 1) {
        genops_value rate = {.type = GENOPS_TYPE_INT, .u.i = s->sample_rate};
        span_put_fixed(s, SEMCONV_KEY(SAMPLE_RATE), &rate, NULL);
    }
    atomic_uint_least64_t *dropped = NULL;
    const char *why = NULL;
    s->queued_bytes = span_bytes(s);
    if (atomic_load_explicit(&p->state, memory_order_relaxed) != RUNNING) {
        dropped = &sh->dropped_shutdown; /* checked first: no thread start, no lock */
        if (atomic_load(&p->freed))
            note_orphan(p);
    } else {
        ensure_thread(p);
        if (atomic_fetch_add_explicit(&p->buffered_bytes, s->queued_bytes, memory_order_relaxed) +
                s->queued_bytes >
            p->max_bytes) {
            atomic_fetch_sub_explicit(&p->buffered_bytes, s->queued_bytes, memory_order_relaxed);
            dropped = &sh->dropped_buffer_full;
            why = "max_buffer_bytes reached";
        } else if (!enqueue(p, s)) {
            atomic_fetch_sub_explicit(&p->buffered_bytes, s->queued_bytes, memory_order_relaxed);
            dropped = &sh->dropped_queue_full;
            why = "the queue is full (max_queue_size)";
        } else {
            /* The overflow fills only past a full ring: ring_count tells every mode. */
            uint32_t mode = atomic_load(&p->mode);
            if ((mode == IDLE || (mode == TIMED && ring_count(&p->ring) >= p->batch_size) ||
                 (mode == POLLING && ring_count(&p->ring) >= p->high_water)) &&
                atomic_compare_exchange_strong(&p->mode, &mode, AWAKE)) {
                futex_wake(&p->mode);
                atomic_fetch_add_explicit(&p->thread_wakeups, 1, memory_order_relaxed);
            }
        }
    }
    if (dropped) {
        atomic_fetch_add_explicit(dropped, 1, memory_order_relaxed);
        if (why)
            note_first_drop(p, why);
        span_release(s);
    }
    atomic_fetch_sub(&sh->live, 1); /* the last touch of p: see the file comment */
}

/* Values a binding dropped before they reached a span (rare: one atomic add on a
 * counter that is not sharded). */
static void sink_dropped_values(struct span_sink *sink, uint32_t n)
{
    atomic_fetch_add_explicit(&pipeline_of(sink)->dropped_values, n, memory_order_relaxed);
}

static const struct span_sink_ops sink_ops = {sink_begin, sink_submit, sink_abandon,
                                              sink_dropped_values};

/* ---- public API --------------------------------------------------------------- */

void genops_pipeline_options_init(genops_pipeline_options *opt)
{
    if (opt) {
        memset(opt, 0, sizeof *opt);
        opt->struct_size = sizeof *opt;
    }
}

/* The options the caller's struct has room for; the rest stay zero (= default). */
static genops_status read_options(const genops_pipeline_options *in, genops_pipeline_options *out,
                                  genops_error *err)
{
    genops_pipeline_options_init(out);
    if (!in)
        return GENOPS_OK;
    if (in->struct_size < offsetof(genops_pipeline_options, service_name) ||
        in->struct_size > sizeof *out)
        return error_set(err, GENOPS_EINVAL,
                         "genops_pipeline_options.struct_size is %zu; initialise it with "
                         "genops_pipeline_options_init",
                         in->struct_size);
    memcpy(out, in, in->struct_size);
    return GENOPS_OK;
}

static const char *const fsync_names[] = {"never", "segment", "always"};

/* spool_dir (else GENOPS_SPOOL_DIR) and its settings. The directory is locked when the
 * first exporter that spools is added (open_spool), so that a pipeline without one (a
 * binding's default pipeline) never holds it. */
static genops_status configure_spool(genops_pipeline *p, const genops_pipeline_options *o,
                                     genops_error *err)
{
    const char *dir =
        o->spool_dir && o->spool_dir[0] ? o->spool_dir : config_str("GENOPS_SPOOL_DIR");
    if (!dir)
        return GENOPS_OK;
    uint32_t mb;
    genops_status rc =
        config_u32_soft(0, "GENOPS_SPOOL_MAX_MB", DEFAULT_SPOOL_MAX_MB, 1, 1u << 24, &mb, err);
    if (rc)
        return rc;
    p->spool_opt.max_bytes = o->spool_max_bytes ? o->spool_max_bytes : (uint64_t)mb << 20;
    /* Segments of an eighth of the bound (1 MiB to 16 MiB): dropping the oldest for
     * room loses at most about an eighth, and a restart resends at most one segment. */
    uint64_t seg = p->spool_opt.max_bytes / 8;
    p->spool_opt.segment_bytes = seg < (1u << 20)    ? (1u << 20)
                                 : seg > (16u << 20) ? (16u << 20)
                                                     : seg;
    if ((unsigned)o->spool_fsync > GENOPS_SPOOL_FSYNC_ALWAYS)
        return error_set(err, GENOPS_EINVAL, "spool_fsync is %d; it must be a genops_spool_fsync",
                         (int)o->spool_fsync);
    p->spool_opt.fsync = o->spool_fsync ? o->spool_fsync : GENOPS_SPOOL_FSYNC_SEGMENT;
    const char *env = o->spool_fsync ? NULL : config_str("GENOPS_SPOOL_FSYNC");
    if (env) {
        size_t i = 0;
        while (i < 3 && strcasecmp(env, fsync_names[i]) != 0)
            i++;
        if (i < 3)
            p->spool_opt.fsync = (genops_spool_fsync)(i + 1);
        else
            log_msg(LOG_WARNING,
                    "GENOPS_SPOOL_FSYNC is not never, segment or always; using segment");
    }
    if (!(p->spool_dir = strdup(dir)))
        return error_set(err, GENOPS_ENOMEM, "out of memory");
    return GENOPS_OK;
}

static genops_status configure(genops_pipeline *p, const genops_pipeline_options *o,
                               genops_error *err)
{
    uint32_t queue, delay, timeout, batch;
    genops_status rc;

    if ((rc = config_u32_soft(o->max_queue_size, "OTEL_BSP_MAX_QUEUE_SIZE", ELASTIC_RING_SPANS, 1,
                              1u << 24, &queue, err)) ||
        (rc = config_ms_soft(o->schedule_delay_ms, "OTEL_BSP_SCHEDULE_DELAY", 5000,
                             24u * 3600 * 1000, &delay, err)) ||
        (rc = config_ms_soft(o->export_timeout_ms, "OTEL_BSP_EXPORT_TIMEOUT", 30000,
                             24u * 3600 * 1000, &timeout, err)) ||
        (rc = config_u32_soft(o->max_export_batch_size, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1,
                              1u << 24, &batch, err)))
        return rc;
    /* As the OpenTelemetry SDKs do: a batch never exceeds the queue. */
    p->batch_size = batch > queue ? queue : batch;
    p->delay_ns = (uint64_t)delay * 1000000u;
    p->export_timeout_ns = (uint64_t)timeout * 1000000u;
    p->max_bytes = o->max_buffer_bytes ? o->max_buffer_bytes : DEFAULT_MAX_BUFFER_BYTES;
    p->exit_flush_ms = o->exit_flush_timeout_ms == 0  ? DEFAULT_EXIT_FLUSH_MS
                       : o->exit_flush_timeout_ms < 0 ? -1
                                                      : o->exit_flush_timeout_ms;
    p->sink.limits.attributes = o->attribute_count_limit ? o->attribute_count_limit : 128;
    p->sink.limits.value_length =
        o->attribute_value_length_limit ? o->attribute_value_length_limit : UINT32_MAX;
    p->sink.limits.events = o->event_count_limit ? o->event_count_limit : 128;
    p->sink.limits.bytes = p->max_bytes;
    if ((rc = sampler_configure(&p->sink.sampler, o->sampler, o->sampler_ratio, err)))
        return rc;
    const char *derived = config_str("GENOPS_DERIVED_ATTRIBUTES");
    p->derived = !o->no_derived_attributes && !(derived && strcasecmp(derived, "false") == 0);
    const char *disabled = config_str("OTEL_SDK_DISABLED");
    p->disabled = disabled && strcasecmp(disabled, "true") == 0;
    if ((rc = configure_spool(p, o, err)))
        return rc;
    if (!ring_init(&p->ring, queue) || !(p->batch = calloc(p->batch_size, sizeof(struct span *))))
        return error_set(err, GENOPS_ENOMEM, "out of memory allocating the queue");
    /* Unset, max_queue_size is only the ring's size: the queue grows past it (the
     * overflow) within max_buffer_bytes rather than drop spans memory could hold. */
    p->elastic = !o->max_queue_size && !config_str("OTEL_BSP_MAX_QUEUE_SIZE");
    size_t half = ring_capacity(&p->ring) / 2;
    p->high_water = half > p->batch_size ? half : p->batch_size;
    return GENOPS_OK;
}

static void pipeline_destroy(genops_pipeline *p)
{
    struct span *s;
    while (p->ring.cells && (s = queue_pop(p)))
        span_release(s);
    genops_exporter *e = p->exporters;
    while (e) {
        genops_exporter *next = e->next;
        e->ops->destroy(e);
        e = next;
    }
    struct lane *l = p->lanes;
    while (l) {
        struct lane *next = l->next;
        spool_close(l->spool); /* after its exporter, which borrowed it */
        lane_destroy(l);
        free(l);
        l = next;
    }
    spool_unlock(p->spool_lock_fd);
    free(p->spool_dir);
    resource_free(&p->resource);
    sampling_rules_free(atomic_load(&p->sink.rules));
    ring_free(&p->ring);
    free(p->batch);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
}

genops_pipeline *genops_pipeline_new(const genops_pipeline_options *opt, genops_error *err)
{
    genops_pipeline_options o;
    if (read_options(opt, &o, err))
        return NULL;
    pthread_once(&exit_flush_once, install_exit_flush);

    genops_pipeline *p = calloc(1, sizeof *p);
    if (!p) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating a pipeline");
        return NULL;
    }
    p->sink.ops = &sink_ops;
    sampling_thresholds_init(&p->thresholds);
    p->spool_lock_fd = -1;
    cond_init_monotonic(&p->changed);
    pthread_mutex_init(&p->lock, NULL);
    if (configure(p, &o, err) || resource_build(&p->resource, &o, err)) {
        pipeline_destroy(p);
        return NULL;
    }
    pthread_mutex_lock(&p->lock);
    genops_status rc = start_thread(p, err);
    pthread_mutex_unlock(&p->lock);
    if (rc) {
        pipeline_destroy(p);
        return NULL;
    }
    pthread_mutex_lock(&registry_lock);
    p->next = live_pipelines;
    live_pipelines = p;
    pthread_mutex_unlock(&registry_lock);
    error_clear(err);
    return p;
}

/* The exporter's own spool: <spool_dir>/<position>-<kind>, so that the same setup
 * finds its requests again after a restart. None for an exporter that cannot spool. */
static genops_status open_spool(genops_pipeline *p, genops_exporter *e, struct spool **out,
                                genops_error *err)
{
    *out = NULL;
    if (!p->spool_dir || !e->ops->use_spool)
        return GENOPS_OK;
    pthread_mutex_lock(&p->lock);
    if (p->spool_lock_fd < 0)
        p->spool_lock_fd = spool_lock(p->spool_dir, err);
    bool locked = p->spool_lock_fd >= 0;
    pthread_mutex_unlock(&p->lock);
    if (!locked)
        return err && err->code ? err->code : GENOPS_EINVAL;
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s/%u-%s", p->spool_dir, atomic_load(&p->lane_count),
                 e->ops->kind) >= (int)sizeof dir)
        return error_set(err, GENOPS_EINVAL, "the spool directory's path is too long");
    return spool_open(out, dir, &p->spool_opt, err);
}

genops_status genops_pipeline_add_exporter(genops_pipeline *p, genops_exporter *e,
                                           genops_error *err)
{
    if (!p || !e)
        return error_set(err, GENOPS_EINVAL, "%s is NULL", p ? "exporter" : "pipeline");
    if (e->owned)
        return error_set(err, GENOPS_EINVAL, "exporter already belongs to a pipeline");
    if (atomic_load(&p->state) != RUNNING)
        return error_set(err, GENOPS_ESHUTDOWN, "pipeline is shut down");
    if (p->disabled) {
        /* As the OpenTelemetry SDKs do: nothing leaves the process; spans are counted. */
        log_msg(LOG_INFO, "OTEL_SDK_DISABLED=true: %s exporter not added", e->ops->kind);
        e->ops->destroy(e);
        return GENOPS_OK;
    }
    struct spool *spool = NULL;
    genops_status rc = open_spool(p, e, &spool, err);
    if (rc)
        return rc;
    struct lane *lane = malloc(sizeof *lane);
    if (!lane) {
        spool_close(spool);
        return error_set(err, GENOPS_ENOMEM, "out of memory adding an exporter");
    }
    lane_init(lane, e, &p->resource, p->derived, p->export_timeout_ns, lane_notify, p);
    if (spool) {
        lane->spool = spool;
        lane->backlog = spool_pending(spool);
        e->ops->use_spool(e, spool);
    }
    /* Appending while the export thread walks the lists: publish the nodes fully first. */
    pthread_mutex_lock(&p->lock);
    _Atomic(struct lane *) *lane_tail = &p->lanes;
    while (*lane_tail)
        lane_tail = &(*lane_tail)->next;
    atomic_store_explicit(lane_tail, lane, memory_order_release);
    atomic_fetch_add_explicit(&p->lane_count, 1, memory_order_release);
    e->next = NULL;
    e->owned = true;
    _Atomic(genops_exporter *) *tail = &p->exporters;
    while (*tail)
        tail = &(*tail)->next;
    atomic_store_explicit(tail, e, memory_order_release);
    pthread_mutex_unlock(&p->lock);
    if (lane->backlog)
        lane_start(lane); /* what an earlier process spooled goes out without new spans */
    return GENOPS_OK;
}

/* Spans an exporter still holds (waiting in its lane or in flight): the most of any
 * lane, as a span offered to several lanes is one span. */
static size_t at_exporters(genops_pipeline *p)
{
    size_t most = 0;
    for (struct lane *l = atomic_load_explicit(&p->lanes, memory_order_acquire); l;
         l = atomic_load_explicit(&l->next, memory_order_acquire)) {
        size_t n = lane_depth(l);
        most = n > most ? n : most;
    }
    return most;
}

/* Wait until the thread has finished flush request `target`, or the deadline. */
static genops_status wait_flushed(genops_pipeline *p, uint64_t target, uint64_t deadline_ns,
                                  genops_error *err)
{
    struct timespec ts = mono_deadline(deadline_ns);
    genops_status rc = GENOPS_OK;
    pthread_mutex_lock(&p->lock);
    while (p->flush_done < target && !p->thread_exited) {
        if (pthread_cond_timedwait(&p->changed, &p->lock, &ts) == ETIMEDOUT) {
            rc = error_set(err, GENOPS_ETIMEDOUT,
                           "flush did not finish before its deadline; %zu spans still "
                           "queued and %zu at an exporter (waiting or in flight)",
                           queue_count(p), at_exporters(p));
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

genops_status genops_pipeline_flush(genops_pipeline *p, genops_duration_ms timeout_ms,
                                    genops_error *err)
{
    if (!p)
        return error_set(err, GENOPS_EINVAL, "pipeline is NULL");
    if (atomic_load(&p->state) == STOPPED)
        return GENOPS_OK;
    pthread_mutex_lock(&p->lock);
    bool no_thread = !p->thread_started || p->thread_fork_gen != atomic_load(&fork_gen);
    pthread_mutex_unlock(&p->lock);
    if (no_thread && queue_count(p) == 0)
        return GENOPS_OK; /* a forked child that has ended nothing yet */
    ensure_thread(p);
    uint64_t deadline = deadline_after_ms(timeout_ms);
    uint64_t target = atomic_fetch_add(&p->flush_requested, 1) + 1;
    wake_thread(p);
    genops_status rc = wait_flushed(p, target, deadline, err);
    if (!rc)
        error_clear(err);
    return rc;
}

genops_status genops_pipeline_shutdown(genops_pipeline *p, genops_duration_ms timeout_ms,
                                       genops_error *err)
{
    if (!p)
        return error_set(err, GENOPS_EINVAL, "pipeline is NULL");
    int expected = RUNNING;
    if (!atomic_compare_exchange_strong(&p->state, &expected, STOPPING))
        return GENOPS_OK;
    uint64_t deadline = deadline_after_ms(timeout_ms);
    genops_status rc = GENOPS_OK;
    if (timeout_ms > 0)
        rc = genops_pipeline_flush(p, timeout_ms, err);
    atomic_store(&p->state, STOPPED);
    atomic_store(&p->stop, true);
    wake_thread(p);

    /* A thread that is not inside an exporter stops at once: wait for it whatever the
     * deadline (a second at most, as a guard). One inside an exporter is waited for until
     * the deadline only. */
    struct timespec ts = mono_deadline(deadline);
    struct timespec guard = mono_deadline(clock_mono_ns() + 1000000000u);
    pthread_mutex_lock(&p->lock);
    bool started = p->thread_started && p->thread_fork_gen == atomic_load(&fork_gen);
    while (started && !p->thread_exited) {
        bool busy = atomic_load(&p->exporting);
        if (pthread_cond_timedwait(&p->changed, &p->lock, busy ? &ts : &guard) == ETIMEDOUT)
            break;
    }
    bool exited = !started || p->thread_exited;
    pthread_mutex_unlock(&p->lock);
    if (started && exited) {
        pthread_join(p->thread, NULL);
        pthread_mutex_lock(&p->lock);
        p->thread_started = false;
        pthread_mutex_unlock(&p->lock);
    }
    if (exited) {
        /* Spans ended after the thread's last look: counted and returned the same way. */
        drop_leftovers(p);
    }
    /* Then the lanes, each the same way: one idle stops at once, one inside its exporter
     * is waited for until the deadline only. */
    for (struct lane *l = p->lanes; l; l = l->next)
        lane_stop(l);
    bool lanes_exited = true;
    pthread_mutex_lock(&p->lock);
    for (struct lane *l = p->lanes; l; l = l->next) {
        while (l->thread_started && !l->thread_exited) {
            struct timespec *until = lane_exporting(l) ? &ts : &guard;
            if (pthread_cond_timedwait(&p->changed, &p->lock, until) == ETIMEDOUT)
                break;
        }
        if (l->thread_started && l->thread_exited) {
            pthread_join(l->thread, NULL);
            l->thread_started = false;
        } else if (l->thread_started) {
            lanes_exited = false;
        }
    }
    pthread_mutex_unlock(&p->lock);
    if ((!exited || !lanes_exited) && !rc) {
        rc = error_set(err, GENOPS_ETIMEDOUT,
                       "an exporter is still busy at the shutdown "
                       "deadline; it stops at its own export timeout");
    }
    return rc;
}

/* Free retired pipelines that nothing can reach any more. Registry lock held. */
static void reclaim_retired(void)
{
    genops_pipeline **link = &retired;
    while (*link) {
        genops_pipeline *p = *link;
        pthread_mutex_lock(&p->lock);
        bool thread_done =
            !p->thread_started || p->thread_exited || p->thread_fork_gen != atomic_load(&fork_gen);
        for (struct lane *l = p->lanes; l; l = l->next)
            thread_done = thread_done && (!l->detached || l->thread_exited);
        pthread_mutex_unlock(&p->lock);
        if (thread_done && live_spans(p) == 0) {
            *link = p->next;
            pipeline_destroy(p);
        } else {
            link = &p->next;
        }
    }
}

void genops_pipeline_free(genops_pipeline *p)
{
    if (!p)
        return;
    atomic_store(&p->freed, true);
    genops_pipeline_shutdown(p, p->exit_flush_ms > 0 ? p->exit_flush_ms : 0, NULL);
    pthread_mutex_lock(&registry_lock);
    for (genops_pipeline **link = &live_pipelines; *link; link = &(*link)->next) {
        if (*link == p) {
            *link = p->next;
            break;
        }
    }
    pthread_mutex_lock(&p->lock);
    bool started = p->thread_started && p->thread_fork_gen == atomic_load(&fork_gen);
    bool exited = p->thread_exited;
    for (struct lane *l = p->lanes; l; l = l->next) {
        if (!l->thread_started)
            continue;
        if (l->thread_exited) {
            pthread_join(l->thread, NULL); /* exited since shutdown stopped waiting */
        } else {
            pthread_detach(l->thread); /* stuck in its exporter: reclaimed after it exits */
            l->detached = true;
        }
        l->thread_started = false;
    }
    pthread_mutex_unlock(&p->lock);
    if (started && exited) {
        pthread_join(p->thread, NULL); /* finished since shutdown gave up on it */
    } else if (started) {
        /* Stuck in an exporter past the deadline: it finishes on its own (bounded by
         * the export timeout) and the pipeline is reclaimed after that. */
        pthread_detach(p->thread);
    }
    p->next = retired;
    retired = p;
    reclaim_retired();
    pthread_mutex_unlock(&registry_lock);
}

/* A stats struct's struct_size: at least its own field, at most the full struct. */
static genops_status check_struct_size(size_t size, size_t full, const char *type,
                                       genops_error *err)
{
    if (size < sizeof(size_t) || size > full)
        return error_set(err, GENOPS_EINVAL, "%s.struct_size is %zu; set it to sizeof(%s)", type,
                         size, type);
    return GENOPS_OK;
}

genops_status genops_pipeline_stats(genops_pipeline *p, genops_stats *out, genops_error *err)
{
    if (!p || !out)
        return error_set(err, GENOPS_EINVAL, "%s is NULL", p ? "out" : "pipeline");
    size_t size = out->struct_size;
    genops_status rc = check_struct_size(size, sizeof *out, "genops_stats", err);
    if (rc)
        return rc;
    genops_stats st = {.struct_size = size};
    st.spans_started = SUM(p, started);
    st.spans_ended = SUM(p, ended);
    st.start_failures = SUM(p, start_failures);
    st.dropped_queue_full = SUM(p, dropped_queue_full);
    st.dropped_buffer_full = SUM(p, dropped_buffer_full);
    st.dropped_shutdown = SUM(p, dropped_shutdown) + atomic_load(&p->shutdown_leftovers);
    st.spans_exported = atomic_load(&p->exported);
    st.dropped_export_failed = atomic_load(&p->export_failed);
    st.dropped_rejected = atomic_load(&p->rejected);
    st.dropped_no_exporter = atomic_load(&p->no_exporter);
    st.batches = atomic_load(&p->batches);
    /* What went on the wire and the retries are each exporter's: the lanes' sums. */
    for (struct lane *l = atomic_load(&p->lanes); l; l = atomic_load(&l->next)) {
        st.bytes_sent += atomic_load(&l->stats.bytes_sent);
        st.retries += atomic_load(&l->stats.retries);
        if (l->spool) {
            const struct spool_stats *ss = &l->spool->stats;
            st.spool_replayed += atomic_load(&ss->replayed);
            st.spool_rejected += atomic_load(&ss->rejected);
            st.spool_dropped += atomic_load(&ss->dropped);
            st.spool_corrupt += atomic_load(&ss->corrupt);
            st.spool_corrupt_tails += atomic_load(&ss->corrupt_tails);
            st.spool_write_failed += atomic_load(&ss->write_failed);
            st.spool_bytes += atomic_load(&ss->bytes);
            st.spool_pending += atomic_load(&ss->pending);
        }
    }
    st.spans_spooled = atomic_load(&p->spooled);
    st.queue_depth = queue_count(p);
    st.buffered_bytes = atomic_load(&p->buffered_bytes);
    st.dropped_attribute_values = atomic_load(&p->dropped_values);
    st.sampled_out = SUM(p, sampled_out);
    st.below_cost_threshold = SUM(p, below_cost_threshold);
    st.dropped_pipeline_freed = atomic_load(&ended_after_free);
    st.thread_wakeups = atomic_load(&p->thread_wakeups);
    memcpy(out, &st, size);
    return GENOPS_OK;
}

size_t genops_pipeline_exporter_count(genops_pipeline *p)
{
    return p ? atomic_load_explicit(&p->lane_count, memory_order_acquire) : 0;
}

genops_status genops_pipeline_exporter_stats(genops_pipeline *p, size_t index,
                                             genops_exporter_stats *out, genops_error *err)
{
    if (!p || !out)
        return error_set(err, GENOPS_EINVAL, "%s is NULL", p ? "out" : "pipeline");
    size_t size = out->struct_size;
    genops_status rc = check_struct_size(size, sizeof *out, "genops_exporter_stats", err);
    if (rc)
        return rc;
    size_t count = genops_pipeline_exporter_count(p);
    struct lane *l = atomic_load_explicit(&p->lanes, memory_order_acquire);
    for (size_t i = 0; l && i < index && i < count; i++)
        l = atomic_load_explicit(&l->next, memory_order_acquire);
    if (!l || index >= count)
        return error_set(err, GENOPS_EINVAL, "exporter index %zu: the pipeline has %zu", index,
                         count);
    genops_exporter_stats st = {.struct_size = size};
    lane_stats_read(l, &st);
    memcpy(out, &st, size);
    return GENOPS_OK;
}

genops_status genops_pipeline_set_sampling_thresholds(genops_pipeline *p,
                                                      double keep_budget_utilization,
                                                      double keep_cost, double min_cost,
                                                      genops_error *err)
{
    if (!p)
        return error_set(err, GENOPS_EINVAL, "pipeline is NULL");
    const double values[] = {keep_budget_utilization, keep_cost, min_cost};
    static const char *const names[] = {"keep_budget_utilization", "keep_cost", "min_cost"};
    for (int i = 0; i < 3; i++)
        if (!(values[i] >= 0)) /* NaN fails too */
            return error_set(err, GENOPS_EINVAL, "%s must be a number >= 0", names[i]);
    atomic_store_explicit(&p->thresholds.keep_budget_utilization, keep_budget_utilization,
                          memory_order_relaxed);
    atomic_store_explicit(&p->thresholds.keep_cost, keep_cost, memory_order_relaxed);
    atomic_store_explicit(&p->thresholds.min_cost, min_cost, memory_order_relaxed);
    return GENOPS_OK;
}

genops_status genops_pipeline_set_sampling_rules(genops_pipeline *p, const char *rules_json,
                                                 genops_error *err)
{
    if (!p)
        return error_set(err, GENOPS_EINVAL, "pipeline is NULL");
    struct sampling_rules *next;
    genops_status rc = sampling_rules_read(rules_json, &next, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&p->lock); /* writers take turns (epoch.h) */
    struct sampling_rules *old = atomic_exchange(&p->sink.rules, next);
    epoch_synchronize(&p->sink.rules_epoch);
    pthread_mutex_unlock(&p->lock);
    sampling_rules_free(old);
    return GENOPS_OK;
}

genops_status genops_pipeline_log_stats(genops_pipeline *p, genops_duration_ms interval_ms,
                                        genops_error *err)
{
    if (!p)
        return error_set(err, GENOPS_EINVAL, "pipeline is NULL");
    if (interval_ms < 0)
        return error_set(err, GENOPS_EINVAL, "interval_ms is negative");
    atomic_store(&p->stats_interval_ms, interval_ms);
    wake_thread(p);
    return GENOPS_OK;
}
