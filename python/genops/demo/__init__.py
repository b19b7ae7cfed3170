"""genops demo and genops bench: the embedded receiver, the demo workload, the guides'
queries over what arrived, and the exporters' benchmark (docs/architecture.md)."""
