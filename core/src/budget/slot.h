/* slot.h - a table entry that the hot paths read without a lock and a configuration
 * call retires: the budgets' table (budget.c) and the rate limits' (rate_limit.c).
 *
 * A reader announces itself in users and then confirms that the slot is still active;
 * a writer removing the entry marks it retired and waits for users to reach zero
 * before it frees what the entry holds. Both sides use sequentially consistent
 * operations, so either the reader sees "retired" or the writer sees the reader (the
 * store-then-load pattern of Dekker's algorithm). An entry's other fields are written
 * only while the slot is free and read only between slot_enter and slot_leave. */
#ifndef GENOPS_BUDGET_SLOT_H
#define GENOPS_BUDGET_SLOT_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum slot_state { SLOT_FREE, SLOT_ACTIVE, SLOT_RETIRED };

struct slot {
    _Atomic uint32_t state;
    _Atomic uint32_t users;
};

/* true: the entry may be read until slot_leave. */
static inline bool slot_enter(struct slot *s)
{
    if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE)
        return false;
    atomic_fetch_add(&s->users, 1);
    if (atomic_load(&s->state) == SLOT_ACTIVE)
        return true;
    atomic_fetch_sub(&s->users, 1);
    return false;
}

static inline void slot_leave(struct slot *s)
{
    atomic_fetch_sub_explicit(&s->users, 1, memory_order_release);
}

static inline bool slot_is(struct slot *s, enum slot_state state)
{
    return atomic_load(&s->state) == (uint32_t)state;
}

/* The entry's fields are written: readers may use it. */
static inline void slot_publish(struct slot *s)
{
    atomic_store(&s->state, SLOT_ACTIVE);
}

/* No reader will use the entry any more once this returns: free what it holds, then
 * slot_release. The wait is for readers inside a hot path, a few instructions long. */
static inline void slot_retire(struct slot *s)
{
    atomic_store(&s->state, SLOT_RETIRED);
    while (atomic_load(&s->users))
        sched_yield();
}

static inline void slot_release(struct slot *s)
{
    atomic_store(&s->state, SLOT_FREE);
}

#endif
