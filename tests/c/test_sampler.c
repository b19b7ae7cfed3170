/* test_sampler.c - head sampling (sampler.c): the ratio bound and decision, the
 * parent-based rule, the options' checks, and the locale-free ratio reader (config.c).
 * The decisions are compared with the OpenTelemetry SDK's in tests/python/test_sampling.py. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "config.h"
#include "sampler.h"
#include "sampling_rules.h"
#include "testutil.h"

static void trace_with_low(uint8_t id[16], uint64_t low)
{
    memset(id, 0xab, 8);
    for (int i = 15; i >= 8; i--, low >>= 8)
        id[i] = (uint8_t)low;
}

static bool keeps(const struct sampler *sm, uint64_t low, const genops_span_context *parent)
{
    uint8_t id[16];
    uint32_t weight;
    trace_with_low(id, low);
    return sampler_decide(sm, id, parent, &weight) & GENOPS_TRACE_FLAG_SAMPLED;
}

static void test_the_bound_is_rate_times_2_to_the_64_rounded_half_even(void **state)
{
    (void)state;
    struct sampler sm;
    assert_int_equal(sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, 0.25, NULL), GENOPS_OK);
    assert_true(sm.bound == UINT64_C(1) << 62 && !sm.all);
    assert_true(keeps(&sm, (UINT64_C(1) << 62) - 1, NULL));
    assert_false(keeps(&sm, UINT64_C(1) << 62, NULL));
    /* 2^-65 * 2^64 = 0.5 rounds to 0 (even), 3 * 2^-65 * 2^64 = 1.5 to 2. */
    assert_int_equal(sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, ldexp(1, -65), NULL), 0);
    assert_true(sm.bound == 0);
    assert_int_equal(sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, ldexp(3, -65), NULL), 0);
    assert_true(sm.bound == 2);
    assert_int_equal(sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, 1.0, NULL), 0);
    assert_true(sm.all && keeps(&sm, UINT64_MAX, NULL));
    assert_int_equal(sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, 0.0, NULL), 0);
    assert_false(keeps(&sm, 0, NULL));
}

static void test_a_sampled_span_weighs_one_over_the_ratio(void **state)
{
    (void)state;
    struct sampler sm;
    uint8_t id[16];
    uint32_t weight;
    trace_with_low(id, 0);
    sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, 0.3, NULL);
    sampler_decide(&sm, id, NULL, &weight);
    assert_int_equal(weight, 3);
    sampler_configure(&sm, GENOPS_SAMPLER_ALWAYS_ON, 0.3, NULL); /* the ratio is ignored */
    sampler_decide(&sm, id, NULL, &weight);
    assert_int_equal(weight, 1);
    trace_with_low(id, UINT64_MAX);
    sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, 0.5, NULL);
    sampler_decide(&sm, id, NULL, &weight);
    assert_int_equal(weight, 0);
}

static void test_parent_based_children_follow_the_parent(void **state)
{
    (void)state;
    struct sampler sm;
    genops_span_context on = {.trace_flags = GENOPS_TRACE_FLAG_SAMPLED | 0x02}, off = {0};
    sampler_configure(&sm, GENOPS_SAMPLER_PARENTBASED_TRACEIDRATIO, 0.0, NULL);
    assert_true(keeps(&sm, 0, &on) && !keeps(&sm, 0, &off) && !keeps(&sm, 0, NULL));
    uint8_t id[16];
    uint32_t weight;
    trace_with_low(id, 0);
    assert_int_equal(sampler_decide(&sm, id, &on, &weight), 0x03); /* other flags kept */
    sampler_configure(&sm, GENOPS_SAMPLER_PARENTBASED_ALWAYS_OFF, 0, NULL);
    assert_true(keeps(&sm, 0, &on) && !keeps(&sm, 0, NULL));
    sampler_configure(&sm, GENOPS_SAMPLER_PARENTBASED_ALWAYS_ON, 0, NULL);
    assert_true(!keeps(&sm, 0, &off) && keeps(&sm, 0, NULL));
    sampler_configure(&sm, GENOPS_SAMPLER_ALWAYS_ON, 0, NULL); /* not parent-based */
    assert_true(keeps(&sm, 0, &off));
}

static void test_explicit_options_are_checked(void **state)
{
    (void)state;
    struct sampler sm;
    genops_error err;
    assert_int_equal(sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, 1.5, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "sampler_ratio"));
    assert_int_equal(sampler_configure(&sm, GENOPS_SAMPLER_TRACEIDRATIO, NAN, &err), GENOPS_EINVAL);
    assert_int_equal(sampler_configure(&sm, (genops_sampler)7, 0.5, &err), GENOPS_EINVAL);
    assert_int_equal(sampler_configure(&sm, GENOPS_SAMPLER_ALWAYS_OFF, 7.0, &err), GENOPS_OK);
}

