/* test_honeycomb_config.c - Honeycomb's settings from options and HONEYCOMB_*, the key
 * kinds as Honeycomb's SDKs tell them apart, dataset names, URLs, and the dataset header
 * the OTLP exporter adds for a Classic key given by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "honeycomb/honeycomb_config.h"
#include "otlp/otlp_config.h"

#define CLASSIC_KEY        "0123456789abcdef0123456789abcdef"
#define CLASSIC_INGEST_KEY "hcxic_0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl"
#define ENV_INGEST_KEY     "hcxik_0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl"
#define ENV_CONFIG_KEY     "AbCdEfGhIjKlMnOpQrStUv"

static int clear_env(void **state)
{
    (void)state;
    unsetenv("HONEYCOMB_API_KEY");
    unsetenv("HONEYCOMB_DATASET");
    unsetenv("HONEYCOMB_API_ENDPOINT");
    unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
    unsetenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS");
    return 0;
}

static enum honeycomb_key_kind kind(const char *key)
{
    return honeycomb_key_kind(key, strlen(key));
}

static void test_key_kinds(void **state)
{
    (void)state;
    assert_int_equal(strlen(CLASSIC_INGEST_KEY), 64);
    assert_int_equal(kind(CLASSIC_KEY), HONEYCOMB_KEY_CLASSIC_CONFIGURATION);
    assert_int_equal(kind(CLASSIC_INGEST_KEY), HONEYCOMB_KEY_CLASSIC_INGEST);
    assert_int_equal(kind(ENV_INGEST_KEY), HONEYCOMB_KEY_ENVIRONMENT_INGEST);
    assert_int_equal(kind(ENV_CONFIG_KEY), HONEYCOMB_KEY_ENVIRONMENT_CONFIGURATION);
    assert_true(honeycomb_key_is_classic(kind(CLASSIC_KEY)));
    assert_true(honeycomb_key_is_classic(kind(CLASSIC_INGEST_KEY)));
    assert_false(honeycomb_key_is_classic(kind(ENV_INGEST_KEY)));
    assert_false(honeycomb_key_is_classic(kind(ENV_CONFIG_KEY)));
    /* The Classic rules are exact: uppercase hex, a 31- or 33-character hex string, a
     * digit as the third character or an uppercase letter in the body are not Classic. */
    assert_false(honeycomb_key_is_classic(kind("0123456789ABCDEF0123456789abcdef")));
    assert_false(honeycomb_key_is_classic(kind("0123456789abcdef0123456789abcde")));
    assert_false(honeycomb_key_is_classic(kind("0123456789abcdef0123456789abcdef0")));
    assert_false(honeycomb_key_is_classic(kind("0123456789abcdeg0123456789abcdef")));
    assert_false(honeycomb_key_is_classic(
        kind("hc1ic_0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl")));
    assert_false(honeycomb_key_is_classic(
        kind("hcxic_0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkL")));
    assert_false(honeycomb_key_is_classic(
        kind("hcxic_0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk")));
    assert_false(honeycomb_key_is_classic(kind("")));
    assert_string_equal(honeycomb_key_kind_name(kind(CLASSIC_INGEST_KEY)), "classic ingest key");
}

static void test_defaults_and_headers(void **state)
{
    (void)state;
    struct honeycomb_config c;
    genops_error err = {0};
    setenv("HONEYCOMB_API_KEY", CLASSIC_KEY, 1);
    assert_int_equal(honeycomb_config_resolve(NULL, &c, &err), GENOPS_OK);
    assert_string_equal(c.api_endpoint, "https://api.honeycomb.io");
    assert_string_equal(c.dataset, "genops-ai");
    assert_int_equal(c.timeout_ms, HONEYCOMB_DEFAULT_TIMEOUT_MS);
    struct http_header h[2];
    assert_int_equal(honeycomb_headers(&c, h), 2);
    assert_string_equal(h[0].name, "x-honeycomb-team");
    assert_string_equal(h[0].value, CLASSIC_KEY);
    assert_string_equal(h[1].name, "x-honeycomb-dataset");
    assert_string_equal(h[1].value, "genops-ai");
    honeycomb_config_free(&c);

    /* An environment key: no dataset header, whatever HONEYCOMB_DATASET says. */
    setenv("HONEYCOMB_API_KEY", ENV_INGEST_KEY, 1);
    setenv("HONEYCOMB_DATASET", "prod", 1);
    setenv("HONEYCOMB_API_ENDPOINT", "https://api.eu1.honeycomb.io/", 1);
    assert_int_equal(honeycomb_config_resolve(NULL, &c, &err), GENOPS_OK);
    assert_string_equal(c.api_endpoint, "https://api.eu1.honeycomb.io");
    assert_int_equal(honeycomb_headers(&c, h), 1);
    honeycomb_config_free(&c);

    /* Options win over the environment. */
    genops_honeycomb_options o;
    genops_honeycomb_options_init(&o);
    o.api_key = CLASSIC_INGEST_KEY;
    o.dataset = "from-option";
    o.api_endpoint = "http://127.0.0.1:9";
    assert_int_equal(honeycomb_config_resolve(&o, &c, &err), GENOPS_OK);
    assert_string_equal(c.api_endpoint, "http://127.0.0.1:9");
    assert_int_equal(honeycomb_headers(&c, h), 2);
    assert_string_equal(h[1].value, "from-option");
    honeycomb_config_free(&c);
}

