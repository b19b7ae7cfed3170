/* sampling_rules.c - per-attribute sampling ratios (see sampling_rules.h). */
#include "sampling_rules.h"

#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "config.h"
#include "error.h"
#include "json_read.h"
#include "semconv.h"

#define RULE_TEXT_MAX 1024 /* bytes of one attribute name or value */

struct reading {
    struct sampling_rules *r;
    genops_status rc;
    genops_error *err;
    size_t index;             /* the rule being read */
    struct sampling_rule *ro; /* and where it goes */
    bool values;              /* reading "equals" (else "attributes") */
    uint32_t n;               /* items of the array being read */
};

static void bad(struct reading *rd, const char *what)
{
    if (rd->rc == GENOPS_OK)
        rd->rc = error_set(rd->err, GENOPS_EINVAL, "sampling rules: rule %zu: %s", rd->index, what);
}

static void on_text(const char *item, size_t len, size_t i, void *ctx)
{
    struct reading *rd = ctx;
    char text[RULE_TEXT_MAX];
    (void)i;
    if (rd->rc)
        return;
    if (rd->n == SAMPLING_RULE_ATTRS) {
        bad(rd, "tests more than 8 attributes");
        return;
    }
    if (len < 2 || len - 2 >= sizeof text || !json_string(item, len, text, sizeof text)) {
        bad(rd, "\"attributes\" and \"equals\" take lists of strings");
        return;
    }
    struct sampling_match *m = &rd->ro->match[rd->n++];
    const char *t = text;
    if (!rd->values && !strncmp(t, SEMCONV_PREFIX, SEMCONV_PREFIX_LEN))
        t += SEMCONV_PREFIX_LEN; /* "genops.customer_tier" is the argument customer_tier */
    if (!rd->values && !*t) {
        bad(rd, "an attribute name is empty");
        return;
    }
    char *copy = strdup(t);
    if (!copy) {
        rd->rc = error_set(rd->err, GENOPS_ENOMEM, "out of memory reading sampling rules");
        return;
    }
    if (rd->values) {
        m->value = copy;
        m->value_len = (uint32_t)strlen(copy);
    } else {
        m->key = copy;
        m->key_len = (uint32_t)strlen(copy);
        m->hash = attr_hash(copy, m->key_len);
    }
}

/* The list member name of item into the rule's matches; its length, or -1. */
static long read_list(struct reading *rd, const char *item, size_t len, const char *name,
                      bool values)
{
    const char *const path[] = {name, NULL};
    const char *v;
    size_t vn;
    if (!json_find(item, len, path, &v, &vn))
        return 0;
    rd->values = values;
    rd->n = 0;
    if (json_array_each(v, vn, on_text, rd) < 0)
        bad(rd, "\"attributes\" and \"equals\" take lists of strings");
    return rd->rc ? -1 : (long)rd->n;
}

static void on_rule(const char *item, size_t len, size_t index, void *ctx)
{
    struct reading *rd = ctx;
    if (rd->rc)
        return;
    rd->index = index;
    if (index == SAMPLING_RULES_MAX) {
        bad(rd, "more than 256 rules");
        return;
    }
    rd->ro = &rd->r->items[rd->r->count++];
    long keys = read_list(rd, item, len, "attributes", false);
    long values = keys < 0 ? -1 : read_list(rd, item, len, "equals", true);
    if (values < 0)
        return;
    if (keys != values) {
        bad(rd, "\"attributes\" and \"equals\" differ in length");
        return;
    }
    rd->ro->count = (uint32_t)keys;
    const char *const path[] = {"ratio", NULL};
    const char *v;
    size_t vn;
    char number[64];
    double ratio;
    if (!json_find(item, len, path, &v, &vn) || vn >= sizeof number) {
        bad(rd, "needs a \"ratio\" in [0, 1]");
        return;
    }
    memcpy(number, v, vn);
    number[vn] = '\0';
    if (!config_decimal(number, &ratio) ||
        sampler_configure(&rd->ro->sampler, GENOPS_SAMPLER_TRACEIDRATIO, ratio, NULL))
        bad(rd, "needs a \"ratio\" in [0, 1]");
}

genops_status sampling_rules_read(const char *json, struct sampling_rules **out, genops_error *err)
{
    *out = NULL;
    if (!json)
        return GENOPS_OK;
    struct sampling_rules *r =
        calloc(1, sizeof *r + SAMPLING_RULES_MAX * sizeof(struct sampling_rule));
    if (!r)
        return error_set(err, GENOPS_ENOMEM, "out of memory reading sampling rules");
    struct reading rd = {r, GENOPS_OK, err, 0, NULL, false, 0};
    long n = json_array_each(json, strlen(json), on_rule, &rd);
    if (!rd.rc && n < 0)
        rd.rc = error_set(err, GENOPS_EINVAL, "sampling rules: not a JSON array");
    else if (!rd.rc && (size_t)n != r->count)
        rd.rc = error_set(err, GENOPS_EINVAL, "sampling rules: malformed JSON after rule %ld", n);
    if (rd.rc || r->count == 0) {
        sampling_rules_free(r);
        return rd.rc;
    }
    *out = r;
    return GENOPS_OK;
}

void sampling_rules_free(struct sampling_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        for (uint32_t j = 0; j < SAMPLING_RULE_ATTRS; j++) {
            free(r->items[i].match[j].key);
            free(r->items[i].match[j].value);
        }
    free(r);
}

static bool same_text(const genops_value *v, const struct sampling_match *m)
{
    return v->type == GENOPS_TYPE_STRING && v->len == m->value_len &&
           !memcmp(v->u.s, m->value, m->value_len);
}

/* Does the operation's effective value of m->key equal m->value? The first layer that
 * has the key decides (own, then contexts in order). */
static bool matches(const struct sampling_match *m, const genops_attribute *own, size_t count,
                    const genops_context *const *contexts, size_t n)
{
    for (size_t i = 0; i < count; i++) /* the first byte inline: most keys differ there */
        if (own[i].key[0] == m->key[0] && !strcmp(own[i].key, m->key))
            return same_text(&own[i].value, m);
    for (size_t c = 0; c < n; c++) {
        if (!contexts[c])
            continue;
        int32_t at = attr_list_find(&contexts[c]->attrs, m->key, m->key_len, m->hash);
        if (at >= 0)
            return same_text(&contexts[c]->attrs.items[at].value, m);
    }
    return false;
}

const struct sampling_rule *sampling_rules_match(const struct sampling_rules *r,
                                                 const genops_attribute *own, size_t count,
                                                 const genops_context *const *contexts, size_t n)
{
    for (size_t i = 0; i < r->count; i++) {
        const struct sampling_rule *ro = &r->items[i];
        uint32_t j = 0;
        while (j < ro->count && matches(&ro->match[j], own, count, contexts, n))
            j++;
        if (j == ro->count)
            return ro;
    }
    return NULL;
}
