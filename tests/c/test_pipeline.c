/* test_pipeline.c - the batch pipeline: every ended span is exported or counted as
 * dropped (stress, 8 producers), batch size, schedule delay, queue and byte limits,
 * flush and shutdown deadlines with an exporter that hangs, the bounded exit flush,
 * fork, and the OTEL_BSP_* environment. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "exporter.h"
#include "slot_pool.h"
#include "span.h"
#include "testutil.h"

/* ---- a test exporter: slow, hanging or writing to a pipe, on demand ------------ */

struct test_exporter {
    genops_exporter base;
    atomic_long spans, batches, largest_batch;
    int delay_us; /* per batch */
    int fd;       /* >= 0: one line "pid span_id name" per span */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool hold;    /* hang in export until released, whatever the deadline */
    bool entered; /* an export call has started */
};

static genops_status test_export(genops_exporter *e, const struct batch *b, uint64_t deadline,
                                 struct export_result *r)
{
    struct test_exporter *t = (struct test_exporter *)e;
    (void)deadline;
    pthread_mutex_lock(&t->lock);
    t->entered = true;
    pthread_cond_broadcast(&t->cond);
    while (t->hold)
        pthread_cond_wait(&t->cond, &t->lock);
    pthread_mutex_unlock(&t->lock);
    if (t->delay_us)
        usleep((useconds_t)t->delay_us);
    for (size_t i = 0; t->fd >= 0 && i < b->count; i++) {
        char line[128];
        const struct span *s = b->spans[i];
        int n = snprintf(line, sizeof line, "%d %016llx %.*s\n", (int)getpid(),
                         *(const unsigned long long *)s->span_id, (int)s->name_len, s->name);
        if (write(t->fd, line, (size_t)n) != n)
            return GENOPS_EIO;
    }
    atomic_fetch_add(&t->spans, (long)b->count);
    atomic_fetch_add(&t->batches, 1);
    long largest = atomic_load(&t->largest_batch);
    while ((long)b->count > largest &&
           !atomic_compare_exchange_weak(&t->largest_batch, &largest, (long)b->count))
        ;
    r->delivered = b->count;
    return GENOPS_OK;
}

static void test_destroy(genops_exporter *e)
{
    struct test_exporter *t = (struct test_exporter *)e;
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    free(t);
}

static const struct exporter_ops test_ops = {
    .kind = "test", .export_batch = test_export, .destroy = test_destroy};

static struct test_exporter *test_exporter_new(void)
{
    struct test_exporter *t = calloc(1, sizeof *t);
    t->base.ops = &test_ops;
    t->fd = -1;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    return t;
}

