#!/usr/bin/env python3
"""Side by side, in one run: OpenTelemetry SDK spans exported through

  (sdk)    the SDK's own BatchSpanProcessor + OTLPSpanExporter (http/protobuf,
           opentelemetry-exporter-otlp-proto-http), default settings;
  (native) genops.otel.NativeSpanProcessor into genops' native OTLP/HTTP protobuf
           exporter, default settings;
  (floor)  a do-nothing SpanProcessor: what making the spans costs by itself.

The same spans in each: `with tracer.start_as_current_span("chat", kind=CLIENT,
attributes={8 attributes}) as s: s.set_attribute(...) x 2; s.add_event(...)`. Both
exporters send to one local receiver (benchmarks/python/otlp_sink.py, its own process,
127.0.0.1), which counts the spans it decoded after each run.

Each variant runs in its own process, flat out, with bench_track.py's passes: a warm-up,
then pass A (no per-span timer: process CPU per span from the first span until the flush
after the last one returns, so the export threads' work is counted, and the application
thread's CPU), then pass B (a perf_counter_ns pair around every span: latency
percentiles). Spans delivered
= spans the receiver decoded / spans made. Writes benchmarks/results/otel_processor.{json,md}.

    python3 benchmarks/python/bench_otel_processor.py [--spans 50000] [--repeat 3]
        [--genops-path build/pyrel/python]
    python3 benchmarks/python/bench_otel_processor.py --callgrind --spans 500
        (instructions per span, with every thread: see callgrind())
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
from bench_track import run_passes, sink_call, start_sink  # noqa: E402

VARIANTS = ("sdk", "native", "floor")
LABELS = {
    "sdk": "SDK BatchSpanProcessor + OTLPSpanExporter (http/protobuf)",
    "native": "genops NativeSpanProcessor (native OTLP/HTTP protobuf)",
    "floor": "do-nothing SpanProcessor (the SDK's own span cost)",
}


def make_provider(variant: str, endpoint: str):
    """(TracerProvider, flush) for the variant."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

    provider = TracerProvider(resource=Resource.create({"service.name": "otel-bench"}))
    if variant == "sdk":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        return provider, lambda: provider.force_flush(120_000)
    if variant == "native":
        import genops
        from genops.otel import NativeSpanProcessor

        genops.init(
            service_name="otel-bench", exporter_type="otlp", otlp_endpoint=endpoint, auto_detect=False
        )
        provider.add_span_processor(NativeSpanProcessor())
        return provider, lambda: genops.flush(timeout=120)

    provider.add_span_processor(SpanProcessor())  # its on_end does nothing
    return provider, lambda: True


def run_variant(variant: str, endpoint: str, spans: int) -> dict:
    from opentelemetry.trace import SpanKind

    provider, flush = make_provider(variant, endpoint)
    tracer = provider.get_tracer("bench", "1.0")
    customers = [f"customer-{i}" for i in range(64)]

    def one(i: int) -> None:
        with tracer.start_as_current_span(
            "chat",
            kind=SpanKind.CLIENT,
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o-mini",
                "server.address": "api.example.com",
                "server.port": 443,
                "team": "ml-platform",
                "customer_id": customers[i & 63],
                "temperature": 0.2,
                "stream": False,
            },
        ) as s:
            s.set_attribute("gen_ai.usage.input_tokens", 812)
            s.set_attribute("gen_ai.usage.output_tokens", 95)
            s.add_event("first_token", {"ms": 41})

    m = run_passes(one, spans, flush)
    return {
        "variant": variant,
        "spans_total": m["total"],
        "cpu_us_per_span": m["cpu_us"],
        "app_cpu_us_per_span": m["app_cpu_us"],
        "p50_us": m["p50_us"],
        "p99_us": m["p99_us"],
    }


def drive(args: argparse.Namespace) -> list[dict]:
    sink, base = start_sink()
    results = []
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(pathlib.Path(args.genops_path).resolve()), env.get("PYTHONPATH", "")]
    )
    for k in [k for k in env if k.startswith("OTEL_")]:
        del env[k]
    try:
        for rep in range(args.repeat):
            for variant in VARIANTS:
                sink_call(base, "/reset", post=True)
                cmd = [sys.executable, __file__, "--child", variant, "--endpoint", base + "/v1/traces"]
                out = subprocess.run(
                    cmd + ["--spans", str(args.spans)], capture_output=True, text=True, env=env, timeout=3600
                )
                if out.returncode != 0:
                    raise SystemExit(f"{variant} failed:\n{out.stderr}")
                r = json.loads(out.stdout.strip().splitlines()[-1])
                r["repeat"] = rep
                got = sink_call(base, "/count")["spans"]
                r["delivered"] = None if variant == "floor" else got / r["spans_total"]
                print(json.dumps(r), file=sys.stderr)
                results.append(r)
    finally:
        sink.terminate()
        sink.wait(10)
    return results


