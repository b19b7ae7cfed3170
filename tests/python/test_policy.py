"""genops.core.policy and genops.core.validation: genops-ai's cases, as a user writes
them, with the same decisions; decisions recorded on the current operation; bad
configuration rejected with a clear error."""

from __future__ import annotations

import logging
import pickle

import pytest

import genops
from genops import ConfigError, enforce_policy
from genops.core.exceptions import GenOpsValidationError
from genops.core.policy import (
    PolicyConfig,
    PolicyEngine,
    PolicyResult,
    PolicyViolationError,
    _global_policy_engine,
    check_policy,
    register_policy,
)
from genops.core.validation import (
    TagValidationError,
    TagValidator,
    ValidationRule,
    ValidationSeverity,
    create_enum_rule,
    create_pattern_rule,
    create_required_rule,
    enforce_tags,
    validate_tags,
)


@pytest.fixture(autouse=True)
def _no_policies():
    _global_policy_engine.policies.clear()
    yield
    _global_policy_engine.policies.clear()


def test_cost_limit_decisions():
    register_policy("cost_limit", max_cost=1.0)
    over = check_policy("cost_limit", {"estimated_cost": 2.5})
    assert over.result is PolicyResult.BLOCKED
    assert over.reason == "Cost limit exceeded: $2.5000 exceeds limit $1.0000"
    assert over.metadata == {"limit": 1.0, "actual": 2.5}
    assert check_policy("cost_limit", {"cost": 1.0}).result is PolicyResult.ALLOWED
    assert check_policy("cost_limit", {}).result is PolicyResult.ALLOWED


def test_rate_limit_content_filter_team_access():
    register_policy("rate_limit", enforcement_level=PolicyResult.RATE_LIMITED, max_requests=3)
    register_policy("content_filter", blocked_patterns=["Secret"])
    register_policy("team_access", enforcement_level=PolicyResult.WARNING, allowed_teams=["ml"])
    limited = check_policy("rate_limit", {"request_count": 3})
    assert limited.result is PolicyResult.RATE_LIMITED
    assert limited.reason == "Rate limit exceeded: 3/3 requests per minute"
    assert check_policy("rate_limit", {"current_requests": 2}).result is PolicyResult.ALLOWED
    found = check_policy("content_filter", {"content": "the SECRET plan"})
    assert (found.result, found.reason) == (
        PolicyResult.BLOCKED,
        "Content contains blocked pattern: Secret",
    )
    assert check_policy("content_filter", {"content": "fine"}).result is PolicyResult.ALLOWED
    other = check_policy("team_access", {"team": "web"})
    assert other.result is PolicyResult.WARNING
    assert other.reason == "Team 'web' not in allowed teams: ['ml']"
    assert check_policy("team_access", {"team": "ml"}).result is PolicyResult.ALLOWED


def test_unknown_disabled_and_custom_policies(caplog):
    register_policy("cost_limit", enabled=False, max_cost=0.0)
    register_policy("my_rule", anything=1)
    with caplog.at_level(logging.WARNING, logger="genops.core.policy"):
        missing = check_policy("nope", {})
    assert (missing.result, missing.reason) == (PolicyResult.ALLOWED, "Policy not found")
    assert "Unknown policy: nope" in caplog.text
    off = check_policy("cost_limit", {"cost": 9})
    assert (off.result, off.reason) == (PolicyResult.ALLOWED, "Policy disabled")
    assert check_policy("my_rule", {}).result is PolicyResult.ALLOWED


def test_engine_instance_is_independent():
    engine = PolicyEngine()
    engine.register_policy(PolicyConfig("cost_limit", conditions={"max_cost": 10.0}))
    assert engine.evaluate_policy("cost_limit", {"cost": 11}).result is PolicyResult.BLOCKED
    assert check_policy("cost_limit", {"cost": 11}).reason == "Policy not found"


def test_enforce_policy_blocks_before_the_call_and_records(genops_memory):
    register_policy("cost_limit", max_cost=0.5)
    ran = []

    @enforce_policy(["cost_limit"], operation_context={"estimated_cost": 0.9})
    def generate(prompt):
        ran.append(prompt)
        return prompt

    with pytest.raises(PolicyViolationError) as caught, genops.track("chat", team="ml"):
        generate("hi")
    assert ran == []
    err = caught.value
    assert (err.policy_name, err.reason) == (
        "cost_limit",
        "Cost limit exceeded: $0.9000 exceeds limit $0.5000",
    )
    assert str(err) == "Policy 'cost_limit' violation: " + err.reason
    assert isinstance(err, genops.GenOpsError)
    assert pickle.loads(pickle.dumps(err)).reason == err.reason
    attrs = genops_memory.finished_spans()[0].attributes
    assert attrs["genops.policy.name"] == "cost_limit"
    assert attrs["genops.policy.result"] == "blocked"
    assert attrs["genops.policy.reason"] == err.reason


def test_enforce_policy_allows_warns_and_passes_the_call(genops_memory, caplog):
    register_policy("content_filter", enforcement_level=PolicyResult.WARNING, blocked_patterns=["x"])

    @enforce_policy("content_filter", {"content": "xyz"})
    def work(a, b=1):
        return a + b

    with caplog.at_level(logging.WARNING, logger="genops.core.policy"), genops.track("op"):
        assert work(1, b=2) == 3
    assert "Policy warning for 'content_filter'" in caplog.text
    assert genops_memory.finished_spans()[0].attributes["genops.policy.result"] == "warning"
    assert work(2) == 3  # outside an operation: nothing to record on, still enforced


