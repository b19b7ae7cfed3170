"""The Lua modules a build made, for the pytest suites of tests/lua: one per Lua whose
headers CMake found, in <build>/lua/<interpreter>/genops_native.so (cmake/bindings.cmake)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LUA_MODULES = Path(os.environ.get("GENOPS_LUA_MODULES", ROOT / "build" / "python" / "lua"))
LUAS = ("lua5.1", "lua5.3", "lua5.4", "luajit")


def built_luas() -> list[str]:
    return [lua for lua in LUAS if (LUA_MODULES / lua / "genops_native.so").exists()]
