/* test_encode_otlp_json.c - the OTLP/JSON encoder: exact text for fixed batches
 * (written by hand from the OTLP JSON mapping), strict validity of every output
 * (json_check) including random batches with arbitrary bytes, the same text under a
 * comma locale, and the failure contract. tests/python/test_otlp_encoding.py parses the
 * output with the official OpenTelemetry classes. */
#include <locale.h>

#include "otlp/otlp_encode.h"
#include "json_check.h"
#include "otlp_fixture.h"
#include "otlp_gen.h"

/* The goldens, laid out by hand; clang-format would break the pieces apart. */
// clang-format off
#define SCOPE "\"scope\":{\"name\":\"genops-ai\",\"version\":\"0.1.0\"}"
#define IDS "\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"11121314151617"
#define TIMES "\"startTimeUnixNano\":\"1700000000000000000\"," \
              "\"endTimeUnixNano\":\"1700000000123456789\""
#define KV(k, v) "{\"key\":\"" k "\",\"value\":{" v "}}"

static const char minimal_golden[] =
    "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
    KV("service.name", "\"stringValue\":\"svc\"") "]},"
    "\"scopeSpans\":[{" SCOPE ",\"spans\":["
    "{" IDS "18\",\"name\":\"chat\",\"kind\":1," TIMES ","
    "\"attributes\":[" KV("genops.cost.total", "\"doubleValue\":0.02") "],"
    "\"status\":{}}"
    "]}]}]}";

static const char full_golden[] =
    "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
    KV("service.name", "\"stringValue\":\"chat-api\"") ","
    KV("deployment.environment", "\"stringValue\":\"prod\"") ","
    KV("telemetry.sdk.language", "\"stringValue\":\"c\"") "]},"
    "\"scopeSpans\":[{" SCOPE ",\"spans\":["
    /* The full span: a CLIENT child with every value type. */
    "{" IDS "18\",\"parentSpanId\":\"a1a2a3a4a5a6a7a8\",\"name\":\"chat.completion\","
    "\"kind\":3," TIMES ",\"attributes\":["
    KV("genops.team", "\"stringValue\":\"ml-platform\"") ","
    KV("genops.note", "\"stringValue\":\"say \\\"hi\\\"\\n\\t\\\\ caf\xc3\xa9 \xe2\x82\xac\"") ","
    KV("genops.empty", "\"stringValue\":\"\"") ","
    KV("genops.tokens.input", "\"intValue\":\"150\"") ","
    KV("genops.delta", "\"intValue\":\"-42\"") ","
    KV("genops.cost.total", "\"doubleValue\":0.02") ","
    KV("genops.policy.allowed", "\"boolValue\":false") ","
    /* genops.unset (NULL) is left out */
    KV("genops.models", "\"arrayValue\":{\"values\":["
                        "{\"stringValue\":\"gpt-4o\"},{\"stringValue\":\"\"},"
                        "{\"stringValue\":\"claude-3\"}]}") ","
    KV("genops.tokens", "\"arrayValue\":{\"values\":["
                        "{\"intValue\":\"0\"},{\"intValue\":\"-1\"},"
                        "{\"intValue\":\"9223372036854775807\"},"
                        "{\"intValue\":\"-9223372036854775808\"}]}") ","
    KV("genops.scores", "\"arrayValue\":{\"values\":["
                        "{\"doubleValue\":0.5},{\"doubleValue\":-0.0},"
                        "{\"doubleValue\":1e-07},{\"doubleValue\":1e+300}]}") ","
    KV("genops.flags", "\"arrayValue\":{\"values\":["
                       "{\"boolValue\":true},{\"boolValue\":false}]}") ","
    KV("genops.none", "\"arrayValue\":{}") "],"
    "\"droppedAttributesCount\":3,"
    "\"events\":["
    "{\"timeUnixNano\":\"1700000000050000000\",\"name\":\"exception\",\"attributes\":["
    KV("exception.type", "\"stringValue\":\"RateLimitError\"") ","
    KV("retry.after", "\"intValue\":\"3\"") "]},"
    "{\"timeUnixNano\":\"1700000000050000001\",\"name\":\"retry\"}],"
    "\"droppedEventsCount\":300,"
    "\"status\":{\"message\":\"rate limited\",\"code\":2}},"
    /* The bare span: OK status, whose message is not written. */
    "{" IDS "99\",\"name\":\"bare\",\"kind\":1," TIMES ",\"status\":{\"code\":1}}"
    "]}]}]}";
// clang-format on

