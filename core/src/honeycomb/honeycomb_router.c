/* honeycomb_router.c - several Honeycomb datasets from one pipeline
 * (genops_honeycomb_router_new): one Events API exporter per dataset (honeycomb_events.c),
 * and the rules (honeycomb_route.c) that give each span of a batch its datasets. Each
 * dataset's exporter gets the batch's spans that go to it, in order, one dataset after
 * another; the spans themselves are shared, read-only, never copied. Export thread only,
 * like every exporter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "exporter.h"
#include "honeycomb/honeycomb_config.h"
#include "honeycomb/honeycomb_route.h"
#include "log.h"

struct router {
    genops_exporter base; /* first: the router is an exporter */
    struct routes routes;
    genops_exporter *children[GENOPS_HONEYCOMB_DATASETS_MAX]; /* one per routes.datasets */
    uint64_t *masks;                                          /* per span of the batch */
    struct span **picked;                                     /* one dataset's spans */
    size_t cap;
    bool said_unrouted, said_unknown;
};

static bool reserve(struct router *x, size_t n)
{
    if (n <= x->cap)
        return true;
    uint64_t *masks = realloc(x->masks, n * sizeof *masks);
    if (masks)
        x->masks = masks;
    struct span **picked = realloc(x->picked, n * sizeof(struct span *));
    if (picked)
        x->picked = picked;
    if (!masks || !picked)
        return false;
    x->cap = n;
    return true;
}

static size_t popcount(uint64_t m)
{
    return (size_t)__builtin_popcountll(m);
}

static genops_status router_export(genops_exporter *e, const struct batch *b, uint64_t deadline_ns,
                                   struct export_result *r)
{
    struct router *x = (struct router *)e;
    memset(r, 0, sizeof *r);
    if (!reserve(x, b->count)) {
        r->failed = b->count;
        log_msg(LOG_ERROR, "Honeycomb router: out of memory routing %zu spans", b->count);
        return GENOPS_ENOMEM;
    }
    uint64_t unknown = 0, copies = 0, routed = 0;
    for (size_t i = 0; i < b->count; i++) {
        x->masks[i] = routes_match(&x->routes, b->spans[i], b->resource, &unknown);
        copies += popcount(x->masks[i]);
        routed += x->masks[i] != 0;
    }
    uint64_t delivered = 0, rejected = 0;
    for (size_t d = 0; d < x->routes.dataset_count; d++) {
        size_t n = 0;
        for (size_t i = 0; i < b->count; i++)
            if (x->masks[i] >> d & 1)
                x->picked[n++] = b->spans[i];
        if (!n)
            continue;
        struct batch part = {x->picked, n, b->resource, b->derived, b->spool_only};
        struct export_result cr = {0};
        x->children[d]->ops->export_batch(x->children[d], &part, deadline_ns, &cr);
        delivered += cr.delivered < n ? cr.delivered : n;
        rejected += cr.rejected;
        r->bytes_sent += cr.bytes_sent;
        r->retries += cr.retries;
        if (cr.error && cr.error[0])
            r->error = cr.error; /* valid until that child's next call, after ours */
    }
    /* Per span: each copy not delivered is counted against a span of its own (exact when
     * every span goes to one dataset; never more exported than were). */
    uint64_t lost = copies - delivered;
    r->delivered = routed > lost ? routed - lost : 0;
    uint64_t undelivered = routed - r->delivered;
    r->rejected = (rejected < undelivered ? rejected : undelivered) + (b->count - routed);
    r->failed = undelivered - (r->rejected - (b->count - routed));
    if (b->count > routed && !x->said_unrouted) {
        x->said_unrouted = true;
        log_msg(LOG_WARNING,
                "Honeycomb router: %llu span(s) matched no dataset rule and there is no "
                "default; they are dropped and counted as rejected",
                (unsigned long long)(b->count - routed));
    }
    if (unknown && !x->said_unknown) {
        x->said_unknown = true;
        log_msg(LOG_WARNING,
                "Honeycomb router: a span named a dataset the router does not have (%s); "
                "that copy is not sent",
                GENOPS_HONEYCOMB_DATASETS_KEY);
    }
    return r->delivered == b->count ? GENOPS_OK : r->rejected ? GENOPS_EREJECTED : GENOPS_EIO;
}

static void router_destroy(genops_exporter *e)
{
    struct router *x = (struct router *)e;
    for (size_t d = 0; d < GENOPS_HONEYCOMB_DATASETS_MAX; d++)
        if (x->children[d])
            x->children[d]->ops->destroy(x->children[d]);
    routes_free(&x->routes);
    free(x->masks);
    free(x->picked);
    free(x);
}

static void router_after_fork(genops_exporter *e)
{
    struct router *x = (struct router *)e;
    for (size_t d = 0; d < x->routes.dataset_count; d++)
        if (x->children[d]->ops->after_fork)
            x->children[d]->ops->after_fork(x->children[d]);
}

/* No spool: the datasets' exporters are the router's own, unseen by the pipeline. */
static const struct exporter_ops router_ops = {.kind = "honeycomb-router",
                                               .export_batch = router_export,
                                               .destroy = router_destroy,
                                               .after_fork = router_after_fork};

genops_exporter *genops_honeycomb_router_new(const genops_honeycomb_options *opt,
                                             const char *routes_json, genops_error *err)
{
    if (opt && opt->api == GENOPS_HONEYCOMB_API_OTLP) {
        error_set(err, GENOPS_EINVAL,
                  "the Honeycomb router sends through the Events API (api=events), which takes "
                  "the dataset for every kind of key; OTLP routes environment keys by "
                  "service.name");
        return NULL;
    }
    genops_honeycomb_options o;
    genops_honeycomb_options_init(&o);
    if (opt)
        o = *opt;
    o.api = GENOPS_HONEYCOMB_API_EVENTS;
    struct honeycomb_config c; /* the options' own errors first, named as usual */
    if (honeycomb_config_resolve(&o, &c, err))
        return NULL;
    honeycomb_config_free(&c);
    struct router *x = calloc(1, sizeof *x);
    if (!x) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating a Honeycomb router");
        return NULL;
    }
    x->base.ops = &router_ops;
    if (routes_read(routes_json, &x->routes, err)) {
        free(x);
        return NULL;
    }
    int len = 0;
    for (size_t d = 0; d < x->routes.dataset_count; d++) {
        o.dataset = x->routes.datasets[d];
        if (!(x->children[d] = genops_honeycomb_exporter_new(&o, err))) {
            router_destroy(&x->base);
            return NULL;
        }
        if (len >= 0 && (size_t)len < sizeof x->base.description)
            len += snprintf(x->base.description + len, sizeof x->base.description - (size_t)len,
                            "%s%s", d ? ", " : "honeycomb-router: ", o.dataset);
    }
    /* Every dataset's exporter sends to the same Events API host. */
    if (x->routes.dataset_count)
        snprintf(x->base.endpoint, sizeof x->base.endpoint, "%s", x->children[0]->endpoint);
    error_clear(err);
    return &x->base;
}
