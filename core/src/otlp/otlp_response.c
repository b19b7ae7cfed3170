/* otlp_response.c - see otlp_response.h.
 *
 * The protobuf messages are tiny, so they are read by hand (protobuf encoding spec:
 * a key is a varint field_number << 3 | wire_type; wire types 0 varint, 1 fixed64,
 * 2 length-delimited, 5 fixed32):
 *   ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
 *   ExportTracePartialSuccess  { int64 rejected_spans = 1; string error_message = 2; }
 *   google.rpc.Status          { int32 code = 1; string message = 2; repeated Any details = 3; }
 *   google.protobuf.Any        { string type_url = 1; bytes value = 2; }
 *   google.rpc.RetryInfo       { google.protobuf.Duration retry_delay = 1; }
 *   google.protobuf.Duration   { int64 seconds = 1; int32 nanos = 2; }
 * (googleapis google/rpc/status.proto and error_details.proto; protobuf's any.proto and
 * duration.proto.) */
#include "otlp/otlp_response.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "json_read.h"
#include "utf8.h"

struct pb {
    const unsigned char *p, *end;
};

/* Read one base-128 varint; false when truncated or longer than 10 bytes. */
static bool pb_varint(struct pb *r, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && r->p < r->end; shift += 7) {
        unsigned char b = *r->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* The next field: its number, wire type, and for length-delimited fields the bytes;
 * for varints *v. Fields of other types are skipped. False at the end or on bad input. */
static bool pb_field(struct pb *r, uint32_t *number, int *type, uint64_t *v, struct pb *bytes)
{
    uint64_t key;
    if (r->p >= r->end || !pb_varint(r, &key))
        return false;
    *number = (uint32_t)(key >> 3);
    *type = (int)(key & 7);
    switch (*type) {
    case 0: return pb_varint(r, v);
    case 1:
    case 5: {
        size_t n = *type == 1 ? 8 : 4;
        if ((size_t)(r->end - r->p) < n)
            return false;
        r->p += n;
        return true;
    }
    case 2:
        if (!pb_varint(r, v) || *v > (uint64_t)(r->end - r->p))
            return false;
        *bytes = (struct pb){r->p, r->p + *v};
        r->p += *v;
        return true;
    default: return false; /* groups are not used by these messages */
    }
}

/* The string field `want` of the message in r (the last one wins, as in protobuf). */
static bool pb_string(struct pb r, uint32_t want, char *out, size_t size)
{
    uint32_t number;
    int type;
    uint64_t v;
    struct pb bytes;
    bool found = false;
    while (r.p < r.end) {
        if (!pb_field(&r, &number, &type, &v, &bytes))
            return false;
        if (number == want && type == 2) {
            utf8_copy_printable(out, size, (const char *)bytes.p, (size_t)(bytes.end - bytes.p));
            found = true;
        }
    }
    return found;
}

/* ExportTraceServiceResponse.partial_success, protobuf. */
static bool pb_partial(struct pb r, int64_t *rejected, char *message, size_t size)
{
    uint32_t number;
    int type;
    uint64_t v;
    struct pb msg;
    while (r.p < r.end) {
        if (!pb_field(&r, &number, &type, &v, &msg))
            return false;
        if (number != 1 || type != 2)
            continue;
        struct pb f = msg;
        struct pb text;
        while (f.p < f.end) {
            if (!pb_field(&f, &number, &type, &v, &text))
                return false;
            if (number == 1 && type == 0)
                *rejected = (int64_t)v;
            else if (number == 2 && type == 2)
                utf8_copy_printable(message, size, (const char *)text.p,
                                    (size_t)(text.end - text.p));
        }
    }
    return true;
}

/* ExportTraceServiceResponse.partialSuccess, OTLP/JSON (int64 as string or number). */
static bool json_partial(const char *body, size_t len, int64_t *rejected, char *message,
                         size_t size)
{
    static const char *const count_path[] = {"partialSuccess", "rejectedSpans", NULL};
    static const char *const text_path[] = {"partialSuccess", "errorMessage", NULL};
    const char *tok;
    size_t tok_len;
    if (json_find(body, len, count_path, &tok, &tok_len) && !json_int64(tok, tok_len, rejected))
        return false;
    if (json_find(body, len, text_path, &tok, &tok_len) && !json_text(tok, tok_len, message, size))
        return false;
    return true;
}

bool otlp_partial_success(const char *body, size_t len, bool json, int64_t *rejected, char *message,
                          size_t size)
{
    *rejected = 0;
    message[0] = 0;
    bool ok = json ? json_partial(body, len, rejected, message, size)
                   : pb_partial((struct pb){(const unsigned char *)body,
                                            (const unsigned char *)body + len},
                                rejected, message, size);
    if (!ok || *rejected < 0) {
        *rejected = 0;
        message[0] = 0;
        return false;
    }
    return true;
}

/* True when content_type is want, with or without parameters (RFC 9110 8.3). */
static bool type_is(const char *content_type, const char *want)
{
    size_t n = strlen(want);
    return content_type && strncasecmp(content_type, want, n) == 0 &&
           (content_type[n] == 0 || content_type[n] == ';' || content_type[n] == ' ');
}

void otlp_error_text(const char *body, size_t len, const char *content_type, char *out, size_t size)
{
    static const char *const message_path[] = {"message", NULL};
    const char *tok;
    size_t tok_len;
    out[0] = 0;
    if (type_is(content_type, "application/x-protobuf") &&
        pb_string((struct pb){(const unsigned char *)body, (const unsigned char *)body + len}, 2,
                  out, size))
        return;
    if (type_is(content_type, "application/json") &&
        json_find(body, len, message_path, &tok, &tok_len) && json_text(tok, tok_len, out, size))
        return;
    utf8_copy_printable(out, size, body, len);
}

/* A RetryInfo's delay in ms (>= 0; a day at most, far past any export deadline). */
static bool pb_retry_info(struct pb r, int64_t *ms)
{
    uint32_t number;
    int type;
    uint64_t v;
    struct pb msg;
    int64_t seconds = 0, nanos = 0;
    *ms = 0;
    while (r.p < r.end) {
        if (!pb_field(&r, &number, &type, &v, &msg))
            return false;
        if (number != 1 || type != 2)
            continue;
        struct pb d = msg;
        struct pb unused;
        while (d.p < d.end) {
            if (!pb_field(&d, &number, &type, &v, &unused))
                return false;
            if (number == 1 && type == 0)
                seconds = (int64_t)v;
            else if (number == 2 && type == 0)
                nanos = (int32_t)(uint32_t)v;
        }
    }
    if (seconds < 0 || nanos < 0)
        return true; /* a negative delay is no delay */
    *ms = seconds > 86400 ? 86400000 : seconds * 1000 + (nanos > 999999999 ? 999 : nanos / 1000000);
    return true;
}

/* One google.protobuf.Any of Status.details: *retry_ms set when it is a RetryInfo. */
static bool pb_detail(struct pb r, int64_t *retry_ms)
{
    static const char retry_type[] = "type.googleapis.com/google.rpc.RetryInfo";
    uint32_t number;
    int type;
    uint64_t v;
    struct pb bytes, value = {NULL, NULL};
    bool is_retry = false;
    while (r.p < r.end) {
        if (!pb_field(&r, &number, &type, &v, &bytes))
            return false;
        if (number == 1 && type == 2)
            is_retry = (size_t)(bytes.end - bytes.p) == sizeof retry_type - 1 &&
                       memcmp(bytes.p, retry_type, sizeof retry_type - 1) == 0;
        else if (number == 2 && type == 2)
            value = bytes;
    }
    if (!is_retry)
        return true;
    int64_t ms;
    if (!value.p)
        value = (struct pb){r.end, r.end}; /* an empty RetryInfo */
    if (!pb_retry_info(value, &ms))
        return false;
    *retry_ms = ms;
    return true;
}

bool otlp_rpc_status(const char *pb, size_t len, char *message, size_t size, int64_t *retry_ms)
{
    struct pb r = {(const unsigned char *)pb, (const unsigned char *)pb + len};
    uint32_t number;
    int type;
    uint64_t v;
    struct pb bytes;
    bool ok = true;
    message[0] = 0;
    *retry_ms = -1;
    while (ok && r.p < r.end) {
        ok = pb_field(&r, &number, &type, &v, &bytes);
        if (ok && number == 2 && type == 2)
            utf8_copy_printable(message, size, (const char *)bytes.p,
                                (size_t)(bytes.end - bytes.p));
        else if (ok && number == 3 && type == 2)
            ok = pb_detail(bytes, retry_ms);
    }
    if (!ok) {
        message[0] = 0;
        *retry_ms = -1;
        return false;
    }
    return true;
}
