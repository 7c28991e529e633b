#!/usr/bin/env python3
"""feedwatchd polling a corpus served by nginx on loopback, beside wrk and newsboat, in one run.

    bench_poll.py --feedwatchd BUILD/daemon/feedwatchd [--corpus DIR] [--feeds 10000]
                  [--big 100000] [--newsboat 1000,5000] [--seconds 10]

Rows (all against the same nginx, 127.0.0.1..127.0.0.64:8080, started here unless one is up):
  feedwatchd first cycle   N distinct URLs, empty state: every fetch a 200 that is parsed,
                           deduplicated, matched and committed; feeds/s from the first to
                           the N-th fetch, read from /metrics
  feedwatchd steady cycle  the same N restarted with a 1 s interval (every stored next poll is
                           capped to it, so every feed is due at once and stays due): the rate
                           of 304s over --seconds, after 3 s of warm-up, is the rate at which
                           the daemon can revalidate feeds
  feedwatchd RSS / CPU     /proc of the daemon after each cycle, idle CPU over --seconds
                           between cycles (nothing due)
  --big feeds              RSS and CPU with that many configured feeds (first cycle, then idle)
  wrk 200 / 304, newsboat  the kit's bench_http.py (the loopback limit and the C++ peer)
Every load is bounded (each wait has a deadline) and targets 127.0.0.0/8 only.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

KIT = os.environ.get("FWBENCH_KIT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "bench"))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def metrics(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    values = {}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        values[name] = float(value)
    return values


def fetches(values, outcome=None):
    total = 0.0
    for name, value in values.items():
        if name.startswith("feedwatch_fetch_requests_total{"):
            if outcome is None or f'outcome="{outcome}"' in name:
                total += value
    return total


def proc_stat(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    rss_kib = 0
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            rss_kib = int(line.split()[1])
    return cpu, rss_kib / 1024


def write_config(directory, corpus, count, interval, port):
    urls = subprocess.run([sys.executable, os.path.join(KIT, "gen_urls.py"), corpus, "--count", str(count),
                           "--format", "toml"], check=True, capture_output=True, text=True).stdout
    os.makedirs(os.path.join(directory, "feeds.d"), exist_ok=True)
    open(os.path.join(directory, "feeds.d", "bench.toml"), "w").write(urls)
    open(os.path.join(directory, "watchlists.toml"), "w").write(
        '[[watchlist]]\nname = "bench"\nquery = "ransomware"\n')
    path = os.path.join(directory, "feedwatch.toml")
    open(path, "w").write(f"""watchlist_files = ["watchlists.toml"]
