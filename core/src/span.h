/* span.h - the span record, its handles and its life cycle.
 *
 * Spans live in slots that are allocated in slabs and never freed (slot_pool.h), so
 * a handle (generation << SPAN_INDEX_BITS | slot index) can always be checked safely,
 * however late it arrives. A slot's generation is odd while its span is open and even
 * otherwise: ending a span bumps it, which makes every handle to it stale at once. The
 * generation has 44 bits, so an old handle could only match again after its one slot
 * had been reused 2^43 times (at one reuse per 200 ns, 20 days of nothing else).
 *
 * Ownership: the application thread that started a span owns it until genops_span_end;
 * then its sink, the pipeline, does (span->refs counts the pipeline's batch and any exporter that
 * keeps the span, such as the memory exporter); the last span_release returns the slot
 * to the pool. */
#ifndef GENOPS_SPAN_H
#define GENOPS_SPAN_H

#include <stdatomic.h>

#include "attr.h"
#include "epoch.h"
#include "genops.h"
#include "sampler.h"

struct event {
    const char *name;
    uint32_t name_len;
    uint64_t time_ns;
    struct attr *attrs; /* in the span's arena */
    uint32_t count;
};

struct span_limits {
    uint32_t attributes;   /* count */
    uint32_t value_length; /* characters; UINT32_MAX = none */
    uint32_t events;
    size_t bytes; /* arena: everything one span may hold */
};

/* Whoever a span belongs to: what span.c tells about the spans started on it, and
 * the limits they get. The pipeline is the one sink (pipeline.c); span.c knows nothing
 * else of it. A genops_pipeline begins with its struct span_sink: span_sink_of. */
struct span;
struct span_sink;
struct span_sink_ops {
    /* A span is starting on sink: count it. false, counting the failure, when the sink
     * takes no more spans. Every true is matched by exactly one submit or abandon. Any
     * thread; never blocks. */
    bool (*begin)(struct span_sink *sink);
    /* s has ended: the sink owns it now (queues it, or drops and counts it). Any
     * thread; never blocks. */
    void (*submit)(struct span_sink *sink, struct span *s);
    /* A begun span could not be started after all (no free slot): count the failure. */
    void (*abandon)(struct span_sink *sink);
    /* n attribute values were dropped before they reached a span of sink (a binding
     * could not represent them): count them. Any thread; never blocks. */
    void (*dropped_values)(struct span_sink *sink, uint32_t n);
};
struct span_sink {
    const struct span_sink_ops *ops;
    struct span_limits limits; /* what spans started on the sink are created with */
    struct sampler sampler;    /* decides each span's sampled flag at start */
    /* Per-attribute ratios for operation spans (sampling_rules.h), NULL for none: read
     * in an epoch read section, replaced by genops_pipeline_set_sampling_rules. */
    _Atomic(struct sampling_rules *) rules;
    struct epoch rules_epoch;
};

static inline struct span_sink *span_sink_of(genops_pipeline *p)
{
    return (struct span_sink *)(void *)p;
}

/* A Bloom filter of one bit per key in 512: a clear bit means "a new key" without
 * scanning the list; with 20 keys a scan is needed about once in 50 lookups, which costs
 * less than a second bit would on every one. The setter keeps one per span, compact one
 * of its own. */
#define SPAN_KEY_FILTER_WORDS 8

struct span {
    _Atomic uint64_t gen;       /* odd while open; see the file comment */
    atomic_uint refs;           /* holders after end */
    uint32_t index;             /* slot index, the low half of the handle */
    _Atomic uint32_t next_free; /* pool link: index + 1, 0 = none */

    struct span_sink *sink; /* where the span goes at end */
    struct span_limits limits;
    /* Attributes inherited by an operation span, merged on the export thread (context
     * first, then defaults): never overriding a key the span already has. */
    genops_context *inherit[2];

    uint8_t trace_id[16];
    uint8_t span_id[8];
    uint8_t parent_span_id[8];
    bool has_parent;
    uint8_t trace_flags; /* W3C; GENOPS_TRACE_FLAG_SAMPLED: the sampler's decision */
    uint8_t kind;        /* genops_span_kind */
    uint8_t status;      /* genops_span_status */
    const char *name;
    uint32_t name_len;
    const char *status_message; /* NULL unless status is ERROR with a message */
    uint32_t status_message_len;
    uint64_t start_ns, end_ns;
    uint32_t sample_rate; /* a sampled span's weight, its SampleRate (1: none), 0: not sampled */

