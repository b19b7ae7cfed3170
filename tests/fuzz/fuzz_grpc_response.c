/* fuzz_grpc_response.c - what an OTLP/gRPC server answers, which is untrusted input:
 * header and trailer lines through grpc_answer_header (grpc-status, the percent-encoded
 * grpc-message, grpc-status-details-bin), the same bytes as a google.rpc.Status
 * (otlp_rpc_status) and as base64 in grpc-status-details-bin (so the RetryInfo reader
 * is reached), and as a response body through grpc_unframe.
 *
 * Checks: no crash or sanitizer report; the message is printable (NUL-terminated inside
 * its buffer, valid UTF-8, no control characters); the status is -1 or a decimal that
 * was sent; a delay is -1 (none) or between 0 and a day; a failed reader leaves its
 * "nothing" values; an unframed message lies inside the body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otlp/otlp_grpc_response.h"
#include "otlp/otlp_response.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *text, size_t size)
{
    size_t n = strnlen(text, size);
    if (n == size || utf8_valid_prefix(text, n) != n)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7F)
            abort();
}

static void check_answer(const struct grpc_answer *a)
{
    check_text(a->message, sizeof a->message);
    if (a->status < -1 || a->retry_ms < -1 || a->retry_ms > 86400000)
        abort();
}

/* The input's lines, each a header line as libcurl would deliver it. */
static void lines(const char *in, size_t len)
{
    struct grpc_answer a;
    grpc_answer_reset(&a);
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(in + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (in + at)) + 1 : len - at;
        grpc_answer_header(&a, in + at, n);
        check_answer(&a);
        at += n;
    }
}

/* The input as base64 in grpc-status-details-bin (RFC 4648, unpadded half the time). */
static void details(const uint8_t *in, size_t len)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char line[4096];
    size_t n = (size_t)snprintf(line, sizeof line, "grpc-status-details-bin: ");
    for (size_t i = 0; i < len && n + 8 < sizeof line; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < len ? in[i + 2] : 0);
        size_t chars = i + 2 < len ? 4 : i + 1 < len ? 3 : 2;
        for (size_t k = 0; k < chars; k++)
            line[n++] = abc[(v >> (18 - 6 * k)) & 63];
        for (size_t k = chars; k < 4 && (len & 1); k++)
            line[n++] = '=';
    }
    struct grpc_answer a;
    grpc_answer_reset(&a);
    grpc_answer_header(&a, line, n);
    check_answer(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    lines(in, size);
    details(data, size);

    char message[40];
    int64_t ms;
    bool ok = otlp_rpc_status(in, size, message, sizeof message, &ms);
    check_text(message, sizeof message);
    if (ms < -1 || ms > 86400000 || (!ok && (message[0] || ms != -1)))
        abort();

    const char *msg;
    size_t msg_len;
    bool compressed;
    if (grpc_unframe(in, size, &msg, &msg_len, &compressed) &&
        (msg < in || msg + msg_len > in + size || (msg_len && msg != in + GRPC_PREFIX_BYTES) ||
         (compressed && size < GRPC_PREFIX_BYTES)))
        abort();
    return 0;
}
