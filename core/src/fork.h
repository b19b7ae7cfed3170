/* fork.h - the library's one pthread_atfork registration.
 *
 * Every module whose state must survive fork() registers its hooks here under its
 * rank, from a constructor (so they are in place before any of its locks can be
 * taken). Before fork() the prepare hooks run in rank order, so the locks are always
 * taken in one order; after it the parent and child hooks run in the reverse order (the
 * log first: whatever runs after it may log). Modules know fork.h only; fork.c knows no
 * module. */
#ifndef GENOPS_FORK_H
#define GENOPS_FORK_H

/* The lock order, outermost first. */
enum fork_rank {
    FORK_RANK_BUDGETS,     /* the budgets' configuration lock (budget/budget.c) */
    FORK_RANK_RATE_LIMITS, /* the rate limits' configuration lock (budget/rate_limit.c) */
    FORK_RANK_PIPELINES,   /* the registry, then each pipeline's lock (pipeline.c) */
    FORK_RANK_SLOT_POOL,   /* the pool's growth lock (slot_pool.c) */
    FORK_RANK_DEFAULTS,    /* the defaults' writer lock (context.c) */
    FORK_RANK_IDS,         /* no lock: the child re-seeds (ids.c) */
    FORK_RANK_LOG,         /* the log queue's lock, a leaf (log.c) */
    FORK_RANKS
};

/* What one module does around fork(); any hook may be NULL. They run inside fork(), in
 * the forking thread: prepare takes the module's locks, parent releases them, child
 * releases them (or makes them anew) and forgets what other threads left behind. */
struct fork_hooks {
    void (*prepare)(void);
    void (*parent)(void);
    void (*child)(void);
};

/* Register hooks (static storage) for rank, once per rank; the first registration also
 * installs the pthread_atfork handlers. Not from inside a fork hook. */
void fork_hooks_register(enum fork_rank rank, const struct fork_hooks *hooks);

#endif
