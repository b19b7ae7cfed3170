/* test_otlp_grpc_response.c - reading OTLP/gRPC answers: the grpc-status, grpc-message
 * and grpc-status-details-bin lines (RetryInfo inside a base64 google.rpc.Status), the
 * response message's 5-byte prefix, and the OTLP specification's retry table. The
 * Status bytes were made with googleapis-common-protos' status_pb2 and
 * error_details_pb2 (Python), so they are the official encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "otlp/otlp_grpc_response.h"
#include "otlp/otlp_response.h"

#define LIT(s) (s), (sizeof(s) - 1)

/* Status{code 14, message "busy", details [RetryInfo{retry_delay 1.5 s}]}, base64. */
#define UNAVAILABLE_1500MS                                                                         \
    "CA4SBGJ1c3kaNgoodHlwZS5nb29nbGVhcGlzLmNvbS9nb29nbGUucnBjLlJldHJ5SW5mbxIKCggIARCAyrXuAQ=="
/* Status{code 8, details [RetryInfo{}]}, base64 without its padding. */
#define EXHAUSTED_EMPTY_RETRY_INFO "CAgaKgoodHlwZS5nb29nbGVhcGlzLmNvbS9nb29nbGUucnBjLlJldHJ5SW5mbw"

static void feed(struct grpc_answer *a, const char *line)
{
    grpc_answer_header(a, line, strlen(line));
}

static void test_status_and_message_from_trailers(void **state)
{
    (void)state;
    struct grpc_answer a;
    grpc_answer_reset(&a);
    feed(&a, "HTTP/2 200 \r\n");
    feed(&a, "content-type: application/grpc\r\n");
    assert_int_equal(a.status, -1);
    feed(&a, "\r\n");
    feed(&a, "grpc-status: 3\r\n");
    feed(&a, "grpc-message: bad%20span%3A%20%E2%9C%93 %zz%4\r\n");
    assert_int_equal(a.status, GRPC_INVALID_ARGUMENT);
    /* Escapes decoded, UTF-8 kept, malformed escapes left as they are. */
    assert_string_equal(a.message, "bad span: \xe2\x9c\x93 %zz%4");
    assert_int_equal(a.retry_ms, -1);
    /* A new status line (the next attempt) starts over. */
    feed(&a, "HTTP/2 200\r\n");
    assert_int_equal(a.status, -1);
    assert_string_equal(a.message, "");
    /* Names are case-insensitive; a status that is not a number is none. */
    feed(&a, "Grpc-Status: 1x\r\n");
    assert_int_equal(a.status, -1);
    feed(&a, "GRPC-STATUS:  16 \r\n");
    assert_int_equal(a.status, GRPC_UNAUTHENTICATED);
}

static void test_retry_info_from_status_details(void **state)
{
    (void)state;
    struct grpc_answer a;
    grpc_answer_reset(&a);
    feed(&a, "grpc-status: 14\r\n");
    feed(&a, "grpc-status-details-bin: " UNAVAILABLE_1500MS "\r\n");
    assert_int_equal(a.retry_ms, 1500);
    assert_string_equal(a.message, "busy"); /* from the Status, as grpc-message was absent */
    grpc_answer_reset(&a);
    feed(&a, "grpc-message: own words\r\n");
    feed(&a, "grpc-status-details-bin: " EXHAUSTED_EMPTY_RETRY_INFO "\r\n");
    assert_int_equal(a.retry_ms, 0); /* a RetryInfo without a delay: retryable, no delay */
    assert_string_equal(a.message, "own words");
    /* Not base64, not a Status, or too long: ignored. */
    grpc_answer_reset(&a);
    feed(&a, "grpc-status-details-bin: ***\r\n");
    feed(&a, "grpc-status-details-bin: CA4SBGJ1c3kaNgoo\r\n"); /* a truncated Status */
    char huge[4096] = "grpc-status-details-bin: ";
    memset(huge + strlen(huge), 'A', 3000);
    feed(&a, huge);
    assert_int_equal(a.retry_ms, -1);
    assert_string_equal(a.message, "");
}

