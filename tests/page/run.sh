#!/usr/bin/env bash
# Page test driver: run.sh FEEDWATCHD FEEDWATCH SOURCE_DIR WORK_DIR
# Installs playwright-core into WORK_DIR/node (npm, first run only) and runs page_test.mjs.
set -euo pipefail
feedwatchd=$1 feedwatch=$2 source_dir=$3 work=$4
chromium=${FEEDWATCH_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then echo "SKIP: $chromium not installed (apt-get install chromium)"; exit 77; fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then echo "SKIP: node/npm not installed"; exit 77; fi
mkdir -p "$work/node"
if [[ ! -d $work/node/node_modules/playwright-core ]]; then
  if ! (cd "$work/node" && npm install --no-audit --no-fund --silent playwright-core@1 >npm.log 2>&1); then
    echo "SKIP: npm could not install playwright-core (see $work/node/npm.log)"; exit 77
  fi
fi
export NODE_PATH=$work/node/node_modules
exec node "$source_dir/tests/page/page_test.mjs" "$feedwatchd" "$feedwatch" "$source_dir" "$work" "$chromium"
