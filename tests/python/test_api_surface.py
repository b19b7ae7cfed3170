"""genops-ai's names, import paths and signatures, the stubs, and the SWIG interface
accounting for every function of genops.h."""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import re

import pytest

import genops
from genops import _native, native

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = pathlib.Path(genops.__file__).parent

COST_API = [
    "MultiProviderCostAggregator",
    "MultiProviderCostSummary",
    "ProviderCostEntry",
    "compare_provider_costs",
    "estimate_migration_costs",
    "multi_provider_cost_tracking",
]

NAMES = {
    "genops": [
        "init",
        "auto_instrument",
        "status",
        "uninstrument",
        "track",
        "track_enhanced",
        "track_usage",
        "GenOpsTelemetry",
        "set_default_attributes",
        "get_default_attributes",
        "clear_default_attributes",
        "update_default_attributes",
        "set_context",
        "get_context",
        "clear_context",
        "get_effective_attributes",
        "set_team_defaults",
        "set_customer_context",
        "set_user_context",
        "__version__",
        "flush",
        "shutdown",
        "GenOpsError",
        "ConfigError",
        "FlushTimeout",
        *COST_API,
    ],
    "genops.core.multi_provider_costs": COST_API,
    "genops.core": ["track_enhanced", "GenOpsTelemetry", "track"],
    "genops.core.telemetry": ["GenOpsTelemetry"],
    "genops.core.context_manager": ["track", "track_enhanced", "GenOpsSpan"],
    "genops.core.context": [
        "set_default_attributes",
        "get_default_attributes",
        "clear_default_attributes",
        "update_default_attributes",
        "set_context",
        "get_context",
        "clear_context",
        "get_effective_attributes",
        "set_team_defaults",
        "set_customer_context",
        "set_user_context",
        "set_governance_context",
        "clear_governance_context",
        "governance_context",
    ],
    "genops.core.tracker": ["track_usage", "track_cost", "track_evaluation"],
    "genops.auto_instrumentation": ["init", "status", "uninstrument", "GenOpsInstrumentor"],
    "genops.exporters.otlp": ["configure_otlp_exporter", "configure_multi_backend_export"],
    "genops.exporters.validation": ["validate_export_setup", "print_validation_result", "ValidationResult"],
}


@pytest.mark.parametrize("module", sorted(NAMES))
def test_names_and_import_paths(module):
    m = importlib.import_module(module)
    missing = [n for n in NAMES[module] if not hasattr(m, n)]
    assert not missing


def params(fn) -> list[str]:
    return [p.name for p in inspect.signature(fn).parameters.values() if p.kind is not p.VAR_KEYWORD]


# genops-ai's parameter names, in order (the native functions take the same names).
SIGNATURES = [
    (
        genops.track,
        ["operation_name", "operation_type", "team", "project", "feature", "customer", "environment"],
    ),
    (
        genops.track_enhanced,
        ["operation_name", "operation_type", "team", "project", "feature", "customer", "environment"],
    ),
    (genops.core.telemetry.GenOpsTelemetry.__init__, ["self", "tracer_name"]),
    (genops.set_team_defaults, ["team", "project", "cost_center"]),
    (genops.set_customer_context, ["customer_id", "customer_name", "tier"]),
    (genops.set_user_context, ["user_id"]),
    (
        genops.track_usage,
        ["operation_name", "operation_type", "team", "project", "feature", "customer", "environment"],
    ),
]


@pytest.mark.parametrize(
    "fn, expected", SIGNATURES, ids=lambda x: getattr(x, "__qualname__", "") if callable(x) else ""
)
def test_signatures(fn, expected):
    assert params(fn) == expected


def test_telemetry_methods_are_the_native_calls():
    t = genops.GenOpsTelemetry()
    assert t.record_cost is _native.record_cost
    assert t.trace_operation is _native.trace_operation
    assert t.create_span is _native.create_span
    assert t.tracer_name == "genops-ai"


