// Benchmark workloads, written once against phoenix.js's API and run unchanged on
// both clients. `lib` is the client module (null: a bare WebSocket, for the ceiling).
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const WARMUP = 1000;
const reply = (push) => new Promise((resolve, reject) => push.receive("ok", resolve).receive("error", reject).receive("timeout", () => reject(new Error("timeout"))));

/** Times WebSocket `onmessage` handlers from now on (both clients set `onmessage`):
 * `start()` begins a span, `read()` gives the time spent in handlers since then and
 * the longest single call. */
function handlerMeter() {
  const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
  let total = 0;
  let longest = 0;
  let from = 0;
  Object.defineProperty(WebSocket.prototype, "onmessage", {
    configurable: true,
    get: desc.get,
    set(f) {
      desc.set.call(this, typeof f !== "function" ? f : function (e) {
        const t = performance.now();
        try {
          return f.call(this, e);
        } finally {
          const dt = performance.now() - t;
          total += dt;
          longest = Math.max(longest, dt);
        }
      });
    },
  });
  return {
    start() {
      from = total;
      longest = 0;
    },
    read: () => ({ ms: total - from, longest }),
  };
}

async function joined(lib, ws, topic, opts = {}) {
  const socket = new lib.Socket(ws, { params: { token: "user:bench" }, ...opts });
  socket.connect();
  const channel = socket.channel(topic, {});
  await reply(channel.join());
  return { socket, channel };
}

/** A minimal Phoenix V2 client on a bare WebSocket: the ceiling the browser allows. */
async function bare(ws, topic) {
  const sock = new WebSocket(`${ws}/websocket?vsn=2.0.0&token=user:bench`);
  sock.binaryType = "arraybuffer";
  await new Promise((r) => (sock.onopen = r));
  const pending = new Map();
  const handlers = [];
  let ref = 0;
  sock.onmessage = (e) => {
    const m = typeof e.data === "string" ? JSON.parse(e.data) : [null, null, null, "binary", e.data];
    if (m[3] === "phx_reply" && pending.has(m[1])) {
      pending.get(m[1])(m[4].response);
      pending.delete(m[1]);
    } else for (const h of handlers) h(m);
  };
  // join_ref is "1": the join is the first message sent
  const push = (event, payload) =>
    new Promise((resolve) => {
      const r = String(++ref);
      pending.set(r, resolve);
      sock.send(JSON.stringify(["1", r, topic, event, payload]));
    });
  await push("phx_join", {});
  return { push, on: (h) => handlers.push(h), close: () => sock.close() };
}

/** Joins a new channel with a Presence and has the server send `members` keys and
 * `diffs` diffs; times from the server's `bench_start` (sent after it generated every
 * frame) to the state's sync and the last diff's sync, and the time in handlers. */
async function presenceLoad(lib, ws, { members, diffs }, meter) {
  const { socket, channel } = await joined(lib, ws, topic("pr"));
  const presence = new lib.Presence(channel, { events: { state: "bench_state", diff: "bench_diff" } });
  let syncs = 0;
  let start = 0;
  channel.on("bench_start", () => {
    if (start) return;
    start = now();
    meter.start();
  });
  let first = 0;
  const finished = new Promise((done) =>
    presence.onSync(() => {
      syncs++;
      if (syncs === 1) first = now();
      if (syncs === 1 + diffs) done({ last: now(), handlers: meter.read() });
    }),
  );
  channel.push("presence_load", { members, diffs }, 120000);
  const { last, handlers } = await finished;
  return { socket, channel, presence, syncMs: last - start, stateMs: first - start, handlerMs: handlers.ms, stateHandlerMs: handlers.longest };
}

/** presenceLoad on a bare WebSocket: frames parsed, nothing applied. */
async function barePresenceLoad(ws, { members, diffs }, meter) {
  const c = await bare(ws, topic("pr"));
  let start = 0;
  let first = 0;
  let seen = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  c.on((m) => {
    if (m[3] === "bench_start") {
      start = now();
      meter.start();
    }
    if (m[3] === "bench_state") first = now();
    if ((m[3] === "bench_state" || m[3] === "bench_diff") && ++seen === 1 + diffs) done(now());
  });
  c.push("presence_load", { members, diffs });
  const last = await finished;
  c.close();
  const handlers = meter.read();
  return { stateMs: first - start, syncMs: last - start, handlerMs: handlers.ms, stateHandlerMs: handlers.longest };
}

const topic = (name) => `room:bench-${name}-${Math.random().toString(36).slice(2)}`;

