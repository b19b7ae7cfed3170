"""A Lua state closed while its pipeline runs must not take the core's code with it.

lua_close unloads C modules (dlclose). A pipeline nobody shut down still has its export
thread, which wakes every schedule_delay_ms: had the module been unmapped, that thread
would crash the host (SIGSEGV) at its next wake-up, as `lua script.lua` did now and then
at exit. Here a host written with ctypes, as an embedding application would be, opens
each Lua's shared library, runs genops in a state, closes the state, then keeps running:
the module stays mapped (genops_lua.swg pins it) and the process lives on and exits 0.

    GENOPS_LUA_MODULES=<build>/lua build/venv/bin/python -m pytest tests/lua/test_lifecycle.py
"""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from luas import LUA_MODULES, built_luas  # noqa: E402
from peer import free_port  # noqa: E402

# Each module's Lua as a shared library (Debian's liblua5.X-0, libluajit2-5.1-2).
LIBRARIES = {"lua5.1": "lua5.1", "lua5.3": "lua5.3", "lua5.4": "lua5.4", "luajit": "luajit-5.1"}

HOST = r"""
import ctypes, sys, time
lua = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
lua.luaL_newstate.restype = ctypes.c_void_p
L = ctypes.c_void_p(lua.luaL_newstate())
lua.luaL_openlibs(L)
assert lua.luaL_loadstring(L, sys.argv[2].encode()) == 0
pcall = getattr(lua, "lua_pcallk", None)
rc = pcall(L, 0, 0, 0, None, None) if pcall else lua.lua_pcall(L, 0, 0, 0)
assert rc == 0, "the chunk failed"
lua.lua_close(L)
maps = open("/proc/self/maps").read()
print("mapped" if "genops_native.so" in maps else "unmapped", flush=True)
time.sleep(0.3)  # the export thread wakes every 20 ms meanwhile
"""

CHUNK = """
package.path = "{bindings}/?.lua;" .. package.path
package.cpath = "{modules}/?.so;" .. package.cpath
local genops = require("genops")
genops.init {{ service_name = "closed-state", exporter_type = "otlp",
               otlp_endpoint = "http://127.0.0.1:{port}",
               pipeline_options = {{ schedule_delay_ms = 20, exit_flush_timeout_ms = 100 }} }}
for i = 1, 100 do genops.track_enhanced({{ operation_name = "op" }}, function() end) end
"""


@pytest.mark.parametrize("lua", built_luas())
def test_closing_the_state_leaves_the_pipeline_running_safely(lua: str) -> None:
    library = ctypes.util.find_library(LIBRARIES[lua])
    if library is None:
        pytest.fail(f"{lua}: its module is built but lib{LIBRARIES[lua]}.so is not installed")
    chunk = CHUNK.format(bindings=ROOT / "bindings" / "lua", modules=LUA_MODULES / lua, port=free_port())
    done = subprocess.run(
        [sys.executable, "-c", HOST, library, chunk], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"the host died ({done.returncode}): {done.stderr[-2000:]}"
    assert done.stdout.strip() == "mapped"
