/* budget.h - budgets: spend accumulated natively from every recorded cost.
 *
 * genops_span_record_cost calls budget_on_cost with the cost it recorded; when no
 * budget is defined that is one relaxed load. Otherwise every budget whose currency is
 * the cost's and whose scope matches the span's effective attributes (its own, then
 * its context's, then the defaults') adds the cost to its cell with one atomic
 * addition, and a threshold crossed for the first time in the period emits one
 * genops.budget.threshold span (a child of the span) carrying the genops.budget.*
 * names. genops_span_budget_blocked (genops.h) is the check at an operation's start. */
#ifndef GENOPS_BUDGET_H
#define GENOPS_BUDGET_H

#include <stdatomic.h>

#include "genops.h"

struct span;

/* The number of defined budgets. */
extern atomic_uint budget_defined;

void budget_on_cost_slow(struct span *s, const genops_value *cost, const genops_value *currency);

/* s recorded cost (a number) in currency (a string): add it to the budgets it is in. */
static inline void budget_on_cost(struct span *s, const genops_value *cost,
                                  const genops_value *currency)
{
    if (atomic_load_explicit(&budget_defined, memory_order_relaxed))
        budget_on_cost_slow(s, cost, currency);
}

/* For tests: the wall clock budgets read, in Unix seconds; 0 goes back to the real one. */
void budget_clock_override(int64_t unix_s);

#endif
