"""GenOpsTelemetry: genops-ai's telemetry engine, on the native core.

Its methods are the native functions themselves: a builtin function stored on a class
does not bind ``self``, so ``telemetry.record_cost(span, cost=0.02, ...)`` is one
native call. The attribute rules (aliases, defaults, computed totals) are the C
library's: see docs/semantic-conventions.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from .. import _native

GenOpsSpan = _native.GenOpsSpan


class GenOpsTelemetry:
    """Central telemetry engine for GenOps governance signals."""

    def __init__(self, tracer_name: str = "genops-ai") -> None:
        self.tracer_name = tracer_name

    if TYPE_CHECKING:

        def create_span(
            self, name: str, attributes: Optional[dict[str, Any]] = None, **kwargs: Any
        ) -> GenOpsSpan:
            """Start a span (parented on the current one) that the caller ends with
            span.end(). None attributes are dropped; "" and 0 are kept."""

        def trace_operation(
            self, operation_name: str, operation_type: str = "ai.inference", **attributes: Any
        ) -> GenOpsSpan:
            """A context manager: an operation span with genops.operation.name / type,
            genops.timestamp and every effective attribute as genops.<key>. On an
            exception: status ERROR, an exception event, re-raised; else status OK."""

        def record_cost(
            self,
            span: GenOpsSpan,
            cost: Optional[float] = None,
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
            """genops.cost.* and genops.tokens.*; total_cost stands in for cost."""

        def record_policy(
            self,
            span: GenOpsSpan,
            policy_name: str,
            policy_result: Optional[str] = None,
            policy_reason: Optional[str] = None,
            result: Optional[str] = None,
            reason: Optional[str] = None,
            metadata: Optional[dict[str, Any]] = None,
            **kwargs: Any,
        ) -> None:
            """genops.policy.*; metadata={k: v} as genops.policy.metadata.k."""

        def record_evaluation(
            self,
            span: GenOpsSpan,
            evaluation_name: Optional[str] = None,
            score: float = 0.0,
            threshold: Optional[float] = None,
            passed: Optional[bool] = None,
            metric_name: Optional[str] = None,
            evaluator: Optional[str] = None,
            metadata: Optional[dict[str, Any]] = None,
            **kwargs: Any,
        ) -> None:
            """genops.eval.*; metadata={k: v} as genops.eval.metadata.k."""

        def record_budget(
            self,
            span: GenOpsSpan,
            budget_name: str,
            budget_limit: Optional[float] = None,
            budget_used: Optional[float] = None,
            budget_remaining: Optional[float] = None,
            allocated: Optional[float] = None,
            consumed: Optional[float] = None,
            remaining: Optional[float] = None,
            **metadata: Any,
        ) -> None:
            """genops.budget.*, with remaining and utilization_percent computed."""

    else:
        create_span = _native.create_span
        trace_operation = _native.trace_operation
        record_cost = _native.record_cost
        record_policy = _native.record_policy
        record_evaluation = _native.record_evaluation
        record_budget = _native.record_budget


__all__ = ["GenOpsTelemetry"]
