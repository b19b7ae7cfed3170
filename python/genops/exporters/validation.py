"""Export setup validation, with genops-ai's names (validate_export_setup,
print_validation_result, ValidationResult).

Checks the configuration a backend needs (environment variables, endpoint form) and
that this build has the exporter, by building it: the native exporters check every
option and OTEL_* variable when they are created, without connecting. With
check_connectivity=True (the default) the Splunk and Honeycomb validations also contact
their backend, as their guides describe: HEC's health endpoint and one test event;
Honeycomb's GET /1/auth. A check that did not run is never reported as passed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

from .. import _native_log, _runtime, native
from .._errors import GenOpsError


@dataclass
class ValidationResult:
    """provider, passed (every check passed), checks (name, passed, message, fix) and
    error_message when validation could not run at all."""

    provider: str
    passed: bool
    checks: list[dict[str, Any]] = field(default_factory=list)
    error_message: Optional[str] = None
    #: Backend-specific facts (e.g. Splunk's endpoint, format, index, TLS).
    details: dict[str, Any] = field(default_factory=dict)


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
        # What init(exporter_type="otlp") would build (a Splunk HEC endpoint gets HEC).
        choose = getattr(native, "genops_exporter_for_endpoint", native.genops_otlp_exporter_new)
        native.genops_exporter_free(choose(opts))
    except GenOpsError as e:
        return [_check("OTLP configuration", False, str(e), "fix the value named above")]
    shown = (
        endpoint
        or os.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
        or "http://localhost:4318 (default)"
    )
    return [_check("OTLP configuration", True, f"endpoint {_runtime.shown_url(shown)}")]


def _not_checked(name: str, why: str) -> dict[str, Any]:
    """A check that did not run: passed is None, never True."""
    return {"name": name, "passed": None, "message": f"not checked ({why})", "fix": None}


def _validate_honeycomb(check_connectivity: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The Honeycomb configuration as the exporter reads it (key, endpoint shape, dataset
    name), then, with check_connectivity, the key itself: GET /1/auth answers with its
    team and environment and what it may do."""
    if not hasattr(native, "genops_honeycomb_auth"):
        return [
            _check(
                "Honeycomb exporter",
                False,
                "not available in this build of genops",
                "install a genops build that includes the OTLP exporter",
            )
        ], {}
    from . import honeycomb

    # shown masked everywhere below (user:password@, ?api_key=...)
    endpoint = _runtime.shown_url(os.getenv("HONEYCOMB_API_ENDPOINT") or "https://api.honeycomb.io")
    dataset = os.getenv("HONEYCOMB_DATASET") or "genops-ai"
    details: dict[str, Any] = {"endpoint": endpoint, "dataset": dataset}
    checks = [
        _env_set("HONEYCOMB_API_KEY", "export HONEYCOMB_API_KEY='your_api_key' (Send Events permission)")
    ]
    try:
        native.genops_exporter_free(native.genops_honeycomb_exporter_new(None))
    except GenOpsError as e:
        checks.append(_check("Configuration", False, str(e), "fix the value named above"))
        return checks, details
    checks.append(_check("Configuration", True, f"endpoint {endpoint}, dataset {dataset}"))
    if not check_connectivity:
        checks.append(_not_checked("API key", "check_connectivity=False"))
        return checks, details
    a = honeycomb.check_key()
    details["key kind"] = a["key_kind"]
    classic = a["key_kind"].startswith("classic")
    details["dataset header"] = (
        "sent (Classic key)" if classic else "not sent (environment key: routed by service.name)"
    )
    if a["status"] == 0:
        checks.append(
            _check(
                "Connectivity",
                False,
                f"Honeycomb API not reachable at {endpoint}: {a['message']}",
                "check the network path to the endpoint (curl -v $HONEYCOMB_API_ENDPOINT/1/auth) "
                "and HONEYCOMB_API_ENDPOINT (EU: https://api.eu1.honeycomb.io)",
            )
        )
        return checks, details
    checks.append(_check("Connectivity", True, f"{endpoint} answered in {a['ms']} ms"))
    if a["status"] == 401:
        checks.append(
            _check(
                "API key",
                False,
                f"Authentication failed (401 Unauthorized): {a['message'] or 'unknown API key'}",
                "check HONEYCOMB_API_KEY: no spaces or line breaks, an active key of this team "
                "(Environment Settings > API Keys); the header is X-Honeycomb-Team",
            )
        )
        return checks, details
    if a["status"] != 200:
        checks.append(
            _check(
                "API key", False, f"/1/auth answered HTTP {a['status']}: {a['message']}", "try again later"
            )
        )
        return checks, details
    team = a["team_name"] or a["team_slug"] or "?"
    env = a["environment_name"] or a["environment_slug"]
    details["team"] = team
    details["environment"] = env or "(Classic: none)"
    checks.append(
        _check("API key", True, f"{a['key_kind']} of team {team}" + (f", environment {env}" if env else ""))
    )
    checks.append(
        _check(
            "Send events",
            a["may_send_events"],
            "the key may send events" if a["may_send_events"] else "the key may NOT send events",
            "give the key the Send Events permission",
        )
    )
    checks.append(
        {
            "name": "Markers" if a["may_create_markers"] else "Warning",
            "passed": True,
            "message": "the key may create markers"
            if a["may_create_markers"]
            else "the key may not create markers: create_marker() will be refused (Manage Markers)",
            "fix": None,
        }
    )
    return checks, details


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
            _runtime.shown_url(endpoint) if endpoint else "Not set",
            "export TEMPO_ENDPOINT='http://tempo:4318/v1/traces'",
        )
    ]
    if os.getenv("TEMPO_AUTH_HEADER"):
        checks.append(_check("TEMPO_AUTH_HEADER", True, "Set"))
    if endpoint:
        checks += _otlp_checks(endpoint)
    return checks


