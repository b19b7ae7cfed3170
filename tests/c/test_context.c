/* test_context.c - context snapshots, the global defaults, effective attributes and the
 * operation rules of genops-ai's trace_operation. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "testutil.h"

static int reset_defaults(void **state)
{
    (void)state;
    genops_defaults_clear();
    return 0;
}

static void test_snapshot_layers_override_and_null_removes(void **state)
{
    (void)state;
    genops_attribute base_attrs[] = {A_STR("team", "a"), A_STR("project", "p"), A_INT("n", 1)};
    genops_context *base = genops_context_new(NULL, base_attrs, COUNT(base_attrs), NULL);
    genops_attribute over[] = {A_STR("team", "b"), A_NULL("project"), A_BOOL("flag", true)};
    genops_context *c = genops_context_new(base, over, COUNT(over), NULL);
    genops_context_unref(base); /* c copied what it needs */

    assert_int_equal(genops_context_count(c), 3);
    genops_attribute a;
    assert_int_equal(genops_context_get(c, 0, &a, NULL), GENOPS_OK);
    assert_string_equal(a.key, "team"); /* an overridden key keeps its place */
    assert_memory_equal(a.value.u.s, "b", 1);
    genops_value v;
    assert_false(genops_context_find(c, "project", &v));
    assert_true(genops_context_find(c, "n", &v));
    assert_int_equal(v.type, GENOPS_TYPE_INT);
    assert_true(genops_context_find(c, "flag", &v));
    assert_int_equal(v.type, GENOPS_TYPE_BOOL);
    genops_error err;
    assert_int_equal(genops_context_get(c, 3, &a, &err), GENOPS_EINVAL);
    genops_context_unref(genops_context_ref(c));
    genops_context_unref(c);
}

static void test_snapshot_bad_input(void **state)
{
    (void)state;
    genops_error err;
    genops_attribute bad[] = {A_STR("ok", "x"), A_STR("", "empty key")};
    assert_null(genops_context_new(NULL, bad, COUNT(bad), &err));
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_null(genops_context_new(NULL, NULL, 1, &err));
    assert_int_equal(genops_context_count(NULL), 0);
    genops_context_unref(NULL);
    assert_null(genops_context_ref(NULL));
}

static void test_defaults_set_update_clear_get(void **state)
{
    (void)state;
    genops_attribute first[] = {A_STR("team", "platform"), A_STR("environment", "dev")};
    assert_int_equal(genops_defaults_set(first, COUNT(first), NULL), GENOPS_OK);
    genops_attribute more[] = {A_STR("environment", "prod"), A_STR("cost_center", "cc-1")};
    assert_int_equal(genops_defaults_update(more, COUNT(more), NULL), GENOPS_OK);
    genops_context *d = genops_defaults_get();
    assert_int_equal(genops_context_count(d), 3);
    genops_value v;
    assert_true(genops_context_find(d, "environment", &v));
    assert_memory_equal(v.u.s, "prod", 4);
    genops_context_unref(d);

    genops_attribute only[] = {A_STR("project", "x")};
    genops_defaults_set(only, 1, NULL); /* set replaces */
    d = genops_defaults_get();
    assert_int_equal(genops_context_count(d), 1);
    genops_context_unref(d);

    genops_defaults_clear();
    d = genops_defaults_get();
    assert_non_null(d);
    assert_int_equal(genops_context_count(d), 0);
    genops_context_unref(d);

    genops_error err;
    genops_attribute bad[] = {A_STR("", "x")};
    assert_int_equal(genops_defaults_update(bad, 1, &err), GENOPS_EINVAL);
}

static void test_effective_is_defaults_then_context_then_own(void **state)
{
    (void)state;
    genops_attribute defaults[] = {A_STR("team", "d"), A_STR("project", "d"),
                                   A_STR("feature", "d")};
    genops_defaults_set(defaults, COUNT(defaults), NULL);
    genops_attribute ctx_attrs[] = {A_STR("project", "c"), A_STR("feature", "c")};
    genops_context *ctx = genops_context_new(NULL, ctx_attrs, COUNT(ctx_attrs), NULL);
    genops_attribute own[] = {A_STR("feature", "o"), A_NULL("team")};
    genops_context *e = genops_effective_context(ctx, own, COUNT(own), NULL);
    genops_value v;
    assert_false(genops_context_find(e, "team", &v)); /* None hides the default */
    assert_true(genops_context_find(e, "project", &v));
    assert_memory_equal(v.u.s, "c", 1);
    assert_true(genops_context_find(e, "feature", &v));
    assert_memory_equal(v.u.s, "o", 1);
    genops_context_unref(e);
    genops_context_unref(ctx);
}

static void test_operation_attributes(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_attribute defaults[] = {A_STR("team", "platform"), A_STR("environment", "prod"),
                                   A_INT("tier", 2)};
    genops_defaults_set(defaults, COUNT(defaults), NULL);
    genops_attribute ctx_attrs[] = {A_STR("customer_id", "cust-1"), A_STR("environment", "stg")};
    genops_context *ctx = genops_context_new(NULL, ctx_attrs, COUNT(ctx_attrs), NULL);
    genops_attribute own[] = {A_STR("team", "ml"), A_STR("feature", "chat"), A_NULL("absent")};
    genops_span s = genops_operation_start(f.pipeline, "chat.completion", NULL, NULL, ctx, own,
                                           COUNT(own), NULL);
    genops_context_unref(ctx); /* the span keeps what it needs */
    genops_defaults_clear();   /* later changes do not reach a started operation */
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_string_equal(genops_span_data_name(d), "chat.completion");
    expect_str(d, "genops.operation.name", "chat.completion");
    expect_str(d, "genops.operation.type", "ai.inference");
    genops_value ts = value_of(d, "genops.timestamp");
    assert_int_equal(ts.type, GENOPS_TYPE_INT);
    assert_int_equal(ts.u.i, (int64_t)(genops_span_data_start_ns(d) / 1000000000u));
    expect_str(d, "genops.team", "ml");
    expect_str(d, "genops.feature", "chat");
    expect_str(d, "genops.customer_id", "cust-1");
    expect_str(d, "genops.environment", "stg");
    expect_int(d, "genops.tier", 2);
    expect_absent(d, "genops.absent");
    assert_int_equal(genops_span_data_attribute_count(d), 8);
    fixture_close(&f);
}

