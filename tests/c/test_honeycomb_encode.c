/* test_honeycomb_encode.c - the Honeycomb events encoder: RFC 3339 times checked
 * against gmtime_r under a comma locale, every event of 3,000 generated batches (any
 * bytes, any doubles) read back by msgpack-c's unpacker (msgpack_check.c), and a buffer
 * that is too small failing cleanly. PyPI's msgpack decodes a real batch in
 * tests/python/test_honeycomb_encoding.py. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "honeycomb/honeycomb_encode.h"
#include "msgpack_check.h"
#include "otlp_gen.h"

static void test_rfc3339(void **state)
{
    (void)state;
    char out[31];
    setlocale(LC_ALL, "de_DE.UTF-8"); /* where present: must change nothing */
    assert_int_equal(honeycomb_rfc3339(0, out), 30);
    assert_string_equal(out, "1970-01-01T00:00:00.000000000Z");
    honeycomb_rfc3339(1709208000123456789u, out);
    assert_string_equal(out, "2024-02-29T12:00:00.123456789Z");
    honeycomb_rfc3339(946684799999999999u, out);
    assert_string_equal(out, "1999-12-31T23:59:59.999999999Z");
    honeycomb_rfc3339(UINT64_MAX, out); /* year 2554 */
    assert_string_equal(out, "2554-07-21T23:34:33.709551615Z");
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 200000; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        uint64_t ns = seed; /* every uint64 is before year 9999 (2554 at most) */
        time_t secs = (time_t)(ns / 1000000000u);
        struct tm tm;
        char want[96];
        gmtime_r(&secs, &tm);
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned)(ns % 1000000000u));
        honeycomb_rfc3339(ns, out);
        assert_string_equal(out, want);
    }
    setlocale(LC_ALL, "C");
}

static void test_generated_batches_decode(void **state)
{
    (void)state;
    uint64_t seed = 42;
    for (int i = 0; i < 3000; i++) {
        const struct batch *b;
        struct otlp_gen *g = otlp_gen_random(&seed, true, &b);
        assert_non_null(g);
        struct buf out;
        buf_init(&out, (size_t)1 << 24);
        assert_int_equal(encode_honeycomb_msgpack(b, &out), GENOPS_OK);
        const char *why = msgpack_check_events(out.data, out.len, b->count, false);
        if (why)
            fail_msg("batch %d: %s", i, why);
        /* One byte too small: ETOOBIG, and the buffer as it was. */
        struct buf small;
        buf_init(&small, out.len - 1);
        buf_append(&small, "x", 1);
        buf_truncate(&small, 0);
        assert_int_equal(encode_honeycomb_msgpack(b, &small), GENOPS_ETOOBIG);
        assert_int_equal(small.len, 0);
        buf_free(&small);
        buf_free(&out);
        otlp_gen_free(g);
    }
}

/* A span whose attributes are named like the encoder's own fields, under a resource
 * that repeats one of its attributes: each key once, the span's own fields win. */
static void test_each_field_once(void **state)
{
    (void)state;
    struct attr attrs[] = {
        {"name", 4, 0, {.type = GENOPS_TYPE_STRING, .len = 5, .u.s = "fake!"}},
        {"duration_ms", 11, 0, {.type = GENOPS_TYPE_INT, .u.i = 7}},
        {"status", 6, 0, {.type = GENOPS_TYPE_STRING, .len = 2, .u.s = "ok"}},
        {"trace.trace_id", 14, 0, {.type = GENOPS_TYPE_STRING, .len = 1, .u.s = "x"}},
        {"genops.team", 11, 0, {.type = GENOPS_TYPE_STRING, .len = 2, .u.s = "ml"}},
        {"deployment.environment", 22, 0, {.type = GENOPS_TYPE_STRING, .len = 3, .u.s = "dev"}},
    };
    struct attr res[] = {
        {"service.name", 12, 0, {.type = GENOPS_TYPE_STRING, .len = 3, .u.s = "svc"}},
        {"deployment.environment", 22, 0, {.type = GENOPS_TYPE_STRING, .len = 4, .u.s = "prod"}},
        {"host.name", 9, 0, {.type = GENOPS_TYPE_STRING, .len = 1, .u.s = "h"}},
    };
    static struct span s;
    memset(&s, 0, sizeof s);
    s.name = "chat";
    s.name_len = 4;
    s.status = GENOPS_SPAN_STATUS_ERROR;
    s.start_ns = 1000000000u;
    s.end_ns = 1001500000u; /* 1.5 ms */
    s.attrs.items = attrs;
    s.attrs.count = 6;
    struct resource r;
    memset(&r, 0, sizeof r);
    r.attrs.items = res;
    r.attrs.count = 3;
    struct span *list[] = {&s};
    struct batch b = {list, 1, &r, false, false};
    struct buf out;
    buf_init(&out, 1 << 16);
    assert_int_equal(encode_honeycomb_msgpack(&b, &out), GENOPS_OK);
    const char *why = msgpack_check_events(out.data, out.len, 1, true);
    if (why)
        fail_msg("%s", why);
    /* The span's own values and the span's environment, not the resource's. */
    assert_non_null(memmem(out.data, out.len,
                           "\xa4"
                           "chat",
                           5));
    assert_null(memmem(out.data, out.len, "fake!", 5));
    assert_non_null(memmem(out.data, out.len,
                           "\xa3"
                           "dev",
                           4));
    assert_null(memmem(out.data, out.len, "prod", 4));
    assert_non_null(memmem(out.data, out.len, "\xcb\x3f\xf8\0\0\0\0\0\0", 9)); /* 1.5 */
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_generated_batches_decode),
        cmocka_unit_test(test_each_field_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
