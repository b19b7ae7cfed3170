/* rate_limit.c - token buckets per scope key (rate_limit.h), as GCRA.
 *
 * A bucket of capacity C per minute is kept as one number, its theoretical arrival
 * time TAT (the generic cell rate algorithm of ITU-T I.371, equivalent to a token
 * bucket refilled at C per minute and holding at most C): taking n costs n * T, T =
 * one minute / C; it is allowed when max(TAT, now) + n * T - now <= one minute, and
 * then TAT becomes max(TAT, now) + n * T. One compare-and-swap per request, no timer.
 * Tokens are charged after the fact (the count is known when the cost is recorded),
 * so a token bucket may go into debt; an operation starts only while its token
 * bucket holds at least one token.
 *
 * Each limit has a fixed table of buckets (max_keys, open addressing); a key is added
 * under the limit's mutex, found without it (its hash is published after its bytes).
 * Keys past max_keys share one overflow bucket (logged once). The limits' table is
 * slot.h's, as the budgets'. */
#include "rate_limit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "enforcement.h"
#include "error.h"
#include "fork.h"
#include "log.h"
#include "scope.h"
#include "slot.h"
#include "span.h"

enum { LIMITS_MAX = 16, KEY_BYTES = 64, NAME_BYTES = 200, MAX_KEYS_LIMIT = 65536 };
#define MINUTE_NS UINT64_C(60000000000)

struct bucket {
    _Atomic uint64_t tag; /* 0: empty; else the key's hash | 1, published last */
    uint32_t key_len;
    char key[KEY_BYTES]; /* the key's first KEY_BYTES bytes (the hash covers all) */
    _Atomic uint64_t requests_tat, tokens_tat;
};

struct rate_limit {
    struct slot slot;
    char *text; /* name, key */
    const char *name;
    bool keyed;
    struct scope_key key;
    uint64_t request_ns, token_ns; /* one request's, one token's share of a minute; 0: none */
    double requests_per_minute, tokens_per_minute;
    enum enforcement enforcement;
    uint32_t mask; /* buckets - 1 (a power of two); buckets[mask + 1] is the overflow */
    uint32_t max_keys;
    struct bucket *buckets;
    pthread_mutex_t insert_lock;
    _Atomic uint32_t keys;
    _Atomic bool overflowed;
    _Atomic uint64_t refused;
    _Atomic uint64_t warned_ns;
};

static struct rate_limit limits[LIMITS_MAX];
static atomic_uint limits_used;
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
atomic_uint rate_limit_defined;
static _Atomic uint64_t clock_override;

void rate_limit_clock_override(uint64_t mono_ns)
{
    atomic_store(&clock_override, mono_ns);
}

static uint64_t now_ns(void)
{
    uint64_t t = atomic_load_explicit(&clock_override, memory_order_relaxed);
    return t ? t : clock_mono_coarse_ns();
}

/* FNV-1a, 64 bits, with the low bit set so that 0 means "empty". */
static uint64_t key_hash(const char *s, size_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * UINT64_C(0x100000001b3);
    return h | 1;
}

static bool same_key(const struct bucket *b, const char *key, size_t len)
{
    size_t n = len < KEY_BYTES ? len : KEY_BYTES;
    return b->key_len == len && memcmp(b->key, key, n) == 0;
}

/* The bucket of key (len bytes, hash h), or NULL: no lock. */
static struct bucket *lookup(struct rate_limit *l, const char *key, size_t len, uint64_t h)
{
    for (uint32_t i = (uint32_t)h & l->mask;; i = (i + 1) & l->mask) {
        struct bucket *b = &l->buckets[i];
        uint64_t tag = atomic_load_explicit(&b->tag, memory_order_acquire);
        if (!tag)
            return NULL;
        if (tag == h && same_key(b, key, len))
            return b;
    }
}

/* The bucket of key (len bytes), added when new; the overflow bucket when the table
 * holds max_keys keys. */
