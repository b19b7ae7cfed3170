"""genops.propagation against the W3C rules and against opentelemetry.propagate's own
propagators (the real opentelemetry-api package), in both directions; attach(): service
A's operation -> inject -> headers -> service B's extract -> attach -> operation, at the
memory exporter and at the local OTLP receiver."""

from __future__ import annotations

import pytest

import genops
from genops import propagation
from genops.core.telemetry import GenOpsTelemetry

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


# ---- attach(): continuing a remote trace with genops alone ------------------------------


def _service_a_headers() -> tuple[dict[str, str], int, int]:
    """Service A: an operation that calls out, its trace context in the headers."""
    carrier: dict[str, str] = {}
    with genops.track("a.handle") as span:
        propagation.inject(carrier, baggage={"tenant": "acme"})
        sc = span.get_span_context()
    return carrier, sc.trace_id, sc.span_id


def _by_name(mem) -> dict:
    return {s.name: s for s in mem.finished_spans()}


def test_attach_makes_service_b_a_child_of_service_a(genops_memory):
    carrier, trace_id, span_id = _service_a_headers()
    remote = propagation.extract(carrier)  # service B, from the incoming request
    assert remote is not None
    with propagation.attach(remote) as got:
        assert got is remote and propagation.attached() is remote
        with genops.track("b.handle"):
            pass
    assert propagation.attached() is None
    with genops.track("b.after"):  # detached: a new trace again
        pass
    spans = _by_name(genops_memory)
    b = spans["b.handle"]
    assert (b.trace_id, b.parent_span_id) == (f"{trace_id:032x}", f"{span_id:016x}")
    assert spans["b.after"].parent_span_id is None
    assert spans["b.after"].trace_id != b.trace_id


def test_nested_operations_under_attach_and_token_form(genops_memory):
    remote = propagation.RemoteContext(TRACE, SPAN)
    token = propagation.attach(remote)
    try:
        with genops.track("outer") as outer, GenOpsTelemetry().trace_operation("inner"):
            outer_id = f"{outer.get_span_context().span_id:016x}"
        span = GenOpsTelemetry().create_span("plain")
        span.end()
    finally:
        propagation.detach(token)
    spans = _by_name(genops_memory)
    assert {s.trace_id for s in spans.values()} == {f"{TRACE:032x}"}
    assert spans["outer"].parent_span_id == f"{SPAN:016x}"
    assert spans["inner"].parent_span_id == outer_id
    assert spans["plain"].parent_span_id == f"{SPAN:016x}"
    with pytest.raises(RuntimeError):  # contextvars: a token is used once
        propagation.detach(token)


def test_an_unsampled_remote_parent_samples_b_out(genops_memory):
    from genops import _runtime

    before = _runtime.stats()["sampled_out"]
    with propagation.attach(propagation.RemoteContext(TRACE, SPAN, trace_flags=0)):
        with genops.track("b.unsampled") as span, genops.track("b.child"):
            carrier: dict[str, str] = {}
            propagation.inject(carrier)
        assert not span.get_span_context().trace_flags & 1
    genops.flush(timeout=10)
    assert genops_memory.finished_spans() == []
    assert _runtime.stats()["sampled_out"] - before == 2
    assert carrier["traceparent"].endswith("-00")  # the decision travels on


def test_inject_under_attach_forwards_baggage_and_tracestate(genops_memory):
    remote = propagation.RemoteContext(TRACE, SPAN, 1, "vendor=x1", {"tenant": "acme"})
    with propagation.attach(remote):
        outside: dict[str, str] = {}
        propagation.inject(outside)  # no genops span: the remote context itself
        with genops.track("b.call") as span:
            inside: dict[str, str] = {}
            propagation.inject(inside)
            sc = span.get_span_context()
    assert outside == {
        "traceparent": f"00-{TRACE:032x}-{SPAN:016x}-01",
        "tracestate": "vendor=x1",
        "baggage": "tenant=acme",
    }
    assert inside["traceparent"] == f"00-{TRACE:032x}-{sc.span_id:016x}-01"
    assert (inside["tracestate"], inside["baggage"]) == ("vendor=x1", "tenant=acme")
    # Baggage travels; it is not written onto spans (as OpenTelemetry's SDK by default).
    assert "tenant" not in genops_memory.finished_spans()[0].attributes


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (None, TypeError),
        ({"traceparent": f"00-{TRACE:032x}-{SPAN:016x}-01"}, TypeError),
        (f"00-{TRACE:032x}-{SPAN:016x}-01", TypeError),
        (propagation.RemoteContext("1", SPAN), TypeError),  # type: ignore[arg-type]
        (propagation.RemoteContext(TRACE, True), TypeError),  # type: ignore[arg-type]
        (propagation.RemoteContext(0, SPAN), ValueError),
        (propagation.RemoteContext(TRACE, 1 << 64), ValueError),
        (propagation.RemoteContext(TRACE, SPAN, 256), ValueError),
    ],
)
def test_attach_refuses_what_is_not_a_valid_remote_context(genops_memory, bad, error):
    with pytest.raises(error, match="RemoteContext"):
        propagation.attach(bad)
    assert propagation.attached() is None
    with pytest.raises(TypeError, match="attach"):
        propagation.detach(None)  # type: ignore[arg-type]


