/* record.c - the governance recorders: genops-ai's GenOpsTelemetry.record_cost,
 * record_policy, record_budget and record_evaluation, rule for rule.
 *
 * Each takes the Python call's keyword arguments as an attribute list. Known arguments
 * (and their aliases) go to fixed genops.* names; every other argument k becomes
 * <prefix>k. "Absent" and "NULL" differ as they do in Python: an absent cost is an
 * error, a None one is simply not recorded. Everything is checked before anything is
 * set, so a bad call records nothing. */
#include <math.h>
#include <string.h>

#include "budget/budget.h"
#include "budget/rate_limit.h"
#include "derived.h"
#include "error.h"
#include "semconv.h"
#include "span.h"

enum { MAX_ARGS = 11 };

struct arg_name {
    const char *name;
    size_t len;
};
#define ARG(literal)                                                                               \
    {                                                                                              \
        literal, sizeof(literal) - 1                                                               \
    }

/* The recognised arguments of one recorder; slots index into args[]. */
struct recorder {
    const char *what;                /* for messages: "record_cost" */
    struct arg_name names[MAX_ARGS]; /* argument names; a NULL name ends the list */
    const char *prefix;              /* for every other argument */
    size_t prefix_len;
    const char *renamed_arg;    /* an other argument with a name of its own... */
    struct arg_name renamed_to; /* ...namely this one (record_cost's cost_type) */
};

struct call {
    const genops_value *args[MAX_ARGS]; /* NULL = absent */
    uint64_t known;                     /* bit i: kv[i] is one of the arguments (i < 64) */
};

/* The slot of key among r's arguments, or -1. Length and first byte first: this runs
 * per argument. */
static int slot_of(const struct recorder *r, const char *key)
{
    size_t len = strlen(key);
    for (int a = 0; r->names[a].name; a++)
        if (r->names[a].len == len && r->names[a].name[0] == key[0] &&
            memcmp(key, r->names[a].name, len) == 0)
            return a;
    return -1;
}

/* Check kv and sort the known arguments into c. */
static genops_status parse(const struct recorder *r, const genops_attribute *kv, size_t n,
                           struct call *c, genops_error *err)
{
    memset(c, 0, sizeof *c);
    if (n && !kv)
        return error_set(err, GENOPS_EINVAL, "%s: argument list is NULL but count is %zu", r->what,
                         n);
    for (size_t i = 0; i < n; i++) {
        genops_status rc = attr_check(kv[i].key, &kv[i].value, err);
        if (rc)
            return rc;
        int a = slot_of(r, kv[i].key);
        if (a >= 0) {
            c->args[a] = &kv[i].value;
            if (i < 64)
                c->known |= 1ull << i;
        }
    }
    return GENOPS_OK;
}

/* Python's `x if x is not None else y`. */
static const genops_value *either(const genops_value *x, const genops_value *y)
{
    return x && x->type != GENOPS_TYPE_NULL ? x : y;
}

static bool given(const genops_value *v)
{
    return v && v->type != GENOPS_TYPE_NULL;
}

/* Python truthiness, for genops-ai's `if provider:`. */
static bool truthy(const genops_value *v)
{
    if (!given(v))
        return false;
    switch (v->type) {
    case GENOPS_TYPE_INT: return v->u.i != 0;
    case GENOPS_TYPE_DOUBLE: return v->u.d != 0.0;
    case GENOPS_TYPE_BOOL: return v->u.b;
    default: return v->len != 0;
    }
}

static bool is_number(const genops_value *v)
{
    return v->type == GENOPS_TYPE_INT || v->type == GENOPS_TYPE_DOUBLE ||
           v->type == GENOPS_TYPE_BOOL;
}

static double as_double(const genops_value *v)
{
    return v->type == GENOPS_TYPE_DOUBLE ? v->u.d
           : v->type == GENOPS_TYPE_INT  ? (double)v->u.i
                                         : (double)v->u.b;
}

static int64_t as_int(const genops_value *v)
{
    return v->type == GENOPS_TYPE_INT ? v->u.i : (int64_t)v->u.b;
}

/* a + sign * b with Python's types: int stays int (a double past int64), else double. */
static genops_value arith(const genops_value *a, const genops_value *b, int sign)
{
    genops_value out = {.type = GENOPS_TYPE_INT};
    if (a->type != GENOPS_TYPE_DOUBLE && b->type != GENOPS_TYPE_DOUBLE) {
        int64_t x = as_int(a), y = as_int(b);
        bool overflow = sign > 0 ? __builtin_add_overflow(x, y, &out.u.i)
                                 : __builtin_sub_overflow(x, y, &out.u.i);
        if (!overflow)
            return out;
    }
    out.type = GENOPS_TYPE_DOUBLE;
    out.u.d = as_double(a) + sign * as_double(b);
    return out;
}