/* b's JSON, NUL-terminated, checked to be strict JSON; the caller frees it. */
static struct buf encode(const struct batch *b)
{
    struct buf out;
    buf_init(&out, (size_t)1 << 30);
    assert_int_equal(encode_otlp_json(b, &out), GENOPS_OK);
    const char *bad = json_check(out.data, out.len);
    if (bad)
        fail_msg("invalid JSON: %s", bad);
    buf_putc(&out, '\0');
    assert_true(buf_ok(&out));
    return out;
}

static void test_minimal_batch_is_exact(void **state)
{
    (void)state;
    struct fx_minimal f;
    struct buf out = encode(fx_minimal(&f));
    assert_string_equal(out.data, minimal_golden);
    buf_free(&out);
}

static void test_every_field_and_value_type_is_exact(void **state)
{
    (void)state;
    struct fx_full f;
    struct buf out = encode(fx_full(&f));
    assert_string_equal(out.data, full_golden);
    buf_free(&out);
}

static void test_empty_batch_and_bare_resource(void **state)
{
    (void)state;
    struct fx_full f;
    const struct batch *b = fx_full(&f);
    struct resource bare = {0};
    struct batch empty = {b->spans, 0, &bare, false, false};
    struct buf out = encode(&empty);
    assert_string_equal(out.data, "{\"resourceSpans\":[{\"resource\":{},\"scopeSpans\":[{"
                                  "\"scope\":{}}]}]}");
    buf_free(&out);
}

static void test_recorded_spans_are_valid_json(void **state)
{
    (void)state;
    struct fx_recorded f;
    struct buf out = encode(fx_recorded(&f));
    fx_recorded_close(&f);
    buf_free(&out);
}

static void test_random_batches_with_any_bytes_are_valid_json(void **state)
{
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15u; /* seeded, so failures reproduce */
    for (int round = 0; round < 3000; round++) {
        const struct batch *b;
        struct otlp_gen *g = otlp_gen_random(&seed, true, &b);
        assert_non_null(g);
        struct buf out = encode(b);
        buf_free(&out);
        otlp_gen_free(g);
    }
}

static void test_text_is_the_same_under_a_comma_locale(void **state)
{
    (void)state;
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    bool comma = false;
    for (size_t i = 0; i < COUNT(names) && !comma; i++)
        comma = setlocale(LC_ALL, names[i]) && strcmp(localeconv()->decimal_point, ",") == 0;
    if (!comma) {
        setlocale(LC_ALL, "C");
        print_message("no comma locale; `localedef -i de_DE -f UTF-8 de_DE.UTF-8` adds one\n");
        skip();
    }
    struct fx_full f;
    struct buf out = encode(fx_full(&f));
    setlocale(LC_ALL, "C");
    assert_string_equal(out.data, full_golden);
    buf_free(&out);
}

static void test_appends_after_existing_text(void **state)
{
    (void)state;
    struct fx_minimal f;
    struct buf out;
    buf_init(&out, 4096);
    buf_append(&out, "[", 1);
    assert_int_equal(encode_otlp_json(fx_minimal(&f), &out), GENOPS_OK);
    assert_int_equal(out.len, 1 + sizeof minimal_golden - 1);
    assert_memory_equal(out.data + 1, minimal_golden, out.len - 1);
    buf_free(&out);
}

static void test_limit_is_exact_and_failure_leaves_buf_unchanged(void **state)
{
    (void)state;
    struct fx_full f;
    const struct batch *b = fx_full(&f);
    size_t need = sizeof full_golden - 1;
    struct buf out;

    buf_init(&out, 3 + need);
    buf_append(&out, "abc", 3);
    assert_int_equal(encode_otlp_json(b, &out), GENOPS_OK);
    assert_int_equal(out.len, 3 + need);
    buf_free(&out);

    buf_init(&out, 3 + need - 1);
    buf_append(&out, "abc", 3);
    assert_int_equal(encode_otlp_json(b, &out), GENOPS_ETOOBIG);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "abc", 3);
    assert_true(buf_ok(&out));
    buf_free(&out);

    /* A small buffer too (above buf's first 256-byte allocation). */
    buf_init(&out, 300);
    assert_int_equal(encode_otlp_json(b, &out), GENOPS_ETOOBIG);
    assert_int_equal(out.len, 0);
    assert_true(buf_ok(&out));
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_batch_is_exact),
        cmocka_unit_test(test_every_field_and_value_type_is_exact),
        cmocka_unit_test(test_empty_batch_and_bare_resource),
        cmocka_unit_test(test_recorded_spans_are_valid_json),
        cmocka_unit_test(test_random_batches_with_any_bytes_are_valid_json),
        cmocka_unit_test(test_text_is_the_same_under_a_comma_locale),
        cmocka_unit_test(test_appends_after_existing_text),
        cmocka_unit_test(test_limit_is_exact_and_failure_leaves_buf_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
