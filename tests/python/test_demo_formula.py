"""genops.demo.formula: Honeycomb calculated-field formulas, on hand-checked events."""

from __future__ import annotations

import pytest

from genops.demo import formula
from genops.integrations.honeycomb_boards import DERIVED_COLUMNS

COLUMNS = {alias: formula.compile(expr) for alias, expr, _ in DERIVED_COLUMNS}  # every one compiles


def test_the_guides_calculated_fields():
    e = {
        "genops.cost.total": 0.05,
        "genops.tokens.total": 200,
        "genops.budget.consumed": 45.0,
        "genops.budget.limit": 50.0,
        "genops.operation.duration_ms": 500.0,
        "genops.customer_tier": "business",
        "genops.policy.result": "warning",
    }
    assert COLUMNS["cost_per_token"](e) == 0.05 / 200
    assert COLUMNS["budget_utilization_pct"](e) == 45.0 / 50.0 * 100
    assert COLUMNS["customer_tier_group"](e) == "paid"
    assert COLUMNS["cost_bucket"](e) == "small"
    assert COLUMNS["sli.policy_compliance"](e) is True
    assert COLUMNS["sli.budget_adherence"](e) is True
    assert COLUMNS["sli.cost_efficiency"](e) is True
    free = {"genops.customer_tier": "free", "genops.cost.total": 2.5, "genops.policy.result": "blocked"}
    assert COLUMNS["customer_tier_group"](free) == "free"
    assert COLUMNS["cost_bucket"](free) == "large"
    assert COLUMNS["sli.policy_compliance"](free) is False
    # without the fields they test, the SLIs and buckets are null (neither good nor bad)
    for alias in ("sli.policy_compliance", "sli.budget_adherence", "sli.cost_efficiency", "cost_bucket"):
        assert COLUMNS[alias]({}) is None, alias
    assert COLUMNS["customer_tier_group"]({}) == "unknown"
    assert COLUMNS["cost_per_token"]({"genops.cost.total": 1.0, "genops.tokens.total": 0}) is None


def test_literals_nulls_and_errors():
    assert formula.compile('IF(EQUALS($a, "x"), 1, 2)')({"a": "x"}) == 1.0
    assert formula.compile('IF(EQUALS($a, "x"), 1, 2)')({}) == 2.0
    assert formula.compile("IF(false, 1)")({}) is None
    assert formula.compile('IN($a, "a\\"b", null)')({"a": 'a"b'}) is True
    assert formula.compile("GTE(SUB($a, 1), ADD(1, 1))")({"a": 3}) is True
    assert formula.compile("LT($a, 1)")({"a": "text"}) is False  # a string against a number
    assert formula.compile("MUL($a, 2)")({"a": True}) is None
    for bad in ("", "NOPE($a)", "DIV($a)", "DIV($a, 1", "DIV($a, 1))", "IN($a)", "$a $b", "LT($a; 1)"):
        with pytest.raises(ValueError):
            formula.compile(bad)
