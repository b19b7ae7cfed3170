#!/usr/bin/env bash
# Write the genops rockspec into $1 as genops-<version>-1.rockspec, the version from its
# one source (tools/version.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
version=$("$top/tools/version.sh")
rm -rf "$out" && mkdir -p "$out"
sed "s/@VERSION@/$version/" "$top/bindings/lua/genops.rockspec.in" > "$out/genops-$version-1.rockspec"
