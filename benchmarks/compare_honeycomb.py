#!/usr/bin/env python3
"""Honeycomb in one run: Events API bodies encoded per core by encode_honeycomb_msgpack
(C, alone and with gzip or zstd) beside msgpack.packb and json.dumps of the same
events in pure Python, then end to end through the exporter to the strict local Honeycomb
server (tests/peers/honeycomb_server.py): the Events API (/1/batch) beside OTLP/protobuf
(/v1/traces) to the same server, plain and compressed (zstd is the Events API's alone).

    python3 benchmarks/compare_honeycomb.py [--bench PATH/TO/bench_honeycomb]
        [--driver PATH/TO/bench_honeycomb_driver] [--spans N]

Without --bench / --driver, the newest build/*/ binaries are used; build them in Release
first (benchmarks/README.md). `cmake --build <dir> --target bench_honeycomb_compare` runs
this with that build's binaries. The target of issue 10 is msgpack encoding <= 500 ns per
20-attribute event; the last line says whether this run met it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from compare_common import ROOT, encode_rows, newest, print_encode_rows, print_end_to_end_row

sys.path.insert(0, str(ROOT / "tests" / "peers"))
from honeycomb_server import ENVIRONMENT_KEY, HoneycombServer  # noqa: E402

TARGET_NS = 500


def accepted(server: HoneycombServer) -> int:
    """Events (or spans) the server decoded and accepted, over every request."""
    return sum(len(r.get("events", r.get("spans", []))) for r in server.received() if r["answer"] == 200)


def end_to_end(driver: str, spans: int, api: str, compression: str) -> dict:
    with HoneycombServer() as server:
        args = [driver, "--spans", str(spans), "--batch", "512", "--queue", "262144"]
        args += ["--endpoint", server.url, "--key", ENVIRONMENT_KEY, "--api", api]
        args += ["--compression", compression]
        out = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
        got = accepted(server)
    exported = out["stats"]["exported"]
    if out["code"] or exported != spans or got != spans:
        sys.exit(f"end to end ({api}): {spans} spans, {exported} exported, {got} accepted: {out}")
    what = "Events API, msgpack" if api == "events" else "OTLP/protobuf"
    if compression != "none":
        what += f" + {compression}"
    return {
        "name": f"end to end, {what} (record -> server)",
        "events_per_s": spans / out["seconds"],
        "bytes_per_event": out["stats"]["bytes_sent"] / spans,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench")
    ap.add_argument("--driver")
    ap.add_argument("--spans", type=int, default=50000)
    args = ap.parse_args()
    bench = args.bench or newest("bench_honeycomb")
    driver = args.driver or newest("bench_honeycomb_driver")
    rows = encode_rows(bench, "honeycomb_pack.py", "batch.msgpack")
    print_encode_rows(rows, "C msgpack")
    for api, compressions in (("events", ("none", "gzip", "zstd")), ("otlp", ("none", "gzip"))):
        for compression in compressions:
            r = end_to_end(driver, args.spans, api, compression)
            print_end_to_end_row(r["name"], r["events_per_s"], r["bytes_per_event"])
    c = rows[0]["ns_per_event"]
    verdict = "met" if c <= TARGET_NS else "NOT met"
    print(f"\ntarget: msgpack encoding <= {TARGET_NS} ns per 20-attribute event: {verdict} ({c:,.0f} ns)")


if __name__ == "__main__":
    main()
