/* span.c - generation-checked handles and the span life cycle: start, attributes,
 * events, status, end, release. See span.h for the ownership rules; the slots come
 * from slot_pool.c. */
#include "span.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "context.h"
#include "error.h"
#include "ids.h"
#include "sampling_rules.h"
#include "semconv.h"
#include "slot_pool.h"

size_t span_bytes(const struct span *s)
{
    return sizeof *s + s->arena.used + s->attrs.count * sizeof(struct attr) +
           s->event_count * sizeof(struct event);
}

struct span *span_lookup(genops_span h)
{
    uint32_t index = (uint32_t)(h & (SPAN_POOL_MAX - 1));
    uint64_t gen = h >> SPAN_INDEX_BITS;

    struct span *s = gen & 1 ? slot_pool_at(index) : NULL;
    return s && atomic_load_explicit(&s->gen, memory_order_acquire) == gen ? s : NULL;
}

genops_status span_stale(genops_error *err, genops_span h)
{
    return error_set(err, GENOPS_ESTALE, "span handle %#llx has ended or is not a span",
                     (unsigned long long)h);
}

/* ---- start -------------------------------------------------------------------- */

/* Make a slot taken from the pool like new. Here, on the thread that is about to fill
 * the slot, and not when the export thread releases it: writes by the export thread
 * would leave these lines on its core, and the producer would wait for them (measured:
 * about 110 ns per operation, benchmarks/README.md). */
static void slot_reset(struct span *s)
{
    s->has_parent = false;
    s->status = GENOPS_SPAN_STATUS_UNSET;
    s->status_message = NULL;
    s->status_message_len = 0;
    memset(s->parent_span_id, 0, sizeof s->parent_span_id);
    s->attrs.count = s->attrs_checked = 0;
    s->log_repeats = s->log_unchecked = false;
    memset(s->key_filter, 0, sizeof s->key_filter);
    s->event_count = 0;
    s->dropped_attributes = s->dropped_events = s->truncated_values = 0;
    arena_reset(&s->arena);
}

