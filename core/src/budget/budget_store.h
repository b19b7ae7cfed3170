/* budget_store.h - where a budget's spend lives: its cell.
 *
 * A cell is the period it counts, the spend in that period (in nano-units of the
 * budget's currency, so that concurrent additions are exact and their order does not
 * matter, which floating-point sums would not be) and one bit per threshold crossed in
 * that period. "process": a cell in the budget's memory. "host": the cell is a small
 * file under the state directory, mapped shared, so every process of the machine adds
 * to the same counters with the same atomic instructions, and the spend survives
 * restarts. Lock-free 64-bit atomics are address-free, which is what makes them work
 * across processes (C11 7.17.5 note; true of every platform the library builds on). */
#ifndef GENOPS_BUDGET_STORE_H
#define GENOPS_BUDGET_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "genops.h"

/* The period field while one thread rolls the cell over to a new period. */
#define BUDGET_CELL_ROLLING (INT64_C(1) << 62)

struct budget_cell {
    _Atomic int64_t period; /* the period index counted, or | BUDGET_CELL_ROLLING */
    _Atomic int64_t spend;  /* nano-units */
    _Atomic uint32_t fired; /* bit i: threshold i crossed in this period; bit 31: warned */
    uint32_t pad;
};

/* Bit of fired: the warning that a "warn" budget reached its limit was logged. */
#define BUDGET_FIRED_WARNED (UINT32_C(1) << 31)

/* A cell and how to let it go. */
struct budget_store {
    struct budget_cell *cell;
    struct budget_cell local; /* "process": the cell itself */
    void *map;                /* "host": the mapping, else NULL */
    size_t map_len;
};

/* The cell of store "process": zero, counting period. */
void budget_store_local(struct budget_store *st, int64_t period);

/* The cell of store "host" for budget name under dir (created 0700 when missing), in
 * the file dir/budget-<name>.cell (name percent-encoded outside [A-Za-z0-9._-]):
 * created zero, counting period, or the existing one, with its spend. */
genops_status budget_store_host(struct budget_store *st, const char *dir, const char *name,
                                int64_t period, genops_error *err);

/* The state directory when none is given: GENOPS_STATE_DIR, else $XDG_CACHE_HOME/genops,
 * else $HOME/.cache/genops; into out (cap bytes). false when none can be made. */
bool budget_store_default_dir(char *out, size_t cap);

/* Unmap a "host" cell; nothing for "process". */
void budget_store_close(struct budget_store *st);

/* Bring the cell to period now: a cell counting an earlier period starts again from
 * zero (one thread or process does it; the others wait the few instructions it
 * takes). A cell counting a later period (another process's clock is ahead) is left
 * as it is. */
void budget_cell_roll(struct budget_cell *c, int64_t now);

#endif
