"""Governance attribution context: process-wide default attributes and scoped
context attributes, with genops-ai's names and precedence
(defaults < context < the operation's own attributes; None values dropped).

The defaults live in the native library (an immutable snapshot swapped atomically,
read lock-free at every operation start); this module keeps a Python copy so that
get_default_attributes() returns exactly what was set. The scoped context is a
ContextVar holding a native Context snapshot, so it follows threads and asyncio
tasks: what one task sets never leaks into another.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from typing import Any, Iterator, Mapping, Optional

from .. import _native, native
from .._errors import ConfigError
from .validation import log_findings, validate_tags

logger = logging.getLogger(__name__)

_defaults: dict[str, Any] = {}
_defaults_lock = threading.Lock()


def _after_fork_in_child() -> None:
    # A child forked while another thread held the lock would otherwise wait forever.
    global _defaults_lock
    _defaults_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
_context_var = _native.context_var
Context = _native.Context


def set_default_attributes(**attributes: Any) -> None:
    """Merge attributes into the process-wide defaults that every operation inherits
    (genops-ai merges too). A None value hides the key from operations."""
    with _defaults_lock:
        native.genops_defaults_update(attributes)
        _defaults.update(attributes)


def get_default_attributes() -> dict[str, Any]:
    """A copy of the current default attributes."""
    with _defaults_lock:
        return dict(_defaults)


def clear_default_attributes() -> None:
    """Remove every default attribute."""
    with _defaults_lock:
        native.genops_defaults_clear()
        _defaults.clear()


def update_default_attributes(**attributes: Any) -> None:
    """Change some default attributes and keep the others."""
    set_default_attributes(**attributes)


def _current() -> Optional[Any]:
    return _context_var.get(None)


def set_context(**attributes: Any) -> None:
    """Merge attributes into the context of the current thread or asyncio task
    (request-scoped attribution). A None value hides the key, defaults included."""
    _context_var.set(Context(_current(), attributes))


def get_context() -> dict[str, Any]:
    """A copy of the current thread's or task's context attributes."""
    cur = _current()
    return cur.attributes if cur is not None else {}


def clear_context() -> None:
    """Remove every context attribute of the current thread or task."""
    _context_var.set(None)


def get_effective_attributes(**overrides: Any) -> dict[str, Any]:
    """What an operation with these attributes records (as genops.<key>): defaults,
    overridden by the context, overridden by overrides; None values dropped. The tag
    validator's findings are logged, as genops-ai did; it does not raise here."""
    effective = get_default_attributes()
    effective.update(get_context())
    effective.update(overrides)
    effective = {k: v for k, v in effective.items() if v is not None}
    result = validate_tags(effective)
    log_findings(result)
    return result.cleaned_attributes


def set_team_defaults(
    team: str, project: Optional[str] = None, cost_center: Optional[str] = None, **kwargs: Any
) -> None:
    """Default attributes for a team: team, and project / cost_center when given."""
    attrs: dict[str, Any] = {"team": team}
    if project:
        attrs["project"] = project
    if cost_center:
        attrs["cost_center"] = cost_center
    attrs.update(kwargs)
    set_default_attributes(**attrs)


def set_customer_context(
    customer_id: str, customer_name: Optional[str] = None, tier: Optional[str] = None, **kwargs: Any
) -> None:
    """Context for a customer: customer_id, and customer / customer_tier when given."""
    attrs: dict[str, Any] = {"customer_id": customer_id}
    if customer_name:
        attrs["customer"] = customer_name
    if tier:
        attrs["customer_tier"] = tier
    attrs.update(kwargs)
    set_context(**attrs)


def set_user_context(user_id: str, **kwargs: Any) -> None:
    """Context for a user: user_id and any other attributes."""
    attrs: dict[str, Any] = {"user_id": user_id}
    attrs.update(kwargs)
    set_context(**attrs)


# ---- the names GenOps' Honeycomb guide uses --------------------------------------


def _as_dict(attributes: Optional[Mapping[str, Any]], name: str) -> dict[str, Any]:
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping):
        raise ConfigError(f"{name}() takes a dict of attributes, not {type(attributes).__name__}")
    return dict(attributes)


def set_governance_context(attributes: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> None:
    """Merge a dict of attributes into the current context (set_context with a dict).
    Scoped to the current thread or asyncio task, like set_context."""
    attrs = _as_dict(attributes, "set_governance_context")
    attrs.update(kwargs)
    _context_var.set(Context(_current(), attrs))


def clear_governance_context() -> None:
    """Remove every context attribute of the current thread or task."""
    clear_context()


@contextlib.contextmanager
def governance_context(**attributes: Any) -> Iterator[dict[str, Any]]:
    """Within the block, operations also carry these attributes; on exit the context
    is what it was before. Yields the context attributes in effect."""
    token = _context_var.set(Context(_current(), attributes))
    try:
        yield get_context()
    finally:
        _context_var.reset(token)


__all__ = [
    "clear_context",
    "clear_default_attributes",
    "clear_governance_context",
    "get_context",
    "get_default_attributes",
    "get_effective_attributes",
    "governance_context",
    "set_context",
    "set_customer_context",
    "set_default_attributes",
    "set_governance_context",
    "set_team_defaults",
    "set_user_context",
    "update_default_attributes",
]
