/* sampler.h - head sampling: the OpenTelemetry samplers a pipeline decides with when a
 * span starts (genops_sampler), resolved once from the options and the environment. */
#ifndef GENOPS_SAMPLER_H
#define GENOPS_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include "genops.h"

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

#endif
