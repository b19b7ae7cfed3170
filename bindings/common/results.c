/* results.c - result structs (stats, validations) as lists of (name, value) pairs,
 * which each language turns into its map. The stats come from their X-macro lists
 * (pipeline_stats.def, hec_stats.def, exporter_stats.def), so a field genops.h gains is in every
 * language's map or the drift check (tools/gen_bindings.py --check) fails. */
#include "genops_bindings.h"

#include <string.h>

static int push_UINT64(genops_attr_list *l, const char *name, uint64_t x)
{
    genops_value v = {GENOPS_TYPE_INT, 0, {.i = (int64_t)x}};
    return genops_attr_list_push(l, name, v);
}

static int push_INT32(genops_attr_list *l, const char *name, int32_t x)
{
    genops_value v = {GENOPS_TYPE_INT, 0, {.i = x}};
    return genops_attr_list_push(l, name, v);
}

static int push_TEXT(genops_attr_list *l, const char *name, const char *text)
{
    genops_value v = {GENOPS_TYPE_STRING, strlen(text), {.s = text}};
    return genops_attr_list_push(l, name, v);
}

static int push_BOOL(genops_attr_list *l, const char *name, bool b)
{
    genops_value v = {GENOPS_TYPE_BOOL, 0, {.b = b}};
    return genops_attr_list_push(l, name, v);
}

static int push_DOUBLE(genops_attr_list *l, const char *name, double x)
{
    genops_value v = {GENOPS_TYPE_DOUBLE, 0, {.d = x}};
    return genops_attr_list_push(l, name, v);
}

/* Each .def line is one "&& push" of the field in its kind. */
#define GENOPS_STAT(field, kind) &&push_##kind(l, #field, s->field)

int genops_bind_stats_list(const genops_stats *s, genops_attr_list *l)
{
    return 1
#include "pipeline_stats.def"
        ;
}

int genops_bind_hec_stats_list(const genops_hec_stats *s, genops_attr_list *l)
{
    return 1
#include "hec_stats.def"
        ;
}

int genops_bind_exporter_stats_list(const genops_exporter_stats *s, genops_attr_list *l)
{
    return 1
#include "exporter_stats.def"
        ;
}

#undef GENOPS_STAT

int genops_bind_budget_state_list(const genops_budget_state *s, genops_attr_list *l)
{
    return push_DOUBLE(l, "spend", s->spend) && push_DOUBLE(l, "limit", s->limit) &&
           push_DOUBLE(l, "utilization", s->utilization) &&
           push_UINT64(l, "period_start_unix", (uint64_t)s->period_start_unix) &&
           push_UINT64(l, "period_end_unix", (uint64_t)s->period_end_unix) &&
           push_UINT64(l, "thresholds_crossed", s->thresholds_crossed) &&
           push_TEXT(l, "period", s->period) && push_TEXT(l, "enforcement", s->enforcement) &&
           push_TEXT(l, "store", s->store) && push_TEXT(l, "currency", s->currency);
}

int genops_bind_rate_limit_state_list(const genops_rate_limit_state *s, genops_attr_list *l)
{
    return push_DOUBLE(l, "requests_per_minute", s->requests_per_minute) &&
           push_DOUBLE(l, "tokens_per_minute", s->tokens_per_minute) &&
           push_DOUBLE(l, "requests_available", s->requests_available) &&
           push_DOUBLE(l, "tokens_available", s->tokens_available) &&
           push_UINT64(l, "keys", s->keys) && push_UINT64(l, "refused", s->refused) &&
           push_TEXT(l, "enforcement", s->enforcement);
}

/* A list of texts as one string-array value. */
static int push_texts(genops_attr_list *l, const char *name, size_t n,
                      const char *(*get)(const genops_hec_validation *, size_t),
                      const genops_hec_validation *v)
{
    const char **items = (const char **)genops_attr_list_alloc(l, (n + 1) * sizeof *items);
    if (!items)
        return 0;
    for (size_t i = 0; i < n; i++)
        items[i] = get(v, i);
    genops_value val = {GENOPS_TYPE_STRING_ARRAY, n, {.sa = items}};
    return genops_attr_list_push(l, name, val);
}

int genops_bind_hec_validation_list(const genops_hec_validation *v, genops_attr_list *l)
{
    size_t need = genops_hec_validation_format(v, NULL, 0) + 1;
    char *report = (char *)genops_attr_list_alloc(l, need);
    if (!report)
        return 0;
    genops_hec_validation_format(v, report, need);
    int ok = push_BOOL(l, "valid", v->valid) && push_BOOL(l, "config_ok", v->config_ok) &&
             push_BOOL(l, "connectivity", v->connectivity) &&
             push_BOOL(l, "token_ok", v->token_ok) &&
             push_BOOL(l, "index_accessible", v->index_accessible) &&
             push_INT32(l, "health_status", v->health_status) &&
             push_INT32(l, "health_code", v->health_code) &&
             push_INT32(l, "event_status", v->event_status) &&
             push_INT32(l, "event_code", v->event_code) &&
             push_UINT64(l, "health_ms", v->health_ms) && push_UINT64(l, "event_ms", v->event_ms) &&
             push_texts(l, "errors", v->error_count, genops_hec_validation_error, v) &&
             push_texts(l, "warnings", v->warning_count, genops_hec_validation_warning, v) &&
             push_TEXT(l, "report", report);
    for (size_t i = 0; ok && i < v->detail_count; i++) {
        const char *name = NULL, *value = genops_hec_validation_detail(v, i, &name);
        const char *key = value && name ? genops_attr_list_join(l, "detail", name) : NULL;
        ok = key && push_TEXT(l, key, value);
    }
    return ok;
}

/* What Honeycomb answered to a marker or a key check. */
int genops_bind_honeycomb_answer_list(const genops_honeycomb_answer *h, genops_attr_list *l)
{
    return push_INT32(l, "status", h->status) && push_UINT64(l, "ms", h->ms) &&
           push_TEXT(l, "key_kind", h->key_kind) && push_TEXT(l, "message", h->message) &&
           push_TEXT(l, "marker_id", h->marker_id) && push_TEXT(l, "team_name", h->team_name) &&
           push_TEXT(l, "team_slug", h->team_slug) &&
           push_TEXT(l, "environment_name", h->environment_name) &&
           push_TEXT(l, "environment_slug", h->environment_slug) &&
           push_BOOL(l, "may_send_events", h->may_send_events) &&
           push_BOOL(l, "may_create_markers", h->may_create_markers);
}
