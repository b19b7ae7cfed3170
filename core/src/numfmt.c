/* numfmt.c - see numfmt.h.
 *
 * Digits: Schubfach (R. Giulietti, "The Schubfach way to render doubles", 2021; the
 * algorithm of OpenJDK's Double.toString since JDK 19). The decimals that read back to
 * a double v form its rounding interval R_v; Schubfach scales v and both ends of R_v
 * by 10^-k with one 126-bit power of ten from numfmt_table.h, then picks the shortest
 * decimal in R_v and, of those, the closest to v (ties to even). Three 64x128-bit
 * products and a few comparisons; no loop over digits, no bignum, no locale.
 *
 * Layout: Python's repr(float), so that genops' JSON reads exactly like genops-ai's:
 * positional notation for 1e-4 <= |v| < 1e16 ("0.0001", "100.0", always a '.'),
 * otherwise d.ddde+XX with at least two exponent digits ("1e+16", "1e-05").
 *
 * Pure, no state: any thread. docs/architecture.md, "Number formatting", says why this
 * is in-house and how it is proven. */
#include "numfmt.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "numfmt_table.h"

#ifndef __SIZEOF_INT128__
#error "numfmt.c needs unsigned __int128 (GCC or Clang on a 64-bit target)"
#endif

/* __int128 is a GCC/Clang extension: __extension__ keeps -Wpedantic quiet about it. */
__extension__ typedef unsigned __int128 u128;

#define P      53                       /* bits in a double's significand */
#define Q_MIN  (-1074)                  /* exponent of the smallest subnormal's bit */
#define C_MIN  ((uint64_t)1 << (P - 1)) /* the hidden bit */
#define MASK63 (((uint64_t)1 << 63) - 1)

/* A decimal f * 10^e. */
struct decimal {
    uint64_t f;
    int e;
};

static inline uint64_t mul_hi(uint64_t a, uint64_t b)
{
    return (uint64_t)(((u128)a * b) >> 64);
}

/* floor(log10(2^e)), floor(log10(3/4 * 2^e)) and floor(log2(10^e)) by multiply and
 * shift (signed >> is arithmetic on every compiler we build with);
 * tools/gen_numfmt_table.py checks each is exact over the exponents used here. */
static inline int flog10_pow2(int e)
{
    return (int)(((int64_t)e * 661971961083) >> 41);
}

static inline int flog10_three_quarters_pow2(int e)
{
    return (int)(((int64_t)e * 661971961083 - 274743187321) >> 41);
}

static inline int flog2_pow10(int e)
{
    return (int)(((int64_t)e * 913124641741) >> 38);
}

/* cp * g / 2^127 "rounded to odd": the floor, with its lowest bit set when the
 * remainder is not zero. That is exactly enough for the comparisons in to_decimal to
 * decide as they would on the exact product (the paper, section 9.9). g = g[0] 2^63 +
 * g[1]. */
static inline uint64_t round_to_odd(const uint64_t g[2], uint64_t cp)
{
    uint64_t x1 = mul_hi(g[1], cp);
    uint64_t y0 = g[0] * cp;
    uint64_t y1 = mul_hi(g[0], cp);
    uint64_t z = (y0 >> 1) + x1;
    uint64_t vbp = y1 + (z >> 63);
    return vbp | (((z & MASK63) + MASK63) >> 63);
}

/* The shortest decimal in the rounding interval of v = c 2^q, closest to v. Names
 * follow the paper: the "b" values are 4x scaled, vbl and vbr are R_v's ends.
 *
 * Unlike OpenJDK we want the shortest decimal even when it has one digit (5e-324, not
 * Java's 4.9E-324), so the one-digit-fewer check below runs for every s, and tiny
 * subnormals need no special case. That is sound because R_v is always narrower than
 * 10 * 10^k: both 10s' and 10s'+10 can never be in it, so a shorter decimal, if there
 * is one, is found there. */
static struct decimal to_decimal(int q, uint64_t c)
{
    /* An even significand's interval includes its ends: reading ties to even. */
    uint64_t out = c & 1;
    uint64_t cb = c << 2;
    uint64_t cbr = cb + 2;
    uint64_t cbl;
    int k;

    if (c != C_MIN || q == Q_MIN) {
        cbl = cb - 2;
        k = flog10_pow2(q);
    } else {
        /* A power of two: the gap below is half the gap above. */
        cbl = cb - 1;
        k = flog10_three_quarters_pow2(q);
    }
    int h = q + flog2_pow10(-k) + 2;
    const uint64_t *g = numfmt_g[k - NUMFMT_K_MIN];

