/* test_sender.c - the shared send loop (sender.c) on its own: a scripted transport, and
 * a builder and classifier that record what the loop asks of them. Covers the deadline,
 * Retry-After, halving on "too large", per-item answers and first-failure logging; the
 * protocols' own rules are tested against their strict local servers (tests/python). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "log.h"
#include "retry.h"
#include "sender.h"

#define MS        1000000ull
#define MAX_ITEMS 64
#define MAX_SENDS 256

enum answer { ANSWER_OK, ANSWER_BUSY, ANSWER_REFUSED, ANSWER_BROKEN };

/* One request as the transport saw it. */
struct sent {
    size_t first, n;
    unsigned resends;
    uint64_t at_ns;
};

/* What the fake protocol does; the transport has no context argument, so one global. */
static struct script {
    /* per request: the answer and the Retry-After to give (-1: none) */
    enum answer (*answer)(const struct sender_part *p, unsigned request);
    int64_t retry_after_ms;
    size_t max_per_request; /* the classifier answers "too large" above it (0: never) */
    size_t huge_item;       /* the builder cannot fit this item alone (SIZE_MAX: none) */
    size_t again_item;      /* a per-item answer marks this one "again" (SIZE_MAX: none) */
    bool again_forever;     /* ...every time, not only the first */
    struct sender_part built[MAX_SENDS];
    size_t n_built;
    struct sent sent[MAX_SENDS];
    size_t n_sent;
    unsigned delivered_per_item[MAX_ITEMS]; /* times each item was in a delivered request */
} sc;

static genops_status fake_transport(struct http_client *c, const struct http_request *req,
                                    struct http_response *r)
{
    const struct sender_part *p = req->body;
    assert_true(sc.n_sent < MAX_SENDS);
    sc.sent[sc.n_sent] = (struct sent){p->first, p->n, p->resends, clock_mono_ns()};
    enum answer a = sc.answer(p, (unsigned)sc.n_sent++);
    r->retry_after_ms = sc.retry_after_ms;
    r->bytes_sent = req->len;
    r->status = a == ANSWER_OK ? 200 : a == ANSWER_BUSY ? 503 : 400;
    if (a == ANSWER_BROKEN) {
        r->status = 0;
        r->retryable = true;
        snprintf(r->error, sizeof r->error, "connection refused");
        return GENOPS_EIO;
    }
    return GENOPS_OK;
}

static genops_status fake_build(void *ctx, const struct batch *b, struct sender_part *part,
                                struct http_request *req)
{
    part->bytes = part->n * 100;
    if (part->first <= sc.huge_item && sc.huge_item < part->first + part->n)
        return GENOPS_ETOOBIG;
    assert_true(sc.n_built < MAX_SENDS);
    sc.built[sc.n_built] = *part;
    *req = (struct http_request){.body = &sc.built[sc.n_built++], .len = part->bytes};
    return GENOPS_OK;
}

static void fake_classify(void *ctx, const struct batch *b, const struct sender_part *part,
                          genops_status rc, const struct http_response *resp,
                          struct sender_outcome *out, uint8_t *marks)
{
    if (sc.max_per_request && part->n > sc.max_per_request) {
        out->verdict = SENDER_TOO_LARGE;
        out->reason = 1;
        return;
    }
    if (sc.again_item != SIZE_MAX && resp->status == 200 && part->first <= sc.again_item &&
        sc.again_item < part->first + part->n && (sc.again_forever || !part->resends)) {
        out->verdict = SENDER_PER_ITEM;
        out->wait = true;
        out->reason = 3;
        for (size_t i = 0; i < part->n; i++) {
            bool again = part->first + i == sc.again_item;
            marks[i] = sender_mark(again ? SENDER_ITEM_AGAIN : SENDER_ITEM_DELIVERED, 0);
            if (!again)
                sc.delivered_per_item[part->first + i]++;
        }
        return;
    }
    if (resp->status == 200) {
        out->verdict = SENDER_DELIVERED;
        for (size_t i = 0; i < part->n; i++)
            sc.delivered_per_item[part->first + i]++;
        return;
    }
    out->log_key = resp->status ? resp->status : -1;
    snprintf(out->text, sizeof out->text, "answered %ld", resp->status);
    out->verdict = resp->status == 400 ? SENDER_REJECTED : SENDER_RETRY;
    out->reason = resp->status == 400 ? 2 : 4;
}

