#!/usr/bin/env python3
"""The other candidate for store="host" (docs/governance.md, "Why a mapped file"): one
budget's spend in SQLite, WAL mode, synchronous=NORMAL, one autocommit UPDATE per
recorded cost (what every process of the machine would run), and the SELECT a check
needs. Nanoseconds per statement, the best of 3 runs of 20,000, from Python's sqlite3
(Debian's libsqlite3); bench_budget's "host-store" row is the mapped file's figure.

    python3 benchmarks/python/budget_store_sqlite.py [directory]
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time

N = 20000


def best_ns(run) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter_ns()
        for _ in range(N):
            run()
        best = min(best, (time.perf_counter_ns() - t0) / N)
    return best


def main() -> None:
    with tempfile.TemporaryDirectory(dir=sys.argv[1] if len(sys.argv) > 1 else None) as d:
        db = sqlite3.connect(os.path.join(d, "budgets.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE budget(name TEXT PRIMARY KEY, period INTEGER, spend INTEGER)")
        db.execute("INSERT INTO budget VALUES('ml', 0, 0)")
        add = "UPDATE budget SET spend = spend + ? WHERE name = 'ml' AND period = 0"
        update = best_ns(lambda: db.execute(add, (100000,)))
        select = best_ns(lambda: db.execute("SELECT spend FROM budget WHERE name = 'ml'").fetchone())
        db.close()
    print(f"| SQLite WAL, UPDATE per cost (autocommit) | {update:.0f} ns |")
    print(f"| SQLite WAL, SELECT per check | {select:.0f} ns |")


if __name__ == "__main__":
    main()
