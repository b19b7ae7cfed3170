"""The `genops` command (also `python -m genops`): version, status, validate,
dashboards and marker. Exit codes: 0 ok, 1 a check failed, 2 usage."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Optional, Sequence

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
    d = command("dashboards", "print the guide's Splunk dashboards (Simple XML) or alerts", _dashboards)
    d.add_argument("backend", choices=["splunk"])
    d.add_argument("--kind", choices=["cost", "compliance", "budget", "alerts"], default="cost")
    d.add_argument("--index", default=os.getenv("SPLUNK_INDEX") or "genops_ai")
    d.add_argument("--sourcetype", default=os.getenv("SPLUNK_SOURCETYPE") or "genops:telemetry")
    m = command("marker", "create a Honeycomb marker (HONEYCOMB_API_KEY) and print its id", _marker)
    m.add_argument("message")
    m.add_argument("--type", default="deploy")
    m.add_argument("--url")
    m.add_argument("--dataset")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)  # exits 2 on a usage error
    try:
        return int(args.run(args))
    except (GenOpsError, ValueError) as e:
        print(f"genops {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
