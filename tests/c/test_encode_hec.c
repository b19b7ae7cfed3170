/* test_encode_hec.c - the Splunk HEC encoder: exact bytes for fixed batches (event and
 * raw framing, indexed fields, metadata fallbacks), strict validity of every event
 * (json_check, the independent decoder) including hostile strings, nanosecond time,
 * the same bytes under a decimal-comma locale, and the failure contract.
 * tests/python/test_hec_exporter.py checks the same shape end to end with json. */
#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "hec/hec_encode.h"
#include "json_check.h"
#include "otlp_fixture.h"

#define IDS "\"trace_id\":\"0102030405060708090a0b0c0d0e0f10\",\"span_id\":\"11121314151617"

/* clang-format off */
static const char minimal_golden[] =
    "{\"time\":1700000000.000000000,\"host\":\"h1\",\"sourcetype\":\"genops:telemetry\","
    "\"index\":\"genops_ai\",\"event\":{\"name\":\"chat\"," IDS "18\",\"status\":\"UNSET\","
    "\"duration_ms\":123.456789,\"service.name\":\"svc\",\"genops.cost.total\":0.02}}";

/* The body of fx_full's first span, shared by the event and raw goldens. */
#define FULL_BODY                                                                            \
    "\"name\":\"chat.completion\"," IDS "18\",\"parent_span_id\":\"a1a2a3a4a5a6a7a8\","       \
    "\"status\":\"ERROR\",\"status_message\":\"rate limited\",\"duration_ms\":123.456789,"    \
    "\"service.name\":\"chat-api\",\"genops.team\":\"ml-platform\","                         \
    "\"genops.note\":\"say \\\"hi\\\"\\n\\t\\\\ caf\xc3\xa9 \xe2\x82\xac\","                  \
    "\"genops.empty\":\"\",\"genops.tokens.input\":150,\"genops.delta\":-42,"                 \
    "\"genops.cost.total\":0.02,\"genops.policy.allowed\":false,"                            \
    "\"genops.models\":[\"gpt-4o\",\"\",\"claude-3\"],"                                      \
    "\"genops.tokens\":[0,-1,9223372036854775807,-9223372036854775808],"                     \
    "\"genops.scores\":[0.5,-0.0,1e-07,1e+300],\"genops.flags\":[true,false],"              \
    "\"genops.none\":[],\"exception.type\":\"RateLimitError\""
#define BARE_BODY                                                                            \
    "\"name\":\"bare\"," IDS "99\",\"status\":\"OK\",\"duration_ms\":123.456789,"             \
    "\"service.name\":\"chat-api\""
#define FULL_ENVELOPE                                                                        \
    "{\"time\":1700000000.000000000,\"host\":\"box\",\"source\":\"genops\","                 \
    "\"sourcetype\":\"genops:telemetry\",\"event\":{"

static const char full_golden[] =
    FULL_ENVELOPE FULL_BODY "},\"fields\":{\"genops.team\":\"ml-platform\","
    "\"genops.tokens.input\":\"150\",\"genops.models\":[\"gpt-4o\",\"\",\"claude-3\"],"
    "\"deployment.environment\":\"prod\",\"genops.flags\":[\"true\",\"false\"],"
    "\"genops.scores\":[\"0.5\",\"-0.0\",\"1e-07\",\"1e+300\"],\"genops.cost.total\":\"0.02\"}}"
    FULL_ENVELOPE BARE_BODY "},\"fields\":{\"deployment.environment\":\"prod\"}}";

static const char full_raw_golden[] =
    "{\"time\":1700000000.000000000," FULL_BODY "}\n"
    "{\"time\":1700000000.000000000," BARE_BODY "}\n";
/* clang-format on */

/* genops.none and genops.missing have nothing to index; the others come from the span's
 * attributes of every type, and deployment.environment from the resource. */
static const char *const full_fields[] = {
    "genops.team",      "genops.tokens.input", "genops.models", "deployment.environment",
    "genops.missing",   "genops.flags",        "genops.scores", "genops.none",
    "genops.cost.total"};

static const struct hec_encoding minimal_enc = {.host = "h1", .index = "genops_ai"};
static const struct hec_encoding full_enc = {.default_host = "box",
                                             .source = "genops",
                                             .fields = full_fields,
                                             .field_count = COUNT(full_fields)};

static struct buf encode(const struct batch *b, const struct hec_encoding *enc)
{
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(encode_hec(b, enc, &out, NULL), GENOPS_OK);
    buf_putc(&out, 0);
    out.len--;
    return out;
}

/* Every event of out[0..len), cut at ends[], is one strict JSON object. */
static void assert_events_parse(const struct buf *out, const size_t *ends, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *why = json_check(out->data + start, ends[i] - start);
        if (why)
            fail_msg("event %zu is not JSON: %s", i, why);
        assert_int_equal(out->data[start], '{');
        start = ends[i];
    }
    assert_int_equal(start, out->len);
}

