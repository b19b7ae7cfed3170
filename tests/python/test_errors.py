"""The exception table: one root, the built-in each class also is, every native status
mapped, the stub's bases equal to the runtime's, and pickling keeps the code; the
public genops.errors (each class what the failing call raises) and genops-ai's
genops.core.exceptions."""

from __future__ import annotations

import ast
import contextlib
import pathlib
import pickle
import sys

import pytest

import genops
from genops import _errors, _runtime, errors, native

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "peers"))
from otlp_server import OtlpServer  # noqa: E402

STUB = pathlib.Path(_errors.__file__).with_suffix(".pyi")


def stub_bases() -> dict[str, list[str]]:
    tree = ast.parse(STUB.read_text())
    return {
        node.name: [ast.unparse(b) for b in node.bases]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }


def test_stub_matches_runtime_bases():
    stub = stub_bases()
    runtime = {
        name: cls
        for name, cls in vars(_errors).items()
        if isinstance(cls, type) and issubclass(cls, BaseException)
    }
    assert set(stub) == set(runtime)
    for name, bases in stub.items():
        assert [b.__name__ for b in runtime[name].__bases__] == bases, name


def test_every_native_status_has_a_class():
    codes = {
        getattr(native, n)
        for n in dir(native)
        if n.startswith("GENOPS_E") and n != "GENOPS_ERROR_MESSAGE_SIZE"
    }
    assert codes == set(_errors._BY_CODE)
    for code in codes:
        assert issubclass(_errors._class_for_status(code), genops.GenOpsError)
        assert native.genops_strerror(code)  # the C library names it too
    assert _errors._class_for_status(999) is genops.GenOpsError


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (genops.ConfigError, ValueError),
        (genops.FlushTimeout, TimeoutError),
        (genops.AttributeTypeError, TypeError),
        (genops.NotAvailableError, NotImplementedError),
        (genops.LimitExceededError, ValueError),
    ],
)
def test_classes_are_also_the_builtin(cls, builtin):
    assert issubclass(cls, genops.GenOpsError)
    assert issubclass(cls, builtin)


def test_message_code_and_pickle():
    e = genops.FlushTimeout("flush: deadline passed", 4)
    assert str(e) == "flush: deadline passed"
    assert e.code == 4
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is genops.FlushTimeout
    assert (str(again), again.code) == (str(e), 4)


def test_native_errors_carry_the_status_code():
    with pytest.raises(genops.ConfigError) as info:
        native.genops_pipeline_new({"max_queue_size": "many"})
    assert info.value.code == native.GENOPS_EINVAL
    assert "max_queue_size" in str(info.value)


# ---- genops.errors: every class by its public name, each raised by the call that fails
# with its status (the statuses no call returns to Python are checked by the table).


def _config_error():
    native.genops_pipeline_new({"max_queue_size": "many"})


def _attribute_type_error():
    genops.set_context(team=object())  # an operation's attribute would be dropped instead


def _limit_exceeded():
    p = native.genops_pipeline_new({"max_buffer_bytes": 4096})
    try:
        h = native.genops_span_start(p, "big", None)
        try:
            native.genops_span_set_str(h, "text", "x" * 100_000)
        finally:
            native.genops_span_end(h)
    finally:
        native.genops_pipeline_free(p)


def _span_ended():
    p = native.genops_pipeline_new({})
    try:
        h = native.genops_span_start(p, "once", None)
        native.genops_span_end(h)
        native.genops_span_end(h)
    finally:
        native.genops_pipeline_free(p)


def _shut_down():
    p = native.genops_pipeline_new({})
    try:
        native.genops_pipeline_shutdown(p, 1000)
        native.genops_span_start(p, "late", None)
    finally:
        native.genops_pipeline_free(p)


def _flush_timeout():
    if not hasattr(native, "genops_otlp_exporter_new"):
        pytest.skip("no OTLP exporter in this build")
    with OtlpServer() as server:
        server.script([], default={"status": 200, "delay_ms": 2000})
        p = native.genops_pipeline_new({"exit_flush_timeout_ms": native.GENOPS_NO_EXIT_FLUSH})
        try:
            native.genops_pipeline_add_exporter(p, native.genops_otlp_exporter_new({"endpoint": server.url}))
            native.genops_span_end(native.genops_span_start(p, "slow", None))
            native.genops_pipeline_flush(p, 100)
        finally:
            with contextlib.suppress(errors.FlushTimeout):
                native.genops_pipeline_shutdown(p, 5000)
            native.genops_pipeline_free(p)


