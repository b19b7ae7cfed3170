"""genops.propagation against the W3C rules and against opentelemetry.propagate's own
propagators (the real opentelemetry-api package), in both directions."""

from __future__ import annotations

import pytest

import genops
from genops import propagation

otel_propagate = pytest.importorskip("opentelemetry.propagate")
otel_trace = pytest.importorskip("opentelemetry.trace")
otel_baggage = pytest.importorskip("opentelemetry.baggage")

TRACE = 0x4BF92F3577B34DA6A3CE929D0E0E4736
SPAN = 0x00F067AA0BA902B7


def test_inject_writes_the_current_genops_span(genops_memory):
    carrier: dict[str, str] = {}
    with genops.track("op") as span:
        propagation.inject(carrier)
        sc = span.get_span_context()
    assert carrier["traceparent"] == f"00-{sc.trace_id:032x}-{sc.span_id:016x}-01"
    assert "baggage" not in carrier and "tracestate" not in carrier


def test_inject_without_a_current_span_writes_nothing(genops_memory):
    carrier: dict[str, str] = {}
    propagation.inject(carrier)
    assert carrier == {}


def test_opentelemetry_reads_what_genops_writes(genops_memory):
    carrier: dict[str, str] = {}
    with genops.track("op") as span:
        propagation.inject(carrier, baggage={"tenant": "a=b,c;d", "k": "v"})
        sc = span.get_span_context()
    ctx = otel_propagate.extract(carrier)
    remote = otel_trace.get_current_span(ctx).get_span_context()
    assert remote.is_remote and remote.is_valid
    assert (remote.trace_id, remote.span_id) == (sc.trace_id, sc.span_id)
    assert remote.trace_flags.sampled
    assert otel_baggage.get_all(ctx) == {"tenant": "a=b,c;d", "k": "v"}


def test_genops_reads_what_opentelemetry_writes():
    span_context = otel_trace.SpanContext(
        TRACE,
        SPAN,
        is_remote=False,
        trace_flags=otel_trace.TraceFlags(0),
        trace_state=otel_trace.TraceState([("vendor", "x1"), ("other", "y")]),
    )
    ctx = otel_trace.set_span_in_context(otel_trace.NonRecordingSpan(span_context))
    ctx = otel_baggage.set_baggage("user.id", "ü=1;2", context=ctx)
    carrier: dict[str, str] = {}
    otel_propagate.inject(carrier, context=ctx)
    got = propagation.extract(carrier)
    assert got is not None
    assert (got.trace_id, got.span_id, got.sampled) == (TRACE, SPAN, False)
    assert got.tracestate == "vendor=x1,other=y"
    assert got.baggage == {"user.id": "ü=1;2"}
    # Round trip: genops forwards what it was sent, and OpenTelemetry agrees.
    out: dict[str, str] = {}
    propagation.inject(out, got)
    again = otel_trace.get_current_span(otel_propagate.extract(out)).get_span_context()
    assert (again.trace_id, again.span_id, again.trace_flags) == (TRACE, SPAN, 0)
    assert again.trace_state.to_header() == "vendor=x1,other=y"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"ff-{TRACE:032x}-{SPAN:016x}-01",  # version ff is invalid
        f"00-{TRACE:032x}-{SPAN:016x}-01-extra",  # version 00 has four fields
        f"00-{0:032x}-{SPAN:016x}-01",  # all-zero trace id
        f"00-{TRACE:032x}-{0:016x}-01",  # all-zero span id
        f"00-{TRACE:032X}-{SPAN:016x}-01",  # uppercase hex
        f"00-{TRACE:032x}"[:-1] + f"-{SPAN:016x}-01",  # short trace id
    ],
)
def test_invalid_traceparent_is_ignored_like_opentelemetry(header):
    carrier = {"traceparent": header}
    assert propagation.extract(carrier) is None
    otel = otel_trace.get_current_span(otel_propagate.extract(carrier)).get_span_context()
    assert not otel.is_valid


def test_future_version_and_header_case_and_lists():
    header = f"cc-{TRACE:032x}-{SPAN:016x}-01-whatever"
    got = propagation.extract({"TraceParent": [header], "BAGGAGE": ["a=1", "b=2;p=q"]})
    assert got is not None and (got.trace_id, got.span_id, got.sampled) == (TRACE, SPAN, True)
    assert got.baggage == {"a": "1", "b": "2"}


def test_bad_tracestate_and_baggage_members():
    tp = f"00-{TRACE:032x}-{SPAN:016x}-01"
    many = ",".join(f"k{i}=v" for i in range(33))
    got = propagation.extract({"traceparent": tp, "tracestate": many, "baggage": "=x,ok=1,nokey"})
    assert got is not None
    assert got.tracestate == ""  # more than 32 members: the whole header is invalid
    assert got.baggage == {"ok": "1"}


def test_carrier_type_errors():
    with pytest.raises(TypeError, match="mapping"):
        propagation.extract("traceparent")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="mutable mapping"):
        propagation.inject(())  # type: ignore[arg-type]


def test_importing_genops_does_not_import_opentelemetry():
    import subprocess
    import sys

    code = (
        "import sys, genops, genops.propagation; "
        "print([m for m in sys.modules if m.startswith('opentelemetry')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
