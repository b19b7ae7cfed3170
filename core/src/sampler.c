/* sampler.c - head sampling (sampler.h): OpenTelemetry's built-in samplers.
 *
 * TraceIdRatioBased as the OpenTelemetry Python SDK defines it
 * (opentelemetry-sdk 1.45, opentelemetry/sdk/trace/sampling.py, TraceIdRatioBased):
 * bound = round(rate * 2^64), and a trace is sampled when its id's 64 low-order bits
 * (bytes 8..15, big-endian) are below bound. rate * 2^64 is exact in a double, and
 * Python's round() rounds half to even, which ratio_bound does by hand (no libm).
 * tests/python/test_sampling.py compares the decisions with the SDK's own on 10,000
 * trace ids. The specification leaves the exact rule to the SDKs (Go, for one, uses 63
 * bits); Python's is the one GenOps' guides configure. ParentBased and the environment
 * (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG, case-insensitive values, a bad value a
 * warning and the default) follow the specification's sdk-environment-variables page
 * and the same SDK's _get_from_env_or_default. */
#include "sampler.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "error.h"
#include "log.h"
#include "semconv.h"
#include "span.h"

/* OTEL_TRACES_SAMPLER's values, index = genops_sampler - 1 (the bindings' names of
 * option_enums.def are the same). */
static const char *const sampler_names[] = {"always_on",
                                            "always_off",
                                            "traceidratio",
                                            "parentbased_always_on",
                                            "parentbased_always_off",
                                            "parentbased_traceidratio"};
#define SAMPLER_COUNT (sizeof sampler_names / sizeof sampler_names[0])

static bool is_ratio(genops_sampler kind)
{
    return kind == GENOPS_SAMPLER_TRACEIDRATIO || kind == GENOPS_SAMPLER_PARENTBASED_TRACEIDRATIO;
}

static bool is_parent_based(genops_sampler kind)
{
    return kind >= GENOPS_SAMPLER_PARENTBASED_ALWAYS_ON;
}

static void ratio_bound(struct sampler *sm)
{
    const double two64 = 18446744073709551616.0;
    double b = sm->ratio * two64;
    sm->all = b >= two64;
    if (sm->all) {
        sm->bound = UINT64_MAX;
        return;
    }
    uint64_t t = (uint64_t)b;
    double frac = b - (double)t; /* exact: below 2^53 t is b's integer part, above it b is whole */
    if (frac > 0.5 || (frac == 0.5 && (t & 1)))
        t++;
    sm->bound = t;
}

static uint32_t ratio_weight(double ratio)
{
    if (ratio <= 0 || ratio >= 1)
        return 1;
    double w = 1.0 / ratio + 0.5;
    return w >= 4294967295.0 ? UINT32_MAX : (uint32_t)w;
}

/* OTEL_TRACES_SAMPLER_ARG for a ratio sampler: a ratio in [0, 1], else 1.0 with a
 * warning (as the Python SDK does, and the specification asks). */
static double env_ratio(void)
{
    const char *arg = config_str("OTEL_TRACES_SAMPLER_ARG");
    double r;
    if (!arg)
        return 1.0;
    if (!config_decimal(arg, &r) || r > 1.0) {
        log_msg(LOG_WARNING, "OTEL_TRACES_SAMPLER_ARG is not a ratio in [0, 1]; using 1.0");
        return 1.0;
    }
    return r;
}

