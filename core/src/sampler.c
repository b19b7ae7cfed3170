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

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "error.h"
#include "log.h"

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
