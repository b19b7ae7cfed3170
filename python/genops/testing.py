"""Read what the memory exporter captured: ``init(exporter_type="memory")``, run the
code, then ``finished_spans()``. For tests of code that uses genops, and genops' own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from . import _runtime, native
from ._errors import GenOpsError

_STATUS = {0: "UNSET", 1: "OK", 2: "ERROR"}


@dataclass(frozen=True)
class Event:
    name: str
    time_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FinishedSpan:
    """A finished span as exported: ids as hex, status as "UNSET" / "OK" / "ERROR"."""

    name: str
    trace_id: str
    span_id: str
    parent_span_id: Optional[str]
    start_ns: int
    end_ns: int
    kind: int
    status: str
    status_message: str
    attributes: dict[str, Any]
    events: list[Event]
    dropped_attributes: int
    truncated_values: int


def _exporter() -> Any:
    p = _runtime.current()
    if p.memory is None:
        raise GenOpsError("no memory exporter: call genops.init(exporter_type='memory') first")
    return p.memory


def _read(d: Any) -> FinishedSpan:
    trace_id, span_id = native.genops_span_data_context(d)
    parent = native.genops_span_data_parent(d)
    code, message = native.genops_span_data_status(d)
    attributes = dict(
        kv
        for i in range(native.genops_span_data_attribute_count(d))
        if (kv := native.genops_span_data_attribute(d, i)) is not None  # None only past the count
    )
    events = []
    for i in range(native.genops_span_data_event_count(d)):
        event = native.genops_span_data_event(d, i)
        if event is None:  # only past the count
            continue
        name, time_ns = event
        ev_attrs = {}
        for key in ("exception.type", "exception.message", "exception.stacktrace"):
            value = native.genops_span_data_event_find(d, i, key)
            if value is not None:
                ev_attrs[key] = value
        events.append(Event(name, time_ns, ev_attrs))
    return FinishedSpan(
        name=native.genops_span_data_name(d),
        trace_id=trace_id.hex(),
        span_id=span_id.hex(),
        parent_span_id=parent.hex() if parent is not None else None,
        start_ns=native.genops_span_data_start_ns(d),
        end_ns=native.genops_span_data_end_ns(d),
        kind=native.genops_span_data_kind(d),
        status=_STATUS.get(code, str(code)),
        status_message=message,
        attributes=attributes,
        events=events,
        dropped_attributes=native.genops_span_data_dropped_attributes(d),
        truncated_values=native.genops_span_data_truncated_values(d),
    )


def finished_spans(flush: bool = True) -> list[FinishedSpan]:
    """The spans the memory exporter holds, oldest first (after a flush, unless
    flush=False)."""
    if flush:
        _runtime.flush(10.0)
    exporter = _exporter()
    return [
        _read(native.genops_memory_exporter_get(exporter, i))
        for i in range(native.genops_memory_exporter_count(exporter))
    ]


def clear() -> None:
    """Forget every captured span."""
    native.genops_memory_exporter_clear(_exporter())


__all__ = ["Event", "FinishedSpan", "clear", "finished_spans"]
