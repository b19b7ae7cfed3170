/* test_ring.c - the queue's two parts: the bounded MPSC ring (capacity, FIFO order) and
 * the overflow stack past it, each under a multi-producer stress with stamped items
 * (producer id + sequence) checked for loss, corruption, duplication and per-producer
 * order. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "overflow.h"
#include "ring.h"
#include "testutil.h"

#ifdef __SANITIZE_THREAD__
enum { PER_PRODUCER = 20000 };
#else
enum { PER_PRODUCER = 200000 };
#endif
enum { PRODUCERS = 4 };

static void test_capacity_rounds_up_and_full_refuses(void **state)
{
    (void)state;
    struct ring r;
    assert_true(ring_init(&r, 5));
    assert_int_equal(ring_capacity(&r), 8);
    for (uintptr_t i = 1; i <= 8; i++)
        assert_true(ring_push(&r, (void *)i));
    assert_false(ring_push(&r, (void *)9));
    assert_int_equal(ring_count(&r), 8);
    for (uintptr_t i = 1; i <= 8; i++)
        assert_int_equal((uintptr_t)ring_pop(&r), i);
    assert_null(ring_pop(&r));
    assert_true(ring_push(&r, (void *)10)); /* wraps around */
    assert_int_equal((uintptr_t)ring_pop(&r), 10);
    assert_true(ring_push(&r, (void *)11));
    ring_reset(&r); /* forgets everything, and works as new */
    assert_int_equal(ring_count(&r), 0);
    assert_null(ring_pop(&r));
    for (uintptr_t i = 1; i <= 8; i++)
        assert_true(ring_push(&r, (void *)i));
    assert_int_equal((uintptr_t)ring_pop(&r), 1);
    ring_free(&r);
}

/* What a consumer saw of items stamped producer id << 32 | sequence (from 1). */
struct tally {
    uint64_t last[PRODUCERS + 1];
    long received, out_of_order, corrupt;
};

static void tally_item(struct tally *t, uint64_t item, uint64_t per_producer)
{
    uint64_t id = item >> 32, seq = item & 0xffffffffu;
    if (id < 1 || id > PRODUCERS || seq > per_producer) {
        t->corrupt++;
    } else {
        t->out_of_order += seq != t->last[id] + 1;
        t->last[id] = seq;
    }
    t->received++;
}

/* Nothing lost, corrupt, repeated or out of its producer's order. */
static void tally_check(const struct tally *t, uint64_t per_producer)
{
    assert_int_equal(t->corrupt, 0);
    assert_int_equal(t->out_of_order, 0);
    for (int id = 1; id <= PRODUCERS; id++)
        assert_int_equal(t->last[id], per_producer);
}

struct stress {
    struct ring ring;
    atomic_long refused;
    int id;
};

struct producer_arg {
    struct stress *s;
    uintptr_t id;
};

static void *produce(void *arg)
{
    struct producer_arg *a = arg;
    for (uintptr_t seq = 1; seq <= PER_PRODUCER; seq++) {
        /* stamp: producer in the high bits, sequence below */
        void *item = (void *)((a->id << 32) | seq);
        while (!ring_push(&a->s->ring, item)) {
            atomic_fetch_add(&a->s->refused, 1); /* full: the consumer catches up */
            sched_yield();
        }
    }
    return NULL;
}

static void test_many_producers_lose_nothing_and_keep_order(void **state)
{
    (void)state;
    struct stress s = {0};
    assert_true(ring_init(&s.ring, 64)); /* small: producers keep hitting "full" */
    pthread_t threads[PRODUCERS];
    struct producer_arg args[PRODUCERS];
    for (uintptr_t i = 0; i < PRODUCERS; i++) {
        args[i] = (struct producer_arg){&s, i + 1};
        pthread_create(&threads[i], NULL, produce, &args[i]);
    }
    struct tally seen = {0};
    while (seen.received < (long)PRODUCERS * PER_PRODUCER) {
        uintptr_t item = (uintptr_t)ring_pop(&s.ring);
        if (item)
            tally_item(&seen, item, PER_PRODUCER);
        else
            sched_yield();
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    assert_null(ring_pop(&s.ring));
    tally_check(&seen, PER_PRODUCER);
    ring_free(&s.ring);
}

/* ---- the overflow stack ---------------------------------------------------------- */

enum { OVERFLOW_PER_PRODUCER = PER_PRODUCER / 10 };

struct overflow_producer {
    struct overflow *o;
    struct span *spans; /* OVERFLOW_PER_PRODUCER of its own, stamped in start_ns */
    uint64_t id;
};

static void *push_spans(void *arg)
{
    struct overflow_producer *a = arg;
    for (uint64_t seq = 1; seq <= OVERFLOW_PER_PRODUCER; seq++) {
        struct span *s = &a->spans[seq - 1];
        s->start_ns = a->id << 32 | seq;
        overflow_push(a->o, s);
    }
    return NULL;
}

static void test_overflow_loses_nothing_and_keeps_each_producers_order(void **state)
{
    (void)state;
    struct overflow o = {0};
    assert_null(overflow_pop(&o));
    pthread_t threads[PRODUCERS];
    struct overflow_producer args[PRODUCERS];
    for (uint64_t i = 0; i < PRODUCERS; i++) {
        args[i] = (struct overflow_producer){&o, calloc(OVERFLOW_PER_PRODUCER, sizeof(struct span)),
                                             i + 1};
        pthread_create(&threads[i], NULL, push_spans, &args[i]);
    }
    struct tally seen = {0};
    while (seen.received < (long)PRODUCERS * OVERFLOW_PER_PRODUCER) {
        struct span *s = overflow_pop(&o);
        if (s)
            tally_item(&seen, s->start_ns, OVERFLOW_PER_PRODUCER);
        else
            sched_yield();
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    assert_null(overflow_pop(&o));
    assert_int_equal(overflow_count(&o), 0);
    tally_check(&seen, OVERFLOW_PER_PRODUCER);
    for (int i = 0; i < PRODUCERS; i++)
        free(args[i].spans);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity_rounds_up_and_full_refuses),
        cmocka_unit_test(test_many_producers_lose_nothing_and_keep_order),
        cmocka_unit_test(test_overflow_loses_nothing_and_keeps_each_producers_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
