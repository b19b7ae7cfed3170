/* budget.c - the budget table, its configuration calls and the two hot paths: a cost
 * added to the budgets it is in (budget_on_cost, on the recording thread) and the
 * check at an operation's start (genops_span_budget_blocked).
 *
 * The table is BUDGET_MAX slots that are never freed (slot.h): a removal waits for
 * the readers inside the budget before it frees its strings or unmaps its file.
 * Configuration calls serialise on one mutex; the hot paths never take it. */
#include "budget.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget_period.h"
#include "budget_redis.h"
#include "budget_store.h"
#include "enforcement.h"
#include "scope.h"
#include "slot.h"
#include "clock.h"
#include "error.h"
#include "fork.h"
#include "log.h"
#include "semconv.h"
#include "span.h"

enum { BUDGET_MAX = 64, SCOPE_MAX = 8, THRESHOLDS_MAX = 8, NAME_MAX_BYTES = 200 };

/* Nano-units per currency unit: spend is counted in integers (budget_store.h). */
#define NANO 1e9

struct scope_item {
    struct scope_key k;
    const char *value;
    uint32_t value_len;
};

struct budget {
    struct slot slot;
    /* Written only while the slot is free, read only while it is active. */
    char *text; /* one allocation: name, currency, the scope's strings */
    const char *name;
    const char *currency;
    size_t currency_len;
    int64_t limit; /* nano-units */
    double limit_units;
    enum budget_period period;
    int32_t tz_offset;
    enum enforcement enforcement;
    bool host;
    struct budget_redis *redis; /* store "redis://...", else NULL */
    uint32_t nthresholds, nscope;
    int64_t thresholds[THRESHOLDS_MAX]; /* nano-units */
    double threshold_fractions[THRESHOLDS_MAX];
    struct scope_item scope[SCOPE_MAX];
    struct budget_store store;
    /* The period last computed and its bounds (Unix seconds), so that a cost within
     * them costs two loads rather than the calendar; index is stored before until. */
    _Atomic int64_t index, from, until;
};

static struct budget table[BUDGET_MAX];
static atomic_uint table_used; /* slots [0, table_used) have ever been defined */
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
atomic_uint budget_defined;
static _Atomic int64_t clock_override;

void budget_clock_override(int64_t unix_s)
{
    atomic_store(&clock_override, unix_s);
}

static int64_t now_s(void)
{
    int64_t t = atomic_load_explicit(&clock_override, memory_order_relaxed);
    return t ? t : clock_unix_coarse_s();
}

static int64_t period_now(struct budget *b)
{
    int64_t now = now_s();
    if (now < atomic_load_explicit(&b->until, memory_order_acquire) &&
        now >= atomic_load_explicit(&b->from, memory_order_relaxed))
        return atomic_load_explicit(&b->index, memory_order_relaxed);
    int64_t index = budget_period_index(b->period, b->tz_offset, now), from, until;
    budget_period_bounds(b->period, b->tz_offset, index, &from, &until);
    if (b->period == PERIOD_TOTAL) {
        from = INT64_MIN;
        until = INT64_MAX;
    }
    atomic_store_explicit(&b->index, index, memory_order_relaxed);
    atomic_store_explicit(&b->from, from, memory_order_relaxed);
    atomic_store_explicit(&b->until, until, memory_order_release);
    return index;
}

/* The period index, for the redis store's thread. */
static int64_t redis_period(void *arg)
{
    return period_now(arg);
}

/* The cell brought to the current period. */
static struct budget_cell *current_cell(struct budget *b)
{
    struct budget_cell *c = b->store.cell;
    int64_t now = period_now(b);
    if (atomic_load_explicit(&c->period, memory_order_acquire) != now)
        budget_cell_roll(c, now);
    return c;
}

/* ---- readers ---------------------------------------------------------------------- */

static struct budget *enter(uint32_t i)
{
    return slot_enter(&table[i].slot) ? &table[i] : NULL;
}

static void leave(struct budget *b)
{
    slot_leave(&b->slot);
}

