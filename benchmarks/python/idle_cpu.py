#!/usr/bin/env python3
"""What the export thread costs when there is little or nothing to export: a process
that ran a burst of GenOps operations and then records nothing (idle), and one that
records a trickle (--rate operations a second), each for --seconds, with no exporter
(exporter_type="none"). Per build: process CPU over the window, and how often the
process's threads other than the main one woke (their voluntary context switches, from
/proc/self/task/*/status). The main thread only sleeps and records.

    python3 benchmarks/python/idle_cpu.py --genops-path build/pyrel/python \
        [--genops-path build/before/pyrel/python] [--seconds 5] [--rate 50]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import threading
import time


def other_threads_switches() -> int:
    main = threading.get_native_id()
    total = 0
    for task in pathlib.Path("/proc/self/task").iterdir():
        if int(task.name) == main:
            continue
        for line in (task / "status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches"):
                total += int(line.split()[1])
    return total


def child(seconds: float, rate: float) -> None:
    import genops
    from genops import track_enhanced

    genops.init(service_name="idle-cpu", exporter_type="none")

    def op() -> None:
        with track_enhanced(operation_name="chat", team="ml", customer_id="c1") as span:
            span.record_cost(cost=0.01, provider="openai", model="gpt-4o", tokens_input=10, tokens_output=5)

    for _ in range(5000):  # a burst: the export thread starts and drains it
        op()
    genops.flush()
    time.sleep(0.5)
    out = {}
    for name, per_second in (("idle", 0.0), ("trickle", rate)):
        cpu0, sw0, t0 = time.process_time(), other_threads_switches(), time.monotonic()
        ops = 0
        while (elapsed := time.monotonic() - t0) < seconds:
            if per_second:
                op()
                ops += 1
                time.sleep(max(0.0, ops / per_second - (time.monotonic() - t0)))
            else:
                time.sleep(seconds - elapsed)
        window = time.monotonic() - t0
        out[name] = {
            "cpu_ms_per_s": (time.process_time() - cpu0) * 1e3 / window,
            "wakeups_per_s": (other_threads_switches() - sw0) / window,
            "ops": ops,
        }
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--genops-path", action="append", default=[], help="a build's genops directory")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.seconds, args.rate)
        return
    if not args.genops_path:
        ap.error("give --genops-path at least once")
    print(
        f"| build | idle: CPU ms/s | idle: wake-ups/s | {args.rate:g} ops/s: CPU ms/s | "
        f"{args.rate:g} ops/s: wake-ups/s |"
    )
    print("|---|---:|---:|---:|---:|")
    for path in args.genops_path:
        env = dict(os.environ, PYTHONPATH=path)
        res = subprocess.run(
            [sys.executable, __file__, "--child", "--seconds", str(args.seconds), "--rate", str(args.rate)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(res.stdout.splitlines()[-1])
        print(
            f"| {path} | {r['idle']['cpu_ms_per_s']:.3f} | {r['idle']['wakeups_per_s']:.1f} | "
            f"{r['trickle']['cpu_ms_per_s']:.3f} | {r['trickle']['wakeups_per_s']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
