"""genops embedded in nginx's Lua module (the OpenResty / Kong pattern, docs/lua.md).

A real nginx (Debian's nginx + libnginx-mod-http-lua, LuaJIT) runs from a temporary
directory with its own nginx.conf: 127.0.0.1 on a free port with reuseport (each
worker its own socket, so the kernel spreads the connections over both), 2 worker
processes, pid and logs in the directory, the genops module built for LuaJIT on
lua_package_cpath. Each worker starts genops in init_worker_by_lua_block (after the
fork: a pipeline's export thread does not survive one), records one operation per
request in log_by_lua_block and shuts genops down in exit_worker_by_lua_block; the
spans go to the local OTLP server (tests/peers/otlp_server.py).

N requests, each on its own connection -> exactly N spans while the workers run (their
export threads), none more after the graceful stop, each request id once; every span
is exported by the worker that served its request (the export's resource
process.pid is the span's worker), and both workers served and exported.

    GENOPS_LUA_MODULES=<build>/lua build/venv/bin/python -m pytest tests/lua/test_nginx.py
"""

from __future__ import annotations

import http.client
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from luas import LUA_MODULES  # noqa: E402
from otlp_server import OtlpServer  # noqa: E402
from peer import free_port  # noqa: E402

NGINX_MODULES = Path("/usr/lib/nginx/modules")
LUA_MODULE = NGINX_MODULES / "ngx_http_lua_module.so"
NDK_MODULE = NGINX_MODULES / "ndk_http_module.so"
MODULE_DIR = LUA_MODULES / "luajit"
REQUESTS = 200
DEADLINE_S = 30

CONF = """
worker_processes 2;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
{user}
load_module {ndk};
load_module {lua};

events {{ worker_connections 64; }}

http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  lua_package_path "{bindings}/?.lua;;";
  lua_package_cpath "{modules}/?.so;;";

  init_worker_by_lua_block {{
    local genops = require("genops")
    genops.init {{
      service_name = "nginx-lua",
      exporter_type = "otlp",
      otlp_endpoint = "{endpoint}",
      resource_attributes = {{ ["process.pid"] = tostring(ngx.worker.pid()) }},
      pipeline_options = {{ schedule_delay_ms = 100 }},
    }}
  }}
  exit_worker_by_lua_block {{ require("genops").shutdown(5000) }}

  server {{
    listen 127.0.0.1:{port} reuseport;
    location /chat {{ content_by_lua_block {{ ngx.say(ngx.worker.pid()) }} }}
    log_by_lua_block {{
      local genops = require("genops")
      genops.track_enhanced({{ operation_name = "GET " .. ngx.var.uri, team = "web",
                              request_id = ngx.var.arg_i, worker_pid = ngx.worker.pid() }},
        function(span)
          span:record_cost {{ cost = 0.001, provider = "openai", model = "gpt-4o",
                             tokens_input = 10, tokens_output = 5 }}
        end)
    }}
  }}
}}
"""


def _nginx() -> str:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(nginx, os.X_OK) or not LUA_MODULE.exists() or not NDK_MODULE.exists():
        pytest.skip("nginx with its Lua module is not installed (Debian: nginx libnginx-mod-http-lua)")
    if not (MODULE_DIR / "genops_native.so").exists():
        pytest.fail(f"{MODULE_DIR}/genops_native.so is not built (cmake --build <build> --target genops_lua)")
    return nginx


def _get(port: int, i: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", f"/chat?i={i}", headers={"Connection": "close"})
        resp = conn.getresponse()
        assert resp.status == 200
        return int(resp.read().strip())
    finally:
        conn.close()


def _span_count(server: OtlpServer) -> int:
    return sum(len(r["spans"]) for r in server.received())


def _wait_listening(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"nginx exited: {log.read_text() if log.exists() else ''}"
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not listen within the deadline")


def test_nginx_workers_each_export_their_own_spans(tmp_path: Path) -> None:
    nginx = _nginx()
    port = free_port()
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    with OtlpServer() as server:
        conf, log = tmp_path / "nginx.conf", tmp_path / "error.log"
        conf.write_text(
            CONF.format(
                tmp=tmp_path,
                user=user,
                ndk=NDK_MODULE,
                lua=LUA_MODULE,
                bindings=ROOT / "bindings" / "lua",
                modules=MODULE_DIR,
                endpoint=server.base,
                port=port,
            )
        )
        proc = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-e", str(log), "-c", str(conf)], stderr=subprocess.PIPE
        )
        try:
            _wait_listening(port, proc, log)
            served_by = {i: _get(port, i) for i in range(REQUESTS)}
            # The running workers' export threads ship them (schedule_delay_ms = 100) ...
            deadline = time.monotonic() + DEADLINE_S
            while _span_count(server) < REQUESTS and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _span_count(server) == REQUESTS, "exported by the running workers"
            # ... and the shutdown in exit_worker_by_lua adds none twice.
            proc.send_signal(signal.SIGQUIT)  # graceful: exit_worker_by_lua runs in each worker
            _, stderr = proc.communicate(timeout=DEADLINE_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, stderr.decode()
        errors = [line for line in log.read_text().splitlines() if "[error]" in line or "[alert]" in line]
        assert not errors, "\n".join(errors)
        records = server.received()

    assert all(r["error"] is None for r in records), records
    spans = [(r["resource"].get("process.pid"), s) for r in records for s in r["spans"]]
    ids = sorted(int(s["values"]["genops.request_id"]) for _, s in spans)
    assert ids == list(range(REQUESTS)), "every request exactly once"
    for exporter_pid, s in spans:
        worker = s["values"]["genops.worker_pid"]
        assert exporter_pid == str(worker), "a span is exported by its own worker"
        assert served_by[int(s["values"]["genops.request_id"])] == worker
        assert s["name"] == "GET /chat"
        assert s["values"]["genops.team"] == "web"
        assert s["values"]["genops.tokens.total"] == 15
    assert len({pid for pid, _ in spans}) == 2, "both workers served and exported"
    assert len(set(served_by.values())) == 2
