/* scope.c - an operation's effective attribute (scope.h). */
#include "scope.h"

#include <string.h>

#include "context.h"
#include "span.h"

void scope_key_init(struct scope_key *k, char *buf, const char *name, size_t len)
{
    memcpy(buf, "genops.", 7);
    memcpy(buf + 7, name, len);
    buf[len + 7] = '\0';
    k->op_key = buf;
    k->op_key_len = (uint32_t)(len + 7);
    k->key = buf + 7;
    k->key_len = (uint32_t)len;
    k->hash = attr_hash(k->key, len);
}

static const genops_value *inherited(const genops_context *ctx, const struct scope_key *k)
{
    if (!ctx)
        return NULL;
    int32_t at = attr_list_find(&ctx->attrs, k->key, k->key_len, k->hash);
    return at < 0 ? NULL : &ctx->attrs.items[at].value;
}

const genops_value *scope_value(const struct span *s, const struct scope_key *k)
{
    const genops_value *v = span_get(s, k->op_key, k->op_key_len);
    for (int i = 0; !v && i < 2; i++)
        v = inherited(s->inherit[i], k);
    return v;
}
