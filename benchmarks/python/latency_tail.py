#!/usr/bin/env python3
"""Where the application thread's latency tail comes from: one GenOps operation, timed
one by one, with no exporter (exporter_type="none", so no receiver shares the machine),
for several export batch sizes side by side. The export thread sleeps between batches
and the producer wakes it once per batch; if that wake-up is the tail, larger batches
shrink p99.9 and smaller ones fatten p99.

    python3 benchmarks/python/latency_tail.py [--ops 200000] [--batches 64 512 4096]
        [--genops-path build/pyrel/python]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def child(ops: int) -> None:
    import genops
    from genops import track_enhanced

    genops.init(service_name="latency-tail", exporter_type="none")
    clock = time.perf_counter_ns

    def run(n: int) -> list[int]:
        lat = []
        for _ in range(n):
            t0 = clock()
            with track_enhanced(
                operation_name="chat", team="ml", project="assist", customer_id="c1", feature="chat"
            ) as span:
                span.record_cost(
                    cost=0.0234, provider="openai", model="gpt-4o", tokens_input=812, tokens_output=311
                )
            lat.append(clock() - t0)
        return lat

    run(ops // 4)  # warm-up: the slot pool and the interpreter's caches
    lat = sorted(run(ops))

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * p))] / 1e3

    print(f"{pct(0.5):.2f} {pct(0.99):.2f} {pct(0.999):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=200_000)
    ap.add_argument("--batches", type=int, nargs="+", default=[64, 512, 4096])
    ap.add_argument("--genops-path", default=str(ROOT / "build" / "pyrel" / "python"))
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.ops)
        return
    print("| export batch size | p50 µs | p99 µs | p99.9 µs |")
    print("|---:|---:|---:|---:|")
    for batch in args.batches:
        env = dict(os.environ, OTEL_BSP_MAX_EXPORT_BATCH_SIZE=str(batch), PYTHONPATH=args.genops_path)
        env["OTEL_BSP_MAX_QUEUE_SIZE"] = str(max(8192, 2 * batch))
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--ops", str(args.ops)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        print(f"| {batch} | {out[0]} | {out[1]} | {out[2]} |")


if __name__ == "__main__":
    main()
