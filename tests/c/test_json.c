/* test_json.c - the shared JSON pieces: string escaping, U+FFFD for invalid UTF-8 and
 * numbers. Exact goldens, and random byte strings whose output must be valid JSON
 * (json_check) that decodes back (json_read.c's json_string) to the repaired input. */
#include <math.h>
#include <stdlib.h>

#include "json.h"
#include "json_check.h"
#include "json_read.h"
#include "testutil.h"
#include "utf8.h"

/* s[0..len) as a JSON string, NUL-terminated in a static buffer. */
static const char *jstr(const char *s, size_t len)
{
    static char text[4096];
    struct buf out;
    buf_init(&out, sizeof text - 1);
    json_put_string(&out, s, len);
    assert_true(buf_ok(&out));
    memcpy(text, out.data, out.len);
    text[out.len] = '\0';
    assert_null(json_check(text, out.len));
    buf_free(&out);
    return text;
}

#define JSTR(lit) jstr((lit), sizeof(lit) - 1)

static void test_plain_text_is_quoted_unchanged(void **state)
{
    (void)state;
    assert_string_equal(JSTR(""), "\"\"");
    assert_string_equal(JSTR("genops.cost.total"), "\"genops.cost.total\"");
    /* '/' and DEL need no escape; UTF-8 passes through. */
    assert_string_equal(JSTR("a/b\x7f caf\xc3\xa9 \xf0\x9f\x98\x80"),
                        "\"a/b\x7f caf\xc3\xa9 \xf0\x9f\x98\x80\"");
}

static void test_quote_backslash_and_controls_are_escaped(void **state)
{
    (void)state;
    assert_string_equal(JSTR("say \"hi\" \\ now"), "\"say \\\"hi\\\" \\\\ now\"");
    assert_string_equal(JSTR("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
    assert_string_equal(JSTR("\x01\x1f\x0b"), "\"\\u0001\\u001f\\u000b\"");
    assert_string_equal(JSTR("a\0b"), "\"a\\u0000b\"");
    /* Every control character, each in its own shortest form. */
    static const char *const want[32] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};
    for (int c = 0; c < 32; c++) {
        char in = (char)c, expect[16];
        snprintf(expect, sizeof expect, "\"%s\"", want[c]);
        assert_string_equal(jstr(&in, 1), expect);
    }
}

static void test_invalid_utf8_becomes_replacement_characters(void **state)
{
    (void)state;
#define FFFD "\xef\xbf\xbd"
    assert_string_equal(JSTR("a\xffz"), "\"a" FFFD "z\"");
    /* One U+FFFD per maximal ill-formed subpart (Unicode 3.9; Python's "replace"). */
    assert_string_equal(JSTR("\xe0\x80"), "\"" FFFD FFFD "\"");          /* E0 needs A0..BF */
    assert_string_equal(JSTR("\xf0\x9f\x98"), "\"" FFFD "\"");           /* cut short */
    assert_string_equal(JSTR("\xed\xa0\x80"), "\"" FFFD FFFD FFFD "\""); /* a surrogate */
    assert_string_equal(JSTR("\xc0\xaf"), "\"" FFFD FFFD "\"");          /* overlong */
    /* Escapes still apply after a repair, and long input takes the heap path. */
    assert_string_equal(JSTR("\x80\"\n"), "\"" FFFD "\\\"\\n\"");
    char big[1000];
    memset(big, 'x', sizeof big);
    big[500] = (char)0xfe;
    const char *text = jstr(big, sizeof big);
    assert_int_equal(strlen(text), 2 + 999 + 3);
    assert_memory_equal(text + 1 + 500, FFFD, 3);
#undef FFFD
}

static void test_doubles_are_shortest_and_non_finite_are_strings(void **state)
{
    (void)state;
    static const struct {
        double d;
        const char *text;
    } cases[] = {{0.02, "0.02"},
                 {100.0, "100.0"},
                 {-0.0, "-0.0"},
                 {1e16, "1e+16"},
                 {1e-7, "1e-07"},
                 {NAN, "\"NaN\""},
                 {INFINITY, "\"Infinity\""},
                 {-INFINITY, "\"-Infinity\""}};
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct buf out;
        buf_init(&out, 64);
        json_put_double(&out, cases[i].d);
        assert_int_equal(out.len, strlen(cases[i].text));
        assert_memory_equal(out.data, cases[i].text, out.len);
        assert_null(json_check(out.data, out.len));
        buf_free(&out);
    }
}

/* Random bytes (no NUL: json_string's output is NUL-terminated) round-trip to the
 * repaired input. Seeded. */
static void test_random_bytes_round_trip(void **state)
{
    (void)state;
    uint64_t x = 0x853c49e6748fea9bu;
    char in[200], repaired[800], decoded[800];
    for (int round = 0; round < 100000; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t len = (size_t)(x % sizeof in);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* Mostly ASCII and controls, some high bytes: every escape and repair path. */
            uint8_t b = (uint8_t)(x >> 24);
            in[i] = (char)(b < 0x80 || (x & 3) == 0 ? (b % 0x7f) + 1 : b);
        }
        struct buf out;
        buf_init(&out, 1 << 16);
        json_put_string(&out, in, len);
        assert_true(buf_ok(&out));
        const char *bad = json_check(out.data, out.len);
        if (bad)
            fail_msg("invalid JSON: %s", bad);
        assert_true(json_string(out.data, out.len, decoded, sizeof decoded));
        size_t n = utf8_repair(repaired, in, len);
        assert_int_equal(strlen(decoded), n);
        assert_memory_equal(decoded, repaired, n);
        buf_free(&out);
    }
}

static void test_failure_sets_the_buffers_flag(void **state)
{
    (void)state;
    struct buf out;
    char text[600];
    memset(text, 'x', sizeof text);
    buf_init(&out, 512); /* buf's first allocation is 256 bytes: stay above that */
    json_put_string(&out, text, sizeof text);
    assert_false(buf_ok(&out));
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_is_quoted_unchanged),
        cmocka_unit_test(test_quote_backslash_and_controls_are_escaped),
        cmocka_unit_test(test_invalid_utf8_becomes_replacement_characters),
        cmocka_unit_test(test_doubles_are_shortest_and_non_finite_are_strings),
        cmocka_unit_test(test_random_bytes_round_trip),
        cmocka_unit_test(test_failure_sets_the_buffers_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
