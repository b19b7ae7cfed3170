"""Mistral AI: chat.complete / chat.stream and embeddings.create (sync and async), from
the ``mistralai`` SDK (1.x and later: ``from mistralai.client import Mistral``), recorded
as one genops operation per call (see _call.py).

Patched at the class level (mistralai.client.chat.Chat, mistralai.client.embeddings
.Embeddings), so every client is covered; ``unpatch_mistral`` restores the same
function objects. A stream (``chat.stream`` / ``stream_async``, an EventStream of
CompletionEvents) is observed as it is read: Mistral sends the usage in its last chunk,
and the operation ends when the stream ends or is closed. The provider is
``mistral_ai``, OpenTelemetry's gen_ai.provider.name for Mistral AI.
"""

from __future__ import annotations

from typing import Any, Optional

from . import _call, _wrap
from ._call import ProviderCall
from ._patch import Patches

_patches = Patches("mistralai", "Mistral", "chat.complete, chat.stream, embeddings.create; sync and async")

PROVIDER = "mistral_ai"

# (module, class, method, operation name, gen_ai.operation.name, streams)
_TARGETS = (
    ("mistralai.client.chat", "Chat", "complete", "mistral.chat.complete", "chat", False),
    ("mistralai.client.chat", "Chat", "complete_async", "mistral.chat.complete", "chat", False),
    ("mistralai.client.chat", "Chat", "stream", "mistral.chat.stream", "chat", True),
    ("mistralai.client.chat", "Chat", "stream_async", "mistral.chat.stream", "chat", True),
    ("mistralai.client.embeddings", "Embeddings", "create", "mistral.embeddings.create", "embeddings", False),
    (
        "mistralai.client.embeddings",
        "Embeddings",
        "create_async",
        "mistral.embeddings.create",
        "embeddings",
        False,
    ),
)


def _observe(call: ProviderCall, obj: Any) -> None:
    """A ChatCompletionResponse or EmbeddingResponse, or a stream's CompletionEvent,
    whose data is a CompletionChunk (the last one carries the usage): OpenAI's shapes."""
    if type(obj).__name__ == "CompletionEvent":
        obj = getattr(obj, "data", None)
    _call.chat_completion(call, obj)


def _server(resource: Any) -> dict[str, Any]:
    try:
        return _call.server(resource.sdk_configuration.get_server_details()[0])
    except Exception:
        return {}


def _start(operation_name: str, operation: str, stream: bool) -> _wrap.Start:
    def start(resource: Any, kwargs: dict[str, Any]) -> Optional[ProviderCall]:
        attrs = _server(resource)
        if stream:
            attrs["gen_ai.request.stream"] = True
        return _call.start(operation_name, PROVIDER, operation, kwargs.get("model"), attrs)

    return start


def _install(patches: Patches) -> None:
    import importlib

    from mistralai.client.utils import eventstreaming

    streams = (eventstreaming.EventStream, eventstreaming.EventStreamAsync)
    for module_name, class_name, method, operation_name, operation, stream in _TARGETS:
        owner = getattr(importlib.import_module(module_name), class_name)
        wrap = _wrap.async_call if method.endswith("_async") else _wrap.sync_call
        start = _start(operation_name, operation, stream)
        patches.replace(owner, method, wrap(patches, start, _observe, streams, iterator="generator"))


def is_available() -> bool:
    """Whether the mistralai SDK can be imported."""
    return _patches.sdk_installed()


def is_patched() -> bool:
    return _patches.active


def patch_mistral(auto_track: bool = True) -> bool:
    """Record every Mistral call: patch the installed SDK's chat.complete, chat.stream
    and embeddings.create, sync and async. Returns True when patched now (the contract
    of patch_openai)."""
    return _patches.patch(_install, auto_track)


def unpatch_mistral() -> None:
    """Restore the functions patch_mistral replaced (the same objects)."""
    _patches.unpatch()


def instrument_mistral(client: Any = None, **client_kwargs: Any) -> Any:
    """Patch the SDK and return client, or a new ``Mistral(**client_kwargs)``."""
    patch_mistral()
    if client is not None:
        return client
    from mistralai.client import Mistral

    return Mistral(**client_kwargs)


__all__ = ["instrument_mistral", "is_available", "is_patched", "patch_mistral", "unpatch_mistral"]
