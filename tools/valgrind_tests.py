#!/usr/bin/env python3
"""Run every ctest test labelled "valgrind" under valgrind memcheck.

    valgrind_tests.py BUILD_DIR

The list, each test's command, environment and working directory come from ctest
itself (`ctest --show-only=json-v1 -L valgrind`), so the set is the tests', not a
hand-kept one: cmake gives the label to every C unit test. Exits 1 at the first test
valgrind finds an error or a definite leak in.
"""

import json
import os
import subprocess
import sys
import time


def main() -> int:
    build = sys.argv[1]
    listing = subprocess.run(
        ["ctest", "--show-only=json-v1", "-L", "valgrind"],
        cwd=build,
        check=True,
        capture_output=True,
        text=True,
    )
    tests = json.loads(listing.stdout)["tests"]
    if not tests:
        print("valgrind: no test has the valgrind label", file=sys.stderr)
        return 1
    for test in tests:
        props = {p["name"]: p["value"] for p in test.get("properties", [])}
        env = dict(os.environ)
        env.update(kv.split("=", 1) for kv in props.get("ENVIRONMENT", []))
        cmd = [
            "valgrind",
            "-q",
            "--error-exitcode=9",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
        ]
        start = time.monotonic()
        rc = subprocess.run(
            cmd + test["command"],
            cwd=props.get("WORKING_DIRECTORY", build),
            env=env,
            stdout=subprocess.DEVNULL,
        ).returncode
        verdict = "ok" if rc == 0 else f"FAILED ({rc})"
        print(f"valgrind {test['name']}: {verdict} in {time.monotonic() - start:.1f} s")
        if rc:
            return 1
    print(f"valgrind: {len(tests)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
