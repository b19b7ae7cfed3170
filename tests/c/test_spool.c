/* test_spool.c - the disk spool (issue 12, item 2): the segment queue on its own
 * (order, restart, torn and corrupt tails, the byte bound, a full disk, the lock), and
 * through a pipeline whose OTLP backend on 127.0.0.1 is down for a while, then back. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "spool/spool.h"
#include "spool/spool_lock.h"
#include "testutil.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* A fresh directory under /tmp, removed by the caller with rm_tree. */
static void temp_dir(char *out, size_t size)
{
    snprintf(out, size, "/tmp/genops-spool-XXXXXX");
    assert_non_null(mkdtemp(out));
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const struct spool_options small = {64 * 1024, 16 * 1024, GENOPS_SPOOL_FSYNC_NEVER};

/* The spool in dir with the small bounds, as a process (re)starting opens it. */
static struct spool *open_small(const char *dir)
{
    genops_error err;
    struct spool *s;
    assert_int_equal(spool_open(&s, dir, &small, &err), GENOPS_OK);
    return s;
}

/* A spool with the small bounds in a fresh directory (its path into dir). */
static struct spool *fresh_spool(char *dir, size_t size)
{
    temp_dir(dir, size);
    return open_small(dir);
}

static void append_n(struct spool *s, int first, int n, size_t body_len)
{
    char *body = malloc(body_len);
    for (int i = first; i < first + n; i++) {
        memset(body, 'a' + i % 26, body_len);
        snprintf(body, body_len, "%d", i);
        struct spool_record r = {(uint32_t)i, "application/x-protobuf", i % 2 ? "gzip" : NULL,
                                 NULL,        (const uint8_t *)body,    body_len};
        assert_int_equal(spool_append(s, &r), GENOPS_OK);
    }
    free(body);
}

/* Read and consume every record: their span counts (each record's number) in order. */
static int drain(struct spool *s, uint32_t *got, int max)
{
    int n = 0;
    struct spool_record r;
    while (n < max && spool_peek(s, &r)) {
        assert_string_equal(r.content_type, "application/x-protobuf");
        assert_int_equal(atoi((const char *)r.body), (int)r.spans);
        got[n++] = r.spans;
        spool_consume(s, &r, true);
    }
    return n;
}

static void test_records_come_back_in_order_also_after_a_restart(void **state)
{
    (void)state;
    char dir[64];
    struct spool *s = fresh_spool(dir, sizeof dir);
    append_n(s, 1, 10, 3000); /* 30 KB: two segments of 16 KiB */
    struct spool_record r;
    assert_true(spool_peek(s, &r));
    assert_int_equal(r.spans, 1);
    assert_string_equal(r.content_encoding, "gzip");
    spool_consume(s, &r, true);
    spool_close(s); /* "exit": the other nine stay on disk */

    s = open_small(dir);
    assert_int_equal(atomic_load(&s->stats.pending), 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 1);
    append_n(s, 11, 2, 100); /* a restart appends to a segment of its own */
    uint32_t got[32];
    int n = drain(s, got, 32);
    /* At least once: record 1 was consumed in a segment still being read, so it comes
     * again after the restart; then 2..12 in order. */
    assert_int_equal(n, 12);
    for (int i = 0; i < n; i++)
        assert_int_equal(got[i], (uint32_t)(i + 1));
    assert_false(spool_pending(s));
    assert_int_equal(atomic_load(&s->stats.bytes), 0);
    spool_close(s);
    rm_tree(dir);
}

static void corrupt_case(bool truncate)
{
    char dir[64], seg[128];
    struct spool *s = fresh_spool(dir, sizeof dir);
    append_n(s, 1, 3, 1000);
    spool_close(s);
    snprintf(seg, sizeof seg, "%s/%016x.seg", dir, 0);
    int fd = open(seg, O_RDWR);
    assert_true(fd >= 0);
    struct stat st;
    fstat(fd, &st);
    if (truncate) {
        assert_int_equal(ftruncate(fd, st.st_size - 10), 0); /* a torn last record */
    } else {
        char c = 'X'; /* a flipped byte in the second record's body */
        assert_int_equal(pwrite(fd, &c, 1, st.st_size / 2), 1);
    }
    close(fd);
    s = open_small(dir);
    uint32_t got[8];
    int n = drain(s, got, 8);
    assert_int_equal(n, truncate ? 2 : 1);
    assert_int_equal(atomic_load(&s->stats.corrupt_tails), 1);
    assert_false(spool_pending(s));
    assert_false(spool_peek(s, &(struct spool_record){0})); /* and it stays skipped */
    spool_close(s);
    rm_tree(dir);
}

static void test_a_torn_tail_is_skipped_and_counted(void **state)
{
    (void)state;
    corrupt_case(true);
}

static void test_a_corrupt_record_ends_its_segment_counted(void **state)
{
    (void)state;
    corrupt_case(false);
}

static void test_the_oldest_segments_go_for_the_byte_bound(void **state)
{
    (void)state;
    char dir[64];
    struct spool *s = fresh_spool(dir, sizeof dir);
    append_n(s, 1, 100, 2000); /* 200 KB into 64 KiB */
    assert_true(atomic_load(&s->stats.bytes) <= small.max_bytes);
    uint64_t dropped = atomic_load(&s->stats.dropped);
    uint32_t got[128];
    int n = drain(s, got, 128);
    uint64_t kept = 0;
    for (int i = 0; i < n; i++)
        kept += got[i];
    assert_true(n > 10 && n < 100);
    assert_int_equal(got[n - 1], 100); /* the newest are kept */
    assert_int_equal(kept + dropped, 100 * 101 / 2);
    /* A record larger than the whole bound is dropped and counted, not written. */
    char *big = calloc(1, 70000);
    struct spool_record r = {7, "x", NULL, NULL, (const uint8_t *)big, 70000};
    assert_int_equal(spool_append(s, &r), GENOPS_ETOOBIG);
    assert_int_equal(atomic_load(&s->stats.dropped), dropped + 7);
    free(big);
    spool_close(s);
    rm_tree(dir);
}

/* RLIMIT_FSIZE in a child: writes fail with EFBIG (SIGXFSZ ignored, as the lanes block
 * it), nothing half-written stays, the spans are counted. */
static void test_a_full_disk_is_counted(void **state)
{
    (void)state;
    char dir[64];
    temp_dir(dir, sizeof dir);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        genops_error err;
        struct spool *s;
        if (spool_open(&s, dir, &small, &err))
            _exit(1);
        struct rlimit lim = {1500, 1500};
        setrlimit(RLIMIT_FSIZE, &lim);
        char body[1000] = "1";
        int ok = 0, failed = 0;
        for (int i = 0; i < 4; i++) {
            struct spool_record r = {1, "x", NULL, NULL, (const uint8_t *)body, sizeof body};
            if (spool_append(s, &r) == GENOPS_OK)
                ok++;
            else
                failed++;
        }
        struct spool_record r;
        int read = 0;
        while (spool_peek(s, &r)) {
            spool_consume(s, &r, true);
            read++;
        }
        _exit(ok == 1 && failed == 3 && read == 1 && atomic_load(&s->stats.write_failed) == 3 &&
                      atomic_load(&s->stats.corrupt_tails) == 0
                  ? 0
                  : 2);
    }
    assert_int_equal(child_exit_within(pid, 10000), 0);
    rm_tree(dir);
}

