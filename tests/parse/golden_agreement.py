#!/usr/bin/env python3
"""Agreement of feedwatch's core item fields (title, link, id, published, updated) with
the golden JSON of gofeed (../shared/corpus/gofeed/testdata/parser) and feed-rs
(../shared/corpus/feed-rs/feed-rs/fixture). Counts one comparison per field the golden
file states; prints the agreement per source and every difference.

    python3 tests/parse/golden_agreement.py [--parser "build/daemon/feedwatch parse --json"]

Exits 0 (skips) when ../shared/corpus is absent."""
import argparse, datetime, glob, json, os, re, shlex, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")


def ws(text):
    return re.sub(r"\s+", " ", text or "").strip()


def instant(text):
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ours(parser, path):
    p = subprocess.run(shlex.split(parser) + [path], capture_output=True, timeout=30)
    if p.returncode != 0:
        return None
    return json.loads(p.stdout.decode("utf-8"))


def gofeed_items(golden):
    out = []
    for it in golden.get("items") or golden.get("entries") or []:
        fields = {}
        if isinstance(it.get("title"), str):
            fields["title"] = ws(it["title"])
        if isinstance(it.get("link"), str):
            fields["link"] = it["link"].strip()
        elif isinstance(it.get("url"), str):
            fields["link"] = it["url"].strip()
        elif isinstance(it.get("links"), list):
            alternates = [l.get("href") for l in it["links"]
                          if isinstance(l, dict) and l.get("rel", "alternate") in ("alternate", None) and l.get("href")]
            if alternates:
                fields["link"] = alternates[0].strip()
        if isinstance(it.get("guid"), dict) and it["guid"].get("value"):
            fields["id"] = it["guid"]["value"].strip()
        elif isinstance(it.get("id"), str):
            fields["id"] = it["id"].strip()
        for key, name in (("publishedParsed", "published"), ("updatedParsed", "updated"),
                          ("date_published", "published"), ("date_modified", "updated")):
            if isinstance(it.get(key), str) and instant(it[key]):
                fields[name] = instant(it[key])
        out.append(fields)
    return out


def feedrs_items(golden):
    out = []
    for it in golden.get("entries") or []:
        fields = {}
        if isinstance(it.get("title"), dict) and it["title"].get("content_type") == "text/plain":
            fields["title"] = ws(it["title"].get("content"))
        links = [l.get("href") for l in it.get("links") or [] if l.get("rel") in (None, "alternate")]
        if links and links[0]:
            fields["link"] = links[0].strip()
        # feed-rs invents a hash id when the entry has none; compare only real ids.
        if it.get("id") and not re.fullmatch(r"[0-9a-f]{31,32}", it["id"]):
            fields["id"] = it["id"].strip()
        for name in ("published", "updated"):
            if it.get(name):
                fields[name] = instant(it[name])
        out.append(fields)
    return out


def compare(source, pairs, parser, verbose):
    agree = total = 0
    for feed_path, golden_items in pairs:
        result = ours(parser, feed_path)
        items = (result or {}).get("items", [])
        for index, golden in enumerate(golden_items):
            mine = items[index] if index < len(items) else {}
            for field, expected in golden.items():
                if expected is None:
                    continue
                total += 1
                got = mine.get(field)
                got = ws(got) if field == "title" else got
                if field == "updated" and got is None and source == "feed-rs":
                    got = mine.get("published")  # feed-rs fills updated from pubDate
                if got == expected:
                    agree += 1
                elif verbose:
                    print(f"  {source} {os.path.relpath(feed_path, CORPUS)} #{index} {field}: "
                          f"golden {expected!r} ours {got!r}")
    print(f"{source}: {agree}/{total} field comparisons agree ({100.0 * agree / max(total, 1):.1f}%)")
    return agree, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parser", default=os.path.join(ROOT, "build", "daemon", "feedwatch") + " parse --json")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    if not os.path.isdir(CORPUS):
        print("no ../shared/corpus: skipped")
        return 0
    gofeed = []
    for golden_path in sorted(glob.glob(os.path.join(CORPUS, "gofeed", "testdata", "parser", "*", "*.json"))):
        base = golden_path[:-5]
        feed = next((base + ext for ext in (".xml", ".json.in", ".txt") if os.path.exists(base + ext)), None)
        if feed is None and "/json/" in golden_path:
            continue
        if feed:
            gofeed.append((feed, gofeed_items(json.load(open(golden_path, encoding="utf-8")))))
    feedrs = []
    for golden_path in sorted(glob.glob(os.path.join(CORPUS, "feed-rs", "feed-rs", "fixture", "*", "*.serde.json"))):
        base = golden_path[: -len(".serde.json")]
        feed = next((base + ext for ext in (".xml", ".json", ".rss", ".atom") if os.path.exists(base + ext)), None)
        if feed:
            feedrs.append((feed, feedrs_items(json.load(open(golden_path, encoding="utf-8")))))
    a1, t1 = compare("gofeed", gofeed, a.parser, not a.quiet)
    a2, t2 = compare("feed-rs", feedrs, a.parser, not a.quiet)
    print(f"total: {a1 + a2}/{t1 + t2} ({100.0 * (a1 + a2) / max(t1 + t2, 1):.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
