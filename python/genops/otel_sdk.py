"""OpenTelemetry SDK spans through the native pipeline (docs/opentelemetry.md):
NativeSpanProcessor and NativeSpanExporter, re-exported as genops.otel's. Each
finished SDK span is converted in C (bindings/python/otel_export.c) and recorded whole,
with its own ids, times, status, attributes and events, so genops' exporters (OTLP,
Splunk HEC, Honeycomb) batch, encode and send it in C with their retries, spool and
stats. Needs opentelemetry-sdk, which genops itself never imports.

What an SDK span carries beyond itself (the helpers otel_export.c calls):

- its Resource: the batch carries the genops pipeline's resource (service.name from
  init(), OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, which both SDKs read alike).
  The SDK resource's other attributes, those it does not take from the environment
  and does not make itself (telemetry.sdk.*, service.instance.id), are added to each
  of its spans, never over a key the span has;
- its InstrumentationScope: otel.scope.name and otel.scope.version, the names
  OpenTelemetry gives the scope where a format has no scope of its own;
- GenAI attributes (gen_ai.provider.name, or the older gen_ai.system, as the
  Anthropic SDK's own spans have): the span becomes the genops operation of the call
  (genops.operation.*, genops.provider / genops.model, genops.tokens.*, genops.cost.*
  from genops.pricing, the governance context as genops.<key>), unless genops'
  own patch of that provider is active: then the patch's operation is the record of
  the call and the SDK's span goes through as it is, so the call is counted once.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence

from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from . import _native, pricing
from ._errors import FlushTimeout
from .core import context as _governance

# The SDK's own resource keys: the batch's resource has its own (service.name, telemetry.sdk.*),
# and service.instance.id is a random id the SDK makes per provider.
_SDK_KEYS = ("telemetry.sdk.", "service.name", "service.instance.id")

# gen_ai.provider.name values (OpenTelemetry's registry) whose genops provider name differs.
_GENAI_PROVIDERS = {
    "aws.bedrock": "bedrock",
    "azure.ai.openai": "openai",
    "gcp.gemini": "gemini",
    "gcp.vertex_ai": "gemini",
    "gcp.gen_ai": "gemini",
    "mistral_ai": "mistral",
}


def _environment_resource() -> dict[str, str]:
    """OTEL_RESOURCE_ATTRIBUTES as the SDK reads it (both pipelines have these)."""
    out = {}
    for item in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "").split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def _extras(resource: Any, scope: Any) -> dict[str, Any]:
    """The attributes every span of this (Resource, InstrumentationScope) pair gets."""
    out: dict[str, Any] = {}
    env = _environment_resource()
    for key, value in getattr(resource, "attributes", {}).items():
        if not key.startswith(_SDK_KEYS) and key not in env:
            out[key] = value
    if scope is not None and scope.name:
        out["otel.scope.name"] = scope.name
        if scope.version:
            out["otel.scope.version"] = scope.version
    return out


def _int(attrs: dict[str, Any], key: str) -> Optional[int]:
    value = attrs.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _genai(name: str, attrs: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The genops operation attributes of a GenAI span, or None (see the module text)."""
    raw = attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system")
    if not isinstance(raw, str):
        return None
    provider = _GENAI_PROVIDERS.get(raw, raw)
    from . import providers  # late: its import pulls in the patch machinery

    if provider in providers.instrumented_providers():
        return None
    model = attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model") or ""
    out: dict[str, Any] = {
        "genops.operation.name": name,
        "genops.operation.type": "ai.inference",
        "genops.provider": provider,
        "genops.cost.provider": provider,
    }
    if model:
        out["genops.model"] = out["genops.cost.model"] = model
    tokens_in = _int(attrs, "gen_ai.usage.input_tokens")
    tokens_out = _int(attrs, "gen_ai.usage.output_tokens")
    cached = _int(attrs, "gen_ai.usage.cache_read.input_tokens") or 0
    written = (
        _int(attrs, "gen_ai.usage.cache_creation.input_tokens")
        or _int(attrs, "gen_ai.usage.cache_write.input_tokens")
        or 0
    )
    if tokens_in is not None:
        out["genops.tokens.input"] = tokens_in
    if tokens_out is not None:
        out["genops.tokens.output"] = tokens_out
    if tokens_in is not None or tokens_out is not None:
        out["genops.tokens.total"] = (tokens_in or 0) + (tokens_out or 0)
        priced = (
            pricing.cost(provider, model, tokens_in or 0, tokens_out or 0, cached, written) if model else None
        )
        if priced:
            out["genops.cost.total"] = float(priced[0])
            out["genops.cost.currency"] = priced[1].currency
    governance = _governance.get_default_attributes()
    governance.update(_governance.get_context())
    for key, value in governance.items():
        if value is not None:
            out.setdefault(f"genops.{key}", value)
    return out


def failed_spans() -> int:
    """OpenTelemetry spans the processor or exporter could not record (not an SDK span,
    or a value the conversion refused), since the process started."""
    return _native.otel_spans_failed()


def _flush(timeout_millis: int) -> bool:
    """genops.flush within the SDK's timeout: False rather than FlushTimeout."""
    from . import _runtime

    try:
        return bool(_runtime.flush(timeout_millis / 1000.0))
    except FlushTimeout:
        return False


class NativeSpanProcessor(SpanProcessor):
    """A SpanProcessor that hands each finished, sampled SDK span to genops' native
    pipeline (the one genops.init() configured): use it in place of
    BatchSpanProcessor(OTLPSpanExporter(...)). on_end converts the span in C and
    returns at once; batching and export happen on the pipeline's threads."""

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        pass

    # The C conversion itself, called without a Python frame of ours in between. It runs
    # inside the application's span.end(), so it never raises: a span it cannot record
    # is counted in failed_spans() and the first one is logged.
    on_end = staticmethod(_native.on_end_otel_span)

    def shutdown(self) -> None:
        """Flush what is queued; the pipeline itself stays up (genops owns it)."""
        self.force_flush()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return _flush(timeout_millis)


class NativeSpanExporter(SpanExporter):
    """A SpanExporter over the same conversion, for code that composes its own
    processor (SimpleSpanProcessor, BatchSpanProcessor): export() hands the spans to the
    native pipeline and returns SUCCESS once they are queued there."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """SUCCESS once every span is queued; FAILURE when one could not be recorded
        (counted in failed_spans(), the first one logged)."""
        before = _native.otel_spans_failed()
        for span in spans:
            _native.on_end_otel_span(span)
        return SpanExportResult.SUCCESS if _native.otel_spans_failed() == before else SpanExportResult.FAILURE

    def shutdown(self) -> None:
        self.force_flush()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return _flush(timeout_millis)


__all__ = ["NativeSpanExporter", "NativeSpanProcessor", "failed_spans"]
