"""genops.core.multi_provider_costs: the original's aggregator, summary, comparison and
migration estimate, priced from prices.json (read here with json, not through
genops.pricing), exact sums, and the summary recorded as a genops operation."""

from __future__ import annotations

import json
import logging
import pathlib
import threading
from decimal import Decimal

import pytest

import genops
import genops.pricing as pricing
from genops.core.multi_provider_costs import (
    MultiProviderCostAggregator,
    compare_provider_costs,
    estimate_migration_costs,
    multi_provider_cost_tracking,
)

PRICES = json.loads(pathlib.Path(pricing.__file__).with_name("prices.json").read_text())["providers"]


def priced(provider: str, model: str, tokens_in: int, tokens_out: int) -> Decimal:
    entry = PRICES[provider]["models"][model]
    return (tokens_in * Decimal(entry["input"]) + tokens_out * Decimal(entry["output"])) / 1_000_000


def test_openai_and_anthropic_entries_are_priced_from_the_table():
    agg = MultiProviderCostAggregator(session_id="s1")
    agg.set_governance_context(team="ml", customer_id="acme")
    openai = agg.add_openai_cost("gpt-4o-2024-08-06", 1_000, 500, feature="chat")
    anthropic = agg.add_anthropic_cost("claude-3-5-sonnet-20241022", 2_000, 100)
    assert openai == float(priced("openai", "gpt-4o", 1_000, 500))
    assert anthropic == float(priced("anthropic", "claude-3-5-sonnet", 2_000, 100))

    first, second = agg.cost_entries
    assert (first.provider, first.operation_type, first.tokens_total) == ("openai", "completion", 1_500)
    assert second.operation_type == "message"
    assert first.governance_attributes == {"team": "ml", "customer_id": "acme", "feature": "chat"}

    s = agg.get_summary()
    assert s.total_cost == float(
        priced("openai", "gpt-4o", 1_000, 500) + priced("anthropic", "claude-3-5-sonnet", 2_000, 100)
    )
    assert s.cost_by_provider == {"openai": openai, "anthropic": anthropic}
    assert set(s.cost_by_model) == {"openai/gpt-4o-2024-08-06", "anthropic/claude-3-5-sonnet-20241022"}
    assert s.cost_by_operation == {"completion": openai, "message": anthropic}
    assert s.unique_providers == {"openai", "anthropic"}
    assert (s.total_tokens, s.total_operations, s.currency) == (3_600, 2, "USD")
    assert s.time_range is not None and s.time_range[0] <= s.time_range[1]
    assert s.governance_attributes == {"team": "ml", "customer_id": "acme"}
    assert s.unpriced_models == set()


def test_sums_are_exact_where_float_addition_drifts():
    agg = MultiProviderCostAggregator()
    for _ in range(10):
        agg.add_cost_entry("openai", "gpt-4o", "completion", 0.1)
    assert sum([0.1] * 10) != 1.0  # what a float running total would report
    assert agg.get_summary().total_cost == 1.0


def test_a_model_without_a_price_costs_nothing_is_listed_and_warned_once(caplog):
    pricing.reset_prices()
    agg = MultiProviderCostAggregator()
    with caplog.at_level(logging.WARNING, logger="genops"):
        assert agg.add_provider_cost("openai", "no-such-model-xyz", 10, 10) == 0.0
        assert agg.add_provider_cost("openai", "no-such-model-xyz", 10, 10) == 0.0
    assert sum("no-such-model-xyz" in r.getMessage() for r in caplog.records) == 1
    s = agg.get_summary()
    assert s.unpriced_models == {"openai/no-such-model-xyz"} and s.total_tokens == 40


def test_any_provider_the_table_prices_through_normalisation():
    agg = MultiProviderCostAggregator()
    assert agg.add_provider_cost("openrouter", "openai/gpt-4o", 1_000_000, 0) == float(
        priced("openai", "gpt-4o", 1_000_000, 0)
    )
    bedrock = agg.add_provider_cost("aws.bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", 0, 1_000)
    assert bedrock == float(priced("anthropic", "claude-3-5-sonnet", 0, 1_000))
    assert agg.get_summary().unique_providers == {"openrouter", "aws.bedrock"}


def test_breakdown_leaders_distribution_and_recommendations():
    result = compare_provider_costs(
        [
            {
                "provider": "openai",
                "model": "gpt-4o",
                "operation_type": "chat",
                "cost": 0.9,
                "tokens_input": 10,
            },
            {
                "provider": "anthropic",
                "model": "claude",
                "operation_type": "chat",
                "cost": 0.1,
                "tokens_output": 10,
            },
        ]
    )
    assert result["cost_leaders"] == {
        "most_expensive_provider": ("openai", 0.9),
        "least_expensive_provider": ("anthropic", 0.1),
    }
    assert result["provider_distribution"] == {"anthropic": 0.1, "openai": 0.9}
    metrics = result["efficiency_metrics"]
    assert metrics["avg_cost_per_token"] == 1.0 / 20 and metrics["avg_cost_per_operation"] == 0.5
    advice = result["recommendations"]
    assert advice[0] == "Consider using anthropic more frequently - could save $0.8000"
    assert "High cost per token detected - consider using more efficient models" in advice
    assert "Operation 'chat' accounts for 100.0% of costs - review for optimization" in advice


