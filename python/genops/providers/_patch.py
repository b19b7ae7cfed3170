"""Replacing class attributes of a provider SDK with wrappers, and restoring exactly.

Patches go on the SDK's resource classes (openai.resources.chat.completions.Completions,
...), not on client instances: the clients build their resources lazily
(``cached_property``), so an instance patch has nothing to patch on a current SDK, and a
class patch covers every client, made before or after init(). ``restore`` puts back the
very objects it replaced (``owner.__dict__[name]``, not what getattr returns), so
``is`` holds after uninstrument(). A wrapper that outlives its patch (the SDKs keep
bound methods in ``with_raw_response`` objects) calls the original straight away.

An SDK that is installed but not imported yet is not imported by patching: it is
patched right after the application imports it (_post_import.py), so init() costs no
SDK's import time (seconds for anthropic, openai and google-genai together).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import sys
import threading
from typing import Any, Callable

from . import _post_import

logger = logging.getLogger("genops")

_lock = threading.Lock()


class Patches:
    """The attributes one provider module replaced, in order, with their originals.
    sdk is the SDK's import name, label how log lines name the provider, covered what
    the patch records (for the log)."""

    def __init__(self, sdk: str, label: str, covered: str) -> None:
        self.sdk, self.label, self.covered = sdk, label, covered
        self._saved: list[tuple[Any, str, Any]] = []  # (class or module, name, original)
        self._undo: list[Callable[[], None]] = []  # what registrations undo (LangChain's hook)

    def sdk_installed(self) -> bool:
        try:  # a dotted name ("google.genai") raises when its parent is missing
            return importlib.util.find_spec(self.sdk) is not None
        except (ImportError, ValueError):
            return False

    def patch(self, steps: Callable[[Patches], None], auto_track: bool = True) -> bool:
        """install(steps) with genops-ai's patch_X contract: True when patched now (or,
        for an SDK not imported yet, at its import); False when already patched, the
        SDK is not installed, auto_track is False, or patching failed (an SDK of another
        shape: logged, the SDK left as it was)."""
        if not auto_track or self.active:
            return False
        if not self.sdk_installed():
            logger.warning("genops: the %s package is not installed; nothing to patch", self.sdk)
            return False
        if self.sdk not in sys.modules:
            _post_import.when_imported(self.sdk, lambda: self._patch_now(steps))
            return True
        return self._patch_now(steps)

    def _patch_now(self, steps: Callable[[Patches], None]) -> bool:
        try:
            patched = self.install(steps)
        except Exception as e:
            logger.warning("genops: failed to patch %s (left unpatched): %r", self.label, e)
            return False
        if patched:
            logger.info("genops: %s patched (%s)", self.label, self.covered)
        return patched

    def unpatch(self) -> None:
        _post_import.cancel(self.sdk)
        if self.restore():
            logger.info("genops: %s patches removed", self.label)

    @property
    def active(self) -> bool:
        """Patched, or to be patched when the SDK is imported."""
        return bool(self._saved or self._undo) or _post_import.awaited(self.sdk)

    def registered(self, undo: Callable[[], None]) -> None:
        """Note a registration made with the SDK's own API, and how to undo it."""
        self._undo.append(undo)

    def replace(self, owner: Any, name: str, make: Callable[[Any], Callable[..., Any]]) -> None:
        """owner.name = make(original) (owner a class, or a module: LiteLLM's
        functions), the wrapper looking like the original
        (functools.wraps: name, docstring, __wrapped__)."""
        original = owner.__dict__[name]
        wrapper = functools.wraps(original)(make(original))
        setattr(owner, name, wrapper)
        self._saved.append((owner, name, original))

    def install(self, steps: Callable[[Patches], None]) -> bool:
        """Run steps(self) unless already patched; on any failure undo what was done
        and re-raise. Returns True when it patched now."""
        with _lock:
            if self.active:
                return False
            try:
                steps(self)
            except BaseException:
                self._restore()
                raise
            return True

    def _restore(self) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def restore(self) -> bool:
        """Put every original back. Returns True when something was patched."""
        with _lock:
            had = self.active
            self._restore()
            return had

    def originals(self) -> list[tuple[Any, str, Any]]:
        """(owner, name, original) for each patched attribute, for tests."""
        return list(self._saved)
