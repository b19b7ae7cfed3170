/* test_utf8.c - UTF-8 validation, repair (maximal subparts, as Python's "replace"),
 * character-limited truncation, and printable copies of text from outside. */
#include "testutil.h"
#include "utf8.h"

static void check_repair(const char *in, size_t len, const char *want)
{
    char out[256];
    assert_int_equal(utf8_repaired_len(in, len), strlen(want));
    assert_int_equal(utf8_repair(out, in, len), strlen(want));
    assert_memory_equal(out, want, strlen(want));
}

static void test_valid_text_is_untouched(void **state)
{
    (void)state;
    const char *s = "plain ascii, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80";
    assert_int_equal(utf8_valid_prefix(s, strlen(s)), strlen(s));
    check_repair(s, strlen(s), s);
}

static void test_each_maximal_subpart_becomes_one_replacement(void **state)
{
    (void)state;
    /* Unicode's example (Table 3-8): 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 */
    const char in[] = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
    check_repair(in, sizeof in - 1,
                 "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                 "b\xEF\xBF\xBD"
                 "c\xEF\xBF\xBD\xEF\xBF\xBD"
                 "d");
}

static void test_surrogates_overlongs_and_out_of_range_are_replaced(void **state)
{
    (void)state;
    check_repair("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* U+D800 */
    check_repair("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");                 /* overlong / */
    check_repair("\xF4\x90\x80\x80", 4,
                 "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* > U+10FFFF */
    check_repair("ab\xE2\x82", 4, "ab\xEF\xBF\xBD");                  /* cut short */
}

static void test_embedded_nul_is_valid(void **state)
{
    (void)state;
    assert_int_equal(utf8_valid_prefix("a\0b", 3), 3);
}

static void test_prefix_chars_never_splits_a_character(void **state)
{
    (void)state;
    const char *s = "\xc3\xa9t\xc3\xa9"; /* été: 3 characters, 5 bytes */
    assert_int_equal(utf8_prefix_chars(s, 5, 0), 0);
    assert_int_equal(utf8_prefix_chars(s, 5, 1), 2);
    assert_int_equal(utf8_prefix_chars(s, 5, 2), 3);
    assert_int_equal(utf8_prefix_chars(s, 5, 3), 5);
    assert_int_equal(utf8_prefix_chars(s, 5, 10), 5);
}

static void test_printable_copy_replaces_controls_and_bad_bytes(void **state)
{
    (void)state;
    char out[64];
    /* A forged log line, a terminal escape, a NUL, DEL, a C1 control (CSI) and a bad
     * byte: each becomes U+FFFD; valid text passes unchanged. */
    const char in[] = "ok\nFAKE\x1b[2J\0x\x7f\xc2\x9b\xff caf\xc3\xa9";
    size_t n = utf8_copy_printable(out, sizeof out, in, sizeof in - 1);
    assert_int_equal(n, strlen(out));
    assert_string_equal(out, "ok\xef\xbf\xbd"
                             "FAKE\xef\xbf\xbd[2J\xef\xbf\xbdx\xef\xbf\xbd"
                             "\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9");
    /* Cut to fit, never inside a character: "é" needs 2 bytes and 1 is left. */
    char small[4];
    assert_int_equal(utf8_copy_printable(small, sizeof small, "ab\xc3\xa9", 4), 2);
    assert_string_equal(small, "ab");
    assert_int_equal(utf8_copy_printable(small, 1, "abc", 3), 0);
    assert_string_equal(small, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_text_is_untouched),
        cmocka_unit_test(test_each_maximal_subpart_becomes_one_replacement),
        cmocka_unit_test(test_surrogates_overlongs_and_out_of_range_are_replaced),
        cmocka_unit_test(test_embedded_nul_is_valid),
        cmocka_unit_test(test_prefix_chars_never_splits_a_character),
        cmocka_unit_test(test_printable_copy_replaces_controls_and_bad_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
