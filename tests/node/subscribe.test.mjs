// subscribe(socket, topic, handlers, opts): the package's hook-style helper (js/subscribe.js),
// on phoenix-wasm in node against phoenix-mock and the real Phoenix app.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket, subscribe } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome } from "./helpers.mjs";

const connected = (url, token) => {
  const socket = new Socket(url, { params: { token } });
  socket.connect();
  return socket;
};

for (const kind of SERVERS) test(`${kind}: subscribe joins with its handlers; the function it returns removes them and leaves`, async () => {
  const server = await startKind(kind);
  const listener = connected(server.socketUrl, "user:subscriber");
  const shouter = connected(server.socketUrl, "user:shouter");
  try {
    const shouts = [];
    let shouted;
    const joined = new Promise((resolve) => {
      const unsubscribe = subscribe(listener, "room:sub", { shout: (p) => (shouts.push(p), shouted?.()) }, { onJoin: (reply) => resolve([reply, unsubscribe]) });
    });
    const [reply, unsubscribe] = await joined;
    assert.deepEqual(reply, { joined: "room:sub" });
    assert.equal(listener.health().channels.find((c) => c.topic === "room:sub")?.state, "joined");

    const ch = shouter.channel("room:sub");
    assert.equal((await outcome(ch.join())).status, "ok");
    const first = new Promise((resolve) => (shouted = resolve));
    assert.equal((await outcome(ch.push("shout", { n: 1 }))).status, "ok");
    await first;
    assert.deepEqual(shouts, [{ n: 1 }]);

    unsubscribe();
    unsubscribe(); // a second call does nothing
    assert.equal((await outcome(ch.push("shout", { n: 2 }))).status, "ok");
    assert.equal((await outcome(ch.push("echo", {}))).status, "ok"); // a round trip later
    assert.deepEqual(shouts, [{ n: 1 }], "no handler after unsubscribe");
    const state = listener.health().channels.find((c) => c.topic === "room:sub")?.state;
    assert.ok(state === undefined || state === "leaving" || state === "closed", `left (${state})`);
  } finally {
    listener.disconnect();
    shouter.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: subscribe reports an error from the join and rejects wrong handlers before joining anything`, async () => {
  const server = await startKind(kind);
  const socket = connected(server.socketUrl, "user:subscriber");
  try {
    // the mock server refuses topics under room:forbidden
    const reason = await new Promise((resolve) => subscribe(socket, "room:forbidden", {}, { onError: resolve }));
    assert.deepEqual(reason, { reason: "unauthorized" });

    const before = socket.health().channels.length;
    assert.throws(() => subscribe(socket, "room:x", 1), /subscribe handlers must be an object of event -> function \(got number\)/);
    assert.throws(() => subscribe(socket, "room:x", { a: () => {}, b: "no" }), /subscribe handler for "b" must be a function \(got string\)/);
    assert.equal(socket.health().channels.length, before, "no channel made for a wrong subscribe");
  } finally {
    socket.disconnect();
    await server.stop();
  }
});
