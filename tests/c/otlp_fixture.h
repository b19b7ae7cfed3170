/* otlp_fixture.h - fixed batches for the OTLP encoder tests, with ids, times and values
 * chosen so that the expected bytes can be written out by hand, and a batch recorded
 * through the public API. Header-only, like testutil.h. */
#ifndef GENOPS_OTLP_FIXTURE_H
#define GENOPS_OTLP_FIXTURE_H

#include <string.h>

#include "exporter.h"
#include "resource.h"
#include "testutil.h"

#define FX_START 1700000000000000000u /* 2023-11-14T22:13:20Z */
#define FX_END   1700000000123456789u
#define FX_EVENT 1700000000050000000u

#define FX_KEY(k) .key = (k), .key_len = sizeof(k) - 1
#define FX_STR(k, text)                                                                            \
    {                                                                                              \
        FX_KEY(k), .value = {.type = GENOPS_TYPE_STRING, .len = sizeof(text) - 1, .u.s = (text) }  \
    }
#define FX_INT(k, n)                                                                               \
    {                                                                                              \
        FX_KEY(k), .value = {.type = GENOPS_TYPE_INT, .u.i = (n) }                                 \
    }
#define FX_DBL(k, x)                                                                               \
    {                                                                                              \
        FX_KEY(k), .value = {.type = GENOPS_TYPE_DOUBLE, .u.d = (x) }                              \
    }
#define FX_BOOL(k, f)                                                                              \
    {                                                                                              \
        FX_KEY(k), .value = {.type = GENOPS_TYPE_BOOL, .u.b = (f) }                                \
    }
#define FX_NULL(k)                                                                                 \
    {                                                                                              \
        FX_KEY(k), .value = {.type = GENOPS_TYPE_NULL }                                            \
    }
#define FX_ARRAY(k, t, member, items)                                                              \
    {                                                                                              \
        FX_KEY(k), .value = {.type = (t), .len = COUNT(items), .u.member = (items) }               \
    }

/* The scope genops-ai 0.1.0 and the given resource attributes. */
static inline void fx_resource(struct resource *r, struct attr *attrs, uint32_t n)
{
    memset(r, 0, sizeof *r);
    r->attrs.items = attrs;
    r->attrs.count = n;
    r->scope_name = "genops-ai";
    r->scope_version = "0.1.0";
}

/* A root INTERNAL span: trace id 01..10, span id 11..18, FX_START to FX_END, status
 * UNSET, the given name and attributes (whose hashes it fills in, as a span's list
 * always has them: derived.c reads them). */
static inline void fx_span(struct span *s, const char *name, struct attr *attrs, uint32_t n)
{
    memset(s, 0, sizeof *s);
    for (uint32_t i = 0; i < n; i++)
        attrs[i].hash = attr_hash(attrs[i].key, attrs[i].key_len);
    for (int i = 0; i < 16; i++)
        s->trace_id[i] = (uint8_t)(0x01 + i);
    for (int i = 0; i < 8; i++)
        s->span_id[i] = (uint8_t)(0x11 + i);
    s->name = name;
    s->name_len = (uint32_t)strlen(name);
    s->kind = GENOPS_SPAN_KIND_INTERNAL;
    s->start_ns = FX_START;
    s->end_ns = FX_END;
    s->attrs.items = attrs;
    s->attrs.count = n;
}

/* Resource {service.name: "svc"}; one span "chat" with genops.cost.total = 0.02. */
struct fx_minimal {
    struct attr resource_attrs[1];
    struct attr attrs[1];
    struct resource resource;
    struct span span;
    struct span *spans[1];
    struct batch batch;
};

static inline const struct batch *fx_minimal(struct fx_minimal *f)
{
    *f = (struct fx_minimal){
        .resource_attrs = {FX_STR("service.name", "svc")},
        .attrs = {FX_DBL("genops.cost.total", 0.02)},
    };
    fx_resource(&f->resource, f->resource_attrs, 1);
    fx_span(&f->span, "chat", f->attrs, 1);
    f->spans[0] = &f->span;
    f->batch = (struct batch){f->spans, 1, &f->resource, false, false};
    return &f->batch;
}

/* Every field and value type: a child CLIENT span with every attribute type (arrays,
 * an empty one, a NULL that must be left out), two events, dropped counts and an
 * ERROR status with a message; and a second, bare span whose OK status carries a
 * message that must not be written. */
static const char *const fx_models[] = {"gpt-4o", "", "claude-3"};
static const int64_t fx_tokens[] = {0, -1, INT64_MAX, INT64_MIN};
static const double fx_scores[] = {0.5, -0.0, 1e-7, 1e+300};
static const bool fx_flags[] = {true, false};
static const int64_t fx_none[] = {0}; /* genops.none uses none of it: len 0 */

struct fx_full {
    struct attr resource_attrs[3];
    struct attr attrs[13];
    struct attr event_attrs[2];
    struct event events[2];
    struct resource resource;
    struct span span, bare;
    struct span *spans[2];
    struct batch batch;
};