def _validate_splunk(check_connectivity: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The HEC exporter's own validation (genops_hec_validate): the SPLUNK_*
    configuration, then, with check_connectivity, HEC's health endpoint and one test
    event that proves the token may write to the index."""
    if not hasattr(native, "genops_hec_validate"):
        return [
            _check(
                "Splunk HEC exporter",
                False,
                "not available in this build of genops",
                "install a genops build that includes the Splunk HEC exporter",
            )
        ], {}
    v = native.genops_hec_validate(None, bool(check_connectivity))
    errors, warnings = list(v["errors"]), list(v["warnings"])
    details = {k[len("detail.") :]: val for k, val in v.items() if k.startswith("detail.")}
    checks = [
        _check(
            "Configuration",
            v["config_ok"],
            "endpoint, token and index are well-formed" if v["config_ok"] else "; ".join(errors),
            "set SPLUNK_HEC_ENDPOINT and SPLUNK_HEC_TOKEN (and SPLUNK_INDEX)",
        )
    ]
    if check_connectivity and v["config_ok"]:
        checks.append(
            _check(
                "Connectivity",
                v["connectivity"],
                details.get("health", f"HTTP {v['health_status']}"),
                "check the endpoint, the port (8088) and that HEC is enabled",
            )
        )
        checks.append(
            _check(
                "Token and index",
                v["token_ok"] and v["index_accessible"],
                details.get("token", "") if v["token_ok"] else "the test event was not accepted",
                "; ".join(errors) or "check the token and the index it may write to",
            )
        )
    for w in warnings:
        checks.append({"name": "Warning", "passed": True, "message": w, "fix": None})
    return checks, details


def _validate_otlp() -> list[dict[str, Any]]:
    return _otlp_checks(None)


_VALIDATORS = {
    "datadog": _validate_datadog,
    "grafana": _validate_grafana,
    "otlp": _validate_otlp,
}


def validate_export_setup(provider: str, check_connectivity: bool = True) -> ValidationResult:
    """Validate the export configuration for provider: "honeycomb", "datadog",
    "grafana", "splunk" or "otlp". With check_connectivity, "splunk" contacts HEC (its
    health endpoint and one test event) and "honeycomb" checks the key (GET /1/auth); a
    check that did not run has passed=None and the result does not pass."""
    _native_log.start_once()  # the exporters' set-up lines reach logging
    if not isinstance(provider, str):
        return ValidationResult(str(provider), False, [], "provider must be a str")
    name = provider.lower()
    if name in ("splunk", "honeycomb"):
        validate = _validate_splunk if name == "splunk" else _validate_honeycomb
        checks, details = validate(check_connectivity)
        return ValidationResult(name, all(c["passed"] is True for c in checks), checks, details=details)
    validator = _VALIDATORS.get(name)
    if validator is None:
        known = ", ".join([*_VALIDATORS, "honeycomb", "splunk"])
        return ValidationResult(
            provider, False, [], f"Validation not implemented for provider: {provider} (known: {known})"
        )
    checks = validator()
    return ValidationResult(name, all(c["passed"] for c in checks), checks)


def print_validation_result(result: ValidationResult) -> None:
    """Print a ValidationResult for people."""
    icon = "\u2705" if result.passed else "\u274c"
    print(f"\n{icon} {result.provider.title()} Setup Validation\n")
    if result.error_message:
        print(f"\u274c Error: {result.error_message}\n")
        return
    if result.details:
        print("Setup:")
        for key, value in result.details.items():
            print(f"  {key}: {value}")
        print()
    print("Configuration:")
    for check in result.checks:
        check_icon = {True: "\u2705", None: "\u26aa"}.get(check["passed"], "\u274c")
        print(f"  {check_icon} {check['name']}: {check['message']}")
        if check.get("fix"):
            print(f"     Fix: {check['fix']}")
    print()
    if result.passed:
        print(f"\u2705 All checks passed! {result.provider.title()} export is configured.")
    elif all(c["passed"] is not False for c in result.checks):
        print("\u26aa Nothing failed, but not everything was checked (see above).")
    else:
        print("\u274c Some checks failed. Fix the issues above and try again.")


__all__ = ["ValidationResult", "print_validation_result", "validate_export_setup"]
