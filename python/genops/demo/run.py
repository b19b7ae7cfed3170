"""`genops demo`: record the demo workload (genops.demo.workload) through the genops
API into embedded receivers (genops.demo.receiver) for OTLP/JSON, Splunk HEC and
Honeycomb's Events API at once (one pipeline, three exporters, a receiver on its own
127.0.0.1 port for each), then answer the guides' queries (genops.demo.queries) from
what arrived and check every backend against what was recorded: each one got every
operation, and its totals by team, model and customer, its policy violations and its
budgets are exactly the recorded ones.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from typing import Any

from .. import _runtime
from ..integrations.splunk_searches import SEARCHES
from . import queries, workload
from .receiver import Receiver
from .table import table

HEC_TOKEN = "00000000-0000-4000-8000-00000000d3e0"  # any GUID: the receiver takes every token
HONEYCOMB_KEY = "0123456789abcdef0123456789abcdef"  # a Classic key's shape: the dataset is in the path
DATASET = "genops-ai"
SERVICE = "genops-demo"


class LoopbackNotes(logging.Filter):
    """The HEC exporter's plain-http warning is true but expected for a loopback receiver."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "travel unencrypted" not in record.getMessage()


#: exporter type -> the protocol its receiver records
PROTOCOLS = {"otlp-json": "otlp", "splunk": "hec", "honeycomb-events": "honeycomb"}


def _exporter(kind: str, base: str) -> dict[str, Any]:
    if kind == "otlp-json":
        return {"type": kind, "endpoint": base}
    if kind == "splunk":
        return {"type": kind, "endpoint": base, "token": HEC_TOKEN, "index": "genops_ai"}
    # gzip, not the Events API's default zstd: the receiver needs nothing beyond the stdlib
    return {
        "type": kind,
        "api_key": HONEYCOMB_KEY,
        "dataset": DATASET,
        "api_endpoint": base,
        "options": {"compression": "gzip"},
    }


def _totals(rows: list[dict[str, Any]], key: str) -> dict[str, float]:
    groups: dict[str, list[float]] = {}
    for r in rows:
        if "genops.cost.total" in r and key in r:
            groups.setdefault(r[key], []).append(r["genops.cost.total"])
    return {k: math.fsum(v) for k, v in sorted(groups.items())}


def _budgets(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        if "genops.budget.name" in r:
            b = out.setdefault(r["genops.budget.name"], {"limit": 0.0, "used": 0.0})
            b["limit"] = max(b["limit"], r["genops.budget.limit"])
            b["used"] = max(b["used"], r["genops.budget.used"])
    return dict(sorted(out.items()))


def _check(name: str, rows: list[dict[str, Any]], want: dict[str, Any]) -> dict[str, Any]:
    """What one backend got, against what was recorded."""
    got = {
        "operations": len(rows),
        "total_cost": math.fsum(r["genops.cost.total"] for r in rows if "genops.cost.total" in r),
        "cost_by_team": _totals(rows, "genops.team"),
        "cost_by_model": _totals(rows, "genops.cost.model"),
        "cost_by_customer": _totals(rows, "genops.customer_id"),
        "violations": sorted(
            str(r.get("genops.customer_id")) for r in rows if r.get("genops.policy.result") == "blocked"
        ),
        "budgets": _budgets(rows),
    }
    differ = sorted(k for k in want if got[k] != want[k])
    return {"backend": name, "ok": not differ, "differ": differ, "got": got}


def run(operations: int = 48, seed: int = 7, timeout: float = 8.0) -> dict[str, Any]:
    """Run the demo; the report's "ok" says whether every check passed."""
    started = time.monotonic()
    ops = workload.plan(operations, seed)
    want = workload.recorded(ops)
    note = LoopbackNotes()
    logging.getLogger("genops").addFilter(note)
    try:
        with contextlib.ExitStack() as stack:
            have = _runtime.available_exporter_types()
            # one receiver (its own port) per backend, as three backends would be
            receivers = {k: stack.enter_context(Receiver()) for k in PROTOCOLS if k in have}
            specs = [_exporter(k, r.base) for k, r in receivers.items()]
            _runtime.install(
                _runtime.build(
                    exporters=specs, service_name=SERVICE, environment="demo", configured_by="demo"
                )
            )
            workload.record(ops)
            _runtime.shutdown(timeout)
            stats = _runtime.stats()
            arrived = [req for r in receivers.values() for req in r.requests()]
    finally:
        logging.getLogger("genops").removeFilter(note)
    otlp = [s for r in arrived if r.protocol == "otlp" for s in r.records]
    hec = [e["event"] for r in arrived if r.protocol == "hec" for e in r.records]
    honeycomb = [e["data"] for r in arrived if r.protocol == "honeycomb" for e in r.records]
    rows = {"otlp": otlp, "hec": hec, "honeycomb": honeycomb}
    checks = [_check(PROTOCOLS[k], rows[PROTOCOLS[k]], want) for k in receivers]
    dropped = {k: v for k, v in stats.items() if k.startswith("dropped_") and v}
    wire = {p: sum(r.wire_bytes for r in arrived if r.protocol == p) for p in ("otlp", "hec", "honeycomb")}
    return {
        "ok": bool(checks) and all(c["ok"] for c in checks) and not dropped,
        "seconds": round(time.monotonic() - started, 3),
        "exporters": list(receivers),
        "receivers": {PROTOCOLS[k]: r.base for k, r in receivers.items()},
        "requests": {p: sum(1 for r in arrived if r.protocol == p) for p in wire},
        "wire_bytes": wire,
        "dropped": dropped,
        "recorded": want,
        "checks": checks,
        "splunk": queries.splunk_answers(hec) if hec else {},
        "honeycomb": queries.honeycomb_answers(honeycomb) if honeycomb else {},
    }


def text(report: dict[str, Any]) -> str:
    """The report for people."""
    want = report["recorded"]
    out = [
        f"Recorded {want['operations']} AI operations (${want['total_cost']:.4f} in all) through genops, "
        f"exporters {', '.join(report['exporters'])}, into embedded receivers: "
        + ", ".join(f"{p} {url}" for p, url in report["receivers"].items())
        + ".",
        "Arrived: "
        + ", ".join(
            f"{p} {report['requests'][p]} requests / {report['wire_bytes'][p]} bytes"
            for p in report["requests"]
        )
        + f"; dropped: {report['dropped'] or 'none'}.",
    ]
    for name, rows in report["splunk"].items():
        spl = SEARCHES[name].strip().splitlines()
        out.append(f"\nSplunk  {name}   ({spl[0]} {spl[1].strip()} ...)")
        out.append(table(rows).rstrip("\n"))
    for name, rows in report["honeycomb"].items():
        out.append(f"\nHoneycomb  {name}")
        out.append(table(rows).rstrip("\n"))
    out.append("")
    for c in report["checks"]:
        verdict = "matches what was recorded" if c["ok"] else f"DIFFERS in {', '.join(c['differ'])}"
        got = c["got"]
        out.append(f"{c['backend']:>9}: {got['operations']} operations, ${got['total_cost']:.4f}: {verdict}")
    out.append(f"demo {'ok' if report['ok'] else 'FAILED'} in {report['seconds']} s")
    return "\n".join(out) + "\n"
