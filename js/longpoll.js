// LongPoll (phoenix.js `LongPoll`): Phoenix's long-polling transport behind the
// WebSocket interface (`onopen`, `onmessage`, `onerror`, `onclose`, `send`, `close`,
// `readyState`), for networks that break WebSockets. `new Socket(url, {transport:
// LongPoll})` uses it; `longPollFallbackMs` switches to it when a WebSocket does not open.
//
// The wire, as Phoenix serves it at `/socket/longpoll` (every answer is JSON with a
// `status`): a GET without a session token opens a session (`410` and its token); a
// GET with it waits for messages (`200` with them, `204` after the server's window); a
// POST sends the messages batched within one task, as `application/x-ndjson` lines (bytes
// in base64). `403`: refused; `410` for a session we had: it is gone.
import { TOKEN_PROTOCOL_PREFIX } from "./wire.js";

/** Most messages in one POST (Phoenix reads at most 100 lines of a batch). */
const MAX_BATCH = 100;
const [CONNECTING, OPEN, CLOSED] = [0, 1, 3];

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

export class LongPoll {
  /**
   * Starts polling `endPoint` (a `ws://…/websocket` URL, as a WebSocket would get;
   * `/longpoll` over http is polled). `protocols`: the auth token's subprotocol, if any,
   * becomes the `X-Phoenix-AuthToken` header.
   */
  constructor(endPoint, protocols) {
    const token = Array.isArray(protocols) ? protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX)) : undefined;
    if (token) this.authToken = atob(token.slice(TOKEN_PROTOCOL_PREFIX.length));
    this.pollEndpoint = endPoint
      .replace("ws://", "http://")
      .replace("wss://", "https://")
      .replace(/(.*)\/websocket/, "$1/longpoll");
    /** ms before a request counts as lost (phoenix.js `longpollerTimeout`) */
    this.timeout = 20000;
    this.binaryType = "arraybuffer";
    this.readyState = CONNECTING;
    this.token = null;
    this.onopen = this.onmessage = this.onerror = this.onclose = () => {};
    this.requests = new Set();
    this.timers = new Set();
    this.batch = null;
    this.queued = [];
    this.sending = false;
    // the caller sets its handlers (or closes us) before the first poll
    this.later(() => this.poll());
  }

  later(f) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, 0);
    this.timers.add(t);
  }

  active() {
    return this.readyState === OPEN || this.readyState === CONNECTING;
  }

  poll() {
    if (!this.active()) return;
    const headers = { Accept: "application/json" };
    if (this.authToken) headers["X-Phoenix-AuthToken"] = this.authToken;
    this.request("GET", headers, null, (resp) => {
      const status = resp ? resp.status : 0;
      if (resp && status === 410 && this.token !== null) return this.fail(410, 3410, "session_gone");
      if (resp) this.token = resp.token;
      switch (status) {
        case 200:
          // each message in its own task, as a WebSocket's are
          for (const data of resp.messages) this.later(() => this.onmessage({ data }));
          return this.poll();
        case 204:
          return this.poll();
        case 410:
          this.readyState = OPEN;
          this.onopen({});
          return this.poll();
        case 403:
          this.onerror(403);
          return this.close(1008, "forbidden", false);
        default:
          return this.fail(status || 500, 1011, "internal server error");
      }
    });
  }

  /** Queues a message (a string, or bytes sent as base64); sent with the others of this task. */
  send(body) {
    const line = typeof body === "string" ? body : base64(body);
    if (this.batch) return this.batch.push(line);
    if (this.sending) return this.queued.push(line);
    this.batch = [line];
    this.later(() => {
      const batch = this.batch;
      this.batch = null;
      this.post(batch);
    });
  }

  post(lines, from = 0) {
    this.sending = true;
    const next = from + MAX_BATCH;
    this.request("POST", { "Content-Type": "application/x-ndjson" }, lines.slice(from, next).join("\n"), (resp) => {
      if (!resp || resp.status !== 200) return this.fail(resp && resp.status, 1011, "internal server error");
      if (next < lines.length) return this.post(lines, next);
      if (this.queued.length > 0) {
        const queued = this.queued;
        this.queued = [];
        return this.post(queued);
      }
      this.sending = false;
    });
  }

  /** A lost session or request: error, then close (the socket reconnects). */
  fail(error, code, reason) {
    if (!this.active()) return;
    this.stop(CONNECTING);
    this.onerror(error);
    if (this.active()) this.emitClose(code, reason, false);
  }

  /** Closes: no more requests or messages, then `onclose`. */
  close(code, reason, wasClean) {
    this.stop(CLOSED);
    this.emitClose(code, reason, wasClean);
  }

  stop(readyState) {
    this.readyState = readyState;
    const requests = this.requests;
    this.requests = new Set();
    for (const r of requests) r.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.batch = null;
    this.queued = [];
    this.sending = false;
  }

  emitClose(code = 1005, reason = "", wasClean = true) {
    this.onclose({ code, reason, wasClean });
  }

  /** One request, ours until it answers or we stop; `callback(json or null)`. */
  request(method, headers, body, callback) {
    const controller = new AbortController();
    this.requests.add(controller);
    const url = this.token === null ? this.pollEndpoint : `${this.pollEndpoint}${this.pollEndpoint.includes("?") ? "&" : "?"}token=${encodeURIComponent(this.token)}`;
    const timer = setTimeout(() => {
      if (this.requests.delete(controller)) {
        controller.abort();
        this.fail("timeout", 1005, "timeout");
      }
    }, this.timeout);
    fetch(url, { method, headers, body, signal: controller.signal })
      .then((r) => r.text())
      .then((text) => {
        try {
          return text ? JSON.parse(text) : null;
        } catch {
          return null;
        }
      }, () => null)
      .then((resp) => {
        clearTimeout(timer);
        if (this.requests.delete(controller)) callback(resp);
      });
  }
}
