"""The demo's AI workload: a deterministic plan of operations (teams, projects,
features, customers and their tiers, models of four providers priced from the shipped
price table, a cost-limit policy that blocks one request, each team's monthly budget,
answer-quality evaluations), and its recording through the genops API, as an
application would record it.

plan() is pure data, so what was recorded can be totalled without reading anything
back; record() drives genops.track / GenOpsTelemetry with it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Optional

from ..core.policy import PolicyConfig, PolicyEngine, PolicyResult
from ..pricing import lookup

# team -> (project, features, monthly budget in USD, spent this month before the demo)
TEAMS: dict[str, tuple[str, tuple[str, ...], float, float]] = {
    "customer-support": ("chat-assistant", ("support-chat", "ticket-summary"), 50.0, 41.0),
    "ml-research": ("eval-harness", ("batch-eval", "prompt-lab"), 200.0, 60.0),
    "marketing": ("content-studio", ("copywriting", "image-captions"), 30.0, 12.0),
}
CUSTOMERS: dict[str, str] = {  # customer -> tier
    "enterprise-abc": "enterprise",
    "enterprise-def": "enterprise",
    "business-xyz": "business",
    "startup-123": "free",
}
MODELS: tuple[tuple[str, str], ...] = (  # (provider, model), all in genops/pricing/prices.json
    ("openai", "gpt-4o"),
    ("openai", "gpt-4o-mini"),
    ("anthropic", "claude-3-5-sonnet"),
    ("mistral_ai", "mistral-large"),
)
COST_LIMIT = 0.25  # USD per request: the cost_limit policy's max_cost
QUALITY_THRESHOLD = 0.8
ENVIRONMENT = "production"


@dataclass(frozen=True)
class Operation:
    name: str
    team: str
    project: str
    feature: str
    customer: str
    tier: str
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    estimated_cost: float  # from the price table
    blocked: bool  # the cost_limit policy blocked it: no model call, no cost
    policy_reason: Optional[str]
    budget: str
    budget_limit: float
    budget_used: float  # month to date, this operation included
    quality: Optional[float]  # answer_quality score of a support answer

    @property
    def cost(self) -> float:
        return 0.0 if self.blocked else self.estimated_cost


def policies() -> PolicyEngine:
    engine = PolicyEngine()
    engine.register_policy(
        PolicyConfig(
            "cost_limit",
            f"requests over ${COST_LIMIT:.2f} are blocked",
            True,
            PolicyResult.BLOCKED,
            {"max_cost": COST_LIMIT},
        )
    )
    return engine


def plan(operations: int = 48, seed: int = 7) -> list[Operation]:
    """operations operations, the same for the same seed; the last one is a request
    large enough for the cost_limit policy to block."""
    rng = random.Random(seed)
    engine = policies()
    used = {team: spent for team, (_, _, _, spent) in TEAMS.items()}
    out = []
    for i in range(operations):
        team = sorted(TEAMS)[i % len(TEAMS)]
        project, features, limit, _ = TEAMS[team]
        provider, model = MODELS[rng.randrange(len(MODELS))]
        customer = sorted(CUSTOMERS)[rng.randrange(len(CUSTOMERS))]
        tokens_in, tokens_out = rng.randrange(200, 4000), rng.randrange(50, 1200)
        if i == operations - 1:  # a whole contract pasted into the prompt
            provider, model, customer = "anthropic", "claude-3-5-sonnet", "startup-123"
            tokens_in, tokens_out = 90_000, 4000
        price = lookup(provider, model)
        assert price is not None, (provider, model)
        estimated = float(price.cost(tokens_in, tokens_out))
        decision = engine.evaluate_policy("cost_limit", {"cost": estimated, "team": team})
        blocked = decision.result == PolicyResult.BLOCKED
        if not blocked:
            used[team] += estimated
        feature = features[rng.randrange(len(features))]
        graded = feature == "support-chat" and not blocked
        out.append(
            Operation(
                name="ai.chat.completion" if feature != "batch-eval" else "ai.batch.evaluation",
                team=team,
                project=project,
                feature=feature,
                customer=customer,
                tier=CUSTOMERS[customer],
                provider=provider,
                model=model,
                input_tokens=tokens_in,
                output_tokens=tokens_out,
                estimated_cost=estimated,
                blocked=blocked,
                policy_reason=decision.reason,
                budget=f"{team}-monthly",
                budget_limit=limit,
                budget_used=used[team],
                quality=round(rng.uniform(0.6, 1.0), 3) if graded else None,
            )
        )
    return out


def record(ops: list[Operation]) -> None:
    """Record ops through the genops API (on the current pipeline)."""
    from ..core import track_enhanced
    from ..core.telemetry import GenOpsTelemetry

    telemetry = GenOpsTelemetry()
    for op in ops:
        with track_enhanced(
            operation_name=op.name,
            team=op.team,
            project=op.project,
            feature=op.feature,
            environment=ENVIRONMENT,
            customer_id=op.customer,
            customer_tier=op.tier,
        ) as span:
            telemetry.record_policy(
                span,
                policy_name="cost_limit",
                policy_result="blocked" if op.blocked else "allowed",
                policy_reason=op.policy_reason or f"estimated ${op.estimated_cost:.4f} is within the limit",
            )
            if op.blocked:
                continue  # no model call: no cost, no tokens
            telemetry.record_cost(
                span,
                provider=op.provider,
                model=op.model,
                input_tokens=op.input_tokens,
                output_tokens=op.output_tokens,
                total_cost=op.cost,
            )
            telemetry.record_budget(
                span, budget_name=op.budget, budget_limit=op.budget_limit, budget_used=op.budget_used
            )
            if op.quality is not None:
                telemetry.record_evaluation(
                    span,
                    evaluation_name="answer_quality",
                    score=op.quality,
                    threshold=QUALITY_THRESHOLD,
                    passed=op.quality >= QUALITY_THRESHOLD,
                )


def recorded(ops: list[Operation]) -> dict[str, object]:
    """What was recorded, totalled from the plan itself: the answers every backend's
    queries must give (sums with math.fsum, exact whatever the order)."""

    def by(key: str) -> dict[str, float]:
        groups: dict[str, list[float]] = {}
        for op in ops:
            if not op.blocked:
                groups.setdefault(getattr(op, key), []).append(op.cost)
        return {k: math.fsum(v) for k, v in sorted(groups.items())}

    budgets = {}
    for op in ops:
        if not op.blocked:
            budgets[op.budget] = {"limit": op.budget_limit, "used": op.budget_used}
    return {
        "operations": len(ops),
        "total_cost": math.fsum(op.cost for op in ops),
        "cost_by_team": by("team"),
        "cost_by_model": by("model"),
        "cost_by_customer": by("customer"),
        "violations": sorted(op.customer for op in ops if op.blocked),
        "budgets": dict(sorted(budgets.items())),
    }
