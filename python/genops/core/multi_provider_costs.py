"""genops-ai's multi-provider cost API (``genops.core.multi_provider_costs``), on the
shipped pricing table.

The names, arguments and result shapes are the original's. Two things differ, both on
purpose:

- Costs come from ``genops.pricing`` (every provider and model it knows, exact decimal
  arithmetic), not from two small hard-coded tables. A model without a price costs 0.0
  and is listed in ``MultiProviderCostSummary.unpriced_models`` (and warned about once
  on the "genops" logger), where the original silently charged a default model's price.
- Sums are exact: entries are added as decimals and converted to float once, so a
  summary of many small costs does not drift. An aggregator holds one currency; adding
  an entry in another raises ValueError instead of adding dollars to euros.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterator, Optional, Union

logger = logging.getLogger("genops")


@dataclass
class ProviderCostEntry:
    """Single cost entry from a specific provider."""

    provider: str
    model: str
    operation_type: str
    cost: float
    currency: str
    tokens_input: int
    tokens_output: int
    tokens_total: int
    timestamp: datetime
    operation_id: Optional[str] = None
    governance_attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class MultiProviderCostSummary:
    """Aggregated cost summary across multiple providers."""

    total_cost: float
    currency: str = "USD"
    cost_by_provider: dict[str, float] = field(default_factory=dict)
    cost_by_model: dict[str, float] = field(default_factory=dict)
    cost_by_operation: dict[str, float] = field(default_factory=dict)
    unique_providers: set[str] = field(default_factory=set)
    unique_models: set[str] = field(default_factory=set)
    total_tokens: int = 0
    total_operations: int = 0
    time_range: Optional[tuple[datetime, datetime]] = None
    governance_attributes: dict[str, Any] = field(default_factory=dict)
    unpriced_models: set[str] = field(default_factory=set)


def _exact(cost: Any) -> Decimal:
    """A cost as the decimal its caller wrote (0.1 is 0.1, not 0.1000000000000000055)."""
    if isinstance(cost, bool) or not isinstance(cost, (int, float, Decimal)):
        raise TypeError(f"cost must be a number, not {type(cost).__name__}")
    if isinstance(cost, float) and not math.isfinite(cost):
        raise ValueError(f"cost must be finite, not {cost!r}")
    exact = Decimal(repr(cost)) if isinstance(cost, float) else Decimal(cost)
    if not exact.is_finite() or exact < 0:
        raise ValueError(f"cost must be a finite number >= 0, not {cost!r}")
    return exact


def _tokens(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} must be >= 0, not {value}")
    return value


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{what} must be a non-empty str, not {value!r}")
    return value


def _sum_by(items: list[tuple[str, Decimal]]) -> dict[str, float]:
    sums: dict[str, Decimal] = {}
    for key, cost in items:
        sums[key] = sums.get(key, Decimal(0)) + cost
    return {key: float(total) for key, total in sums.items()}


class MultiProviderCostAggregator:
    """Aggregates costs across multiple AI providers with governance tracking.
    Safe to share between threads."""

    def __init__(self, session_id: Optional[str] = None) -> None:
        self.session_id = session_id or f"session_{int(time.time())}"
        self.cost_entries: list[ProviderCostEntry] = []
        self.start_time = datetime.now()
        self._governance_context: dict[str, Any] = {}
        self._exact: list[Decimal] = []  # cost_entries[i].cost, exactly
        self._unpriced: set[str] = set()
        self._lock = threading.Lock()

    def set_governance_context(self, **attributes: Any) -> None:
        """Governance attributes (team, project, customer_id, ...) merged into every
        entry added from now on and into the summary."""
        with self._lock:
            self._governance_context.update(attributes)

    def add_cost_entry(
        self,
        provider: str,
        model: str,
        operation_type: str,
        cost: Union[float, Decimal],
        tokens_input: int = 0,
        tokens_output: int = 0,
        currency: str = "USD",
        operation_id: Optional[str] = None,
        **governance_attrs: Any,
    ) -> None:
        """Add a cost entry from a provider operation (cost in ``currency``)."""
        exact = _exact(cost)
        entry = ProviderCostEntry(
            provider=_name(provider, "provider"),
            model=_name(model, "model"),
            operation_type=_name(operation_type, "operation_type"),
            cost=float(exact),
            currency=_name(currency, "currency"),
            tokens_input=_tokens(tokens_input, "tokens_input"),
            tokens_output=_tokens(tokens_output, "tokens_output"),
            tokens_total=tokens_input + tokens_output,
            timestamp=datetime.now(),
            operation_id=operation_id,
        )
        with self._lock:
            if self.cost_entries and self.cost_entries[0].currency != currency:
                raise ValueError(
                    f"this aggregator sums {self.cost_entries[0].currency}; an entry in "
                    f"{currency} needs an aggregator of its own"
                )
            entry.governance_attributes = {**self._governance_context, **governance_attrs}
            self.cost_entries.append(entry)
            self._exact.append(exact)

    def add_provider_cost(
        self,
        provider: str,
        model: str,
        tokens_input: int,
        tokens_output: int,
        operation_type: str = "completion",
        cached_input_tokens: int = 0,
        **governance_attrs: Any,
    ) -> float:
        """Add an entry priced from the pricing table; returns its cost (0.0, and the
        model listed in the summary's unpriced_models, when the table has no price)."""
        from .. import pricing  # parsed on first use, not by `import genops`

        priced = pricing.cost(
            provider,
            model,
            input_tokens=_tokens(tokens_input, "tokens_input"),
            output_tokens=_tokens(tokens_output, "tokens_output"),
            cached_input_tokens=_tokens(cached_input_tokens, "cached_input_tokens"),
        )
        exact, currency = (Decimal(0), "USD") if priced is None else (priced[0], priced[1].currency)
        if priced is None:
            with self._lock:
                self._unpriced.add(f"{provider}/{model}")
        self.add_cost_entry(
            provider=provider,
            model=model,
            operation_type=operation_type,
            cost=exact,
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            currency=currency,
            **governance_attrs,
        )
        return float(exact)

    def add_openai_cost(
        self,
        model: str,
        tokens_input: int,
        tokens_output: int,
        operation_type: str = "completion",
        **governance_attrs: Any,
    ) -> float:
        """Add an OpenAI entry priced from the pricing table; returns its cost."""
        return self.add_provider_cost(
            "openai", model, tokens_input, tokens_output, operation_type, **governance_attrs
        )

    def add_anthropic_cost(
        self,
        model: str,
        tokens_input: int,
        tokens_output: int,
        operation_type: str = "message",
        **governance_attrs: Any,
    ) -> float:
        """Add an Anthropic entry priced from the pricing table; returns its cost."""
        return self.add_provider_cost(
            "anthropic", model, tokens_input, tokens_output, operation_type, **governance_attrs
        )

    def get_summary(self) -> MultiProviderCostSummary:
        """Aggregated cost summary across all providers."""
        with self._lock:
            entries = list(zip(self.cost_entries, self._exact))
            context = dict(self._governance_context)
            unpriced = set(self._unpriced)
        if not entries:
            return MultiProviderCostSummary(total_cost=0.0, governance_attributes=context)
        stamps = [e.timestamp for e, _ in entries]
        return MultiProviderCostSummary(
            total_cost=float(sum((c for _, c in entries), Decimal(0))),
            currency=entries[0][0].currency,
            cost_by_provider=_sum_by([(e.provider, c) for e, c in entries]),
            cost_by_model=_sum_by([(f"{e.provider}/{e.model}", c) for e, c in entries]),
            cost_by_operation=_sum_by([(e.operation_type, c) for e, c in entries]),
            unique_providers={e.provider for e, _ in entries},
            unique_models={f"{e.provider}/{e.model}" for e, _ in entries},
            total_tokens=sum(e.tokens_total for e, _ in entries),
            total_operations=len(entries),
            time_range=(min(stamps), max(stamps)),
            governance_attributes=context,
            unpriced_models=unpriced,
        )

    def get_cost_breakdown(self) -> dict[str, Any]:
        """The summary with efficiency metrics, the most and least expensive provider,
        each provider's share of the total and recommendations."""
        summary = self.get_summary()
        by_cost = sorted(summary.cost_by_provider.items(), key=lambda kv: kv[1])
        most, least = (by_cost[-1], by_cost[0]) if by_cost else (("none", 0.0), ("none", 0.0))
        total = summary.total_cost
        return {
            "summary": summary,
            "efficiency_metrics": {
                "avg_cost_per_token": total / max(summary.total_tokens, 1),
                "avg_cost_per_operation": total / max(summary.total_operations, 1),
                "total_cost": total,
                "total_tokens": summary.total_tokens,
                "total_operations": summary.total_operations,
            },
            "cost_leaders": {"most_expensive_provider": most, "least_expensive_provider": least},
            "provider_distribution": {p: c / total for p, c in by_cost} if total > 0 else {},
            "recommendations": _recommendations(summary),
        }

    def export_telemetry(self) -> None:
        """Record the summary as one genops operation ("multi_provider_cost_summary",
        type "cost.aggregation") with multi_provider.* attributes. Never raises: a
        failure is logged at WARNING."""
        try:
            from .. import _native

            summary = self.get_summary()
            attributes = {k: v for k, v in summary.governance_attributes.items() if k != "session_id"}
            with _native.trace_operation(
                "multi_provider_cost_summary", "cost.aggregation", session_id=self.session_id, **attributes
            ) as span:
                span.set_attribute("multi_provider.total_cost", summary.total_cost)
                span.set_attribute("multi_provider.currency", summary.currency)
                span.set_attribute("multi_provider.total_tokens", summary.total_tokens)
                span.set_attribute("multi_provider.total_operations", summary.total_operations)
                span.set_attribute("multi_provider.unique_providers", len(summary.unique_providers))
                span.set_attribute("multi_provider.unique_models", len(summary.unique_models))
                for provider, cost in summary.cost_by_provider.items():
                    span.set_attribute(f"multi_provider.cost.{provider}", cost)
                for operation, cost in summary.cost_by_operation.items():
                    span.set_attribute(f"multi_provider.cost.operation.{operation}", cost)
        except Exception as exc:  # a summary must never break the code that asked for it
            logger.warning("genops: failed to export the multi-provider cost summary: %s", exc)


def _recommendations(summary: MultiProviderCostSummary) -> list[str]:
    """The original's three rules: a provider spread over 20 % of the total, a cost per
    token over $0.0001, one operation type over half of the total."""
    if not summary.cost_by_provider:
        return ["No cost data available for recommendations"]
    advice = []
    total = summary.total_cost
    by_cost = sorted(summary.cost_by_provider.items(), key=lambda kv: kv[1])
    spread = by_cost[-1][1] - by_cost[0][1]
    if len(by_cost) > 1 and spread > total * 0.2:
        advice.append(f"Consider using {by_cost[0][0]} more frequently - could save ${spread:.4f}")
    if summary.total_tokens > 0 and total / summary.total_tokens > 0.0001:
        advice.append("High cost per token detected - consider using more efficient models")
    if summary.cost_by_operation and total > 0:
        operation, cost = max(summary.cost_by_operation.items(), key=lambda kv: kv[1])
        if cost > total * 0.5:
            share = f"{cost / total * 100:.1f}%"
            advice.append(f"Operation '{operation}' accounts for {share} of costs - review for optimization")
    return advice or ["No specific optimization recommendations at this time"]


@contextmanager
def multi_provider_cost_tracking(
    session_id: Optional[str] = None, **governance_attrs: Any
) -> Iterator[MultiProviderCostAggregator]:
    """An aggregator for the block; its summary is recorded when the block exits
    (also when it raises)."""
    aggregator = MultiProviderCostAggregator(session_id)
    aggregator.set_governance_context(**governance_attrs)
    try:
        yield aggregator
    finally:
        aggregator.export_telemetry()


def compare_provider_costs(cost_entries: list[dict[str, Any]]) -> dict[str, Any]:
    """get_cost_breakdown() of entries given as dicts (provider, model, operation_type,
    cost, tokens_input, tokens_output; missing ones "unknown" or 0)."""
    aggregator = MultiProviderCostAggregator()
    for entry in cost_entries:
        aggregator.add_cost_entry(
            provider=entry.get("provider", "unknown"),
            model=entry.get("model", "unknown"),
            operation_type=entry.get("operation_type", "unknown"),
            cost=entry.get("cost", 0.0),
            tokens_input=entry.get("tokens_input", 0),
            tokens_output=entry.get("tokens_output", 0),
        )
    return aggregator.get_cost_breakdown()


def estimate_migration_costs(
    current_usage: dict[str, Any], target_provider: str, target_model: str
) -> dict[str, Any]:
    """What current_usage (total_cost, and tokens_input / tokens_output, or total_tokens
    split evenly as the original did) would cost on target_model, priced from the
    pricing table. A target without a price keeps the current cost, as the original's
    unknown providers did, and says so in "priced"."""
    from .. import pricing

    current_cost = float(_exact(current_usage.get("total_cost", 0.0)))
    if "tokens_input" in current_usage or "tokens_output" in current_usage:
        tokens_in = _tokens(current_usage.get("tokens_input", 0), "tokens_input")
        tokens_out = _tokens(current_usage.get("tokens_output", 0), "tokens_output")
    else:
        total = _tokens(current_usage.get("total_tokens", 0), "total_tokens")
        tokens_in = tokens_out = total // 2
    priced = pricing.cost(target_provider, target_model, input_tokens=tokens_in, output_tokens=tokens_out)
    estimated = current_cost if priced is None else float(priced[0])
    difference = estimated - current_cost
    return {
        "current_cost": current_cost,
        "estimated_new_cost": estimated,
        "cost_difference": difference,
        "percentage_change": difference / current_cost * 100 if current_cost > 0 else 0,
        "recommendation": "migrate" if difference < 0 else "evaluate",
        "savings_potential": -difference if difference < 0 else 0,
        "priced": priced is not None,
    }
