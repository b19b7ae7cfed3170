/* slot_pool.h - the process's span slots and their free list.
 *
 * Slots are allocated 256 at a time and never freed, so a slot that slot_pool_at
 * found once stays valid memory: that is what lets span.c check a late, stale handle
 * safely. Free slots form a Treiber stack whose head carries a 32-bit tag
 * against ABA; each thread that takes slots keeps a few of its own (slot_pool_take),
 * and the export thread gives a batch's slots back with one CAS (struct slot_chain).
 *
 * A slot comes out of the pool as it went in: resetting it is the taker's business
 * (span.c), on the thread that fills it. */
#ifndef GENOPS_SLOT_POOL_H
#define GENOPS_SLOT_POOL_H

#include "span.h"

/* A free slot, or NULL when SPAN_POOL_MAX slots are in use (or memory ran out). Any
 * thread; takes a lock only to allocate a new slab. */
struct span *slot_pool_take(void);

/* Give one slot back. Any thread. */
void slot_pool_put(struct span *s);

/* Slots collected to go back together (linked through their next_free). */
struct slot_chain {
    struct span *first, *last;
};
void slot_chain_add(struct slot_chain *c, struct span *s);
/* Give every slot of c back with one CAS; c may be empty. Any thread. */
void slot_pool_put_chain(const struct slot_chain *c);

/* The slot at index, or NULL when no slot has that index yet. Any thread, no lock. */
struct span *slot_pool_at(uint32_t index);

/* Slots currently open or held (for tests and stats). */
uint32_t slot_pool_in_use(void);

#endif
