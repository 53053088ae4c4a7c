// Shows a socket's connection state the way a streamer wants it on screen:
// "connected", "reconnecting in Ns" (counting down), or "offline".
export function showStatus(socket, el) {
  let timer = null;
  const set = (cls, text) => {
    el.className = `status ${cls}`;
    el.textContent = text;
  };
  set("reconnecting", "connecting…");
  socket.onStatus((s) => {
    clearInterval(timer);
    if (s.state === "open") {
      set("connected", "connected");
    } else if (s.state === "connecting") {
      set("reconnecting", "connecting…");
    } else if (s.state === "reconnecting") {
      const at = Date.now() + s.inMs;
      const tick = () => set("reconnecting", `reconnecting in ${Math.max(0, Math.ceil((at - Date.now()) / 1000))}s`);
      tick();
      timer = setInterval(tick, 250);
    } else {
      set("offline", "offline");
    }
  });
}

/** Query parameters with defaults. */
export function params(defaults) {
  const q = new URLSearchParams(location.search);
  return Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, q.get(k) ?? v]));
}

/** Overlays reconnect with a capped exponential backoff and jitter. */
export const overlaySocketOptions = {
  reconnectAfterMs: (tries) => Math.min(500 * 2 ** (tries - 1), 8000),
  jitter: false,
};
