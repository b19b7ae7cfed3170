#!/bin/sh
# build_before.sh REV [DIR] - build revision REV for a side-by-side run against the
# working tree (benchmarks/before_after.py): a git worktree of REV in DIR/src (default
# build/before), with today's benchmarks/bench_pipeline.c copied in so that both builds
# run the same benchmark source, then REV's Release bench_pipeline (DIR/release) and its
# Python package and native module (DIR/pyrel/python).
set -eu
rev=${1:?usage: build_before.sh REV [DIR]}
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
dir=${2:-$root/build/before}
src=$dir/src

mkdir -p "$dir"
if [ -d "$src" ]; then
    git -C "$src" checkout -q --detach "$rev" -- 2>/dev/null || git -C "$src" checkout -q --detach "$rev"
    git -C "$src" checkout -q -- benchmarks/bench_pipeline.c
else
    git -C "$root" worktree add -q --detach "$src" "$rev"
fi
cp "$root/benchmarks/bench_pipeline.c" "$src/benchmarks/bench_pipeline.c"
git -C "$src" rev-parse --short HEAD > "$dir/REV"

cmake -S "$src" -B "$dir/release" -DCMAKE_BUILD_TYPE=Release > "$dir/release.log" 2>&1
cmake --build "$dir/release" -j2 --target bench_pipeline >> "$dir/release.log" 2>&1
cmake -S "$src" -B "$dir/pyrel" -DCMAKE_BUILD_TYPE=Release -DGENOPS_BUILD_TESTS=OFF \
    -DGENOPS_BUILD_PYTHON=ON > "$dir/pyrel.log" 2>&1
cmake --build "$dir/pyrel" -j2 --target genops_python >> "$dir/pyrel.log" 2>&1
echo "built $(cat "$dir/REV") in $dir"
