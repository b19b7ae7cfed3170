"""Exceptions raised by genops (imported by their public module, genops.errors).

The native layer raises them by the C status code (``genops_status`` in genops.h)
through ``_class_for_status``: this module's ``_BY_CODE`` maps codes to classes, made
from core/src/status.def, which names each code's class. Each class also inherits the
built-in exception that fits, so code that catches ``ValueError`` or ``TimeoutError``
keeps working.
"""

from __future__ import annotations

from typing import Any

from . import _status


class GenOpsError(Exception):
    """Base class of every genops error. ``code`` is the C ``genops_status`` (0 when
    the error comes from the Python layer)."""

    code: int

    def __init__(self, message: str = "", code: int = 0) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.code))


class ConfigError(GenOpsError, ValueError):
    """An option, endpoint or attribute value was invalid (GENOPS_EINVAL)."""


class AttributeTypeError(GenOpsError, TypeError):
    """An attribute value has a type genops cannot record (raised by the bindings
    before any native call; code GENOPS_EINVAL)."""


class GenOpsMemoryError(GenOpsError, MemoryError):
    """The native library ran out of memory (GENOPS_ENOMEM)."""


class LimitExceededError(GenOpsError, ValueError):
    """A configured limit was reached, e.g. a span's byte budget (GENOPS_ETOOBIG)."""


class FlushTimeout(GenOpsError, TimeoutError):
    """flush() or shutdown() passed its deadline (GENOPS_ETIMEDOUT)."""


class SpanEndedError(GenOpsError):
    """A span handle that has already ended (GENOPS_ESTALE). Span methods log and
    ignore this, as OpenTelemetry does; the low-level API raises it."""


class ShutdownError(GenOpsError, RuntimeError):
    """The pipeline has been shut down (GENOPS_ESHUTDOWN)."""


class TransportError(GenOpsError):
    """Sending to a backend failed: connect, TLS, reset, timeout (GENOPS_EIO)."""


class RejectedError(GenOpsError):
    """The backend refused the data and retrying cannot help (GENOPS_EREJECTED)."""


class InternalError(GenOpsError, RuntimeError):
    """A bug in genops (GENOPS_EINTERNAL); please report it."""


class NotAvailableError(GenOpsError, NotImplementedError):
    """A feature (such as an exporter type) that this build of genops does not have."""


# The one table: C status code -> exception class, by the class names of
# core/src/status.def (python/genops/_status.py is generated from it).
# tests/python/test_errors.py checks it against the status constants of the native module.
_BY_CODE: dict[int, type[GenOpsError]] = {code: globals()[name] for code, name in _status.CLASS_NAMES.items()}


def _class_for_status(code: int) -> type[GenOpsError]:
    """The class for a C status code (GenOpsError for a code this version does not
    know). Called by the native module."""
    return _BY_CODE.get(code, GenOpsError)
