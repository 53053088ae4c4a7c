// Memory: phoenix-wasm in Chromium receives and pushes MEM_MESSAGES messages
// (half server pushes, half echo round trips, 100 in flight); after each round the
// JS heap (after GC) and wasm linear memory are read. Both must stay flat after a
// warm-up: wasm memory grows in 64 KiB pages and never shrinks, so an allocator's
// high-water mark moving by a page on a busy machine is not a leak; a leak grows every
// round. The judge is proven on a planted leak (channels created and never removed).
// MEM_MESSAGES=1000000 node --test tests/node/memory.test.mjs   (npm test runs a short form)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchChromium } from "./helpers.mjs";

const TOTAL = Number(process.env.MEM_MESSAGES || 40_000);
const ROUNDS = 10;
let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium(["--enable-precise-memory-info", "--js-flags=--expose-gc"]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const PAGE = 65_536;
const mb = (b) => (b / 1048576).toFixed(2);

/**
 * What grew from the middle round to the last: the JS heap by more than 25 % + 1 MB, or
 * wasm memory by more than 10 % or two pages, whichever is more (a leak of 8 bytes a
 * message already grows it by more over the second half of the short run).
 */
function growth(series) {
  const [first, last] = [series[ROUNDS / 2], series[ROUNDS - 1]];
  const problems = [];
  if (last.heap > first.heap * 1.25 + 1_048_576) problems.push(`JS heap grew: ${mb(first.heap)} -> ${mb(last.heap)} MB`);
  if (last.wasm > Math.max(first.wasm * 1.1, first.wasm + 2 * PAGE)) problems.push(`wasm memory grew: ${mb(first.wasm)} -> ${mb(last.wasm)} MB`);
  return problems;
}

/** Runs ROUNDS rounds of `per` messages in a fresh page; `leak` channels per round are created and never removed. */
async function measure(per, leak = 0) {
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
      async round(n, leak) {
        for (let i = 0; i < leak; i++) socket.channel(`room:leak-${received}-${i}`, { pad: "z".repeat(100) });
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
  const series = [];
  for (let r = 0; r < ROUNDS; r++) series.push(await page.evaluate(([n, l]) => window.mem.round(n, l), [per, leak]));
  console.log(`messages: ${per * ROUNDS} (${ROUNDS} rounds)${leak ? `, ${leak} channels leaked a round` : ""}`);
  console.log(`JS heap after GC (MB): ${series.map((s) => mb(s.heap)).join(" ")}`);
  console.log(`wasm memory (MB):      ${series.map((s) => mb(s.wasm)).join(" ")}`);
  assert.equal(series[ROUNDS - 1].received, (per / 2) * ROUNDS);
  await page.close();
  return series;
}

test(`${TOTAL} messages: JS heap and wasm memory stay flat`, { timeout: 900_000 }, async () => {
  // the first half warms up (allocator high-water marks, JIT); the second half must be flat
  const problems = growth(await measure(Math.floor(TOTAL / ROUNDS / 2) * 2));
  assert.deepEqual(problems, []);
});

test("the judge catches a planted leak (channels never removed)", { timeout: 300_000 }, async () => {
  const problems = growth(await measure(200, 500));
  assert.ok(problems.some((p) => p.startsWith("wasm memory grew")), `not caught: ${problems.join("; ") || "no growth found"}`);
});
