/* arena.h - a bump allocator owned by one span (or context).
 *
 * Chunks are kept when the arena is reset, so a pooled span that is reused sets its
 * attributes without calling malloc. The arena refuses to grow past its limit, which
 * bounds what one span can hold. Not thread-safe: one owner at a time. */
#ifndef GENOPS_ARENA_H
#define GENOPS_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct arena_chunk;

struct arena {
    char *pos, *end;          /* free space in the current chunk */
    struct arena_chunk *head; /* first chunk; kept across resets */
    struct arena_chunk *cur;  /* chunk being filled */
    size_t used;              /* bytes handed out since the last reset */
    size_t limit;             /* refuse allocations that would pass this */
};

#define ARENA_FIRST_CHUNK 2048
/* Chunks beyond this many bytes are freed on reset, so a span that once held a huge
 * value does not pin that memory in the pool forever. */
#define ARENA_RETAIN_BYTES ((size_t)64 * 1024)

void arena_init(struct arena *a, size_t limit);

/* The slow path of arena_alloc: move to the next chunk or allocate one. */
void *arena_alloc_slow(struct arena *a, size_t n);

/* n bytes aligned to 8, or NULL when malloc fails or the limit would be passed.
 * Inline: it runs for every attribute. */
static inline void *arena_alloc(struct arena *a, size_t n)
{
    if (n > SIZE_MAX - 7)
        return NULL;
    n = (n + 7) & ~(size_t)7;
    if (n <= (size_t)(a->end - a->pos) && n <= a->limit - a->used) {
        void *p = a->pos;
        a->pos += n;
        a->used += n;
        return p;
    }
    return arena_alloc_slow(a, n);
}

/* Forget every allocation; keep up to ARENA_RETAIN_BYTES of chunks. */
void arena_reset(struct arena *a);

/* Free every chunk. */
void arena_free(struct arena *a);

#endif
