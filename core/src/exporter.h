/* exporter.h - the interface every exporter implements, and the batch it receives.
 *
 * An exporter is encoder + transport + its protocol's rules. The pipeline's export
 * thread is the only caller of its ops, one call at a time, so an exporter needs no
 * locking of its own except for state it shares with application threads (such as the
 * memory exporter's readers). */
#ifndef GENOPS_EXPORTER_H
#define GENOPS_EXPORTER_H

#include <stdint.h>

#include "genops.h"
#include "span.h"

/* What the spans of one pipeline share: the OpenTelemetry resource and scope. */
struct resource {
    struct attr_list attrs; /* service.name, telemetry.sdk.*, ... */
    struct arena arena;
    const char *scope_name; /* instrumentation scope, "genops-ai" */
    const char *scope_version;
};

struct batch {
    struct span *const *spans; /* finished and materialised; read-only */
    size_t count;
    const struct resource *resource;
};

/* The outcome of one export call, in spans. */
struct export_result {
    uint64_t delivered;
    uint64_t failed;   /* transport failures, timeouts: might have worked later */
    uint64_t rejected; /* refused by the backend: retrying cannot help */
    uint64_t bytes_sent;
    uint64_t retries;
};

struct exporter_ops {
    const char *kind; /* "memory", "console", "otlp", ... */
    /* Deliver b before deadline_ns (CLOCK_MONOTONIC) and fill *r. An exporter that
     * keeps a span beyond the call takes a span_retain reference. */
    genops_status (*export_batch)(genops_exporter *e, const struct batch *b, uint64_t deadline_ns,
                                  struct export_result *r);
    /* Release everything; no call follows. */
    void (*destroy)(genops_exporter *e);
    /* In a forked child, before the first export: drop connections and per-process
     * state (may be NULL). */
    void (*after_fork)(genops_exporter *e);
};

struct genops_exporter {
    const struct exporter_ops *ops;
    genops_exporter *next; /* the pipeline's list */
    bool owned;            /* added to a pipeline */
};

#endif
