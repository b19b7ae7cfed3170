/* honeycomb_route.c - the router's dataset rules (see honeycomb_route.h). */
#include "honeycomb/honeycomb_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "error.h"
#include "honeycomb/honeycomb_config.h"
#include "json_read.h"

#define ROUTE_TEXT_MAX 1024 /* bytes of one dataset name, attribute or value */

struct reading {
    struct routes *r;
    genops_status rc;
    genops_error *err;
};

static genops_status bad(struct reading *rd, size_t index, const char *what)
{
    if (rd->rc == GENOPS_OK)
        rd->rc = error_set(rd->err, GENOPS_EINVAL, "Honeycomb routes: rule %zu: %s", index, what);
    return rd->rc;
}

static genops_status nomem(struct reading *rd)
{
    if (rd->rc == GENOPS_OK)
        rd->rc = error_set(rd->err, GENOPS_ENOMEM, "out of memory reading the Honeycomb routes");
    return rd->rc;
}

/* The string member name of item, decoded into out; 0 when absent, 1 when read, -1 when
 * present but not a string (or too long). */
static int member_string(const char *item, size_t len, const char *name, char *out, size_t size)
{
    const char *const path[] = {name, NULL};
    const char *v;
    size_t vn;
    if (!json_find(item, len, path, &v, &vn))
        return 0;
    return vn >= 2 && vn - 2 < size && json_string(v, vn, out, size) ? 1 : -1;
}

static bool member_true(const char *item, size_t len, const char *name, bool *present)
{
    const char *const path[] = {name, NULL};
    const char *v;
    size_t vn;
    *present = json_find(item, len, path, &v, &vn);
    return *present && vn == 4 && !memcmp(v, "true", 4);
}

static int dataset_index(struct routes *r, const char *name)
{
    for (size_t i = 0; i < r->dataset_count; i++)
        if (!strcmp(r->datasets[i], name))
            return (int)i;
    if (r->dataset_count == GENOPS_HONEYCOMB_DATASETS_MAX)
        return -2;
    if (!(r->datasets[r->dataset_count] = strdup(name)))
        return -1;
    return (int)r->dataset_count++;
}

static bool add_value(struct route *ro, const char *s)
{
    size_t n = strlen(s);
    char **values = realloc(ro->values, (ro->value_count + 1) * sizeof *values);
    if (values)
        ro->values = values;
    uint32_t *lens = realloc(ro->value_lens, (ro->value_count + 1) * sizeof *lens);
    if (lens)
        ro->value_lens = lens;
    char *copy = values && lens ? strdup(s) : NULL;
    if (!copy)
        return false;
    ro->values[ro->value_count] = copy;
    ro->value_lens[ro->value_count++] = (uint32_t)n;
    return true;
}

struct in_list {
    struct reading *rd;
    struct route *ro;
    size_t index;
};

static void on_in_value(const char *item, size_t len, size_t i, void *ctx)
{
    struct in_list *l = ctx;
    char text[ROUTE_TEXT_MAX];
    (void)i;
    if (l->rd->rc)
        return;
    if (len < 2 || len - 2 >= sizeof text || !json_string(item, len, text, sizeof text))
        bad(l->rd, l->index, "\"in\" takes a list of strings");
    else if (!add_value(l->ro, text))
        nomem(l->rd);
}

