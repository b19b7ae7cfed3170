/* otlp_encode_pb.c - a batch as one OTLP ExportTraceServiceRequest in the protobuf
 * wire format, written directly (see otlp_encode.h for the contract).
 *
 * The message (core/proto/opentelemetry/proto/...):
 *   ExportTraceServiceRequest { resource_spans = 1: ResourceSpans {
 *     resource = 1: Resource { attributes = 1: KeyValue ... }
 *     scope_spans = 2: ScopeSpans {
 *       scope = 1: InstrumentationScope { name = 1, version = 2 }
 *       spans = 2: Span ... } } }
 *
 * A nested message is written as tag, length, body, so its length must be known before
 * its body. Every *_size function below returns exactly the bytes its put_* twin
 * writes: encode_otlp_pb sizes the whole request first, reserves it once and then
 * writes through a raw pointer with no bounds checks. (Back-patching instead would cost
 * a memmove whenever a length's varint came out longer than guessed, including one of
 * the whole payload for the outer lengths; the sizes come cheaply from lengths the span
 * already stores.)
 *
 * The bytes are the ones protobuf-c's generated packer produces for the same message,
 * which tests/c/test_encode_otlp_pb.c and tests/fuzz/fuzz_otlp_pb.c check: fields in
 * field-number order; proto3 scalars, strings and bytes left out when zero or empty; a
 * oneof member and a set sub-message written even when empty; minimal varints;
 * little-endian fixed64 (https://protobuf.dev/programming-guides/encoding/). */
#include <assert.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "otlp/otlp_encode.h"
#include "derived.h"

/* Wire types. */
#define VARINT           0
#define I64              1
#define LEN              2
#define TAG(field, type) ((uint8_t)((field) << 3 | (type)))

/* ---- sizes ----------------------------------------------------------------------- */

/* Bytes of v as a varint: one per started group of 7 bits (0 takes one byte). */
static inline size_t varint_size(uint64_t v)
{
    return ((size_t)(63 - __builtin_clzll(v | 1)) * 9 + 73) / 64;
}

/* Bytes of a length-delimited field with an n-byte body: tag, length, body. */
static inline size_t len_field_size(size_t n)
{
    return 1 + varint_size(n) + n;
}

/* Bytes of a varint field holding v; 0 when v is 0, which proto3 leaves out. */
static inline size_t varint_field_size(uint64_t v)
{
    return v ? 1 + varint_size(v) : 0;
}

/* Bytes of a string or bytes field of n bytes; 0 when empty, which proto3 leaves out. */
static inline size_t text_field_size(size_t n)
{
    return n ? len_field_size(n) : 0;
}

static inline size_t cstr_len(const char *s)
{
    return s ? strlen(s) : 0;
}

/* The ArrayValue body of an array value: one `values` field per item. */
static size_t array_size(const genops_value *v)
{
    size_t n = 0;
    switch (v->type) {
    case GENOPS_TYPE_STRING_ARRAY:
        for (size_t i = 0; i < v->len; i++)
            n += len_field_size(len_field_size(strlen(v->u.sa[i])));
        return n;
    case GENOPS_TYPE_INT_ARRAY:
        for (size_t i = 0; i < v->len; i++)
            n += len_field_size(1 + varint_size((uint64_t)v->u.ia[i]));
        return n;
    case GENOPS_TYPE_DOUBLE_ARRAY: return v->len * len_field_size(1 + 8);
    case GENOPS_TYPE_BOOL_ARRAY: return v->len * len_field_size(1 + 1);
    default: return 0;
    }
}

/* The AnyValue body of v: its one oneof member, written even when zero or empty. */
static inline size_t any_size(const genops_value *v)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING: return len_field_size(v->len);
    case GENOPS_TYPE_BOOL: return 1 + 1;
    case GENOPS_TYPE_INT: return 1 + varint_size((uint64_t)v->u.i);
    case GENOPS_TYPE_DOUBLE: return 1 + 8;
    case GENOPS_TYPE_STRING_ARRAY:
    case GENOPS_TYPE_INT_ARRAY:
    case GENOPS_TYPE_DOUBLE_ARRAY:
    case GENOPS_TYPE_BOOL_ARRAY: return len_field_size(array_size(v));
    default: return 0; /* an empty AnyValue */
    }
}

