/* test_otlp_config.c - OTLP settings from options and the OTEL_EXPORTER_OTLP_*
 * environment, as the OpenTelemetry specification defines them, and the key=value
 * list reader (config_kv_list) behind the _HEADERS variables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "otlp/otlp_config.h"

static const char *const vars[] = {"ENDPOINT", "HEADERS",     "TIMEOUT",    "COMPRESSION",
                                   "PROTOCOL", "CERTIFICATE", "CLIENT_KEY", "CLIENT_CERTIFICATE"};

static int clear_env(void **state)
{
    (void)state;
    char name[64];
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        snprintf(name, sizeof name, "OTEL_EXPORTER_OTLP_%s", vars[i]);
        unsetenv(name);
        snprintf(name, sizeof name, "OTEL_EXPORTER_OTLP_TRACES_%s", vars[i]);
        unsetenv(name);
    }
    return 0;
}

/* Resolve with opt (may be NULL) and expect success. */
static struct otlp_config resolve_ok(const genops_otlp_options *opt)
{
    struct otlp_config c;
    genops_error err = {0};
    genops_status rc = otlp_config_resolve(opt, &c, &err);
    if (rc)
        print_error("unexpected: %s\n", err.message);
    assert_int_equal(rc, GENOPS_OK);
    return c;
}

/* Resolve and expect GENOPS_EINVAL with a message containing want. */
static void resolve_fails(const genops_otlp_options *opt, const char *want)
{
    struct otlp_config c;
    genops_error err = {0};
    assert_int_equal(otlp_config_resolve(opt, &c, &err), GENOPS_EINVAL);
    if (!strstr(err.message, want))
        print_error("'%s' does not mention '%s'\n", err.message, want);
    assert_non_null(strstr(err.message, want));
}

static const char *header(const struct otlp_config *c, const char *name)
{
    for (size_t i = 0; i < c->header_count; i++)
        if (strcmp(c->headers[i].name, name) == 0)
            return c->headers[i].value;
    return NULL;
}

static void test_defaults(void **state)
{
    (void)state;
    struct otlp_config c = resolve_ok(NULL);
    assert_string_equal(c.endpoint, "http://localhost:4318/v1/traces");
    assert_false(c.json);
    assert_false(c.gzip);
    assert_int_equal(c.timeout_ms, 10000);
    assert_null(c.tls.ca_file);
    assert_int_equal(c.header_count, 0);
    otlp_config_free(&c);
}

static void test_generic_endpoint_gets_the_signal_path(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"http://collector:4318", "http://collector:4318/v1/traces"},
        {"http://collector:4318/", "http://collector:4318/v1/traces"},
        {"https://api.honeycomb.io", "https://api.honeycomb.io/v1/traces"},
        {"http://gw:80/otlp", "http://gw:80/otlp/v1/traces"},
        {"http://gw:80/otlp/", "http://gw:80/otlp/v1/traces"},
        {"http://gw:80/otlp?x=1", "http://gw:80/otlp/v1/traces?x=1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        setenv("OTEL_EXPORTER_OTLP_ENDPOINT", cases[i][0], 1);
        struct otlp_config c = resolve_ok(NULL);
        assert_string_equal(c.endpoint, cases[i][1]);
        otlp_config_free(&c);
    }
}

static void test_traces_endpoint_is_used_as_is_and_wins(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318", 1);
    setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4318/custom", 1);
    struct otlp_config c = resolve_ok(NULL);
    assert_string_equal(c.endpoint, "http://traces:4318/custom");
    otlp_config_free(&c);
}

static void test_explicit_endpoint_wins(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4318/custom", 1);
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.endpoint = "https://splunk.example.com:8088/services/collector/raw";
    struct otlp_config c = resolve_ok(&o);
    assert_string_equal(c.endpoint, o.endpoint);
    otlp_config_free(&c);
    o.endpoint = "http://cribl-stream:4318"; /* a bare base URL gets the traces path */
    c = resolve_ok(&o);
    assert_string_equal(c.endpoint, "http://cribl-stream:4318/v1/traces");
    otlp_config_free(&c);
}

static void test_malformed_endpoints_name_their_source(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://collector:4317", 1);
    resolve_fails(NULL, "OTEL_EXPORTER_OTLP_ENDPOINT");
    setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "collector:4318", 1);
    resolve_fails(NULL, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.endpoint = "http://";
    resolve_fails(&o, "genops_otlp_options.endpoint");
}

