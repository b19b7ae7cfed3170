"""One provider call as one genops operation: started before the SDK is called, ended
when its answer (or the end of its stream) is in, with usage, cost and status.

The operation is the native ``track`` span the rest of the package records with
(parented on the current span, with the governance context and defaults); it is never
entered, so the caller's current span does not change and a stream may end it from any
task or thread. The attribute names are genops' (``record_cost``: genops.cost.*,
genops.tokens.*) and, beside them, OpenTelemetry's GenAI semantic conventions
(https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/ and the gen_ai
registry: gen_ai.provider.name, gen_ai.operation.name, gen_ai.request.model,
gen_ai.response.model, gen_ai.response.id, gen_ai.response.finish_reasons,
gen_ai.usage.input_tokens / output_tokens, gen_ai.usage.cache_read.input_tokens,
gen_ai.usage.cache_creation.input_tokens, gen_ai.usage.reasoning.output_tokens,
error.type). As the conventions define it, gen_ai.usage.input_tokens counts cached
input tokens too.

Recording never breaks the call: a failure here is logged once on the "genops" logger
and the provider's result or exception reaches the application unchanged.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from .. import _native, pricing

logger = logging.getLogger("genops")

_reported: set[str] = set()  # the kinds of internal failure already logged


class Scope:
    """A call that records itself (a LiteLLM call, a LangChain model run) while it runs
    the SDK calls it is made of: start() records none of them, so the call is
    recorded once. Closing it works from any context (a LangChain stream may end in
    another one); the context variable then points at a closed scope, which is inert."""

    __slots__ = ("open",)

    def __init__(self) -> None:
        self.open = True


suppressed: contextvars.ContextVar[Optional[Scope]] = contextvars.ContextVar(
    "genops_provider_suppressed", default=None
)


def is_suppressed() -> bool:
    scope = suppressed.get()
    return scope is not None and scope.open


def report_once(kind: str, message: str, *args: Any) -> None:
    """A warning on the "genops" logger, the first time only for each kind."""
    if kind not in _reported:
        _reported.add(kind)
        logger.warning(message, *args)


@dataclass
class Usage:
    """What a response (or the events of a stream, as they pass) told about the call."""

    model: Optional[str] = None
    response_id: Optional[str] = None
    input_tokens: Optional[int] = None  # every input token, cached ones included
    uncached_input_tokens: Optional[int] = None  # Anthropic's input_tokens: without cache reads/writes
    output_tokens: Optional[int] = None
    total_tokens: Optional[int] = None
    cached_input_tokens: Optional[int] = None  # read from a prompt cache
    cache_write_tokens: Optional[int] = None  # written to a prompt cache
    reasoning_tokens: Optional[int] = None  # among the output tokens
    finish_reasons: list[str] = field(default_factory=list)


def number(obj: Any, *path: str) -> Optional[int]:
    """The int at obj.path[0].path[1]..., or None where any step is missing or None."""
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj if isinstance(obj, int) and not isinstance(obj, bool) else None


def text(obj: Any, name: str) -> Optional[str]:
    value = getattr(obj, name, None)
    return value if isinstance(value, str) and value else None


def chat_completion(call: "ProviderCall", obj: Any) -> None:
    """An OpenAI-shaped answer: a chat completion, one of its stream's chunks, or an
    embeddings response (OpenAI's, and Mistral's, which has the same fields)."""
    u = call.usage
    u.model = text(obj, "model") or u.model
    u.response_id = text(obj, "id") or u.response_id
    for choice in getattr(obj, "choices", None) or ():
        reason = getattr(choice, "finish_reason", None)
        if isinstance(reason, str):
            u.finish_reasons.append(reason)
    usage = getattr(obj, "usage", None)
    if usage is not None:
        u.input_tokens = number(usage, "prompt_tokens")
        u.output_tokens = number(usage, "completion_tokens")
        u.total_tokens = number(usage, "total_tokens")
        u.cached_input_tokens = number(usage, "prompt_tokens_details", "cached_tokens")
        u.reasoning_tokens = number(usage, "completion_tokens_details", "reasoning_tokens")


class ProviderCall:
    """The operation of one call. finish() or fail() ends it, once."""

    __slots__ = ("span", "provider", "request_model", "usage", "_open", "_attrs")

    def __init__(
        self,
        operation_name: str,
        provider: str,
        operation: str,
        request_model: Optional[str],
        attributes: Optional[dict[str, Any]] = None,
    ) -> None:
        self.provider = provider
        self.request_model = request_model
        self.usage = Usage()
        self._open = [True]  # list.pop() is atomic: finish and fail end the span once
        self.span = _native.track(operation_name, "ai.inference")
        # Set with the response's attributes, in one native call at the end.
        attrs: dict[str, Any] = {"gen_ai.provider.name": provider, "gen_ai.operation.name": operation}
        if request_model:
            attrs["gen_ai.request.model"] = request_model
        if attributes:
            attrs.update(attributes)
        self._attrs = attrs

    def set_provider(self, provider: str) -> None:
        """The provider, once the answer names it (LiteLLM's routing)."""
        self.provider = provider
        self._attrs["gen_ai.provider.name"] = provider

    def _take(self) -> bool:
        try:
            return self._open.pop()
        except IndexError:
            return False

    def _record_usage(self) -> None:
        u = self.usage
        model = u.model or self.request_model or ""
        attrs = self._attrs
        for key, value in (
            ("gen_ai.response.model", u.model),
            ("gen_ai.response.id", u.response_id),
            ("gen_ai.usage.input_tokens", u.input_tokens),
            ("gen_ai.usage.output_tokens", u.output_tokens),
            ("gen_ai.usage.cache_read.input_tokens", u.cached_input_tokens),
            ("gen_ai.usage.cache_creation.input_tokens", u.cache_write_tokens),
            ("gen_ai.usage.reasoning.output_tokens", u.reasoning_tokens),
        ):
            if value is not None:
                attrs[key] = value
        if u.finish_reasons:
            attrs["gen_ai.response.finish_reasons"] = list(u.finish_reasons)
        self.span.set_attributes(attrs)
        priced = None
        if model and (u.input_tokens is not None or u.output_tokens is not None):
            priced = pricing.cost(
                self.provider,
                model,
                u.input_tokens or 0,
                u.output_tokens or 0,
                u.cached_input_tokens or 0,
                u.cache_write_tokens or 0,
            )
        self.span.record_cost(
            cost=float(priced[0]) if priced else None,
            currency=priced[1].currency if priced else "USD",
            provider=self.provider,
            model=model,
            tokens_input=u.input_tokens,
            tokens_output=u.output_tokens,
            tokens_total=u.total_tokens,
        )

    def finish(self) -> None:
        """End with status OK and what usage holds. Idempotent."""
        if not self._take():
            return
        try:
            self._record_usage()
        except Exception as e:  # our bug or an odd response: never the application's problem
            report_once("usage", "genops: recording a %s call's usage failed: %r", self.provider, e)
        self.span.__exit__(None, None, None)

    def fail(self, exc: BaseException, status: Optional[int] = None) -> None:
        """End with status ERROR, the exception as an event, error.type and the
        HTTP status (given, else the exception's int status_code, else its int code,
        as google-genai's APIError has it). Idempotent."""
        if not self._take():
            return
        try:
            self._attrs["error.type"] = type(exc).__qualname__
            if status is None:
                status = getattr(exc, "status_code", None)
            if not isinstance(status, int):
                status = getattr(exc, "code", None)
            if isinstance(status, int) and not isinstance(status, bool):
                self._attrs["http.response.status_code"] = status
            self._record_usage()
        except Exception as e:
            report_once("error", "genops: recording a failed %s call failed: %r", self.provider, e)
        self.span.__exit__(type(exc), exc, exc.__traceback__)


# id(base_url object) -> (that object, provider, attributes). The object is held, so its
# id cannot be reused while it is a key; a client given a new base_url gets a new entry.
_endpoints: dict[int, tuple[Any, str, dict[str, Any]]] = {}
_MAX_ENDPOINTS = 256


def endpoint(resource: Any, classify: Callable[[str], str], default: str) -> tuple[str, dict[str, Any]]:
    """(classify(host), {server.address, server.port}) for the client of an SDK
    resource, from its base_url; (default, {}) when it has none. Kept per base_url
    object: parsing the URL on every call would cost more than the rest of the start."""
    try:
        url = resource._client.base_url
        cached = _endpoints.get(id(url))
        if cached is None or cached[0] is not url:
            host = str(url.host)
            attrs: dict[str, Any] = {"server.address": host}
            if url.port:
                attrs["server.port"] = int(url.port)
            cached = (url, classify(host), attrs)
            if len(_endpoints) >= _MAX_ENDPOINTS:
                _endpoints.clear()
            _endpoints[id(url)] = cached
    except Exception:
        return default, {}
    return cached[1], dict(cached[2])


_servers: dict[str, dict[str, Any]] = {}  # server URL -> server.address / server.port


def server(url: Any) -> dict[str, Any]:
    """{server.address, server.port} of a base URL string ({} when it is none), kept
    per URL: the SDKs without an httpx URL object (Mistral, Gemini, Cohere, LiteLLM)."""
    if not isinstance(url, str) or not url:
        return {}
    attrs = _servers.get(url)
    if attrs is None:
        try:
            parts = urlsplit(url)
            attrs = {"server.address": parts.hostname or ""}
            if parts.port:
                attrs["server.port"] = parts.port
        except ValueError:
            attrs = {}
        if len(_servers) >= _MAX_ENDPOINTS:
            _servers.clear()
        _servers[url] = attrs
    return dict(attrs)


def start(
    operation_name: str,
    provider: str,
    operation: str,
    request_model: Any,
    attributes: Optional[dict[str, Any]] = None,
) -> Optional[ProviderCall]:
    """A ProviderCall; None (the call goes on unrecorded) inside a call that records
    itself (``suppressed``) or, logged once, if even starting it failed."""
    if is_suppressed():
        return None
    try:
        model = request_model if isinstance(request_model, str) else None
        return ProviderCall(operation_name, provider, operation, model, attributes)
    except Exception as e:
        report_once("start", "genops: starting the operation of a %s call failed: %r", provider, e)
        return None