/* A pipeline spooling to dir with exporter e, its queue of queue_size spans (0: the
 * default), its export deadline timeout_ms; NULL (err set) when e cannot be added. */
static genops_pipeline *pipeline_spooling_to(const char *dir, genops_exporter *e,
                                             uint32_t queue_size, genops_duration_ms timeout_ms,
                                             genops_error *err)
{
    genops_pipeline_options po;
    genops_pipeline_options_init(&po);
    po.spool_dir = dir;
    po.max_queue_size = queue_size;
    po.max_export_batch_size = queue_size / 2;
    po.export_timeout_ms = timeout_ms;
    po.exit_flush_timeout_ms = -1;
    genops_pipeline *p = genops_pipeline_new(&po, err);
    assert_non_null(p);
    assert_non_null(e);
    if (genops_pipeline_add_exporter(p, e, err) == GENOPS_OK)
        return p;
    genops_exporter_free(e);
    genops_pipeline_free(p);
    return NULL;
}

/* An OTLP exporter at 127.0.0.1:port, and a pipeline spooling it as above. */
static genops_pipeline *sized_spooling_pipeline(const char *dir, int port, uint32_t queue_size,
                                                genops_error *err)
{
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/traces", port);
    o.endpoint = url;
    o.timeout_ms = 400;
    return pipeline_spooling_to(dir, genops_otlp_exporter_new(&o, err), queue_size, 400, err);
}

static genops_pipeline *spooling_pipeline_or_error(const char *dir, int port, genops_error *err)
{
    return sized_spooling_pipeline(dir, port, 0, err);
}

