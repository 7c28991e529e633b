#!/bin/sh
# Matching throughput beside grep -F -i over the same article text, in one run.
#   bench/match/run.sh [BUILD_DIR] [CORPUS_DIR] [FEEDS]
# BUILD_DIR: a Release tree without sanitizers (default build-match-release, configured and
# built here); CORPUS_DIR (default /tmp/feedwatch-match-corpus) is generated on first use by
# /work/shared/bench/gen_corpus.py with FEEDS feeds (default 500: 29,550 articles, 35 MB).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build-match-release}
corpus=${2:-/tmp/feedwatch-match-corpus}
feeds=${3:-500}
shared=${FEEDWATCH_SHARED:-$here/../shared}/bench
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DFEEDWATCH_TESTS=OFF >/dev/null
cmake --build "$build" --target match_bench -j2 >/dev/null
[ -f "$corpus/files.txt" ] || python3 "$shared/gen_corpus.py" --feeds "$feeds" --out "$corpus"
# Two rows: match_bench builds every alert in full (Matcher::match, as the daemon does for each
# hit); match_bench-verdicts (the same binary under a second name, so the rows are told apart)
# stops at Matcher::find: which watchlists match, no alert text. match_bench also prints its own
# figures (matching alone: wall and CPU time, articles/s) to stderr.
ln -sf match_bench "$build/bench/match/match_bench-verdicts"
python3 "$shared/keywords/bench_grep.py" "$corpus" --runs "${RUNS:-1}" \
    --cmd "$build/bench/match/match_bench --runs 1 --terms {terms} {text}" \
    --cmd "$build/bench/match/match_bench-verdicts --runs 1 --verdicts --terms {terms} {text}"
