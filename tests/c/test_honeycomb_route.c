/* test_honeycomb_route.c - reading the Honeycomb router's rules (honeycomb_route.c): good
 * rules, and the errors that name the rule and what is wrong with it, a misspelt member
 * included (json_read.c's json_object_each walks the members); a router's datasets by
 * name in genops_honeycomb_router_dataset_stats (their counts: tests/python/test_honeycomb.py
 * against the strict local server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "honeycomb/honeycomb_route.h"
#include "json_read.h"

static void test_good_rules_are_read(void **state)
{
    (void)state;
    struct routes r;
    genops_error err;
    const char *json = "[{\"dataset\": \"pii\", \"attribute\": \"k\", \"in\": [\"a\", \"b\"]},"
                       " {\"dataset\": \"all\", \"default\": true}, {\"dataset\": \"named\"}]";
    assert_int_equal(routes_read(json, &r, &err), GENOPS_OK);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.dataset_count, 3);
    assert_int_equal(r.items[0].test, ROUTE_IN);
    assert_int_equal(r.items[0].value_count, 2);
    assert_int_equal(r.default_dataset, 1);
    assert_int_equal(r.items[2].test, ROUTE_NAMED);
    routes_free(&r);
}

static void refused(const char *json, const char *want)
{
    struct routes r;
    genops_error err;
    assert_int_equal(routes_read(json, &r, &err), GENOPS_EINVAL);
    if (!strstr(err.message, want))
        fail_msg("message \"%s\" does not say \"%s\"", err.message, want);
    assert_int_equal(r.count, 0); /* nothing left to free */
}

static void test_a_misspelt_member_is_an_error_naming_it(void **state)
{
    (void)state;
    /* Without the check, "equal" would leave a bare rule that takes no span by its
     * attribute: the spans meant for pii would silently go elsewhere. */
    refused("[{\"dataset\": \"pii\", \"attribute\": \"k\", \"equal\": \"a\"}]",
            "rule 0: unknown member \"equal\"");
    refused("[{\"dataset\": \"a\", \"default\": true},"
            " {\"dataset\": \"b\", \"attribute\": \"k\", \"exists\": true, \"Dataset\": \"c\"}]",
            "rule 1: unknown member \"Dataset\"");
    refused("[{\"dataset\": \"a\", \"\\u0001x\": 1}]", "rule 0: unknown member \"");
    refused("[\"pii\"]", "rule 0: is not a JSON object");
    refused("[{\"dataset\": \"a\", \"attribute\": \"k\", \"equals\": \"a\", \"in\": []}]",
            "takes one of equals");
}

struct seen {
    char names[4][16];
    size_t n;
};

static void on_member(const char *name, size_t name_len, const char *value, size_t value_len,
                      void *ctx)
{
    struct seen *s = ctx;
    (void)value;
    (void)value_len;
    if (s->n < 4)
        assert_true(json_string(name, name_len, s->names[s->n++], sizeof s->names[0]));
}

static void test_object_members_in_order(void **state)
{
    (void)state;
    struct seen s = {0};
    const char *doc = " {\"a\": [1, {\"x\": 2}], \"b\\u0021\": \"v\", \"c\": null} ";
    assert_int_equal(json_object_each(doc, strlen(doc), on_member, &s), 3);
    assert_string_equal(s.names[0], "a");
    assert_string_equal(s.names[1], "b!");
    assert_string_equal(s.names[2], "c");
    memset(&s, 0, sizeof s);
    const char *cut = "{\"a\": 1, \"b\"";
    assert_int_equal(json_object_each("[1]", 3, on_member, &s), -1);
    assert_int_equal(json_object_each(cut, strlen(cut), on_member, &s), 1);
    assert_int_equal(json_object_each("{}", 2, on_member, &s), 0);
}

static void test_router_datasets_by_name(void **state)
{
    (void)state;
    genops_honeycomb_options o;
    genops_honeycomb_options_init(&o);
    o.api_key = "0123456789abcdef0123456789abcdef";
    o.api_endpoint = "http://127.0.0.1:9";
    genops_error err;
    genops_exporter *r = genops_honeycomb_router_new(
        &o,
        "[{\"dataset\": \"pii\", \"attribute\": \"k\", \"exists\": true},"
        " {\"dataset\": \"rest\", \"default\": true}]",
        &err);
    assert_non_null(r);
    assert_int_equal(genops_honeycomb_router_dataset_count(r), 2);
    genops_exporter_stats st = {.struct_size = sizeof st};
    assert_int_equal(genops_honeycomb_router_dataset_stats(r, 1, &st, &err), GENOPS_OK);
    assert_string_equal(st.name, "rest");
    assert_string_equal(st.type, "honeycomb-events");
    assert_string_equal(st.endpoint, "http://127.0.0.1:9/1/batch/rest");
    assert_int_equal(st.exported + st.dropped_rejected + st.batches, 0); /* nothing sent yet */
    assert_int_equal(genops_honeycomb_router_dataset_stats(r, 2, &st, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "dataset index 2: the router has 2"));
    /* An older, smaller struct gets its prefix; a wrong size is refused. */
    genops_exporter_stats small = {.struct_size = offsetof(genops_exporter_stats, endpoint)};
    assert_int_equal(genops_honeycomb_router_dataset_stats(r, 0, &small, &err), GENOPS_OK);
    assert_string_equal(small.name, "pii");
    small.struct_size = sizeof small + 1;
    assert_int_equal(genops_honeycomb_router_dataset_stats(r, 0, &small, &err), GENOPS_EINVAL);
    /* Any other exporter is no router. */
    genops_exporter *m = genops_memory_exporter_new(&err);
    assert_int_equal(genops_honeycomb_router_dataset_count(m), 0);
    assert_int_equal(genops_honeycomb_router_dataset_stats(m, 0, &st, &err), GENOPS_EINVAL);
    genops_exporter_free(m);
    genops_exporter_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_rules_are_read),
        cmocka_unit_test(test_a_misspelt_member_is_an_error_naming_it),
        cmocka_unit_test(test_object_members_in_order),
        cmocka_unit_test(test_router_datasets_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
