#!/usr/bin/env bash
# Print the version from its one source (docs/installing.md): GENOPS_VERSION_STRING in
# core/include/genops.h. The gem and the rock take it from here.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^#define GENOPS_VERSION_STRING "\([0-9.]*\)"$/\1/p' "$top/core/include/genops.h")
[ -n "$version" ] || { echo "version.sh: no GENOPS_VERSION_STRING in genops.h" >&2; exit 1; }
echo "$version"
