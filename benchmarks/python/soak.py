#!/usr/bin/env python3
"""Soak: a dead backend at a steady span rate, with and without the disk spool, then
recovery (issue 12, item 4). A benchmark, not a test: nothing here asserts.

For each mode ("no spool", "spool") a child process records spans through genops
(`genops.track`, one attribute) at --rate spans/s, paced every millisecond, into one
OTLP/HTTP exporter whose port on 127.0.0.1 nobody listens on (connection refused). Each
second it samples its own RSS (/proc/self/status VmRSS) and the pipeline's counters
(genops.status()). After --seconds the backend comes up (otlp_sink.py, its own
process, on that same port) and the child keeps recording for --recovery seconds, then
flushes. What the receiver decoded is "delivered".

    python3 benchmarks/python/soak.py [--seconds 600] [--recovery 60] [--rate 20000]
        [--spool-max-mb 64] [--genops-path build/python/python] [--replot]

Writes benchmarks/results/soak.{json,md,png}: per mode, the RSS and spool size over
time, the drops by reason, and what was delivered after recovery.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import socket
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parent.parent
RESULTS = TOP / "benchmarks" / "results"
MODES = ("no spool", "spool")


def free_port() -> int:
    """A port on 127.0.0.1 that nobody listens on: the dead backend."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child(args: argparse.Namespace) -> None:
    """One mode, in its own process: record, sample, bring the backend up, recover."""
    import genops  # from --genops-path (PYTHONPATH set by the parent)

    spool = args.spool_dir or None
    genops.init(
        exporter_type="otlp",
        otlp_endpoint=f"http://127.0.0.1:{args.port}/v1/traces",
        service_name="soak",
        spool_dir=spool,
        exit_flush_timeout=0,
    )
    samples = []
    t0 = time.monotonic()
    total = args.seconds + args.recovery
    made = 0
    next_sample = 1.0
    sink = None
    while True:
        now = time.monotonic() - t0
        if now >= total:
            break
        due = int(now * args.rate) - made
        for _ in range(min(due, args.rate // 10)):  # never more than 100 ms' worth at once
            with genops.track("soak.op") as span:
                span.set_attribute("genops.team", "soak")
        made += max(0, min(due, args.rate // 10))
        if sink is None and now >= args.seconds:
            sink = subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "otlp_sink.py"),
                    "--port",
                    str(args.port),
                    "--port-file",
                    os.devnull,
                ]
            )
        if now >= next_sample:
            st = genops.status()
            s, ex = st["stats"], st["exporter_stats"][0]
            samples.append(
                {
                    "t": round(now, 2),
                    "rss_kib": rss_kib(),
                    "made": made,
                    "ended": s["spans_ended"],
                    "exported": ex["exported"],
                    "spooled": s["spans_spooled"],
                    "spool_bytes": s["spool_bytes"],
                    "spool_pending": s["spool_pending"],
                    "spool_replayed": s["spool_replayed"],
                    "spool_dropped": s["spool_dropped"],
                    "dropped": sum(v for k, v in s.items() if k.startswith("dropped_")),
                    "buffered_bytes": s["buffered_bytes"],
                }
            )
            next_sample += 1.0
        time.sleep(0.001)
    t_flush = time.monotonic()
    try:
        genops.flush(60)
    except Exception as e:  # a benchmark reports, it does not stop
        print(f"soak: flush: {e}", file=sys.stderr)
    flush_s = time.monotonic() - t_flush
    # The spool's backlog goes out from the lane while it is idle: give it time.
    deadline = time.monotonic() + 60
    while genops.status()["stats"]["spool_pending"] and time.monotonic() < deadline:
        time.sleep(0.2)
    final = genops.status()
    genops.shutdown(10)
    delivered = None
    if sink is not None:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/count", timeout=120) as r:
            delivered = json.load(r)
        sink.terminate()
        sink.wait(10)
    json.dump(
        {
            "samples": samples,
            "made": made,
            "stats": final["stats"],
            "exporter": final["exporter_stats"][0],
            "delivered": delivered,
            "flush_s": round(flush_s, 2),
        },
        sys.stdout,
    )


def run_mode(mode: str, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="genops-soak-") as tmp:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--port",
            str(free_port()),
            "--seconds",
            str(args.seconds),
            "--recovery",
            str(args.recovery),
            "--rate",
            str(args.rate),
        ]
        if mode == "spool":
            cmd += ["--spool-dir", str(pathlib.Path(tmp) / "spool")]
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([str(pathlib.Path(args.genops_path).resolve()), env_path()]),
            GENOPS_SPOOL_MAX_MB=str(args.spool_max_mb),
        )
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if out.returncode:
            raise SystemExit(f"soak child ({mode}) failed:\n{out.stderr[-4000:]}")
        return json.loads(out.stdout)


def env_path() -> str:
    return os.environ.get("PYTHONPATH", "")


