/* test_rate_limit.c - rate limits (core/src/budget/rate_limit.c): requests and tokens
 * per minute per key, refills by an injected clock, the refused decision on the span,
 * warn and record, the key table's bound, configuration errors, and exactly the
 * capacity admitted under contention. */
#include <math.h>
#include <pthread.h>

#include "budget/rate_limit.h"
#include "testutil.h"

#define SECOND UINT64_C(1000000000)
#define T0     (1000 * SECOND)

static void define_or_fail(const genops_attribute *kv, size_t n)
{
    genops_error err = {GENOPS_OK, ""};
    if (genops_rate_limit_define(kv, n, &err) != GENOPS_OK)
        fail_msg("define: %s", err.message);
}

static genops_span op(genops_pipeline *p, const char *team)
{
    genops_attribute own[] = {
        {"team", {.type = GENOPS_TYPE_STRING, .len = strlen(team), .u.s = team}}};
    genops_span s = genops_operation_start(p, "chat", NULL, NULL, NULL, own, team[0] ? 1 : 0, NULL);
    assert_true(s != GENOPS_SPAN_NONE);
    return s;
}

/* Start an operation of team, check it, end it: whether it was refused. */
static bool refused(genops_pipeline *p, const char *team)
{
    genops_span s = op(p, team);
    bool r = genops_span_rate_limited(s, NULL, 0, NULL, 0);
    genops_span_end(s, NULL);
    return r;
}

static genops_rate_limit_state state_of(const char *name, const char *key)
{
    genops_rate_limit_state st = {.struct_size = sizeof st};
    assert_int_equal(genops_rate_limit_get(name, key, &st, NULL), GENOPS_OK);
    return st;
}

static void expect_error(const genops_attribute *kv, size_t n, const char *words)
{
    genops_error err = {GENOPS_OK, ""};
    assert_int_equal(genops_rate_limit_define(kv, n, &err), GENOPS_EINVAL);
    if (!strstr(err.message, words))
        fail_msg("'%s' does not say '%s'", err.message, words);
}

static void test_bad_configuration(void **state)
{
    (void)state;
    genops_attribute none[] = {A_STR("name", "r")};
    expect_error(none, 1, "give requests_per_minute, tokens_per_minute or both");
    genops_attribute negative[] = {A_STR("name", "r"), A_INT("requests_per_minute", -5)};
    expect_error(negative, 2, "requests_per_minute must be a number in (0, 1e12]");
    genops_attribute text[] = {A_STR("name", "r"), A_STR("tokens_per_minute", "many")};
    expect_error(text, 2, "tokens_per_minute must be a number");
    genops_attribute unknown[] = {A_STR("name", "r"), A_INT("rpm", 5)};
    expect_error(unknown, 2, "unknown option 'rpm'");
    genops_attribute key[] = {A_STR("name", "r"), A_INT("requests_per_minute", 5), A_INT("key", 1)};
    expect_error(key, 3, "key must be an attribute name");
    genops_attribute keys[] = {A_STR("name", "r"), A_INT("requests_per_minute", 5),
                               A_INT("max_keys", 0)};
    expect_error(keys, 3, "max_keys must be an integer");
    genops_attribute enf[] = {A_STR("name", "r"), A_INT("requests_per_minute", 5),
                              A_STR("enforcement", "deny")};
    expect_error(enf, 3, "enforcement must be");
    genops_attribute noname[] = {A_INT("requests_per_minute", 5)};
    expect_error(noname, 1, "name must be");
    genops_error err;
    assert_int_equal(genops_rate_limit_remove("r", &err), GENOPS_EINVAL);
    genops_rate_limit_state st = {.struct_size = sizeof st};
    assert_int_equal(genops_rate_limit_get("r", NULL, &st, &err), GENOPS_EINVAL);
    assert_int_equal(atomic_load(&rate_limit_defined), 0);
}

static void test_requests_per_key_and_refill(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    rate_limit_clock_override(T0);
    genops_attribute kv[] = {A_STR("name", "rpm"), A_INT("requests_per_minute", 3),
                             A_STR("key", "team")};
    define_or_fail(kv, 3);
    for (int i = 0; i < 3; i++)
        assert_false(refused(f.pipeline, "ml"));
    assert_int_equal(genops_pipeline_flush(f.pipeline, 10000, NULL), GENOPS_OK);
    genops_memory_exporter_clear(f.memory);
    char name[32], why[256];
    genops_span s = op(f.pipeline, "ml");
    assert_true(genops_span_rate_limited(s, name, sizeof name, why, sizeof why));
    genops_span_end(s, NULL);
    assert_string_equal(name, "rpm");
    assert_string_equal(why, "Rate limit 'rpm' exceeded: 3 requests per minute for team=ml");
    const genops_span_data *d = fixture_only_span(&f);
    expect_str(d, "genops.policy.name", "rpm");
    expect_str(d, "genops.policy.result", "rate_limited");
    assert_false(refused(f.pipeline, "search")); /* its own bucket */
    assert_false(refused(f.pipeline, ""));       /* no team: not limited */
    /* 20 s refill one request (60 s / 3) */
    rate_limit_clock_override(T0 + 19 * SECOND);
    assert_true(refused(f.pipeline, "ml"));
    rate_limit_clock_override(T0 + 20 * SECOND);
    assert_false(refused(f.pipeline, "ml"));
    assert_true(refused(f.pipeline, "ml"));
    genops_rate_limit_state st = state_of("rpm", "ml");
    assert_true(st.requests_per_minute == 3.0);
    assert_true(st.requests_available == 0.0);
    assert_int_equal(st.keys, 2);
    assert_int_equal(st.refused, 3);
    assert_string_equal(st.enforcement, "block");
    assert_true(state_of("rpm", "never-seen").requests_available == 3.0);
    rate_limit_clock_override(T0 + 600 * SECOND); /* a full bucket holds one minute's rate */
    assert_true(state_of("rpm", "ml").requests_available == 3.0);
    assert_int_equal(genops_rate_limit_remove("rpm", NULL), GENOPS_OK);
    assert_false(genops_span_rate_limited(GENOPS_SPAN_NONE, NULL, 0, NULL, 0));
    rate_limit_clock_override(0);
    fixture_close(&f);
}

