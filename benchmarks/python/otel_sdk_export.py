"""The OpenTelemetry Python SDK's own export path, for benchmarks/compare_otlp_grpc.py:
N spans shaped like genops_otlp_driver's (a GenOps operation: team and tag context, a
cost record, about 18 attributes in all) recorded through a TracerProvider with a
BatchSpanProcessor (512-span batches, a queue for the whole run) and the SDK's
OTLPSpanExporter, gRPC or HTTP protobuf, then force_flush. Prints one JSON object:
{"seconds": wall time from the first span to the end of the flush, "cpu_seconds": the
process's CPU time over the same window (all threads; interpreter start-up and imports
left out), "exported": spans the exporter reported as delivered}.

    python3 otel_sdk_export.py --protocol grpc|http --endpoint URL --spans N
"""

from __future__ import annotations

import argparse
import json
import time

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult

TEAMS = ("ai-platform", "support", "search", "billing")


def counting(exporter):
    """exporter, counting the spans of each successful export in exporter.delivered."""
    exporter.delivered = 0
    export = exporter.export

    def export_and_count(spans):
        result = export(spans)
        if result is SpanExportResult.SUCCESS:
            exporter.delivered += len(spans)
        return result

    exporter.export = export_and_count
    return exporter


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--protocol", choices=("grpc", "http"), required=True)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--spans", type=int, default=20000)
    args = ap.parse_args()
    if args.protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=args.endpoint, insecure=True)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=args.endpoint)
    exporter = counting(exporter)
    provider = TracerProvider(resource=Resource.create({"service.name": "otel-sdk-bench"}))
    provider.add_span_processor(
        BatchSpanProcessor(exporter, max_queue_size=args.spans + 1, max_export_batch_size=512)
    )
    tracer = provider.get_tracer("genops.bench")
    t0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(args.spans):
        span = tracer.start_span("chat.completion")
        span.set_attribute("genops.team", TEAMS[i % 4])
        span.set_attribute("genops.driver.tag", "parent")
        span.set_attribute("genops.cost.total", 0.0021 * (i % 7 + 1))
        span.set_attribute("genops.cost.currency", "USD")
        span.set_attribute("genops.cost.provider", "openai")
        span.set_attribute("genops.cost.model", "gpt-4o")
        span.set_attribute("genops.tokens.input", 150 + i % 100)
        span.set_attribute("genops.tokens.output", 40 + i % 50)
        span.set_attribute("genops.tokens.total", 190 + i % 100 + i % 50)
        span.set_attribute("genops.operation.name", "chat.completion")
        span.set_attribute("genops.operation.type", "ai.inference")
        for k in range(5):
            span.set_attribute(f"genops.extra.{k}", i * k)
        span.set_attribute("driver.index", i)
        span.end()
    provider.force_flush(120_000)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    provider.shutdown()
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "exported": exporter.delivered}))


if __name__ == "__main__":
    main()
