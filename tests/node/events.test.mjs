// A socket's own callbacks through the package's JS API (js/socket.js): onOpen, onClose, onMessage with off (and the core's
// message reporting turned on and off with them), onStatus, waitFor, onHeartbeat, ping,
// and the errors for wrong arguments; a channel's callbacks; a presence sync's onJoin /
// onLeave; the static Presence helpers' argument checks and list. phoenix-wasm in node
// against phoenix-mock and the real Phoenix app.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket, Channel, Presence } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome } from "./helpers.mjs";

for (const kind of SERVERS) test(`${kind}: socket callbacks, off, waitFor, heartbeat and ping from JS`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:events" }, heartbeatIntervalMs: 50, reconnectAfterMs: () => 10_000 });
  try {
    const log = [];
    const openRef = socket.onOpen((...args) => log.push(`open ${args.filter((a) => a !== undefined).length}`));
    assert.equal(typeof openRef, "string");
    const statuses = [];
    socket.onStatus((s) => statuses.push(s.state));
    const messages = [];
    const messageRef = socket.onMessage((m) => messages.push(`${m.topic} ${m.event}`));
    assert.notEqual(messageRef, openRef, "each callback has its own ref");
    const opened = socket.waitFor("open");
    socket.connect();
    const status = await opened;
    assert.equal(status.state, "open");
    assert.deepEqual(log, ["open 0"]);
    assert.deepEqual(await socket.waitFor("open"), { state: "open" }, "resolved at once when it is the state now");
    assert.deepEqual(statuses.slice(0, 2), ["connecting", "open"]);

    const ch = socket.channel("room:events");
    assert.equal((await outcome(ch.join())).status, "ok");
    assert.ok(messages.includes("room:events phx_reply"), `onMessage saw the join's reply: ${messages}`);

    socket.off([messageRef]);
    const seen = messages.length;
    assert.equal((await outcome(ch.push("echo", { n: 1 }))).status, "ok");
    assert.equal(messages.length, seen, "no onMessage after off");

    const rtt = await new Promise((resolve) => socket.onHeartbeat(resolve));
    assert.equal(typeof rtt, "number");
    const pong = await new Promise((resolve) => assert.equal(socket.ping(resolve), true));
    assert.equal(typeof pong, "number");

    assert.throws(() => socket.onOpen("no"), /onOpen callback must be a function \(got string\)/);
    assert.throws(() => socket.off("x"), /off\(refs\) expects an array of refs/);
    assert.throws(() => socket.waitFor("gone"), /waitFor: unknown state "gone" \(open, connecting, reconnecting, closed\)/);

    const closes = [];
    const closeHeard = new Promise((resolve) => socket.onClose((e) => { closes.push(e); resolve(); }));
    const closed = socket.waitFor("closed");
    socket.disconnect();
    assert.equal((await closed).state, "closed");
    await closeHeard; // onClose comes with the transport's own close event, as in phoenix.js
    assert.equal(closes.length, 1);
    assert.equal(typeof closes[0].code, "number");
    assert.equal(typeof closes[0].wasClean, "boolean");
    assert.equal(socket.ping(() => {}), false, "no ping while closed");
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: channel callbacks from JS: on/off by ref and by event, onState, onClose, several bindings of one event`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:channel-events" } });
  try {
    socket.connect();
    const ch = socket.channel("room:channel-events");
    const states = [];
    ch.onState((s) => states.push(s));
    const closes = [];
    ch.onClose(() => closes.push("close"));
    assert.equal((await outcome(ch.join())).status, "ok");
    assert.deepEqual(states, ["joining", "joined"]);

    // two bindings of one event: the first removes the second, which still hears this
    // message (the callbacks are taken before any is called, as phoenix.js does)
    const heard = [];
    let secondRef;
    const firstRef = ch.on("shout", (p, ref, joinRef) => {
      heard.push(`first ${p.n} ${ref} ${joinRef}`);
      ch.off("shout", secondRef);
    });
    secondRef = ch.on("shout", (p) => heard.push(`second ${p.n}`));
    assert.notEqual(firstRef, secondRef);
    assert.equal((await outcome(ch.push("shout", { n: 1 }))).status, "ok");
    assert.equal((await outcome(ch.push("echo", {}))).status, "ok"); // the broadcast arrived before this reply
    assert.deepEqual(heard, ["first 1 null null", "second 1"], "a broadcast: no ref, no join ref");
    assert.equal((await outcome(ch.push("shout", { n: 2 }))).status, "ok");
    assert.equal((await outcome(ch.push("echo", {}))).status, "ok");
    assert.deepEqual(heard.slice(2), ["first 2 null null"], "the second binding is gone");
    ch.off("shout"); // every binding of the event
    assert.equal((await outcome(ch.push("shout", { n: 3 }))).status, "ok");
    assert.equal((await outcome(ch.push("echo", {}))).status, "ok");
    assert.equal(heard.length, 3, "no binding left");

    assert.throws(() => ch.on("x", 5), /on callback must be a function \(got number\)/);
    assert.throws(() => ch.onState(null), /onState callback must be a function \(got null\)/);

    assert.equal((await outcome(ch.leave())).status, "ok");
    assert.deepEqual(closes, ["close"]);
    assert.deepEqual(states.slice(2), ["leaving", "closed"]);
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

test("presence onJoin / onLeave: every change reported in order, a throwing callback reported and the rest still called", () => {
  const errors = [];
  const error = console.error;
  console.error = (...args) => errors.push(args.map(String).join(" "));
  try {
    const seen = [];
    const state = {};
    for (let i = 0; i < 300; i++) state[`u${i}`] = { metas: [{ phx_ref: `r${i}` }] };
    const next = Presence.syncState(
      { u0: { metas: [{ phx_ref: "old" }] }, gone: { metas: [{ phx_ref: "g" }] } },
      state,
      (key, current, joined) => {
        seen.push(`+${key}:${current === undefined ? "-" : current.metas.length}:${joined.metas[0].phx_ref}`);
        if (key === "u7") throw new Error("render failed");
      },
      (key, current, left) => seen.push(`-${key}:${current.metas.length}:${left.metas[0].phx_ref}`),
    );
    assert.equal(Object.keys(next).length, 300);
    assert.equal(seen.length, 302, "300 joins, and two leaves: a key gone, and u0's old meta");
    assert.equal(seen[0], "+u0:1:r0", "a key that was present: its current presence, and only the new meta");
    assert.equal(seen[1], "+u1:-:r1", "a new key: current is undefined");
    assert.equal(seen[299], "+u299:-:r299");
    assert.deepEqual(seen.slice(300), ["-gone:0:g", "-u0:1:old"], "a leave's current presence is what remains");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /a callback threw.*render failed/);
    // only onLeave given
    const left = [];
    Presence.syncDiff(next, { joins: {}, leaves: { u1: { metas: [{ phx_ref: "r1" }] } } }, undefined, (key) => left.push(key));
    assert.deepEqual(left, ["u1"]);
  } finally {
    console.error = error;
  }
});

test("presence statics: arguments checked with clear errors, list hands back the presences themselves", () => {
  const state = Presence.syncState({}, { a: { metas: [{ phx_ref: "1" }] }, b: { metas: [{ phx_ref: "2" }] } });
  assert.deepEqual(Object.keys(state), ["a", "b"]);
  const listed = Presence.list(state);
  assert.equal(listed[0], state.a, "the object itself, as phoenix.js");
  assert.deepEqual(Presence.list(state, (key, p) => `${key}:${p.metas[0].phx_ref}`), ["a:1", "b:2"]);
  assert.deepEqual(Presence.list(undefined), []);
  assert.throws(() => Presence.list(state, "key"), /list chooser must be a function \(got string\)/);
  assert.throws(() => Presence.syncState(state, {}, 5), /onJoin must be a function \(got number\)/);
  assert.throws(() => Presence.syncDiff(state, { joins: {}, leaves: {} }, undefined, {}), /onLeave must be a function \(got object\)/);
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => Presence.syncState(state, cyclic), /newState cannot be serialized: .*circular/i);
  assert.throws(() => Presence.syncDiff(state, () => {}), /diff must be an object \(got function\)/);
  assert.throws(() => Presence.syncState({ a: 1 }, {}), /invalid presence state/);
  assert.throws(() => Presence.syncDiff(state, { joins: [] }), /invalid presence diff/);
  // nothing given: an empty state
  assert.deepEqual(Object.keys(Presence.syncDiff(undefined, null)), []);
});

test("presence statics: the state has no prototype, as phoenix.js's, so keys like __proto__ and constructor are presences", async () => {
  const { Presence: PhxPresence } = await import("phoenix");
  const server = { __proto__: null, constructor: { metas: [{ phx_ref: "1" }] }, toString: { metas: [{ phx_ref: "2" }] } };
  Object.defineProperty(server, "__proto__", { value: { metas: [{ phx_ref: "3" }] }, enumerable: true });
  const ours = Presence.syncState({}, server);
  const theirs = PhxPresence.syncState({}, server);
  assert.equal(Object.getPrototypeOf(ours), null);
  assert.equal(Object.getPrototypeOf(theirs), null);
  assert.deepEqual(Object.getOwnPropertyNames(ours).sort(), ["__proto__", "constructor", "toString"]);
  assert.deepEqual(JSON.stringify(ours), JSON.stringify(theirs));
  assert.equal(ours.constructor.metas[0].phx_ref, "1");
  const left = Presence.syncDiff(ours, { joins: {}, leaves: { constructor: { metas: [{ phx_ref: "1" }] } } });
  assert.equal(Object.getPrototypeOf(left), null);
  assert.deepEqual(Presence.list(left, (key) => key).sort(), ["__proto__", "toString"]);
});

test("socket.log and hasLogger: the logger option gets application log lines; a throwing logger is reported", () => {
  const lines = [];
  const data = { n: 1 };
  const logged = new Socket("ws://127.0.0.1:1/socket", { logger: (kind, msg, d) => lines.push([kind, msg, d]) });
  assert.equal(logged.hasLogger(), true);
  logged.log("app", "hello", data);
  assert.deepEqual(lines, [["app", "hello", data]]);
  assert.equal(lines[0][2], data, "the data itself");
  assert.equal(new Socket("ws://127.0.0.1:1/socket", { debug: true }).hasLogger(), true, "debug: true installs one");
  const quiet = new Socket("ws://127.0.0.1:1/socket");
  assert.equal(quiet.hasLogger(), false);
  quiet.log("app", "nobody listens", {});
  const errors = [];
  const error = console.error;
  console.error = (...args) => errors.push(args.map(String).join(" "));
  try {
    new Socket("ws://127.0.0.1:1/socket", { logger: () => { throw new Error("log sink down"); } }).log("app", "x");
  } finally {
    console.error = error;
  }
  assert.equal(errors.length, 1);
  assert.match(errors[0], /a callback threw.*log sink down/);
});

test("new Presence checks its event names", () => {
  const channel = new Socket("ws://127.0.0.1:1/socket").channel("room:names");
  assert.throws(() => new Presence(channel, { events: { state: 5 } }), /Presence events\.state must be a string \(got number\)/);
  assert.throws(() => new Presence(channel, { events: { state: "s", diff: null } }), /Presence events\.diff must be a string \(got null\)/);
  assert.equal(new Presence(channel, { events: { state: "s", diff: "d" } }).inPendingSyncState(), true);
  assert.equal(new Presence(channel, null).list().length, 0, "no options: the default events");
});

test("endPointURL and protocol as phoenix.js's", async () => {
  const { Socket: PhxSocket } = await import("phoenix");
  const cases = [
    ["ws://127.0.0.1:4000/socket", { params: { token: "a b&c", n: 1 } }],
    ["ws://h/socket", { params: () => ({ x: "y", nested: { a: 1 } }) }],
    ["wss://h/socket?a=1", {}],
  ];
  for (const [endpoint, opts] of cases) {
    assert.equal(new Socket(endpoint, opts).endPointURL(), new PhxSocket(endpoint, opts).endPointURL(), endpoint);
  }
  // the params function is called each time, as on every connect
  let n = 0;
  const counted = new Socket("ws://h/socket", { params: () => ({ n: ++n }) });
  assert.equal(counted.endPointURL(), "ws://h/socket/websocket?n=1&vsn=2.0.0");
  assert.equal(counted.endPointURL(), "ws://h/socket/websocket?n=2&vsn=2.0.0");
  assert.equal(new Socket("ws://h/socket").protocol(), "ws", "no page: not https");
  assert.throws(() => new Socket("/socket").endPointURL(), /relative/i, "a relative endpoint needs a page");
  assert.throws(() => new Socket("ws://h/socket", { params: () => 5 }).endPointURL(), /params must be an object/);
});

for (const kind of SERVERS) test(`${kind}: connect(params), deprecated as in phoenix.js, replaces the params`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "invalid" } });
  const warn = console.warn;
  const warnings = [];
  console.warn = (msg) => warnings.push(msg);
  try {
    assert.throws(() => socket.connect(5), /params must be an object or a function returning one \(got number\)/);
    const opened = new Promise((resolve) => socket.onOpen(resolve));
    socket.connect({ token: "user:connect-params" });
    assert.match(warnings[0], /passing params to connect is deprecated/);
    await opened;
    assert.match(socket.endPointURL(), /token=user%3Aconnect-params/);
    // a function works too, and is called on every connect
    socket.disconnect();
    let calls = 0;
    const again = new Promise((resolve) => socket.onOpen(resolve));
    socket.connect(() => ({ token: "user:connect-params", calls: ++calls }));
    await again;
    assert.equal(calls, 1);
  } finally {
    console.warn = warn;
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: new Channel(topic, params, socket), phoenix.js's constructor, makes a working channel on that socket`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:channel-ctor" } });
  try {
    socket.connect();
    const ch = new Channel("room:channel-ctor", { n: 1 }, socket);
    assert.ok(ch instanceof Channel);
    assert.equal(ch.topic, "room:channel-ctor");
    assert.equal((await outcome(ch.join())).status, "ok");
    assert.deepEqual((await outcome(ch.push("echo", { via: "constructor" }))).response, { via: "constructor" });
    assert.throws(() => new Channel("room:x", {}, {}), /expected instance of Socket/, "a socket of this package is required");
    assert.equal(Socket.name, "Socket");
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: channel.onMessage, phoenix.js's overridable hook, transforms every payload before the bindings get it`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:onmessage" } });
  const errors = [];
  const consoleError = console.error;
  console.error = (...args) => errors.push(args.map(String).join(" "));
  try {
    socket.connect();
    const ch = socket.channel("room:onmessage");
    const seen = [];
    ch.onMessage = (event, payload, ref) => ({ ...payload, seenAs: event, hadRef: ref !== null });
    ch.on("shout", (p) => seen.push(["a", p]));
    ch.on("shout", (p) => seen.push(["b", p]));
    assert.equal((await outcome(ch.join())).status, "ok");
    ch.push("shout", { n: 1 });
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
    // one call of the hook per message: both bindings get its result
    assert.deepEqual(seen, [["a", { n: 1, seenAs: "shout", hadRef: false }], ["b", { n: 1, seenAs: "shout", hadRef: false }]]);
    // a hook that returns nothing is reported, and the message goes to no binding
    ch.onMessage = () => undefined;
    await outcome(ch.push("shout", { n: 2 }));
    while (errors.length < 1) await new Promise((r) => setTimeout(r, 5));
    assert.match(errors[0], /onMessage callbacks must return the payload/);
    assert.equal(seen.length, 2);
    delete ch.onMessage; // the prototype's again: payloads as they are
    ch.push("shout", { n: 3 });
    while (seen.length < 4) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(seen[3], ["b", { n: 3 }]);
  } finally {
    console.error = consoleError;
    socket.disconnect();
    await server.stop();
  }
});