static void test_minimal_event_bytes(void **state)
{
    (void)state;
    struct fx_minimal f;
    struct buf out = encode(fx_minimal(&f), &minimal_enc);
    assert_string_equal(out.data, minimal_golden);
    buf_free(&out);
}

static void test_every_type_fields_and_exception_bytes(void **state)
{
    (void)state;
    struct fx_full f;
    struct buf out = encode(fx_full(&f), &full_enc);
    assert_string_equal(out.data, full_golden);
    buf_free(&out);
}

static void test_raw_lines_carry_the_same_bodies(void **state)
{
    (void)state;
    struct fx_full f;
    struct hec_encoding raw = full_enc;
    raw.raw = true;
    struct buf out = encode(fx_full(&f), &raw);
    assert_string_equal(out.data, full_raw_golden);
    buf_free(&out);
}

static void test_time_keeps_nanoseconds(void **state)
{
    (void)state;
    struct fx_minimal f;
    const struct batch *b = fx_minimal(&f);
    f.span.start_ns = 1435658235000000123u;
    f.span.end_ns = f.span.start_ns + 1523000000u; /* 1523 ms exactly: no fraction */
    struct buf out = encode(b, &minimal_enc);
    assert_memory_equal(out.data, "{\"time\":1435658235.000000123,", 29);
    assert_non_null(strstr(out.data, ",\"duration_ms\":1523,"));
    buf_free(&out);

    f.span.start_ns = 999999999u; /* under a second; an end before the start */
    f.span.end_ns = 5;
    out = encode(b, &minimal_enc);
    assert_memory_equal(out.data, "{\"time\":0.999999999,", 20);
    assert_non_null(strstr(out.data, ",\"duration_ms\":0,"));
    buf_free(&out);
}

static void test_offsets_cut_whole_events(void **state)
{
    (void)state;
    struct fx_full f;
    const struct batch *b = fx_full(&f);
    size_t ends[2];
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(encode_hec(b, &full_enc, &out, ends), GENOPS_OK);
    assert_events_parse(&out, ends, 2);
    assert_int_equal(ends[1], strlen(full_golden));
    buf_free(&out);
}

/* Hostile text in every string position: quotes, backslashes, every control byte,
 * invalid UTF-8 (a lone continuation byte, a truncated sequence, an overlong form, a
 * surrogate) and a NUL inside a value. Every event must stay strict JSON. */
static void test_hostile_strings_stay_json(void **state)
{
    (void)state;
    static const char nasty[] = "\"\\/\x01\x02\x1f\x7f\x80 \xe2\x82 \xc0\xaf \xed\xa0\x80 a\0b";
    static const char *const arr[] = {"\x80\xff", "\"", ""};
    struct attr attrs[] = {
        {.key = "k\"\\\n\x80",
         .key_len = 5,
         .value = {.type = GENOPS_TYPE_STRING, .len = sizeof nasty - 1, .u.s = nasty}},
        {.key = "genops.arr",
         .key_len = 10,
         .value = {.type = GENOPS_TYPE_STRING_ARRAY, .len = 3, .u.sa = arr}},
    };
    struct attr res[] = {FX_STR("service.name", "\x01svc\xff")};
    struct resource r;
    struct span s;
    fx_resource(&r, res, 1);
    fx_span(&s, nasty, attrs, 2);
    s.name_len = sizeof nasty - 1;
    s.status = GENOPS_SPAN_STATUS_ERROR;
    s.status_message = nasty;
    s.status_message_len = sizeof nasty - 1;
    struct span *spans[] = {&s, &s};
    struct batch b = {spans, 2, &r, false, false};
    static const char *const keys[] = {"k\"\\\n\x80", "genops.arr", "service.name"};
    struct hec_encoding enc = {.host = nasty,
                               .source = "\x80",
                               .sourcetype = "\"",
                               .index = "\n",
                               .fields = keys,
                               .field_count = 3};
    for (int raw = 0; raw < 2; raw++) {
        enc.raw = raw;
        size_t ends[2];
        struct buf out;
        buf_init(&out, 1 << 20);
        assert_int_equal(encode_hec(&b, &enc, &out, ends), GENOPS_OK);
        assert_events_parse(&out, ends, 2);
        for (size_t i = 0; i < out.len; i++)
            assert_true((unsigned char)out.data[i] >= 0x20 || (raw && out.data[i] == '\n'));
        buf_free(&out);
    }
}

