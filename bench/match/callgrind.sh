#!/bin/sh
# Instructions spent matching, which the machine's load does not change: callgrind counts
# those inside Matcher::match (or Matcher::find with --verdicts) over the first 1,000 articles,
# for one pass and for two; the difference is a pass with the word cache warm.
#   bench/match/callgrind.sh MATCH_BENCH TERMS [--verdicts] [CORPUS_DIR]
set -eu
bench=$1
terms=$2
mode=${3:-}
corpus=${4:-/tmp/feedwatch-match-corpus}
function_name='feedwatch::match::Matcher::match*'
[ "$mode" = "--verdicts" ] && function_name='feedwatch::match::Matcher::find*'
work=$(mktemp -d)
head -1000 "$corpus/articles.txt" > "$work/articles.txt"
for runs in 1 2; do
    valgrind --tool=callgrind --callgrind-out-file="$work/out.$runs" --toggle-collect="$function_name" \
        "$bench" --runs "$runs" $mode --terms "$corpus/terms-$terms.txt" "$work/articles.txt" >/dev/null 2>&1
done
one=$(grep '^summary' "$work/out.1" | cut -d' ' -f2)
two=$(grep '^summary' "$work/out.2" | cut -d' ' -f2)
echo "$terms terms ${mode:-(full alerts)}: $(( (two - one) / 1000000 )) M instructions in the warm pass"
rm -r "$work"
