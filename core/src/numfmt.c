/* numfmt.c - see numfmt.h. printf and strtod in the "C" locale: the first precision
 * (of 15, 16, 17 significant digits) that round-trips is the shortest %g form. */
#include "numfmt.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

size_t numfmt_double(double d, char out[NUMFMT_DOUBLE_MAX])
{
    pthread_once(&c_locale_once, make_c_locale);
    locale_t previous = c_locale ? uselocale(c_locale) : (locale_t)0;
    int n = 0;
    for (int precision = 15; precision <= 17; precision++) {
        n = snprintf(out, NUMFMT_DOUBLE_MAX, "%.*g", precision, d);
        if (strtod(out, NULL) == d)
            break;
    }
    if (previous)
        uselocale(previous);
    return n > 0 ? (size_t)n : 0;
}