def test_rate_limited_raises():
    register_policy("rate_limit", enforcement_level=PolicyResult.RATE_LIMITED, max_requests_per_minute=1)

    @enforce_policy("rate_limit", {"requests_count": 5})
    def f():
        return 1

    with pytest.raises(PolicyViolationError, match="Rate limit exceeded: 5/1"):
        f()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "cost_limit", "max_cost": -1}, "max_cost must not be negative"),
        ({"name": "cost_limit", "max_cost": "10"}, "max_cost must be a number"),
        ({"name": "rate_limit", "max_requests": float("nan")}, "max_requests must be a number"),
        ({"name": "content_filter", "blocked_patterns": "spam"}, "list of strings"),
        ({"name": "team_access", "allowed_teams": [1]}, "list of strings"),
        ({"name": "", "max_cost": 1}, "non-empty string"),
        ({"name": "cost_limit", "enforcement_level": "blocked"}, "must be a PolicyResult"),
    ],
)
def test_bad_policy_configuration(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        register_policy(**kwargs)


def test_bad_enforce_policy_arguments():
    with pytest.raises(ConfigError, match="policy name or a list"):
        enforce_policy([1])
    with pytest.raises(ConfigError, match="operation_context must be a dict"):
        enforce_policy("cost_limit", operation_context=[("cost", 1)])
    with pytest.raises(ConfigError, match="takes a PolicyConfig"):
        PolicyEngine().register_policy({"name": "cost_limit"})


# ---- tag validation ---------------------------------------------------------------


def test_default_rules_and_severities():
    assert [r.name for r in TagValidator().rules] == [
        "team_required",
        "team_format",
        "customer_id_format",
        "environment_enum",
        "feature_length",
        "user_id_not_empty",
    ]
    clean = validate_tags({"team": "platform-eng", "environment": "production", "feature": "chat"})
    assert (clean.valid, clean.violations, clean.warnings) == (True, [], [])
    bad = validate_tags(
        {
            "team": "Platform Eng",
            "customer_id": "-bad-",
            "environment": "prod",
            "feature": "x",
            "user_id": " ",
        }
    )
    assert bad.valid  # only block-severity rules make tags invalid
    assert [w["rule"] for w in bad.warnings] == ["team_format", "environment_enum", "feature_length"]
    assert [v["rule"] for v in bad.violations] == ["customer_id_format", "user_id_not_empty"]
    assert bad.warnings[2]["actual_length"] == 1 and bad.warnings[2]["min_length"] == 2
    assert [w["rule"] for w in validate_tags({}).warnings] == ["team_required"]
    assert validate_tags({"team": ""}).warnings[0]["rule"] == "team_required"


def test_blocking_rule_and_enforce_tags():
    validator = TagValidator()
    validator.add_rule(create_required_rule("project", ValidationSeverity.BLOCK))
    validator.add_rule(create_enum_rule("tier", {"gold"}, ValidationSeverity.ERROR))
    validator.add_rule(create_pattern_rule("region", r"^[a-z]{2}$", "two letters"))
    result = validator.validate({"team": "ml", "tier": "tin", "region": "EU"})
    assert not result.valid
    assert [v["rule"] for v in result.violations] == ["project_required", "tier_enum"]
    assert result.warnings[0]["message"] == "region does not match required format"
    with pytest.raises(TagValidationError) as caught:
        validator.enforce({"team": "ml"})
    assert len(caught.value.violations) == 1 and isinstance(caught.value, GenOpsValidationError)
    assert validator.enforce({"team": "ml", "project": "p"}) == {"team": "ml", "project": "p"}
    validator.remove_rule("project_required")
    validator.disable()
    assert validator.validate({"tier": "tin"}).valid
    assert enforce_tags({"team": "ml"}) == {"team": "ml"}


def test_custom_rule_that_raises_is_a_finding():
    validator = TagValidator()

    def explode(value):
        raise RuntimeError("boom")

    validator.add_rule(
        ValidationRule("c", "k", "custom", ValidationSeverity.WARNING, "d", validator_func=explode)
    )
    found = validator.validate({"team": "ml", "k": 1}).violations
    assert found == [
        {
            "rule": "c",
            "attribute": "k",
            "severity": "error",
            "message": "Custom validation failed: boom",
            "value": 1,
        }
    ]


def test_get_effective_attributes_logs_findings(genops_memory, caplog):
    with caplog.at_level(logging.WARNING, logger="genops.core.validation"):
        attrs = genops.get_effective_attributes(team="Bad Team", customer_id="-x")
    assert attrs == {"team": "Bad Team", "customer_id": "-x"}
    assert "Team should be lowercase" in caplog.text
    assert "Customer ID should be alphanumeric" in caplog.text


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rule_type": "regex"}, "rule_type must be one of"),
        ({"severity": "block"}, "must be a ValidationSeverity"),
        ({"rule_type": "pattern", "pattern": "("}, "bad pattern"),
        ({"rule_type": "length", "min_length": -1}, "min_length must be a non-negative int"),
        ({"rule_type": "custom", "validator_func": 3}, "must be callable"),
    ],
)
def test_bad_rules(kwargs, message):
    args = {
        "name": "r",
        "attribute": "a",
        "rule_type": "required",
        "severity": ValidationSeverity.ERROR,
        "description": "d",
    }
    args.update(kwargs)
    with pytest.raises(ConfigError, match=message):
        ValidationRule(**args)