static genops_status need_number(const struct recorder *r, const char *name, const genops_value *v,
                                 genops_error *err)
{
    if (given(v) && !is_number(v))
        return error_set(err, GENOPS_EINVAL, "%s: %s must be a number", r->what, name);
    return GENOPS_OK;
}

/* v, or NULL when it is a derived double that is not finite (limit 1e-320, used 1e308
 * gives an infinite utilization): such a value is omitted (semconv.def says so for each
 * derived name), as JSON and the backends cannot carry it. */
static const genops_value *finite_or_omitted(const genops_value *v)
{
    return v->type == GENOPS_TYPE_DOUBLE && !isfinite(v->u.d) ? NULL : v;
}

/* Set a fixed genops.* name when v is given (Python's set_attribute drops None). */
static void put(struct span *s, const char *key, size_t key_len, const genops_value *v,
                genops_status *rc, genops_error *err)
{
    if (!*rc && given(v))
        *rc = span_put_fixed(s, key, key_len, v, err);
}

/* A key with an empty part ("", "metadata.", "a..b", ".a": an empty metadata key, say)
 * would name nothing under the prefix ("genops.cost.metadata."). */
static bool has_empty_part(const char *key)
{
    size_t n = strlen(key);
    return !n || key[0] == '.' || key[n - 1] == '.' || strstr(key, "..");
}

/* Every argument r does not know, as prefix + key; cost_type is record_cost's special. A
 * key with an empty part is dropped and counted (the span's dropped attributes and the
 * pipeline's dropped_attribute_values), as the bindings drop an empty dict key. */
static void put_others(struct span *s, const struct recorder *r, const struct call *c,
                       const genops_attribute *kv, size_t n, genops_status *rc, genops_error *err)
{
    for (size_t i = 0; i < n && !*rc; i++) {
        bool known = i < 64 ? (c->known >> i) & 1 : slot_of(r, kv[i].key) >= 0;
        if (known || !given(&kv[i].value))
            continue;
        if (has_empty_part(kv[i].key)) {
            s->dropped_attributes++;
            s->sink->ops->dropped_values(s->sink, 1);
            continue;
        }
        if (r->renamed_arg && strcmp(kv[i].key, r->renamed_arg) == 0)
            *rc = span_put_fixed(s, r->renamed_to.name, r->renamed_to.len, &kv[i].value, err);
        else
            *rc = span_put(s, r->prefix, r->prefix_len, kv[i].key, &kv[i].value, err);
    }
}

static genops_status stale(genops_error *err, const char *what)
{
    return error_set(err, GENOPS_ESTALE, "%s: the span has ended or is not a span", what);
}

/* ---- record_cost -------------------------------------------------------------- */

enum {
    C_COST,
    C_TOTAL_COST,
    C_CURRENCY,
    C_PROVIDER,
    C_MODEL,
    C_TIN,
    C_TOUT,
    C_TTOTAL,
    C_TIN_ALIAS,
    C_TOUT_ALIAS
};
static const struct recorder cost_rec = {"record_cost",
                                         {ARG("cost"), ARG("total_cost"), ARG("currency"),
                                          ARG("provider"), ARG("model"), ARG("tokens_input"),
                                          ARG("tokens_output"), ARG("tokens_total"),
                                          ARG("input_tokens"), ARG("output_tokens")},
                                         SEMCONV_COST_PREFIX,
                                         SEMCONV_COST_PREFIX_LEN,
                                         "cost_type",
                                         {SEMCONV_KEY(COST_TYPE)}};

