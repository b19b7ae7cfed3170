/* otlp_encode_json.c - a batch as one OTLP ExportTraceServiceRequest in OTLP/JSON (see
 * otlp_encode.h for the contract).
 *
 * OTLP/JSON is the proto3 JSON mapping of the same message, with OTLP's deviations
 * (OTLP specification, "JSON Protobuf Encoding"): lowerCamelCase field names;
 * traceId, spanId and parentSpanId as lowercase hex, not base64; enums as integers;
 * 64-bit integers (intValue, the *UnixNano times) as decimal strings. Example:
 *
 *   {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":
 *   {"stringValue":"chat"}}]},"scopeSpans":[{"scope":{"name":"genops-ai","version":
 *   "0.1.0"},"spans":[{"traceId":"5b8e...","spanId":"051581bf3cb55c13","name":"llm",
 *   "kind":1,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"...",
 *   "attributes":[...],"status":{}}]}]}]}
 *
 * A field appears exactly when otlp_encode_pb.c writes it, in the same (field number)
 * order, so both encodings decode to equal messages; tests/python checks that with the
 * official OpenTelemetry classes. */
#include "otlp/otlp_encode.h"

#include <string.h>

#include "derived.h"
#include "json.h"

static inline void put_str(struct buf *out, const char *s)
{
    buf_append(out, s, strlen(s));
}

/* A string literal, without its NUL. */
#define PUT(out, lit) buf_append((out), (lit), sizeof(lit) - 1)

static void put_quoted_i64(struct buf *out, int64_t v)
{
    buf_putc(out, '"');
    buf_put_i64(out, v);
    buf_putc(out, '"');
}

static void put_quoted_u64(struct buf *out, uint64_t v)
{
    buf_putc(out, '"');
    buf_put_u64(out, v);
    buf_putc(out, '"');
}

/* The one member of the AnyValue of scalar v, as "name":value; the caller writes the
 * braces. */
static void put_scalar(struct buf *out, const genops_value *v)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING:
        PUT(out, "\"stringValue\":");
        json_put_string(out, v->u.s, v->len);
        break;
    case GENOPS_TYPE_INT:
        PUT(out, "\"intValue\":");
        put_quoted_i64(out, v->u.i);
        break;
    case GENOPS_TYPE_DOUBLE:
        PUT(out, "\"doubleValue\":");
        json_put_double(out, v->u.d);
        break;
    default: /* GENOPS_TYPE_BOOL */
        if (v->u.b)
            PUT(out, "\"boolValue\":true");
        else
            PUT(out, "\"boolValue\":false");
        break;
    }
}

/* Item i of array v, as a scalar value. */
static genops_value array_item(const genops_value *v, size_t i)
{
    genops_value item = {
        .type = (genops_type)(v->type - GENOPS_TYPE_STRING_ARRAY + GENOPS_TYPE_STRING)};
    switch (v->type) {
    case GENOPS_TYPE_STRING_ARRAY:
        item.u.s = v->u.sa[i];
        item.len = strlen(v->u.sa[i]);
        break;
    case GENOPS_TYPE_INT_ARRAY: item.u.i = v->u.ia[i]; break;
    case GENOPS_TYPE_DOUBLE_ARRAY: item.u.d = v->u.da[i]; break;
    default: item.u.b = v->u.ba[i]; break;
    }
    return item;
}

/* The member of v's AnyValue; an empty array has no "values" (proto3 JSON omits empty
 * lists) and an unknown type is an empty AnyValue, as in otlp_encode_pb.c. */
static void put_any(struct buf *out, const genops_value *v)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING:
    case GENOPS_TYPE_INT:
    case GENOPS_TYPE_DOUBLE:
    case GENOPS_TYPE_BOOL: put_scalar(out, v); return;
    case GENOPS_TYPE_STRING_ARRAY:
    case GENOPS_TYPE_INT_ARRAY:
    case GENOPS_TYPE_DOUBLE_ARRAY:
    case GENOPS_TYPE_BOOL_ARRAY: break;
    default: return;
    }
    PUT(out, "\"arrayValue\":{");
    for (size_t i = 0; i < v->len; i++) {
        genops_value item = array_item(v, i);
        if (i == 0)
            PUT(out, "\"values\":[{");
        else
            PUT(out, "},{");
        put_scalar(out, &item);
    }
    if (v->len)
        PUT(out, "}]");
    buf_putc(out, '}');
}

/* `,"attributes":[...]` (name given) of attrs and then more (the derived names, or
 * NULL), or nothing when every value is NULL (skipped, as in otlp_encode_pb.c). first
 * says whether the object has no member yet. */
