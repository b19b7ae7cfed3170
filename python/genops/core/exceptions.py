"""genops-ai's genops.core.exceptions: its names, on genops' own classes.

genops-ai kept its exceptions here. GenOpsError is genops.errors.GenOpsError, the root
of everything genops raises, and GenOpsConfigurationError is ConfigError, which is
what genops raises for an invalid configuration. genops-ai's other four were raised by
its provider patches and budget checks, which this package does not have: they are
here, under GenOpsError, for code that raises or catches them itself. Every class
genops.errors has is importable from here too.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import errors
from ..errors import *  # noqa: F403 - every public class, by genops.errors' __all__
from ..errors import ConfigError, GenOpsError

#: genops-ai's name for an invalid or missing configuration: the same class.
GenOpsConfigurationError = ConfigError


class GenOpsBudgetExceededError(GenOpsError):
    """An operation would exceed a budget (genops-ai's; genops records budgets with
    record_budget and never raises this itself)."""

    def __init__(
        self,
        message: str = "",
        budget_limit: Optional[float] = None,
        current_cost: Optional[float] = None,
        operation_cost: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.budget_limit = budget_limit
        self.current_cost = current_cost
        self.operation_cost = operation_cost

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.budget_limit, self.current_cost, self.operation_cost))


class GenOpsValidationError(GenOpsError):
    """A validation failed (genops-ai's; genops itself raises ConfigError or
    AttributeTypeError for a bad value)."""


class GenOpsProviderError(GenOpsError):
    """An AI provider call failed (genops-ai's provider patches raised it; genops does
    not patch providers)."""


class GenOpsSessionError(GenOpsError):
    """Session management failed (genops-ai's; genops has no sessions)."""


__all__ = [
    *errors.__all__,
    "GenOpsBudgetExceededError",
    "GenOpsConfigurationError",
    "GenOpsProviderError",
    "GenOpsSessionError",
    "GenOpsValidationError",
]
