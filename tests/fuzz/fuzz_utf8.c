/* fuzz_utf8.c - UTF-8 repair and character truncation on any bytes.
 *
 * Checks: the repaired text is valid UTF-8 of exactly utf8_repaired_len bytes; valid
 * input comes back unchanged; repairing twice changes nothing; every character-limited
 * prefix of valid text is itself valid (never splits a character). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t n = utf8_repaired_len(in, size);
    char *out = malloc(n + 1);
    if (utf8_repair(out, in, size) != n || utf8_valid_prefix(out, n) != n)
        abort();
    if (utf8_valid_prefix(in, size) == size && (n != size || memcmp(out, in, size) != 0))
        abort();
    char *again = malloc(n + 1);
    if (utf8_repaired_len(out, n) != n || utf8_repair(again, out, n) != n ||
        memcmp(again, out, n) != 0)
        abort();
    for (size_t chars = 0; chars <= 8 && chars <= n; chars++) {
        size_t cut = utf8_prefix_chars(out, n, chars);
        if (cut > n || utf8_valid_prefix(out, cut) != cut)
            abort();
    }
    free(again);
    free(out);
    return 0;
}
