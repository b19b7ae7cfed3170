"""genops-ai's policy engine (genops.core.policy): the same names, signatures and
decisions, recording each decision on the current operation with record_policy.

Policies are looked up by name; four names have built-in evaluations (cost_limit,
rate_limit, content_filter, team_access), any other registered name is allowed, and an
unregistered name is allowed with the reason "Policy not found" and a logged warning,
as in genops-ai. rate_limit compares the request count the caller passes in the
context (request_count / requests_count / current_requests) with
max_requests_per_minute (alias max_requests, default 100); it keeps no state.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, TypeVar, Union

from .. import _native
from .._errors import ConfigError, GenOpsError

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class PolicyResult(Enum):
    """A policy decision; the value is what genops.policy.result records."""

    ALLOWED = "allowed"
    BLOCKED = "blocked"
    WARNING = "warning"
    RATE_LIMITED = "rate_limited"


class PolicyViolationError(GenOpsError):
    """A policy blocked (or rate-limited) an operation before it ran."""

    def __init__(self, policy_name: str, reason: str, metadata: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(f"Policy '{policy_name}' violation: {reason}")
        self.policy_name = policy_name
        self.reason = reason
        self.metadata = metadata or {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.policy_name, self.reason, self.metadata))


class PolicyEvaluationResult:
    """One policy's decision, with why and any figures (limit, actual)."""

    def __init__(
        self,
        policy_name: str,
        result: PolicyResult,
        reason: Optional[str] = None,
        metadata: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.policy_name = policy_name
        self.result = result
        self.reason = reason
        self.metadata = metadata or {}

    def __repr__(self) -> str:
        return f"PolicyEvaluationResult({self.policy_name!r}, {self.result}, {self.reason!r})"


class PolicyConfig:
    """A named policy: its enforcement level (the decision when it is violated) and
    the conditions its evaluation reads."""

    def __init__(
        self,
        name: str,
        description: str = "",
        enabled: bool = True,
        enforcement_level: PolicyResult = PolicyResult.BLOCKED,
        conditions: Optional[Dict[str, Any]] = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"policy name must be a non-empty string, not {name!r}")
        if not isinstance(enforcement_level, PolicyResult):
            raise ConfigError(
                f"policy {name!r}: enforcement_level must be a PolicyResult, not {enforcement_level!r}"
            )
        if conditions is not None and not isinstance(conditions, dict):
            raise ConfigError(f"policy {name!r}: conditions must be a dict, not {conditions!r}")
        self.name = name
        self.description = description
        self.enabled = enabled
        self.enforcement_level = enforcement_level
        self.conditions = dict(conditions or {})
        _check_conditions(self)


def _number(policy: PolicyConfig, key: str) -> None:
    value = policy.conditions.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ConfigError(f"policy {policy.name!r}: {key} must be a number, not {value!r}")
    if value < 0:
        raise ConfigError(f"policy {policy.name!r}: {key} must not be negative, got {value!r}")


def _strings(policy: PolicyConfig, key: str) -> None:
    value = policy.conditions.get(key)
    if value is None:
        return
    if isinstance(value, (str, bytes)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"policy {policy.name!r}: {key} must be a list of strings, not {value!r}")


def _check_conditions(policy: PolicyConfig) -> None:
    """Reject a condition the built-in evaluation would trip over later, at
    registration, with the policy and key named."""
    if policy.name == "cost_limit":
        _number(policy, "max_cost")
    elif policy.name == "rate_limit":
        _number(policy, "max_requests_per_minute")
        _number(policy, "max_requests")
    elif policy.name == "content_filter":
        _strings(policy, "blocked_patterns")
    elif policy.name == "team_access":
        _strings(policy, "allowed_teams")


def _allowed(policy: PolicyConfig) -> PolicyEvaluationResult:
    return PolicyEvaluationResult(policy.name, PolicyResult.ALLOWED, None)


def _cost_limit(policy: PolicyConfig, context: Dict[str, Any]) -> PolicyEvaluationResult:
    limit = policy.conditions.get("max_cost", float("inf"))
    cost = context.get("cost", context.get("estimated_cost", 0))
    if cost > limit:
        return PolicyEvaluationResult(
            policy.name,
            policy.enforcement_level,
            f"Cost limit exceeded: ${cost:.4f} exceeds limit ${limit:.4f}",
            metadata={"limit": limit, "actual": cost},
        )
    return _allowed(policy)


def _rate_limit(policy: PolicyConfig, context: Dict[str, Any]) -> PolicyEvaluationResult:
    cond = policy.conditions
    limit = cond.get("max_requests_per_minute", cond.get("max_requests", 100))
    count = context.get("request_count", context.get("requests_count", context.get("current_requests", 0)))
    if count >= limit:
        return PolicyEvaluationResult(
            policy.name,
            policy.enforcement_level,
            f"Rate limit exceeded: {count}/{limit} requests per minute",
        )
    return _allowed(policy)


def _content_filter(policy: PolicyConfig, context: Dict[str, Any]) -> PolicyEvaluationResult:
    content = str(context.get("content", "")).lower()
    for pattern in policy.conditions.get("blocked_patterns", []):
        if pattern.lower() in content:
            return PolicyEvaluationResult(
                policy.name,
                policy.enforcement_level,
                f"Content contains blocked pattern: {pattern}",
            )
    return _allowed(policy)


def _team_access(policy: PolicyConfig, context: Dict[str, Any]) -> PolicyEvaluationResult:
    teams = policy.conditions.get("allowed_teams", [])
    team = context.get("team")
    if teams and team not in teams:
        return PolicyEvaluationResult(
            policy.name,
            policy.enforcement_level,
            f"Team '{team}' not in allowed teams: {teams}",
        )
    return _allowed(policy)


_EVALUATIONS: Dict[str, Callable[[PolicyConfig, Dict[str, Any]], PolicyEvaluationResult]] = {
    "cost_limit": _cost_limit,
    "rate_limit": _rate_limit,
    "content_filter": _content_filter,
    "team_access": _team_access,
}


class PolicyEngine:
    """Registered policies by name, and their evaluation. Registration is guarded by
    a lock; evaluation reads one dict lookup, safe from any thread."""

    def __init__(self) -> None:
        self.policies: Dict[str, PolicyConfig] = {}
        self._lock = threading.Lock()

    def register_policy(self, policy: PolicyConfig) -> None:
        """Add or replace the policy of that name."""
        if not isinstance(policy, PolicyConfig):
            raise ConfigError(f"register_policy takes a PolicyConfig, not {type(policy).__name__}")
        with self._lock:
            self.policies[policy.name] = policy
        logger.info("Registered policy: %s", policy.name)

    def evaluate_policy(self, policy_name: str, operation_context: Dict[str, Any]) -> PolicyEvaluationResult:
        """The decision of policy_name for an operation described by operation_context."""
        policy = self.policies.get(policy_name)
        if policy is None:
            logger.warning("Unknown policy: %s", policy_name)
            return PolicyEvaluationResult(policy_name, PolicyResult.ALLOWED, "Policy not found")
        if not policy.enabled:
            return PolicyEvaluationResult(policy_name, PolicyResult.ALLOWED, "Policy disabled")
        evaluate = _EVALUATIONS.get(policy.name)
        return evaluate(policy, operation_context) if evaluate else _allowed(policy)


#: The process-wide engine register_policy, enforce_policy and check_policy use.
_policy_engine = PolicyEngine()
#: genops-ai's second name for it (its tests reach for this one).
_global_policy_engine = _policy_engine


def register_policy(
    name: str,
    description: str = "",
    enabled: bool = True,
    enforcement_level: PolicyResult = PolicyResult.BLOCKED,
    **conditions: Any,
) -> None:
    """Register a governance policy; keyword arguments are its conditions
    (max_cost=, max_requests_per_minute=, blocked_patterns=, allowed_teams=)."""
    _policy_engine.register_policy(PolicyConfig(name, description, enabled, enforcement_level, conditions))


def _record(result: PolicyEvaluationResult) -> None:
    span = _native.current_span()
    if span is not None and span.is_recording():
        _native.record_policy(
            span,
            policy_name=result.policy_name,
            policy_result=result.result.value,
            policy_reason=result.reason,
        )


def enforce_policy(
    policies: Union[str, List[str]], operation_context: Optional[Dict[str, Any]] = None
) -> Callable[[F], F]:
    """Decorator: evaluate the policies before each call, record every decision on
    the current operation, and raise PolicyViolationError (before the function runs)
    on a blocked or rate-limited decision; a warning is logged and the call goes on.
    A budget of genops.budgets with enforcement="block" whose scope matches the
    current operation and whose spend reached its limit blocks the call too.

    The context each policy sees is operation_context plus function_name, module,
    args and kwargs of the call (a fresh dict per call)."""
    names = [policies] if isinstance(policies, str) else list(policies)
    if not all(isinstance(n, str) for n in names):
        raise ConfigError(f"enforce_policy takes a policy name or a list of names, not {policies!r}")
    if operation_context is not None and not isinstance(operation_context, dict):
        raise ConfigError(f"operation_context must be a dict, not {operation_context!r}")

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            span = _native.current_span()
            blocked = _native.budget_blocked(span) if span is not None else None
            if blocked is not None:  # a "block" budget of genops.budgets, recorded on span
                raise PolicyViolationError(*blocked)
            context = dict(operation_context or {})
            context.update(function_name=func.__name__, module=func.__module__, args=args, kwargs=kwargs)
            for name in names:
                result = _policy_engine.evaluate_policy(name, context)
                _record(result)
                if result.result is PolicyResult.BLOCKED:
                    raise PolicyViolationError(name, result.reason or "Policy violation")
                if result.result is PolicyResult.RATE_LIMITED:
                    raise PolicyViolationError(name, result.reason or "Rate limit exceeded")
                if result.result is PolicyResult.WARNING:
                    logger.warning("Policy warning for '%s': %s", name, result.reason)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def check_policy(policy_name: str, operation_context: Dict[str, Any]) -> PolicyEvaluationResult:
    """The decision of one policy, without enforcing or recording it."""
    return _policy_engine.evaluate_policy(policy_name, operation_context)


__all__ = [
    "PolicyConfig",
    "PolicyEngine",
    "PolicyEvaluationResult",
    "PolicyResult",
    "PolicyViolationError",
    "check_policy",
    "enforce_policy",
    "register_policy",
]
