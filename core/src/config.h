/* config.h - reading options from the environment, with errors that name the variable.
 * Options given explicitly win over the environment; the environment wins over the
 * defaults. Any thread (getenv is only read). */
#ifndef GENOPS_CONFIG_H
#define GENOPS_CONFIG_H

#include <stdint.h>

#include "genops.h"

/* *out = explicit when it is not 0; else the integer in variable name when set (it
 * must be a whole number in [min, max]); else fallback. GENOPS_EINVAL names the
 * variable and what is wrong. */
genops_status config_u32(uint32_t explicit_value, const char *name, uint32_t fallback,
                         uint32_t min, uint32_t max, uint32_t *out, genops_error *err);

/* The value of variable name, or NULL when unset or empty. */
const char *config_str(const char *name);

#endif
