/* fuzz_resp.c - resp_parse over arbitrary bytes: never reads outside them, and a reply
 * it accepts lies inside them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "budget/resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *at = (const char *)data;
    size_t left = size;
    for (;;) {
        struct resp_reply r;
        long n = resp_parse(at, left, &r);
        if (n <= 0)
            break;
        if ((size_t)n > left)
            abort();
        if ((r.type == RESP_BULK || r.type == RESP_STATUS || r.type == RESP_ERROR) &&
            (r.text < at || r.text + r.len > at + n))
            abort();
        at += n;
        left -= (size_t)n;
    }
    return 0;
}