static void test_operation_none_hides_a_default_and_explicit_type(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_attribute defaults[] = {A_STR("team", "platform"), A_STR("project", "p")};
    genops_defaults_set(defaults, COUNT(defaults), NULL);
    genops_attribute own[] = {A_NULL("team"), A_STR("customer", "acme")};
    genops_span s = genops_operation_start(f.pipeline, "train", "ai.training", NULL, NULL, own,
                                           COUNT(own), NULL);
    genops_span_set_str(s, "genops.project", "explicit", NULL); /* own sets win */
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    expect_str(d, "genops.operation.type", "ai.training");
    expect_absent(d, "genops.team");
    expect_str(d, "genops.customer", "acme");
    expect_str(d, "genops.project", "explicit");
    fixture_close(&f);
}

static void test_operation_bad_input(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_error err;
    genops_attribute bad[] = {A_STR("", "x")};
    assert_int_equal(genops_operation_start(f.pipeline, "op", NULL, NULL, NULL, bad, 1, &err),
                     GENOPS_SPAN_NONE);
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_int_equal(genops_operation_start(f.pipeline, "op", NULL, NULL, NULL, NULL, 2, &err),
                     GENOPS_SPAN_NONE);
    assert_int_equal(genops_operation_start(f.pipeline, NULL, NULL, NULL, NULL, NULL, 0, &err),
                     GENOPS_SPAN_NONE);
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(f.pipeline, &st, NULL);
    assert_int_equal(st.spans_started, 0);
    fixture_close(&f);
}

/* Readers take snapshots while a writer keeps replacing them: no lock on the read
 * side, and no reader ever sees a freed or half-built snapshot (run under ASan/TSan). */
static atomic_bool stop_readers;
static atomic_long torn_reads;

static void *read_defaults(void *arg)
{
    atomic_long *checks = arg;
    while (!atomic_load(&stop_readers)) {
        genops_context *d = genops_defaults_get();
        genops_value v;
        /* cmocka's assertions belong to the main thread: count, check there. */
        if (genops_context_find(d, "seq", &v) &&
            (v.type != GENOPS_TYPE_INT || !genops_context_find(d, "team", &v)))
            atomic_fetch_add(&torn_reads, 1);
        genops_context_unref(d);
        (*checks)++;
    }
    return NULL;
}

static bool all_readers_reached(atomic_long *checks, int n, long count)
{
    for (int i = 0; i < n; i++)
        if (atomic_load(&checks[i]) < count)
            return false;
    return true;
}

static void test_defaults_readers_never_see_a_freed_snapshot(void **state)
{
    (void)state;
    enum { READERS = 3, MIN_SWAPS = 2000, MIN_CHECKS = 100 };
    pthread_t readers[READERS];
    atomic_long checks[READERS] = {0};
    atomic_store(&stop_readers, false);
    for (int i = 0; i < READERS; i++)
        pthread_create(&readers[i], NULL, read_defaults, &checks[i]);
    /* Swap until there were enough swaps and every reader overlapped some of them.
     * A reader that lags gets the CPU (valgrind runs one thread at a time and a loaded
     * machine may schedule readers late); the wall-clock bound only stops a hang. */
    uint64_t t0 = clock_mono_ns();
    int64_t swaps = 0;
    while ((swaps < MIN_SWAPS || !all_readers_reached(checks, READERS, MIN_CHECKS)) &&
           elapsed_ms(t0) < 60000) {
        genops_attribute a[] = {A_INT("seq", swaps), A_STR("team", "t")};
        genops_defaults_set(a, COUNT(a), NULL);
        swaps++;
        if (swaps >= MIN_SWAPS)
            sched_yield();
    }
    atomic_store(&stop_readers, true);
    for (int i = 0; i < READERS; i++)
        pthread_join(readers[i], NULL);
    assert_true(all_readers_reached(checks, READERS, MIN_CHECKS));
    assert_int_equal(atomic_load(&torn_reads), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_snapshot_layers_override_and_null_removes, reset_defaults),
        cmocka_unit_test_setup(test_snapshot_bad_input, reset_defaults),
        cmocka_unit_test_setup(test_defaults_set_update_clear_get, reset_defaults),
        cmocka_unit_test_setup(test_effective_is_defaults_then_context_then_own, reset_defaults),
        cmocka_unit_test_setup(test_operation_attributes, reset_defaults),
        cmocka_unit_test_setup(test_operation_none_hides_a_default_and_explicit_type,
                               reset_defaults),
        cmocka_unit_test_setup(test_operation_bad_input, reset_defaults),
        cmocka_unit_test_setup(test_defaults_readers_never_see_a_freed_snapshot, reset_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, reset_defaults);
}