static struct span *span_open(genops_pipeline *p, const char *name,
                              const genops_span_context *parent, genops_error *err)
{
    if (!p) {
        error_set(err, GENOPS_EINVAL, "pipeline is NULL");
        return NULL;
    }
    if (!name) {
        error_set(err, GENOPS_EINVAL, "span name is NULL");
        return NULL;
    }
    struct span_sink *sink = span_sink_of(p);
    if (!sink->ops->begin(sink)) {
        error_set(err, GENOPS_ESHUTDOWN, "pipeline is shut down; span '%.64s' dropped", name);
        return NULL;
    }
    struct span *s = slot_pool_take();
    if (!s) {
        sink->ops->abandon(sink);
        error_set(err, GENOPS_ETOOBIG, "more than %u spans are open; span '%.64s' dropped",
                  SPAN_POOL_MAX, name);
        return NULL;
    }
    slot_reset(s);
    s->sink = sink;
    s->limits = sink->limits;
    s->arena.limit = s->limits.bytes;
    s->kind = GENOPS_SPAN_KIND_INTERNAL;
    s->name = attr_copy_text(&s->arena, name, strlen(name), &s->name_len);
    if (!s->name)
        s->name = "";
    static const uint8_t zero[16];
    if (parent && memcmp(parent->trace_id, zero, 16) != 0 &&
        memcmp(parent->span_id, zero, 8) != 0) {
        memcpy(s->trace_id, parent->trace_id, sizeof s->trace_id);
        memcpy(s->parent_span_id, parent->span_id, sizeof s->parent_span_id);
        s->has_parent = true;
    } else {
        ids_trace_id(s->trace_id);
    }
    s->trace_flags =
        sampler_decide(&sink->sampler, s->trace_id, s->has_parent ? parent : NULL, &s->sample_rate);
    ids_span_id(s->span_id);
    s->start_ns = clock_unix_ns();
    atomic_store_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

static genops_span span_publish(struct span *s)
{
    /* The slot was even (free); odd = open. release: the fields above are written
     * before a thread that checks the handle reads them. */
    uint64_t gen = (atomic_load_explicit(&s->gen, memory_order_relaxed) + 1) & SPAN_GEN_MASK;
    atomic_store_explicit(&s->gen, gen, memory_order_release);
    return gen << SPAN_INDEX_BITS | s->index;
}

genops_span genops_span_start(genops_pipeline *p, const char *name,
                              const genops_span_context *parent, genops_error *err)
{
    struct span *s = span_open(p, name, parent, err);
    return s ? span_publish(s) : GENOPS_SPAN_NONE;
}

genops_span genops_span_start_with_ids(genops_pipeline *p, const char *name,
                                       const genops_span_context *ids,
                                       const uint8_t *parent_span_id, uint64_t start_unix_ns,
                                       genops_error *err)
{
    static const uint8_t zero[16];
    if (!ids || memcmp(ids->trace_id, zero, 16) == 0 || memcmp(ids->span_id, zero, 8) == 0) {
        error_set(err, GENOPS_EINVAL, "span ids are %s", ids ? "all zero (invalid)" : "NULL");
        return GENOPS_SPAN_NONE;
    }
    struct span *s = span_open(p, name, NULL, err);
    if (!s)
        return GENOPS_SPAN_NONE;
    memcpy(s->trace_id, ids->trace_id, sizeof s->trace_id);
    memcpy(s->span_id, ids->span_id, sizeof s->span_id);
    s->trace_flags = ids->trace_flags;
    /* The span's own sampler decided (span_open's was about a throwaway id): a sampled
     * span stands for itself, an unsampled one is not exported. */
    s->sample_rate = ids->trace_flags & GENOPS_TRACE_FLAG_SAMPLED ? 1 : 0;
    if (parent_span_id && memcmp(parent_span_id, zero, 8) != 0) {
        memcpy(s->parent_span_id, parent_span_id, sizeof s->parent_span_id);
        s->has_parent = true;
    }
    s->start_ns = start_unix_ns;
    return span_publish(s);
}

/* ---- operations --------------------------------------------------------------- */

/* The first per-attribute rule the operation matches decides it by trace id, in place
 * of the head sampler. Own attributes first (unless a merged context holds them all),
 * then the inherited contexts, as the export thread merges them. */
static void apply_rules(struct span *s, const genops_attribute *attrs, size_t count)
{
    struct span_sink *sink = s->sink;
    unsigned token = epoch_enter(&sink->rules_epoch);
    const struct sampling_rules *r = atomic_load(&sink->rules);
    const genops_context *const layers[2] = {s->inherit[0], s->inherit[1]};
    const struct sampling_rule *rule = r ? sampling_rules_match(r, attrs, count, layers, 2) : NULL;
    if (rule) {
        uint8_t others = s->trace_flags & (uint8_t)~GENOPS_TRACE_FLAG_SAMPLED;
        s->trace_flags =
            others | sampler_decide(&rule->sampler, s->trace_id, NULL, &s->sample_rate);
    }
    epoch_exit(&sink->rules_epoch, token);
}

genops_span genops_operation_start(genops_pipeline *p, const char *name, const char *type,
                                   const genops_span_context *parent, const genops_context *ctx,
                                   const genops_attribute *attrs, size_t count, genops_error *err)
{
    bool masks = false;

    if (attr_check_all(attrs, count, err))
        return GENOPS_SPAN_NONE;
    for (size_t i = 0; i < count; i++)
        masks |= attrs[i].value.type == GENOPS_TYPE_NULL;
    /* A NULL own value hides the inherited one (genops-ai merges dicts, then drops
     * None): rare, so merge now rather than teach the export thread about masks. */
    genops_context *merged = masks ? genops_effective_context(ctx, attrs, count, err) : NULL;
    if (masks && !merged)
        return GENOPS_SPAN_NONE;
    struct span *s = span_open(p, name, parent, err);
    if (!s) {
        genops_context_unref(merged);
        return GENOPS_SPAN_NONE;
    }

    genops_value v = {.type = GENOPS_TYPE_STRING};
    v.u.s = type && *type ? type : "ai.inference";
    v.len = strlen(v.u.s);
    span_put_fixed(s, SEMCONV_KEY(OPERATION_TYPE), &v, NULL);
    v.u.s = s->name;
    v.len = s->name_len;
    span_put_fixed(s, SEMCONV_KEY(OPERATION_NAME), &v, NULL);
    v = (genops_value){.type = GENOPS_TYPE_INT, .u.i = (int64_t)(s->start_ns / 1000000000u)};
    span_put_fixed(s, SEMCONV_KEY(TIMESTAMP), &v, NULL);

    if (merged) {
        s->inherit[0] = merged;
    } else {
        span_put_all(s, SEMCONV_PREFIX, SEMCONV_PREFIX_LEN, attrs, count, NULL);
        s->inherit[0] = genops_context_ref(ctx);
        s->inherit[1] = genops_defaults_get();
    }
    /* No rules (the common case): one relaxed load. */
    if (atomic_load_explicit(&s->sink->rules, memory_order_relaxed))
        apply_rules(s, merged ? NULL : attrs, merged ? 0 : count);
    return span_publish(s);
}

/* ---- status, kind, events ----------------------------------------------------- */

genops_status genops_span_set_kind(genops_span h, genops_span_kind kind, genops_error *err)
{
    struct span *s = span_lookup(h);
    if (!s)
        return span_stale(err, h);
    if (kind < GENOPS_SPAN_KIND_INTERNAL || kind > GENOPS_SPAN_KIND_CONSUMER)
        return error_set(err, GENOPS_EINVAL, "span kind %d is not one of 1..5", (int)kind);
    s->kind = (uint8_t)kind;
    return GENOPS_OK;
}

genops_status genops_span_set_status(genops_span h, genops_span_status code, const char *message,
                                     genops_error *err)
{
    struct span *s = span_lookup(h);
    if (!s)
        return span_stale(err, h);
    if (code != GENOPS_SPAN_STATUS_UNSET && code != GENOPS_SPAN_STATUS_OK &&
        code != GENOPS_SPAN_STATUS_ERROR)
        return error_set(err, GENOPS_EINVAL, "status code %d is not UNSET, OK or ERROR", (int)code);
    /* OpenTelemetry: OK is final, and setting UNSET is ignored. */
    if (s->status == GENOPS_SPAN_STATUS_OK || code == GENOPS_SPAN_STATUS_UNSET)
        return GENOPS_OK;
    s->status = (uint8_t)code;
    s->status_message = NULL;
    s->status_message_len = 0;
    if (code == GENOPS_SPAN_STATUS_ERROR && message && *message) {
        s->status_message =
            attr_copy_text(&s->arena, message, strlen(message), &s->status_message_len);
        if (!s->status_message)
            return error_set(err, GENOPS_ETOOBIG, "span is full; status message dropped");
    }
    return GENOPS_OK;
}

genops_status genops_span_add_event(genops_span h, const char *name, const genops_attribute *attrs,
                                    size_t count, genops_error *err)
{
    return genops_span_add_event_at(h, name, clock_unix_ns(), attrs, count, err);
}

genops_status genops_span_add_event_at(genops_span h, const char *name, uint64_t time_unix_ns,
                                       const genops_attribute *attrs, size_t count,
                                       genops_error *err)
{
    struct span *s = span_lookup(h);
    if (!s)
        return span_stale(err, h);
    if (!name)
        return error_set(err, GENOPS_EINVAL, "event name is NULL");
    genops_status rc = attr_check_all(attrs, count, err);
    if (rc)
        return rc;
    if (s->event_count >= s->limits.events) {
        s->dropped_events++;
        return GENOPS_OK;
    }
    if (s->event_count == s->event_cap) {
        uint32_t cap = s->event_cap ? s->event_cap * 2 : 4;
        struct event *ev = realloc(s->events, cap * sizeof *ev);
        if (!ev)
            return error_set(err, GENOPS_ENOMEM, "out of memory adding event '%.64s'", name);
        s->events = ev;
        s->event_cap = cap;
    }
    struct event *ev = &s->events[s->event_count];
    memset(ev, 0, sizeof *ev);
    ev->time_ns = time_unix_ns;
    ev->name = attr_copy_text(&s->arena, name, strlen(name), &ev->name_len);
    ev->attrs = count ? arena_alloc(&s->arena, count * sizeof *ev->attrs) : NULL;
    if (!ev->name || (count && !ev->attrs))
        goto too_big;
    for (size_t i = 0; i < count; i++) {
        struct attr *a = &ev->attrs[ev->count];
        if (attrs[i].value.type == GENOPS_TYPE_NULL)
            continue;
        a->key = attr_copy_text(&s->arena, attrs[i].key, strlen(attrs[i].key), &a->key_len);
        if (!a->key || attr_copy_value(&s->arena, &attrs[i].value, s->limits.value_length,
                                       &a->value, &s->truncated_values))
            goto too_big;
        a->hash = attr_hash(a->key, a->key_len);
        ev->count++;
    }
    s->event_count++;
    return GENOPS_OK;

too_big:
    s->dropped_events++;
    return error_set(err, GENOPS_ETOOBIG, "span holds more than %zu bytes; event '%.64s' dropped",
                     s->limits.bytes, name);
}

genops_status genops_span_record_exception(genops_span h, const char *type, const char *message,
                                           const char *stacktrace, genops_error *err)
{
    /* OpenTelemetry's exception event and attribute names. */
    const char *values[3] = {type, message, stacktrace};
    static const char *const keys[3] = {"exception.type", "exception.message",
                                        "exception.stacktrace"};
    genops_attribute attrs[3];
    size_t n = 0;

    for (size_t i = 0; i < 3; i++) {
        if (values[i]) {
            attrs[n].key = keys[i];
            attrs[n].value = (genops_value){
                .type = GENOPS_TYPE_STRING, .len = strlen(values[i]), .u.s = values[i]};
            n++;
        }
    }
    return genops_span_add_event(h, "exception", attrs, n, err);
}

/* ---- context, end ------------------------------------------------------------- */

genops_status genops_span_get_context(genops_span h, genops_span_context *out, genops_error *err)
{
    struct span *s = span_lookup(h);
    if (!s)
        return span_stale(err, h);
    if (!out)
        return error_set(err, GENOPS_EINVAL, "out is NULL");
    memcpy(out->trace_id, s->trace_id, sizeof out->trace_id);
    memcpy(out->span_id, s->span_id, sizeof out->span_id);
    out->trace_flags = s->trace_flags;
    return GENOPS_OK;
}

bool genops_span_is_recording(genops_span h)
{
    return span_lookup(h) != NULL;
}

genops_status genops_span_end_at(genops_span h, uint64_t end_unix_ns, genops_error *err)
{
    struct span *s = span_lookup(h);
    if (!s)
        return span_stale(err, h);
    /* Even = ended: from here on every handle to this span is stale. A CAS, so that of
     * two ends racing on one handle (a late garbage collector) only one submits. */
    uint64_t gen = h >> SPAN_INDEX_BITS;
    if (!atomic_compare_exchange_strong_explicit(&s->gen, &gen, (gen + 1) & SPAN_GEN_MASK,
                                                 memory_order_acq_rel, memory_order_relaxed))
        return span_stale(err, h);
    s->end_ns = end_unix_ns < s->start_ns ? s->start_ns : end_unix_ns;
    s->sink->ops->submit(s->sink, s);
    return GENOPS_OK;
}

genops_status genops_span_end(genops_span h, genops_error *err)
{
    return genops_span_end_at(h, clock_unix_ns(), err);
}

/* ---- release ------------------------------------------------------------------ */

void span_retain(struct span *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

/* Drop a holder reference; true when it was the last one: s must go back to the pool.
 * Only what must not wait is undone here (the contexts it holds, a big arena); the rest
 * of the reset is slot_reset's, on the thread that takes the slot next. */
static bool release_one(struct span *s)
{
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return false;
    genops_context_unref(s->inherit[0]);
    genops_context_unref(s->inherit[1]);
    s->inherit[0] = s->inherit[1] = NULL;
    if (s->arena.used > ARENA_RETAIN_BYTES)
        arena_reset(&s->arena); /* give a huge span's memory back now, not at reuse */
    return true;
}

void span_release(struct span *s)
{
    if (release_one(s))
        slot_pool_put(s);
}

void span_release_batch(struct span *const *spans, size_t n)
{
    struct slot_chain freed = {0};
    for (size_t i = 0; i < n; i++)
        if (release_one(spans[i]))
            slot_chain_add(&freed, spans[i]);
    slot_pool_put_chain(&freed);
}
