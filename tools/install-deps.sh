#!/usr/bin/env bash
# Install what the project needs and the machine lacks: Debian packages (apt-get) and
# Python packages (pip). Idempotent and quiet when everything is there already.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
stamp_dir="$top/build"
mkdir -p "$stamp_dir"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

missing=()
while read -r pkg; do
  case "$pkg" in ""|\#*) continue ;; esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done < "$top/tools/apt-packages.txt"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The number-formatting tests compare bytes under a decimal-comma locale.
if ! locale -a 2>/dev/null | grep -qiE '^de_DE\.utf-?8$'; then
  echo "install-deps: localedef de_DE.UTF-8"
  $sudo localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi

py=${PYTHON:-python3}
want=$(sha256sum "$top/tools/requirements-dev.txt" | cut -c1-16)-$($py -c 'import sys; print(sys.prefix)' | sha256sum | cut -c1-8)
if [ "$(cat "$stamp_dir/.pip-stamp" 2>/dev/null)" != "$want" ]; then
  echo "install-deps: pip install -r tools/requirements-dev.txt"
  $py -m pip install -q --disable-pip-version-check -r "$top/tools/requirements-dev.txt"
  echo "$want" > "$stamp_dir/.pip-stamp"
fi
