/* test_exporters.c - the console exporter's text and the memory exporter's contract. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void test_console_prints_one_block_per_span(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    genops_pipeline *p = genops_pipeline_new(NULL, NULL);
    assert_int_equal(
        genops_pipeline_add_exporter(p, genops_console_exporter_new(fds[1], NULL), NULL),
        GENOPS_OK);
    genops_span s = genops_span_start(p, "chat.completion", NULL, NULL);
    genops_span_context ctx;
    genops_span_get_context(s, &ctx, NULL);
    genops_attribute kv[] = {A_DBL("cost", 0.02), A_STR("provider", "openai")};
    genops_span_record_cost(s, kv, COUNT(kv), NULL);
    genops_span_set_status(s, GENOPS_SPAN_STATUS_ERROR, "rate limited", NULL);
    genops_span_record_exception(s, "RateLimitError", "slow down", NULL, NULL);
    genops_span_end(s, NULL);
    assert_int_equal(genops_pipeline_flush(p, 10000, NULL), GENOPS_OK);
    genops_pipeline_free(p);
    close(fds[1]);

    char text[4096] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = read(fds[0], text + got, sizeof text - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);

    char trace[33], span[17], want[128];
    hex(ctx.trace_id, 16, trace);
    hex(ctx.span_id, 8, span);
    assert_memory_equal(text, "span \"chat.completion\" ", 23);
    assert_non_null(strstr(text, " status=ERROR \"rate limited\"\n"));
    snprintf(want, sizeof want, "\n  trace %s span %s parent -\n", trace, span);
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "\n  genops.cost.total = 0.02\n"));
    assert_non_null(strstr(text, "\n  genops.cost.currency = \"USD\"\n"));
    assert_non_null(strstr(text, "\n  genops.cost.provider = \"openai\"\n"));
    assert_non_null(strstr(text, "\n  event \"exception\" +"));
    assert_non_null(strstr(text, "\n    exception.type = \"RateLimitError\"\n"));
}

static void test_console_write_failure_is_counted(void **state)
{
    (void)state;
    int fd = open("/dev/null", O_RDONLY); /* writes fail with EBADF */
    genops_pipeline *p = genops_pipeline_new(NULL, NULL);
    genops_pipeline_add_exporter(p, genops_console_exporter_new(fd, NULL), NULL);
    genops_span_end(genops_span_start(p, "lost", NULL, NULL), NULL);
    genops_pipeline_flush(p, 10000, NULL);
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, NULL);
    assert_int_equal(st.dropped_export_failed, 1);
    assert_int_equal(st.spans_exported, 0);
    genops_pipeline_free(p);
    close(fd);
}

static void test_exporter_ownership_rules(void **state)
{
    (void)state;
    genops_error err;
    assert_null(genops_console_exporter_new(-1, &err));
    assert_int_equal(err.code, GENOPS_EINVAL);

    genops_pipeline *a = genops_pipeline_new(NULL, NULL);
    genops_pipeline *b = genops_pipeline_new(NULL, NULL);
    genops_exporter *m = genops_memory_exporter_new(NULL);
    assert_int_equal(genops_pipeline_add_exporter(a, m, &err), GENOPS_OK);
    assert_int_equal(genops_pipeline_add_exporter(b, m, &err), GENOPS_EINVAL);
    genops_exporter_free(m); /* owned by a: must not free it */
    assert_int_equal(genops_pipeline_add_exporter(a, NULL, &err), GENOPS_EINVAL);
    assert_int_equal(genops_pipeline_add_exporter(NULL, m, &err), GENOPS_EINVAL);
    genops_pipeline_free(a);
    genops_pipeline_free(b);

    genops_exporter *unused = genops_memory_exporter_new(NULL);
    genops_exporter_free(unused);
    genops_exporter_free(NULL);
    /* Reading a non-memory exporter or NULL is harmless. */
    genops_exporter *console = genops_console_exporter_new(1, NULL);
    assert_int_equal(genops_memory_exporter_count(console), 0);
    assert_null(genops_memory_exporter_get(console, 0));
    genops_memory_exporter_clear(console);
    genops_exporter_free(console);
    assert_int_equal(genops_memory_exporter_count(NULL), 0);
}

static void test_fan_out_gives_every_exporter_every_span(void **state)
{
    (void)state;
    genops_pipeline *p = genops_pipeline_new(NULL, NULL);
    genops_exporter *m1 = genops_memory_exporter_new(NULL);
    genops_exporter *m2 = genops_memory_exporter_new(NULL);
    genops_pipeline_add_exporter(p, m1, NULL);
    genops_pipeline_add_exporter(p, m2, NULL);
    for (int i = 0; i < 10; i++)
        genops_span_end(genops_span_start(p, "fan", NULL, NULL), NULL);
    genops_pipeline_flush(p, 10000, NULL);
    assert_int_equal(genops_memory_exporter_count(m1), 10);
    assert_int_equal(genops_memory_exporter_count(m2), 10);
    assert_ptr_equal(genops_memory_exporter_get(m1, 3), genops_memory_exporter_get(m2, 3));
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, NULL);
    assert_int_equal(st.spans_exported, 10);
    genops_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_console_prints_one_block_per_span),
        cmocka_unit_test(test_console_write_failure_is_counted),
        cmocka_unit_test(test_exporter_ownership_rules),
        cmocka_unit_test(test_fan_out_gives_every_exporter_every_span),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
