"""The `genops` command (also `python -m genops`): version, status, validate,
dashboards, marker, policy, demo, bench and init. Exit codes: 0 ok, 1 a check failed, 2 usage."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, Optional, Sequence

from ._errors import GenOpsError


def _print(obj: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(obj, indent=2, sort_keys=True, default=str))
    else:
        for key, value in obj.items():
            print(f"{key}: {value}")


def _version(args: argparse.Namespace) -> int:
    import genops

    from . import native

    info = {"genops": genops.__version__, "native": native.genops_version()}
    _print(info, args.json) if args.json else print(f"genops {info['genops']} (native core {info['native']})")
    return 0


def _status(args: argparse.Namespace) -> int:
    import genops

    _print(genops.status(), args.json)
    return 0


def _validate(args: argparse.Namespace) -> int:
    if args.backend == "splunk":
        from .integrations.splunk import validate_setup

        r = validate_setup(
            args.endpoint,
            args.token,
            args.index,
            check_connectivity=not args.no_connectivity,
            verify_ssl=not args.no_ssl_verify,
        )
        if args.json:
            _print({k: v for k, v in vars(r).items() if k != "report"}, True)
        else:
            print(r.report, end="")
        return 0 if r.valid else 1
    from .exporters.validation import print_validation_result, validate_export_setup

    if args.backend == "honeycomb":
        for name, value in (("HONEYCOMB_API_KEY", args.api_key), ("HONEYCOMB_API_ENDPOINT", args.endpoint)):
            if value:
                os.environ[name] = value
    elif args.endpoint:
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = args.endpoint
    result = validate_export_setup(args.backend, check_connectivity=not args.no_connectivity)
    if args.json:
        _print(vars(result), True)
    else:
        print_validation_result(result)
    return 0 if result.passed else 1


def _dashboards(args: argparse.Namespace) -> int:
    if args.backend == "honeycomb":
        from .integrations.honeycomb_boards import honeycomb_api

        doc = honeycomb_api(args.dataset)
        print(json.dumps(doc) if args.json else json.dumps(doc, indent=2))
        return 0
    from .integrations import splunk

    if args.kind == "alerts":
        print(splunk.alerts_conf(args.index, args.sourcetype), end="")
    else:
        print(splunk.dashboard_xml(args.kind, args.index, args.sourcetype), end="")
    return 0


def _marker(args: argparse.Namespace) -> int:
    from .exporters.honeycomb import create_marker

    marker_id = create_marker(args.message, type=args.type, url=args.url, dataset=args.dataset)
    _print({"marker_id": marker_id}, args.json) if args.json else print(marker_id)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import run

    report = run.run(args.operations, args.seed)
    print(
        json.dumps(report, indent=2, sort_keys=True) if args.json else run.text(report),
        end="\n" if args.json else "",
    )
    return 0 if report["ok"] else 1


def _bench(args: argparse.Namespace) -> int:
    from . import _runtime
    from .demo import bench
    from .demo.table import table

    have = _runtime.available_exporter_types()
    kinds = args.exporter or bench.default_exporters(have)
    missing = [k for k in kinds if k not in have]
    if missing:
        raise ValueError(f"not in this build: {', '.join(missing)} (available: {', '.join(have)})")
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ValueError("--plot needs matplotlib (pip install matplotlib)") from None
    report = bench.run(
        args.ops, list(dict.fromkeys(kinds)), args.gzip, args.against_otel, queue=args.max_queue_size
    )
    if args.plot:
        bench.plot(report, args.plot)
        report["plot"] = args.plot
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        rows = [{label: r[key] for key, label in bench.COLUMNS} for r in report["rows"]]
        queue = f", max_queue_size {args.max_queue_size}" if args.max_queue_size else ""
        print(
            f"genops bench: {args.ops} operations per exporter into an embedded receiver (127.0.0.1){queue}"
        )
        print(table(rows), end="")
        for note in report["notes"] + ([f"plot: {args.plot}"] if args.plot else []):
            print(note)
        if report["lost_silently"]:
            print(f"spans lost uncounted by: {', '.join(report['lost_silently'])}", file=sys.stderr)
    return 0 if report["ok"] else 1


#: genops init's options: init() keyword -> help
_INIT_OPTIONS = {
    "service_name": "service.name (default OTEL_SERVICE_NAME, else genops-ai-app)",
    "environment": "deployment environment (dev, staging, production)",
    "exporter_type": "console, otlp, otlp-json, splunk, honeycomb, ... (default as init(): otlp "
    "with --otlp-endpoint, else OTEL_TRACES_EXPORTER, else console)",
    "otlp_endpoint": "OTLP endpoint URL, e.g. http://localhost:4318",
    "default_team": "the default team attribute",
    "default_project": "the default project attribute",
    "splunk_hec_endpoint": "Splunk HEC URL (the token stays in SPLUNK_HEC_TOKEN)",
    "splunk_index": "Splunk index",
    "honeycomb_dataset": "Honeycomb dataset (the key stays in HONEYCOMB_API_KEY)",
}


def _init(args: argparse.Namespace) -> int:
    """As genops-ai's init: genops.init() with the options (a bad one: exit 1), then its
    status; and a starter program calling it (--output, - for stdout)."""
    import genops

    from . import starter

    options: Dict[str, Any] = {k: getattr(args, k) for k in _INIT_OPTIONS}
    if args.providers is not None:
        options["providers"] = [p for p in args.providers.split(",") if p and p != "none"]
    kwargs = starter.init_arguments(options)
    if args.output != "-" and os.path.exists(args.output) and not args.force:
        raise ValueError(f"{args.output} exists (--force replaces it)")
    # The check patches no provider SDK (importing them all takes seconds); the
    # starter patches what it names, else every installed one.
    genops.init(**{**kwargs, "providers": []}, exit_flush_timeout=0)
    status = genops.status()
    patched = options.get("providers", [p for p, ok in status["available_providers"].items() if ok])
    source = starter.program(
        options, os.path.basename(args.output) if args.output != "-" else "genops_app.py"
    )
    if args.output == "-":
        print(source, end="")
        return 0
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(source)
    result = {
        "initialized": status["initialized"],
        "exporters": status["exporters"],
        "providers": patched,
        "default_attributes": status["default_attributes"],
        "written": args.output,
    }
    if args.json:
        _print(result, True)
    else:
        print(
            f"GenOps AI initialized: exporters {', '.join(status['exporters'])}; the starter patches: "
            f"{', '.join(patched) or 'none'}"
        )
        print(f"wrote {args.output}: python {args.output} records one AI operation with this setup")
    return 0


def _condition(text: str) -> tuple[str, Any]:
    """KEY=VALUE; VALUE is read as JSON when it parses (numbers, lists), else kept as text."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"condition must be KEY=VALUE, not {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _count(limit: int) -> Any:
    """An argparse type: a whole number from 1 to limit."""

    def count(text: str) -> int:
        n = int(text)
        if not 1 <= n <= limit:
            raise argparse.ArgumentTypeError(f"must be between 1 and {limit}, not {n}")
        return n

    return count


# The demo's bound: its queue (8192 spans) holds them all, and it takes seconds, not more.
DEMO_MAX_OPERATIONS = 5000


def _load_policies(path: str) -> Dict[str, Dict[str, Any]]:
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a policy file holds a JSON object of policies by name")
    return data


def _policy(args: argparse.Namespace) -> int:
    """register writes the policy file (JSON, by name), list prints it, check loads
    it into a fresh PolicyEngine and evaluates one policy: exit 1 when it blocks."""
    from .core.policy import PolicyConfig, PolicyEngine, PolicyResult

    policies = _load_policies(args.file)
    if args.action == "register":
        entry = {
            "description": args.description,
            "enabled": not args.disabled,
            "enforcement_level": args.enforcement,
            "conditions": dict(args.condition or []),
        }
        PolicyConfig(
            args.name, args.description, entry["enabled"], PolicyResult(args.enforcement), entry["conditions"]
        )
        policies[args.name] = entry
        with open(args.file, "w", encoding="utf-8") as f:
            json.dump(policies, f, indent=2, sort_keys=True)
        _print({"registered": args.name, "file": args.file}, args.json)
        return 0
    if args.action == "list":
        if args.json:
            _print(policies, True)
        for name, entry in sorted(policies.items()) if not args.json else ():
            state = "enabled" if entry.get("enabled", True) else "disabled"
            print(
                f"{name}: {entry.get('enforcement_level', 'blocked')} ({state}) {entry.get('conditions', {})}"
            )
        return 0
    engine = PolicyEngine()
    for name, entry in policies.items():
        engine.register_policy(
            PolicyConfig(
                name,
                entry.get("description", ""),
                bool(entry.get("enabled", True)),
                PolicyResult(entry.get("enforcement_level", "blocked")),
                entry.get("conditions"),
            )
        )
    context = json.loads(args.context)
    if not isinstance(context, dict):
        raise ValueError(f"--context must be a JSON object, not {args.context!r}")
    r = engine.evaluate_policy(args.name, context)
    _print({"policy": r.policy_name, "result": r.result.value, "reason": r.reason}, args.json)
    return 1 if r.result in (PolicyResult.BLOCKED, PolicyResult.RATE_LIMITED) else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="genops", description="GenOps AI on the native core.")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, helptext: str, run: Any) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=helptext, description=helptext)
        c.add_argument("--json", action="store_true", help="print JSON for machines")
        c.set_defaults(run=run)
        return c

    command("version", "print the package's and the native core's versions", _version)
    command("status", "print genops.status(): exporters, providers, counters", _status)
    v = command("validate", "validate an export setup (exit 1 when a check fails)", _validate)
    v.add_argument("backend", choices=["splunk", "honeycomb", "otlp"])
    v.add_argument(
        "--endpoint", help="SPLUNK_HEC_ENDPOINT / HONEYCOMB_API_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    v.add_argument("--token", help="Splunk HEC token (default SPLUNK_HEC_TOKEN)")
    v.add_argument("--index", help="Splunk index (default SPLUNK_INDEX)")
    v.add_argument("--api-key", help="Honeycomb API key (default HONEYCOMB_API_KEY)")
    v.add_argument("--no-connectivity", action="store_true", help="check the configuration only")
    v.add_argument("--no-ssl-verify", action="store_true", help="do not verify TLS (test setups only)")
    d = command(
        "dashboards",
        "print the guide's Splunk dashboards (Simple XML) or alerts, or the Honeycomb guide's "
        "queries, derived columns, triggers and SLOs as Honeycomb API JSON (--json: on one line)",
        _dashboards,
    )
    d.add_argument("backend", choices=["splunk", "honeycomb"])
    d.add_argument("--kind", choices=["cost", "compliance", "budget", "alerts"], help="splunk: default cost")
    d.add_argument("--dataset", help="honeycomb: default HONEYCOMB_DATASET or genops-ai")
    d.add_argument("--index", default=os.getenv("SPLUNK_INDEX") or "genops_ai")
    d.add_argument("--sourcetype", default=os.getenv("SPLUNK_SOURCETYPE") or "genops:telemetry")
    demo = command(
        "demo",
        "record a realistic AI workload into embedded OTLP, Splunk HEC and Honeycomb receivers "
        "(127.0.0.1) and answer the guides' queries from what arrived (exit 1 if a backend's "
        "answers differ from what was recorded)",
        _demo,
    )
    demo.add_argument(
        "--operations",
        type=_count(DEMO_MAX_OPERATIONS),
        default=48,
        help=f"operations to record (default 48, at most {DEMO_MAX_OPERATIONS})",
    )
    demo.add_argument("--seed", type=int, default=7, help="the workload's random seed (default 7)")
    b = command(
        "bench",
        "run N operations through each exporter into an embedded receiver (127.0.0.1) and print "
        "ops/s, CPU per op, bytes per span, losses and latency percentiles "
        "(exit 1 if a span was lost uncounted)",
        _bench,
    )
    b.add_argument(
        "--ops", type=_count(10_000_000), default=20000, help="operations per exporter (default 20000)"
    )
    b.add_argument(
        "--exporter",
        action="append",
        choices=_bench_exporters(),
        help="repeatable; default every one built (otlp-grpc: if grpcio is installed)",
    )
    b.add_argument("--gzip", action="store_true", help="also each exporter with gzip")
    b.add_argument(
        "--max-queue-size",
        type=_count(10_000_000),
        help="every pipeline's queue, genops's and the SDK's, as a hard cap (default: each one's own: "
        "genops's grows past 8192 within max_buffer_bytes, the SDK's holds 2048)",
    )
    b.add_argument("--plot", metavar="FILE.png", help="write a PNG of the results (needs matplotlib)")
    b.add_argument(
        "--against-otel",
        action="store_true",
        help="add the OpenTelemetry SDK doing the same work, if installed",
    )
    ini = command(
        "init",
        "check a genops.init() setup (exit 1 if it is invalid) and write a starter program using it",
        _init,
    )
    for key, helptext in _INIT_OPTIONS.items():
        flag = "--" + key.removeprefix("default_").replace("_", "-")
        ini.add_argument(flag, dest=key, help=helptext)
    ini.add_argument(
        "--output", default="genops_app.py", help="the starter's path (default genops_app.py; - prints it)"
    )
    ini.add_argument(
        "--providers",
        help="the provider SDKs to patch, comma-separated, or none (default: every installed one)",
    )
    ini.add_argument("--force", action="store_true", help="replace an existing --output")
    m = command("marker", "create a Honeycomb marker (HONEYCOMB_API_KEY) and print its id", _marker)
    m.add_argument("message")
    m.add_argument("--type", default="deploy")
    m.add_argument("--url")
    m.add_argument("--dataset")
    pol = command("policy", "register, list or check governance policies (a JSON policy file)", _policy)
    pol.add_argument("action", choices=["register", "list", "check"])
    pol.add_argument("name", nargs="?", help="the policy (register, check): cost_limit, team_access, ...")
    pol.add_argument("--file", default=os.getenv("GENOPS_POLICY_FILE") or "genops-policies.json")
    pol.add_argument("--description", default="")
    pol.add_argument("--enforcement", choices=[r.value for r in _policy_results()], default="blocked")
    pol.add_argument("--disabled", action="store_true", help="register the policy disabled")
    pol.add_argument("--condition", action="append", type=_condition, help="KEY=VALUE, e.g. max_cost=5.0")
    pol.add_argument("--context", default="{}", help="check: the operation context as a JSON object")
    return p


def _bench_exporters() -> Any:
    from .demo.bench import EXPORTERS

    return EXPORTERS


def _policy_results() -> Any:
    from .core.policy import PolicyResult

    return PolicyResult


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser()
    args = p.parse_args(argv)  # exits 2 on a usage error
    if args.command == "policy" and args.action != "list" and not args.name:
        p.error(f"policy {args.action} needs a policy name")
    if args.command == "dashboards":
        if args.backend == "honeycomb" and args.kind:
            p.error("--kind is for dashboards splunk")
        if args.backend == "splunk" and args.dataset:
            p.error("--dataset is for dashboards honeycomb")
        args.kind = args.kind or "cost"
        args.dataset = args.dataset or os.getenv("HONEYCOMB_DATASET") or "genops-ai"
    if args.command == "bench" and args.exporter:
        from .demo.bench import unavailable

        why = unavailable(args.exporter)
        if why:
            p.error(why)  # a usage error: exit 2
    try:
        return int(args.run(args))
    except (GenOpsError, ValueError, OSError) as e:
        print(f"genops {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
