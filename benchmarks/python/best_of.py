"""The pure-Python side's timing, the same as bench_batch.c's bench_best_ns: nanoseconds
per item, the best of 7 rounds of at least 0.2 s each (the minimum is the least disturbed
measurement on a shared, noisy machine)."""

from __future__ import annotations

import time
from collections.abc import Callable

ROUNDS = 7
MIN_ROUND_NS = 200_000_000


def best_ns(fn: Callable[[], object], items: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        reps, t0 = 0, time.perf_counter_ns()
        while True:
            fn()
            reps += 1
            t = time.perf_counter_ns() - t0
            if t >= MIN_ROUND_NS:
                break
        best = min(best, t / reps / items)
    return best
