"""track and track_enhanced: genops-ai's block-level governance tracking.

Both are the native ``track``: it starts the operation span and returns it, and the
span is the context manager (``with track(...) as span``). genops-ai yielded an
OpenTelemetry span from track and a GenOpsSpan wrapper from track_enhanced; here one
native GenOpsSpan does both (``span.span`` is the span itself), with record_cost,
record_policy (policy_result defaults to "allowed"), record_budget,
record_evaluation, set_attribute and OpenTelemetry's span methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from .. import _native

GenOpsSpan = _native.GenOpsSpan

if TYPE_CHECKING:

    def track(
        operation_name: str,
        operation_type: str = "ai.inference",
        team: Optional[str] = None,
        project: Optional[str] = None,
        feature: Optional[str] = None,
        customer: Optional[str] = None,
        environment: Optional[str] = None,
        **attributes: Any,
    ) -> GenOpsSpan:
        """Track an AI operation: ``with track("op", team=...) as span: ...``.
        Falsy team/project/feature/customer/environment are left out (so defaults
        show through); other attributes go through as given, None hiding a default."""

    track_enhanced = track

else:
    track = _native.track
    track_enhanced = _native.track

__all__ = ["GenOpsSpan", "track", "track_enhanced"]
