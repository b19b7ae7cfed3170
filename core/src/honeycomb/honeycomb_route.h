/* honeycomb_route.h - the dataset rules of the Honeycomb router (genops_honeycomb_router_new):
 * read once from their JSON text, then asked on the export thread which datasets a span
 * goes to.
 *
 * A rule names a dataset and tests one attribute: equals, in, prefix (string values, or
 * any element of a string array) or exists (any value); a default rule takes the spans
 * no other rule took; a bare dataset is taken only by spans that name it in
 * GENOPS_HONEYCOMB_DATASETS_KEY, which overrides the rules. Datasets are numbered in the
 * order they first appear; a span's datasets are a bit mask. Reading is pure; matching
 * reads the span and the resource only; export thread. */
#ifndef GENOPS_HONEYCOMB_ROUTE_H
#define GENOPS_HONEYCOMB_ROUTE_H

#include <stdint.h>

#include "genops.h"
#include "resource.h"
#include "span.h"

enum route_test { ROUTE_NAMED, ROUTE_DEFAULT, ROUTE_EQUALS, ROUTE_IN, ROUTE_PREFIX, ROUTE_EXISTS };

struct route {
    unsigned dataset; /* index into routes.datasets */
    enum route_test test;
    char *key; /* the attribute tested */
    uint32_t key_len, hash;
    char **values; /* equals / prefix: one; in: any number */
    uint32_t *value_lens;
    size_t value_count;
};

struct routes {
    char *datasets[GENOPS_HONEYCOMB_DATASETS_MAX];
    size_t dataset_count;
    struct route *items;
    size_t count;
    int default_dataset; /* -1: none */
};

/* Read json into *r. GENOPS_EINVAL naming the rule (its index) and what is wrong,
 * GENOPS_ENOMEM; on failure *r holds nothing to free. Otherwise free with routes_free. */
genops_status routes_read(const char *json, struct routes *r, genops_error *err);
void routes_free(struct routes *r);

/* The datasets span s goes to, as a mask (bit i: datasets[i]); 0 for none. *unknown
 * counts the names in its GENOPS_HONEYCOMB_DATASETS_KEY that are no dataset of r. */
uint64_t routes_match(const struct routes *r, const struct span *s, const struct resource *res,
                      uint64_t *unknown);

#endif
