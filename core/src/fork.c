/* fork.c - see fork.h. */
#include "fork.h"

#include <pthread.h>
#include <stdatomic.h>

static _Atomic(const struct fork_hooks *) registered[FORK_RANKS];
/* The hooks prepare ran, so that parent and child undo exactly those, whatever was
 * registered meanwhile (a library loaded by another thread during the fork). Only the
 * forking thread touches it, between prepare and parent or child. */
static const struct fork_hooks *active[FORK_RANKS];
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static void run_prepare(void)
{
    for (int r = 0; r < FORK_RANKS; r++) {
        active[r] = atomic_load(&registered[r]);
        if (active[r] && active[r]->prepare)
            active[r]->prepare();
    }
}

static void run_parent(void)
{
    for (int r = FORK_RANKS - 1; r >= 0; r--)
        if (active[r] && active[r]->parent)
            active[r]->parent();
}

static void run_child(void)
{
    for (int r = FORK_RANKS - 1; r >= 0; r--)
        if (active[r] && active[r]->child)
            active[r]->child();
}

static void install(void)
{
    pthread_atfork(run_prepare, run_parent, run_child);
}

void fork_hooks_register(enum fork_rank rank, const struct fork_hooks *hooks)
{
    atomic_store(&registered[rank], hooks);
    pthread_once(&install_once, install);
}
