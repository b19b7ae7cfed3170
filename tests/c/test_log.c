/* test_log.c - the library's own log: lines captured in order with their levels, the
 * bounded queue dropping its oldest line and counting it, waits that end at their
 * deadline or when capture stops, stderr when capture is off, the threshold and
 * GENOPS_LOG_LEVEL, long lines cut at a character, fork, and concurrent loggers. */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "genops.h"
#include "clock.h"
#include "log.h"
#include "testutil.h"
#include "utf8.h"

static genops_log_record new_record(void)
{
    genops_log_record r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    return r;
}

/* Every test starts capturing at debug level with an empty queue and no lost count. */
static int capture_clean(void **state)
{
    (void)state;
    unsetenv("GENOPS_LOG_LEVEL");
    log_env_reread();
    genops_log_capture(true);
    assert_int_equal(genops_log_set_level(GENOPS_LOG_DEBUG, NULL), GENOPS_OK);
    genops_log_record r = new_record();
    while (genops_log_next(&r, 0))
        ;
    return 0;
}

/* ---- capture ------------------------------------------------------------------ */

static void test_lines_come_back_in_order_with_levels(void **state)
{
    (void)state;
    uint64_t before = clock_unix_ns();
    log_msg(LOG_ERROR, "first %d", 1);
    log_msg(LOG_WARNING, "second %s", "two");
    log_msg(LOG_INFO, "third");
    log_msg(LOG_DEBUG, "fourth");
    uint64_t after = clock_unix_ns();

    static const struct {
        genops_log_level level;
        const char *text;
    } want[] = {{GENOPS_LOG_ERROR, "first 1"},
                {GENOPS_LOG_WARNING, "second two"},
                {GENOPS_LOG_INFO, "third"},
                {GENOPS_LOG_DEBUG, "fourth"}};
    uint64_t last = 0;
    for (size_t i = 0; i < 4; i++) {
        genops_log_record r = new_record();
        assert_true(genops_log_next(&r, 1000));
        assert_int_equal(r.level, want[i].level);
        assert_string_equal(r.message, want[i].text);
        assert_int_equal(r.lost, 0);
        assert_true(r.time_unix_nano >= before && r.time_unix_nano <= after);
        assert_true(r.time_unix_nano >= last);
        last = r.time_unix_nano;
    }
    genops_log_record r = new_record();
    assert_false(genops_log_next(&r, 0));
}

static void test_full_queue_drops_the_oldest_and_counts_it(void **state)
{
    (void)state;
    for (int i = 0; i < LOG_QUEUE_CAPACITY + 10; i++)
        log_msg(LOG_WARNING, "line %d", i);

    genops_log_record r = new_record();
    assert_true(genops_log_next(&r, 0));
    assert_string_equal(r.message, "line 10"); /* lines 0..9 went */
    assert_int_equal(r.lost, 10);
    for (int i = 11; i < LOG_QUEUE_CAPACITY + 10; i++) {
        char want[32];
        snprintf(want, sizeof want, "line %d", i);
        assert_true(genops_log_next(&r, 0));
        assert_string_equal(r.message, want);
        assert_int_equal(r.lost, 0); /* reported once, with the first line after the gap */
    }
    assert_false(genops_log_next(&r, 0));
}

/* A queue exactly full loses nothing; one more line loses exactly one. */
static void test_queue_holds_exactly_its_capacity(void **state)
{
    (void)state;
    genops_log_record r = new_record();
    for (int i = 0; i < LOG_QUEUE_CAPACITY; i++)
        log_msg(LOG_WARNING, "line %d", i);
    assert_true(genops_log_next(&r, 0));
    assert_string_equal(r.message, "line 0");
    assert_int_equal(r.lost, 0);
    while (genops_log_next(&r, 0))
        ;
    for (int i = 0; i < LOG_QUEUE_CAPACITY + 1; i++)
        log_msg(LOG_WARNING, "line %d", i);
    assert_true(genops_log_next(&r, 0));
    assert_string_equal(r.message, "line 1");
    assert_int_equal(r.lost, 1);
}

/* ---- waiting ------------------------------------------------------------------ */