/* Whether v is the text s of len bytes. A byte loop: these are short (a currency, a
 * team), where a call to memcmp would cost more than the comparison. */
static bool same_text(const genops_value *v, const char *s, size_t len)
{
    if (v->len != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (v->u.s[i] != s[i])
            return false;
    return true;
}

/* Whether every scope item is the span's effective attribute (scope.h). */
static bool in_scope(const struct budget *b, const struct span *s)
{
    for (uint32_t i = 0; i < b->nscope; i++) {
        const genops_value *v = scope_value(s, &b->scope[i].k);
        if (!v || v->type != GENOPS_TYPE_STRING ||
            !same_text(v, b->scope[i].value, b->scope[i].value_len))
            return false;
    }
    return true;
}

static genops_value dbl(double d)
{
    return (genops_value){.type = GENOPS_TYPE_DOUBLE, .u.d = d};
}

static genops_value str(const char *s)
{
    return (genops_value){.type = GENOPS_TYPE_STRING, .len = strlen(s), .u.s = s};
}

/* One genops.budget.threshold span, a child of s, for threshold i of b crossed with
 * spend (nano-units) in period. On the recording thread, once per threshold per period
 * (in the whole machine for a host store). */
static void emit_threshold(const struct budget *b, struct span *s, uint32_t i, int64_t spend,
                           int64_t period)
{
    genops_span_context parent = {.trace_flags = s->trace_flags};
    memcpy(parent.trace_id, s->trace_id, sizeof parent.trace_id);
    memcpy(parent.span_id, s->span_id, sizeof parent.span_id);
    genops_pipeline *p = (genops_pipeline *)(void *)s->sink;
    genops_span h = genops_span_start(p, "genops.budget.threshold", &parent, NULL);
    struct span *t = span_lookup(h);
    if (!t)
        return; /* the pipeline counted the failure */
    int64_t start, end;
    budget_period_bounds(b->period, b->tz_offset, period, &start, &end);
    double used = (double)spend / NANO;
    genops_value v[] = {str(b->name),
                        dbl(b->limit_units),
                        dbl(used),
                        dbl(b->limit_units - used),
                        dbl(b->threshold_fractions[i]),
                        str(budget_period_name(b->period)),
                        str(enforcement_name(b->enforcement)),
                        {.type = GENOPS_TYPE_STRING, .len = b->currency_len, .u.s = b->currency},
                        {.type = GENOPS_TYPE_INT, .u.i = start},
                        str("threshold_crossed"),
                        dbl(b->limit > 0 ? (double)spend / (double)b->limit * 100.0 : 0.0)};
    static const struct {
        const char *key;
        size_t len;
    } keys[] = {{SEMCONV_KEY(BUDGET_NAME)},
                {SEMCONV_KEY(BUDGET_ALLOCATED)},
                {SEMCONV_KEY(BUDGET_CONSUMED)},
                {SEMCONV_KEY(BUDGET_REMAINING)},
                {SEMCONV_KEY(BUDGET_THRESHOLD)},
                {SEMCONV_KEY(BUDGET_PERIOD)},
                {SEMCONV_KEY(BUDGET_ENFORCEMENT)},
                {SEMCONV_KEY(BUDGET_CURRENCY)},
                {SEMCONV_KEY(BUDGET_PERIOD_START)},
                {SEMCONV_KEY(BUDGET_EVENT)},
                {SEMCONV_KEY(BUDGET_UTILIZATION_PERCENT)}};
    genops_status rc = GENOPS_OK;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0] && !rc; k++)
        rc = span_put_fixed(t, keys[k].key, keys[k].len, &v[k], NULL);
    for (uint32_t k = 0; k < b->nscope && !rc; k++) {
        genops_value sv = {
            .type = GENOPS_TYPE_STRING, .len = b->scope[k].value_len, .u.s = b->scope[k].value};
        rc = span_put(t, "", 0, b->scope[k].k.op_key, &sv, NULL);
    }
    log_msg(LOG_INFO, "budget '%s' crossed %g of its %s limit: %.6f of %.6f %s", b->name,
            b->threshold_fractions[i], budget_period_name(b->period), used, b->limit_units,
            b->currency);
    genops_span_end(h, NULL);
}

