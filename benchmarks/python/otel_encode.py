#!/usr/bin/env python3
"""The OpenTelemetry Python SDK's OTLP protobuf encoding of the spans bench_encode.c
encodes: 512 spans of 20 attributes (12 strings, 5 integers, 3 doubles), the same
resource, recorded with the SDK and encoded the way its OTLP/HTTP exporter does
(``encode_spans(spans).SerializePartialToString()``, opentelemetry-exporter-otlp-proto-common).

    python3 benchmarks/python/otel_encode.py          # a line of text
    python3 benchmarks/python/otel_encode.py --json   # one JSON line, for compare_encode.py

Prints the best of several rounds, as bench_encode does.
"""

import json
import sys
import time

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

SPANS = 512
ROUNDS = 7


def record():
    memory = InMemorySpanExporter()
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": "support-assistant",
                "service.version": "2.4.1",
                "deployment.environment": "production",
            }
        )
    )
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("genops-ai", "0.1.0")
    for i in range(SPANS):
        attributes = {
            "genops.operation.name": "chat.completion",
            "genops.operation.type": "ai.inference",
            "genops.team": "ml-platform",
            "genops.project": "support-assistant",
            "genops.customer_id": "customer-0042",
            "genops.feature": "ticket-summary",
            "genops.environment": "production",
            "genops.cost.provider": "openai",
            "genops.cost.model": "gpt-4o-2024-08-06",
            "genops.cost.currency": "USD",
            "genops.policy.name": "pii-redaction",
            "genops.policy.result": "allowed",
            "genops.tokens.input": 1200 + i,
            "genops.tokens.output": 350 + i % 50,
            "genops.tokens.total": 1550 + i + i % 50,
            "genops.retries": i % 3,
            "genops.latency_ms": 840 + i % 97,
            "genops.cost.total": 0.0125 + i * 0.0001,
            "genops.budget.remaining": 4872.35 - i * 0.0125,
            "genops.eval.score": 0.5 + (i % 50) / 100.0,
        }
        with tracer.start_as_current_span("chat.completion", kind=SpanKind.CLIENT, attributes=attributes):
            pass
    provider.shutdown()
    return memory.get_finished_spans()


def measure(spans):
    best = None
    reps = 1
    for round_ in range(ROUNDS):
        start = time.perf_counter()
        done = 0
        while True:
            for _ in range(reps):
                payload = encode_spans(spans).SerializePartialToString()
            done += reps
            elapsed = time.perf_counter() - start
            if elapsed >= 0.2:
                break
            if round_ == 0:
                reps *= 2
        ns = elapsed / done / len(spans) * 1e9
        best = ns if best is None or ns < best else best
    return best, len(payload) / len(spans)


def main():
    spans = record()
    ns, size = measure(spans)
    name = "protobuf, OpenTelemetry Python SDK (encode_spans + serialize)"
    if sys.argv[1:] == ["--json"]:
        print(json.dumps({"name": name, "ns_per_span": round(ns, 1), "bytes_per_span": size}))
    else:
        print(f"{name}: {ns:.0f} ns/span, {1e3 / ns:.3f} M spans/s, {size:.0f} bytes/span")


if __name__ == "__main__":
    main()
