/* hec_encode.c - Splunk HEC events, one per span (see hec_encode.h for the contract).
 *
 * One pass into one buffer: the envelope members every event shares are escaped once
 * per batch into a small buffer and copied in front of each body; the body is written
 * straight from the span. No object tree, no intermediate encoding. */
#include "hec/hec_encode.h"

#include <string.h>

#include "derived.h"
#include "json.h"

/* A string literal, without its NUL. */
#define PUT(out, lit) buf_append((out), (lit), sizeof(lit) - 1)

#define ENVELOPE_LIMIT ((size_t)64 << 10) /* host + source + sourcetype + index, escaped */

static const char *const status_names[] = {"UNSET", "OK", "ERROR"};

/* Keys the encoder writes itself. An attribute with one of these names is left out
 * rather than written twice: parsers disagree about duplicate keys (RFC 8259 section
 * 4 leaves it open) and Splunk would make a multivalue field of them. */
static bool reserved(const char *k, uint32_t n)
{
    switch (n) {
    case 4: return memcmp(k, "name", 4) == 0 || memcmp(k, "time", 4) == 0;
    case 6: return memcmp(k, "status", 6) == 0;
    case 7: return memcmp(k, "span_id", 7) == 0;
    case 8: return memcmp(k, "trace_id", 8) == 0;
    case 11: return memcmp(k, "duration_ms", 11) == 0;
    case 12: return memcmp(k, "service.name", 12) == 0;
    case 14: return memcmp(k, "parent_span_id", 14) == 0 || memcmp(k, "status_message", 14) == 0;
    default: return false;
    }
}

/* The string value of key in l, or NULL (values of other types do not qualify). */
static const genops_value *find_string(const struct attr_list *l, const char *key)
{
    size_t n = strlen(key);
    for (uint32_t i = 0; l && i < l->count; i++) {
        const struct attr *a = &l->items[i];
        if (a->key_len == n && a->value.type == GENOPS_TYPE_STRING && a->value.len &&
            memcmp(a->key, key, n) == 0)
            return &a->value;
    }
    return NULL;
}

/* Any non-NULL value of key in attrs[0..count), or NULL. */
static const genops_value *find_value(const struct attr *attrs, uint32_t count, const char *key,
                                      size_t n)
{
    for (uint32_t i = 0; i < count; i++)
        if (attrs[i].key_len == n && attrs[i].value.type != GENOPS_TYPE_NULL &&
            memcmp(attrs[i].key, key, n) == 0)
            return &attrs[i].value;
    return NULL;
}

static void pick(const char *configured, const genops_value *from_resource, const char *fallback,
                 const char **out, size_t *len)
{
    if (configured && *configured) {
        *out = configured;
        *len = strlen(configured);
    } else if (from_resource) {
        *out = from_resource->u.s;
        *len = from_resource->len;
    } else if (fallback && *fallback) {
        *out = fallback;
        *len = strlen(fallback);
    } else {
        *out = NULL;
        *len = 0;
    }
}

void encode_hec_meta(const struct hec_encoding *enc, const struct resource *r, struct hec_meta *out)
{
    const struct attr_list *ra = r ? &r->attrs : NULL;
    const genops_value *host = find_string(ra, "host.name");
    if (!host)
        host = find_string(ra, "host");
    pick(enc->host, host, enc->default_host, &out->host, &out->host_len);
    pick(enc->source, find_string(ra, "splunk.source"), NULL, &out->source, &out->source_len);
    pick(enc->sourcetype, find_string(ra, "splunk.sourcetype"), HEC_DEFAULT_SOURCETYPE,
         &out->sourcetype, &out->sourcetype_len);
    pick(enc->index, find_string(ra, "splunk.index"), NULL, &out->index, &out->index_len);
}

/* Epoch seconds with nine fraction digits, from the integer nanoseconds: a double
 * cannot hold them (ns since 1970 > 2^53), and printf's %f would follow the locale's
 * decimal point. Splunk reads a decimal epoch time and keeps microseconds of it. */
static void put_time(struct buf *out, uint64_t unix_ns)
{
    uint64_t frac = unix_ns % 1000000000u;
    char digits[10];
    buf_put_u64(out, unix_ns / 1000000000u);
    digits[0] = '.';
    for (int i = 9; i >= 1; i--, frac /= 10)
        digits[i] = (char)('0' + frac % 10);
    buf_append(out, digits, sizeof digits);
}

/* Milliseconds from integer nanoseconds, exact, without trailing zeros ("123.456789",
 * "1523"): a JSON number Splunk's avg() and p95() read, the same under every locale. */
