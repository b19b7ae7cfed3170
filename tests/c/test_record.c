/* test_record.c - the governance recorders, rule for rule as genops-ai's
 * GenOpsTelemetry.record_cost / record_policy / record_budget / record_evaluation. */
#include <math.h>

#include "testutil.h"

struct fixture f;

static int setup(void **state)
{
    (void)state;
    fixture_open(&f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fixture_close(&f);
    return 0;
}

typedef genops_status (*recorder)(genops_span, const genops_attribute *, size_t, genops_error *);

/* Record kv on a fresh span and return what was captured. */
static const genops_span_data *record(recorder fn, const genops_attribute *kv, size_t n)
{
    genops_error err;
    genops_pipeline_flush(f.pipeline, 10000, NULL); /* spans of earlier checks first */
    genops_memory_exporter_clear(f.memory);
    genops_span s = genops_span_start(f.pipeline, "op", NULL, NULL);
    genops_status rc = fn(s, kv, n, &err);
    if (rc)
        fail_msg("recorder failed: %s", err.message);
    genops_span_end(s, NULL);
    return fixture_only_span(&f);
}

static void test_cost_full(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_DBL("cost", 0.0234),       A_STR("provider", "openai"),
                             A_STR("model", "gpt-4"),     A_INT("tokens_input", 150),
                             A_INT("tokens_output", 50),  A_STR("cost_type", "inference"),
                             A_STR("region", "eu-west-1")};
    const genops_span_data *d = record(genops_span_record_cost, kv, COUNT(kv));
    expect_double(d, "genops.cost.total", 0.0234);
    expect_str(d, "genops.cost.currency", "USD");
    expect_str(d, "genops.cost.provider", "openai");
    expect_str(d, "genops.cost.model", "gpt-4");
    expect_int(d, "genops.tokens.input", 150);
    expect_int(d, "genops.tokens.output", 50);
    expect_int(d, "genops.tokens.total", 200);
    expect_str(d, "genops.cost.type", "inference");
    expect_str(d, "genops.cost.region", "eu-west-1");
    expect_absent(d, "genops.cost.cost_type");
    assert_int_equal(genops_span_data_attribute_count(d), 9);
}

static void test_cost_aliases_and_given_total(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_INT("cost", 2), A_STR("currency", "EUR"), A_INT("input_tokens", 10),
                             A_INT("output_tokens", 5), A_INT("tokens_total", 99)};
    const genops_span_data *d = record(genops_span_record_cost, kv, COUNT(kv));
    expect_int(d, "genops.cost.total", 2); /* the type is kept */
    expect_str(d, "genops.cost.currency", "EUR");
    expect_int(d, "genops.tokens.input", 10);
    expect_int(d, "genops.tokens.output", 5);
    expect_int(d, "genops.tokens.total", 99);
    expect_absent(d, "genops.cost.input_tokens");
}

static void test_cost_main_name_wins_over_alias_unless_none(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_DBL("cost", 1.0), A_INT("tokens_input", 7), A_INT("input_tokens", 8),
                             A_NULL("tokens_output"), A_INT("output_tokens", 3)};
    const genops_span_data *d = record(genops_span_record_cost, kv, COUNT(kv));
    expect_int(d, "genops.tokens.input", 7);
    expect_int(d, "genops.tokens.output", 3);
    expect_int(d, "genops.tokens.total", 10);
}

static void test_cost_empty_provider_and_model_are_left_out(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_DBL("cost", 0.5), A_STR("provider", ""), A_STR("model", ""),
                             A_INT("tokens_input", 1), A_NULL("note")};
    const genops_span_data *d = record(genops_span_record_cost, kv, COUNT(kv));
    expect_absent(d, "genops.cost.provider");
    expect_absent(d, "genops.cost.model");
    expect_absent(d, "genops.tokens.total"); /* only input is known */
    expect_absent(d, "genops.cost.note");    /* None metadata is skipped */
}

