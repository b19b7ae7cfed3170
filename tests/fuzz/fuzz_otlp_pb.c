/* fuzz_otlp_pb.c - libFuzzer target for encode_otlp_pb (tests/fuzz/README.md).
 *
 * The input becomes a batch (otlp_gen: every field, count and value type). The direct
 * encoder's bytes must equal protobuf-c's packing of the same batch, protobuf-c must
 * unpack them into exactly that batch, and a buffer one byte too small must fail with
 * ETOOBIG and stay as it was. ASan and UBSan watch the unchecked writes into the one
 * reservation. Strings hold no NUL here: protobuf-c cannot carry one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otlp/otlp_encode.h"
#include "otlp_gen.h"
#include "otlp_pbc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_otlp_pb: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct batch *b;
    struct otlp_gen *g = otlp_gen_batch(data, size, false, &b);
    if (!g)
        return 0;

    struct buf out;
    buf_init(&out, (size_t)1 << 26);
    if (encode_otlp_pb(b, &out) != GENOPS_OK)
        fail("encode_otlp_pb failed");

    size_t len = 0;
    uint8_t *ref = otlp_pbc_pack(b, &len);
    if (!ref)
        fail("protobuf-c could not pack the batch");
    if (len != out.len || memcmp(ref, out.data, len) != 0)
        fail("bytes differ from protobuf-c's packer");
    free(ref);

    otlp_pbc_request *m = otlp_pbc_unpack((const uint8_t *)out.data, out.len);
    if (!m)
        fail("protobuf-c cannot unpack the output");
    const char *why = otlp_pbc_mismatch(m, b);
    if (why)
        fail(why);
    otlp_pbc_free(m);

    struct buf small;
    buf_init(&small, out.len - 1);
    buf_append(&small, "x", 1);
    if (encode_otlp_pb(b, &small) != GENOPS_ETOOBIG || small.len != 1 || !buf_ok(&small))
        fail("a buffer one byte short did not fail cleanly");
    buf_free(&small);

    buf_free(&out);
    otlp_gen_free(g);
    return 0;
}