static void put_duration_ms(struct buf *out, uint64_t ns)
{
    uint64_t frac = ns % 1000000u;
    buf_put_u64(out, ns / 1000000u);
    if (!frac)
        return;
    char digits[7];
    int n = 6;
    while (frac % 10 == 0) {
        frac /= 10;
        n--;
    }
    digits[0] = '.';
    for (int i = n; i >= 1; i--, frac /= 10)
        digits[i] = (char)('0' + frac % 10);
    buf_append(out, digits, (size_t)n + 1);
}

/* A value with its JSON type: string, integer, number, boolean, or an array of them. */
static void put_value(struct buf *out, const genops_value *v)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING: json_put_string(out, v->u.s, v->len); return;
    case GENOPS_TYPE_INT: buf_put_i64(out, v->u.i); return;
    case GENOPS_TYPE_DOUBLE: json_put_double(out, v->u.d); return;
    case GENOPS_TYPE_BOOL: buf_puts(out, v->u.b ? "true" : "false"); return;
    default: break;
    }
    buf_putc(out, '[');
    for (size_t i = 0; i < v->len; i++) {
        if (i)
            buf_putc(out, ',');
        switch (v->type) {
        case GENOPS_TYPE_STRING_ARRAY: json_put_string(out, v->u.sa[i], strlen(v->u.sa[i])); break;
        case GENOPS_TYPE_INT_ARRAY: buf_put_i64(out, v->u.ia[i]); break;
        case GENOPS_TYPE_DOUBLE_ARRAY: json_put_double(out, v->u.da[i]); break;
        default: buf_puts(out, v->u.ba[i] ? "true" : "false"); break;
        }
    }
    buf_putc(out, ']');
}

/* One scalar as an indexed-field string: HEC's "fields" take strings (or arrays of
 * strings) only. */
static void put_field_scalar(struct buf *out, const genops_value *v, size_t i, bool array)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING: json_put_string(out, v->u.s, v->len); return;
    case GENOPS_TYPE_STRING_ARRAY: json_put_string(out, v->u.sa[i], strlen(v->u.sa[i])); return;
    case GENOPS_TYPE_BOOL:
    case GENOPS_TYPE_BOOL_ARRAY:
        buf_puts(out, (array ? v->u.ba[i] : v->u.b) ? "\"true\"" : "\"false\"");
        return;
    default: break;
    }
    buf_putc(out, '"');
    if (v->type == GENOPS_TYPE_INT || v->type == GENOPS_TYPE_INT_ARRAY)
        buf_put_i64(out, array ? v->u.ia[i] : v->u.i);
    else
        json_put_double(out, array ? v->u.da[i] : v->u.d); /* finite: no quotes of its own */
    buf_putc(out, '"');
}

static bool is_array(genops_type t)
{
    return t >= GENOPS_TYPE_STRING_ARRAY && t <= GENOPS_TYPE_BOOL_ARRAY;
}

/* `,"fields":{...}` with every configured key the span (or its resource) has; nothing
 * when it has none of them. Empty arrays are left out: there is nothing to index. */
static void put_fields(struct buf *out, const struct span *s, const struct resource *r,
                       const struct hec_encoding *enc)
{
    bool any = false;
    for (size_t f = 0; f < enc->field_count; f++) {
        const char *key = enc->fields[f];
        size_t n = strlen(key);
        const genops_value *v = find_value(s->attrs.items, s->attrs.count, key, n);
        if (!v && r)
            v = find_value(r->attrs.items, r->attrs.count, key, n);
        if (!v || (is_array(v->type) && !v->len))
            continue;
        buf_puts(out, any ? "," : ",\"fields\":{");
        any = true;
        json_put_string(out, key, n);
        buf_putc(out, ':');
        if (!is_array(v->type)) {
            put_field_scalar(out, v, 0, false);
            continue;
        }
        buf_putc(out, '[');
        for (size_t i = 0; i < v->len; i++) {
            if (i)
                buf_putc(out, ',');
            put_field_scalar(out, v, i, true);
        }
        buf_putc(out, ']');
    }
    if (any)
        buf_putc(out, '}');
}

/* `,"key":value` for each attribute that has a value and a name of its own. With
 * lift (an exception event's attributes), only exception.* keys the span does not
 * have itself. */
