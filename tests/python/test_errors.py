"""The exception table: one root, the built-in each class also is, every native status
mapped, the stub's bases equal to the runtime's, and pickling keeps the code."""

from __future__ import annotations

import ast
import pathlib
import pickle

import pytest

import genops
from genops import _errors, native

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