static void test_wait_ends_at_its_deadline(void **state)
{
    (void)state;
    genops_log_record r = new_record();
    uint64_t t0 = clock_mono_ns();
    assert_false(genops_log_next(&r, 200));
    double waited = elapsed_ms(t0);
    assert_true(waited >= 190);
    /* A bound on correctness, not a speed claim: it catches a wait that outlives its
     * deadline many times over, with room for valgrind on a loaded machine (10 s). */
    assert_true(waited < 10000);

    t0 = clock_mono_ns();
    assert_false(genops_log_wait(200));
    waited = elapsed_ms(t0);
    assert_true(waited >= 190 && waited < 10000);

    /* 0: no wait at all. Far under the 200 ms above, but not the 100 ms it was: a
     * descheduled thread on a busy machine can lose that much between two clock reads. */
    t0 = clock_mono_ns();
    assert_false(genops_log_next(&r, 0));
    assert_true(elapsed_ms(t0) < 1000);
}

struct reader {
    pthread_t thread;
    atomic_int tid; /* the reader's kernel thread id, once it runs */
    int timeout_ms;
    bool use_wait; /* genops_log_wait instead of genops_log_next */
    bool got;
    genops_log_record record;
    double waited_ms;
};

/* The readers' timeout: long, so that a reader woken by its timeout rather than by the
 * line or "capture off" (a lost wakeup) is told apart by READER_WOKEN_MS, whatever the
 * machine's load. */
enum { READER_TIMEOUT_MS = 30000, READER_WOKEN_MS = READER_TIMEOUT_MS / 2 };

static void *reader_main(void *arg)
{
    struct reader *rd = arg;
    atomic_store(&rd->tid, (int)syscall(SYS_gettid));
    uint64_t t0 = clock_mono_ns();
    rd->record = new_record();
    rd->got = rd->use_wait ? genops_log_wait(rd->timeout_ms)
                           : genops_log_next(&rd->record, rd->timeout_ms);
    rd->waited_ms = elapsed_ms(t0);
    return NULL;
}

/* Whether thread tid sleeps in a timed wait on a condition variable: in the futex
 * system call with FUTEX_WAIT_BITSET, which pthread_cond_timedwait uses (a contended
 * mutex or pthread_once would be a plain FUTEX_WAIT, valgrind's scheduler lock a read),
 * per /proc/self/task/<tid>/syscall ("<nr> <arg1> <arg2> ..."). -1 when that file cannot
 * be read. */