static void hold(struct test_exporter *t, bool on)
{
    pthread_mutex_lock(&t->lock);
    t->hold = on;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

static void wait_entered(struct test_exporter *t)
{
    pthread_mutex_lock(&t->lock);
    while (!t->entered)
        pthread_cond_wait(&t->cond, &t->lock);
    pthread_mutex_unlock(&t->lock);
}

static genops_pipeline *pipeline_with(const genops_pipeline_options *opt, struct test_exporter *t)
{
    genops_error err;
    genops_pipeline *p = genops_pipeline_new(opt, &err);
    if (!p)
        fail_msg("pipeline_new: %s", err.message);
    assert_int_equal(genops_pipeline_add_exporter(p, &t->base, &err), GENOPS_OK);
    return p;
}

static genops_stats stats_of(genops_pipeline *p)
{
    genops_stats st = {.struct_size = sizeof st};
    assert_int_equal(genops_pipeline_stats(p, &st, NULL), GENOPS_OK);
    return st;
}

static uint64_t dropped(const genops_stats *st)
{
    return st->dropped_queue_full + st->dropped_buffer_full + st->dropped_shutdown +
           st->dropped_export_failed + st->dropped_rejected + st->dropped_no_exporter;
}

/* ---- stress ------------------------------------------------------------------- */

enum { PRODUCERS = 8, PER_PRODUCER = 100000 };

static void *produce(void *arg)
{
    genops_pipeline *p = arg;
    genops_attribute own[] = {A_STR("team", "stress"), A_INT("shard", 1)};
    for (int i = 0; i < PER_PRODUCER; i++) {
        genops_span s = (i & 7) == 0
                            ? genops_operation_start(p, "op", NULL, NULL, NULL, own, 2, NULL)
                            : genops_span_start(p, "span", NULL, NULL);
        genops_span_set_int(s, "i", i, NULL);
        genops_span_set_str(s, "k", "value", NULL);
        genops_span_end(s, NULL);
    }
    return NULL;
}

static void test_stress_every_ended_span_is_exported_or_counted(void **state)
{
    (void)state;
    uint32_t baseline = slot_pool_in_use();
    genops_attribute defaults[] = {A_STR("environment", "test")};
    genops_defaults_set(defaults, 1, NULL);
    struct test_exporter *t = test_exporter_new();
    t->delay_us = 300; /* deliberately slow */
    hold(t, true);     /* and stuck at first, so that the small queue surely overflows */
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_queue_size = 256;
    opt.max_export_batch_size = 64;
    opt.schedule_delay_ms = 1;
    genops_pipeline *p = pipeline_with(&opt, t);

    pthread_t threads[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++)
        pthread_create(&threads[i], NULL, produce, p);
    /* Whether a merely slow exporter falls behind depends on how the machine schedules
     * the producers; a stuck one does, once 256 + 64 of 800,000 spans have ended. Then it
     * runs (slowly) while the producers go on. The wall-clock bound only stops a hang. */
    uint64_t t0 = clock_mono_ns();
    while (stats_of(p).dropped_queue_full == 0 && elapsed_ms(t0) < 60000)
        usleep(1000);
    hold(t, false);
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(genops_pipeline_flush(p, 60000, NULL), GENOPS_OK);

    genops_stats st = stats_of(p);
    print_message("stress: ended %llu exported %llu dropped(queue full) %llu batches %llu\n",
                  (unsigned long long)st.spans_ended, (unsigned long long)st.spans_exported,
                  (unsigned long long)st.dropped_queue_full, (unsigned long long)st.batches);
    assert_int_equal(st.spans_started, PRODUCERS * PER_PRODUCER);
    assert_int_equal(st.spans_ended, PRODUCERS * PER_PRODUCER);
    assert_int_equal(st.spans_exported + dropped(&st), st.spans_ended);
    assert_int_equal(st.spans_exported, atomic_load(&t->spans));
    assert_true(st.dropped_queue_full > 0); /* the slow exporter did overflow the queue */
    assert_true(atomic_load(&t->largest_batch) <= 64);
    assert_int_equal(st.queue_depth, 0);
    assert_int_equal(st.buffered_bytes, 0);
    genops_pipeline_free(p);
    genops_defaults_clear();
    assert_int_equal(slot_pool_in_use(), baseline); /* every slot went back to the pool */
}

/* ---- batching ----------------------------------------------------------------- */

static void test_batches_respect_the_size_and_the_delay(void **state)
{
    (void)state;
    struct test_exporter *t = test_exporter_new();
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_export_batch_size = 10;
    opt.schedule_delay_ms = 20;
    genops_pipeline *p = pipeline_with(&opt, t);
    for (int i = 0; i < 25; i++)
        genops_span_end(genops_span_start(p, "b", NULL, NULL), NULL);
    /* No flush: full batches go at once, the rest after the schedule delay. The
     * wall-clock bound only stops a hang (a loaded machine may run the thread late). */
    uint64_t t0 = clock_mono_ns();
    while (atomic_load(&t->spans) < 25 && elapsed_ms(t0) < 60000)
        usleep(1000);
    assert_int_equal(atomic_load(&t->spans), 25);
    assert_true(atomic_load(&t->largest_batch) <= 10);
    assert_true(atomic_load(&t->batches) >= 3);
    genops_pipeline_free(p);
}

static void test_queue_full_drops_and_counts(void **state)
{
    (void)state;
    struct test_exporter *t = test_exporter_new();
    hold(t, true);
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_queue_size = 4;
    genops_pipeline *p = pipeline_with(&opt, t);
    genops_span_end(genops_span_start(p, "first", NULL, NULL), NULL);
    genops_pipeline_flush(p, 0, NULL); /* wake the thread so it picks up "first" */
    wait_entered(t);
    for (int i = 0; i < 20; i++)
        genops_span_end(genops_span_start(p, "q", NULL, NULL), NULL);
    /* The held exporter no longer holds the export thread: its lane queues the batches
     * the thread keeps popping, up to max_queue_size spans, and drops its oldest past
     * that (counted as failed). So at most the held span, the lane's 4 and the ring's 4
     * are delivered, and every other span is counted. */
    hold(t, false);
    assert_int_equal(genops_pipeline_flush(p, 10000, NULL), GENOPS_OK);
    genops_stats st = stats_of(p);
    assert_true(st.spans_exported >= 1 && st.spans_exported <= 1 + 4 + 4);
    assert_int_equal(st.dropped_queue_full + st.dropped_export_failed, 21 - st.spans_exported);
    assert_int_equal(st.spans_exported + dropped(&st), 21);
    genops_pipeline_free(p);
}

/* max_queue_size unset: behind a stuck exporter what waits grows past the ring's 8192
 * spans within max_buffer_bytes (in the exporter's lane, and past the ring whenever the
 * producer outruns the export thread), and nothing is dropped. A hard cap of the ring's
 * size would drop at least SPANS - 8192 of them. */
static void test_an_unset_queue_grows_past_its_ring_instead_of_dropping(void **state)
{
    (void)state;
    enum { SPANS = 20000 };
    struct test_exporter *t = test_exporter_new();
    hold(t, true);
    genops_pipeline *p = pipeline_with(NULL, t);
    for (int i = 0; i < SPANS; i++)
        genops_span_end(genops_span_start(p, "queued", NULL, NULL), NULL);
    wait_entered(t); /* a full batch went to the exporter, which holds it */
    genops_stats st = stats_of(p);
    assert_int_equal(dropped(&st), 0);
    assert_true(st.buffered_bytes > 0); /* held: in the queue or the exporter's lane */
    hold(t, false);
    assert_int_equal(genops_pipeline_flush(p, 60000, NULL), GENOPS_OK);
    st = stats_of(p);
    assert_int_equal(st.spans_exported, SPANS);
    assert_int_equal(dropped(&st), 0);
    assert_int_equal(st.queue_depth, 0);
    assert_int_equal(st.buffered_bytes, 0);
    genops_pipeline_free(p);
}

/* A steady stream: the export thread times itself from the rate spans come at, so the
 * application thread pays for a futex wake at most about once (the first span, if the
 * thread was already asleep), not once a batch as when the thread waits to be told a
 * batch is full. The bound leaves room for a loaded machine running the thread late (a
 * producer then wakes it at the high-water mark). */
static void test_a_steady_stream_wakes_the_thread_rarely(void **state)
{
    (void)state;
    enum { BATCH = 64, BATCHES = 40 };
    struct test_exporter *t = test_exporter_new();
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_export_batch_size = BATCH;
    opt.schedule_delay_ms = 600000; /* never the delay: batches go when full */
    genops_pipeline *p = pipeline_with(&opt, t);
    for (int i = 0; i < BATCH * BATCHES; i++) {
        genops_span_end(genops_span_start(p, "steady", NULL, NULL), NULL);
        usleep(20);
    }
    uint64_t t0 = clock_mono_ns();
    while (atomic_load(&t->spans) < BATCH * (BATCHES - 1) && elapsed_ms(t0) < 60000)
        usleep(1000);
    genops_stats st = stats_of(p);
    print_message("steady: %llu batches, %llu wake-ups\n", (unsigned long long)st.batches,
                  (unsigned long long)st.thread_wakeups);
    assert_true(st.batches >= BATCHES - 1);
    assert_true(st.thread_wakeups * 4 < st.batches);
    genops_pipeline_free(p);
}

/* An idle export thread sleeps with no timeout, so a span arriving then must wake it,
 * and the application thread's futex wake is counted. The thread is idle only once it
 * has drained the queue and gone to sleep, which a loaded machine (valgrind) may delay:
 * each try waits for the last span's export and a little longer, bounded in count. */
static void test_a_span_into_an_idle_pipeline_wakes_the_thread(void **state)
{
    (void)state;
    struct test_exporter *t = test_exporter_new();
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_export_batch_size = 1; /* each span is a full batch: exported at once */
    genops_pipeline *p = pipeline_with(&opt, t);
    genops_stats st = stats_of(p);
    int tries = 0;
    while (st.thread_wakeups == 0 && tries < 200) {
        genops_span_end(genops_span_start(p, "idle", NULL, NULL), NULL);
        tries++;
        uint64_t t0 = clock_mono_ns();
        while (atomic_load(&t->spans) < tries && elapsed_ms(t0) < 10000)
            usleep(1000);
        usleep(10000);
        st = stats_of(p);
    }
    assert_int_equal(atomic_load(&t->spans), tries);
    assert_true(st.thread_wakeups >= 1);
    assert_true(st.thread_wakeups <= (uint64_t)tries);
    genops_pipeline_free(p);
}

static void test_byte_budget_bounds_what_is_held(void **state)
{
    (void)state;
    struct test_exporter *t = test_exporter_new();
    hold(t, true);
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_buffer_bytes = 16 * 1024;
    genops_pipeline *p = pipeline_with(&opt, t);
    char value[2048];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    for (int i = 0; i < 50; i++) {
        genops_span s = genops_span_start(p, "heavy", NULL, NULL);
        genops_span_set_str(s, "payload", value, NULL);
        genops_span_end(s, NULL);
    }
    genops_stats st = stats_of(p);
    assert_true(st.dropped_buffer_full > 0);
    assert_true(st.buffered_bytes <= opt.max_buffer_bytes);
    hold(t, false);
    genops_pipeline_flush(p, 10000, NULL);
    st = stats_of(p);
    assert_int_equal(st.spans_exported + dropped(&st), 50);
    assert_int_equal(st.buffered_bytes, 0);
    genops_pipeline_free(p);
}

static void test_no_exporter_counts_every_span(void **state)
{
    (void)state;
    genops_pipeline *p = genops_pipeline_new(NULL, NULL);
    for (int i = 0; i < 7; i++)
        genops_span_end(genops_span_start(p, "nowhere", NULL, NULL), NULL);
    genops_pipeline_flush(p, 10000, NULL);
    genops_stats st = stats_of(p);
    assert_int_equal(st.dropped_no_exporter, 7);
    assert_int_equal(st.spans_exported, 0);
    genops_pipeline_free(p);
}

/* Spans open when their pipeline is freed (a binding's init() replacing it) and ended
 * after: dropped, but counted in every pipeline's dropped_pipeline_freed. */
static void test_spans_ended_after_their_pipeline_was_freed_are_counted(void **state)
{
    (void)state;
    genops_pipeline *old = genops_pipeline_new(NULL, NULL);
    genops_span open[100];
    for (int i = 0; i < 100; i++)
        open[i] = genops_span_start(old, "open", NULL, NULL);
    genops_pipeline_free(old);
    genops_pipeline *p = genops_pipeline_new(NULL, NULL);
    uint64_t before = stats_of(p).dropped_pipeline_freed;
    for (int i = 0; i < 100; i++)
        assert_int_equal(genops_span_end(open[i], NULL), GENOPS_OK);
    genops_stats st = stats_of(p);
    assert_int_equal(st.dropped_pipeline_freed - before, 100);
    assert_int_equal(st.spans_ended, 0);
    genops_pipeline_free(p);
}

/* ---- deadlines ---------------------------------------------------------------- */

static void test_flush_and_shutdown_deadlines_hold_while_an_exporter_hangs(void **state)
{
    (void)state;
    struct test_exporter *t = test_exporter_new();
    hold(t, true);
    genops_pipeline *p = pipeline_with(NULL, t);
    genops_span open_span = genops_span_start(p, "ends after shutdown", NULL, NULL);
    genops_span_end(genops_span_start(p, "stuck", NULL, NULL), NULL);
    genops_error err;

    /* The exporter hangs forever, and the export timeout is 30 s: returning within 10 s
     * shows the 200 ms deadline was kept. A bound on correctness, not a speed claim, with
     * room for a machine many times slower (TSan, the other core busy). */
    uint64_t t0 = clock_mono_ns();
    assert_int_equal(genops_pipeline_flush(p, 200, &err), GENOPS_ETIMEDOUT);
    assert_non_null(strstr(err.message, "deadline"));
    assert_true(elapsed_ms(t0) < 10000);
    wait_entered(t);

    t0 = clock_mono_ns();
    assert_int_equal(genops_pipeline_shutdown(p, 200, &err), GENOPS_ETIMEDOUT);
    assert_true(elapsed_ms(t0) < 10000);
    assert_int_equal(genops_span_start(p, "too late", NULL, &err), GENOPS_SPAN_NONE);
    assert_int_equal(err.code, GENOPS_ESHUTDOWN);
    genops_span_end(open_span, NULL);
    genops_stats st = stats_of(p);
    assert_int_equal(st.dropped_shutdown, 1);
    assert_int_equal(st.start_failures, 1);
    assert_int_equal(genops_pipeline_shutdown(p, 200, NULL), GENOPS_OK); /* idempotent */
    hold(t, false); /* the thread can finish; free retires the pipeline meanwhile */
    genops_pipeline_free(p);
}

static void test_spans_queued_behind_a_stuck_exporter_are_counted_at_shutdown(void **state)
{
    (void)state;
    struct test_exporter *t = test_exporter_new();
    hold(t, true);
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_export_batch_size = 1;
    genops_pipeline *p = pipeline_with(&opt, t);
    genops_span_end(genops_span_start(p, "stuck", NULL, NULL), NULL);
    genops_pipeline_flush(p, 0, NULL); /* wake the thread: it takes "stuck" and hangs */
    wait_entered(t);
    for (int i = 0; i < 5; i++)
        genops_span_end(genops_span_start(p, "behind", NULL, NULL), NULL);
    assert_int_equal(genops_pipeline_shutdown(p, 100, NULL), GENOPS_ETIMEDOUT);
    hold(t, false); /* the exporter returns; the thread stops and counts what is left */
    genops_stats st = stats_of(p);
    uint64_t t0 = clock_mono_ns(); /* the wall-clock bound only stops a hang */
    while (st.spans_exported + dropped(&st) < 6 && elapsed_ms(t0) < 60000) {
        usleep(1000);
        st = stats_of(p);
    }
    assert_int_equal(st.spans_ended, 6);
    assert_int_equal(st.spans_exported, 1);
    assert_int_equal(st.dropped_shutdown, 5);
    assert_int_equal(st.queue_depth, 0);
    genops_pipeline_free(p);
}

static void test_forked_child_with_nothing_ended_shuts_down_at_once(void **state)
{
    (void)state;
    SKIP_UNDER_TSAN();
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    genops_pipeline *p = genops_pipeline_new(&opt, NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        alarm(120); /* a deadlock kills the child, and the parent sees it */
        /* "At once": well within a deadline it might otherwise wait out (30 s), with
         * room for a loaded machine (10 s). */
        uint64_t t0 = clock_mono_ns();
        genops_status rc = genops_pipeline_shutdown(p, 30000, NULL);
        genops_pipeline_free(p);
        _exit(rc != GENOPS_OK ? 2 : elapsed_ms(t0) > 10000 ? 3 : 0);
    }
    int status;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    genops_pipeline_free(p);
}

static void test_exit_flush_is_bounded(void **state)
{
    (void)state;
    SKIP_UNDER_TSAN();
    int err_pipe[2];
    assert_int_equal(pipe(err_pipe), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        dup2(err_pipe[1], 2);
        close(err_pipe[0]);
        struct test_exporter *t = test_exporter_new();
        hold(t, true); /* never returns: the exit flush must give up */
        genops_pipeline_options opt;
        genops_pipeline_options_init(&opt);
        opt.exit_flush_timeout_ms = 300;
        genops_pipeline *p = genops_pipeline_new(&opt, NULL);
        genops_pipeline_add_exporter(p, &t->base, NULL);
        genops_span_end(genops_span_start(p, "x", NULL, NULL), NULL);
        exit(0);
    }
    /* The exit flush gives up after 300 ms; 60 s leaves room for a loaded machine and
     * still ends a process that hangs on the exporter forever. */
    close(err_pipe[1]);
    int rc = child_exit_within(child, 60000);
    if (rc < 0)
        fail_msg("the process did not exit: the exit flush is not bounded");
    assert_int_equal(rc, 0);
    /* ... and says what it leaves behind: the span in flight at the held exporter. */
    char text[4096];
    ssize_t n, got = 0;
    while ((n = read(err_pipe[0], text + got, sizeof text - 1 - (size_t)got)) > 0)
        got += n;
    text[got > 0 ? got : 0] = '\0';
    close(err_pipe[0]);
    assert_non_null(strstr(text, "exit flush: flush did not finish before its deadline; 0 "
                                 "spans still queued and 1 at an exporter"));
}

/* ---- fork --------------------------------------------------------------------- */

struct line {
    int pid;
    unsigned long long id;
    char name[32];
};

static int read_lines(int fd, struct line *lines, int max)
{
    static char text[1 << 16];
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, text + got, sizeof text - 1 - got)) > 0)
        got += (size_t)n;
    text[got] = '\0';
    int count = 0;
    for (char *p = text; count < max && *p;) {
        if (sscanf(p, "%d %llx %31s", &lines[count].pid, &lines[count].id, lines[count].name) == 3)
            count++;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    return count;
}

