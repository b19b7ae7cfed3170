/* retry.h - when to try a failed request again: exponential backoff with full jitter.
 *
 * Full jitter (the wait is uniform in [0, min(cap, base * 2^(n-1))]) spreads the
 * retries of many clients that failed together (a collector restart) instead of
 * synchronising them; a server's Retry-After, when it gives one, wins over the
 * computed wait (OTLP/HTTP specification, "Failures": "the client SHOULD honor the
 * Retry-After header"), but is floored at half the schedule's ceiling for that attempt
 * (a "Retry-After: 0" or an HTTP-date in the past would otherwise mean thousands of
 * requests per second), and no request is retried more than RETRY_MAX_ATTEMPTS times.
 * Every wait ends before the caller's deadline or is not taken.
 * Pure apart from retry_sleep_until; the random state is the caller's, so tests seed it. */
#ifndef GENOPS_RETRY_H
#define GENOPS_RETRY_H

#include <stdbool.h>
#include <stdint.h>

struct retry_policy {
    uint64_t base_ns; /* cap of the first wait */
    uint64_t cap_ns;  /* no wait is ever longer */
};

/* The exporters' policy: base 100 ms, cap 5 s. Expected waits 50 ms, 100 ms, 200 ms...:
 * a passing 503 clears fast, and six doublings reach the cap well inside the default
 * 10 s OTLP timeout. */
extern const struct retry_policy retry_default;

/* Retries of one request at most: with the default policy they span about 20 s of
 * waits, longer than the default deadline, so the cap only bites on storms. */
#define RETRY_MAX_ATTEMPTS 10u

/* A uniformly random wait for retry number attempt (1 = the first retry), advancing
 * *rng (any non-zero seed). */
uint64_t retry_backoff_ns(const struct retry_policy *p, unsigned attempt, uint64_t *rng);

/* The least time an attempt must have before the deadline: one with less would mostly
 * time out, and its timeout would hide the backend's own last answer (a 503, a 429). */
#define RETRY_MIN_ATTEMPT_NS ((uint64_t)50000000u)

/* When to start retry number attempt: retry_after_ms from now when the server sent one
 * (>= 0; floored as above), else now + retry_backoff_ns. Returns false (give up now)
 * when attempt > RETRY_MAX_ATTEMPTS or that moment leaves less than
 * RETRY_MIN_ATTEMPT_NS before deadline_ns, so no attempt starts that could not finish. */
bool retry_when(const struct retry_policy *p, unsigned attempt, int64_t retry_after_ms,
                uint64_t now_ns, uint64_t deadline_ns, uint64_t *rng, uint64_t *wake_ns);

/* Sleep until CLOCK_MONOTONIC reaches wake_ns (export thread only). */
void retry_sleep_until(uint64_t wake_ns);

#endif
