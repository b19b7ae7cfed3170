"""The C status codes (genops_status) and the exception class of each, by name
(generated from core/src/status.def by tools/gen_bindings.py; do not edit).
_errors.py makes its code -> class table from CLASS_NAMES."""

from __future__ import annotations

OK = 0  # success
EINVAL = 1  # invalid argument
ENOMEM = 2  # out of memory
ETOOBIG = 3  # a configured limit was reached
ETIMEDOUT = 4  # deadline passed
ESTALE = 5  # span has already ended
ESHUTDOWN = 6  # pipeline is shut down
EIO = 7  # transport failure
EREJECTED = 8  # rejected by the backend
EINTERNAL = 9  # internal error

#: Status code -> the name of its class in genops._errors (GENOPS_OK has none).
CLASS_NAMES: dict[int, str] = {
    EINVAL: "ConfigError",
    ENOMEM: "GenOpsMemoryError",
    ETOOBIG: "LimitExceededError",
    ETIMEDOUT: "FlushTimeout",
    ESTALE: "SpanEndedError",
    ESHUTDOWN: "ShutdownError",
    EIO: "TransportError",
    EREJECTED: "RejectedError",
    EINTERNAL: "InternalError",
}
