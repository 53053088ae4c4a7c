// The package as users get it: a Vite app, and one app bundled by webpack 5, esbuild and
// Rollup, each installing pkg/ and building; the single-file build from a file:// page;
// all run in Chromium against the mock server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { WebSocket } from "ws";
import { Socket } from "phoenix";
import { SERVERS, startKind, startServer, outcome, launchChromium } from "./helpers.mjs";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const SHOTS = path.join(ROOT, "target/screenshots/");
let browser;
const cleanup = [];

before(async () => {
  assert.ok(existsSync(path.join(ROOT, "pkg/package.json")), "pkg/ is missing: run `npm run build` first");
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  for (const f of cleanup) await f();
});

async function shout(server, topic, body) {
  const s = new Socket(server.socketUrl, { transport: WebSocket, params: { token: "user:shouter" } });
  s.connect();
  const ch = s.channel(topic);
  assert.equal((await outcome(ch.join())).status, "ok");
  assert.equal((await outcome(ch.push("shout", { from: "shouter", body }))).status, "ok");
  s.disconnect();
}

test("pkg/package.json is ready to publish", () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "pkg/package.json"), "utf8"));
  assert.equal(pkg.name, "phoenix-wasm");
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.types, "./index.d.ts");
  assert.equal(pkg.exports["."].default, "./index.js");
  for (const f of pkg.files.filter((f) => !f.endsWith("/"))) assert.ok(existsSync(path.join(ROOT, "pkg", f)), `${f} missing`);
  assert.ok(existsSync(path.join(ROOT, "pkg/bundler/index.js")));
});

test("a Vite app installs the package, builds, and talks to the server", async () => {
  const app = path.join(ROOT, "tests/vite-consumer");
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app, stdio: "inherit" });
  execFileSync("npx", ["--no-install", "vite", "build", "--logLevel", "warn"], { cwd: app, stdio: "inherit" });
  const assets = readdirSync(path.join(app, "dist/assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `no .wasm asset in ${assets}`);
  // serve the built app from a mock server whose www/ is dist/
  const site = mkdtempSync(path.join(tmpdir(), "vite-consumer-"));
  cpSync(path.join(app, "dist"), path.join(site, "www"), { recursive: true });
  const server = await startServer(["--root", site]);
  cleanup.push(async () => { await server.stop(); rmSync(site, { recursive: true, force: true }); });
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.http + "/index.html");
  await page.waitForFunction(() => document.getElementById("state").textContent === "room:vite 42");
  assert.equal(await page.$eval("#state", (el) => el.dataset.hello), "vite");
  await page.waitForFunction(() => document.querySelectorAll("#events li").length === 0);
  await shout(server, "room:vite-events", "from outside");
  await page.waitForFunction(() => document.getElementById("events").textContent === "from outside");
  assert.deepEqual(errors, []);
  await page.close();
});

test("webpack 5, esbuild and Rollup apps install the package, bundle it, and talk to the server", async (t) => {
  const app = path.join(ROOT, "tests/consumers");
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app, stdio: "inherit" });
  const bundlers = ["webpack", "esbuild", "rollup"];
  execFileSync("node", ["build.mjs", ...bundlers], { cwd: app, stdio: "inherit" });
  // webpack took the package's `webpack` export (bundler/) and emitted the wasm itself
  assert.ok(readdirSync(path.join(app, "dist/webpack")).some((f) => f.endsWith(".wasm")), "webpack emitted no .wasm");
  assert.match(readFileSync(path.join(app, "dist/webpack/main.js"), "utf8"), /WebAssembly/);
  const site = mkdtempSync(path.join(tmpdir(), "bundler-consumers-"));
  cpSync(path.join(app, "dist"), path.join(site, "www"), { recursive: true });
  const server = await startServer(["--root", site]);
  cleanup.push(async () => { await server.stop(); rmSync(site, { recursive: true, force: true }); });
  for (const bundler of bundlers) await t.test(bundler, async () => {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.http}/${bundler}/index.html`);
    await page.waitForFunction((b) => document.getElementById("state").textContent === `room:${b} 42`, bundler);
    assert.equal(await page.$eval("#state", (el) => el.dataset.hello), bundler);
    await page.waitForFunction((b) => document.getElementById("state").dataset.present === b, bundler);
    await page.waitForFunction(() => document.querySelectorAll("#events li").length === 0);
    await shout(server, `room:${bundler}-events`, `shout for ${bundler}`);
    await page.waitForFunction((b) => document.getElementById("events").textContent === `shout for ${b}`, bundler);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

for (const kind of SERVERS) test(`${kind}: the single-file build works from a file:// page (OBS local file)`, async () => {
  const server = await startKind(kind);
  cleanup.push(() => server.stop());
  const dir = mkdtempSync(path.join(tmpdir(), "local-file-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(ROOT, "www/local-file/lobby.html"), path.join(dir, "lobby.html"));
  cpSync(path.join(ROOT, "pkg/phoenix-wasm.single.js"), path.join(dir, "phoenix-wasm.single.js"));
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`file://${dir}/lobby.html?server=${encodeURIComponent(server.socketUrl)}`);
  await page.waitForFunction(() => document.getElementById("joined").textContent === "joined room:lobby");
  assert.equal(await page.evaluate(() => location.protocol), "file:");
  await shout(server, "room:lobby", "hello from OBS");
  await page.waitForFunction(() => document.getElementById("shouts").textContent.includes("hello from OBS"));
  assert.equal(await page.$eval("#status", (el) => el.textContent), "open");
  // its Push is the class a channel's pushes are made of (js/push.js, bundled in)
  const push = await page.evaluate(() => {
    const join = new PhoenixWasm.Socket("ws://127.0.0.1:9/socket").channel("room:other").join();
    return [join instanceof PhoenixWasm.Push, join.receive("ok", () => {}) === join];
  });
  assert.deepEqual(push, [true, true]);
  await page.screenshot({ path: SHOTS + "single-file.png", omitBackground: true });
  assert.deepEqual(errors, []);
  await page.close();
});
