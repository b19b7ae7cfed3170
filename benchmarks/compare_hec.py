#!/usr/bin/env python3
"""Splunk HEC in one run: events encoded per core by encode_hec (C) beside the same events
built and json.dumps'ed in pure Python, and end to end through the exporter to the local
HEC server (tests/peers/hec_server.py, reading bodies without parsing them).

    python3 benchmarks/compare_hec.py [--bench PATH/TO/bench_hec] [--driver PATH] [--spans N]

Without --bench / --driver, the newest build/*/bench_hec and build/*/genops_hec_driver
are used; build them in Release first (benchmarks/README.md). `cmake --build <dir>
--target bench_hec_compare` runs this with that build's binaries.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from hec_server import HecServer  # noqa: E402

TOKEN = "bench-token"


def newest(name: str) -> str:
    found = sorted(ROOT.glob(f"build/*/{name}"), key=lambda p: p.stat().st_mtime)
    if not found:
        sys.exit(f"no build/*/{name}: build the {name} target first")
    return str(found[-1])


def lines(command: list[str]) -> list[dict]:
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def end_to_end(driver: str, spans: int, gzip: bool) -> dict:
    with HecServer(TOKEN) as server:
        server.configure(parse=False)
        args = [
            driver,
            "--spans",
            str(spans),
            "--batch",
            "512",
            "--queue",
            "262144",
            "--endpoint",
            server.base,
            "--token",
            TOKEN,
            "--index",
            "genops_ai",
            "--compression",
            "gzip" if gzip else "none",
        ]
        out = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    delivered = out["hec"]["events_delivered"]
    assert delivered == spans, out
    return {
        "name": f"end to end, event{' + gzip' if gzip else ''} (record -> HEC server)",
        "events_per_s": delivered / out["seconds"],
        "bytes_per_event": out["stats"]["bytes_sent"] / delivered,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench")
    ap.add_argument("--driver")
    ap.add_argument("--spans", type=int, default=100000)
    args = ap.parse_args()
    bench, driver = args.bench or newest("bench_hec"), args.driver or newest("genops_hec_driver")
    with tempfile.TemporaryDirectory() as tmp:
        sample = str(Path(tmp) / "sample.json")
        rows = lines([bench, "--json", "--sample", sample])
        rows += lines([sys.executable, str(ROOT / "benchmarks/python/hec_dumps.py"), sample])
    c = rows[0]["ns_per_event"]
    print("| work | ns/event | events/s per core | bytes/event | vs C event |")
    print("|---|---|---|---|---|")
    for r in rows:
        ns = r["ns_per_event"]
        print(f"| {r['name']} | {ns:,.0f} | {1e9 / ns:,.0f} | {r['bytes_per_event']:,.0f} | {ns / c:.1f}x |")
    for gzip in (False, True):
        r = end_to_end(driver, args.spans, gzip)
        print(
            f"| {r['name']} | - | {r['events_per_s']:,.0f} (whole pipeline) "
            f"| {r['bytes_per_event']:,.0f} | - |"
        )


if __name__ == "__main__":
    main()