export const workloads = {
  // broadcasts/s delivered to one `on` handler, the server blasting at full speed
  async inbound(lib, ws, { n, binary }) {
    let count = 0;
    let t0 = 0;
    let t1 = 0;
    let done;
    const finished = new Promise((r) => (done = r));
    const tick = () => {
      count++;
      if (count === 1) t0 = now();
      if (count === n) {
        t1 = now();
        done();
      }
    };
    if (!lib) {
      const c = await bare(ws, topic("in"));
      c.on((m) => m[3] === "blast" || m[3] === "binary" ? tick() : null);
      c.push("blast", { n, size: 100, binary });
      await finished;
      c.close();
    } else {
      const { socket, channel } = await joined(lib, ws, topic("in"));
      channel.on("blast", tick);
      channel.push("blast", { n, size: 100, binary }, 120000);
      await finished;
      socket.disconnect();
    }
    return { msgsPerSec: ((n - 1) / (t1 - t0)) * 1000 };
  },

  // sequential echo round trips: p50, p99 and mean (the page is cross-origin isolated: 5 µs timer),
  // after WARMUP untimed ones (JS and wasm tiering; an overlay runs for hours, not 3 seconds)
  async rtt(lib, ws, { n }) {
    const times = [];
    if (!lib) {
      const c = await bare(ws, topic("rtt"));
      for (let i = 0; i < WARMUP; i++) await c.push("echo", { i });
      for (let i = 0; i < n; i++) {
        const t = now();
        await c.push("echo", { i });
        times.push(now() - t);
      }
      c.close();
    } else {
      const { socket, channel } = await joined(lib, ws, topic("rtt"));
      for (let i = 0; i < WARMUP; i++) await reply(channel.push("echo", { i }));
      for (let i = 0; i < n; i++) {
        const t = now();
        await reply(channel.push("echo", { i }));
        times.push(now() - t);
      }
      socket.disconnect();
    }
    if (!self.crossOriginIsolated) throw new Error("the page is not cross-origin isolated: performance.now() is coarse");
    const meanMs = times.reduce((a, b) => a + b, 0) / n;
    times.sort((a, b) => a - b);
    return { p50Ms: times[Math.floor(n * 0.5)], p99Ms: times[Math.floor(n * 0.99)], meanMs };
  },

  // echo throughput with `window` pushes in flight, after WARMUP untimed round trips
  // (as for rtt: JS and wasm tiering)
  async inflight(lib, ws, { n, window }) {
    let next = 0;
    let push;
    let close;
    if (!lib) {
      const c = await bare(ws, topic("fl"));
      push = (i) => c.push("echo", { i });
      close = c.close;
    } else {
      const { socket, channel } = await joined(lib, ws, topic("fl"));
      push = (i) => reply(channel.push("echo", { i }));
      close = () => socket.disconnect();
    }
    const burst = (count) => {
      next = 0;
      return Promise.all(Array.from({ length: window }, async () => {
        while (next < count) await push(next++);
      }));
    };
    await burst(WARMUP);
    const t0 = now();
    await burst(n);
    const ms = now() - t0;
    close();
    return { msgsPerSec: (n / ms) * 1000 };
  },

  // both clients in one page: round trips alternated between them (A B B A …), then
  // both keeping `window` pushes in flight at once for `seconds`; the same browser,
  // connection conditions and moment for both, so the ratios are far steadier than
  // across page loads (in the concurrent part each client gets the main-thread time
  // the other leaves, so the split of throughput shows their relative cost)
  async samepage(libs, ws, { n, window, seconds }) {
    const channels = {};
    for (const [name, lib] of Object.entries(libs)) channels[name] = (await joined(lib, ws, topic(`ab-${name}`))).channel;
    const times = { phoenix: [], wasm: [] };
    for (let i = 0; i < WARMUP + n; i++) {
      for (const name of i % 2 ? ["phoenix", "wasm"] : ["wasm", "phoenix"]) {
        const t = now();
        await reply(channels[name].push("echo", { i }));
        if (i >= WARMUP) times[name].push(now() - t);
      }
    }
    const stats = (ts) => {
      const s = [...ts].sort((a, b) => a - b);
      return { p50Ms: s[Math.floor(n * 0.5)], p99Ms: s[Math.floor(n * 0.99)], meanMs: ts.reduce((a, b) => a + b, 0) / n };
    };
    const done = { phoenix: 0, wasm: 0 };
    const until = now() + seconds * 1000;
    await Promise.all(
      Object.keys(channels).flatMap((name) =>
        Array.from({ length: window }, async () => {
          while (now() < until) {
            await reply(channels[name].push("echo", { i: done[name] }));
            done[name]++;
          }
        }),
      ),
    );
    const rate = (name) => done[name] / seconds;
    return { phoenix: { ...stats(times.phoenix), msgsPerSec: rate("phoenix") }, wasm: { ...stats(times.wasm), msgsPerSec: rate("wasm") } };
  },

  // a presence_state of `members` keys plus `diffs` diffs (timed from the first frame), then list()
  async presence(lib, ws, { members, diffs }) {
    const meter = handlerMeter();
    if (!lib) {
      // the floor: the same frames arriving and parsed, nothing applied (twice: cold, warm)
      const cold = await barePresenceLoad(ws, { members, diffs }, meter);
      const warm = await barePresenceLoad(ws, { members, diffs }, meter);
      return { ...cold, warmSyncMs: warm.syncMs, warmStateHandlerMs: warm.stateHandlerMs };
    }
    const { socket, presence, channel, ...cold } = await presenceLoad(lib, ws, { members, diffs }, meter);
    const tl = now();
    const listed = presence.list((key, p) => p.metas.length).length;
    const listMs = now() - tl;
    if (listed !== members) throw new Error(`listed ${listed} of ${members}`);
    // steady state, as overlays render: list() in onSync after each diff of a second load
    const rounds = Math.max(1, Math.floor(diffs / 5));
    let seen = 0;
    let listTotal = 0;
    const again = new Promise((resolve) =>
      presence.onSync(() => {
        if (++seen === 1) return; // the second load's state
        const t = now();
        presence.list((key, p) => p.metas.length);
        listTotal += now() - t;
        if (seen === 1 + rounds) resolve();
      }),
    );
    channel.push("presence_load", { members, diffs: rounds }, 120000);
    await again;
    socket.disconnect();
    // the same load again on a new socket in this page: the code has warmed up
    // (JS optimised, wasm tiered up), as in an overlay that has run for a while
    const warm = await presenceLoad(lib, ws, { members, diffs }, meter);
    warm.socket.disconnect();
    return { ...cold, listMs, onSyncListMs: listTotal / rounds, warmSyncMs: warm.syncMs, warmStateHandlerMs: warm.stateHandlerMs };
  },

  // navigation start -> socket open -> channel joined
  async coldstart(lib, ws) {
    const socket = new lib.Socket(ws, { params: { token: "user:bench" } });
    let open = 0;
    socket.onOpen(() => (open = now()));
    socket.connect();
    const channel = socket.channel(topic("cold"), {});
    await reply(channel.join());
    const joinedAt = now();
    socket.disconnect();
    return { openMs: open, joinedMs: joinedAt };
  },

  // the server drops all sockets with `channels` joined channels and `pushes`
  // pushes buffered meanwhile: time until all rejoined and every push answered
  async reconnect(lib, ws, { channels, pushes }, http) {
    const socket = new lib.Socket(ws, { params: { token: "user:reconnect-bench" } });
    socket.connect();
    const chans = [];
    for (let i = 0; i < channels; i++) chans.push(socket.channel(topic("rc"), {}));
    await Promise.all(chans.map((c) => reply(c.join())));
    let closed;
    const closedP = new Promise((r) => (closed = r));
    socket.onClose(closed);
    await fetch(`${http}/admin/drop?user=reconnect-bench`, { mode: "no-cors" });
    await closedP;
    const t0 = now();
    const replies = [];
    for (let i = 0; i < pushes; i++) replies.push(reply(chans[i % channels].push("echo", { i }, 30000)));
    await Promise.all(replies);
    const ms = now() - t0;
    socket.disconnect();
    return { recoverMs: ms };
  },

  // JS heap (after GC) and wasm memory after n received messages
  async memory(lib, ws, { n }) {
    const { socket, channel } = await joined(lib, ws, topic("mem"));
    let count = 0;
    let done;
    const finished = new Promise((r) => (done = r));
    channel.on("blast", () => ++count === n && done());
    channel.push("blast", { n, size: 100 }, 600000);
    await finished;
    await sleep(50);
    globalThis.gc?.();
    await sleep(50);
    globalThis.gc?.();
    const heap = performance.memory ? performance.memory.usedJSHeapSize : NaN;
    const wasm = lib.wasmMemoryBytes ? lib.wasmMemoryBytes() : 0;
    socket.disconnect();
    return { heapMB: heap / 1048576, wasmMB: wasm / 1048576, totalMB: (heap + wasm) / 1048576 };
  },
};
