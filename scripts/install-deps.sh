#!/usr/bin/env bash
# Installs the Debian 12 packages feedwatch builds, tests and runs with. Idempotent; needs root
# (or sudo). Set FEEDWATCH_SKIP_DEPS=1 to skip when the packages are known to be present.
set -euo pipefail
[ "${FEEDWATCH_SKIP_DEPS:-0}" = 1 ] && exit 0
packages=(
  build-essential cmake pkg-config git ca-certificates curl
  libboost-dev libboost-system-dev libcurl4-openssl-dev libpugixml-dev librocksdb-dev
  prometheus-cpp-dev libtomlplusplus-dev nlohmann-json3-dev libexpected-dev
  libstemmer-dev libutf8proc-dev libgumbo-dev libsystemd-dev libspdlog-dev libfmt-dev
  libssl-dev libgtest-dev libgmock-dev libbenchmark-dev
)
# Only the test suite needs these (--tests): a real Prometheus and promtool for deploy/.
test_packages=(prometheus chromium)
# The page test (tests/page) drives chromium with playwright-core from npm. A node that is
# already installed (nodesource ships npm inside its nodejs) is kept: Debian's npm conflicts.
command -v npm >/dev/null 2>&1 || test_packages+=(nodejs npm)
[ "${1:-}" = --tests ] && packages+=("${test_packages[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
# Install packages without starting their services (Debian's prometheus would start one):
# deb-systemd-invoke and invoke-rc.d ask policy-rc.d, and 101 means "do not start".
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
