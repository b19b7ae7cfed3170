"""The Splunk guide's `examples.observability.splunk_validation`."""

from genops.integrations.splunk import SplunkValidationResult, print_validation_result, validate_setup

__all__ = ["SplunkValidationResult", "print_validation_result", "validate_setup"]
