#!/usr/bin/env python3
"""What a budget costs a Python operation, side by side in one run (benchmarks/README.md,
"Budgets"):

    with genops.track("chat", team="ml") as span:
        span.record_cost(cost=0.0001)

(a) with no budget, (b) with one budget in the operation's scope, enforcement "block"
(not reached): the check at the start and the update of the recorded cost, both native;
(b) - (a) is the budgets' cost per operation, lost in the noise of a whole operation, so
the update and the check are also timed alone: record_cost on an open operation and
_native.budget_blocked(span) (the check the native start makes, plus a Python call).
Beside them: (c) the same check and update written in pure Python (a dict of spends
under a threading.Lock, what an application on genops-ai, which keeps no budget state,
would add per operation), and (d) a do-nothing floor with the same call shape.
Nanoseconds per operation, the best of 7 rounds (best_of.py). The spans go to an
exporter that keeps nothing (exporter_type="none").

    PYTHONPATH=build/python/python python3 benchmarks/python/bench_budgets.py
"""

from __future__ import annotations

import pathlib
import sys
import threading
from typing import Any, Dict

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from best_of import best_ns  # noqa: E402

import genops  # noqa: E402
from genops import budgets  # noqa: E402
from genops._native import budget_blocked  # noqa: E402
from genops.core.policy import PolicyViolationError  # noqa: E402

OPS = 1000


def native_ops() -> None:
    for _ in range(OPS):
        with genops.track("chat", team="ml") as span:
            span.record_cost(cost=0.0001)


def native_costs() -> None:
    with genops.track("chat", team="ml") as span:
        for _ in range(OPS):
            span.record_cost(cost=0.0001)


def native_checks() -> None:
    with genops.track("chat", team="ml") as span:
        for _ in range(OPS):
            budget_blocked(span)


class PurePythonBudget:
    """A daily budget by hand: the check before the operation, the add after it."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.spend: Dict[str, float] = {"ml": 0.0}
        self.lock = threading.Lock()

    def check(self, team: str) -> None:
        with self.lock:
            if self.spend.get(team, 0.0) >= self.limit:
                raise PolicyViolationError("budget", "exhausted")

    def add(self, team: str, cost: float) -> None:
        with self.lock:
            self.spend[team] = self.spend.get(team, 0.0) + cost


def pure_python_ops(b: PurePythonBudget) -> None:
    for _ in range(OPS):
        b.check("ml")
        b.add("ml", 0.0001)


class Nothing:
    def __enter__(self) -> "Nothing":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def record_cost(self, **kw: Any) -> None:
        return None


def floor_ops() -> None:
    for _ in range(OPS):
        with Nothing() as span:
            span.record_cost(cost=0.0001)


def main() -> None:
    genops.init(exporter_type="none", service_name="bench-budgets")
    floor = best_ns(floor_ops, OPS)
    op_without, cost_without, check_without = (
        best_ns(f, OPS) for f in (native_ops, native_costs, native_checks)
    )
    budgets.define("bench", 1e9, scope={"team": "ml"}, enforcement="block")
    op_with, cost_with, check_with = (best_ns(f, OPS) for f in (native_ops, native_costs, native_checks))
    budgets.remove("bench")
    b = PurePythonBudget(1e9)
    pure = best_ns(lambda: pure_python_ops(b), OPS)
    rows = [
        ("(d) do-nothing floor (with + record_cost shape)", floor),
        ("(a) track + record_cost, no budget", op_without),
        ("(b) the same, 1 blocking budget in scope", op_with),
        ("span.record_cost, no budget", cost_without),
        ("span.record_cost, 1 budget: the update", cost_with),
        ("_native.budget_blocked(span), no budget", check_without),
        ("_native.budget_blocked(span), 1 blocking budget: the check", check_with),
        (
            "native update + check from Python (differences)",
            cost_with - cost_without + check_with - check_without,
        ),
        ("(c) pure-Python check + update (Lock, dict)", pure),
    ]
    print("| per operation | ns |\n|---|---|")
    for name, ns in rows:
        print(f"| {name} | {ns:.0f} |")


if __name__ == "__main__":
    main()
