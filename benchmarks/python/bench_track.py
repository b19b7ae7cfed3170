#!/usr/bin/env python3
"""Side by side, in one run: the cost of one GenOps operation in Python

    with track_enhanced(operation_name=..., team=..., project=..., customer_id=...,
                        feature=...) as span:
        span.record_cost(cost=..., provider=..., model=..., tokens_input=...,
                         tokens_output=...)

for (a) genops on the native core, (b) genops-ai's pure-Python path on the
OpenTelemetry SDK (genops_ai_reference.py), (c) a do-nothing floor with the same call
shape. (a) and (b) export OTLP/HTTP protobuf to a local receiver (otlp_sink.py, its own
process, 127.0.0.1), with default batch settings.

Each variant runs in its own process, flat out: a warm-up, then pass A (no per-op
timer: µs per op on the application thread, and process CPU per op from the first op
until the flush after the last one returns, so the export thread's work is counted),
then pass B (a perf_counter_ns pair around every op: latency percentiles; the timer's
own cost is reported beside them). Spans delivered = spans the receiver decoded /
operations run. Writes benchmarks/results/python.{json,md,png}.

    python3 benchmarks/python/bench_track.py [--ops 200000] [--repeat 3]
        [--genops-path build/pyrel/python] [--sampling-rate 0.1]

(--sampling-rate: head sampling at that ratio on both sides, genops'
init(sampling_rate=...) and the SDK's ParentBased(TraceIdRatioBased(...)); the results
go to benchmarks/results/python-sampled.{json,md,png} instead.)

(--before-path: a second such directory, an earlier build (benchmarks/build_before.sh):
its row, "genops, before", runs the same workload in the same run.)

(--genops-path: a directory holding the genops package and its native module, e.g.
the tree `make test-python` stages, or the Release one of `cmake -S . -B build/pyrel
-DCMAKE_BUILD_TYPE=Release -DGENOPS_BUILD_TESTS=OFF && cmake --build build/pyrel
--target genops_python`.)
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
import tempfile
import time
import urllib.request
from array import array

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VARIANTS = ("genops", "before", "otel", "floor")
LABELS = {
    "genops": "genops (native core)",
    "before": "genops, before (an earlier build)",
    "otel": "genops-ai path on the OpenTelemetry SDK",
    "floor": "do-nothing floor",
}


# ---- the workload, in the variant's process --------------------------------------------


# --sampling-rate, in the variant's process (None: not sampled).
SAMPLING_RATE: float | None = None


class _Floor:
    """The do-nothing floor: the operation's call shape (a context manager taking
    keyword arguments, record_cost taking keyword arguments) and nothing else."""

    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def record_cost(self, **kwargs):
        pass


_FLOOR = _Floor()


def floor_track_enhanced(**kwargs):
    return _FLOOR


def make_workload(variant: str, endpoint: str):
    """(track_enhanced, flush) for the variant, sampled at SAMPLING_RATE."""
    rate = SAMPLING_RATE
    if variant in ("genops", "before"):
        import genops

        genops.init(
            service_name="genops-bench", exporter_type="otlp", otlp_endpoint=endpoint, sampling_rate=rate
        )
        return genops.track_enhanced, lambda: genops.flush(timeout=120)
    if variant == "otel":
        sys.path.insert(0, str(HERE))
        import genops_ai_reference as ref
        from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

        ref.init(endpoint, sampler=None if rate is None else ParentBased(TraceIdRatioBased(rate)))
        return ref.track_enhanced, lambda: ref.flush(120)

    return floor_track_enhanced, lambda: True


def run_passes(op, n: int, flush) -> dict:
    """The two passes over op(i), after a warm-up of n / 10 (the module text): per op,
    wall time, application-thread CPU and process CPU until flush() returned (pass A),
    latency percentiles and the timer pair's own cost (pass B); total = ops run."""
    for i in range(n // 10):  # warm-up
        op(i)
    flush()

    # pass A: throughput and CPU, the export thread included
    cpu0, wall0 = time.process_time(), time.perf_counter()
    thread0 = time.thread_time()
    for i in range(n):
        op(i)
    wall_loop = time.perf_counter() - wall0
    thread_loop = time.thread_time() - thread0
    flush()
    cpu_total = time.process_time() - cpu0

    # pass B: latency of each op on the application thread
    lat = array("q", bytes(8 * n))
    clock = time.perf_counter_ns
    for i in range(n):
        t0 = clock()
        op(i)
        lat[i] = clock() - t0
    flush()
    timer = array("q", bytes(8 * 10000))
    for i in range(10000):
        t0 = clock()
        timer[i] = clock() - t0
    ordered = sorted(lat)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] / 1000

    return {
        "total": n // 10 + 2 * n,
        "wall_us": wall_loop / n * 1e6,
        "app_cpu_us": thread_loop / n * 1e6,
        "cpu_us": cpu_total / n * 1e6,
        "p50_us": pct(50),
        "p99_us": pct(99),
        "p999_us": pct(99.9),
        "max_us": ordered[-1] / 1000,
        "timer_us": statistics.median(timer) / 1000,
    }


