"""The distributions as a user meets them (`make dist` builds them into dist/): the
repaired manylinux wheel installs into a fresh virtual environment in an empty
directory, its extension loads nothing but its own copies and the system libraries
the manylinux policy allows, and the Splunk guide's Quick Start runs from it against
a local HEC server; the sdist builds and installs the same way from source."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIST = pathlib.Path(os.environ.get("GENOPS_DIST", ROOT / "dist"))
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from hec_server import HecServer  # noqa: E402

WHEELS = sorted(DIST.glob("genops_ai-*-manylinux*.whl"))
SDISTS = sorted(DIST.glob("genops_ai-*.tar.gz"))
pytestmark = pytest.mark.skipif(
    not WHEELS or not SDISTS, reason=f"no distributions in {DIST}: run `make dist`"
)

# The Splunk guide's Quick Start, step 3 and 4, with the endpoint and token of the
# local server, then one operation with the guide's attribution and cost.
GUIDE = """
import sys
from genops import init, track_enhanced, flush, status
from genops.core.telemetry import GenOpsTelemetry

init(
    service_name="my-ai-service",
    exporter_type="otlp",
    otlp_endpoint=sys.argv[1] + "/services/collector/raw",
    otlp_headers={"Authorization": "Splunk your-hec-token"},
)
with track_enhanced(operation_name="ai.chat.completion", team="ai-platform",
                    customer_id="enterprise-123") as span:
    GenOpsTelemetry().record_cost(span, provider="openai", model="gpt-4", cost=0.0325,
                                  tokens_input=1500, tokens_output=500)
flush(timeout=10)
print(status()["exporters"][0])
"""

# What a manylinux wheel may load from the system (auditwheel's policy for its tag).
POLICY = "manylinux-policy.json"


def run(cmd: list, cwd: pathlib.Path, timeout: float = 300) -> str:
    out = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=clean_env()
    )
    assert out.returncode == 0, f"{cmd}: {out.stdout}\n{out.stderr}"
    return out.stdout


def clean_env() -> dict:
    """No PYTHONPATH or source tree leaking into the user's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GENOPS_", "OTEL_"))}
    env.pop("VIRTUAL_ENV", None)
    return env


def fresh_venv(where: pathlib.Path) -> pathlib.Path:
    run([sys.executable, "-m", "venv", where / "venv"], cwd=where)
    return where / "venv" / "bin" / "python"


def allowed_system_libraries(tag: str) -> set:
    """The libraries auditwheel's policy lets a wheel of this tag take from the system."""
    import auditwheel

    policies = json.loads((pathlib.Path(auditwheel.__file__).parent / "policy" / POLICY).read_text())
    (policy,) = [p for p in policies if p["name"] == tag or tag in p.get("aliases", [])]
    return set(policy["lib_whitelist"])


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[pathlib.Path, pathlib.Path]:
    """(python of a fresh venv with the wheel installed, an empty working directory)."""
    where = tmp_path_factory.mktemp("user")
    python = fresh_venv(where)
    run([python, "-m", "pip", "install", "-q", "--no-index", WHEELS[-1]], cwd=where)
    work = where / "work"
    work.mkdir()
    return python, work


def test_the_wheel_is_manylinux_with_stubs_and_its_libraries(capsys):
    wheel = WHEELS[-1]
    with capsys.disabled():  # `auditwheel show` in the test output, as the issue asks
        print(run([pathlib.Path(sys.executable).parent / "auditwheel", "show", wheel], cwd=DIST))
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "genops/py.typed",
        "genops/_native.pyi",
        "genops/native.pyi",
        "genops/pricing/prices.json",
    ):
        assert shipped in names
    grafted = {pathlib.Path(n).name.split("-")[0] for n in names if n.startswith("genops_ai.libs/")}
    assert {"libcurl", "libdeflate"} <= grafted


def test_the_extension_loads_only_its_own_copies_and_allowed_system_libraries(installed):
    python, work = installed
    so = run([python, "-c", "import genops._native as m; print(m.__file__)"], cwd=work).strip()
    assert str(ROOT) not in so, so  # the installed copy, not the source tree
    (tag,) = re.findall(r"manylinux_\d+_\d+", WHEELS[-1].name)  # the policy, without the arch
    allowed = allowed_system_libraries(tag)
    for line in run(["ldd", so], cwd=work).splitlines():
        name, _, where = line.strip().partition(" => ")
        name = name.split()[0]
        if name.startswith(("linux-vdso", "/lib64/ld-linux", "/lib/ld-linux")):
            continue
        assert "not found" not in where, line
        assert "genops_ai.libs" in where or name in allowed, line


