"""One version everywhere: GENOPS_VERSION_STRING in genops.h is the source that
CMakeLists.txt, pyproject.toml (scikit-build-core's regex provider) and
genops.__version__ agree with."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

import genops
from genops import native

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEADER = (ROOT / "core/include/genops.h").read_text()


def macro(name: str) -> str:
    found = re.search(rf"^#define {name}\s+(\S+)", HEADER, re.M)
    assert found, name
    return found.group(1).strip('"')


VERSION = macro("GENOPS_VERSION_STRING")


def test_the_header_string_matches_its_numbers():
    assert VERSION == ".".join(macro(f"GENOPS_VERSION_{part}") for part in ("MAJOR", "MINOR", "PATCH"))


def test_python_reports_the_library_version():
    assert genops.__version__ == native.genops_version() == VERSION


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")
def test_the_distribution_reads_its_version_from_the_header():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    source = project["tool"]["scikit-build"]["metadata"]["version"]
    assert source["input"] == "core/include/genops.h"
    assert re.search(source["regex"], HEADER).group("value") == VERSION


def test_cmake_takes_the_project_version_from_the_header():
    cmake = (ROOT / "CMakeLists.txt").read_text()
    assert "project(genops_native VERSION ${GENOPS_VERSION}" in cmake
    assert "core/include/genops.h" in cmake


def test_the_rock_takes_its_version_from_the_header(tmp_path):
    subprocess.run([str(ROOT / "tools/stage_rock.sh"), str(tmp_path)], check=True)
    (rockspec,) = tmp_path.glob("*.rockspec")
    assert rockspec.name == f"genops-{VERSION}-1.rockspec"
    assert re.search(r'^version = "([^"]+)"$', rockspec.read_text(), re.M).group(1) == f"{VERSION}-1"
