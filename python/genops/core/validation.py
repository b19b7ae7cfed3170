"""genops-ai's tag validation (genops.core.validation): rules on attribution
attributes, with its rule types (required, pattern, enum, length, custom), severities
and default rules, and the same results.

A rule that is broken is reported with its severity: warning-severity violations go
to ``warnings``, the others to ``violations``; only "block" makes the result invalid
and makes enforce() raise TagValidationError. A rule other than "required" ignores an
absent (None) attribute. get_effective_attributes() runs the global validator and logs
what it finds, as genops-ai did (it never raises there).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Set

from .._errors import ConfigError
from .exceptions import GenOpsValidationError

logger = logging.getLogger(__name__)


class ValidationSeverity(Enum):
    """What a broken rule does: WARNING logs, ERROR marks the tags invalid-but-allowed,
    BLOCK stops the operation (enforce raises)."""

    WARNING = "warning"
    ERROR = "error"
    BLOCK = "block"


RULE_TYPES = ("required", "pattern", "enum", "length", "custom")


@dataclass
class ValidationRule:
    """One rule on one attribute; the parameters its rule_type reads."""

    name: str
    attribute: str
    rule_type: str
    severity: ValidationSeverity
    description: str
    pattern: Optional[str] = None
    allowed_values: Optional[Set[str]] = None
    min_length: Optional[int] = None
    max_length: Optional[int] = None
    validator_func: Optional[Callable[[Any], bool]] = None
    error_message: Optional[str] = None

    def __post_init__(self) -> None:
        if self.rule_type not in RULE_TYPES:
            raise ConfigError(
                f"validation rule {self.name!r}: rule_type must be one of {', '.join(RULE_TYPES)},"
                f" not {self.rule_type!r}"
            )
        if not isinstance(self.severity, ValidationSeverity):
            raise ConfigError(
                f"validation rule {self.name!r}: severity must be a ValidationSeverity, not {self.severity!r}"
            )
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as e:
                raise ConfigError(
                    f"validation rule {self.name!r}: bad pattern {self.pattern!r}: {e}"
                ) from None
        for key in ("min_length", "max_length"):
            value = getattr(self, key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ConfigError(
                    f"validation rule {self.name!r}: {key} must be a non-negative int, not {value!r}"
                )
        if self.validator_func is not None and not callable(self.validator_func):
            raise ConfigError(f"validation rule {self.name!r}: validator_func must be callable")


@dataclass
class ValidationResult:
    """valid is False only when a block-severity rule is broken."""

    valid: bool
    violations: List[Dict[str, Any]]
    warnings: List[Dict[str, Any]]
    cleaned_attributes: Dict[str, Any]


class TagValidationError(GenOpsValidationError):
    """enforce() found block-severity violations."""

    def __init__(
        self, message: str, violations: List[Dict[str, Any]], warnings: List[Dict[str, Any]]
    ) -> None:
        super().__init__(message)
        self.violations = violations
        self.warnings = warnings

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.violations, self.warnings))


def _violation(rule: ValidationRule, value: Any, default: str, **extra: Any) -> Dict[str, Any]:
    found = {
        "rule": rule.name,
        "attribute": rule.attribute,
        "severity": rule.severity.value,
        "message": rule.error_message or default,
        "value": value,
    }
    found.update(extra)
    return found


def _check(rule: ValidationRule, attributes: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The violation of rule by attributes, or None."""
    attr = rule.attribute
    value = attributes.get(attr)
    if rule.rule_type == "required":
        if value is None or value == "":
            return _violation(rule, value, f"{attr} is required")
        return None
    if value is None:
        return None
    if rule.rule_type == "pattern" and rule.pattern:
        if isinstance(value, str) and not re.match(rule.pattern, value):
            return _violation(
                rule, value, f"{attr} does not match required pattern", expected_pattern=rule.pattern
            )
    elif rule.rule_type == "enum" and rule.allowed_values:
        if value not in rule.allowed_values:
            allowed = list(rule.allowed_values)
            return _violation(
                rule, value, f"{attr} must be one of: {', '.join(allowed)}", allowed_values=allowed
            )
    elif rule.rule_type == "length" and isinstance(value, str):
        n = len(value)
        if rule.min_length and n < rule.min_length:
            return _violation(
                rule,
                value,
                f"{attr} must be at least {rule.min_length} characters",
                actual_length=n,
                min_length=rule.min_length,
            )
        if rule.max_length and n > rule.max_length:
            return _violation(
                rule,
                value,
                f"{attr} must be no more than {rule.max_length} characters",
                actual_length=n,
                max_length=rule.max_length,
            )
    elif rule.rule_type == "custom" and rule.validator_func:
        try:
            ok = rule.validator_func(value)
        except Exception as e:  # a user's validator: its failure is a finding, not a crash
            found = _violation(rule, value, "")
            found.update(severity="error", message=f"Custom validation failed: {e}")
            return found
        if not ok:
            return _violation(rule, value, f"{attr} failed custom validation")
    return None


