/* clock.h - the two clocks of the library: wall-clock time for span timestamps, and the
 * monotonic clock for deadlines and delays (never wall-clock: it may jump). */
#ifndef GENOPS_CLOCK_H
#define GENOPS_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Nanoseconds since the epoch (CLOCK_REALTIME), for span timestamps. */
static inline uint64_t clock_unix_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whole seconds since the epoch from CLOCK_REALTIME_COARSE (the time of the last tick,
 * a few milliseconds behind at most, read without a system call or a timer read): for
 * budget periods, which need seconds on every recorded cost. */
static inline int64_t clock_unix_coarse_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (int64_t)ts.tv_sec;
}

/* Nanoseconds of CLOCK_MONOTONIC, for deadlines and delays. */
static inline uint64_t clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds of CLOCK_MONOTONIC_COARSE (the last tick: a few milliseconds of
 * resolution, no timer read), for rate limits' token buckets. */
static inline uint64_t clock_mono_coarse_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A condition variable whose timed waits take CLOCK_MONOTONIC deadlines. */
static inline void cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
}

#endif
