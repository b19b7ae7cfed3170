"""The Splunk guide's `examples.observability.splunk_integration`: the package's
SplunkIntegration under the guide's name (genops.integrations.splunk)."""

from genops.integrations.splunk import SplunkGenOpsIntegration, SplunkIntegration

__all__ = ["SplunkGenOpsIntegration", "SplunkIntegration"]
