/* test_budget.c - budgets (core/src/budget/): periods and time zones, configuration
 * errors, scope matching, exact totals under contention (8 threads x 100,000 costs,
 * 4 processes sharing a host store), thresholds once per period, rollover by an
 * injected clock, persistence of a host store, and the block decision. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "budget/budget.h"
#include "budget/budget_period.h"
#include "testutil.h"

/* 2024-02-29T12:00:00Z, a Thursday in a leap year. */
#define LEAP_NOON INT64_C(1709208000)

static char state_dir[] = "/tmp/genops-budget-test-XXXXXX";

static int setup_dir(void **state)
{
    (void)state;
    return mkdtemp(state_dir) ? 0 : -1;
}

static int cleanup_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", state_dir);
    return system(cmd);
}

/* ---- periods ---------------------------------------------------------------------- */

static void test_period_indexes_and_bounds(void **state)
{
    (void)state;
    int64_t start, end;
    /* daily: day 19782 is 2024-02-29 */
    assert_int_equal(budget_period_index(PERIOD_DAILY, 0, LEAP_NOON), 19782);
    budget_period_bounds(PERIOD_DAILY, 0, 19782, &start, &end);
    assert_int_equal(start, LEAP_NOON - 43200);
    assert_int_equal(end, LEAP_NOON + 43200);
    /* monthly: February 2024 is month (2024 - 1970) * 12 + 1 */
    int64_t feb = (2024 - 1970) * 12 + 1;
    assert_int_equal(budget_period_index(PERIOD_MONTHLY, 0, LEAP_NOON), feb);
    budget_period_bounds(PERIOD_MONTHLY, 0, feb, &start, &end);
    assert_int_equal(start, INT64_C(1706745600));              /* 2024-02-01T00:00:00Z */
    assert_int_equal(end, INT64_C(1709251200));                /* 2024-03-01T00:00:00Z */
    budget_period_bounds(PERIOD_MONTHLY, 0, 11, &start, &end); /* December 1970 */
    assert_int_equal(start, INT64_C(28857600));
    assert_int_equal(end, INT64_C(31536000)); /* 1971-01-01 */
    /* weekly: ISO weeks from Monday; 2024-02-26 was the Monday of that week */
    int64_t w = budget_period_index(PERIOD_WEEKLY, 0, LEAP_NOON);
    budget_period_bounds(PERIOD_WEEKLY, 0, w, &start, &end);
    assert_int_equal(start, INT64_C(1708905600)); /* 2024-02-26T00:00:00Z */
    assert_int_equal(end - start, 7 * 86400);
    assert_int_equal(budget_period_index(PERIOD_WEEKLY, 0, start - 1), w - 1);
    /* total: one period */
    assert_int_equal(budget_period_index(PERIOD_TOTAL, 0, LEAP_NOON), 0);
    /* a time zone moves the boundary: 23:30 UTC on the 29th is the 1st of March in UTC+1 */
    int64_t late = LEAP_NOON + 11 * 3600 + 1800;
    assert_int_equal(budget_period_index(PERIOD_MONTHLY, 3600, late), feb + 1);
    assert_int_equal(budget_period_index(PERIOD_MONTHLY, 0, late), feb);
    budget_period_bounds(PERIOD_DAILY, 3600, 19782, &start, &end);
    assert_int_equal(start, LEAP_NOON - 43200 - 3600);
    /* before 1970 */
    assert_int_equal(budget_period_index(PERIOD_DAILY, 0, -1), -1);
    assert_int_equal(budget_period_index(PERIOD_MONTHLY, 0, -1), -1);
}

static void test_time_zones(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool ok;
        int32_t offset;
    } cases[] = {{"UTC", true, 0},
                 {"", true, 0},
                 {"Z", true, 0},
                 {"GMT", true, 0},
                 {"UTC+05:30", true, 19800},
                 {"UTC-8", true, -28800},
                 {"+0100", true, 3600},
                 {"-03:00", true, -10800},
                 {"UTC+14", true, 50400},
                 {"UTC+15", false, 0},
                 {"UTC+5:3", false, 0},
                 {"Europe/Paris", false, 0},
                 {"UTC+05:60", false, 0},
                 {"+", false, 0},
                 {"UTC+1x", false, 0}};
    for (size_t i = 0; i < COUNT(cases); i++) {
        int32_t off = 42;
        bool ok = budget_tz_parse(cases[i].text, strlen(cases[i].text), &off);
        if (ok != cases[i].ok)
            fail_msg("'%s': parsed %d", cases[i].text, ok);
        if (ok)
            assert_int_equal(off, cases[i].offset);
    }
}