static int64_t to_nano(double x)
{
    double n = nearbyint(x * NANO);
    return n >= 9.2e18    ? INT64_C(9200000000000000000)
           : n <= -9.2e18 ? -INT64_C(9200000000000000000)
                          : (int64_t)n;
}

void budget_on_cost_slow(struct span *s, const genops_value *cost, const genops_value *currency)
{
    double x = cost->type == GENOPS_TYPE_DOUBLE ? cost->u.d
               : cost->type == GENOPS_TYPE_INT  ? (double)cost->u.i
                                                : (double)cost->u.b;
    if (!isfinite(x) || x == 0.0 || currency->type != GENOPS_TYPE_STRING)
        return;
    int64_t delta = to_nano(x);
    uint32_t used = atomic_load_explicit(&table_used, memory_order_acquire);
    for (uint32_t i = 0; i < used; i++) {
        struct budget *b = enter(i);
        if (!b)
            continue;
        if (same_text(currency, b->currency, b->currency_len) && in_scope(b, s)) {
            struct budget_cell *c = current_cell(b);
            int64_t total = atomic_fetch_add(&c->spend, delta) + delta;
            if (b->redis)
                budget_redis_add(b->redis, delta);
            for (uint32_t t = 0; t < b->nthresholds; t++) {
                uint32_t bit = UINT32_C(1) << t;
                if (total >= b->thresholds[t] &&
                    !(atomic_load_explicit(&c->fired, memory_order_relaxed) & bit) &&
                    !(atomic_fetch_or(&c->fired, bit) & bit))
                    emit_threshold(b, s, t, total,
                                   atomic_load_explicit(&c->period, memory_order_relaxed) &
                                       ~BUDGET_CELL_ROLLING);
            }
        }
        leave(b);
    }
}

static void copy_out(char *out, size_t cap, const char *text)
{
    if (out && cap)
        snprintf(out, cap, "%s", text);
}

/* The blocked decision, as genops-ai's enforce_policy records it, and the budget. */
static void record_blocked(genops_span h, const struct budget *b, double used, const char *why)
{
    genops_attribute policy[] = {{"policy_name", str(b->name)},
                                 {"policy_result", str("blocked")},
                                 {"policy_reason", str(why)}};
    genops_span_record_policy(h, policy, 3, NULL);
    genops_attribute budget[] = {{"budget_name", str(b->name)},
                                 {"budget_limit", dbl(b->limit_units)},
                                 {"budget_used", dbl(used)}};
    genops_span_record_budget(h, budget, 3, NULL);
}

bool genops_span_budget_blocked(genops_span h, char *budget, size_t budget_cap, char *reason,
                                size_t reason_cap)
{
    if (!atomic_load_explicit(&budget_defined, memory_order_relaxed))
        return false;
    struct span *s = span_lookup(h);
    if (!s)
        return false;
    uint32_t used = atomic_load_explicit(&table_used, memory_order_acquire);
    for (uint32_t i = 0; i < used; i++) {
        struct budget *b = enter(i);
        if (!b)
            continue;
        if (b->enforcement != ENFORCE_RECORD && in_scope(b, s)) {
            struct budget_cell *c = current_cell(b);
            int64_t spend = atomic_load(&c->spend);
            if (spend >= b->limit) {
                char why[256];
                double spent = (double)spend / NANO;
                snprintf(why, sizeof why, "Budget '%s' exhausted: %.4f of %.4f %s spent (%s)",
                         b->name, spent, b->limit_units, b->currency,
                         budget_period_name(b->period));
                if (b->enforcement == ENFORCE_BLOCK) {
                    record_blocked(h, b, spent, why);
                    copy_out(budget, budget_cap, b->name);
                    copy_out(reason, reason_cap, why);
                    leave(b);
                    return true;
                }
                if (!(atomic_fetch_or(&c->fired, BUDGET_FIRED_WARNED) & BUDGET_FIRED_WARNED))
                    log_msg(LOG_WARNING, "%s; operations go on (enforcement \"warn\")", why);
            }
        }
        leave(b);
    }
    return false;
}