static void test_fork_child_starts_empty_and_nothing_is_exported_twice(void **state)
{
    (void)state;
    SKIP_UNDER_TSAN();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct test_exporter *t = test_exporter_new();
    t->fd = fds[1];
    t->delay_us = 2000; /* the export thread may well be mid-batch at fork time */
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.schedule_delay_ms = 60000;     /* parent spans stay queued until flushed */
    opt.exit_flush_timeout_ms = 60000; /* the child's exit flush, on a loaded machine */
    genops_pipeline *p = pipeline_with(&opt, t);
    for (int i = 0; i < 5; i++)
        genops_span_end(genops_span_start(p, "parent-before", NULL, NULL), NULL);

    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        alarm(120); /* a deadlock kills the child, and the parent sees it */
        genops_stats st = {.struct_size = sizeof st};
        genops_pipeline_stats(p, &st, NULL);
        if (st.queue_depth != 0 || st.spans_ended != 0)
            _exit(3);
        for (int i = 0; i < 3; i++)
            genops_span_end(genops_span_start(p, "child", NULL, NULL), NULL);
        exit(0); /* the exit flush delivers the child's spans */
    }
    for (int i = 0; i < 2; i++)
        genops_span_end(genops_span_start(p, "parent-after", NULL, NULL), NULL);
    int status;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(genops_pipeline_flush(p, 10000, NULL), GENOPS_OK);
    genops_pipeline_free(p);
    close(fds[1]);

    struct line lines[64];
    int n = read_lines(fds[0], lines, 64);
    close(fds[0]);
    int parent_before = 0, parent_after = 0, from_child = 0;
    for (int i = 0; i < n; i++) {
        bool mine = lines[i].pid == getpid();
        if (strcmp(lines[i].name, "parent-before") == 0 && mine)
            parent_before++;
        else if (strcmp(lines[i].name, "parent-after") == 0 && mine)
            parent_after++;
        else if (strcmp(lines[i].name, "child") == 0 && lines[i].pid == child)
            from_child++;
        else
            fail_msg("unexpected delivery: pid %d name %s", lines[i].pid, lines[i].name);
        for (int j = 0; j < i; j++)
            if (lines[j].id == lines[i].id)
                fail_msg("span id %llx delivered twice or reused by the child", lines[i].id);
    }
    assert_int_equal(parent_before, 5);
    assert_int_equal(parent_after, 2);
    assert_int_equal(from_child, 3);
}

