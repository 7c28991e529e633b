#!/usr/bin/env bash
# The demo: installs the Debian packages, builds, then runs feedwatchd against a loopback feed
# origin serving the sample feeds in config/demo/feeds (a new item every 15 s) and a loopback
# webhook receiver that prints each alert. Metrics: curl 127.0.0.1:9464/metrics. Ctrl-C stops.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build=build/release
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DFEEDWATCH_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target feedwatchd feedwatch

demo=$(mktemp -d /tmp/feedwatch-demo.XXXXXX)
cp config/demo/watchlists.toml config/demo/demo.secret "$demo/"
cat > "$demo/feedwatch.toml" <<TOML
# Written by scripts/demo.sh: the feeds and the webhook are on loopback.
watchlist_files = ["watchlists.toml"]
[daemon]
state_dir = "$demo/state"
listen = "127.0.0.1:9464"
[fetch]
interval = "5s"
timeout = "10s"
max_body = "4MiB"
allow_private_networks = true
[[feed]]
url = "http://127.0.0.1:18081/wire.xml"
tags = ["wire"]
[[feed]]
url = "http://127.0.0.1:18081/techtrade.atom"
[[feed]]
url = "http://127.0.0.1:18081/security.xml"
[[webhook]]
name = "demo"
url = "http://127.0.0.1:18082/hook"
secret_file = "demo.secret"
TOML

"$build/daemon/feedwatch" demo --feeds config/demo/feeds --origin 127.0.0.1:18081 --receiver 127.0.0.1:18082 \
    --secret-file config/demo/demo.secret --publish-every 15s &
demo_pid=$!
trap 'kill "$demo_pid" 2>/dev/null; wait "$demo_pid" 2>/dev/null; rm -rf "$demo"' EXIT
sleep 0.5
echo "demo: feedwatchd --config $demo/feedwatch.toml (metrics: curl 127.0.0.1:9464/metrics; Ctrl-C stops)"
"$build/daemon/feedwatchd" --config "$demo/feedwatch.toml" || true
