/* pipeline.h - what spans need from their pipeline. */
#ifndef GENOPS_PIPELINE_H
#define GENOPS_PIPELINE_H

#include <stdbool.h>

#include "genops.h"
#include "span.h"

/* A span is starting on p: count it. Returns false, counting a drop, when p is shut
 * down. Every true return is matched by exactly one pipeline_span_submit or
 * pipeline_span_abandon. Any thread; never blocks. */
bool pipeline_span_begin(genops_pipeline *p);

/* s has ended: queue it for export, or drop and count it (queue full, shut down, over
 * the byte budget). The pipeline owns s afterwards. Any thread; never blocks. */
void pipeline_span_submit(genops_pipeline *p, struct span *s);

/* A begun span could not be started after all (pool exhausted): count the drop. */
void pipeline_span_abandon(genops_pipeline *p);

/* The limits spans of p are created with. */
const struct span_limits *pipeline_span_limits(const genops_pipeline *p);

#endif
