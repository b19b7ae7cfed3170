"""Every exception genops raises, importable from one public module.

All derive from GenOpsError, and each also from the built-in exception that fits
(ConfigError is a ValueError, FlushTimeout a TimeoutError, ...), so code that catches
the built-in keeps working. ``code`` is the C status (``genops_status`` in genops.h)
the native layer failed with, or 0 for an error raised in Python.

The classes live in genops._errors, the table the native module raises from; this
module is their public name. docs/python.md says when each one is raised.
"""

from __future__ import annotations

from ._errors import (
    AttributeTypeError,
    ConfigError,
    FlushTimeout,
    GenOpsError,
    GenOpsMemoryError,
    InternalError,
    LimitExceededError,
    NotAvailableError,
    RejectedError,
    ShutdownError,
    SpanEndedError,
    TransportError,
)

__all__ = [
    "AttributeTypeError",
    "ConfigError",
    "FlushTimeout",
    "GenOpsError",
    "GenOpsMemoryError",
    "InternalError",
    "LimitExceededError",
    "NotAvailableError",
    "RejectedError",
    "ShutdownError",
    "SpanEndedError",
    "TransportError",
]
