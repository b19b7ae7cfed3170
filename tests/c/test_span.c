/* test_span.c - span life cycle, attributes and their limits, ids, parents, status,
 * events, stale handles and bad input. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "span.h"
#include "testutil.h"

static void test_typed_attributes_keep_their_types(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span s = genops_span_start(f.pipeline, "typed", NULL, NULL);
    assert_int_not_equal(s, GENOPS_SPAN_NONE);
    const char *names[] = {"a", "b"};
    int64_t ints[] = {1, -2, 3};
    double dbls[] = {0.5, 1e300};
    bool bools[] = {true, false};
    genops_attribute attrs[] = {
        A_STR("s", "text"),
        A_INT("i", -42),
        A_DBL("d", 0.25),
        A_BOOL("b", true),
        {"sa", {.type = GENOPS_TYPE_STRING_ARRAY, .len = 2, .u.sa = names}},
        {"ia", {.type = GENOPS_TYPE_INT_ARRAY, .len = 3, .u.ia = ints}},
        {"da", {.type = GENOPS_TYPE_DOUBLE_ARRAY, .len = 2, .u.da = dbls}},
        {"ba", {.type = GENOPS_TYPE_BOOL_ARRAY, .len = 2, .u.ba = bools}},
    };
    assert_int_equal(genops_span_set_attributes(s, attrs, COUNT(attrs), NULL), GENOPS_OK);
    assert_int_equal(genops_span_end(s, NULL), GENOPS_OK);
    const genops_span_data *d = fixture_only_span(&f);
    expect_str(d, "s", "text");
    expect_int(d, "i", -42);
    expect_double(d, "d", 0.25);
    expect_bool(d, "b", true);
    genops_value v = value_of(d, "sa");
    assert_int_equal(v.type, GENOPS_TYPE_STRING_ARRAY);
    assert_int_equal(v.len, 2);
    assert_string_equal(v.u.sa[1], "b");
    v = value_of(d, "ia");
    assert_int_equal(v.len, 3);
    assert_int_equal(v.u.ia[1], -2);
    v = value_of(d, "da");
    assert_true(v.u.da[1] == 1e300);
    v = value_of(d, "ba");
    assert_false(v.u.ba[1]);
    assert_int_equal(genops_span_data_attribute_count(d), COUNT(attrs));
    fixture_close(&f);
}

static void test_setting_a_key_again_keeps_the_last_value(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span s = genops_span_start(f.pipeline, "again", NULL, NULL);
    genops_span_set_str(s, "k", "first", NULL);
    genops_span_set_int(s, "k", 2, NULL);
    genops_span_set_str(s, "k", "third", NULL);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    expect_str(d, "k", "third");
    assert_int_equal(genops_span_data_attribute_count(d), 1);
    fixture_close(&f);
}

/* Two different keys whose bits in the setter's filter are the same (found by trying)
 * into a and b, and a span started on a new fixture. */
static genops_span start_with_colliding_keys(struct fixture *f, const char *name, char *a, char *b,
                                             size_t size)
{
    uint32_t bit_of[SPAN_KEY_FILTER_WORDS * 64];
    memset(bit_of, 0xff, sizeof bit_of);
    for (uint32_t i = 0;; i++) {
        char key[32];
        snprintf(key, sizeof key, "key-%u", i);
        uint32_t bit = attr_hash(key, strlen(key)) % (SPAN_KEY_FILTER_WORDS * 64);
        if (bit_of[bit] != UINT32_MAX) {
            snprintf(a, size, "key-%u", bit_of[bit]);
            snprintf(b, size, "%s", key);
            fixture_open(f);
            return genops_span_start(f->pipeline, name, NULL, NULL);
        }
        bit_of[bit] = i;
    }
}

/* The second key's bit is set: the log is looked at, the key is not there, and both are
 * exported as set. */
static void test_keys_that_share_a_filter_bit_stay_apart(void **state)
{
    (void)state;
    char a[32], b[32];
    struct fixture f;
    genops_span s = start_with_colliding_keys(&f, "apart", a, b, sizeof a);
    genops_span_set_int(s, a, 1, NULL);
    genops_span_set_int(s, b, 2, NULL);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_attribute_count(d), 2);
    expect_int(d, a, 1);
    expect_int(d, b, 2);
    fixture_close(&f);
}

