"""A Lua state closed while its pipeline runs must not take the core's code with it.

lua_close unloads C modules (dlclose). A pipeline nobody shut down still has its export
thread, which wakes every schedule_delay_ms: had the module been unmapped, that thread
would crash the host (SIGSEGV) at its next wake-up, as `lua script.lua` did now and then
at exit. Here a host written with ctypes, as an embedding application would be, opens
each Lua's shared library, runs genops in a state, closes the state, then keeps running:
the module stays mapped (genops_lua.swg pins it), the pipeline is shut down with the
state (genops.lua's close guard: its threads stopped, its spans flushed) and the
process lives on and exits 0.

    GENOPS_LUA_MODULES=<build>/lua build/venv/bin/python -m pytest tests/lua/test_lifecycle.py
"""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from luas import LUA_MODULES, built_luas  # noqa: E402
from otlp_server import OtlpServer  # noqa: E402
from peer import free_port  # noqa: E402

# Each module's Lua as a shared library (Debian's liblua5.X-0, libluajit2-5.1-2).
LIBRARIES = {"lua5.1": "lua5.1", "lua5.3": "lua5.3", "lua5.4": "lua5.4", "luajit": "luajit-5.1"}

HOST = r"""
import ctypes, os, sys, time
lua = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
lua.luaL_newstate.restype = ctypes.c_void_p
L = ctypes.c_void_p(lua.luaL_newstate())
lua.luaL_openlibs(L)
threads = lambda: len(os.listdir("/proc/self/task"))
before = threads()
assert lua.luaL_loadstring(L, sys.argv[2].encode()) == 0
pcall = getattr(lua, "lua_pcallk", None)
rc = pcall(L, 0, 0, 0, None, None) if pcall else lua.lua_pcall(L, 0, 0, 0)
assert rc == 0, "the chunk failed"
running = threads()
lua.lua_close(L)
maps = open("/proc/self/maps").read()
mapped = "mapped" if "genops_native.so" in maps else "unmapped"
print(mapped, running - before, threads() - before, flush=True)
time.sleep(0.3)  # had a thread of the pipeline been left, it would wake every 20 ms meanwhile
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


def _host(lua: str, port: int) -> list[str]:
    """Run the chunk in a state of lua's library and close it: [mapped?, threads the
    pipeline added while the state was open, threads left after lua_close]."""
    library = ctypes.util.find_library(LIBRARIES[lua])
    if library is None:
        pytest.fail(f"{lua}: its module is built but lib{LIBRARIES[lua]}.so is not installed")
    chunk = CHUNK.format(bindings=ROOT / "bindings" / "lua", modules=LUA_MODULES / lua, port=port)
    done = subprocess.run(
        [sys.executable, "-c", HOST, library, chunk], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"the host died ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout.split()


@pytest.mark.parametrize("lua", built_luas())
def test_closing_the_state_shuts_its_pipeline_down_and_leaves_the_core_mapped(lua: str) -> None:
    with OtlpServer() as server:
        mapped, added, left = _host(lua, server.port)
        received = sum(len(r["spans"]) for r in server.received())
    assert mapped == "mapped"
    assert int(added) >= 1, "the pipeline ran its export thread"
    assert int(left) == 0, "lua_close stopped the pipeline's threads"
    assert received == 100, "and flushed what was queued"


@pytest.mark.parametrize("lua", built_luas())
def test_closing_the_state_with_the_backend_down_is_bounded(lua: str) -> None:
    # The export thread is retrying its batch: genops_pipeline_free detaches it, and it
    # finishes in the core, which stays mapped, while the host goes on (and exits 0).
    start = time.monotonic()
    mapped, _, _ = _host(lua, free_port())
    assert mapped == "mapped"
    assert time.monotonic() - start < 10, "the close waits the exit-flush deadline (100 ms), not more"