static const struct sender_ops fake_ops = {.build = fake_build,
                                           .classify = fake_classify,
                                           .item = "item",
                                           .too_large_reason = 5,
                                           .failed_reason = 6};

static enum answer always_ok(const struct sender_part *p, unsigned request)
{
    return ANSWER_OK;
}

static enum answer always_busy(const struct sender_part *p, unsigned request)
{
    return ANSWER_BUSY;
}

static enum answer busy_then_ok(const struct sender_part *p, unsigned request)
{
    return request == 0 ? ANSWER_BUSY : ANSWER_OK;
}

static enum answer broken_twice_then_ok(const struct sender_part *p, unsigned request)
{
    return request < 2 ? ANSWER_BROKEN : ANSWER_OK;
}

struct fake {
    struct sender s;
    struct span *spans[MAX_ITEMS];
    struct batch b;
};

/* The loop's rules, not the production waits: 1 ms base keeps each test short. */
static const struct retry_policy fast_retries = {1000000u, 4000000u};

static void fake_open(struct fake *f, uint32_t timeout_ms, size_t count)
{
    memset(&sc, 0, sizeof sc);
    sc.answer = always_ok;
    sc.retry_after_ms = -1;
    sc.huge_item = sc.again_item = SIZE_MAX;
    memset(f, 0, sizeof *f);
    sender_init(&f->s, &fake_ops, NULL, "fake exporter", timeout_ms);
    f->s.transport = fake_transport;
    f->s.policy = &fast_retries;
    struct http_config hc = {.url = "http://127.0.0.1:9/v1/traces", .what = "fake exporter"};
    genops_error err;
    assert_non_null(f->s.http = http_client_new(&hc, &err));
    f->b = (struct batch){f->spans, count, NULL, false, false};
}

static void fake_close(struct fake *f)
{
    http_client_free(f->s.http);
    sender_free(&f->s);
}

static genops_status export(struct fake *f, uint64_t deadline_ns, struct export_result *r)
{
    *r = (struct export_result){0};
    return sender_export(&f->s, &f->b, deadline_ns, r);
}

/* Lines captured since the last call that contain "fake exporter". */
static int fake_lines(char *last, size_t size)
{
    genops_log_record rec = {.struct_size = sizeof rec};
    int n = 0;
    while (genops_log_next(&rec, 0))
        if (strstr(rec.message, "fake exporter")) {
            n++;
            snprintf(last, size, "%s", rec.message);
        }
    return n;
}

static int capture(void **state)
{
    char line[GENOPS_LOG_MESSAGE_SIZE];
    genops_log_capture(true);
    fake_lines(line, sizeof line);
    return 0;
}

/* ---- success and the deadline ----------------------------------------------------- */

static void test_a_delivered_batch_is_one_request(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 1000, 10);
    assert_int_equal(export(&f, UINT64_MAX, &r), GENOPS_OK);
    assert_int_equal(sc.n_sent, 1);
    assert_int_equal(r.delivered, 10);
    assert_int_equal(r.bytes_sent, 1000);
    assert_int_equal(atomic_load(&f.s.stats.delivered), 10);
    assert_int_equal(atomic_load(&f.s.stats.requests), 1);
    fake_close(&f);
}

static void test_retries_stop_at_the_exporters_own_timeout(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 400, 5);
    sc.answer = always_busy;
    uint64_t start = clock_mono_ns();
    assert_int_equal(export(&f, UINT64_MAX, &r), GENOPS_EIO);
    uint64_t took = clock_mono_ns() - start;
    /* No wait is taken that would pass the deadline (100 ms for a busy machine). */
    assert_true(took < 500 * MS);
    assert_true(sc.n_sent >= 2);
    assert_int_equal(r.failed, 5);
    assert_int_equal(r.retries, sc.n_sent - 1);
    assert_int_equal(atomic_load(&f.s.stats.dropped[4]), 5); /* the classifier's reason */
    fake_close(&f);
}

