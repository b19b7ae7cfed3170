/* overflow.h - where ended spans wait when the ring is full and the queue is elastic
 * (max_queue_size not set): a lock-free stack that producers push onto with one CAS and
 * the export thread empties whole with one exchange, so it has no ABA problem. The byte
 * budget (max_buffer_bytes) bounds it, not a count. Only the export thread pops, as
 * from the ring; a popped run keeps the order in which its spans were pushed.
 *
 * | operation      | may run concurrently with                          |
 * |----------------|----------------------------------------------------|
 * | overflow_push  | overflow_push, overflow_pop, overflow_count         |
 * | overflow_pop   | overflow_push, overflow_count (the consumer only)   |
 * | overflow_reset | nothing                                             | */
#ifndef GENOPS_OVERFLOW_H
#define GENOPS_OVERFLOW_H

#include <stdatomic.h>
#include <stddef.h>

#include "span.h"

struct overflow {
    _Atomic(struct span *) top;
    atomic_size_t count; /* pushed and not yet popped; counted before the push */
    struct span *taken;  /* the consumer's: the last exchange, oldest first */
};

static inline void overflow_push(struct overflow *o, struct span *s)
{
    atomic_fetch_add_explicit(&o->count, 1, memory_order_relaxed);
    struct span *top = atomic_load_explicit(&o->top, memory_order_relaxed);
    do
        s->overflow_next = top;
    while (!atomic_compare_exchange_weak_explicit(&o->top, &top, s, memory_order_release,
                                                  memory_order_relaxed));
}

static inline struct span *overflow_pop(struct overflow *o)
{
    if (!o->taken && atomic_load_explicit(&o->top, memory_order_relaxed)) {
        struct span *s = atomic_exchange_explicit(&o->top, NULL, memory_order_acquire);
        while (s) { /* newest first as pushed: reverse */
            struct span *next = s->overflow_next;
            s->overflow_next = o->taken;
            o->taken = s;
            s = next;
        }
    }
    struct span *s = o->taken;
    if (s) {
        o->taken = s->overflow_next;
        atomic_fetch_sub_explicit(&o->count, 1, memory_order_relaxed);
    }
    return s;
}

/* Start empty, forgetting what is there. Only where no other thread can touch it: in a
 * forked child, where a parent producer may have counted a push it never made. */
static inline void overflow_reset(struct overflow *o)
{
    atomic_store(&o->top, NULL);
    atomic_store(&o->count, 0);
    o->taken = NULL;
}

static inline size_t overflow_count(const struct overflow *o)
{
    return atomic_load_explicit(&o->count, memory_order_relaxed);
}

#endif
