/* ids.h - W3C trace and span ids from a fast per-thread random source, and clocks.
 *
 * Each thread has its own xoshiro256** state seeded from getrandom(), so id generation
 * takes no lock. After fork() the child re-seeds on first use (ids_after_fork bumps a
 * generation that every thread's state compares against), so parent and child never
 * produce the same sequence. */
#ifndef GENOPS_IDS_H
#define GENOPS_IDS_H

#include <stdint.h>
#include <time.h>

/* 16 random bytes, never all zero. Any thread. */
void ids_trace_id(uint8_t out[16]);
/* 8 random bytes, never all zero. Any thread. */
void ids_span_id(uint8_t out[8]);
/* 8 random bytes as a number, never zero (a seed for retry jitter). Any thread. */
uint64_t ids_random_u64(void);
/* Called in the child after fork(): invalidate every thread's random state. */
void ids_after_fork(void);

/* Nanoseconds since the epoch (CLOCK_REALTIME), for span timestamps. */
static inline uint64_t clock_unix_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds of CLOCK_MONOTONIC, for deadlines and delays. */
static inline uint64_t clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
