/* fuzz_responses.c - what a backend answers, which is untrusted input: the OTLP
 * response readers (partial success as protobuf and JSON, the error text), OTLP/gRPC's
 * (header and trailer lines through grpc_answer_header, the bytes as a google.rpc.Status
 * and as base64 in grpc-status-details-bin so that the RetryInfo reader is reached, and
 * the body's framing), Splunk HEC's replies and /ack answers, the JSON reader under
 * them, and Retry-After.
 *
 * Checks: no crash or sanitizer report; every text meant for a log line or an error is
 * printable (NUL-terminated inside its buffer, valid UTF-8, no control characters); a
 * reader that fails leaves its "nothing" values; counts, ids and delays are never
 * negative; HEC's verdict is one of its enum's values; a gRPC status is -1 or a sent
 * decimal, a delay -1 (none) or within a day, an unframed message inside the body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hec/hec_response.h"
#include "http.h"
#include "json_read.h"
#include "otlp/otlp_grpc_response.h"
#include "otlp/otlp_response.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* text[] is printable: NUL-terminated inside its size bytes, valid UTF-8, and free of
 * control characters (C0, DEL; C1 is checked by the unit tests). */
static void check_text(const char *text, size_t size)
{
    size_t n = strnlen(text, size);
    if (n == size || utf8_valid_prefix(text, n) != n)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7F)
            abort();
}

static void otlp_readers(const char *body, size_t len)
{
    char message[64];
    int64_t rejected;
    for (int json = 0; json < 2; json++) {
        bool ok = otlp_partial_success(body, len, json, &rejected, message, sizeof message);
        check_text(message, sizeof message);
        if (rejected < 0 || (!ok && (rejected != 0 || message[0])))
            abort();
    }
    static const char *const types[] = {"application/x-protobuf", "application/json", "text/plain",
                                        NULL};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        char text[48];
        otlp_error_text(body, len, types[i], text, sizeof text);
        check_text(text, sizeof text);
    }
}

static void hec_readers(const char *body, size_t len)
{
    struct hec_reply reply;
    hec_reply_parse(body, len, &reply);
    check_text(reply.text, sizeof reply.text);
    if (reply.code < -1 || reply.ack_id < -1 || reply.invalid_event < -1)
        abort();
    static const long statuses[] = {200, 400, 401, 403, 413, 429, 500, 503};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        enum hec_verdict v = hec_classify(statuses[i], &reply);
        if (v < HEC_DELIVERED || v > HEC_REJECTED)
            abort();
    }
    const int64_t ids[] = {0, 1, 7, 42, INT64_MAX};
    bool acked[sizeof ids / sizeof ids[0]];
    if (!hec_ack_parse(body, len, ids, sizeof ids / sizeof ids[0], acked))
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
            if (acked[i])
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

static void grpc_readers(const char *in, size_t size)
{
    const uint8_t *data = (const uint8_t *)in;
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
}

static void json_reader(const char *doc, size_t len)
{
    static const char *const paths[][3] = {
        {"text", NULL, NULL}, {"code", NULL, NULL}, {"partialSuccess", "rejectedSpans", NULL}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const char *tok;
        size_t tok_len;
        if (!json_find(doc, len, paths[i], &tok, &tok_len))
            continue;
        if (tok < doc || tok_len > len || tok + tok_len > doc + len)
            abort();
        char out[32];
        if (json_string(tok, tok_len, out, sizeof out) && strnlen(out, sizeof out) == sizeof out)
            abort();
        if (json_text(tok, tok_len, out, sizeof out))
            check_text(out, sizeof out);
        int64_t n;
        (void)json_int64(tok, tok_len, &n);
    }
}

static void retry_after(const char *body, size_t len)
{
    char value[64];
    size_t n = len < sizeof value - 1 ? len : sizeof value - 1;
    memcpy(value, body, n);
    value[n] = '\0'; /* a header value is a C string by the time it is parsed */
    int64_t delay_ms;
    if (http_parse_retry_after(value, 1763700000, &delay_ms) && delay_ms < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so that any read past the body is an ASan report. */
    char *body = malloc(size ? size : 1);
    memcpy(body, data, size);
    otlp_readers(body, size);
    grpc_readers(body, size);
    hec_readers(body, size);
    json_reader(body, size);
    retry_after(body, size);
    free(body);
    return 0;
}