def _default_rules() -> List[ValidationRule]:
    warn, error = ValidationSeverity.WARNING, ValidationSeverity.ERROR
    return [
        ValidationRule(
            "team_required",
            "team",
            "required",
            warn,
            "Team is required for proper cost attribution",
            error_message="Team attribute should be specified for cost tracking",
        ),
        ValidationRule(
            "team_format",
            "team",
            "pattern",
            warn,
            "Team names should follow kebab-case format",
            pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
            error_message="Team should be lowercase with hyphens (e.g., 'platform-engineering')",
        ),
        ValidationRule(
            "customer_id_format",
            "customer_id",
            "pattern",
            error,
            "Customer IDs should follow standard format",
            pattern=r"^[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$",
            error_message="Customer ID should be alphanumeric with hyphens/underscores",
        ),
        ValidationRule(
            "environment_enum",
            "environment",
            "enum",
            warn,
            "Environment should be standard value",
            allowed_values={"production", "staging", "development", "test", "local"},
            error_message="Environment should be one of: production, staging, development, test, local",
        ),
        ValidationRule(
            "feature_length",
            "feature",
            "length",
            warn,
            "Feature names should be reasonable length",
            min_length=2,
            max_length=50,
            error_message="Feature name should be 2-50 characters",
        ),
        ValidationRule(
            "user_id_not_empty",
            "user_id",
            "custom",
            error,
            "User ID should not be empty string",
            validator_func=lambda v: v is None or (isinstance(v, str) and len(v.strip()) > 0),
            error_message="User ID should not be empty string",
        ),
    ]


class TagValidator:
    """An ordered list of rules (starting with the default ones) and an on/off switch."""

    def __init__(self) -> None:
        self.rules: List[ValidationRule] = _default_rules()
        self.enabled = True
        self._lock = threading.Lock()

    def add_rule(self, rule: ValidationRule) -> None:
        if not isinstance(rule, ValidationRule):
            raise ConfigError(f"add_rule takes a ValidationRule, not {type(rule).__name__}")
        with self._lock:
            self.rules = [*self.rules, rule]

    def remove_rule(self, rule_name: str) -> None:
        with self._lock:
            self.rules = [r for r in self.rules if r.name != rule_name]

    def enable(self) -> None:
        self.enabled = True

    def disable(self) -> None:
        self.enabled = False

    def validate(self, attributes: Dict[str, Any]) -> ValidationResult:
        """Apply every rule; cleaned_attributes is a copy of attributes."""
        if not self.enabled:
            return ValidationResult(True, [], [], attributes)
        violations: List[Dict[str, Any]] = []
        warnings: List[Dict[str, Any]] = []
        for rule in self.rules:  # a snapshot: add/remove swap the list
            found = _check(rule, attributes)
            if found is None:
                continue
            (warnings if found["severity"] == "warning" else violations).append(found)
        valid = not any(v["severity"] == "block" for v in violations)
        return ValidationResult(valid, violations, warnings, dict(attributes))

    def enforce(self, attributes: Dict[str, Any]) -> Dict[str, Any]:
        """The cleaned attributes; TagValidationError if a block-severity rule is broken."""
        result = self.validate(attributes)
        blocking = [v for v in result.violations if v["severity"] == "block"]
        if blocking:
            raise TagValidationError(
                f"Tag validation blocked operation with {len(blocking)} violations",
                violations=blocking,
                warnings=result.warnings,
            )
        return result.cleaned_attributes


_global_validator = TagValidator()


def get_validator() -> TagValidator:
    """The process-wide validator validate_tags, enforce_tags and
    get_effective_attributes use."""
    return _global_validator


def validate_tags(attributes: Dict[str, Any]) -> ValidationResult:
    return _global_validator.validate(attributes)


def enforce_tags(attributes: Dict[str, Any]) -> Dict[str, Any]:
    return _global_validator.enforce(attributes)


def add_validation_rule(rule: ValidationRule) -> None:
    _global_validator.add_rule(rule)


def remove_validation_rule(rule_name: str) -> None:
    _global_validator.remove_rule(rule_name)


def log_findings(result: ValidationResult) -> None:
    """Log a result's warnings and violations (what get_effective_attributes does)."""
    for found in result.warnings:
        logger.warning("Tag validation warning: %s", found["message"])
    for found in result.violations:
        logger.error("Tag validation %s: %s", found["severity"], found["message"])


def create_required_rule(
    attribute: str, severity: ValidationSeverity = ValidationSeverity.WARNING
) -> ValidationRule:
    return ValidationRule(
        f"{attribute}_required",
        attribute,
        "required",
        severity,
        f"{attribute} is required for proper attribution",
        error_message=f"{attribute} attribute is required",
    )


def create_enum_rule(
    attribute: str,
    allowed_values: Set[str],
    severity: ValidationSeverity = ValidationSeverity.WARNING,
) -> ValidationRule:
    return ValidationRule(
        f"{attribute}_enum",
        attribute,
        "enum",
        severity,
        f"{attribute} must be one of allowed values",
        allowed_values=allowed_values,
        error_message=f"{attribute} must be one of: {', '.join(allowed_values)}",
    )


def create_pattern_rule(
    attribute: str,
    pattern: str,
    description: str,
    severity: ValidationSeverity = ValidationSeverity.WARNING,
) -> ValidationRule:
    return ValidationRule(
        f"{attribute}_pattern",
        attribute,
        "pattern",
        severity,
        description,
        pattern=pattern,
        error_message=f"{attribute} does not match required format",
    )


__all__ = [
    "TagValidationError",
    "TagValidator",
    "ValidationResult",
    "ValidationRule",
    "ValidationSeverity",
    "add_validation_rule",
    "create_enum_rule",
    "create_pattern_rule",
    "create_required_rule",
    "enforce_tags",
    "get_validator",
    "remove_validation_rule",
    "validate_tags",
]
