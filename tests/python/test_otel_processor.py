"""genops.otel.NativeSpanProcessor / NativeSpanExporter: OpenTelemetry SDK spans through
the native exporters to the local OTLP, Splunk HEC and Honeycomb servers (127.0.0.1),
decoded with the official opentelemetry-proto classes, json and msgpack; GenAI spans
(gen_ai.* attributes, as provider SDKs make them) as genops operations; and the
done-when trace of issue 13: an SDK span, a genops operation inside it and an SDK span
inside that arrive at the receiver as one trace with its parent links."""

from __future__ import annotations

import pathlib
import sys

import pytest

import genops

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
sdk_trace = pytest.importorskip("opentelemetry.sdk.trace")
trace_service_pb2 = pytest.importorskip("opentelemetry.proto.collector.trace.v1.trace_service_pb2")
from hec_server import HecServer  # noqa: E402
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.trace import SpanKind, Status, StatusCode  # noqa: E402
from otlp_server import OtlpServer, any_value  # noqa: E402

from genops.otel import NativeSpanExporter, NativeSpanProcessor  # noqa: E402

available = genops.status()["available_exporters"]
T0 = 1_700_000_000_123_456_789


@pytest.fixture
def provider():
    """A TracerProvider with the native processor and a resource of its own."""
    tp = sdk_trace.TracerProvider(
        resource=Resource.create({"service.name": "ignored", "k8s.pod.name": "pod-1"})
    )
    tp.add_span_processor(NativeSpanProcessor())
    yield tp
    genops.init(exporter_type="none")


def record_sdk_spans(tp):
    """A SERVER span with an event and fixed times, a child CLIENT span with an error."""
    tracer = tp.get_tracer("checkout", "2.1")
    outer = tracer.start_span(
        "GET /cart", kind=SpanKind.SERVER, start_time=T0, attributes={"http.route": "/cart", "n": 3, "r": 0.5}
    )
    outer.add_event("cache.miss", {"key": "cart:1", "hit": False}, timestamp=T0 + 1000)
    from opentelemetry import trace

    with trace.use_span(outer, end_on_exit=False):
        inner = tracer.start_span(
            "db.query",
            kind=SpanKind.CLIENT,
            start_time=T0 + 2000,
            attributes={"db.system": "postgresql", "tags": ("a", "b")},
        )
        inner.set_status(Status(StatusCode.ERROR, "timeout"))
        inner.end(end_time=T0 + 5000)
    outer.end(end_time=T0 + 9000)
    genops.flush(timeout=10)
    return outer.get_span_context(), inner.get_span_context()


def otlp_spans(server):
    out = {}
    for rec in server.received():
        assert rec["answer"] == 200 and rec["error"] is None
        req = trace_service_pb2.ExportTraceServiceRequest()
        req.ParseFromString(rec["body"])
        for rs in req.resource_spans:
            resource = {a.key: any_value(a.value) for a in rs.resource.attributes}
            for ss in rs.scope_spans:
                for s in ss.spans:
                    out[s.name] = (s, {a.key: any_value(a.value) for a in s.attributes}, resource)
    return out


@pytest.mark.skipif("otlp" not in available, reason="no OTLP exporter in this build")
def test_sdk_spans_reach_the_otlp_server_with_their_fields(provider):
    with OtlpServer() as server:
        genops.init(exporter_type="otlp", otlp_endpoint=server.base, service_name="shop")
        outer_ctx, inner_ctx = record_sdk_spans(provider)
        spans = otlp_spans(server)
    outer, oattrs, resource = spans["GET /cart"]
    inner, iattrs, _ = spans["db.query"]
    assert outer.trace_id == outer_ctx.trace_id.to_bytes(16, "big")
    assert outer.span_id == outer_ctx.span_id.to_bytes(8, "big")
    assert outer.parent_span_id == b""
    assert inner.trace_id == outer.trace_id
    assert inner.span_id == inner_ctx.span_id.to_bytes(8, "big")
    assert inner.parent_span_id == outer.span_id
    assert (outer.start_time_unix_nano, outer.end_time_unix_nano) == (T0, T0 + 9000)
    assert (inner.start_time_unix_nano, inner.end_time_unix_nano) == (T0 + 2000, T0 + 5000)
    assert outer.kind == 2 and inner.kind == 3  # SERVER, CLIENT (OTLP's enum)
    assert inner.status.code == 2 and inner.status.message == "timeout"
    assert outer.status.code == 0
    assert oattrs["http.route"] == "/cart" and oattrs["n"] == 3 and oattrs["r"] == 0.5
    assert iattrs["tags"] == ("a", "b")
    (event,) = outer.events
    assert event.name == "cache.miss" and event.time_unix_nano == T0 + 1000
    assert {a.key: any_value(a.value) for a in event.attributes} == {"key": "cart:1", "hit": False}
    # The resource: genops' (service.name from init); the SDK resource's own attribute
    # and the scope on each span.
    assert resource["service.name"] == "shop"
    assert oattrs["k8s.pod.name"] == "pod-1"
    assert oattrs["otel.scope.name"] == "checkout" and oattrs["otel.scope.version"] == "2.1"
    assert "service.instance.id" not in oattrs and "telemetry.sdk.name" not in oattrs
    stats = genops.status()["stats"]
    assert stats["spans_exported"] == 2


