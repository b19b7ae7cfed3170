"""OpenTelemetry interop (docs/opentelemetry.md). Loaded by the native module only
once the application has imported opentelemetry.trace, so genops never imports
OpenTelemetry itself."""

from __future__ import annotations

from typing import Optional

from opentelemetry import trace


def current_parent() -> Optional[tuple[bytes, bytes, int]]:
    """The current OpenTelemetry span as (trace_id, span_id, trace_flags), or None when
    no valid span is current: the parent a new genops root span takes."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return ctx.trace_id.to_bytes(16, "big"), ctx.span_id.to_bytes(8, "big"), int(ctx.trace_flags)


__all__ = ["current_parent"]
