/* rate_limit.h - rate limits: token buckets of requests and tokens per minute, one per
 * value of a scope key (genops.h: genops_rate_limit_define).
 *
 * genops_span_rate_limited takes one request from the buckets of the operation's key at
 * its start; genops_span_record_cost charges the tokens it records
 * (rate_limit_on_tokens), which may leave a bucket in debt that later starts wait out. */
#ifndef GENOPS_RATE_LIMIT_H
#define GENOPS_RATE_LIMIT_H

#include <stdatomic.h>

#include "genops.h"

struct span;

/* The number of defined rate limits. */
extern atomic_uint rate_limit_defined;

void rate_limit_on_tokens_slow(struct span *s, int64_t tokens);

/* s recorded tokens (an integer value, or NULL): charge them to its buckets. */
static inline void rate_limit_on_tokens(struct span *s, const genops_value *tokens)
{
    if (tokens && tokens->type == GENOPS_TYPE_INT && tokens->u.i > 0 &&
        atomic_load_explicit(&rate_limit_defined, memory_order_relaxed))
        rate_limit_on_tokens_slow(s, tokens->u.i);
}

/* For tests: the monotonic clock rate limits read, in nanoseconds; 0 goes back to the
 * real one. */
void rate_limit_clock_override(uint64_t mono_ns);

#endif