def test_the_splunk_guides_quick_start_runs_from_the_wheel(installed):
    python, work = installed
    script = work / "quick_start.py"
    script.write_text(GUIDE)
    with HecServer("your-hec-token") as hec:
        printed = run([python, script, hec.base], cwd=work, timeout=60)
        (event,) = hec.events()
    assert printed.startswith("splunk-hec")
    fields = event["event"]
    assert fields["genops.cost.total"] == 0.0325 and fields["genops.team"] == "ai-platform"
    assert fields["genops.customer_id"] == "enterprise-123" and fields["service.name"] == "my-ai-service"


def test_the_genops_command_runs_from_the_wheel(installed):
    python, work = installed
    out = json.loads(run([python.parent / "genops", "version", "--json"], cwd=work))
    assert out["genops"] == out["native"] and WHEELS[-1].name.startswith(f"genops_ai-{out['genops']}-")
    assert run([python, "-m", "genops", "--help"], cwd=work).startswith("usage: genops")


def test_genops_demo_runs_from_the_wheel_alone(installed):
    # No other package in the venv: the demo's receivers decode with the standard library.
    python, work = installed
    report = json.loads(run([python.parent / "genops", "demo", "--json"], cwd=work, timeout=60))
    assert report["ok"] and [c["backend"] for c in report["checks"]] == ["otlp", "hec", "honeycomb"]


def test_make_dist_builds_the_gem_of_the_same_version():
    (gem,) = DIST.glob("genops-*.gem")
    version = WHEELS[-1].name.split("-")[1]
    assert gem.name == f"genops-{version}.gem"


def test_the_version_and_the_opentelemetry_extra_are_in_the_metadata(installed):
    python, work = installed
    meta = run(
        [
            python,
            "-c",
            "import json, importlib.metadata as m, genops; d = m.metadata('genops-ai');"
            "print(json.dumps([genops.__version__, d['Version'], d.get_all('Requires-Dist'),"
            " d.get_all('Provides-Extra'), d['License-File'] or d['License']]))",
        ],
        cwd=work,
    )
    version, dist_version, requires, extras, license_ = json.loads(meta)
    assert version == dist_version
    assert {"opentelemetry", "openai", "anthropic", "bedrock"} <= set(extras)
    assert any(r.startswith("opentelemetry-api") and 'extra == "opentelemetry"' in r for r in requires)
    assert license_


def test_the_opentelemetry_extra_resolves_as_the_honeycomb_guide_installs_it(installed):
    # pip install genops-ai[opentelemetry], resolved against the package index (as make
    # deps is), with this wheel as genops-ai: what pip would install, not installed.
    python, work = installed
    report = json.loads(
        run(
            [python, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-", "--find-links", DIST]
            + ["genops-ai[opentelemetry]"],
            cwd=work,
        )
    )
    names = {item["metadata"]["name"].lower() for item in report["install"]}
    assert {"opentelemetry-api", "opentelemetry-sdk"} <= names


def test_the_sdist_reads_as_a_tar_and_not_as_a_zip():
    # pip before 26.1 unpacks whatever zipfile.is_zipfile accepts as a zip
    # (tools/sdist_unambiguous.py, which make dist runs).
    assert not zipfile.is_zipfile(SDISTS[-1])


def test_the_sdist_builds_and_installs_from_source(tmp_path):
    python = fresh_venv(tmp_path)
    run([python, "-m", "pip", "install", "-q", SDISTS[-1]], cwd=tmp_path, timeout=900)
    out = run([python, "-c", "import genops; print(genops.__version__)"], cwd=tmp_path)
    assert out.strip() == SDISTS[-1].name[len("genops_ai-") : -len(".tar.gz")]


def test_the_sdist_names_a_missing_prerequisite(tmp_path):
    python = fresh_venv(tmp_path)
    env = {**clean_env(), "CMAKE_ARGS": "-DCMAKE_DISABLE_FIND_PACKAGE_CURL=TRUE"}
    out = subprocess.run(
        [str(python), "-m", "pip", "install", str(SDISTS[-1])],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert out.returncode != 0
    text = " ".join((out.stdout + out.stderr).split())
    assert "genops needs libcurl >= 7.85 with its headers" in text
    assert "apt-get install libcurl4-openssl-dev" in text
    assert text.count("CMake Error") == 1
