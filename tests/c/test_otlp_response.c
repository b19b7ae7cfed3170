/* test_otlp_response.c - reading OTLP/HTTP responses (protobuf and JSON) and the small
 * JSON reader under it, including hostile bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hec/hec_response.h"
#include "json_read.h"
#include "otlp/otlp_response.h"

#define LIT(s) (s), (sizeof(s) - 1)

static void test_protobuf_partial_success(void **state)
{
    (void)state;
    int64_t n = -1;
    char msg[64];
    /* partial_success (1, LEN 11) { rejected_spans (1) = 3, error_message (2) = "too old" } */
    assert_true(
        otlp_partial_success(LIT("\x0a\x0b\x08\x03\x12\x07too old"), false, &n, msg, sizeof msg));
    assert_int_equal(n, 3);
    assert_string_equal(msg, "too old");
    /* An empty body, and unknown fields, are a full success. */
    assert_true(otlp_partial_success("", 0, false, &n, msg, sizeof msg));
    assert_int_equal(n, 0);
    assert_true(
        otlp_partial_success(LIT("\x10\x01\x1d\x00\x00\x00\x00"), false, &n, msg, sizeof msg));
    assert_int_equal(n, 0);
}

static void test_protobuf_garbage_is_refused_not_trusted(void **state)
{
    (void)state;
    int64_t n = -1;
    char msg[8];
    /* A length past the end, a truncated varint, a group wire type. */
    assert_false(otlp_partial_success(LIT("\x0a\x7f\x08"), false, &n, msg, sizeof msg));
    assert_int_equal(n, 0);
    assert_false(otlp_partial_success(LIT("\x0a\x02\x08\xff"), false, &n, msg, sizeof msg));
    assert_false(otlp_partial_success(LIT("\x0b"), false, &n, msg, sizeof msg));
    /* A long message is cut to the buffer. */
    assert_true(otlp_partial_success(LIT("\x0a\x0c\x08\x01\x12\x08"
                                         "abcdefgh"),
                                     false, &n, msg, sizeof msg));
    assert_string_equal(msg, "abcdefg");
}

static void test_json_partial_success(void **state)
{
    (void)state;
    int64_t n = -1;
    char msg[64];
    const char *body = "{\"other\":[1,{\"a\":\"}\"}],\"partialSuccess\":{\"rejectedSpans\":\"2\","
                       "\"errorMessage\":\"bad \\\"name\\\" \\u00e9\\ud83d\\ude00\"}}";
    assert_true(otlp_partial_success(body, strlen(body), true, &n, msg, sizeof msg));
    assert_int_equal(n, 2);
    assert_string_equal(msg, "bad \"name\" \xc3\xa9\xf0\x9f\x98\x80");
    assert_true(otlp_partial_success(LIT("{\"partialSuccess\":{\"rejectedSpans\":5}}"), true, &n,
                                     msg, sizeof msg));
    assert_int_equal(n, 5);
    assert_true(otlp_partial_success(LIT("{}"), true, &n, msg, sizeof msg));
    assert_int_equal(n, 0);
    assert_true(otlp_partial_success(LIT("{\"partialSuccess\":{}}"), true, &n, msg, sizeof msg));
    assert_int_equal(n, 0);
    assert_false(otlp_partial_success(LIT("{\"partialSuccess\":{\"rejectedSpans\":\"x\"}}"), true,
                                      &n, msg, sizeof msg));
    assert_false(otlp_partial_success(LIT("{\"partialSuccess\":{\"rejectedSpans\":-4}}"), true, &n,
                                      msg, sizeof msg));
    assert_int_equal(n, 0);
}

/* json_array_each: the items json_find would give, in order; a body cut short keeps its
 * complete first items; what is not an array is -1. */
struct items {
    char text[4][16];
    size_t n;
};

static void take_item(const char *item, size_t len, size_t i, void *ctx)
{
    struct items *it = ctx;
    assert_int_equal(i, it->n);
    if (it->n < 4)
        snprintf(it->text[it->n], sizeof it->text[0], "%.*s", (int)len, item);
    it->n++;
}

static void test_json_array_items(void **state)
{
    (void)state;
    struct items it = {0};
    assert_int_equal(json_array_each(LIT(" [ {\"status\":202} , 7,\"x\" ,[1]] "), take_item, &it),
                     4);
    assert_string_equal(it.text[0], "{\"status\":202}");
    assert_string_equal(it.text[1], "7");
    assert_string_equal(it.text[2], "\"x\"");
    assert_string_equal(it.text[3], "[1]");
    it.n = 0;
    assert_int_equal(json_array_each(LIT("[]"), take_item, &it), 0);
    assert_int_equal(json_array_each(LIT("[{\"a\":1},{\"a\":"), take_item, &it), 1);
    it.n = 0;
    assert_int_equal(json_array_each(LIT("{\"a\":[1]}"), take_item, &it), -1);
    assert_int_equal(json_array_each(LIT(""), take_item, &it), -1);
    assert_int_equal(it.n, 0);
}

