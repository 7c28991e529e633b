#!/bin/sh
# The long crash test: SIGKILL the real daemon KILLS times (default 50) while feeds publish,
# then check that every alert arrived with a stable id. Builds what it needs in BUILD_DIR
# (default build-crash, ASan/UBSan like CI). Prints the counts; exit status 0 on success.
set -eu
kills=${1:-50}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build-crash}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DFEEDWATCH_SANITIZE=ON >/dev/null
make -C "$build" -j2 crash_tests feedwatchd >/dev/null
FEEDWATCH_CRASH_KILLS=$kills timeout $((kills * 4 + 180)) "$build/tests/crash/crash_tests"
