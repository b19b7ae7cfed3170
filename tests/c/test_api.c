/* test_api.c - the public surface: exported symbols (header = version script = exports),
 * documentation of every public function, version, status codes, option structs. */
#include <ctype.h>
#include <stdlib.h>

#include "testutil.h"

/* A set of symbol names, small enough for fixed storage: the API has under 100. */
struct names {
    char name[256][64];
    int count;
};

static void names_add(struct names *set, const char *name, size_t len)
{
    assert_true(set->count < 256 && len > 0 && len < sizeof set->name[0]);
    memcpy(set->name[set->count], name, len);
    set->name[set->count++][len] = '\0';
}

static bool names_have(const struct names *set, const char *name)
{
    for (int i = 0; i < set->count; i++)
        if (strcmp(set->name[i], name) == 0)
            return true;
    return false;
}

/* How many names of `a` are missing from `b`, each printed. */
static int names_missing(const struct names *a, const char *a_what, const struct names *b,
                         const char *b_what)
{
    int missing = 0;
    for (int i = 0; i < a->count; i++)
        if (!names_have(b, a->name[i])) {
            print_error("%s in %s, not in %s\n", a->name[i], a_what, b_what);
            missing++;
        }
    return missing;
}

static FILE *open_source(const char *relative)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("GENOPS_SOURCE_DIR"), relative);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    return f;
}

