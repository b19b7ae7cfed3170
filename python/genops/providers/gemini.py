"""Google Gemini: ``models.generate_content``, ``models.generate_content_stream`` and
``models.embed_content`` of the ``google-genai`` SDK (``from google import genai``), sync
(``client.models``) and async (``client.aio.models``), recorded as one genops operation
per call (see _call.py).

Patched at the class level (google.genai.models.Models, AsyncModels), so every client is
covered; ``unpatch_gemini`` restores the same function objects. A stream is a plain
generator (async: an async generator, returned by an awaited call) whose request goes
out when it is first advanced: the application gets a generator over it that starts the
operation then, and ends it when the stream ends, fails or is closed early
(_streams.observe_generator). Every chunk repeats the usage so far; the last one's
counts are kept.

The provider is OpenTelemetry's ``gcp.gemini`` (the Gemini API), or ``gcp.vertex_ai``
for a client made with ``vertexai=True``. Usage (usageMetadata,
https://ai.google.dev/api/generate-content#UsageMetadata): input = promptTokenCount +
toolUsePromptTokenCount, cached = cachedContentTokenCount (among the input), output =
candidatesTokenCount + thoughtsTokenCount (thinking is billed as output), reasoning =
thoughtsTokenCount, total = totalTokenCount; the model is the response's modelVersion.
An embed_content answer reports promptTokenCount only (where the API sends usage).
"""

from __future__ import annotations

from typing import Any, Optional

from . import _call, _wrap
from ._call import ProviderCall, number, text
from ._patch import Patches

_patches = Patches(
    "google.genai",
    "Gemini",
    "models.generate_content, generate_content_stream, embed_content; sync and async",
)

OPERATION = "gemini.generate_content"
STREAM_OPERATION = "gemini.generate_content_stream"
EMBED_OPERATION = "gemini.embed_content"


def _observe(call: ProviderCall, obj: Any) -> None:
    """A GenerateContentResponse: the whole answer, or one chunk of a stream."""
    u = call.usage
    u.model = text(obj, "model_version") or u.model
    u.response_id = text(obj, "response_id") or u.response_id
    reasons = []
    for candidate in getattr(obj, "candidates", None) or ():
        reason = getattr(candidate, "finish_reason", None)
        if reason is not None:
            reasons.append(str(getattr(reason, "value", reason)))
    if reasons:
        u.finish_reasons = reasons
    meta = getattr(obj, "usage_metadata", None)
    if meta is None:
        return
    prompt, tool = number(meta, "prompt_token_count"), number(meta, "tool_use_prompt_token_count")
    answer, thoughts = number(meta, "candidates_token_count"), number(meta, "thoughts_token_count")
    if prompt is not None or tool is not None:
        u.input_tokens = (prompt or 0) + (tool or 0)
    if answer is not None or thoughts is not None:
        u.output_tokens = (answer or 0) + (thoughts or 0)
    u.total_tokens = number(meta, "total_token_count")
    u.cached_input_tokens = number(meta, "cached_content_token_count")
    u.reasoning_tokens = thoughts


def _start(models: Any, kwargs: dict[str, Any], stream: bool, embed: bool = False) -> Optional[ProviderCall]:
    try:
        client = models._api_client
        provider = "gcp.vertex_ai" if client.vertexai else "gcp.gemini"
        attrs = _call.server(client._http_options.base_url)
    except Exception:
        provider, attrs = "gcp.gemini", {}
    if stream:
        attrs["gen_ai.request.stream"] = True
    if embed:
        return _call.start(EMBED_OPERATION, provider, "embeddings", kwargs.get("model"), attrs)
    name = STREAM_OPERATION if stream else OPERATION
    return _call.start(name, provider, "generate_content", kwargs.get("model"), attrs)


def _install(patches: Patches) -> None:
    from google.genai.models import AsyncModels, Models

    def plain(models: Any, kwargs: dict[str, Any]) -> Optional[ProviderCall]:
        return _start(models, kwargs, False)

    def streamed(models: Any, kwargs: dict[str, Any]) -> Optional[ProviderCall]:
        return _start(models, kwargs, True)

    def embedded(models: Any, kwargs: dict[str, Any]) -> Optional[ProviderCall]:
        return _start(models, kwargs, False, embed=True)

    patches.replace(Models, "generate_content", _wrap.sync_call(patches, plain, _observe, ()))
    patches.replace(AsyncModels, "generate_content", _wrap.async_call(patches, plain, _observe, ()))
    patches.replace(Models, "generate_content_stream", _wrap.sync_generator(patches, streamed, _observe))
    patches.replace(
        AsyncModels, "generate_content_stream", _wrap.async_generator(patches, streamed, _observe, True)
    )
    patches.replace(Models, "embed_content", _wrap.sync_call(patches, embedded, _observe, ()))
    patches.replace(AsyncModels, "embed_content", _wrap.async_call(patches, embedded, _observe, ()))


def is_available() -> bool:
    """Whether the google-genai SDK can be imported."""
    return _patches.sdk_installed()


def is_patched() -> bool:
    return _patches.active


def patch_gemini(auto_track: bool = True) -> bool:
    """Record every Gemini call: patch generate_content and generate_content_stream,
    sync and async. Returns True when patched now (the contract of patch_openai)."""
    return _patches.patch(_install, auto_track)


def unpatch_gemini() -> None:
    """Restore the functions patch_gemini replaced (the same objects)."""
    _patches.unpatch()


def instrument_gemini(client: Any = None, **client_kwargs: Any) -> Any:
    """Patch the SDK and return client, or a new ``genai.Client(**client_kwargs)``."""
    patch_gemini()
    if client is not None:
        return client
    from google import genai

    return genai.Client(**client_kwargs)


__all__ = ["instrument_gemini", "is_available", "is_patched", "patch_gemini", "unpatch_gemini"]
