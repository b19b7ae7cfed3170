/* lane.h - one exporter's own thread, queue of batches, in-flight batch and counters.
 *
 * The export thread pops a batch from the ring and hands the same read-only batch (a
 * fanout) to every exporter's lane. Each lane exports on its own thread with its own
 * deadline, retries and queue, so a dead, slow or hostile backend holds up only its own
 * lane. The last lane done with a fanout settles it (the pipeline counts each span once
 * and returns the spans to the pool). A lane's queue is bounded by a number of batches
 * and by its share of max_buffer_bytes: over either, its oldest batch is dropped and
 * counted (dropped_share), so a stuck lane can never hold more than its share.
 *
 * Locking: a lane's lock guards its queue, its in-flight batch and the settling of a
 * fanout, so a fork() (which takes every lane lock, after the pipeline's) sees each
 * fanout either queued, in flight or settled, never half-way. */
#ifndef GENOPS_LANE_H
#define GENOPS_LANE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "exporter.h"

#define LANE_DEPTH 64 /* batches a lane may hold queued */

struct fanout {
    atomic_uint refs;                 /* lanes (and the dispatcher) still holding it */
    atomic_uint_least64_t delivered;  /* the fewest any lane delivered */
    atomic_uint_least64_t rejected;   /* the most any lane saw refused */
    atomic_bool shutdown;             /* a lane dropped it at shutdown */
    atomic_uint_least64_t spooled;    /* the most any lane wrote to its spool */
    void (*settle)(struct fanout *f); /* the last reference: count, release, free */
    void *owner;
    uint64_t bytes; /* the spans' queued bytes */
    size_t n;
    struct span *spans[];
};

/* Drop one reference with one lane's outcome; the last one settles f. */
void fanout_done(struct fanout *f, uint64_t delivered, uint64_t rejected, bool shutdown);

struct lane_stats {
    atomic_uint_least64_t exported, failed, rejected, dropped_share, dropped_shutdown, retries,
        bytes_sent, batches, spooled;
    _Atomic int last_status; /* of the last failed export */
    atomic_uint_least64_t last_error_unix_ns;
    char last_error[GENOPS_ERROR_MESSAGE_SIZE]; /* its words; under the lane's lock */
};

struct lane {
    genops_exporter *e;
    const struct resource *resource;
    bool derived;
    uint64_t timeout_ns;
    /* Called after the lane went idle or its thread exited (without the lane lock). */
    void (*notify)(void *ctx, struct lane *l, bool exited);
    void *ctx;

    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct fanout *queue[LANE_DEPTH];
    unsigned head, count;
    uint64_t queued_bytes;
    size_t queued_spans;
    /* With a spool, the oldest `to_spool` queued batches are past the lane's share: its
     * thread writes them to the spool without trying the backend. They no longer count
     * against the share (the pipeline's max_buffer_bytes still bounds them). */
    unsigned to_spool;
    uint64_t to_spool_bytes;
    size_t to_spool_spans;
    struct fanout *inflight;
    bool stop;
    bool thread_started; /* in this process */
    bool thread_exited;  /* written by notify's owner under its own lock */
    bool detached;       /* left running past shutdown's deadline */
    pthread_t thread;
    struct lane_stats stats;
    /* The exporter's disk spool (owned by the pipeline), and while it may hold requests
     * the idle lane replays them every replay_wait_ns (doubling while the backend does
     * not take them). */
    struct spool *spool;
    bool backlog, replaying;
    uint64_t replay_wait_ns;
    _Atomic(struct lane *) next; /* the pipeline's list */
};

void lane_init(struct lane *l, genops_exporter *e, const struct resource *resource, bool derived,
               uint64_t timeout_ns, void (*notify)(void *, struct lane *, bool), void *ctx);
void lane_destroy(struct lane *l);
/* Queue f (one reference taken by the caller for this lane), making room within
 * share_bytes and share_spans: with a spool by marking the oldest batches to be spooled
 * (only LANE_DEPTH then drops), else by dropping them; starts the thread on first use.
 * Returns the spans so dropped (counted in the lane's dropped_share). */
size_t lane_offer(struct lane *l, struct fanout *f, uint64_t share_bytes, size_t share_spans);
/* Start the thread now (an exporter with a spool to replay), not on the first batch. */
void lane_start(struct lane *l);
/* Nothing queued and nothing in flight. */
bool lane_idle(struct lane *l);
bool lane_exporting(struct lane *l);
/* The lane's figures and its exporter's names into *out (every field past struct_size). */
void lane_stats_read(struct lane *l, genops_exporter_stats *out);
void lane_stop(struct lane *l);
size_t lane_depth(struct lane *l);
/* Fork: prepare takes the lock, parent releases it; child forgets the parent's thread and
 * gives back every fanout it held (no export), then releases the lock. */
void lane_lock(struct lane *l);
void lane_unlock(struct lane *l);
void lane_after_fork_child(struct lane *l);

#endif
