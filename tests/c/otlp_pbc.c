/* otlp_pbc.c - see otlp_pbc.h. */
#include "otlp_pbc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Opentelemetry__Proto__Common__V1__AnyValue AnyValue;
typedef Opentelemetry__Proto__Common__V1__ArrayValue ArrayValue;
typedef Opentelemetry__Proto__Common__V1__KeyValue KeyValue;
typedef Opentelemetry__Proto__Common__V1__InstrumentationScope Scope;
typedef Opentelemetry__Proto__Resource__V1__Resource Resource;
typedef Opentelemetry__Proto__Trace__V1__ResourceSpans ResourceSpans;
typedef Opentelemetry__Proto__Trace__V1__ScopeSpans ScopeSpans;
typedef Opentelemetry__Proto__Trace__V1__Span Span;
typedef Opentelemetry__Proto__Trace__V1__Span__Event Event;
typedef Opentelemetry__Proto__Trace__V1__Status Status;

#define CASE(name) OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_##name

/* ---- building the reference message ------------------------------------------------ */

/* Every allocation of one message, freed together. */
struct pool {
    void **items;
    size_t count, cap;
    bool failed;
};

static void *pool_alloc(struct pool *p, size_t size)
{
    if (p->failed)
        return NULL;
    if (p->count == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        void **items = realloc(p->items, cap * sizeof *items);
        if (!items) {
            p->failed = true;
            return NULL;
        }
        p->items = items;
        p->cap = cap;
    }
    void *m = calloc(1, size ? size : 1);
    if (!m)
        p->failed = true;
    else
        p->items[p->count++] = m;
    return m;
}

static void pool_free(struct pool *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->items[i]);
    free(p->items);
}

/* A NUL-terminated copy: never protobuf_c_empty_string, which protobuf-c treats as
 * "unset" in a oneof. */
static char *pool_text(struct pool *p, const char *s, size_t len)
{
    char *t = pool_alloc(p, len + 1);
    if (t && len)
        memcpy(t, s, len);
    return t;
}

static AnyValue *build_item(struct pool *p, const genops_value *v, size_t i)
{
    AnyValue *a = pool_alloc(p, sizeof *a);
    if (!a)
        return NULL;
    opentelemetry__proto__common__v1__any_value__init(a);
    switch (v->type) {
    case GENOPS_TYPE_STRING_ARRAY:
        a->value_case = CASE(STRING_VALUE);
        a->string_value = pool_text(p, v->u.sa[i], strlen(v->u.sa[i]));
        break;
    case GENOPS_TYPE_INT_ARRAY:
        a->value_case = CASE(INT_VALUE);
        a->int_value = v->u.ia[i];
        break;
    case GENOPS_TYPE_DOUBLE_ARRAY:
        a->value_case = CASE(DOUBLE_VALUE);
        a->double_value = v->u.da[i];
        break;
    default:
        a->value_case = CASE(BOOL_VALUE);
        a->bool_value = v->u.ba[i];
        break;
    }
    return a;
}

static AnyValue *build_any(struct pool *p, const genops_value *v)
{
    AnyValue *a = pool_alloc(p, sizeof *a);
    if (!a)
        return NULL;
    opentelemetry__proto__common__v1__any_value__init(a);
    switch (v->type) {
    case GENOPS_TYPE_STRING:
        a->value_case = CASE(STRING_VALUE);
        a->string_value = pool_text(p, v->u.s, v->len);
        break;
    case GENOPS_TYPE_BOOL:
        a->value_case = CASE(BOOL_VALUE);
        a->bool_value = v->u.b;
        break;
    case GENOPS_TYPE_INT:
        a->value_case = CASE(INT_VALUE);
        a->int_value = v->u.i;
        break;
    case GENOPS_TYPE_DOUBLE:
        a->value_case = CASE(DOUBLE_VALUE);
        a->double_value = v->u.d;
        break;
    default: {
        ArrayValue *arr = pool_alloc(p, sizeof *arr);
        if (!arr)
            return NULL;
        opentelemetry__proto__common__v1__array_value__init(arr);
        arr->n_values = v->len;
        arr->values = pool_alloc(p, v->len * sizeof *arr->values);
        for (size_t i = 0; arr->values && i < v->len; i++)
            arr->values[i] = build_item(p, v, i);
        a->value_case = CASE(ARRAY_VALUE);
        a->array_value = arr;
        break;
    }
    }
    return a;
}