static void test_cost_total_cost_is_the_cost_when_cost_is_absent(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_STR("provider", "anthropic"), A_DBL("total_cost", 0.75)};
    const genops_span_data *d = record(genops_span_record_cost, kv, COUNT(kv));
    expect_double(d, "genops.cost.total", 0.75);
    expect_absent(d, "genops.cost.total_cost");

    genops_attribute both[] = {A_DBL("cost", 1.5), A_DBL("total_cost", 0.75)};
    d = record(genops_span_record_cost, both, COUNT(both));
    expect_double(d, "genops.cost.total", 1.5);
    expect_double(d, "genops.cost.total_cost", 0.75);
}

static void test_cost_mixed_token_types_add_as_python_does(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_DBL("cost", 1.0), A_INT("tokens_input", 1),
                             A_DBL("tokens_output", 0.5)};
    const genops_span_data *d = record(genops_span_record_cost, kv, COUNT(kv));
    expect_double(d, "genops.tokens.total", 1.5);
    genops_attribute big[] = {A_DBL("cost", 1.0), A_INT("tokens_input", INT64_MAX),
                              A_INT("tokens_output", 1)};
    d = record(genops_span_record_cost, big, COUNT(big));
    expect_double(d, "genops.tokens.total", 9223372036854775808.0); /* no int64 overflow */
}

static void test_cost_errors_record_nothing(void **state)
{
    (void)state;
    genops_error err;
    genops_span s = genops_span_start(f.pipeline, "op", NULL, NULL);
    genops_attribute missing[] = {A_STR("provider", "openai")};
    assert_int_equal(genops_span_record_cost(s, missing, 1, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "missing argument 'cost'"));
    genops_attribute nan[] = {A_STR("provider", "openai"), A_DBL("cost", NAN)};
    assert_int_equal(genops_span_record_cost(s, nan, 2, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "'cost'"));
    assert_int_equal(genops_span_record_cost(s, NULL, 2, &err), GENOPS_EINVAL);
    /* A string cost was recorded as a string; record_budget has always refused one. */
    genops_attribute words[] = {A_STR("cost", "abc")};
    assert_int_equal(genops_span_record_cost(s, words, 1, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "cost must be a number"));
    genops_attribute total_words[] = {A_STR("total_cost", "abc")};
    assert_int_equal(genops_span_record_cost(s, total_words, 1, &err), GENOPS_EINVAL);
    genops_span_end(s, NULL);
    assert_int_equal(genops_span_record_cost(s, nan, 0, &err), GENOPS_ESTALE);
    assert_int_equal(genops_pipeline_flush(f.pipeline, 10000, NULL), GENOPS_OK);
    size_t last = genops_memory_exporter_count(f.memory) - 1;
    assert_int_equal(genops_span_data_attribute_count(genops_memory_exporter_get(f.memory, last)),
                     0);
}

static void test_policy(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_STR("policy_name", "content-safety"),
                             A_STR("result", "blocked"),
                             A_STR("policy_reason", "toxicity"),
                             A_DBL("metadata.score", 0.97),
                             A_STR("rule_id", "R-12"),
                             A_NULL("ignored")};
    const genops_span_data *d = record(genops_span_record_policy, kv, COUNT(kv));
    expect_str(d, "genops.policy.name", "content-safety");
    expect_str(d, "genops.policy.result", "blocked");
    expect_str(d, "genops.policy.reason", "toxicity");
    expect_double(d, "genops.policy.metadata.score", 0.97);
    expect_str(d, "genops.policy.rule_id", "R-12");
    expect_absent(d, "genops.policy.ignored");
    assert_int_equal(genops_span_data_attribute_count(d), 5);

    genops_attribute both[] = {A_STR("policy_name", "p"), A_STR("policy_result", "allowed"),
                               A_STR("result", "blocked"), A_STR("reason", "r")};
    d = record(genops_span_record_policy, both, COUNT(both));
    expect_str(d, "genops.policy.result", "allowed");
    expect_str(d, "genops.policy.reason", "r");
    expect_absent(d, "genops.policy.result_alias");

    genops_error err;
    genops_span s = genops_span_start(f.pipeline, "op", NULL, NULL);
    assert_int_equal(genops_span_record_policy(s, both + 1, 1, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "policy_name"));
    genops_span_end(s, NULL);
}

/* An empty metadata key ("metadata." as a binding flattens {"": v}) or any key with an
 * empty part names nothing: dropped and counted, the rest recorded. (An empty key
 * itself is refused, as everywhere.) */
