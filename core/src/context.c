/* context.c - genops_context snapshots and the process-wide default attributes.
 *
 * The defaults are one pointer to an immutable snapshot. Writers (rare: configuration)
 * serialise on a mutex, publish a new snapshot with an atomic exchange, then wait for
 * readers that may have loaded the old pointer before dropping its reference (epoch.h).
 * Readers (every operation start) never lock: they enter a read section, load the
 * pointer, take a reference and leave. */
#include "context.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "epoch.h"
#include "error.h"
#include "fork.h"
#include "semconv.h"

#define CONTEXT_ARENA_LIMIT ((size_t)256 << 20)

static genops_context empty_context = {.refs = 1, .is_static = true};

static _Atomic(genops_context *) defaults = &empty_context;
static struct epoch defaults_epoch;
static pthread_mutex_t defaults_writer = PTHREAD_MUTEX_INITIALIZER;

genops_context *genops_context_ref(const genops_context *ctx)
{
    genops_context *c = (genops_context *)ctx;
    if (c && !c->is_static)
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void genops_context_unref(genops_context *ctx)
{
    if (!ctx || ctx->is_static)
        return;
    /* release: our reads of the snapshot happen before the free; acquire in the
     * thread that frees. */
    if (atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel) != 1)
        return;
    attr_list_free(&ctx->attrs);
    free(ctx->op_keys);
    free(ctx->op_key_lens);
    arena_free(&ctx->arena);
    free(ctx);
}

/* Append a deep copy of one attribute, or replace the value of an existing key, or
 * remove the key when the value is NULL. known_new: the key cannot be there yet (the
 * first layer's keys, unique already), so no lookup: the lookup is a scan, and one per
 * key made every set_context quadratic in the context's size. */
static genops_status context_put(genops_context *c, const char *key, const genops_value *v,
                                 bool known_new, genops_error *err)
{
    size_t klen = strlen(key);
    uint32_t hash = attr_hash(key, klen);
    int32_t at = known_new ? -1 : attr_list_find(&c->attrs, key, klen, hash);
    uint32_t unused_truncated = 0;

    if (v->type == GENOPS_TYPE_NULL) {
        if (at >= 0) {
            memmove(&c->attrs.items[at], &c->attrs.items[at + 1],
                    (c->attrs.count - (uint32_t)at - 1) * sizeof(struct attr));
            c->attrs.count--;
        }
        return GENOPS_OK;
    }
    struct attr e = {.hash = hash};
    e.key = attr_copy_text(&c->arena, key, klen, &e.key_len);
    if (!e.key || attr_copy_value(&c->arena, v, UINT32_MAX, &e.value, &unused_truncated))
        return error_set(err, GENOPS_ETOOBIG, "context is larger than %zu bytes",
                         CONTEXT_ARENA_LIMIT);
    if (e.key_len != klen) /* the key was repaired: look it up again as stored */
        at = attr_list_find(&c->attrs, e.key, e.key_len, e.hash = attr_hash(e.key, e.key_len));
    if (at >= 0) {
        c->attrs.items[at] = e;
        return GENOPS_OK;
    }
    if (!attr_list_grow(&c->attrs))
        return error_set(err, GENOPS_ENOMEM, "out of memory building a context");
    c->attrs.items[c->attrs.count++] = e;
    return GENOPS_OK;
}

/* Build the "genops."-prefixed keys for operation spans. */
static genops_status context_seal(genops_context *c, genops_error *err)
{
    uint32_t n = c->attrs.count;
    if (n == 0)
        return GENOPS_OK;
    c->op_keys = malloc(n * sizeof *c->op_keys);
    c->op_key_lens = malloc(n * sizeof *c->op_key_lens);
    if (!c->op_keys || !c->op_key_lens)
        return error_set(err, GENOPS_ENOMEM, "out of memory building a context");
    for (uint32_t i = 0; i < n; i++) {
        const struct attr *a = &c->attrs.items[i];
        char *k = arena_alloc(&c->arena, SEMCONV_PREFIX_LEN + a->key_len + 1);
        if (!k)
            return error_set(err, GENOPS_ETOOBIG, "context is larger than %zu bytes",
                             CONTEXT_ARENA_LIMIT);
        memcpy(k, SEMCONV_PREFIX, SEMCONV_PREFIX_LEN);
        memcpy(k + SEMCONV_PREFIX_LEN, a->key, a->key_len + 1);
        c->op_keys[i] = k;
        c->op_key_lens[i] = SEMCONV_PREFIX_LEN + a->key_len;
    }
    return GENOPS_OK;
}

/* A new snapshot: each of bases (NULL entries skipped) in order, then attrs, each layer
 * overriding the ones before it. */