/* The test of item into ro (its dataset aside). */
static genops_status read_test(struct reading *rd, const char *item, size_t len, size_t index,
                               struct route *ro)
{
    static const char *const names[] = {"equals", "prefix", "in", "exists", "default"};
    static const enum route_test tests[] = {ROUTE_EQUALS, ROUTE_PREFIX, ROUTE_IN, ROUTE_EXISTS,
                                            ROUTE_DEFAULT};
    const char *v = NULL;
    size_t vn = 0, found = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *const path[] = {names[i], NULL};
        if (json_find(item, len, path, &v, &vn)) {
            ro->test = tests[i];
            found++;
        }
    }
    if (found > 1)
        return bad(rd, index, "takes one of equals, in, prefix, exists and default");
    char text[ROUTE_TEXT_MAX];
    int has_key = member_string(item, len, "attribute", text, sizeof text);
    if (has_key < 0)
        return bad(rd, index, "\"attribute\" must be a non-empty string");
    if (has_key && !text[0])
        return bad(rd, index, "\"attribute\" must be a non-empty string");
    bool present;
    if (!found) {
        ro->test = ROUTE_NAMED;
        return has_key ? bad(rd, index,
                             "an \"attribute\" needs a test: equals, in, prefix or "
                             "exists")
                       : GENOPS_OK;
    }
    if (ro->test == ROUTE_DEFAULT) {
        if (!member_true(item, len, "default", &present))
            return bad(rd, index, "\"default\" must be true");
        return has_key ? bad(rd, index, "a default rule tests no attribute") : GENOPS_OK;
    }
    if (!has_key)
        return bad(rd, index, "names no \"attribute\" to test");
    if (!(ro->key = strdup(text)))
        return nomem(rd);
    ro->key_len = (uint32_t)strlen(text);
    ro->hash = attr_hash(ro->key, ro->key_len);
    if (ro->test == ROUTE_EXISTS)
        return member_true(item, len, "exists", &present)
                   ? GENOPS_OK
                   : bad(rd, index, "\"exists\" must be true");
    if (ro->test == ROUTE_IN) {
        struct in_list l = {rd, ro, index};
        if (json_array_each(v, vn, on_in_value, &l) < 0)
            return bad(rd, index, "\"in\" takes a list of strings");
        return rd->rc;
    }
    if (vn < 2 || vn - 2 >= sizeof text || !json_string(v, vn, text, sizeof text))
        return bad(rd, index,
                   ro->test == ROUTE_EQUALS ? "\"equals\" takes a string"
                                            : "\"prefix\" takes a string");
    return add_value(ro, text) ? GENOPS_OK : nomem(rd);
}

struct members {
    struct reading *rd;
    size_t index;
};

/* A member a rule may have, else the rule is refused naming it: a misspelt test
 * ("equal", "exist") would otherwise leave a rule that takes spans it was meant not to. */
static void on_member(const char *name, size_t name_len, const char *value, size_t value_len,
                      void *ctx)
{
    static const char *const known[] = {"dataset", "attribute", "equals", "in",
                                        "prefix",  "exists",    "default"};
    struct members *m = ctx;
    char text[64], what[224];
    (void)value;
    (void)value_len;
    if (m->rd->rc)
        return;
    if (json_string(name, name_len, text, sizeof text) && strlen(text) + 2 < sizeof text)
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (!strcmp(text, known[i]))
                return;
    char shown[64];
    if (!json_text(name, name_len, shown, sizeof shown))
        snprintf(shown, sizeof shown, "?");
    snprintf(what, sizeof what,
             "unknown member \"%s\" (a rule has dataset, attribute and one of equals, in, "
             "prefix, exists, default)",
             shown);
    bad(m->rd, m->index, what);
}

static void on_rule(const char *item, size_t len, size_t index, void *ctx)
{
    struct reading *rd = ctx;
    struct routes *r = rd->r;
    if (rd->rc)
        return;
    struct members m = {rd, index};
    if (json_object_each(item, len, on_member, &m) < 0) {
        bad(rd, index, "is not a JSON object");
        return;
    }
    if (rd->rc)
        return;
    char name[ROUTE_TEXT_MAX];
    if (member_string(item, len, "dataset", name, sizeof name) != 1) {
        bad(rd, index, "names no \"dataset\" (a string)");
        return;
    }
    genops_error derr;
    if (honeycomb_dataset_check(name, "a rule's dataset", &derr)) {
        bad(rd, index, derr.message);
        return;
    }
    struct route *items = realloc(r->items, (r->count + 1) * sizeof *items);
    if (!items) {
        nomem(rd);
        return;
    }
    r->items = items;
    struct route *ro = &r->items[r->count++];
    memset(ro, 0, sizeof *ro);
    int d = dataset_index(r, name);
    if (d < 0) {
        d == -1 ? nomem(rd) : bad(rd, index, "more datasets than GENOPS_HONEYCOMB_DATASETS_MAX");
        return;
    }
    ro->dataset = (unsigned)d;
    if (read_test(rd, item, len, index, ro))
        return;
    if (ro->test == ROUTE_DEFAULT) {
        if (r->default_dataset >= 0)
            bad(rd, index, "a second default rule");
        r->default_dataset = d;
    }
}

