/* honeycomb_router.c - several Honeycomb datasets from one pipeline
 * (genops_honeycomb_router_new): one Events API exporter per dataset (honeycomb_events.c),
 * and the rules (honeycomb_route.c) that give each span of a batch its datasets. Each
 * dataset's exporter gets the batch's spans that go to it, in order, one dataset after
 * another; the spans themselves are shared, read-only, never copied. Export thread only,
 * like every exporter, except genops_honeycomb_router_dataset_stats: each dataset's
 * figures are atomics (its last error under a lock), read from any thread. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "exporter.h"
#include "honeycomb/honeycomb_config.h"
#include "honeycomb/honeycomb_route.h"
#include "log.h"
#include "clock.h"

/* One dataset's copies: what its exporter did with the spans routed to it. */
struct dataset_stats {
    atomic_uint_least64_t exported, rejected, failed, retries, bytes_sent, batches;
    _Atomic int last_status;
    atomic_uint_least64_t last_error_unix_ns;
    char last_error[GENOPS_ERROR_MESSAGE_SIZE]; /* under router.lock */
};

struct router {
    genops_exporter base; /* first: the router is an exporter */
    struct routes routes;
    genops_exporter *children[GENOPS_HONEYCOMB_DATASETS_MAX]; /* one per routes.datasets */
    uint64_t *masks;                                          /* per span of the batch */
    struct span **picked;                                     /* one dataset's spans */
    size_t cap;
    bool said_unrouted, said_unknown;
    struct dataset_stats stats[GENOPS_HONEYCOMB_DATASETS_MAX];
    pthread_mutex_t lock; /* the stats' last_error texts */
};

static void count_copies(struct router *x, size_t d, size_t n, genops_status rc,
                         const struct export_result *cr)
{
    struct dataset_stats *st = &x->stats[d];
    uint64_t delivered = cr->delivered < n ? cr->delivered : n;
    uint64_t rejected = cr->rejected < n - delivered ? cr->rejected : n - delivered;
    atomic_fetch_add(&st->exported, delivered);
    atomic_fetch_add(&st->rejected, rejected);
    atomic_fetch_add(&st->failed, n - delivered - rejected);
    atomic_fetch_add(&st->retries, cr->retries);
    atomic_fetch_add(&st->bytes_sent, cr->bytes_sent);
    atomic_fetch_add(&st->batches, 1);
    if (rc == GENOPS_OK)
        return;
    pthread_mutex_lock(&x->lock);
    atomic_store(&st->last_status, (int)rc);
    atomic_store(&st->last_error_unix_ns, clock_unix_ns());
    snprintf(st->last_error, sizeof st->last_error, "%s",
             cr->error && cr->error[0] ? cr->error : genops_strerror(rc));
    pthread_mutex_unlock(&x->lock);
}

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
        genops_status crc =
            x->children[d]->ops->export_batch(x->children[d], &part, deadline_ns, &cr);
        count_copies(x, d, n, crc, &cr);
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
    pthread_mutex_destroy(&x->lock);
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
    pthread_mutex_init(&x->lock, NULL);
    if (routes_read(routes_json, &x->routes, err)) {
        pthread_mutex_destroy(&x->lock);
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

size_t genops_honeycomb_router_dataset_count(genops_exporter *router)
{
    return router && router->ops == &router_ops ? ((struct router *)router)->routes.dataset_count
                                                : 0;
}

genops_status genops_honeycomb_router_dataset_stats(genops_exporter *router, size_t index,
                                                    genops_exporter_stats *out, genops_error *err)
{
    if (!router || router->ops != &router_ops)
        return error_set(err, GENOPS_EINVAL, "not a Honeycomb router");
    if (!out || out->struct_size < sizeof(size_t) || out->struct_size > sizeof *out)
        return error_set(err, GENOPS_EINVAL,
                         "genops_exporter_stats.struct_size is %zu; set it to "
                         "sizeof(genops_exporter_stats)",
                         out ? out->struct_size : 0);
    struct router *x = (struct router *)router;
    if (index >= x->routes.dataset_count)
        return error_set(err, GENOPS_EINVAL, "dataset index %zu: the router has %zu", index,
                         x->routes.dataset_count);
    const struct dataset_stats *st = &x->stats[index];
    genops_exporter_stats s = {.struct_size = out->struct_size};
    snprintf(s.type, sizeof s.type, "%s", x->children[index]->ops->kind);
    snprintf(s.name, sizeof s.name, "%s", x->routes.datasets[index]);
    snprintf(s.endpoint, sizeof s.endpoint, "%s", x->children[index]->endpoint);
    s.exported = atomic_load(&st->exported);
    s.dropped_rejected = atomic_load(&st->rejected);
    s.dropped_export_failed = atomic_load(&st->failed);
    s.retries = atomic_load(&st->retries);
    s.bytes_sent = atomic_load(&st->bytes_sent);
    s.batches = atomic_load(&st->batches);
    pthread_mutex_lock(&x->lock);
    s.last_status = atomic_load(&st->last_status);
    s.last_error_unix_ns = atomic_load(&st->last_error_unix_ns);
    snprintf(s.last_error, sizeof s.last_error, "%s", st->last_error);
    pthread_mutex_unlock(&x->lock);
    memcpy(out, &s, out->struct_size);
    return GENOPS_OK;
}
