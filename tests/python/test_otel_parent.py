"""A genops operation started while an OpenTelemetry span is current becomes its
child: same trace id, parent span id = the OpenTelemetry span's."""

from __future__ import annotations

import json
import textwrap

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from pychild import run_python

import genops

TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
SPAN_ID = 0xB7AD6B7169203331


def _otel_span(flags: int) -> NonRecordingSpan:
    return NonRecordingSpan(SpanContext(TRACE_ID, SPAN_ID, is_remote=False, trace_flags=TraceFlags(flags)))


def test_operation_inside_otel_span_is_its_child(genops_memory):
    with trace.use_span(_otel_span(0x01)):
        with genops.track("op"):
            with genops.track("inner"):
                pass
    spans = {s.name: s for s in genops_memory.finished_spans()}
    assert spans["op"].trace_id == f"{TRACE_ID:032x}"
    assert spans["op"].parent_span_id == f"{SPAN_ID:016x}"
    assert spans["inner"].trace_id == f"{TRACE_ID:032x}"
    assert spans["inner"].parent_span_id == spans["op"].span_id  # genops' own span first


def test_invalid_otel_span_is_no_parent(genops_memory):
    with trace.use_span(trace.INVALID_SPAN):
        with genops.track("op"):
            pass
    (span,) = genops_memory.finished_spans()
    assert span.parent_span_id is None


def test_no_current_otel_span_is_a_root(genops_memory):
    with genops.track("root"):
        pass
    (span,) = genops_memory.finished_spans()
    assert span.parent_span_id is None
    assert span.trace_id != f"{TRACE_ID:032x}"


def test_otel_span_genops_op_otel_span_is_one_trace(genops_memory):
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    otel_spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(otel_spans))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("outer") as outer:
        with genops.track("op") as op:
            with tracer.start_as_current_span("inner"):
                with genops.track("leaf"):
                    pass
        after = trace.get_current_span()
    assert after is outer  # the genops span was detached on exit
    assert op.get_span_context().is_valid
    by_name = {s.name: s for s in otel_spans.get_finished_spans()}
    genops_spans = {s.name: s for s in genops_memory.finished_spans()}
    trace_id = f"{by_name['outer'].context.trace_id:032x}"
    assert genops_spans["op"].trace_id == trace_id
    assert genops_spans["op"].parent_span_id == f"{by_name['outer'].context.span_id:016x}"
    assert by_name["inner"].context.trace_id == by_name["outer"].context.trace_id
    assert f"{by_name['inner'].parent.span_id:016x}" == genops_spans["op"].span_id
    assert genops_spans["leaf"].trace_id == trace_id
    assert genops_spans["leaf"].parent_span_id == f"{by_name['inner'].context.span_id:016x}"


def test_opentelemetry_imported_after_operations_is_still_seen():
    """genops looks for opentelemetry.trace only when sys.modules changed since it last
    missed it: an application importing it after its first operations still links."""
    r = run_python(
        textwrap.dedent(
            f"""
            import json
            import genops, genops.testing
            genops.init(exporter_type="memory", service_name="late-otel")
            with genops.track("before"):
                pass
            from opentelemetry import trace
            from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
            otel = NonRecordingSpan(SpanContext({TRACE_ID}, {SPAN_ID}, is_remote=False,
                                                trace_flags=TraceFlags(1)))
            with trace.use_span(otel):
                with genops.track("after"):
                    pass
            print(json.dumps({{s.name: s.parent_span_id for s in genops.testing.finished_spans()}}))
            """
        )
    )
    assert r.returncode == 0, r.stderr
    parents = json.loads(r.stdout.splitlines()[-1])
    assert parents == {"before": None, "after": f"{SPAN_ID:016x}"}
