#!/usr/bin/env bash
# The test suite: installs the Debian packages, builds with ASan/UBSan and -Werror, runs
# every test through CTest. .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
build=build/asan
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DFEEDWATCH_SANITIZE=ON -DFEEDWATCH_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 300