def run_variant(variant: str, endpoint: str, ops: int) -> dict:
    track_enhanced, flush = make_workload(variant, endpoint)
    customers = [f"customer-{i}" for i in range(64)]

    def op(i: int) -> None:
        with track_enhanced(
            operation_name="ai.chat.completion",
            team="ml-platform",
            project="support-bot",
            customer_id=customers[i & 63],
            feature="chat",
        ) as span:
            span.record_cost(
                cost=0.0021, provider="openai", model="gpt-4o-mini", tokens_input=812, tokens_output=95
            )

    m = run_passes(op, ops, flush)
    stats = {}
    if variant in ("genops", "before"):
        import genops

        stats = {k: v for k, v in genops.status()["stats"].items() if k.startswith("dropped") and v}
    return {
        "variant": variant,
        "native_drops": stats,
        "ops_total": m["total"],
        "us_per_op": m["wall_us"],
        "app_cpu_us_per_op": m["app_cpu_us"],
        "cpu_us_per_op": m["cpu_us"],
        "p50_us": m["p50_us"],
        "p99_us": m["p99_us"],
        "p999_us": m["p999_us"],
        "max_us": m["max_us"],
        "timer_us": m["timer_us"],
    }


# ---- the driver ------------------------------------------------------------------------


def sink_call(base: str, path: str, post: bool = False) -> dict:
    req = urllib.request.Request(base + path, data=b"" if post else None, method="POST" if post else "GET")
    with urllib.request.urlopen(req, timeout=300) as r:  # noqa: S310 - 127.0.0.1 only
        return json.loads(r.read() or b"{}")


def start_sink() -> tuple[subprocess.Popen, str]:
    port_file = pathlib.Path(tempfile.mkdtemp()) / "port"
    proc = subprocess.Popen([sys.executable, str(HERE / "otlp_sink.py"), "--port-file", str(port_file)])
    for _ in range(200):
        if port_file.exists() and port_file.read_text():
            return proc, f"http://127.0.0.1:{port_file.read_text()}"
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("the OTLP sink did not start")


def drive(args: argparse.Namespace) -> list[dict]:
    sink, base = start_sink()
    results = []
    try:
        for rep in range(args.repeat):
            for variant in args.variants:
                sink_call(base, "/reset", post=True)
                env = dict(os.environ)
                path = args.before_path if variant == "before" else args.genops_path
                env["PYTHONPATH"] = os.pathsep.join(
                    [str(pathlib.Path(path).resolve()), env.get("PYTHONPATH", "")]
                )
                for k in [k for k in env if k.startswith("OTEL_")]:
                    del env[k]
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        variant,
                        "--endpoint",
                        base + "/v1/traces",
                        "--ops",
                        str(args.ops),
                        *(
                            ["--sampling-rate", str(args.sampling_rate)]
                            if args.sampling_rate is not None
                            else []
                        ),
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=3600,
                )
                if out.returncode != 0:
                    raise SystemExit(f"{variant} failed:\n{out.stderr}")
                r = json.loads(out.stdout.strip().splitlines()[-1])
                r["repeat"] = rep
                r["spans_received"] = sink_call(base, "/count")["spans"] if variant != "floor" else None
                r["delivered"] = None if variant == "floor" else r["spans_received"] / r["ops_total"]
                print(json.dumps(r), file=sys.stderr)
                results.append(r)
    finally:
        sink.terminate()
        sink.wait(10)
    return results