@pytest.mark.skipif("splunk" not in available, reason="no Splunk HEC exporter in this build")
def test_sdk_spans_reach_splunk_hec(provider):
    with HecServer("tok") as hec:
        genops.init(
            exporter_type="splunk", splunk_hec_endpoint=hec.base, splunk_hec_token="tok", service_name="shop"
        )
        outer_ctx, inner_ctx = record_sdk_spans(provider)
        events = {e["event"]["name"]: e["event"] for e in hec.events()}
    outer, inner = events["GET /cart"], events["db.query"]
    assert outer["trace_id"] == f"{outer_ctx.trace_id:032x}"
    assert outer["span_id"] == f"{outer_ctx.span_id:016x}"
    assert inner["parent_span_id"] == outer["span_id"]
    assert inner["status"] == "ERROR"
    assert outer["http.route"] == "/cart" and inner["db.system"] == "postgresql"
    assert outer["duration_ms"] == pytest.approx(0.009)
    assert outer["service.name"] == "shop"


@pytest.mark.skipif("honeycomb" not in available, reason="no Honeycomb exporter in this build")
def test_sdk_spans_reach_the_honeycomb_events_api(provider, monkeypatch):
    pytest.importorskip("msgpack")
    from honeycomb_server import ENVIRONMENT_KEY, HoneycombServer

    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    with HoneycombServer(datasets={"shop"}) as hc:
        monkeypatch.setenv("HONEYCOMB_API_ENDPOINT", hc.url)
        monkeypatch.setenv("HONEYCOMB_API_KEY", ENVIRONMENT_KEY)
        monkeypatch.setenv("HONEYCOMB_DATASET", "shop")
        genops.init(exporter_type="honeycomb-events", service_name="shop")
        outer_ctx, _ = record_sdk_spans(provider)
        (req,) = [r for r in hc.received() if r["path"].startswith("/1/batch/")]
    assert req["headers"]["content-type"] == "application/msgpack"
    data = {e["data"]["name"]: e["data"] for e in req["events"]}
    outer, inner = data["GET /cart"], data["db.query"]
    assert outer["trace.trace_id"] == f"{outer_ctx.trace_id:032x}"
    assert inner["trace.parent_id"] == outer["trace.span_id"]
    assert inner["status"] == "error" and outer["http.route"] == "/cart"
    assert req["statuses"] == [{"status": 202}] * 2


def test_the_exporter_class_and_unsampled_spans(genops_memory):
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

    tp = sdk_trace.TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(NativeSpanExporter()))
    with tp.get_tracer("t").start_as_current_span("exported"):
        pass
    off = sdk_trace.TracerProvider(sampler=ALWAYS_OFF)
    off.add_span_processor(NativeSpanProcessor())
    with off.get_tracer("t").start_as_current_span("not sampled"):
        pass
    genops.flush(timeout=10)
    assert [s.name for s in genops_memory.finished_spans()] == ["exported"]


def test_sdk_spans_keep_their_own_samplers_decision():
    """genops' own sampler (here 10 %) does not sample SDK spans again: the SDK decided."""
    import genops.testing

    genops.init(exporter_type="memory", sampling_rate=0.1, patch_all=False)
    genops.testing.clear()
    try:
        tp = sdk_trace.TracerProvider()
        tp.add_span_processor(NativeSpanProcessor())
        for i in range(200):
            with tp.get_tracer("t").start_as_current_span(f"s{i}"):
                pass
        genops.flush(timeout=10)
        spans = genops.testing.finished_spans()
        assert len(spans) == 200
        assert not any("SampleRate" in s.attributes for s in spans)
    finally:
        genops.init(exporter_type="none")


