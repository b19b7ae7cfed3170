"""GenOps' Splunk integration as its guide uses it: SplunkIntegration (alias
SplunkGenOpsIntegration) with the cost, compliance and budget dashboards as Splunk
Simple XML, the guide's alerts as a savedsearches.conf, and validate_setup() /
print_validation_result() on the HEC exporter's own validation (genops_hec_validate).

Every search is one of the guide's (splunk_searches.SEARCHES), with its index
"genops_ai" replaced by the one configured and the sourcetype added.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional
from xml.sax.saxutils import escape

from .. import _native_log, native
from .._errors import NotAvailableError
from .splunk_searches import SEARCHES

#: The guide's dashboards: (title, [(panel title, visualisation, search name)]).
DASHBOARDS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "cost": (
        "GenOps AI - Cost Governance",
        [
            ("Cost by team", "pie", "cost_by_team"),
            ("Cost by model", "bar", "cost_by_model"),
            ("Cost trend by project", "area", "cost_trend_by_project"),
            ("Top customers by cost", "table", "top_customers"),
            ("Cost by feature", "table", "cost_by_feature"),
        ],
    ),
    "compliance": (
        "GenOps AI - Compliance Monitoring",
        [
            ("Compliance rate", "table", "compliance_rate"),
            ("Violations by policy type", "bar", "violations_by_policy"),
            ("Recent policy violations", "table", "policy_violations"),
        ],
    ),
    "budget": (
        "GenOps AI - Budget Monitoring",
        [
            ("Budgets over 80% utilized", "table", "budgets_over_80"),
            ("Budget status", "table", "budget_status"),
            ("Cost per 5 minutes by team", "line", "cost_per_5min"),
        ],
    ),
}

#: The guide's alerts: (title, search name, cron schedule).
ALERTS = [
    ("GenOps Budget Threshold Alert (>80%)", "alert_budget_threshold", "*/5 * * * *"),
    ("GenOps Policy Violation Alert", "alert_policy_violation", "*/5 * * * *"),
    ("GenOps Cost Anomaly Alert", "alert_cost_anomaly", "0 * * * *"),
]


def search(name: str, index: str = "genops_ai", sourcetype: Optional[str] = None) -> str:
    """The guide's search `name` for index (and sourcetype, when given)."""
    where = f"index={index}" + (f' sourcetype="{sourcetype}"' if sourcetype else "")
    return SEARCHES[name].strip().replace("index=genops_ai", where, 1)


def dashboard_xml(kind: str, index: str = "genops_ai", sourcetype: Optional[str] = None) -> str:
    """The guide's `kind` dashboard ("cost", "compliance", "budget") as Simple XML."""
    if kind not in DASHBOARDS:
        raise ValueError(f"unknown dashboard {kind!r}; choose one of: {', '.join(DASHBOARDS)}")
    title, panels = DASHBOARDS[kind]
    rows = []
    for panel_title, viz, name in panels:
        q = escape(search(name, index, sourcetype))
        element = (
            f"<table><search><query>{q}</query><earliest>-24h</earliest><latest>now</latest></search></table>"
            if viz == "table"
            else f"<chart><search><query>{q}</query><earliest>-24h</earliest><latest>now</latest></search>"
            f'<option name="charting.chart">{viz}</option></chart>'
        )
        rows.append(
            f"  <row>\n    <panel>\n      <title>{escape(panel_title)}</title>\n"
            f"      {element}\n    </panel>\n  </row>"
        )
    return (
        f'<dashboard version="1.1">\n  <label>{escape(title)}</label>\n'
        + "\n".join(rows)
        + "\n</dashboard>\n"
    )


def alerts_conf(index: str = "genops_ai", sourcetype: Optional[str] = None) -> str:
    """The guide's alerts as a savedsearches.conf (trigger when results > 0)."""
    out = []
    for title, name, cron in ALERTS:
        spl = search(name, index, sourcetype).replace("\n", " \\\n")
        out.append(
            f"[{title}]\nsearch = {spl}\nenableSched = 1\ncron_schedule = {cron}\n"
            "dispatch.earliest_time = -1h\ndispatch.latest_time = now\n"
            "counttype = number of events\nrelation = greater than\nquantity = 0\n"
            "alert.suppress = 1\nalert.suppress.period = 5m\nalert.track = 1\n"
        )
    return "\n".join(out)


@dataclass
class SplunkValidationResult:
    """The guide's result: valid, connectivity, index_accessible, errors, warnings,
    hec_version (HEC has no version endpoint: its health answer) and details."""

    valid: bool
    connectivity: bool
    index_accessible: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hec_version: Optional[str] = None
    details: dict[str, str] = field(default_factory=dict)
    report: str = ""