static char *skip_space(char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* The function declared on each line that starts with GENOPS_API: the name before '('. */
static void read_header_functions(struct names *set)
{
    FILE *h = open_source("core/include/genops.h");
    char line[512];
    while (fgets(line, sizeof line, h)) {
        char *p = skip_space(line), *paren = strchr(p, '(');
        if (strncmp(p, "GENOPS_API ", 11) != 0 || !paren)
            continue;
        char *name = paren;
        while (name > p && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
            name--;
        names_add(set, name, (size_t)(paren - name));
    }
    fclose(h);
}

/* The names of the version script's global: section, one "name;" per line. */
static void read_version_script(struct names *set)
{
    FILE *map = open_source("core/genops.map");
    char line[512];
    bool global = false;
    while (fgets(line, sizeof line, map)) {
        char *p = skip_space(line), *end = strchr(p, ';');
        if (strncmp(p, "global:", 7) == 0 || strncmp(p, "local:", 6) == 0)
            global = p[0] == 'g';
        else if (global && end)
            names_add(set, p, (size_t)(end - p));
    }
    fclose(map);
}

/* Every dynamic symbol the shared library defines, less the version node itself. */
static void read_exports(struct names *set)
{
    const char *lib = getenv("GENOPS_SHARED_LIB");
    assert_non_null(lib);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "nm -D --defined-only '%s'", lib);
    FILE *nm = popen(cmd, "r");
    assert_non_null(nm);
    char line[512], type[8], name[400];
    while (fgets(line, sizeof line, nm)) {
        if (sscanf(line, "%*s %7s %399s", type, name) != 2 || strcmp(type, "A") == 0)
            continue;
        char *at = strchr(name, '@'); /* nm may print name@@GENOPS_0 */
        names_add(set, name, at ? (size_t)(at - name) : strlen(name));
    }
    assert_int_equal(pclose(nm), 0);
}

/* genops.h, core/genops.map and the library's exports name the same functions. */
static void test_exports_are_the_headers_functions_and_the_maps(void **state)
{
    (void)state;
    static struct names header, map, exports;
    read_header_functions(&header);
    read_version_script(&map);
    read_exports(&exports);
    assert_true(header.count > 40);
    int drift = names_missing(&header, "genops.h", &map, "genops.map") +
                names_missing(&map, "genops.map", &header, "genops.h") +
                names_missing(&header, "genops.h", &exports, "the library's exports") +
                names_missing(&exports, "the library's exports", &header, "genops.h");
    assert_int_equal(drift, 0);
    assert_int_equal(map.count, header.count);
}

/* Every GENOPS_API declaration in genops.h is preceded by a comment of its own (its
 * contract): a declaration ends the comment's reach, so groups cannot share one. */
static void test_every_public_function_is_documented(void **state)
{
    (void)state;
    FILE *h = open_source("core/include/genops.h");
    char line[512];
    bool documented = false;
    int undocumented = 0, functions = 0;
    while (fgets(line, sizeof line, h)) {
        char *p = skip_space(line);
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

/* genops_pipeline_exporter_stats: each exporter's own counts, names and last error, the
 * endpoint masked; an index past the last is EINVAL; an older struct gets its prefix. */
static void test_exporter_stats_are_per_exporter(void **state)
{
    (void)state;
    genops_error err;
    genops_pipeline_options po;
    genops_pipeline_options_init(&po);
    po.exit_flush_timeout_ms = -1;
    genops_pipeline *p = genops_pipeline_new(&po, &err);
    assert_int_equal(genops_pipeline_exporter_count(p), 0);
    genops_exporter *mem = genops_memory_exporter_new(&err);
    assert_int_equal(genops_pipeline_add_exporter(p, mem, &err), GENOPS_OK);
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    o.endpoint = "http://user:hunter2pw@127.0.0.1:9/v1/traces?token=abc123"; /* refused */
    o.timeout_ms = 300;
    genops_exporter *dead = genops_otlp_exporter_new(&o, &err);
    assert_int_equal(genops_pipeline_add_exporter(p, dead, &err), GENOPS_OK);
    assert_int_equal(genops_pipeline_exporter_count(p), 2);
    for (int i = 0; i < 3; i++)
        genops_span_end(genops_span_start(p, "counted", NULL, &err), &err);
    assert_int_equal(genops_pipeline_flush(p, 5000, &err), GENOPS_OK);

    genops_exporter_stats live = {.struct_size = sizeof live}, down = live;
    assert_int_equal(genops_pipeline_exporter_stats(p, 0, &live, &err), GENOPS_OK);
    assert_int_equal(genops_pipeline_exporter_stats(p, 1, &down, &err), GENOPS_OK);
    assert_string_equal(live.type, "memory");
    assert_string_equal(live.endpoint, "");
    assert_int_equal(live.exported, 3);
    assert_int_equal(live.dropped_export_failed + live.last_status + live.queue_depth, 0);
    assert_string_equal(down.type, "otlp");
    assert_non_null(strstr(down.endpoint, "127.0.0.1:9/v1/traces"));
    assert_null(strstr(down.endpoint, "hunter2pw"));
    assert_null(strstr(down.endpoint, "abc123"));
    assert_int_equal(down.exported, 0);
    assert_int_equal(down.dropped_export_failed, 3);
    assert_int_equal(down.last_status, GENOPS_EIO);
    assert_true(down.last_error_unix_ns > 0);
    assert_non_null(strstr(down.last_error, "sending failed"));
    assert_true(down.batches >= 1);
    /* In total: not exported, since not every exporter delivered. */
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, &err);
    assert_int_equal(st.spans_exported, 0);
    assert_int_equal(st.dropped_export_failed, 3);

    assert_int_equal(genops_pipeline_exporter_stats(p, 2, &live, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "has 2"));
    genops_exporter_stats old = {.struct_size = offsetof(genops_exporter_stats, exported)};
    assert_int_equal(genops_pipeline_exporter_stats(p, 1, &old, &err), GENOPS_OK);
    assert_string_equal(old.type, "otlp");
    old.struct_size = 3;
    assert_int_equal(genops_pipeline_exporter_stats(p, 1, &old, &err), GENOPS_EINVAL);
    assert_int_equal(genops_pipeline_exporter_stats(NULL, 0, &live, &err), GENOPS_EINVAL);
    assert_int_equal(genops_pipeline_exporter_count(NULL), 0);
    genops_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exports_are_the_headers_functions_and_the_maps),
        cmocka_unit_test(test_every_public_function_is_documented),
        cmocka_unit_test(test_version_and_status_strings),
        cmocka_unit_test(test_options_carry_their_size),
        cmocka_unit_test(test_exporter_stats_are_per_exporter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
