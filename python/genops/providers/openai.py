"""OpenAI: chat.completions.create, responses.create and embeddings.create, sync and
async, streamed or not, recorded as one genops operation per call (see _call.py).

The SDK (PyPI ``openai``) is patched at the class level of its resources, so every
client is covered, and ``unpatch_openai`` restores the very functions it replaced. The
helpers built on create (``chat.completions.stream()``, ``with_streaming_response``)
go through the patch too. A client whose base_url host is openrouter.ai is recorded as
provider "openrouter" (OpenRouter is the OpenAI SDK with that base URL).

What the API reports is what is recorded: a chat stream carries usage only when the
request asks for it (``stream_options={"include_usage": True}``); without it the call is
recorded with its model and no tokens or cost, and a warning says so once. The request
is never changed.
"""

from __future__ import annotations

from typing import Any, Optional

from . import _call, _streams, _wrap
from ._call import ProviderCall, number, report_once, text
from ._patch import Patches

_patches = Patches("openai", "OpenAI", "chat.completions, responses, embeddings; sync and async")

OPENROUTER_HOST = "openrouter.ai"

# (module, sync class, async class, operation name, gen_ai.operation.name, observer name)
_TARGETS = (
    (
        "openai.resources.chat.completions",
        "Completions",
        "AsyncCompletions",
        "openai.chat.completions.create",
        "chat",
        "chat",
    ),
    (
        "openai.resources.responses",
        "Responses",
        "AsyncResponses",
        "openai.responses.create",
        "chat",
        "responses",
    ),
    (
        "openai.resources.embeddings",
        "Embeddings",
        "AsyncEmbeddings",
        "openai.embeddings.create",
        "embeddings",
        "chat",
    ),
)


def _responses(call: ProviderCall, obj: Any) -> None:
    """A Response, or a stream event that carries one (response.created, .completed,
    .incomplete, .failed)."""
    r = getattr(obj, "response", obj)
    u = call.usage
    u.model = text(r, "model") or u.model
    u.response_id = text(r, "id") or u.response_id
    usage = getattr(r, "usage", None)
    if usage is not None:
        u.input_tokens = number(usage, "input_tokens")
        u.output_tokens = number(usage, "output_tokens")
        u.total_tokens = number(usage, "total_tokens")
        u.cached_input_tokens = number(usage, "input_tokens_details", "cached_tokens")
        u.reasoning_tokens = number(usage, "output_tokens_details", "reasoning_tokens")
    status = text(r, "status")
    if status in ("completed", "incomplete", "failed"):
        u.finish_reasons = [status]


_OBSERVERS: dict[str, _streams.Observer] = {"chat": _call.chat_completion, "responses": _responses}


def _classify(host: str) -> str:
    return "openrouter" if host == OPENROUTER_HOST or host.endswith("." + OPENROUTER_HOST) else "openai"


def provider_of(resource: Any) -> tuple[str, dict[str, Any]]:
    """("openrouter" or "openai", server.address / server.port of the client's base_url)."""
    return _call.endpoint(resource, _classify, "openai")


def _start(operation_name: str, operation: str) -> _wrap.Start:
    return lambda resource, kwargs: _start_call(resource, operation_name, operation, kwargs)


def _start_call(
    resource: Any, operation_name: str, operation: str, kwargs: dict[str, Any]
) -> Optional[ProviderCall]:
    if _call.is_suppressed():  # inside a LiteLLM call or LangChain run, which records it
        return None
    provider, attrs = provider_of(resource)
    if kwargs.get("stream") is True:
        attrs["gen_ai.request.stream"] = True
        options = kwargs.get("stream_options")
        wants_usage = isinstance(options, dict) and options.get("include_usage") is True
        if operation_name == "openai.chat.completions.create" and not wants_usage:
            report_once(
                "openai-stream-usage",
                "genops: an OpenAI chat stream without stream_options={'include_usage': True} "
                "reports no token usage: such calls are recorded without tokens and cost",
            )
    return _call.start(operation_name, provider, operation, kwargs.get("model"), attrs)


def _install(patches: Patches) -> None:
    import importlib

    import openai

    streams = (openai.Stream, openai.AsyncStream)
    for module_name, sync_name, async_name, operation_name, operation, observer in _TARGETS:
        module = importlib.import_module(module_name)
        observe = _OBSERVERS[observer]
        start = _start(operation_name, operation)
        patches.replace(
            getattr(module, sync_name), "create", _wrap.sync_call(patches, start, observe, streams)
        )
        patches.replace(
            getattr(module, async_name), "create", _wrap.async_call(patches, start, observe, streams)
        )


def is_available() -> bool:
    """Whether the openai SDK can be imported."""
    return _patches.sdk_installed()


def is_patched() -> bool:
    return _patches.active


def patch_openai(auto_track: bool = True) -> bool:
    """Record every OpenAI (and OpenRouter) call: patch the installed SDK's
    chat.completions.create, responses.create and embeddings.create, sync and async.
    Returns True when patched now, False when already patched, not installed, or
    auto_track is False. Failing to patch (an SDK of another shape) logs a warning and
    leaves the SDK as it was."""
    return _patches.patch(_install, auto_track)


def unpatch_openai() -> None:
    """Restore the functions patch_openai replaced (the same objects)."""
    _patches.unpatch()


def instrument_openai(client: Any = None, **client_kwargs: Any) -> Any:
    """genops-ai's entry point: patch the SDK (every client is then recorded) and
    return client, or a new ``openai.OpenAI(**client_kwargs)`` when none is given."""
    patch_openai()
    if client is not None:
        return client
    import openai

    return openai.OpenAI(**client_kwargs)


__all__ = ["instrument_openai", "is_available", "is_patched", "patch_openai", "unpatch_openai"]