/* A key set again is merged wherever it comes from: after another key with its filter
 * bit, within one list, and from one list to the next. */
static void test_a_repeated_key_is_merged_after_a_filter_collision_and_within_a_list(void **state)
{
    (void)state;
    char a[32], b[32];
    struct fixture f;
    genops_span s = start_with_colliding_keys(&f, "merged", a, b, sizeof a);
    genops_attribute list[] = {A_INT(a, 1), A_INT(b, 2), A_INT(a, 3), A_STR("x", "one")};
    assert_int_equal(genops_span_set_attributes(s, list, COUNT(list), NULL), GENOPS_OK);
    genops_attribute again[] = {A_STR("x", "two"), A_INT(b, 4)};
    assert_int_equal(genops_span_set_attributes(s, again, COUNT(again), NULL), GENOPS_OK);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_attribute_count(d), 3);
    expect_int(d, a, 3);
    expect_int(d, b, 4);
    expect_str(d, "x", "two");
    genops_attribute first;
    assert_true(genops_span_data_attribute(d, 0, &first));
    assert_string_equal(first.key, a);
    fixture_close(&f);
}

/* The application thread appends to a log that it compacts only when it grows past
 * about twice the count limit: a key set thousands of times keeps its first place and
 * its last value, and the span's other keys keep their order. */
static void test_a_key_set_over_and_over_keeps_its_place_and_last_value(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span s = genops_span_start(f.pipeline, "busy", NULL, NULL);
    genops_span_set_str(s, "first", "a", NULL);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(genops_span_set_int(s, "counter", i, NULL), GENOPS_OK);
    genops_span_set_str(s, "last", "z", NULL);
    genops_span_set_str(s, "first", "b", NULL);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_attribute_count(d), 3);
    assert_int_equal(genops_span_data_dropped_attributes(d), 0);
    const char *order[] = {"first", "counter", "last"};
    for (size_t i = 0; i < COUNT(order); i++) {
        genops_attribute a;
        assert_true(genops_span_data_attribute(d, i, &a));
        assert_string_equal(a.key, order[i]);
    }
    expect_str(d, "first", "b");
    expect_int(d, "counter", 4999);
    fixture_close(&f);
}

static void test_the_api_copies_every_string(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    char name[] = "name", key[] = "key", value[] = "value";
    genops_span s = genops_span_start(f.pipeline, name, NULL, NULL);
    genops_span_set_str(s, key, value, NULL);
    memset(name, 'X', 4);
    memset(key, 'X', 3);
    memset(value, 'X', 5);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_string_equal(genops_span_data_name(d), "name");
    expect_str(d, "key", "value");
    fixture_close(&f);
}

static void test_count_limit_drops_new_keys_and_counts_them(void **state)
{
    (void)state;
    struct fixture f;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.attribute_count_limit = 3;
    fixture_open_with(&f, &opt);
    genops_span s = genops_span_start(f.pipeline, "limited", NULL, NULL);
    char key[16];
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(genops_span_set_int(s, key, i, NULL), GENOPS_OK);
    }
    genops_span_set_int(s, "k0", 100, NULL);  /* an existing key still updates */
    genops_span_set_int(s, "k\xff", 5, NULL); /* new once repaired: dropped too */
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_attribute_count(d), 3);
    assert_int_equal(genops_span_data_dropped_attributes(d), 3);
    expect_int(d, "k0", 100);
    expect_absent(d, "k4");
    fixture_close(&f);
}

/* Values a binding dropped (it could not represent them) count on the span beside the
 * limit's drops, and in the pipeline's dropped_attribute_values; a stale handle or a
 * zero count changes nothing. */
