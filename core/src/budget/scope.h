/* scope.h - an operation's effective attribute, as budgets and rate limits match it:
 * the span's own genops.k, else its context's k, else the defaults' k (the order of the
 * export-time merge; a NULL there hides what follows). */
#ifndef GENOPS_BUDGET_SCOPE_H
#define GENOPS_BUDGET_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "genops.h"

struct span;

struct scope_key {
    const char *op_key; /* "genops.team": the span's own attribute */
    uint32_t op_key_len;
    const char *key; /* "team": the context's and the defaults' */
    uint32_t key_len, hash;
};

/* The bytes scope_key_init needs for a name of len bytes. */
#define SCOPE_KEY_BYTES(len) ((len) + 8)

/* k for the attribute name (len bytes), its texts written into buf
 * (SCOPE_KEY_BYTES(len) bytes), which must live as long as k. */
void scope_key_init(struct scope_key *k, char *buf, const char *name, size_t len);

/* The effective value of k on s, or NULL. */
const genops_value *scope_value(const struct span *s, const struct scope_key *k);

#endif
