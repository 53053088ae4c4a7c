// npm run bench: phoenix-wasm against phoenix.js 1.8.16 in the same run.
// Chromium is launched directly (no DevTools connection: it distorts WebSocket
// throughput), one page load per measurement, clients alternated (A B B A …);
// pages POST their result back here. Prints a table of medians [min..max] and
// ratios (ours / phoenix.js), and writes BENCHMARKS.md.
//   node bench/run.mjs [--reps N] [--smoke] [--only WORKLOAD] [--server mock,phoenix]
//     --server: which servers to measure against, in turn (default both: phoenix-mock,
//     release build, and the real Phoenix app, built by scripts/phoenix.sh build)
//   node bench/run.mjs --profile CLIENT --only WORKLOAD [--smoke]
//     one run under the DevTools CPU profiler (distorts timings): prints the
//     functions with the most self time and writes target/CLIENT-WORKLOAD.cpuprofile
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { startKind } from "../tests/node/helpers.mjs";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const SMOKE = args.includes("--smoke");
const REPS = Number(args[args.indexOf("--reps") + 1]) || (SMOKE ? 1 : 5);
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1] : null; // one workload, e.g. presence
const PROFILE = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : null; // phoenix | wasm
const SERVER_KINDS = (args.includes("--server") ? args[args.indexOf("--server") + 1] : PROFILE ? "mock" : "mock,phoenix").split(",");
const SERVER_NAMES = { mock: "phoenix-mock (release build)", phoenix: "Phoenix 1.7.24 on Bandit (interop/phoenix, MIX_ENV=prod)" };
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const PHOENIX = path.join(ROOT, "node_modules/phoenix/priv/static");

const S = SMOKE
  ? { inbound: 2000, rtt: 200, inflight: 2000, members: 1000, diffs: 100, channels: 5, pushes: 100, memory: 5000 }
  : { inbound: 100000, rtt: 10000, inflight: 20000, members: 10000, diffs: 1000, channels: 50, pushes: 1000, memory: 1000000 };
const WORKLOADS = [
  ["inbound", "inbound JSON (100 B)", { n: S.inbound, binary: false }, [["msgsPerSec", "msg/s", true]], true],
  ["inbound", "inbound binary (100 B)", { n: S.inbound, binary: true }, [["msgsPerSec", "msg/s", true]], true],
  ["rtt", `echo round trip (${S.rtt} sequential, after 1000 untimed)`, { n: S.rtt }, [["p50Ms", "p50 ms", false], ["p99Ms", "p99 ms", false], ["meanMs", "mean ms", false]], true],
  ["inflight", "echo, 100 in flight (after 1000 untimed)", { n: S.inflight, window: 100 }, [["msgsPerSec", "msg/s", true]], true],
  ["presence", `presence ${S.members} members + ${S.diffs} diffs`, { members: S.members, diffs: S.diffs }, [["stateMs", "ms, first frame to state synced", false], ["syncMs", "ms, first frame to last sync", false], ["handlerMs", "ms of it in onmessage handlers", false], ["stateHandlerMs", "ms in the state frame's handler", false], ["listMs", "first list() ms", false], ["onSyncListMs", "list() in onSync, per diff ms", false], ["warmSyncMs", "warm: ms, first frame to last sync", false], ["warmStateHandlerMs", "warm: ms in the state frame's handler", false]], true],
  ["coldstart", "cold start", {}, [["openMs", "ms to open", false], ["joinedMs", "ms to joined", false]], false],
  ["reconnect", `reconnect: ${S.channels} channels, ${S.pushes} pushes`, { channels: S.channels, pushes: S.pushes }, [["recoverMs", "ms to all answered", false]], false],
  ["memory", `memory after ${S.memory} messages`, { n: S.memory }, [["totalMB", "MB (JS heap + wasm)", false]], false],
];

// ---- static files + result endpoint ------------------------------------------
let waiting = null;
const files = {
  "/page.html": [path.join(ROOT, "bench/page.html"), "text/html"],
  "/workloads.js": [path.join(ROOT, "bench/workloads.js"), "text/javascript"],
  "/phoenix.mjs": [path.join(PHOENIX, "phoenix.mjs"), "text/javascript"],
};
const http = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  if (req.method === "POST" && url.pathname === "/result") {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.end("ok");
      waiting?.(JSON.parse(body));
    });
    return;
  }
  let file = files[url.pathname];
  if (!file && url.pathname.startsWith("/pkg/")) {
    const p = path.join(ROOT, url.pathname);
    file = [p, p.endsWith(".wasm") ? "application/wasm" : "text/javascript"];
  }
  if (!file || !existsSync(file[0])) {
    res.statusCode = 404;
    return res.end();
  }
  res.setHeader("content-type", file[1]);
  // cross-origin isolated pages get performance.now() at 5 µs instead of 100 µs
  res.setHeader("cross-origin-opener-policy", "same-origin");
  res.setHeader("cross-origin-embedder-policy", "require-corp");
  res.end(readFileSync(file[0]));
});
await new Promise((r) => http.listen(0, "127.0.0.1", r));
const pageBase = `http://127.0.0.1:${http.address().port}`;
process.env.PHX_MOCK_BIN ??= path.join(ROOT, "target/release/phoenix-mock");
let mock; // the server of the current section: phoenix-mock or Phoenix

