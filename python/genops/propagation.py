"""W3C trace context and baggage over carriers (HTTP headers as a dict).

``inject(carrier)`` writes ``traceparent`` (and ``tracestate`` / ``baggage`` when there
are any) for the current genops span; ``extract(carrier)`` reads them back into a
:class:`RemoteContext`, and ``attach(context)`` continues that trace: genops operations
started under it, with no current genops or OpenTelemetry span, are its children.
The header formats are those of the W3C Trace Context
(https://www.w3.org/TR/trace-context/, sections 3.2 and 3.3) and W3C Baggage
(https://www.w3.org/TR/baggage/, section 3) recommendations, which is also what
``opentelemetry.propagate``'s default propagators write and read, so a trace crosses
calls between a genops service and an OpenTelemetry one in either direction.

Pure Python on purpose: nothing here imports OpenTelemetry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from contextvars import Token
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from . import _native

__all__ = ["Attachment", "RemoteContext", "attach", "attached", "detach", "extract", "inject"]

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
BAGGAGE = "baggage"

# version "-" trace-id "-" parent-id "-" trace-flags, lowercase hex (section 3.2.2);
# a future version may append fields after another "-" (section 4.3).
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
_TRACESTATE_MAX_MEMBERS = 32  # section 3.3.1.1
_BAGGAGE_MAX_MEMBERS = 180  # W3C Baggage, section 3.3.1 ("at least 64" must be kept)
_BAGGAGE_MAX_BYTES = 8192
_SAMPLED = 0x01


@dataclass(frozen=True)
class RemoteContext:
    """The trace context a caller sent: ids as ints, as ``GenOpsSpan.get_span_context``."""

    trace_id: int
    span_id: int
    trace_flags: int = _SAMPLED
    tracestate: str = ""
    baggage: dict[str, str] = field(default_factory=dict)

    @property
    def sampled(self) -> bool:
        return bool(self.trace_flags & _SAMPLED)


def _header(carrier: Mapping[str, object], name: str) -> str | None:
    """The header's value, whatever its case; a list of values (repeated headers) is
    joined with commas, as RFC 9110 section 5.3 allows for these list headers."""
    value = carrier.get(name)
    if value is None:
        for key, v in carrier.items():
            if isinstance(key, str) and key.lower() == name:
                value = v
                break
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _parse_traceparent(text: str) -> tuple[int, int, int] | None:
    match = _TRACEPARENT.fullmatch(text.strip())
    if not match:
        return None
    version, trace_hex, span_hex, flags_hex, rest = match.groups()
    # Version ff is invalid; version 00 has exactly four fields (section 3.2.2.1).
    if version == "ff" or (version == "00" and rest is not None):
        return None
    trace_id, span_id = int(trace_hex, 16), int(span_hex, 16)
    if not trace_id or not span_id:  # all-zero ids are invalid (3.2.2.3, 3.2.2.4)
        return None
    return trace_id, span_id, int(flags_hex, 16)


def _parse_tracestate(text: str | None) -> str:
    """The members kept as sent, empty ones dropped; more than 32 members makes the
    whole header invalid (section 3.3.1.1)."""
    if not text:
        return ""
    members = [m.strip() for m in text.split(",") if m.strip()]
    if len(members) > _TRACESTATE_MAX_MEMBERS or any("=" not in m for m in members):
        return ""
    return ",".join(members)


def _parse_baggage(text: str | None) -> dict[str, str]:
    """key=value members, percent-decoded; properties after ';' are not kept. A
    malformed member is skipped, not the whole header."""
    out: dict[str, str] = {}
    if not text or len(text.encode()) > _BAGGAGE_MAX_BYTES:
        return out
    for member in text.split(",")[:_BAGGAGE_MAX_MEMBERS]:
        pair = member.split(";", 1)[0]
        key, sep, value = pair.partition("=")
        key = key.strip()
        if sep and key:
            out[unquote(key)] = unquote(value.strip())
    return out


def extract(carrier: Mapping[str, object]) -> RemoteContext | None:
    """The trace context in carrier's headers (names in any case), or None when it has
    no valid ``traceparent``. Invalid headers are ignored, never raised about: they
    come from another process."""
    if not isinstance(carrier, Mapping):
        raise TypeError(f"carrier must be a mapping of headers, not {type(carrier).__name__}")
    text = _header(carrier, TRACEPARENT)
    parsed = _parse_traceparent(text) if text else None
    if parsed is None:
        return None
    trace_id, span_id, flags = parsed
    return RemoteContext(
        trace_id,
        span_id,
        flags,
        _parse_tracestate(_header(carrier, TRACESTATE)),
        _parse_baggage(_header(carrier, BAGGAGE)),
    )


class Attachment:
    """What :func:`attach` returns: the token :func:`detach` takes, and a context
    manager that detaches on exit (``with attach(ctx) as remote:``)."""

    __slots__ = ("context", "_token")

    def __init__(self, context: RemoteContext, token: Token[tuple[bytes, RemoteContext] | None]) -> None:
        self.context = context
        self._token = token

    def __enter__(self) -> RemoteContext:
        return self.context

    def __exit__(self, *exc_info: object) -> None:
        detach(self)


def _field(context: RemoteContext, name: str, limit: int) -> int:
    value = getattr(context, name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"RemoteContext.{name} must be an int, not {type(value).__name__}")
    if not 0 <= value < limit or (not value and name != "trace_flags"):
        raise ValueError(f"RemoteContext.{name} {value:#x} is not a valid W3C {name}")
    return value


def attach(context: RemoteContext) -> Attachment:
    """Continue the trace of context (from :func:`extract`) in this thread / task:
    until :func:`detach` (or the end of the ``with`` block), a genops span started with
    no current OpenTelemetry span and no current genops span is a child of context:
    its trace id, parent span id = context.span_id, and the parent-based sampler
    following context's sampled flag (docs/sampling.md). :func:`inject` then forwards
    context's baggage (and its tracestate, within its trace). A contextvars variable:
    other threads and tasks do not see it, and a task created under it inherits it."""
    if not isinstance(context, RemoteContext):
        raise TypeError(
            f"attach() takes a RemoteContext (from genops.propagation.extract), not {type(context).__name__}"
        )
    ids = (
        _field(context, "trace_id", 1 << 128).to_bytes(16, "big")
        + _field(context, "span_id", 1 << 64).to_bytes(8, "big")
        + bytes((_field(context, "trace_flags", 1 << 8),))
    )
    return Attachment(context, _native.set_remote((ids, context)))


def detach(attachment: Attachment) -> None:
    """Undo :func:`attach`: the remote context attached before it (if any) is back.
    Raises as contextvars does for a token used twice or in another context."""
    if not isinstance(attachment, Attachment):
        raise TypeError(f"detach() takes what attach() returned, not {type(attachment).__name__}")
    _native.remote_var.reset(attachment._token)


def attached() -> RemoteContext | None:
    """The remote context attached in this thread / task, or None."""
    value = _native.remote_var.get(None)
    return value[1] if value is not None else None


def _format_baggage(baggage: Mapping[str, str]) -> str:
    return ",".join(f"{quote(str(k), safe='')}={quote(str(v), safe='')}" for k, v in baggage.items())


def inject(
    carrier: MutableMapping[str, str],
    context: RemoteContext | None = None,
    baggage: Mapping[str, str] | None = None,
) -> None:
    """Write ``traceparent`` for context (default: the current genops span, else the
    attached remote context; nothing is written when there is neither), its
    ``tracestate``, and ``baggage`` (default: the context's). A span of genops' own is
    sent with its sampled flag (docs/sampling.md) and the attached context's baggage
    (and tracestate, when it is of the same trace)."""
    if not isinstance(carrier, MutableMapping):
        raise TypeError(f"carrier must be a mutable mapping, not {type(carrier).__name__}")
    if context is None:
        remote = attached()
        span = _native.current_span()
        sc = span.get_span_context() if span is not None else None
        if sc is not None and sc.is_valid:
            same_trace = remote is not None and remote.trace_id == sc.trace_id
            context = RemoteContext(
                sc.trace_id,
                sc.span_id,
                sc.trace_flags,
                remote.tracestate if same_trace and remote is not None else "",
                remote.baggage if remote is not None else {},
            )
        elif remote is not None:
            context = remote
        else:
            return
    carrier[TRACEPARENT] = (
        f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags & 0xFF:02x}"
    )
    if context.tracestate:
        carrier[TRACESTATE] = context.tracestate
    items = context.baggage if baggage is None else baggage
    if items:
        carrier[BAGGAGE] = _format_baggage(items)
