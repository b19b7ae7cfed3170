"""make demo-c: record AI operations through the native core, ship them over OTLP/HTTP to a
local receiver (127.0.0.1 only), and show what arrived the way a backend would see it.

    python3 examples/run_demo.py build/release/genops_demo
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "peers"))
from otlp_server import OtlpServer  # noqa: E402  (the project's own OTLP receiver)


def table(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths)))


def main() -> int:
    demo = sys.argv[1] if len(sys.argv) > 1 else "build/release/genops_demo"
    with OtlpServer() as receiver:
        env = dict(os.environ, OTEL_EXPORTER_OTLP_ENDPOINT=receiver.base)
        print(f"$ {demo} --otlp    (OTEL_EXPORTER_OTLP_ENDPOINT={receiver.base})")
        done = subprocess.run([demo, "--otlp"], env=env, timeout=60)
        records = receiver.received()
    if done.returncode != 0:
        return done.returncode

    spans = [span for r in records for span in r["spans"]]
    print(
        f"\nThe receiver got {len(records)} request(s), "
        f"{sum(r['wire_bytes'] for r in records)} bytes of "
        f"{records[0]['content_type'] if records else '-'}, {len(spans)} spans; resource: "
        f"{records[0]['resource'] if records else {}}"
    )
    for i, span in enumerate(spans):
        v = span["values"]
        status = {0: "UNSET", 1: "OK", 2: "ERROR"}[span["status"]]
        print(
            f"\n  {span['name']}  status={status} {span['status_message']}".rstrip()
            + (f"  events={span['events']}" if span["events"] else "")
        )
        if i == 0 or status == "ERROR":  # in full; the others in one line
            for key in sorted(k for k in v if k.startswith("genops.")):
                print(f"    {key} = {v[key]!r}")
        else:
            print(
                f"    team={v.get('genops.team')} customer={v.get('genops.customer_id')} "
                f"model={v.get('genops.cost.model')} cost={v.get('genops.cost.total', 0):.6f}"
                f" tokens={v.get('genops.tokens.total')} "
                f"eval={v.get('genops.eval.score')} passed={v.get('genops.eval.passed')}"
            )

    # What the guides' queries compute, e.g. `stats sum(genops.cost.total) by genops.team`.
    cost_by_team, tokens_by_model, policy = defaultdict(float), defaultdict(int), defaultdict(int)
    for span in spans:
        v = span["values"]
        if "genops.cost.total" in v:
            cost_by_team[v["genops.team"]] += v["genops.cost.total"]
            tokens_by_model[v["genops.cost.model"]] += v["genops.tokens.total"]
        policy[(v.get("genops.policy.name"), v.get("genops.policy.result"))] += 1
    table(
        "cost by team (sum of genops.cost.total)",
        ("genops.team", "USD"),
        [(t, f"{c:.4f}") for t, c in sorted(cost_by_team.items())],
    )
    table(
        "tokens by model (sum of genops.tokens.total)",
        ("genops.cost.model", "tokens"),
        sorted(tokens_by_model.items()),
    )
    table(
        "policy decisions",
        ("genops.policy.name", "genops.policy.result", "count"),
        [(n, r, c) for (n, r), c in sorted(policy.items())],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