/* The KeyValue body of a whose value's AnyValue body is value_size bytes. */
static inline size_t kv_size(const struct attr *a, size_t value_size)
{
    return text_field_size(a->key_len) + len_field_size(value_size);
}

/* Bytes of a repeated KeyValue field for n attributes. NULL values are left out:
 * genops.h says a NULL value is dropped wherever attributes are set. */
static size_t attrs_size(const struct attr *attrs, uint32_t n)
{
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        if (attrs[i].value.type != GENOPS_TYPE_NULL)
            total += len_field_size(kv_size(&attrs[i], any_size(&attrs[i].value)));
    return total;
}

static size_t event_size(const struct event *e)
{
    return (e->time_ns ? 1 + 8 : 0) + text_field_size(e->name_len) + attrs_size(e->attrs, e->count);
}

/* OpenTelemetry keeps a status message only with STATUS_CODE_ERROR. */
static inline size_t status_message_len(const struct span *s)
{
    return s->status == GENOPS_SPAN_STATUS_ERROR && s->status_message ? s->status_message_len : 0;
}

static size_t status_size(const struct span *s)
{
    return text_field_size(status_message_len(s)) + varint_field_size(s->status);
}

static size_t span_size(const struct span *s, const struct derived *more)
{
    size_t n = len_field_size(16) + len_field_size(8); /* trace_id, span_id */
    if (s->has_parent)
        n += len_field_size(8);
    n += text_field_size(s->name_len) + varint_field_size(s->kind);
    n += (s->start_ns ? 1 + 8 : 0) + (s->end_ns ? 1 + 8 : 0);
    n += attrs_size(s->attrs.items, s->attrs.count) + attrs_size(more->items, more->count);
    n += varint_field_size(s->dropped_attributes);
    for (uint32_t i = 0; i < s->event_count; i++)
        n += len_field_size(event_size(&s->events[i]));
    n += varint_field_size(s->dropped_events);
    return n + len_field_size(status_size(s)); /* always set, as the OpenTelemetry SDKs do */
}

static size_t scope_size(const struct resource *r)
{
    return text_field_size(cstr_len(r->scope_name)) + text_field_size(cstr_len(r->scope_version));
}

/* ---- writers: each writes exactly its *_size twin's bytes and returns the end ---- */

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint8_t *put_fixed64(uint8_t *p, uint8_t tag, uint64_t v)
{
    uint64_t le = htole64(v);
    *p++ = tag;
    memcpy(p, &le, 8);
    return p + 8;
}

static inline uint8_t *put_double(uint8_t *p, uint8_t tag, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return put_fixed64(p, tag, bits);
}

/* The tag and length of a length-delimited field whose body follows. */
static inline uint8_t *put_len(uint8_t *p, uint8_t tag, size_t n)
{
    *p++ = tag;
    return put_varint(p, n);
}

/* memcpy, with short copies done inline: attribute keys and values are mostly under 32
 * bytes, where a call into libc costs more than the copy. Two overlapping fixed-size
 * moves cover any length from one width to two, without writing past p + n. */
static inline void copy(uint8_t *p, const void *data, size_t n)
{
    const uint8_t *d = data;
    if (n >= 16 && n <= 32) {
        uint8_t head[16], tail[16];
        memcpy(head, d, 16);
        memcpy(tail, d + n - 16, 16);
        memcpy(p, head, 16);
        memcpy(p + n - 16, tail, 16);
    } else if (n >= 8 && n < 16) {
        uint64_t head, tail;
        memcpy(&head, d, 8);
        memcpy(&tail, d + n - 8, 8);
        memcpy(p, &head, 8);
        memcpy(p + n - 8, &tail, 8);
    } else if (n > 32) {
        memcpy(p, d, n);
    } else {
        for (size_t i = 0; i < n; i++)
            p[i] = d[i];
    }
}

static inline uint8_t *put_bytes(uint8_t *p, uint8_t tag, const void *data, size_t n)
{
    p = put_len(p, tag, n);
    copy(p, data, n);
    return p + n;
}