static void tokens(genops_span s, int64_t n)
{
    genops_attribute kv[] = {A_DBL("cost", 0.01), A_INT("tokens_total", n)};
    assert_int_equal(genops_span_record_cost(s, kv, 2, NULL), GENOPS_OK);
}

static void test_tokens_per_minute_go_into_debt(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    rate_limit_clock_override(T0);
    genops_attribute kv[] = {A_STR("name", "tpm"), A_INT("tokens_per_minute", 100)};
    define_or_fail(kv, 2);
    genops_span s = op(f.pipeline, "ml");
    assert_false(genops_span_rate_limited(s, NULL, 0, NULL, 0));
    tokens(s, 150); /* 50 past the minute's 100: 30 s of debt, then a token takes 0.6 s */
    genops_span_end(s, NULL);
    assert_true(state_of("tpm", NULL).tokens_available == -50.0);
    char why[256];
    s = op(f.pipeline, "ml");
    assert_true(genops_span_rate_limited(s, NULL, 0, why, sizeof why));
    genops_span_end(s, NULL);
    assert_string_equal(why, "Rate limit 'tpm' exceeded: 100 tokens per minute");
    rate_limit_clock_override(T0 + 30 * SECOND);
    assert_true(refused(f.pipeline, "ml"));
    rate_limit_clock_override(T0 + 31 * SECOND);
    assert_false(refused(f.pipeline, "any team"));
    /* input + output count when tokens_total is not given */
    s = op(f.pipeline, "ml");
    genops_attribute io[] = {A_DBL("cost", 0.01), A_INT("tokens_input", 10),
                             A_INT("tokens_output", 5)};
    assert_int_equal(genops_span_record_cost(s, io, 3, NULL), GENOPS_OK);
    genops_span_end(s, NULL);
    genops_rate_limit_state st = state_of("tpm", NULL);
    /* debt until T0 + 90 s, then 15 tokens more: T0 + 99 s, 68 s ahead of now */
    assert_true(fabs(st.tokens_available - (60.0 - 68.0) / 0.6) < 1e-9);
    genops_rate_limit_remove("tpm", NULL);
    rate_limit_clock_override(0);
    fixture_close(&f);
}

static void test_warn_record_and_the_key_bound(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    rate_limit_clock_override(T0);
    genops_attribute warn[] = {A_STR("name", "w"), A_INT("requests_per_minute", 1),
                               A_STR("enforcement", "warn"), A_STR("key", "team"),
                               A_INT("max_keys", 2)};
    define_or_fail(warn, 5);
    for (int i = 0; i < 3; i++)
        assert_false(refused(f.pipeline, "ml"));
    assert_int_equal(state_of("w", "ml").refused, 2);
    assert_false(refused(f.pipeline, "a"));
    assert_false(refused(f.pipeline, "b")); /* the third key: the overflow bucket */
    assert_false(refused(f.pipeline, "c")); /* shares it with b: over, but "warn" */
    genops_rate_limit_state st = state_of("w", NULL);
    assert_int_equal(st.keys, 2);
    assert_int_equal(st.refused, 3);
    genops_attribute record[] = {A_STR("name", "w"), A_INT("requests_per_minute", 1),
                                 A_STR("enforcement", "record")};
    define_or_fail(record, 3); /* replaces it */
    assert_int_equal(atomic_load(&rate_limit_defined), 1);
    assert_false(refused(f.pipeline, "ml"));
    assert_false(refused(f.pipeline, "ml"));
    assert_string_equal(state_of("w", NULL).enforcement, "record");
    assert_int_equal(state_of("w", NULL).refused, 1);
    genops_rate_limit_remove("w", NULL);
    rate_limit_clock_override(0);
    fixture_close(&f);
}

enum { THREADS = 8, STARTS = 10000, CAPACITY = 1000 };

struct worker {
    genops_pipeline *p;
    int allowed;
};

static void *starts(void *arg)
{
    struct worker *w = arg;
    genops_span s = op(w->p, "ml");
    for (int i = 0; i < STARTS; i++)
        w->allowed += !genops_span_rate_limited(s, NULL, 0, NULL, 0);
    genops_span_end(s, NULL);
    return NULL;
}

static void test_exactly_the_capacity_under_contention(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    rate_limit_clock_override(T0); /* frozen: no refill */
    genops_attribute kv[] = {A_STR("name", "burst"), A_INT("requests_per_minute", CAPACITY),
                             A_STR("key", "team")};
    define_or_fail(kv, 3);
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){f.pipeline, 0};
        assert_int_equal(pthread_create(&t[i], NULL, starts, &w[i]), 0);
    }
    int allowed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        allowed += w[i].allowed;
    }
    assert_int_equal(allowed, CAPACITY);
    assert_int_equal(state_of("burst", "ml").refused, THREADS * STARTS - CAPACITY);
    genops_rate_limit_remove("burst", NULL);
    rate_limit_clock_override(0);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_configuration),
        cmocka_unit_test(test_requests_per_key_and_refill),
        cmocka_unit_test(test_tokens_per_minute_go_into_debt),
        cmocka_unit_test(test_warn_record_and_the_key_bound),
        cmocka_unit_test(test_exactly_the_capacity_under_contention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