static void test_binding_drops_count_on_the_span_and_in_stats(void **state)
{
    (void)state;
    struct fixture f;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.attribute_count_limit = 1;
    fixture_open_with(&f, &opt);
    genops_span s = genops_span_start(f.pipeline, "dropping", NULL, NULL);
    genops_span_set_int(s, "kept", 1, NULL);
    genops_span_set_int(s, "over_the_limit", 2, NULL);
    genops_span_count_dropped_attributes(s, 3);
    genops_span_count_dropped_attributes(s, 0);
    genops_span_end(s, NULL);
    genops_span_count_dropped_attributes(s, 7); /* ended: stale, ignored */
    genops_span_count_dropped_attributes(GENOPS_SPAN_NONE, 7);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_dropped_attributes(d), 1 + 3);
    genops_stats st = {.struct_size = sizeof st};
    assert_int_equal(genops_pipeline_stats(f.pipeline, &st, NULL), GENOPS_OK);
    assert_int_equal(st.dropped_attribute_values, 3);
    fixture_close(&f);
}

static void test_default_count_limit_is_128_with_10000_attributes(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span s = genops_span_start(f.pipeline, "many", NULL, NULL);
    char key[16];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "attr.%d", i);
        assert_int_equal(genops_span_set_int(s, key, i, NULL), GENOPS_OK);
    }
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_attribute_count(d), 128);
    assert_int_equal(genops_span_data_dropped_attributes(d), 10000 - 128);
    expect_int(d, "attr.127", 127);
    fixture_close(&f);
}

static void test_length_limit_truncates_by_characters(void **state)
{
    (void)state;
    struct fixture f;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.attribute_value_length_limit = 3;
    fixture_open_with(&f, &opt);
    genops_span s = genops_span_start(f.pipeline, "cut", NULL, NULL);
    genops_span_set_str(s, "ascii", "abcdef", NULL);
    genops_span_set_str(s, "accents", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL);
    genops_span_set_str(s, "short", "ab", NULL);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    expect_str(d, "ascii", "abc");
    expect_str(d, "accents", "\xc3\xa9\xc3\xa9\xc3\xa9");
    expect_str(d, "short", "ab");
    assert_int_equal(genops_span_data_truncated_values(d), 2);
    fixture_close(&f);
}

static void test_one_mebibyte_value_is_kept_whole(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    size_t n = 1 << 20;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    genops_span s = genops_span_start(f.pipeline, "big", NULL, NULL);
    assert_int_equal(genops_span_set_str(s, "big", big, NULL), GENOPS_OK);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    genops_value v = value_of(d, "big");
    assert_int_equal(v.len, n);
    assert_memory_equal(v.u.s, big, n);
    free(big);
    fixture_close(&f);
}

/* A released slot keeps a small arena for reuse, but a huge one is emptied at once, not
 * whenever the slot happens to be taken again. (The memory exporter keeps the span
 * itself, and slots are never freed, so the slot can be looked at after release.) */
static void test_a_huge_span_gives_its_memory_back_when_released(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    size_t n = 8 << 20;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    genops_span s = genops_span_start(f.pipeline, "big", NULL, NULL);
    assert_int_equal(genops_span_set_str(s, "big", big, NULL), GENOPS_OK);
    free(big);
    genops_span_end(s, NULL);
    const struct span *slot = (const struct span *)fixture_only_span(&f);
    assert_true(slot->arena.used > n);
    genops_memory_exporter_clear(f.memory); /* the last reference: the slot is released */
    assert_int_equal(slot->arena.used, 0);
    assert_true((size_t)(slot->arena.end - slot->arena.pos) <= ARENA_RETAIN_BYTES);
    fixture_close(&f);
}

