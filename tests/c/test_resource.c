/* test_resource.c - the OpenTelemetry resource: service.name precedence, the
 * OTEL_RESOURCE_ATTRIBUTES format, telemetry.sdk.*, and errors naming the variable. */
#include <stdlib.h>

#include "resource.h"
#include "testutil.h"

static const char *get(const struct resource *r, const char *key)
{
    for (uint32_t i = 0; i < r->attrs.count; i++)
        if (strcmp(r->attrs.items[i].key, key) == 0)
            return r->attrs.items[i].value.u.s;
    return NULL;
}

static int clean_env(void **state)
{
    (void)state;
    unsetenv("OTEL_SERVICE_NAME");
    unsetenv("OTEL_RESOURCE_ATTRIBUTES");
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    struct resource r;
    assert_int_equal(resource_build(&r, &opt, NULL), GENOPS_OK);
    assert_string_equal(get(&r, "service.name"), "unknown_service");
    assert_string_equal(get(&r, "telemetry.sdk.name"), "genops-native");
    assert_string_equal(get(&r, "telemetry.sdk.language"), "c");
    assert_string_equal(get(&r, "telemetry.sdk.version"), GENOPS_VERSION_STRING);
    assert_null(get(&r, "service.version"));
    assert_string_equal(r.scope_name, "genops-ai");
    resource_free(&r);
}

static void test_service_name_precedence(void **state)
{
    (void)state;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    struct resource r;
    setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs,team=ml", 1);
    assert_int_equal(resource_build(&r, &opt, NULL), GENOPS_OK);
    assert_string_equal(get(&r, "service.name"), "from-attrs");
    resource_free(&r);

    setenv("OTEL_SERVICE_NAME", "from-env", 1); /* wins over OTEL_RESOURCE_ATTRIBUTES */
    assert_int_equal(resource_build(&r, &opt, NULL), GENOPS_OK);
    assert_string_equal(get(&r, "service.name"), "from-env");
    assert_string_equal(get(&r, "team"), "ml");
    resource_free(&r);

    opt.service_name = "from-option"; /* explicit options win over everything */
    opt.service_version = "1.2.3";
    opt.environment = "production";
    genops_attribute extra[] = {A_STR("deployment.environment", "ignored"),
                                A_STR("host.name", "box")};
    opt.resource_attributes = extra;
    opt.resource_attribute_count = COUNT(extra);
    assert_int_equal(resource_build(&r, &opt, NULL), GENOPS_OK);
    assert_string_equal(get(&r, "service.name"), "from-option");
    assert_string_equal(get(&r, "service.version"), "1.2.3");
    assert_string_equal(get(&r, "deployment.environment"), "production");
    assert_string_equal(get(&r, "host.name"), "box");
    resource_free(&r);
}

static void test_env_attributes_are_trimmed_and_percent_decoded(void **state)
{
    (void)state;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    struct resource r;
    setenv("OTEL_RESOURCE_ATTRIBUTES", " team = ml platform , cost.center=cc%2C42,,region=eu", 1);
    assert_int_equal(resource_build(&r, &opt, NULL), GENOPS_OK);
    assert_string_equal(get(&r, "team"), "ml platform");
    assert_string_equal(get(&r, "cost.center"), "cc,42");
    assert_string_equal(get(&r, "region"), "eu");
    resource_free(&r);
}

static void test_malformed_variable_is_ignored_whole_bad_options_fail(void **state)
{
    (void)state;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    struct resource r;
    genops_error err;
    /* Ignored whole, with a warning: telemetry never stops an application starting. */
    const char *bad[] = {"team=ml,novalue", "team=ml,=empty-key", "team=ml,k=bad%zz",
                         "team=ml,k=trailing%4"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        setenv("OTEL_RESOURCE_ATTRIBUTES", bad[i], 1);
        assert_int_equal(resource_build(&r, &opt, &err), GENOPS_OK);
        assert_null(get(&r, "team"));
        resource_free(&r);
    }
    genops_attribute not_text[] = {A_INT("replicas", 3)};
    unsetenv("OTEL_RESOURCE_ATTRIBUTES");
    opt.resource_attributes = not_text;
    opt.resource_attribute_count = 1;
    assert_int_equal(resource_build(&r, &opt, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "replicas"));
    /* A malformed variable is ignored whole, with a warning: never a failed start. */
    setenv("OTEL_RESOURCE_ATTRIBUTES", "team=ml,novalue", 1);
    genops_pipeline *p = genops_pipeline_new(NULL, &err);
    assert_non_null(p);
    genops_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, clean_env),
        cmocka_unit_test_setup(test_service_name_precedence, clean_env),
        cmocka_unit_test_setup(test_env_attributes_are_trimmed_and_percent_decoded, clean_env),
        cmocka_unit_test_setup(test_malformed_variable_is_ignored_whole_bad_options_fail,
                               clean_env),
    };
    return cmocka_run_group_tests(tests, NULL, clean_env);
}
