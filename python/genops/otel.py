"""OpenTelemetry interop (docs/opentelemetry.md). Loaded by the native module only
once the application has imported opentelemetry.trace, so genops never imports
OpenTelemetry itself."""

from __future__ import annotations

from typing import Any, Optional

from opentelemetry import context, trace


def current_parent() -> Optional[tuple[bytes, bytes, int]]:
    """The current OpenTelemetry span as (trace_id, span_id, trace_flags), or None when
    no valid span is current: the parent a new genops span takes."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return ctx.trace_id.to_bytes(16, "big"), ctx.span_id.to_bytes(8, "big"), int(ctx.trace_flags)


def attach(trace_id: bytes, span_id: bytes, trace_flags: int) -> object:
    """Make an entered genops span OpenTelemetry's current span (a NonRecordingSpan
    with its ids), so OpenTelemetry spans started inside are its children. Returns
    the token detach() takes when the genops span exits."""
    span_context = trace.SpanContext(
        int.from_bytes(trace_id, "big"),
        int.from_bytes(span_id, "big"),
        is_remote=False,
        trace_flags=trace.TraceFlags(trace_flags),
    )
    return context.attach(trace.set_span_in_context(trace.NonRecordingSpan(span_context)))


def detach(token: object) -> None:
    """Undo attach() (the genops span exited)."""
    context.detach(token)  # type: ignore[arg-type]


def __getattr__(name: str) -> Any:
    """NativeSpanProcessor, NativeSpanExporter and failed_spans (genops.otel_sdk),
    imported on first use: they need opentelemetry-sdk, the rest of this module only
    opentelemetry-api."""
    if name in ("NativeSpanProcessor", "NativeSpanExporter", "failed_spans"):
        from . import otel_sdk

        return getattr(otel_sdk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["attach", "current_parent", "detach"]  # and, lazily, the three of __getattr__
