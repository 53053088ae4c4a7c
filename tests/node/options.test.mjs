// The options of `new Socket` and `socket.channel` (js/options.js, read by the shell):
// a wrong type throws an Error naming the option; functions given as options are called
// when the socket needs them, and what they give back reaches the server; a schedule
// that gives no number falls back to the default with a warning. phoenix-wasm in node
// against the mock server, and js/options.js's wrappers on their own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome, nextCall } from "./helpers.mjs";
import { socketOptions, channelOptions } from "../../js/options.js";

const URL = "ws://127.0.0.1:9/socket";

/** The message `new Socket(URL, opts)` throws (fails when it does not throw an Error). */
function thrown(make) {
  try {
    make();
  } catch (e) {
    assert.ok(e instanceof Error, `an Error: ${e}`);
    return e.message;
  }
  assert.fail("did not throw");
}

test("a wrong option type throws an Error naming the option", () => {
  const cases = [
    [{ timeout: "soon" }, /option timeout must be a non-negative number \(got string\)/],
    [{ heartbeatIntervalMs: -1 }, /heartbeatIntervalMs must be a non-negative number \(got number\)/],
    [{ heartbeatTimeoutMs: NaN }, /heartbeatTimeoutMs/],
    [{ maxSendBuffer: Infinity }, /maxSendBuffer/],
    [{ maxFrameBytes: [] }, /maxFrameBytes must be a non-negative number \(got array\)/],
    [{ reconnectAfterMs: 100 }, /option reconnectAfterMs must be a function \(tries\) => ms \(got number\)/],
    [{ rejoinAfterMs: "1s" }, /rejoinAfterMs/],
    [{ params: 5 }, /params must be an object or a function returning one \(got number\)/],
    [{ params: [1] }, /params must be an object or a function returning one \(got array\)/],
    [{ params: { n: 1n } }, /params cannot be serialized to JSON: .*BigInt/],
    [{ authToken: 7 }, /option authToken must be a string or a function returning one \(got number\)/],
    [{ vsn: 2 }, /option vsn must be a string \(got number\)/],
    [{ binaryType: "blob" }, /binaryType must be "arraybuffer", as binary payloads arrive as ArrayBuffer \(got string\)/],
    [{ jitter: "yes" }, /option jitter must be a boolean \(got string\)/],
    [{ reconnectWhileHidden: 0 }, /reconnectWhileHidden must be a boolean/],
    [{ debug: 1 }, /option debug must be a boolean/],
    [{ correlationId: 5 }, /option correlationId must be true or a string/],
    [{ logger: "console" }, /option logger must be a function \(got string\)/],
    [{ beforeReconnect: {} }, /option beforeReconnect must be a function \(got object\)/],
    [{ encode: true }, /option encode must be a function/],
    [{ decode: 1 }, /option decode must be a function/],
  ];
  for (const [opts, expected] of cases) {
    assert.match(thrown(() => new Socket(URL, opts)), expected, JSON.stringify(Object.keys(opts)));
  }
  for (const opts of [3, "x", () => {}]) {
    assert.match(thrown(() => new Socket(URL, opts)), /Socket options must be an object/);
  }
  // null counts as not given, as phoenix.js's `opts.x || default`
  new Socket(URL, { timeout: null, params: null, authToken: null, jitter: null, logger: null });
  new Socket(URL, null);

  const socket = new Socket(URL, {});
  assert.match(thrown(() => socket.channel("room:x", 5)), /channel params must be an object or a function returning one \(got number\)/);
  assert.match(thrown(() => socket.channel("room:x", {}, 5)), /channel options must be an object \(got number\)/);
  assert.match(thrown(() => socket.channel("room:x", {}, { unbatch: 3 })), /option unbatch must be an event name \(got number\)/);
  assert.match(thrown(() => socket.channel("room:x", {}, { reliable: "yes" })), /option reliable must be a boolean/);
});

