/* sampling_rules.h - per-attribute sampling ratios (GenOps' Honeycomb guide,
 * set_sampling_rate(customer_tier="enterprise", rate=1.0)): read once from their JSON
 * text (genops_pipeline_set_sampling_rules), then matched when an operation starts
 * against its effective attributes: the call's own, then the context's, then the
 * defaults'. The first rule whose every attribute has its string value decides the
 * span by trace id at its ratio, in place of the head sampler. Reading is pure;
 * matching reads only what it is given; any thread. */
#ifndef GENOPS_SAMPLING_RULES_H
#define GENOPS_SAMPLING_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "genops.h"
#include "sampler.h"

#define SAMPLING_RULE_ATTRS 8   /* attributes one rule may test */
#define SAMPLING_RULES_MAX  256 /* rules in one set */

struct sampling_match {
    char *key, *value; /* the key without "genops.": as an operation's argument is named */
    uint32_t key_len, value_len, hash;
};

struct sampling_rule {
    struct sampling_match match[SAMPLING_RULE_ATTRS];
    uint32_t count;         /* 0: every operation */
    struct sampler sampler; /* TRACEIDRATIO at the rule's ratio */
};

struct sampling_rules {
    size_t count;
    struct sampling_rule items[];
};

/* Read json, an array of {"attributes": [k...], "equals": [v...], "ratio": r}, into
 * *out (NULL for an empty array). GENOPS_EINVAL naming the rule and what is wrong,
 * GENOPS_ENOMEM. Free with sampling_rules_free (NULL-safe). */
genops_status sampling_rules_read(const char *json, struct sampling_rules **out, genops_error *err);
void sampling_rules_free(struct sampling_rules *r);

/* The first rule an operation matches, or NULL: own (count attributes as the call gave
 * them, NULL values allowed: they match nothing), then each of the n contexts (NULL
 * entries skipped), in order of precedence. */
const struct sampling_rule *sampling_rules_match(const struct sampling_rules *r,
                                                 const genops_attribute *own, size_t count,
                                                 const genops_context *const *contexts, size_t n);

#endif