static void test_a_key_with_an_empty_part_is_dropped_and_counted(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_DBL("cost", 0.5), A_INT("metadata.", 1), A_INT("metadata..x", 3),
                             A_INT(".x", 4), A_INT("metadata.ok", 5)};
    const genops_span_data *d = record(genops_span_record_cost, kv, COUNT(kv));
    expect_int(d, "genops.cost.metadata.ok", 5);
    expect_absent(d, "genops.cost.metadata.");
    expect_absent(d, "genops.cost.metadata..x");
    expect_absent(d, "genops.cost..x");
    assert_int_equal(genops_span_data_dropped_attributes(d), 3);
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(f.pipeline, &st, NULL);
    assert_true(st.dropped_attribute_values >= 3);
}

static void test_budget(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_STR("budget_name", "team-monthly"), A_DBL("budget_limit", 500.0),
                             A_DBL("budget_used", 45.67), A_STR("period", "monthly")};
    const genops_span_data *d = record(genops_span_record_budget, kv, COUNT(kv));
    expect_str(d, "genops.budget.name", "team-monthly");
    expect_double(d, "genops.budget.allocated", 500.0);
    expect_double(d, "genops.budget.consumed", 45.67);
    expect_double(d, "genops.budget.remaining", 500.0 - 45.67);
    expect_double(d, "genops.budget.utilization_percent", (45.67 / 500.0) * 100);
    expect_str(d, "genops.budget.period", "monthly");

    genops_attribute ints[] = {A_STR("budget_name", "b"), A_INT("allocated", 100),
                               A_INT("consumed", 25)};
    d = record(genops_span_record_budget, ints, COUNT(ints));
    expect_int(d, "genops.budget.allocated", 100);
    expect_int(d, "genops.budget.consumed", 25);
    expect_int(d, "genops.budget.remaining", 75);
    expect_double(d, "genops.budget.utilization_percent", 25.0);
}

static void test_budget_given_remaining_zero_limit_and_partial(void **state)
{
    (void)state;
    genops_attribute given[] = {A_STR("budget_name", "b"), A_INT("budget_limit", 0),
                                A_INT("budget_used", 5), A_INT("remaining", -1)};
    const genops_span_data *d = record(genops_span_record_budget, given, COUNT(given));
    expect_int(d, "genops.budget.remaining", -1);
    expect_absent(d, "genops.budget.utilization_percent"); /* limit is not > 0 */

    genops_attribute partial[] = {A_STR("budget_name", "b"), A_DBL("budget_limit", 10.0)};
    d = record(genops_span_record_budget, partial, COUNT(partial));
    expect_double(d, "genops.budget.allocated", 10.0);
    expect_absent(d, "genops.budget.consumed");
    expect_absent(d, "genops.budget.remaining");
    expect_absent(d, "genops.budget.utilization_percent");

    /* Derived values that are not finite are omitted, never sent as "Infinity". */
    genops_attribute huge[] = {A_STR("budget_name", "b"), A_DBL("budget_limit", 1e-320),
                               A_DBL("budget_used", 1e308)};
    d = record(genops_span_record_budget, huge, COUNT(huge));
    expect_absent(d, "genops.budget.utilization_percent");
    genops_attribute apart[] = {A_STR("budget_name", "b"), A_DBL("budget_limit", 1.7e308),
                                A_DBL("budget_used", -1.7e308)};
    d = record(genops_span_record_budget, apart, COUNT(apart));
    expect_double(d, "genops.budget.allocated", 1.7e308);
    expect_absent(d, "genops.budget.remaining");
    genops_attribute tokens[] = {A_DBL("cost", 1.0), A_DBL("tokens_input", 1.7e308),
                                 A_DBL("tokens_output", 1.7e308)};
    d = record(genops_span_record_cost, tokens, COUNT(tokens));
    expect_absent(d, "genops.tokens.total");

    genops_error err;
    genops_span s = genops_span_start(f.pipeline, "op", NULL, NULL);
    genops_attribute words[] = {A_STR("budget_name", "b"), A_STR("budget_limit", "ten"),
                                A_INT("budget_used", 1)};
    assert_int_equal(genops_span_record_budget(s, words, COUNT(words), &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "budget_limit must be a number"));
    genops_span_end(s, NULL);
}

