/* fuzz_encode_honeycomb.c - libFuzzer target for encode_honeycomb_msgpack
 * (tests/fuzz/README.md). The input becomes a batch (otlp_gen: names, keys and values of
 * any bytes - NUL, controls, invalid UTF-8 - doubles of any bits, every value type). The
 * body must read back through msgpack-c's unpacker as one {time, data} event per span,
 * all of its strs valid UTF-8 (msgpack_check.c), and a buffer one byte too small must
 * fail with GENOPS_ETOOBIG and be left as it was. The body is then compressed as the
 * exporter sends it by default (compress.h, zstd level 1) and must come back byte for
 * byte through libzstd's own decoder, with the frame's content size right. Keys are not
 * checked for repeats: the
 * generator makes lists with repeated keys, which the core never stores (a deterministic
 * test in test_honeycomb_encode.c checks the encoder's own fields). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "compress.h"
#include "honeycomb/honeycomb_encode.h"
#include "msgpack_check.h"
#include "otlp_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* out's zstd frame, as the exporter makes it, read back by libzstd's decoder. */
static void check_zstd(const struct buf *body)
{
    static struct compressor *z; /* one for the run: allocating one costs more than using it */
    if (!z && !(z = compress_new(COMPRESS_ZSTD, COMPRESS_ZSTD_EXPORT_LEVEL)))
        abort();
    struct buf frame;
    buf_init(&frame, (size_t)1 << 25);
    char *back = malloc(body->len + 1);
    if (!back || compress_body(z, body->data, body->len, &frame) != GENOPS_OK)
        abort();
    size_t n = ZSTD_decompress(back, body->len + 1, frame.data, frame.len);
    if (ZSTD_isError(n) || n != body->len || memcmp(back, body->data, n) != 0 ||
        ZSTD_getFrameContentSize(frame.data, frame.len) != body->len) {
        fprintf(stderr, "fuzz_encode_honeycomb: the zstd frame does not give the body back\n");
        abort();
    }
    free(back);
    buf_free(&frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct batch *b;
    struct otlp_gen *g = otlp_gen_batch(data, size, true, &b);
    if (!g)
        return 0;
    struct buf out, small;
    buf_init(&out, (size_t)1 << 24);
    if (encode_honeycomb_msgpack(b, &out) == GENOPS_OK) {
        const char *why = msgpack_check_events(out.data, out.len, b->count, false);
        if (why) {
            fprintf(stderr, "fuzz_encode_honeycomb: %s\n", why);
            abort();
        }
        buf_init(&small, out.len - 1);
        if (encode_honeycomb_msgpack(b, &small) != GENOPS_ETOOBIG || small.len != 0) {
            fprintf(stderr, "fuzz_encode_honeycomb: a buffer one byte too small did not fail\n");
            abort();
        }
        buf_free(&small);
        check_zstd(&out);
    }
    buf_free(&out);
    otlp_gen_free(g);
    return 0;
}