/* A reserved key as an attribute is left out: the encoder's own member wins. */
static void test_reserved_keys_are_not_written_twice(void **state)
{
    (void)state;
    struct attr attrs[] = {FX_STR("name", "spoof"), FX_STR("service.name", "spoof"),
                           FX_INT("duration_ms", 1), FX_STR("time", "spoof"),
                           FX_STR("genops.ok", "kept")};
    struct attr res[] = {FX_STR("service.name", "svc")};
    struct resource r;
    struct span s;
    fx_resource(&r, res, 1);
    fx_span(&s, "op", attrs, COUNT(attrs));
    struct span *spans[] = {&s};
    struct batch b = {spans, 1, &r, false, false};
    struct hec_encoding raw = {.raw = true};
    struct buf out = encode(&b, &raw);
    assert_string_equal(out.data, "{\"time\":1700000000.000000000,\"name\":\"op\"," IDS
                                  "18\",\"status\":\"UNSET\",\"duration_ms\":123.456789,"
                                  "\"service.name\":\"svc\",\"genops.ok\":\"kept\"}\n");
    assert_null(strstr(out.data, "spoof"));
    buf_free(&out);
}

/* genops-ai's recorders write budget.utilization_percent / allocated / consumed and
 * eval.metric + eval.score; the guides' searches read budget.utilization / limit / used,
 * eval.<metric> and operation.duration_ms (the derived names of derived.h, in
 * semconv.def's order). Both are in the event; a name the span already has is never
 * written twice, and the body's own status / duration_ms are not repeated. */
static void test_guide_names_are_added(void **state)
{
    (void)state;
    struct attr attrs[] = {FX_STR("genops.operation.name", "ai.budget.check"),
                           FX_DBL("genops.budget.allocated", 100.0),
                           FX_DBL("genops.budget.consumed", 87.5),
                           FX_DBL("genops.budget.utilization_percent", 87.5),
                           FX_STR("genops.eval.metric", "quality"),
                           FX_DBL("genops.eval.score", 0.87)};
    struct resource r;
    struct span s;
    fx_resource(&r, NULL, 0);
    fx_span(&s, "op", attrs, COUNT(attrs));
    struct span *spans[] = {&s};
    struct batch b = {spans, 1, &r, true, false};
    struct hec_encoding raw = {.raw = true};
    struct buf out = encode(&b, &raw);
    assert_string_equal(
        out.data,
        "{\"time\":1700000000.000000000,\"name\":\"op\"," IDS
        "18\",\"status\":\"UNSET\",\"duration_ms\":123.456789,\"genops.operation.name\":"
        "\"ai.budget.check\",\"genops.budget.allocated\":100.0,\"genops.budget.consumed\":87.5,"
        "\"genops.budget.utilization_percent\":87.5,\"genops.eval.metric\":\"quality\","
        "\"genops.eval.score\":0.87,\"genops.budget.limit\":100.0,\"genops.budget.used\":87.5,"
        "\"genops.budget.utilization\":87.5,\"genops.budget.utilization_pct\":87.5,"
        "\"genops.eval.performed\":true,\"genops.eval.quality\":0.87,"
        "\"genops.operation.duration_ms\":123.456789}\n");
    buf_free(&out);

    struct attr own[] = {FX_DBL("genops.budget.utilization_percent", 50.0),
                         FX_DBL("genops.budget.utilization", 1.0),
                         FX_STR("genops.eval.metric", "safety score"), /* not a plain name */
                         FX_DBL("genops.eval.score", 0.5)};
    fx_span(&s, "op", own, COUNT(own));
    out = encode(&b, &raw);
    assert_null(strstr(out.data, "\"genops.budget.utilization\":50"));
    assert_null(strstr(out.data, "genops.eval.safety"));
    assert_null(strstr(out.data, "operation.duration_ms")); /* not an operation span */
    buf_free(&out);
}

/* A span with an empty name and nothing else still has a body with members: HEC
 * refuses a blank event (code 13). */
static void test_event_is_never_blank(void **state)
{
    (void)state;
    struct resource r;
    struct span s;
    fx_resource(&r, NULL, 0);
    fx_span(&s, "", NULL, 0);
    struct span *spans[] = {&s};
    struct batch b = {spans, 1, &r, false, false};
    struct hec_encoding enc = {0};
    struct buf out = encode(&b, &enc);
    assert_string_equal(out.data, "{\"time\":1700000000.000000000,\"sourcetype\":\"genops:"
                                  "telemetry\",\"event\":{\"name\":\"\"," IDS
                                  "18\",\"status\":\"UNSET\",\"duration_ms\":123.456789}}");
    buf_free(&out);
}