/* ---- configuration ---------------------------------------------------------------- */

static void expect_define_error(const genops_attribute *kv, size_t n, const char *words)
{
    genops_error err = {GENOPS_OK, ""};
    assert_int_equal(genops_budget_define(kv, n, &err), GENOPS_EINVAL);
    if (!strstr(err.message, words))
        fail_msg("'%s' does not say '%s'", err.message, words);
}

static void test_bad_configuration(void **state)
{
    (void)state;
    genops_attribute no_name[] = {A_DBL("limit", 1.0)};
    expect_define_error(no_name, 1, "name must be");
    genops_attribute no_limit[] = {A_STR("name", "b")};
    expect_define_error(no_limit, 1, "limit must be a number");
    genops_attribute negative[] = {A_STR("name", "b"), A_DBL("limit", -1.0)};
    expect_define_error(negative, 2, "limit must be between 0");
    genops_attribute text_limit[] = {A_STR("name", "b"), A_STR("limit", "10")};
    expect_define_error(text_limit, 2, "limit must be a number");
    genops_attribute period[] = {A_STR("name", "b"), A_INT("limit", 1), A_STR("period", "hourly")};
    expect_define_error(period, 3, "period must be");
    genops_attribute tz[] = {A_STR("name", "b"), A_INT("limit", 1), A_STR("time_zone", "CET")};
    expect_define_error(tz, 3, "time_zone must be");
    genops_attribute enf[] = {A_STR("name", "b"), A_INT("limit", 1), A_STR("enforcement", "deny")};
    expect_define_error(enf, 3, "enforcement must be");
    genops_attribute store[] = {A_STR("name", "b"), A_INT("limit", 1), A_STR("store", "disk")};
    expect_define_error(store, 3, "store must be");
    genops_attribute unknown[] = {A_STR("name", "b"), A_INT("limit", 1), A_INT("limits", 1)};
    expect_define_error(unknown, 3, "unknown option 'limits'");
    genops_attribute scope[] = {A_STR("name", "b"), A_INT("limit", 1), A_INT("scope.team", 3)};
    expect_define_error(scope, 3, "scope value of 'team' must be a string");
    double bad_t[] = {0.5, 0.0};
    genops_attribute thr[] = {
        A_STR("name", "b"),
        A_INT("limit", 1),
        {"thresholds", {.type = GENOPS_TYPE_DOUBLE_ARRAY, .len = 2, .u.da = bad_t}}};
    expect_define_error(thr, 3, "threshold must be a fraction");
    genops_attribute thr_text[] = {A_STR("name", "b"), A_INT("limit", 1), A_STR("thresholds", "x")};
    expect_define_error(thr_text, 3, "thresholds must be a list");
    genops_error err;
    genops_budget_state st = {.struct_size = sizeof st};
    assert_int_equal(genops_budget_get("b", &st, &err), GENOPS_EINVAL); /* nothing was defined */
    assert_non_null(strstr(err.message, "no budget named 'b'"));
    assert_int_equal(genops_budget_remove("b", &err), GENOPS_EINVAL);
    assert_int_equal(genops_budget_reset(NULL, &err), GENOPS_EINVAL);
}

/* ---- recording -------------------------------------------------------------------- */

static void define_or_fail(const genops_attribute *kv, size_t n)
{
    genops_error err = {GENOPS_OK, ""};
    if (genops_budget_define(kv, n, &err) != GENOPS_OK)
        fail_msg("define: %s", err.message);
}

static genops_budget_state state_of(const char *name)
{
    genops_budget_state st = {.struct_size = sizeof st};
    genops_error err;
    assert_int_equal(genops_budget_get(name, &st, &err), GENOPS_OK);
    return st;
}

static genops_span op(genops_pipeline *p, const char *team)
{
    genops_attribute own[] = {
        {"team", {.type = GENOPS_TYPE_STRING, .len = strlen(team), .u.s = team}}};
    genops_span s = genops_operation_start(p, "chat", NULL, NULL, NULL, own, 1, NULL);
    assert_true(s != GENOPS_SPAN_NONE);
    return s;
}

static void cost(genops_span s, double x, const char *currency)
{
    genops_attribute kv[] = {
        A_DBL("cost", x),
        {"currency", {.type = GENOPS_TYPE_STRING, .len = strlen(currency), .u.s = currency}}};
    assert_int_equal(genops_span_record_cost(s, kv, 2, NULL), GENOPS_OK);
}

