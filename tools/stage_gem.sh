#!/usr/bin/env bash
# Stage the genops gem's files in $1 (bindings/ruby, genops.i, the shared binding code,
# genops.h, status.def, the version) and build the .gem there with `gem build`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
rm -rf "$out"
mkdir -p "$out/ext/genops/common" "$out/ext/genops/include"
cp -r "$top/bindings/ruby/lib" "$top/bindings/ruby/genops.gemspec" "$out/"
cp "$top/bindings/ruby/ext/genops/extconf.rb" "$top/bindings/genops.i" \
   "$top/bindings/ruby/genops_ruby.swg" "$out/ext/genops/"
cp "$top"/bindings/common/*.c "$top"/bindings/common/*.h "$top"/bindings/common/*.def \
   "$out/ext/genops/common/"
cp "$top/core/include/genops.h" "$top/core/src/status.def" "$out/ext/genops/include/"
"$top/tools/version.sh" > "$out/VERSION"
(cd "$out" && gem build -q genops.gemspec)
