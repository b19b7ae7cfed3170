"""OTLP export configuration, with genops-ai's names.

configure_otlp_exporter sets up one OTLP/HTTP exporter; configure_multi_backend_export
fans out to several backends through one pipeline (every exporter gets every span).
Both replace the current pipeline; a later auto_instrument() / init() without
exporter arguments keeps what they configured.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Mapping, Optional, Sequence

from .. import _runtime
from .._errors import ConfigError

logger = logging.getLogger(__name__)


def _resource(service_name: Optional[str], environment: Optional[str]) -> dict[str, Any]:
    env = environment or os.getenv("ENVIRONMENT")
    return {
        "service_name": service_name or os.getenv("OTEL_SERVICE_NAME") or "genops-ai",
        "service_version": "1.0.0",
        "environment": env,
    }


def _sampling(sampling_rate: float) -> None:
    if isinstance(sampling_rate, bool) or not isinstance(sampling_rate, (int, float)):
        raise ConfigError("sampling_rate must be a number between 0.0 and 1.0")
    if not 0.0 <= sampling_rate <= 1.0:
        raise ConfigError(f"sampling_rate must be between 0.0 and 1.0, not {sampling_rate}")
    if sampling_rate < 1.0:
        logger.warning(
            "genops: sampling_rate=%s is not supported yet; every span is exported "
            "(sample in an OpenTelemetry Collector meanwhile)",
            sampling_rate,
        )


def configure_otlp_exporter(
    endpoint: str,
    headers: Optional[Mapping[str, str]] = None,
    service_name: Optional[str] = None,
    environment: Optional[str] = None,
    sampling_rate: float = 1.0,
) -> None:
    """Export GenOps telemetry over OTLP/HTTP (protobuf) to endpoint, e.g.
    "https://api.honeycomb.io/v1/traces" with headers={"X-Honeycomb-Team": key}, or a
    local OpenTelemetry Collector "http://localhost:4318" (/v1/traces is appended to a
    URL without a path)."""
    _sampling(sampling_rate)
    spec = {"type": "otlp", "endpoint": endpoint, "headers": headers}
    _runtime.install(
        _runtime.build(
            exporters=[spec],
            configured_by="configure_otlp_exporter",
            **_resource(service_name, environment),
        )
    )


def configure_multi_backend_export(
    backends: Sequence[Mapping[str, Any]],
    service_name: Optional[str] = None,
    environment: Optional[str] = None,
) -> None:
    """Export to several backends at once through one pipeline: each backend is a
    dict with "endpoint", optional "headers", optional "name" (for messages) and
    optional "protocol" ("http/protobuf", the default, or "http/json")."""
    if isinstance(backends, (str, bytes)) or not isinstance(backends, Sequence) or not backends:
        raise ConfigError("configure_multi_backend_export() takes a non-empty list of backend dicts")
    specs = []
    for i, b in enumerate(backends):
        if not isinstance(b, Mapping) or "endpoint" not in b:
            raise ConfigError(f"backend {i} must be a dict with an 'endpoint'")
        unknown = set(b) - {"name", "endpoint", "headers", "protocol"}
        if unknown:
            raise ConfigError(f"backend {b.get('name', i)!r}: unknown keys {sorted(unknown)}")
        protocol = b.get("protocol", "http/protobuf")
        if protocol not in ("http/protobuf", "http/json"):
            raise ConfigError(f"backend {b.get('name', i)!r}: protocol must be http/protobuf or http/json")
        specs.append(
            {
                "type": "otlp-json" if protocol == "http/json" else "otlp",
                "endpoint": b["endpoint"],
                "headers": b.get("headers"),
            }
        )
    _runtime.install(
        _runtime.build(
            exporters=specs,
            configured_by="configure_otlp_exporter",
            **_resource(service_name, environment),
        )
    )


__all__ = ["configure_multi_backend_export", "configure_otlp_exporter"]