def _not_available():
    missing = [t for t in _runtime.EXPORTER_TYPES if t not in _runtime.available_exporter_types()]
    if not missing:
        pytest.skip("this build has every exporter type")
    genops.init(exporter_type=missing[0])


RAISED_BY = {
    "ConfigError": (_config_error, native.GENOPS_EINVAL),
    "AttributeTypeError": (_attribute_type_error, native.GENOPS_EINVAL),
    "LimitExceededError": (_limit_exceeded, native.GENOPS_ETOOBIG),
    "SpanEndedError": (_span_ended, native.GENOPS_ESTALE),
    "ShutdownError": (_shut_down, native.GENOPS_ESHUTDOWN),
    "FlushTimeout": (_flush_timeout, native.GENOPS_ETIMEDOUT),
    "NotAvailableError": (_not_available, 0),
}
# No call returns these to Python today: export failures happen on the export thread,
# where they are counted and logged, and allocation failures cannot be provoked here.
# The native layer raises them through _class_for_status, so the table is the check.
BY_STATUS_ONLY = {
    "GenOpsError": None,  # a status this version does not know
    "GenOpsMemoryError": native.GENOPS_ENOMEM,
    "TransportError": native.GENOPS_EIO,
    "RejectedError": native.GENOPS_EREJECTED,
    "InternalError": native.GENOPS_EINTERNAL,
}


def test_genops_errors_lists_every_class_the_native_layer_raises():
    raised = {cls.__name__ for cls in _errors._BY_CODE.values()} | {"GenOpsError", "AttributeTypeError"}
    assert raised <= set(errors.__all__)
    assert set(errors.__all__) == set(RAISED_BY) | set(BY_STATUS_ONLY)
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert cls is getattr(_errors, name)
        assert issubclass(cls, errors.GenOpsError)
        assert cls.__doc__ and cls.__doc__.strip(), name


@pytest.mark.parametrize("name", sorted(RAISED_BY))
def test_each_public_class_is_what_the_failing_call_raises(name, genops_memory):
    trigger, code = RAISED_BY[name]
    with pytest.raises(errors.GenOpsError) as info:
        trigger()
    assert type(info.value) is getattr(errors, name)
    assert info.value.code == code
    assert str(info.value)


@pytest.mark.parametrize("name", sorted(BY_STATUS_ONLY))
def test_statuses_no_call_returns_map_to_their_public_class(name):
    code = BY_STATUS_ONLY[name]
    assert _errors._class_for_status(999 if code is None else code) is getattr(errors, name)


def test_genops_ai_exception_names():
    from genops.core import exceptions

    assert set(errors.__all__) <= set(exceptions.__all__)
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), errors.GenOpsError), name
    assert exceptions.GenOpsError is errors.GenOpsError
    assert exceptions.GenOpsConfigurationError is errors.ConfigError
    with pytest.raises(exceptions.GenOpsConfigurationError):
        genops.init(exporter_type="carrier-pigeon")
    e = exceptions.GenOpsBudgetExceededError("over", budget_limit=10.0, current_cost=9.5, operation_cost=1.0)
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is exceptions.GenOpsBudgetExceededError
    assert (str(again), again.budget_limit, again.current_cost, again.operation_cost) == (
        "over",
        10.0,
        9.5,
        1.0,
    )


# ---- header values a request cannot carry ------------------------------------------------


@pytest.mark.parametrize("bad", ["abc\0def", "abc\x0bdef", "abc\x7fdef", "abc\rdef"])
def test_a_control_character_in_a_header_value_is_refused(bad):
    # A NUL used to cut the value short silently; VT and DEL went out as they were.
    with pytest.raises(genops.ConfigError) as info:
        native.genops_otlp_exporter_new({"endpoint": "http://127.0.0.1:9", "headers": {"x-api-key": bad}})
    assert info.value.code == native.GENOPS_EINVAL
    assert "def" not in str(info.value)


def test_a_malformed_header_name_is_not_echoed():
    pasted = "x-api-key: s3cr3t-t0ken-value"
    with pytest.raises(genops.ConfigError) as info:
        native.genops_otlp_exporter_new({"endpoint": "http://127.0.0.1:9", "headers": {pasted: "v"}})
    assert "s3cr3t" not in str(info.value)


def test_a_nul_in_a_string_option_is_refused():
    with pytest.raises(genops.ConfigError) as info:
        native.genops_pipeline_new({"service_name": "svc\0tail"})
    assert "NUL" in str(info.value)