def summarise(results: list[dict]) -> dict[str, dict]:
    """Per variant, the median of each figure over the repeats."""
    out = {}
    for v in VARIANTS:
        rows = [r for r in results if r["variant"] == v]
        if not rows:
            continue
        out[v] = {
            k: (statistics.median(r[k] for r in rows) if rows[0][k] is not None else None)
            for k in rows[0]
            if k not in ("variant", "repeat", "native_drops")
        }
    return out


def write_outputs(summary: dict[str, dict], results: list[dict], args: argparse.Namespace) -> None:
    outdir = pathlib.Path(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    stem = "python" if args.sampling_rate is None else "python-sampled"
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    (outdir / f"{stem}.json").write_text(
        json.dumps({"machine": machine, "ops": args.ops, "summary": summary, "runs": results}, indent=1)
        + "\n"
    )
    g, o, f = summary.get("genops"), summary.get("otel"), summary.get("floor")
    lines = [
        "# Python: one GenOps operation, side by side",
        "",
        f"`benchmarks/python/bench_track.py --ops {args.ops} --repeat {args.repeat}"
        + ("`" if args.sampling_rate is None else f" --sampling-rate {args.sampling_rate}`")
        + f" on {machine};",
        "medians over the repeats. Workload: `with track_enhanced(operation_name, team, project,",
        "customer_id, feature) as span: span.record_cost(cost, provider, model, tokens_input,",
        "tokens_output)`, exporting OTLP/HTTP protobuf to a local receiver (its own process) with",
        "default batch settings, flat out."
        + (
            ""
            if args.sampling_rate is None
            else f" Head sampling at {args.sampling_rate} on both sides: genops' init(sampling_rate=...)"
            " (every span recorded, governance events kept), the SDK's"
            " ParentBased(TraceIdRatioBased) (a span left out is a NonRecordingSpan)."
        ),
        "",
        "| | app thread µs/op | app thread CPU µs/op | CPU µs/op incl. export "
        "| p50 µs | p99 µs | p99.9 µs | spans delivered |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for v in VARIANTS:
        s = summary.get(v)
        if not s:
            continue
        delivered = "—" if s["delivered"] is None else f"{100 * s['delivered']:.1f} %"
        lines.append(
            f"| {LABELS[v]} | {s['us_per_op']:.2f} | {s['app_cpu_us_per_op']:.2f} "
            f"| {s['cpu_us_per_op']:.2f} | {s['p50_us']:.2f} | {s['p99_us']:.2f} | {s['p999_us']:.2f} "
            f"| {delivered} |"
        )
    runs = [
        (r["us_per_op"], r["app_cpu_us_per_op"], r["native_drops"])
        for r in results
        if r["variant"] == "genops"
    ]
    lines += [
        "",
        f"Latencies include the timer pair around each op (median {g['timer_us'] if g else 0:.3f} µs).",
        "Each genops run (µs/op on the application thread, its CPU, genops' own drop counters): "
        + "; ".join(f"{w:.2f} / {c:.2f} / {d or 'no drops'}" for w, c, d in runs)
        + ". Where the application thread's time exceeds its CPU time it was waiting for a core.",
        "",
    ]
    if g and o and f and args.sampling_rate is None:
        lines += [
            "Targets (issue 6) and where they stand:",
            "",
            f"- CPU per operation including export ≤ 1.5 µs: **{g['cpu_us_per_op']:.2f} µs** "
            f"({'met' if g['cpu_us_per_op'] <= 1.5 else 'not met'}); the OpenTelemetry path: "
            f"{o['cpu_us_per_op']:.1f} µs, {o['cpu_us_per_op'] / g['cpu_us_per_op']:.0f}× more.",
            f"- every span delivered: **{100 * g['delivered']:.1f} %** "
            f"({'met' if g['delivered'] >= 0.9999 else 'not met'}); the OpenTelemetry path: "
            f"{100 * o['delivered']:.1f} %.",
            f"- application-thread time ≤ the do-nothing floor: **{g['us_per_op']:.2f} µs** against "
            f"{f['us_per_op']:.2f} µs ({'met' if g['us_per_op'] <= f['us_per_op'] else 'not met'}).",
            f"- p99.9 < 20 µs: **{g['p999_us']:.1f} µs** ({'met' if g['p999_us'] < 20 else 'not met'}).",
            "",
        ]
    (outdir / f"{stem}.md").write_text("\n".join(lines))
    plot(summary, outdir / f"{stem}.png", machine)


def plot(summary: dict[str, dict], path: pathlib.Path, machine: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [v for v in VARIANTS if v in summary]
    colors = {"genops": "#2b7bba", "before": "#9ecae1", "otel": "#d95f02", "floor": "#999999"}
    panels = [
        ("us_per_op", "application thread, µs / op", True),
        ("cpu_us_per_op", "CPU incl. export thread, µs / op", True),
        ("p999_us", "p99.9 latency, µs", True),
        ("delivered", "spans delivered, %", False),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(15, 4))
    for ax, (key, title, log) in zip(axes, panels):
        vals = [summary[v][key] for v in names]
        shown = [(n, (100 * x if key == "delivered" else x)) for n, x in zip(names, vals) if x is not None]
        bars = ax.bar(
            [LABELS[n].split(" (")[0].replace("genops-ai path on the ", "genops-ai on ") for n, _ in shown],
            [x for _, x in shown],
            color=[colors[n] for n, _ in shown],
        )
        for b, (_, x) in zip(bars, shown):
            ax.annotate(
                f"{x:.3g}",
                (b.get_x() + b.get_width() / 2, b.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
        if log:
            ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelsize=7, rotation=15)
    fig.suptitle(f"One GenOps operation in Python ({machine})", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--variants", nargs="+", choices=VARIANTS)
    ap.add_argument("--genops-path", default=str(ROOT / "build" / "pyrel" / "python"))
    ap.add_argument("--before-path", help="an earlier build's genops directory: its own row")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    ap.add_argument("--endpoint", help=argparse.SUPPRESS)
    ap.add_argument("--sampling-rate", type=float, default=None)
    args = ap.parse_args()
    if args.child:
        global SAMPLING_RATE
        SAMPLING_RATE = args.sampling_rate
        print(json.dumps(run_variant(args.child, args.endpoint, args.ops)))
        return
    rev = pathlib.Path(args.before_path or ".").resolve().parent.parent / "REV"  # build_before.sh's
    if rev.is_file():
        LABELS["before"] = f"genops, built from {rev.read_text().strip()}"
    if not args.variants:
        args.variants = [v for v in VARIANTS if v != "before" or args.before_path]
    if "before" in args.variants and not args.before_path:
        ap.error("the before variant needs --before-path")
    results = drive(args)
    pathlib.Path(args.out).mkdir(parents=True, exist_ok=True)
    (pathlib.Path(args.out) / "python.runs.tmp").write_text(json.dumps(results))  # in case
    summary = summarise(results)
    write_outputs(summary, results, args)
    stem = "python" if args.sampling_rate is None else "python-sampled"
    print((pathlib.Path(args.out) / f"{stem}.md").read_text())


if __name__ == "__main__":
    main()