static void test_scope_and_currency(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_attribute ml[] = {A_STR("name", "ml"), A_DBL("limit", 10.0), A_STR("scope.team", "ml")};
    genops_attribute all[] = {A_STR("name", "all"), A_DBL("limit", 10.0)};
    genops_attribute eur[] = {A_STR("name", "eur"), A_DBL("limit", 10.0), A_STR("currency", "EUR")};
    genops_attribute both[] = {A_STR("name", "both"), A_DBL("limit", 10.0),
                               A_STR("scope.team", "ml"), A_STR("scope.customer_id", "acme")};
    define_or_fail(ml, 3);
    define_or_fail(all, 2);
    define_or_fail(eur, 3);
    define_or_fail(both, 4);

    genops_span a = op(f.pipeline, "ml");
    cost(a, 0.25, "USD");
    cost(a, 1.0, "EUR");
    genops_span_end(a, NULL);
    genops_span b = op(f.pipeline, "search");
    cost(b, 0.5, "USD");
    genops_span_end(b, NULL);
    /* team from the defaults, customer_id from the context */
    genops_attribute def[] = {A_STR("team", "ml")};
    assert_int_equal(genops_defaults_set(def, 1, NULL), GENOPS_OK);
    genops_attribute cust[] = {A_STR("customer_id", "acme")};
    genops_context *ctx = genops_context_new(NULL, cust, 1, NULL);
    genops_span c = genops_operation_start(f.pipeline, "chat", NULL, NULL, ctx, NULL, 0, NULL);
    cost(c, 2.0, "USD");
    genops_span_end(c, NULL);
    genops_context_unref(ctx);
    genops_defaults_clear();

    assert_true(state_of("ml").spend == 2.25);
    assert_true(state_of("all").spend == 2.75);
    assert_true(state_of("eur").spend == 1.0);
    assert_true(state_of("both").spend == 2.0);
    genops_budget_state st = state_of("ml");
    assert_true(st.limit == 10.0);
    assert_true(st.utilization == 0.225);
    assert_string_equal(st.period, "daily");
    assert_string_equal(st.enforcement, "block");
    assert_string_equal(st.store, "process");
    assert_string_equal(st.currency, "USD");
    assert_int_equal(st.period_end_unix - st.period_start_unix, 86400);

    assert_int_equal(genops_budget_reset("ml", NULL), GENOPS_OK);
    assert_true(state_of("ml").spend == 0.0);
    const char *names[] = {"ml", "all", "eur", "both"};
    for (size_t i = 0; i < COUNT(names); i++)
        assert_int_equal(genops_budget_remove(names[i], NULL), GENOPS_OK);
    assert_int_equal(atomic_load(&budget_defined), 0);
    fixture_close(&f);
}

enum { THREADS = 8, OPS = 100000 };

struct worker {
    genops_pipeline *p;
    int id;
};

/* OPS costs of (i % 7 + 1) x 0.0001 on one operation of team ml. */
static void *spend(void *arg)
{
    const struct worker *w = arg;
    genops_span s = op(w->p, "ml");
    for (int i = 0; i < OPS; i++) {
        genops_attribute kv[] = {A_DBL("cost", (i % 7 + 1) * 0.0001)};
        genops_span_record_cost(s, kv, 1, NULL);
    }
    genops_span_end(s, NULL);
    return NULL;
}

/* The sum of the costs one worker records, in nano-units. */
static int64_t worker_total_nano(void)
{
    int64_t sum = 0;
    for (int i = 0; i < OPS; i++)
        sum += (i % 7 + 1) * 100000;
    return sum;
}

