/* exporter_memory.c - keeps finished spans in memory for tests and embedders.
 *
 * It keeps the spans themselves (span_retain), not copies: a kept span's slot returns
 * to the pool when the exporter is cleared or freed. The list is guarded by a mutex
 * because readers are application threads while the export thread appends. */
#include <pthread.h>
#include <stdlib.h>

#include "error.h"
#include "exporter.h"

struct memory_exporter {
    genops_exporter base;
    pthread_mutex_t lock;
    struct span **spans;
    size_t count, cap;
};

static genops_status memory_export(genops_exporter *e, const struct batch *b, uint64_t deadline_ns,
                                   struct export_result *r)
{
    struct memory_exporter *m = (struct memory_exporter *)e;
    (void)deadline_ns;
    pthread_mutex_lock(&m->lock);
    if (m->count + b->count > m->cap) {
        size_t cap = m->cap ? m->cap : 64;
        while (cap < m->count + b->count)
            cap *= 2;
        struct span **p = realloc(m->spans, cap * sizeof(struct span *));
        if (!p) {
            pthread_mutex_unlock(&m->lock);
            r->failed = b->count;
            return GENOPS_ENOMEM;
        }
        m->spans = p;
        m->cap = cap;
    }
    for (size_t i = 0; i < b->count; i++) {
        span_retain(b->spans[i]);
        m->spans[m->count++] = b->spans[i];
    }
    pthread_mutex_unlock(&m->lock);
    r->delivered = b->count;
    return GENOPS_OK;
}

static void memory_clear(struct memory_exporter *m)
{
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count; i++)
        span_release(m->spans[i]);
    m->count = 0;
    pthread_mutex_unlock(&m->lock);
}

static void memory_destroy(genops_exporter *e)
{
    struct memory_exporter *m = (struct memory_exporter *)e;
    memory_clear(m);
    free(m->spans);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* exporter_ops.after_fork: the export thread may have held the lock at fork(). */
static void memory_after_fork(genops_exporter *e)
{
    pthread_mutex_init(&((struct memory_exporter *)e)->lock, NULL);
}

static const struct exporter_ops memory_ops = {.kind = "memory",
                                               .export_batch = memory_export,
                                               .destroy = memory_destroy,
                                               .after_fork = memory_after_fork};

static struct memory_exporter *as_memory(genops_exporter *e)
{
    return e && e->ops == &memory_ops ? (struct memory_exporter *)e : NULL;
}

genops_exporter *genops_memory_exporter_new(genops_error *err)
{
    struct memory_exporter *m = calloc(1, sizeof *m);
    if (!m) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating a memory exporter");
        return NULL;
    }
    m->base.ops = &memory_ops;
    pthread_mutex_init(&m->lock, NULL);
    return &m->base;
}

size_t genops_memory_exporter_count(genops_exporter *e)
{
    struct memory_exporter *m = as_memory(e);
    if (!m)
        return 0;
    pthread_mutex_lock(&m->lock);
    size_t n = m->count;
    pthread_mutex_unlock(&m->lock);
    return n;
}

const genops_span_data *genops_memory_exporter_get(genops_exporter *e, size_t index)
{
    struct memory_exporter *m = as_memory(e);
    const genops_span_data *d = NULL;
    if (!m)
        return NULL;
    pthread_mutex_lock(&m->lock);
    if (index < m->count)
        d = (const genops_span_data *)m->spans[index];
    pthread_mutex_unlock(&m->lock);
    return d;
}

void genops_memory_exporter_clear(genops_exporter *e)
{
    struct memory_exporter *m = as_memory(e);
    if (m)
        memory_clear(m);
}