static void test_span_byte_budget_refuses_runaway_spans(void **state)
{
    (void)state;
    struct fixture f;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_buffer_bytes = 64 * 1024;
    fixture_open_with(&f, &opt);
    char big[40000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    genops_error err;
    genops_span s = genops_span_start(f.pipeline, "runaway", NULL, NULL);
    assert_int_equal(genops_span_set_str(s, "a", big, &err), GENOPS_OK);
    assert_int_equal(genops_span_set_str(s, "b", big, &err), GENOPS_ETOOBIG);
    assert_non_null(strstr(err.message, "attribute 'b' dropped"));
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    expect_absent(d, "b");
    assert_int_equal(genops_span_data_dropped_attributes(d), 1);
    fixture_close(&f);
}

/* A list is measured and copied as one; one attribute too big for the span is dropped
 * and counted, and the rest of the list (before it, after it, past the first batch of
 * 32) is still set, in order. The same for an operation's own attributes. */
static void test_a_list_keeps_what_fits_when_one_attribute_is_too_big(void **state)
{
    (void)state;
    enum { N = 40, BIG_AT = 5, BIG_TOO = 35 };
    struct fixture f;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_buffer_bytes = 64 * 1024;
    fixture_open_with(&f, &opt);
    static char big[70000];
    memset(big, 'y', sizeof big - 1);
    char keys[N][8], values[N][8];
    genops_attribute list[N];
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        snprintf(values[i], sizeof values[i], "v%d", i);
        list[i] = (genops_attribute){
            keys[i], {.type = GENOPS_TYPE_STRING, .len = strlen(values[i]), .u.s = values[i]}};
    }
    list[BIG_AT].value = (genops_value){.type = GENOPS_TYPE_STRING, .len = strlen(big), .u.s = big};
    list[BIG_TOO].value = list[BIG_AT].value; /* in the second batch */
    genops_error err;
    genops_span s = genops_span_start(f.pipeline, "list", NULL, NULL);
    assert_int_equal(genops_span_set_attributes(s, list, N, &err), GENOPS_ETOOBIG);
    assert_non_null(strstr(err.message, "attribute 'k5' dropped")); /* the first error */
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_attribute_count(d), N - 2);
    assert_int_equal(genops_span_data_dropped_attributes(d), 2);
    expect_absent(d, "k5");
    expect_absent(d, "k35");
    for (int i = 0; i < N; i++)
        if (i != BIG_AT && i != BIG_TOO)
            expect_str(d, keys[i], values[i]);
    genops_memory_exporter_clear(f.memory);

    s = genops_operation_start(f.pipeline, "op", NULL, NULL, NULL, list, 8, NULL);
    genops_span_end(s, NULL);
    d = fixture_only_span(&f);
    expect_absent(d, "genops.k5");
    expect_str(d, "genops.k4", "v4");
    expect_str(d, "genops.k6", "v6");
    assert_int_equal(genops_span_data_dropped_attributes(d), 1);
    fixture_close(&f);
}

/* With a length limit, values are cut as they are copied, one by one within the batch:
 * one still too big after its cut is dropped and the rest set. */
static void test_a_cut_value_too_big_drops_only_itself(void **state)
{
    (void)state;
    struct fixture f;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_buffer_bytes = 64 * 1024;
    opt.attribute_value_length_limit = 100000;
    fixture_open_with(&f, &opt);
    static char big[70000];
    memset(big, 'y', sizeof big - 1);
    genops_attribute list[3] = {
        {"a", {.type = GENOPS_TYPE_STRING, .len = 1, .u.s = "1"}},
        {"big", {.type = GENOPS_TYPE_STRING, .len = sizeof big - 1, .u.s = big}},
        {"c", {.type = GENOPS_TYPE_STRING, .len = 1, .u.s = "3"}},
    };
    genops_error err;
    genops_span s = genops_span_start(f.pipeline, "cut", NULL, NULL);
    assert_int_equal(genops_span_set_attributes(s, list, 3, &err), GENOPS_ETOOBIG);
    assert_non_null(strstr(err.message, "attribute 'big' dropped"));
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    expect_str(d, "a", "1");
    expect_str(d, "c", "3");
    expect_absent(d, "big");
    assert_int_equal(genops_span_data_dropped_attributes(d), 1);
    fixture_close(&f);
}

static void test_invalid_utf8_is_replaced_in_names_keys_and_values(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span s = genops_span_start(f.pipeline, "bad\xff", NULL, NULL);
    genops_span_set_str(s, "k\xfe", "v\xc3", NULL);
    genops_span_set_str(s, "q\xff", "first", NULL);
    genops_span_set_str(s, "q\xfe", "last", NULL); /* the same key once repaired */
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_string_equal(genops_span_data_name(d), "bad\xEF\xBF\xBD");
    expect_str(d, "k\xEF\xBF\xBD", "v\xEF\xBF\xBD");
    expect_str(d, "q\xEF\xBF\xBD", "last");
    assert_int_equal(genops_span_data_attribute_count(d), 2);
    fixture_close(&f);
}

