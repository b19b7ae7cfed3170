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
#include "resource.h"
#include "span.h"

struct batch {
    struct span *const *spans; /* finished and materialised; read-only */
    size_t count;
    const struct resource *resource;
    bool derived; /* encoders add the derived names (derived.h) */
    /* Its lane was over its share: write it to the disk spool without trying the
     * backend (an exporter without a spool ignores this). */
    bool spool_only;
};

/* Ask for the lines of the spans after span i before an encoder reaches them
 * (span_prefetch_*): the struct two spans ahead, the attributes one span ahead. Waiting
 * for them one miss at a time made OTLP export about a fifth slower end to end. */
static inline void batch_prefetch(const struct batch *b, size_t i)
{
    if (i + 2 < b->count)
        span_prefetch_slot(b->spans[i + 2]);
    if (i + 1 < b->count)
        span_prefetch_attrs(b->spans[i + 1]);
}

/* The outcome of one export call, in spans. */
struct export_result {
    uint64_t delivered;
    uint64_t failed;   /* transport failures, timeouts: might have worked later */
    uint64_t rejected; /* refused by the backend: retrying cannot help */
    uint64_t bytes_sent;
    uint64_t retries;
    uint64_t spooled; /* not delivered, written to the exporter's disk spool instead */
    /* The last failure of the call in words (redacted), or NULL; the exporter's own
     * text, valid on the exporting thread until its next call. */
    const char *error;
};

struct spool;

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
    /* The disk spool (spool/spool.h; both NULL: the exporter does not spool). use_spool
     * hands the exporter its spool (borrowed) before the first export; replay sends
     * what the spool holds, oldest first, until deadline_ns, and returns true while
     * some is left (the backend still does not take it). */
    void (*use_spool)(genops_exporter *e, struct spool *spool);
    bool (*replay)(genops_exporter *e, uint64_t deadline_ns);
};

#define EXPORTER_DESCRIPTION_MAX 160
#define EXPORTER_ENDPOINT_MAX    256

struct genops_exporter {
    const struct exporter_ops *ops;
    _Atomic(genops_exporter *) next; /* the pipeline's list */
    bool owned;                      /* added to a pipeline */
    /* genops_exporter_description; "" means ops->kind */
    char description[EXPORTER_DESCRIPTION_MAX];
    /* Where it sends, masked (http_url_for_log); "" for a local exporter. */
    char endpoint[EXPORTER_ENDPOINT_MAX];
};

#endif