static void test_exact_total_under_contention(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_attribute kv[] = {A_STR("name", "team-ml"), A_DBL("limit", 1e6),
                             A_STR("scope.team", "ml")};
    define_or_fail(kv, 3);
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){f.pipeline, i};
        assert_int_equal(pthread_create(&t[i], NULL, spend, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    double want = (double)(THREADS * worker_total_nano()) / 1e9;
    genops_budget_state st = state_of("team-ml");
    if (st.spend != want)
        fail_msg("spend %.9f, want %.9f", st.spend, want);
    genops_budget_remove("team-ml", NULL);
    fixture_close(&f);
}

/* The genops.budget.threshold spans captured, in order. */
static size_t thresholds_seen(struct fixture *f, double *fractions, size_t cap)
{
    assert_int_equal(genops_pipeline_flush(f->pipeline, 10000, NULL), GENOPS_OK);
    size_t n = 0;
    for (size_t i = 0; i < genops_memory_exporter_count(f->memory); i++) {
        const genops_span_data *d = genops_memory_exporter_get(f->memory, i);
        if (strcmp(genops_span_data_name(d), "genops.budget.threshold") != 0)
            continue;
        if (n < cap)
            fractions[n] = value_of(d, "genops.budget.threshold").u.d;
        n++;
    }
    return n;
}

static void test_thresholds_once_per_period_and_rollover(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    budget_clock_override(LEAP_NOON);
    double th[] = {0.5, 0.8, 1.0};
    genops_attribute kv[] = {
        A_STR("name", "daily"),
        A_DBL("limit", 1.0),
        A_STR("scope.team", "ml"),
        {"thresholds", {.type = GENOPS_TYPE_DOUBLE_ARRAY, .len = 3, .u.da = th}}};
    define_or_fail(kv, 4);
    genops_span s = op(f.pipeline, "ml");
    for (int i = 0; i < 30; i++)
        cost(s, 0.1, "USD"); /* 3.0: every threshold crossed, each once */
    genops_span_context sc;
    genops_span_get_context(s, &sc, NULL);
    genops_span_end(s, NULL);
    double seen[8];
    assert_int_equal(thresholds_seen(&f, seen, 8), 3);
    assert_true(seen[0] == 0.5 && seen[1] == 0.8 && seen[2] == 1.0);
    const genops_span_data *d = genops_memory_exporter_get(f.memory, 0);
    expect_str(d, "genops.budget.name", "daily");
    expect_str(d, "genops.budget.period", "daily");
    expect_str(d, "genops.budget.event", "threshold_crossed");
    expect_str(d, "genops.team", "ml");
    expect_double(d, "genops.budget.allocated", 1.0);
    expect_int(d, "genops.budget.period_start", LEAP_NOON - 43200);
    uint8_t parent[8];
    assert_true(genops_span_data_parent(d, parent));
    assert_memory_equal(parent, sc.span_id, 8);
    assert_int_equal(state_of("daily").thresholds_crossed, 7);

    /* The next day: spend starts from zero and the thresholds fire again. */
    budget_clock_override(LEAP_NOON + 86400);
    assert_int_equal(genops_pipeline_flush(f.pipeline, 10000, NULL), GENOPS_OK);
    assert_true(state_of("daily").spend == 0.0);
    assert_int_equal(state_of("daily").thresholds_crossed, 0);
    genops_memory_exporter_clear(f.memory);
    s = op(f.pipeline, "ml");
    cost(s, 0.6, "USD");
    genops_span_end(s, NULL);
    assert_int_equal(thresholds_seen(&f, seen, 8), 1);
    assert_true(state_of("daily").spend == 0.6);
    budget_clock_override(0);
    genops_budget_remove("daily", NULL);
    fixture_close(&f);
}

static void test_block_records_the_decision(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_attribute kv[] = {A_STR("name", "cap"), A_DBL("limit", 0.5), A_STR("scope.team", "ml"),
                             A_STR("enforcement", "block")};
    define_or_fail(kv, 4);
    char name[64], why[256];
    genops_span s = op(f.pipeline, "ml");
    assert_false(genops_span_budget_blocked(s, name, sizeof name, why, sizeof why));
    cost(s, 0.5, "USD");
    genops_span_end(s, NULL);
    genops_span other = op(f.pipeline, "search");
    assert_false(genops_span_budget_blocked(other, NULL, 0, NULL, 0)); /* not in scope */
    genops_span_end(other, NULL);
    assert_int_equal(genops_pipeline_flush(f.pipeline, 10000, NULL), GENOPS_OK);
    genops_memory_exporter_clear(f.memory);
    s = op(f.pipeline, "ml");
    assert_true(genops_span_budget_blocked(s, name, sizeof name, why, sizeof why));
    genops_span_end(s, NULL);
    assert_string_equal(name, "cap");
    assert_non_null(strstr(why, "0.5000 of 0.5000 USD"));
    const genops_span_data *d = fixture_only_span(&f);
    expect_str(d, "genops.policy.name", "cap");
    expect_str(d, "genops.policy.result", "blocked");
    expect_double(d, "genops.budget.consumed", 0.5);
    /* warn: never blocks */
    genops_attribute warn[] = {A_STR("name", "cap"), A_DBL("limit", 0.0),
                               A_STR("enforcement", "warn")};
    define_or_fail(warn, 3); /* replaces the first */
    s = op(f.pipeline, "ml");
    assert_false(genops_span_budget_blocked(s, NULL, 0, NULL, 0));
    genops_span_end(s, NULL);
    assert_int_equal(atomic_load(&budget_defined), 1);
    genops_budget_remove("cap", NULL);
    assert_false(genops_span_budget_blocked(GENOPS_SPAN_NONE, NULL, 0, NULL, 0));
    fixture_close(&f);
}

/* ---- the host store --------------------------------------------------------------- */

static void define_host(const char *name)
{
    genops_attribute kv[] = {
        {"name", {.type = GENOPS_TYPE_STRING, .len = strlen(name), .u.s = name}},
        A_DBL("limit", 1e6),
        A_STR("store", "host"),
        A_STR("scope.team", "ml"),
        {"state_dir", {.type = GENOPS_TYPE_STRING, .len = strlen(state_dir), .u.s = state_dir}}};
    define_or_fail(kv, COUNT(kv));
}

static void test_host_store_persists(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    define_host("shared/1");
    genops_span s = op(f.pipeline, "ml");
    cost(s, 1.5, "USD");
    genops_span_end(s, NULL);
    assert_string_equal(state_of("shared/1").store, "host");
    assert_int_equal(genops_budget_remove("shared/1", NULL), GENOPS_OK);
    define_host("shared/1"); /* as a restarted process would */
    assert_true(state_of("shared/1").spend == 1.5);
    char path[256];
    snprintf(path, sizeof path, "%s/budget-shared%%2F1.cell", state_dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 128);
    assert_int_equal(sb.st_mode & 0777, 0600);
    genops_budget_reset("shared/1", NULL);
    genops_budget_remove("shared/1", NULL);
    /* a file that is not a budget's */
    snprintf(path, sizeof path, "%s/budget-junk.cell", state_dir);
    FILE *junk = fopen(path, "w");
    fputs("not a budget", junk);
    fclose(junk);
    genops_attribute kv[] = {
        A_STR("name", "junk"),
        A_DBL("limit", 1.0),
        A_STR("store", "host"),
        {"state_dir", {.type = GENOPS_TYPE_STRING, .len = strlen(state_dir), .u.s = state_dir}}};
    expect_define_error(kv, COUNT(kv), "is not a budget file");
    fixture_close(&f);
}

enum { PROCS = 4, PROC_OPS = 50000 };

static int child_spend(void)
{
    genops_pipeline *p = genops_pipeline_new(NULL, NULL);
    if (!p)
        return 2;
    define_host("procs");
    genops_span s = op(p, "ml");
    for (int i = 0; i < PROC_OPS; i++) {
        genops_attribute kv[] = {A_DBL("cost", (i % 7 + 1) * 0.0001)};
        if (genops_span_record_cost(s, kv, 1, NULL))
            return 3;
    }
    genops_span_end(s, NULL);
    genops_pipeline_free(p);
    return 0;
}

static void test_host_store_shared_by_processes(void **state)
{
    (void)state;
    SKIP_UNDER_TSAN();
    define_host("procs");
    genops_budget_reset("procs", NULL);
    genops_budget_remove("procs", NULL);
    pid_t kids[PROCS];
    for (int i = 0; i < PROCS; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0)
            _exit(child_spend());
    }
    for (int i = 0; i < PROCS; i++)
        assert_int_equal(child_exit_within(kids[i], 60000), 0);
    define_host("procs");
    int64_t want = 0;
    for (int i = 0; i < PROC_OPS; i++)
        want += (i % 7 + 1) * 100000;
    genops_budget_state st = state_of("procs");
    if (st.spend != (double)(PROCS * want) / 1e9)
        fail_msg("spend %.9f, want %.9f", st.spend, (double)(PROCS * want) / 1e9);
    genops_budget_remove("procs", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_indexes_and_bounds),
        cmocka_unit_test(test_time_zones),
        cmocka_unit_test(test_bad_configuration),
        cmocka_unit_test(test_scope_and_currency),
        cmocka_unit_test(test_exact_total_under_contention),
        cmocka_unit_test(test_thresholds_once_per_period_and_rollover),
        cmocka_unit_test(test_block_records_the_decision),
        cmocka_unit_test(test_host_store_persists),
        cmocka_unit_test(test_host_store_shared_by_processes),
    };
    return cmocka_run_group_tests(tests, setup_dir, cleanup_dir);
}
