"""`genops bench`: N operations through each chosen exporter into the embedded
receiver (genops.demo.receiver, 127.0.0.1), measured side by side with a do-nothing
floor and, with --against-otel, the OpenTelemetry Python SDK doing the same work
(a BatchSpanProcessor and its OTLP/HTTP protobuf exporter).

The operation is the guides' one: track_enhanced(operation_name, team, project,
feature, customer_id) with record_cost (provider, model, tokens, cost) and
record_policy. Each exporter runs in its own pipeline after a warm-up, twice:

- pass A, flat out: ops/s and CPU per op on the application thread (thread CPU time
  of the loop), and CPU per op including export (process CPU time from the first
  operation until the flush after the last returned, less the CPU the receiver's
  own threads spent, which they measure);
- pass B, a perf_counter_ns pair around each operation: p50 / p99 / p99.9 latency on
  the application thread.

Bytes per span are the request bytes on the wire (after gzip) over the spans that
arrived, which the receiver counts in each request (OTLP protobuf by its fields,
HEC objects, the Events API array). otlp-grpc, offered when grpcio is installed,
goes to genops.demo.grpc_receiver instead: its bytes are the protobuf messages'
(without gRPC and HTTP/2 framing), and none are shown with gzip, as grpcio hands
the handler the message decompressed. Lost = operations that did not arrive; genops
counts each one dropped, with its reason (the pipeline's dropped_* counters), and
the run fails (ok False) if any is not. A producer flat out can outrun the
receiver, which shares this process and its GIL: then the bounded queues drop, as
they should. Numbers vary with the machine and its load: benchmarks/README.md has
the tables measured there.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .. import _runtime
from . import grpc_receiver
from .receiver import Receiver
from .run import HEC_TOKEN, HONEYCOMB_KEY, LoopbackNotes

if TYPE_CHECKING:
    from .grpc_receiver import GrpcReceiver

EXPORTERS = ("otlp", "otlp-json", "otlp-grpc", "splunk", "honeycomb", "honeycomb-events")
GRPC = "otlp-grpc"  # received by grpc_receiver, so only with grpcio installed
WARMUP = 500
TEAMS = ("customer-support", "ml-research", "marketing")
CUSTOMERS = ("enterprise-abc", "business-xyz", "startup-123", "enterprise-def")


def _spec(kind: str, base: str, gzip: bool) -> dict[str, Any]:
    # "none" explicitly: the Events API's own default is zstd
    spec: dict[str, Any] = {"type": kind, "options": {"compression": "gzip" if gzip else "none"}}
    if kind in ("otlp", "otlp-json", GRPC):
        spec["endpoint"] = base
    elif kind == "splunk":
        spec.update(endpoint=base, token=HEC_TOKEN, index="genops_ai")
    else:
        spec.update(api_key=HONEYCOMB_KEY, dataset="genops-bench", api_endpoint=base)
    return spec


def unavailable(kinds: list[str]) -> Optional[str]:
    """Why bench cannot run these exporters here (None: it can)."""
    if GRPC in kinds and not grpc_receiver.available():
        return (
            f"--exporter {GRPC} needs {grpc_receiver.PACKAGE} for its embedded receiver "
            f"(pip install {grpc_receiver.PACKAGE})"
        )
    return None


def default_exporters(built: list[str]) -> list[str]:
    """Every exporter of EXPORTERS that is built and can be received here."""
    return [k for k in EXPORTERS if k in built and unavailable([k]) is None]


def _operation(
    track: Callable[..., Any], cost: Callable[..., None], policy: Callable[..., None]
) -> Callable[[int], None]:
    """Operation i, with these track, record_cost and record_policy."""

    def op(i: int) -> None:
        with track(
            operation_name="ai.chat.completion",
            team=TEAMS[i % 3],
            project="chat-assistant",
            feature="support-chat",
            customer_id=CUSTOMERS[i % 4],
        ) as span:
            cost(
                span,
                provider="openai",
                model="gpt-4o-mini",
                input_tokens=150,
                output_tokens=50,
                total_cost=0.0325,
            )
            policy(span, policy_name="cost_limit", policy_result="allowed")

    return op


def _genops_op() -> Callable[[int], None]:
    from ..core import track_enhanced
    from ..core.telemetry import GenOpsTelemetry

    telemetry = GenOpsTelemetry()
    return _operation(track_enhanced, telemetry.record_cost, telemetry.record_policy)


class _Nothing:
    def __enter__(self) -> _Nothing:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


_NOTHING = _Nothing()


def _track_nothing(**attrs: Any) -> _Nothing:
    return _NOTHING


def _record_nothing(span: Any, **attrs: Any) -> None:
    pass


def _floor_op() -> Callable[[int], None]:
    """The same calls doing nothing: what the loop and the arguments cost."""
    return _operation(_track_nothing, _record_nothing, _record_nothing)


def _otel(
    base: str, gzip: bool, queue: Optional[int]
) -> tuple[Callable[[int], None], Callable[[], Any], Callable[[], None]]:
    """The OpenTelemetry SDK recording the same attributes: (op, flush, shutdown)."""
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "genops-bench"}))
    exporter = OTLPSpanExporter(
        endpoint=f"{base}/v1/traces", compression=Compression.Gzip if gzip else Compression.NoCompression
    )
    processor = (
        BatchSpanProcessor(exporter, max_queue_size=queue, max_export_batch_size=min(512, queue))
        if queue
        else BatchSpanProcessor(exporter)
    )
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("genops-bench")

    def op(i: int) -> None:
        with tracer.start_as_current_span("ai.chat.completion") as span:
            span.set_attributes(
                {
                    "genops.operation.name": "ai.chat.completion",
                    "genops.team": TEAMS[i % 3],
                    "genops.project": "chat-assistant",
                    "genops.feature": "support-chat",
                    "genops.customer_id": CUSTOMERS[i % 4],
                    "genops.cost.total": 0.0325,
                    "genops.cost.currency": "USD",
                    "genops.cost.provider": "openai",
                    "genops.cost.model": "gpt-4o-mini",
                    "genops.tokens.input": 150,
                    "genops.tokens.output": 50,
                    "genops.tokens.total": 200,
                    "genops.policy.name": "cost_limit",
                    "genops.policy.result": "allowed",
                }
            )

    return op, lambda: provider.force_flush(30_000), provider.shutdown


class Progress:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.on = sys.stderr.isatty()

    def step(self, label: str, n: int) -> None:
        self.done += n
        if self.on:
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\r{label:<24} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}")
            sys.stderr.flush()

    def end(self) -> None:
        if self.on:
            sys.stderr.write("\r" + " " * 72 + "\r")


def _percentile(ranked: list[int], p: float) -> float:
    return ranked[max(0, math.ceil(p / 100 * len(ranked)) - 1)] / 1000.0


def _measure(
    name: str,
    op: Callable[[int], None],
    flush: Callable[[], Any],
    n: int,
    receiver: Optional[Union[Receiver, GrpcReceiver]],
    progress: Progress,
) -> dict[str, Any]:
    chunk = max(1, n // 50)
    for i in range(WARMUP):
        op(i)
    flush()
    if receiver is not None:
        receiver.reset()
    before = _runtime.stats()
    # pass A: flat out
    wall, cpu, app = time.perf_counter(), time.process_time(), time.thread_time()
    for start in range(0, n, chunk):
        for i in range(start, min(n, start + chunk)):
            op(i)
        progress.step(name, min(chunk, n - start))
    app = time.thread_time() - app
    wall = time.perf_counter() - wall
    flush()
    cpu = time.process_time() - cpu - (receiver.cpu_seconds if receiver is not None else 0.0)
    arrived = sum(r.items for r in receiver.requests()) if receiver is not None else n
    wire = sum(r.wire_bytes for r in receiver.requests()) if receiver is not None else 0
    after = _runtime.stats()
    # pass B: each operation timed
    lat = [0] * n
    clock = time.perf_counter_ns
    for start in range(0, n, chunk):
        for i in range(start, min(n, start + chunk)):
            t = clock()
            op(i)
            lat[i] = clock() - t
        progress.step(name, min(chunk, n - start))
    flush()
    lat.sort()
    return {
        "exporter": name,
        "ops": n,
        "ops_per_s": round(n / wall),
        "app_cpu_us_per_op": round(app / n * 1e6, 3),
        "cpu_us_per_op": round(cpu / n * 1e6, 3),
        "bytes_per_span": round(wire / arrived, 1) if arrived and receiver is not None else None,
        "arrived": arrived,
        "lost": n - arrived,
        "dropped": {
            k: after[k] - before.get(k, 0)
            for k in after
            if k.startswith("dropped_") and after[k] != before.get(k, 0)
        },
        "p50_us": _percentile(lat, 50),
        "p99_us": _percentile(lat, 99),
        "p99_9_us": _percentile(lat, 99.9),
    }


def run(
    ops: int,
    exporters: list[str],
    gzip: bool = False,
    against_otel: bool = False,
    queue: Optional[int] = None,
) -> dict[str, Any]:
    """Measure; the report's rows are in the order run, the floor first. queue: every
    pipeline's max_queue_size (genops's and the SDK's), else each one's default."""
    variants = [(kind, False) for kind in exporters] + ([(kind, True) for kind in exporters] if gzip else [])
    otel_installed = True
    if against_otel:
        try:
            import opentelemetry.exporter.otlp.proto.http  # noqa: F401
            import opentelemetry.sdk  # noqa: F401
        except ImportError:
            otel_installed = False
    runs = 1 + len(variants) + ((2 if gzip else 1) if against_otel and otel_installed else 0)
    progress = Progress(2 * ops * runs)
    note = LoopbackNotes()
    logging.getLogger("genops").addFilter(note)
    try:
        report = _run(ops, variants, against_otel and otel_installed, queue, progress)
        if against_otel and not otel_installed:
            report["notes"].append(
                "--against-otel: the OpenTelemetry SDK and its OTLP/HTTP exporter are not installed "
                "(pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http)"
            )
        report["max_queue_size"] = queue
        return report
    finally:
        logging.getLogger("genops").removeFilter(note)
        progress.end()


def _run(
    ops: int, variants: list[tuple[str, bool]], otel: bool, queue: Optional[int], progress: Progress
) -> dict[str, Any]:
    gzip = any(z for _, z in variants)
    rows = [_measure("floor", _floor_op(), lambda: None, ops, None, progress)]
    rows[0]["bytes_per_span"] = None
    op = _genops_op()
    for kind, z in variants:
        with grpc_receiver.GrpcReceiver() if kind == GRPC else Receiver(decode=False) as receiver:
            _runtime.install(
                _runtime.build(
                    exporters=[_spec(kind, receiver.base, z)],
                    service_name="genops-bench",
                    configured_by="bench",
                    max_queue_size=queue,
                )
            )
            row = _measure(
                kind + ("+gzip" if z else ""), op, lambda: _runtime.flush(30), ops, receiver, progress
            )
            if kind == GRPC and z:
                row["bytes_per_span"] = None  # grpcio gives the decompressed size only
            rows.append(row)
    _runtime.shutdown(5)
    if otel:
        for z in (False, True) if gzip else (False,):
            with Receiver(decode=False) as receiver:
                otel_op, flush, stop = _otel(receiver.base, z, queue)
                row = _measure(
                    "otel-sdk otlp" + ("+gzip" if z else ""), otel_op, flush, ops, receiver, progress
                )
                stop()
                row["dropped"] = {}  # the SDK counts none; lost says what it dropped
                rows.append(row)
    for r in rows:
        r["why"] = ", ".join(f"{v} {k.removeprefix('dropped_')}" for k, v in sorted(r["dropped"].items()))
        if r["exporter"].startswith("otel") and r["lost"]:
            r["why"] = "uncounted (the SDK logs 'Queue full')"
    silent = [
        r["exporter"]
        for r in rows
        if not r["exporter"].startswith("otel") and r["lost"] != sum(r["dropped"].values())
    ]
    return {"ok": not silent, "lost_silently": silent, "ops": ops, "rows": rows, "notes": []}


COLUMNS = (
    ("exporter", "exporter"),
    ("ops_per_s", "ops/s"),
    ("app_cpu_us_per_op", "app CPU us/op"),
    ("cpu_us_per_op", "CPU us/op incl. export"),
    ("bytes_per_span", "bytes/span"),
    ("lost", "lost"),
    ("why", "dropped, by reason"),
    ("p50_us", "p50 us"),
    ("p99_us", "p99 us"),
    ("p99_9_us", "p99.9 us"),
)


def plot(report: dict[str, Any], path: str) -> None:
    """A PNG: throughput, CPU per operation and latency percentiles per exporter.
    Raises ImportError without matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["rows"]
    names = [r["exporter"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    axes[0].barh(names, [r["ops_per_s"] for r in rows], color="tab:blue")
    axes[0].set_xlabel("operations per second (app thread)")
    y = range(len(rows))
    axes[1].barh([i + 0.2 for i in y], [r["cpu_us_per_op"] for r in rows], height=0.4, label="incl. export")
    axes[1].barh([i - 0.2 for i in y], [r["app_cpu_us_per_op"] for r in rows], height=0.4, label="app thread")
    axes[1].set_yticks(list(y), names)
    axes[1].set_xlabel("CPU µs per operation")
    axes[1].legend()
    for key, label in (("p50_us", "p50"), ("p99_us", "p99"), ("p99_9_us", "p99.9")):
        axes[2].plot(names, [r[key] for r in rows], marker="o", label=label)
    axes[2].set_yscale("log")
    axes[2].set_ylabel("latency µs (app thread)")
    axes[2].tick_params(axis="x", rotation=45)
    axes[2].legend()
    fig.suptitle(f"genops bench: {report['ops']} operations per exporter")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
