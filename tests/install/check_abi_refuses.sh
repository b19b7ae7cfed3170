#!/usr/bin/env bash
# check_abi_refuses.sh ABI_CHECK BASELINE BROKEN_LIB HEADERS_DIR - abi_check.sh must fail
# on BROKEN_LIB (libgenops without genops_version) and name the removed function.
set -uo pipefail
out=$("$1" "$2" "$3" "$4" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then
  echo "FAIL: abi_check accepted a library without genops_version"; exit 1
fi
if ! grep -q "INCOMPATIBLE" <<<"$out" || ! grep -q "1 Removed," <<<"$out" ||
  ! grep -q "genops_version" <<<"$out" || grep -q "SONAME" <<<"$out"; then
  echo "FAIL: abi_check failed, but not as an incompatible removal of genops_version"; exit 1
fi
echo "abi_check refused the broken copy, as it must"
