/* test_http.c - the transport's pure parts: Retry-After, URL checks and log forms,
 * secret header names and redaction. (Requests themselves are tested against a real
 * local server in tests/python/test_otlp_exporter.py.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

static void test_retry_after_seconds(void **state)
{
    (void)state;
    int64_t ms = -1;
    assert_true(http_parse_retry_after("3", 0, &ms));
    assert_int_equal(ms, 3000);
    assert_true(http_parse_retry_after("  0 \r\n", 0, &ms));
    assert_int_equal(ms, 0);
    /* Absurd values are capped at a day, far past any export deadline. */
    assert_true(http_parse_retry_after("99999999999999999999999", 0, &ms));
    assert_int_equal(ms, 86400 * 1000);
    assert_false(http_parse_retry_after("3s", 0, &ms));
    assert_false(http_parse_retry_after("-1", 0, &ms));
    assert_false(http_parse_retry_after("", 0, &ms));
    assert_false(http_parse_retry_after("soon", 0, &ms));
}

static void test_retry_after_http_date(void **state)
{
    (void)state;
    int64_t ms = -1;
    /* RFC 9110's example date: Sun, 06 Nov 1994 08:49:37 GMT = 784111777. */
    assert_true(http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770, &ms));
    assert_int_equal(ms, 7000);
    /* The obsolete RFC 850 and asctime forms are still readable (RFC 9110 5.6.7). */
    assert_true(http_parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", 784111777, &ms));
    assert_int_equal(ms, 0);
    assert_true(http_parse_retry_after("Sun Nov  6 08:49:37 1994", 784111767, &ms));
    assert_int_equal(ms, 10000);
    /* A date in the past means "now". */
    assert_true(http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111800, &ms));
    assert_int_equal(ms, 0);
}

static void test_url_check_accepts_http_and_https_with_a_host(void **state)
{
    (void)state;
    genops_error err;
    assert_int_equal(http_url_check("http://127.0.0.1:4318/v1/traces", "x", &err), GENOPS_OK);
    assert_int_equal(http_url_check("https://api.honeycomb.io", "x", &err), GENOPS_OK);
    assert_int_equal(http_url_check("HTTPS://[::1]:8088/services/collector", "x", &err), GENOPS_OK);
}

static void test_url_check_names_the_source_and_the_problem(void **state)
{
    (void)state;
    genops_error err;
    assert_int_equal(http_url_check("ftp://example.com/x", "MY_VAR", &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "MY_VAR"));
    assert_non_null(strstr(err.message, "only http and https"));
    assert_int_equal(http_url_check("localhost:4318", "MY_VAR", &err), GENOPS_EINVAL);
    assert_int_equal(http_url_check("http://", "MY_VAR", &err), GENOPS_EINVAL);
    assert_int_equal(http_url_check("http:///v1/traces", "MY_VAR", &err), GENOPS_EINVAL);
    assert_int_equal(http_url_check("", "MY_VAR", &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "empty"));
    assert_int_equal(http_url_check(NULL, "MY_VAR", &err), GENOPS_EINVAL);
    assert_int_equal(http_url_check("http://exa mple.com/", "MY_VAR", &err), GENOPS_EINVAL);
}

static void test_url_for_log_hides_userinfo_and_query(void **state)
{
    (void)state;
    char out[128];
    http_url_for_log("https://user:s3cret@host:1/v1/traces?api-key=s3cret#f", out, sizeof out);
    assert_string_equal(out, "https://[REDACTED]@host:1/v1/traces?[REDACTED]");
    http_url_for_log("http://127.0.0.1:4318/v1/traces", out, sizeof out);
    assert_string_equal(out, "http://127.0.0.1:4318/v1/traces");
    http_url_for_log("http://h?token=x", out, sizeof out);
    assert_string_equal(out, "http://h?[REDACTED]");
    http_url_for_log("https://u:p@a-very-long-host-name.example.com/path", out, 16);
    assert_int_equal(strlen(out), 15);
}

static void test_secret_header_names(void **state)
{
    (void)state;
    const char *secret[] = {"Authorization", "authorization",    "Proxy-Authorization", "x-api-key",
                            "Api-Key",       "X-Honeycomb-Team", "X-Auth-Token",        "Cookie",
                            "DD-API-KEY",    "x-client-secret",  "X-Session-Id"};
    const char *plain[] = {"Content-Type", "X-Honeycomb-Dataset", "User-Agent",
                           "X-Splunk-Request-Channel", "traceparent"};
    for (size_t i = 0; i < sizeof secret / sizeof *secret; i++)
        assert_true(http_header_is_secret(secret[i]));
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        assert_false(http_header_is_secret(plain[i]));
}

