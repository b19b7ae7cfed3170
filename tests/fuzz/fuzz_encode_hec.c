/* fuzz_encode_hec.c - libFuzzer target for encode_hec (tests/fuzz/README.md).
 *
 * The first input byte picks the options, the rest becomes a batch (otlp_gen: strings
 * of any bytes - NUL, controls, invalid UTF-8 - and doubles of any bits) and the
 * envelope metadata (host, source, sourcetype, index cut from the input, so they too
 * hold any bytes):
 *   bit 0: raw lines, else event envelopes;
 *   bit 1: index every attribute key of the first span as a field;
 *   bits 2, 3 and 4 all set: one more span whose attribute value is the input
 *   repeated to 16 KiB, four times the longest input (rare: instrumented, it is slow).
 * Every event, cut at the offsets encode_hec reports, must be strict JSON (json_check)
 * and begin with {"time": - a raw line must end in '\n' and hold no other - and a
 * buffer one byte too small must fail and stay as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hec/hec_encode.h"
#include "json_check.h"
#include "otlp_gen.h"

#define HUGE_VALUE ((size_t)16 << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why, const char *text, size_t len)
{
    fprintf(stderr, "fuzz_encode_hec: %s\n%.*s\n", why, (int)(len > 2000 ? 2000 : len), text);
    abort();
}

/* A NUL-terminated copy of up to n input bytes from *p (the metadata strings). */
static char *take(const uint8_t **p, const uint8_t *end, size_t n)
{
    size_t k = (size_t)(end - *p) < n ? (size_t)(end - *p) : n;
    char *s = malloc(k + 1);
    memcpy(s, *p, k);
    s[k] = 0;
    *p += k;
    return s;
}

static void check_events(const struct buf *out, const size_t *ends, size_t n, bool raw)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ev = out->data + start;
        size_t len = ends[i] - start;
        if (raw) {
            if (!len || ev[len - 1] != '\n' || memchr(ev, '\n', len - 1))
                fail("a raw line is not one line", ev, len);
            len--;
        }
        const char *why = json_check(ev, len);
        if (why)
            fail(why, ev, len);
        if (len < 8 || memcmp(ev, "{\"time\":", 8) != 0)
            fail("an event does not start with its time", ev, len);
        start = ends[i];
    }
    if (start != out->len)
        fail("offsets do not cover the output", out->data, out->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const uint8_t *p = data + 1, *end = data + size;
    char *host = take(&p, end, 12), *source = take(&p, end, 6), *stype = take(&p, end, 6),
         *index = take(&p, end, 6);
    const struct batch *gb;
    struct otlp_gen *g = otlp_gen_batch(p, (size_t)(end - p), true, &gb);
    if (!g)
        goto out;

    /* The batch, plus (bit 2) one span with a huge value. */
    struct span *spans[9], huge;
    struct attr huge_attr;
    char *blob = NULL;
    struct batch b = *gb;
    memcpy(spans, gb->spans, gb->count * sizeof *spans);
    b.spans = spans;
    if ((mode & 28) == 28) {
        blob = malloc(HUGE_VALUE);
        size_t have = size < HUGE_VALUE ? size : HUGE_VALUE;
        memcpy(blob, data, have);
        for (; have < HUGE_VALUE; have *= 2) /* doubling copies: no per-byte loop */
            memcpy(blob + have, blob, have < HUGE_VALUE - have ? have : HUGE_VALUE - have);
        memset(&huge, 0, sizeof huge);
        huge.name = "huge";
        huge.name_len = 4;
        huge_attr =
            (struct attr){.key = "genops.huge",
                          .key_len = 11,
                          .value = {.type = GENOPS_TYPE_STRING, .len = HUGE_VALUE, .u.s = blob}};
        huge.attrs.items = &huge_attr;
        huge.attrs.count = 1;
        spans[b.count++] = &huge;
    }

    const char *keys[16];
    size_t nkeys = 0;
    if ((mode & 2) && b.count)
        for (uint32_t i = 0; i < b.spans[0]->attrs.count && nkeys < 16; i++)
            keys[nkeys++] = b.spans[0]->attrs.items[i].key;
    struct hec_encoding enc = {.raw = mode & 1,
                               .host = *host ? host : NULL,
                               .default_host = "fuzz",
                               .source = *source ? source : NULL,
                               .sourcetype = *stype ? stype : NULL,
                               .index = *index ? index : NULL,
                               .fields = keys,
                               .field_count = nkeys};

    size_t ends[9];
    struct buf out;
    buf_init(&out, (size_t)1 << 28);
    if (encode_hec(&b, &enc, &out, ends) != GENOPS_OK)
        abort();
    check_events(&out, ends, b.count, enc.raw);

    if (out.len) { /* an empty batch has nothing to fail on */
        struct buf small;
        buf_init(&small, out.len); /* the "x" below leaves one byte too few */
        buf_append(&small, "x", 1);
        if (encode_hec(&b, &enc, &small, NULL) == GENOPS_OK || small.len != 1 || !buf_ok(&small))
            abort();
        buf_free(&small);
    }
    buf_free(&out);
    free(blob);
    otlp_gen_free(g);
out:
    free(host);
    free(source);
    free(stype);
    free(index);
    return 0;
}
