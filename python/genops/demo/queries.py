"""The guides' queries, answered from the events that arrived: the Splunk guide's SPL
searches (genops.integrations.splunk_searches) over HEC events, and the Honeycomb
guide's Query Specifications (genops.integrations.honeycomb_boards) over Events API
events.

Splunk: each search is its `stats` written out (`index=genops_ai F=*` keeps events with
F; `stats ... by A, B` groups the events that have every by-field; sum / avg / max over
the events that have the field; `sort -x`; `head n`). Sums use math.fsum (exactly
rounded, whatever the order). Honeycomb: run_query evaluates a Query Specification:
filters (=, !=, >, >=, <, <=, exists, does-not-exist; all must hold), breakdowns (the
group whose breakdown columns are all missing, Honeycomb's null group, is left out),
COUNT / SUM / AVG / MAX / MIN / P50..P99, orders and limit; the guide's calculated
fields (DERIVED_COLUMNS) are computed per event by genops.demo.formula. An SLO's
compliance is the share of the events whose SLI is true among those where it is not
null (Honeycomb's "eligible" events).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from .. import semconv as sc
from ..integrations.honeycomb_boards import DERIVED_COLUMNS, QUERIES, SLOS
from ..integrations.splunk_searches import SEARCHES
from . import formula

Row = dict[str, Any]

# --- Splunk ------------------------------------------------------------------------


def _aggregate(fn: str, values: list[Any]) -> Any:
    """count, sum, avg, max, min or pNN (nearest rank) of values; the numeric ones
    for all but count; None when there are none."""
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if fn == "count":
        return len(values)
    if not nums:
        return None
    if fn == "sum":
        return math.fsum(nums)
    if fn == "avg":
        return math.fsum(nums) / len(nums)
    if fn in ("max", "min"):
        return max(nums) if fn == "max" else min(nums)
    if fn.startswith("p") and fn[1:].isdigit():
        ranked = sorted(nums)
        return ranked[max(0, math.ceil(int(fn[1:]) / 100 * len(ranked)) - 1)]
    raise ValueError(f"calculation {fn.upper()} is not evaluated here")


def stats(
    events: list[Row], where: Callable[[Row], bool], by: list[str], aggs: list[tuple[str, str, Optional[str]]]
) -> list[Row]:
    """`search where | stats fn(field) as name ... by by` over events."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for e in events:
        if where(e) and all(k in e for k in by):
            groups.setdefault(tuple(e[k] for k in by), []).append(e)
    out = []
    for key, rows in sorted(groups.items(), key=lambda kv: [str(x) for x in kv[0]]):
        row = dict(zip(by, key))
        for name, fn, field in aggs:
            row[name] = _aggregate(fn, rows if field is None else [r[field] for r in rows if field in r])
        out.append(row)
    return out


def _has(*fields: str) -> Callable[[Row], bool]:
    return lambda e: all(f in e for f in fields)


def _blocked(e: Row) -> bool:
    return e.get(sc.POLICY_RESULT) == "blocked"


def _desc(rows: list[Row], key: str) -> list[Row]:
    return sorted(rows, key=lambda r: -(r[key] or 0))


_WHO = ("genops.team", "genops.customer_id")


def _budget_status(utilization: float) -> str:
    return "CRITICAL" if utilization >= 90 else "WARNING" if utilization >= 80 else "OK"


#: The Splunk answers `genops demo` prints: search name (a key of SEARCHES) -> answer.
def splunk_answers(events: list[Row]) -> dict[str, list[Row]]:
    """events: the "event" objects of the HEC events that arrived."""
    cost = sc.COST_TOTAL
    answers = {
        "cost_by_team": _desc(
            stats(events, _has(cost), ["genops.team"], [("total_cost", "sum", cost)]), "total_cost"
        ),
        "cost_by_model": _desc(
            stats(
                events,
                _has(sc.COST_MODEL),
                [sc.COST_MODEL, sc.COST_PROVIDER],
                [("total_cost", "sum", cost), ("request_count", "count", None), ("avg_cost", "avg", cost)],
            ),
            "total_cost",
        ),
        "top_customers": _desc(
            stats(
                events,
                _has(cost, "genops.customer_id"),
                ["genops.customer_id"],
                [
                    ("total_cost", "sum", cost),
                    ("requests", "count", None),
                    ("avg_cost_per_request", "avg", cost),
                ],
            ),
            "total_cost",
        )[:20],
        "cost_by_feature": _desc(
            stats(
                events,
                _has("genops.feature", cost),
                ["genops.feature", "genops.team"],
                [("total_cost", "sum", cost), ("usage_count", "count", None)],
            ),
            "total_cost",
        ),
        "violations_by_policy": _desc(
            stats(events, _blocked, [sc.POLICY_NAME], [("violations", "count", None)]), "violations"
        ),
        "policy_violations": [
            {k: e.get(k) for k in (sc.POLICY_NAME, sc.POLICY_REASON, *_WHO, sc.OPERATION_NAME)}
            for e in events
            if _blocked(e)
        ],
    }
    decided = [e for e in events if sc.POLICY_RESULT in e]
    allowed = sum(1 for e in decided if e[sc.POLICY_RESULT] == "allowed")
    blocked = sum(1 for e in decided if _blocked(e))
    answers["compliance_rate"] = [
        {
            "compliance_rate": round(allowed / len(decided) * 100, 2) if decided else None,
            "allowed": allowed,
            "blocked": blocked,
            "total": len(decided),
        }
    ]
    budgets = stats(
        events,
        lambda e: any(k.startswith(sc.BUDGET_PREFIX) for k in e),
        [sc.BUDGET_NAME, "genops.team"],
        [
            ("limit", "max", sc.BUDGET_LIMIT),
            ("used", "max", sc.BUDGET_USED),
            ("remaining", "max", sc.BUDGET_REMAINING),
            ("utilization", "max", sc.BUDGET_UTILIZATION),
        ],
    )
    for b in budgets:
        b["status"] = _budget_status(b["utilization"])
    answers["budget_status"] = _desc(budgets, "utilization")
    over = stats(
        events,
        _has(sc.BUDGET_UTILIZATION),
        [sc.BUDGET_NAME, "genops.team"],
        [("max_util", "max", sc.BUDGET_UTILIZATION)],
    )
    answers["budgets_over_80"] = _desc([b for b in over if b["max_util"] > 80], "max_util")
    assert set(answers) <= set(SEARCHES)
    return answers


