"""The application thread's cost, side by side in one run: the working tree's Release
build against an earlier revision's (benchmarks/build_before.sh builds it into
build/before, with today's bench_pipeline.c), in instructions (callgrind, repeatable)
and in wall-clock time (noisy on a shared machine: runs interleaved, each one shown).

    benchmarks/build_before.sh REV && make build-release && cmake --build build/pyrel ...
    python3 benchmarks/before_after.py [--ops 1000000] [--repeat 3]

Rows: instructions per C operation (bench_pipeline --callgrind: start + 12 attributes +
record_cost + end; --callgrind-sampling on: genops_operation_start with 5 attributes +
record_cost + end), instructions per Python operation on the Python thread
(track_loop.py --guide, exporter "none"), bench_pipeline's tables from both builds
(producer threads, ns per operation, drops), and latency_tail.py's percentiles from
both, and idle_cpu.py's idle and trickle CPU from both. Writes
benchmarks/results/before_after.md and .png.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
CALLGRIND_OPS = 20000


def callgrind_run_ops(bench: pathlib.Path, args: list[str]) -> float:
    """Instructions per operation inside run_ops (bench_pipeline's timed loop)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "cg.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--toggle-collect=run_ops",
                f"--callgrind-out-file={out}",
                str(bench),
                *args,
                str(CALLGRIND_OPS),
            ],
            check=True,
            capture_output=True,
        )
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1]) / CALLGRIND_OPS
    raise RuntimeError("callgrind wrote no totals")


def python_instructions(genops_path: pathlib.Path, mode: str = "--guide") -> float:
    env = dict(os.environ, PYTHONPATH=str(genops_path), PYTHONHASHSEED="0")
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "callgrind_per_op.py"),
            "--ops",
            "2000",
            "12000",
            "--",
            sys.executable,
            str(HERE / "python" / "track_loop.py"),
            "{ops}",
            mode,
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.split()[0])


def table_rows(text: str) -> list[str]:
    """The data rows of the markdown tables a benchmark printed."""
    return [
        line
        for line in text.splitlines()
        if line.startswith("| ") and not re.match(r"\| (workload|operation|export batch)", line)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ops", type=int, default=1_000_000, help="per thread, bench_pipeline")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", default=str(ROOT / "build" / "before"))
    ap.add_argument("--release", default=str(ROOT / "build" / "release"))
    ap.add_argument("--pyrel", default=str(ROOT / "build" / "pyrel" / "python"))
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args()
    before = pathlib.Path(args.before)
    rev = (before / "REV").read_text().strip()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    builds = {
        f"now ({head})": (pathlib.Path(args.release), pathlib.Path(args.pyrel)),
        f"before ({rev})": (before / "release", before / "pyrel" / "python"),
    }

    lines = [
        "# The application thread, before and after, in one run",
        "",
        f"`benchmarks/before_after.py --ops {args.ops} --repeat {args.repeat}`, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start.",
        "",
        "| instructions per operation (callgrind) | " + " | ".join(builds) + " |",
        "|---|" + "---:|" * len(builds),
    ]
    counts: dict[str, list[float]] = {b: [] for b in builds}
    for what, bench_args in (
        ("C: start + 12 attributes + record_cost + end", ["--callgrind"]),
        ("C: operation_start (5 attributes) + record_cost + end", ["--callgrind-sampling", "on"]),
    ):
        row = [callgrind_run_ops(rel / "bench_pipeline", bench_args) for rel, _ in builds.values()]
        for b, n in zip(builds, row):
            counts[b].append(n)
        lines.append(f"| {what} | " + " | ".join(f"{n:,.0f}" for n in row) + " |")
    row = [python_instructions(py) for _, py in builds.values()]
    for b, n in zip(builds, row):
        counts[b].append(n)
    lines.append(
        "| Python thread: track_enhanced (4 attributes) + record_cost (5) | "
        + " | ".join(f"{n:,.0f}" for n in row)
        + " |"
    )
    row = [python_instructions(py, "--floor") for _, py in builds.values()]
    lines.append(
        "| Python thread: the do-nothing floor, same call shape (no genops call) | "
        + " | ".join(f"{n:,.0f}" for n in row)
        + " |"
    )
    print("\n".join(lines), flush=True)

    lines += ["", "bench_pipeline, each run (wall clock; build, then the benchmark's own row):", ""]
    header = None
    for rep in range(args.repeat):
        for b, (rel, _) in builds.items():
            out = subprocess.run(
                [str(rel / "bench_pipeline"), str(args.ops)], check=True, capture_output=True, text=True
            ).stdout
            if header is None:
                header = next(line for line in out.splitlines() if line.startswith("| workload"))
                lines += ["| build, run " + header, "|---" * (header.count("|"))]
            lines += [f"| {b}, {rep + 1} " + r for r in table_rows(out)]
            print("\n".join(lines[-len(table_rows(out)) :]), flush=True)

    lines += ["", "latency_tail.py (Python, exporter none, default batch), each run:", ""]
    lines += ["| build, run | export batch size | p50 µs | p99 µs | p99.9 µs |", "|---|---:|---:|---:|---:|"]
    for rep in range(args.repeat):
        for b, (_, py) in builds.items():
            out = subprocess.run(
                [
                    sys.executable,
                    str(HERE / "python" / "latency_tail.py"),
                    "--ops",
                    "200000",
                    "--batches",
                    "512",
                    "--genops-path",
                    str(py),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            lines += [f"| {b}, {rep + 1} " + r for r in table_rows(out)]
            print(lines[-1], flush=True)

    lines += ["", "idle_cpu.py (Python, exporter none; threads other than the main one):", ""]
    out = subprocess.run(
        [sys.executable, str(HERE / "python" / "idle_cpu.py")]
        + [a for _, py in builds.values() for a in ("--genops-path", str(py))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    names = {str(py): b for b, (_, py) in builds.items()}
    for line in out.splitlines():
        cells = line.split(" | ")
        if line.startswith("| ") and cells[0][2:] in names:
            line = "| " + names[cells[0][2:]] + " | " + " | ".join(cells[1:])
        lines.append(line)
    print("\n".join(lines[-4:]), flush=True)

    outdir = pathlib.Path(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "before_after.md").write_text("\n".join(lines) + "\n")
    plot(counts, outdir / "before_after.png")


def plot(counts: dict[str, list[float]], path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [
        "C: start + 12 attrs\n+ record_cost + end",
        "C: operation_start\n+ record_cost + end",
        "Python thread",
        "Python: do-nothing\nfloor",
    ]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(counts)
    for i, (build, row) in enumerate(counts.items()):
        bars = ax.bar([x + i * width for x in range(len(row))], row, width, label=build)
        for bar, n in zip(bars, row):
            ax.annotate(
                f"{n:,.0f}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", fontsize=8
            )
    ax.set_xticks([x + width * (len(counts) - 1) / 2 for x in range(len(names))], names, fontsize=8)
    ax.set_ylabel("instructions per operation (callgrind)")
    ax.axhline(1500, color="#999999", linestyle="--", linewidth=1)
    ax.annotate("C target: 1,500", (0, 1500), fontsize=8, color="#666666", va="bottom")
    ax.legend(fontsize=8)
    ax.set_title("Application thread, before and after (one run)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
