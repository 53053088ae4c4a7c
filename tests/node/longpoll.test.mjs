// LongPoll: the official phoenix client and phoenix-wasm over Phoenix's long-polling
// transport (`/socket/longpoll`), and phoenix-wasm's fallback to it when the WebSocket
// is refused or blackholed (`longPollFallbackMs`), against phoenix-mock and the real
// Phoenix app.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import * as wasm from "./wasm-client.mjs";
import { SERVERS, startKind, outcome, nextCall, collect, blackholingProxy } from "./helpers.mjs";

const phoenix = await import("../../node_modules/phoenix/priv/static/phoenix.mjs");
const CLIENTS = { "phoenix.js": phoenix, "phoenix-wasm": wasm };

/** A Storage stand-in (node has no sessionStorage). */
class Store {
  items = new Map();
  getItem(k) {
    return this.items.has(k) ? this.items.get(k) : null;
  }
  setItem(k, v) {
    this.items.set(k, String(v));
  }
}

for (const kind of SERVERS) {
  describe(`LongPoll on ${kind}`, () => {
    let server;
    const sockets = [];
    before(async () => {
      server = await startKind(kind);
    });
    after(async () => {
      for (const s of sockets) s.disconnect();
      await server.stop();
    });
    const socket = (lib, opts) => {
      const s = new lib.Socket(server.socketUrl, opts);
      sockets.push(s);
      return s;
    };

    for (const [name, lib] of Object.entries(CLIENTS)) {
      test(`${name}: joins, pushes and hears broadcasts over LongPoll`, async () => {
        const lp = socket(lib, { transport: lib.LongPoll, params: { token: `user:lp-${name}` } });
        const ws = socket(phoenix, { transport: WebSocket, params: { token: "user:lp-peer" } });
        lp.connect();
        ws.connect();
        const ch = lp.channel("room:longpoll");
        const join = await outcome(ch.join());
        assert.deepEqual(join, { status: "ok", response: { joined: "room:longpoll" } });
        assert.equal(lp.isConnected(), true);
        assert.deepEqual((await outcome(ch.push("echo", { n: 1, text: "héllo ✓" }))).response, { n: 1, text: "héllo ✓" });
        // fifty pushes made in one task: batched into POSTs, answered in order
        const echoes = await Promise.all(Array.from({ length: 50 }, (_, i) => outcome(ch.push("echo", { i }))));
        assert.deepEqual(echoes.map((e) => e.response.i), Array.from({ length: 50 }, (_, i) => i));
        // a broadcast from a WebSocket client reaches the LongPoll client, and back
        const peer = ws.channel("room:longpoll");
        const peerHeard = collect(peer, "shout");
        await outcome(peer.join());
        const heard = nextCall((cb) => ch.on("shout", cb));
        peer.push("shout", { from: "ws" });
        assert.deepEqual((await heard)[0], { from: "ws" });
        ch.push("shout", { from: "lp" });
        await peerHeard.until((seen) => seen.some((p) => p.from === "lp"));
        lp.disconnect();
        ws.disconnect();
      });

      test(`${name}: a dropped LongPoll session reconnects and rejoins`, async () => {
        const user = `lp-drop-${name}`;
        const lp = socket(lib, { transport: lib.LongPoll, params: { token: `user:${user}` }, reconnectAfterMs: () => 20, rejoinAfterMs: () => 20 });
        lp.connect();
        const ch = lp.channel("room:longpoll-drop");
        const joins = [];
        ch.join().receive("ok", () => joins.push(1));
        while (joins.length < 1) await new Promise((r) => setTimeout(r, 10));
        await server.admin(`/admin/drop?user=${user}`);
        while (joins.length < 2) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual((await outcome(ch.push("echo", { after: "drop" }))).response, { after: "drop" });
        lp.disconnect();
      });
    }

    // the token as phoenix.js sends it over LongPoll (`X-Phoenix-AuthToken`, Phoenix 1.8's
    // `auth_token: true`, which the mock answers like); Phoenix 1.7 reads no token there
    test("phoenix-wasm: the auth token over LongPoll", async () => {
      const s = socket(wasm, { transport: wasm.LongPoll, authToken: "user:lp-token" });
      if (kind === "phoenix") {
        const failed = nextCall((cb) => s.onError(cb));
        s.connect();
        await failed;
        assert.equal(s.isConnected(), false);
        s.disconnect();
        return;
      }
      s.connect();
      const ch = s.channel("room:lp-auth");
      const hello = nextCall((cb) => ch.on("after_join", cb));
      ch.join();
      assert.deepEqual((await hello)[0], { hello: "lp-token" });
      s.disconnect();
    });

    test("phoenix-wasm: with longPollFallbackMs, a refused WebSocket falls back to LongPoll, remembered for the session", async () => {
      await server.admin("/admin/pause?transport=websocket&ms=60000");
      try {
        const store = new Store();
        const logs = [];
        const opts = { params: { token: "user:fallback" }, longPollFallbackMs: 2000, sessionStorage: store, logger: (k, m, d) => logs.push(`${k}: ${m} ${d ?? ""}`) };
        const s = socket(wasm, opts);
        s.connect();
        const ch = s.channel("room:fallback");
        assert.equal((await outcome(ch.join())).status, "ok");
        assert.deepEqual((await outcome(ch.push("echo", { via: "longpoll" }))).response, { via: "longpoll" });
        assert.ok(logs.some((l) => l.startsWith("transport: falling back to LongPoll... error")), logs.join("\n"));
        assert.equal(store.getItem("phx:fallback:LongPoll"), "true");
        s.disconnect();
        // the next socket of this session goes to LongPoll at once
        const logs2 = [];
        const s2 = socket(wasm, { ...opts, logger: (k, m, d) => logs2.push(`${k}: ${m} ${d ?? ""}`) });
        s2.connect();
        assert.equal((await outcome(s2.channel("room:fallback").join())).status, "ok");
        assert.ok(logs2.some((l) => l.startsWith("transport: falling back to LongPoll... memorized")), logs2.join("\n"));
        s2.disconnect();
      } finally {
        await server.admin("/admin/pause?ms=0");
      }
    });

    test("phoenix-wasm: with longPollFallbackMs, a blackholed WebSocket (never answered) falls back to LongPoll after the delay", async () => {
      const proxy = await blackholingProxy(server.socketUrl);
      try {
        const logs = [];
        const s = new wasm.Socket(proxy.socketUrl, {
          params: { token: "user:blackholed" },
          longPollFallbackMs: 300,
          sessionStorage: new Store(),
          logger: (k, m, d) => logs.push(`${k}: ${m} ${d ?? ""}`),
        });
        sockets.push(s);
        s.connect();
        const ch = s.channel("room:blackholed");
        assert.equal((await outcome(ch.join())).status, "ok");
        assert.deepEqual((await outcome(ch.push("echo", { via: "longpoll" }))).response, { via: "longpoll" });
        assert.equal(proxy.held.size, 1, "the WebSocket's upgrade was held, never answered");
        assert.ok(logs.some((l) => l.startsWith("transport: falling back to LongPoll... timeout")), logs.join("\n"));
        s.disconnect();
      } finally {
        proxy.close();
      }
    });

    test("phoenix-wasm: with longPollFallbackMs and a working WebSocket, the WebSocket is used", async () => {
      // LongPoll refused meanwhile: only the WebSocket gets through
      await server.admin("/admin/pause?transport=longpoll&ms=60000");
      try {
        const store = new Store();
        const s = socket(wasm, { params: { token: "user:no-fallback" }, longPollFallbackMs: 2000, sessionStorage: store });
        s.connect();
        assert.equal((await outcome(s.channel("room:no-fallback").join())).status, "ok");
        assert.equal(store.getItem("phx:fallback:LongPoll"), null);
        assert.equal(s.getLongPollTransport(), wasm.LongPoll);
        s.disconnect();
      } finally {
        await server.admin("/admin/pause?ms=0");
      }
    });
  });
}