static void test_the_environment_decides_by_default(void **state)
{
    (void)state;
    struct sampler sm;
    unsetenv("OTEL_TRACES_SAMPLER");
    unsetenv("OTEL_TRACES_SAMPLER_ARG");
    sampler_configure(&sm, GENOPS_SAMPLER_DEFAULT, 0, NULL);
    assert_int_equal(sm.kind, GENOPS_SAMPLER_PARENTBASED_ALWAYS_ON);
    setenv("OTEL_TRACES_SAMPLER", "ParentBased_TraceIdRatio", 1);
    sampler_configure(&sm, GENOPS_SAMPLER_DEFAULT, 0, NULL);
    assert_true(sm.kind == GENOPS_SAMPLER_PARENTBASED_TRACEIDRATIO && sm.ratio == 1.0);
    setenv("OTEL_TRACES_SAMPLER_ARG", " 0.125 ", 1);
    sampler_configure(&sm, GENOPS_SAMPLER_DEFAULT, 0, NULL);
    assert_true(sm.ratio == 0.125 && sm.weight == 8);
    setenv("OTEL_TRACES_SAMPLER_ARG", "2", 1); /* out of range: a warning and 1.0 */
    sampler_configure(&sm, GENOPS_SAMPLER_DEFAULT, 0, NULL);
    assert_true(sm.ratio == 1.0);
    setenv("OTEL_TRACES_SAMPLER", "xray", 1); /* unknown: a warning and the default */
    sampler_configure(&sm, GENOPS_SAMPLER_DEFAULT, 0, NULL);
    assert_int_equal(sm.kind, GENOPS_SAMPLER_PARENTBASED_ALWAYS_ON);
    unsetenv("OTEL_TRACES_SAMPLER");
    unsetenv("OTEL_TRACES_SAMPLER_ARG");
}

static void test_decimals_read_without_the_locale(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double value;
    } good[] = {
        {"0.1", 0.1},      {"1", 1.0},     {".5", 0.5}, {"0.25", 0.25},
        {"1e-3", 1e-3},    {"2.5E+1", 25}, {"0", 0},    {"0.333333333333333", 0.333333333333333},
        {"\t0.75 ", 0.75}, {"10e-1", 1.0}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double v = -1;
        assert_true(config_decimal(good[i].text, &v));
        assert_true(v == good[i].value);
    }
    static const char *const bad[] = {
        "", "-0.1", "0,5", "1e", "0.1x", ".", "nan", "inf", "0.1234567890123456", "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v;
        assert_false(config_decimal(bad[i], &v));
    }
}

static void test_rules_match_own_then_contexts_first_rule_first(void **state)
{
    (void)state;
    struct sampling_rules *r;
    genops_error err;
    const char *json = "[{\"attributes\": [\"genops.tier\", \"feature\"], \"equals\": [\"free\", "
                       "\"chat\"], \"ratio\": 1},"
                       " {\"attributes\": [\"tier\"], \"equals\": [\"free\"], \"ratio\": 0.01},"
                       " {\"ratio\": 0.5}]";
    assert_int_equal(sampling_rules_read(json, &r, &err), GENOPS_OK);
    assert_int_equal(r->count, 3);
    genops_attribute own[] = {{"feature", {.type = GENOPS_TYPE_STRING, .len = 4, .u.s = "chat"}}};
    genops_attribute tier[] = {{"tier", {.type = GENOPS_TYPE_STRING, .len = 4, .u.s = "free"}}};
    genops_context *ctx = genops_context_new(NULL, tier, 1, NULL);
    const genops_context *layers[2] = {NULL, ctx};
    assert_ptr_equal(sampling_rules_match(r, own, 1, layers, 2), &r->items[0]);
    assert_ptr_equal(sampling_rules_match(r, NULL, 0, layers, 2), &r->items[1]);
    assert_ptr_equal(sampling_rules_match(r, own, 1, NULL, 0), &r->items[2]);
    genops_attribute masked[] = {{"tier", {.type = GENOPS_TYPE_NULL}}}; /* own wins, even NULL */
    assert_ptr_equal(sampling_rules_match(r, masked, 1, layers, 2), &r->items[2]);
    assert_true(r->items[1].sampler.ratio == 0.01 && r->items[1].sampler.weight == 100);
    genops_context_unref(ctx);
    sampling_rules_free(r);
    assert_int_equal(sampling_rules_read("[]", &r, &err), GENOPS_OK);
    assert_null(r);
    assert_int_equal(sampling_rules_read("[{\"ratio\": -1}]", &r, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "rule 0"));
}

/* ---- through a pipeline ------------------------------------------------------ */

static genops_span operation(genops_pipeline *p, const char *tier)
{
    genops_attribute a[] = {
        {"customer_tier", {.type = GENOPS_TYPE_STRING, .len = strlen(tier), .u.s = tier}}};
    return genops_operation_start(p, "op", NULL, NULL, NULL, a, 1, NULL);
}