/* ---- configuration ---------------------------------------------------------------- */

/* The active slot named name (config_lock held), or NULL. */
static struct budget *find(const char *name)
{
    uint32_t used = atomic_load(&table_used);
    for (uint32_t i = 0; i < used; i++)
        if (slot_is(&table[i].slot, SLOT_ACTIVE) && strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

/* Retire b, wait for its readers, free what it holds (config_lock held). */
static void retire(struct budget *b)
{
    atomic_fetch_sub(&budget_defined, 1);
    slot_retire(&b->slot);
    if (b->redis)
        budget_redis_close(b->redis); /* sends what is pending, within its deadline */
    b->redis = NULL;
    budget_store_close(&b->store);
    free(b->text);
    b->text = NULL;
    slot_release(&b->slot);
}

/* What define parsed, before any of it is kept. */
struct config {
    const genops_value *name, *limit, *period, *tz, *currency, *thresholds, *enforcement, *store,
        *state_dir;
    const genops_attribute *scope[SCOPE_MAX];
    uint32_t nscope;
};

static genops_status bad(genops_error *err, const char *name, const char *what)
{
    return error_set(err, GENOPS_EINVAL, "budget '%s': %s", name, what);
}

static bool is_text(const genops_value *v)
{
    return v && v->type == GENOPS_TYPE_STRING;
}

static genops_status parse(const genops_attribute *kv, size_t n, struct config *c,
                           genops_error *err)
{
    static const char *const keys[] = {"name",        "limit",    "period",
                                       "time_zone",   "currency", "thresholds",
                                       "enforcement", "store",    "state_dir"};
    memset(c, 0, sizeof *c);
    genops_status rc = attr_check_all(kv, n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const char *k = kv[i].key;
        if (kv[i].value.type == GENOPS_TYPE_NULL)
            continue;
        if (strncmp(k, "scope.", 6) == 0 && k[6]) {
            if (c->nscope == SCOPE_MAX)
                return error_set(err, GENOPS_EINVAL, "budget: at most %d scope keys", SCOPE_MAX);
            c->scope[c->nscope++] = &kv[i];
            continue;
        }
        size_t at = 0;
        while (at < sizeof keys / sizeof keys[0] && strcmp(k, keys[at]) != 0)
            at++;
        if (at == sizeof keys / sizeof keys[0])
            return error_set(err, GENOPS_EINVAL,
                             "budget: unknown option '%.64s' (name, limit, period, time_zone, "
                             "currency, thresholds, enforcement, store, state_dir, scope)",
                             k);
        const genops_value **slot[] = {&c->name,        &c->limit,    &c->period,
                                       &c->tz,          &c->currency, &c->thresholds,
                                       &c->enforcement, &c->store,    &c->state_dir};
        *slot[at] = &kv[i].value;
    }
    if (!is_text(c->name) || !c->name->len || c->name->len > NAME_MAX_BYTES ||
        memchr(c->name->u.s, '\0', c->name->len)) {
        error_set(err, GENOPS_EINVAL, "budget: name must be a non-empty string of at most %d bytes",
                  NAME_MAX_BYTES);
        return GENOPS_EINVAL; /* literally: the analyzer then knows c->name is set after OK */
    }
    return GENOPS_OK;
}

static bool as_number(const genops_value *v, double *out)
{
    if (v->type == GENOPS_TYPE_DOUBLE)
        *out = v->u.d;
    else if (v->type == GENOPS_TYPE_INT)
        *out = (double)v->u.i;
    else
        return false;
    return true;
}

/* The thresholds: fractions of the limit in (0, 10], at most THRESHOLDS_MAX; default
 * 0.8 and 1.0. */
static genops_status parse_thresholds(struct budget *b, const genops_value *v, const char *name,
                                      genops_error *err)
{
    static const double defaults[] = {0.8, 1.0};
    size_t n = v ? v->len : 2;
    if (v && v->type != GENOPS_TYPE_DOUBLE_ARRAY && v->type != GENOPS_TYPE_INT_ARRAY)
        return bad(err, name, "thresholds must be a list of numbers");
    if (n > THRESHOLDS_MAX)
        return error_set(err, GENOPS_EINVAL, "budget '%s': at most %d thresholds", name,
                         THRESHOLDS_MAX);
    for (size_t i = 0; i < n; i++) {
        double f = !v                                    ? defaults[i]
                   : v->type == GENOPS_TYPE_DOUBLE_ARRAY ? v->u.da[i]
                                                         : (double)v->u.ia[i];
        if (!(f > 0.0 && f <= 10.0))
            return bad(err, name, "each threshold must be a fraction of the limit in (0, 10]");
        b->threshold_fractions[i] = f;
        b->thresholds[i] = to_nano(f * b->limit_units);
    }
    b->nthresholds = (uint32_t)n;
    return GENOPS_OK;
}

/* Copy s (len bytes) into *at, NUL-terminated; advance *at. */
static const char *keep(char **at, const char *s, size_t len)
{
    char *out = *at;
    memcpy(out, s, len);
    out[len] = '\0';
    *at += len + 1;
    return out;
}

static genops_status build(struct budget *b, const struct config *c, genops_error *err)
{
    const char *name = c->name->u.s; /* for messages: the caller's, possibly not terminated */
    char nm[NAME_MAX_BYTES + 1];
    memcpy(nm, name, c->name->len);
    nm[c->name->len] = '\0';
    name = nm;
    memset(b->scope, 0, sizeof b->scope);
    if (!c->limit || !as_number(c->limit, &b->limit_units))
        return bad(err, name, "limit must be a number");
    if (!(b->limit_units >= 0.0) || b->limit_units > 9e9)
        return bad(err, name, "limit must be between 0 and 9e9");
    b->limit = to_nano(b->limit_units);
    b->period = PERIOD_DAILY;
    if (c->period &&
        (!is_text(c->period) || !budget_period_parse(c->period->u.s, c->period->len, &b->period)))
        return bad(err, name, "period must be \"daily\", \"weekly\", \"monthly\" or \"total\"");
    b->tz_offset = 0;
    if (c->tz && (!is_text(c->tz) || !budget_tz_parse(c->tz->u.s, c->tz->len, &b->tz_offset)))
        return bad(err, name,
                   "time_zone must be \"UTC\" or a fixed offset such as \"UTC+05:30\" (named "
                   "zones with daylight saving time are not supported)");
    b->enforcement = ENFORCE_BLOCK;
    if (c->enforcement && !enforcement_parse(c->enforcement, &b->enforcement))
        return bad(err, name, "enforcement must be \"block\", \"warn\" or \"record\"");
    b->host = false;
    b->redis = NULL;
    bool redis = false;
    if (c->store) {
        if (is_text(c->store) && same_text(c->store, "host", 4))
            b->host = true;
        else if (is_text(c->store) && c->store->len > 8 && !memcmp(c->store->u.s, "redis://", 8))
            redis = true;
        else if (!is_text(c->store) || !same_text(c->store, "process", 7))
            return bad(err, name,
                       "store must be \"process\", \"host\" or redis://host[:port][/db]");
    }
    if (c->currency && (!is_text(c->currency) || !c->currency->len || c->currency->len > 15))
        return bad(err, name, "currency must be a non-empty string of at most 15 bytes");
    if (c->state_dir && (!is_text(c->state_dir) || !c->state_dir->len))
        return bad(err, name, "state_dir must be a non-empty string");
    genops_status rc = parse_thresholds(b, c->thresholds, name, err);
    if (rc)
        return rc;

    size_t bytes = c->name->len + 1 + (c->currency ? c->currency->len : 3) + 1;
    for (uint32_t i = 0; i < c->nscope; i++) {
        const genops_value *v = &c->scope[i]->value;
        if (v->type != GENOPS_TYPE_STRING)
            return error_set(err, GENOPS_EINVAL,
                             "budget '%s': scope value of '%s' must be a string", name,
                             c->scope[i]->key + 6);
        bytes += SCOPE_KEY_BYTES(strlen(c->scope[i]->key + 6)) + v->len + 1;
    }
    char *at = b->text = malloc(bytes);
    if (!at)
        return error_set(err, GENOPS_ENOMEM, "budget '%s': out of memory", name);
    b->name = keep(&at, c->name->u.s, c->name->len);
    b->currency_len = c->currency ? c->currency->len : 3;
    b->currency = keep(&at, c->currency ? c->currency->u.s : "USD", b->currency_len);
    for (uint32_t i = 0; i < c->nscope; i++) {
        struct scope_item *it = &b->scope[i];
        const char *key = c->scope[i]->key + 6;
        size_t klen = strlen(key);
        scope_key_init(&it->k, at, key, klen);
        at += SCOPE_KEY_BYTES(klen);
        it->value = keep(&at, c->scope[i]->value.u.s, c->scope[i]->value.len);
        it->value_len = (uint32_t)c->scope[i]->value.len;
    }
    b->nscope = c->nscope;

    atomic_store(&b->until, INT64_MIN); /* a slot used before: its cache is another's */
    int64_t period = period_now(b);
    if (!b->host) {
        budget_store_local(&b->store, period);
        if (!redis)
            return GENOPS_OK;
        char url[512];
        snprintf(url, sizeof url, "%.*s", (int)c->store->len, c->store->u.s);
        rc = budget_redis_open(&b->redis, url, b->name, b->store.cell, redis_period, b, err);
        if (rc) {
            free(b->text);
            b->text = NULL;
        }
        return rc;
    }
    char dir[4096];
    if (c->state_dir)
        snprintf(dir, sizeof dir, "%.*s", (int)c->state_dir->len, c->state_dir->u.s);
    else if (!budget_store_default_dir(dir, sizeof dir))
        rc = bad(err, name, "no state_dir: set GENOPS_STATE_DIR or HOME");
    if (!rc)
        rc = budget_store_host(&b->store, dir, b->name, period, err);
    if (rc) {
        free(b->text);
        b->text = NULL;
    }
    return rc;
}

genops_status genops_budget_define(const genops_attribute *kv, size_t count, genops_error *err)
{
    struct config c;
    genops_status rc = parse(kv, count, &c, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&config_lock);
    uint32_t used = atomic_load(&table_used), slot = used;
    for (uint32_t i = 0; i < used && slot == used; i++)
        if (slot_is(&table[i].slot, SLOT_FREE))
            slot = i;
    if (slot == BUDGET_MAX) {
        pthread_mutex_unlock(&config_lock);
        return error_set(err, GENOPS_ETOOBIG, "budget: at most %d budgets", BUDGET_MAX);
    }
    struct budget *b = &table[slot];
    if (!(rc = build(b, &c, err))) {
        char nm[NAME_MAX_BYTES + 1];
        snprintf(nm, sizeof nm, "%s", b->name);
        struct budget *old = find(nm);
        if (old)
            retire(old); /* the new definition replaces it */
        slot_publish(&b->slot);
        atomic_fetch_add(&budget_defined, 1);
        if (slot == used)
            atomic_store(&table_used, used + 1);
    }
    pthread_mutex_unlock(&config_lock);
    return rc;
}

/* fn on the budget named name under config_lock; GENOPS_EINVAL when there is none. */
static genops_status with_budget(const char *name, const char *what,
                                 void (*fn)(struct budget *, void *), void *arg, genops_error *err)
{
    if (!name)
        return error_set(err, GENOPS_EINVAL, "%s: name is NULL", what);
    pthread_mutex_lock(&config_lock);
    struct budget *b = find(name);
    if (b)
        fn(b, arg);
    pthread_mutex_unlock(&config_lock);
    return b ? GENOPS_OK : error_set(err, GENOPS_EINVAL, "%s: no budget named '%.64s'", what, name);
}

static void do_remove(struct budget *b, void *arg)
{
    (void)arg;
    retire(b);
}

genops_status genops_budget_remove(const char *name, genops_error *err)
{
    return with_budget(name, "genops_budget_remove", do_remove, NULL, err);
}

static void do_reset(struct budget *b, void *arg)
{
    (void)arg;
    struct budget_cell *c = current_cell(b);
    atomic_store(&c->spend, 0);
    atomic_store(&c->fired, 0);
}

genops_status genops_budget_reset(const char *name, genops_error *err)
{
    return with_budget(name, "genops_budget_reset", do_reset, NULL, err);
}

static void do_get(struct budget *b, void *arg)
{
    genops_budget_state *out = arg;
    if (b->redis)
        budget_redis_sync(b->redis, 1000); /* else the local view, as the hot paths see it */
    struct budget_cell *c = current_cell(b);
    int64_t period = atomic_load(&c->period) & ~BUDGET_CELL_ROLLING;
    out->spend = (double)atomic_load(&c->spend) / NANO;
    out->limit = b->limit_units;
    out->utilization = b->limit_units > 0 ? out->spend / b->limit_units : 0.0;
    budget_period_bounds(b->period, b->tz_offset, period, &out->period_start_unix,
                         &out->period_end_unix);
    out->thresholds_crossed = atomic_load(&c->fired) & ~BUDGET_FIRED_WARNED;
    snprintf(out->period, sizeof out->period, "%s", budget_period_name(b->period));
    snprintf(out->enforcement, sizeof out->enforcement, "%s", enforcement_name(b->enforcement));
    snprintf(out->store, sizeof out->store, "%s",
             b->host    ? "host"
             : b->redis ? "redis"
                        : "process");
    snprintf(out->currency, sizeof out->currency, "%s", b->currency);
}

genops_status genops_budget_get(const char *name, genops_budget_state *out, genops_error *err)
{
    if (!out || out->struct_size < sizeof *out)
        return error_set(err, GENOPS_EINVAL,
                         "genops_budget_get: out is NULL or its struct_size is too small");
    size_t size = out->struct_size;
    memset(out, 0, sizeof *out);
    out->struct_size = size;
    return with_budget(name, "genops_budget_get", do_get, out, err);
}

/* ---- fork (fork.h, FORK_RANK_BUDGETS) ---------------------------------------------- */

static void fork_prepare(void)
{
    pthread_mutex_lock(&config_lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&config_lock);
}

/* The child keeps the budgets and their spend (a host store's file stays shared); a
 * redis store starts its connection and thread afresh (budget_redis.h). */
static void fork_child(void)
{
    uint32_t used = atomic_load(&table_used);
    for (uint32_t i = 0; i < used; i++)
        if (slot_is(&table[i].slot, SLOT_ACTIVE) && table[i].redis)
            budget_redis_after_fork_child(table[i].redis);
    pthread_mutex_unlock(&config_lock);
}

/* At exit, what redis stores still hold goes out, within 1 s per budget (the store's
 * deadline); nothing is freed: other threads may still record. */
static void exit_send(void)
{
    pthread_mutex_lock(&config_lock);
    uint32_t used = atomic_load(&table_used);
    for (uint32_t i = 0; i < used; i++)
        if (slot_is(&table[i].slot, SLOT_ACTIVE) && table[i].redis &&
            budget_redis_pending(table[i].redis))
            budget_redis_sync(table[i].redis, 1000);
    pthread_mutex_unlock(&config_lock);
}

__attribute__((constructor)) static void register_fork_hooks(void)
{
    static const struct fork_hooks hooks = {fork_prepare, fork_parent, fork_child};
    fork_hooks_register(FORK_RANK_BUDGETS, &hooks);
    atexit(exit_send);
}
