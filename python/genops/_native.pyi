# Stub of genops._native: the hand-written per-operation type and functions
# (bindings/python/span.c); the module also holds the SWIG wrappers (see native.pyi).
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any, Callable, Literal, Mapping, Optional, Sequence

class SpanContext:
    """The W3C ids of a span (a struct sequence)."""

    @property
    def trace_id(self) -> int: ...
    @property
    def span_id(self) -> int: ...
    @property
    def is_valid(self) -> bool: ...
    @property
    def trace_flags(self) -> int: ...

class GenOpsSpan:
    """An operation span and its context manager: OK on a clean exit; on an exception,
    status ERROR with str(exc), an exception event, and the exception re-raised."""

    @property
    def span(self) -> GenOpsSpan: ...
    def __enter__(self) -> GenOpsSpan: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> Literal[False]: ...
    def record_cost(
        self,
        cost: Optional[float] = ...,
        currency: str = ...,
        provider: str = ...,
        model: str = ...,
        tokens_input: Optional[int] = ...,
        tokens_output: Optional[int] = ...,
        tokens_total: Optional[int] = ...,
        input_tokens: Optional[int] = ...,
        output_tokens: Optional[int] = ...,
        **metadata: Any,
    ) -> None: ...
    def record_policy(
        self,
        policy_name: str,
        policy_result: Optional[str] = "allowed",
        policy_reason: Optional[str] = ...,
        result: Optional[str] = ...,
        reason: Optional[str] = ...,
        metadata: Optional[Mapping[str, Any]] = ...,
        **kwargs: Any,
    ) -> None: ...
    def record_budget(
        self,
        budget_name: str,
        budget_limit: Optional[float] = ...,
        budget_used: Optional[float] = ...,
        budget_remaining: Optional[float] = ...,
        allocated: Optional[float] = ...,
        consumed: Optional[float] = ...,
        remaining: Optional[float] = ...,
        **metadata: Any,
    ) -> None: ...
    def record_evaluation(
        self,
        evaluation_name: Optional[str] = ...,
        score: float = ...,
        threshold: Optional[float] = ...,
        passed: Optional[bool] = ...,
        metric_name: Optional[str] = ...,
        evaluator: Optional[str] = ...,
        metadata: Optional[Mapping[str, Any]] = ...,
        **kwargs: Any,
    ) -> None: ...
    def set_attribute(self, key: str, value: Any) -> None: ...
    def set_attributes(self, attributes: Mapping[str, Any]) -> None: ...
    def add_event(
        self, name: str, attributes: Optional[Mapping[str, Any]] = ..., timestamp: Optional[int] = ...
    ) -> None: ...
    def record_exception(
        self,
        exception: BaseException,
        attributes: Optional[Mapping[str, Any]] = ...,
        timestamp: Optional[int] = ...,
        escaped: bool = ...,
    ) -> None: ...
    def set_status(self, status: Any, description: Optional[str] = ...) -> None: ...
    def end(self, end_time: Optional[int] = ...) -> None: ...
    def is_recording(self) -> bool: ...
    def get_span_context(self) -> SpanContext: ...

class Context:
    """An immutable governance context: a native attribute snapshot."""

    def __init__(
        self, base: Optional[Context] = ..., attributes: Optional[Mapping[str, Any]] = ...
    ) -> None: ...
    @property
    def attributes(self) -> dict[str, Any]: ...

span_var: ContextVar[GenOpsSpan]
context_var: ContextVar[Optional[Context]]
# (trace id 16 bytes + span id 8 + trace flags 1, the RemoteContext): propagation.attach
remote_var: ContextVar[Optional[tuple[bytes, Any]]]

def set_remote(value: tuple[bytes, Any]) -> Token[Optional[tuple[bytes, Any]]]: ...
def track(
    operation_name: str,
    operation_type: str = ...,
    team: Optional[str] = ...,
    project: Optional[str] = ...,
    feature: Optional[str] = ...,
    customer: Optional[str] = ...,
    environment: Optional[str] = ...,
    **attributes: Any,
) -> GenOpsSpan: ...
def trace_operation(operation_name: str, operation_type: str = ..., **attributes: Any) -> GenOpsSpan: ...
def create_span(name: str, attributes: Optional[Mapping[str, Any]] = ..., **kwargs: Any) -> GenOpsSpan: ...
def current_span() -> Optional[GenOpsSpan]: ...
def url_for_log(url: str) -> str: ...
def record_otel_span(span: Any) -> bool: ...
def on_end_otel_span(span: Any) -> None: ...
def otel_spans_failed() -> int: ...
def budget_blocked(span: GenOpsSpan) -> Optional[tuple[str, str]]: ...
def record_cost(span: GenOpsSpan, *args: Any, **kwargs: Any) -> None: ...
def record_policy(span: GenOpsSpan, *args: Any, **kwargs: Any) -> None: ...
def record_budget(span: GenOpsSpan, *args: Any, **kwargs: Any) -> None: ...
def record_evaluation(span: GenOpsSpan, *args: Any, **kwargs: Any) -> None: ...
def set_end_hook(fn: Optional[Callable[[dict[str, Any]], Sequence[str]]]) -> None: ...
def __getattr__(name: str) -> Any: ...