static void test_every_left_out_span_is_counted_by_its_reason(void **state)
{
    (void)state;
    struct fixture f;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.sampler = GENOPS_SAMPLER_ALWAYS_OFF;
    fixture_open_with(&f, &opt);
    assert_int_equal(genops_pipeline_set_sampling_thresholds(f.pipeline, 90, 2.0, 0.5, NULL), 0);
    genops_attribute blocked[] = {
        {"policy_name", {.type = GENOPS_TYPE_STRING, .len = 1, .u.s = "p"}},
        {"policy_result", {.type = GENOPS_TYPE_STRING, .len = 7, .u.s = "BLOCKED"}}};
    genops_span s = operation(f.pipeline, "free");
    genops_span_record_policy(s, blocked, 2, NULL); /* kept: an event, whatever the case */
    genops_span_end(s, NULL);
    genops_span_end(operation(f.pipeline, "free"), NULL); /* sampled out */
    s = operation(f.pipeline, "free");
    genops_span_set_status(s, GENOPS_SPAN_STATUS_ERROR, "boom", NULL); /* kept */
    genops_span_end(s, NULL);
    s = operation(f.pipeline, "free");
    genops_span_set_double(s, "genops.cost.total", 2.0, NULL); /* kept: at keep_cost */
    genops_span_end(s, NULL);
    /* Sampled by a rule at 1, but cheaper than min_cost: left out for it. */
    assert_int_equal(
        genops_pipeline_set_sampling_rules(
            f.pipeline,
            "[{\"attributes\": [\"customer_tier\"], \"equals\": [\"paid\"], \"ratio\": 1}]", NULL),
        GENOPS_OK);
    s = operation(f.pipeline, "paid");
    genops_span_set_double(s, "genops.cost.total", 0.1, NULL);
    genops_span_end(s, NULL);
    genops_span_end(operation(f.pipeline, "paid"), NULL); /* no cost: kept */
    assert_int_equal(genops_pipeline_flush(f.pipeline, 10000, NULL), GENOPS_OK);
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(f.pipeline, &st, NULL);
    assert_int_equal(st.spans_exported, 4);
    assert_int_equal(st.sampled_out, 1);
    assert_int_equal(st.below_cost_threshold, 1);
    assert_int_equal(st.spans_ended, st.spans_exported + st.sampled_out + st.below_cost_threshold);
    assert_int_equal(genops_pipeline_set_sampling_thresholds(f.pipeline, -1, 1, 0, NULL),
                     GENOPS_EINVAL);
    assert_int_equal(genops_pipeline_set_sampling_thresholds(f.pipeline, NAN, 1, 0, NULL),
                     GENOPS_EINVAL);
    fixture_close(&f);
}

struct starter {
    genops_pipeline *p;
    atomic_bool *stop;
    long started;
};

static void *start_operations(void *arg)
{
    struct starter *st = arg;
    while (!atomic_load(st->stop) || st->started < 1000) {
        genops_span_end(operation(st->p, st->started & 1 ? "free" : "paid"), NULL);
        st->started++;
    }
    return NULL;
}

/* Rules replaced while two threads start operations: under ASan and TSan, no reader
 * ever sees a freed set (epoch.h). */
static void test_rules_replaced_while_operations_start(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    atomic_bool stop = false;
    struct starter st[2] = {{f.pipeline, &stop, 0}, {f.pipeline, &stop, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, start_operations, &st[i]);
    for (int i = 0; i < 300; i++)
        assert_int_equal(
            genops_pipeline_set_sampling_rules(f.pipeline,
                                               i & 1 ? "[{\"attributes\": [\"customer_tier\"], "
                                                       "\"equals\": [\"free\"], \"ratio\": 0}]"
                                                     : NULL,
                                               NULL),
            GENOPS_OK);
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    genops_pipeline_flush(f.pipeline, 30000, NULL);
    genops_stats s = {.struct_size = sizeof s};
    genops_pipeline_stats(f.pipeline, &s, NULL);
    assert_true(s.spans_ended == (uint64_t)(st[0].started + st[1].started));
    assert_true(s.spans_ended ==
                s.spans_exported + s.sampled_out + s.dropped_queue_full + s.dropped_buffer_full);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_bound_is_rate_times_2_to_the_64_rounded_half_even),
        cmocka_unit_test(test_a_sampled_span_weighs_one_over_the_ratio),
        cmocka_unit_test(test_parent_based_children_follow_the_parent),
        cmocka_unit_test(test_explicit_options_are_checked),
        cmocka_unit_test(test_the_environment_decides_by_default),
        cmocka_unit_test(test_decimals_read_without_the_locale),
        cmocka_unit_test(test_rules_match_own_then_contexts_first_rule_first),
        cmocka_unit_test(test_every_left_out_span_is_counted_by_its_reason),
        cmocka_unit_test(test_rules_replaced_while_operations_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
