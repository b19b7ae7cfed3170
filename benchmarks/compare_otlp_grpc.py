#!/usr/bin/env python3
"""OTLP/gRPC beside OTLP/HTTP protobuf, end to end, in one run: genops_otlp_driver records
GenOps operation spans (about 18 attributes) and flushes them through one OTLP exporter to
a local server that reads each request without parsing it: grpcio's TraceService/Export
with a bytes-in handler (tests/peers/otlp_grpc_server.py, decode=False) for gRPC, and
tests/peers/otlp_server.py (Python http.server, decode=False) for HTTP. Beside them, the
OpenTelemetry Python SDK's own path to the same servers (benchmarks/python/
otel_sdk_export.py: BatchSpanProcessor + the SDK's OTLPSpanExporter, gRPC and HTTP, the
same span shape, fewer spans). Reported per row:
spans/s (wall clock from the first span to the end of the flush), the client's CPU per
span (user + system, application and export threads together: getrusage of the driver
process; the SDK script's own process_time over the same window, without interpreter
start-up), bytes on the wire per span (the SDK does not report them) and requests.

    python3 benchmarks/compare_otlp_grpc.py [--driver PATH] [--spans N] [--sdk-spans N]
        [--runs R]

Without --driver, the newest build/*/genops_otlp_driver is used; build it in Release
first (benchmarks/README.md). `cmake --build <dir> --target bench_otlp_grpc_compare` runs
this with that build's driver.
"""

import argparse
import json
import resource
import subprocess
import sys

from compare_common import ROOT, newest

sys.path.insert(0, str(ROOT / "tests" / "peers"))
from otlp_grpc_server import OtlpGrpcServer  # noqa: E402
from otlp_server import OtlpServer  # noqa: E402


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def one_run(command: list[str], spans: int) -> dict:
    """Run a driver or the SDK script; its rate, CPU per span and bytes per span."""
    cpu0 = children_cpu()
    out = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    cpu = out.get("cpu_seconds", children_cpu() - cpu0)  # the SDK's leaves out its start-up
    st = out.get("stats", {"exported": out.get("exported"), "retries": 0, "bytes_sent": 0})
    assert st["exported"] == spans and st["retries"] == 0, st
    return {
        "spans_per_s": spans / out["seconds"],
        "cpu_us_per_span": cpu * 1e6 / spans,
        "bytes_per_span": st["bytes_sent"] / spans,
    }


def row(name: str, grpc: bool, command, spans: int, runs: int) -> dict:
    """runs runs of command(server) against a fresh server each."""
    results = []
    for _ in range(runs):
        with OtlpGrpcServer(decode=False) if grpc else OtlpServer(decode=False) as server:
            results.append(one_run(command(server), spans))
            requests = len(server.received())
    return {"name": name, "runs": results, "requests": requests}


ROUND = 20480  # spans per round: 40 batches, inside a lane's 64-batch queue


def native(driver: str, protocol: str, gzip: bool, spans: int):
    """The driver, in rounds of ROUND spans each flushed before the next: a producer
    faster than the export would otherwise overrun the lane's queue, and the rows would
    count drops instead of delivery."""

    def command(server) -> list[str]:
        rounds = str(max(1, spans // ROUND))
        args = [driver, "--spans", str(ROUND), "--rounds", rounds, "--batch", "512", "--queue", "262144"]
        compression = "gzip" if gzip else "none"
        return args + ["--endpoint", server.url, "--protocol", protocol, "--compression", compression]

    return command


def sdk(protocol: str, spans: int):
    script = str(ROOT / "benchmarks" / "python" / "otel_sdk_export.py")

    def command(server) -> list[str]:
        endpoint = server.url.split("//", 1)[1] if protocol == "grpc" else server.url
        return [sys.executable, script, "--protocol", protocol, "--endpoint", endpoint, "--spans", str(spans)]

    return command


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--driver")
    ap.add_argument("--spans", type=int, default=204800)
    ap.add_argument("--sdk-spans", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    driver = args.driver or newest("genops_otlp_driver")
    n, m = max(1, args.spans // ROUND) * ROUND, args.sdk_spans
    rows = [
        ("genops OTLP/HTTP protobuf", False, native(driver, "protobuf", False, n), n),
        ("genops OTLP/gRPC (h2c)", True, native(driver, "grpc", False, n), n),
        ("genops OTLP/HTTP protobuf + gzip", False, native(driver, "protobuf", True, n), n),
        ("genops OTLP/gRPC (h2c) + gzip", True, native(driver, "grpc", True, n), n),
        ("OpenTelemetry SDK, OTLP/HTTP protobuf", False, sdk("http", m), m),
        ("OpenTelemetry SDK, OTLP/gRPC", True, sdk("grpc", m), m),
    ]
    print("| exporter | spans | spans/s (each run) | client CPU µs/span (each run) | bytes/span | requests |")
    print("|---|---|---|---|---|---|")
    for name, grpc, command, spans in rows:
        r = row(name, grpc, command, spans, args.runs)
        rate = " / ".join(f"{x['spans_per_s']:,.0f}" for x in r["runs"])
        cpu = " / ".join(f"{x['cpu_us_per_span']:.2f}" for x in r["runs"])
        wire = r["runs"][0]["bytes_per_span"]
        shown = f"{wire:,.0f}" if wire else "-"
        print(f"| {name} | {spans:,} | {rate} | {cpu} | {shown} | {r['requests']} |", flush=True)


if __name__ == "__main__":
    main()
