/* test_honeycomb_encode.c - the Honeycomb events encoder: RFC 3339 times checked
 * against gmtime_r under a comma locale, every event of 3,000 generated batches (any
 * bytes, any doubles) read back by msgpack-c's unpacker (msgpack_check.c), every width
 * of every token read back by value, and a buffer that is too small failing cleanly. PyPI's msgpack
 * decodes a real batch in tests/python/test_honeycomb_encoding.py. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <msgpack.h>

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

/* The data map of event i of an unpacked body. */
static const msgpack_object_map *event_data(const msgpack_object *body, uint32_t i)
{
    assert_int_equal(body->type, MSGPACK_OBJECT_ARRAY);
    const msgpack_object_map *event = &body->via.array.ptr[i].via.map;
    for (uint32_t k = 0; k < event->size; k++)
        if (event->ptr[k].key.via.str.size == 4 &&
            !memcmp(event->ptr[k].key.via.str.ptr, "data", 4))
            return &event->ptr[k].val.via.map;
    fail_msg("event %u has no data", i);
    return NULL;
}

static const msgpack_object *field(const msgpack_object_map *data, const char *key)
{
    for (uint32_t k = 0; k < data->size; k++)
        if (data->ptr[k].key.via.str.size == strlen(key) &&
            !memcmp(data->ptr[k].key.via.str.ptr, key, strlen(key)))
            return &data->ptr[k].val;
    fail_msg("no field %s", key);
    return NULL;
}

/* Every width of every token the encoder writes (msgpack_put.h: ints at each boundary of
 * their shortest forms, strs of 0 to 65,536 bytes, arrays of 16, a map of 16 or more
 * fields and one of fewer), read back by value with msgpack-c's unpacker, and what msgpack-c
 * says the shortest form is: the body is as long as it must be, no longer. */
static void test_every_width_by_value(void **state)
{
    (void)state;
    static const int64_t ints[] = {
        0,  1,   127, 128,  255,  256,    65535,  65536,     4294967295, 4294967296, INT64_MAX,
        -1, -32, -33, -128, -129, -32768, -32769, INT32_MIN, INT64_MIN,  -4294967296};
    enum { NINT = sizeof ints / sizeof ints[0] };
    static const size_t lens[] = {0, 31, 32, 255, 256, 65535, 65536};
    enum { NSTR = sizeof lens / sizeof lens[0] };
    static char text[65537], keys[NINT + NSTR + 4][16];
    memset(text, 'a', sizeof text - 1);
    static int64_t sixteen[16];
    static bool flags[16];
    for (int i = 0; i < 16; i++)
        sixteen[i] = -i * 1000, flags[i] = i % 2;
    struct attr attrs[NINT + NSTR + 4];
    uint32_t n = 0;
    for (uint32_t i = 0; i < NINT; i++, n++) {
        snprintf(keys[n], sizeof keys[n], "i%u", i);
        attrs[n] = (struct attr){
            keys[n], (uint32_t)strlen(keys[n]), 0, {.type = GENOPS_TYPE_INT, .u.i = ints[i]}};
    }
    for (uint32_t i = 0; i < NSTR; i++, n++) {
        snprintf(keys[n], sizeof keys[n], "s%u", i);
        attrs[n] = (struct attr){keys[n],
                                 (uint32_t)strlen(keys[n]),
                                 0,
                                 {.type = GENOPS_TYPE_STRING, .len = lens[i], .u.s = text}};
    }
    attrs[n++] = (struct attr){"bad",
                               3,
                               0,
                               {.type = GENOPS_TYPE_STRING,
                                .len = 3,
                                .u.s = "a\xff"
                                       "b"}};
    attrs[n++] = (struct attr){"d", 1, 0, {.type = GENOPS_TYPE_DOUBLE, .u.d = -0.25}};
    attrs[n++] =
        (struct attr){"ia", 2, 0, {.type = GENOPS_TYPE_INT_ARRAY, .len = 16, .u.ia = sixteen}};
    attrs[n++] =
        (struct attr){"ba", 2, 0, {.type = GENOPS_TYPE_BOOL_ARRAY, .len = 16, .u.ba = flags}};
    static struct span big, small;
    memset(&big, 0, sizeof big);
    big.name = "wide";
    big.name_len = 4;
    big.attrs = (struct attr_list){attrs, n, n};
    small = big;
    small.attrs.count = 1; /* 8 fields: a fixmap, after the header was written for 20 */
    struct span *list[] = {&big, &small};
    struct batch b = {list, 2, NULL, false, false};
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(encode_honeycomb_msgpack(&b, &out), GENOPS_OK);
    assert_null(msgpack_check_events(out.data, out.len, 2, true));

    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, out.data, out.len, &off), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, out.len);
    const msgpack_object_map *data = event_data(&u.data, 0);
    for (uint32_t i = 0; i < NINT; i++) {
        const msgpack_object *o = field(data, keys[i]);
        int64_t got = o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t)o->via.u64 : o->via.i64;
        assert_true(o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
                    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER);
        assert_true(got == ints[i]);
    }
    for (uint32_t i = 0; i < NSTR; i++) {
        const msgpack_object *o = field(data, keys[NINT + i]);
        assert_int_equal(o->type, MSGPACK_OBJECT_STR);
        assert_int_equal(o->via.str.size, lens[i]);
        if (lens[i])
            assert_memory_equal(o->via.str.ptr, text, lens[i]);
    }
    const msgpack_object *bad = field(data, "bad");
    assert_int_equal(bad->via.str.size, 5);
    assert_memory_equal(bad->via.str.ptr,
                        "a\xef\xbf\xbd"
                        "b",
                        5); /* U+FFFD */
    assert_true(field(data, "d")->via.f64 == -0.25);
    const msgpack_object *ia = field(data, "ia"), *ba = field(data, "ba");
    assert_int_equal(ia->via.array.size, 16);
    assert_int_equal(ba->via.array.size, 16);
    for (int i = 0; i < 16; i++) {
        assert_true(ia->via.array.ptr[i].via.i64 == -i * 1000 ||
                    (i == 0 && ia->via.array.ptr[i].via.u64 == 0));
        assert_int_equal(ba->via.array.ptr[i].via.boolean, i % 2);
    }
    assert_int_equal(event_data(&u.data, 1)->size, 8);

    /* Shortest forms: msgpack-c's packer writes the same tokens into the same length. */
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_object(&pk, u.data);
    assert_int_equal(sb.size, out.len);
    msgpack_sbuffer_destroy(&sb);
    msgpack_unpacked_destroy(&u);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_generated_batches_decode),
        cmocka_unit_test(test_each_field_once),
        cmocka_unit_test(test_every_width_by_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