static void test_json_reader_survives_hostile_input(void **state)
{
    (void)state;
    static const char *const path[] = {"a", "b", NULL};
    const char *v;
    size_t len;
    char deep[200];
    memset(deep, '[', sizeof deep);
    const char *bad[] = {"{\"a\":{\"b\"", "{\"a\":{\"b\":}}",      "{\"a\" {\"b\":1}}", "[",
                         "{\"a\":\"\\",   "{\"x\":\"unterminated", "{\"a\":{\"c\":[1,}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(json_find(bad[i], strlen(bad[i]), path, &v, &len));
    assert_false(json_find(deep, sizeof deep, path, &v, &len));
    char obj[220] = "{\"x\":";
    memcpy(obj + 5, deep, 200);
    assert_false(json_find(obj, 205, path, &v, &len));
    /* Only the bytes given are read: the member past len is not found. */
    assert_false(json_find(LIT("{\"a\":{\"b\":1}}") - 5, path, &v, &len));
    assert_true(json_find(LIT(" { \"a\" : { \"c\":[1,2], \"b\" : true } } "), path, &v, &len));
    assert_int_equal(len, 4);
    assert_memory_equal(v, "true", 4);
    char s[4];
    assert_false(json_string(LIT("\"\\x\""), s, sizeof s));
    assert_false(json_string(LIT("\"\\u12\""), s, sizeof s));
    assert_true(json_string(LIT("\"\\ud800x\""), s, sizeof s)); /* lone surrogate: U+FFFD */
    assert_string_equal(s, "\xef\xbf\xbd");
    int64_t i;
    assert_false(json_int64(LIT("99999999999999999999"), &i));
    assert_false(json_int64(LIT("1.5"), &i));
    assert_true(json_int64(LIT("\"-7\""), &i));
    assert_int_equal(i, -7);
}

static void test_error_text_from_status_json_or_plain_body(void **state)
{
    (void)state;
    char out[32];
    /* google.rpc.Status { code (1) = 3, message (2) = "bad span" } */
    otlp_error_text(LIT("\x08\x03\x12\x08"
                        "bad span"),
                    "application/x-protobuf", out, sizeof out);
    assert_string_equal(out, "bad span");
    otlp_error_text(LIT("{\"code\":16,\"message\":\"invalid API key\"}"),
                    "application/json; charset=utf-8", out, sizeof out);
    assert_string_equal(out, "invalid API key");
    otlp_error_text(LIT("<html>Bad gateway</html>"), "text/html", out, sizeof out);
    assert_string_equal(out, "<html>Bad gateway</html>");
    otlp_error_text(LIT("a very long plain text answer that goes on"), NULL, out, sizeof out);
    assert_int_equal(strlen(out), sizeof out - 1);
    otlp_error_text("", 0, "application/json", out, sizeof out);
    assert_string_equal(out, "");
}

/* What a backend says ends up in log lines and error messages: a hostile one must not
 * forge lines, send terminal escapes or invalid UTF-8 through any of the readers. */
static void test_backend_text_is_made_printable(void **state)
{
    (void)state;
    const char *want = "a\xef\xbf\xbd"
                       "b\xef\xbf\xbd[31m\xef\xbf\xbd";
    char out[32];
    otlp_error_text(LIT("a\nb\x1b[31m\xff"), "text/plain", out, sizeof out);
    assert_string_equal(out, want);
    otlp_error_text(LIT("{\"message\":\"a\\nb\\u001b[31m\xff\"}"), "application/json", out,
                    sizeof out);
    assert_string_equal(out, want);
    otlp_error_text(LIT("\x12\x09"
                        "a\nb\x1b[31m\xff"),
                    "application/x-protobuf", out, sizeof out);
    assert_string_equal(out, want);
    int64_t rejected;
    assert_true(otlp_partial_success(LIT("{\"partialSuccess\":{\"rejectedSpans\":\"1\","
                                         "\"errorMessage\":\"a\\nb\\u001b[31m\xff\"}}"),
                                     true, &rejected, out, sizeof out));
    assert_string_equal(out, want);
    struct hec_reply reply;
    hec_reply_parse(LIT("{\"text\":\"a\\nb\\u001b[31m\xff\",\"code\":6}"), &reply);
    assert_string_equal(reply.text, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protobuf_partial_success),
        cmocka_unit_test(test_protobuf_garbage_is_refused_not_trusted),
        cmocka_unit_test(test_json_partial_success),
        cmocka_unit_test(test_json_reader_survives_hostile_input),
        cmocka_unit_test(test_json_array_items),
        cmocka_unit_test(test_error_text_from_status_json_or_plain_body),
        cmocka_unit_test(test_backend_text_is_made_printable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