static int in_timed_cond_wait(int tid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    bool read_ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    long nr = -1;
    unsigned long addr = 0, op = 0;
    return read_ok && sscanf(line, "%ld %lx %lx", &nr, &addr, &op) == 3 && nr == SYS_futex &&
           (op & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET;
}

/* Return once the reader sleeps in its wait (the only timed condition wait a reader
 * makes), so that what follows tests waking a sleeper rather than a reader that finds
 * the line already queued. Polls; the wall-clock bound only stops a hang. Where /proc
 * cannot tell, a pause stands in (the tests stay correct either way, and less sharp). */
static void wait_until_reader_sleeps(struct reader *rd)
{
    uint64_t t0 = clock_mono_ns();
    while (elapsed_ms(t0) < 60000) {
        int tid = atomic_load(&rd->tid);
        int sleeping = tid ? in_timed_cond_wait(tid) : 0;
        if (sleeping < 0) {
            usleep(50000);
            return;
        }
        if (sleeping)
            return;
        usleep(1000);
    }
    fail_msg("the reader never went to sleep in its wait");
}

static void test_a_waiting_reader_wakes_for_a_line(void **state)
{
    (void)state;
    struct reader rd = {.timeout_ms = READER_TIMEOUT_MS};
    assert_int_equal(pthread_create(&rd.thread, NULL, reader_main, &rd), 0);
    wait_until_reader_sleeps(&rd);
    log_msg(LOG_ERROR, "wake up");
    pthread_join(rd.thread, NULL);
    assert_true(rd.got);
    assert_string_equal(rd.record.message, "wake up");
    assert_true(rd.waited_ms < READER_WOKEN_MS); /* woken by the line, not its timeout */
}

static void test_capture_off_ends_waits_and_keeps_queued_lines(void **state)
{
    (void)state;
    struct reader rd = {.timeout_ms = READER_TIMEOUT_MS, .use_wait = true};
    assert_int_equal(pthread_create(&rd.thread, NULL, reader_main, &rd), 0);
    wait_until_reader_sleeps(&rd);
    genops_log_capture(false);
    pthread_join(rd.thread, NULL);
    assert_false(rd.got);
    assert_true(rd.waited_ms < READER_WOKEN_MS);

    /* A line queued before "off" is still readable; with capture off nothing waits. */
    genops_log_capture(true);
    log_msg(LOG_WARNING, "queued before off");
    genops_log_capture(false);
    genops_log_record r = new_record();
    assert_true(genops_log_wait(0));
    assert_true(genops_log_next(&r, 5000));
    assert_string_equal(r.message, "queued before off");
    uint64_t t0 = clock_mono_ns();
    assert_false(genops_log_next(&r, READER_TIMEOUT_MS));
    assert_true(elapsed_ms(t0) < READER_WOKEN_MS);
    genops_log_capture(true);
}

static void test_a_too_small_record_takes_nothing(void **state)
{
    (void)state;
    log_msg(LOG_WARNING, "stays");
    genops_log_record r = new_record();
    r.struct_size = offsetof(genops_log_record, message);
    assert_false(genops_log_next(&r, 0));
    assert_false(genops_log_next(NULL, 0));
    r.struct_size = sizeof r;
    assert_true(genops_log_next(&r, 0));
    assert_string_equal(r.message, "stays");
}

/* ---- threshold ---------------------------------------------------------------- */

static void test_threshold_filters_and_environment_wins(void **state)
{
    (void)state;
    genops_log_record r = new_record();
    genops_error err;
    assert_int_equal(genops_log_set_level(GENOPS_LOG_WARNING, &err), GENOPS_OK);
    log_msg(LOG_INFO, "filtered");
    log_msg(LOG_WARNING, "kept");
    assert_true(genops_log_next(&r, 0));
    assert_string_equal(r.message, "kept");
    assert_false(genops_log_next(&r, 0));

    setenv("GENOPS_LOG_LEVEL", "Debug", 1); /* case does not matter */
    log_env_reread();                       /* read once, so read it again */
    assert_int_equal(genops_log_set_level(GENOPS_LOG_ERROR, &err), GENOPS_OK);
    log_msg(LOG_DEBUG, "the variable wins");
    assert_true(genops_log_next(&r, 0));
    assert_int_equal(r.level, GENOPS_LOG_DEBUG);
    setenv("GENOPS_LOG_LEVEL", "loud", 1); /* not a level: the set level decides */
    log_env_reread();
    log_msg(LOG_WARNING, "below error");
    assert_false(genops_log_next(&r, 0));
    unsetenv("GENOPS_LOG_LEVEL");
    log_env_reread();

    assert_int_equal(genops_log_set_level((genops_log_level)4, &err), GENOPS_EINVAL);
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_int_equal(genops_log_set_level((genops_log_level)-1, NULL), GENOPS_EINVAL);
}

/* ---- long lines --------------------------------------------------------------- */

static void test_a_long_line_is_cut_at_a_character(void **state)
{
    (void)state;
    /* 3-byte characters: 1023 bytes of room is 341 of them, so the cut falls inside
     * the 342nd and must drop its first two bytes. */
    static char text[3 * 400 + 2];
    for (int i = 0; i < 400; i++)
        memcpy(text + 3 * i, "\xe2\x82\xac", 3); /* U+20AC */
    text[3 * 400 + 1] = '\0';
    text[3 * 400] = 'x';
    log_msg(LOG_WARNING, "%s", text);
    genops_log_record r = new_record();
    assert_true(genops_log_next(&r, 0));
    size_t len = strlen(r.message);
    assert_int_equal(len, 3 * 341);
    assert_int_equal(utf8_valid_prefix(r.message, len), len);
}

/* ---- stderr and fork ---------------------------------------------------------- */

/* Run fn in a forked child with its stderr on a pipe; returns what it wrote there.
 * The child's exit status must be 0. */
static char *child_stderr(void (*fn)(void))
{
    static char out[4096];
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        alarm(60); /* a deadlock kills the child, and the parent sees it */
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t n;
    while ((n = read(fds[0], out + got, sizeof out - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    return out;
}

static void log_without_capture(void)
{
    genops_log_capture(false);
    genops_log_set_level(GENOPS_LOG_WARNING, NULL);
    log_msg(LOG_WARNING, "to stderr %d", 7);
    log_msg(LOG_INFO, "under the threshold");
    log_msg(LOG_ERROR, "and an error");
    genops_log_record r = new_record();
    if (genops_log_next(&r, 0)) /* nothing was queued */
        _exit(3);
}

static void test_capture_off_writes_lines_to_stderr(void **state)
{
    (void)state;
    assert_string_equal(child_stderr(log_without_capture),
                        "genops: warning: to stderr 7\ngenops: error: and an error\n");
}

static void log_in_forked_child(void)
{
    genops_log_record r = new_record();
    if (genops_log_next(&r, 0)) /* the parent's lines stay the parent's */
        _exit(4);
    /* The lock and the condition work: lines signal (twice, with the parent's reader
     * counted as a waiter when it forked) and come back. */
    log_msg(LOG_WARNING, "child one");
    log_msg(LOG_WARNING, "child two");
    if (!genops_log_next(&r, 1000) || strcmp(r.message, "child one") != 0 || r.lost)
        _exit(5);
    if (!genops_log_next(&r, 1000) || strcmp(r.message, "child two") != 0)
        _exit(6);
    if (genops_log_next(&r, 100)) /* a timed wait on the new condition */
        _exit(7);
}

static void test_fork_child_starts_with_an_empty_queue(void **state)
{
    (void)state;
    genops_log_record r = new_record();
    /* A full queue with lines lost: none of it reaches the child. */
    for (int i = 0; i < LOG_QUEUE_CAPACITY + 3; i++)
        log_msg(LOG_WARNING, "parent %d", i);
    assert_string_equal(child_stderr(log_in_forked_child), "");
    assert_true(genops_log_next(&r, 0)); /* ...and all of it stays the parent's */
    assert_string_equal(r.message, "parent 3");
    assert_int_equal(r.lost, 3);
    while (genops_log_next(&r, 0))
        ;

    /* A reader asleep on the condition when the process forks. */
    struct reader rd = {.timeout_ms = READER_TIMEOUT_MS, .use_wait = true};
    assert_int_equal(pthread_create(&rd.thread, NULL, reader_main, &rd), 0);
    wait_until_reader_sleeps(&rd);
    assert_string_equal(child_stderr(log_in_forked_child), "");
    log_msg(LOG_WARNING, "parent after fork");
    pthread_join(rd.thread, NULL);
    assert_true(rd.got);
    assert_true(genops_log_next(&r, 0));
    assert_string_equal(r.message, "parent after fork");
    assert_false(genops_log_next(&r, 0));
}

/* ---- concurrent loggers ------------------------------------------------------- */

enum { PRODUCERS = 4, LINES_EACH = 2000 };

static void *producer_main(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < LINES_EACH; i++)
        log_msg(LOG_WARNING, "%d %d", id, i);
    return NULL;
}

/* Stamped lines (producer, sequence) from several threads while one reader drains:
 * each producer's lines arrive in order, none twice, and every line is either read
 * or counted as lost. */
static void test_concurrent_loggers_lose_nothing_uncounted(void **state)
{
    (void)state;
    pthread_t threads[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, producer_main, (void *)(intptr_t)i), 0);
    int next[PRODUCERS] = {0};
    uint64_t read_count = 0, lost_count = 0;
    genops_log_record r = new_record();
    uint64_t t0 = clock_mono_ns();
    while (read_count + lost_count < (uint64_t)PRODUCERS * LINES_EACH && elapsed_ms(t0) < 30000) {
        if (!genops_log_next(&r, 100))
            continue;
        int id = -1, seq = -1;
        assert_int_equal(sscanf(r.message, "%d %d", &id, &seq), 2);
        assert_true(id >= 0 && id < PRODUCERS);
        assert_true(seq >= next[id]); /* in order, never twice; gaps were lost */
        next[id] = seq + 1;
        read_count++;
        lost_count += r.lost;
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    while (genops_log_next(&r, 0)) { /* lost lines after the last read */
        read_count++;
        lost_count += r.lost;
    }
    assert_int_equal(read_count + lost_count, (uint64_t)PRODUCERS * LINES_EACH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_lines_come_back_in_order_with_levels, capture_clean),
        cmocka_unit_test_setup(test_full_queue_drops_the_oldest_and_counts_it, capture_clean),
        cmocka_unit_test_setup(test_queue_holds_exactly_its_capacity, capture_clean),
        cmocka_unit_test_setup(test_wait_ends_at_its_deadline, capture_clean),
        cmocka_unit_test_setup(test_a_waiting_reader_wakes_for_a_line, capture_clean),
        cmocka_unit_test_setup(test_capture_off_ends_waits_and_keeps_queued_lines, capture_clean),
        cmocka_unit_test_setup(test_a_too_small_record_takes_nothing, capture_clean),
        cmocka_unit_test_setup(test_threshold_filters_and_environment_wins, capture_clean),
        cmocka_unit_test_setup(test_a_long_line_is_cut_at_a_character, capture_clean),
        cmocka_unit_test_setup(test_capture_off_writes_lines_to_stderr, capture_clean),
        cmocka_unit_test_setup(test_fork_child_starts_with_an_empty_queue, capture_clean),
        cmocka_unit_test_setup(test_concurrent_loggers_lose_nothing_uncounted, capture_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
