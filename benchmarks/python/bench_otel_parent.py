#!/usr/bin/env python3
"""What OpenTelemetry interop costs a genops operation (issue 13 item 1): ns per
`with genops.track("op"): pass`, exported to nowhere (the memory exporter cleared
between rounds is not used: exporter_type="none" keeps the pipeline out of the figure),
in one run:

  absent    opentelemetry is never imported (the native module's check is one dict miss)
  imported  opentelemetry.trace imported, no current span (genops.otel asked, no parent)
  sdk span  inside an SDK span: the genops operation is its child, and it is attached
            to OpenTelemetry's context while entered (two Python calls more)

Each configuration runs in its own process (an import cannot be undone); the figure is
best_of.best_ns: the best of 7 rounds of at least 0.2 s.

    python3 benchmarks/python/bench_otel_parent.py [--genops-path build/pyrel/python]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONFIGS = ("absent", "imported", "sdk span")


def child(config: str) -> float:
    sys.path.insert(0, str(HERE))
    from best_of import best_ns

    import genops

    genops.init(exporter_type="none", service_name="bench", auto_detect=False)
    track = genops.track

    def ops() -> None:
        for _ in range(1000):
            with track("op"):
                pass

    if config == "absent":
        assert not any(m.startswith("opentelemetry") for m in sys.modules)
        return best_ns(ops, 1000)
    from opentelemetry import trace

    if config == "imported":
        return best_ns(ops, 1000)
    from opentelemetry.sdk.trace import TracerProvider

    with TracerProvider().get_tracer("bench").start_as_current_span("outer"):
        assert trace.get_current_span().get_span_context().is_valid
        return best_ns(ops, 1000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--genops-path", default=str(ROOT / "build" / "pyrel" / "python"))
    ap.add_argument("--child", choices=CONFIGS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(pathlib.Path(args.genops_path).resolve()), env.get("PYTHONPATH", "")]
    )
    results = {}
    for config in CONFIGS:
        out = subprocess.run(
            [sys.executable, __file__, "--child", config],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        if out.returncode != 0:
            raise SystemExit(f"{config} failed:\n{out.stderr}")
        results[config] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["absent"]
    print('| opentelemetry | ns per `with genops.track("op"): pass` | vs absent |')
    print("|---|---:|---:|")
    for config in CONFIGS:
        print(f"| {config} | {results[config]:.0f} | +{results[config] - base:.0f} ns |")


if __name__ == "__main__":
    main()
