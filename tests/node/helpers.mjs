// Shared helpers for node tests: start a mock server on a free port, wrap callbacks in promises.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { once } from "node:events";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Starts `phoenix-mock --port PORT` (0: any free port) and resolves with its URLs once it listens. */
export async function startServer(extraArgs = [], port = 0) {
  const bin = process.env.PHX_MOCK_BIN || path.join(root, "target/debug/phoenix-mock");
  const child = spawn(bin, ["--port", String(port), "--root", root, ...extraArgs], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const http = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`phoenix-mock exited (${code}) before listening: ${out}`)));
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
    async stop() {
      child.removeAllListeners("exit");
      child.kill("SIGINT");
      await once(child, "exit");
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