genops_status sampler_configure(struct sampler *out, genops_sampler kind, double ratio,
                                genops_error *err)
{
    memset(out, 0, sizeof *out);
    if (kind == GENOPS_SAMPLER_DEFAULT) {
        kind = GENOPS_SAMPLER_PARENTBASED_ALWAYS_ON;
        const char *name = config_str("OTEL_TRACES_SAMPLER");
        size_t i = 0;
        while (name && i < SAMPLER_COUNT && strcasecmp(name, sampler_names[i]) != 0)
            i++;
        if (name && i < SAMPLER_COUNT)
            kind = (genops_sampler)(i + 1);
        else if (name)
            log_msg(LOG_WARNING, "OTEL_TRACES_SAMPLER is not always_on, always_off, traceidratio, "
                                 "parentbased_always_on, parentbased_always_off or "
                                 "parentbased_traceidratio; using parentbased_always_on");
        ratio = is_ratio(kind) ? env_ratio() : 1.0;
    } else if ((unsigned)kind > SAMPLER_COUNT) {
        return error_set(err, GENOPS_EINVAL, "sampler is %d; it must be a genops_sampler",
                         (int)kind);
    } else if (!is_ratio(kind)) {
        ratio = 1.0;
    } else if (!(ratio >= 0.0 && ratio <= 1.0)) { /* NaN fails both */
        return error_set(err, GENOPS_EINVAL, "sampler_ratio must be in [0, 1]");
    }
    out->kind = kind;
    out->ratio = ratio;
    out->weight = ratio_weight(ratio);
    ratio_bound(out);
    return GENOPS_OK;
}

uint8_t sampler_decide(const struct sampler *sm, const uint8_t trace_id[16],
                       const genops_span_context *parent, uint32_t *weight)
{
    bool keep;
    if (parent && is_parent_based(sm->kind)) {
        keep = parent->trace_flags & GENOPS_TRACE_FLAG_SAMPLED;
    } else if (sm->kind == GENOPS_SAMPLER_ALWAYS_OFF ||
               sm->kind == GENOPS_SAMPLER_PARENTBASED_ALWAYS_OFF) {
        keep = false;
    } else if (is_ratio(sm->kind) && !sm->all) {
        uint64_t low = 0;
        for (int i = 8; i < 16; i++)
            low = low << 8 | trace_id[i];
        keep = low < sm->bound;
    } else {
        keep = true;
    }
    *weight = keep ? sm->weight : 0;
    uint8_t others = parent ? (uint8_t)(parent->trace_flags & ~GENOPS_TRACE_FLAG_SAMPLED) : 0;
    return (uint8_t)(others | (keep ? GENOPS_TRACE_FLAG_SAMPLED : 0));
}

/* ---- at a span's end ---------------------------------------------------------- */

void sampling_thresholds_init(struct sampling_thresholds *t)
{
    atomic_init(&t->keep_budget_utilization, 100.0);
    atomic_init(&t->keep_cost, 1.0);
    atomic_init(&t->min_cost, 0.0);
}

/* The span's own number attribute key, or NAN when it has none. */
static double number(const struct span *s, const char *key, size_t len)
{
    const genops_value *v = span_get(s, key, len);
    if (v && v->type == GENOPS_TYPE_DOUBLE)
        return v->u.d;
    return v && v->type == GENOPS_TYPE_INT ? (double)v->u.i : NAN;
}

static bool governance_event(const struct sampling_thresholds *t, const struct span *s, double cost)
{
    if (s->status == GENOPS_SPAN_STATUS_ERROR)
        return true;
    const genops_value *r = span_get(s, SEMCONV_KEY(POLICY_RESULT));
    if (r && r->type == GENOPS_TYPE_STRING &&
        ((r->len == 7 && !strncasecmp(r->u.s, "blocked", 7)) ||
         (r->len == 7 && !strncasecmp(r->u.s, "warning", 7))))
        return true;
    /* NaN (no such attribute) compares false. */
    double util = number(s, SEMCONV_KEY(BUDGET_UTILIZATION_PERCENT));
    return util >= atomic_load_explicit(&t->keep_budget_utilization, memory_order_relaxed) ||
           cost >= atomic_load_explicit(&t->keep_cost, memory_order_relaxed);
}

enum sample_verdict sampler_verdict(const struct sampling_thresholds *t, struct span *s)
{
    double cost = number(s, SEMCONV_KEY(COST_TOTAL));
    if (governance_event(t, s, cost)) {
        s->sample_rate = 1; /* every such span is exported: each stands for itself */
        return SAMPLE_EXPORT;
    }
    if (!s->sample_rate)
        return SAMPLE_OUT;
    return cost < atomic_load_explicit(&t->min_cost, memory_order_relaxed) ? SAMPLE_BELOW_COST
                                                                           : SAMPLE_EXPORT;
}
