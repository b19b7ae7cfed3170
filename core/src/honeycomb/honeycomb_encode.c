/* honeycomb_encode.c - Honeycomb events in MessagePack (see honeycomb_encode.h), written
 * with msgpack_put.h straight into the buf, whose limit and sticky failure end the batch. */
#include "honeycomb/honeycomb_encode.h"

#include <string.h>

#include "derived.h"
#include "honeycomb/msgpack_put.h"
#include "semconv.h"

static void put_value(struct buf *out, const genops_value *v)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING: mp_str(out, v->u.s, v->len); return;
    case GENOPS_TYPE_INT: mp_int(out, v->u.i); return;
    case GENOPS_TYPE_DOUBLE: mp_double(out, v->u.d); return;
    case GENOPS_TYPE_BOOL: mp_bool(out, v->u.b); return;
    case GENOPS_TYPE_STRING_ARRAY:
        mp_array(out, (uint32_t)v->len);
        for (size_t i = 0; i < v->len; i++)
            mp_str(out, v->u.sa[i] ? v->u.sa[i] : "", v->u.sa[i] ? strlen(v->u.sa[i]) : 0);
        return;
    case GENOPS_TYPE_INT_ARRAY:
        mp_array(out, (uint32_t)v->len);
        for (size_t i = 0; i < v->len; i++)
            mp_int(out, v->u.ia[i]);
        return;
    case GENOPS_TYPE_DOUBLE_ARRAY:
        mp_array(out, (uint32_t)v->len);
        for (size_t i = 0; i < v->len; i++)
            mp_double(out, v->u.da[i]);
        return;
    case GENOPS_TYPE_BOOL_ARRAY:
        mp_array(out, (uint32_t)v->len);
        for (size_t i = 0; i < v->len; i++)
            mp_bool(out, v->u.ba[i]);
        return;
    default: mp_nil(out); return; /* NULL values are never stored */
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

/* Which attributes go into data: a span attribute unless reserved; a resource attribute
 * unless reserved or the span has it. NULL values and empty keys (which the core never
 * stores) never. */
static bool span_attr_kept(const struct attr *a)
{
    return a->value.type != GENOPS_TYPE_NULL && a->key_len && !reserved(a->key, a->key_len);
}

/* One bit per span attribute's hash (mod 64): a resource attribute whose bit is clear
 * is not among them, without a scan of the list. */
static uint64_t hash_bit(const struct attr *a)
{
    return (uint64_t)1 << (a->hash & 63);
}

static bool resource_attr_kept(const struct attr *a, const struct span *s, uint64_t span_hashes)
{
    return span_attr_kept(a) && (!(span_hashes & hash_bit(a)) ||
                                 attr_list_find(&s->attrs, a->key, a->key_len, a->hash) < 0);
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

static void put_hex(struct buf *out, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char hex[32];
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 15];
    }
    mp_str_trusted(out, hex, (uint32_t)(2 * n));
}

static const char *const kinds[] = {"internal", "internal", "server",
                                    "client",   "producer", "consumer"};

