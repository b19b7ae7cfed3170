"""Anthropic: messages.create (sync and async, stream=True too) and messages.stream(),
recorded as one genops operation per call (see _call.py).

Patched at the class level of anthropic.resources.messages (Messages, AsyncMessages);
``unpatch_anthropic`` restores the same function objects. ``messages.stream()`` sends
its request when its manager is entered: the patch wraps the manager's request, so the
operation starts then and ends with the stream.

Anthropic counts ``usage.input_tokens`` without the tokens read from or written to the
prompt cache; gen_ai.usage.input_tokens and genops.tokens.input are their sum, as
OpenTelemetry's GenAI conventions define the input count, and the cost prices each part
at its own rate (cached_input, cache_write in the pricing table).

The SDK traces itself: with an OpenTelemetry tracer provider installed, each call also
gets the SDK's own CLIENT span ``anthropic.messages.create`` (docs/providers.md).
genops records the call once, in its own pipeline; that span goes to whatever
OpenTelemetry pipeline the application set up, never to genops'.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import _call, _wrap
from ._call import ProviderCall, number, report_once, text
from ._patch import Patches

_patches = Patches("anthropic", "Anthropic", "messages.create, messages.stream; sync and async")

OPERATION = "anthropic.messages.create"


def _usage(call: ProviderCall, usage: Any) -> None:
    u = call.usage
    for attr, key in (
        ("uncached_input_tokens", "input_tokens"),
        ("output_tokens", "output_tokens"),
        ("cached_input_tokens", "cache_read_input_tokens"),
        ("cache_write_tokens", "cache_creation_input_tokens"),
        ("reasoning_tokens", None),
    ):
        value = number(usage, key) if key else number(usage, "output_tokens_details", "thinking_tokens")
        if value is not None:  # a message_delta repeats only what it updates
            setattr(u, attr, value)
    if u.uncached_input_tokens is not None:
        u.input_tokens = u.uncached_input_tokens + (u.cached_input_tokens or 0) + (u.cache_write_tokens or 0)
    if u.input_tokens is not None and u.output_tokens is not None:
        u.total_tokens = u.input_tokens + u.output_tokens


def _message(call: ProviderCall, obj: Any) -> None:
    """A Message, or a raw stream event (message_start carries the message,
    message_delta the cumulative usage and the stop reason)."""
    kind = getattr(obj, "type", None)
    if kind == "message_start":
        obj = getattr(obj, "message", None)
        kind = "message"
    if kind == "message":
        call.usage.model = text(obj, "model") or call.usage.model
        call.usage.response_id = text(obj, "id") or call.usage.response_id
        reason = text(obj, "stop_reason")
        if reason:
            call.usage.finish_reasons = [reason]
    elif kind == "message_delta":
        reason = text(getattr(obj, "delta", None), "stop_reason")
        if reason:
            call.usage.finish_reasons = [reason]
    else:
        return
    usage = getattr(obj, "usage", None)
    if usage is not None:
        _usage(call, usage)


def _classify(host: str) -> str:
    if host.endswith(".amazonaws.com"):
        return "aws.bedrock"
    if host.endswith("aiplatform.googleapis.com"):
        return "gcp.vertex_ai"
    return "anthropic"


def provider_of(resource: Any) -> tuple[str, dict[str, Any]]:
    """The provider (anthropic, or aws.bedrock / gcp.vertex_ai for the SDK's Bedrock
    and Vertex clients, by host) and server.address / server.port."""
    return _call.endpoint(resource, _classify, "anthropic")


def _start(resource: Any, kwargs: dict[str, Any], stream: bool) -> Optional[ProviderCall]:
    provider, attrs = provider_of(resource)
    if stream:
        attrs["gen_ai.request.stream"] = True
    max_tokens = kwargs.get("max_tokens")
    if isinstance(max_tokens, int) and not isinstance(max_tokens, bool):
        attrs["gen_ai.request.max_tokens"] = max_tokens
    return _call.start(OPERATION, provider, "chat", kwargs.get("model"), attrs)


# The managers keep their request in a private (name-mangled) attribute: the sync one a
# callable, the async one an awaitable, made by stream() and used on __enter__/__aenter__.
_SYNC_REQUEST = "_MessageStreamManager__api_request"
_ASYNC_REQUEST = "_AsyncMessageStreamManager__api_request"


def _stream_sync(streams: tuple[type, type]) -> Callable[[Any], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def stream(self: Any, *args: Any, **kwargs: Any) -> Any:
            manager = original(self, *args, **kwargs)
            request = getattr(manager, _SYNC_REQUEST, None)
            if not _patches.active or not callable(request):
                if _patches.active:
                    report_once(
                        "anthropic-manager", "genops: messages.stream() of this anthropic SDK is not recorded"
                    )
                return manager

            def api_request() -> Any:
                call = _start(self, kwargs, True)
                try:
                    raw = request()
                except BaseException as e:
                    if call is not None:
                        call.fail(e)
                    raise
                return raw if call is None else _wrap.finish(call, raw, _message, streams, "_iterator")

            setattr(manager, _SYNC_REQUEST, api_request)
            return manager

        return stream

    return make


def _stream_async(streams: tuple[type, type]) -> Callable[[Any], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def stream(self: Any, *args: Any, **kwargs: Any) -> Any:
            manager = original(self, *args, **kwargs)
            request = getattr(manager, _ASYNC_REQUEST, None)
            if not _patches.active or request is None:
                if _patches.active:
                    report_once(
                        "anthropic-manager", "genops: messages.stream() of this anthropic SDK is not recorded"
                    )
                return manager

            async def api_request() -> Any:
                call = _start(self, kwargs, True)
                try:
                    raw = await request
                except BaseException as e:
                    if call is not None:
                        call.fail(e)
                    raise
                return raw if call is None else _wrap.finish(call, raw, _message, streams, "_iterator")

            setattr(manager, _ASYNC_REQUEST, api_request())
            return manager

        return stream

    return make


def _install(patches: Patches) -> None:
    import anthropic
    from anthropic.resources.messages import AsyncMessages, Messages

    streams = (anthropic.Stream, anthropic.AsyncStream)

    def start(resource: Any, kwargs: dict[str, Any]) -> Optional[ProviderCall]:
        return _start(resource, kwargs, kwargs.get("stream") is True)

    patches.replace(Messages, "create", _wrap.sync_call(patches, start, _message, streams))
    patches.replace(AsyncMessages, "create", _wrap.async_call(patches, start, _message, streams))
    patches.replace(Messages, "stream", _stream_sync(streams))
    patches.replace(AsyncMessages, "stream", _stream_async(streams))


def is_available() -> bool:
    """Whether the anthropic SDK can be imported."""
    return _patches.sdk_installed()


def is_patched() -> bool:
    return _patches.active


def patch_anthropic(auto_track: bool = True) -> bool:
    """Record every Anthropic call: patch messages.create and messages.stream, sync and
    async. Returns True when patched now (False: already patched, not installed, or
    auto_track False). A failure to patch logs a warning and leaves the SDK as it was."""
    return _patches.patch(_install, auto_track)


def unpatch_anthropic() -> None:
    """Restore the functions patch_anthropic replaced (the same objects)."""
    _patches.unpatch()


def instrument_anthropic(client: Any = None, **client_kwargs: Any) -> Any:
    """genops-ai's entry point: patch the SDK and return client, or a new
    ``anthropic.Anthropic(**client_kwargs)`` when none is given."""
    patch_anthropic()
    if client is not None:
        return client
    import anthropic

    return anthropic.Anthropic(**client_kwargs)


__all__ = ["instrument_anthropic", "is_available", "is_patched", "patch_anthropic", "unpatch_anthropic"]
