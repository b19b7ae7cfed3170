#!/usr/bin/env python3
"""What `import genops` costs, two builds side by side: fresh interpreters, taking
turns, each timing the import, counting the threads it leaves, then timing the first
operation (which, since imports became lazy, builds the pipeline and starts its two
threads).

    python3 benchmarks/python/import_time.py --build before=build/import-before/python \
        --build after=build/python/python [--runs 40]

Each --build is NAME=DIR, DIR being what PYTHONPATH needs to import that genops.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

# Runs in the fresh interpreter: nothing genops-related is imported before the timer.
CHILD = """
import json, os, threading, time
t0, c0 = time.perf_counter_ns(), time.process_time_ns()
import genops
t1, c1 = time.perf_counter_ns(), time.process_time_ns()
threads, tasks = threading.active_count(), len(os.listdir("/proc/self/task"))
with genops.track("first"):
    pass
t2, c2 = time.perf_counter_ns(), time.process_time_ns()
print(json.dumps({"import_ms": (t1 - t0) / 1e6, "first_op_ms": (t2 - t1) / 1e6,
                  "import_cpu_ms": (c1 - c0) / 1e6, "first_op_cpu_ms": (c2 - c1) / 1e6,
                  "threads": threads, "tasks": tasks}))
"""


def one_run(path: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=path)
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def spread(values: list[float]) -> str:
    q = statistics.quantiles(values, n=10)
    return f"{statistics.median(values):.2f} ({q[0]:.2f}–{q[-1]:.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", action="append", required=True, metavar="NAME=DIR")
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    builds = dict(b.split("=", 1) for b in args.build)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in builds}
    for path in builds.values():  # warm the page cache: the first run reads the .so
        one_run(path)
    for _ in range(args.runs):
        for name, path in builds.items():
            results[name].append(one_run(path))
    print(f"{args.runs} fresh interpreters per build, taking turns; median (p10–p90); CPU is")
    print("the process's (every thread), wall the importing thread's\n")
    print(
        "| build | import, wall ms | import, CPU ms | threads after import (Python / kernel) "
        "| first operation, wall ms | first operation, CPU ms | import + first operation, CPU ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, runs in results.items():
        threads = sorted({(int(r["threads"]), int(r["tasks"])) for r in runs})
        cells = [
            spread([r["import_ms"] for r in runs]),
            spread([r["import_cpu_ms"] for r in runs]),
            ", ".join(f"{t} / {k}" for t, k in threads),
            spread([r["first_op_ms"] for r in runs]),
            spread([r["first_op_cpu_ms"] for r in runs]),
            spread([r["import_cpu_ms"] + r["first_op_cpu_ms"] for r in runs]),
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
