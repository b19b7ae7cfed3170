"""track_usage (a decorator), track_cost and track_evaluation, as in genops-ai."""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Optional, TypeVar

from .. import _native

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def track_usage(
    operation_name: Optional[str] = None,
    operation_type: str = "ai.inference",
    team: Optional[str] = None,
    project: Optional[str] = None,
    feature: Optional[str] = None,
    customer: Optional[str] = None,
    environment: Optional[str] = None,
    **attributes: Any,
) -> Callable[[F], F]:
    """Decorator: each call of the function is a tracked operation (named
    operation_name, else module.function). A result with a ``cost`` attribute is
    recorded with record_cost (provider, model, tokens_input, tokens_output too)."""

    def decorator(func: F) -> F:
        name = operation_name or f"{func.__module__}.{func.__name__}"

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _native.track(
                name, operation_type, team, project, feature, customer, environment, **attributes
            ) as span:
                result = func(*args, **kwargs)
                if hasattr(result, "__dict__") and "cost" in result.__dict__:
                    span.record_cost(
                        cost=result.cost,
                        provider=getattr(result, "provider", ""),
                        model=getattr(result, "model", ""),
                        tokens_input=getattr(result, "tokens_input", None),
                        tokens_output=getattr(result, "tokens_output", None),
                    )
                return result

        return wrapper  # type: ignore[return-value]

    return decorator


def _on_current_span(recorder: Callable[..., None], what: str, /, **kwargs: Any) -> None:
    """recorder(current span, **kwargs), or a warning when no span is recording."""
    span = _native.current_span()
    if span is not None and span.is_recording():
        recorder(span, **kwargs)
    else:
        logger.warning("No active span found to record %s telemetry", what)


def track_cost(
    cost: float,
    currency: str = "USD",
    provider: str = "",
    model: str = "",
    tokens_input: Optional[int] = None,
    tokens_output: Optional[int] = None,
    **metadata: Any,
) -> None:
    """Record cost on the current span (the innermost ``with track...``)."""
    _on_current_span(
        _native.record_cost,
        "cost",
        cost=cost,
        currency=currency,
        provider=provider,
        model=model,
        tokens_input=tokens_input,
        tokens_output=tokens_output,
        **metadata,
    )


def track_evaluation(
    evaluation_name: str,
    score: float,
    threshold: Optional[float] = None,
    passed: Optional[bool] = None,
    **metadata: Any,
) -> None:
    """Record an evaluation on the current span."""
    _on_current_span(
        _native.record_evaluation,
        "evaluation",
        evaluation_name=evaluation_name,
        score=score,
        threshold=threshold,
        passed=passed,
        **metadata,
    )


__all__ = ["track_cost", "track_evaluation", "track_usage"]
