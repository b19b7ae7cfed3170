/* retry.c - see retry.h. */
#include "retry.h"

#include <errno.h>
#include <time.h>

const struct retry_policy retry_default = {100000000u, 5000000000u};

/* splitmix64: tiny, full-period, good enough to spread waits (not for secrets). */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The schedule's ceiling for retry number attempt: base * 2^(attempt-1), at most cap. */
static uint64_t ceiling_ns(const struct retry_policy *p, unsigned attempt)
{
    uint64_t ceiling = p->base_ns;
    for (unsigned i = 1; i < attempt && ceiling < p->cap_ns; i++)
        ceiling *= 2;
    return ceiling > p->cap_ns ? p->cap_ns : ceiling;
}

uint64_t retry_backoff_ns(const struct retry_policy *p, unsigned attempt, uint64_t *rng)
{
    return next_random(rng) % (ceiling_ns(p, attempt) + 1);
}

bool retry_when(const struct retry_policy *p, unsigned attempt, int64_t retry_after_ms,
                uint64_t now_ns, uint64_t deadline_ns, uint64_t *rng, uint64_t *wake_ns)
{
    if (attempt > RETRY_MAX_ATTEMPTS)
        return false;
    uint64_t wait = retry_backoff_ns(p, attempt, rng);
    if (retry_after_ms >= 0) {
        /* A server's wait wins, but never below half the schedule's ceiling: a
         * "Retry-After: 0" or a date in the past must not become a retry storm. */
        uint64_t floor = ceiling_ns(p, attempt) / 2;
        uint64_t asked = (uint64_t)retry_after_ms * 1000000u;
        wait = asked > floor ? asked : floor;
    }
    if (now_ns >= deadline_ns || wait >= deadline_ns - now_ns ||
        deadline_ns - now_ns - wait < RETRY_MIN_ATTEMPT_NS)
        return false;
    *wake_ns = now_ns + wait;
    return true;
}

void retry_sleep_until(uint64_t wake_ns)
{
    struct timespec ts = {(time_t)(wake_ns / 1000000000u), (long)(wake_ns % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}