static void test_rpc_status_reader(void **state)
{
    (void)state;
    char msg[16];
    int64_t ms;
    /* Status{message "x", details [Any{type_url other, value ...}]}: no RetryInfo. */
    assert_true(otlp_rpc_status(LIT("\x12\x01x\x1a\x05\x0a\x01y\x12\x00"), msg, sizeof msg, &ms));
    assert_string_equal(msg, "x");
    assert_int_equal(ms, -1);
    /* A length past the end is refused and nothing is kept. */
    assert_false(otlp_rpc_status(LIT("\x12\x05x"), msg, sizeof msg, &ms));
    assert_string_equal(msg, "");
    assert_int_equal(ms, -1);
}

static void test_unframe_one_message(void **state)
{
    (void)state;
    const char *m;
    size_t n;
    bool z;
    assert_true(grpc_unframe(LIT("\x00\x00\x00\x00\x03"
                                 "abc"),
                             &m, &n, &z));
    assert_int_equal(n, 3);
    assert_memory_equal(m, "abc", 3);
    assert_false(z);
    assert_true(grpc_unframe(LIT("\x01\x00\x00\x00\x00"), &m, &n, &z));
    assert_true(z);
    assert_true(grpc_unframe("", 0, &m, &n, &z)); /* no message at all */
    assert_int_equal(n, 0);
    assert_false(grpc_unframe(LIT("\x00\x00\x00\x00\x04"
                                  "abc"),
                              &m, &n, &z)); /* short */
    assert_false(grpc_unframe(LIT("\x00\x00\x00\x00\x01"
                                  "ab"),
                              &m, &n, &z));                              /* two? */
    assert_false(grpc_unframe(LIT("\x02\x00\x00\x00\x00"), &m, &n, &z)); /* bad flag */
    assert_false(grpc_unframe(LIT("\x00\x00"), &m, &n, &z));
}

static void test_the_specification_retry_table(void **state)
{
    (void)state;
    const int retryable[] = {GRPC_CANCELLED,    GRPC_DEADLINE_EXCEEDED, GRPC_ABORTED,
                             GRPC_OUT_OF_RANGE, GRPC_UNAVAILABLE,       GRPC_DATA_LOSS};
    int yes = 0;
    for (int code = 0; code < GRPC_CODE_COUNT; code++)
        yes += grpc_retryable(code, false);
    assert_int_equal(yes, 6); /* these six and no other */
    for (size_t i = 0; i < sizeof retryable / sizeof *retryable; i++)
        assert_true(grpc_retryable(retryable[i], false));
    assert_false(grpc_retryable(GRPC_RESOURCE_EXHAUSTED, false));
    assert_true(grpc_retryable(GRPC_RESOURCE_EXHAUSTED, true));
    assert_false(grpc_retryable(GRPC_INVALID_ARGUMENT, true));
    assert_false(grpc_retryable(GRPC_OK, false));
    assert_false(grpc_retryable(99, true));
    assert_string_equal(grpc_code_name(GRPC_UNAUTHENTICATED), "UNAUTHENTICATED");
    assert_string_equal(grpc_code_name(GRPC_DATA_LOSS), "DATA_LOSS");
    assert_string_equal(grpc_code_name(17), "UNKNOWN_CODE");
    /* Without grpc-status, the HTTP status mapping. */
    assert_int_equal(grpc_code_from_http(200), GRPC_INTERNAL);
    assert_int_equal(grpc_code_from_http(401), GRPC_UNAUTHENTICATED);
    assert_int_equal(grpc_code_from_http(404), GRPC_UNIMPLEMENTED);
    assert_int_equal(grpc_code_from_http(503), GRPC_UNAVAILABLE);
    assert_int_equal(grpc_code_from_http(500), GRPC_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_message_from_trailers),
        cmocka_unit_test(test_retry_info_from_status_details),
        cmocka_unit_test(test_rpc_status_reader),
        cmocka_unit_test(test_unframe_one_message),
        cmocka_unit_test(test_the_specification_retry_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