def summarise(mode: str, r: dict, seconds: int) -> dict:
    dead = [s for s in r["samples"] if s["t"] < seconds]
    later = [s for s in dead if s["t"] >= 30]  # past the warm-up: the flat part
    rss = [s["rss_kib"] / 1024 for s in (later or dead)]
    st, ex = r["stats"], r["exporter"]
    delivered = (r["delivered"] or {}).get("spans", 0)
    return {
        "mode": mode,
        "made": r["made"],
        "rate": round(r["made"] / max(1e-9, r["samples"][-1]["t"]), 0) if r["samples"] else 0,
        "rss_min_mib": round(min(rss), 1),
        "rss_max_mib": round(max(rss), 1),
        "rss_end_mib": round(r["samples"][-1]["rss_kib"] / 1024, 1),
        "spool_max_mib": round(max(s["spool_bytes"] for s in r["samples"]) / 2**20, 1),
        "delivered": delivered,
        "replayed": st["spool_replayed"],
        "exported": st["spans_exported"],
        "spool_dropped": st["spool_dropped"],
        "dropped_export_failed": st["dropped_export_failed"],
        "dropped_share": ex["dropped_share"],
        "dropped_queue_full": st["dropped_queue_full"] + st["dropped_buffer_full"],
        "dropped_shutdown": st["dropped_shutdown"],
        "spool_pending": st["spool_pending"],
        "flush_s": r["flush_s"],
    }


def write(results: dict, args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}"
    summary = [summarise(m, results[m], args.seconds) for m in MODES if m in results]
    (RESULTS / "soak.json").write_text(
        json.dumps(
            {
                "args": vars(args) | {"child": None, "replot": None},
                "machine": machine,
                "summary": summary,
                "runs": results,
            }
        )
    )
    cols = [
        ("mode", "mode"),
        ("made", "spans made"),
        ("rate", "spans/s"),
        ("rss_min_mib", "RSS min MiB"),
        ("rss_max_mib", "RSS max MiB"),
        ("spool_max_mib", "spool max MiB"),
        ("delivered", "delivered"),
        ("replayed", "from the spool"),
        ("spool_dropped", "spool_dropped"),
        ("dropped_share", "dropped_share"),
        ("dropped_export_failed", "dropped_export_failed"),
        ("dropped_queue_full", "queue/buffer full"),
        ("spool_pending", "left on disk"),
    ]
    lines = [
        "# Soak: a dead backend, then recovery",
        "",
        f"Generated by `benchmarks/python/soak.py --seconds {args.seconds} --recovery {args.recovery} "
        f"--rate {args.rate} --spool-max-mb {args.spool_max_mb}` on {machine}.",
        f"The backend (127.0.0.1, connection refused) comes up after {args.seconds} s; spans keep "
        f"coming for {args.recovery} s more. RSS min/max from 30 s until the backend came up.",
        "",
        "| " + " | ".join(c for _, c in cols) + " |",
        "|" + "---|" * len(cols),
    ]
    for s in summary:
        lines.append(
            "| " + " | ".join(f"{s[k]:,}" if isinstance(s[k], int) else str(s[k]) for k, _ in cols) + " |"
        )
    (RESULTS / "soak.md").write_text("\n".join(lines) + "\n")
    plot(results, args, RESULTS / "soak.png", machine)


def plot(results: dict, args: argparse.Namespace, path: pathlib.Path, machine: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
    colors = {"no spool": "#d95f02", "spool": "#2b7bba"}
    for mode in MODES:
        if mode not in results:
            continue
        s = results[mode]["samples"]
        t = [x["t"] for x in s]
        axes[0].plot(t, [x["rss_kib"] / 1024 for x in s], label=mode, color=colors[mode])
        axes[1].plot(t, [x["spool_bytes"] / 2**20 for x in s], label=mode, color=colors[mode])
        axes[2].plot(t, [x["exported"] for x in s], label=f"{mode}: exported", color=colors[mode])
        axes[2].plot(
            t, [x["dropped"] for x in s], label=f"{mode}: dropped", color=colors[mode], linestyle=":"
        )
        if mode == "spool":
            axes[2].plot(
                t,
                [x["spool_dropped"] for x in s],
                label="spool: spool_dropped",
                color=colors[mode],
                linestyle="-.",
            )
    titles = ("RSS of the application, MiB", "spool on disk, MiB", "spans exported / dropped (cumulative)")
    for ax, title in zip(axes, titles):
        ax.axvline(args.seconds, color="#999999", linestyle="--", linewidth=1)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("seconds (dashed: the backend comes up)")
        ax.legend(fontsize=8)
        ax.set_ylim(bottom=0)
    fig.suptitle(
        f"genops soak: {args.rate:,} spans/s, dead backend for {args.seconds} s ({machine})", fontsize=10
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=600, help="how long the backend is dead")
    ap.add_argument("--recovery", type=int, default=60, help="seconds of traffic after it comes up")
    ap.add_argument("--rate", type=int, default=20000, help="spans per second")
    ap.add_argument("--spool-max-mb", type=int, default=64, help="GENOPS_SPOOL_MAX_MB")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated: no spool,spool")
    ap.add_argument("--genops-path", default=str(TOP / "build" / "python" / "python"))
    ap.add_argument("--replot", action="store_true", help="rewrite soak.md and soak.png from soak.json")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--spool-dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    if args.replot:
        saved = json.loads((RESULTS / "soak.json").read_text())
        for k in ("seconds", "recovery", "rate", "spool_max_mb"):
            setattr(args, k, saved["args"][k])
        write(saved["runs"], args)
        return
    results = {}
    for mode in args.modes.split(","):
        t0 = time.monotonic()
        results[mode] = run_mode(mode, args)
        print(f"soak: {mode}: {time.monotonic() - t0:.0f} s", file=sys.stderr)
    write(results, args)


if __name__ == "__main__":
    main()
