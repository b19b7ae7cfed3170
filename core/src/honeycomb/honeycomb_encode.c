/* honeycomb_encode.c - Honeycomb events in MessagePack (see honeycomb_encode.h). msgpack-c
 * packs; its writer appends to our buf, whose limit and sticky failure end the batch. */
#include "honeycomb/honeycomb_encode.h"

#include <msgpack.h>
#include <string.h>

#include "derived.h"
#include "semconv.h"
#include "utf8.h"

static int write_buf(void *data, const char *bytes, size_t len)
{
    struct buf *out = data;
    buf_append(out, bytes, len);
    return buf_ok(out) ? 0 : -1;
}

/* A str; text that is not valid UTF-8 is repaired straight into the output. */
static void put_str(msgpack_packer *pk, const char *s, size_t len)
{
    if (utf8_valid_prefix(s, len) == len) {
        msgpack_pack_str_with_body(pk, s, len);
        return;
    }
    size_t n = utf8_repaired_len(s, len);
    struct buf *out = pk->data;
    msgpack_pack_str(pk, n);
    if (!buf_reserve(out, n))
        return;
    out->len += utf8_repair(out->data + out->len, s, len);
}

#define PUT_KEY(pk, lit) msgpack_pack_str_with_body((pk), (lit), sizeof(lit) - 1)

static void put_value(msgpack_packer *pk, const genops_value *v)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING: put_str(pk, v->u.s, v->len); return;
    case GENOPS_TYPE_INT: msgpack_pack_int64(pk, v->u.i); return;
    case GENOPS_TYPE_DOUBLE: msgpack_pack_double(pk, v->u.d); return;
    case GENOPS_TYPE_BOOL: v->u.b ? msgpack_pack_true(pk) : msgpack_pack_false(pk); return;
    case GENOPS_TYPE_STRING_ARRAY:
        msgpack_pack_array(pk, v->len);
        for (size_t i = 0; i < v->len; i++)
            put_str(pk, v->u.sa[i] ? v->u.sa[i] : "", v->u.sa[i] ? strlen(v->u.sa[i]) : 0);
        return;
    case GENOPS_TYPE_INT_ARRAY:
        msgpack_pack_array(pk, v->len);
        for (size_t i = 0; i < v->len; i++)
            msgpack_pack_int64(pk, v->u.ia[i]);
        return;
    case GENOPS_TYPE_DOUBLE_ARRAY:
        msgpack_pack_array(pk, v->len);
        for (size_t i = 0; i < v->len; i++)
            msgpack_pack_double(pk, v->u.da[i]);
        return;
    case GENOPS_TYPE_BOOL_ARRAY:
        msgpack_pack_array(pk, v->len);
        for (size_t i = 0; i < v->len; i++)
            v->u.ba[i] ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
        return;
    default: msgpack_pack_nil(pk); return; /* NULL values are never stored */
    }
}

/* The span's own fields, which an attribute of the same name does not repeat, and the
 * router's GENOPS_HONEYCOMB_DATASETS_KEY, which is never sent. */
static bool reserved(const char *k, uint32_t n)
{
    if (n == sizeof GENOPS_HONEYCOMB_DATASETS_KEY - 1 &&
        !memcmp(k, GENOPS_HONEYCOMB_DATASETS_KEY, n))
        return true;
    switch (n) {
    case 4: return !memcmp(k, "name", 4);
    case 5: return !memcmp(k, "error", 5);
    case 6: return !memcmp(k, "status", 6);
    case 9: return !memcmp(k, "span.kind", 9);
    case 11: return !memcmp(k, "duration_ms", 11) || !memcmp(k, "status_code", 11);
    case 12: return !memcmp(k, "service.name", 12);
    case 13: return !memcmp(k, "trace.span_id", 13);
    case 14: return !memcmp(k, "trace.trace_id", 14) || !memcmp(k, "status_message", 14);
    case 15: return !memcmp(k, "trace.parent_id", 15);
    default: return false;
    }
}

static bool has_key(const struct attr_list *l, const char *k, uint32_t n)
{
    for (uint32_t i = 0; i < l->count; i++)
        if (l->items[i].key_len == n && !memcmp(l->items[i].key, k, n))
            return true;
    return false;
}

