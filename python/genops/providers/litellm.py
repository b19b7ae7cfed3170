"""LiteLLM: ``litellm.completion`` and ``litellm.acompletion`` (streamed or not),
recorded as one genops operation per call (see _call.py), under the provider LiteLLM
routed the call to.

The patch replaces the ``completion`` / ``acompletion`` attributes of the ``litellm``
package (what ``litellm.completion(...)``, ``from litellm import completion`` after
init(), and LiteLLM's Router call); ``unpatch_litellm`` restores the same objects. A
name imported before the patch keeps the original. While the patched call runs, the
SDK calls LiteLLM makes for it (the openai SDK, for OpenAI models) are not recorded
again (_call.suppressed). A stream (``CustomStreamWrapper``) is observed through its
class's ``__next__`` / ``__anext__`` / ``close`` / ``aclose``, patched while LiteLLM
is, which act only on the streams a patched call returned: the operation ends when the
stream ends, fails, is closed, or is collected.

The provider is LiteLLM's ``custom_llm_provider`` of the answer (else the model's
prefix, "anthropic/claude-..."), as OpenTelemetry names it (openai, anthropic,
gcp.gemini, aws.bedrock, mistral_ai, cohere, ...); the model is the response's; usage
is the OpenAI-shaped ``usage`` LiteLLM returns (Anthropic's cache writes too); a stream
carries it only when the request asks (``stream_options={"include_usage": True}``).

Importing litellm takes seconds and, unless LITELLM_LOCAL_MODEL_COST_MAP=True, fetches
its model cost map over the network: like every patch, this one never imports the SDK
(_patch.py: an SDK not imported yet is patched right after the application imports it).
"""

from __future__ import annotations

import contextvars
import weakref
from typing import Any, Callable, Optional

from . import _call, _streams
from ._call import ProviderCall, number
from ._patch import Patches

_patches = Patches("litellm", "LiteLLM", "completion, acompletion; streams")

OPERATION = "litellm.completion"

#: LiteLLM's provider names -> OpenTelemetry's gen_ai.provider.name (and genops' tables)
PROVIDER_NAMES = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure.ai.openai",
    "anthropic": "anthropic",
    "gemini": "gcp.gemini",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "bedrock": "aws.bedrock",
    "mistral": "mistral_ai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "groq": "groq",
    "deepseek": "deepseek",
    "xai": "x_ai",
    "perplexity": "perplexity",
    "openrouter": "openrouter",
}

_CALL = "_genops_call"  # the instance attribute that ties a stream to its operation


def _provider(name: Any) -> Optional[str]:
    return PROVIDER_NAMES.get(name, name) if isinstance(name, str) and name else None


def _observe(call: ProviderCall, obj: Any) -> None:
    """A ModelResponse, or a stream's ModelResponseStream chunk."""
    _call.chat_completion(call, obj)
    write = number(getattr(obj, "usage", None), "cache_creation_input_tokens")
    if write:
        call.usage.cache_write_tokens = write
    hidden = getattr(obj, "_hidden_params", None)
    if isinstance(hidden, dict):
        provider = _provider(hidden.get("custom_llm_provider"))
        if provider:
            call.set_provider(provider)


