"""Cohere: ``chat``, ``chat_stream`` and ``embed`` of the v2 API clients of the
``cohere`` SDK (v5 and later: ``cohere.ClientV2``, ``cohere.AsyncClientV2``), recorded as
one genops operation per call (see _call.py).

Patched at the class level (cohere.v2.client.V2Client, AsyncV2Client, which ClientV2 and
AsyncClientV2 inherit), so every client is covered; ``unpatch_cohere`` restores the same
function objects. ``chat_stream`` is a generator (async: an async generator) that sends
its request when first advanced: the application gets a generator over it that starts
the operation then and ends it when the stream ends, fails or is closed early
(_streams.observe_generator); the usage comes in its ``message-end`` event.

Cohere answers without a model name: the model is the request's. Tokens are the
``billed_units`` (what is charged; https://docs.cohere.com/reference/chat), else the
``tokens`` counts; cached = ``cached_tokens``. The SDK types the counts as floats; they
are recorded as ints. The provider is ``cohere``, OpenTelemetry's name for it.
"""

from __future__ import annotations

from typing import Any, Optional

from . import _call, _wrap
from ._call import ProviderCall, text
from ._patch import Patches

_patches = Patches("cohere", "Cohere", "v2 chat, chat_stream, embed; sync and async")

PROVIDER = "cohere"

# (method, operation name, gen_ai.operation.name)
_TARGETS = (
    ("chat", "cohere.chat", "chat"),
    ("chat_stream", "cohere.chat_stream", "chat"),
    ("embed", "cohere.embed", "embeddings"),
)


def _count(obj: Any, *path: str) -> Optional[int]:
    """The whole number at obj.path..., an int or an integral float, else None."""
    for name in path:
        obj = getattr(obj, name, None)
    if isinstance(obj, bool) or not isinstance(obj, (int, float)) or obj != obj or obj < 0:
        return None
    return int(obj) if float(obj).is_integer() else None


def _usage(call: ProviderCall, usage: Any) -> None:
    """A Usage (chat) or ApiMeta (embed): billed_units, else tokens."""
    u = call.usage
    for attr, key in (("input_tokens", "input_tokens"), ("output_tokens", "output_tokens")):
        value = _count(usage, "billed_units", key)
        if value is None:
            value = _count(usage, "tokens", key)
        if value is not None:
            setattr(u, attr, value)
    u.cached_input_tokens = _count(usage, "cached_tokens")
    if u.input_tokens is not None or u.output_tokens is not None:
        u.total_tokens = (u.input_tokens or 0) + (u.output_tokens or 0)


def _observe(call: ProviderCall, obj: Any) -> None:
    """A V2ChatResponse, an EmbedByTypeResponse, or a chat_stream event
    (message-start carries the id, message-end the finish reason and usage)."""
    kind = getattr(obj, "type", None)
    u = call.usage
    if kind == "message-start":
        u.response_id = text(obj, "id") or u.response_id
        return
    if kind == "message-end":
        obj = getattr(obj, "delta", None)
    elif kind is not None:  # content, tool and citation events
        return
    else:
        u.response_id = text(obj, "id") or u.response_id
    reason = text(obj, "finish_reason")
    if reason:
        u.finish_reasons = [reason]
    usage = getattr(obj, "usage", None) or getattr(obj, "meta", None)
    if usage is not None:
        _usage(call, usage)


def _server(client: Any) -> dict[str, Any]:
    try:
        wrapper = getattr(client, "_client_wrapper", None) or client._raw_client._client_wrapper
        return _call.server(wrapper.get_base_url())
    except Exception:
        return {}


def _start(operation_name: str, operation: str, stream: bool) -> _wrap.Start:
    def start(client: Any, kwargs: dict[str, Any]) -> Optional[ProviderCall]:
        attrs = _server(client)
        if stream:
            attrs["gen_ai.request.stream"] = True
        max_tokens = kwargs.get("max_tokens")
        if isinstance(max_tokens, int) and not isinstance(max_tokens, bool):
            attrs["gen_ai.request.max_tokens"] = max_tokens
        return _call.start(operation_name, PROVIDER, operation, kwargs.get("model"), attrs)

    return start


def _install(patches: Patches) -> None:
    from cohere.v2.client import AsyncV2Client, V2Client

    for method, operation_name, operation in _TARGETS:
        stream = method == "chat_stream"
        start = _start(operation_name, operation, stream)
        if stream:
            patches.replace(V2Client, method, _wrap.sync_generator(patches, start, _observe))
            patches.replace(AsyncV2Client, method, _wrap.async_generator(patches, start, _observe, False))
        else:
            patches.replace(V2Client, method, _wrap.sync_call(patches, start, _observe, ()))
            patches.replace(AsyncV2Client, method, _wrap.async_call(patches, start, _observe, ()))


def is_available() -> bool:
    """Whether the cohere SDK can be imported."""
    return _patches.sdk_installed()


def is_patched() -> bool:
    return _patches.active


def patch_cohere(auto_track: bool = True) -> bool:
    """Record every Cohere v2 call: patch chat, chat_stream and embed, sync and async.
    Returns True when patched now (the contract of patch_openai)."""
    return _patches.patch(_install, auto_track)


def unpatch_cohere() -> None:
    """Restore the functions patch_cohere replaced (the same objects)."""
    _patches.unpatch()


def instrument_cohere(client: Any = None, **client_kwargs: Any) -> Any:
    """Patch the SDK and return client, or a new ``cohere.ClientV2(**client_kwargs)``."""
    patch_cohere()
    if client is not None:
        return client
    import cohere

    return cohere.ClientV2(**client_kwargs)


__all__ = ["instrument_cohere", "is_available", "is_patched", "patch_cohere", "unpatch_cohere"]
