"""Export setup validation, with genops-ai's names (validate_export_setup,
print_validation_result, ValidationResult).

Checks the configuration a backend needs (environment variables, endpoint form) and
that this build has the exporter, by building it: the native exporters check every
option and OTEL_* variable when they are created, without connecting. Nothing here
contacts a backend.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

from .. import _runtime, native
from .._errors import GenOpsError


@dataclass
class ValidationResult:
    """provider, passed (every check passed), checks (name, passed, message, fix) and
    error_message when validation could not run at all."""

    provider: str
    passed: bool
    checks: list[dict[str, Any]] = field(default_factory=list)
    error_message: Optional[str] = None


def _check(name: str, passed: bool, message: str, fix: Optional[str] = None) -> dict[str, Any]:
    return {"name": name, "passed": passed, "message": message, "fix": None if passed else fix}


def _env_set(name: str, fix: str) -> dict[str, Any]:
    value = os.getenv(name)
    return _check(name, bool(value), "Set" if value else "Not set", fix)


def _otlp_checks(endpoint: Optional[str], headers: Optional[dict[str, str]] = None) -> list[dict[str, Any]]:
    """The OTLP exporter is in this build, and accepts the endpoint and environment."""
    if not hasattr(native, "genops_otlp_exporter_new"):
        return [
            _check(
                "OTLP exporter",
                False,
                "not available in this build of genops",
                "install a genops build that includes the OTLP exporter",
            )
        ]
    try:
        opts = {"endpoint": _runtime.otlp_endpoint(endpoint), "headers": dict(headers or {})}
        exporter = native.genops_otlp_exporter_new(opts)
        native.genops_exporter_free(exporter)
    except GenOpsError as e:
        return [_check("OTLP configuration", False, str(e), "fix the value named above")]
    shown = (
        endpoint
        or os.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
        or "http://localhost:4318 (default)"
    )
    return [_check("OTLP configuration", True, f"endpoint {shown}")]


def _validate_honeycomb() -> list[dict[str, Any]]:
    key = os.getenv("HONEYCOMB_API_KEY")
    checks = [
        _env_set("HONEYCOMB_API_KEY", "export HONEYCOMB_API_KEY='your_api_key'"),
        _check("HONEYCOMB_DATASET", True, os.getenv("HONEYCOMB_DATASET", "genops-ai")),
    ]
    checks += _otlp_checks("https://api.honeycomb.io/v1/traces", {"x-honeycomb-team": key or "unset"})
    checks.append(_check("Connectivity", True, "not checked (validation makes no connection)"))
    return checks


def _validate_datadog() -> list[dict[str, Any]]:
    service = os.getenv("DD_SERVICE") or os.getenv("OTEL_SERVICE_NAME")
    return [
        _env_set("DD_API_KEY", "export DD_API_KEY='your_api_key'"),
        _check("DD_SITE", True, os.getenv("DD_SITE", "datadoghq.com")),
        _check("DD_SERVICE", bool(service), service or "Not set", "export DD_SERVICE='your-service-name'"),
    ]


def _validate_grafana() -> list[dict[str, Any]]:
    endpoint = os.getenv("TEMPO_ENDPOINT")
    checks = [
        _check(
            "TEMPO_ENDPOINT",
            bool(endpoint),
            endpoint or "Not set",
            "export TEMPO_ENDPOINT='http://tempo:4318/v1/traces'",
        )
    ]
    if os.getenv("TEMPO_AUTH_HEADER"):
        checks.append(_check("TEMPO_AUTH_HEADER", True, "Set"))
    if endpoint:
        checks += _otlp_checks(endpoint)
    return checks


def _validate_splunk() -> list[dict[str, Any]]:
    return [
        _env_set("SPLUNK_HEC_ENDPOINT", "export SPLUNK_HEC_ENDPOINT='https://splunk.example.com:8088'"),
        _env_set("SPLUNK_HEC_TOKEN", "export SPLUNK_HEC_TOKEN='your-hec-token'"),
        _check(
            "Splunk HEC exporter",
            False,
            "not available in this build of genops",
            "send OTLP to an OpenTelemetry Collector with a Splunk HEC exporter meanwhile",
        ),
    ]


def _validate_otlp() -> list[dict[str, Any]]:
    return _otlp_checks(None)


_VALIDATORS = {
    "honeycomb": _validate_honeycomb,
    "datadog": _validate_datadog,
    "grafana": _validate_grafana,
    "splunk": _validate_splunk,
    "otlp": _validate_otlp,
}


def validate_export_setup(provider: str) -> ValidationResult:
    """Validate the export configuration for provider: "honeycomb", "datadog",
    "grafana", "splunk" or "otlp"."""
    if not isinstance(provider, str):
        return ValidationResult(str(provider), False, [], "provider must be a str")
    validator = _VALIDATORS.get(provider.lower())
    if validator is None:
        return ValidationResult(
            provider,
            False,
            [],
            f"Validation not implemented for provider: {provider} (known: {', '.join(_VALIDATORS)})",
        )
    checks = validator()
    return ValidationResult(provider.lower(), all(c["passed"] for c in checks), checks)


def print_validation_result(result: ValidationResult) -> None:
    """Print a ValidationResult for people."""
    icon = "\u2705" if result.passed else "\u274c"
    print(f"\n{icon} {result.provider.title()} Setup Validation\n")
    if result.error_message:
        print(f"\u274c Error: {result.error_message}\n")
        return
    print("Configuration:")
    for check in result.checks:
        check_icon = "\u2705" if check["passed"] else "\u274c"
        print(f"  {check_icon} {check['name']}: {check['message']}")
        if check.get("fix"):
            print(f"     Fix: {check['fix']}")
    print()
    if result.passed:
        print(f"\u2705 All checks passed! {result.provider.title()} export is configured.")
    else:
        print("\u274c Some checks failed. Fix the issues above and try again.")


__all__ = ["ValidationResult", "print_validation_result", "validate_export_setup"]
