// The demo overlays as a person sees them: Playwright drives Debian's Chromium to the
// pages served by the server (which loads the built package from /pkg): phoenix-mock
// with the demo scenario, and the real Phoenix app. They show live data by themselves;
// the official phoenix client drives the rest. Screenshots: target/screenshots/<server>/.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, existsSync } from "node:fs";
import { WebSocket } from "ws";
import { Socket } from "phoenix";
import { SERVERS, startServer, startPhoenix, outcome, launchChromium } from "./helpers.mjs";

const DEMO_SCENARIO = new URL("../fixtures/demo-scenario.json", import.meta.url).pathname;
let browser;

before(async () => {
  assert.ok(existsSync(new URL("../../pkg/index.js", import.meta.url)), "pkg/ is missing: run `npm run build` first");
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});


/** The demo server of `kind` on `port`: the mock with the demo scenario (fast bots, three scenes), or Phoenix. */
const demoServer = (kind, port = 0) => (kind === "phoenix" ? startPhoenix(port) : startServer(["--scenario", DEMO_SCENARIO], port));

for (const kind of SERVERS) describe(`demo overlays on ${kind}`, { timeout: 120_000 }, () => {
  let server;
  const SHOTS = new URL(`../../target/screenshots/${kind}/`, import.meta.url).pathname;

  before(async () => {
    server = await demoServer(kind);
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await server?.stop();
  });

  /** A screenshot into SHOTS once no CSS animation runs (new rows slide and fade in): the overlay at rest. */
  async function shot(page, name) {
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
    await page.screenshot({ path: `${SHOTS}${name}.png`, omitBackground: true });
  }

  test("lobby overlay shows 'joined room:lobby', connection state and live shouts", async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(server.http + "/?token=user:viewer");
    await page.waitForFunction(() => document.getElementById("joined").textContent === "joined room:lobby");
    await page.waitForFunction(() => document.getElementById("status").textContent === "connected");
    // live by itself: the server's lobby shouts arrive with nobody shouting
    await page.waitForFunction(() => document.querySelectorAll(".shout").length > 0, null, { timeout: 10_000 });

    const shouter = new Socket(server.socketUrl, { transport: WebSocket, params: { token: "user:bob" } });
    shouter.connect();
    const ch = shouter.channel("room:lobby");
    assert.equal((await outcome(ch.join())).status, "ok");
    for (const body of ["first!", "hello overlay"]) {
      assert.equal((await outcome(ch.push("shout", { from: "bob", body }))).status, "ok");
    }
    await page.waitForFunction(() => [...document.querySelectorAll(".shout")].some((e) => e.textContent === "bobhello overlay"));
    const shouts = await page.$$eval(".shout", (els) => els.map((e) => e.textContent).filter((t) => t.startsWith("bob")));
    assert.deepEqual(shouts, ["bobfirst!", "bobhello overlay"]);
    await shot(page, "lobby");

    // the server drops every socket: the overlay shows it and recovers by itself
    await server.admin("/admin/drop");
    await page.waitForFunction(() => document.getElementById("status").classList.contains("reconnecting"));
    await page.waitForFunction(() => document.getElementById("status").textContent === "connected");
    // the socket is open again; a broadcast reaches the overlay once its channel has rejoined
    await page.waitForFunction(() => window.phoenixDemo.lobby.state === "joined");
    assert.equal((await outcome(ch.push("shout", { from: "bob", body: "after the drop" }))).status, "ok");
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
    await shot(page, "presence");
    bob.disconnect();
    bob2.disconnect();
    await page.waitForFunction(() => ![...document.querySelectorAll("#board li")].some((li) => li.textContent.startsWith("bob")));
    assert.deepEqual(errors, []);
    await page.close();
  });

  /** A phoenix.js client of the server, to drive what the overlays show. */
  async function driver(user, topic) {
    const s = new Socket(server.socketUrl, { transport: WebSocket, params: { token: `user:${user}` }, reconnectAfterMs: () => 50 });
    s.connect();
    const ch = s.channel(topic);
    assert.equal((await outcome(ch.join())).status, "ok");
    return { socket: s, ch, push: async (event, payload) => outcome(ch.push(event, payload)) };
  }

  async function open(path) {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(server.http + path);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "connected");
    return { page, errors, text: (sel) => page.$eval(sel, (el) => el.textContent) };
  }

  test("OBS overlay shows the scene and live/rec flags, and follows scene changes", async () => {
    const { page, errors, text } = await open("/obs.html");
    const obs = await driver("director", "overlay:obs");
    const { scenes } = (await obs.push("obs:scenes", {})).response;
    await page.waitForFunction((all) => all.includes(document.getElementById("scene").textContent), scenes);
    await page.waitForFunction(() => document.getElementById("live").classList.contains("on"));
    assert.equal(await page.$eval("#rec", (el) => el.classList.contains("on")), false);
    const [game, outro] = scenes.slice(-2);
    for (const scene of [game, outro]) {
      assert.equal((await obs.push("obs:set_scene", { scene })).status, "ok");
      await page.waitForFunction((s) => document.getElementById("scene").textContent === s, scene);
    }
    assert.equal(await text("#scene"), outro);
    await shot(page, "obs");
    obs.socket.disconnect();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("chat overlay shows messages and typing indicators", async () => {
    const { page, errors } = await open("/chat.html?room=demo");
    // live by itself: a viewer of the server's types, then talks
    await page.waitForFunction(() => [...document.querySelectorAll(".msg")].some((m) => m.textContent.startsWith("chatbot")), null, { timeout: 15_000 });
    const bob = await driver("bob", "chat:room:demo");
    await bob.push("typing_start", {});
    await page.waitForFunction(() => /\bbob\b.* typing…$/.test(document.getElementById("typing").textContent));
    // readable on a light scene: the indicator is a dark pill, not bare white text
    const pill = await page.$eval("#typing", (el) => getComputedStyle(el).backgroundColor);
    assert.match(pill, /^rgba\(10, 10, 25, 0\.7\d*\)$/);
    await bob.push("new_message", { body: "hello chat" });
    await page.waitForFunction(() => [...document.querySelectorAll(".msg")].some((m) => m.textContent === "bobhello chat"));
    await page.waitForFunction(() => !/\bbob\b/.test(document.getElementById("typing").textContent));
    await shot(page, "chat");
    bob.socket.disconnect();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("omnibar rotates the queue and shows force_content takeovers with a countdown", async () => {
    const { page, errors } = await open("/omnibar.html");
    const producer = await driver("producer", "stream:overlays");
    const { queue } = (await producer.push("request_state", {})).response;
    await page.waitForFunction((q) => q.includes(document.getElementById("content").textContent), queue);
    const forced = await producer.push("force_content", { content: "Be right back", duration: 2, type: "brb" });
    assert.equal(forced.status, "ok");
    await page.waitForFunction(() => document.getElementById("bar").classList.contains("forced"));
    assert.equal(await page.$eval("#content", (el) => el.textContent), "Be right back");
    assert.equal(await page.$eval("#kind", (el) => el.textContent), "brb");
    assert.match(await page.$eval("#countdown", (el) => el.textContent), /^[12]s$/);
    await shot(page, "omnibar");
    await page.waitForFunction(() => !document.getElementById("bar").classList.contains("forced"), null, { timeout: 5000 });
    producer.socket.disconnect();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("Rust example app (Leptos over the Rust API): members, tabs, away status, shouts; recovers after a server restart", async () => {
    const { page, errors } = await open("/leptos/index.html?room=rust&token=user:viewer");
    const members = () => page.$$eval("#members li", (lis) => lis.map((li) => `${li.textContent}${li.className === "away" ? " (away)" : ""}`));
    await page.waitForFunction(() => [...document.querySelectorAll("#members li")].some((li) => li.textContent === "viewer"));
    // live by itself: the server's lobby shouts
    await page.waitForFunction(() => document.querySelectorAll(".shout").length > 0, null, { timeout: 10_000 });
    const bob = await driver("bob", "presence:room:rust");
    const bob2 = await driver("bob", "presence:room:rust");
    await page.waitForFunction(() => [...document.querySelectorAll("#members li")].some((li) => li.textContent === "bob ×2"));
    for (const b of [bob, bob2]) assert.equal((await b.push("update_status", { status: "away" })).status, "ok");
    await page.waitForFunction(() => document.querySelector("#members li.away")?.textContent === "bob ×2");
    assert.deepEqual(await members(), ["viewer", "bob ×2 (away)"]);
    const lobby = await driver("bob", "room:lobby");
    await lobby.push("shout", { from: "bob", body: "hello from phoenix.js" });
    await page.waitForFunction(() => [...document.querySelectorAll(".shout")].some((e) => e.textContent === "bob hello from phoenix.js"));
    await shot(page, "leptos");
    for (const b of [bob, bob2, lobby]) b.socket.disconnect();
    await page.waitForFunction(() => ![...document.querySelectorAll("#members li")].some((li) => li.textContent.startsWith("bob")));

    const port = server.port;
    await server.stop();
    await page.waitForFunction(() => /^reconnecting in \d+s$/.test(document.getElementById("status").textContent));
    assert.equal(await page.$eval("#status", (el) => el.className), "reconnecting");
    server = await demoServer(kind, port);
    await page.waitForFunction(() => document.getElementById("status").textContent === "connected", null, { timeout: 15000 });
    // the channels rejoined by themselves: presence again, and new shouts
    await page.waitForFunction(() => [...document.querySelectorAll("#members li")].some((li) => li.textContent === "viewer"));
    // the lobby rejoins on its own schedule (after the presence channel, or before): a
    // shout made before it is back is not for it, so shout again until one is heard
    const after = await driver("carol", "room:lobby");
    const heard = () => page.waitForFunction(() => [...document.querySelectorAll(".shout")].some((e) => e.textContent === "carol after the restart"), null, { timeout: 1000 });
    for (let tries = 1; ; tries++) {
      assert.equal((await after.push("shout", { from: "carol", body: "after the restart" })).status, "ok");
      try {
        await heard();
        break;
      } catch (e) {
        if (tries === 25) throw e;
      }
    }
    after.socket.disconnect();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("overlays recover by themselves after the server restarts", async () => {
    const { page, errors } = await open("/obs.html?token=user:restart");
    await page.waitForFunction(() => document.getElementById("scene").textContent !== "—");
    const port = server.port;
    await server.stop();
    await page.waitForFunction(() => /^reconnecting in \d+s$/.test(document.getElementById("status").textContent));
    await shot(page, "obs-reconnecting");
    server = await demoServer(kind, port);
    await page.waitForFunction(() => document.getElementById("status").textContent === "connected", null, { timeout: 15000 });
    const obs = await driver("director2", "overlay:obs");
    const { scenes } = (await obs.push("obs:scenes", {})).response;
    await obs.push("obs:set_scene", { scene: scenes[1] });
    await page.waitForFunction((s) => document.getElementById("scene").textContent === s, scenes[1]);
    obs.socket.disconnect();
    assert.deepEqual(errors, []);
    await page.close();
  });
});
