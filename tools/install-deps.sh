#!/usr/bin/env bash
# Install what the project needs and the machine lacks: Debian packages (apt-get), and
# Python packages (pip) in a virtual environment, $VENV (default build/venv), made with
# the system's python3 -m venv: nothing goes into the system interpreter. The Makefile
# uses $VENV/bin/python for pytest, the lint tools and every CMake configure.
# Idempotent and quiet when everything is there already.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

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

venv=${VENV:-$top/build/venv}
if [ ! -x "$venv/bin/python" ]; then
  echo "install-deps: python3 -m venv $venv"
  python3 -m venv "$venv"
fi
# Re-run pip when the requirements change (the stamp lives inside the venv it describes).
want=$(sha256sum "$top/tools/requirements-dev.txt" | cut -c1-16)
if [ "$(cat "$venv/.requirements-stamp" 2>/dev/null)" != "$want" ]; then
  echo "install-deps: pip install -r tools/requirements-dev.txt (in $venv)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$top/tools/requirements-dev.txt"
  echo "$want" > "$venv/.requirements-stamp"
fi
