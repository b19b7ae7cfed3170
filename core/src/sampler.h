/* sampler.h - head sampling: the OpenTelemetry samplers a pipeline decides with when a
 * span starts (genops_sampler), resolved once from the options and the environment;
 * and the verdict at a span's end: governance events exported whatever the sampler
 * said, spans below the cost floor left out. */
#ifndef GENOPS_SAMPLER_H
#define GENOPS_SAMPLER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "genops.h"

struct span;

struct sampler {
    genops_sampler kind; /* never DEFAULT once configured */
    double ratio;        /* the ratio samplers' ratio; 1 for the others */
    uint64_t bound;      /* keep a trace whose id's low 8 bytes are below it ... */
    bool all;            /* ... or every trace (ratio * 2^64 rounds to 2^64) */
    uint32_t weight;     /* SampleRate of a span it samples: round(1 / ratio); 1 = none */
};

/* Resolve kind and ratio (the pipeline options) into *out: DEFAULT reads
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, where a bad value is a warning and the
 * default; an explicit kind out of range or a ratio outside [0, 1] is GENOPS_EINVAL. */
genops_status sampler_configure(struct sampler *out, genops_sampler kind, double ratio,
                                genops_error *err);

/* The W3C trace flags of a new span of trace trace_id whose parent is parent (NULL for
 * a root): its sampled bit is the decision. *weight gets the SampleRate of a sampled
 * span (1: write none), 0 for one not sampled. Pure; any thread. */
uint8_t sampler_decide(const struct sampler *sm, const uint8_t trace_id[16],
                       const genops_span_context *parent, uint32_t *weight);

/* The end-time thresholds (genops_pipeline_set_sampling_thresholds), read relaxed. */
struct sampling_thresholds {
    _Atomic double keep_budget_utilization, keep_cost, min_cost;
};

void sampling_thresholds_init(struct sampling_thresholds *t);

enum sample_verdict { SAMPLE_EXPORT, SAMPLE_OUT, SAMPLE_BELOW_COST };

/* What becomes of span s at its end, on the thread that ends it. A governance event
 * (see genops.h) is exported and its weight set to 1; otherwise a span the sampler left
 * out is SAMPLE_OUT, and a sampled one cheaper than min_cost SAMPLE_BELOW_COST. Reads
 * the span's own attributes only, through its key filter; called only when the span is
 * not sampled, has a weight above 1, or a cost floor is set. */
enum sample_verdict sampler_verdict(const struct sampling_thresholds *t, struct span *s);

#endif
