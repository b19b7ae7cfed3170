"""Sampling controls (docs/sampling.md).

Head sampling itself is init(sampling_rate=...) or OTEL_TRACES_SAMPLER; here are the
governance exceptions: whatever the sampler decided, a span that ends with a blocked or
warning policy result, an error status, a budget utilization of at least
``budget_utilization_pct`` (default 100) or a cost of at least ``cost_usd`` (default
1.0) is exported, and counts for itself (no SampleRate). Decided natively at the span's
end, from its own attributes.
"""

from __future__ import annotations

from typing import Optional

from .. import _runtime


def set_exception_thresholds(
    budget_utilization_pct: Optional[float] = None, cost_usd: Optional[float] = None
) -> None:
    """Change the thresholds of the budget and cost exceptions (None: leave it as it
    is; math.inf: that exception off)."""
    values = {"keep_budget_utilization": budget_utilization_pct, "keep_cost": cost_usd}
    _runtime.set_sampling_thresholds(**{k: v for k, v in values.items() if v is not None})


def get_exception_thresholds() -> dict[str, float]:
    """{"budget_utilization_pct": ..., "cost_usd": ...} (math.inf: off)."""
    t = _runtime.sampling_thresholds()
    return {"budget_utilization_pct": t["keep_budget_utilization"], "cost_usd": t["keep_cost"]}


__all__ = ["get_exception_thresholds", "set_exception_thresholds"]
