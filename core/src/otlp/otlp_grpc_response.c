/* otlp_grpc_response.c - see otlp_grpc_response.h. */
#include "otlp/otlp_grpc_response.h"

#include <string.h>

#include "config.h"
#include "http.h"
#include "otlp/otlp_response.h"
#include "utf8.h"

/* grpc-status-details-bin values longer than this are ignored (a Status with a
 * RetryInfo is about 70 characters of base64). */
#define DETAILS_MAX 2048

void grpc_answer_reset(struct grpc_answer *a)
{
    a->status = -1;
    a->message[0] = 0;
    a->retry_ms = -1;
}

/* A decimal grpc-status; -1 when it is not one (PROTOCOL-HTTP2.md: 1*DIGIT). */
static int parse_code(const char *v)
{
    int code = 0;
    if (!*v)
        return -1;
    for (; *v; v++) {
        if (*v < '0' || *v > '9' || code > 1000)
            return -1;
        code = code * 10 + (*v - '0');
    }
    return code;
}

/* grpc-message is percent-encoded UTF-8 (PROTOCOL-HTTP2.md: "%" followed by two hex
 * digits); a malformed escape is kept as it is, as the spec asks of decoders. */
static void decode_message(struct grpc_answer *a, const char *v)
{
    char text[sizeof a->message];
    size_t n = 0;
    for (; *v && n < sizeof text - 1; v++, n++) {
        int hi = *v == '%' ? config_hex_digit((unsigned char)v[1]) : -1;
        int lo = hi >= 0 ? config_hex_digit((unsigned char)v[2]) : -1;
        text[n] = lo >= 0 ? (char)(hi * 16 + lo) : *v;
        v += lo >= 0 ? 2 : 0;
    }
    utf8_copy_printable(a->message, sizeof a->message, text, n);
}

/* The value of one base64 character (RFC 4648 section 4), or -1. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode base64 with or without padding into out (room for 3/4 of strlen(in)); the
 * number of bytes, or -1 when in is not base64. */
static long b64_decode(const char *in, unsigned char *out)
{
    size_t len = strlen(in);
    while (len && in[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return -1;
    uint32_t acc = 0;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        if (i % 4 == 3) {
            out[n++] = (unsigned char)(acc >> 16);
            out[n++] = (unsigned char)(acc >> 8);
            out[n++] = (unsigned char)acc;
            acc = 0;
        }
    }
    if (len % 4 == 2)
        out[n++] = (unsigned char)(acc >> 4);
    else if (len % 4 == 3) {
        out[n++] = (unsigned char)(acc >> 10);
        out[n++] = (unsigned char)(acc >> 2);
    }
    return n;
}

/* grpc-status-details-bin: the RetryInfo delay, and the Status message when
 * grpc-message did not give one. Unreadable details are ignored. */
static void decode_details(struct grpc_answer *a, const char *v)
{
    unsigned char raw[DETAILS_MAX / 4 * 3 + 3];
    char message[sizeof a->message];
    int64_t retry_ms;
    long n = b64_decode(v, raw);
    if (n < 0 || !otlp_rpc_status((const char *)raw, (size_t)n, message, sizeof message, &retry_ms))
        return;
    a->retry_ms = retry_ms;
    if (!a->message[0])
        memcpy(a->message, message, sizeof message);
}

void grpc_answer_header(struct grpc_answer *a, const char *line, size_t len)
{
    char v[DETAILS_MAX + 1];
    if (len > 5 && strncmp(line, "HTTP/", 5) == 0)
        grpc_answer_reset(a);
    else if (http_header_value(line, len, "grpc-status", v, sizeof v))
        a->status = parse_code(v);
    else if (http_header_value(line, len, "grpc-message", v, sizeof v))
        decode_message(a, v);
    else if (http_header_value(line, len, "grpc-status-details-bin", v, sizeof v) &&
             strlen(v) < DETAILS_MAX)
        decode_details(a, v);
}

bool grpc_unframe(const char *body, size_t len, const char **msg, size_t *msg_len, bool *compressed)
{
    *msg = body;
    *msg_len = 0;
    *compressed = false;
    if (!len)
        return true;
    if (len < GRPC_PREFIX_BYTES || (unsigned char)body[0] > 1)
        return false;
    const unsigned char *p = (const unsigned char *)body;
    size_t n = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
    if (n != len - GRPC_PREFIX_BYTES)
        return false;
    *msg = body + GRPC_PREFIX_BYTES;
    *msg_len = n;
    *compressed = p[0] == 1;
    return true;
}

int grpc_code_from_http(long http_status)
{
    switch (http_status) {
    case 200: /* a gRPC answer without its status */
    case 400: return GRPC_INTERNAL;
    case 401: return GRPC_UNAUTHENTICATED;
    case 403: return GRPC_PERMISSION_DENIED;
    case 404: return GRPC_UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504: return GRPC_UNAVAILABLE;
    default: return GRPC_UNKNOWN;
    }
}

bool grpc_retryable(int code, bool retry_info)
{
    switch (code) {
    case GRPC_CANCELLED:
    case GRPC_DEADLINE_EXCEEDED:
    case GRPC_ABORTED:
    case GRPC_OUT_OF_RANGE:
    case GRPC_UNAVAILABLE:
    case GRPC_DATA_LOSS: return true;
    case GRPC_RESOURCE_EXHAUSTED: return retry_info;
    default: return false;
    }
}

const char *grpc_code_name(int code)
{
#define GRPC_CODE_NAME(name) #name,
    static const char *const names[] = {GRPC_CODES(GRPC_CODE_NAME)};
#undef GRPC_CODE_NAME
    return code >= 0 && code < GRPC_CODE_COUNT ? names[code] : "UNKNOWN_CODE";
}
