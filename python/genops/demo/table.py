"""Plain-text tables for the demo's and the benchmark's output."""

from __future__ import annotations

from typing import Any, Sequence


def cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}" if abs(v) >= 1e6 or (v and abs(v) < 1e-3) else f"{v:,.4f}".rstrip("0").rstrip(".")
    return "-" if v is None else str(v)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str] = (), indent: str = "  ") -> str:
    """rows as aligned columns (the keys of the first row unless columns are given);
    numbers right-aligned."""
    cols = list(columns) or (list(rows[0]) if rows else [])
    if not rows:
        return f"{indent}(no rows)\n"
    text = [[cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(cols)]
    numeric = [all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows) for c in cols]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return (indent + "  ".join(parts)).rstrip() + "\n"

    return line(cols) + line(["-" * w for w in widths]) + "".join(line(t) for t in text)
