// Drop-in parity: the same application code, written for phoenix.js, runs in
// headless Chromium once with the official `phoenix` package and once with
// phoenix-wasm (only the import differs). Both transcripts must be identical, against
// phoenix-mock and against the real Phoenix app.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { SERVERS, startKind, blackholingProxy, launchChromium } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const PHOENIX_MJS = readFileSync(require.resolve("phoenix").replace(/phoenix\.cjs\.js$/, "phoenix.mjs"), "utf8");
let browser;

before(async () => {
  assert.ok(existsSync(new URL("../../pkg/index.js", import.meta.url)), "pkg/ is missing: run `npm run build` first");
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** Application code in the style of the overlays that use phoenix.js. */
async function scenario(libUrl, socketUrl, user, transport = "websocket") {
  const lib = await import(libUrl);
  const { Socket } = lib;
  const log = [];
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (what, pred) => {
    for (let i = 0; i < 500 && !pred(); i++) await wait(10);
    if (!pred()) log.push(`TIMEOUT waiting for ${what}`);
  };
  const outcome = (push, tag) =>
    new Promise((resolve) =>
      push
        .receive("ok", (r) => resolve(log.push(`${tag} ok ${JSON.stringify(r)}`)))
        .receive("error", (r) => resolve(log.push(`${tag} error ${JSON.stringify(r)}`)))
        .receive("timeout", (r) => resolve(log.push(`${tag} timeout ${JSON.stringify(r)}`))),
    );

  // the transport: WebSocket, LongPoll, or LongPoll after a refused WebSocket
  const transportOpts = { websocket: {}, longpoll: { transport: lib.LongPoll }, fallback: { longPollFallbackMs: 2000 } }[transport];
  const socket = new Socket(socketUrl, {
    params: { token: `user:${user}` },
    reconnectAfterMs: (tries) => Math.min(1000 * 2 ** tries, 30000),
    ...transportOpts,
  });
  socket.onOpen(() => log.push("socket open"));
  socket.onClose(() => log.push("socket close"));
  socket.onError((_, Transport, established) => log.push(`socket error on ${Transport?.name} after ${established} connections`));
  log.push(`connected before connect: ${socket.isConnected()}`);
  socket.connect();

  const channel = socket.channel("room:parity", () => ({ name: user }));
  log.push(`topic ${channel.topic}, state ${channel.state}`);
  channel.on("after_join", (p) => log.push(`after_join ${JSON.stringify(p)}`));
  const shoutRef = channel.on("shout", (p) => log.push(`shout ${JSON.stringify(p)}`));
  log.push(`binding ref type ${typeof shoutRef}`);
  await outcome(channel.join(), "join");
  log.push(`state ${channel.state}, connected ${socket.isConnected()}`);
  await until("after_join", () => log.some((l) => l.startsWith("after_join")));

  const chained = channel.push("ping", { timestamp: 0 });
  log.push(`receive returns the push ${chained.receive("ok", () => {}) === chained}`);
  await outcome(channel.push("ping", { timestamp: 1 }), "ping");
  await outcome(channel.push("echo", { nested: { list: [1, "two", null, true] } }), "echo");
  await outcome(channel.push("fail", {}), "fail");
  await outcome(channel.push("noreply", {}, 100), "noreply");
  await outcome(channel.push("what", {}), "unknown");
  await outcome(channel.push("shout", { body: "hi" }), "shout push");
  await until("shout", () => log.some((l) => l.startsWith("shout {")));
  channel.off("shout", shoutRef);
  await outcome(channel.push("shout", { body: "unheard" }), "shout after off");

  if (transport === "websocket") {
    // (Phoenix's LongPoll cannot carry a binary reply: its session dies)
    const bin = await new Promise((resolve) =>
      channel.push("binary", new Uint8Array([1, 2, 250]).buffer).receive("ok", resolve),
    );
    log.push(`binary reply ${bin instanceof ArrayBuffer} ${[...new Uint8Array(bin)]}`);
  }

  try {
    channel.join();
    log.push("second join allowed");
  } catch (e) {
    log.push(`second join throws: ${/multiple times/.test(e.message)}`);
  }
  const fresh = socket.channel("room:unjoined");
  try {
    fresh.push("echo", {});
    log.push("push before join allowed");
  } catch (e) {
    log.push(`push before join throws: ${/before joining/.test(e.message)}`);
  }

  const forbidden = socket.channel("room:forbidden");
  await outcome(forbidden.join(), "forbidden join");
  log.push(`forbidden state ${forbidden.state}`);
  forbidden.leave();

  const crashy = socket.channel("room:parity-crash");
  crashy.onError((reason) => log.push(`crash onError ${JSON.stringify(reason)}`));
  let crashJoins = 0;
  crashy.join().receive("ok", () => crashJoins++);
  await until("crash join", () => crashJoins === 1);
  crashy.push("crash", {});
  await until("crash error", () => log.some((l) => l.startsWith("crash onError")));
  log.push(`crashed state ${crashy.state}`);
  await until("crash rejoin", () => crashJoins === 2);
  log.push(`rejoined state ${crashy.state}`);

  channel.onClose(() => log.push("channel onClose"));
  await outcome(channel.leave(), "leave");
  await until("channel close", () => log.includes("channel onClose"));
  log.push(`left state ${channel.state}`);

  const pinged = await new Promise((resolve) => {
    const sent = socket.ping((rtt) => resolve(`ping rtt ${typeof rtt}`));
    if (!sent) resolve("ping not sent");
  });
  log.push(pinged);

  let disconnected = false;
  socket.disconnect(() => (disconnected = true));
  await until("disconnect callback", () => disconnected);
  await until("socket close", () => log.includes("socket close"));
  log.push(`connected after disconnect ${socket.isConnected()}`);
  return log;
}

/** Reconnect and rejoin after the server closes the socket, and after a drop. */
async function reconnectScenario(libUrl, socketUrl, user) {
  const { Socket } = await import(libUrl);
  const log = [];
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (what, pred) => {
    for (let i = 0; i < 500 && !pred(); i++) await wait(10);
    if (!pred()) log.push(`TIMEOUT waiting for ${what}`);
  };
  const socket = new Socket(socketUrl, {
    params: { token: `user:${user}` },
    reconnectAfterMs: () => 20,
    rejoinAfterMs: () => 20,
  });
  let opens = 0;
  socket.onOpen(() => log.push(`open ${++opens}`));
  socket.onClose((e) => log.push(`close ${e.code}`));
  socket.connect();
  const channel = socket.channel("room:parity-reconnect");
  channel.onError((reason) => log.push(`channel error ${JSON.stringify(reason)}`));
  let joins = 0;
  channel.join().receive("ok", () => log.push(`joined ${++joins}`));
  await until("join", () => joins === 1);
  await fetch(`/admin/disconnect?user=${user}`);
  await until("rejoin", () => joins === 2);
  log.push(`state ${channel.state}`);
  const replies = [];
  await fetch(`/admin/drop?user=${user}`);
  await until("close after drop", () => log.filter((l) => l.startsWith("close")).length === 2);
  for (let i = 0; i < 5; i++) channel.push("echo", { i }).receive("ok", (r) => replies.push(r.i));
  await until("replies", () => replies.length === 5);
  log.push(`echo replies in order ${replies.join(",")}`);
  log.push(`state ${channel.state}`);
  // without a code: both report the server's answer (Bandit 1000, the mock 1005)
  socket.disconnect();
  await until("close after disconnect", () => log.filter((l) => l.startsWith("close")).length === 3);
  return log;
}

/** Presence as overlays use it: who is in the room, across joins, leaves, tabs and kicks. */
async function presenceScenario(libUrl, socketUrl, user) {
  const { Socket, Presence } = await import(libUrl);
  const log = [];
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (what, pred) => {
    for (let i = 0; i < 500 && !pred(); i++) await wait(10);
    if (!pred()) log.push(`TIMEOUT waiting for ${what}`);
  };
  const topic = `room:presence-${user}`;
  const open = (name, extra = {}) => {
    const s = new Socket(socketUrl, { params: { token: `user:${name}` }, reconnectAfterMs: () => 20, ...extra });
    s.connect();
    return s;
  };
  const a = open(`${user}-a`);
  const ca = a.channel(topic);
  const presence = new Presence(ca);
  presence.onJoin((key, cur, pres) => log.push(`join ${key.slice(user.length)} had=${cur ? cur.metas.length : "none"} new=${pres.metas.length}`));
  presence.onLeave((key, cur, pres) => log.push(`leave ${key.slice(user.length)} left=${cur.metas.length} gone=${pres.metas.length}`));
  let syncs = 0;
  presence.onSync(() => syncs++);
  const members = () => presence.list((key, p) => `${key.slice(user.length)}x${p.metas.length}`).sort().join(" ");
  ca.join();
  await until("self", () => members() === "-ax1");
  const b1 = open(`${user}-b`);
  b1.channel(topic).join();
  await until("b", () => members() === "-ax1 -bx1");
  const b2 = open(`${user}-b`);
  const cb2 = b2.channel(topic);
  cb2.join();
  await until("second tab", () => members() === "-ax1 -bx2");
  cb2.leave();
  await until("tab closed", () => members() === "-ax1 -bx1");
  await fetch(`/admin/disconnect?user=${user}-b`);
  await until("b back", () => log.filter((l) => l.startsWith("join -b")).length === 3);
  await until("b present", () => members() === "-ax1 -bx1");
  log.push(`members ${members()}`);
  log.push(`synced ${syncs > 0}`);
  log.push(`list default ${presence.list().length}`);
  const state = Presence.syncState({}, { k: { metas: [{ phx_ref: "1" }] } });
  const next = Presence.syncDiff(state, { joins: { j: { metas: [{ phx_ref: "2" }] } }, leaves: { k: { metas: [{ phx_ref: "1" }] } } });
  log.push(`static ${JSON.stringify(Presence.list(next, (k) => k))}`);
  const changes = [];
  const onJoin = (k, cur, p) => changes.push(`join ${k} had=${cur ? cur.metas.map((m) => m.phx_ref) : "none"} new=${p.metas.map((m) => m.phx_ref)}`);
  const onLeave = (k, cur, p) => changes.push(`leave ${k} left=${cur.metas.map((m) => m.phx_ref)} gone=${p.metas.map((m) => m.phx_ref)}`);
  const synced = Presence.syncState(
    { stay: { metas: [{ phx_ref: "s1" }] }, go: { metas: [{ phx_ref: "g1" }] } },
    { stay: { metas: [{ phx_ref: "s1" }, { phx_ref: "s2" }] }, "new \"one\"": { metas: [{ phx_ref: "n1", x: [1, { y: null }] }] } },
    onJoin,
    onLeave,
  );
  Presence.syncDiff(synced, { joins: { late: { metas: [{ phx_ref: "l1" }] } }, leaves: { stay: { metas: [{ phx_ref: "s1" }] } } }, onJoin, onLeave);
  log.push(`static changes ${changes.join("; ")}`);
  for (const s of [a, b1, b2]) s.disconnect();
  return log;
}

/** A socket made for LongPoll with a codec of its own: phoenix.js speaks JSON on LongPoll whatever the codec. */
async function longPollCodecScenario(libUrl, socketUrl, user) {
  const { Socket, LongPoll } = await import(libUrl);
  let calls = 0;
  const codec = {
    encode: (msg, cb) => cb(JSON.stringify(["codec", ++calls])),
    decode: (raw, cb) => cb({ topic: "codec", event: String(++calls), payload: {}, ref: null, join_ref: null }),
  };
  const socket = new Socket(socketUrl, { params: { token: `user:${user}` }, transport: LongPoll, ...codec });
  socket.connect();
  const channel = socket.channel("room:lpcodec");
  const joined = await new Promise((resolve) =>
    channel
      .join()
      .receive("ok", (r) => resolve(`joined ${JSON.stringify(r)}`))
      .receive("error", (r) => resolve(`join error ${JSON.stringify(r)}`))
      .receive("timeout", () => resolve("join timeout")),
  );
  const echo = await new Promise((resolve) => channel.push("echo", { n: 1 }).receive("ok", (r) => resolve(`echo ${JSON.stringify(r)}`)));
  socket.disconnect();
  return [joined, echo, `codec calls ${calls}`];
}

async function run(server, libUrl, user, fn = scenario, ...args) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.route("**/__phoenix.mjs", (route) => route.fulfill({ body: PHOENIX_MJS, contentType: "text/javascript" }));
  await page.goto(server.http + "/health");
  const log = await page.evaluate(
    `(${fn.toString()})(${[server.http + libUrl, "/socket", user, ...args].map((a) => JSON.stringify(a)).join(", ")})`,
  );
  await page.close();
  assert.deepEqual(errors, []);
  return log;
}

for (const kind of SERVERS) describe(`parity on ${kind}`, { timeout: 120_000 }, () => {
  let server;
  before(async () => {
    server = await startKind(kind);
  });
  after(async () => {
    await server?.stop();
  });

  test("phoenix.js application code behaves the same on phoenix-wasm", async () => {
    const reference = await run(server, "/__phoenix.mjs", "parity");
    const ours = await run(server, "/pkg/index.js", "parity");
    assert.ok(reference.length >= 30, reference.join("\n"));
    assert.deepEqual(ours, reference);
  });

  // with WebSockets refused meanwhile, only LongPoll gets through: a client that did not
  // use it (or fall back to it) times out, and the transcripts show it
  for (const [name, transport, user] of [
    ["the same application code over LongPoll behaves the same on phoenix-wasm", "longpoll", "paritylp"],
    ["with longPollFallbackMs and the WebSocket refused, both fall back to LongPoll and behave the same", "fallback", "parityfb"],
  ]) {
    test(name, async () => {
      await server.admin("/admin/pause?transport=websocket&ms=120000");
      try {
        const reference = await run(server, "/__phoenix.mjs", user, scenario, transport);
        const ours = await run(server, "/pkg/index.js", user, scenario, transport);
        assert.ok(reference.length >= 30 && !reference.some((l) => l.startsWith("TIMEOUT")), reference.join("\n"));
        assert.deepEqual(ours, reference);
      } finally {
        await server.admin("/admin/pause?ms=0");
      }
    });
  }

  test("a socket made for LongPoll ignores a custom encode/decode on both clients (JSON lines)", async () => {
    const reference = await run(server, "/__phoenix.mjs", "paritylpcodec", longPollCodecScenario);
    const ours = await run(server, "/pkg/index.js", "paritylpcodec", longPollCodecScenario);
    assert.deepEqual(reference.slice(1), ['echo {"n":1}', "codec calls 0"], reference.join("\n"));
    assert.deepEqual(ours, reference);
  });

  test("with longPollFallbackMs and the WebSocket blackholed (never answered), both fall back to LongPoll and behave the same", async () => {
    // the page, its WebSockets and its LongPoll all go through a proxy that holds upgrades
    const proxy = await blackholingProxy(server.socketUrl);
    try {
      const reference = await run(proxy, "/__phoenix.mjs", "paritybh", scenario, "fallback");
      const ours = await run(proxy, "/pkg/index.js", "paritybh", scenario, "fallback");
      assert.ok(reference.length >= 30 && !reference.some((l) => l.startsWith("TIMEOUT")), reference.join("\n"));
      assert.deepEqual(ours, reference);
      assert.ok(proxy.held.size >= 2, `each client's WebSocket was held (${proxy.held.size})`);
    } finally {
      proxy.close();
    }
  });

  test("workerTimers: the socket's one timer runs in a Worker, and heartbeats keep coming", async () => {
    const got = await run(server, "/pkg/index.js", "workertimer", async (libUrl, socketUrl, user) => {
      const { Socket } = await import(libUrl);
      let workers = 0;
      const PageWorker = globalThis.Worker;
      globalThis.Worker = class extends PageWorker {
        constructor(...args) {
          super(...args);
          workers++;
        }
      };
      const socket = new Socket(socketUrl, { params: { token: `user:${user}` }, heartbeatIntervalMs: 50, workerTimers: true });
      const rtts = [];
      socket.onHeartbeat((rtt) => rtts.push(rtt));
      socket.connect();
      for (let i = 0; i < 300 && rtts.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      socket.disconnect();
      return [workers, rtts.length >= 3];
    });
    assert.deepEqual(got, [1, true]);
  });

  test("the ESM entry exports Push, the class of every push (phoenix.js exports none)", async () => {
    const got = await run(server, "/pkg/index.js", "pushclass", async (libUrl) => {
      const { Socket, Push } = await import(libUrl);
      const join = new Socket("ws://127.0.0.1:9/socket").channel("room:other").join();
      return [typeof Push, join instanceof Push, join.receive("ok", () => {}) === join];
    });
    assert.deepEqual(got, ["function", true, true]);
  });

  test("reconnect and rejoin behave the same on phoenix-wasm", async () => {
    const reference = await run(server, "/__phoenix.mjs", "parityref", reconnectScenario);
    const ours = await run(server, "/pkg/index.js", "parityours", reconnectScenario);
    assert.ok(!reference.some((l) => l.startsWith("TIMEOUT")), reference.join("\n"));
    assert.deepEqual(ours, reference);
  });

  test("presence behaves the same on phoenix-wasm", async () => {
    const reference = await run(server, "/__phoenix.mjs", "pref", presenceScenario);
    const ours = await run(server, "/pkg/index.js", "pref", presenceScenario);
    assert.ok(!reference.some((l) => l.startsWith("TIMEOUT")), reference.join("\n"));
    // two members see each other; a second tab is a second meta; a kick is a leave then a re-join
    for (const line of ["join -b had=none new=1", "join -b had=1 new=1", "leave -b left=1 gone=1", "leave -b left=0 gone=1", "members -ax1 -bx1"]) {
      assert.ok(ours.includes(line), `${line} missing from\n${ours.join("\n")}`);
    }
    assert.deepEqual(ours, reference);
  });
});
