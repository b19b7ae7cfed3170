"""A missing system prerequisite stops the build with one message that names it and
the package to install (cmake/prerequisites.cmake), not a wall of CMake errors. Each
case hides one prerequisite from a fresh configure of the library alone."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CMAKE = shutil.which("cmake")


def configure(tmp_path: pathlib.Path, *defines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CMAKE or "cmake", "-S", str(ROOT), "-B", str(tmp_path / "b"), "-DGENOPS_BUILD_TESTS=OFF", *defines],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(CMAKE is None, reason="cmake is not installed")
@pytest.mark.parametrize(
    "hide, names, package",
    [
        # find_package(CURL) told the package is absent.
        (
            "-DCMAKE_DISABLE_FIND_PACKAGE_CURL=TRUE",
            "libcurl >= 7.85 with its headers",
            "libcurl4-openssl-dev",
        ),
        # No system search paths: libcurl is still found through pkg-config's hints,
        # libdeflate (a bare find_path) is not.
        ("-DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=FALSE", "libdeflate's headers", "libdeflate-dev"),
    ],
)
def test_a_missing_prerequisite_is_named_with_its_package(tmp_path, hide, names, package):
    out = configure(tmp_path, hide)
    assert out.returncode != 0
    text = " ".join(out.stderr.split())  # CMake re-wraps long message lines
    assert f"genops needs {names}, and this machine lacks it." in text
    assert f"apt-get install {package}" in text
    assert out.stderr.count("CMake Error") == 1, out.stderr


@pytest.mark.skipif(CMAKE is None, reason="cmake is not installed")
def test_with_every_prerequisite_the_library_configures(tmp_path):
    out = configure(tmp_path)
    assert out.returncode == 0, out.stderr
