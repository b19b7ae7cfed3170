/* test_api.c - the public surface: exported symbols, documentation of every public
 * function, version, status codes, option structs. */
#include <ctype.h>
#include <stdlib.h>

#include "testutil.h"

static void test_shared_library_exports_only_genops_symbols(void **state)
{
    (void)state;
    const char *lib = getenv("GENOPS_SHARED_LIB");
    assert_non_null(lib);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "nm -D --defined-only '%s'", lib);
    FILE *nm = popen(cmd, "r");
    assert_non_null(nm);
    char line[512], type[8], name[400];
    int exported = 0, strays = 0;
    while (fgets(line, sizeof line, nm)) {
        if (sscanf(line, "%*s %7s %399s", type, name) != 2)
            continue;
        if (strcmp(type, "A") == 0) /* the version node, GENOPS_0 */
            continue;
        if (strncmp(name, "genops_", 7) == 0) {
            exported++;
        } else {
            print_error("not a genops_ symbol: %s", line);
            strays++;
        }
    }
    assert_int_equal(pclose(nm), 0);
    assert_int_equal(strays, 0);
    assert_true(exported > 40);
}

/* Every GENOPS_API declaration in genops.h is preceded by a comment of its own (its
 * contract): a declaration ends the comment's reach, so groups cannot share one. */
static void test_every_public_function_is_documented(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/core/include/genops.h", getenv("GENOPS_SOURCE_DIR"));
    FILE *h = fopen(path, "r");
    assert_non_null(h);
    char line[512];
    bool documented = false;
    int undocumented = 0, functions = 0;
    while (fgets(line, sizeof line, h)) {
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (strncmp(p, "/*", 2) == 0 || strncmp(p, "*", 1) == 0) {
            documented = true;
        } else if (strncmp(p, "GENOPS_API", 10) == 0 && strstr(p, "(")) {
            functions++;
            if (!documented) {
                print_error("no contract comment: %s", p);
                undocumented++;
            }
            documented = false;
        } else if (*p == '\0' || *p == '#' || strncmp(p, "typedef", 7) == 0 ||
                   strncmp(p, "}", 1) == 0) {
            documented = false; /* a blank line or a type ends a documented group */
        }
    }
    fclose(h);
    assert_true(functions > 40);
    assert_int_equal(undocumented, 0);
}

static void test_version_and_status_strings(void **state)
{
    (void)state;
    assert_string_equal(genops_version(), GENOPS_VERSION_STRING);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", GENOPS_VERSION_MAJOR, GENOPS_VERSION_MINOR,
             GENOPS_VERSION_PATCH);
    assert_string_equal(genops_version(), want);
    assert_int_equal(GENOPS_VERSION_NUM, (GENOPS_VERSION_MAJOR << 16) |
                                             (GENOPS_VERSION_MINOR << 8) | GENOPS_VERSION_PATCH);
    for (int code = 0; code <= GENOPS_EINTERNAL; code++) {
        assert_non_null(genops_strerror((genops_status)code));
        assert_string_not_equal(genops_strerror((genops_status)code), "unknown status code");
    }
    assert_string_equal(genops_strerror((genops_status)-1), "unknown status code");
    assert_string_equal(genops_strerror((genops_status)1000), "unknown status code");
}

static void test_options_carry_their_size(void **state)
{
    (void)state;
    genops_error err;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    assert_int_equal(opt.struct_size, sizeof opt);
    opt.struct_size = 3;
    assert_null(genops_pipeline_new(&opt, &err));
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "struct_size"));
    opt.struct_size = sizeof opt + 64; /* from a newer header than the library */
    assert_null(genops_pipeline_new(&opt, &err));

    /* An older, shorter struct: the missing fields take their defaults. */
    genops_pipeline_options_init(&opt);
    opt.struct_size = offsetof(genops_pipeline_options, attribute_count_limit);
    opt.attribute_count_limit = 1; /* beyond the old struct: ignored */
    genops_pipeline *p = genops_pipeline_new(&opt, &err);
    assert_non_null(p);
    genops_pipeline_free(p);

    genops_stats st = {.struct_size = 2};
    p = genops_pipeline_new(NULL, NULL);
    assert_int_equal(genops_pipeline_stats(p, &st, &err), GENOPS_EINVAL);
    st.struct_size = offsetof(genops_stats, spans_ended);
    assert_int_equal(genops_pipeline_stats(p, &st, &err), GENOPS_OK);
    assert_int_equal(genops_pipeline_stats(NULL, &st, &err), GENOPS_EINVAL);
    genops_pipeline_free(p);
    genops_pipeline_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_library_exports_only_genops_symbols),
        cmocka_unit_test(test_every_public_function_is_documented),
        cmocka_unit_test(test_version_and_status_strings),
        cmocka_unit_test(test_options_carry_their_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
