"""`python examples/validate_splunk_setup.py ...` from the repository root: the
guide's script in examples/observability/, run as is."""

import pathlib
import runpy

runpy.run_path(
    str(pathlib.Path(__file__).parent / "observability" / "validate_splunk_setup.py"), run_name="__main__"
)