    /* The attributes as set, in order, each with its key's hash: a log that may repeat
     * a key and hold bytes not yet checked, until the export thread compacts it
     * (span_attrs.c), which it skips for a log that needs none. Entries before
     * attrs_checked are unique and valid. */
    struct attr_list attrs;
    uint32_t attrs_checked;
    bool log_repeats;                           /* a key was set again (found in the log) */
    bool log_unchecked;                         /* some bytes were not ASCII: UTF-8 to check */
    uint64_t key_filter[SPAN_KEY_FILTER_WORDS]; /* the setter's: a bit per key set */
    struct event *events;
    uint32_t event_count, event_cap;
    uint32_t dropped_attributes;
    uint32_t dropped_events;
    uint32_t truncated_values;

    struct arena arena;
    size_t queued_bytes;        /* what the pipeline's byte budget charged for this span */
    struct span *overflow_next; /* queued past a full ring (overflow.h) */
};

/* Bytes the span holds, for the pipeline's byte budget. */
size_t span_bytes(const struct span *s);

/* The open span behind handle h, or NULL when h is stale or was never valid. */
struct span *span_lookup(genops_span h);
/* GENOPS_ESTALE in err, naming h: what a call on a handle span_lookup refused returns. */
genops_status span_stale(genops_error *err, genops_span h);

/* ---- the attribute store (span_attrs.c) ---- */

/* Set prefix + key to v on s, which the caller owns; v must have passed attr_check.
 * Used by the setters and the governance recorders (record.c). */
genops_status span_put(struct span *s, const char *prefix, size_t prefix_len, const char *key,
                       const genops_value *v, genops_error *err);
/* span_put for each of count attributes (checked), measured and copied together:
 * each that does not fit is dropped and counted, and the first error returned. */
genops_status span_put_all(struct span *s, const char *prefix, size_t prefix_len,
                           const genops_attribute *attrs, size_t count, genops_error *err);
/* The same for a key of key_len bytes that lives as long as the program (a semconv
 * name, see SEMCONV_KEY), whose hash is given: no copy. */
genops_status span_put_static(struct span *s, const char *key, size_t key_len, uint32_t hash,
                              const genops_value *v, genops_error *err);
/* span_put_static with the key's hash worked out here: inline, so that for a literal
 * name the compiler works it out instead. */
static inline genops_status span_put_fixed(struct span *s, const char *key, size_t key_len,
                                           const genops_value *v, genops_error *err)
{
    return span_put_static(s, key, key_len, attr_hash(key, key_len), v, err);
}

/* The value of the span's own attribute key (len bytes) last set, or NULL: a scan of
 * the log from its end. Valid until the next set on s. */
const genops_value *span_get(const struct span *s, const char *key, size_t len);

/* Ask for a span's lines before the export thread reads them: producers wrote them on
 * other cores, long enough before that they are cold, and waiting for them one miss at
 * a time is most of what reading a span costs (benchmarks/README.md). The struct (a
 * step earlier, as the pointers below are in it); the attribute list and the arena
 * text (keys, values, name: the name is the arena's first allocation), 2 KiB of each. */
static inline void span_prefetch_slot(const struct span *s)
{
    for (size_t off = 0; off < sizeof(struct span); off += 64)
        __builtin_prefetch((const char *)s + off);
}

static inline void span_prefetch_attrs(const struct span *s)
{
    size_t list = s->attrs.count * sizeof(struct attr);
    size_t text = s->arena.used;
    for (size_t off = 0; off < list && off < 2048; off += 64)
        __builtin_prefetch((const char *)s->attrs.items + off);
    for (size_t off = 0; off < text && off < 2048; off += 64)
        __builtin_prefetch(s->name + off);
}

/* Whether the export thread must compact s's log (span_attrs.c): a key set twice, bytes
 * to check or more keys than the limit. Otherwise the log is the list as it stands. */
static inline bool span_log_needs_compact(const struct span *s)
{
    return s->log_repeats || s->log_unchecked || s->attrs.count > s->limits.attributes;
}

/* Merge inherited attributes into the span's own list (export thread, once). */
void span_materialize(struct span *s);

/* ---- the life cycle after end (span.c) ---- */

/* Take another holder reference (an exporter keeping the span). */
void span_retain(struct span *s);
/* Drop a holder reference; the last one resets the span and returns its slot. */
void span_release(struct span *s);
/* span_release for n spans, returning the freed slots to the pool with one CAS (the
 * export thread, once per batch). */
void span_release_batch(struct span *const *spans, size_t n);

/* Maximum open-or-held spans in the process; span_start fails past it. A handle's low
 * SPAN_INDEX_BITS hold the slot index, the rest the generation (SPAN_GEN_MASK). */
#define SPAN_INDEX_BITS 20
#define SPAN_POOL_MAX   (1u << SPAN_INDEX_BITS)
#define SPAN_GEN_MASK   ((UINT64_C(1) << (64 - SPAN_INDEX_BITS)) - 1)

#endif
