#!/usr/bin/env bash
# Write the genops rockspec into $1 as genops-<version>-1.rockspec, the version from its
# one source (docs/installing.md): GENOPS_VERSION_STRING in genops.h.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
version=$(sed -n 's/^#define GENOPS_VERSION_STRING "\([0-9.]*\)"$/\1/p' "$top/core/include/genops.h")
[ -n "$version" ] || { echo "stage_rock: no GENOPS_VERSION_STRING in genops.h" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out"
sed "s/@VERSION@/$version/" "$top/bindings/lua/genops.rockspec.in" > "$out/genops-$version-1.rockspec"