/* A second evaluation keeps the first as genops.eval.<metric> = score before it
 * overwrites genops.eval.metric / score (the last one's genops.eval.<metric> is derived
 * at export); the same metric again just replaces its score; a metric that cannot name
 * an attribute is not kept. */
static void test_several_evaluations_keep_every_metric(void **state)
{
    (void)state;
    genops_error err;
    genops_pipeline_flush(f.pipeline, 10000, NULL);
    genops_memory_exporter_clear(f.memory);
    genops_span s = genops_span_start(f.pipeline, "op", NULL, NULL);
    genops_attribute safety[] = {A_STR("evaluation_name", "safety"), A_DBL("score", 0.75)};
    genops_attribute safety2[] = {A_STR("evaluation_name", "safety"), A_DBL("score", 0.8)};
    genops_attribute spaced[] = {A_STR("evaluation_name", "not plain"), A_DBL("score", 0.1)};
    genops_attribute privacy[] = {A_STR("metric_name", "privacy"), A_DBL("score", 0.99)};
    genops_attribute quality[] = {A_STR("evaluation_name", "quality"), A_DBL("score", 0.9)};
    assert_int_equal(genops_span_record_evaluation(s, safety, 2, &err), GENOPS_OK);
    assert_int_equal(genops_span_record_evaluation(s, safety2, 2, &err), GENOPS_OK);
    assert_int_equal(genops_span_record_evaluation(s, spaced, 2, &err), GENOPS_OK);
    assert_int_equal(genops_span_record_evaluation(s, privacy, 2, &err), GENOPS_OK);
    assert_int_equal(genops_span_record_evaluation(s, quality, 2, &err), GENOPS_OK);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    expect_double(d, "genops.eval.safety", 0.8);
    expect_double(d, "genops.eval.privacy", 0.99);
    expect_absent(d, "genops.eval.not plain");
    expect_absent(d, "genops.eval.quality"); /* the last: derived at export */
    expect_str(d, "genops.eval.metric", "quality");
    expect_double(d, "genops.eval.score", 0.9);
}

static void test_evaluation(void **state)
{
    (void)state;
    genops_attribute kv[] = {A_STR("metric_name", "relevance"),
                             A_DBL("score", 0.87),
                             A_DBL("threshold", 0.8),
                             A_BOOL("passed", true),
                             A_STR("evaluator", "gpt-judge"),
                             A_STR("metadata.version", "2"),
                             A_INT("samples", 30)};
    const genops_span_data *d = record(genops_span_record_evaluation, kv, COUNT(kv));
    expect_str(d, "genops.eval.metric", "relevance");
    expect_double(d, "genops.eval.score", 0.87);
    expect_double(d, "genops.eval.threshold", 0.8);
    expect_bool(d, "genops.eval.passed", true);
    expect_str(d, "genops.eval.evaluator", "gpt-judge");
    expect_str(d, "genops.eval.metadata.version", "2");
    expect_int(d, "genops.eval.samples", 30);

    genops_attribute minimal[] = {A_STR("evaluation_name", "quality")};
    d = record(genops_span_record_evaluation, minimal, COUNT(minimal));
    expect_str(d, "genops.eval.metric", "quality");
    expect_double(d, "genops.eval.score", 0.0); /* the default */
    expect_absent(d, "genops.eval.passed");
    expect_absent(d, "genops.eval.threshold");
    assert_int_equal(genops_span_data_attribute_count(d), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_full),
        cmocka_unit_test(test_cost_aliases_and_given_total),
        cmocka_unit_test(test_cost_main_name_wins_over_alias_unless_none),
        cmocka_unit_test(test_cost_empty_provider_and_model_are_left_out),
        cmocka_unit_test(test_cost_total_cost_is_the_cost_when_cost_is_absent),
        cmocka_unit_test(test_cost_mixed_token_types_add_as_python_does),
        cmocka_unit_test(test_cost_errors_record_nothing),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_a_key_with_an_empty_part_is_dropped_and_counted),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_budget_given_remaining_zero_limit_and_partial),
        cmocka_unit_test(test_evaluation),
        cmocka_unit_test(test_several_evaluations_keep_every_metric),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
