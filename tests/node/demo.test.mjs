// The demo overlay as a person sees it: Playwright drives Debian's Chromium to the
// page served by the mock server (which loads the built package from /pkg), and the
// official phoenix client shouts into the room.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { WebSocket } from "ws";
import { Socket } from "phoenix";
import { startServer, outcome } from "./helpers.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SHOTS = new URL("../../target/screenshots/", import.meta.url).pathname;
let server;
let browser;

before(async () => {
  assert.ok(existsSync(new URL("../../pkg/index.js", import.meta.url)), "pkg/ is missing: run `npm run build` first");
  server = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("lobby overlay shows 'joined room:lobby', connection state and live shouts", async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.http + "/?token=user:viewer");
  await page.waitForFunction(() => document.getElementById("joined").textContent === "joined room:lobby");
  await page.waitForFunction(() => document.getElementById("status").textContent === "connected");

  const shouter = new Socket(server.socketUrl, { transport: WebSocket, params: { token: "user:bob" } });
  shouter.connect();
  const ch = shouter.channel("room:lobby");
  assert.equal((await outcome(ch.join())).status, "ok");
  for (const body of ["first!", "hello overlay"]) {
    assert.equal((await outcome(ch.push("shout", { from: "bob", body }))).status, "ok");
  }
  await page.waitForFunction(() => document.querySelectorAll(".shout").length === 2);
  const shouts = await page.$$eval(".shout", (els) => els.map((e) => e.textContent));
  assert.deepEqual(shouts, ["bobfirst!", "bobhello overlay"]);
  await page.screenshot({ path: SHOTS + "lobby.png", omitBackground: true });

  // the server drops every socket: the overlay shows it and recovers by itself
  await server.admin("/admin/drop");
  await page.waitForFunction(() => document.getElementById("status").textContent === "reconnecting…");
  await page.waitForFunction(() => document.getElementById("status").textContent === "connected");
  await ch.push("shout", { from: "bob", body: "after the drop" });
  await page.waitForFunction(() => [...document.querySelectorAll(".shout")].some((e) => e.textContent.includes("after the drop")));
  shouter.disconnect();
  assert.deepEqual(errors, []);
  await page.close();
});

test("presence board (typed TypeScript overlay) lists members, tabs and status changes", async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.http + "/presence.html?room=demo&token=user:viewer");
  await page.waitForFunction(() => document.querySelector("#board")?.textContent.includes("viewer"));
  await page.waitForFunction(() => document.getElementById("status").textContent === "connected");

  const bob = new Socket(server.socketUrl, { transport: WebSocket, params: { token: "user:bob" } });
  const bob2 = new Socket(server.socketUrl, { transport: WebSocket, params: { token: "user:bob" } });
  bob.connect();
  bob2.connect();
  const ch = bob.channel("presence:room:demo");
  assert.equal((await outcome(ch.join())).status, "ok");
  await page.waitForFunction(() => [...document.querySelectorAll("#board li")].some((li) => li.textContent === "bob"));
  const ch2 = bob2.channel("presence:room:demo");
  assert.equal((await outcome(ch2.join())).status, "ok");
  await page.waitForFunction(() => [...document.querySelectorAll("#board li")].some((li) => li.textContent === "bob ×2"));
  for (const c of [ch, ch2]) assert.deepEqual(await outcome(c.push("update_status", { status: "away" })), { status: "ok", response: { status: "away" } });
  await page.waitForFunction(() => [...document.querySelectorAll("#board li.away")].some((li) => li.textContent.startsWith("bob")));
  await page.screenshot({ path: SHOTS + "presence.png", omitBackground: true });
  bob.disconnect();
  bob2.disconnect();
  await page.waitForFunction(() => ![...document.querySelectorAll("#board li")].some((li) => li.textContent.startsWith("bob")));
  assert.deepEqual(errors, []);
  await page.close();
});