/* Which attributes go into data: a span attribute unless reserved; a resource attribute
 * unless reserved or the span has it. NULL values and empty keys (which the core never
 * stores) never. */
static bool span_attr_kept(const struct attr *a)
{
    return a->value.type != GENOPS_TYPE_NULL && a->key_len && !reserved(a->key, a->key_len);
}

static bool resource_attr_kept(const struct attr *a, const struct span *s)
{
    return span_attr_kept(a) && !has_key(&s->attrs, a->key, a->key_len);
}

/* A sampled span's int SampleRate (Honeycomb's OTLP convention) becomes the event's own
 * samplerate, which the Events API takes only as a positive integer; otherwise it stays
 * an ordinary field of data. */
static bool is_sample_rate(const struct attr *a)
{
    return a->key_len == SEMCONV_SAMPLE_RATE_LEN &&
           !memcmp(a->key, SEMCONV_SAMPLE_RATE, a->key_len) && a->value.type == GENOPS_TYPE_INT &&
           a->value.u.i >= 1;
}

static const struct attr *sample_rate(const struct span *s)
{
    for (uint32_t i = 0; i < s->attrs.count; i++)
        if (is_sample_rate(&s->attrs.items[i]))
            return &s->attrs.items[i];
    return NULL;
}

static void put_hex(msgpack_packer *pk, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char hex[32];
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 15];
    }
    msgpack_pack_str_with_body(pk, hex, 2 * n);
}

static const char *const kinds[] = {"internal", "internal", "server",
                                    "client",   "producer", "consumer"};

static void put_data(msgpack_packer *pk, const struct span *s, const struct attr_list *resource,
                     const genops_value *service, bool derived)
{
    /* The names the guides query (derived.h), after the span's own; status and
     * duration_ms are this event's own fields already (reserved). */
    struct derived more;
    derive(s, derived, &more);
    bool error = s->status == GENOPS_SPAN_STATUS_ERROR;
    bool message = error && s->status_message && s->status_message_len;
    /* name, trace.trace_id, trace.span_id, duration_ms, span.kind, status_code, status */
    size_t fields =
        7 + (s->has_parent ? 1 : 0) + (service ? 1 : 0) + (error ? 1 : 0) + (message ? 1 : 0);
    for (uint32_t i = 0; i < s->attrs.count; i++)
        fields += span_attr_kept(&s->attrs.items[i]) && !is_sample_rate(&s->attrs.items[i]);
    for (uint32_t i = 0; i < more.count; i++)
        fields += span_attr_kept(&more.items[i]);
    for (uint32_t i = 0; resource && i < resource->count; i++)
        fields += resource_attr_kept(&resource->items[i], s);
    msgpack_pack_map(pk, fields);

    for (uint32_t i = 0; i < s->attrs.count + more.count; i++) {
        const struct attr *a =
            i < s->attrs.count ? &s->attrs.items[i] : &more.items[i - s->attrs.count];
        if (span_attr_kept(a) && !(i < s->attrs.count && is_sample_rate(a))) {
            put_str(pk, a->key, a->key_len);
            put_value(pk, &a->value);
        }
    }
    for (uint32_t i = 0; resource && i < resource->count; i++) {
        const struct attr *a = &resource->items[i];
        if (resource_attr_kept(a, s)) {
            put_str(pk, a->key, a->key_len);
            put_value(pk, &a->value);
        }
    }
    PUT_KEY(pk, "name");
    put_str(pk, s->name ? s->name : "", s->name ? s->name_len : 0);
    PUT_KEY(pk, "trace.trace_id");
    put_hex(pk, s->trace_id, 16);
    PUT_KEY(pk, "trace.span_id");
    put_hex(pk, s->span_id, 8);
    if (s->has_parent) {
        PUT_KEY(pk, "trace.parent_id");
        put_hex(pk, s->parent_span_id, 8);
    }
    if (service) {
        PUT_KEY(pk, "service.name");
        put_str(pk, service->u.s, service->len);
    }
    PUT_KEY(pk, "duration_ms");
    msgpack_pack_double(pk,
                        s->end_ns > s->start_ns ? (double)(s->end_ns - s->start_ns) / 1e6 : 0.0);
    PUT_KEY(pk, "span.kind");
    const char *kind = kinds[s->kind <= GENOPS_SPAN_KIND_CONSUMER ? s->kind : 0];
    msgpack_pack_str_with_body(pk, kind, strlen(kind));
    PUT_KEY(pk, "status_code");
    msgpack_pack_int64(pk, s->status <= GENOPS_SPAN_STATUS_ERROR ? s->status : 0);
    PUT_KEY(pk, "status");
    if (error)
        PUT_KEY(pk, "error");
    else
        PUT_KEY(pk, "success");
    if (error) {
        PUT_KEY(pk, "error");
        msgpack_pack_true(pk);
    }
    if (message) {
        PUT_KEY(pk, "status_message");
        put_str(pk, s->status_message, s->status_message_len);
    }
}

