#!/usr/bin/env bash
# check_install.sh CMAKE BUILD_DIR CC - install BUILD_DIR into a temporary prefix, then
# build tests/install/consumer.c against it through pkg-config, shared and --static, and
# run both. Checks the soname links and that the shared build runs the installed copy.
set -euo pipefail
cmake=$1 build=$2 cc=$3
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d "${TMPDIR:-/tmp}/genops-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT

"$cmake" --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name genops.pc -path '*/pkgconfig/*')")/..
libdir=$(cd "$libdir" && pwd)
for f in include/genops.h; do [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }; done
# libgenops.so -> libgenops.so.0 -> libgenops.so.0.x.y, and the soname is libgenops.so.0.
[ "$(readlink "$libdir/libgenops.so")" = libgenops.so.0 ] || { echo "FAIL: libgenops.so link"; exit 1; }
real=$(readlink "$libdir/libgenops.so.0")
[ -f "$libdir/$real" ] && [[ $real == libgenops.so.0.* ]] || { echo "FAIL: libgenops.so.0 link"; exit 1; }
objdump -p "$libdir/$real" | grep -q 'SONAME *libgenops.so.0$' || { echo "FAIL: soname"; exit 1; }
[ -f "$libdir/libgenops.a" ] || { echo "FAIL: libgenops.a not installed"; exit 1; }

export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
"$cc" -std=c11 -Wall -Werror -o "$prefix/consumer" "$here/consumer.c" $(pkg-config --cflags --libs genops)
# --static: libgenops.a (-Bstatic for it alone) with the private dependencies the .pc names.
static_libs=$(pkg-config --static --libs genops | sed 's/-lgenops /-Wl,-Bstatic -lgenops -Wl,-Bdynamic /')
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Werror -o "$prefix/consumer_static" "$here/consumer.c" \
  $(pkg-config --cflags genops) $static_libs

out=$(LD_LIBRARY_PATH="$libdir" "$prefix/consumer")
grep -q 'installed.consumer' <<<"$out" || { echo "FAIL: shared consumer printed: $out"; exit 1; }
# (ldd's output is read whole: grep -q would close the pipe early under pipefail)
loaded=$(LD_LIBRARY_PATH="$libdir" ldd "$prefix/consumer")
grep -q "$libdir/libgenops.so.0" <<<"$loaded" ||
  { echo "FAIL: the consumer did not load the installed libgenops.so.0"; exit 1; }
out=$("$prefix/consumer_static")
grep -q 'installed.consumer' <<<"$out" || { echo "FAIL: static consumer printed: $out"; exit 1; }
loaded=$(ldd "$prefix/consumer_static")
! grep -q libgenops <<<"$loaded" || { echo "FAIL: static consumer uses the .so"; exit 1; }
echo "installed into $prefix; shared and static consumers built through pkg-config and ran"