# --- Honeycomb ---------------------------------------------------------------------

#: The Honeycomb guide's queries `genops demo` answers (names in QUERIES).
HONEYCOMB_QUERIES = (
    "Total Cost by Provider",
    "Cost by Model and Provider",
    "Cost by Customer (Top 20)",
    "Cost by Customer Tier",
    "Multi-Dimensional Cost Breakdown",
    "Policy Violations",
    "Budget Utilization",
)


def _compiled() -> dict[str, Callable[[Row], Any]]:
    """The guide's calculated fields that formula evaluates (all of them, today)."""
    out = {}
    for alias, expression, _ in DERIVED_COLUMNS:
        try:
            out[alias] = formula.compile(expression)
        except ValueError:
            pass  # a formula outside formula's subset: the column is null here
    return out


_DERIVED = _compiled()

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _value(e: Row, column: str) -> Any:
    if column in e:
        return e[column]
    f = _DERIVED.get(column)
    return f(e) if f is not None else None


def _keep(e: Row, flt: dict[str, Any]) -> bool:
    v = _value(e, flt["column"])
    op = flt["op"]
    if op == "exists":
        return v is not None
    if op == "does-not-exist":
        return v is None
    if v is None:
        return False
    try:
        return _COMPARE[op](v, flt["value"])
    except TypeError:
        return False


def _calc_name(c: dict[str, Any]) -> str:
    return c["op"] if "column" not in c else f"{c['op']}({c['column']})"


def _calculate(c: dict[str, Any], rows: list[Row]) -> Any:
    if c["op"] == "COUNT":
        return len(rows)
    return _aggregate(c["op"].lower(), [_value(r, c["column"]) for r in rows])


def run_query(spec: dict[str, Any], events: list[Row]) -> list[Row]:
    """A Query Specification over events (each an Events API event's data)."""
    rows = [e for e in events if all(_keep(e, f) for f in spec.get("filters", []))]
    breakdowns = spec.get("breakdowns", [])
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for e in rows:
        key = tuple(_value(e, b) for b in breakdowns)
        if breakdowns and all(k is None for k in key):
            continue
        groups.setdefault(key, []).append(e)
    if not breakdowns and not groups:
        groups[()] = []
    out = []
    for key, members in sorted(groups.items(), key=lambda kv: [str(x) for x in kv[0]]):
        row = dict(zip(breakdowns, key))
        for c in spec.get("calculations", []):
            row[_calc_name(c)] = _calculate(c, members)
        out.append(row)
    for order in reversed(spec.get("orders", [])):
        name = order.get("column") if order.get("op") is None else _calc_name(order)
        known = [r for r in out if r.get(name) is not None]
        known.sort(key=lambda r: r[name], reverse=order.get("order") == "descending")
        out = known + [r for r in out if r.get(name) is None]
    return out[: spec["limit"]] if "limit" in spec else out


def slos(events: list[Row]) -> list[Row]:
    """The guide's SLOs over events: eligible, good, compliance % and whether it meets
    the target."""
    out = []
    for name, sli, target, days in SLOS:
        values = [_value(e, sli) for e in events]
        eligible = [v for v in values if v is not None]
        good = sum(1 for v in eligible if v is True)
        compliance = round(good / len(eligible) * 100, 3) if eligible else None
        out.append(
            {
                "SLO": name,
                "SLI": sli,
                "eligible": len(eligible),
                "good": good,
                "compliance_pct": compliance,
                "target_pct": target,
                "window_days": days,
                "met": compliance is not None and compliance >= target,
            }
        )
    return out


def honeycomb_answers(events: list[Row]) -> dict[str, list[Row]]:
    """events: the data of the Events API events that arrived."""
    specs = dict(QUERIES)
    answers = {name: run_query(specs[name], events) for name in HONEYCOMB_QUERIES}
    answers["SLOs"] = slos(events)
    return answers
