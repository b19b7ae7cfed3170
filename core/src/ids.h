/* ids.h - W3C trace and span ids from a fast per-thread random source.
 *
 * Each thread has its own xoshiro256** state seeded from getrandom(), so id generation
 * takes no lock. After fork() the child re-seeds on first use (a fork hook bumps a
 * generation that every thread's state compares against), so parent and child never
 * produce the same sequence. */
#ifndef GENOPS_IDS_H
#define GENOPS_IDS_H

#include <stdint.h>

/* 16 random bytes, never all zero. Any thread. */
void ids_trace_id(uint8_t out[16]);
/* 8 random bytes, never all zero. Any thread. */
void ids_span_id(uint8_t out[8]);
/* 8 random bytes as a number, never zero (a seed for retry jitter). Any thread. */
uint64_t ids_random_u64(void);

#endif