/* The KeyValues of attrs, NULL values left out. */
static KeyValue **build_attrs(struct pool *p, const struct attr *attrs, uint32_t n, size_t *count)
{
    KeyValue **kvs = pool_alloc(p, n * sizeof *kvs);
    *count = 0;
    for (uint32_t i = 0; kvs && i < n; i++) {
        if (attrs[i].value.type == GENOPS_TYPE_NULL)
            continue;
        KeyValue *kv = pool_alloc(p, sizeof *kv);
        if (!kv)
            return NULL;
        opentelemetry__proto__common__v1__key_value__init(kv);
        kv->key = pool_text(p, attrs[i].key, attrs[i].key_len);
        kv->value = build_any(p, &attrs[i].value);
        kvs[(*count)++] = kv;
    }
    return kvs;
}

static Span *build_span(struct pool *p, const struct span *s)
{
    Span *m = pool_alloc(p, sizeof *m);
    Status *st = pool_alloc(p, sizeof *st);
    if (!m || !st)
        return NULL;
    opentelemetry__proto__trace__v1__span__init(m);
    m->trace_id = (ProtobufCBinaryData){16, (uint8_t *)s->trace_id};
    m->span_id = (ProtobufCBinaryData){8, (uint8_t *)s->span_id};
    if (s->has_parent)
        m->parent_span_id = (ProtobufCBinaryData){8, (uint8_t *)s->parent_span_id};
    m->name = pool_text(p, s->name, s->name_len);
    m->kind = (Opentelemetry__Proto__Trace__V1__Span__SpanKind)s->kind;
    m->start_time_unix_nano = s->start_ns;
    m->end_time_unix_nano = s->end_ns;
    m->attributes = build_attrs(p, s->attrs.items, s->attrs.count, &m->n_attributes);
    m->dropped_attributes_count = s->dropped_attributes;
    m->n_events = s->event_count;
    m->events = pool_alloc(p, s->event_count * sizeof *m->events);
    for (uint32_t i = 0; m->events && i < s->event_count; i++) {
        const struct event *e = &s->events[i];
        Event *ev = pool_alloc(p, sizeof *ev);
        if (!ev)
            return NULL;
        opentelemetry__proto__trace__v1__span__event__init(ev);
        ev->time_unix_nano = e->time_ns;
        ev->name = pool_text(p, e->name, e->name_len);
        ev->attributes = build_attrs(p, e->attrs, e->count, &ev->n_attributes);
        m->events[i] = ev;
    }
    m->dropped_events_count = s->dropped_events;
    opentelemetry__proto__trace__v1__status__init(st);
    st->code = (Opentelemetry__Proto__Trace__V1__Status__StatusCode)s->status;
    if (s->status == GENOPS_SPAN_STATUS_ERROR && s->status_message)
        st->message = pool_text(p, s->status_message, s->status_message_len);
    m->status = st;
    return m;
}

struct otlp_pbc_built {
    struct pool pool; /* everything below the top-level messages */
    Resource resource;
    Scope scope;
    ScopeSpans scope_spans;
    ResourceSpans resource_spans;
    ScopeSpans *scope_spans_list[1];
    ResourceSpans *resource_spans_list[1];
    otlp_pbc_request request;
};

struct otlp_pbc_built *otlp_pbc_build(const struct batch *b)
{
    struct otlp_pbc_built *m = calloc(1, sizeof *m);
    const struct resource *r = b->resource;
    if (!m)
        return NULL;
    struct pool *p = &m->pool;
    opentelemetry__proto__resource__v1__resource__init(&m->resource);
    opentelemetry__proto__common__v1__instrumentation_scope__init(&m->scope);
    opentelemetry__proto__trace__v1__scope_spans__init(&m->scope_spans);
    opentelemetry__proto__trace__v1__resource_spans__init(&m->resource_spans);
    opentelemetry__proto__collector__trace__v1__export_trace_service_request__init(&m->request);

