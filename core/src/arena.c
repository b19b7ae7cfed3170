/* arena.c - see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    struct arena_chunk *next;
    size_t cap;
    _Alignas(8) char data[];
};

void arena_init(struct arena *a, size_t limit)
{
    memset(a, 0, sizeof *a);
    a->limit = limit;
}

static void use_chunk(struct arena *a, struct arena_chunk *c)
{
    a->cur = c;
    a->pos = c->data;
    a->end = c->data + c->cap;
}

void *arena_alloc_slow(struct arena *a, size_t n)
{
    if (n > a->limit || n > a->limit - a->used)
        return NULL;
    /* The retained chunks after the current one first, then a new, larger one. */
    while (a->cur && a->cur->next && (size_t)(a->end - a->pos) < n)
        use_chunk(a, a->cur->next);
    if ((size_t)(a->end - a->pos) < n || !a->cur) {
        size_t cap = a->cur ? a->cur->cap * 2 : ARENA_FIRST_CHUNK;
        if (cap < n)
            cap = n;
        struct arena_chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->next = NULL;
        if (a->cur) {
            c->next = a->cur->next;
            a->cur->next = c;
        } else {
            a->head = c;
        }
        use_chunk(a, c);
    }
    void *p = a->pos;
    a->pos += n;
    a->used += n;
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
        link = &c->next;
    }
    if (a->head)
        use_chunk(a, a->head);
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
    a->pos = a->end = NULL;
    a->used = 0;
}
