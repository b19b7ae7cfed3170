"""The bindings' tables cannot drift from genops.h: tools/gen_bindings.py --check
passes (the .def lists agree with the header and the generated Python files are what
the generator writes), its drift check catches each kind of disagreement, and the
native module's tables are the lists' fields."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from genops import _errors, _status, native

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
gen = importlib.import_module("gen_bindings")

HEADER = gen.HEADER.read_text(encoding="utf-8")


def test_generated_files_are_current_and_lists_match_the_header():
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_bindings.py"), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr


def problems(header=HEADER, statuses=None, enums=None, lists=None):
    real_statuses, real_enums, real_lists = gen.read_all()
    return gen.drift(header, statuses or real_statuses, enums or real_enums, lists or real_lists)


def test_the_real_lists_have_no_drift():
    assert problems() == []


def test_a_field_added_to_the_header_is_caught():
    header = HEADER.replace(
        "    uint64_t buffered_bytes;", "    uint64_t buffered_bytes;\n    uint64_t spans_sampled;"
    )
    assert header != HEADER
    assert any("genops_stats" in p and "spans_sampled" in p for p in problems(header))


def test_a_field_missing_from_a_list_is_caught():
    _, _, lists = gen.read_all()
    lists["hec_options"] = [f for f in lists["hec_options"] if f.name != "channel"]
    assert any("genops_hec_options" in p and "channel" in p for p in problems(lists=lists))


def test_a_changed_type_is_caught():
    header = HEADER.replace("uint32_t max_queue_size;", "uint64_t max_queue_size;")
    assert header != HEADER
    assert any("max_queue_size" in p for p in problems(header))


def test_a_new_options_struct_without_a_list_is_caught():
    struct = "typedef struct genops_datadog_options {\n    size_t struct_size;\n}"
    header = HEADER + f"\n{struct} genops_datadog_options;\n"
    assert any("genops_datadog_options" in p for p in problems(header))


def test_a_new_status_or_enum_value_is_caught():
    header = HEADER.replace("GENOPS_EINTERNAL = 9", "GENOPS_EINTERNAL = 9,\n    GENOPS_EBUSY = 10")
    assert any("genops_status" in p for p in problems(header))
    header = HEADER.replace(
        "GENOPS_COMPRESSION_GZIP = 2", "GENOPS_COMPRESSION_GZIP = 2,\n    GENOPS_COMPRESSION_ZSTD = 3"
    )
    assert any("genops_compression" in p for p in problems(header))


def field_names(stem):
    return [f.name for f in gen.read_fields(gen.COMMON / f"{stem}.def")]


def test_stats_maps_have_exactly_the_listed_fields():
    pipeline = native.genops_pipeline_new(None)
    try:
        assert list(native.genops_pipeline_stats(pipeline)) == field_names("pipeline_stats")
    finally:
        native.genops_pipeline_free(pipeline)
    exporter = native.genops_hec_exporter_new({"endpoint": "http://127.0.0.1:9", "token": "t"})
    try:
        assert list(native.genops_hec_exporter_stats(exporter)) == field_names("hec_stats")
    finally:
        native.genops_exporter_free(exporter)


@pytest.mark.parametrize(
    "stem, make",
    [
        ("pipeline_options", native.genops_pipeline_new),
        ("otlp_options", native.genops_otlp_exporter_new),
        ("hec_options", native.genops_hec_exporter_new),
    ],
)
def test_every_listed_option_is_in_the_native_table(stem, make):
    # A value of the wrong type for every kind: a known field says what is wrong with
    # it, only a name missing from the table is "unknown".
    for name in field_names(stem):
        with pytest.raises(_errors.ConfigError) as info:
            make({name: [1]})
        assert f"option '{name}'" in str(info.value)
        assert "is unknown" not in str(info.value), name
    with pytest.raises(_errors.ConfigError, match="is unknown"):
        make({"no_such_option": 1})


def test_status_names_and_classes_come_from_status_def():
    statuses = gen.read_statuses()
    for s in statuses:
        assert getattr(native, f"GENOPS_{s.name}") == s.value == getattr(_status, s.name)
        assert native.genops_strerror(s.value) == s.text
    assert {c: cls.__name__ for c, cls in _errors._BY_CODE.items()} == {
        s.value: s.cls for s in statuses if s.value
    }
