#!/usr/bin/env bash
# deps.sh — make sure the Debian packages the build needs are installed.
# As root: installs what is missing with apt-get. Otherwise: prints the exact
# command to run, and fails. Extra package names may be passed as arguments
# (.ci/run adds the clang toolchain for the sanitizer and fuzz builds).
set -euo pipefail

pkgs=(gcc make cmake pkg-config libcmocka-dev zlib1g-dev liblapacke-dev libopenblas-dev "$@")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: missing Debian packages: ${missing[*]}" >&2
  echo "deps: run:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