genops_status genops_span_record_cost(genops_span h, const genops_attribute *kv, size_t n,
                                      genops_error *err)
{
    struct call c;
    genops_status rc = parse(&cost_rec, kv, n, &c, err);
    if (rc)
        return rc;
    struct span *s = span_lookup(h);
    if (!s)
        return stale(err, cost_rec.what);
    /* GenOps' own guides pass total_cost and no cost: take it as the cost. Given both,
     * total_cost is just another argument, as in genops-ai. */
    const genops_value *cost = c.args[C_COST] ? c.args[C_COST] : c.args[C_TOTAL_COST];
    if (!cost)
        return error_set(err, GENOPS_EINVAL, "record_cost: missing argument 'cost'");
    if ((rc = need_number(&cost_rec, c.args[C_COST] ? "cost" : "total_cost", cost, err)))
        return rc;
    const genops_value *tin = either(c.args[C_TIN], c.args[C_TIN_ALIAS]);
    const genops_value *tout = either(c.args[C_TOUT], c.args[C_TOUT_ALIAS]);
    const genops_value *ttotal = c.args[C_TTOTAL];
    genops_value sum;
    if (!given(ttotal) && given(tin) && given(tout) && is_number(tin) && is_number(tout)) {
        sum = arith(tin, tout, +1);
        ttotal = finite_or_omitted(&sum);
    }
    genops_value usd = {.type = GENOPS_TYPE_STRING, .len = 3, .u.s = "USD"};
    const genops_value *currency = c.args[C_CURRENCY] ? c.args[C_CURRENCY] : &usd;

    put(s, SEMCONV_KEY(COST_TOTAL), cost, &rc, err);
    put(s, SEMCONV_KEY(COST_CURRENCY), currency, &rc, err);
    if (truthy(c.args[C_PROVIDER]))
        put(s, SEMCONV_KEY(COST_PROVIDER), c.args[C_PROVIDER], &rc, err);
    if (truthy(c.args[C_MODEL]))
        put(s, SEMCONV_KEY(COST_MODEL), c.args[C_MODEL], &rc, err);
    put(s, SEMCONV_KEY(TOKENS_INPUT), tin, &rc, err);
    put(s, SEMCONV_KEY(TOKENS_OUTPUT), tout, &rc, err);
    put(s, SEMCONV_KEY(TOKENS_TOTAL), ttotal, &rc, err);
    if (c.args[C_COST] && given(c.args[C_TOTAL_COST]) && !rc)
        rc = span_put(s, SEMCONV_KEY(COST_PREFIX), "total_cost", c.args[C_TOTAL_COST], err);
    put_others(s, &cost_rec, &c, kv, n, &rc, err);
    if (!rc && given(cost))
        budget_on_cost(s, cost, currency); /* budget.h: the budgets the span is in */
    if (!rc)
        rate_limit_on_tokens(s, ttotal); /* rate_limit.h: its token buckets */
    return rc;
}

/* ---- record_policy ------------------------------------------------------------ */

enum { P_NAME, P_RESULT, P_REASON, P_RESULT_ALIAS, P_REASON_ALIAS };
static const struct recorder policy_rec = {
    "record_policy",
    {ARG("policy_name"), ARG("policy_result"), ARG("policy_reason"), ARG("result"), ARG("reason")},
    SEMCONV_POLICY_PREFIX,
    SEMCONV_POLICY_PREFIX_LEN,
    NULL,
    {NULL, 0}};

genops_status genops_span_record_policy(genops_span h, const genops_attribute *kv, size_t n,
                                        genops_error *err)
{
    struct call c;
    genops_status rc = parse(&policy_rec, kv, n, &c, err);
    if (rc)
        return rc;
    struct span *s = span_lookup(h);
    if (!s)
        return stale(err, policy_rec.what);
    if (!c.args[P_NAME])
        return error_set(err, GENOPS_EINVAL, "record_policy: missing argument 'policy_name'");
    put(s, SEMCONV_KEY(POLICY_NAME), c.args[P_NAME], &rc, err);
    put(s, SEMCONV_KEY(POLICY_RESULT), either(c.args[P_RESULT], c.args[P_RESULT_ALIAS]), &rc, err);
    put(s, SEMCONV_KEY(POLICY_REASON), either(c.args[P_REASON], c.args[P_REASON_ALIAS]), &rc, err);
    /* metadata={k: v} arrives as "metadata.k" and lands on genops.policy.metadata.k. */
    put_others(s, &policy_rec, &c, kv, n, &rc, err);
    return rc;
}

/* ---- record_budget ------------------------------------------------------------ */

enum { B_NAME, B_LIMIT, B_USED, B_REMAINING, B_LIMIT_ALIAS, B_USED_ALIAS, B_REMAINING_ALIAS };
static const struct recorder budget_rec = {"record_budget",
                                           {ARG("budget_name"), ARG("budget_limit"),
                                            ARG("budget_used"), ARG("budget_remaining"),
                                            ARG("allocated"), ARG("consumed"), ARG("remaining")},
                                           SEMCONV_BUDGET_PREFIX,
                                           SEMCONV_BUDGET_PREFIX_LEN,
                                           NULL,
                                           {NULL, 0}};

