// Shared helpers for node tests: start a mock server on a free port, wrap callbacks in promises.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { once } from "node:events";
import net from "node:net";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The servers the contract tests run against: `phoenix-mock` and the real Phoenix app
 * (interop/phoenix). `PHX_SERVERS=mock` (or `phoenix`) narrows a run to one.
 */
export const SERVERS = (process.env.PHX_SERVERS || "mock,phoenix").split(",").filter(Boolean);

/** Starts the server `kind` ("mock" or "phoenix") on `port` (0: any free port). */
export function startKind(kind, port = 0) {
  return kind === "phoenix" ? startPhoenix(port) : startServer([], port);
}

/** Starts `phoenix-mock --port PORT` (0: any free port) and resolves with its URLs once it listens. */
export function startServer(extraArgs = [], port = 0) {
  const bin = process.env.PHX_MOCK_BIN || path.join(root, "target/debug/phoenix-mock");
  return listening("phoenix-mock", spawn(bin, ["--port", String(port), "--root", root, ...extraArgs], { stdio: ["ignore", "pipe", "inherit"] }));
}

/**
 * Starts the real Phoenix app (built by `scripts/phoenix.sh build`, which `npm test` runs)
 * on `port`. `stop()` shuts the BEAM down (SIGTERM), `kill()` kills it (SIGKILL).
 */
export function startPhoenix(port = 0) {
  // stdin stays open while this process lives: the app stops when it closes
  const child = spawn("bash", [path.join(root, "scripts/phoenix.sh"), "run"], {
    env: { ...process.env, PORT: String(port), PHX_EXIT_ON_EOF: "1" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  return listening("phoenix", child);
}

async function listening(name, child) {
  let out = "";
  const http = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`${name} exited (${code}) before listening: ${out}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (m) resolve(m[1]);
    });
  });
  return {
    http,
    port: Number(http.split(":").pop()),
    pid: child.pid,
    socketUrl: http.replace("http", "ws") + "/socket",
    async admin(pathAndQuery) {
      const res = await fetch(http + pathAndQuery);
      return res.json();
    },
    kind: name === "phoenix" ? "phoenix" : "mock",
    async stop(signal = "SIGINT") {
      child.removeAllListeners("exit");
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(name === "phoenix" && signal === "SIGINT" ? "SIGTERM" : signal);
      await exited;
    },
    /** Kills the process at once (no shutdown), as a crash would. */
    kill() {
      return this.stop("SIGKILL");
    },
  };
}

/** Resolves with the arguments of the first call of a callback-style registration. */
export function nextCall(register) {
  return new Promise((resolve) => register((...args) => resolve(args)));
}

/** A push's outcome as a promise: {status, response}. */
export function outcome(push) {
  return new Promise((resolve) => {
    for (const status of ["ok", "error", "timeout"]) {
      push.receive(status, (response) => resolve({ status, response }));
    }
  });
}

/** Resolves when `cond()` is true, checked after each `tick` of the given emitter-like registration. */
export function collect(channel, event) {
  const seen = [];
  const waiters = [];
  channel.on(event, (payload) => {
    seen.push(payload);
    for (const w of waiters.splice(0)) w();
  });
  return {
    seen,
    async until(pred) {
      while (!pred(seen)) await new Promise((r) => waiters.push(r));
      return seen;
    },
  };
}

/**
 * A TCP proxy to `socketUrl`'s server that never answers a WebSocket upgrade (the request
 * is held, as a network that blackholes WebSockets does); other HTTP passes through.
 * Resolves with the proxied `socketUrl` and `http` origin, the `held` upgrades, and `close()`.
 */
export async function blackholingProxy(socketUrl) {
  const target = new URL(socketUrl.replace(/^ws/, "http"));
  const held = new Set();
  const proxy = net.createServer((client) => {
    client.on("error", () => {});
    client.once("data", (first) => {
      client.pause();
      if (/^upgrade:\s*websocket/im.test(first.toString("latin1"))) {
        held.add(client);
        return;
      }
      const upstream = net.connect(Number(target.port), target.hostname, () => {
        upstream.write(first);
        client.pipe(upstream).pipe(client);
      });
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
    });
  });
  await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    socketUrl: `ws://127.0.0.1:${proxy.address().port}${target.pathname}`,
    http: `http://127.0.0.1:${proxy.address().port}`,
    held,
    close: () => {
      for (const c of held) c.destroy();
      proxy.close();
    },
  };
}

/**
 * Headless Chromium (Debian's, or CHROMIUM_PATH) with the flags a closed network needs,
 * plus `extraArgs`.
 */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", ...extraArgs],
  });
}
