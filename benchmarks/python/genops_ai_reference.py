"""The pure-Python genops-ai path, rebuilt here for the benchmark.

genops-ai is not on PyPI (the `genops` name there is another project), so this module
performs the same steps per operation as genops-ai's track_enhanced / GenOpsSpan /
GenOpsTelemetry on the OpenTelemetry SDK, written for this benchmark:

  track_enhanced (a generator context manager) -> track (another) -> a new
  GenOpsTelemetry (trace.get_tracer) -> trace_operation (a third): effective attributes
  = defaults (under a lock) + context (a ContextVar) + the call's, None dropped, then
  the default tag validation (six rules: team required and kebab-case, customer_id
  pattern, environment enum, feature length, user_id non-empty) -> start_as_current_span
  -> set_attribute for operation type, name, timestamp and each genops.<key> -> a
  GenOpsSpan wrapper (another GenOpsTelemetry) -> record_cost's set_attribute calls ->
  status OK -> end, into a BatchSpanProcessor with OTLPSpanExporter (HTTP/protobuf),
  default settings.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Optional

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

_defaults: dict[str, Any] = {}
_defaults_lock = threading.Lock()
_context: ContextVar[Optional[dict[str, Any]]] = ContextVar("genops_context", default=None)
_provider: Optional[TracerProvider] = None

_TEAM = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_CUSTOMER = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$")
_ENVIRONMENTS = {"production", "staging", "development", "test", "local"}


def init(endpoint: str, service_name: str = "genops-ai-bench", sampler: Optional[Any] = None) -> None:
    """sampler: an OpenTelemetry SDK sampler (default: the SDK's, parentbased_always_on)."""
    global _provider
    _provider = TracerProvider(
        resource=Resource.create({"service.name": service_name, "service.version": "0.1.0"}),
        sampler=sampler,
    )
    _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(_provider)


def flush(timeout_s: float) -> bool:
    assert _provider is not None
    return _provider.force_flush(int(timeout_s * 1000))


def _validate(attrs: dict[str, Any]) -> list[str]:
    """The six default rules, in the original's order; returns the complaints."""
    problems = []
    team = attrs.get("team")
    if team is None or team == "":
        problems.append("team required")
    if isinstance(team, str) and not _TEAM.match(team):
        problems.append("team format")
    customer_id = attrs.get("customer_id")
    if isinstance(customer_id, str) and not _CUSTOMER.match(customer_id):
        problems.append("customer_id format")
    environment = attrs.get("environment")
    if environment is not None and environment not in _ENVIRONMENTS:
        problems.append("environment")
    feature = attrs.get("feature")
    if isinstance(feature, str) and not 2 <= len(feature) <= 50:
        problems.append("feature length")
    user_id = attrs.get("user_id")
    if user_id is not None and not (isinstance(user_id, str) and user_id.strip()):
        problems.append("user_id")
    return problems


def get_effective_attributes(**overrides: Any) -> dict[str, Any]:
    with _defaults_lock:
        effective = dict(_defaults)
    effective.update(_context.get() or {})
    effective.update(overrides)
    effective = {k: v for k, v in effective.items() if v is not None}
    _validate(dict(effective))  # the original validates a copy and keeps the result
    return effective


class GenOpsTelemetry:
    def __init__(self, tracer_name: str = "genops-ai") -> None:
        self.tracer = trace.get_tracer(tracer_name)

    @contextmanager
    def trace_operation(self, operation_name: str, operation_type: str = "ai.inference", **attributes: Any):
        effective = get_effective_attributes(**attributes)
        with self.tracer.start_as_current_span(operation_name) as span:
            try:
                span.set_attribute("genops.operation.type", operation_type)
                span.set_attribute("genops.operation.name", operation_name)
                span.set_attribute("genops.timestamp", int(time.time()))
                for key, value in effective.items():
                    if value is not None:
                        span.set_attribute(f"genops.{key}", value)
                yield span
                span.set_status(Status(StatusCode.OK))
            except Exception as e:
                span.set_status(Status(StatusCode.ERROR, str(e)))
                span.record_exception(e)
                raise

    def record_cost(
        self,
        span: Any,
        cost: float,
        currency: str = "USD",
        provider: str = "",
        model: str = "",
        tokens_input: Optional[int] = None,
        tokens_output: Optional[int] = None,
        tokens_total: Optional[int] = None,
        input_tokens: Optional[int] = None,
        output_tokens: Optional[int] = None,
        **metadata: Any,
    ) -> None:
        span.set_attribute("genops.cost.total", cost)
        span.set_attribute("genops.cost.currency", currency)
        if provider:
            span.set_attribute("genops.cost.provider", provider)
        if model:
            span.set_attribute("genops.cost.model", model)
        tin = tokens_input if tokens_input is not None else input_tokens
        tout = tokens_output if tokens_output is not None else output_tokens
        if tin is not None:
            span.set_attribute("genops.tokens.input", tin)
        if tout is not None:
            span.set_attribute("genops.tokens.output", tout)
        if tokens_total is None and tin is not None and tout is not None:
            tokens_total = tin + tout
        if tokens_total is not None:
            span.set_attribute("genops.tokens.total", tokens_total)
        for key, value in metadata.items():
            if value is not None:
                span.set_attribute("genops.cost.type" if key == "cost_type" else f"genops.cost.{key}", value)


@contextmanager
def track(
    operation_name: str,
    operation_type: str = "ai.inference",
    team=None,
    project=None,
    feature=None,
    customer=None,
    environment=None,
    **attributes: Any,
):
    telemetry = GenOpsTelemetry()
    governance: dict[str, Any] = {}
    for key, value in (
        ("team", team),
        ("project", project),
        ("feature", feature),
        ("customer", customer),
        ("environment", environment),
    ):
        if value:
            governance[key] = value
    governance.update(attributes)
    with telemetry.trace_operation(
        operation_name=operation_name, operation_type=operation_type, **governance
    ) as span:
        yield span


class GenOpsSpan:
    def __init__(self, span: Any) -> None:
        self.span = span
        self.telemetry = GenOpsTelemetry()

    def record_cost(
        self,
        cost: float,
        currency: str = "USD",
        provider: str = "",
        model: str = "",
        tokens_input: Optional[int] = None,
        tokens_output: Optional[int] = None,
        **metadata: Any,
    ) -> None:
        self.telemetry.record_cost(
            span=self.span,
            cost=cost,
            currency=currency,
            provider=provider,
            model=model,
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            **metadata,
        )


@contextmanager
def track_enhanced(
    operation_name: str,
    operation_type: str = "ai.inference",
    team=None,
    project=None,
    feature=None,
    customer=None,
    environment=None,
    **attributes: Any,
):
    with track(
        operation_name=operation_name,
        operation_type=operation_type,
        team=team,
        project=project,
        feature=feature,
        customer=customer,
        environment=environment,
        **attributes,
    ) as span:
        yield GenOpsSpan(span)
