"""Instructions per operation on the application's thread, by callgrind: a command that
runs OPS operations (its "{ops}" argument) is run under valgrind twice, with few and
with many operations, and the difference of the main thread's instruction counts is
divided by the difference of the operation counts, so start-up and shutdown cancel out.
Repeatable where wall-clock time on a shared machine is not (benchmarks/README.md).

    python3 benchmarks/callgrind_per_op.py --ops 2000 12000 -- \
        lua5.4 benchmarks/lua/bench_track.lua {ops} 1 genops

--toggle-collect FUNCTION counts only the instructions inside FUNCTION (and what it
calls): one step of an operation, free of the rest's noise (the export thread's
wake-ups move the main thread's whole count by hundreds of instructions between runs).
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile


def main_thread_instructions(cmd: list[str], ops: int, toggle: str | None = None) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        args = [a.replace("{ops}", str(ops)) for a in cmd]
        only = [f"--toggle-collect={toggle}"] if toggle else []
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--separate-threads=yes",
                f"--callgrind-out-file={out}",
                *only,
                *args,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # One file per thread: <out>-01 is the main thread.
        (main,) = glob.glob(out + "-01")
        with open(main) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
    raise RuntimeError("callgrind wrote no totals")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, nargs=2, default=(2000, 12000), metavar=("FEW", "MANY"))
    parser.add_argument("--toggle-collect", metavar="FUNCTION", help="count only inside FUNCTION")
    parser.add_argument("cmd", nargs="+", help='the command; "{ops}" becomes the operation count')
    args = parser.parse_args()
    few, many = args.ops
    counts = [main_thread_instructions(args.cmd, n, args.toggle_collect) for n in (few, many)]
    per_op = (counts[1] - counts[0]) / (many - few)
    print(f"{per_op:.0f} instructions per operation ({many} minus {few} operations)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