static genops_pipeline *spooling_pipeline(const char *dir, int port)
{
    genops_error err;
    genops_pipeline *p = spooling_pipeline_or_error(dir, port, &err);
    assert_non_null(p);
    return p;
}

static void test_a_second_holder_is_refused(void **state)
{
    (void)state;
    char dir[64];
    temp_dir(dir, sizeof dir);
    genops_error err;
    int fd = spool_lock(dir, &err);
    assert_true(fd >= 0);
    /* Another open of the lock file (as another process would) is refused, by name. */
    assert_int_equal(spool_lock(dir, &err), -1);
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "in use by another pipeline"));
    char pid[32];
    snprintf(pid, sizeof pid, "process %ld", (long)getpid());
    assert_non_null(strstr(err.message, pid));
    /* And through the public API: when the first exporter that spools is added. */
    genops_pipeline *p = spooling_pipeline_or_error(dir, 9, &err);
    assert_null(p);
    assert_int_equal(err.code, GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "in use by another pipeline"));
    spool_unlock(fd);
    p = spooling_pipeline_or_error(dir, 9, &err);
    assert_non_null(p);
    genops_pipeline_free(p);
    rm_tree(dir);
}

/* ---- through a pipeline ------------------------------------------------------- */

/* A backend on 127.0.0.1: a socket bound but not listening refuses connections ("down");
 * listening, a thread answers every POST 200 ("back"). */
struct backend {
    int fd, port;
    bool serving;
    pthread_t thread;
    atomic_int requests;
};

