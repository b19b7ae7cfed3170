/* epoch.h - publishing an immutable snapshot to readers that never lock.
 *
 * A writer (writers serialise among themselves) swaps the published pointer, then
 * epoch_synchronize waits until no reader can still be using the old snapshot, which it
 * may then free. Readers announce themselves in one of two counters, chosen by the
 * epoch, and confirm that the epoch did not move meanwhile (else they retry): the first
 * writer to flip away from the epoch a reader confirmed waits for it, and writers take
 * turns, so no writer frees what a reader loads. Without the confirmation a reader
 * delayed between reading the epoch and announcing itself would sit in a counter no
 * writer waits on (a use-after-free that review found in the defaults, see
 * docs/architecture.md). The two counters alternate so that a steady stream of readers
 * cannot starve a writer. seq_cst throughout: the writer's "no readers left" check and
 * a reader's announcement must be totally ordered with the pointer exchange. */
#ifndef GENOPS_EPOCH_H
#define GENOPS_EPOCH_H

#include <stdatomic.h>

struct epoch {
    atomic_uint epoch;
    atomic_uint readers[2];
};

/* Start a read section; pass the result to epoch_exit. Never blocks (it retries only
 * when a writer flipped the epoch between two loads). Inline: every operation start of
 * a reader runs it. */
static inline unsigned epoch_enter(struct epoch *e)
{
    for (;;) {
        unsigned t = atomic_load(&e->epoch);
        atomic_fetch_add(&e->readers[t & 1], 1);
        if (atomic_load(&e->epoch) == t)
            return t;
        atomic_fetch_sub(&e->readers[t & 1], 1);
    }
}

static inline void epoch_exit(struct epoch *e, unsigned token)
{
    atomic_fetch_sub(&e->readers[token & 1], 1);
}

/* After the new snapshot is published: return once no reader can hold the old one.
 * Writers only, one at a time. */
void epoch_synchronize(struct epoch *e);

/* In a forked child: only the forking thread exists, and it is in fork(), not in a
 * read section. */
void epoch_after_fork_child(struct epoch *e);

#endif
