/* otlp_gen.c - see otlp_gen.h. */
#include "otlp_gen.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct otlp_gen {
    struct arena arena; /* everything the batch points to */
    struct batch batch;
    struct resource resource;
    const uint8_t *p;
    size_t left;
    bool any_bytes;
    bool failed;
};

/* The next n (<= 8) input bytes, little-endian; zeros past the end. */
static uint64_t take(struct otlp_gen *g, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n && g->left; i++, g->left--)
        v |= (uint64_t)*g->p++ << (8 * i);
    return v;
}

static void *alloc(struct otlp_gen *g, size_t n)
{
    void *m = arena_alloc(&g->arena, n ? n : 1);
    if (m)
        memset(m, 0, n);
    else
        g->failed = true;
    return m;
}

/* Text of up to 31 input bytes, NUL-terminated (items of string arrays need that). */
static const char *text(struct otlp_gen *g, uint32_t *len)
{
    uint32_t n = (uint32_t)(take(g, 1) & 31);
    char *s = alloc(g, n + 1);
    if (!s)
        return "";
    for (uint32_t i = 0; i < n; i++) {
        s[i] = (char)take(g, 1);
        if (!g->any_bytes && s[i] == '\0')
            s[i] = '0';
    }
    *len = n;
    return s;
}

/* A C string: NUL-free even with any_bytes, as string array items and keys are. */
static const char *cstring(struct otlp_gen *g, uint32_t *len)
{
    const char *s = text(g, len);
    *len = (uint32_t)strlen(s);
    return s;
}

static double any_double(struct otlp_gen *g)
{
    uint64_t bits = take(g, 8);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static void gen_value(struct otlp_gen *g, genops_value *v)
{
    v->type = (genops_type)(take(g, 1) % 9);
    size_t n = v->type >= GENOPS_TYPE_STRING_ARRAY ? (size_t)(take(g, 1) % 5) : 0;
    uint32_t len = 0;
    switch (v->type) {
    case GENOPS_TYPE_NULL: break;
    case GENOPS_TYPE_STRING:
        v->u.s = text(g, &len);
        v->len = len;
        break;
    case GENOPS_TYPE_INT: v->u.i = (int64_t)take(g, (int)(take(g, 1) % 9)); break;
    case GENOPS_TYPE_DOUBLE: v->u.d = any_double(g); break;
    case GENOPS_TYPE_BOOL: v->u.b = take(g, 1) & 1; break;
    case GENOPS_TYPE_STRING_ARRAY: {
        const char **items = alloc(g, n * sizeof *items);
        for (size_t i = 0; items && i < n; i++)
            items[i] = cstring(g, &len);
        v->u.sa = items;
        v->len = n;
        break;
    }
    case GENOPS_TYPE_INT_ARRAY: {
        int64_t *items = alloc(g, n * sizeof *items);
        for (size_t i = 0; items && i < n; i++)
            items[i] = (int64_t)take(g, 8);
        v->u.ia = items;
        v->len = n;
        break;
    }
    case GENOPS_TYPE_DOUBLE_ARRAY: {
        double *items = alloc(g, n * sizeof *items);
        for (size_t i = 0; items && i < n; i++)
            items[i] = any_double(g);
        v->u.da = items;
        v->len = n;
        break;
    }
    case GENOPS_TYPE_BOOL_ARRAY: {
        bool *items = alloc(g, n * sizeof *items);
        for (size_t i = 0; items && i < n; i++)
            items[i] = take(g, 1) & 1;
        v->u.ba = items;
        v->len = n;
        break;
    }
    }
}

/* Up to max - 1 attributes. */
static struct attr *gen_attrs(struct otlp_gen *g, uint32_t max, uint32_t *count)
{
    uint32_t n = (uint32_t)(take(g, 1) % max);
    struct attr *attrs = alloc(g, n * sizeof *attrs);
    for (uint32_t i = 0; attrs && i < n; i++) {
        attrs[i].key = cstring(g, &attrs[i].key_len);
        gen_value(g, &attrs[i].value);
    }
    *count = attrs ? n : 0;
    return attrs;
}

/* A count that is usually 0 (the common case) and sometimes any uint32. */
static uint32_t gen_count(struct otlp_gen *g)
{
    return take(g, 1) & 1 ? (uint32_t)take(g, 4) : 0;
}

static struct span *gen_span(struct otlp_gen *g)
{
    struct span *s = alloc(g, sizeof *s);
    if (!s)
        return NULL;
    for (int i = 0; i < 16; i++)
        s->trace_id[i] = (uint8_t)take(g, 1);
    for (int i = 0; i < 8; i++)
        s->span_id[i] = (uint8_t)take(g, 1);
    s->has_parent = take(g, 1) & 1;
    for (int i = 0; s->has_parent && i < 8; i++)
        s->parent_span_id[i] = (uint8_t)take(g, 1);
    s->name = text(g, &s->name_len);
    s->kind = (uint8_t)(take(g, 1) % 6);
    s->status = (uint8_t)(take(g, 1) % 3);
    if (take(g, 1) & 1) /* also with UNSET or OK: the encoders must drop it then */
        s->status_message = text(g, &s->status_message_len);
    s->start_ns = take(g, (int)(take(g, 1) % 9));
    s->end_ns = take(g, (int)(take(g, 1) % 9));
    s->attrs.items = gen_attrs(g, 13, &s->attrs.count);
    s->attrs.cap = s->attrs.count;
    s->dropped_attributes = gen_count(g);
    s->event_count = (uint32_t)(take(g, 1) % 4);
    s->events = alloc(g, s->event_count * sizeof *s->events);
    for (uint32_t i = 0; s->events && i < s->event_count; i++) {
        struct event *e = &s->events[i];
        e->time_ns = take(g, (int)(take(g, 1) % 9));
        e->name = text(g, &e->name_len);
        e->attrs = gen_attrs(g, 4, &e->count);
    }
    s->dropped_events = gen_count(g);
    return s;
}

struct otlp_gen *otlp_gen_batch(const uint8_t *data, size_t size, bool any_bytes,
                                const struct batch **b)
{
    struct otlp_gen *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    arena_init(&g->arena, (size_t)64 << 20);
    g->p = data;
    g->left = size;
    g->any_bytes = any_bytes;

    /* The span count first: the rest of the input is shared among the spans. */
    size_t n = (size_t)(take(g, 1) % 9);
    uint32_t len = 0;
    g->resource.attrs.items = gen_attrs(g, 5, &g->resource.attrs.count);
    g->resource.scope_name = take(g, 1) & 1 ? cstring(g, &len) : NULL;
    g->resource.scope_version = take(g, 1) & 1 ? cstring(g, &len) : NULL;

    struct span **spans = alloc(g, n * sizeof *spans);
    for (size_t i = 0; spans && i < n; i++)
        spans[i] = gen_span(g);
    g->batch = (struct batch){spans, spans ? n : 0, &g->resource, false, false};
    if (g->failed) {
        otlp_gen_free(g);
        return NULL;
    }
    *b = &g->batch;
    return g;
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

struct otlp_gen *otlp_gen_random(uint64_t *seed, bool any_bytes, const struct batch **b)
{
    static uint8_t input[8192];
    size_t n = (size_t)(xorshift(seed) % sizeof input);
    for (size_t i = 0; i < n; i++)
        input[i] = (uint8_t)(xorshift(seed) >> 32);
    return otlp_gen_batch(input, n, any_bytes, b);
}

void otlp_gen_free(struct otlp_gen *g)
{
    if (g) {
        arena_free(&g->arena);
        free(g);
    }
}
