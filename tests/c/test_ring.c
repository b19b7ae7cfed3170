/* test_ring.c - the bounded MPSC ring: capacity, FIFO order, and a multi-producer
 * stress with stamped items (producer id + sequence) checked for loss, corruption,
 * duplication and per-producer order. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

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
    uintptr_t last[PRODUCERS + 1] = {0};
    long received = 0, out_of_order = 0, corrupt = 0;
    while (received < (long)PRODUCERS * PER_PRODUCER) {
        uintptr_t item = (uintptr_t)ring_pop(&s.ring);
        if (!item) {
            sched_yield();
            continue;
        }
        uintptr_t id = item >> 32, seq = item & 0xffffffffu;
        if (id < 1 || id > PRODUCERS || seq > PER_PRODUCER) {
            corrupt++;
        } else {
            out_of_order += seq != last[id] + 1;
            last[id] = seq;
        }
        received++;
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    assert_null(ring_pop(&s.ring));
    assert_int_equal(corrupt, 0);
    assert_int_equal(out_of_order, 0);
    for (int id = 1; id <= PRODUCERS; id++)
        assert_int_equal(last[id], PER_PRODUCER);
    ring_free(&s.ring);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity_rounds_up_and_full_refuses),
        cmocka_unit_test(test_many_producers_lose_nothing_and_keep_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