def validate_setup(
    splunk_hec_endpoint: Optional[str] = None,
    splunk_hec_token: Optional[str] = None,
    splunk_index: Optional[str] = None,
    check_connectivity: bool = True,
    verify_ssl: bool = True,
    splunk_sourcetype: Optional[str] = None,
) -> SplunkValidationResult:
    """Validate a HEC setup (the arguments, else SPLUNK_HEC_ENDPOINT, SPLUNK_HEC_TOKEN,
    SPLUNK_INDEX): the configuration, then, with check_connectivity, HEC's health
    endpoint and one test event into the index. verify_ssl=False skips TLS checks."""
    if not hasattr(native, "genops_hec_validate"):
        raise NotAvailableError("the Splunk HEC exporter is not compiled into this build of genops")
    _native_log.start_once()
    opts: dict[str, Any] = {
        "endpoint": splunk_hec_endpoint,
        "token": splunk_hec_token,
        "index": splunk_index,
        "sourcetype": splunk_sourcetype,
        "insecure": not verify_ssl,
    }
    v = native.genops_hec_validate(opts, bool(check_connectivity))
    details = {k[len("detail.") :]: val for k, val in v.items() if k.startswith("detail.")}
    return SplunkValidationResult(
        valid=v["valid"],
        connectivity=v["connectivity"],
        index_accessible=v["index_accessible"],
        errors=list(v["errors"]),
        warnings=list(v["warnings"]),
        hec_version=details.get("health") if v["connectivity"] else None,
        details=details,
        report=v["report"],
    )


def print_validation_result(result: SplunkValidationResult) -> None:
    """Print a validation result for people."""
    print(result.report, end="")


class SplunkIntegration:
    """The guide's integration class: configures genops to export to HEC and builds
    its dashboards and alerts for the same index and sourcetype."""

    def __init__(
        self,
        splunk_hec_endpoint: Optional[str] = None,
        splunk_hec_token: Optional[str] = None,
        splunk_index: Optional[str] = None,
        splunk_sourcetype: Optional[str] = None,
        service_name: Optional[str] = None,
        environment: Optional[str] = None,
        verify_ssl: bool = True,
    ) -> None:
        self.splunk_hec_endpoint = splunk_hec_endpoint or os.getenv("SPLUNK_HEC_ENDPOINT")
        self.splunk_hec_token = splunk_hec_token or os.getenv("SPLUNK_HEC_TOKEN")
        self.splunk_index = splunk_index or os.getenv("SPLUNK_INDEX") or "genops_ai"
        self.splunk_sourcetype = splunk_sourcetype or os.getenv("SPLUNK_SOURCETYPE") or "genops:telemetry"
        self.verify_ssl = verify_ssl
        if self.splunk_hec_endpoint and self.splunk_hec_token:
            from .. import init

            init(
                service_name=service_name,
                environment=environment,
                exporter_type="splunk",
                splunk_hec_endpoint=self.splunk_hec_endpoint,
                splunk_hec_token=self.splunk_hec_token,
                splunk_index=self.splunk_index,
                splunk_sourcetype=self.splunk_sourcetype,
                exporter_options=None if verify_ssl else {"insecure": True},
            )

    def _dashboard(self, kind: str) -> str:
        return dashboard_xml(kind, self.splunk_index, self.splunk_sourcetype)

    def create_cost_dashboard(self) -> str:
        return self._dashboard("cost")

    def create_compliance_dashboard(self) -> str:
        return self._dashboard("compliance")

    def create_budget_dashboard(self) -> str:
        return self._dashboard("budget")

    def create_alerts(self) -> str:
        return alerts_conf(self.splunk_index, self.splunk_sourcetype)

    def validate_configuration(self, check_connectivity: bool = True) -> SplunkValidationResult:
        return validate_setup(
            self.splunk_hec_endpoint,
            self.splunk_hec_token,
            self.splunk_index,
            check_connectivity=check_connectivity,
            verify_ssl=self.verify_ssl,
            splunk_sourcetype=self.splunk_sourcetype,
        )

    def print_validation(self, check_connectivity: bool = True) -> bool:
        result = self.validate_configuration(check_connectivity)
        print_validation_result(result)
        return result.valid


#: The guide's name for the class.
SplunkGenOpsIntegration = SplunkIntegration

__all__ = [
    "SplunkGenOpsIntegration",
    "SplunkIntegration",
    "SplunkValidationResult",
    "alerts_conf",
    "dashboard_xml",
    "print_validation_result",
    "validate_setup",
]
