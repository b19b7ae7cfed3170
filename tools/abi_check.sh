#!/usr/bin/env bash
# abi_check.sh BASELINE LIBRARY HEADERS_DIR - compare LIBRARY (with its DWARF) against the
# libabigail BASELINE (core/abi/libgenops.abi), looking only at types of HEADERS_DIR.
# Added functions pass; anything else abidiff reports fails: a removed or changed
# function or symbol (incompatible) and a changed public type (harmful: reviewed by a
# person, and if intended the baseline is regenerated with `make abi-baseline`).
set -uo pipefail
baseline=$1 lib=$2 headers=$3
report=$(abidiff --no-added-syms --headers-dir2 "$headers" "$baseline" "$lib")
rc=$?
# abidiff's exit status is a bit field: 1 error, 2 usage, 4 ABI change, 8 incompatible.
if [ "$rc" -eq 0 ]; then
  echo "abi-check: $(basename "$lib") matches $(basename "$baseline")"
  exit 0
fi
printf '%s\n' "$report"
if [ $((rc & 3)) -ne 0 ]; then
  echo "abi-check: abidiff failed (status $rc)" >&2
elif [ $((rc & 8)) -ne 0 ]; then
  echo "abi-check: INCOMPATIBLE change against $baseline (programs linked with libgenops.so.0 would break)" >&2
else
  echo "abi-check: the public ABI changed (see above); if intended and compatible, run make abi-baseline and commit it" >&2
fi
exit 1
