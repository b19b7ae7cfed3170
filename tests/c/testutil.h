/* testutil.h - fixtures for the C tests: a pipeline with a memory exporter, and
 * assertions on what it captured. Header-only so that each test file stays one binary. */
#ifndef GENOPS_TESTUTIL_H
#define GENOPS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "genops.h"

static inline double elapsed_ms(uint64_t since_ns)
{
    return (double)(clock_mono_ns() - since_ns) / 1e6;
}

/* The exit code of child, 1000 + the signal that ended it, or -1 when it has not ended
 * within limit_ms (it is killed then): for tests whose failure is a child that hangs. */
static inline int child_exit_within(pid_t child, double limit_ms)
{
    int status = 0;
    uint64_t t0 = clock_mono_ns();
    while (waitpid(child, &status, WNOHANG) == 0) {
        if (elapsed_ms(t0) >= limit_ms) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            return -1;
        }
        usleep(10000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

struct fixture {
    genops_pipeline *pipeline;
    genops_exporter *memory; /* owned by the pipeline */
};

static inline void fixture_open_with(struct fixture *f, const genops_pipeline_options *opt)
{
    genops_error err;
    f->pipeline = genops_pipeline_new(opt, &err);
    assert_non_null(f->pipeline);
    f->memory = genops_memory_exporter_new(&err);
    assert_non_null(f->memory);
    assert_int_equal(genops_pipeline_add_exporter(f->pipeline, f->memory, &err), GENOPS_OK);
}

static inline void fixture_open(struct fixture *f)
{
    fixture_open_with(f, NULL);
}

static inline void fixture_close(struct fixture *f)
{
    genops_pipeline_free(f->pipeline);
    f->pipeline = NULL;
    f->memory = NULL;
}

/* Flush and return the only span captured (fails the test otherwise). */
static inline const genops_span_data *fixture_only_span(struct fixture *f)
{
    assert_int_equal(genops_pipeline_flush(f->pipeline, 10000, NULL), GENOPS_OK);
    assert_int_equal(genops_memory_exporter_count(f->memory), 1);
    return genops_memory_exporter_get(f->memory, 0);
}

static inline genops_value value_of(const genops_span_data *d, const char *key)
{
    genops_value v = {.type = GENOPS_TYPE_NULL};
    if (!genops_span_data_find(d, key, &v))
        fail_msg("attribute '%s' is missing", key);
    return v;
}

static inline void expect_str(const genops_span_data *d, const char *key, const char *want)
{
    genops_value v = value_of(d, key);
    assert_int_equal(v.type, GENOPS_TYPE_STRING);
    assert_int_equal(v.len, strlen(want));
    assert_memory_equal(v.u.s, want, v.len);
}

static inline void expect_int(const genops_span_data *d, const char *key, int64_t want)
{
    genops_value v = value_of(d, key);
    assert_int_equal(v.type, GENOPS_TYPE_INT);
    assert_int_equal(v.u.i, want);
}

static inline void expect_double(const genops_span_data *d, const char *key, double want)
{
    genops_value v = value_of(d, key);
    assert_int_equal(v.type, GENOPS_TYPE_DOUBLE);
    assert_true(v.u.d == want);
}

static inline void expect_bool(const genops_span_data *d, const char *key, bool want)
{
    genops_value v = value_of(d, key);
    assert_int_equal(v.type, GENOPS_TYPE_BOOL);
    assert_int_equal(v.u.b, want);
}

static inline void expect_absent(const genops_span_data *d, const char *key)
{
    genops_value v;
    if (genops_span_data_find(d, key, &v))
        fail_msg("attribute '%s' should be absent", key);
}

/* Attribute list builders. */
/* clang-format off */
#define A_STR(k, text) {(k), {.type = GENOPS_TYPE_STRING, .len = sizeof(text) - 1, .u.s = (text)}}
#define A_INT(k, n) {(k), {.type = GENOPS_TYPE_INT, .u.i = (n)}}
#define A_DBL(k, x) {(k), {.type = GENOPS_TYPE_DOUBLE, .u.d = (x)}}
#define A_BOOL(k, flag) {(k), {.type = GENOPS_TYPE_BOOL, .u.b = (flag)}}
#define A_NULL(k) {(k), {.type = GENOPS_TYPE_NULL}}
/* clang-format on */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ThreadSanitizer cannot start threads in a forked child ("not supported"): the fork
 * tests run in the plain and ASan builds. */
#ifdef __SANITIZE_THREAD__
#define SKIP_UNDER_TSAN() skip()
#else
#define SKIP_UNDER_TSAN() ((void)0)
#endif

#endif