static void put_data(struct buf *out, const struct span *s, const struct attr_list *resource,
                     const genops_value *service, bool derived)
{
    /* The names the guides query (derived.h), after the span's own; status and
     * duration_ms are this event's own fields already (reserved). */
    struct derived more;
    derive(s, derived, &more);
    bool error = s->status == GENOPS_SPAN_STATUS_ERROR;
    bool message = error && s->status_message && s->status_message_len;
    /* One pass: the map's header is written for the most fields the event can have and
     * set to the count written at the end (mp_map_end). */
    size_t most = 9 + 2 + (size_t)s->attrs.count + more.count + (resource ? resource->count : 0);
    struct mp_map map = mp_map_begin(out, most);
    uint32_t fields = 7 + (s->has_parent ? 1 : 0) + (service ? 1 : 0) + (error ? 1 : 0) +
                      (message ? 1 : 0); /* the span's own fields, below */
    uint64_t span_hashes = 0;
    for (uint32_t i = 0; i < s->attrs.count; i++)
        span_hashes |= hash_bit(&s->attrs.items[i]);
    for (uint32_t i = 0; i < s->attrs.count + more.count; i++) {
        const struct attr *a =
            i < s->attrs.count ? &s->attrs.items[i] : &more.items[i - s->attrs.count];
        if (span_attr_kept(a) && !(i < s->attrs.count && is_sample_rate(a))) {
            mp_str(out, a->key, a->key_len);
            put_value(out, &a->value);
            fields++;
        }
    }
    for (uint32_t i = 0; resource && i < resource->count; i++) {
        const struct attr *a = &resource->items[i];
        if (resource_attr_kept(a, s, span_hashes)) {
            mp_str(out, a->key, a->key_len);
            put_value(out, &a->value);
            fields++;
        }
    }
    MP_KEY(out, "name");
    mp_str(out, s->name ? s->name : "", s->name ? s->name_len : 0);
    MP_KEY(out, "trace.trace_id");
    put_hex(out, s->trace_id, 16);
    MP_KEY(out, "trace.span_id");
    put_hex(out, s->span_id, 8);
    if (s->has_parent) {
        MP_KEY(out, "trace.parent_id");
        put_hex(out, s->parent_span_id, 8);
    }
    if (service) {
        MP_KEY(out, "service.name");
        mp_str(out, service->u.s, service->len);
    }
    MP_KEY(out, "duration_ms");
    mp_double(out, s->end_ns > s->start_ns ? (double)(s->end_ns - s->start_ns) / 1e6 : 0.0);
    MP_KEY(out, "span.kind");
    const char *kind = kinds[s->kind <= GENOPS_SPAN_KIND_CONSUMER ? s->kind : 0];
    mp_str_trusted(out, kind, (uint32_t)strlen(kind));
    MP_KEY(out, "status_code");
    mp_int(out, s->status <= GENOPS_SPAN_STATUS_ERROR ? s->status : 0);
    MP_KEY(out, "status");
    if (error)
        MP_KEY(out, "error");
    else
        MP_KEY(out, "success");
    if (error) {
        MP_KEY(out, "error");
        mp_bool(out, true);
    }
    if (message) {
        MP_KEY(out, "status_message");
        mp_str(out, s->status_message, s->status_message_len);
    }
    mp_map_end(out, map, fields);
}

/* Two decimal digits of v at p. */
static void two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

/* Nine fraction digits of a second at out[20..28]. */
static void put_fraction(char out[31], uint64_t frac)
{
    for (int i = 28; i >= 20; i--, frac /= 10)
        out[i] = (char)('0' + frac % 10);
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
    put_fraction(out, frac);
    out[29] = 'Z';
    out[30] = 0;
    return 30;
}

/* The stamp of t in out, which holds the stamp of a time in second *second: the spans of
 * a batch mostly start within the same second, which leaves only the fraction to write. */
static void stamp_for(uint64_t t, char out[31], uint64_t *second)
{
    if (t / 1000000000u == *second)
        put_fraction(out, t % 1000000000u);
    else {
        honeycomb_rfc3339(t, out);
        *second = t / 1000000000u;
    }
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
    mp_array(out, (uint32_t)b->count);
    char stamp[31];
    uint64_t stamp_second = UINT64_MAX; /* no time's second: the first stamp is written whole */
    for (size_t i = 0; i < b->count && buf_ok(out); i++) {
        batch_prefetch(b, i);
        const struct span *s = b->spans[i];
        size_t event_start = out->len;
        const struct attr *rate = sample_rate(s);
        mp_map(out, rate ? 3 : 2);
        MP_KEY(out, "time");
        stamp_for(s->start_ns, stamp, &stamp_second);
        mp_str_trusted(out, stamp, 30);
        if (rate) {
            MP_KEY(out, "samplerate");
            mp_int(out, rate->value.u.i);
        }
        MP_KEY(out, "data");
        put_data(out, s, resource, service, b->derived);
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
