/* fuzz_otlp_json.c - libFuzzer target for encode_otlp_json and json.c (tests/fuzz/README.md).
 *
 * The first input byte picks what the rest becomes:
 *   even: a batch (otlp_gen, strings of any bytes: NUL, controls, invalid UTF-8;
 *         doubles of any bits: NaN, infinities, subnormals), encoded by
 *         encode_otlp_json; the output must be strict JSON (json_check), and a buffer
 *         one byte too small must fail and stay as it was;
 *   odd:  the rest as one string for json_put_string, which must be strict JSON that
 *         reads back (json_read.c) as the input with invalid UTF-8 repaired; and the
 *         rest read as doubles for json_put_double, in an array that must be strict
 *         JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otlp/otlp_encode.h"
#include "json.h"
#include "json_check.h"
#include "json_read.h"
#include "otlp_gen.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct buf *out)
{
    const char *why = json_check(out->data, out->len);
    if (why) {
        fprintf(stderr, "fuzz_otlp_json: invalid JSON: %s\n%.*s\n", why, (int)out->len, out->data);
        abort();
    }
}

static void fuzz_batch(const uint8_t *data, size_t size)
{
    const struct batch *b;
    struct otlp_gen *g = otlp_gen_batch(data, size, true, &b);
    if (!g)
        return;
    struct buf out;
    buf_init(&out, (size_t)1 << 26);
    if (encode_otlp_json(b, &out) != GENOPS_OK)
        abort();
    check(&out);

    struct buf small;
    buf_init(&small, out.len - 1 > 256 ? out.len - 1 : 257); /* buf allocates 256 first */
    buf_append(&small, "x", 1);
    if (out.len > 256) {
        genops_status rc = encode_otlp_json(b, &small);
        if (rc == GENOPS_OK || small.len != 1 || !buf_ok(&small))
            abort();
    }
    buf_free(&small);
    buf_free(&out);
    otlp_gen_free(g);
}

static void fuzz_pieces(const uint8_t *data, size_t size)
{
    struct buf out;
    buf_init(&out, (size_t)1 << 26);
    json_put_string(&out, (const char *)data, size);
    if (!buf_ok(&out))
        abort();
    check(&out);
    /* It reads back as the repaired input (json_string's output ends at a NUL). */
    if (!memchr(data, 0, size)) {
        size_t n = utf8_repaired_len((const char *)data, size);
        char *repaired = malloc(n + 1), *decoded = malloc(n + 1);
        utf8_repair(repaired, (const char *)data, size);
        repaired[n] = '\0';
        if (!json_string(out.data, out.len, decoded, n + 1) || strcmp(decoded, repaired) != 0)
            abort();
        free(repaired);
        free(decoded);
    }

    out.len = 0;
    buf_putc(&out, '[');
    for (size_t i = 0; i + 8 <= size; i += 8) {
        double d;
        memcpy(&d, data + i, 8);
        if (i)
            buf_putc(&out, ',');
        json_put_double(&out, d);
    }
    buf_putc(&out, ']');
    check(&out);
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        fuzz_pieces(data + 1, size - 1);
    else
        fuzz_batch(data + 1, size - 1);
    return 0;
}