static inline uint8_t *put_text_field(uint8_t *p, uint8_t tag, const void *data, size_t n)
{
    return n ? put_bytes(p, tag, data, n) : p;
}

static inline uint8_t *put_varint_field(uint8_t *p, uint8_t tag, uint64_t v)
{
    if (!v)
        return p;
    *p++ = tag;
    return put_varint(p, v);
}

/* AnyValue's oneof members (common.proto). */
#define ANY_STRING   TAG(1, LEN)
#define ANY_BOOL     TAG(2, VARINT)
#define ANY_INT      TAG(3, VARINT)
#define ANY_DOUBLE   TAG(4, I64)
#define ANY_ARRAY    TAG(5, LEN)
#define ARRAY_VALUES TAG(1, LEN)

static uint8_t *put_array(uint8_t *p, const genops_value *v)
{
    for (size_t i = 0; i < v->len; i++) {
        switch (v->type) {
        case GENOPS_TYPE_STRING_ARRAY: {
            size_t n = strlen(v->u.sa[i]);
            p = put_len(p, ARRAY_VALUES, len_field_size(n));
            p = put_bytes(p, ANY_STRING, v->u.sa[i], n);
            break;
        }
        case GENOPS_TYPE_INT_ARRAY:
            p = put_len(p, ARRAY_VALUES, 1 + varint_size((uint64_t)v->u.ia[i]));
            *p++ = ANY_INT;
            p = put_varint(p, (uint64_t)v->u.ia[i]);
            break;
        case GENOPS_TYPE_DOUBLE_ARRAY:
            p = put_len(p, ARRAY_VALUES, 1 + 8);
            p = put_double(p, ANY_DOUBLE, v->u.da[i]);
            break;
        default: /* GENOPS_TYPE_BOOL_ARRAY: array_size counted nothing else */
            p = put_len(p, ARRAY_VALUES, 1 + 1);
            *p++ = ANY_BOOL;
            *p++ = v->u.ba[i] ? 1 : 0;
            break;
        }
    }
    return p;
}

static uint8_t *put_any(uint8_t *p, const genops_value *v)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING: return put_bytes(p, ANY_STRING, v->u.s, v->len);
    case GENOPS_TYPE_BOOL:
        *p++ = ANY_BOOL;
        *p++ = v->u.b ? 1 : 0;
        return p;
    case GENOPS_TYPE_INT: *p++ = ANY_INT; return put_varint(p, (uint64_t)v->u.i);
    case GENOPS_TYPE_DOUBLE: return put_double(p, ANY_DOUBLE, v->u.d);
    case GENOPS_TYPE_STRING_ARRAY:
    case GENOPS_TYPE_INT_ARRAY:
    case GENOPS_TYPE_DOUBLE_ARRAY:
    case GENOPS_TYPE_BOOL_ARRAY: p = put_len(p, ANY_ARRAY, array_size(v)); return put_array(p, v);
    default: return p;
    }
}

/* A repeated KeyValue field (tag) for n attributes; KeyValue is key = 1, value = 2. */
static uint8_t *put_attrs(uint8_t *p, uint8_t tag, const struct attr *attrs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const struct attr *a = &attrs[i];
        if (a->value.type == GENOPS_TYPE_NULL)
            continue;
        size_t value_size = any_size(&a->value);
        p = put_len(p, tag, kv_size(a, value_size));
        p = put_text_field(p, TAG(1, LEN), a->key, a->key_len);
        p = put_len(p, TAG(2, LEN), value_size);
        p = put_any(p, &a->value);
    }
    return p;
}

/* Span.Event: time_unix_nano = 1, name = 2, attributes = 3. */
static uint8_t *put_event(uint8_t *p, const struct event *e)
{
    if (e->time_ns)
        p = put_fixed64(p, TAG(1, I64), e->time_ns);
    p = put_text_field(p, TAG(2, LEN), e->name, e->name_len);
    return put_attrs(p, TAG(3, LEN), e->attrs, e->count);
}

