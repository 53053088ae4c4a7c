// The socket's one timer: the page's `setTimeout`, or with `workerTimers: true` one
// that runs in a Web Worker. Browsers throttle a background tab's timers (down to once a
// minute), which can starve heartbeats until the server drops the connection; a
// Worker's timers are not throttled that way. Without Workers (node, a CSP that forbids
// blob: workers) the page's timer is used.

const page = { set: (f, ms) => setTimeout(f, ms), clear: (id) => clearTimeout(id) };

let worker; // one per page, shared by every socket that asks for it
let nextId = 0;
const callbacks = new Map();

function startWorker() {
  const source = "const t = new Map(); onmessage = (e) => { const [id, ms] = e.data; if (ms < 0) { clearTimeout(t.get(id)); t.delete(id); } else t.set(id, setTimeout(() => { t.delete(id); postMessage(id); }, ms)); };";
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    const w = new Worker(url);
    w.onmessage = (e) => {
      const f = callbacks.get(e.data);
      callbacks.delete(e.data);
      if (f) f();
    };
    return w;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** `{set(f, ms) -> id, clear(id)}`: a Worker's timer when asked for and available, else the page's. */
export function timer(useWorker) {
  if (!useWorker || typeof Worker !== "function" || typeof Blob !== "function") return page;
  try {
    worker ??= startWorker();
  } catch (e) {
    console.warn("phoenix-wasm: no Worker for the timer; using the page's", e);
    return page;
  }
  return {
    set(f, ms) {
      const id = ++nextId;
      callbacks.set(id, f);
      worker.postMessage([id, ms]);
      return id;
    },
    clear(id) {
      if (callbacks.delete(id)) worker.postMessage([id, -1]);
    },
  };
}
