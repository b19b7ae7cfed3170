/* test_buf.c - the output buffer: its limit is exact (even below the first chunk
 * size), failures are sticky and say why, and rewinding clears them. */
#include <stdlib.h>

#include "buf.h"
#include "testutil.h"

static void test_a_small_limit_is_never_passed(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    buf_append(&b, "0123456789", 10);
    assert_true(buf_ok(&b));
    assert_true(b.cap <= 10);
    buf_putc(&b, 'x');
    assert_int_equal(buf_status(&b), GENOPS_ETOOBIG);
    assert_int_equal(b.len, 10);
    buf_free(&b);
}

static void test_failure_is_sticky_until_truncate(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1000);
    buf_puts(&b, "head,");
    size_t mark = b.len;
    char big[2000];
    memset(big, 'y', sizeof big);
    buf_append(&b, big, sizeof big);
    assert_int_equal(buf_status(&b), GENOPS_ETOOBIG);
    buf_puts(&b, "small"); /* nothing more is appended after a failure */
    assert_int_equal(b.len, mark);
    buf_truncate(&b, mark);
    assert_true(buf_ok(&b));
    buf_put_u64(&b, 18446744073709551615ull);
    buf_putc(&b, ',');
    buf_put_i64(&b, INT64_MIN);
    buf_putc(&b, ',');
    uint8_t id[] = {0x00, 0xab, 0xff};
    buf_put_hex(&b, id, 3);
    buf_printf(&b, ",%s=%d", "n", 42);
    assert_int_equal(b.len, strlen("head,18446744073709551615,-9223372036854775808,00abff,n=42"));
    assert_memory_equal(b.data, "head,18446744073709551615,-9223372036854775808,00abff,n=42",
                        b.len);
    buf_fail(&b, GENOPS_ENOMEM);
    buf_fail(&b, GENOPS_ETOOBIG); /* the first reason stays */
    assert_int_equal(buf_status(&b), GENOPS_ENOMEM);
    buf_free(&b);
}

static void test_long_printf_grows_the_buffer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    char word[300];
    memset(word, 'z', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    buf_printf(&b, "<%s>", word);
    assert_true(buf_ok(&b));
    assert_int_equal(b.len, sizeof word + 1);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_small_limit_is_never_passed),
        cmocka_unit_test(test_failure_is_sticky_until_truncate),
        cmocka_unit_test(test_long_printf_grows_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
