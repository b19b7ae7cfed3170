/* test_resp.c - RESP commands and replies (core/src/budget/resp.c), the redis budget
 * store's protocol: what each reply kind parses to, partial input, malformed input. */
#include "budget/resp.h"
#include "testutil.h"

static void test_command(void **state)
{
    (void)state;
    char out[64];
    const char *argv[] = {"INCRBY", "genops:budget:b:1", "-42"};
    size_t n = resp_command(out, sizeof out, 3, argv);
    const char want[] = "*3\r\n$6\r\nINCRBY\r\n$17\r\ngenops:budget:b:1\r\n$3\r\n-42\r\n";
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, n);
    for (size_t cap = 0; cap < n; cap++) /* too small: 0, never a cut command */
        assert_int_equal(resp_command(out, cap, 3, argv), 0);
}

static void test_replies(void **state)
{
    (void)state;
    struct resp_reply r;
    assert_int_equal(resp_parse(":1500000000\r\n", 13, &r), 13);
    assert_int_equal(r.type, RESP_INTEGER);
    assert_int_equal(r.integer, 1500000000);
    assert_int_equal(resp_parse(":-9223372036854775808\r\n", 23, &r), 23);
    assert_true(r.integer == INT64_MIN);
    assert_int_equal(resp_parse("+OK\r\n", 5, &r), 5);
    assert_int_equal(r.type, RESP_STATUS);
    assert_int_equal(r.len, 2);
    assert_int_equal(resp_parse("-ERR wrong\r\n", 12, &r), 12);
    assert_int_equal(r.type, RESP_ERROR);
    assert_int_equal(resp_parse("$3\r\nabc\r\n", 9, &r), 9);
    assert_int_equal(r.type, RESP_BULK);
    assert_memory_equal(r.text, "abc", 3);
    assert_int_equal(resp_parse("$-1\r\n", 5, &r), 5);
    assert_int_equal(r.type, RESP_NIL);
    /* two replies back to back: the first one's bytes only */
    assert_int_equal(resp_parse(":1\r\n:1\r\n", 8, &r), 4);
}

static void test_partial_and_malformed(void **state)
{
    (void)state;
    struct resp_reply r;
    const char whole[] = "$3\r\nabc\r\n";
    for (size_t len = 0; len < sizeof whole - 1; len++)
        assert_int_equal(resp_parse(whole, len, &r), 0);
    static const char *const bad[] = {":12a\r\n",
                                      ":\r\n",
                                      ":99999999999999999999\r\n",
                                      "$-2\r\n",
                                      "$3\r\nabcd\r\n",
                                      "*1\r\n:1\r\n",
                                      "?\r\n",
                                      ":1\rx",
                                      "$2000000\r\n",
                                      ":9223372036854775808\r\n"};
    for (size_t i = 0; i < COUNT(bad); i++)
        if (resp_parse(bad[i], strlen(bad[i]), &r) != -1)
            fail_msg("'%s' was accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_partial_and_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