static struct bucket *bucket_of(struct rate_limit *l, const char *key, size_t len)
{
    uint64_t h = key_hash(key, len);
    struct bucket *known = lookup(l, key, len, h);
    if (known)
        return known;
    pthread_mutex_lock(&l->insert_lock);
    struct bucket *found = &l->buckets[l->mask + 1];
    for (uint32_t i = (uint32_t)h & l->mask;; i = (i + 1) & l->mask) {
        struct bucket *b = &l->buckets[i];
        uint64_t tag = atomic_load_explicit(&b->tag, memory_order_relaxed);
        if (tag == h && same_key(b, key, len)) {
            found = b;
            break;
        }
        if (tag)
            continue;
        if (atomic_load(&l->keys) < l->max_keys) {
            b->key_len = (uint32_t)len;
            memcpy(b->key, key, len < KEY_BYTES ? len : KEY_BYTES);
            atomic_store_explicit(&b->tag, h, memory_order_release);
            atomic_fetch_add(&l->keys, 1);
            found = b;
        } else if (!atomic_exchange(&l->overflowed, true)) {
            log_msg(LOG_WARNING, "rate limit '%s': more than %u keys; the others share one bucket",
                    l->name, l->max_keys);
        }
        break;
    }
    pthread_mutex_unlock(&l->insert_lock);
    return found;
}

/* The operation's bucket in l, or NULL when l is keyed and the operation has no
 * string value for the key (it is not limited then). */
static struct bucket *bucket_for(struct rate_limit *l, const struct span *s)
{
    if (!l->keyed)
        return bucket_of(l, "", 0);
    const genops_value *v = scope_value(s, &l->key);
    if (!v || v->type != GENOPS_TYPE_STRING)
        return NULL;
    return bucket_of(l, v->u.s, v->len);
}

/* Take n shares of cost each from the bucket at tat, when the result stays within a
 * minute (or always, when may_exceed: tokens charged after the fact). */
static bool take(_Atomic uint64_t *tat, uint64_t now, uint64_t cost, bool may_exceed)
{
    uint64_t t = atomic_load(tat);
    for (;;) {
        uint64_t base = t > now ? t : now;
        uint64_t next = cost > UINT64_MAX / 4 - base ? UINT64_MAX / 4 : base + cost;
        if (!may_exceed && next - now > MINUTE_NS)
            return false;
        if (atomic_compare_exchange_weak(tat, &t, next))
            return true;
    }
}

/* Whether the bucket at tat holds at least share (one token): nothing is taken. */
static bool holds(_Atomic uint64_t *tat, uint64_t now, uint64_t share)
{
    uint64_t t = atomic_load(tat);
    return (t > now ? t - now : 0) + share <= MINUTE_NS;
}

/* How many shares the bucket holds (negative: in debt). */
static double available(_Atomic uint64_t *tat, uint64_t now, uint64_t share)
{
    uint64_t t = atomic_load(tat);
    double used = t > now ? (double)(t - now) : 0.0;
    return ((double)MINUTE_NS - used) / (double)share;
}

/* The next limit from *at on that the caller may read until slot_leave, or NULL. */
static struct rate_limit *next_entered(uint32_t *at)
{
    uint32_t used = atomic_load_explicit(&limits_used, memory_order_acquire);
    while (*at < used) {
        struct rate_limit *l = &limits[(*at)++];
        if (slot_enter(&l->slot))
            return l;
    }
    return NULL;
}

void rate_limit_on_tokens_slow(struct span *s, int64_t tokens)
{
    uint64_t now = now_ns();
    uint32_t at = 0;
    for (struct rate_limit *l; (l = next_entered(&at));) {
        struct bucket *b = l->token_ns ? bucket_for(l, s) : NULL;
        if (b) {
            uint64_t n = (uint64_t)tokens;
            take(&b->tokens_tat, now, n > UINT64_MAX / l->token_ns ? UINT64_MAX : n * l->token_ns,
                 true);
        }
        slot_leave(&l->slot);
    }
}

static genops_value str(const char *s)
{
    return (genops_value){.type = GENOPS_TYPE_STRING, .len = strlen(s), .u.s = s};
}

