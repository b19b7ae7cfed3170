"""genops.pricing: the shipped table, normalisation, overrides, exact costs, and the
one warning per unknown model. Expected costs are computed here from prices.json read
with json, not through genops.pricing."""

from __future__ import annotations

import json
import logging
import pathlib
from decimal import Decimal

import pytest

import genops.pricing as pricing
from genops import ConfigError

PRICES = pathlib.Path(pricing.__file__).with_name("prices.json")


@pytest.fixture(autouse=True)
def shipped_table():
    pricing.reset_prices()
    yield
    pricing.reset_prices()


def raw(provider: str, model: str) -> dict:
    return json.loads(PRICES.read_text())["providers"][provider]["models"][model]


def test_data_file_ships_beside_the_module_with_dates_and_sources():
    doc = json.loads(PRICES.read_text())
    assert doc["schema"] == 1 and doc["version"] == pricing.version()
    for provider, block in doc["providers"].items():
        assert block["currency"] == "USD" and block["as_of"] and block["source"].startswith("https://")
        for model, entry in block["models"].items():
            price = pricing.lookup(provider, model)
            assert price is not None and price.input == Decimal(entry["input"]), model
            assert price.as_of == block["as_of"] and price.source == block["source"]


@pytest.mark.parametrize(
    "provider, model, expected",
    [
        ("openai", "gpt-4o-2024-08-06", "gpt-4o"),
        ("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("openai", "gpt-4-0613", "gpt-4"),
        ("openai", "GPT-4.1-2025-04-14", "gpt-4.1"),
        ("anthropic", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
        ("anthropic", "claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
        ("anthropic", "claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
        ("openrouter", "openai/gpt-4o", "gpt-4o"),
        ("openrouter", "anthropic/claude-sonnet-4:beta", "claude-sonnet-4"),
        ("aws.bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3-5-sonnet"),
        ("aws.bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"),
    ],
)
def test_normalisation_finds_the_base_model(provider, model, expected):
    price = pricing.lookup(provider, model)
    assert price is not None and price.model == expected


def test_a_dotted_model_name_is_not_a_prefix():
    assert pricing.normalize_model("gpt-3.5-turbo")[0] is None
    assert pricing.lookup("openai", "gpt-3.5-turbo-0125").model == "gpt-3.5-turbo"


def test_cost_is_exact_and_prices_cached_and_cache_written_tokens_apart():
    p = raw("anthropic", "claude-sonnet-4")
    got, price = pricing.cost("anthropic", "claude-sonnet-4-20250514", 1000, 300, 600, 100)
    want = (
        300 * Decimal(p["input"])
        + 600 * Decimal(p["cached_input"])
        + 100 * Decimal(p["cache_write"])
        + 300 * Decimal(p["output"])
    ) / Decimal(1_000_000)
    assert got == want and isinstance(got, Decimal) and price.model == "claude-sonnet-4"


def test_no_cached_price_means_the_input_price():
    p = raw("openai", "gpt-4")
    got, _ = pricing.cost("openai", "gpt-4", 1000, 0, 400)
    assert got == 1000 * Decimal(p["input"]) / Decimal(1_000_000)


def test_unknown_model_has_no_cost_and_warns_once(caplog):
    caplog.set_level(logging.WARNING, logger="genops")
    assert pricing.cost("openai", "gpt-9-imaginary", 10, 10) is None
    assert pricing.cost("openai", "gpt-9-imaginary", 10, 10) is None
    warnings = [r for r in caplog.records if "gpt-9-imaginary" in r.getMessage()]
    assert len(warnings) == 1


def test_set_price_overrides_and_extends_and_reset_restores():
    before = pricing.lookup("openai", "gpt-4o")
    pricing.set_price("openai", "gpt-4o", input="1.00", output="2.00")
    assert pricing.lookup("openai", "gpt-4o-2024-08-06").input == Decimal("1.00")
    pricing.set_price("acme", "tiny-1", input=0.1, output=3, currency="EUR", as_of="2026-01-01")
    got, price = pricing.cost("acme", "tiny-1", 1_000_000, 1_000_000)
    assert got == Decimal("3.1") and price.currency == "EUR"
    pricing.reset_prices()
    assert pricing.lookup("openai", "gpt-4o") == before and pricing.lookup("acme", "tiny-1") is None


def test_load_prices_merges_a_file(tmp_path):
    doc = {
        "schema": 1,
        "providers": {"acme": {"currency": "USD", "models": {"big-2": {"input": "4", "output": "8"}}}},
    }
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(doc))
    pricing.load_prices(path)
    assert pricing.lookup("acme", "big-2-latest").output == Decimal(8)
    assert pricing.lookup("openai", "gpt-4o") is not None  # merged, not replaced


@pytest.mark.parametrize(
    "doc",
    [
        {"providers": {"acme": {"models": {"m": {"input": "-1", "output": "1"}}}}},
        {"providers": {"acme": {"models": {"m": {"input": "NaN", "output": "1"}}}}},
        {"providers": {"acme": {"models": {"m": {"input": "abc", "output": "1"}}}}},
        {"providers": {"acme": {"models": {"m": {"output": "1"}}}}},
        {"providers": {"acme": {"models": {"m": {"input": "1", "output": "1", "typo": 1}}}}},
        {"schema": 2, "providers": {}},
        {"no": "providers"},
    ],
)
def test_bad_documents_are_refused_and_change_nothing(doc):
    with pytest.raises(ConfigError):
        pricing.load_prices(doc)
    assert pricing.lookup("acme", "m") is None


def test_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read prices"):
        pricing.load_prices(tmp_path / "missing.json")