static void test_the_sooner_pipeline_deadline_wins(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 60000, 5); /* a minute of its own, but the pipeline gives 300 ms */
    sc.answer = always_busy;
    uint64_t start = clock_mono_ns();
    export(&f, start + 300 * MS, &r);
    assert_true(clock_mono_ns() - start < 400 * MS);
    assert_int_equal(r.failed, 5);
    fake_close(&f);
}

static void test_transport_failures_are_retried_with_backoff(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 10000, 3);
    sc.answer = broken_twice_then_ok;
    assert_int_equal(export(&f, UINT64_MAX, &r), GENOPS_OK);
    assert_int_equal(sc.n_sent, 3);
    assert_int_equal(r.delivered, 3);
    assert_int_equal(r.retries, 2);
    fake_close(&f);
}

/* ---- Retry-After -------------------------------------------------------------------- */

static void test_retry_after_sets_the_wait(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 10000, 4);
    sc.answer = busy_then_ok;
    sc.retry_after_ms = 300;
    assert_int_equal(export(&f, UINT64_MAX, &r), GENOPS_OK);
    assert_int_equal(sc.n_sent, 2);
    assert_true(sc.sent[1].at_ns - sc.sent[0].at_ns >= 300 * MS);
    assert_int_equal(r.delivered, 4);
    fake_close(&f);
}

static void test_retry_after_zero_is_no_retry_storm(void **state)
{
    /* "Retry-After: 0" once meant no wait: thousands of requests for one batch within
     * the deadline. Now the schedule floors each wait and the attempts are capped. */
    struct fake f;
    struct export_result r;
    fake_open(&f, 3000, 4);
    sc.answer = always_busy;
    sc.retry_after_ms = 0;
    export(&f, UINT64_MAX, &r);
    assert_int_equal(sc.n_sent, RETRY_MAX_ATTEMPTS + 1);
    assert_true(sc.sent[2].at_ns - sc.sent[1].at_ns >= fast_retries.base_ns);
    assert_int_equal(r.failed, 4);
    fake_close(&f);
}

static void test_retry_after_past_the_deadline_gives_up_at_once(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 1000, 4);
    sc.answer = always_busy;
    sc.retry_after_ms = 30000;
    uint64_t start = clock_mono_ns();
    export(&f, UINT64_MAX, &r);
    assert_true(clock_mono_ns() - start < 200 * MS);
    assert_int_equal(sc.n_sent, 1);
    assert_int_equal(r.failed, 4);
    assert_int_equal(r.retries, 0);
    fake_close(&f);
}

/* ---- too large: halving --------------------------------------------------------------- */

static void test_too_large_halves_until_it_fits_and_sends_each_item_once(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 10000, 10);
    sc.max_per_request = 3;
    assert_int_equal(export(&f, UINT64_MAX, &r), GENOPS_OK);
    assert_int_equal(r.delivered, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(sc.delivered_per_item[i], 1);
    /* 10 -> 5 + 5 -> (2 + 3) + (2 + 3): three refused requests, four delivered. */
    assert_int_equal(sc.n_sent, 7);
    assert_int_equal(atomic_load(&f.s.stats.splits), 3);
    fake_close(&f);
}

static void test_a_single_item_too_large_is_rejected_and_the_rest_delivered(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 10000, 8);
    sc.huge_item = 5;
    assert_int_equal(export(&f, UINT64_MAX, &r), GENOPS_EREJECTED);
    assert_int_equal(r.delivered, 7);
    assert_int_equal(r.rejected, 1);
    assert_int_equal(atomic_load(&f.s.stats.dropped[5]), 1); /* ops.too_large_reason */
    assert_int_equal(sc.delivered_per_item[5], 0);
    fake_close(&f);
}

static enum answer second_half_busy(const struct sender_part *p, unsigned request)
{
    return p->first >= 4 ? ANSWER_BUSY : ANSWER_OK;
}