static void put_attrs(struct buf *out, const char *name, const struct attr *attrs, uint32_t n,
                      const struct derived *more, bool first)
{
    bool any = false;
    uint32_t total = n + (more ? more->count : 0);
    for (uint32_t i = 0; i < total; i++) {
        const struct attr *a = i < n ? &attrs[i] : &more->items[i - n];
        if (a->value.type == GENOPS_TYPE_NULL)
            continue;
        if (!any) {
            if (!first)
                buf_putc(out, ',');
            buf_putc(out, '"');
            put_str(out, name);
            PUT(out, "\":[");
        } else {
            buf_putc(out, ',');
        }
        any = true;
        PUT(out, "{\"key\":");
        json_put_string(out, a->key, a->key_len);
        PUT(out, ",\"value\":{");
        put_any(out, &a->value);
        PUT(out, "}}");
    }
    if (any)
        buf_putc(out, ']');
}

static void put_event(struct buf *out, const struct event *e)
{
    bool first = true;
    buf_putc(out, '{');
    if (e->time_ns) {
        PUT(out, "\"timeUnixNano\":");
        put_quoted_u64(out, e->time_ns);
        first = false;
    }
    if (e->name_len) {
        put_str(out, first ? "\"name\":" : ",\"name\":");
        json_put_string(out, e->name, e->name_len);
        first = false;
    }
    put_attrs(out, "attributes", e->attrs, e->count, NULL, first);
    buf_putc(out, '}');
}

static void put_status(struct buf *out, const struct span *s)
{
    bool message =
        s->status == GENOPS_SPAN_STATUS_ERROR && s->status_message && s->status_message_len;
    PUT(out, ",\"status\":{");
    if (message) {
        PUT(out, "\"message\":");
        json_put_string(out, s->status_message, s->status_message_len);
    }
    if (s->status) {
        put_str(out, message ? ",\"code\":" : "\"code\":");
        buf_put_u64(out, s->status);
    }
    buf_putc(out, '}');
}

static void put_span(struct buf *out, const struct span *s, bool derived)
{
    struct derived more;
    derive(s, derived, &more);
    PUT(out, "{\"traceId\":");
    json_put_hex(out, s->trace_id, 16);
    PUT(out, ",\"spanId\":");
    json_put_hex(out, s->span_id, 8);
    if (s->has_parent) {
        PUT(out, ",\"parentSpanId\":");
        json_put_hex(out, s->parent_span_id, 8);
    }
    if (s->name_len) {
        PUT(out, ",\"name\":");
        json_put_string(out, s->name, s->name_len);
    }
    if (s->kind) {
        PUT(out, ",\"kind\":");
        buf_put_u64(out, s->kind);
    }
    if (s->start_ns) {
        PUT(out, ",\"startTimeUnixNano\":");
        put_quoted_u64(out, s->start_ns);
    }
    if (s->end_ns) {
        PUT(out, ",\"endTimeUnixNano\":");
        put_quoted_u64(out, s->end_ns);
    }
    put_attrs(out, "attributes", s->attrs.items, s->attrs.count, &more, false);
    if (s->dropped_attributes) {
        PUT(out, ",\"droppedAttributesCount\":");
        buf_put_u64(out, s->dropped_attributes);
    }
    for (uint32_t i = 0; i < s->event_count; i++) {
        put_str(out, i ? "," : ",\"events\":[");
        put_event(out, &s->events[i]);
    }
    if (s->event_count)
        buf_putc(out, ']');
    if (s->dropped_events) {
        PUT(out, ",\"droppedEventsCount\":");
        buf_put_u64(out, s->dropped_events);
    }
    put_status(out, s);
    buf_putc(out, '}');
}

static void put_scope(struct buf *out, const struct resource *r)
{
    bool name = r->scope_name && *r->scope_name;
    PUT(out, "\"scope\":{");
    if (name) {
        PUT(out, "\"name\":");
        json_put_string(out, r->scope_name, strlen(r->scope_name));
    }
    if (r->scope_version && *r->scope_version) {
        put_str(out, name ? ",\"version\":" : "\"version\":");
        json_put_string(out, r->scope_version, strlen(r->scope_version));
    }
    buf_putc(out, '}');
}

genops_status encode_otlp_json(const struct batch *b, struct buf *out)
{
    const struct resource *r = b->resource;
    size_t mark = out->len;

    PUT(out, "{\"resourceSpans\":[{\"resource\":{");
    put_attrs(out, "attributes", r->attrs.items, r->attrs.count, NULL, true);
    PUT(out, "},\"scopeSpans\":[{");
    put_scope(out, r);
    if (b->count)
        PUT(out, ",\"spans\":[");
    for (size_t i = 0; i < b->count; i++) {
        batch_prefetch(b, i);
        if (i)
            buf_putc(out, ',');
        put_span(out, b->spans[i], b->derived);
    }
    if (b->count)
        buf_putc(out, ']');
    PUT(out, "}]}]}");

    if (buf_ok(out))
        return GENOPS_OK;
    genops_status rc = buf_status(out); /* the limit (ETOOBIG) or malloc (ENOMEM) */
    buf_truncate(out, mark);
    return rc;
}
