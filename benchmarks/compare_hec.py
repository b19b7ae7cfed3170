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

from compare_common import ROOT, encode_rows, newest, print_encode_rows, print_end_to_end_row

sys.path.insert(0, str(ROOT / "tests" / "peers"))
from hec_server import HecServer  # noqa: E402

TOKEN = "bench-token"


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
    rows = encode_rows(bench, "hec_dumps.py", "sample.json")
    print_encode_rows(rows, "C event")
    for gzip in (False, True):
        r = end_to_end(driver, args.spans, gzip)
        print_end_to_end_row(r["name"], r["events_per_s"], r["bytes_per_event"])


if __name__ == "__main__":
    main()