    m->resource.attributes =
        build_attrs(p, r->attrs.items, r->attrs.count, &m->resource.n_attributes);
    if (r->scope_name)
        m->scope.name = pool_text(p, r->scope_name, strlen(r->scope_name));
    if (r->scope_version)
        m->scope.version = pool_text(p, r->scope_version, strlen(r->scope_version));
    m->scope_spans.scope = &m->scope;
    m->scope_spans.n_spans = b->count;
    m->scope_spans.spans = pool_alloc(p, b->count * sizeof *m->scope_spans.spans);
    for (size_t i = 0; m->scope_spans.spans && i < b->count; i++)
        m->scope_spans.spans[i] = build_span(p, b->spans[i]);
    m->scope_spans_list[0] = &m->scope_spans;
    m->resource_spans.resource = &m->resource;
    m->resource_spans.n_scope_spans = 1;
    m->resource_spans.scope_spans = m->scope_spans_list;
    m->resource_spans_list[0] = &m->resource_spans;
    m->request.n_resource_spans = 1;
    m->request.resource_spans = m->resource_spans_list;
    if (p->failed) {
        otlp_pbc_release(m);
        return NULL;
    }
    return m;
}

uint8_t *otlp_pbc_pack_built(const struct otlp_pbc_built *m, size_t *len)
{
    *len =
        opentelemetry__proto__collector__trace__v1__export_trace_service_request__get_packed_size(
            &m->request);
    uint8_t *out = malloc(*len ? *len : 1);
    if (out)
        opentelemetry__proto__collector__trace__v1__export_trace_service_request__pack(&m->request,
                                                                                       out);
    return out;
}

void otlp_pbc_release(struct otlp_pbc_built *m)
{
    if (m) {
        pool_free(&m->pool);
        free(m);
    }
}

uint8_t *otlp_pbc_pack(const struct batch *b, size_t *len)
{
    struct otlp_pbc_built *m = otlp_pbc_build(b);
    uint8_t *out = m ? otlp_pbc_pack_built(m, len) : NULL;
    otlp_pbc_release(m);
    return out;
}

otlp_pbc_request *otlp_pbc_unpack(const uint8_t *data, size_t len)
{
    return opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
        NULL, len, data);
}

void otlp_pbc_free(otlp_pbc_request *m)
{
    opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(m,
                                                                                            NULL);
}

/* ---- checking a decoded message -------------------------------------------------- */

static char why[512];