/* Span fields (trace.proto), in field-number order. */
static uint8_t *put_span(uint8_t *p, const struct span *s, const struct derived *more)
{
    p = put_bytes(p, TAG(1, LEN), s->trace_id, 16);
    p = put_bytes(p, TAG(2, LEN), s->span_id, 8);
    if (s->has_parent)
        p = put_bytes(p, TAG(4, LEN), s->parent_span_id, 8);
    p = put_text_field(p, TAG(5, LEN), s->name, s->name_len);
    p = put_varint_field(p, TAG(6, VARINT), s->kind); /* genops_span_kind = SpanKind */
    if (s->start_ns)
        p = put_fixed64(p, TAG(7, I64), s->start_ns);
    if (s->end_ns)
        p = put_fixed64(p, TAG(8, I64), s->end_ns);
    p = put_attrs(p, TAG(9, LEN), s->attrs.items, s->attrs.count);
    p = put_attrs(p, TAG(9, LEN), more->items, more->count);
    p = put_varint_field(p, TAG(10, VARINT), s->dropped_attributes);
    for (uint32_t i = 0; i < s->event_count; i++) {
        p = put_len(p, TAG(11, LEN), event_size(&s->events[i]));
        p = put_event(p, &s->events[i]);
    }
    p = put_varint_field(p, TAG(12, VARINT), s->dropped_events);
    /* Status: message = 2, code = 3 (genops_span_status = StatusCode). */
    p = put_len(p, TAG(15, LEN), status_size(s));
    p = put_text_field(p, TAG(2, LEN), s->status_message, status_message_len(s));
    return put_varint_field(p, TAG(3, VARINT), s->status);
}

genops_status encode_otlp_pb(const struct batch *b, struct buf *out)
{
    const struct resource *r = b->resource;
    size_t spans = 0;
    /* Each span is sized once: the sizes are needed for the outer lengths first, then
     * again as each span's own length. */
    size_t *sizes = malloc((b->count ? b->count : 1) * sizeof *sizes);
    if (!sizes)
        return GENOPS_ENOMEM;
    for (size_t i = 0; i < b->count; i++) {
        batch_prefetch(b, i);
        struct derived more;
        derive(b->spans[i], b->derived, &more);
        sizes[i] = span_size(b->spans[i], &more);
        spans += len_field_size(sizes[i]);
    }
    size_t resource = attrs_size(r->attrs.items, r->attrs.count);
    size_t scope = scope_size(r);
    size_t scope_spans = len_field_size(scope) + spans;
    size_t resource_spans = len_field_size(resource) + len_field_size(scope_spans);
    size_t total = len_field_size(resource_spans);

    genops_status rc = total > out->limit - out->len ? GENOPS_ETOOBIG
                       : buf_reserve(out, total)     ? GENOPS_OK
                                                     : GENOPS_ENOMEM;
    if (rc != GENOPS_OK) {
        buf_truncate(out, out->len); /* clear a failure buf_reserve set: out is as it was */
        free(sizes);
        return rc;
    }

    uint8_t *start = (uint8_t *)out->data + out->len;
    uint8_t *p = put_len(start, TAG(1, LEN), resource_spans);
    p = put_len(p, TAG(1, LEN), resource);
    p = put_attrs(p, TAG(1, LEN), r->attrs.items, r->attrs.count);
    p = put_len(p, TAG(2, LEN), scope_spans);
    p = put_len(p, TAG(1, LEN), scope);
    p = put_text_field(p, TAG(1, LEN), r->scope_name, cstr_len(r->scope_name));
    p = put_text_field(p, TAG(2, LEN), r->scope_version, cstr_len(r->scope_version));
    for (size_t i = 0; i < b->count; i++) {
        batch_prefetch(b, i);
        struct derived more; /* again, rather than kept: 16 attributes a span */
        derive(b->spans[i], b->derived, &more);
        p = put_len(p, TAG(2, LEN), sizes[i]);
        p = put_span(p, b->spans[i], &more);
    }
    free(sizes);
    /* The sizes and the writers agree (the differential tests prove it): a mismatch
     * would already have written past the reservation. */
    assert((size_t)(p - start) == total);
    out->len += total;
    return GENOPS_OK;
}
