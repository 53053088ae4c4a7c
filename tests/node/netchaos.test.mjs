// Network chaos: phoenix.js (the official client) and phoenix-wasm side by side, on one
// schedule of faults in the network between them and the server (tests/node/faultproxy.mjs:
// a silent link, resets, refused connects, blackholed connects, latency with jitter,
// throttled bandwidth), on phoenix-mock and the real Phoenix app. Both push all the time
// and hear a broadcaster (connected past the proxy), and both follow a feed: phoenix-wasm's
// channel on it is reliable, phoenix.js's plain (it has no such channel). Asserts: every push of either client has exactly one outcome; every fault is
// recovered from (both joined again); phoenix-wasm loses no reliable event. Prints, per
// client: time to notice a silent link, time to be joined again after each fault, push
// outcomes, time joined, broadcasts heard (docs/reliability.md has a run's figures).
// NET_CHAOS_ROUNDS=10 node --test tests/node/netchaos.test.mjs   (npm run chaos; npm test: 1 round)
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { Socket as PhoenixSocket } from "phoenix";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome } from "./helpers.mjs";
import { faultProxy } from "./faultproxy.mjs";

const ROUNDS = Number(process.env.NET_CHAOS_ROUNDS || 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const OPTIONS = { heartbeatIntervalMs: 500, reconnectAfterMs: () => 100, rejoinAfterMs: () => 100, timeout: 2000 };

/** One client under test: its echo pushes, the broadcasts it heard, when it was joined. */
function client(name, socket, topic) {
  const c = { name, socket, pushes: [], heard: new Set(), joinedSince: null, errors: [], waiters: [] };
  const room = socket.channel(topic);
  room.on("shout", ({ n }) => c.heard.add(n));
  room.onError(() => {
    c.joinedSince = null;
    c.errors.push(Date.now());
  });
  room.join().receive("ok", () => {
    c.joinedSince = Date.now();
    for (const w of c.waiters.splice(0)) w();
  });
  c.room = room;
  c.joined = () => (c.joinedSince !== null ? Promise.resolve() : new Promise((resolve) => c.waiters.push(resolve)));
  c.push = () => {
    const outcomes = [];
    c.pushes.push(outcomes);
    try {
      const p = room.push("echo", { i: c.pushes.length });
      for (const status of ["ok", "error", "timeout"]) p.receive(status, () => outcomes.push(status));
    } catch (e) {
      outcomes.push(`threw ${e.message}`);
    }
  };
  return c;
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

for (const kind of SERVERS) test(`${kind}: network faults, phoenix.js and phoenix-wasm side by side`, { timeout: 600_000 }, async () => {
  const server = await startKind(kind);
  const proxy = await faultProxy(server.socketUrl);
  const url = proxy.url(server.socketUrl);
  const topic = `room:netchaos-${kind}`;
  const theirs = client("phoenix.js", new PhoenixSocket(url, { transport: WebSocket, params: { token: "user:net-js" }, ...OPTIONS }), topic);
  const ours = client("phoenix-wasm", new Socket(url, { params: { token: "user:net-wasm" }, ...OPTIONS }), topic);
  const clients = [theirs, ours];
  for (const c of clients) {
    c.socket.onError(() => {});
    c.socket.connect();
  }
  // the broadcaster and the publisher reach the server directly, past the proxy
  const direct = new Socket(server.socketUrl, { params: { token: "user:net-broadcaster" } });
  direct.connect();
  const shouter = direct.channel(topic);
  const pub = direct.channel(`reliable:netchaos-${kind}`);
  assert.equal((await outcome(shouter.join())).status, "ok");
  assert.equal((await outcome(pub.join())).status, "ok");
  // both follow the feed (so both carry the same traffic); phoenix-wasm's channel is reliable
  const feed = ours.socket.channel(`reliable:netchaos-${kind}`, {}, { reliable: true });
  const events = [];
  const missed = [];
  feed.on("event", (e) => events.push(e.seq));
  feed.on("missed", (m) => missed.push(m));
  assert.equal((await outcome(feed.join())).status, "ok");
  const plainFeed = theirs.socket.channel(`reliable:netchaos-${kind}`);
  assert.equal((await outcome(plainFeed.join())).status, "ok");
  await Promise.all(clients.map((c) => c.joined()));

  // load: pushes from both clients, broadcasts to both, publishes to the feed
  let running = true;
  const shouts = [];
  // how much of the run each client's channel was joined, sampled every 50 ms
  const joinedSamples = clients.map(() => 0);
  let samples = 0;
  const sampler = setInterval(() => (samples++, clients.forEach((c, i) => (joinedSamples[i] += c.room.state === "joined" ? 1 : 0))), 50);
  let lastSeq = 0;
  const load = (async () => {
    for (let n = 1; running; n++) {
      for (const c of clients) c.push();
      shouts.push(n);
      shouter.push("shout", { n });
      pub.push("publish", { data: { n } }).receive("ok", ({ seq }) => (lastSeq = Math.max(lastSeq, seq)));
      await sleep(25);
    }
  })();

  const notice = { "phoenix.js": [], "phoenix-wasm": [] };
  const rejoin = { "phoenix.js": [], "phoenix-wasm": [] };
  /** Runs a fault and measures, per client, the time from its start to being joined again. */
  const fault = async (name, inject, lift = async () => {}) => {
    const start = Date.now();
    const errorsBefore = clients.map((c) => c.errors.length);
    await inject();
    await Promise.all(clients.map(async (c, i) => {
      // noticed: the channel errored (the connection was found gone)
      while (c.errors.length === errorsBefore[i]) await new Promise((r) => setTimeout(r, 5));
      if (name === "silent link") notice[c.name].push(c.errors[errorsBefore[i]] - start);
    }));
    await lift();
    await Promise.all(clients.map(async (c) => {
      await c.joined();
      rejoin[c.name].push({ fault: name, ms: c.joinedSince - start });
    }));
  };
  const counts = {};
  const schedule = [
    ["silent link", async () => proxy.silence(), async () => {}],
    ["reset", async () => proxy.reset()],
    ["refused connects (1 s)", async () => { proxy.refuse(true); proxy.reset(); }, async () => { await sleep(1000); proxy.refuse(false); }],
    ["blackholed connects (1 s)", async () => { proxy.blackhole(true); proxy.reset(); }, async () => { await sleep(1000); proxy.blackhole(false); proxy.reset(); }],
  ];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, inject, lift] of schedule) {
      counts[name] = (counts[name] || 0) + 1;
      const silent = proxy.open();
      await fault(name, inject, lift);
      proxy.reset(silent); // what a silent link still held goes
      await sleep(300); // joined again, under load, before the next fault
    }
    // a bad but working network: latency with jitter, then a slow uplink
    proxy.latency(100, 100);
    await sleep(1500);
    proxy.latency(0);
    proxy.throttle(20_000);
    await sleep(1500);
    proxy.throttle(0);
    counts["latency 100-200 ms (1.5 s)"] = (counts["latency 100-200 ms (1.5 s)"] || 0) + 1;
    counts["throttled to 20 kB/s (1.5 s)"] = (counts["throttled to 20 kB/s (1.5 s)"] || 0) + 1;
  }
  running = false;
  await load;
  clearInterval(sampler);
  await Promise.all(clients.map((c) => c.joined()));

  // every push ends, with one outcome
  const deadline = Date.now() + OPTIONS.timeout + 5000;
  while (Date.now() < deadline && clients.some((c) => c.pushes.some((o) => o.length === 0))) await sleep(50);
  // the feed's last event arrives
  while (Date.now() < deadline && events[events.length - 1] !== lastSeq) await sleep(50);

  const report = {};
  for (const c of clients) {
    const byOutcome = {};
    for (const o of c.pushes) byOutcome[o.join("+") || "none"] = (byOutcome[o.join("+") || "none"] || 0) + 1;
    assert.ok(c.pushes.every((o) => o.length === 1), `${c.name}: every push one outcome: ${JSON.stringify(byOutcome)}`);
    report[c.name] = {
      pushes: c.pushes.length,
      outcomes: byOutcome,
      "notice a silent link, ms (median)": median(notice[c.name]),
      "joined again after a fault, ms (median)": median(rejoin[c.name].map((r) => r.ms)),
      "joined again, ms, by fault": Object.fromEntries(schedule.map(([f]) => [f, median(rejoin[c.name].filter((r) => r.fault === f).map((r) => r.ms))])),
      "time joined, %": Math.round((100 * joinedSamples[clients.indexOf(c)]) / samples),
      "broadcasts heard": `${shouts.filter((n) => c.heard.has(n)).length} of ${shouts.length}`,
    };
  }
  const seen = new Set(events);
  const lost = Array.from({ length: lastSeq }, (_, i) => i + 1).filter((s) => !seen.has(s) && !missed.some((m) => m.from <= s && s <= m.to));
  report["phoenix-wasm"]["feed events published"] = lastSeq;
  report["phoenix-wasm"]["feed events lost (reliable)"] = lost.length;
  report["phoenix-wasm"]["reliable events delivered twice"] = events.length - seen.size;
  console.log(JSON.stringify({ server: kind, faults: counts, report }, null, 2));
  assert.equal(events.length, seen.size, "no reliable event twice");
  assert.deepEqual(lost, [], "no reliable event lost");
  assert.deepEqual(missed, [], "the server held everything: nothing reported missing");

  for (const c of clients) c.socket.disconnect();
  direct.disconnect();
  await proxy.close();
  await server.stop();
});