feed_files = ["feeds.d/*.toml"]
[daemon]
state_dir = "{directory}/state"
listen = "127.0.0.1:{port}"
[fetch]
interval = "{interval}s"
min_interval = "{interval}s"
max_interval = "{interval}s"
timeout = "30s"
allow_private_networks = true
concurrency = 128
""")
    return path


class Daemon:
    def __init__(self, binary, config, port):
        self.port = port
        self.log = open(config + ".log", "a")
        self.process = subprocess.Popen([binary, "--config", config], stdout=self.log, stderr=self.log)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                metrics(port)
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"feedwatchd exited: see {config}.log")
                time.sleep(0.1)
        raise RuntimeError("feedwatchd did not answer /metrics in 120 s")

    def wait_fetches(self, count, outcome=None, deadline_s=900):
        deadline = time.time() + deadline_s
        first = None
        while time.time() < deadline:
            done = fetches(metrics(self.port), outcome)
            if done > 0 and first is None:
                first = time.perf_counter()
            if done >= count:
                return first, time.perf_counter()
            time.sleep(0.05)
        raise RuntimeError(f"only {done:.0f} of {count} fetches in {deadline_s} s")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def cycle_rows(binary, corpus, count, idle_seconds, port, label, steady, big_seconds=45):
    rows = []
    with tempfile.TemporaryDirectory(prefix="fwpoll-") as directory:
        # One hour pinned: no feed is polled twice during the first cycle, and idle is idle.
        config = write_config(directory, corpus, count, 3600, port)
        started = time.perf_counter()
        daemon = Daemon(binary, config, port)
        try:
            if steady:
                _, end = daemon.wait_fetches(count)
            else:  # a big configuration: a bounded part of the first cycle, then RSS and idle CPU
                time.sleep(big_seconds)
                end = time.perf_counter()
            elapsed = end - started
            values = metrics(port)
            ok = fetches(values, "ok")
            done = fetches(values)
            rows.append((f"{label}: first cycle, {count} feeds configured (all 200)", f"{done / elapsed:,.0f} feeds/s",
                         f"{done:.0f} fetched in {elapsed:.1f} s from start, {ok:.0f} ok"))
            time.sleep(2)  # commits of the last fetches
            cpu0, rss = proc_stat(daemon.process.pid)
            rows.append((f"{label}: RSS after first cycle", f"{rss:,.0f} MiB", f"CPU {cpu0:.1f} s for the cycle"))
            if steady:
                # RocksDB compacts what the cycle wrote for a while after it: reported as its own
                # row, then idle is measured once a second passes below 5 % CPU (at most 120 s).
                settle_start, last = time.perf_counter(), cpu0
                while time.perf_counter() - settle_start < 120:
                    time.sleep(1)
                    now, _ = proc_stat(daemon.process.pid)
                    busy, last = now - last, now
                    if busy < 0.05:
                        break
                settled = time.perf_counter() - settle_start
                rows.append((f"{label}: store settling after the first cycle", f"{settled:.0f} s",
                             f"CPU {last - cpu0:.1f} s (RocksDB compacting what the cycle wrote)"))
                cpu0 = last
            time.sleep(idle_seconds)
            cpu1, _ = proc_stat(daemon.process.pid)
            rows.append((f"{label}: idle CPU between cycles" if steady else
                         f"{label}: CPU after {big_seconds} s (cycle still running)",
                         f"{100 * (cpu1 - cpu0) / idle_seconds:.2f} %", f"over {idle_seconds} s"))
        finally:
            daemon.stop()
        if not steady:
            return rows
        config = write_config(directory, corpus, count, 1, port)
        daemon = Daemon(binary, config, port)
        try:
            # RocksDB flushes and compacts what it recovered from the log for a few seconds
            # after the restart (about 3 s of CPU for 10,000 feeds): measure after it.
            time.sleep(10)
            before = fetches(metrics(port), "not_modified")
            t0 = time.perf_counter()
            time.sleep(idle_seconds)
            values = metrics(port)
            t1 = time.perf_counter()
            not_modified = fetches(values, "not_modified") - before
            cpu, rss = proc_stat(daemon.process.pid)
            rows.append((f"{label}: steady cycle, {count} feeds (all 304)",
                         f"{not_modified / (t1 - t0):,.0f} feeds/s",
                         f"{not_modified:.0f} 304s in {t1 - t0:.1f} s; other outcomes since start "
                         f"{fetches(values) - fetches(values, 'not_modified'):.0f}"))
            rows.append((f"{label}: RSS during steady cycle", f"{rss:,.0f} MiB", f"CPU {cpu:.1f} s incl. start"))
        finally:
            daemon.stop()
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feedwatchd", required=True)
    ap.add_argument("--corpus", default="/tmp/fwpoll-corpus")
    ap.add_argument("--feeds", type=int, default=10000)
    ap.add_argument("--big", type=int, default=100000, help="0 skips")
    ap.add_argument("--newsboat", default="1000,5000", help="'' skips")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--port", type=int, default=9477)
    a = ap.parse_args()
    corpus = os.path.abspath(a.corpus)
    if not os.path.exists(os.path.join(corpus, "manifest.tsv")):
        subprocess.run([sys.executable, os.path.join(KIT, "gen_corpus.py"), "--feeds", "1000", "--out", corpus], check=True)
    subprocess.run([os.path.join(KIT, "http", "serve.sh"), "start", corpus, "8080"], check=True)
    rows = []
    try:
        rows += cycle_rows(a.feedwatchd, corpus, a.feeds, a.seconds, a.port, "feedwatchd", steady=True)
        for row in rows:
            print(" | ".join(row), flush=True)
        if a.big:
            big = cycle_rows(a.feedwatchd, corpus, a.big, a.seconds, a.port, "feedwatchd", steady=False)
            for row in big:
                print(" | ".join(row), flush=True)
            rows += big
        peers = subprocess.run([sys.executable, os.path.join(KIT, "bench_http.py"), corpus, "--seconds", str(a.seconds),
                                "--newsboat", a.newsboat], check=True, capture_output=True, text=True, timeout=7200).stdout
        print(peers, flush=True)
    finally:
        subprocess.run([os.path.join(KIT, "http", "serve.sh"), "stop"])
    print("\n| row | figure | note |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
