#!/usr/bin/env python3
"""Run bench_encode (C) and benchmarks/python/otel_encode.py (the OpenTelemetry Python
SDK) on the same spans and print one table.

    python3 benchmarks/compare_encode.py [--bench PATH/TO/bench_encode] [--runs N]

Without --bench, the newest build/*/bench_encode is used; build it in Release first
(benchmarks/README.md). `cmake --build <dir> --target bench_encode_compare` runs this
with that build's binary. --runs repeats both and keeps each row's best, which is what
a shared, noisy machine needs.
"""

import argparse
import sys

from compare_common import ROOT, lines, newest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", help="path of the bench_encode binary")
    parser.add_argument("--runs", type=int, default=1, help="repeat, keep each row's best")
    args = parser.parse_args()
    bench = args.bench or newest("bench_encode")

    sdk_script = str(ROOT / "benchmarks/python/otel_encode.py")
    best = {}
    for _ in range(args.runs):
        for r in lines([bench, "--json"]) + lines([sys.executable, sdk_script, "--json"]):
            if r["name"] not in best or r["ns_per_span"] < best[r["name"]]["ns_per_span"]:
                best[r["name"]] = r
    results = list(best.values())
    sdk = results[-1]["ns_per_span"]
    runs = f"best of {args.runs} runs of 7 rounds" if args.runs > 1 else "best of 7 rounds"
    print(f"512 spans x 20 attributes per batch; {runs}; one core\n")
    print("| encoding | ns/span | spans/s | MB/s out | bytes/span | vs. OTel Python SDK |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        ns, size = r["ns_per_span"], r["bytes_per_span"]
        print(
            f"| {r['name']} | {ns:,.0f} | {1e3 / ns:.2f} M | {size / ns * 1e3:,.0f} "
            f"| {size:,.0f} | {sdk / ns:,.1f}x |"
        )


if __name__ == "__main__":
    main()