def test_native_stub_lists_only_what_exists():
    tree = ast.parse((PACKAGE / "native.pyi").read_text())
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name != "__getattr__"]
    names += [n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)]
    assert names
    assert [n for n in names if not hasattr(native, n)] == []


def test_hand_written_stub_lists_only_what_exists():
    tree = ast.parse((PACKAGE / "_native.pyi").read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name != "__getattr__":
            assert hasattr(_native, node.name), node.name
        if isinstance(node, ast.ClassDef):
            cls = getattr(_native, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name != "__init__":
                    assert hasattr(cls, item.name), f"{node.name}.{item.name}"


def test_py_typed():
    assert (PACKAGE / "py.typed").exists()


def test_every_genops_h_function_is_wrapped_or_ignored():
    header = (ROOT / "core" / "include" / "genops.h").read_text()
    interface = (ROOT / "bindings" / "genops.i").read_text()
    functions = set(re.findall(r"GENOPS_API\b[^;(]*?\b(genops_\w+)\s*\(", header))
    assert len(functions) > 50
    ignored = set(re.findall(r"%ignore\s+(genops_\w+)\s*;", interface))
    unaccounted = sorted(f for f in functions if not hasattr(native, f) and f not in ignored)
    assert unaccounted == []
    # and every %ignore says why
    for line in interface.splitlines():
        if line.startswith("%ignore genops_"):
            assert "/*" in line, line


def test_version():
    assert genops.__version__ == "0.1.0"
    assert native.genops_version() == native.GENOPS_VERSION_STRING


# genops-ai's GenOpsInstrumentor.instrument (src/genops/auto_instrumentation.py): its
# parameters, order and defaults; its init() passed them through **kwargs.
GENOPS_AI_INIT = [
    ("service_name", "genops-ai-app"),
    ("service_version", "0.1.0"),
    ("environment", None),
    ("exporter_type", "console"),
    ("otlp_endpoint", None),
    ("otlp_headers", None),
    ("providers", None),
    ("auto_detect", True),
    ("patch_all", True),
    ("default_team", None),
    ("default_project", None),
    ("default_environment", None),
]
# Where the default is None here and a value in genops-ai: None reads the environment
# (OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER) first, then falls back to genops-ai's value.
FROM_THE_ENVIRONMENT = {"service_name", "exporter_type"}


def test_init_has_a_real_signature():
    sig = inspect.signature(genops.init)
    ps = list(sig.parameters.values())
    assert all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in ps)  # no **kwargs
    head = ps[: len(GENOPS_AI_INIT)]
    assert [p.name for p in head] == [n for n, _ in GENOPS_AI_INIT]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in head)
    for p, (name, default) in zip(head, GENOPS_AI_INIT):
        assert p.default == (None if name in FROM_THE_ENVIRONMENT else default), name
    assert all(p.kind is p.KEYWORD_ONLY for p in ps[len(GENOPS_AI_INIT) :])
    for p in ps:
        assert p.annotation is not p.empty, p.name
        assert f"- {p.name}" in genops.init.__doc__ or f", {p.name}" in genops.init.__doc__, p.name
    assert sig.return_annotation in ("GenOpsInstrumentor", genops.GenOpsInstrumentor)


def test_init_aliases_share_the_signature():
    assert genops.auto_instrument is genops.init
    assert genops.GenOpsInstrumentor().instrument is genops.init
    assert inspect.signature(genops.GenOpsInstrumentor().instrument) == inspect.signature(genops.init)


def test_init_rejects_an_unknown_keyword_by_name(genops_memory):
    with pytest.raises(TypeError, match="unexpected keyword argument 'exporter'"):
        genops.init(exporter="console")
    with pytest.raises(TypeError):
        genops.init("svc", "1.0", "prod", "memory", None, None, None, True, True, None, None, None, "cc")