genops_status genops_span_record_budget(genops_span h, const genops_attribute *kv, size_t n,
                                        genops_error *err)
{
    struct call c;
    genops_status rc = parse(&budget_rec, kv, n, &c, err);
    if (rc)
        return rc;
    struct span *s = span_lookup(h);
    if (!s)
        return stale(err, budget_rec.what);
    if (!c.args[B_NAME])
        return error_set(err, GENOPS_EINVAL, "record_budget: missing argument 'budget_name'");
    const genops_value *limit = either(c.args[B_LIMIT], c.args[B_LIMIT_ALIAS]);
    const genops_value *used = either(c.args[B_USED], c.args[B_USED_ALIAS]);
    const genops_value *remaining = either(c.args[B_REMAINING], c.args[B_REMAINING_ALIAS]);
    bool both = given(limit) && given(used);
    if (both && ((rc = need_number(&budget_rec, "budget_limit", limit, err)) ||
                 (rc = need_number(&budget_rec, "budget_used", used, err))))
        return rc;
    genops_value diff, percent = {.type = GENOPS_TYPE_DOUBLE};
    if (!given(remaining) && both) {
        diff = arith(limit, used, -1);
        remaining = finite_or_omitted(&diff);
    }
    put(s, SEMCONV_KEY(BUDGET_NAME), c.args[B_NAME], &rc, err);
    put(s, SEMCONV_KEY(BUDGET_ALLOCATED), limit, &rc, err);
    put(s, SEMCONV_KEY(BUDGET_CONSUMED), used, &rc, err);
    put(s, SEMCONV_KEY(BUDGET_REMAINING), remaining, &rc, err);
    if (both && as_double(limit) > 0) {
        percent.u.d = (as_double(used) / as_double(limit)) * 100;
        put(s, SEMCONV_KEY(BUDGET_UTILIZATION_PERCENT), finite_or_omitted(&percent), &rc, err);
    }
    put_others(s, &budget_rec, &c, kv, n, &rc, err);
    return rc;
}

/* ---- record_evaluation -------------------------------------------------------- */

enum { E_NAME, E_SCORE, E_THRESHOLD, E_PASSED, E_EVALUATOR, E_NAME_ALIAS };
static const struct recorder eval_rec = {"record_evaluation",
                                         {ARG("evaluation_name"), ARG("score"), ARG("threshold"),
                                          ARG("passed"), ARG("evaluator"), ARG("metric_name")},
                                         SEMCONV_EVAL_PREFIX,
                                         SEMCONV_EVAL_PREFIX_LEN,
                                         NULL,
                                         {NULL, 0}};

/* Several evaluations on one span keep every metric: before a second evaluation
 * overwrites genops.eval.metric / score, the earlier pair is kept as
 * genops.eval.<metric> = score, the name the guides query (derived.c adds it for the
 * last one, at export). Only a span's second and later evaluations pay for this. */
static void keep_earlier_evaluation(struct span *s, const genops_value *metric, genops_status *rc,
                                    genops_error *err)
{
    const genops_value *earlier = span_get(s, SEMCONV_KEY(EVAL_METRIC));
    const genops_value *earlier_score = earlier ? span_get(s, SEMCONV_KEY(EVAL_SCORE)) : NULL;
    if (!earlier_score || *rc || !derived_plain_metric(earlier) ||
        (given(metric) && metric->type == GENOPS_TYPE_STRING && metric->len == earlier->len &&
         memcmp(metric->u.s, earlier->u.s, earlier->len) == 0))
        return;                          /* the same metric again: the new score replaces it */
    genops_value score = *earlier_score; /* span_put may move the list */
    *rc =
        span_put(s, SEMCONV_EVAL_BY_METRIC, SEMCONV_EVAL_BY_METRIC_LEN, earlier->u.s, &score, err);
}

genops_status genops_span_record_evaluation(genops_span h, const genops_attribute *kv, size_t n,
                                            genops_error *err)
{
    struct call c;
    genops_status rc = parse(&eval_rec, kv, n, &c, err);
    if (rc)
        return rc;
    struct span *s = span_lookup(h);
    if (!s)
        return stale(err, eval_rec.what);
    genops_value zero = {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.0};
    keep_earlier_evaluation(s, either(c.args[E_NAME], c.args[E_NAME_ALIAS]), &rc, err);
    put(s, SEMCONV_KEY(EVAL_METRIC), either(c.args[E_NAME], c.args[E_NAME_ALIAS]), &rc, err);
    put(s, SEMCONV_KEY(EVAL_SCORE), c.args[E_SCORE] ? c.args[E_SCORE] : &zero, &rc, err);
    put(s, SEMCONV_KEY(EVAL_THRESHOLD), c.args[E_THRESHOLD], &rc, err);
    put(s, SEMCONV_KEY(EVAL_PASSED), c.args[E_PASSED], &rc, err);
    put(s, SEMCONV_KEY(EVAL_EVALUATOR), c.args[E_EVALUATOR], &rc, err);
    put_others(s, &eval_rec, &c, kv, n, &rc, err);
    return rc;
}
