/* test_compress.c - compress.h's two formats read back by their reference decoders:
 * gzip through libdeflate's decompressor, zstd through libzstd's (a frame with its
 * content size and checksum), and the buffer limit (GENOPS_ETOOBIG, out left empty). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libdeflate.h>
#include <zstd.h>

#include "compress.h"

/* A body like an Events API batch: repetitive keys, varying values. */
static size_t sample(char *out, size_t size)
{
    size_t n = 0;
    for (int i = 0; n + 96 < size; i++)
        n += (size_t)snprintf(out + n, size - n,
                              "{\"genops.cost.total\":%d.%03d,\"trace.span_id\":\"%08x\"}", i,
                              i * 7 % 1000, (unsigned)i * 2654435761u);
    return n;
}

static void round_trip(enum compress_format format, int level)
{
    static char in[200000], back[200000];
    size_t len = sample(in, sizeof in);
    struct compressor *c = compress_new(format, level);
    assert_non_null(c);
    struct buf out;
    buf_init(&out, 1 << 20);
    assert_int_equal(compress_body(c, in, len, &out), GENOPS_OK);
    assert_true(out.len < len / 3); /* it did compress */
    size_t got = 0;
    if (format == COMPRESS_ZSTD) {
        assert_string_equal(compress_encoding(c), "zstd");
        assert_int_equal(ZSTD_getFrameContentSize(out.data, out.len), len);
        got = ZSTD_decompress(back, sizeof back, out.data, out.len);
        assert_false(ZSTD_isError(got));
    } else {
        assert_string_equal(compress_encoding(c), "gzip");
        struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
        assert_int_equal(libdeflate_gzip_decompress(d, out.data, out.len, back, sizeof back, &got),
                         LIBDEFLATE_SUCCESS);
        libdeflate_free_decompressor(d);
    }
    assert_int_equal(got, len);
    assert_memory_equal(back, in, len);
    /* Reused: a second body through the same compressor, and an empty one. */
    assert_int_equal(compress_body(c, in, 10, &out), GENOPS_OK);
    assert_int_equal(compress_body(c, in, 0, &out), GENOPS_OK);
    assert_true(out.len > 0);
    buf_free(&out);
    compress_free(c);
}

static void test_gzip_round_trip(void **state)
{
    (void)state;
    round_trip(COMPRESS_GZIP, COMPRESS_GZIP_EXPORT_LEVEL);
}

static void test_zstd_round_trip_at_each_level(void **state)
{
    (void)state;
    round_trip(COMPRESS_ZSTD, 1);
    round_trip(COMPRESS_ZSTD, 3);
    round_trip(COMPRESS_ZSTD, COMPRESS_ZSTD_EXPORT_LEVEL);
}

static void test_for_export_and_the_limit(void **state)
{
    (void)state;
    struct compressor *c = (struct compressor *)&c;
    genops_error err;
    assert_int_equal(compress_new_for_export(COMPRESS_NONE, &c, &err), GENOPS_OK);
    assert_null(c);
    assert_null(compress_encoding(c));
    assert_string_equal(compress_format_name(COMPRESS_NONE), "none");
    assert_int_equal(compress_new_for_export(COMPRESS_ZSTD, &c, &err), GENOPS_OK);
    static char in[4096];
    size_t len = sample(in, sizeof in);
    struct buf out;
    buf_init(&out, 64); /* below zstd's worst case for the body */
    assert_int_equal(compress_body(c, in, len, &out), GENOPS_ETOOBIG);
    assert_int_equal(out.len, 0);
    buf_free(&out);
    compress_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip_round_trip),
        cmocka_unit_test(test_zstd_round_trip_at_each_level),
        cmocka_unit_test(test_for_export_and_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