function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

async function measure(client, workload, size) {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-chromium-"));
  const q = new URLSearchParams({ client, workload, ws: mock.socketUrl, http: mock.http, size: JSON.stringify(size) });
  const chrome = spawn(CHROMIUM, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--enable-precise-memory-info", "--js-flags=--expose-gc",
    `--user-data-dir=${dir}`, `${pageBase}/page.html?${q}`,
  ], { stdio: "ignore", detached: true });
  try {
    const result = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${client}/${workload} timed out`)), 600_000);
      waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
    if (!result.ok) throw new Error(`${client}/${workload}: ${result.error}`);
    return result.result;
  } finally {
    waiting = null;
    try {
      process.kill(-chrome.pid, "SIGKILL"); // the whole process group
    } catch {}
    if (chrome.exitCode === null) await new Promise((r) => chrome.once("exit", r));
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {}
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

// One run of `client` under the CPU profiler; prints the top self-time functions.
async function profile(client, workload, size) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--js-flags=--expose-gc"] });
  try {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
    const done = new Promise((resolve) => (waiting = resolve));
    const q = new URLSearchParams({ client, workload, ws: mock.socketUrl, http: mock.http, size: JSON.stringify(size) });
    await page.goto(`${pageBase}/page.html?${q}`);
    const result = await done;
    const { profile: prof } = await cdp.send("Profiler.stop");
    writeFileSync(path.join(ROOT, `target/${client}-${workload}.cpuprofile`), JSON.stringify(prof));
    const dt = new Map(prof.nodes.map((n) => [n.id, 0]));
    prof.samples.forEach((id, i) => dt.set(id, dt.get(id) + (prof.timeDeltas[i] || 0)));
    const self = new Map();
    for (const n of prof.nodes) {
      const f = n.callFrame;
      const name = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
      self.set(name, (self.get(name) || 0) + dt.get(n.id) / 1000);
    }
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    console.log(`${client} ${workload}: ${JSON.stringify(result.result ?? result.error)}`);
    for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      console.log(`${ms.toFixed(1).padStart(9)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
    }
  } finally {
    await browser.close();
  }
}

