// The test contract, driven by the official `phoenix` npm client (with `ws` as its
// transport) against both servers: phoenix-mock and the real Phoenix app
// (interop/phoenix). Where they differ, Phoenix is right and the mock follows it.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { Socket, Presence } from "phoenix";
import { SERVERS, startKind, nextCall, outcome, collect } from "./helpers.mjs";

/** The HTTP status of a raw upgrade attempt. */
function upgradeStatus(url, protocols) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols);
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode));
    ws.on("error", () => {});
  });
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, resolve));
}

for (const kind of SERVERS) describe(`contract on ${kind}`, { timeout: 60_000 }, () => {
  let server;
  const sockets = [];

  before(async () => {
    server = await startKind(kind);
  });

  after(async () => {
    for (const s of sockets) s.disconnect();
    await server.stop();
  });

  function socket(opts = {}) {
    const s = new Socket(server.socketUrl, { transport: WebSocket, params: { token: "valid" }, ...opts });
    sockets.push(s);
    return s;
  }

  async function connected(opts) {
    const s = socket(opts);
    const opened = nextCall((cb) => s.onOpen(cb));
    s.connect();
    await opened;
    return s;
  }

  async function joinedChannel(s, topic, params = {}) {
    const ch = s.channel(topic, params);
    const res = await outcome(ch.join());
    assert.equal(res.status, "ok", `join ${topic}: ${JSON.stringify(res.response)}`);
    return ch;
  }

  test("GET /health answers 200 {status: ok}", async () => {
    const res = await fetch(server.http + "/health");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok" });
  });

  test("socket auth: valid and user:<id> tokens connect; anything else is 403", async () => {
    const base = server.socketUrl + "/websocket?vsn=2.0.0";
    assert.equal(await upgradeStatus(base + "&token=valid"), 101);
    assert.equal(await upgradeStatus(base + "&token=user:42"), 101);
    assert.equal(await upgradeStatus(base + "&token=nope"), 403);
    assert.equal(await upgradeStatus(base + "&token=user:"), 403);
    assert.equal(await upgradeStatus(base), 403);
  });

  test("no subprotocol is echoed unless a token subprotocol is offered (a client offering one fails the handshake)", async () => {
    // phoenix.js 1.8.16 offers none without authToken; a default Phoenix endpoint echoes
    // none, and a client that offered one must fail the handshake (RFC 6455; ws says so)
    const url = server.socketUrl + "/websocket?vsn=2.0.0&token=valid";
    assert.equal(await upgradeStatus(url), 101);
    const offered = new WebSocket(url, ["phoenix"]);
    const err = await once(offered, "error");
    assert.match(err.message, /no subprotocol/i);
  });

  // Phoenix 1.8's `auth_token: true` (what the mock answers like); Phoenix 1.7 has no
  // token subprotocol, so a 1.7 endpoint is tested to refuse it as above
  if (kind === "mock") test("authToken travels as a subprotocol and is accepted", async () => {
    const s = await connected({ params: {}, authToken: "user:tok" });
    const ch = s.channel("room:auth");
    const hello = nextCall((cb) => ch.on("after_join", cb));
    await outcome(ch.join());
    assert.deepEqual((await hello)[0], { hello: "tok" });
  });

  test("heartbeats on topic phoenix are answered (ping RTT)", async () => {
    const s = await connected();
    const [rtt] = await nextCall((cb) => s.ping(cb));
    assert.equal(typeof rtt, "number");
    assert.ok(rtt >= 0);
  });

  test("join room:lobby: ok {joined}, then after_join {hello}, then presence_state", async () => {
    const s = await connected({ params: { token: "user:alice" } });
    const ch = s.channel("room:lobby");
    const order = [];
    ch.on("after_join", (p) => order.push(["after_join", p]));
    ch.on("presence_state", (p) => order.push(["presence_state", p]));
    const res = await outcome(ch.join());
    assert.deepEqual(res, { status: "ok", response: { joined: "room:lobby" } });
    while (order.length < 2) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(order[0], ["after_join", { hello: "alice" }]);
    assert.equal(order[1][0], "presence_state");
    const metas = order[1][1].alice.metas;
    assert.equal(metas.length, 1);
    assert.equal(typeof metas[0].online_at, "number");
    assert.equal(typeof metas[0].phx_ref, "string");
  });

  test("join room:forbidden is an error {reason: unauthorized}", async () => {
    const s = await connected();
    const ch = s.channel("room:forbidden");
    assert.deepEqual(await outcome(ch.join()), { status: "error", response: { reason: "unauthorized" } });
    ch.leave();
  });

  test("an unknown topic is an error {reason: unmatched topic}", async () => {
    const s = await connected();
    const ch = s.channel("nowhere:1");
    assert.deepEqual(await outcome(ch.join()), { status: "error", response: { reason: "unmatched topic" } });
    ch.leave();
  });

  test("room events: echo, ping, fail, noreply, unknown", async () => {
    const s = await connected();
    const ch = await joinedChannel(s, "room:events");
    assert.deepEqual(await outcome(ch.push("echo", { a: [1, "x"] })), { status: "ok", response: { a: [1, "x"] } });
    assert.deepEqual(await outcome(ch.push("ping", {})), { status: "ok", response: { pong: true } });
    assert.deepEqual(await outcome(ch.push("fail", {})), { status: "error", response: { reason: "failed" } });
    assert.deepEqual(await outcome(ch.push("noreply", {}, 200)), { status: "timeout", response: {} });
    assert.deepEqual(await outcome(ch.push("what", {})), { status: "error", response: { reason: "unknown event" } });
  });

  test("shout is broadcast to every member and replied ok {}", async () => {
    const a = await connected({ params: { token: "user:a" } });
    const b = await connected({ params: { token: "user:b" } });
    const ca = await joinedChannel(a, "room:shout");
    const cb = await joinedChannel(b, "room:shout");
    const gotA = nextCall((f) => ca.on("shout", f));
    const gotB = nextCall((f) => cb.on("shout", f));
    assert.deepEqual(await outcome(ca.push("shout", { m: "hi" })), { status: "ok", response: {} });
    assert.deepEqual((await gotA)[0], { m: "hi" });
    assert.deepEqual((await gotB)[0], { m: "hi" });
  });

  test("crash sends phx_error; the client rejoins", async () => {
    const s = await connected({ rejoinAfterMs: () => 20 });
    const ch = s.channel("room:crash");
    const joins = [];
    ch.join().receive("ok", (r) => joins.push(r));
    while (joins.length < 1) await new Promise((r) => setTimeout(r, 5));
    const errored = nextCall((cb) => ch.onError(cb));
    ch.push("crash", {});
    const [payload] = await errored;
    assert.deepEqual(payload, {}); // Phoenix 1.7's phx_error payload
    while (joins.length < 2) await new Promise((r) => setTimeout(r, 5));
    assert.equal(ch.state, "joined");
  });

  test("binary payloads are echoed as binary replies", async () => {
    const s = await connected();
    const ch = await joinedChannel(s, "room:bin");
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const res = await outcome(ch.push("binary", bytes.buffer));
    assert.equal(res.status, "ok");
    assert.ok(res.response instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(res.response)], [...bytes]);
    const echo = await outcome(ch.push("echo", new Uint8Array([7, 7]).buffer));
    assert.deepEqual([...new Uint8Array(echo.response)], [7, 7]);
  });

  test("a second join of the same topic on one socket closes the old one with phx_close", async () => {
    const ws = new WebSocket(server.socketUrl + "/websocket?vsn=2.0.0&token=valid");
    await once(ws, "open");
    const frames = [];
    ws.on("message", (d) => frames.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify(["1", "1", "room:dup", "phx_join", {}]));
    ws.send(JSON.stringify(["2", "2", "room:dup", "phx_join", {}]));
    while (!frames.some((f) => f[1] === "2" && f[3] === "phx_reply")) await new Promise((r) => setTimeout(r, 5));
    // the new join is answered; the old one is closed (Phoenix sends that when the old
    // channel process is gone, before or after the new reply)
    assert.equal(frames.find((f) => f[1] === "2" && f[3] === "phx_reply")[4].status, "ok");
    while (!frames.some((f) => f[3] === "phx_close")) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(frames.find((f) => f[3] === "phx_close").slice(0, 3), ["1", "1", "room:dup"]);
    ws.close();
  });

  test("presence: members see each other join and leave as presence_diff", async () => {
    const a = await connected({ params: { token: "user:ann" } });
    const ca = a.channel("room:presence");
    const pa = new Presence(ca);
    const joined = [];
    const left = [];
    pa.onJoin((key, cur) => !cur && joined.push(key));
    pa.onLeave((key, cur) => cur.metas.length === 0 && left.push(key));
    await outcome(ca.join());
    const b = await connected({ params: { token: "user:bob" } });
    const cb = await joinedChannel(b, "room:presence");
    while (!joined.includes("bob")) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(pa.list((k) => k).sort(), ["ann", "bob"]);
    cb.leave();
    while (!left.includes("bob")) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(pa.list((k) => k), ["ann"]);
  });

  test("a user with two sockets has two metas", async () => {
    const a1 = await connected({ params: { token: "user:twin" } });
    const a2 = await connected({ params: { token: "user:twin" } });
    const c1 = a1.channel("room:twins");
    const p1 = new Presence(c1);
    await outcome(c1.join());
    await joinedChannel(a2, "room:twins");
    while ((p1.list((k, p) => p.metas.length)[0] || 0) < 2) await new Promise((r) => setTimeout(r, 5));
    const metas = p1.list((k, p) => p.metas)[0];
    assert.notEqual(metas[0].phx_ref, metas[1].phx_ref);
  });

  test("/admin/disconnect?user= closes that user's sockets; the client reconnects and rejoins", async () => {
    const s = await connected({ params: { token: "user:kick" }, reconnectAfterMs: () => 20 });
    const ch = s.channel("room:kick");
    const joins = [];
    ch.join().receive("ok", () => joins.push(1));
    while (joins.length < 1) await new Promise((r) => setTimeout(r, 5));
    const closed = nextCall((cb) => s.onClose(cb));
    assert.deepEqual(await server.admin("/admin/disconnect?user=kick"), { closed: 1 });
    const [ev] = await closed;
    // Phoenix 1.7 stops the socket with {:shutdown, :disconnected}, which Bandit closes
    // with 1011 (Phoenix 1.8: 1001); either way not a clean 1000, so the client reconnects
    assert.equal(ev.code, 1011);
    while (joins.length < 2) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s.isConnected(), true);
  });

  test("/admin/disconnect without a user closes every socket", async () => {
    const a = await connected({ params: { token: "user:all-a" }, reconnectAfterMs: () => 20 });
    const b = await connected({ params: { token: "user:all-b" }, reconnectAfterMs: () => 20 });
    const closes = [nextCall((cb) => a.onClose(cb)), nextCall((cb) => b.onClose(cb))];
    const { closed } = await server.admin("/admin/disconnect");
    assert.ok(closed >= 2, `closed ${closed}`);
    for (const [ev] of await Promise.all(closes)) assert.equal(ev.code, 1011);
  });

  test("/admin/drop cuts sockets without a close frame; /admin/pause refuses upgrades", async () => {
    const s = await connected({ params: { token: "user:drop" }, reconnectAfterMs: () => 50 });
    await joinedChannel(s, "room:drop");
    await server.admin("/admin/pause?ms=300");
    const closed = nextCall((cb) => s.onClose(cb));
    await server.admin("/admin/drop");
    const [ev] = await closed;
    assert.notEqual(ev.code, 1000);
    assert.equal(ev.wasClean, false);
    // refused as UserSocket.connect/3 returning :error is: HTTP 403
    assert.equal(await upgradeStatus(server.socketUrl + "/websocket?vsn=2.0.0&token=valid"), 403);
    await nextCall((cb) => s.onOpen(cb)); // after the pause ends
  });

  test("a socket is known to the admin routes as soon as its client sees it open", async () => {
    // a drop sent from the client's onopen always finds the socket: phoenix-mock registers
    // it before the upgrade's 101 goes out; the Phoenix app's socket process registers just
    // after, so its admin routes wait for connects it accepted (before, a drop could land
    // first and find nothing)
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(`${server.socketUrl}/websocket?vsn=2.0.0&token=user:early`);
      const closed = new Promise((resolve) => ws.on("close", resolve));
      await new Promise((resolve, reject) => {
        ws.on("open", resolve);
        ws.on("error", reject);
      });
      assert.deepEqual(await server.admin("/admin/drop?user=early"), { dropped: 1 }, `socket ${i}`);
      await closed;
    }
  });

  test("/admin/mute stops heartbeat replies, so the client's heartbeat times out", async () => {
    const logs = [];
    const s = await connected({
      params: { token: "user:mute" },
      heartbeatIntervalMs: 100,
      reconnectAfterMs: () => 50,
      logger: (kind, msg) => logs.push(`${kind}: ${msg}`),
    });
    await server.admin("/admin/mute?ms=400");
    await nextCall((cb) => s.onClose(cb));
    assert.ok(logs.some((l) => l.includes("heartbeat timeout")), logs.join("\n"));
    await server.admin("/admin/mute?ms=0");
    await nextCall((cb) => s.onOpen(cb));
  });


  test("presence:room:* tracks {status} metas and update_status arrives as leave + join", async () => {
    const a = await connected({ params: { token: "user:watcher" } });
    const ca = a.channel("presence:room:status");
    const presence = new Presence(ca);
    await outcome(ca.join());
    const b = await connected({ params: { token: "user:mover" } });
    const cb = await joinedChannel(b, "presence:room:status");
    const status = () => presence.list((k, p) => k === "mover" && p.metas[0].status).find(Boolean);
    while (status() !== "online") await new Promise((r) => setTimeout(r, 5));
    const changes = [];
    presence.onJoin((k) => k === "mover" && changes.push("join"));
    presence.onLeave((k) => k === "mover" && changes.push("leave"));
    assert.deepEqual(await outcome(cb.push("update_status", { status: "away" })), { status: "ok", response: { status: "away" } });
    while (status() !== "away") await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(changes, ["join", "leave"]);
    const metas = presence.list((k, p) => (k === "mover" ? p.metas : null)).find(Boolean);
    assert.equal(metas.length, 1);
    assert.ok(metas[0].phx_ref_prev);
    assert.equal((await outcome(cb.push("update_status", {}))).status, "error");
  });
});
