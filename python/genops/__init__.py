"""GenOps AI: governance telemetry for AI work, on a native core.

A drop-in replacement for the pure-Python ``genops-ai`` package: the same import
paths, names and attribute rules, with spans recorded, batched and exported by the
C library (genops-native).
"""

from __future__ import annotations

from . import _runtime, native
from . import budgets as budgets  # genops.budgets.define(...) after `import genops`
from .auto_instrumentation import GenOpsInstrumentor, init, status, uninstrument
from .core.context import (
    clear_context,
    clear_default_attributes,
    get_context,
    get_default_attributes,
    get_effective_attributes,
    set_context,
    set_customer_context,
    set_default_attributes,
    set_team_defaults,
    set_user_context,
    update_default_attributes,
)
from .core.context_manager import GenOpsSpan, track, track_enhanced
from .core.multi_provider_costs import (
    MultiProviderCostAggregator,
    MultiProviderCostSummary,
    ProviderCostEntry,
    compare_provider_costs,
    estimate_migration_costs,
    multi_provider_cost_tracking,
)
from .core.policy import enforce_policy
from .core.telemetry import GenOpsTelemetry
from .core.tracker import track_cost, track_evaluation, track_usage
from .core.validation import (
    TagValidationError,
    TagValidator,
    ValidationRule,
    ValidationSeverity,
    add_validation_rule,
    create_enum_rule,
    create_pattern_rule,
    create_required_rule,
    enforce_tags,
    get_validator,
    remove_validation_rule,
    validate_tags,
)
from .errors import (
    AttributeTypeError,
    ConfigError,
    FlushTimeout,
    GenOpsError,
    LimitExceededError,
    NotAvailableError,
)

#: The C library's version (GENOPS_VERSION_STRING): the one source of every version.
__version__: str = native.genops_version()


#: The guides' name for init(): the same function.
auto_instrument = init


def flush(timeout: float | None = None) -> bool:
    """Export every span that has ended, waiting at most timeout seconds (default 30).
    Returns True; raises FlushTimeout if the deadline passes first. The GIL is
    released while it waits."""
    return _runtime.flush(timeout)


def shutdown(timeout: float | None = None) -> None:
    """Flush within timeout seconds (default 30) and stop exporting; spans started
    afterwards do not record. init() starts anew."""
    _runtime.shutdown(timeout)


__all__ = [
    "AttributeTypeError",
    "ConfigError",
    "FlushTimeout",
    "GenOpsError",
    "GenOpsInstrumentor",
    "GenOpsSpan",
    "GenOpsTelemetry",
    "LimitExceededError",
    "MultiProviderCostAggregator",
    "MultiProviderCostSummary",
    "NotAvailableError",
    "ProviderCostEntry",
    "TagValidationError",
    "TagValidator",
    "ValidationRule",
    "ValidationSeverity",
    "__version__",
    "add_validation_rule",
    "auto_instrument",
    "clear_context",
    "clear_default_attributes",
    "compare_provider_costs",
    "create_enum_rule",
    "create_pattern_rule",
    "create_required_rule",
    "enforce_policy",
    "enforce_tags",
    "estimate_migration_costs",
    "flush",
    "get_context",
    "get_default_attributes",
    "get_effective_attributes",
    "get_validator",
    "init",
    "multi_provider_cost_tracking",
    "remove_validation_rule",
    "set_context",
    "set_customer_context",
    "set_default_attributes",
    "set_team_defaults",
    "set_user_context",
    "shutdown",
    "status",
    "track",
    "track_cost",
    "track_enhanced",
    "track_evaluation",
    "track_usage",
    "uninstrument",
    "update_default_attributes",
    "validate_tags",
]