genops_status routes_read(const char *json, struct routes *r, genops_error *err)
{
    memset(r, 0, sizeof *r);
    r->default_dataset = -1;
    struct reading rd = {r, GENOPS_OK, err};
    if (!json)
        return error_set(err, GENOPS_EINVAL, "Honeycomb routes: none given (a JSON array)");
    long n = json_array_each(json, strlen(json), on_rule, &rd);
    if (!rd.rc && n <= 0)
        error_set(err, rd.rc = GENOPS_EINVAL,
                  "Honeycomb routes: expected a JSON array with at least one rule");
    if (rd.rc) {
        routes_free(r);
        return rd.rc;
    }
    error_clear(err);
    return GENOPS_OK;
}

void routes_free(struct routes *r)
{
    for (size_t i = 0; i < r->count; i++) {
        for (size_t j = 0; j < r->items[i].value_count; j++)
            free(r->items[i].values[j]);
        free(r->items[i].values);
        free(r->items[i].value_lens);
        free(r->items[i].key);
    }
    free(r->items);
    for (size_t i = 0; i < r->dataset_count; i++)
        free(r->datasets[i]);
    memset(r, 0, sizeof *r);
    r->default_dataset = -1;
}

/* ---- matching ------------------------------------------------------------------- */

static const genops_value *find(const struct attr_list *l, const char *key, uint32_t len,
                                uint32_t hash)
{
    int32_t at = l ? attr_list_find(l, key, len, hash) : -1;
    return at < 0 ? NULL : &l->items[at].value;
}

static bool text_matches(const struct route *ro, const char *s, size_t n)
{
    for (size_t i = 0; i < ro->value_count; i++) {
        size_t vn = ro->value_lens[i];
        if (ro->test == ROUTE_PREFIX ? n >= vn && !memcmp(s, ro->values[i], vn)
                                     : n == vn && !memcmp(s, ro->values[i], vn))
            return true;
    }
    return false;
}

static bool value_matches(const struct route *ro, const genops_value *v)
{
    if (ro->test == ROUTE_EXISTS)
        return true;
    if (v->type == GENOPS_TYPE_STRING)
        return text_matches(ro, v->u.s, v->len);
    if (v->type == GENOPS_TYPE_STRING_ARRAY)
        for (size_t i = 0; i < v->len; i++)
            if (v->u.sa[i] && text_matches(ro, v->u.sa[i], strlen(v->u.sa[i])))
                return true;
    return false;
}

static uint64_t named(const struct routes *r, const genops_value *v, uint64_t *unknown)
{
    uint64_t mask = 0;
    for (size_t i = 0; v->type == GENOPS_TYPE_STRING_ARRAY && i < v->len; i++) {
        size_t d = 0;
        while (d < r->dataset_count && (!v->u.sa[i] || strcmp(v->u.sa[i], r->datasets[d]) != 0))
            d++;
        if (d < r->dataset_count)
            mask |= (uint64_t)1 << d;
        else
            (*unknown)++;
    }
    return mask;
}

uint64_t routes_match(const struct routes *r, const struct span *s, const struct resource *res,
                      uint64_t *unknown)
{
    static const uint32_t named_len = sizeof GENOPS_HONEYCOMB_DATASETS_KEY - 1;
    const struct attr_list *rl = res ? &res->attrs : NULL;
    const genops_value *chosen = find(&s->attrs, GENOPS_HONEYCOMB_DATASETS_KEY, named_len,
                                      attr_hash(GENOPS_HONEYCOMB_DATASETS_KEY, named_len));
    if (chosen)
        return named(r, chosen, unknown);
    uint64_t mask = 0;
    for (size_t i = 0; i < r->count; i++) {
        const struct route *ro = &r->items[i];
        if (ro->test < ROUTE_EQUALS || mask >> ro->dataset & 1)
            continue;
        const genops_value *v = find(&s->attrs, ro->key, ro->key_len, ro->hash);
        if (!v)
            v = find(rl, ro->key, ro->key_len, ro->hash);
        if (v && value_matches(ro, v))
            mask |= (uint64_t)1 << ro->dataset;
    }
    if (!mask && r->default_dataset >= 0)
        mask = (uint64_t)1 << r->default_dataset;
    return mask;
}