def test_a_span_that_is_not_an_sdk_span_is_a_clear_error(genops_memory):
    from genops import _native

    with pytest.raises(TypeError, match="needs an OpenTelemetry SDK span"):
        _native.record_otel_span(object())
    assert genops_memory.finished_spans() == []


def test_on_end_never_raises_into_the_application(genops_memory, caplog):
    # on_end runs inside the application's span.end(): a span that cannot be recorded
    # (here, one without a context) is counted and logged, never raised.
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExportResult

    from genops.otel import failed_spans

    before = failed_spans()
    NativeSpanProcessor().on_end(ReadableSpan("no context"))
    assert NativeSpanExporter().export([ReadableSpan("no context")]) == SpanExportResult.FAILURE
    assert failed_spans() == before + 2
    if before == 0:  # the first failure of the process is the one logged
        assert "an OpenTelemetry span could not be recorded" in caplog.text
    genops.flush(timeout=10)
    assert genops_memory.finished_spans() == []


def _genai_span(tp):
    """A span as the Anthropic SDK's own tracing makes one (its attribute names)."""
    attrs = {
        "gen_ai.provider.name": "anthropic",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "claude-opus-4-5",
        "gen_ai.response.model": "claude-opus-4-5-20251101",
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.output_tokens": 200,
    }
    with tp.get_tracer("com.anthropic.sdk.python").start_as_current_span(
        "anthropic.messages.create", kind=SpanKind.CLIENT, attributes=attrs
    ):
        pass
    genops.flush(timeout=10)


def test_a_genai_span_becomes_the_genops_operation(genops_memory):
    from genops import providers

    providers.uninstrument()  # no patch: the SDK's span is the only record of the call
    genops.set_default_attributes(team="ml")
    genops.set_context(customer_id="acme")
    tp = sdk_trace.TracerProvider()
    tp.add_span_processor(NativeSpanProcessor())
    _genai_span(tp)
    (span,) = genops_memory.finished_spans()
    a = span.attributes
    assert a["genops.operation.name"] == "anthropic.messages.create"
    assert a["genops.provider"] == a["genops.cost.provider"] == "anthropic"
    assert a["genops.model"] == "claude-opus-4-5-20251101"  # the response's model
    assert (a["genops.tokens.input"], a["genops.tokens.output"], a["genops.tokens.total"]) == (
        1000,
        200,
        1200,
    )
    # 1000 x $5 / M + 200 x $25 / M, from the shipped price table
    assert a["genops.cost.total"] == pytest.approx(0.01) and a["genops.cost.currency"] == "USD"
    assert a["genops.team"] == "ml" and a["genops.customer_id"] == "acme"
    assert a["gen_ai.usage.input_tokens"] == 1000  # the SDK's own attributes stay


def test_a_genai_span_of_a_patched_provider_is_not_counted_twice(genops_memory):
    from genops import providers

    if "anthropic" not in providers.instrument(["anthropic"]):
        pytest.skip("the anthropic SDK is not installed")
    try:
        tp = sdk_trace.TracerProvider()
        tp.add_span_processor(NativeSpanProcessor())
        _genai_span(tp)
    finally:
        providers.uninstrument()
    (span,) = genops_memory.finished_spans()
    assert span.attributes["gen_ai.usage.input_tokens"] == 1000
    assert not any(k.startswith(("genops.cost", "genops.tokens")) for k in span.attributes)


@pytest.mark.skipif("otlp" not in available, reason="no OTLP exporter in this build")
def test_sdk_span_genops_operation_sdk_span_arrive_as_one_trace(provider):
    # Issue 13's done-when: an OpenTelemetry span, a genops operation inside it and an
    # OpenTelemetry span inside that, all at the receiver, one trace, parents linked.
    with OtlpServer() as server:
        genops.init(exporter_type="otlp", otlp_endpoint=server.base, service_name="shop")
        tracer = provider.get_tracer("app")
        with tracer.start_as_current_span("handle request"):
            with genops.track("ai.chat", team="ml") as op:
                op.record_cost(cost=0.02, provider="openai", model="gpt-4")
                with tracer.start_as_current_span("vector search"):
                    pass
        genops.flush(timeout=10)
        spans = otlp_spans(server)
    assert set(spans) == {"handle request", "ai.chat", "vector search"}
    outer, op_span, inner = spans["handle request"][0], spans["ai.chat"][0], spans["vector search"][0]
    assert outer.trace_id == op_span.trace_id == inner.trace_id
    assert outer.parent_span_id == b""
    assert op_span.parent_span_id == outer.span_id
    assert inner.parent_span_id == op_span.span_id
    assert spans["ai.chat"][1]["genops.cost.total"] == 0.02
    assert spans["ai.chat"][1]["genops.team"] == "ml"