/* Configured values win; then the resource attributes the Splunk guide sets. */
static void test_metadata_falls_back_to_the_resource(void **state)
{
    (void)state;
    struct attr res[] = {FX_STR("host", "ai-app-server-01"), FX_STR("splunk.index", "genops_ai"),
                         FX_STR("splunk.sourcetype", "genops:custom"), FX_INT("splunk.source", 7)};
    struct resource r;
    fx_resource(&r, res, COUNT(res));
    struct hec_encoding enc = {.default_host = "box"};
    struct hec_meta m;
    encode_hec_meta(&enc, &r, &m);
    assert_string_equal(m.host, "ai-app-server-01");
    assert_memory_equal(m.index, "genops_ai", m.index_len);
    assert_memory_equal(m.sourcetype, "genops:custom", m.sourcetype_len);
    assert_null(m.source); /* not a string: ignored */
    enc.host = "h";
    enc.index = "other";
    encode_hec_meta(&enc, &r, &m);
    assert_string_equal(m.host, "h");
    assert_string_equal(m.index, "other");
    encode_hec_meta(&enc, NULL, &m);
    assert_string_equal(m.sourcetype, HEC_DEFAULT_SOURCETYPE);
}

/* A decimal-comma locale in this thread: an installed one, else one built with
 * localedef into a temporary LOCPATH (Debian's locales package has the sources). */
static locale_t comma_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    for (size_t i = 0; i < COUNT(names); i++) {
        locale_t l = newlocale(LC_ALL_MASK, names[i], (locale_t)0);
        if (l)
            return l;
    }
    char dir[] = "/tmp/genops-locale-XXXXXX";
    if (!mkdtemp(dir))
        return (locale_t)0;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir);
    if (system(cmd) != 0)
        return (locale_t)0;
    setenv("LOCPATH", dir, 1);
    return newlocale(LC_ALL_MASK, "de_DE.UTF-8", (locale_t)0);
}

static void test_bytes_are_the_same_under_a_comma_locale(void **state)
{
    (void)state;
    locale_t comma = comma_locale();
    if (!comma) {
        print_message("no decimal-comma locale could be had (localedef failed)\n");
        skip();
    }
    locale_t old = uselocale(comma);
    assert_string_equal(localeconv()->decimal_point, ",");
    struct fx_full f;
    struct buf out = encode(fx_full(&f), &full_enc);
    struct hec_encoding raw = full_enc;
    raw.raw = true;
    struct buf lines = encode(fx_full(&f), &raw);
    uselocale(old);
    freelocale(comma);
    assert_string_equal(out.data, full_golden);
    assert_string_equal(lines.data, full_raw_golden);
    buf_free(&out);
    buf_free(&lines);
}

static void test_appends_after_existing_bytes(void **state)
{
    (void)state;
    struct fx_minimal f;
    struct buf out;
    buf_init(&out, 1 << 20);
    buf_puts(&out, "PREFIX");
    size_t ends[1];
    assert_int_equal(encode_hec(fx_minimal(&f), &minimal_enc, &out, ends), GENOPS_OK);
    assert_int_equal(ends[0], 6 + strlen(minimal_golden));
    assert_memory_equal(out.data + 6, minimal_golden, strlen(minimal_golden));
    buf_free(&out);
}

/* The limit is passed in the middle of the second event: nothing of either stays. */
static void test_limit_leaves_no_partial_payload(void **state)
{
    (void)state;
    struct fx_full f;
    const struct batch *b = fx_full(&f);
    size_t limits[] = {8, 300, 4 + strlen(full_golden) - 1}; /* the last: one byte short */
    for (size_t i = 0; i < COUNT(limits); i++) {
        struct buf out;
        buf_init(&out, limits[i]);
        buf_puts(&out, "KEEP");
        assert_int_equal(encode_hec(b, &full_enc, &out, NULL), GENOPS_ETOOBIG);
        assert_int_equal(out.len, 4);
        assert_true(buf_ok(&out));
        assert_memory_equal(out.data, "KEEP", 4);
        buf_free(&out);
    }
    struct buf out;
    buf_init(&out, 4 + strlen(full_golden)); /* exactly enough */
    buf_puts(&out, "KEEP");
    assert_int_equal(encode_hec(b, &full_enc, &out, NULL), GENOPS_OK);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_event_bytes),
        cmocka_unit_test(test_every_type_fields_and_exception_bytes),
        cmocka_unit_test(test_raw_lines_carry_the_same_bodies),
        cmocka_unit_test(test_time_keeps_nanoseconds),
        cmocka_unit_test(test_offsets_cut_whole_events),
        cmocka_unit_test(test_hostile_strings_stay_json),
        cmocka_unit_test(test_reserved_keys_are_not_written_twice),
        cmocka_unit_test(test_guide_names_are_added),
        cmocka_unit_test(test_event_is_never_blank),
        cmocka_unit_test(test_metadata_falls_back_to_the_resource),
        cmocka_unit_test(test_bytes_are_the_same_under_a_comma_locale),
        cmocka_unit_test(test_appends_after_existing_bytes),
        cmocka_unit_test(test_limit_leaves_no_partial_payload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
