"""Volume control by cost, as GenOps' Honeycomb guide calls it:
``set_cost_threshold(min_cost_usd=0.01)`` leaves out operations that cost less.

Decided natively when a span ends (genops_pipeline_set_sampling_thresholds): a span
whose genops.cost.total is below the threshold is not exported and is counted as
``below_cost_threshold`` in ``genops.status()["stats"]``. A span without a cost is kept,
and so is every governance event (a blocked or warning policy result, an error status,
a budget at its utilization threshold, a cost at the keep threshold:
genops.core.sampling.set_exception_thresholds). docs/sampling.md.
"""

from __future__ import annotations

from typing import Optional

from .. import _runtime


def set_cost_threshold(min_cost_usd: Optional[float] = 0.0) -> None:
    """Leave out operations whose cost is below min_cost_usd (0 or None: keep all)."""
    _runtime.set_sampling_thresholds(min_cost=0.0 if min_cost_usd is None else min_cost_usd)


def get_cost_threshold() -> float:
    """The current threshold in USD (0.0: none)."""
    return _runtime.sampling_thresholds()["min_cost"]


__all__ = ["get_cost_threshold", "set_cost_threshold"]
