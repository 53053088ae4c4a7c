// A reliable channel resumes across page reloads (an OBS browser source refreshed when
// its scene becomes active): the page keeps its cursor in sessionStorage, and after each
// reload its join asks for what came after it. In headless Chromium against phoenix-mock
// and the real Phoenix app, reloading the page many times while a publisher in node
// publishes: every event reaches the page's callback, in order, none twice, none missed.
// (The cursor is written after an event's callbacks return, and a reload starts between
// tasks, never inside the drain that runs them: so not even the one duplicate the
// contract allows for a page killed inside a callback shows here.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome, launchChromium } from "./helpers.mjs";

const RELOADS = Number(process.env.RESUME_RELOADS || 20);
const EVENTS = Number(process.env.RESUME_EVENTS || 400);
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** The overlay, run on every load of the page: a reliable feed that resumes from sessionStorage. */
function overlay(topic) {
  (async () => {
    const { Socket } = await import("/pkg/index.js");
    const socket = new Socket("/socket", { params: { token: "user:reloaded" } });
    socket.connect();
    const feed = socket.channel(topic, {}, { reliable: true, resume: sessionStorage });
    feed.on("event", (e) => {
      // what the callbacks got, kept where a reload cannot lose it (a call out to the test
      // made just before a navigation may be dropped); the test reads it at the end
      sessionStorage.setItem("delivered", (sessionStorage.getItem("delivered") ?? "") + e.seq + ",");
      globalThis.delivered(e.seq);
    });
    feed.on("missed", (m) => globalThis.missed(JSON.stringify(m)));
    feed.join().receive("ok", () => globalThis.joined(sessionStorage.getItem(`phx:resume:${topic}`)));
  })();
}

for (const kind of SERVERS) {
  test(`${kind}: a reliable channel resumes after ${RELOADS} page reloads: every event once, in order`, { timeout: 120_000 }, async () => {
    const server = await startKind(kind);
    const topic = `reliable:reload-${kind}-${Date.now()}`;
    const page = await browser.newPage();
    const publisher = new Socket(server.socketUrl, { params: { token: "user:publisher" } });
    try {
      const seen = [];
      const missed = [];
      const joins = [];
      let waiting = null; // [count, resolve]: wakes when `seen` reaches count
      const wake = () => waiting && seen.length >= waiting[0] && waiting[1]();
      if (process.env.RESUME_DEBUG) setInterval(() => console.log(JSON.stringify({ seen: seen.length, tail: seen.slice(-3), last, joins, missed })), 2000).unref();
      const until = (count) => new Promise((resolve) => ((waiting = [count, resolve]), wake()));
      let onJoin = null;
      await page.exposeFunction("delivered", (seq) => (seen.push(seq), wake()));
      await page.exposeFunction("missed", (m) => missed.push(m));
      await page.exposeFunction("joined", (cursor) => (joins.push(cursor), onJoin?.()));
      await page.addInitScript(`(${overlay})(${JSON.stringify(topic)})`);
      const firstJoin = new Promise((resolve) => (onJoin = resolve));
      await page.goto(`${server.http}/health`);
      await firstJoin;

      // the publisher publishes while the page reloads
      publisher.connect();
      const pub = publisher.channel(topic);
      assert.equal((await outcome(pub.join())).status, "ok");
      let last = 0;
      const publish = async (n) => {
        for (let i = 0; i < n; i++) {
          const r = await outcome(pub.push("publish", { data: { i } }));
          assert.equal(r.status, "ok", JSON.stringify(r));
          last = r.response.seq;
        }
      };
      // each round: events published while the page runs, then while it reloads (its
      // socket gone, the next page not joined yet)
      const half = Math.max(1, Math.floor(EVENTS / RELOADS / 2));
      for (let r = 0; r < RELOADS; r++) {
        await publish(half);
        const rejoined = new Promise((resolve) => (onJoin = resolve));
        const reloading = page.reload();
        await publish(half);
        await reloading;
        await rejoined;
      }
      while (seen[seen.length - 1] !== last) await until(seen.length + 1);

      assert.deepEqual(missed, [], "nothing was reported missing");
      const delivered = (await page.evaluate(() => sessionStorage.getItem("delivered"))).split(",").filter(Boolean).map(Number);
      const first = delivered[0];
      const expected = Array.from({ length: last - first + 1 }, (_, i) => first + i);
      assert.deepEqual(delivered, expected, "every event once, in order, across the reloads");
      assert.equal(joins.length, RELOADS + 1);
      assert.ok(joins.slice(1).every((c) => /^\d+$/.test(c)), `each reload joined with a stored cursor: ${joins}`);
    } finally {
      publisher.disconnect();
      await page.close();
      await server.stop();
    }
  });
}
