"""Run a function right after a module is first imported (a post-import hook).

init() must not import every installed provider SDK: importing anthropic, openai and
google-genai takes seconds, and the application may never use them. A provider whose
SDK is not imported yet is patched the moment it is: a finder at the head of
sys.meta_path answers for the awaited names only, lets the other finders find the
module as usual, and wraps its loader's exec_module so that the hooks run once the
module has executed (not when it is only found: importlib.util.find_spec asks too).
The module then has its own loader again (``__loader__`` and ``__spec__.loader``):
nothing of the hook stays behind. A hook that raises is logged; the import itself
never fails because of it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import sys
import threading
import types
from typing import Any, Callable, Optional, Sequence

logger = logging.getLogger("genops")

_lock = threading.Lock()
_waiting: dict[str, list[Callable[[], Any]]] = {}


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Optional[Sequence[str]],
        target: Optional[types.ModuleType] = None,
    ) -> Optional[importlib.machinery.ModuleSpec]:
        with _lock:
            if fullname not in _waiting:
                return None
        spec = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _Loader(spec.loader, fullname)
        return spec  # importlib.util.find_spec asks too: the hooks wait for exec_module


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, name: str):
        self._loader, self._name = loader, name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[types.ModuleType]:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        with _lock:
            hooks = _waiting.pop(self._name, [])
        for hook in hooks:
            try:
                hook()
            except Exception as e:  # the application's import must go on
                logger.warning("genops: patching %s after its import failed: %r", self._name, e)


_finder = _Finder()


def when_imported(name: str, hook: Callable[[], Any]) -> None:
    """hook() now if module name is imported, else right after its first import."""
    with _lock:
        if name not in sys.modules:
            _waiting.setdefault(name, []).append(hook)
            if _finder not in sys.meta_path:
                sys.meta_path.insert(0, _finder)
            return
    hook()


def awaited(name: str) -> bool:
    """Whether a hook waits for module name's import (one dict lookup: no lock)."""
    return name in _waiting


def cancel(name: str) -> None:
    """Forget the hooks that wait for module name; the finder leaves when none wait."""
    with _lock:
        _waiting.pop(name, None)
        if not _waiting and _finder in sys.meta_path:
            sys.meta_path.remove(_finder)
