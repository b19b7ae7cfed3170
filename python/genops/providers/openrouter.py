"""OpenRouter: the OpenAI SDK pointed at https://openrouter.ai/api/v1. Its calls are
recorded by the OpenAI patch (genops.providers.openai) as provider "openrouter", with
the model OpenRouter answers with ("anthropic/claude-sonnet-4", priced from the
table of the vendor its prefix names). These are genops-ai's names for that patch."""

from __future__ import annotations

from typing import Any

from . import openai as _openai

OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"


def patch_openrouter(auto_track: bool = True) -> bool:
    """Patch the OpenAI SDK (it records OpenRouter calls); see patch_openai."""
    return _openai.patch_openai(auto_track)


def unpatch_openrouter() -> None:
    """Remove the OpenAI SDK's patch (OpenAI and OpenRouter calls alike)."""
    _openai.unpatch_openai()


def instrument_openrouter(client: Any = None, **client_kwargs: Any) -> Any:
    """Patch, and return client or a new ``openai.OpenAI`` with OpenRouter's base_url
    (client_kwargs such as api_key are passed on)."""
    _openai.patch_openai()
    if client is not None:
        return client
    import openai

    client_kwargs.setdefault("base_url", OPENROUTER_BASE_URL)
    return openai.OpenAI(**client_kwargs)


is_available = _openai.is_available
is_patched = _openai.is_patched

__all__ = ["instrument_openrouter", "is_available", "is_patched", "patch_openrouter", "unpatch_openrouter"]
