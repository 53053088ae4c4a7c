// Chaos: phoenix-wasm keeps pushing and receiving while the server suffers faults
// (drops, drops mid-reply, heartbeat silence, refused upgrades, restarts, delayed
// frames, kicks), on phoenix-mock and on the real Phoenix app, whose BEAM is killed
// (SIGKILL) and started again for a restart. Asserts: every push got exactly one outcome; no reply was
// delivered twice or to the wrong push; on a reliable channel every published event
// arrived exactly once, or inside a gap/reset the client reported.
// CHAOS_FAULTS=1000 node --test tests/node/chaos.test.mjs   (npm test runs a short form;
// PHX_SERVERS=phoenix for one server)
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { Socket as PhoenixSocket } from "phoenix";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind } from "./helpers.mjs";

const FAULTS = Number(process.env.CHAOS_FAULTS || 60);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const kind of SERVERS) test(`${kind}: ${FAULTS} injected faults: every push one outcome, nothing twice, reliable events all accounted for`, { timeout: 900_000 }, async () => {
  let server = await startKind(kind);
  const port = server.port;
  const url = server.socketUrl;
  let restarts = 0;

  // --- the client under test ---------------------------------------------------
  const socket = new Socket(url, {
    params: { token: "user:chaos" },
    reconnectAfterMs: () => 20,
    rejoinAfterMs: () => 30,
    heartbeatIntervalMs: 100,
    timeout: 1500,
    maxSendBuffer: 200,
  });
  let transportErrors = 0;
  socket.onError(() => transportErrors++);
  socket.connect();
  const echo = socket.channel("room:chaos");
  echo.join();
  const feed = socket.channel("reliable:chaos", {}, { reliable: true });
  const delivered = [];
  const gaps = [];
  feed.on("event", (e) => delivered.push({ i: e.data.i, seq: e.seq, at: Date.now() }));
  feed.on("missed", (m) => gaps.push({ ...m, at: Date.now() }));
  feed.join();

  // --- a publisher (the official client) ------------------------------------------
  const publisher = new PhoenixSocket(url, { transport: WebSocket, params: { token: "user:publisher" }, reconnectAfterMs: () => 20, rejoinAfterMs: () => 30, timeout: 1500 });
  publisher.connect();
  const pub = publisher.channel("reliable:chaos");
  pub.join();
  const published = new Map(); // i -> {seq, epoch, at}

  // --- load: pushes and publishes while faults happen ------------------------------
  const outcomes = new Map(); // push id -> [statuses]
  let running = true;
  let nextPush = 0;
  let nextPub = 0;
  const pusher = (async () => {
    while (running) {
      const id = nextPush++;
      outcomes.set(id, []);
      const record = (status) => (resp) => {
        outcomes.get(id).push(status === "ok" && resp.id !== id ? `wrong-reply:${resp.id}` : status === "error" ? `error:${resp.reason}` : status);
      };
      try {
        echo.push("echo", { id }).receive("ok", record("ok")).receive("error", record("error")).receive("timeout", record("timeout"));
      } catch (e) {
        outcomes.get(id).push(`threw:${e.message}`);
      }
      await sleep(3);
    }
  })();
  const publishing = (async () => {
    while (running) {
      const i = nextPub++;
      const epoch = restarts;
      pub.push("publish", { data: { i } }).receive("ok", ({ seq }) => published.set(i, { seq, epoch, at: Date.now() }));
      await sleep(8);
    }
  })();

  // --- faults ---------------------------------------------------------------------
  const counts = {};
  const faults = [
    ["drop", () => server.admin("/admin/drop")],
    ["drop-mid-reply", () => server.admin("/admin/drop-next")],
    ["heartbeat-silence", async () => { await server.admin("/admin/mute?ms=300&user=chaos"); await sleep(300); }],
    ["refused-upgrades", async () => { await server.admin("/admin/pause?ms=150"); await server.admin("/admin/drop?user=chaos"); await sleep(150); }],
    ["kick", () => server.admin("/admin/disconnect?user=chaos")],
    // the mock can hold frames back; Phoenix has no such switch
    ...(kind === "mock" ? [["delayed-frames", async () => { await server.admin("/admin/delay?ms=120&for=250"); await sleep(250); }]] : []),
    ["restart", async () => {
      await (kind === "phoenix" ? server.kill() : server.stop());
      restarts++;
      await sleep(30);
      server = await startKind(kind, port);
    }],
  ];
  for (let f = 0; f < FAULTS; f++) {
    const [name, inject] = faults[f % faults.length];
    counts[name] = (counts[name] || 0) + 1;
    await inject();
    await sleep(40 + (f % 5) * 10);
  }

  // --- settle -------------------------------------------------------------------
  await socket.waitFor("open");
  await sleep(300);
  running = false;
  await Promise.all([pusher, publishing]);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && [...outcomes.values()].some((o) => o.length === 0)) await sleep(50);
  await sleep(1_500); // the last publishes reach the subscriber

  // every push: exactly one outcome, and a reply never went to the wrong push
  const byOutcome = {};
  for (const [id, o] of outcomes) {
    assert.equal(o.length, 1, `push ${id} ended with ${JSON.stringify(o)}`);
    assert.ok(!o[0].startsWith("wrong-reply"), `push ${id}: ${o[0]}`);
    byOutcome[o[0]] = (byOutcome[o[0]] || 0) + 1;
  }
  // reliable: nothing twice; every acknowledged publish delivered, or in a reported gap/reset
  const seen = new Map();
  for (const d of delivered) {
    assert.ok(!seen.has(d.i), `event ${d.i} delivered twice`);
    seen.set(d.i, d);
  }
  let lostToRestarts = 0;
  let inGaps = 0;
  for (const [i, p] of published) {
    if (seen.has(i)) continue;
    const gap = gaps.find((g) => (g.reset && g.at >= p.at) || (g.from <= p.seq && p.seq <= g.to && g.at >= p.at));
    assert.ok(gap, `published event ${i} (seq ${p.seq}, epoch ${p.epoch}) was lost without a report`);
    gap.reset ? lostToRestarts++ : inGaps++;
  }
  const summary = {
    server: kind,
    faults: counts,
    pushes: outcomes.size,
    outcomes: byOutcome,
    published: published.size,
    delivered: delivered.length,
    reportedResets: gaps.filter((g) => g.reset).length,
    reportedGaps: gaps.filter((g) => !g.reset).length,
    lostInReportedResets: lostToRestarts,
    lostInReportedGaps: inGaps,
    transportErrors,
    health: socket.health(),
  };
  console.log(JSON.stringify(summary, null, 2));
  assert.ok(byOutcome.ok > outcomes.size / 2, "most pushes succeed");
  socket.disconnect();
  publisher.disconnect();
  await server.stop();
});
