/* attr_list.c - the one attribute-list builder of the bindings (genops_bindings.h):
 * every language's converter, the option tables and the result maps build with it. */
#include "genops_bindings.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_BYTES 4096 /* a heap block of the bump allocator, unless one asks for more */

void genops_attr_list_init(genops_attr_list *l)
{
    l->items = l->inline_items;
    l->count = 0;
    l->cap = GENOPS_ATTR_LIST_INLINE_ITEMS;
    l->mem = l->inline_mem;
    l->mem_used = 0;
    l->mem_cap = GENOPS_ATTR_LIST_INLINE_BYTES;
    l->heap = NULL;
    l->nheap = l->capheap = 0;
}

void genops_attr_list_free(genops_attr_list *l)
{
    if (l->heap) { /* most lists never leave their inline storage */
        for (size_t i = 0; i < l->nheap; i++)
            free(l->heap[i]);
        free(l->heap);
    }
    genops_attr_list_init(l);
}

/* Remember a heap block to free with the list; frees it and fails when it cannot. */
static int own(genops_attr_list *l, void *block)
{
    if (l->nheap == l->capheap) {
        size_t cap = l->capheap ? 2 * l->capheap : 4;
        void **p = (void **)realloc(l->heap, cap * sizeof *p);
        if (!p) {
            free(block);
            return 0;
        }
        l->heap = p;
        l->capheap = cap;
    }
    l->heap[l->nheap++] = block;
    return 1;
}

void *genops_attr_list_alloc(genops_attr_list *l, size_t n)
{
    size_t at = (l->mem_used + 7) & ~(size_t)7;
    if (at > l->mem_cap || n > l->mem_cap - at) {
        size_t cap = n > BLOCK_BYTES ? n : BLOCK_BYTES;
        char *block = (char *)malloc(cap);
        if (!block || !own(l, block))
            return NULL;
        l->mem = block;
        l->mem_cap = cap;
        at = 0;
    }
    l->mem_used = at + n;
    return l->mem + at;
}

char *genops_attr_list_strdup(genops_attr_list *l, const char *s, size_t len)
{
    char *c = (char *)genops_attr_list_alloc(l, len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

char *genops_attr_list_join(genops_attr_list *l, const char *prefix, const char *key)
{
    size_t a = strlen(prefix), b = strlen(key);
    char *c = (char *)genops_attr_list_alloc(l, a + b + 2);
    if (c) {
        memcpy(c, prefix, a);
        c[a] = '.';
        memcpy(c + a + 1, key, b + 1);
    }
    return c;
}

genops_attribute *genops_attr_list_next(genops_attr_list *l)
{
    if (l->count == l->cap) {
        genops_attribute *p = (genops_attribute *)malloc(2 * l->cap * sizeof *p);
        if (!p || !own(l, p))
            return NULL;
        memcpy(p, l->items, l->count * sizeof *p);
        l->items = p; /* a previous heap array stays owned until the list is freed */
        l->cap *= 2;
    }
    return &l->items[l->count++];
}

int genops_attr_list_push(genops_attr_list *l, const char *key, genops_value v)
{
    genops_attribute *item = genops_attr_list_next(l);
    if (!item)
        return 0;
    item->key = key;
    item->value = v;
    return 1;
}