static void test_headers_are_decoded_and_trimmed(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_HEADERS",
           " Authorization = Basic%20dXNlcjpwYXNz ,x-honeycomb-team=k%2Cey,, a=b+c=d", 1);
    struct otlp_config c = resolve_ok(NULL);
    assert_int_equal(c.header_count, 3);
    assert_string_equal(header(&c, "Authorization"), "Basic dXNlcjpwYXNz");
    assert_string_equal(header(&c, "x-honeycomb-team"), "k,ey");
    assert_string_equal(header(&c, "a"), "b+c=d"); /* '+' is a plus; only the first '=' splits */
    otlp_config_free(&c);
}

static void test_traces_headers_replace_generic_ones(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_HEADERS", "a=1,b=2", 1);
    setenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=3", 1);
    struct otlp_config c = resolve_ok(NULL);
    assert_int_equal(c.header_count, 1);
    assert_string_equal(header(&c, "b"), "3");
    otlp_config_free(&c);
}

static void test_explicit_headers_override_per_name(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_HEADERS", "authorization=env,keep=1", 1);
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.headers_string = "Authorization=string,x=%41";
    genops_attribute attrs[] = {
        {"AUTHORIZATION", {.type = GENOPS_TYPE_STRING, .len = 4, .u.s = "attr"}}};
    o.headers = attrs;
    o.header_count = 1;
    struct otlp_config c = resolve_ok(&o);
    assert_int_equal(c.header_count, 3);
    assert_string_equal(header(&c, "AUTHORIZATION"), "attr");
    assert_string_equal(header(&c, "keep"), "1");
    assert_string_equal(header(&c, "x"), "A");
    otlp_config_free(&c);

    attrs[0].value = (genops_value){.type = GENOPS_TYPE_INT, .u.i = 1};
    resolve_fails(&o, "headers[0]");
}

static void test_null_headers_with_a_count_are_einval(void **state)
{
    (void)state;
    /* This one call dereferenced the NULL (every other NULL-with-count call said EINVAL). */
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.headers = NULL;
    o.header_count = 3;
    resolve_fails(&o, "headers is NULL but header_count is 3");
}

static void test_malformed_headers_never_quote_values(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_HEADERS", "ok=1,Bearer s3cret", 1);
    resolve_fails(NULL, "OTEL_EXPORTER_OTLP_HEADERS: member 2 is not key=value");
    setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cret%zz", 1);
    resolve_fails(NULL, "the value of 'api-key' has a bad %-escape");
    setenv("OTEL_EXPORTER_OTLP_HEADERS", "=s3cret", 1);
    struct otlp_config c;
    genops_error err;
    assert_int_equal(otlp_config_resolve(NULL, &c, &err), GENOPS_EINVAL);
    assert_null(strstr(err.message, "s3cret"));
}

static void test_timeout(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "2500", 1);
    struct otlp_config c = resolve_ok(NULL);
    assert_int_equal(c.timeout_ms, 2500);
    otlp_config_free(&c);
    setenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "700", 1);
    c = resolve_ok(NULL);
    assert_int_equal(c.timeout_ms, 700);
    otlp_config_free(&c);
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.timeout_ms = 99;
    c = resolve_ok(&o);
    assert_int_equal(c.timeout_ms, 99);
    otlp_config_free(&c);
    setenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "10s", 1);
    resolve_fails(NULL, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT");
}

static void test_compression_and_protocol(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip", 1);
    setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json", 1);
    struct otlp_config c = resolve_ok(NULL);
    assert_true(c.gzip);
    assert_true(c.json);
    otlp_config_free(&c);
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.compression = GENOPS_COMPRESSION_NONE;
    o.protocol = GENOPS_OTLP_PROTOCOL_PROTOBUF;
    c = resolve_ok(&o);
    assert_false(c.gzip);
    assert_false(c.json);
    otlp_config_free(&c);
    setenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "brotli", 1);
    resolve_fails(NULL, "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION='brotli' is not a compression");
    /* zstd is Honeycomb's Events API's alone: the OTLP specification lists only gzip. */
    setenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd", 1);
    resolve_fails(NULL, "'zstd' is not a compression; use none or gzip");
    unsetenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION");
    o.compression = GENOPS_COMPRESSION_ZSTD;
    resolve_fails(&o, "compression is 3, which is not none or gzip");
    o.compression = GENOPS_COMPRESSION_NONE;
    unsetenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION");
    setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/xml", 1);
    resolve_fails(NULL, "is not a protocol");
    o.protocol = (genops_otlp_protocol)7;
    resolve_fails(&o, "genops_otlp_options.protocol");
}