static inline const struct batch *fx_full(struct fx_full *f)
{
    *f = (struct fx_full){
        .resource_attrs = {FX_STR("service.name", "chat-api"),
                           FX_STR("deployment.environment", "prod"),
                           FX_STR("telemetry.sdk.language", "c")},
        .attrs =
            {
                FX_STR("genops.team", "ml-platform"),
                FX_STR("genops.note", "say \"hi\"\n\t\\ caf\xc3\xa9 \xe2\x82\xac"),
                FX_STR("genops.empty", ""),
                FX_INT("genops.tokens.input", 150),
                FX_INT("genops.delta", -42),
                FX_DBL("genops.cost.total", 0.02),
                FX_BOOL("genops.policy.allowed", false),
                FX_NULL("genops.unset"),
                FX_ARRAY("genops.models", GENOPS_TYPE_STRING_ARRAY, sa, fx_models),
                FX_ARRAY("genops.tokens", GENOPS_TYPE_INT_ARRAY, ia, fx_tokens),
                FX_ARRAY("genops.scores", GENOPS_TYPE_DOUBLE_ARRAY, da, fx_scores),
                FX_ARRAY("genops.flags", GENOPS_TYPE_BOOL_ARRAY, ba, fx_flags),
                {FX_KEY("genops.none"), .value = {.type = GENOPS_TYPE_INT_ARRAY, .u.ia = fx_none}},
            },
        .event_attrs = {FX_STR("exception.type", "RateLimitError"), FX_INT("retry.after", 3)},
    };
    fx_resource(&f->resource, f->resource_attrs, 3);

    fx_span(&f->span, "chat.completion", f->attrs, 13);
    for (int i = 0; i < 8; i++)
        f->span.parent_span_id[i] = (uint8_t)(0xa1 + i);
    f->span.has_parent = true;
    f->span.kind = GENOPS_SPAN_KIND_CLIENT;
    f->span.dropped_attributes = 3;
    f->span.dropped_events = 300;
    f->span.status = GENOPS_SPAN_STATUS_ERROR;
    f->span.status_message = "rate limited";
    f->span.status_message_len = 12;
    f->events[0] = (struct event){"exception", 9, FX_EVENT, f->event_attrs, 2};
    f->events[1] = (struct event){"retry", 5, FX_EVENT + 1, NULL, 0};
    f->span.events = f->events;
    f->span.event_count = 2;

    fx_span(&f->bare, "bare", NULL, 0);
    f->bare.span_id[7] = 0x99;
    f->bare.status = GENOPS_SPAN_STATUS_OK;
    f->bare.status_message = "ignored"; /* only ERROR keeps a message */
    f->bare.status_message_len = 7;

    f->spans[0] = &f->span;
    f->spans[1] = &f->bare;
    f->batch = (struct batch){f->spans, 2, &f->resource, false, false};
    return &f->batch;
}

/* Spans recorded through the public API (genops_operation_start, the recorders, an
 * exception, a child) and read back from a memory exporter, with the resource
 * resource_build makes from the same options. */
struct fx_recorded {
    struct fixture pipeline;
    struct resource resource;
    struct span *spans[4];
    struct batch batch;
};

static inline const struct batch *fx_recorded(struct fx_recorded *f)
{
    genops_pipeline_options opt;
    genops_error err;
    genops_pipeline_options_init(&opt);
    opt.service_name = "chat-api";
    opt.environment = "staging";
    fixture_open_with(&f->pipeline, &opt);
    assert_int_equal(resource_build(&f->resource, &opt, &err), GENOPS_OK);

    genops_attribute ctx[] = {A_STR("team", "ml-platform"), A_STR("customer_id", "acme")};
    genops_span op = genops_operation_start(f->pipeline.pipeline, "chat.completion", NULL, NULL,
                                            NULL, ctx, COUNT(ctx), &err);
    assert_true(op != GENOPS_SPAN_NONE);
    genops_attribute cost[] = {A_DBL("cost", 0.0125), A_STR("provider", "openai"),
                               A_STR("model", "gpt-4o"), A_INT("tokens_input", 1200),
                               A_INT("tokens_output", 350)};
    assert_int_equal(genops_span_record_cost(op, cost, COUNT(cost), &err), GENOPS_OK);
    genops_span_context parent;
    genops_span_get_context(op, &parent, &err);
    genops_span child = genops_span_start(f->pipeline.pipeline, "policy.check", &parent, &err);
    genops_span_set_kind(child, GENOPS_SPAN_KIND_SERVER, &err);
    genops_span_set_bool(child, "allowed", true, &err);
    genops_span_set_status(child, GENOPS_SPAN_STATUS_OK, NULL, &err);
    genops_span_end(child, &err);
    genops_span_record_exception(op, "RateLimitError", "slow down", "trace...", &err);
    genops_span_set_status(op, GENOPS_SPAN_STATUS_ERROR, "rate limited", &err);
    genops_span_end(op, &err);

    assert_int_equal(genops_pipeline_flush(f->pipeline.pipeline, 10000, &err), GENOPS_OK);
    size_t n = genops_memory_exporter_count(f->pipeline.memory);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++)
        f->spans[i] = (struct span *)genops_memory_exporter_get(f->pipeline.memory, i);
    f->batch = (struct batch){f->spans, n, &f->resource, false, false};
    return &f->batch;
}

static inline void fx_recorded_close(struct fx_recorded *f)
{
    resource_free(&f->resource);
    fixture_close(&f->pipeline);
}

#endif
