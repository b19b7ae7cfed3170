"""OTLP export configuration, with genops-ai's names.

configure_otlp_exporter sets up one OTLP/HTTP exporter; configure_multi_backend_export
fans out to several backends through one pipeline (every exporter gets every span);
configure_multi_dataset_export sends each span to the Honeycomb datasets that accept it.
All replace the current pipeline; a later auto_instrument() / init() without
exporter arguments keeps what they configured.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable, Mapping, Optional, Sequence

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


def configure_otlp_exporter(
    endpoint: str,
    headers: Optional[Mapping[str, str]] = None,
    service_name: Optional[str] = None,
    environment: Optional[str] = None,
    sampling_rate: Optional[float] = None,
) -> None:
    """Export GenOps telemetry over OTLP/HTTP (protobuf) to endpoint, e.g.
    "https://api.honeycomb.io/v1/traces" with headers={"X-Honeycomb-Team": key}, or a
    local OpenTelemetry Collector "http://localhost:4318" (/v1/traces is appended to a
    URL without a path). sampling_rate: head sampling by trace id, parent-based, as
    init's (docs/sampling.md); None: OTEL_TRACES_SAMPLER, else every trace."""
    spec = {"type": "otlp", "endpoint": endpoint, "headers": headers}
    _runtime.install(
        _runtime.build(
            exporters=[spec],
            sampling_rate=sampling_rate,
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
    optional "protocol" ("http/protobuf", the default, "http/json" or "grpc": OTLP/gRPC,
    whose endpoint is a host and port such as http://collector:4317)."""
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
        if protocol not in ("http/protobuf", "http/json", "grpc"):
            raise ConfigError(
                f"backend {b.get('name', i)!r}: protocol must be http/protobuf, http/json or grpc"
            )
        # The protocol given (or its default) wins over OTEL_EXPORTER_OTLP_PROTOCOL.
        kind = {"http/json": "otlp-json", "grpc": "otlp-grpc"}.get(protocol, "otlp")
        specs.append(
            {"type": kind, "protocol": protocol, "endpoint": b["endpoint"], "headers": b.get("headers")}
        )
    _runtime.install(
        _runtime.build(
            exporters=specs,
            configured_by="configure_otlp_exporter",
            **_resource(service_name, environment),
        )
    )


_TESTS = ("equals", "in", "prefix", "exists")


def _rules(name: str, spec: Any) -> list[dict[str, Any]]:
    """The native router's rules (genops_honeycomb_router_new) for one dataset."""
    specs = spec if isinstance(spec, (list, tuple)) else [spec]
    rules = []
    for rule in specs:
        if not isinstance(rule, Mapping):
            raise ConfigError(
                f"dataset {name!r}: a rule is a dict such as {{'attribute': 'genops.team', "
                f"'equals': 'ml'}} or {{'default': True}}, not {type(rule).__name__}"
            )
        unknown = set(rule) - {"attribute", "default", *_TESTS}
        if unknown:
            raise ConfigError(f"dataset {name!r}: unknown rule keys {sorted(unknown)}")
        rules.append({"dataset": name, **rule})
    return rules


def _chooser(
    predicates: list[tuple[str, Callable[[dict[str, Any]], Any]]],
) -> Callable[[dict[str, Any]], list[str]]:
    """The end hook of the predicate form: the names of the datasets whose predicate
    accepts the span's attributes. A predicate that raises does not accept, said once."""
    warned: set[str] = set()

    def choose(attrs: dict[str, Any]) -> list[str]:
        chosen = []
        for name, accepts in predicates:
            try:
                if accepts(attrs):
                    chosen.append(name)
            except Exception as e:  # noqa: BLE001 - a user's predicate must not break the app
                if name not in warned:
                    warned.add(name)
                    logger.warning(
                        "genops: the predicate of dataset %r raised %r; spans it raises for are "
                        "not sent there (said once per dataset)",
                        name,
                        e,
                    )
        return chosen

    return choose


def configure_multi_dataset_export(
    api_key: Optional[str] = None,
    datasets: Optional[Mapping[str, Any]] = None,
    service_name: Optional[str] = None,
    environment: Optional[str] = None,
    api_endpoint: Optional[str] = None,
    exporter_options: Optional[Mapping[str, Any]] = None,
) -> None:
    """Send each span to every Honeycomb dataset that accepts it, through the Events
    API (any kind of key; HONEYCOMB_API_KEY and HONEYCOMB_API_ENDPOINT when not given).

    datasets maps a dataset name to either a predicate, as GenOps' Honeycomb guide has
    it (``lambda attrs: "pii" in attrs.get("genops.data.classification", "")``: run on
    the application thread as each span ends, with the span's attributes as a dict), or
    to a rule, or a list of rules, run natively on the export thread:
    ``{"attribute": key, "equals": value}``, ``{"attribute": key, "in": [values]}``,
    ``{"attribute": key, "prefix": text}``, ``{"attribute": key, "exists": True}``,
    ``{"default": True}`` (the spans no other rule took). One form per call: all
    predicates or all rules. A span no dataset takes is dropped and counted as
    rejected. docs/exporters/honeycomb.md has what each form costs per operation."""
    if not isinstance(datasets, Mapping) or not datasets:
        raise ConfigError("configure_multi_dataset_export() needs datasets={name: predicate or rule, ...}")
    for name in datasets:
        if not isinstance(name, str):
            raise ConfigError(f"dataset names must be str, not {type(name).__name__}")
    callables = [callable(v) for v in datasets.values()]
    if any(callables) and not all(callables):
        raise ConfigError("datasets: give every dataset a predicate, or every dataset rules, not both")
    hook = None
    if all(callables):
        rules = [{"dataset": name} for name in datasets]
        hook = _chooser(list(datasets.items()))
    else:
        rules = [r for name, spec in datasets.items() for r in _rules(name, spec)]
    spec = {
        "type": "honeycomb-router",
        "api_key": api_key,
        "api_endpoint": api_endpoint,
        "routes": json.dumps(rules),
        "options": exporter_options,
    }
    _runtime.install(
        _runtime.build(
            exporters=[spec],
            configured_by="configure_otlp_exporter",
            end_hook=hook,
            **_resource(service_name, environment),
        )
    )


__all__ = ["configure_multi_backend_export", "configure_multi_dataset_export", "configure_otlp_exporter"]