static void test_bad_input_gets_clear_errors(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_error err;
    genops_span s = genops_span_start(f.pipeline, "bad input", NULL, NULL);

    assert_int_equal(genops_span_set_double(s, "nan", NAN, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "NaN"));
    assert_int_equal(genops_span_set_double(s, "inf", INFINITY, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_set_double(s, "-inf", -INFINITY, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_set_int(s, "", 1, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_set_int(s, NULL, 1, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_set_str(s, "k", NULL, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_set(s, "k", NULL, &err), GENOPS_EINVAL);
    genops_value bad_type = {.type = (genops_type)99};
    assert_int_equal(genops_span_set(s, "k", &bad_type, &err), GENOPS_EINVAL);
    double nan_item[] = {1.0, NAN};
    genops_value arr = {.type = GENOPS_TYPE_DOUBLE_ARRAY, .len = 2, .u.da = nan_item};
    assert_int_equal(genops_span_set(s, "k", &arr, &err), GENOPS_EINVAL);
    genops_value null_arr = {.type = GENOPS_TYPE_INT_ARRAY, .len = 2, .u.ia = NULL};
    assert_int_equal(genops_span_set(s, "k", &null_arr, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_set_attributes(s, NULL, 3, &err), GENOPS_EINVAL);
    /* A bad item in a list sets nothing from that list. */
    genops_attribute mixed[] = {A_INT("good", 1), A_DBL("bad", NAN)};
    assert_int_equal(genops_span_set_attributes(s, mixed, 2, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_set_kind(s, (genops_span_kind)42, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_set_status(s, (genops_span_status)7, NULL, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_add_event(s, NULL, NULL, 0, &err), GENOPS_EINVAL);
    assert_int_equal(genops_span_get_context(s, NULL, &err), GENOPS_EINVAL);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_attribute_count(d), 0);

    assert_int_equal(genops_span_start(NULL, "x", NULL, &err), GENOPS_SPAN_NONE);
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_int_equal(genops_span_start(f.pipeline, NULL, NULL, &err), GENOPS_SPAN_NONE);
    assert_int_equal(err.code, GENOPS_EINVAL);
    fixture_close(&f);
}

/* The slot index of a handle (span.h: generation << SPAN_INDEX_BITS | index). */
#define SLOT(h) ((h) & (SPAN_POOL_MAX - 1))

static void test_ended_and_forged_handles_stay_stale(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_error err;
    genops_span old = genops_span_start(f.pipeline, "old", NULL, NULL);
    assert_true(genops_span_is_recording(old));
    genops_span_end(old, NULL);
    assert_false(genops_span_is_recording(old));
    assert_int_equal(genops_span_set_int(old, "k", 1, &err), GENOPS_ESTALE);
    assert_int_equal(genops_span_end(old, &err), GENOPS_ESTALE);
    genops_pipeline_flush(f.pipeline, 10000, NULL);
    genops_memory_exporter_clear(f.memory); /* the slot goes back to the pool */

    /* Start spans (kept open, so no slot cycles back) until the pool hands that slot out
     * again; the old handle must not reach the new span. */
    enum { MAX_OPEN = 4096 };
    static genops_span opened[MAX_OPEN];
    genops_span fresh;
    int n = 0;
    do /* at least once: the old slot may be 0, which is also SLOT(GENOPS_SPAN_NONE) */
        fresh = opened[n++] = genops_span_start(f.pipeline, "fresh", NULL, NULL);
    while (n < MAX_OPEN && SLOT(fresh) != SLOT(old));
    assert_int_equal(SLOT(fresh), SLOT(old));
    assert_int_not_equal(fresh, old);
    assert_int_equal(genops_span_set_int(old, "k", 1, &err), GENOPS_ESTALE);
    assert_int_equal(genops_span_set_int(fresh, "k", 1, &err), GENOPS_OK);

    assert_int_equal(genops_span_set_int(GENOPS_SPAN_NONE, "k", 1, &err), GENOPS_ESTALE);
    assert_int_equal(genops_span_set_int(0xFFFFFFFF00000001ull, "k", 1, &err), GENOPS_ESTALE);
    assert_int_equal(genops_span_set_int(fresh + 2, "k", 1, &err), GENOPS_ESTALE);
    for (int i = 0; i < n; i++)
        genops_span_end(opened[i], NULL);
    fixture_close(&f);
}

static bool all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static void test_children_share_the_trace_and_link_the_parent(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span parent = genops_span_start(f.pipeline, "parent", NULL, NULL);
    genops_span_context pc;
    assert_int_equal(genops_span_get_context(parent, &pc, NULL), GENOPS_OK);
    assert_false(all_zero(pc.trace_id, 16));
    assert_false(all_zero(pc.span_id, 8));
    genops_span_end(parent, NULL); /* a child may start after its parent ended */
    genops_span child = genops_span_start(f.pipeline, "child", &pc, NULL);
    genops_span_end(child, NULL);
    genops_pipeline_flush(f.pipeline, 10000, NULL);
    assert_int_equal(genops_memory_exporter_count(f.memory), 2);
    const genops_span_data *p = genops_memory_exporter_get(f.memory, 0);
    const genops_span_data *c = genops_memory_exporter_get(f.memory, 1);
    genops_span_context got_p, got_c;
    genops_span_data_context(p, &got_p);
    genops_span_data_context(c, &got_c);
    assert_memory_equal(got_p.trace_id, got_c.trace_id, 16);
    assert_memory_not_equal(got_p.span_id, got_c.span_id, 8);
    uint8_t link[8];
    assert_false(genops_span_data_parent(p, link));
    assert_true(genops_span_data_parent(c, link));
    assert_memory_equal(link, got_p.span_id, 8);
    /* A root span is sampled (always_on) and its child inherits the flag. */
    assert_int_equal(pc.trace_flags, GENOPS_TRACE_FLAG_SAMPLED);
    assert_int_equal(got_c.trace_flags, GENOPS_TRACE_FLAG_SAMPLED);

    /* An all-zero (invalid) parent context starts a new trace instead. */
    genops_span_context zero = {{0}, {0}, 0};
    genops_span orphan = genops_span_start(f.pipeline, "orphan", &zero, NULL);
    genops_span_end(orphan, NULL);
    genops_pipeline_flush(f.pipeline, 10000, NULL);
    assert_false(genops_span_data_parent(genops_memory_exporter_get(f.memory, 2), NULL));
    fixture_close(&f);
}

static void test_ids_are_distinct_and_never_zero(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    enum { N = 2000 };
    static genops_span_context seen[N];
    for (int i = 0; i < N; i++) {
        genops_span s = genops_span_start(f.pipeline, "id", NULL, NULL);
        genops_span_get_context(s, &seen[i], NULL);
        genops_span_end(s, NULL);
        assert_false(all_zero(seen[i].trace_id, 16));
        assert_false(all_zero(seen[i].span_id, 8));
        for (int j = 0; j < i; j++)
            assert_memory_not_equal(seen[i].span_id, seen[j].span_id, 8);
    }
    fixture_close(&f);
}

static void test_times_status_kind_and_exception_event(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span s = genops_span_start(f.pipeline, "failing", NULL, NULL);
    assert_int_equal(genops_span_set_kind(s, GENOPS_SPAN_KIND_CLIENT, NULL), GENOPS_OK);
    assert_int_equal(
        genops_span_record_exception(s, "ValueError", "bad value", "Traceback ...", NULL),
        GENOPS_OK);
    genops_span_set_status(s, GENOPS_SPAN_STATUS_ERROR, "bad value", NULL);
    genops_span_end_at(s, 1, NULL); /* before the start: clamped */
    const genops_span_data *d = fixture_only_span(&f);
    const char *msg;
    assert_int_equal(genops_span_data_status(d, &msg), GENOPS_SPAN_STATUS_ERROR);
    assert_string_equal(msg, "bad value");
    assert_int_equal(genops_span_data_kind(d), GENOPS_SPAN_KIND_CLIENT);
    assert_int_equal(genops_span_data_end_ns(d), genops_span_data_start_ns(d));
    assert_true(genops_span_data_start_ns(d) > 1700000000ull * 1000000000ull);
    assert_int_equal(genops_span_data_event_count(d), 1);
    uint64_t t;
    assert_string_equal(genops_span_data_event(d, 0, &t), "exception");
    genops_value v;
    assert_true(genops_span_data_event_find(d, 0, "exception.type", &v));
    assert_memory_equal(v.u.s, "ValueError", v.len);
    assert_true(genops_span_data_event_find(d, 0, "exception.message", &v));
    assert_true(genops_span_data_event_find(d, 0, "exception.stacktrace", &v));
    fixture_close(&f);
}

static void test_a_span_handed_over_keeps_its_ids_and_times(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span_context ids = {.trace_flags = GENOPS_TRACE_FLAG_SAMPLED};
    for (int i = 0; i < 16; i++)
        ids.trace_id[i] = (uint8_t)(0xa0 + i);
    for (int i = 0; i < 8; i++)
        ids.span_id[i] = (uint8_t)(0x10 + i);
    const uint8_t parent[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const uint64_t t0 = 1700000000123456789ull;
    genops_span s = genops_span_start_with_ids(f.pipeline, "otel", &ids, parent, t0, NULL);
    assert_int_not_equal(s, GENOPS_SPAN_NONE);
    assert_int_equal(genops_span_add_event_at(s, "tick", t0 + 5, NULL, 0, NULL), GENOPS_OK);
    genops_span_end_at(s, t0 + 1000, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    genops_span_context got;
    genops_span_data_context(d, &got);
    assert_memory_equal(got.trace_id, ids.trace_id, 16);
    assert_memory_equal(got.span_id, ids.span_id, 8);
    assert_int_equal(got.trace_flags, GENOPS_TRACE_FLAG_SAMPLED);
    uint8_t link[8];
    assert_true(genops_span_data_parent(d, link));
    assert_memory_equal(link, parent, 8);
    assert_int_equal(genops_span_data_start_ns(d), t0);
    assert_int_equal(genops_span_data_end_ns(d), t0 + 1000);
    uint64_t t;
    assert_string_equal(genops_span_data_event(d, 0, &t), "tick");
    assert_int_equal(t, t0 + 5);
    genops_memory_exporter_clear(f.memory);

    /* A zero parent is a root of the given trace; invalid ids are refused. */
    const uint8_t none[8] = {0};
    s = genops_span_start_with_ids(f.pipeline, "root", &ids, none, t0, NULL);
    genops_span_end_at(s, t0, NULL);
    d = fixture_only_span(&f);
    assert_false(genops_span_data_parent(d, NULL));
    genops_span_data_context(d, &got);
    assert_memory_equal(got.trace_id, ids.trace_id, 16);
    genops_error err;
    assert_int_equal(genops_span_start_with_ids(f.pipeline, "x", NULL, NULL, t0, &err),
                     GENOPS_SPAN_NONE);
    assert_int_equal(err.code, GENOPS_EINVAL);
    genops_span_context zero = {{0}, {0}, 0};
    memcpy(zero.span_id, ids.span_id, 8);
    assert_int_equal(genops_span_start_with_ids(f.pipeline, "x", &zero, NULL, t0, &err),
                     GENOPS_SPAN_NONE);
    assert_int_equal(err.code, GENOPS_EINVAL);
    fixture_close(&f);
}

static void test_ok_status_is_final_and_unset_is_ignored(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    genops_span s = genops_span_start(f.pipeline, "ok", NULL, NULL);
    genops_span_set_status(s, GENOPS_SPAN_STATUS_OK, "ignored message", NULL);
    genops_span_set_status(s, GENOPS_SPAN_STATUS_ERROR, "too late", NULL);
    genops_span_set_status(s, GENOPS_SPAN_STATUS_UNSET, NULL, NULL);
    genops_span_end(s, NULL);
    const char *msg;
    assert_int_equal(genops_span_data_status(fixture_only_span(&f), &msg), GENOPS_SPAN_STATUS_OK);
    assert_string_equal(msg, "");
    fixture_close(&f);
}

static void test_event_count_limit(void **state)
{
    (void)state;
    struct fixture f;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.event_count_limit = 2;
    fixture_open_with(&f, &opt);
    genops_span s = genops_span_start(f.pipeline, "events", NULL, NULL);
    genops_attribute a[] = {A_INT("n", 1), A_NULL("dropped")};
    for (int i = 0; i < 4; i++)
        assert_int_equal(genops_span_add_event(s, "tick", a, COUNT(a), NULL), GENOPS_OK);
    genops_span_end(s, NULL);
    const genops_span_data *d = fixture_only_span(&f);
    assert_int_equal(genops_span_data_event_count(d), 2);
    genops_value v;
    assert_true(genops_span_data_event_find(d, 1, "n", &v));
    assert_false(genops_span_data_event_find(d, 1, "dropped", &v));
    fixture_close(&f);
}

/* Two threads end the same handle at once (a late garbage collector racing the owner):
 * exactly one end wins, and the span is submitted once. */
enum { RACE_ROUNDS = 2000 };

struct race {
    pthread_barrier_t go;
    _Atomic genops_span handle;
    atomic_int wins;
};

static void *end_it(void *arg)
{
    struct race *r = arg;
    for (int round = 0; round < RACE_ROUNDS; round++) {
        pthread_barrier_wait(&r->go);
        if (genops_span_end(atomic_load(&r->handle), NULL) == GENOPS_OK)
            atomic_fetch_add(&r->wins, 1);
        pthread_barrier_wait(&r->go);
    }
    return NULL;
}

static void test_racing_ends_submit_the_span_once(void **state)
{
    (void)state;
    enum { ROUNDS = RACE_ROUNDS };
    struct fixture f;
    fixture_open(&f);
    struct race r;
    atomic_init(&r.wins, 0);
    pthread_barrier_init(&r.go, NULL, 3);
    pthread_t t[2];
    atomic_store(&r.handle, genops_span_start(f.pipeline, "raced", NULL, NULL));
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, end_it, &r);
    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&r.go); /* both end it */
        pthread_barrier_wait(&r.go); /* both are done */
        if (round + 1 < ROUNDS)
            atomic_store(&r.handle, genops_span_start(f.pipeline, "raced", NULL, NULL));
        else
            atomic_store(&r.handle, GENOPS_SPAN_NONE);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&r.go);
    assert_int_equal(atomic_load(&r.wins), ROUNDS);
    assert_int_equal(genops_pipeline_flush(f.pipeline, 10000, NULL), GENOPS_OK);
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(f.pipeline, &st, NULL);
    assert_int_equal(st.spans_ended, ROUNDS);
    assert_int_equal(genops_memory_exporter_count(f.memory), ROUNDS);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_attributes_keep_their_types),
        cmocka_unit_test(test_setting_a_key_again_keeps_the_last_value),
        cmocka_unit_test(test_keys_that_share_a_filter_bit_stay_apart),
        cmocka_unit_test(test_a_repeated_key_is_merged_after_a_filter_collision_and_within_a_list),
        cmocka_unit_test(test_a_key_set_over_and_over_keeps_its_place_and_last_value),
        cmocka_unit_test(test_the_api_copies_every_string),
        cmocka_unit_test(test_count_limit_drops_new_keys_and_counts_them),
        cmocka_unit_test(test_binding_drops_count_on_the_span_and_in_stats),
        cmocka_unit_test(test_default_count_limit_is_128_with_10000_attributes),
        cmocka_unit_test(test_length_limit_truncates_by_characters),
        cmocka_unit_test(test_one_mebibyte_value_is_kept_whole),
        cmocka_unit_test(test_a_huge_span_gives_its_memory_back_when_released),
        cmocka_unit_test(test_span_byte_budget_refuses_runaway_spans),
        cmocka_unit_test(test_a_list_keeps_what_fits_when_one_attribute_is_too_big),
        cmocka_unit_test(test_a_cut_value_too_big_drops_only_itself),
        cmocka_unit_test(test_invalid_utf8_is_replaced_in_names_keys_and_values),
        cmocka_unit_test(test_bad_input_gets_clear_errors),
        cmocka_unit_test(test_ended_and_forged_handles_stay_stale),
        cmocka_unit_test(test_children_share_the_trace_and_link_the_parent),
        cmocka_unit_test(test_ids_are_distinct_and_never_zero),
        cmocka_unit_test(test_times_status_kind_and_exception_event),
        cmocka_unit_test(test_a_span_handed_over_keeps_its_ids_and_times),
        cmocka_unit_test(test_ok_status_is_final_and_unset_is_ignored),
        cmocka_unit_test(test_event_count_limit),
        cmocka_unit_test(test_racing_ends_submit_the_span_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
