"""The genops command, the Splunk guide's Python names and its commands as written,
from the repository root, against the strict local HEC and Honeycomb servers."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import genops
from genops import semconv
from genops.core.telemetry import GenOpsTelemetry
from genops.integrations import splunk
from genops.integrations.splunk_searches import SEARCHES

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from hec_server import HecServer  # noqa: E402
from honeycomb_server import ENVIRONMENT_KEY, HoneycombServer  # noqa: E402

needs_hec = pytest.mark.skipif(
    "splunk" not in genops.status()["available_exporters"], reason="no Splunk HEC exporter in this build"
)


def run(*argv: str, env: dict | None = None, cwd: pathlib.Path = ROOT) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SPLUNK_", "HONEYCOMB_"))}
    environ.update(PYTHONPATH=os.pathsep.join(sys.path), **(env or {}))
    return subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, cwd=cwd, env=environ, timeout=60
    )


def test_version_status_and_usage_exit_codes():
    r = run("-m", "genops", "version", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["genops"] == genops.__version__
    r = run("-m", "genops", "status", "--json")
    assert r.returncode == 0 and "available_exporters" in json.loads(r.stdout)
    assert run("-m", "genops").returncode == 2
    assert run("-m", "genops", "validate", "nowhere").returncode == 2
    assert run("-m", "genops", "dashboards", "splunk", "--kind", "nope").returncode == 2


@needs_hec
def test_validate_splunk_setup_as_the_guide_writes_it():
    with HecServer("hec-token") as hec:
        flags = ["--endpoint", hec.base, "--token", "hec-token", "--index", "genops_ai", "--no-ssl-verify"]
        good = run("examples/validate_splunk_setup.py", *flags)
        assert good.returncode == 0, good.stderr
        assert "setup is valid" in good.stdout
        # The guide's own: cd examples/observability; python validate_splunk_setup.py
        bad = run(
            "validate_splunk_setup.py",
            *flags[:2],
            "--token",
            "wrong",
            cwd=ROOT / "examples" / "observability",
        )
        assert bad.returncode == 1
        js = run(
            "-m",
            "genops",
            "validate",
            "splunk",
            "--json",
            env={"SPLUNK_HEC_ENDPOINT": hec.base, "SPLUNK_HEC_TOKEN": "hec-token"},
        )
        assert js.returncode == 0 and json.loads(js.stdout)["index_accessible"] is True
    assert run("-m", "genops", "validate", "splunk", "--no-connectivity").returncode == 1  # no endpoint


@needs_hec
def test_validate_setup_result_attributes():
    sys.path.insert(0, str(ROOT))
    from examples.observability.splunk_integration import SplunkGenOpsIntegration
    from examples.observability.splunk_validation import validate_setup

    with HecServer("hec-token") as hec:
        r = validate_setup(
            splunk_hec_endpoint=hec.base,
            splunk_hec_token="hec-token",
            splunk_index="genops_ai",
            verify_ssl=False,
        )
        assert r.valid and r.connectivity and r.index_accessible and r.errors == []
        assert r.hec_version and "healthy" in r.hec_version
        r = validate_setup(splunk_hec_endpoint=hec.base, splunk_hec_token="wrong", check_connectivity=True)
        assert not r.valid and r.connectivity and not r.index_accessible and r.errors
        s = SplunkGenOpsIntegration(
            splunk_hec_endpoint=hec.base, splunk_hec_token="hec-token", service_name="svc"
        )
        assert s.validate_configuration().valid
        assert genops.status()["exporters"] == ["splunk"]
    r = validate_setup(splunk_hec_endpoint="not a url", splunk_hec_token="t", check_connectivity=False)
    assert not r.valid and r.errors
    genops.init(exporter_type="none")


def test_the_guides_dashboard_command_from_the_repository_root():
    code = (
        "from examples.observability.splunk_integration import SplunkGenOpsIntegration; "
        "s=SplunkGenOpsIntegration(); print(s.create_compliance_dashboard())"
    )
    r = run("-c", code)
    assert r.returncode == 0, r.stderr
    assert ET.fromstring(r.stdout).tag == "dashboard"


@pytest.mark.parametrize("kind", ["cost", "compliance", "budget"])
def test_dashboards_are_simple_xml_with_only_the_guides_searches(kind):
    r = run(
        "-m",
        "genops",
        "dashboards",
        "splunk",
        "--kind",
        kind,
        "--index",
        "ai_prod",
        "--sourcetype",
        "genops:x",
    )
    assert r.returncode == 0
    root = ET.fromstring(r.stdout)
    queries = [q.text for q in root.iter("query")]
    assert root.tag == "dashboard" and root.find("label").text and queries
    allowed = {splunk.search(name, "ai_prod", "genops:x") for name in SEARCHES}
    assert all(q in allowed for q in queries)
    assert all(q.startswith('index=ai_prod sourcetype="genops:x" ') for q in queries)


def test_alerts_are_a_savedsearches_conf_of_the_guides_alerts():
    r = run("-m", "genops", "dashboards", "splunk", "--kind", "alerts")
    assert r.returncode == 0
    stanzas = [line for line in r.stdout.splitlines() if line.startswith("[")]
    assert stanzas == [f"[{title}]" for title, _, _ in splunk.ALERTS]
    searches = [s.split("\n")[0] for s in r.stdout.split("search = ")[1:]]
    assert len(searches) == 3 and all(s.startswith("index=genops_ai") for s in searches)
    assert r.stdout.count("quantity = 0") == 3


def test_marker_and_honeycomb_validation():
    env = {"HONEYCOMB_API_KEY": ENVIRONMENT_KEY}
    with HoneycombServer() as hc:
        env["HONEYCOMB_API_ENDPOINT"] = hc.url
        r = run("-m", "genops", "marker", "deploy 1.2", "--json", env=env)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["marker_id"]
        r = run("-m", "genops", "validate", "honeycomb", env=env)
        assert r.returncode == 0, r.stdout
        bad = run("-m", "genops", "validate", "honeycomb", "--api-key", "nope", env=env)
        assert bad.returncode == 1
    assert run("-m", "genops", "marker", "x", env={"HONEYCOMB_API_KEY": ""}).returncode == 1


def test_policy_register_list_check_and_exit_codes(tmp_path):
    f = str(tmp_path / "policies.json")
    r = run("-m", "genops", "policy", "register", "cost_limit", "--file", f, "--condition", "max_cost=1.5")
    assert r.returncode == 0, r.stderr
    r = run(
        "-m",
        "genops",
        "policy",
        "register",
        "team_access",
        "--file",
        f,
        "--enforcement",
        "warning",
        "--condition",
        'allowed_teams=["ml"]',
    )
    assert r.returncode == 0, r.stderr
    listed = json.loads(run("-m", "genops", "policy", "list", "--file", f, "--json").stdout)
    assert listed["cost_limit"]["conditions"] == {"max_cost": 1.5}
    assert listed["team_access"]["enforcement_level"] == "warning"
    ok = run(
        "-m", "genops", "policy", "check", "cost_limit", "--file", f, "--context", '{"cost": 1.0}', "--json"
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["result"] == "allowed"
    over = run(
        "-m", "genops", "policy", "check", "cost_limit", "--file", f, "--context", '{"cost": 2.0}', "--json"
    )
    assert over.returncode == 1 and json.loads(over.stdout)["result"] == "blocked"
    warn = run(
        "-m", "genops", "policy", "check", "team_access", "--file", f, "--context", '{"team": "x"}', "--json"
    )
    assert warn.returncode == 0 and json.loads(warn.stdout)["result"] == "warning"
    assert run("-m", "genops", "policy", "check", "--file", f).returncode == 2
    assert run("-m", "genops", "policy", "register", "x", "--condition", "nokey").returncode == 2
    bad = run("-m", "genops", "policy", "register", "cost_limit", "--file", f, "--condition", "max_cost=-1")
    assert bad.returncode == 1 and "genops policy" in bad.stderr


def _columns(doc: dict) -> set[str]:
    """Every column the Honeycomb JSON names: in queries (its own and the triggers'),
    and as $name in the derived columns' expressions."""
    queries = [q["body"] for q in doc["queries"]] + [t["body"]["query"] for t in doc["triggers"]]
    names = set()
    for q in queries:
        names.update(q.get("breakdowns", []))
        for part in ("calculations", "filters", "orders"):
            names.update(c["column"] for c in q.get(part, []) if "column" in c)
    for dc in doc["derived_columns"]:
        names.update(re.findall(r"\$([A-Za-z0-9_.]+)", dc["body"]["expression"]))
    return names


def _guide_workload() -> None:
    """One operation with everything the Honeycomb guide's queries read."""
    with genops.track_enhanced(
        operation_name="ai.chat",
        team="ml",
        project="assistant",
        environment="production",
        customer_id="enterprise-acme",
        customer_tier="enterprise",
        feature="chat",
        user_segment="power",
        experiment_id="exp-v2-test",
        variant="b",
        data_classification="internal",
    ) as span:
        GenOpsTelemetry().record_cost(
            span, cost=0.03, provider="openai", model="gpt-4", input_tokens=120, output_tokens=30
        )
        span.record_policy(policy_name="cost_limit", policy_result="allowed", response_time=1.5)
        span.record_budget(budget_name="team-ai-engineering-daily", budget_limit=100.0, budget_used=91.0)
        span.record_evaluation(evaluation_name="compliance", score=0.99)
        span.record_evaluation(evaluation_name="safety", score=0.97)
    genops.flush(timeout=10)


def test_dashboards_honeycomb_names_only_columns_we_send(monkeypatch):
    pytest.importorskip("msgpack")
    r = run("-m", "genops", "dashboards", "honeycomb", "--dataset", "genops-prod", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    pretty = run("-m", "genops", "dashboards", "honeycomb", env={"HONEYCOMB_DATASET": "genops-prod"})
    assert pretty.returncode == 0 and json.loads(pretty.stdout) == doc
    assert [len(doc[k]) for k in ("derived_columns", "queries", "triggers", "slos")] == [9, 21, 4, 4]
    kinds = {"derived_columns": "/1/derived_columns/", "queries": "/1/queries/", "triggers": "/1/triggers/"}
    for kind, path in {**kinds, "slos": "/1/slos/"}.items():
        assert all(item["path"] == path + "genops-prod" for item in doc[kind]), kind
    aliases = {dc["body"]["alias"] for dc in doc["derived_columns"]}
    for e in [dc["body"]["expression"] for dc in doc["derived_columns"]]:
        assert e.count("(") == e.count(")") and e.count('"') % 2 == 0, e
    assert {s["body"]["sli"]["alias"] for s in doc["slos"]} <= aliases
    assert [s["body"]["target_per_million"] for s in doc["slos"]] == [999000, 950000, 900000, 950000]
    for t in doc["triggers"]:  # a trigger's query has exactly one calculation
        assert len(t["body"]["query"]["calculations"]) == 1 and t["body"]["frequency"] >= 60
    for q in [q["body"] for q in doc["queries"]]:  # orders name a breakdown or a calculation
        for o in q.get("orders", []):
            assert {k: v for k, v in o.items() if k != "order"} in q["calculations"] or o.get(
                "column"
            ) in q.get("breakdowns", [])
    # What the Honeycomb exporter sends for the guide's workload has every other column.
    monkeypatch.setenv("HONEYCOMB_API_KEY", ENVIRONMENT_KEY)
    monkeypatch.setenv("HONEYCOMB_DATASET", "genops-prod")
    with HoneycombServer(datasets={"genops-prod"}) as hc:
        monkeypatch.setenv("HONEYCOMB_API_ENDPOINT", hc.url)
        genops.init(exporter_type="honeycomb-events", service_name="hc-dashboards")
        try:
            _guide_workload()
        finally:
            genops.init(exporter_type="none")
        sent = set()
        for req in hc.received():
            for ev in req.get("events", []):
                sent.update(ev["data"])
    columns = _columns(doc) - aliases
    assert columns and not columns - sent, sorted(columns - sent)
    assert columns - set(semconv.ATTRIBUTE_TYPES) == {
        f"genops.{k}"
        for k in ("team", "project", "environment", "customer_id", "customer_tier", "feature")
        + (
            "user_segment",
            "experiment_id",
            "variant",
            "policy.response_time",
            "eval.compliance",
            "eval.safety",
        )
    }
    assert run("-m", "genops", "dashboards", "honeycomb", "--kind", "cost").returncode == 2
    assert run("-m", "genops", "dashboards", "splunk", "--dataset", "x").returncode == 2
    assert run("-m", "genops", "dashboards", "grafana").returncode == 2
