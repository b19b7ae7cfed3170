/* otlp_gen.h - batches made from a byte string, for the encoders' fuzzers and
 * randomized tests: the input decides every field, count, length and value type the
 * encoders handle, so libFuzzer can steer into each of them. Input that runs out reads
 * as zeros. */
#ifndef GENOPS_OTLP_GEN_H
#define GENOPS_OTLP_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter.h"

struct otlp_gen;

/* A batch (at most 8 spans) from data[0..size). With any_bytes, strings may hold any
 * bytes (NUL, invalid UTF-8, control characters); without, they hold no NUL, which the
 * protobuf-c reference cannot carry. Doubles are any bit pattern, NaN and infinities
 * included. Returns NULL on ENOMEM; free with otlp_gen_free, which frees *b too. */
struct otlp_gen *otlp_gen_batch(const uint8_t *data, size_t size, bool any_bytes,
                                const struct batch **b);
void otlp_gen_free(struct otlp_gen *g);

/* otlp_gen_batch on up to 8 KiB of pseudo-random input drawn from *seed (xorshift64,
 * advanced), for seeded randomized tests. */
struct otlp_gen *otlp_gen_random(uint64_t *seed, bool any_bytes, const struct batch **b);

#endif
