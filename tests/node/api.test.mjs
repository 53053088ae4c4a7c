// What the README's API section says, not covered elsewhere: socket.push of a raw
// message, channel.joinRef(), the send buffer's cap (buffer_full), `debug: true`
// logging, and payloads nested as deep as phoenix.js takes them. phoenix-wasm in node
// against both servers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome, nextCall } from "./helpers.mjs";

const until = async (cond) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

/**
 * `orFail(p)`: `p`, or a rejection as soon as `socket` reports an error (a payload the
 * client cannot read fails the test at once, not by a timeout).
 */
function failOnError(socket) {
  const failed = new Promise((_, reject) => socket.onError((e) => reject(new Error(`onError: ${e?.message ?? e}`))));
  return (p) => Promise.race([p, failed]);
}

for (const kind of SERVERS) test(`${kind}: socket.push sends a raw message; channel.joinRef() is the join's ref`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:raw" } });
  try {
    const seen = [];
    socket.onMessage((m) => seen.push(m));
    socket.connect();
    const ch = socket.channel("room:raw");
    assert.equal(ch.joinRef(), undefined, "no join yet");
    assert.equal((await outcome(ch.join())).status, "ok");
    const joinRef = ch.joinRef();
    assert.equal(typeof joinRef, "string");
    const joinReply = seen.find((m) => m.event === "phx_reply" && m.topic === "room:raw");
    assert.equal(joinReply.join_ref, joinRef, "the join's reply carries the ref joinRef() gives");
    // a message made by hand, on the joined channel: the server answers it like a push
    socket.push({ topic: "room:raw", event: "echo", payload: { by: "hand" }, ref: "raw-1", join_ref: joinRef });
    await until(() => seen.some((m) => m.ref === "raw-1"));
    const reply = seen.find((m) => m.ref === "raw-1");
    assert.deepEqual([reply.event, reply.join_ref, reply.payload], ["phx_reply", joinRef, { status: "ok", response: { by: "hand" } }]);
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: pushes beyond maxSendBuffer while disconnected answer error buffer_full; the rest are sent on reconnect`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:capped" }, maxSendBuffer: 3, reconnectAfterMs: () => 300 });
  try {
    socket.connect();
    const ch = socket.channel("room:capped");
    assert.equal((await outcome(ch.join())).status, "ok");
    const closed = nextCall((cb) => socket.onClose(cb));
    await server.admin("/admin/drop?user=capped");
    await closed;
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((i) => outcome(ch.push("echo", { i }))));
    assert.deepEqual(
      outcomes.map((o) => [o.status, o.response]),
      [["ok", { i: 1 }], ["ok", { i: 2 }], ["ok", { i: 3 }], ["error", { reason: "buffer_full" }], ["error", { reason: "buffer_full" }]],
    );
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: disconnect(callback) calls back once the transport has closed, after onClose with its close event; connectionState() is "closing" meanwhile`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:closing" } });
  try {
    const opened = nextCall((cb) => socket.onOpen(cb));
    socket.connect();
    await opened;
    const order = [];
    socket.onClose((e) => order.push(`onClose ${e.code} while ${socket.connectionState()}`));
    const done = nextCall((cb) => socket.disconnect(() => cb(order.push(`callback while ${socket.connectionState()}`))));
    assert.equal(socket.connectionState(), "closing");
    assert.deepEqual(order, [], "neither onClose nor the callback before the transport has closed");
    await done;
    // onClose gets the transport's close event, as phoenix.js: the server's answer to a
    // close frame without a code (Bandit answers 1000, phoenix-mock 1005)
    assert.deepEqual(order, [`onClose ${kind === "phoenix" ? 1000 : 1005} while closed`, "callback while closed"]);
    // with nothing to close: at once
    let now = false;
    socket.disconnect(() => (now = true));
    assert.equal(now, true);
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

test("debug: true logs to the console, as phoenix.js's default logger", async () => {
  const lines = [];
  const log = console.log;
  console.log = (...args) => lines.push(args.map(String).join(" "));
  const warn = console.warn;
  console.warn = () => {};
  const socket = new Socket("ws://127.0.0.1:9/socket", { debug: true, reconnectAfterMs: () => 60000 });
  try {
    socket.connect();
    await until(() => lines.some((l) => l.startsWith("transport: close")));
  } finally {
    socket.disconnect();
    console.log = log;
    console.warn = warn;
  }
  assert.equal(lines[0], "transport: connecting to ws://127.0.0.1:9/socket/websocket?vsn=2.0.0 undefined");
});

for (const kind of SERVERS) test(`${kind}: payloads nested 2,000 levels deep arrive as a broadcast and as a reply, as phoenix.js takes them`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:deep" } });
  const orFail = failOnError(socket);
  try {
    socket.connect();
    const ch = socket.channel("room:deep");
    assert.equal((await outcome(ch.join())).status, "ok");
    // objects and arrays alternating, 2,000 levels: well past the 128 a recursive
    // reader would stop at, and still within what JSON.stringify can write
    let deep = { leaf: "✓" };
    for (let i = 0; i < 2000; i++) deep = i % 2 ? { [`k${i}`]: deep } : [i, deep];
    // compared as JSON text: node's deepEqual recurses deeper than the stack allows
    const text = JSON.stringify({ deep });
    const shouted = nextCall((cb) => ch.on("shout", cb));
    assert.equal((await orFail(outcome(ch.push("shout", { deep })))).status, "ok");
    assert.equal(JSON.stringify((await orFail(shouted))[0]), text);
    const echoed = await orFail(outcome(ch.push("echo", { deep })));
    assert.equal(echoed.status, "ok");
    assert.equal(JSON.stringify(echoed.response), text);
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: a broadcast on a topic in any script arrives whole, its payload taken from the frame's text`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:script" } });
  const orFail = failOnError(socket);
  try {
    socket.connect();
    // characters of one, two, three and four bytes (the last two UTF-16 units) before
    // the payload and in it: the payload's place in the frame's string is counted in units
    const ch = socket.channel("room:é✓😀");
    assert.equal((await outcome(ch.join())).status, "ok");
    for (const body of ["😀 é ✓", "plain", "", "\u2028 \\ \" 𝄞"]) {
      const shouted = nextCall((cb) => ch.on("shout", cb));
      assert.equal((await orFail(outcome(ch.push("shout", { body, n: [1, { "ключ": body }] })))).status, "ok");
      assert.deepEqual((await orFail(shouted))[0], { body, n: [1, { "ключ": body }] });
      ch.off("shout");
    }
  } finally {
    socket.disconnect();
    await server.stop();
  }
});