def test_empty_aggregator():
    result = MultiProviderCostAggregator().get_cost_breakdown()
    assert result["summary"].total_cost == 0.0 and result["provider_distribution"] == {}
    assert result["cost_leaders"]["most_expensive_provider"] == ("none", 0.0)
    assert result["recommendations"] == ["No cost data available for recommendations"]


def test_migration_estimate_uses_the_split_the_caller_gives():
    usage = {"total_cost": 10.0, "tokens_input": 1_000_000, "tokens_output": 100_000}
    out = estimate_migration_costs(usage, "openai", "gpt-4o-mini")
    expected = float(priced("openai", "gpt-4o-mini", 1_000_000, 100_000))
    assert out["estimated_new_cost"] == expected and out["priced"] is True
    assert out["cost_difference"] == expected - 10.0 and out["recommendation"] == "migrate"
    assert out["savings_potential"] == 10.0 - expected
    assert out["percentage_change"] == (expected - 10.0) / 10.0 * 100

    halves = estimate_migration_costs({"total_cost": 0.0, "total_tokens": 2_000}, "openai", "gpt-4o")
    assert halves["estimated_new_cost"] == float(priced("openai", "gpt-4o", 1_000, 1_000))
    assert halves["percentage_change"] == 0 and halves["recommendation"] == "evaluate"

    unknown = estimate_migration_costs({"total_cost": 3.0, "total_tokens": 10}, "nobody", "nothing")
    assert unknown["estimated_new_cost"] == 3.0 and unknown["priced"] is False


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"cost": "0.1"}, TypeError),
        ({"cost": True}, TypeError),
        ({"cost": float("nan")}, ValueError),
        ({"cost": float("inf")}, ValueError),
        ({"cost": -1}, ValueError),
        ({"cost": 1, "tokens_input": -1}, ValueError),
        ({"cost": 1, "tokens_output": 1.5}, TypeError),
        ({"cost": 1, "provider": ""}, TypeError),
        ({"cost": 1, "model": None}, TypeError),
    ],
)
def test_bad_entries_are_refused_clearly_and_not_added(kwargs, error):
    agg = MultiProviderCostAggregator()
    args = {"provider": "openai", "model": "gpt-4o", "operation_type": "chat", **kwargs}
    with pytest.raises(error):
        agg.add_cost_entry(**args)
    assert agg.cost_entries == [] and agg.get_summary().total_operations == 0


def test_one_currency_per_aggregator():
    agg = MultiProviderCostAggregator()
    agg.add_cost_entry("mistral", "m", "chat", 1, currency="EUR")
    with pytest.raises(ValueError, match="sums EUR"):
        agg.add_cost_entry("openai", "gpt-4o", "chat", 1)
    assert agg.get_summary().currency == "EUR" and agg.get_summary().total_operations == 1


def test_threads_add_without_losing_entries():
    agg = MultiProviderCostAggregator()

    def add():
        for _ in range(2_000):
            agg.add_cost_entry("openai", "gpt-4o", "chat", 0.001, tokens_input=1)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s = agg.get_summary()
    assert s.total_operations == 8_000 and s.total_tokens == 8_000 and s.total_cost == 8.0


def test_tracking_records_the_summary_as_an_operation_even_when_the_block_raises(genops_memory, one_span):
    with pytest.raises(KeyError):
        with multi_provider_cost_tracking("sess-9", team="ml") as agg:
            agg.add_cost_entry("openai", "gpt-4o", "chat", 0.25, tokens_input=3, tokens_output=2)
            agg.add_cost_entry("anthropic", "claude", "embed", 0.5)
            raise KeyError("boom")
    span = one_span()
    a = span.attributes
    assert span.name == "multi_provider_cost_summary"
    assert a["genops.operation.type"] == "cost.aggregation"
    assert a["genops.session_id"] == "sess-9" and a["genops.team"] == "ml"
    assert a["multi_provider.total_cost"] == 0.75 and a["multi_provider.total_tokens"] == 5
    assert a["multi_provider.total_operations"] == 2 and a["multi_provider.unique_providers"] == 2
    assert a["multi_provider.cost.openai"] == 0.25 and a["multi_provider.cost.anthropic"] == 0.5
    assert a["multi_provider.cost.operation.embed"] == 0.5


def test_reexported_from_genops_as_the_original_did():
    assert genops.MultiProviderCostAggregator is MultiProviderCostAggregator
    assert genops.multi_provider_cost_tracking is multi_provider_cost_tracking
