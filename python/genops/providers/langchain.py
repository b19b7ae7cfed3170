"""LangChain: a callback handler (langchain-core's BaseCallbackHandler) that records each
chat model or LLM run as one genops operation (see _call.py).

``patch_langchain()`` (what init() calls when langchain-core is installed) registers one
GenOpsCallbackHandler with LangChain's configure hooks
(``langchain_core.tracers.context.register_configure_hook``): every run LangChain
configures from then on gets it, in any thread, as LangChain's own tracers do;
``unpatch_langchain`` removes that hook from LangChain's list. The handler can also be
passed by hand (``callbacks=[GenOpsCallbackHandler()]``); a run is recorded once however
many GenOps handlers see it.

A run starts at ``on_chat_model_start`` / ``on_llm_start`` and ends at ``on_llm_end`` or
``on_llm_error`` (the error recorded, LangChain re-raising it unchanged; a stream closed
early, GeneratorExit, ends OK with what it had, as the SDK patches do). The model's SDK
calls made inside the run (the openai SDK under ChatOpenAI, ...) are not recorded again
(_call.Scope). The provider is the run's ``ls_provider`` in OpenTelemetry's names
(openai, anthropic, gcp.gemini, aws.bedrock, mistral_ai, cohere, ...), the model the
answer's ``model_name`` (else ``ls_model_name``); tokens are the messages'
``usage_metadata`` (input, output, total; input_token_details cache_read /
cache_creation; output_token_details reasoning), else ``llm_output["token_usage"]``.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any, Optional

from . import _call
from ._call import ProviderCall
from ._patch import Patches

_patches = Patches("langchain_core", "LangChain", "a callback handler on every run")

#: LangChain's ls_provider names -> OpenTelemetry's gen_ai.provider.name
PROVIDER_NAMES = {
    "openai": "openai",
    "azure": "azure.ai.openai",
    "anthropic": "anthropic",
    "google_genai": "gcp.gemini",
    "google_vertexai": "gcp.vertex_ai",
    "amazon_bedrock": "aws.bedrock",
    "bedrock": "aws.bedrock",
    "bedrock_converse": "aws.bedrock",
    "mistral": "mistral_ai",
    "mistralai": "mistral_ai",
    "cohere": "cohere",
    "groq": "groq",
    "deepseek": "deepseek",
    "xai": "x_ai",
    "openrouter": "openrouter",
}

_MAX_RUNS = 4096  # runs open at once; past that a run is not recorded (and that is said once)
_runs: dict[Any, tuple[ProviderCall, _call.Scope, Any]] = {}  # run_id -> (call, scope, token)
_runs_lock = threading.Lock()


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def _start(operation_name: str, operation: str, run_id: Any, metadata: Any, kwargs: dict[str, Any]) -> None:
    meta = metadata if isinstance(metadata, dict) else {}
    with _runs_lock:
        if run_id in _runs:  # another GenOps handler saw it first
            return
        if len(_runs) >= _MAX_RUNS:
            _call.report_once(
                "langchain-runs", "genops: %d LangChain runs open; new ones are not recorded", _MAX_RUNS
            )
            return
        provider = _text(meta.get("ls_provider"))
        provider = PROVIDER_NAMES.get(provider, provider) if provider else "langchain"
        given = kwargs.get("invocation_params")
        params: dict[str, Any] = given if isinstance(given, dict) else {}
        model = (
            _text(meta.get("ls_model_name")) or _text(params.get("model")) or _text(params.get("model_name"))
        )
        attrs: dict[str, Any] = {}
        for key, attr in (
            ("ls_temperature", "gen_ai.request.temperature"),
            ("ls_max_tokens", "gen_ai.request.max_tokens"),
        ):
            value = meta.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                attrs[attr] = value
        if params.get("stream") is True or kwargs.get("stream") is True:
            attrs["gen_ai.request.stream"] = True
        call = _call.start(operation_name, provider, operation, model, attrs)
        if call is None:
            return
        scope = _call.Scope()
        _runs[run_id] = (call, scope, _call.suppressed.set(scope))


def _take(run_id: Any) -> Optional[ProviderCall]:
    with _runs_lock:
        entry = _runs.pop(run_id, None)
    if entry is None:
        return None
    call, scope, token = entry
    scope.open = False
    try:
        _call.suppressed.reset(token)
    except ValueError:  # ended in another context (a stream closed elsewhere): the scope is closed
        pass
    return call


def _usage(call: ProviderCall, response: Any) -> None:
    """An LLMResult: its generations' messages (response_metadata; the first one's
    usage_metadata), else its llm_output."""
    u = call.usage
    seen = False
    for generations in getattr(response, "generations", None) or ():
        for generation in generations or ():
            message = getattr(generation, "message", None)
            meta = getattr(message, "response_metadata", None)
            if isinstance(meta, dict):
                u.model = _text(meta.get("model_name")) or _text(meta.get("model")) or u.model
                u.response_id = _text(meta.get("id")) or u.response_id
                reason = _text(meta.get("finish_reason")) or _text(meta.get("stop_reason"))
                if reason:
                    u.finish_reasons.append(reason)
            usage = getattr(message, "usage_metadata", None)
            if seen or not isinstance(usage, dict):
                continue  # n > 1 answers each carry the run's whole usage: the first counts
            seen = True
            for attr, key, detail in (
                ("input_tokens", "input_tokens", None),
                ("output_tokens", "output_tokens", None),
                ("total_tokens", "total_tokens", None),
                ("cached_input_tokens", "input_token_details", "cache_read"),
                ("cache_write_tokens", "input_token_details", "cache_creation"),
                ("reasoning_tokens", "output_token_details", "reasoning"),
            ):
                value = usage.get(key)
                if detail is not None:
                    value = value.get(detail) if isinstance(value, dict) else None
                if isinstance(value, int) and not isinstance(value, bool):
                    setattr(u, attr, value)
    output = getattr(response, "llm_output", None)
    if not isinstance(output, dict):
        return
    u.model = u.model or _text(output.get("model_name")) or _text(output.get("model"))
    usage = output.get("token_usage") or output.get("usage")
    if seen or not isinstance(usage, dict):
        return
    for attr, keys in (
        ("input_tokens", ("prompt_tokens", "input_tokens")),
        ("output_tokens", ("completion_tokens", "output_tokens")),
        ("total_tokens", ("total_tokens",)),
    ):
        for key in keys:
            value = usage.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(u, attr, value)
                break


def _end(run_id: Any, response: Any, error: Optional[BaseException]) -> None:
    call = _take(run_id)
    if call is None:
        return
    if response is not None:
        try:
            _usage(call, response)
        except Exception as e:
            _call.report_once("langchain-usage", "genops: reading a LangChain result failed: %r", e)
    if error is None:
        call.finish()
    else:
        call.fail(error)


def _handler_class() -> type:
    from langchain_core.callbacks import BaseCallbackHandler

    class GenOpsCallbackHandler(BaseCallbackHandler):  # type: ignore[misc]
        """Records each chat model / LLM run as one genops operation (module comment)."""

        run_inline = True  # called in the run's own context, never from an executor
        raise_error = False

        def on_chat_model_start(
            self, serialized: Any, messages: Any, *, run_id: Any, metadata: Any = None, **kwargs: Any
        ) -> None:
            _start("langchain.chat_model", "chat", run_id, metadata, kwargs)

        def on_llm_start(
            self, serialized: Any, prompts: Any, *, run_id: Any, metadata: Any = None, **kwargs: Any
        ) -> None:
            _start("langchain.llm", "text_completion", run_id, metadata, kwargs)

        def on_llm_end(self, response: Any, *, run_id: Any, **kwargs: Any) -> None:
            _end(run_id, response, None)

        def on_llm_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
            # A stream closed early arrives as GeneratorExit, with what it had so far.
            _end(run_id, kwargs.get("response"), None if isinstance(error, GeneratorExit) else error)

    return GenOpsCallbackHandler


_classes: list[type] = []  # made once langchain-core is imported


def handler_class() -> type:
    """GenOpsCallbackHandler (importing langchain-core)."""
    if not _classes:
        _classes.append(_handler_class())
    return _classes[0]


def _install(patches: Patches) -> None:
    from langchain_core.tracers import context

    handler = handler_class()()
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("genops_langchain_handler", default=handler)
    context.register_configure_hook(var, True)
    hook = context._configure_hooks[-1]

    def undo() -> None:
        hooks = context._configure_hooks
        for i, entry in enumerate(hooks):
            if entry is hook:
                del hooks[i]
                return

    patches.registered(undo)


def __getattr__(name: str) -> Any:
    if name == "GenOpsCallbackHandler":  # genops.providers.langchain.GenOpsCallbackHandler
        return handler_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_available() -> bool:
    """Whether langchain-core can be imported."""
    return _patches.sdk_installed()


def is_patched() -> bool:
    return _patches.active


def patch_langchain(auto_track: bool = True) -> bool:
    """Record every LangChain chat model and LLM run: register the handler with
    LangChain's configure hooks. Returns True when registered now."""
    return _patches.patch(_install, auto_track)


def unpatch_langchain() -> None:
    """Remove the hook patch_langchain registered (runs already started still end)."""
    _patches.unpatch()


def instrument_langchain() -> Any:
    """Register the handler and return a GenOpsCallbackHandler, for explicit use
    (``callbacks=[...]``; a run is recorded once either way)."""
    patch_langchain()
    return handler_class()()


__all__ = [
    "PROVIDER_NAMES",
    "handler_class",
    "instrument_langchain",
    "is_available",
    "is_patched",
    "patch_langchain",
    "unpatch_langchain",
]
