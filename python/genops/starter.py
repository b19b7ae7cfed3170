"""The starter program `genops init` writes: genops.init() with the options given on
the command line, and one tracked AI operation with its cost, policy decision and
evaluation, as the guides record them. Secrets (SPLUNK_HEC_TOKEN, HONEYCOMB_API_KEY)
stay in the environment, where init() reads them; they are never written out."""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

_TEMPLATE = '''"""A GenOps AI starter, written by `genops init`: python {name}"""

import genops
from genops.core import track_enhanced
from genops.core.telemetry import GenOpsTelemetry

genops.init(
{arguments})
telemetry = GenOpsTelemetry()

with track_enhanced(operation_name="ai.chat.completion", customer_id="customer-1", feature="chat") as span:
    # Your model call goes here; then record what it cost, as the provider reported it.
    telemetry.record_cost(
        span, provider="openai", model="gpt-4o-mini", input_tokens=150, output_tokens=50, total_cost=0.0000525
    )
    telemetry.record_policy(span, policy_name="content_safety", policy_result="allowed")
    telemetry.record_evaluation(span, evaluation_name="answer_quality", score=0.9, threshold=0.8, passed=True)

genops.flush(10)  # the exit hook would flush too, within its deadline
print("recorded 1 operation; exporters:", ", ".join(genops.status()["exporters"]))
'''


def init_arguments(options: Mapping[str, Optional[Any]]) -> dict[str, Any]:
    """The keyword arguments for genops.init() among options (None = not given)."""
    return {k: v for k, v in options.items() if v is not None}


def program(options: Mapping[str, Optional[Any]], name: str = "genops_app.py") -> str:
    """The starter's source, calling genops.init(**init_arguments(options))."""
    arguments = "".join(
        f"    {k}={json.dumps(v) if isinstance(v, str) else repr(v)},\n"
        for k, v in init_arguments(options).items()
    )
    return _TEMPLATE.format(name=name, arguments=arguments)