for (const kind of SERVERS) test(`${kind}: functions given as options are called when needed and reach the server`, async () => {
  const server = await startKind(kind);
  let paramsCalls = 0;
  const logs = [];
  // the token subprotocol is Phoenix 1.8's (the mock answers like it); on Phoenix 1.7 the
  // params function names the user
  const socket = new Socket(server.socketUrl, {
    params: () => (paramsCalls++, { token: kind === "phoenix" ? "user:fromfn" : "valid" }),
    ...(kind === "mock" ? { authToken: () => "user:fromfn" } : {}),
    logger: (kind, msg) => logs.push(`${kind}: ${msg}`),
    correlationId: true,
  });
  try {
    assert.equal(paramsCalls, 0, "params are not read before connecting");
    socket.connect();
    const ch = socket.channel("room:opts", () => ({ n: 1 }));
    const hello = nextCall((cb) => ch.on("after_join", cb));
    assert.equal((await outcome(ch.join())).status, "ok");
    assert.deepEqual((await hello)[0], { hello: "fromfn" }, "the authToken (mock) or params (Phoenix) function's token reached the server");
    assert.equal(paramsCalls, 1);
    assert.ok(logs.length > 0, "the logger was called");
    const ids = new Set(logs.map((l) => l.match(/\[([0-9a-f]{16})\]/)?.[1]));
    assert.equal(ids.size, 1, `one generated correlation id on every line: ${logs.slice(0, 3)}`);
    assert.match([...ids][0] ?? "", /^[0-9a-f]{16}$/, "a 16-digit hex id");
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: an authToken or params function that throws is reported, not propagated`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, {
    params: () => {
      throw new Error("no session");
    },
    reconnectAfterMs: () => 60_000,
  });
  try {
    const [error] = await nextCall((cb) => {
      socket.onError(cb);
      socket.connect();
    });
    assert.match(String(error?.message ?? error), /params function threw: no session/);
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: beforeReconnect is awaited before each reconnect; a failing hook is reported and the reconnect goes ahead`, async () => {
  const server = await startKind(kind);
  const log = [];
  let release;
  let attempts = 0;
  const socket = new Socket(server.socketUrl, {
    params: { token: "user:hooked" },
    reconnectAfterMs: () => 10,
    beforeReconnect: (attempt) => {
      attempts++;
      log.push(`hook ${attempt}`);
      if (attempts === 1) {
        return new Promise((resolve) => (release = resolve));
      }
      throw new Error("hook broke");
    },
  });
  socket.onOpen(() => log.push("open"));
  const errors = [];
  const error = console.error;
  console.error = (...args) => errors.push(args.map(String).join(" "));
  try {
    await nextCall((cb) => {
      socket.onOpen(cb);
      socket.connect();
    });
    assert.deepEqual(await server.admin("/admin/drop?user=hooked"), { dropped: 1 });
    while (!release) await new Promise((r) => setTimeout(r, 5));
    // the reconnect delay (10 ms) has passed several times over: still waiting for the hook
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(log, ["open", "hook 1"], "no reconnect while the hook's promise is pending");
    assert.equal(socket.isConnected(), false);
    const reopened = nextCall((cb) => socket.onOpen(cb));
    log.push("released");
    release();
    await reopened;
    assert.deepEqual(log, ["open", "hook 1", "released", "open"]);

    const again = nextCall((cb) => socket.onOpen(cb));
    assert.deepEqual(await server.admin("/admin/drop?user=hooked"), { dropped: 1 });
    await again;
    assert.deepEqual(log.slice(4), ["hook 1", "open"], "a new outage counts its attempts from 1");
    assert.ok(errors.some((e) => /beforeReconnect failed; reconnecting anyway.*hook broke/.test(e)), errors.join("\n"));
  } finally {
    console.error = error;
    socket.disconnect();
    await server.stop();
  }
});

test("js/options.js: schedules fall back with a warning, wrappers give what the shell reads", () => {
  const warnings = [];
  const warn = console.warn;
  console.warn = (msg) => warnings.push(msg);
  try {
    const o = socketOptions({
      reconnectAfterMs: (tries) => (tries === 1 ? 250 : tries === 2 ? "soon" : -5),
      rejoinAfterMs: () => {
        throw { code: 7 };
      },
      authToken: () => undefined,
      params: { a: 1 },
      debug: true,
      correlationId: "cid",
    });
    const config = JSON.parse(o.config);
    for (const key of ["timeout", "heartbeatIntervalMs", "heartbeatTimeoutMs", "maxSendBuffer", "maxFrameBytes", "vsn", "jitter"]) {
      assert.equal(key in config, false, `${key} not given: left to the core's default`);
    }
    assert.deepEqual(config.ask, ["reconnectAfterMs", "rejoinAfterMs", "authToken"], "what the application's functions compute is asked for");
    assert.equal(o.reconnectAfterMs(1), 250);
    assert.equal(o.reconnectAfterMs(2), -1);
    assert.equal(o.reconnectAfterMs(3), -1);
    assert.equal(o.rejoinAfterMs(1), -1);
    assert.deepEqual(warnings, [
      "phoenix-wasm: reconnectAfterMs did not return a number; using the default",
      "phoenix-wasm: reconnectAfterMs did not return a number; using the default",
      'phoenix-wasm: rejoinAfterMs threw ({"code":7}); using the default',
    ]);
    assert.deepEqual(config.params, { a: 1 }, "params given as an object are data");
    assert.equal(o.params, undefined);
    assert.equal(o.authToken(), undefined, "an authToken function may give nothing");
    assert.equal(config.correlationId, "cid");
    assert.equal(Number.isInteger(config.seed), true);
    assert.equal(config.log, true);
    assert.equal(typeof o.logger, "function", "debug: true installs a logger");
    assert.deepEqual(JSON.parse(socketOptions({ timeout: 1500.7, jitter: false }).config).timeout, 1500, "whole milliseconds");
    assert.equal(JSON.parse(socketOptions({ jitter: false }).config).jitter, false);
    assert.throws(() => socketOptions({ authToken: () => 5 }).authToken(), /authToken function must return a string \(got number\)/);
    assert.throws(() => socketOptions({ authToken: () => { throw "gone"; } }).authToken(), /authToken function threw: gone/);
    assert.throws(() => socketOptions({ params: () => [] }).params(), /params must be an object or a function returning one \(got array\)/);
    assert.equal(JSON.parse(socketOptions({ authToken: "" }).config).authToken, "", "an empty token is still a token");
    assert.match(JSON.parse(socketOptions({ correlationId: true }).config).correlationId, /^[0-9a-f]{16}$/);
    assert.equal(JSON.parse(socketOptions({ correlationId: false }).config).correlationId, undefined);
    assert.equal(JSON.parse(socketOptions({ correlationId: "" }).config).correlationId, "", "a string is used as it is");
    assert.deepEqual(JSON.parse(socketOptions(undefined).config).params, {});

    const [params, reliable, unbatch] = channelOptions(() => ({ room: 1 }), { reliable: true, unbatch: "batch" });
    assert.equal(params(), '{"room":1}');
    assert.equal(reliable, true);
    assert.equal(unbatch, "batch");
    assert.deepEqual(channelOptions(undefined, null).slice(1), [undefined, undefined, undefined]);
    // resume: a Storage under phx:resume:<topic> (or resumeKey), or the application's {get, set}
    const stored = new Map();
    const storage = { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => stored.set(k, v), removeItem: (k) => stored.delete(k) };
    const [, , , cursor] = channelOptions({}, { reliable: true, resume: storage }, "reliable:alerts");
    cursor.set("42");
    assert.equal(stored.get("phx:resume:reliable:alerts"), "42");
    assert.equal(cursor.get(), "42");
    cursor.set(null);
    assert.equal(stored.has("phx:resume:reliable:alerts"), false, "forgotten");
    channelOptions({}, { resume: storage, resumeKey: "mine" }, "t")[3].set("7");
    assert.equal(stored.get("mine"), "7");
    const own = { get: () => "1", set: () => {} };
    assert.equal(channelOptions({}, { resume: own }, "t")[3], own);
    assert.throws(() => channelOptions({}, { resume: { get: () => 1 } }, "t"), /option resume must be a Storage or \{get, set\}/);
  } finally {
    console.warn = warn;
  }
});

/** The first `n` reconnect delays of a socket whose every connect is refused. */
async function reconnectDelays(opts, n = 4) {
  const socket = new Socket(URL, { jitter: true, reconnectAfterMs: () => 300, ...opts });
  const delays = [];
  const done = new Promise((resolve) =>
    socket.onStatus((s) => {
      if (s.state === "reconnecting" && delays.push(s.inMs) === n) resolve();
    }),
  );
  socket.onError(() => {});
  socket.connect();
  await done;
  socket.disconnect();
  return delays;
}

test("jitter differs per socket (each draws its own seed) unless jitterSeed fixes it", async () => {
  const [a, b] = [await reconnectDelays({}), await reconnectDelays({})];
  for (const d of [...a, ...b]) assert.ok(d >= 0 && d <= 300, `a delay within the schedule's: ${d}`);
  assert.notDeepEqual(a, b, "two sockets reconnect in lockstep");
  assert.deepEqual(await reconnectDelays({ jitterSeed: 7 }), await reconnectDelays({ jitterSeed: 7 }));
  assert.match(thrown(() => new Socket(URL, { jitterSeed: -1 })), /option jitterSeed must be a non-negative integer/);
});