/* OTLP/gRPC: chosen by either variable or the option; every endpoint source gives only
 * its scheme and authority, and the path is the method's. */
static void test_grpc_endpoints_are_host_and_port(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", 1);
    struct otlp_config c = resolve_ok(NULL);
    assert_true(c.grpc);
    assert_false(c.json);
    assert_string_equal(c.endpoint, "http://localhost:4317" OTLP_GRPC_PATH);
    otlp_config_free(&c);
    setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317/ignored?x=1", 1);
    c = resolve_ok(NULL);
    assert_string_equal(c.endpoint, "https://collector:4317" OTLP_GRPC_PATH);
    otlp_config_free(&c);
    setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://[::1]:4317", 1);
    c = resolve_ok(NULL);
    assert_string_equal(c.endpoint, "http://[::1]:4317" OTLP_GRPC_PATH);
    otlp_config_free(&c);
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.endpoint = "localhost:4317"; /* a scheme is required, as for OTLP/HTTP */
    resolve_fails(&o, "genops_otlp_options.endpoint");
    /* The TRACES variable wins over the generic one. */
    setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf", 1);
    c = resolve_ok(NULL);
    assert_false(c.grpc);
    assert_string_equal(c.endpoint, "http://[::1]:4317");
    otlp_config_free(&c);
    o.endpoint = NULL;
    o.protocol = GENOPS_OTLP_PROTOCOL_GRPC;
    c = resolve_ok(&o);
    assert_true(c.grpc);
    otlp_config_free(&c);
}

static void test_certificate_files_must_be_readable(void **state)
{
    (void)state;
    setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem", 1);
    resolve_fails(NULL, "OTEL_EXPORTER_OTLP_CERTIFICATE='/nonexistent/ca.pem' cannot be read");
    setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", "/dev/null", 1);
    struct otlp_config c = resolve_ok(NULL);
    assert_string_equal(c.tls.ca_file, "/dev/null");
    otlp_config_free(&c);
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.client_key = "/nonexistent/key.pem";
    resolve_fails(&o, "genops_otlp_options.client_key");
}

static void test_struct_size_is_checked(void **state)
{
    (void)state;
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    assert_int_equal(o.struct_size, sizeof o);
    o.struct_size = sizeof o + 8;
    resolve_fails(&o, "struct_size");
    /* An older, shorter struct: fields past it take their defaults. */
    genops_otlp_options_init(&o);
    o.struct_size = offsetof(genops_otlp_options, protocol);
    o.endpoint = "http://127.0.0.1:1/x";
    o.protocol = GENOPS_OTLP_PROTOCOL_JSON;
    struct otlp_config c = resolve_ok(&o);
    assert_string_equal(c.endpoint, "http://127.0.0.1:1/x");
    assert_false(c.json);
    otlp_config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, clear_env),
        cmocka_unit_test_setup(test_generic_endpoint_gets_the_signal_path, clear_env),
        cmocka_unit_test_setup(test_traces_endpoint_is_used_as_is_and_wins, clear_env),
        cmocka_unit_test_setup(test_explicit_endpoint_wins, clear_env),
        cmocka_unit_test_setup(test_malformed_endpoints_name_their_source, clear_env),
        cmocka_unit_test_setup(test_headers_are_decoded_and_trimmed, clear_env),
        cmocka_unit_test_setup(test_traces_headers_replace_generic_ones, clear_env),
        cmocka_unit_test_setup(test_explicit_headers_override_per_name, clear_env),
        cmocka_unit_test_setup(test_malformed_headers_never_quote_values, clear_env),
        cmocka_unit_test_setup(test_timeout, clear_env),
        cmocka_unit_test_setup(test_compression_and_protocol, clear_env),
        cmocka_unit_test_setup(test_grpc_endpoints_are_host_and_port, clear_env),
        cmocka_unit_test_setup(test_certificate_files_must_be_readable, clear_env),
        cmocka_unit_test_setup(test_struct_size_is_checked, clear_env),
        cmocka_unit_test_setup(test_null_headers_with_a_count_are_einval, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
