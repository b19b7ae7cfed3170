"""The SPL searches of GenOps' Splunk integration guide, as the guide writes them
(KoshiHQ/GenOps-AI docs/integrations/splunk.md), with its index "genops_ai": the one
source of the dashboards and alerts that genops.integrations.splunk builds."""

SEARCHES: dict[str, str] = {
    "cost_by_team": """\
index=genops_ai genops.cost.total=*
| stats sum(genops.cost.total) as total_cost by genops.team
| sort -total_cost
| eval total_cost_formatted=printf("$%.2f", total_cost)
| rename genops.team as Team, total_cost_formatted as "Total Cost"
""",
    "cost_by_model": """\
index=genops_ai genops.cost.model=*
| stats sum(genops.cost.total) as total_cost
        count as request_count
        avg(genops.cost.total) as avg_cost
    by genops.cost.model, genops.cost.provider
| eval total_cost_fmt=printf("$%.2f", total_cost)
| eval avg_cost_fmt=printf("$%.4f", avg_cost)
| sort -total_cost
| rename genops.cost.model as Model,
         genops.cost.provider as Provider,
         total_cost_fmt as "Total Cost",
         request_count as Requests,
         avg_cost_fmt as "Avg Cost/Request"
""",
    "cost_trend_by_project": """\
index=genops_ai genops.cost.total=*
| timechart span=1h sum(genops.cost.total) as total_cost by genops.project
| fillnull value=0
""",
    "top_customers": """\
index=genops_ai genops.cost.total=* genops.customer_id=*
| stats sum(genops.cost.total) as total_cost
        count as requests
        avg(genops.cost.total) as avg_cost_per_request
    by genops.customer_id
| eval total_cost_fmt=printf("$%.2f", total_cost)
| eval avg_cost_fmt=printf("$%.4f", avg_cost_per_request)
| sort -total_cost
| head 20
| rename genops.customer_id as "Customer ID",
         total_cost_fmt as "Total Cost",
         requests as Requests,
         avg_cost_fmt as "Avg Cost/Request"
""",
    "cost_by_feature": """\
index=genops_ai genops.feature=* genops.cost.total=*
| stats sum(genops.cost.total) as total_cost
        count as usage_count
    by genops.feature, genops.team
| eval cost_formatted=printf("$%.2f", total_cost)
| sort -total_cost
""",
    "policy_violations": """\
index=genops_ai genops.policy.result="blocked"
| table _time genops.policy.name genops.policy.reason genops.team genops.customer_id genops.operation.name
| sort -_time
| rename _time as Time,
         genops.policy.name as Policy,
         genops.policy.reason as Reason,
         genops.team as Team,
         genops.customer_id as Customer,
         genops.operation.name as Operation
""",
    "violations_by_policy": """\
index=genops_ai genops.policy.result="blocked"
| stats count as violations by genops.policy.name
| sort -violations
| rename genops.policy.name as "Policy Type", violations as "Violations"
""",
    "compliance_rate": """\
index=genops_ai genops.policy.result=*
| stats count(eval(genops.policy.result="allowed")) as allowed
        count(eval(genops.policy.result="blocked")) as blocked
        count as total
| eval compliance_rate=round((allowed/total)*100, 2)
| eval compliance_pct=tostring(compliance_rate) + "%"
| table compliance_pct allowed blocked total
| rename compliance_pct as "Compliance Rate",
         allowed as Allowed,
         blocked as Blocked,
         total as "Total Requests"
""",
    "budgets_over_80": """\
index=genops_ai genops.budget.utilization=*
| stats max(genops.budget.utilization) as max_util by genops.budget.name, genops.team
| where max_util > 80
| eval utilization_pct=round(max_util, 1) + "%"
| sort -max_util
| rename genops.budget.name as Budget,
         genops.team as Team,
         utilization_pct as "Utilization %"
""",
    "budget_status": """\
index=genops_ai genops.budget.*
| stats max(genops.budget.limit) as limit
        max(genops.budget.used) as used
        max(genops.budget.remaining) as remaining
        max(genops.budget.utilization) as utilization
    by genops.budget.name, genops.team
| eval limit_fmt=printf("$%.2f", limit)
| eval used_fmt=printf("$%.2f", used)
| eval remaining_fmt=printf("$%.2f", remaining)
| eval utilization_pct=round(utilization, 1) + "%"
| eval status=case(
    utilization >= 90, "CRITICAL",
    utilization >= 80, "WARNING",
    utilization >= 0, "OK"
  )
| sort -utilization
| rename genops.budget.name as Budget,
         genops.team as Team,
         limit_fmt as Limit,
         used_fmt as Used,
         remaining_fmt as Remaining,
         utilization_pct as "Utilization %",
         status as Status
""",
    "cost_per_5min": """\
index=genops_ai genops.cost.total=*
| bin _time span=5m
| stats sum(genops.cost.total) as cost_5min by _time, genops.team
| eval cost_formatted=printf("$%.4f", cost_5min)
| timechart span=5m sum(genops.cost.total) by genops.team
""",
    "alert_budget_threshold": """\
index=genops_ai genops.budget.utilization=*
| stats max(genops.budget.utilization) as max_util by genops.budget.name, genops.team
| where max_util > 80
| table genops.budget.name genops.team max_util
""",
    "alert_policy_violation": """\
index=genops_ai genops.policy.result="blocked"
| table _time genops.policy.name genops.policy.reason genops.team genops.customer_id
""",
    "alert_cost_anomaly": """\
index=genops_ai genops.cost.total=*
| bin _time span=1h
| stats sum(genops.cost.total) as hourly_cost by _time, genops.team
| eventstats avg(hourly_cost) as avg_hourly_cost by genops.team
| where hourly_cost > (avg_hourly_cost * 2)
| table _time genops.team hourly_cost avg_hourly_cost
""",
}