    uint64_t vb = round_to_odd(g, cb << h);
    uint64_t vbl = round_to_odd(g, cbl << h);
    uint64_t vbr = round_to_odd(g, cbr << h);

    /* One digit fewer: s' = floor(s / 10) by a multiplication (exact for s < 2^60).
     * If one of 10s' and 10s'+10 is in R_v, it is the shortest. */
    uint64_t s = vb >> 2;
    uint64_t sp10 = 10 * mul_hi(s, (uint64_t)115292150460684698 << 4);
    uint64_t tp10 = sp10 + 10;
    bool upin = vbl + out <= sp10 << 2;
    bool wpin = (tp10 << 2) + out <= vbr;
    if (upin != wpin)
        return (struct decimal){upin ? sp10 : tp10, k};
    /* Otherwise s or s + 1, whichever is in R_v; both: the closer, ties to even. */
    uint64_t t = s + 1;
    bool uin = vbl + out <= s << 2;
    bool win = (t << 2) + out <= vbr;
    if (uin != win)
        return (struct decimal){uin ? s : t, k};
    int64_t cmp = (int64_t)(vb - ((s + t) << 1));
    return (struct decimal){cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : t, k};
}

static char *put_zeros(char *p, int n)
{
    memset(p, '0', (size_t)n);
    return p + n;
}

/* Write d (f > 0) as repr() does; returns the end. */
static char *layout(char *p, struct decimal d)
{
    char digits[20];
    int n = 0;

    while (d.f % 100000000 == 0) {
        d.f /= 100000000;
        d.e += 8;
    }
    if (d.f % 10000 == 0) {
        d.f /= 10000;
        d.e += 4;
    }
    if (d.f % 100 == 0) {
        d.f /= 100;
        d.e += 2;
    }
    if (d.f % 10 == 0) {
        d.f /= 10;
        d.e += 1;
    }
    uint64_t f = d.f; /* at least one digit, so dig[0] below is always written */
    do
        digits[sizeof digits - 1 - n++] = (char)('0' + f % 10);
    while (f /= 10);
    const char *dig = digits + sizeof digits - n;
    /* v = 0.d1d2...dn * 10^point */
    int point = n + d.e;

    if (point <= -4 || point > 16) {
        *p++ = dig[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, dig + 1, (size_t)(n - 1));
            p += n - 1;
        }
        int x = point - 1;
        *p++ = 'e';
        *p++ = x < 0 ? '-' : '+';
        x = x < 0 ? -x : x;
        if (x >= 100)
            *p++ = (char)('0' + x / 100);
        *p++ = (char)('0' + x / 10 % 10);
        *p++ = (char)('0' + x % 10);
    } else if (point <= 0) {
        *p++ = '0';
        *p++ = '.';
        p = put_zeros(p, -point);
        memcpy(p, dig, (size_t)n);
        p += n;
    } else if (point < n) {
        memcpy(p, dig, (size_t)point);
        p += point;
        *p++ = '.';
        memcpy(p, dig + point, (size_t)(n - point));
        p += n - point;
    } else {
        memcpy(p, dig, (size_t)n);
        p = put_zeros(p + n, point - n);
        *p++ = '.';
        *p++ = '0';
    }
    return p;
}

size_t numfmt_double(double v, char out[NUMFMT_DOUBLE_MAX])
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int bq = (int)(bits >> (P - 1)) & 0x7ff;
    uint64_t t = bits & (C_MIN - 1);
    const char *special = NULL;
    char *p = out;

    if (bq == 0x7ff)
        special = t ? "NaN" : bits >> 63 ? "-Infinity" : "Infinity";
    else if (bq == 0 && t == 0)
        special = bits >> 63 ? "-0.0" : "0.0";
    if (special) {
        size_t n = strlen(special);
        memcpy(out, special, n + 1);
        return n;
    }
    if (bits >> 63)
        *p++ = '-';

    struct decimal d;
    if (bq != 0) {
        int q = bq - 1075;
        uint64_t c = C_MIN | t;
        /* Integers below 2^53 are their own shortest decimal. */
        if (q < 0 && q > -P && (c & (((uint64_t)1 << -q) - 1)) == 0)
            d = (struct decimal){c >> -q, 0};
        else
            d = to_decimal(q, c);
    } else {
        d = to_decimal(Q_MIN, t); /* subnormal */
    }
    p = layout(p, d);
    *p = '\0';
    return (size_t)(p - out);
}