static void put_attrs(struct buf *out, const struct attr *attrs, uint32_t count,
                      const struct span *lift)
{
    for (uint32_t i = 0; i < count; i++) {
        const struct attr *a = &attrs[i];
        if (a->value.type == GENOPS_TYPE_NULL || reserved(a->key, a->key_len))
            continue;
        if (lift && (a->key_len < 10 || memcmp(a->key, "exception.", 10) != 0 ||
                     find_value(lift->attrs.items, lift->attrs.count, a->key, a->key_len)))
            continue;
        buf_putc(out, ',');
        json_put_string(out, a->key, a->key_len);
        buf_putc(out, ':');
        put_value(out, &a->value);
    }
}

/* The members of the flat body, without braces. The first "exception" event's
 * attributes (exception.type, .message, .stacktrace) are lifted into the body, where
 * an audit search can see them, unless the span has attributes of the same names. */
static void put_body(struct buf *out, const struct span *s, const genops_value *service,
                     bool derived)
{
    PUT(out, "\"name\":");
    json_put_string(out, s->name ? s->name : "", s->name_len);
    PUT(out, ",\"trace_id\":");
    json_put_hex(out, s->trace_id, 16);
    PUT(out, ",\"span_id\":");
    json_put_hex(out, s->span_id, 8);
    if (s->has_parent) {
        PUT(out, ",\"parent_span_id\":");
        json_put_hex(out, s->parent_span_id, 8);
    }
    PUT(out, ",\"status\":\"");
    buf_puts(out, status_names[s->status <= GENOPS_SPAN_STATUS_ERROR ? s->status : 0]);
    buf_putc(out, '"');
    if (s->status == GENOPS_SPAN_STATUS_ERROR && s->status_message && s->status_message_len) {
        PUT(out, ",\"status_message\":");
        json_put_string(out, s->status_message, s->status_message_len);
    }
    PUT(out, ",\"duration_ms\":");
    put_duration_ms(out, s->end_ns > s->start_ns ? s->end_ns - s->start_ns : 0);
    if (service) {
        PUT(out, ",\"service.name\":");
        json_put_string(out, service->u.s, service->len);
    }
    put_attrs(out, s->attrs.items, s->attrs.count, NULL);
    /* The names the guides search (derived.h), after the span's own; status and
     * duration_ms are the body's own members already (reserved). */
    struct derived more;
    derive(s, derived, &more);
    put_attrs(out, more.items, more.count, NULL);
    for (uint32_t i = 0; i < s->event_count; i++) {
        const struct event *e = &s->events[i];
        if (e->name_len == 9 && memcmp(e->name, "exception", 9) == 0) {
            put_attrs(out, e->attrs, e->count, s);
            break;
        }
    }
}

void encode_hec_envelope(struct buf *out, const struct hec_meta *m)
{
    const char *names[] = {",\"host\":", ",\"source\":", ",\"sourcetype\":", ",\"index\":"};
    const char *values[] = {m->host, m->source, m->sourcetype, m->index};
    size_t lens[] = {m->host_len, m->source_len, m->sourcetype_len, m->index_len};
    for (int i = 0; i < 4; i++) {
        if (!values[i])
            continue;
        buf_puts(out, names[i]);
        json_put_string(out, values[i], lens[i]);
    }
}

genops_status encode_hec(const struct batch *b, const struct hec_encoding *enc, struct buf *out,
                         size_t *ends)
{
    size_t mark = out->len;
    const struct resource *r = b->resource;
    const genops_value *service = find_string(r ? &r->attrs : NULL, "service.name");
    struct buf envelope;
    struct hec_meta meta;

    buf_init(&envelope, ENVELOPE_LIMIT);
    if (!enc->raw) {
        encode_hec_meta(enc, r, &meta);
        encode_hec_envelope(&envelope, &meta);
        PUT(&envelope, ",\"event\":{");
    }
    if (!buf_ok(&envelope)) {
        buf_free(&envelope);
        return GENOPS_ETOOBIG; /* metadata over 64 KiB: configuration, not memory */
    }
    for (size_t i = 0; i < b->count && buf_ok(out); i++) {
        batch_prefetch(b, i);
        const struct span *s = b->spans[i];
        PUT(out, "{\"time\":");
        put_time(out, s->start_ns);
        if (enc->raw) {
            buf_putc(out, ',');
            put_body(out, s, service, b->derived);
            PUT(out, "}\n");
        } else {
            buf_append(out, envelope.data, envelope.len);
            put_body(out, s, service, b->derived);
            buf_putc(out, '}');
            put_fields(out, s, r, enc);
            buf_putc(out, '}');
        }
        if (ends)
            ends[i] = out->len;
    }
    buf_free(&envelope);
    if (buf_ok(out))
        return GENOPS_OK;
    genops_status rc = buf_status(out); /* the limit (ETOOBIG) or malloc (ENOMEM) */
    buf_truncate(out, mark);
    return rc;
}
