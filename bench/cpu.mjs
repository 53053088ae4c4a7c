// CPU cost per message of each client, in one V8 (node), without a network: a
// WebSocket stand-in hands frames to the client synchronously and each push's reply
// right after the push returns, so the figures are the clients' own work (frame in,
// callback out; push out, reply in). Steadier than the browser figures, which include
// the browser's delivery.
//   node bench/cpu.mjs [messages per run] [runs]
//   PKG=dir node bench/cpu.mjs ...   another build: dir/phoenix_wasm.js and dir/opt.wasm
//   BASE=dir node bench/cpu.mjs ...  and a second build (dir/phoenix_wasm_bg.wasm), e.g. a
//                                    copy of pkg/ from before a change, in the same runs
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROUNDS = Number(process.argv[2]) || 200000;

/** A WebSocket that opens at once, records sends and lets the test deliver frames. */
class LoopbackSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static last = null;
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.binaryType = "blob";
    this.sent = [];
    LoopbackSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.({});
    });
  }
  send(data) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  deliver(text) {
    this.onmessage({ data: text });
  }
}
globalThis.WebSocket = LoopbackSocket;

/**
 * A build of the package as a client: DIR/phoenix_wasm.js, its wasm (WASM: a file in
 * DIR) and the classes over it (DIR/api.js; a build from before the engine has
 * DIR/decorate.js instead, which made the glue's own classes the client).
 */
async function wasmClient(dir, wasm) {
  const glue = await import(new URL("phoenix_wasm.js", dir));
  glue.initSync({ module: readFileSync(new URL(wasm, dir)) });
  if (existsSync(new URL("api.js", dir))) return (await import(new URL("api.js", dir))).api(glue);
  (await import(new URL("decorate.js", dir))).decorate(glue);
  return glue;
}
const dirOf = (d) => pathToFileURL(`${path.resolve(d)}/`);
// PKG: another build in place of pkg/ (e.g. one with a name section, for node --cpu-prof:
// DIR/opt.wasm); BASE: a second build measured alongside, alternated (a change's before)
const pkg = process.env.PKG ? dirOf(process.env.PKG) : new URL("../pkg/", import.meta.url);
const phoenix = await import("../node_modules/phoenix/priv/static/phoenix.mjs");
const clients = { "phoenix.js": phoenix, "phoenix-wasm": await wasmClient(pkg, process.env.PKG ? "opt.wasm" : "phoenix_wasm_bg.wasm") };
if (process.env.BASE) clients.BASE = await wasmClient(dirOf(process.env.BASE), "phoenix_wasm_bg.wasm");

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A joined channel on a loopback socket. */
async function joined(lib) {
  const socket = new lib.Socket("ws://loopback/socket", { heartbeatIntervalMs: 3600000 });
  socket.connect();
  await tick();
  const ws = LoopbackSocket.last;
  const channel = socket.channel("room:cpu", {});
  channel.join();
  const join = JSON.parse(ws.sent.pop());
  ws.deliver(JSON.stringify([join[0], join[1], "room:cpu", "phx_reply", { status: "ok", response: {} }]));
  if (channel.state !== "joined") throw new Error(`not joined: ${channel.state}`);
  return { socket, channel, ws, joinRef: join[0] };
}

const payload = { body: "x".repeat(60), user: "someone", n: 1 }; // about 100 B of JSON

async function inbound(lib, n) {
  const { socket, channel, ws, joinRef } = await joined(lib);
  let got = 0;
  channel.on("new_msg", () => got++);
  const frame = JSON.stringify([joinRef, null, "room:cpu", "new_msg", payload]);
  const t = performance.now();
  for (let i = 0; i < n; i++) ws.deliver(frame);
  const ms = performance.now() - t;
  if (got !== n) throw new Error(`delivered ${got} of ${n}`);
  socket.disconnect();
  return (ms * 1000) / n;
}

async function roundTrip(lib, n) {
  const { socket, channel, ws, joinRef } = await joined(lib);
  let got = 0;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    channel.push("echo", payload).receive("ok", () => got++);
    // the server's reply, arriving after the push went out (as a later event would)
    const m = JSON.parse(ws.sent.pop());
    ws.deliver(`[${JSON.stringify(m[0])},${JSON.stringify(m[1])},"room:cpu","phx_reply",{"status":"ok","response":${JSON.stringify(m[4])}}]`);
  }
  const ms = performance.now() - t;
  if (got !== n) throw new Error(`answered ${got} of ${n}`);
  socket.disconnect();
  return (ms * 1000) / n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const REPS = Number(process.argv[3]) || 7;
const fmt = (us) => us.toFixed(2);
const names = Object.keys(clients);
const base = process.env.BASE ? ` | BASE µs (${process.env.BASE}) | phoenix-wasm / BASE` : "";
console.log(`| per message (node ${process.versions.node}, V8 ${process.versions.v8}; ${ROUNDS} messages, ${REPS} runs alternated, median [min..max]) | phoenix.js µs | phoenix-wasm µs | ratio${base} |`);
console.log(`|---|---|---|---|${process.env.BASE ? "---|---|" : ""}`);
for (const [name, fn] of [["broadcast in (frame to \`on\` callback)", inbound], ["push out + reply in (incl. the stand-in server's JSON work, the same for both)", roundTrip]]) {
  for (const c of names) await fn(clients[c], Math.min(ROUNDS, 20000)); // warm-up
  const runs = Object.fromEntries(names.map((c) => [c, []]));
  // each run in another order: every client goes first, last and in between as often
  for (let rep = 0; rep < REPS; rep++) for (let i = 0; i < names.length; i++) {
    const c = names[(rep + i) % names.length];
    runs[c].push(await fn(clients[c], ROUNDS));
  }
  const cell = (xs) => `${fmt(median(xs))} [${fmt(Math.min(...xs))}..${fmt(Math.max(...xs))}]`;
  const [p, w, b] = [runs["phoenix.js"], runs["phoenix-wasm"], runs.BASE];
  const vsBase = b ? ` | ${cell(b)} | ${(median(w) / median(b)).toFixed(2)}` : "";
  console.log(`| ${name} | ${cell(p)} | ${cell(w)} | ${(median(w) / median(p)).toFixed(2)}${vsBase} |`);
}
