"""A genops operation started while an OpenTelemetry span is current becomes its
child: same trace id, parent span id = the OpenTelemetry span's."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

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