static bool differ(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record the first difference; returns true so that checks read `return differ(...)`. */
static bool differ(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return true;
}

/* Does the decoded text t differ from s[0..len)? (An unset string decodes as "".) */
static bool text_differs(const char *t, const char *s, size_t len)
{
    t = t ? t : "";
    return strlen(t) != len || (len && memcmp(t, s, len) != 0);
}

static bool double_differs(double a, double b)
{
    return memcmp(&a, &b, sizeof a) != 0; /* bit-exact: -0.0 is not 0.0 */
}

static bool item_differs(const AnyValue *a, const genops_value *v, size_t i)
{
    switch (v->type) {
    case GENOPS_TYPE_STRING_ARRAY:
        return a->value_case != CASE(STRING_VALUE) ||
               text_differs(a->string_value, v->u.sa[i], strlen(v->u.sa[i]));
    case GENOPS_TYPE_INT_ARRAY:
        return a->value_case != CASE(INT_VALUE) || a->int_value != v->u.ia[i];
    case GENOPS_TYPE_DOUBLE_ARRAY:
        return a->value_case != CASE(DOUBLE_VALUE) || double_differs(a->double_value, v->u.da[i]);
    default: return a->value_case != CASE(BOOL_VALUE) || !a->bool_value != !v->u.ba[i];
    }
}

static bool any_differs(const AnyValue *a, const genops_value *v)
{
    if (!a)
        return true;
    switch (v->type) {
    case GENOPS_TYPE_STRING:
        return a->value_case != CASE(STRING_VALUE) || text_differs(a->string_value, v->u.s, v->len);
    case GENOPS_TYPE_BOOL: return a->value_case != CASE(BOOL_VALUE) || !a->bool_value != !v->u.b;
    case GENOPS_TYPE_INT: return a->value_case != CASE(INT_VALUE) || a->int_value != v->u.i;
    case GENOPS_TYPE_DOUBLE:
        return a->value_case != CASE(DOUBLE_VALUE) || double_differs(a->double_value, v->u.d);
    default:
        if (a->value_case != CASE(ARRAY_VALUE) || !a->array_value ||
            a->array_value->n_values != v->len)
            return true;
        for (size_t i = 0; i < v->len; i++)
            if (item_differs(a->array_value->values[i], v, i))
                return true;
        return false;
    }
}

static bool attrs_differ(const char *where, KeyValue *const *kvs, size_t n,
                         const struct attr *attrs, uint32_t count)
{
    size_t k = 0;
    for (uint32_t i = 0; i < count; i++) {
        const struct attr *a = &attrs[i];
        if (a->value.type == GENOPS_TYPE_NULL)
            continue;
        if (k >= n)
            return differ("%s: attribute '%s' is missing", where, a->key);
        if (text_differs(kvs[k]->key, a->key, a->key_len))
            return differ("%s: attribute %zu is '%s', want '%s'", where, k, kvs[k]->key, a->key);
        if (any_differs(kvs[k]->value, &a->value))
            return differ("%s: attribute '%s' has the wrong value", where, a->key);
        k++;
    }
    return k != n && differ("%s: %zu attributes, want %zu", where, n, k);
}

static bool span_differs(size_t index, const Span *m, const struct span *s)
{
    char where[32];
    snprintf(where, sizeof where, "span %zu", index);
    if (m->trace_id.len != 16 || memcmp(m->trace_id.data, s->trace_id, 16) != 0)
        return differ("%s: trace_id", where);
    if (m->span_id.len != 8 || memcmp(m->span_id.data, s->span_id, 8) != 0)
        return differ("%s: span_id", where);
    if (s->has_parent ? m->parent_span_id.len != 8 ||
                            memcmp(m->parent_span_id.data, s->parent_span_id, 8) != 0
                      : m->parent_span_id.len != 0)
        return differ("%s: parent_span_id", where);
    if (text_differs(m->trace_state, "", 0) || m->flags || m->n_links || m->dropped_links_count)
        return differ("%s: trace_state, flags or links set", where);
    if (text_differs(m->name, s->name, s->name_len))
        return differ("%s: name '%s'", where, m->name);
    if ((unsigned)m->kind != s->kind)
        return differ("%s: kind %d, want %u", where, (int)m->kind, s->kind);
    if (m->start_time_unix_nano != s->start_ns || m->end_time_unix_nano != s->end_ns)
        return differ("%s: start or end time", where);
    if (attrs_differ(where, m->attributes, m->n_attributes, s->attrs.items, s->attrs.count))
        return true;
    if (m->dropped_attributes_count != s->dropped_attributes)
        return differ("%s: dropped_attributes_count", where);
    if (m->n_events != s->event_count)
        return differ("%s: %zu events, want %u", where, m->n_events, s->event_count);
    for (uint32_t i = 0; i < s->event_count; i++) {
        const Event *ev = m->events[i];
        const struct event *e = &s->events[i];
        if (ev->time_unix_nano != e->time_ns || text_differs(ev->name, e->name, e->name_len) ||
            ev->dropped_attributes_count)
            return differ("%s: event %u", where, i);
        if (attrs_differ(where, ev->attributes, ev->n_attributes, e->attrs, e->count))
            return true;
    }
    if (m->dropped_events_count != s->dropped_events)
        return differ("%s: dropped_events_count", where);
    if (!m->status || (unsigned)m->status->code != s->status)
        return differ("%s: status missing or wrong code", where);
    bool message = s->status == GENOPS_SPAN_STATUS_ERROR && s->status_message;
    if (text_differs(m->status->message, message ? s->status_message : "",
                     message ? s->status_message_len : 0))
        return differ("%s: status message '%s'", where, m->status->message);
    return false;
}

const char *otlp_pbc_mismatch(const otlp_pbc_request *m, const struct batch *b)
{
    const struct resource *r = b->resource;
    if (m->n_resource_spans != 1)
        return differ("%zu ResourceSpans, want 1", m->n_resource_spans), why;
    const ResourceSpans *rs = m->resource_spans[0];
    if (!rs->resource || text_differs(rs->schema_url, "", 0) || rs->n_scope_spans != 1)
        return differ("ResourceSpans: no resource, a schema_url, or not one ScopeSpans"), why;
    if (attrs_differ("resource", rs->resource->attributes, rs->resource->n_attributes,
                     r->attrs.items, r->attrs.count))
        return why;
    const ScopeSpans *ss = rs->scope_spans[0];
    const char *name = r->scope_name ? r->scope_name : "";
    const char *version = r->scope_version ? r->scope_version : "";
    if (!ss->scope || text_differs(ss->scope->name, name, strlen(name)) ||
        text_differs(ss->scope->version, version, strlen(version)))
        return differ("scope missing or not %s %s", name, version), why;
    if (ss->n_spans != b->count)
        return differ("%zu spans, want %zu", ss->n_spans, b->count), why;
    for (size_t i = 0; i < b->count; i++)
        if (span_differs(i, ss->spans[i], b->spans[i]))
            return why;
    return NULL;
}