/* One limit's decision for the operation s (h), at now. true: refused. */
static bool refuses(struct rate_limit *l, const struct span *s, genops_span h, uint64_t now,
                    char *why, size_t cap)
{
    struct bucket *b = bucket_for(l, s);
    if (!b)
        return false;
    bool tokens_ok = !l->token_ns || holds(&b->tokens_tat, now, l->token_ns);
    if (tokens_ok && (!l->request_ns || take(&b->requests_tat, now, l->request_ns, false)))
        return false;
    atomic_fetch_add_explicit(&l->refused, 1, memory_order_relaxed);
    char who[KEY_BYTES + NAME_BYTES + 8] = "";
    if (l->keyed)
        snprintf(who, sizeof who, " for %s=%.*s", l->key.key,
                 (int)(b->key_len < KEY_BYTES ? b->key_len : KEY_BYTES), b->key);
    snprintf(why, cap, "Rate limit '%s' exceeded: %g %s per minute%s", l->name,
             tokens_ok ? l->requests_per_minute : l->tokens_per_minute,
             tokens_ok ? "requests" : "tokens", who);
    if (l->enforcement == ENFORCE_BLOCK) {
        genops_attribute policy[] = {{"policy_name", str(l->name)},
                                     {"policy_result", str("rate_limited")},
                                     {"policy_reason", str(why)}};
        genops_span_record_policy(h, policy, 3, NULL);
        return true;
    }
    uint64_t last = atomic_load(&l->warned_ns);
    if (l->enforcement == ENFORCE_WARN && (!last || now - last >= MINUTE_NS) &&
        atomic_compare_exchange_strong(&l->warned_ns, &last, now))
        log_msg(LOG_WARNING, "%s; operations go on (enforcement \"warn\")", why);
    return false;
}

bool genops_span_rate_limited(genops_span h, char *limit, size_t limit_cap, char *reason,
                              size_t reason_cap)
{
    if (!atomic_load_explicit(&rate_limit_defined, memory_order_relaxed))
        return false;
    struct span *s = span_lookup(h);
    if (!s)
        return false;
    uint64_t now = now_ns();
    uint32_t at = 0;
    for (struct rate_limit *l; (l = next_entered(&at));) {
        char why[256];
        bool refused = refuses(l, s, h, now, why, sizeof why);
        if (refused) {
            if (limit && limit_cap)
                snprintf(limit, limit_cap, "%s", l->name);
            if (reason && reason_cap)
                snprintf(reason, reason_cap, "%s", why);
        }
        slot_leave(&l->slot);
        if (refused)
            return true;
    }
    return false;
}

/* ---- configuration ---------------------------------------------------------------- */

static struct rate_limit *find(const char *name)
{
    uint32_t used = atomic_load(&limits_used);
    for (uint32_t i = 0; i < used; i++)
        if (slot_is(&limits[i].slot, SLOT_ACTIVE) && strcmp(limits[i].name, name) == 0)
            return &limits[i];
    return NULL;
}

static void retire(struct rate_limit *l)
{
    atomic_fetch_sub(&rate_limit_defined, 1);
    slot_retire(&l->slot);
    pthread_mutex_destroy(&l->insert_lock);
    free(l->buckets);
    free(l->text);
    l->buckets = NULL;
    l->text = NULL;
    slot_release(&l->slot);
}

/* A per-minute rate from v into *per_minute and the share of a minute one unit takes. */
static bool rate(const genops_value *v, double *per_minute, uint64_t *share)
{
    double x = v->type == GENOPS_TYPE_DOUBLE ? v->u.d
               : v->type == GENOPS_TYPE_INT  ? (double)v->u.i
                                             : NAN;
    if (!(x > 0.0 && x <= 1e12))
        return false;
    *per_minute = x;
    *share = (uint64_t)fmax(1.0, (double)MINUTE_NS / x);
    return true;
}

static genops_status bad(genops_error *err, const char *name, const char *what)
{
    return error_set(err, GENOPS_EINVAL, "rate limit '%s': %s", name, what);
}