// ---- sizes ---------------------------------------------------------------------
function sizes(paths) {
  const buf = Buffer.concat(paths.map((p) => readFileSync(path.join(ROOT, p))));
  return {
    raw: buf.length,
    gzip: paths.reduce((a, p) => a + gzipSync(readFileSync(path.join(ROOT, p)), { level: 9 }).length, 0),
    brotli: paths.reduce((a, p) => a + brotliCompressSync(readFileSync(path.join(ROOT, p)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0),
  };
}
const ref = sizes(["node_modules/phoenix/priv/static/phoenix.min.js"]);
const sizeRows = [
  ["phoenix.js 1.8.16 phoenix.min.js", ref],
  ["phoenix-wasm ESM (index.js + api.js + glue + .wasm)", sizes(["pkg/index.js", "pkg/api.js", "pkg/phoenix_wasm.js", "pkg/phoenix_wasm_bg.wasm"])],
  ["phoenix-wasm single file", sizes(["pkg/phoenix-wasm.single.js"])],
];

if (PROFILE) {
  const [workload, , size] = WORKLOADS.find(([w]) => w === ONLY) ?? WORKLOADS[0];
  mock = await startKind(SERVER_KINDS[0]);
  await profile(PROFILE, workload, size);
  await mock.stop();
  http.close();
  process.exit(0);
}

// ---- run -------------------------------------------------------------------------
const lines = [];
const log = (s = "") => {
  console.log(s);
  lines.push(s);
};
log(`# Benchmarks: phoenix-wasm vs phoenix.js 1.8.16`);
log();
log(`${new Date().toISOString().slice(0, 10)}, ${SMOKE ? "smoke run (tiny sizes)" : `${REPS} repetitions per client, alternated`}; headless Chromium (${CHROMIUM}) launched directly, one page load per measurement; servers on 127.0.0.1: ${SERVER_KINDS.map((k) => SERVER_NAMES[k]).join("; ")}, each in its own section. Medians, [min..max]. Ratio = phoenix-wasm / phoenix.js (higher is better for msg/s, lower for ms and bytes).`);
log();
log(`## Size`);
log();
log(`| artifact | raw B | gzip -9 B | brotli 11 B | gzip ratio |`);
log(`|---|---|---|---|---|`);
for (const [name, s] of sizeRows) log(`| ${name} | ${s.raw.toLocaleString("en-US")} | ${s.gzip.toLocaleString("en-US")} | ${s.brotli.toLocaleString("en-US")} | ${(s.gzip / ref.gzip).toFixed(2)} |`);
log();
for (const kind of SERVER_KINDS) {
  mock = await startKind(kind);
  log(`## Speed and memory: ${SERVER_NAMES[kind]}`);
  log();
  log(`| workload | figure | phoenix.js | phoenix-wasm | ratio | bare WebSocket |`);
  log(`|---|---|---|---|---|---|`);
  const serverCpu = [];
  for (const [workload, label, size, figures, withBare] of WORKLOADS.filter(([w]) => !ONLY || w === ONLY)) {
    const runs = { phoenix: [], wasm: [], bare: [] };
    for (let rep = 0; rep < REPS; rep++) {
      const order = rep % 2 === 0 ? ["phoenix", "wasm"] : ["wasm", "phoenix"];
      for (const client of order) {
        const cpu0 = cpuSeconds(mock.pid);
        const t0 = Date.now();
        runs[client].push(await measure(client, workload, size));
        if (workload === "inbound" || workload === "inflight") serverCpu.push([`${label} (${client})`, (cpuSeconds(mock.pid) - cpu0) / ((Date.now() - t0) / 1000)]);
      }
      if (withBare && rep === 0) runs.bare.push(await measure("bare", workload, size));
    }
    for (const [key, unit, higherBetter] of figures) {
      const [p, w] = [runs.phoenix.map((r) => r[key]), runs.wasm.map((r) => r[key])];
      const cell = (xs) => `${fmt(median(xs))} [${fmt(Math.min(...xs))}..${fmt(Math.max(...xs))}]`;
      const ratio = median(w) / median(p);
      const bareCell = runs.bare.some((r) => r[key] !== undefined) ? fmt(median(runs.bare.map((r) => r[key]))) : "";
      log(`| ${label} | ${unit} | ${cell(p)} | ${cell(w)} | ${ratio.toFixed(2)}${higherBetter ? "" : ""} | ${bareCell} |`);
    }
  }
  if (!ONLY || ONLY === "samepage") {
    // both clients in one page: the steadiest ratios
    const seconds = SMOKE ? 0.5 : 5;
    const ab = [];
    for (let rep = 0; rep < REPS; rep++) ab.push(await measure("both", "samepage", { n: S.rtt, window: 100, seconds }));
    log();
    log(`Same page (both clients connected in one page): ${S.rtt} round trips each, alternated A B B A after 1000 untimed; then both with 100 pushes in flight at once for ${seconds} s, sharing the page's main thread.`);
    log();
    log(`| figure | phoenix.js | phoenix-wasm | ratio |`);
    log(`|---|---|---|---|`);
    for (const [key, unit] of [["p50Ms", "round trip p50 ms"], ["p99Ms", "round trip p99 ms"], ["meanMs", "round trip mean ms"], ["msgsPerSec", "100 in flight each, msg/s"]]) {
      const [p, w] = [ab.map((r) => r.phoenix[key]), ab.map((r) => r.wasm[key])];
      const cell = (xs) => `${fmt(median(xs))} [${fmt(Math.min(...xs))}..${fmt(Math.max(...xs))}]`;
      log(`| ${unit} | ${cell(p)} | ${cell(w)} | ${(median(w) / median(p)).toFixed(2)} |`);
    }
  }

  log();
  log(`Server headroom: ${SERVER_NAMES[kind]} CPU use during the throughput workloads (1.0 = one core busy; the machine has 2):`);
  for (const [label, cpu] of serverCpu.slice(0, 8)) log(`- ${label}: ${Number.isFinite(cpu) ? cpu.toFixed(2) : "n/a"}`);
  log();
  await mock.stop();
}
if (!ONLY || ONLY === "cpu") {
  // the clients' own CPU work per message, without browser or network (bench/cpu.mjs)
  log();
  log(`CPU per message, without a browser or network: both clients in one node process, frames handed over by an in-process WebSocket stand-in (bench/cpu.mjs). What a message costs the page's main thread apart from the browser's own delivery, which the throughput figures above include.`);
  log();
  const out = execFileSync(process.execPath, [path.join(ROOT, "bench/cpu.mjs"), String(SMOKE ? 2000 : 200000), String(SMOKE ? 1 : 7)], { encoding: "utf8" });
  for (const line of out.trim().split("\n")) log(line);
}
if (!SMOKE && !ONLY) writeFileSync(path.join(ROOT, "BENCHMARKS.md"), lines.join("\n") + "\n");
http.close();