static void *serve(void *arg)
{
    struct backend *b = arg;
    for (;;) {
        int c = accept(b->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[65536];
        size_t have = 0;
        for (;;) {
            char *end = have ? memmem(buf, have, "\r\n\r\n", 4) : NULL;
            if (end) {
                const char *cl = memmem(buf, (size_t)(end - buf), "Content-Length:", 15);
                size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0, head = (size_t)(end - buf) + 4;
                while (have < head + body) { /* the body: read and discarded */
                    ssize_t n = read(c, buf + have, sizeof buf - have);
                    if (n <= 0)
                        goto done;
                    have += (size_t)n;
                    if (have == sizeof buf) {
                        body -= have - head;
                        have = head = 0;
                    }
                }
                atomic_fetch_add(&b->requests, 1);
                const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
                if (write(c, ok, sizeof ok - 1) < 0)
                    goto done;
                memmove(buf, buf + head + body, have - head - body);
                have -= head + body;
                continue;
            }
            ssize_t n = read(c, buf + have, sizeof buf - have);
            if (n <= 0 || (have += (size_t)n) == sizeof buf)
                break;
        }
    done:
        close(c);
    }
}

static void backend_down(struct backend *b)
{
    memset(b, 0, sizeof *b);
    b->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(b->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(b->fd, (struct sockaddr *)&a, &len), 0);
    b->port = ntohs(a.sin_port);
}

static void backend_up(struct backend *b)
{
    assert_int_equal(listen(b->fd, 16), 0);
    assert_int_equal(pthread_create(&b->thread, NULL, serve, b), 0);
    b->serving = true;
}

static void backend_close(struct backend *b)
{
    shutdown(b->fd, SHUT_RDWR);
    close(b->fd);
    if (b->serving)
        pthread_join(b->thread, NULL);
}

static void record_batch(genops_pipeline *p, int n)
{
    genops_error err;
    for (int i = 0; i < n; i++)
        genops_span_end(genops_span_start(p, "spooled", NULL, &err), &err);
    assert_int_equal(genops_pipeline_flush(p, 3000, &err), GENOPS_OK);
}

static genops_stats stats_of(genops_pipeline *p)
{
    genops_stats st = {.struct_size = sizeof st};
    assert_int_equal(genops_pipeline_stats(p, &st, NULL), GENOPS_OK);
    return st;
}

/* A fresh spool directory and a backend that is down. */
static void start_down(char *dir, size_t size, struct backend *b)
{
    temp_dir(dir, size);
    backend_down(b);
}

/* Every spooled span went out in `requests` requests; then clean up. */
static void expect_replayed(genops_pipeline *p, struct backend *b, char *dir, uint64_t spans,
                            int requests)
{
    genops_stats st = stats_of(p);
    assert_int_equal(st.spool_replayed, spans);
    assert_int_equal(st.spool_pending, 0);
    assert_int_equal(atomic_load(&b->requests), requests);
    genops_pipeline_free(p);
    backend_close(b);
    rm_tree(dir);
}

static void test_backend_down_then_back_loses_nothing(void **state)
{
    (void)state;
    char dir[64];
    struct backend b;
    start_down(dir, sizeof dir, &b);
    genops_pipeline *p = spooling_pipeline(dir, b.port);
    for (int i = 0; i < 3; i++)
        record_batch(p, 5);
    genops_stats st = stats_of(p);
    assert_int_equal(st.spans_spooled, 15);
    assert_int_equal(st.dropped_export_failed, 0);
    assert_int_equal(st.spool_pending, 15);
    backend_up(&b);
    record_batch(p, 5); /* the backlog first, then these */
    assert_int_equal(stats_of(p).spans_exported, 5);
    expect_replayed(p, &b, dir, 15, 4);
}

/* One process spools with the backend down and exits; the next one, with the backend
 * up, sends it all without recording anything new (the idle lane replays). */
static void test_a_restart_delivers_what_the_last_process_spooled(void **state)
{
    (void)state;
    char dir[64];
    struct backend b;
    start_down(dir, sizeof dir, &b);
    pid_t pid = fork();
    if (pid == 0) {
        genops_pipeline *p = spooling_pipeline(dir, b.port);
        for (int i = 0; i < 4; i++)
            record_batch(p, 3);
        genops_stats st = stats_of(p);
        _exit(st.spans_spooled == 12 ? 0 : 2); /* no free: as a process that just exits */
    }
    assert_int_equal(child_exit_within(pid, 20000), 0);
    backend_up(&b);
    genops_pipeline *p = spooling_pipeline(dir, b.port);
    uint64_t t0 = clock_mono_ns();
    while (stats_of(p).spool_replayed < 12 && elapsed_ms(t0) < 10000)
        usleep(10000);
    expect_replayed(p, &b, dir, 12, 4);
}

/* A lane over its share (its backend blackholed: each export call waits for its
 * deadline while batches arrive) spools the batches it has no room for instead of
 * dropping them. Queue 8 spans, batches of 4: from the third batch on, the lane is over
 * its share while its thread is stuck in the first. */
static void test_batches_over_the_share_are_spooled_not_dropped(void **state)
{
    (void)state;
    char dir[64];
    struct backend b;
    start_down(dir, sizeof dir, &b);
    assert_int_equal(listen(b.fd, 64), 0); /* never accepted: blackholed */
    genops_error err;
    genops_pipeline *p = sized_spooling_pipeline(dir, b.port, 8, &err);
    assert_non_null(p);
    for (int batch = 0; batch < 6; batch++) {
        for (int i = 0; i < 4; i++)
            genops_span_end(genops_span_start(p, "over", NULL, &err), &err);
        uint64_t t0 = clock_mono_ns(); /* the ring empties into the lane (not the backend) */
        while (stats_of(p).queue_depth && elapsed_ms(t0) < 2000)
            usleep(1000);
    }
    assert_int_equal(genops_pipeline_flush(p, 15000, &err), GENOPS_OK);
    genops_stats st = stats_of(p);
    genops_exporter_stats ex = {.struct_size = sizeof ex};
    assert_int_equal(genops_pipeline_exporter_stats(p, 0, &ex, &err), GENOPS_OK);
    assert_int_equal(st.dropped_queue_full, 0);
    assert_int_equal(ex.dropped_share, 0);
    assert_int_equal(st.dropped_export_failed, 0);
    assert_int_equal(st.spans_spooled, 24);
    assert_int_equal(ex.spooled, 24);
    assert_int_equal(st.spool_pending, 24);
    genops_pipeline_free(p);
    backend_close(&b);
    rm_tree(dir);
}

/* Backend refusing connections, export deadline 5 s: once batches wait past the lane's
 * share, the export in flight stops retrying and spools, so the waiting ones follow at
 * once (before, the first batch retried until its deadline while the rest waited). */
static void test_a_lane_past_its_share_stops_retrying_and_spools(void **state)
{
    (void)state;
    char dir[64];
    struct backend b;
    start_down(dir, sizeof dir, &b);
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/traces", b.port);
    o.endpoint = url;
    o.timeout_ms = 5000;
    genops_error err;
    genops_pipeline *p =
        pipeline_spooling_to(dir, genops_otlp_exporter_new(&o, &err), 8, 5000, &err);
    assert_non_null(p);
    for (int batch = 0; batch < 6; batch++) {
        for (int i = 0; i < 4; i++)
            genops_span_end(genops_span_start(p, "hurried", NULL, &err), &err);
        uint64_t t0 = clock_mono_ns();
        while (stats_of(p).queue_depth && elapsed_ms(t0) < 2000)
            usleep(1000);
    }
    assert_int_equal(genops_pipeline_flush(p, 15000, &err), GENOPS_OK);
    genops_exporter_stats ex = {.struct_size = sizeof ex};
    assert_int_equal(genops_pipeline_exporter_stats(p, 0, &ex, &err), GENOPS_OK);
    assert_int_equal(ex.spooled, 24);
    assert_int_equal(ex.dropped_share + ex.dropped_export_failed, 0);
    printf("retries before spooling: %llu\n", (unsigned long long)ex.retries);
    assert_true(ex.retries <= 3); /* a full 5 s of backoff is six or more */
    genops_pipeline_free(p);
    backend_close(&b);
    rm_tree(dir);
}

/* A Splunk HEC exporter at 127.0.0.1:port, with or without indexer acknowledgement. */
static genops_pipeline *hec_spooling_pipeline(const char *dir, int port, bool use_ack)
{
    genops_hec_options o;
    genops_hec_options_init(&o);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    o.endpoint = url;
    o.token = "00000000-0000-0000-0000-000000000000";
    o.use_ack = use_ack;
    o.timeout_ms = 400;
    genops_error err;
    genops_pipeline *p = pipeline_spooling_to(dir, genops_hec_exporter_new(&o, &err), 0, 400, &err);
    assert_non_null(p);
    return p;
}

/* Splunk HEC spools too (without indexer acknowledgement) and replays once HEC is back;
 * with acknowledgement (per channel and process) it does not, and counts its failures. */
static void test_splunk_hec_spools_without_ack(void **state)
{
    (void)state;
    char dir[64];
    struct backend b;
    start_down(dir, sizeof dir, &b);
    genops_pipeline *p = hec_spooling_pipeline(dir, b.port, true);
    record_batch(p, 2);
    genops_stats st = stats_of(p);
    assert_int_equal(st.spans_spooled, 0);
    assert_int_equal(st.dropped_export_failed, 2);
    genops_pipeline_free(p);

    p = hec_spooling_pipeline(dir, b.port, false);
    for (int i = 0; i < 3; i++)
        record_batch(p, 5);
    st = stats_of(p);
    assert_int_equal(st.spans_spooled, 15);
    assert_int_equal(st.dropped_export_failed, 0);
    backend_up(&b);
    record_batch(p, 5);
    assert_int_equal(stats_of(p).spans_exported, 5);
    expect_replayed(p, &b, dir, 15, 4);
}

/* A forked child does not spool (its parent holds the directory): its failures count. */
static void test_a_forked_child_does_not_spool(void **state)
{
    (void)state;
    SKIP_UNDER_TSAN();
    char dir[64];
    struct backend b;
    start_down(dir, sizeof dir, &b);
    genops_pipeline *p = spooling_pipeline(dir, b.port);
    record_batch(p, 2);
    pid_t pid = fork();
    if (pid == 0) {
        record_batch(p, 3);
        genops_stats st = stats_of(p);
        _exit(st.spans_spooled == 0 && st.dropped_export_failed == 3 ? 0 : 2);
    }
    assert_int_equal(child_exit_within(pid, 20000), 0);
    genops_stats st = stats_of(p);
    assert_int_equal(st.spans_spooled, 2);
    assert_int_equal(st.spool_pending, 2);
    genops_pipeline_free(p);
    close(b.fd);
    rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_come_back_in_order_also_after_a_restart),
        cmocka_unit_test(test_a_torn_tail_is_skipped_and_counted),
        cmocka_unit_test(test_a_corrupt_record_ends_its_segment_counted),
        cmocka_unit_test(test_the_oldest_segments_go_for_the_byte_bound),
        cmocka_unit_test(test_a_full_disk_is_counted),
        cmocka_unit_test(test_a_second_holder_is_refused),
        cmocka_unit_test(test_backend_down_then_back_loses_nothing),
        cmocka_unit_test(test_a_restart_delivers_what_the_last_process_spooled),
        cmocka_unit_test(test_a_forked_child_does_not_spool),
        cmocka_unit_test(test_batches_over_the_share_are_spooled_not_dropped),
        cmocka_unit_test(test_splunk_hec_spools_without_ack),
        cmocka_unit_test(test_a_lane_past_its_share_stops_retrying_and_spools),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
