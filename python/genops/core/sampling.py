"""Sampling controls (docs/sampling.md).

Head sampling itself is init(sampling_rate=...) or OTEL_TRACES_SAMPLER. Here:

- per-attribute rates, as GenOps' Honeycomb guide writes them::

      set_sampling_rate(customer_tier="enterprise", rate=1.0)
      set_sampling_rate(customer_tier="free", rate=0.01)
      set_sampling_rate(0.1)          # every other operation

  An operation whose effective attributes (its own arguments, then the governance
  context, then the defaults) have every value of a rule is sampled by trace id at
  the rule's rate, in place of the head sampler; decided natively when the operation
  starts. Rules with more attributes are tried first, then in the order they were
  set; the rule without attributes last.
- the governance exceptions: whatever the sampler decided, a span that ends with a
  blocked or warning policy result, an error status, a budget utilization of at least
  ``budget_utilization_pct`` (default 100) or a cost of at least ``cost_usd`` (default
  1.0) is exported, and counts for itself (no SampleRate).

All are process settings: a later init() keeps them.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Optional

from .. import _runtime
from .._errors import ConfigError

_lock = threading.Lock()
# (the match as sorted (name, value) pairs, rate), in the order set.
_rules: list[tuple[tuple[tuple[str, str], ...], float]] = []


def _match(match: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    for key, value in match.items():
        if not isinstance(value, str):
            raise ConfigError(f"set_sampling_rate: {key} must be a str, not {type(value).__name__}")
    if len(match) > 8:
        raise ConfigError("set_sampling_rate: a rule tests at most 8 attributes")
    return tuple(sorted(match.items()))


def _install() -> None:
    ordered = sorted(_rules, key=lambda r: -len(r[0]))  # stable: set order among equals
    doc = [
        {"attributes": [k for k, _ in m], "equals": [v for _, v in m], "ratio": rate} for m, rate in ordered
    ]
    _runtime.set_sampling_rules(json.dumps(doc) if doc else None)


def set_sampling_rate(rate: float, **match: str) -> None:
    """Sample operations whose attributes have these values (none: every operation no
    other rule takes) at rate, a number in [0, 1]; replaces the rate of the same match."""
    ratio = _runtime.sampling_ratio(rate, "rate")
    key = _match(match)
    with _lock:
        _rules[:] = [r for r in _rules if r[0] != key] + [(key, ratio)]
        _install()


def get_sampling_rate(**attributes: Any) -> Optional[float]:
    """The rate the rules give an operation with these attributes, or None when no rule
    matches it (then the head sampler decides)."""
    with _lock:
        ordered = sorted(_rules, key=lambda r: -len(r[0]))
    for match, rate in ordered:
        if all(attributes.get(k) == v for k, v in match):
            return rate
    return None


def clear_sampling_rate(**match: str) -> None:
    """Remove the rule of exactly this match (none: the rule without attributes)."""
    key = _match(match)
    with _lock:
        _rules[:] = [r for r in _rules if r[0] != key]
        _install()


def clear_sampling_rates() -> None:
    """Remove every rule: the head sampler decides every operation."""
    with _lock:
        _rules.clear()
        _install()


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


__all__ = [
    "clear_sampling_rate",
    "clear_sampling_rates",
    "get_exception_thresholds",
    "get_sampling_rate",
    "set_exception_thresholds",
    "set_sampling_rate",
]
