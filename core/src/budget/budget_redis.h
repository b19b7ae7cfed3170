/* budget_redis.h - the store="redis://host:port/db" of a budget: its spend in one Redis
 * key per period, shared by every process of a fleet.
 *
 * The recording thread never waits for Redis: it adds a cost to the budget's local
 * cell (what checks read) and to a pending count, one atomic addition each. A thread
 * of the budget's own sends the pending count every 100 ms with INCRBY on the key
 * genops:budget:<name>:<period index> (an atomic addition in Redis, so no update is
 * lost whichever worker sends it) and EXPIRE (two periods), and adds to the local cell
 * what the other processes added meanwhile (the reply's total, less what it knew and
 * what it sent). Redis unreachable: the costs stay pending and are counted locally, a
 * warning is logged once, and the pending count is sent when Redis answers again. */
#ifndef GENOPS_BUDGET_REDIS_H
#define GENOPS_BUDGET_REDIS_H

#include <stdatomic.h>
#include <stdint.h>

#include "budget_store.h"
#include "genops.h"

struct budget_redis;

/* The current period of the budget (the caller's). */
typedef int64_t (*budget_redis_period_fn)(void *arg);

/* Start the store of budget name at url ("redis://host[:port][/db]", port 6379 and db 0
 * by default) for cell. GENOPS_EINVAL for a URL that is not one; an unreachable server
 * is not an error (see above). */
genops_status budget_redis_open(struct budget_redis **out, const char *url, const char *name,
                                struct budget_cell *cell, budget_redis_period_fn period, void *arg,
                                genops_error *err);

/* Count delta (nano-units) for Redis: one atomic addition. */
void budget_redis_add(struct budget_redis *r, int64_t delta);

/* Send what is pending and take the others' spend now, waiting at most timeout_ms:
 * for status and before a removal. false when Redis did not answer in time. */
bool budget_redis_sync(struct budget_redis *r, int timeout_ms);

/* Whether costs wait to be sent. */
bool budget_redis_pending(struct budget_redis *r);

/* In a fork child: the parent's thread and connection are not this process's, and what
 * was pending is the parent's to send. Start afresh (the thread starts on next use). */
void budget_redis_after_fork_child(struct budget_redis *r);

/* Send what is pending (within 1 s), stop the thread, free r. */
void budget_redis_close(struct budget_redis *r);

#endif
