"""Shared pytest fixtures for tests/python.

Shared with other suites in this folder (test_otlp_*.py drive a C program and never
import genops): nothing here imports genops at import time, and every fixture is
opt-in by name.
"""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

# LiteLLM fetches its model cost map over the network when imported, unless told not
# to (https://docs.litellm.ai/docs/completion/token_usage): no test reaches the network.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"


@pytest.fixture
def genops_memory():
    """genops initialised with the memory exporter, defaults and context cleared
    before and after. Yields genops.testing (finished_spans(), clear())."""
    import genops
    import genops.testing

    genops.clear_default_attributes()
    genops.clear_context()
    genops.init(exporter_type="memory", service_name="genops-tests")
    genops.testing.clear()
    yield genops.testing
    genops.clear_default_attributes()
    genops.clear_context()


@pytest.fixture
def one_span(genops_memory):
    """Call it after recording exactly one span: returns that span's attributes."""

    def read():
        spans = genops_memory.finished_spans()
        assert len(spans) == 1, [s.name for s in spans]
        return spans[0]

    return read


@pytest.fixture(scope="module")
def ai_server():
    """tests/peers/ai_server.py on 127.0.0.1, one per test module."""
    import pathlib
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "peers"))
    from ai_server import AiServer

    s = AiServer()
    yield s
    s.close()


@pytest.fixture
def provider_spans(genops_memory):
    """genops.init(memory) (which patches the installed SDKs); uninstrument after."""
    import genops
    import genops.pricing
    from genops.providers import _call

    _call._reported.clear()
    genops.pricing.reset_prices()
    yield genops_memory
    genops.uninstrument()


def _openssl(*args: str, cwd: pathlib.Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> pathlib.Path:
    """A throwaway CA, a server certificate for 127.0.0.1 and a client certificate."""
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=genops test CA",
        cwd=d,
    )
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for who in ("server", "client"):
        _openssl("req", *ec, "-keyout", f"{who}.key", "-out", f"{who}.csr", "-subj", f"/CN={who}", cwd=d)
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{who}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{who}.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            cwd=d,
        )
    return d
