"""genops.budgets: budgets whose spend the native core accumulates from every recorded
cost, shared by every thread (store="process") or every process of the machine
(store="host"), and enforced when an operation starts (docs/governance.md).

    genops.budgets.define("support-daily", 50.0, period="daily",
                          scope={"team": "customer-support"}, enforcement="block")
    genops.budgets.status("support-daily")  # {'spend': 12.5, 'limit': 50.0, ...}

With enforcement="block", starting track / track_enhanced / trace_operation (or
calling a function under enforce_policy) in the budget's scope once its spend has
reached the limit raises PolicyViolationError before the caller's code runs; the
blocked decision is recorded on the operation (record_policy). Crossing a threshold
emits one genops.budget.threshold span per period.

Rate limits (define_rate_limit) are native token buckets of requests and tokens per
minute, one per value of a scope key, checked at the same place.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set

from . import native
from ._errors import ConfigError

_PERIODS = ("daily", "weekly", "monthly", "total")
_ENFORCEMENTS = ("block", "warn", "record")
_STORES = ("process", "host")

_lock = threading.Lock()
#: The budgets this process defined, by name: their thresholds (status reports them).
_defined: Dict[str, List[float]] = {}
#: The rate limits this process defined.
_rate_limits: Set[str] = set()


def _number(name: str, what: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"budget {name!r}: {what} must be a number, not {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"budget {name!r}: {what} must be finite, not {value!r}")
    return float(value)


def _choice(name: str, what: str, value: Any, choices: Sequence[str]) -> str:
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ConfigError(f"budget {name!r}: {what} must be one of {listed}, not {value!r}")
    return str(value)


def define(
    name: str,
    limit: float,
    period: str = "daily",
    scope: Optional[Mapping[str, str]] = None,
    currency: str = "USD",
    thresholds: Sequence[float] = (0.8, 1.0),
    enforcement: str = "block",
    store: str = "process",
    state_dir: Optional[str] = None,
    time_zone: str = "UTC",
) -> None:
    """Define (or replace) the budget name: limit in currency per period, counting the
    costs of operations whose attributes match scope (e.g. {"team": "ml"}; none: every
    cost). thresholds are fractions of the limit; enforcement is "block" (the default,
    as genops-ai's policies), "warn" (log once per period at the limit) or "record";
    store "process" or "host" (a file under state_dir, default GENOPS_STATE_DIR, else
    ~/.cache/genops, shared by the machine's processes and kept across restarts) or
    "redis://host[:port][/db]" (shared by a fleet; spend counted locally and sent every
    100 ms, kept locally while Redis is unreachable);
    time_zone "UTC" or a fixed offset ("UTC+05:30") says when periods roll over."""
    if not isinstance(name, str) or not name:
        raise ConfigError(f"budget name must be a non-empty string, not {name!r}")
    limit = _number(name, "limit", limit)
    if limit < 0:
        raise ConfigError(f"budget {name!r}: limit must not be negative, got {limit!r}")
    _choice(name, "period", period, _PERIODS)
    _choice(name, "enforcement", enforcement, _ENFORCEMENTS)
    if not (isinstance(store, str) and store.startswith("redis://")):
        _choice(name, "store", store, _STORES)
    if scope is None:
        scope = {}
    if not isinstance(scope, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in scope.items()
    ):
        raise ConfigError(f"budget {name!r}: scope must map attribute names to strings, not {scope!r}")
    if isinstance(thresholds, (str, bytes)) or not isinstance(thresholds, Sequence):
        raise ConfigError(f"budget {name!r}: thresholds must be a list of numbers, not {thresholds!r}")
    fractions = [_number(name, "each threshold", t) for t in thresholds]
    for key, value in (("currency", currency), ("time_zone", time_zone)):
        if not isinstance(value, str):
            raise ConfigError(f"budget {name!r}: {key} must be a string, not {value!r}")
    if state_dir is not None and not isinstance(state_dir, str):
        raise ConfigError(f"budget {name!r}: state_dir must be a string, not {state_dir!r}")
    options: Dict[str, Any] = {
        "name": name,
        "limit": limit,
        "period": period,
        "currency": currency,
        "thresholds": fractions,
        "enforcement": enforcement,
        "store": store,
        "time_zone": time_zone,
        "state_dir": state_dir,
    }
    if scope:
        options["scope"] = dict(scope)
    with _lock:
        native.genops_budget_define(options)
        _defined[name] = fractions


def status(name: str) -> Dict[str, Any]:
    """The budget's current period: spend, limit, utilization (spend / limit),
    remaining, period, period_start / period_end (Unix seconds; 0 for "total"),
    currency, enforcement, store and the thresholds crossed in this period."""
    state = native.genops_budget_get(name)
    crossed = state.pop("thresholds_crossed")
    fractions = _defined.get(name, [])
    state["thresholds_crossed"] = [t for i, t in enumerate(fractions) if crossed >> i & 1]
    state["period_start"] = state.pop("period_start_unix")
    state["period_end"] = state.pop("period_end_unix")
    state["remaining"] = state["limit"] - state["spend"]
    state["name"] = name
    return state


def list() -> List[str]:  # noqa: A001 - the issue's name for it
    """The names of the budgets this process defined."""
    with _lock:
        return sorted(_defined)


def reset(name: str) -> None:
    """Set the current period's spend of the budget to zero."""
    native.genops_budget_reset(name)


def remove(name: str) -> None:
    """Remove the budget (a "host" budget's file, and so its spend, stays)."""
    with _lock:
        native.genops_budget_remove(name)
        _defined.pop(name, None)


def define_rate_limit(
    name: str,
    requests_per_minute: Optional[float] = None,
    tokens_per_minute: Optional[float] = None,
    key: Optional[str] = None,
    enforcement: str = "block",
    max_keys: int = 1024,
) -> None:
    """Define (or replace) a native rate limit: token buckets of requests_per_minute
    operations and tokens_per_minute recorded tokens, one per value of the attribute
    key ("team", "customer_id"; None: one bucket for all). With enforcement "block",
    starting an operation whose bucket is empty raises PolicyViolationError and records
    policy_result "rate_limited" on it; "warn" logs (at most once a minute), "record"
    only counts."""
    if not isinstance(name, str) or not name:
        raise ConfigError(f"rate limit name must be a non-empty string, not {name!r}")
    rates = {"requests_per_minute": requests_per_minute, "tokens_per_minute": tokens_per_minute}
    for what, value in rates.items():
        if value is not None:
            rates[what] = _number(name, what, value)
    _choice(name, "enforcement", enforcement, _ENFORCEMENTS)
    if key is not None and (not isinstance(key, str) or not key):
        raise ConfigError(f"rate limit {name!r}: key must be an attribute name, not {key!r}")
    if isinstance(max_keys, bool) or not isinstance(max_keys, int):
        raise ConfigError(f"rate limit {name!r}: max_keys must be an integer, not {max_keys!r}")
    native.genops_rate_limit_define(
        {"name": name, **rates, "key": key, "enforcement": enforcement, "max_keys": max_keys}
    )
    with _lock:
        _rate_limits.add(name)


def rate_limit_status(name: str, key: Optional[str] = None) -> Dict[str, Any]:
    """The bucket of key (a value of the limit's key attribute; None for an unkeyed
    limit): requests_available, tokens_available (negative: in debt), the limits,
    keys (buckets in use), refused and enforcement."""
    return native.genops_rate_limit_get(name, key)


def remove_rate_limit(name: str) -> None:
    """Remove the rate limit."""
    with _lock:
        native.genops_rate_limit_remove(name)
        _rate_limits.discard(name)


def rate_limits() -> List[str]:
    """The names of the rate limits this process defined."""
    with _lock:
        return sorted(_rate_limits)


__all__ = [
    "define",
    "define_rate_limit",
    "list",
    "rate_limit_status",
    "rate_limits",
    "remove",
    "remove_rate_limit",
    "reset",
    "status",
]