static void test_parts_that_succeeded_are_not_sent_again(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 400, 8);
    sc.max_per_request = 4;
    sc.answer = second_half_busy; /* [4, 8) is busy until the deadline */
    assert_int_equal(export(&f, UINT64_MAX, &r), GENOPS_EIO);
    assert_int_equal(r.delivered, 4);
    assert_int_equal(r.failed, 4);
    size_t first_half = 0;
    for (size_t i = 0; i < sc.n_sent; i++)
        first_half += sc.sent[i].first == 0 && sc.sent[i].n == 4;
    assert_int_equal(first_half, 1); /* sent once, while the other half was retried */
    assert_true(sc.n_sent >= 4);
    fake_close(&f);
}

/* ---- per-item answers ----------------------------------------------------------------- */

static void test_only_items_marked_again_are_sent_again(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 10000, 6);
    sc.again_item = 2;
    assert_int_equal(export(&f, UINT64_MAX, &r), GENOPS_OK);
    assert_int_equal(sc.n_sent, 2);
    assert_int_equal(sc.sent[1].first, 2);
    assert_int_equal(sc.sent[1].n, 1);
    assert_int_equal(sc.sent[1].resends, 1);
    assert_int_equal(r.retries, 1); /* outcome.wait: backed off before the resend */
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(sc.delivered_per_item[i], 1);
    fake_close(&f);
}

static void test_an_item_marked_again_forever_fails_after_a_few_resends(void **state)
{
    struct fake f;
    struct export_result r;
    fake_open(&f, 60000, 4);
    sc.again_item = 1;
    sc.again_forever = true;
    sc.retry_after_ms = 1; /* keep the test short: the loop's cap ends it, not the deadline */
    export(&f, UINT64_MAX, &r);
    assert_int_equal(r.delivered, 3);
    assert_int_equal(r.failed, 1);
    assert_int_equal(atomic_load(&f.s.stats.dropped[3]), 1);
    assert_in_range(sc.n_sent, 2, 10);
    fake_close(&f);
}

/* ---- the log -------------------------------------------------------------------------- */

static void test_the_first_failure_of_each_kind_is_logged_once(void **state)
{
    struct fake f;
    struct export_result r;
    char line[GENOPS_LOG_MESSAGE_SIZE];
    fake_open(&f, 300, 2);
    sc.answer = always_busy;
    export(&f, UINT64_MAX, &r);
    export(&f, UINT64_MAX, &r);
    assert_true(sc.n_sent >= 3);
    assert_int_equal(fake_lines(line, sizeof line), 1);
    assert_non_null(strstr(line, "http://127.0.0.1:9/v1/traces: answered 503"));
    assert_non_null(strstr(line, "(retrying within the export deadline)"));
    sc.n_sent = 0;
    sc.answer = always_ok;
    export(&f, UINT64_MAX, &r);
    assert_int_equal(fake_lines(line, sizeof line), 0); /* a success logs nothing */
    sc.answer = broken_twice_then_ok;
    sc.n_sent = 0;
    export(&f, UINT64_MAX, &r);
    assert_int_equal(fake_lines(line, sizeof line), 1); /* a new kind: the transport */
    assert_non_null(strstr(line, "answered 0"));
    fake_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_delivered_batch_is_one_request),
        cmocka_unit_test(test_retries_stop_at_the_exporters_own_timeout),
        cmocka_unit_test(test_the_sooner_pipeline_deadline_wins),
        cmocka_unit_test(test_transport_failures_are_retried_with_backoff),
        cmocka_unit_test(test_retry_after_sets_the_wait),
        cmocka_unit_test(test_retry_after_zero_is_no_retry_storm),
        cmocka_unit_test(test_retry_after_past_the_deadline_gives_up_at_once),
        cmocka_unit_test(test_too_large_halves_until_it_fits_and_sends_each_item_once),
        cmocka_unit_test(test_a_single_item_too_large_is_rejected_and_the_rest_delivered),
        cmocka_unit_test(test_parts_that_succeeded_are_not_sent_again),
        cmocka_unit_test(test_only_items_marked_again_are_sent_again),
        cmocka_unit_test(test_an_item_marked_again_forever_fails_after_a_few_resends),
        cmocka_unit_test_setup(test_the_first_failure_of_each_kind_is_logged_once, capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