static void resolve_fails(const genops_honeycomb_options *o, const char *want)
{
    struct honeycomb_config c;
    genops_error err = {0};
    assert_int_equal(honeycomb_config_resolve(o, &c, &err), GENOPS_EINVAL);
    if (!strstr(err.message, want))
        fail_msg("'%s' does not contain '%s'", err.message, want);
}

static void test_bad_settings(void **state)
{
    (void)state;
    resolve_fails(NULL, "HONEYCOMB_API_KEY not set");
    setenv("HONEYCOMB_API_KEY", CLASSIC_KEY "\n", 1);
    resolve_fails(NULL, "HONEYCOMB_API_KEY has a space or control character at position 32");
    setenv("HONEYCOMB_API_KEY", CLASSIC_KEY, 1);
    setenv("HONEYCOMB_API_ENDPOINT", "api.honeycomb.io", 1);
    resolve_fails(NULL, "HONEYCOMB_API_ENDPOINT");
    setenv("HONEYCOMB_API_ENDPOINT", "https://api.honeycomb.io/?x=1", 1);
    resolve_fails(NULL, "without a query");
    unsetenv("HONEYCOMB_API_ENDPOINT");
    setenv("HONEYCOMB_DATASET", " padded", 1);
    resolve_fails(NULL, "spaces around it");
    setenv("HONEYCOMB_DATASET", "a\tb", 1);
    resolve_fails(NULL, "control character at byte 1");
    char longname[300];
    memset(longname, 'd', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    setenv("HONEYCOMB_DATASET", longname, 1);
    resolve_fails(NULL, "at most 255");
    unsetenv("HONEYCOMB_DATASET");
    genops_honeycomb_options o;
    genops_honeycomb_options_init(&o);
    o.timeout_ms = -1;
    resolve_fails(&o, "timeout_ms");
    genops_honeycomb_options_init(&o);
    o.compression = (genops_compression)7;
    resolve_fails(&o, "compression is 7, which is not none, gzip or zstd");
    o.compression = GENOPS_COMPRESSION_ZSTD; /* OTLP (the default api) has no zstd */
    resolve_fails(&o, "compression is zstd, which only the Events API takes");
    /* No message ever holds the key. */
    setenv("HONEYCOMB_API_KEY", "secretsecret secret", 1);
    struct honeycomb_config c;
    genops_error err = {0};
    assert_int_equal(honeycomb_config_resolve(NULL, &c, &err), GENOPS_EINVAL);
    assert_null(strstr(err.message, "secretsecret"));
}

static void test_compression_choices(void **state)
{
    (void)state;
    setenv("HONEYCOMB_API_KEY", CLASSIC_KEY, 1);
    static const struct {
        genops_honeycomb_api api;
        genops_compression given;
        enum compress_format want;
    } cases[] = {
        {GENOPS_HONEYCOMB_API_OTLP, GENOPS_COMPRESSION_DEFAULT, COMPRESS_NONE},
        {GENOPS_HONEYCOMB_API_OTLP, GENOPS_COMPRESSION_GZIP, COMPRESS_GZIP},
        {GENOPS_HONEYCOMB_API_EVENTS, GENOPS_COMPRESSION_DEFAULT, COMPRESS_ZSTD},
        {GENOPS_HONEYCOMB_API_EVENTS, GENOPS_COMPRESSION_NONE, COMPRESS_NONE},
        {GENOPS_HONEYCOMB_API_EVENTS, GENOPS_COMPRESSION_GZIP, COMPRESS_GZIP},
        {GENOPS_HONEYCOMB_API_EVENTS, GENOPS_COMPRESSION_ZSTD, COMPRESS_ZSTD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        genops_honeycomb_options o;
        genops_honeycomb_options_init(&o);
        o.api = cases[i].api;
        o.compression = cases[i].given;
        struct honeycomb_config c;
        genops_error err = {0};
        assert_int_equal(honeycomb_config_resolve(&o, &c, &err), GENOPS_OK);
        assert_int_equal(c.compression, cases[i].want);
        honeycomb_config_free(&c);
    }
}

static void test_urls_encode_the_dataset(void **state)
{
    (void)state;
    struct honeycomb_config c;
    genops_error err = {0};
    setenv("HONEYCOMB_API_KEY", ENV_CONFIG_KEY, 1);
    assert_int_equal(honeycomb_config_resolve(NULL, &c, &err), GENOPS_OK);
    char *u = honeycomb_url(&c, "/1/markers/", "a b/c?d%é_~.-");
    assert_string_equal(u, "https://api.honeycomb.io/1/markers/a%20b%2Fc%3Fd%25%C3%A9_~.-");
    free(u);
    u = honeycomb_url(&c, "/v1/traces", NULL);
    assert_string_equal(u, "https://api.honeycomb.io/v1/traces");
    free(u);
    honeycomb_config_free(&c);
}

/* The guide's configure_otlp_exporter(headers={"X-Honeycomb-Team": key}). */
static size_t otlp_headers_with(const char *key, const char *extra, struct otlp_config *c)
{
    genops_attribute h[2] = {
        {"X-Honeycomb-Team", {.type = GENOPS_TYPE_STRING, .len = strlen(key), .u.s = key}},
        {"x-honeycomb-dataset", {.type = GENOPS_TYPE_STRING, .len = 5, .u.s = "given"}}};
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.endpoint = "https://api.honeycomb.io/v1/traces";
    o.headers = h;
    o.header_count = extra ? 2 : 1;
    genops_error err = {0};
    assert_int_equal(otlp_config_resolve(&o, c, &err), GENOPS_OK);
    return c->header_count;
}

static const char *header(const struct otlp_config *c, const char *name)
{
    for (size_t i = 0; i < c->header_count; i++)
        if (!strcasecmp(c->headers[i].name, name))
            return c->headers[i].value;
    return NULL;
}

static void test_otlp_gets_the_dataset_for_classic_keys(void **state)
{
    (void)state;
    struct otlp_config c;
    otlp_headers_with(CLASSIC_KEY, NULL, &c); /* HONEYCOMB_DATASET unset: nothing added */
    assert_null(header(&c, "x-honeycomb-dataset"));
    otlp_config_free(&c);
    setenv("HONEYCOMB_DATASET", "genops-prod", 1);
    otlp_headers_with(CLASSIC_KEY, NULL, &c);
    assert_string_equal(header(&c, "x-honeycomb-dataset"), "genops-prod");
    otlp_config_free(&c);
    otlp_headers_with(CLASSIC_INGEST_KEY, NULL, &c);
    assert_string_equal(header(&c, "x-honeycomb-dataset"), "genops-prod");
    otlp_config_free(&c);
    otlp_headers_with(CLASSIC_KEY, "given", &c); /* the caller's header stays */
    assert_string_equal(header(&c, "x-honeycomb-dataset"), "given");
    otlp_config_free(&c);
    otlp_headers_with(ENV_INGEST_KEY, NULL, &c);
    assert_null(header(&c, "x-honeycomb-dataset"));
    otlp_config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_key_kinds, clear_env),
        cmocka_unit_test_setup(test_defaults_and_headers, clear_env),
        cmocka_unit_test_setup(test_bad_settings, clear_env),
        cmocka_unit_test_setup(test_compression_choices, clear_env),
        cmocka_unit_test_setup(test_urls_encode_the_dataset, clear_env),
        cmocka_unit_test_setup(test_otlp_gets_the_dataset_for_classic_keys, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
