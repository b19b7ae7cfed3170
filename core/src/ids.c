/* ids.c - see ids.h. The generator is xoshiro256** (Blackman and Vigna), seeded with
 * splitmix64 from getrandom() mixed with the thread's address and the clock. */
#include "ids.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>

#include "clock.h"
#include "fork.h"

struct rng {
    uint64_t s[4];
    unsigned fork_generation;
    int seeded;
};

static _Thread_local struct rng tls_rng;
static atomic_uint fork_generation;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r)
{
    uint64_t seed[4] = {0};
    /* getrandom may be unavailable (old kernel, seccomp): the clock and the thread's
     * address still make streams distinct per thread and per process. */
    if (getrandom(seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
        memset(seed, 0, sizeof seed);
    uint64_t x = seed[0] ^ clock_mono_ns() ^ ((uint64_t)(uintptr_t)r << 16) ^ clock_unix_ns();
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x) ^ seed[i];
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1; /* xoshiro's one forbidden state */
    r->fork_generation = atomic_load_explicit(&fork_generation, memory_order_relaxed);
    r->seeded = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(void)
{
    struct rng *r = &tls_rng;
    if (!r->seeded ||
        r->fork_generation != atomic_load_explicit(&fork_generation, memory_order_relaxed))
        rng_seed(r);
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void ids_trace_id(uint8_t out[16])
{
    uint64_t a, b;
    do {
        a = rng_next();
        b = rng_next();
    } while (!(a | b));
    memcpy(out, &a, 8);
    memcpy(out + 8, &b, 8);
}

void ids_span_id(uint8_t out[8])
{
    uint64_t a = ids_random_u64();
    memcpy(out, &a, 8);
}

uint64_t ids_random_u64(void)
{
    uint64_t a;
    do
        a = rng_next();
    while (!a);
    return a;
}

/* In the child after fork() (fork.h): invalidate every thread's random state. */
static void after_fork(void)
{
    atomic_fetch_add(&fork_generation, 1);
}

__attribute__((constructor)) static void register_fork_hooks(void)
{
    static const struct fork_hooks hooks = {NULL, NULL, after_fork};
    fork_hooks_register(FORK_RANK_IDS, &hooks);
}