/* Two decimal digits of v at p. */
static void two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

size_t honeycomb_rfc3339(uint64_t unix_ns, char out[31])
{
    /* The civil date of a day count: civil_from_days from H. Hinnant, "chrono-Compatible
     * Low-Level Date Algorithms". RFC 3339 has four year digits, so times after
     * 9999-12-31T23:59:59.999999999Z are written as that. No gmtime: no locale, no TZ. */
    uint64_t secs = unix_ns / 1000000000u, frac = unix_ns % 1000000000u;
    if (secs > 253402300799u) {
        secs = 253402300799u;
        frac = 999999999u;
    }
    uint64_t days = secs / 86400u, sod = secs % 86400u;
    uint64_t z = days + 719468u, era = z / 146097u, doe = z - era * 146097u;
    uint64_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    uint64_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    uint64_t mp = (5u * doy + 2u) / 153u;
    unsigned day = (unsigned)(doy - (153u * mp + 2u) / 5u + 1u);
    unsigned month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    unsigned year = (unsigned)(yoe + era * 400u + (month <= 2));
    two(out, year / 100);
    two(out + 2, year % 100);
    out[4] = '-';
    two(out + 5, month);
    out[7] = '-';
    two(out + 8, day);
    out[10] = 'T';
    two(out + 11, (unsigned)(sod / 3600u));
    out[13] = ':';
    two(out + 14, (unsigned)(sod / 60u % 60u));
    out[16] = ':';
    two(out + 17, (unsigned)(sod % 60u));
    out[19] = '.';
    for (int i = 28; i >= 20; i--, frac /= 10)
        out[i] = (char)('0' + frac % 10);
    out[29] = 'Z';
    out[30] = 0;
    return 30;
}

genops_status encode_honeycomb_msgpack(const struct batch *b, struct buf *out)
{
    size_t mark = out->len;
    const struct attr_list *resource = b->resource ? &b->resource->attrs : NULL;
    const genops_value *service = NULL;
    for (uint32_t i = 0; resource && i < resource->count; i++) {
        const struct attr *a = &resource->items[i];
        if (a->key_len == 12 && !memcmp(a->key, "service.name", 12) &&
            a->value.type == GENOPS_TYPE_STRING)
            service = &a->value;
    }
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, write_buf);
    msgpack_pack_array(&pk, b->count);
    for (size_t i = 0; i < b->count && buf_ok(out); i++) {
        batch_prefetch(b, i);
        const struct span *s = b->spans[i];
        size_t event_start = out->len;
        char stamp[31];
        const struct attr *rate = sample_rate(s);
        msgpack_pack_map(&pk, rate ? 3 : 2);
        PUT_KEY(&pk, "time");
        msgpack_pack_str_with_body(&pk, stamp, honeycomb_rfc3339(s->start_ns, stamp));
        if (rate) {
            PUT_KEY(&pk, "samplerate");
            msgpack_pack_int64(&pk, rate->value.u.i);
        }
        PUT_KEY(&pk, "data");
        put_data(&pk, s, resource, service, b->derived);
        if (buf_ok(out) && out->len - event_start > HONEYCOMB_MAX_EVENT_BYTES) {
            buf_truncate(out, mark);
            return GENOPS_ETOOBIG;
        }
    }
    if (buf_ok(out))
        return GENOPS_OK;
    genops_status rc = buf_status(out);
    buf_truncate(out, mark);
    return rc;
}