static void test_redact_replaces_every_secret_value(void **state)
{
    (void)state;
    struct http_header h[] = {{"Authorization", "Bearer tok-123"},
                              {"x-honeycomb-team", "hcKEY"},
                              {"X-Honeycomb-Dataset", "genops-ai"}};
    struct http_config cfg = {
        .url = "http://127.0.0.1:9/v1/traces", .headers = h, .header_count = 3};
    genops_error err;
    struct http_client *c = http_client_new(&cfg, &err);
    assert_non_null(c);
    char text[96] = "denied Bearer tok-123 for hcKEYhcKEY in genops-ai\r\nmore";
    http_client_redact(c, text, sizeof text);
    assert_string_equal(text, "denied [REDACTED] for [REDACTED][REDACTED] in genops-ai  more");
    /* Growing past the buffer cuts the text; it never overflows or leaks a prefix. */
    char small[16] = "hcKEYhcKEYhcKEY";
    http_client_redact(c, small, sizeof small);
    assert_string_equal(small, "[REDACTED][REDA");
    /* Cut before it got here (a backend's body in a 255-byte buffer): the start of a
     * token at the very end was printed as it was. */
    char cut[64] = "denied: bad key hcKE";
    http_client_redact(c, cut, sizeof cut);
    assert_string_equal(cut, "denied: bad key [REDACTED]");
    char cut_bearer[64] = "token Bearer tok-1";
    http_client_redact(c, cut_bearer, sizeof cut_bearer);
    assert_null(strstr(cut_bearer, "tok-1"));
    http_client_free(c);
}

/* A header whose value is refused is named only when its name reads as one: a token
 * pasted where the name goes is never echoed. */
static void test_a_refused_header_never_echoes_a_token_as_its_name(void **state)
{
    (void)state;
    struct http_header h[] = {{"X-Api-Key", "ok"}, {"hcaik01TOKEN2024", "line\vbreak"}};
    struct http_config cfg = {
        .url = "http://127.0.0.1:9/v1/traces", .headers = h, .header_count = 2};
    genops_error err;
    assert_null(http_client_new(&cfg, &err));
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_null(strstr(err.message, "TOKEN"));
    assert_non_null(strstr(err.message, "number 2"));
    h[0].value = "\x7f";
    assert_null(http_client_new(&cfg, &err));
    assert_non_null(strstr(err.message, "'X-Api-Key'"));
}

static void test_redact_also_finds_the_credential_after_its_scheme(void **state)
{
    (void)state;
    struct http_header h[] = {{"Authorization", "Splunk 11111111-2222-3333-4444-555555555555"},
                              {"x-api-key", "Key ab"}};
    struct http_config cfg = {
        .url = "http://127.0.0.1:9/services/collector", .headers = h, .header_count = 2};
    genops_error err;
    struct http_client *c = http_client_new(&cfg, &err);
    assert_non_null(c);
    char text[128] = "Invalid token 11111111-2222-3333-4444-555555555555 for Key ab";
    http_client_redact(c, text, sizeof text);
    /* "ab" is too short to redact on its own: it would blank out ordinary words. */
    assert_string_equal(text, "Invalid token [REDACTED] for [REDACTED]");
    http_client_free(c);
}

static void test_client_rejects_bad_headers_without_quoting_values(void **state)
{
    (void)state;
    genops_error err;
    struct http_header bad_name[] = {{"Bad Name", "v"}};
    struct http_config cfg = {.url = "http://127.0.0.1:9/", .headers = bad_name, .header_count = 1};
    assert_null(http_client_new(&cfg, &err));
    assert_int_equal(err.code, GENOPS_EINVAL);
    struct http_header injected[] = {{"Authorization", "Bearer x\r\nX-Evil: 1"}};
    cfg.headers = injected;
    assert_null(http_client_new(&cfg, &err));
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_null(strstr(err.message, "Bearer"));
}

static void test_client_checks_certificate_files(void **state)
{
    (void)state;
    genops_error err;
    struct http_config cfg = {.url = "https://127.0.0.1:9/",
                              .tls = {.ca_file = "/nonexistent/ca.pem"}};
    assert_null(http_client_new(&cfg, &err));
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "/nonexistent/ca.pem"));
}

static void test_first_is_true_once_per_key(void **state)
{
    (void)state;
    struct http_config cfg = {.url = "http://127.0.0.1:9/"};
    struct http_client *c = http_client_new(&cfg, NULL);
    assert_non_null(c);
    assert_true(http_client_first(c, 503));
    assert_false(http_client_first(c, 503));
    assert_true(http_client_first(c, -1));
    assert_true(http_client_first(c, 429));
    assert_false(http_client_first(c, -1));
    http_client_after_fork(c); /* a child logs its own firsts */
    assert_true(http_client_first(c, 503));
    http_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after_seconds),
        cmocka_unit_test(test_retry_after_http_date),
        cmocka_unit_test(test_url_check_accepts_http_and_https_with_a_host),
        cmocka_unit_test(test_url_check_names_the_source_and_the_problem),
        cmocka_unit_test(test_url_for_log_hides_userinfo_and_query),
        cmocka_unit_test(test_secret_header_names),
        cmocka_unit_test(test_redact_replaces_every_secret_value),
        cmocka_unit_test(test_redact_also_finds_the_credential_after_its_scheme),
        cmocka_unit_test(test_a_refused_header_never_echoes_a_token_as_its_name),
        cmocka_unit_test(test_client_rejects_bad_headers_without_quoting_values),
        cmocka_unit_test(test_client_checks_certificate_files),
        cmocka_unit_test(test_first_is_true_once_per_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
