/* arena.c - see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    struct arena_chunk *next;
    size_t cap;
    size_t pos;
    _Alignas(8) char data[];
};

void arena_init(struct arena *a, size_t limit)
{
    memset(a, 0, sizeof *a);
    a->limit = limit;
}

static struct arena_chunk *chunk_new(size_t cap)
{
    struct arena_chunk *c = malloc(sizeof *c + cap);
    if (c) {
        c->next = NULL;
        c->cap = cap;
        c->pos = 0;
    }
    return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (n > a->limit - a->used || n > a->limit)
        return NULL;
    /* Fill the current chunk, then the retained ones after it, then grow. */
    while (a->cur && a->cur->cap - a->cur->pos < n && a->cur->next)
        a->cur = a->cur->next;
    if (!a->cur || a->cur->cap - a->cur->pos < n) {
        size_t cap = a->cur ? a->cur->cap * 2 : ARENA_FIRST_CHUNK;
        if (cap < n)
            cap = n;
        struct arena_chunk *c = chunk_new(cap);
        if (!c)
            return NULL;
        if (a->cur) {
            c->next = a->cur->next;
            a->cur->next = c;
        } else {
            a->head = c;
        }
        a->cur = c;
    }
    void *p = a->cur->data + a->cur->pos;
    a->cur->pos += n;
    a->used += n;
    return p;
}

char *arena_memdup(struct arena *a, const void *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = arena_alloc(a, len + 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void arena_reset(struct arena *a)
{
    size_t kept = 0;
    struct arena_chunk **link = &a->head;

    while (*link) {
        struct arena_chunk *c = *link;
        if (kept + c->cap > ARENA_RETAIN_BYTES && kept > 0) {
            *link = c->next;
            free(c);
            continue;
        }
        kept += c->cap;
        c->pos = 0;
        link = &c->next;
    }
    a->cur = a->head;
    a->used = 0;
}

void arena_free(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = a->cur = NULL;
    a->used = 0;
}
