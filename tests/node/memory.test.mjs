// Memory: phoenix-wasm in Chromium receives and pushes MEM_MESSAGES messages
// (half server pushes, half echo round trips, 100 in flight); after each round the
// JS heap (after GC) and wasm linear memory are read. Both must stay flat.
// MEM_MESSAGES=1000000 node --test tests/node/memory.test.mjs   (npm test runs a short form)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer } from "./helpers.mjs";

const TOTAL = Number(process.env.MEM_MESSAGES || 40_000);
const ROUNDS = 10;
let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--enable-precise-memory-info", "--js-flags=--expose-gc"],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test(`${TOTAL} messages: JS heap and wasm memory stay flat`, { timeout: 900_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(server.http + "/health");
  await page.evaluate(async () => {
    const px = await import("/pkg/index.js");
    const socket = new px.Socket("/socket", { params: { token: "user:memory" } });
    socket.connect();
    const ch = socket.channel("room:memory");
    let received = 0;
    ch.on("blast", () => received++);
    await ch.join();
    window.mem = {
      px,
      async round(n) {
        // n/2 server pushes, received by an `on` binding
        const target = received + n / 2;
        await ch.push("blast", { n: n / 2, size: 100 }, 60_000);
        while (received < target) await new Promise((r) => setTimeout(r, 5));
        // n/2 echo round trips, 100 in flight
        let next = 0;
        const worker = async () => {
          while (next < n / 2) {
            const i = next++;
            const reply = await ch.push("echo", { i, pad: "y".repeat(80) });
            if (reply.i !== i) throw new Error(`echo ${i} came back as ${reply.i}`);
          }
        };
        await Promise.all(Array.from({ length: 100 }, worker));
        gc();
        await new Promise((r) => setTimeout(r, 50));
        gc();
        return { heap: performance.memory.usedJSHeapSize, wasm: px.wasmMemoryBytes(), received };
      },
    };
  });
  const per = Math.floor(TOTAL / ROUNDS / 2) * 2;
  const series = [];
  for (let r = 0; r < ROUNDS; r++) series.push(await page.evaluate((n) => window.mem.round(n), per));
  const mb = (b) => (b / 1048576).toFixed(2);
  console.log(`messages: ${per * ROUNDS} (${ROUNDS} rounds)`);
  console.log(`JS heap after GC (MB): ${series.map((s) => mb(s.heap)).join(" ")}`);
  console.log(`wasm memory (MB):      ${series.map((s) => mb(s.wasm)).join(" ")}`);
  // the first half warms up (allocator high-water marks, JIT); the second half must be flat
  const [first, last] = [series[ROUNDS / 2], series[ROUNDS - 1]];
  assert.ok(last.heap <= first.heap * 1.25 + 1_048_576, `JS heap grew: ${mb(first.heap)} -> ${mb(last.heap)} MB`);
  assert.ok(last.wasm <= first.wasm * 1.1, `wasm memory grew: ${mb(first.wasm)} -> ${mb(last.wasm)} MB`);
  assert.equal(series[ROUNDS - 1].received, (per / 2) * ROUNDS);
  await page.close();
});
