"""Honeycomb beside the telemetry: markers (deploys, config changes) and the key
check that validate_export_setup(provider="honeycomb") uses.

Both are one request each to Honeycomb's REST API through the native transport
(genops_honeycomb_marker_create, genops_honeycomb_auth), configured as the exporter
is: HONEYCOMB_API_KEY, HONEYCOMB_DATASET (default "genops-ai") and
HONEYCOMB_API_ENDPOINT (default https://api.honeycomb.io), or the arguments.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Optional, Union

from .. import _runtime, native
from .._errors import ConfigError, NotAvailableError

Time = Union[int, float, datetime.datetime, None]


def _seconds(value: Time, name: str) -> int:
    """Unix seconds for a marker's time (0 = not given)."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ConfigError(f"{name} must be an aware datetime (with a tzinfo), or Unix seconds")
        value = value.timestamp()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive number of Unix seconds or a datetime, not {value!r}")
    return int(value)


def _connection(
    api_key: Optional[str], api_endpoint: Optional[str], dataset: Optional[str] = None
) -> dict[str, Any]:
    if not hasattr(native, "genops_honeycomb_auth"):
        raise NotAvailableError("Honeycomb support is not compiled into this build of genops")
    return _runtime.honeycomb_options({"api_key": api_key, "api_endpoint": api_endpoint, "dataset": dataset})


def create_marker(
    message: str,
    type: str = "deploy",
    url: Optional[str] = None,
    dataset: Optional[str] = None,
    start_time: Time = None,
    end_time: Time = None,
    *,
    api_key: Optional[str] = None,
    api_endpoint: Optional[str] = None,
) -> str:
    """Create a Honeycomb marker and return its id.

    dataset defaults to HONEYCOMB_DATASET (else "genops-ai"); "__all__" marks every
    dataset of the key's environment. start_time / end_time are Unix seconds or aware
    datetimes (Honeycomb uses now when start_time is not given). Raises ConfigError
    for bad arguments, RejectedError when Honeycomb refuses (401: unknown key; 404:
    unknown dataset) and TransportError when it cannot be reached."""
    if not isinstance(message, str):
        raise ConfigError(f"message must be a str, not {message.__class__.__name__}")
    for name, value in (("type", type), ("url", url), ("dataset", dataset)):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{name} must be a str, not {value.__class__.__name__}")
    marker = {
        "message": message,
        "type": type,
        "url": url,
        "dataset": dataset,
        "start_time": _seconds(start_time, "start_time"),
        "end_time": _seconds(end_time, "end_time"),
    }
    answer = native.genops_honeycomb_marker_create(_connection(api_key, api_endpoint), marker)
    return answer["marker_id"]


def check_key(api_key: Optional[str] = None, api_endpoint: Optional[str] = None) -> dict[str, Any]:
    """GET /1/auth: {"status": HTTP status or 0 when nothing answered, "message",
    "key_kind", "team_name", "team_slug", "environment_name", "environment_slug",
    "may_send_events", "may_create_markers", "ms"}. Raises ConfigError when the
    configuration itself is malformed (no key, a bad endpoint)."""
    return native.genops_honeycomb_auth(_connection(api_key, api_endpoint))


__all__ = ["check_key", "create_marker"]
