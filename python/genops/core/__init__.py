"""GenOps core: telemetry, context and tracking (genops-ai's genops.core)."""

from .context_manager import GenOpsSpan, track, track_enhanced
from .telemetry import GenOpsTelemetry
from .tracker import track_cost, track_evaluation, track_usage

__all__ = [
    "GenOpsSpan",
    "GenOpsTelemetry",
    "track",
    "track_cost",
    "track_enhanced",
    "track_evaluation",
    "track_usage",
]