static void test_sdk_disabled_exports_nothing_and_counts(void **state)
{
    (void)state;
    setenv("OTEL_SDK_DISABLED", "TRUE", 1);
    genops_pipeline *p = genops_pipeline_new(NULL, NULL);
    unsetenv("OTEL_SDK_DISABLED");
    genops_exporter *m = genops_memory_exporter_new(NULL);
    assert_int_equal(genops_pipeline_add_exporter(p, m, NULL), GENOPS_OK); /* freed */
    genops_span s = genops_span_start(p, "quiet", NULL, NULL);
    assert_int_not_equal(s, GENOPS_SPAN_NONE); /* the application's code keeps working */
    genops_span_end(s, NULL);
    genops_pipeline_flush(p, 10000, NULL);
    genops_stats st = stats_of(p);
    assert_int_equal(st.dropped_no_exporter, 1);
    genops_pipeline_free(p);
}

static void test_shutdown_without_flush_still_stops_an_idle_thread(void **state)
{
    (void)state;
    /* No deadline to flush in, but an idle thread is stopped and joined, not left behind
     * (TSan reports a thread leak and valgrind an unjoined thread otherwise). */
    for (int i = 0; i < 20; i++) {
        genops_pipeline_options opt;
        genops_pipeline_options_init(&opt);
        opt.exit_flush_timeout_ms = GENOPS_NO_EXIT_FLUSH;
        genops_pipeline *p = genops_pipeline_new(&opt, NULL);
        genops_span_end(genops_span_start(p, "left", NULL, NULL), NULL);
        genops_stats st;
        if (i == 0) {
            assert_int_equal(genops_pipeline_shutdown(p, 0, NULL), GENOPS_OK);
            st = stats_of(p);
            assert_int_equal(st.spans_exported + dropped(&st), 1); /* counted either way */
        }
        genops_pipeline_free(p);
    }
}

