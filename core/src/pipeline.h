/* pipeline.h - what spans need from their pipeline, and the process's fork hooks. */
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

/* Register the process's fork and exit hooks, once (later calls return at once). The
 * first pipeline does it, and so does anything else whose state must survive fork
 * (genops_log_capture): one registration takes every lock in one order. Any thread. */
void pipeline_process_hooks_install(void);

#endif
