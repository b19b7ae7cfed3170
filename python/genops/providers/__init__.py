"""Provider auto-instrumentation: genops.init() / auto_instrument() patch the AI
provider SDKs that are installed, so that each of their calls records one genops
operation (provider, model, tokens, cost from genops.pricing, the governance context);
genops.uninstrument() restores them exactly. docs/providers.md says what is recorded.

Each provider is a module here with genops-ai's names (patch_X / unpatch_X /
instrument_X); this module only knows which exist.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Iterable, Optional

logger = logging.getLogger("genops")

#: provider name -> (module of genops.providers, its patch function, its unpatch function)
PROVIDERS: dict[str, tuple[str, str, str]] = {
    "openai": ("openai", "patch_openai", "unpatch_openai"),
    "openrouter": ("openrouter", "patch_openrouter", "unpatch_openrouter"),
    "anthropic": ("anthropic", "patch_anthropic", "unpatch_anthropic"),
    "bedrock": ("bedrock", "patch_bedrock", "unpatch_bedrock"),
    "mistral": ("mistral", "patch_mistral", "unpatch_mistral"),
    "gemini": ("gemini", "patch_gemini", "unpatch_gemini"),
    "cohere": ("cohere", "patch_cohere", "unpatch_cohere"),
    "litellm": ("litellm", "patch_litellm", "unpatch_litellm"),
    "langchain": ("langchain", "patch_langchain", "unpatch_langchain"),
}


def _module(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{PROVIDERS[name][0]}")


def available_providers() -> dict[str, bool]:
    """Each provider genops can patch, and whether its SDK is installed."""
    return {name: bool(_module(name).is_available()) for name in PROVIDERS}


def instrumented_providers() -> list[str]:
    """The providers whose calls are recorded now."""
    return [name for name in PROVIDERS if _module(name).is_patched()]


def instrument(providers: Optional[Iterable[str]] = None) -> list[str]:
    """Patch the given providers (default: every one whose SDK is installed; unknown
    names are warned about and skipped). Returns instrumented_providers()."""
    if providers is None:
        wanted = [name for name, installed in available_providers().items() if installed]
    else:
        wanted = []
        for name in providers:
            key = str(name).lower()
            if key in PROVIDERS:
                wanted.append(key)
            else:
                logger.warning("genops: unknown provider %r (genops patches: %s)", name, ", ".join(PROVIDERS))
    for name in wanted:
        getattr(_module(name), PROVIDERS[name][1])()
    return instrumented_providers()


def uninstrument() -> None:
    """Remove every provider patch."""
    for name in PROVIDERS:
        getattr(_module(name), PROVIDERS[name][2])()


__all__ = ["PROVIDERS", "available_providers", "instrument", "instrumented_providers", "uninstrument"]
