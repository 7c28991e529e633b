#!/bin/sh
# Two match_bench binaries (say, built before and after a change) interleaved on one corpus,
# both modes of the second, so that the machine's load weighs on all rows alike.
#   bench/match/compare.sh BEFORE AFTER [CORPUS_DIR] [ROUNDS]
# CORPUS_DIR as made by run.sh (default /tmp/feedwatch-match-corpus, with terms-N.txt).
set -eu
before=$1
after=$2
corpus=${3:-/tmp/feedwatch-match-corpus}
rounds=${4:-1}
round=1
while [ "$round" -le "$rounds" ]; do
    for terms in 10 50000; do
        echo "== round $round, $terms terms, $(uptime | sed 's/.*load/load/')"
        "$before" --runs 3 --terms "$corpus/terms-$terms.txt" "$corpus/articles.txt" 2>&1 >/dev/null | sed 's/^/before:   /'
        "$after" --runs 3 --terms "$corpus/terms-$terms.txt" "$corpus/articles.txt" 2>&1 >/dev/null | sed 's/^/alerts:   /'
        "$after" --runs 3 --verdicts --terms "$corpus/terms-$terms.txt" "$corpus/articles.txt" 2>&1 >/dev/null |
            sed 's/^/verdicts: /'
    done
    round=$((round + 1))
done
