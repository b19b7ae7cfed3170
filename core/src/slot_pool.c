/* slot_pool.c - span slots in never-freed slabs, a tagged Treiber stack of free slots,
 * and a per-thread cache in front of it. See slot_pool.h. */
#include "slot_pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "fork.h"

#define SLAB_SLOTS 256u
#define MAX_SLABS  (SPAN_POOL_MAX / SLAB_SLOTS)

static _Atomic(struct span *) slabs[MAX_SLABS];
static atomic_uint slot_count;     /* slots allocated so far */
static _Atomic uint64_t pool_head; /* tag << 32 | (index + 1); 0 index = empty */
static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;

static struct span *slot_at(uint32_t index)
{
    /* acquire: pairs with the release store that published the slab. */
    struct span *slab = atomic_load_explicit(&slabs[index / SLAB_SLOTS], memory_order_acquire);
    return &slab[index % SLAB_SLOTS];
}

struct span *slot_pool_at(uint32_t index)
{
    return index < atomic_load_explicit(&slot_count, memory_order_acquire) ? slot_at(index) : NULL;
}

/* Push the chain first..last (linked through next_free) with one CAS. */
static void put_chain(struct span *first, struct span *last)
{
    uint64_t head = atomic_load_explicit(&pool_head, memory_order_relaxed);
    uint64_t next;
    do {
        atomic_store_explicit(&last->next_free, (uint32_t)head, memory_order_relaxed);
        next = ((head >> 32) + 1) << 32 | (first->index + 1);
        /* release: the slots' contents happen before a taker reads them. */
    } while (!atomic_compare_exchange_weak_explicit(&pool_head, &head, next, memory_order_release,
                                                    memory_order_relaxed));
}

void slot_pool_put(struct span *s)
{
    put_chain(s, s);
}

void slot_chain_add(struct slot_chain *c, struct span *s)
{
    atomic_store_explicit(&s->next_free, c->first ? c->first->index + 1 : 0, memory_order_relaxed);
    c->first = s;
    if (!c->last)
        c->last = s;
}

void slot_pool_put_chain(const struct slot_chain *c)
{
    if (c->first)
        put_chain(c->first, c->last);
}

/* Allocate a slab and put all but one of its slots in the pool. NULL at the cap. */
static struct span *pool_grow(void)
{
    struct span *mine = NULL;

    pthread_mutex_lock(&grow_lock);
    uint32_t n = atomic_load_explicit(&slot_count, memory_order_relaxed);
    struct span *slab = n < SPAN_POOL_MAX ? calloc(SLAB_SLOTS, sizeof *slab) : NULL;
    if (slab) {
        for (uint32_t i = 0; i < SLAB_SLOTS; i++) {
            slab[i].index = n + i;
            arena_init(&slab[i].arena, 0);
        }
        atomic_store_explicit(&slabs[n / SLAB_SLOTS], slab, memory_order_release);
        atomic_store_explicit(&slot_count, n + SLAB_SLOTS, memory_order_release);
        for (uint32_t i = 1; i < SLAB_SLOTS; i++)
            slot_pool_put(&slab[i]);
        mine = &slab[0];
    }
    pthread_mutex_unlock(&grow_lock);
    return mine;
}

/* One slot from the shared free list, or NULL when it is empty. */
static struct span *pool_pop(void)
{
    /* acquire: see put_chain. The tag makes a stale next_free read fail the CAS. */
    uint64_t head = atomic_load_explicit(&pool_head, memory_order_acquire);
    while ((uint32_t)head) {
        struct span *s = slot_at((uint32_t)head - 1);
        uint32_t link = atomic_load_explicit(&s->next_free, memory_order_relaxed);
        uint64_t next = ((head >> 32) + 1) << 32 | link;
        if (atomic_compare_exchange_weak_explicit(&pool_head, &head, next, memory_order_acquire,
                                                  memory_order_acquire))
            return s;
    }
    return NULL;
}

/* Each thread that starts spans keeps a few free slots of its own, so that producers do
 * not take turns on the free list's head (one shared cache line) for every span: they
 * refill in bursts, and the export thread returns a batch's slots with one CAS. */
#define CACHE_SLOTS 32
struct slot_cache {
    struct span *slots[CACHE_SLOTS];
    unsigned count;
};
static _Thread_local struct slot_cache tls_cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

/* At thread exit: the cached slots go back to the shared list. */
static void cache_return(void *arg)
{
    struct slot_cache *c = arg;
    while (c->count)
        slot_pool_put(c->slots[--c->count]);
}

static void cache_key_create(void)
{
    pthread_key_create(&cache_key, cache_return);
}

struct span *slot_pool_take(void)
{
    struct slot_cache *c = &tls_cache;
    if (c->count)
        return c->slots[--c->count];
    pthread_once(&cache_key_once, cache_key_create);
    if (!pthread_getspecific(cache_key))
        pthread_setspecific(cache_key, c);
    struct span *s;
    while (c->count < CACHE_SLOTS / 2 && (s = pool_pop()))
        c->slots[c->count++] = s;
    return c->count ? c->slots[--c->count] : pool_grow();
}

uint32_t slot_pool_in_use(void)
{
    uint32_t free_slots = tls_cache.count;
    uint32_t link = (uint32_t)atomic_load(&pool_head);
    for (; link; link = atomic_load(&slot_at(link - 1)->next_free))
        free_slots++;
    return atomic_load(&slot_count) - free_slots;
}

/* Fork (fork.h): hold the growth lock across fork(). */
static void fork_lock(void)
{
    pthread_mutex_lock(&grow_lock);
}

static void fork_unlock(void)
{
    pthread_mutex_unlock(&grow_lock);
}

__attribute__((constructor)) static void register_fork_hooks(void)
{
    static const struct fork_hooks hooks = {fork_lock, fork_unlock, fork_unlock};
    fork_hooks_register(FORK_RANK_SLOT_POOL, &hooks);
}