/* The options into l (a free slot); its allocations are l's on success. */
static genops_status build(struct rate_limit *l, const genops_attribute *kv, size_t n,
                           genops_error *err)
{
    const genops_value *name = NULL, *rpm = NULL, *tpm = NULL, *key = NULL, *enf = NULL,
                       *max_keys = NULL;
    for (size_t i = 0; i < n; i++) {
        static const char *const keys[] = {"name", "requests_per_minute", "tokens_per_minute",
                                           "key",  "enforcement",         "max_keys"};
        const genops_value **slots[] = {&name, &rpm, &tpm, &key, &enf, &max_keys};
        size_t k = 0;
        while (k < 6 && strcmp(kv[i].key, keys[k]) != 0)
            k++;
        if (k == 6)
            return error_set(err, GENOPS_EINVAL,
                             "rate limit: unknown option '%.64s' (name, requests_per_minute, "
                             "tokens_per_minute, key, enforcement, max_keys)",
                             kv[i].key);
        if (kv[i].value.type != GENOPS_TYPE_NULL)
            *slots[k] = &kv[i].value;
    }
    if (!name || name->type != GENOPS_TYPE_STRING || !name->len || name->len > NAME_BYTES ||
        memchr(name->u.s, '\0', name->len)) {
        error_set(err, GENOPS_EINVAL,
                  "rate limit: name must be a non-empty string of at most %d bytes", NAME_BYTES);
        return GENOPS_EINVAL;
    }
    char nm[NAME_BYTES + 1];
    snprintf(nm, sizeof nm, "%.*s", (int)name->len, name->u.s);
    l->request_ns = l->token_ns = 0;
    l->requests_per_minute = l->tokens_per_minute = 0;
    if (rpm && !rate(rpm, &l->requests_per_minute, &l->request_ns))
        return bad(err, nm, "requests_per_minute must be a number in (0, 1e12]");
    if (tpm && !rate(tpm, &l->tokens_per_minute, &l->token_ns))
        return bad(err, nm, "tokens_per_minute must be a number in (0, 1e12]");
    if (!rpm && !tpm)
        return bad(err, nm, "give requests_per_minute, tokens_per_minute or both");
    if (key && (key->type != GENOPS_TYPE_STRING || !key->len || key->len > NAME_BYTES ||
                memchr(key->u.s, '\0', key->len)))
        return bad(err, nm, "key must be an attribute name (a non-empty string)");
    l->enforcement = ENFORCE_BLOCK;
    if (enf && !enforcement_parse(enf, &l->enforcement))
        return bad(err, nm, "enforcement must be \"block\", \"warn\" or \"record\"");
    int64_t mk = 1024;
    if (max_keys &&
        (max_keys->type != GENOPS_TYPE_INT || max_keys->u.i < 1 || max_keys->u.i > MAX_KEYS_LIMIT))
        return bad(err, nm, "max_keys must be an integer in [1, 65536]");
    if (max_keys)
        mk = max_keys->u.i;
    uint32_t cap = 2;
    while (cap < 2 * (uint32_t)mk)
        cap *= 2;
    size_t klen = key ? key->len : 0;
    l->text = malloc(name->len + 1 + SCOPE_KEY_BYTES(klen));
    l->buckets = calloc((size_t)cap + 1, sizeof *l->buckets);
    if (!l->text || !l->buckets) {
        free(l->text);
        free(l->buckets);
        l->text = NULL;
        l->buckets = NULL;
        return error_set(err, GENOPS_ENOMEM, "rate limit '%s': out of memory", nm);
    }
    memcpy(l->text, nm, name->len + 1);
    l->name = l->text;
    l->keyed = key != NULL;
    if (key)
        scope_key_init(&l->key, l->text + name->len + 1, key->u.s, klen);
    l->mask = cap - 1;
    l->max_keys = (uint32_t)mk;
    atomic_store(&l->keys, 0);
    atomic_store(&l->overflowed, false);
    atomic_store(&l->refused, 0);
    atomic_store(&l->warned_ns, 0);
    pthread_mutex_init(&l->insert_lock, NULL);
    return GENOPS_OK;
}

