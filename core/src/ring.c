/* ring.c - see ring.h. Memory orders: a producer's release store of cell->seq pairs
 * with the consumer's acquire load (the item is visible once seq says so); the
 * consumer's release store of seq pairs with the next producer's acquire load (the
 * cell is free once seq says so). The head CAS only orders claims: relaxed. */
#include "ring.h"

#include <stdint.h>
#include <stdlib.h>

bool ring_init(struct ring *r, size_t capacity)
{
    size_t cap = 2;
    while (cap < capacity)
        cap *= 2;
    r->cells = malloc(cap * sizeof *r->cells);
    if (!r->cells)
        return false;
    for (size_t i = 0; i < cap; i++) {
        atomic_init(&r->cells[i].seq, i);
        r->cells[i].item = NULL;
    }
    r->mask = cap - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return true;
}

void ring_free(struct ring *r)
{
    free(r->cells);
    r->cells = NULL;
}

bool ring_push(struct ring *r, void *item)
{
    size_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
    for (;;) {
        struct ring_cell *c = &r->cells[pos & r->mask];
        size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire); /* pairs: pop */
        intptr_t dif = (intptr_t)seq - (intptr_t)pos;
        if (dif == 0) {
            /* seq_cst on success: the pipeline's sleep/wake handshake relies on a
             * push being totally ordered with the export thread's "going idle"
             * store (free on x86, where every locked RMW is a full fence). */
            if (atomic_compare_exchange_weak_explicit(&r->head, &pos, pos + 1, memory_order_seq_cst,
                                                      memory_order_relaxed)) {
                c->item = item;
                atomic_store_explicit(&c->seq, pos + 1, memory_order_release); /* pairs: pop */
                return true;
            }
            /* CAS failure reloaded pos: another producer took the cell; try the next. */
        } else if (dif < 0) {
            return false; /* the cell still holds an item a lap behind: full */
        } else {
            pos = atomic_load_explicit(&r->head, memory_order_relaxed);
        }
    }
}

void *ring_pop(struct ring *r)
{
    size_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
    struct ring_cell *c = &r->cells[pos & r->mask];
    size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire); /* pairs: push */
    if (seq != pos + 1)
        return NULL;
    void *item = c->item;
    atomic_store_explicit(&r->tail, pos + 1, memory_order_relaxed);
    atomic_store_explicit(&c->seq, pos + r->mask + 1, memory_order_release); /* pairs: push */
    return item;
}

void ring_reset(struct ring *r)
{
    for (size_t i = 0; i <= r->mask; i++) {
        atomic_store_explicit(&r->cells[i].seq, i, memory_order_relaxed);
        r->cells[i].item = NULL;
    }
    atomic_store_explicit(&r->head, 0, memory_order_relaxed);
    atomic_store_explicit(&r->tail, 0, memory_order_relaxed);
}

size_t ring_count(const struct ring *r)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_seq_cst); /* see ring_push */
    return head >= tail ? head - tail : 0;
}

size_t ring_capacity(const struct ring *r)
{
    return r->mask + 1;
}
