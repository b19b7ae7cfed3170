"""Endpoints are shown masked wherever genops shows one (issue 12, item 5): a
user:password@ in the authority and the query (?token=, &api_key=) never appear in a
ConfigError or in validation output. One rule, the C library's http_url_for_log,
reached from Python as genops._native.url_for_log."""

from __future__ import annotations

import contextlib
import io

import pytest

import genops
from genops import _native
from genops.exporters.validation import print_validation_result, validate_export_setup

SECRETS = ("hunter2", "s3cret", "k3y")
AUTH = "user:hunter2@"
QUERY = "?token=s3cret&api_key=k3y"

needs_otlp = pytest.mark.skipif(
    "otlp" not in genops.status()["available_exporters"], reason="built without the OTLP exporter"
)


def assert_masked(text: str) -> None:
    for s in SECRETS:
        assert s not in text, text


def printed(result) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_validation_result(result)
    return out.getvalue() + repr(result)


@pytest.mark.parametrize(
    "url, shown",
    [
        (
            f"https://{AUTH}example.com:4318/v1/traces{QUERY}",
            "https://[REDACTED]@example.com:4318/v1/traces?[REDACTED]",
        ),
        ("http://127.0.0.1:4318/v1/traces", "http://127.0.0.1:4318/v1/traces"),
        (f"no scheme {AUTH}x{QUERY}", "[REDACTED]@x?[REDACTED]"),  # all before @ masked
        (f"http://{AUTH}[::1/{QUERY}", "http://[REDACTED]@[::1/?[REDACTED]"),
    ],
)
def test_url_for_log_masks_credentials_and_query(url, shown):
    assert _native.url_for_log(url) == shown


def test_url_for_log_refuses_what_is_not_a_str():
    with pytest.raises(TypeError, match="must be a str"):
        _native.url_for_log(b"http://x")  # type: ignore[arg-type]


@needs_otlp
@pytest.mark.parametrize(
    "endpoint",
    [
        f"ftp://{AUTH}example.com/{QUERY}",  # not http(s)
        f"http://{AUTH}[::1/v1{QUERY}",  # not a valid URL (Python's urlsplit says so)
        f"http://{AUTH}example.com:99999/{QUERY}",  # bad port
    ],
)
def test_config_errors_show_the_endpoint_masked(endpoint):
    with pytest.raises(genops.ConfigError) as e:
        genops.init(exporter_type="otlp", otlp_endpoint=endpoint)
    assert_masked(str(e.value))
    assert "[REDACTED]" in str(e.value)


@needs_otlp
def test_otlp_validation_shows_the_endpoint_masked(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://{AUTH}127.0.0.1:4318/v1/traces{QUERY}")
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    result = validate_export_setup("otlp")
    text = printed(result)
    assert_masked(text)
    assert "127.0.0.1:4318" in text


@needs_otlp
def test_grafana_validation_shows_the_endpoint_masked(monkeypatch):
    monkeypatch.setenv("TEMPO_ENDPOINT", f"http://{AUTH}127.0.0.1:4318/v1/traces{QUERY}")
    text = printed(validate_export_setup("grafana"))
    assert_masked(text)
    assert "127.0.0.1:4318" in text


@pytest.mark.skipif(
    "honeycomb" not in genops.status()["available_exporters"], reason="built without Honeycomb"
)
def test_honeycomb_validation_shows_the_endpoint_masked(monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_ENDPOINT", f"http://{AUTH}127.0.0.1:9/{QUERY}")
    monkeypatch.setenv("HONEYCOMB_API_KEY", "a" * 32)
    text = printed(validate_export_setup("honeycomb", check_connectivity=False))
    assert_masked(text)
    assert "127.0.0.1:9" in text


TOKEN_AS_NAME = "hcaik_01j8y9TOKEN2024abc"  # a key pasted where the header's name goes
DEAD = "http://127.0.0.1:9"


@needs_otlp
@pytest.mark.parametrize("value", [5, "line\x0bbreak"])
def test_a_header_name_that_holds_a_token_is_never_echoed(value):
    with pytest.raises(genops.ConfigError) as e:
        genops.init(exporter_type="otlp", otlp_endpoint=DEAD, otlp_headers={TOKEN_AS_NAME: value})
    assert TOKEN_AS_NAME not in str(e.value) and "number 1" in str(e.value), str(e.value)
    # A name that reads as one is still named, so the message says which header it is.
    with pytest.raises(genops.ConfigError) as e:
        genops.init(exporter_type="otlp", otlp_endpoint=DEAD, otlp_headers={"X-Api-Key": value})
    assert "'X-Api-Key'" in str(e.value)


@needs_otlp
def test_a_header_without_a_value_is_named_only_when_it_reads_as_a_name(caplog):
    genops.init(
        exporter_type="otlp",
        otlp_endpoint=DEAD,
        otlp_headers={"X-Honeycomb-Team": None, TOKEN_AS_NAME: None},
    )
    text = caplog.text
    assert "'X-Honeycomb-Team' has no value" in text
    assert TOKEN_AS_NAME not in text and "number 2" in text
    genops.init(exporter_type="memory")