static genops_context *context_build(const genops_context *const *bases, size_t nbases,
                                     const genops_attribute *attrs, size_t count, genops_error *err)
{
    if (attr_check_all(attrs, count, err))
        return NULL;
    genops_context *c = calloc(1, sizeof *c);
    if (!c) {
        error_set(err, GENOPS_ENOMEM, "out of memory building a context");
        return NULL;
    }
    atomic_init(&c->refs, 1);
    arena_init(&c->arena, CONTEXT_ARENA_LIMIT);
    genops_status rc = GENOPS_OK;
    for (size_t b = 0; b < nbases; b++) {
        bool first = c->attrs.count == 0; /* a snapshot's keys are unique, none NULL */
        for (uint32_t i = 0; bases[b] && i < bases[b]->attrs.count && !rc; i++)
            rc = context_put(c, bases[b]->attrs.items[i].key, &bases[b]->attrs.items[i].value,
                             first, err);
    }
    for (size_t i = 0; i < count && !rc; i++)
        rc = context_put(c, attrs[i].key, &attrs[i].value, false, err);
    if (!rc)
        rc = context_seal(c, err);
    if (rc) {
        genops_context_unref(c);
        return NULL;
    }
    return c;
}

genops_context *genops_context_new(const genops_context *base, const genops_attribute *attrs,
                                   size_t count, genops_error *err)
{
    return context_build(&base, 1, attrs, count, err);
}

size_t genops_context_count(const genops_context *ctx)
{
    return ctx ? ctx->attrs.count : 0;
}

genops_status genops_context_get(const genops_context *ctx, size_t index, genops_attribute *out,
                                 genops_error *err)
{
    if (!out)
        return error_set(err, GENOPS_EINVAL, "out is NULL");
    if (index >= genops_context_count(ctx))
        return error_set(err, GENOPS_EINVAL, "index %zu is out of range (count %zu)", index,
                         genops_context_count(ctx));
    out->key = ctx->attrs.items[index].key;
    out->value = ctx->attrs.items[index].value;
    return GENOPS_OK;
}

bool genops_context_find(const genops_context *ctx, const char *key, genops_value *out)
{
    if (!ctx || !key || !out)
        return false;
    size_t len = strlen(key);
    int32_t at = attr_list_find(&ctx->attrs, key, len, attr_hash(key, len));
    if (at < 0)
        return false;
    *out = ctx->attrs.items[at].value;
    return true;
}

genops_context *genops_defaults_get(void)
{
    unsigned token = epoch_enter(&defaults_epoch);
    genops_context *c = genops_context_ref(atomic_load(&defaults));
    epoch_exit(&defaults_epoch, token);
    return c;
}

/* Publish next (the writer lock held) and drop the old snapshot once no reader can
 * still be taking a reference to it. */
static void defaults_publish(genops_context *next)
{
    genops_context *old = atomic_exchange(&defaults, next);
    epoch_synchronize(&defaults_epoch);
    genops_context_unref(old);
}

static genops_status defaults_replace(bool keep_current, const genops_attribute *attrs,
                                      size_t count, genops_error *err)
{
    genops_error local;
    if (!err)
        err = &local; /* the status comes back in it */
    pthread_mutex_lock(&defaults_writer);
    const genops_context *base = keep_current ? atomic_load(&defaults) : NULL;
    genops_context *next = context_build(&base, 1, attrs, count, err);
    if (next)
        defaults_publish(next);
    pthread_mutex_unlock(&defaults_writer);
    return next ? GENOPS_OK : err->code;
}

genops_status genops_defaults_set(const genops_attribute *attrs, size_t count, genops_error *err)
{
    return defaults_replace(false, attrs, count, err);
}

genops_status genops_defaults_update(const genops_attribute *attrs, size_t count, genops_error *err)
{
    return defaults_replace(true, attrs, count, err);
}

void genops_defaults_clear(void)
{
    pthread_mutex_lock(&defaults_writer);
    defaults_publish(&empty_context);
    pthread_mutex_unlock(&defaults_writer);
}

genops_context *genops_effective_context(const genops_context *ctx, const genops_attribute *attrs,
                                         size_t count, genops_error *err)
{
    genops_context *d = genops_defaults_get();
    const genops_context *layers[2] = {d, ctx};
    genops_context *out = context_build(layers, 2, attrs, count, err);
    genops_context_unref(d);
    return out;
}

/* Fork (fork.h): hold the defaults' writer lock across fork(); the child also forgets
 * readers that were in other threads of the parent. */
static void fork_lock(void)
{
    pthread_mutex_lock(&defaults_writer);
}

static void fork_unlock(void)
{
    pthread_mutex_unlock(&defaults_writer);
}

static void fork_child(void)
{
    epoch_after_fork_child(&defaults_epoch);
    pthread_mutex_unlock(&defaults_writer);
}

__attribute__((constructor)) static void register_fork_hooks(void)
{
    static const struct fork_hooks hooks = {fork_lock, fork_unlock, fork_child};
    fork_hooks_register(FORK_RANK_DEFAULTS, &hooks);
}