def _start(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Optional[ProviderCall]:
    model = kwargs.get("model", args[0] if args else None)
    provider = _provider(kwargs.get("custom_llm_provider"))
    if provider is None and isinstance(model, str) and "/" in model:
        provider = _provider(model.split("/", 1)[0])
    attrs = _call.server(kwargs.get("api_base") or kwargs.get("base_url"))
    if kwargs.get("stream") is True:
        attrs["gen_ai.request.stream"] = True
    return _call.start(OPERATION, provider or "litellm", "chat", model, attrs)


def _finish(call: ProviderCall, result: Any, streams: type) -> Any:
    if isinstance(result, streams):
        try:
            call.set_provider(_provider(getattr(result, "custom_llm_provider", None)) or call.provider)
            setattr(result, _CALL, call)
            weakref.finalize(result, call.finish)  # collected unread
        except Exception as e:
            _call.report_once("litellm-stream", "genops: a LiteLLM stream is not recorded: %r", e)
            call.finish()
        return result
    _streams.see(call, _observe, result)
    call.finish()
    return result


class _Guard:
    """Around the SDK's part of a call: an exception ends the operation (StopIteration /
    StopAsyncIteration as the end of a stream, anything else as an error) and goes on
    unchanged; with suppress, the other patches stand aside meanwhile."""

    __slots__ = ("call", "suppress", "token")

    def __init__(self, call: ProviderCall, suppress: bool) -> None:
        self.call, self.suppress = call, suppress
        self.token: Optional[contextvars.Token[Optional[_call.Scope]]] = None

    def __enter__(self) -> None:
        if self.suppress:
            self.token = _call.suppressed.set(_call.Scope())

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if self.token is not None:
            _call.suppressed.reset(self.token)
        if isinstance(exc, (StopIteration, StopAsyncIteration)):
            self.call.finish()
        elif exc is not None:
            self.call.fail(exc)


def _begin(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Optional[ProviderCall]:
    """The operation of a completion call, or None: unpatched, or inside a recorded call."""
    if not _patches.active or _call.is_suppressed():
        return None
    return _start(args, kwargs)


def _completion(streams: type) -> Callable[[Any], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def completion(*args: Any, **kwargs: Any) -> Any:
            call = _begin(args, kwargs)
            if call is None:
                return original(*args, **kwargs)
            with _Guard(call, True):
                result = original(*args, **kwargs)
            return _finish(call, result, streams)

        return completion

    return make


def _acompletion(streams: type) -> Callable[[Any], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        async def acompletion(*args: Any, **kwargs: Any) -> Any:
            call = _begin(args, kwargs)
            if call is None:
                return await original(*args, **kwargs)
            with _Guard(call, True):
                result = await original(*args, **kwargs)
            return _finish(call, result, streams)

        return acompletion

    return make


def _next(original: Callable[..., Any]) -> Callable[..., Any]:
    def __next__(self: Any) -> Any:
        call = self.__dict__.get(_CALL)
        if call is None:
            return original(self)
        with _Guard(call, False):
            item = original(self)
        _streams.see(call, _observe, item)
        return item

    return __next__


def _anext(original: Callable[..., Any]) -> Callable[..., Any]:
    async def __anext__(self: Any) -> Any:
        call = self.__dict__.get(_CALL)
        if call is None:
            return await original(self)
        with _Guard(call, False):
            item = await original(self)
        _streams.see(call, _observe, item)
        return item

    return __anext__


def _close(original: Callable[..., Any]) -> Callable[..., Any]:
    def close(self: Any) -> Any:
        try:
            return original(self)
        finally:
            call = self.__dict__.get(_CALL)
            if call is not None:
                call.finish()

    return close


def _aclose(original: Callable[..., Any]) -> Callable[..., Any]:
    async def aclose(self: Any) -> Any:
        try:
            return await original(self)
        finally:
            call = self.__dict__.get(_CALL)
            if call is not None:
                call.finish()

    return aclose


def _install(patches: Patches) -> None:
    import litellm
    from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper

    patches.replace(litellm, "completion", _completion(CustomStreamWrapper))
    patches.replace(litellm, "acompletion", _acompletion(CustomStreamWrapper))
    patches.replace(CustomStreamWrapper, "__next__", _next)
    patches.replace(CustomStreamWrapper, "__anext__", _anext)
    patches.replace(CustomStreamWrapper, "close", _close)
    patches.replace(CustomStreamWrapper, "aclose", _aclose)


def is_available() -> bool:
    """Whether the litellm package can be imported."""
    return _patches.sdk_installed()


def is_patched() -> bool:
    return _patches.active


def patch_litellm(auto_track: bool = True) -> bool:
    """Record every LiteLLM completion / acompletion call (now, or right after the
    application imports litellm). Returns True when patched (the contract of
    patch_openai)."""
    return _patches.patch(_install, auto_track)


def unpatch_litellm() -> None:
    """Restore the functions patch_litellm replaced (the same objects)."""
    _patches.unpatch()


def instrument_litellm() -> Any:
    """Patch LiteLLM and return the litellm module (importing it)."""
    patch_litellm()
    import litellm

    return litellm


__all__ = [
    "PROVIDER_NAMES",
    "instrument_litellm",
    "is_available",
    "is_patched",
    "patch_litellm",
    "unpatch_litellm",
]