def callgrind(args: argparse.Namespace) -> str:
    """Instructions per span, which the machine's load does not change: each variant
    under valgrind --tool=callgrind (every thread counted) with --spans n and 3n; the
    difference of the two totals over the difference of the spans made (and delivered)
    leaves interpreter start-up and imports out."""
    import re

    sink, base = start_sink()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(pathlib.Path(args.genops_path).resolve()), env.get("PYTHONPATH", "")]
    )
    for k in [k for k in env if k.startswith("OTEL_")]:
        del env[k]
    rows = {}
    try:
        for variant in VARIANTS:
            points = []
            for n in (args.spans, 3 * args.spans):
                sink_call(base, "/reset", post=True)
                cmd = [
                    "valgrind",
                    "--tool=callgrind",
                    "--callgrind-out-file=/dev/null",
                    sys.executable,
                    __file__,
                ]
                cmd += ["--child", variant, "--endpoint", base + "/v1/traces", "--spans", str(n)]
                out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
                found = re.search(r"Collected : (\d+)", out.stderr)
                if out.returncode != 0 or not found:
                    raise SystemExit(f"{variant} under callgrind failed:\n{out.stderr[-2000:]}")
                made = json.loads(out.stdout.strip().splitlines()[-1])["spans_total"]
                points.append((int(found.group(1)), made, sink_call(base, "/count")["spans"]))
            (i1, m1, d1), (i2, m2, d2) = points
            rows[variant] = (
                (i2 - i1) / (m2 - m1),
                (i2 - i1) / (d2 - d1) if d2 > d1 else None,
                (d2 - d1) / (m2 - m1),
            )
            print(variant, rows[variant], file=sys.stderr)
    finally:
        sink.terminate()
        sink.wait(10)
    floor = rows["floor"][0]
    lines = [
        f"callgrind, --spans {args.spans} and {3 * args.spans}: instructions per span (all threads)",
        "",
        "| | per span made | above the floor | above the floor, per span delivered | delivered |",
        "|---|---:|---:|---:|---:|",
    ]
    for v in VARIANTS:
        per_made, _, share = rows[v]
        over = per_made - floor
        per_delivered = "—" if v == "floor" else f"{over / share:,.0f}"
        shown = "—" if v == "floor" else f"{100 * share:.1f} %"
        lines.append(f"| {LABELS[v]} | {per_made:,.0f} | {over:,.0f} | {per_delivered} | {shown} |")
    return "\n".join(lines) + "\n"


def write_outputs(results: list[dict], args: argparse.Namespace) -> str:
    summary = {}
    for v in VARIANTS:
        rows = [r for r in results if r["variant"] == v]
        summary[v] = {
            k: (statistics.median(r[k] for r in rows) if rows[0][k] is not None else None) for k in rows[0]
        }
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    doc = {"machine": machine, "spans": args.spans, "summary": summary, "runs": results}
    (out / "otel_processor.json").write_text(json.dumps(doc, indent=1) + "\n")
    s, n, f = summary["sdk"], summary["native"], summary["floor"]
    lines = [
        f"`bench_otel_processor.py --spans {args.spans} --repeat {args.repeat}` on {machine}; medians.",
        "",
        "| | CPU µs/span incl. export | above the floor | above the floor, per span delivered "
        "| app thread CPU µs/span | p50 µs | p99 µs | spans delivered |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    over = {v: summary[v]["cpu_us_per_span"] - f["cpu_us_per_span"] for v in VARIANTS}
    per_delivered = {v: over[v] / summary[v]["delivered"] for v in ("sdk", "native")}
    for v in VARIANTS:
        r = summary[v]
        delivered = "—" if r["delivered"] is None else f"{100 * r['delivered']:.1f} %"
        shown = f"{per_delivered[v]:.2f}" if v in per_delivered else "—"
        lines.append(
            f"| {LABELS[v]} | {r['cpu_us_per_span']:.2f} | {over[v]:.2f} | {shown} "
            f"| {r['app_cpu_us_per_span']:.2f} | {r['p50_us']:.2f} | {r['p99_us']:.2f} | {delivered} |"
        )
    lines += [
        "",
        f"CPU per span including export: {s['cpu_us_per_span'] / n['cpu_us_per_span']:.1f}x less in total "
        "(both pay the SDK's own span, the floor). Above the floor, what exporting costs: "
        f"{over['sdk'] / over['native']:.1f}x less per span made, "
        f"{per_delivered['sdk'] / per_delivered['native']:.1f}x less per span delivered (target 10x).",
        "",
    ]
    text = "\n".join(lines)
    (out / "otel_processor.md").write_text(text)
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spans", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--genops-path", default=str(ROOT / "build" / "pyrel" / "python"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--callgrind", action="store_true", help="instructions per span (valgrind)")
    ap.add_argument("--child", choices=VARIANTS)
    ap.add_argument("--endpoint")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_variant(args.child, args.endpoint, args.spans)))
        return
    if args.callgrind:
        print(callgrind(args))
        return
    print(write_outputs(drive(args), args))


if __name__ == "__main__":
    main()
