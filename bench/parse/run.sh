#!/usr/bin/env bash
# Parse throughput of feedwatch beside sfeed (one stream) and a bare pugixml load+walk, in
# one run, over the kit's generated corpus (2,000 feeds, ~200 MB, kept outside the repo).
#   bench/parse/run.sh [BUILD_DIR] [CORPUS_DIR] [RUNS]
# BUILD_DIR must be a Release tree without sanitizers, e.g.
#   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DFEEDWATCH_TESTS=OFF
#   make -C build-release parse_bench
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-release}
corpus=${2:-/tmp/feedwatch-bench-corpus}
runs=${3:-3}
kit=$root/../shared/bench
[ -x "$build/bench/parse/parse_bench" ] || { echo "build $build/bench/parse/parse_bench first (see header)" >&2; exit 1; }
[ -f "$corpus/files.txt" ] || python3 "$kit/gen_corpus.py" --feeds 2000 --out "$corpus"
python3 "$kit/bench_parse.py" "$corpus" --runs "$runs" --no-per-file --cmd "$build/bench/parse/parse_bench {files}"