genops_status genops_rate_limit_define(const genops_attribute *kv, size_t count, genops_error *err)
{
    genops_status rc = attr_check_all(kv, count, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&config_lock);
    uint32_t used = atomic_load(&limits_used), slot = used;
    for (uint32_t i = 0; i < used && slot == used; i++)
        if (slot_is(&limits[i].slot, SLOT_FREE))
            slot = i;
    if (slot == LIMITS_MAX) {
        pthread_mutex_unlock(&config_lock);
        return error_set(err, GENOPS_ETOOBIG, "rate limit: at most %d rate limits", LIMITS_MAX);
    }
    struct rate_limit *l = &limits[slot];
    if (!(rc = build(l, kv, count, err))) {
        struct rate_limit *old = find(l->name);
        if (old)
            retire(old); /* the new definition replaces it */
        slot_publish(&l->slot);
        atomic_fetch_add(&rate_limit_defined, 1);
        if (slot == used)
            atomic_store(&limits_used, used + 1);
    }
    pthread_mutex_unlock(&config_lock);
    return rc;
}

genops_status genops_rate_limit_remove(const char *name, genops_error *err)
{
    if (!name)
        return error_set(err, GENOPS_EINVAL, "genops_rate_limit_remove: name is NULL");
    pthread_mutex_lock(&config_lock);
    struct rate_limit *l = find(name);
    if (l)
        retire(l);
    pthread_mutex_unlock(&config_lock);
    return l ? GENOPS_OK
             : error_set(err, GENOPS_EINVAL,
                         "genops_rate_limit_remove: no rate limit named '%.64s'", name);
}

genops_status genops_rate_limit_get(const char *name, const char *key, genops_rate_limit_state *out,
                                    genops_error *err)
{
    if (!name || !out || out->struct_size < sizeof *out)
        return error_set(err, GENOPS_EINVAL,
                         "genops_rate_limit_get: name or out is NULL, or out's struct_size is "
                         "too small");
    size_t size = out->struct_size;
    memset(out, 0, sizeof *out);
    out->struct_size = size;
    pthread_mutex_lock(&config_lock);
    struct rate_limit *l = find(name);
    if (l) {
        uint64_t now = now_ns();
        size_t len = key ? strlen(key) : 0;
        struct bucket *b = lookup(l, key ? key : "", len, key_hash(key ? key : "", len));
        out->requests_per_minute = l->requests_per_minute;
        out->tokens_per_minute = l->tokens_per_minute;
        /* A key never seen has a full bucket. */
        out->requests_available = !l->request_ns ? 0
                                  : b            ? available(&b->requests_tat, now, l->request_ns)
                                                 : l->requests_per_minute;
        out->tokens_available = !l->token_ns ? 0
                                : b          ? available(&b->tokens_tat, now, l->token_ns)
                                             : l->tokens_per_minute;
        out->keys = atomic_load(&l->keys);
        out->refused = atomic_load(&l->refused);
        snprintf(out->enforcement, sizeof out->enforcement, "%s", enforcement_name(l->enforcement));
    }
    pthread_mutex_unlock(&config_lock);
    return l ? GENOPS_OK
             : error_set(err, GENOPS_EINVAL, "genops_rate_limit_get: no rate limit named '%.64s'",
                         name);
}

/* ---- fork (fork.h, FORK_RANK_RATE_LIMITS) ------------------------------------------ */

static void fork_prepare(void)
{
    pthread_mutex_lock(&config_lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&config_lock);
}

/* The child keeps the limits and a copy of their buckets; a key insertion another
 * thread was making is the parent's: each insert lock is made anew. */
static void fork_child(void)
{
    uint32_t used = atomic_load(&limits_used);
    for (uint32_t i = 0; i < used; i++)
        if (slot_is(&limits[i].slot, SLOT_ACTIVE))
            pthread_mutex_init(&limits[i].insert_lock, NULL);
    pthread_mutex_unlock(&config_lock);
}

__attribute__((constructor)) static void register_fork_hooks(void)
{
    static const struct fork_hooks hooks = {fork_prepare, fork_parent, fork_child};
    fork_hooks_register(FORK_RANK_RATE_LIMITS, &hooks);
}
