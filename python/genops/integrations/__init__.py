"""GenOps' integrations with a backend's own tooling (dashboards, alerts, validation)."""
