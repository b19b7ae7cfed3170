/* test_retry.c - backoff with full jitter, Retry-After, and the deadline rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "retry.h"

#define MS 1000000ull

static void test_backoff_stays_under_a_doubling_ceiling(void **state)
{
    (void)state;
    struct retry_policy p = {100 * MS, 1000 * MS};
    uint64_t rng = 42;
    for (unsigned attempt = 1; attempt <= 10; attempt++) {
        uint64_t ceiling = 100 * MS << (attempt - 1);
        if (ceiling > 1000 * MS)
            ceiling = 1000 * MS;
        for (int i = 0; i < 200; i++)
            assert_true(retry_backoff_ns(&p, attempt, &rng) <= ceiling);
    }
}

static void test_backoff_is_spread_over_the_whole_range(void **state)
{
    (void)state;
    /* Full jitter: waits fill [0, ceiling], not just its top. 1000 seeded draws land in
     * each tenth of the range. */
    struct retry_policy p = {1000 * MS, 1000 * MS};
    uint64_t rng = 7;
    int tenths[10] = {0};
    for (int i = 0; i < 1000; i++)
        tenths[retry_backoff_ns(&p, 1, &rng) * 10 / (1000 * MS + 1)]++;
    for (int t = 0; t < 10; t++)
        assert_in_range(tenths[t], 60, 140);
}

static void test_backoff_is_reproducible_from_a_seed(void **state)
{
    (void)state;
    uint64_t a = 12345, b = 12345, c = 54321;
    uint64_t x = retry_backoff_ns(&retry_default, 3, &a);
    assert_int_equal(x, retry_backoff_ns(&retry_default, 3, &b));
    assert_int_not_equal(x, retry_backoff_ns(&retry_default, 3, &c));
}

static void test_huge_attempt_numbers_do_not_overflow(void **state)
{
    (void)state;
    uint64_t rng = 1;
    assert_true(retry_backoff_ns(&retry_default, 1000000, &rng) <= retry_default.cap_ns);
}

static void test_retry_after_wins_over_backoff(void **state)
{
    (void)state;
    uint64_t rng = 1, wake = 0;
    assert_true(retry_when(&retry_default, 1, 2000, 10 * MS, 10000 * MS, &rng, &wake));
    assert_int_equal(wake, 2010 * MS);
}

static void test_retry_after_zero_is_floored_at_the_schedule(void **state)
{
    (void)state;
    /* "Retry-After: 0" (or a date in the past) used to mean no wait at all: a retry
     * storm. The floor is half the schedule's ceiling: 50 ms, then 100 ms, 200 ms... */
    uint64_t rng = 1, wake = 0;
    assert_true(retry_when(&retry_default, 1, 0, 10 * MS, 10000 * MS, &rng, &wake));
    assert_int_equal(wake, 60 * MS);
    assert_true(retry_when(&retry_default, 3, 0, 10 * MS, 10000 * MS, &rng, &wake));
    assert_int_equal(wake, 210 * MS);
}

static void test_attempts_are_capped(void **state)
{
    (void)state;
    uint64_t rng = 1, wake = 0;
    assert_true(retry_when(&retry_default, RETRY_MAX_ATTEMPTS, 0, 0, UINT64_MAX, &rng, &wake));
    assert_false(retry_when(&retry_default, RETRY_MAX_ATTEMPTS + 1, 0, 0, UINT64_MAX, &rng, &wake));
    assert_false(
        retry_when(&retry_default, RETRY_MAX_ATTEMPTS + 1, -1, 0, UINT64_MAX, &rng, &wake));
}

static void test_no_retry_that_cannot_start_before_the_deadline(void **state)
{
    (void)state;
    uint64_t rng = 1, wake = 0;
    assert_false(retry_when(&retry_default, 1, 5000, 0, 5000 * MS, &rng, &wake));
    assert_false(retry_when(&retry_default, 1, -1, 100 * MS, 100 * MS, &rng, &wake));
    assert_false(retry_when(&retry_default, 1, -1, 200 * MS, 100 * MS, &rng, &wake));
    /* A wait that would leave the attempt under RETRY_MIN_ATTEMPT_NS: none. */
    assert_false(retry_when(&retry_default, 1, 960, 0, 1000 * MS, &rng, &wake));
    assert_true(retry_when(&retry_default, 1, 900, 0, 1000 * MS, &rng, &wake));
    assert_true(wake == 900 * MS);
    /* Backoff (at most 100 ms on the first retry) fits in one second. */
    assert_true(retry_when(&retry_default, 1, -1, 0, 1000 * MS, &rng, &wake));
    assert_true(wake <= 100 * MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_stays_under_a_doubling_ceiling),
        cmocka_unit_test(test_backoff_is_spread_over_the_whole_range),
        cmocka_unit_test(test_backoff_is_reproducible_from_a_seed),
        cmocka_unit_test(test_huge_attempt_numbers_do_not_overflow),
        cmocka_unit_test(test_retry_after_wins_over_backoff),
        cmocka_unit_test(test_retry_after_zero_is_floored_at_the_schedule),
        cmocka_unit_test(test_attempts_are_capped),
        cmocka_unit_test(test_no_retry_that_cannot_start_before_the_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
