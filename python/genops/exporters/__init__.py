"""Export configuration helpers (genops-ai's genops.exporters)."""
