// The live alert page end to end: the real feedwatchd polls a loopback origin (`feedwatch
// demo`, which publishes a new wire item every 2 s, most of them matching a watchlist) and
// the page, in headless chromium, must show a new alert row within a few seconds of it being
// stored. Then 10,000 alerts are loaded into the page and the render time is measured.
// Screenshots go to WORK_DIR (page-live.png, page-10000.png, page-feeds.png).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, cpSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const [feedwatchd, feedwatch, sourceDir, work, chromiumPath] = process.argv.slice(2);
const require = createRequire(path.join(work, "node", "package.json"));
const { chromium } = require("playwright-core");

const children = [];
let failed = false;
function fail(message) { console.error("FAIL: " + message); failed = true; }
function cleanup() { for (const child of children) { try { child.kill("SIGTERM"); } catch {} } }
process.on("exit", cleanup);

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
    server.on("error", reject);
  });
}
// Runs a command; resolves with its stdout, rejects on a non-zero exit.
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    child.on("close", (code) => code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")}: exit ${code}: ${err}`)));
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { if (await condition()) return true; } catch {}
    await sleep(100);
  }
  throw new Error("timed out waiting for " + what);
}

const dir = mkdtempSync(path.join(os.tmpdir(), "feedwatch-page-"));
try {
  const [origin, receiver, listen] = [await freePort(), await freePort(), await freePort()];
  cpSync(path.join(sourceDir, "config/demo/watchlists.toml"), path.join(dir, "watchlists.toml"));
  cpSync(path.join(sourceDir, "config/demo/demo.secret"), path.join(dir, "demo.secret"));
  writeFileSync(path.join(dir, "feedwatch.toml"), `
watchlist_files = ["watchlists.toml"]
[daemon]
state_dir = "${dir}/state"
listen = "127.0.0.1:${listen}"
[fetch]
interval = "1s"
min_interval = "1s"
timeout = "5s"
allow_private_networks = true
[[feed]]
url = "http://127.0.0.1:${origin}/wire.xml"
interval = "1s"
[[feed]]
url = "http://127.0.0.1:${origin}/security.xml"
[[feed]]
url = "http://127.0.0.1:${origin}/missing.xml"
[[webhook]]
name = "demo"
url = "http://127.0.0.1:${receiver}/hook"
secret_file = "demo.secret"
`);
  const log = openSync(path.join(work, "page-test-processes.log"), "w");
  children.push(spawn(feedwatch, ["demo", "--feeds", path.join(sourceDir, "config/demo/feeds"),
    "--origin", `127.0.0.1:${origin}`, "--receiver", `127.0.0.1:${receiver}`,
    "--secret-file", path.join(dir, "demo.secret"), "--publish-every", "2s"], { stdio: ["ignore", log, log] }));
  await sleep(300);
  children.push(spawn(feedwatchd, ["--config", path.join(dir, "feedwatch.toml")], { stdio: ["ignore", log, log] }));
  const base = `http://127.0.0.1:${listen}`;
  await until("the daemon's /healthz", async () => (await fetch(base + "/healthz")).ok, 20000);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage"],
  });
  try {
    // launch() already uses a fresh, empty profile directory of its own.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => fail("page error: " + error.message));
    page.on("console", (message) => { if (message.type() === "error") console.error("page console: " + message.text()); });
    await page.goto(base + "/");
    await page.waitForSelector("#status.live", { timeout: 15000 });
    await until("a first alert row", async () => (await page.locator(".row").count()) > 0, 30000);
    const firstId = Number(await page.locator(".row").first().getAttribute("data-id"));

    // The next matching item published by the origin must show up without a reload.
    const started = Date.now();
    await until("a new alert row pushed over SSE", async () =>
      Number(await page.locator(".row").first().getAttribute("data-id")) > firstId, 20000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`new alert row appeared ${seconds.toFixed(1)} s after the page had alert ${firstId}`);
    const top = page.locator(".row").first();
    const title = await top.locator("a.title").textContent();
    const href = await top.locator("a.title").getAttribute("href");
    const marks = await top.locator("mark").count();
    const watchlist = await top.locator(".wl").textContent();
    console.log(`top row: [${watchlist}] ${title} (${href}), ${marks} highlighted`);
    if (!title || !href || !href.startsWith("https://")) fail("top row lacks a title linking to the article");
    if (!["china-cyber", "courts"].includes(watchlist)) fail("top row watchlist is " + watchlist);
    if (marks < 1) fail("no matched word highlighted in the snippet");
    // The row the API lists first is the row on top.
    const api = await (await fetch(base + "/api/v1/alerts?limit=1")).json();
    const topId = await top.getAttribute("data-id");
    if (Number(api.alerts[0].id) < Number(topId)) fail("page shows an alert the API does not list");
    await page.screenshot({ path: path.join(work, "page-live.png") });

    // The CLI against the running daemon.
    const feedsJson = JSON.parse(await run(feedwatch, ["feeds", "--json", "--url", base]));
    if (feedsJson.feeds.length !== 3) fail("feedwatch feeds --json lists " + feedsJson.feeds.length + " feeds");
    const feedsTable = await run(feedwatch, ["feeds", "--url", base]);
    if (!feedsTable.split("\n")[1].includes("missing.xml")) fail("feedwatch feeds does not list the failing feed first:\n" + feedsTable);
    const found = JSON.parse(await run(feedwatch, ["articles", "search", '"Unit 61398" OR Huawei', "--json", "--url", base]));
    if (!found.articles.length || !found.articles.every((a) => /Huawei|Unit 61398/.test(a.title + a.summary)))
      fail("feedwatch articles search found " + JSON.stringify(found.articles.map((a) => a.title)));
    console.log(`feedwatch feeds: ${feedsJson.feeds.length} feeds; articles search: ${found.articles.length} articles`);

    // Filter by watchlist.
    await page.selectOption("#watchlist", "courts");
    await sleep(200);
    const others = await page.locator(".row .wl").evaluateAll((els) => els.filter((e) => e.textContent !== "courts").length);
    if (others > 0) fail(`${others} rows of other watchlists shown under the courts filter`);
    await page.selectOption("#watchlist", "");

    // One row per story: three reports of one story from two outlets are one row with
    // "+2 reports from 2 outlets", which expands to the two later reports.
    const storyRows = await page.evaluate(async () => {
      const now = Date.now();
      const report = (i, outlet, watchlist) => ({ id: String(900000 + i), watchlist, story: "story-page-test",
        created: new Date(now + i * 1000).toISOString(),
        article: { id: "story-article-" + i, title: "Harborview port report " + i, link: "https://example.test/story/" + i,
                   feed: { url: "https://example.test/" + outlet, title: outlet } },
        matches: [{ term: "port", field: "title", snippet: "Harborview port report " + i }], deliveries: [] });
      window.feedwatch.addAlerts([report(1, "Northwire", "courts"), report(2, "Port Weekly", "courts"),
                                  report(3, "Market Desk", "china-cyber")], false);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return window.feedwatch.stories();
    });
    const storyRow = page.locator('.row[data-id="900003"]');
    if ((await storyRow.count()) !== 1) fail("the story's three alerts are not one row with its newest id");
    const more = storyRow.locator("button.more");
    const moreText = (await more.textContent()) || "";
    console.log(`story row: ${await storyRow.locator("a.title").textContent()} · ${moreText} (${storyRows} stories held)`);
    if (!moreText.includes("+2 reports from 2 outlets")) fail("story row says " + JSON.stringify(moreText));
    if ((await storyRow.locator("a.title").textContent()) !== "Harborview port report 1") fail("story row does not show its first report");
    if ((await storyRow.locator(".wl, .wl-other").count()) !== 2) fail("story row does not list both watchlists");
    await more.click();
    await until("the story's reports expanded", async () => (await page.locator(".row.report").count()) === 2, 5000);
    const reports = await page.locator(".row.report a.title").allTextContents();
    if (reports.join("|") !== "Harborview port report 2|Harborview port report 3") fail("expanded reports: " + reports.join("|"));
    await page.screenshot({ path: path.join(work, "page-story.png") });
    await page.locator('.row[data-id="900003"] button.more').click();
    await until("the story's reports collapsed", async () => (await page.locator(".row.report").count()) === 0, 5000);

    // Feeds tab: the failing feed (404) first.
    await page.click("#tab-feeds");
    await until("the failing feed listed first", async () =>
      ((await page.locator("#feeds tr").first().textContent()) || "").includes("missing.xml"), 15000);
    await page.screenshot({ path: path.join(work, "page-feeds.png") });
    await page.click("#tab-alerts");

    // 10,000 alerts: time from handing them to the page until they are rendered (one frame).
    const figures = await page.evaluate(async () => {
      const now = Date.now();
      const alerts = [];
      for (let i = 0; i < 10000; i++) {
        alerts.push({ id: String(1000000 + i), watchlist: i % 2 ? "courts" : "china-cyber",
          created: new Date(now - i * 1000).toISOString(),
          article: { id: "a" + i, title: "Synthetic alert " + i + " about an indictment", link: "https://example.test/" + i,
                     feed: { url: "https://example.test/feed", title: "Synthetic Wire" } },
          matches: [{ term: "indictment", field: "title", snippet: "A grand jury returned an indictment in case " + i }],
          deliveries: [{ webhook: "demo", state: "delivered", attempts: 1 }] });
      }
      const t0 = performance.now();
      window.feedwatch.addAlerts(alerts, false);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const rendered = performance.now() - t0;
      const el = document.getElementById("viewport");
      const t1 = performance.now();
      for (let k = 0; k < 50; k++) { el.scrollTop = k * 4000; window.feedwatch.renderNow(); }
      const scrollPerFrame = (performance.now() - t1) / 50;
      el.scrollTop = 0; window.feedwatch.renderNow();
      return { rendered, scrollPerFrame, rows: window.feedwatch.rowsInDom(), count: window.feedwatch.count() };
    });
    console.log(`10000 alerts: rendered in ${figures.rendered.toFixed(1)} ms; ${figures.scrollPerFrame.toFixed(2)} ms per scrolled frame; ` +
                `${figures.rows} rows in the DOM; ${figures.count} alerts held`);
    if (figures.count < 10000) fail("page holds " + figures.count + " alerts");
    if (figures.rows > 100) fail(figures.rows + " rows in the DOM: the list is not virtualized");
    await page.screenshot({ path: path.join(work, "page-10000.png") });
  } finally {
    await browser.close();
  }
} catch (error) {
  fail(error.stack || String(error));
} finally {
  cleanup();
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
if (failed) {
  console.error("see " + path.join(work, "page-test-processes.log"));
  process.exit(1);
}
console.log("page test passed; screenshots in " + work);
