/* ring.h - a bounded lock-free queue of pointers: many producers, one consumer.
 *
 * Dmitry Vyukov's bounded MPMC design: every cell carries a sequence number, so a
 * producer claims a cell with one CAS on the head and never waits for another
 * producer. Progress: ring_push is lock-free (it retries only when another producer
 * claimed the cell it tried) and fails at once when the ring is full; ring_pop is
 * wait-free. A producer preempted between its claim and its publish delays only the
 * consumer, which sees the ring as empty at that cell until the producer resumes.
 *
 * | operation       | may run concurrently with                         |
 * |-----------------|---------------------------------------------------|
 * | ring_push       | ring_push, ring_pop, ring_count                   |
 * | ring_pop        | ring_push, ring_count (one consumer thread only)  |
 * | ring_init/free  | nothing                                           | */
#ifndef GENOPS_RING_H
#define GENOPS_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct ring_cell {
    atomic_size_t seq;
    void *item;
};

struct ring {
    struct ring_cell *cells;
    size_t mask;                     /* capacity - 1; capacity is a power of two */
    _Alignas(64) atomic_size_t head; /* next cell to claim (producers) */
    _Alignas(64) atomic_size_t tail; /* next cell to take (the consumer) */
};

/* capacity is rounded up to a power of two (at least 2). False on ENOMEM. */
bool ring_init(struct ring *r, size_t capacity);
void ring_free(struct ring *r);
/* Queue item; false when the ring is full. Never blocks, never allocates. */
bool ring_push(struct ring *r, void *item);
/* The oldest published item, or NULL when there is none (yet). */
void *ring_pop(struct ring *r);
/* Forget every item, published or not, and start empty. Only when no other thread can
 * touch the ring: in a forked child, where a parent producer may have been caught
 * between its claim and its publish, leaving a cell ring_pop would wait on forever. */
void ring_reset(struct ring *r);
/* Items claimed and not yet taken (a snapshot; may include unpublished claims). */
size_t ring_count(const struct ring *r);
size_t ring_capacity(const struct ring *r);

#endif
