/* test_numfmt.c - doubles as the shortest text that reads back to them, laid out as
 * Python's repr(), under every locale.
 *
 * Proof by round trip over random and edge-case doubles: every output reads back (strtod
 * in the C locale) to the same bits, is never longer than the shortest correctly
 * rounded printf form that reads back, and equals that form when both are as short.
 * The exact layout is pinned by goldens taken from CPython's repr(); the Python suite
 * (test_otlp_encoding.py) compares a million more against repr() itself. Seeded. */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "numfmt.h"
#include "testutil.h"

#define SEED 0x9e3779b97f4a7c15u

static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static uint64_t to_bits(double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

static const struct {
    double value;
    const char *text;
} golden[] = {
    /* From CPython 3's repr(float). */
    {0.0, "0.0"},
    {-0.0, "-0.0"},
    {1.0, "1.0"},
    {-1.0, "-1.0"},
    {0.1, "0.1"},
    {0.02, "0.02"},
    {0.1 + 0.2, "0.30000000000000004"},
    {1.0 / 3, "0.3333333333333333"},
    {2.0 / 3, "0.6666666666666666"},
    {100.0, "100.0"},
    {123.456, "123.456"},
    {1e-4, "0.0001"},
    {1e-5, "1e-05"},
    {1e-7, "1e-07"},
    {0.00012345, "0.00012345"},
    {12345678.9, "12345678.9"},
    {1e15, "1000000000000000.0"},
    {1e16, "1e+16"},
    {1e22, "1e+22"},
    {1e23, "1e+23"},
    {1e100, "1e+100"},
    {1.5e300, "1.5e+300"},
    {9007199254740991.0 /* 2^53 - 1 */, "9007199254740991.0"},
    {9007199254740992.0 /* 2^53 */, "9007199254740992.0"},
    {9007199254740994.0 /* 2^53 + 2; 2^53 + 1 is not a double */, "9007199254740994.0"},
    {123456789012345680.0, "1.2345678901234568e+17"},
    {DBL_MAX, "1.7976931348623157e+308"},
    {-DBL_MAX, "-1.7976931348623157e+308"},
    {0x1p1023, "8.98846567431158e+307"},
    {DBL_MIN, "2.2250738585072014e-308"},
    {DBL_MIN - DBL_TRUE_MIN /* the largest subnormal */, "2.225073858507201e-308"},
    {0x1p-1022 * 3, "6.675221575521604e-308"},
    {DBL_TRUE_MIN, "5e-324"},
    {2 * DBL_TRUE_MIN, "1e-323"},
    {20 * DBL_TRUE_MIN, "1e-322"},
    {123456 * DBL_TRUE_MIN, "6.09954e-319"},
    {DBL_EPSILON, "2.220446049250313e-16"},
    {0.3, "0.3"},
    {4.35, "4.35"},
};

static void test_goldens_match_python_repr(void **state)
{
    (void)state;
    char out[NUMFMT_DOUBLE_MAX];
    for (size_t i = 0; i < COUNT(golden); i++) {
        size_t n = numfmt_double(golden[i].value, out);
        assert_string_equal(out, golden[i].text);
        assert_int_equal(n, strlen(golden[i].text));
    }
}

static void test_non_finite_values_are_spelled_as_proto3_json(void **state)
{
    (void)state;
    char out[NUMFMT_DOUBLE_MAX];
    numfmt_double(NAN, out);
    assert_string_equal(out, "NaN");
    numfmt_double(INFINITY, out);
    assert_string_equal(out, "Infinity");
    numfmt_double(-INFINITY, out);
    assert_string_equal(out, "-Infinity");
}

/* The significant digits of a decimal in text (sign, point, exponent, leading and
 * trailing zeros removed) into digits. */
static void significant(const char *text, char digits[32])
{
    size_t n = 0;
    for (const char *p = text; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && (n || *p != '0'))
            digits[n++] = *p;
    while (n && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
}

/* d's text reads back to d's bits, and no correctly rounded decimal with fewer digits
 * does; one with as many digits is the same decimal. Returns the text's length. */
static size_t check_round_trip(double d)
{
    char out[NUMFMT_DOUBLE_MAX], mine[32], other[32], printed[40];
    size_t n = numfmt_double(d, out);
    assert_int_equal(strlen(out), n);
    assert_true(n <= 24);
    if (to_bits(strtod(out, NULL)) != to_bits(d))
        fail_msg("%s does not read back to %a", out, d);
    if (d == 0)
        return n;
    significant(out, mine);
    int digits = (int)strlen(mine);
    if (digits > 1) {
        snprintf(printed, sizeof printed, "%.*e", digits - 2, d);
        if (strtod(printed, NULL) == d)
            fail_msg("%a: %s is shorter than %s", d, printed, out);
    }
    snprintf(printed, sizeof printed, "%.*e", digits - 1, d);
    significant(printed, other);
    if (strtod(printed, NULL) == d && strcmp(mine, other) != 0)
        fail_msg("%a: %s and %s are as short; the closer is %s", d, out, printed, printed);
    return n;
}

static void test_random_bit_patterns_round_trip_shortest(void **state)
{
    (void)state;
    uint64_t rng = SEED;
    for (int i = 0; i < 1000000; i++) {
        double d = from_bits(splitmix(&rng));
        if (isfinite(d))
            check_round_trip(d);
    }
}

static void test_random_everyday_values_round_trip_shortest(void **state)
{
    (void)state;
    uint64_t rng = SEED + 1;
    for (int i = 0; i < 300000; i++) {
        /* Money-like and score-like values: few digits, where shortness shows. */
        double cents = (double)(splitmix(&rng) % 100000000) / 100.0;
        double unit = (double)(splitmix(&rng) >> 11) * 0x1p-53;
        check_round_trip(cents);
        check_round_trip(-unit);
        check_round_trip(unit * 1e-6);
    }
}

static void test_edges_round_trip_shortest(void **state)
{
    (void)state;
    char out[NUMFMT_DOUBLE_MAX], want[40];
    /* Every power of ten reads as one digit. */
    for (int k = -323; k <= 308; k++) {
        snprintf(want, sizeof want, "1e%d", k);
        double d = strtod(want, NULL);
        check_round_trip(d);
        numfmt_double(d, out);
        char digits[32];
        significant(out, digits);
        assert_string_equal(digits, "1");
    }
    /* Powers of two (the uneven rounding intervals) and their neighbours. */
    for (int e = -1074; e <= 1023; e++) {
        double d = ldexp(1.0, e);
        check_round_trip(d);
        check_round_trip(nextafter(d, 0));
        check_round_trip(nextafter(d, INFINITY));
    }
    /* The smallest subnormals, where the interval is as wide as the value. */
    for (uint64_t bits = 1; bits < 100000; bits++)
        check_round_trip(from_bits(bits));
    /* Integers around 2^53, the end of exact integers. */
    for (int64_t i = -50; i <= 50; i++) {
        check_round_trip((double)((INT64_C(1) << 53) + i));
        check_round_trip(-(double)((INT64_C(1) << 53) + i));
    }
    check_round_trip(DBL_MAX);
    check_round_trip(DBL_MIN);
    check_round_trip(DBL_TRUE_MIN);
    check_round_trip(-0.0);
}

/* A locale whose decimal point is a comma: de_DE.UTF-8 when it has been generated
 * (localedef -i de_DE -f UTF-8 de_DE.UTF-8), else another one that is installed. */
static bool set_comma_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8",  "fr_FR.UTF-8",
                                        "fr_FR.utf8",  "nl_NL.UTF-8", "es_ES.UTF-8",
                                        "it_IT.UTF-8", "ru_RU.UTF-8", "pt_BR.UTF-8"};
    for (size_t i = 0; i < COUNT(names); i++)
        if (setlocale(LC_ALL, names[i]) && strcmp(localeconv()->decimal_point, ",") == 0)
            return true;
    setlocale(LC_ALL, "C");
    return false;
}

static void test_output_ignores_the_locale(void **state)
{
    (void)state;
    if (!set_comma_locale()) {
        print_message("no comma locale installed; generate one with "
                      "`localedef -i de_DE -f UTF-8 de_DE.UTF-8`\n");
        skip();
    }
    char out[NUMFMT_DOUBLE_MAX], printed[32];
    /* The locale is live: printf itself now writes a comma. */
    snprintf(printed, sizeof printed, "%g", 0.5);
    assert_string_equal(printed, "0,5");
    for (size_t i = 0; i < COUNT(golden); i++) {
        numfmt_double(golden[i].value, out);
        assert_string_equal(out, golden[i].text);
    }
    setlocale(LC_ALL, "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goldens_match_python_repr),
        cmocka_unit_test(test_non_finite_values_are_spelled_as_proto3_json),
        cmocka_unit_test(test_random_bit_patterns_round_trip_shortest),
        cmocka_unit_test(test_random_everyday_values_round_trip_shortest),
        cmocka_unit_test(test_edges_round_trip_shortest),
        cmocka_unit_test(test_output_ignores_the_locale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