def test_attach_is_per_thread(genops_memory):
    import threading

    names: list[str] = []

    def other_thread() -> None:
        names.append(repr(propagation.attached()))
        with genops.track("other-thread"):
            pass

    with propagation.attach(propagation.RemoteContext(TRACE, SPAN)):
        t = threading.Thread(target=other_thread)
        t.start()
        t.join(timeout=10)
        with genops.track("this-thread"):
            pass
    assert names == ["None"]
    spans = _by_name(genops_memory)
    assert spans["this-thread"].parent_span_id == f"{SPAN:016x}"
    assert spans["other-thread"].parent_span_id is None


def test_attach_is_per_asyncio_task(genops_memory):
    import asyncio

    async def handler(n: int) -> None:
        with propagation.attach(propagation.RemoteContext(TRACE + n, SPAN + n)):
            await asyncio.sleep(0)  # the other task runs here, with its own attach
            with genops.track(f"task-{n}"):
                await asyncio.sleep(0)

    async def inherits() -> None:
        with genops.track("inherited"):
            pass

    async def main() -> None:
        await asyncio.gather(handler(1), handler(2))
        with propagation.attach(propagation.RemoteContext(TRACE, SPAN)):
            await asyncio.create_task(inherits())  # a task copies the context it starts in

    asyncio.run(main())
    spans = _by_name(genops_memory)
    for n in (1, 2):
        s = spans[f"task-{n}"]
        assert (s.trace_id, s.parent_span_id) == (f"{TRACE + n:032x}", f"{SPAN + n:016x}")
    assert spans["inherited"].parent_span_id == f"{SPAN:016x}"


def test_a_current_opentelemetry_span_wins_over_the_attached_context(genops_memory):
    sdk_trace = pytest.importorskip("opentelemetry.sdk.trace")
    tracer = sdk_trace.TracerProvider().get_tracer("test")
    with propagation.attach(propagation.RemoteContext(TRACE, SPAN)):
        with tracer.start_as_current_span("otel") as otel_span:
            with genops.track("under-otel"):
                pass
        with genops.track("under-remote"):
            pass
    oc = otel_span.get_span_context()
    spans = _by_name(genops_memory)
    under = spans["under-otel"]
    assert (under.trace_id, under.parent_span_id) == (f"{oc.trace_id:032x}", f"{oc.span_id:016x}")
    assert spans["under-remote"].parent_span_id == f"{SPAN:016x}"


def test_service_b_at_the_otlp_receiver_is_a_child_of_service_a():
    import pathlib
    import sys

    trace_service_pb2 = pytest.importorskip("opentelemetry.proto.collector.trace.v1.trace_service_pb2")
    if "otlp" not in genops.status()["available_exporters"]:
        pytest.skip("no OTLP exporter in this build")
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "peers"))
    from otlp_server import OtlpServer

    try:
        with OtlpServer() as server:
            genops.init(exporter_type="otlp", otlp_endpoint=server.base, service_name="b")
            carrier, trace_id, span_id = _service_a_headers()
            remote = propagation.extract(carrier)
            assert remote is not None
            with propagation.attach(remote), genops.track("b.handle", team="ml"):
                pass
            genops.flush(timeout=10)
            spans = {}
            for rec in server.received():
                req = trace_service_pb2.ExportTraceServiceRequest()
                req.ParseFromString(rec["body"])
                for rs in req.resource_spans:
                    for ss in rs.scope_spans:
                        spans.update({s.name: s for s in ss.spans})
    finally:
        genops.init(exporter_type="none")
    a, b = spans["a.handle"], spans["b.handle"]
    assert a.trace_id == b.trace_id == trace_id.to_bytes(16, "big")
    assert a.span_id == span_id.to_bytes(8, "big") == b.parent_span_id


def test_attach_without_opentelemetry_loaded():
    # This process has imported opentelemetry, so the native lookup asks it first;
    # a fresh interpreter checks the path without it.
    import subprocess
    import sys

    code = f"""
import sys, genops, genops.testing
from genops import propagation
genops.init(exporter_type="memory", service_name="b")
with propagation.attach(propagation.RemoteContext({TRACE}, {SPAN})), genops.track("b"):
    pass
(span,) = genops.testing.finished_spans()
print(span.trace_id, span.parent_span_id, any(m.startswith("opentelemetry") for m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [f"{TRACE:032x}", f"{SPAN:016x}", "False"]