def test_the_anthropic_sdks_own_span_counts_the_call_once(genops_memory):
    # The real SDK against the local stand-in (tests/peers/ai_server.py): its own
    # OpenTelemetry span per call, through the native processor, beside genops' patch.
    anthropic = pytest.importorskip("anthropic")
    from ai_server import AiServer

    from genops import providers

    tp = sdk_trace.TracerProvider()
    tp.add_span_processor(NativeSpanProcessor())
    server = AiServer()
    try:
        client = anthropic.Anthropic(
            base_url=server.url, api_key="k", max_retries=0, open_telemetry={"tracer_provider": tp}
        )
        messages = [{"role": "user", "content": "Hello"}]
        providers.instrument(["anthropic"])
        client.messages.create(model="claude-sonnet-4", max_tokens=64, messages=messages)
        genops.flush(timeout=10)
        patched = [s.attributes for s in genops_memory.finished_spans()]
        genops_memory.clear()
        providers.uninstrument()
        client.messages.create(model="claude-sonnet-4", max_tokens=64, messages=messages)
        genops.flush(timeout=10)
        (alone,) = genops_memory.finished_spans()
    finally:
        providers.uninstrument()
        server.close()
    # Patched: two spans of one name, the patch's operation (with the cost) and the
    # SDK's own span (as it is).
    assert len(patched) == 2
    (ours,) = [a for a in patched if "genops.cost.total" in a]
    (sdk_span,) = [a for a in patched if a is not ours]
    assert sdk_span["gen_ai.provider.name"] == "anthropic"
    assert not any(k.startswith(("genops.cost", "genops.tokens")) for k in sdk_span)
    a = alone.attributes
    assert alone.name == "anthropic.messages.create"
    assert a["genops.provider"] == "anthropic" and a["genops.tokens.output"] == ours["genops.tokens.output"]
    assert a["genops.cost.total"] == pytest.approx(ours["genops.cost.total"])


def test_attributes_the_sdks_limits_dropped_are_counted(genops_memory):
    from opentelemetry.sdk.trace import SpanLimits

    tp = sdk_trace.TracerProvider(span_limits=SpanLimits(max_span_attributes=2))
    tp.add_span_processor(NativeSpanProcessor())
    with tp.get_tracer("t").start_as_current_span("limited", attributes={"a": 1, "b": 2, "c": 3}):
        pass
    genops.flush(timeout=10)
    (span,) = genops_memory.finished_spans()
    assert span.dropped_attributes == 1
    assert {k: v for k, v in span.attributes.items() if len(k) == 1} == {"b": 2, "c": 3}


def test_threads_with_their_own_resources_keep_their_attributes(genops_memory):
    # The converter keeps the last (resource, scope) pair's attributes; GenAI spans run
    # Python meanwhile, so threads switch inside a conversion. Each span must still get
    # its own resource's attributes.
    import threading

    from genops import providers

    providers.uninstrument()
    n, per = 4, 300

    def work(t):
        tp = sdk_trace.TracerProvider(resource=Resource.create({"thread.no": t}))
        tp.add_span_processor(NativeSpanProcessor())
        tracer = tp.get_tracer(f"scope-{t}")
        for i in range(per):
            with tracer.start_as_current_span(f"t{t}", attributes={"gen_ai.provider.name": "openai", "i": i}):
                pass

    threads = [threading.Thread(target=work, args=(t,)) for t in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    genops.flush(timeout=30)
    spans = genops_memory.finished_spans()
    assert len(spans) == n * per
    for s in spans:
        t = int(s.name[1:])
        assert s.attributes["thread.no"] == t and s.attributes["otel.scope.name"] == f"scope-{t}"
        assert s.attributes["genops.provider"] == "openai"