/* ---- logging ------------------------------------------------------------------ */

static int count_lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_one_drop_warning_and_the_periodic_stats_line(void **state)
{
    (void)state;
    SKIP_UNDER_TSAN();
    int fds[2], go[2]; /* the child's stderr; the parent's "seen enough, exit" */
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(pipe(go), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        alarm(120); /* a deadlock kills the child, and the parent sees it */
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        close(go[1]);
        setenv("GENOPS_LOG_LEVEL", "info", 1);
        struct test_exporter *t = test_exporter_new();
        hold(t, true);
        genops_pipeline_options opt;
        genops_pipeline_options_init(&opt);
        opt.max_queue_size = 2;
        opt.exit_flush_timeout_ms = GENOPS_NO_EXIT_FLUSH;
        genops_pipeline *p = genops_pipeline_new(&opt, NULL);
        genops_pipeline_add_exporter(p, &t->base, NULL);
        for (int i = 0; i < 50; i++) /* many drops, one warning */
            genops_span_end(genops_span_start(p, "x", NULL, NULL), NULL);
        genops_pipeline_log_stats(p, 20, NULL);
        hold(t, false);
        /* The export thread writes the stats lines when it gets the CPU: stay until the
         * parent has read one (or gives up), not for a fixed time. */
        char c;
        while (read(go[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(fds[1]);
    close(go[0]);
    static char text[1 << 16];
    size_t got = 0;
    ssize_t n;
    uint64_t t0 = clock_mono_ns(); /* the wall-clock bound only stops a hang */
    text[0] = '\0';
    while (!strstr(text, "genops: info: stats: started=50 ended=50") && elapsed_ms(t0) < 60000 &&
           got < sizeof text - 1) {
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        if ((n = read(fds[0], text + got, sizeof text - 1 - got)) <= 0)
            break;
        got += (size_t)n;
        text[got] = '\0';
    }
    close(go[1]); /* the child exits; read what it wrote until then */
    while ((n = read(fds[0], text + got, sizeof text - 1 - got)) > 0)
        got += (size_t)n;
    text[got] = '\0';
    close(fds[0]);
    int status;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(count_lines_with(text, "genops: warning: dropping spans: the queue is full"),
                     1);
    assert_true(count_lines_with(text, "genops: info: stats: started=50 ended=50") >= 1);
}

/* ---- configuration ------------------------------------------------------------ */

static void test_environment_configures_and_options_override(void **state)
{
    (void)state;
    genops_error err;
    /* A malformed variable is a warning and the default, never a failed start. */
    static const char *const malformed[][2] = {{"OTEL_BSP_MAX_QUEUE_SIZE", "lots"},
                                               {"OTEL_BSP_MAX_QUEUE_SIZE", "0"},
                                               {"OTEL_BSP_SCHEDULE_DELAY", "-5"},
                                               {"OTEL_BSP_EXPORT_TIMEOUT", "12x"}};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        setenv(malformed[i][0], malformed[i][1], 1);
        genops_pipeline *started = genops_pipeline_new(NULL, &err);
        assert_non_null(started);
        genops_pipeline_free(started);
        unsetenv(malformed[i][0]);
    }
    genops_pipeline_options bad;
    genops_pipeline_options_init(&bad);
    bad.schedule_delay_ms = -5; /* an explicit option is still the caller's mistake */
    assert_null(genops_pipeline_new(&bad, &err));
    assert_int_equal(err.code, GENOPS_EINVAL);
    setenv("OTEL_BSP_MAX_QUEUE_SIZE", "4", 1);

    /* Queue 4 from the environment: batches never exceed the queue (an exporter no
     * longer holds the export thread, so a held one cannot be what overflows it). */
    struct test_exporter *t = test_exporter_new();
    genops_pipeline *p = pipeline_with(NULL, t);
    for (int i = 0; i < 20; i++)
        genops_span_end(genops_span_start(p, "env", NULL, NULL), NULL);
    assert_int_equal(genops_pipeline_flush(p, 10000, NULL), GENOPS_OK);
    assert_true(atomic_load(&t->largest_batch) <= 4);
    genops_pipeline_free(p);

    /* An explicit option wins over the environment: the flush takes all 20 at once. */
    t = test_exporter_new();
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.max_queue_size = 64;
    p = pipeline_with(&opt, t);
    for (int i = 0; i < 20; i++)
        genops_span_end(genops_span_start(p, "opt", NULL, NULL), NULL);
    assert_int_equal(stats_of(p).dropped_queue_full, 0);
    assert_int_equal(genops_pipeline_flush(p, 10000, NULL), GENOPS_OK);
    assert_true(atomic_load(&t->largest_batch) > 4);
    genops_pipeline_free(p);
    unsetenv("OTEL_BSP_MAX_QUEUE_SIZE");

    genops_pipeline_options_init(&opt);
    opt.max_export_batch_size = 1u << 30;
    assert_null(genops_pipeline_new(&opt, &err));
    assert_non_null(strstr(err.message, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stress_every_ended_span_is_exported_or_counted),
        cmocka_unit_test(test_batches_respect_the_size_and_the_delay),
        cmocka_unit_test(test_queue_full_drops_and_counts),
        cmocka_unit_test(test_an_unset_queue_grows_past_its_ring_instead_of_dropping),
        cmocka_unit_test(test_a_steady_stream_wakes_the_thread_rarely),
        cmocka_unit_test(test_a_span_into_an_idle_pipeline_wakes_the_thread),
        cmocka_unit_test(test_byte_budget_bounds_what_is_held),
        cmocka_unit_test(test_no_exporter_counts_every_span),
        cmocka_unit_test(test_spans_ended_after_their_pipeline_was_freed_are_counted),
        cmocka_unit_test(test_flush_and_shutdown_deadlines_hold_while_an_exporter_hangs),
        cmocka_unit_test(test_spans_queued_behind_a_stuck_exporter_are_counted_at_shutdown),
        cmocka_unit_test(test_forked_child_with_nothing_ended_shuts_down_at_once),
        cmocka_unit_test(test_exit_flush_is_bounded),
        cmocka_unit_test(test_fork_child_starts_empty_and_nothing_is_exported_twice),
        cmocka_unit_test(test_sdk_disabled_exports_nothing_and_counts),
        cmocka_unit_test(test_shutdown_without_flush_still_stops_an_idle_thread),
        cmocka_unit_test(test_one_drop_warning_and_the_periodic_stats_line),
        cmocka_unit_test(test_environment_configures_and_options_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
