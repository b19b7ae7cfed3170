/* epoch.c - see epoch.h. */
#include "epoch.h"

#include <sched.h>

void epoch_synchronize(struct epoch *e)
{
    unsigned old = atomic_fetch_add(&e->epoch, 1) & 1;
    while (atomic_load(&e->readers[old]) != 0)
        sched_yield();
}

void epoch_after_fork_child(struct epoch *e)
{
    atomic_store(&e->readers[0], 0);
    atomic_store(&e->readers[1], 0);
}
