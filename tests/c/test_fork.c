/* test_fork.c - the one pthread_atfork registration (fork.c): hooks run by rank
 * (prepare in rank order, parent and child in reverse), and a fork while other threads
 * hold every registered lock in turn leaves the child able to take each of them. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fork.h"
#include "log.h"
#include "testutil.h"

/* ---- order -------------------------------------------------------------------- */

/* What the hooks of every rank did, in order: "P0" = prepare of rank 0, ... */
static char trace[128];

static void note(char what, int rank)
{
    size_t n = strlen(trace);
    if (n + 3 < sizeof trace) {
        trace[n] = what;
        trace[n + 1] = (char)('0' + rank);
        trace[n + 2] = '\0';
    }
}

#define RANK_HOOKS(r)                                                                              \
    static void prepare_##r(void)                                                                  \
    {                                                                                              \
        note('P', r);                                                                              \
    }                                                                                              \
    static void parent_##r(void)                                                                   \
    {                                                                                              \
        note('A', r);                                                                              \
    }                                                                                              \
    static void child_##r(void)                                                                    \
    {                                                                                              \
        note('C', r);                                                                              \
    }
RANK_HOOKS(0)
RANK_HOOKS(1)
RANK_HOOKS(2)
RANK_HOOKS(3)
RANK_HOOKS(4)
RANK_HOOKS(5)
RANK_HOOKS(6)
static const struct fork_hooks tracing[FORK_RANKS] = {
    {prepare_0, parent_0, child_0}, {prepare_1, parent_1, child_1}, {prepare_2, parent_2, child_2},
    {prepare_3, parent_3, child_3}, {prepare_4, parent_4, child_4}, {prepare_5, parent_5, child_5},
    {prepare_6, parent_6, child_6},
};
_Static_assert(FORK_RANKS == 7, "one tracing hook set per rank");

/* In a process of its own (the library's real hooks are replaced there): register a
 * tracing set for every rank, fork, and compare both sides' traces. */
static int traced_fork(void)
{
    for (int r = 0; r < FORK_RANKS; r++)
        fork_hooks_register((enum fork_rank)r, &tracing[r]);
    int fds[2];
    if (pipe(fds))
        return 10;
    pid_t child = fork();
    if (child < 0)
        return 11;
    if (child == 0) {
        ssize_t w = write(fds[1], trace, strlen(trace) + 1);
        _exit(w > 0 ? 0 : 1);
    }
    char child_trace[sizeof trace] = "";
    ssize_t r = read(fds[0], child_trace, sizeof child_trace - 1);
    int status;
    waitpid(child, &status, 0);
    if (r <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 12;
    if (strcmp(trace, "P0P1P2P3P4P5P6A6A5A4A3A2A1A0") != 0)
        return 13;
    if (strcmp(child_trace, "P0P1P2P3P4P5P6C6C5C4C3C2C1C0") != 0)
        return 14;
    return 0;
}

static void test_hooks_run_in_rank_order(void **state)
{
    (void)state;
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        alarm(60);
        _exit(traced_fork());
    }
    int status;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0); /* 13: parent order, 14: child order */
}

/* ---- every lock busy at fork time --------------------------------------------- */

static atomic_bool stop;

/* Takes, over and over, the locks the fork hooks hold: the budgets' and the rate limits'
 * (define, remove), the registry's and the pipeline's
 * (flush), the defaults' writer lock and the log queue's; the slot pool's growth lock
 * while the pool grows to 600 open spans (the first rounds only: slots are reused). */
static void *busy(void *arg)
{
    genops_pipeline *p = arg;
    genops_attribute team[] = {A_STR("team", "ml")};
    genops_attribute budget[] = {A_STR("name", "busy"), A_DBL("limit", 1.0)};
    genops_attribute limit[] = {A_STR("name", "busy"), A_INT("requests_per_minute", 10)};
    static genops_span open_spans[600];
    while (!atomic_load(&stop)) {
        for (size_t i = 0; i < COUNT(open_spans); i++)
            open_spans[i] = genops_span_start(p, "busy", NULL, NULL);
        for (size_t i = 0; i < COUNT(open_spans); i++)
            genops_span_end(open_spans[i], NULL);
        genops_defaults_set(team, COUNT(team), NULL);
        genops_budget_define(budget, COUNT(budget), NULL);
        genops_budget_remove("busy", NULL);
        genops_rate_limit_define(limit, COUNT(limit), NULL);
        genops_rate_limit_remove("busy", NULL);
        log_msg(LOG_WARNING, "busy");
        genops_pipeline_flush(p, 1000, NULL);
    }
    return NULL;
}

/* The child takes each lock once: a lock that fork() caught held would hang it. */
static int child_uses_everything(genops_pipeline *p)
{
    genops_attribute team[] = {A_STR("team", "child")};
    if (genops_defaults_set(team, COUNT(team), NULL) != GENOPS_OK)
        return 2;
    genops_attribute budget[] = {A_STR("name", "child"), A_DBL("limit", 1.0)};
    genops_attribute limit[] = {A_STR("name", "child"), A_INT("requests_per_minute", 10)};
    if (genops_budget_define(budget, COUNT(budget), NULL) || genops_budget_remove("child", NULL) ||
        genops_rate_limit_define(limit, COUNT(limit), NULL) ||
        genops_rate_limit_remove("child", NULL))
        return 6;
    log_msg(LOG_WARNING, "child");
    genops_log_record r = {.struct_size = sizeof r};
    bool found = false;
    while (!found && genops_log_next(&r, 1000))
        found = strcmp(r.message, "child") == 0;
    if (!found)
        return 3;
    for (int i = 0; i < 600; i++)
        if (genops_span_end(genops_span_start(p, "child", NULL, NULL), NULL) != GENOPS_OK)
            return 4;
    if (genops_pipeline_flush(p, 10000, NULL) != GENOPS_OK)
        return 5;
    return 0;
}

static void test_fork_while_every_lock_is_busy(void **state)
{
    (void)state;
    SKIP_UNDER_TSAN();
    genops_log_capture(true);
    genops_pipeline *p = genops_pipeline_new(NULL, NULL);
    assert_non_null(p);
    pthread_t thread;
    atomic_store(&stop, false);
    assert_int_equal(pthread_create(&thread, NULL, busy, p), 0);
    for (int i = 0; i < 20; i++) {
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0)
            _exit(child_uses_everything(p));
        /* A lock held across fork hangs the child, maybe inside fork() itself (where an
         * alarm of its own would not be set yet): 60 s leaves room for a loaded machine. */
        int rc = child_exit_within(child, 60000);
        if (rc < 0)
            fail_msg("fork %d: the child hung", i);
        assert_int_equal(rc, 0);
    }
    atomic_store(&stop, true);
    pthread_join(thread, NULL);
    genops_pipeline_free(p);
    genops_log_capture(false);
    genops_defaults_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hooks_run_in_rank_order),
        cmocka_unit_test(test_fork_while_every_lock_is_busy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
