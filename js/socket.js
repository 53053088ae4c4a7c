// A connection to a Phoenix server (phoenix.js `Socket`), and the driver of its engine.
//
// The protocol lives in the wasm engine (src/engine, over the sans-IO core). This class
// owns everything else: the transport, the one timer, the page's lifecycle, and the
// application's callbacks. Each call into the engine is followed by a drain of what it
// produced (`pump`): records read by js/wire.js, each handed to one method of `Outputs`
// below. The engine never calls back, so a callback may use the socket freely.
import { read, STATUSES, CHANNEL_STATES } from "./wire.js";
import { socketOptions, connectParams } from "./options.js";
import { Transport } from "./transport.js";
import { LongPoll } from "./longpoll.js";
import { timer } from "./timer.js";
import { Channel } from "./channel.js";
import { Push, callbackThrew, invoke, typeName } from "./push.js";
import { describe, fail, parse, payloadArgs, optionalFunction, timeoutArg } from "./values.js";
import { wasm, memoryF64 } from "./engine.js";

/** The socket callbacks, by the name of the method that registers them. */
const KINDS = ["onOpen", "onClose", "onError", "onMessage", "onStatus", "onHeartbeat"];
const [OPEN, CLOSE, ERROR, MESSAGE, STATUS, HEARTBEAT] = KINDS.keys();
/** Where a session remembers that the WebSocket failed and LongPoll worked (phoenix.js's key). */
const FALLBACK = "phx:fallback:LongPoll";
/** The page's `sessionStorage`, where there is one (it can throw: sandboxed frames). */
function storage() {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

/** A retry delay's channel when it is the socket's reconnect (src/engine/wire.rs `NONE`). */
const NONE = 0xffffffff;

const now = () => performance.now();

/** `{state, attempt?, inMs?, code?, reason?, clean?}` from a status record's fields. */
function statusObject(state, attempt, inMs, code, reason, clean) {
  const name = STATUSES[state];
  if (name === "reconnecting") return { state: name, attempt, inMs };
  if (name === "closed") return { state: name, code, reason, clean: clean === 1 };
  return { state: name };
}

export class Socket {
  #engine;
  #options;
  /** per callback kind, `[ref, callback]` pairs in the order they were added */
  #lists = KINDS.map(() => []);
  /** `[state, resolve]` of `waitFor` promises */
  #waiters = [];
  /** ping id -> callback(rttMs) */
  #pings = new Map();
  /** the current transport and its connection id */
  #transport = null;
  #conn = -1;
  /** the class connections open (phoenix.js `transport`): a WebSocket, or LongPoll */
  #kind;
  #fallbackTimer = undefined;
  /** connections established so far (phoenix.js `establishedConnections`, for `onError`) */
  #established = 0;
  /** resuming channels' cursor stores, by channel id */
  #cursors = new Map();
  /** the connection closing on purpose, and the `disconnect` callbacks waiting for it */
  #closing = -1;
  #disconnected = [];
  /** whether the engine closed while the transport was still closing: `onClose` waits for it */
  #closeDeferred = false;
  /** where the timer runs: the page, or a Worker (js/timer.js) */
  #clock;
  /** the armed timer: the engine's deadline it is for, and its id */
  #timer = null;
  #pumping = false;
  /** where the engine's drain says where its records are (src/engine `Engine::view`) */
  #view = 0;
  /** the last text frame given to the engine, until the drain whose records may point into it */
  #lastFrame = "";
  #listeners = [];
  /** the status, as the engine last reported it */
  #status;
  /** what the engine's records are handed to (one method per kind of record) */
  #outputs;
  /** channel id -> Channel; push id -> Push; presence id -> Presence; channel id -> params function */
  channels = new Map();
  pushes = new Map();
  presences = new Map();
  #channelParams = new Map();

  /**
   * `new Socket(endPoint, opts)`: `endPoint` like `"/socket"` or `"ws://host/socket"`
   * (`/websocket` is appended). Options take phoenix.js's names (js/options.js); a
   * wrong option type throws an `Error` naming the option.
   */
  constructor(endPoint, opts) {
    if (typeof endPoint !== "string") throw new Error(`endPoint must be a string (got ${typeName(endPoint)})`);
    this.#options = socketOptions(opts);
    try {
      this.#engine = new wasm.Engine(endPoint, this.#options.config);
    } catch (e) {
      throw fail(e);
    }
    this.#view = this.#engine.view();
    this.#clock = timer(this.#options.workerTimers);
    this.#kind = this.#options.transport ?? globalThis.WebSocket ?? LongPoll;
    this.#outputs = new Outputs(this, this.#engine, this.#options);
    this.#engine.status(); // the initial status, as a record like every later one
    this.pump();
    this.#listen();
  }

  // ------------------------------------------------------------ for the classes

  /** The engine, for this socket's channels and presences. @private */
  get engine() {
    return this.#engine;
  }

  /** Drains the engine's outputs; re-entrant calls (from callbacks) return at once. @private */
  pump() {
    if (this.#pumping) return;
    this.#pumping = true;
    const engine = this.#engine;
    let deadline = -1;
    try {
      for (;;) {
        // the records stay where they are, in the module's memory, until the next drain;
        // a payload among them may be a slice of the last text frame (the engine lets go
        // of its copy as it drains)
        const lastFrame = this.#lastFrame;
        this.#lastFrame = "";
        const n = engine.drain();
        const view = memoryF64();
        const v = this.#view / 8;
        deadline = view[v + 3];
        if (n === 0) break;
        read(view[v] / 4, n, view[v + 2], lastFrame, this.#outputs);
      }
    } finally {
      this.#pumping = false;
    }
    this.#armTimer(deadline);
  }

  /** Registers `channel` (made by `socket.channel` or `new Channel`); its engine id. @private */
  attach(channel, params, paramsFn, reliable, unbatch, resume) {
    let cursor;
    if (resume) {
      cursor = resume.get() ?? undefined;
      if (cursor !== undefined && !/^\d+$/.test(cursor)) {
        console.warn(`phoenix-wasm: the stored cursor of ${channel.topic} is not a sequence number (${cursor}): joining from now`);
        cursor = undefined;
      }
    }
    const id = this.#engine.channel(channel.topic, params, reliable, unbatch, resume !== undefined, cursor);
    this.channels.set(id, channel);
    if (paramsFn) this.#channelParams.set(id, paramsFn);
    if (resume) this.#cursors.set(id, resume);
    return id;
  }

  /** A resuming channel delivered up to `seq`: stored for the next page load. @private */
  storeCursor(channel, seq) {
    const store = this.#cursors.get(channel);
    if (!store) return;
    try {
      store.set(seq ?? null);
    } catch (e) {
      console.error(`phoenix-wasm: storing the cursor of channel ${this.channels.get(channel)?.topic} failed`, e);
    }
  }

  /** Forgets a removed channel's parts (the engine's `channelRemoved`). @private */
  forget(channel, joinPush, presences) {
    this.channels.delete(channel);
    this.#channelParams.delete(channel);
    this.pushes.delete(joinPush);
    for (const p of presences) this.presences.delete(p);
    this.#cursors.delete(channel);
  }

  /** The application's params function of a channel, if it has one. @private */
  channelParams(channel) {
    return this.#channelParams.get(channel);
  }

  /** Calls each callback of `kind` (a copy of the list: callbacks may add or remove). @private */
  emit(kind, value) {
    for (const [, callback] of this.#lists[kind].slice()) invoke(callback, value);
  }

  /**
   * The `onError` callbacks, with phoenix.js's arguments: the error, the transport class
   * in use and how many connections were established so far (the console without
   * callbacks). @private
   */
  reportError(error) {
    const callbacks = this.#lists[ERROR].slice();
    if (callbacks.length === 0) return console.warn(`phoenix-wasm: ${error.message}`);
    for (const [, callback] of callbacks) invoke2(callback, error, this.#kind, this.#established);
  }

  /**
   * Adds a callback of `kind` under `ref`; the engine reports every message only while
   * an `onMessage` callback exists. @private
   */
  addCallback(kind, ref, callback) {
    this.#lists[kind].push([ref, callback]);
    if (kind === MESSAGE) this.#engine.observe(true);
  }

  /** Whether any callback of `kind` is registered. @private */
  has(kind) {
    return this.#lists[kind].length > 0;
  }

  /** A new status: `onStatus` callbacks, then the `waitFor` promises it settles. @private */
  statusChanged(status) {
    this.#status = status;
    this.emit(STATUS, status);
    const ready = this.#waiters.filter(([state]) => state === status.state);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter(([state]) => state !== status.state);
    for (const [, resolve] of ready) resolve(status);
  }

  /** The answer to a ping. @private */
  pong(id, rtt) {
    const callback = this.#pings.get(id);
    if (callback === undefined) return;
    this.#pings.delete(id);
    invoke(callback, rtt);
  }

  /**
   * Opens a transport for connection `conn`, dropping the previous one. With
   * `longPollFallbackMs`, a WebSocket that fails or does not open in that time is
   * replaced by LongPoll for the same connection (the engine sees one attempt), and the
   * switch is remembered for the session, as phoenix.js does. @private
   */
  open(conn, url, protocols) {
    this.#transport?.detach();
    this.#transport = null;
    clearTimeout(this.#fallbackTimer);
    const engine = this.#engine;
    const live = () => this.#engine === engine;
    const fallbackMs = this.#options.longPollFallbackMs;
    const store = this.#options.sessionStorage ?? storage();
    if (fallbackMs !== undefined && this.#kind !== LongPoll && store?.getItem(FALLBACK) === "true") {
      this.log("transport", "falling back to LongPoll...", "memorized");
      this.#kind = LongPoll;
    }
    let opened = false;
    let fellBack = false;
    const canFallBack = () => fallbackMs !== undefined && !opened && this.#kind !== LongPoll && this.#conn === conn;
    const fallBack = (reason) => {
      if (!live() || !canFallBack()) return;
      this.log("transport", "falling back to LongPoll...", reason);
      this.#transport?.detach();
      this.#kind = LongPoll;
      fellBack = true;
      start();
    };
    const sink = {
      opened: () => {
        if (!live()) return;
        opened = true;
        this.#established++;
        clearTimeout(this.#fallbackTimer);
        if (fellBack) store?.setItem(FALLBACK, "true");
        engine.opened(conn, now());
        this.pump();
      },
      text: (frame) => live() && this.#frame(conn, frame),
      binary: (frame) => live() && this.#frame(conn, frame),
      failed: () => {
        if (!live()) return;
        if (canFallBack()) {
          // as phoenix.js: the application hears of the WebSocket's error, then the fallback
          this.reportError(new Error("WebSocket error"));
          if (this.#transport) fallBack("error");
          return;
        }
        engine.error(conn, `${this.#kind === LongPoll ? "LongPoll" : "WebSocket"} error`, now());
        this.pump();
      },
      closed: (code, reason, wasClean) => {
        if (!live()) return;
        if (canFallBack()) return fallBack("closed");
        if (this.#conn === conn) this.#transport = null;
        engine.closed(conn, code ?? 1006, reason ?? "", now());
        this.pump();
        this.#closed(conn, { code: code ?? 1006, reason: reason ?? "", wasClean: wasClean === true });
      },
    };
    const start = () => {
      const Kind = this.#kind;
      try {
        this.#transport = new Transport(url, protocols, sink, Kind, Kind === LongPoll ? this.#options.longpollerTimeout : undefined);
      } catch (e) {
        this.#transport = null;
        if (canFallBack()) return fallBack(describe(e));
        const msg = `cannot open ${Kind === LongPoll ? "LongPoll" : "WebSocket"} to ${url}: ${describe(e)}`;
        engine.error(conn, msg, now());
        engine.closed(conn, 1006, msg, now());
        return;
      }
      if (canFallBack()) this.#fallbackTimer = setTimeout(() => fallBack("timeout"), fallbackMs);
    };
    this.#conn = conn;
    start();
  }

  /** A frame from connection `conn`: to the application's `decode`, or to the engine. */
  #frame(conn, frame) {
    const decode = this.#options.decode;
    if (decode) {
      invoke2(decode, frame, (msg) => this.#decoded(conn, msg));
    } else if (typeof frame === "string") {
      this.#lastFrame = frame;
      this.#engine.text(conn, frame, now());
    } else {
      this.#engine.binary(conn, new Uint8Array(frame), now());
    }
    this.pump();
  }

  /** What the application's `decode` gave. */
  #decoded(conn, msg) {
    if (this.#conn !== conn) return;
    let args;
    try {
      args = messageArgs(msg, "decoded message");
    } catch (e) {
      console.error("phoenix-wasm: decode produced a malformed message", e);
      return;
    }
    const [topic, event, text, bytes, ref, joinRef] = args;
    this.#engine.decoded(conn, joinRef, ref, topic, event, text, bytes, now());
    this.pump();
  }

  /** Sends a frame on the current transport. @private */
  send(data) {
    try {
      if (!this.#transport) throw new Error("no transport");
      this.#transport.send(data);
    } catch (e) {
      console.warn(`phoenix-wasm: send failed: ${describe(e)}`);
    }
  }

  /** Closes connection `conn`, if it is the current one. @private */
  close(conn, code, reason) {
    if (this.#conn !== conn || !this.#transport) return;
    const t = this.#transport;
    this.#transport = null;
    this.#closing = conn;
    t.close(code, reason);
  }

  /**
   * The engine closed the connection (`onClose` callbacks): at once, or, when the client
   * closes a live transport on purpose (`disconnect`), once it has closed, with its close
   * event as phoenix.js reports it. @private
   */
  engineClosed(info) {
    if (this.#closing !== -1 && info.wasClean) {
      this.#closeDeferred = true;
    } else {
      // a link found dead (the engine closed it unclean): reported now, and the abandoned
      // transport's close event, however late, is not waited for (phoenix.js ignores events
      // of a connection it no longer uses)
      this.#closing = -1;
      this.emit(CLOSE, info);
    }
  }

  /** A closed transport (`event` its close): what waits for the one closing. */
  #closed(conn, event) {
    if (this.#closing !== conn) return;
    this.#closing = -1;
    if (this.#closeDeferred) {
      this.#closeDeferred = false;
      this.emit(CLOSE, event);
    }
    for (const done of this.#disconnected.splice(0)) invoke(done);
  }

  /** Arms the one timer for the engine's deadline `next` (-1: none). */
  #armTimer(next) {
    // An armed timer is kept while it fires no later than the engine's next deadline (it
    // may wake the engine early, which then re-arms): pushes answered in time never cost
    // a clearTimeout + setTimeout each.
    if (next < 0) return;
    if (this.#timer !== null && this.#timer.at <= next) return;
    if (this.#timer !== null) this.#clock.clear(this.#timer.id);
    const id = this.#clock.set(() => {
      this.#timer = null;
      this.#engine.timeout(now());
      this.pump();
    }, Math.max(0, next - now()));
    this.#timer = { at: next, id };
  }

  /**
   * Follows the page's lifecycle as phoenix.js does: `pagehide` / `pageshow` (the
   * back/forward cache), `visibilitychange` / `resume` (reconnect when shown after an
   * unclean close), and the network coming back (`online`: a heartbeat at once, a pending
   * reconnect cut short). Without a document (node, workers) nothing is listened to.
   */
  #listen() {
    const doc = globalThis.document;
    if (typeof doc !== "object" || doc === null || typeof globalThis.addEventListener !== "function") return;
    const visible = () => doc.visibilityState !== "hidden";
    const page = (kind) => () => {
      this.#engine.page(kind, visible(), now());
      this.pump();
    };
    this.#listeners = [
      [globalThis, "pagehide", page(0)],
      [globalThis, "pageshow", page(1)],
      [globalThis, "visibilitychange", page(2)],
      [doc, "resume", page(2)],
      [globalThis, "online", page(3)],
    ];
    for (const [target, name, listener] of this.#listeners) target.addEventListener(name, listener);
    if (!visible()) this.#engine.page(2, false, now());
  }

  // ------------------------------------------------------------------ the API

  /**
   * Connects, unless already connected or connecting. `params` (deprecated, as in
   * phoenix.js: pass them to the constructor) replace the connect params from now on.
   */
  connect(params) {
    if (params != null) {
      const p = connectParams(params);
      console.warn("passing params to connect is deprecated. Instead pass :params to the Socket constructor");
      this.#options.params = typeof p === "function" ? p : undefined;
      this.#engine.setParams(typeof p === "function" ? undefined : p);
    }
    this.#engine.connect(now());
    this.pump();
  }

  /**
   * Disconnects on purpose (no reconnect) with a close `code` and `reason`; `callback` is
   * called once the transport has closed (`connectionState()` is `"closing"` until then).
   */
  disconnect(callback, code, reason) {
    const done = optionalFunction(callback, "disconnect callback");
    if (done) this.#disconnected.push(done);
    this.#engine.disconnect(code ?? undefined, reason ?? undefined, now());
    this.pump();
    // with no transport closing, at once; else once it has closed (as phoenix.js)
    if (this.#closing === -1) this.#closed(-1);
  }

  /**
   * A channel for `topic`; `params` is an object or a function returning one
   * (re-evaluated on every join). `opts` (beyond phoenix.js): `{reliable: true}`,
   * `{unbatch: "batch_updates"}`.
   */
  channel(topic, params, opts) {
    return new Channel(topic, params, this, opts);
  }

  /** Removes a channel from the socket (it stops receiving and rejoining). */
  remove(channel) {
    if (!(channel instanceof Channel)) throw new Error(`remove expects a Channel (got ${typeName(channel)})`);
    channel.remove();
  }

  /** Whether the socket is open. */
  isConnected() {
    return this.#engine.isConnected();
  }

  /** `"connecting"`, `"open"`, `"closing"` (after `disconnect`, until the transport has closed) or `"closed"`. */
  connectionState() {
    const state = this.#engine.connectionState();
    return this.#closing !== -1 && state === "closed" ? "closing" : state;
  }

  /**
   * The URL a connect opens (phoenix.js `endPointURL()`): the endpoint with `/websocket`,
   * the params (a params function is called) and `vsn`, resolved against the page.
   */
  endPointURL() {
    const f = this.#options.params;
    try {
      return this.#engine.endPointURL(f ? f() : undefined);
    } catch (e) {
      throw fail(e);
    }
  }

  /** phoenix.js `protocol()`: `"wss"` on an https page, `"ws"` otherwise. */
  protocol() {
    return /^https/.test(globalThis.location?.protocol ?? "") ? "wss" : "ws";
  }

  /** The LongPoll class (phoenix.js `getLongPollTransport()`). */
  getLongPollTransport() {
    return LongPoll;
  }

  /**
   * Uses `transport` (a WebSocket-like class, e.g. LongPoll) from the next connection
   * on; a current connection is closed (phoenix.js `replaceTransport`): connect again.
   */
  replaceTransport(transport) {
    if (typeof transport !== "function") throw new Error(`replaceTransport expects a transport class (got ${typeName(transport)})`);
    clearTimeout(this.#fallbackTimer);
    this.#kind = transport;
    if (this.connectionState() !== "closed") this.disconnect();
  }

  /** The next message ref. */
  makeRef() {
    return this.#engine.makeRef();
  }

  /** The current status (as `onStatus` reports it). */
  status() {
    return this.#status;
  }

  /** `{status, lastRttMs, reconnects, sendBuffer, pushesInFlight, channels: [{topic, state}]}`. */
  health() {
    return { status: this.#status, ...JSON.parse(this.#engine.health()) };
  }

  /** The correlation id sent with every connect (option `correlationId`). */
  get correlationId() {
    return this.#engine.correlationId();
  }

  /** A promise of the next status whose `state` is `state`; resolved at once if it is now. */
  waitFor(state) {
    if (!STATUSES.includes(state)) throw new Error(`waitFor: unknown state "${state}" (open, connecting, reconnecting, closed)`);
    if (this.#status.state === state) return Promise.resolve(this.#status);
    return new Promise((resolve) => this.#waiters.push([state, resolve]));
  }

  /**
   * Hands a refreshed token to the server without reconnecting (the server's side is in
   * docs/token-refresh.md): every channel that has joined and is not leaving pushes
   * `"access_token"` `{access_token: token}` (one waiting to rejoin sends it once joined),
   * and a string `authToken` becomes `token` for later connects (an `authToken` or
   * `params` function is asked at each connect, as before). Resolves when every channel
   * accepted it; otherwise rejects with the first failing channel's `PushError`, its
   * `topic` added.
   */
  refreshToken(token, timeout) {
    if (typeof token !== "string") throw new Error(`refreshToken expects a string token (got ${typeName(token)})`);
    const t = timeoutArg(timeout, "refreshToken timeout");
    const ids = this.#engine.refreshToken(token, t, now());
    const outcomes = [];
    for (let i = 0; i < ids.length; i += 2) {
      const push = new Push("access_token");
      this.pushes.set(ids[i + 1], push);
      const topic = this.channels.get(ids[i])?.topic;
      outcomes.push(
        push.then(undefined, (e) => {
          e.message = `${topic}: ${e.message}`;
          e.topic = topic;
          throw e;
        }),
      );
    }
    this.pump();
    // the first channel (in the order they were made) that refused, whichever answered first
    return Promise.allSettled(outcomes).then((results) => {
      const refused = results.find((r) => r.status === "rejected");
      if (refused) throw refused.reason;
    });
  }

  /** Removes the callbacks registered under `refs` (an array of refs). */
  off(refs) {
    if (!Array.isArray(refs)) throw new Error("off(refs) expects an array of refs");
    for (let k = 0; k < this.#lists.length; k++) this.#lists[k] = this.#lists[k].filter(([ref]) => !refs.includes(ref));
    this.#engine.observe(this.has(MESSAGE));
  }

  /**
   * Measures the round trip of a heartbeat-shaped ping: calls `callback(rttMs)`. Returns
   * `false` (and never calls back) when not connected.
   */
  ping(callback) {
    if (typeof callback !== "function") throw new Error(`ping callback must be a function (got ${typeName(callback)})`);
    const id = this.#engine.ping(now());
    this.pump();
    if (id === undefined) return false;
    this.#pings.set(id, callback);
    return true;
  }

  /** Sends a raw message `{topic, event, payload, ref, join_ref}` (buffered while disconnected; throws when the send buffer is full). */
  push(message) {
    const [topic, event, text, bytes, ref, joinRef] = messageArgs(message, "socket.push");
    try {
      this.#engine.pushMessage(topic, event, text, bytes, ref, joinRef, now());
    } catch (e) {
      throw new Error(`push failed: ${describe(e)}`);
    }
    this.pump();
  }

  /** Whether a `logger` (or `debug: true`) is set. */
  hasLogger() {
    return this.#options.logger !== undefined;
  }

  /** Logs through the `logger`, if any (a throw is reported). */
  log(kind, msg, data) {
    const logger = this.#options.logger;
    if (logger === undefined) return;
    try {
      logger(kind, msg, data);
    } catch (e) {
      callbackThrew(e);
    }
  }

  /** Closes the socket for good and releases its engine. */
  free() {
    for (const [target, name, listener] of this.#listeners) target.removeEventListener(name, listener);
    this.#listeners = [];
    this.#transport?.detach();
    this.#transport = null;
    clearTimeout(this.#fallbackTimer);
    if (this.#timer !== null) this.#clock.clear(this.#timer.id);
    this.#timer = null;
    const engine = this.#engine;
    this.#engine = undefined;
    engine?.free();
  }
}

// onOpen(callback) … onHeartbeat(callback): each returns the ref `off` takes
for (const [kind, method] of KINDS.entries()) {
  Object.defineProperty(Socket.prototype, method, {
    value: function (callback) {
      if (typeof callback !== "function") throw new Error(`${method} callback must be a function (got ${typeName(callback)})`);
      const ref = this.makeRef();
      this.addCallback(kind, ref, callback);
      return ref;
    },
    writable: true,
    configurable: true,
  });
}

/** `[topic, event, JSON text, bytes, ref, joinRef]` of a message object; throws naming `what`. */
function messageArgs(msg, what) {
  if (msg === null || typeof msg !== "object") {
    throw new Error(`${what} must be an object {topic, event, payload, ref, join_ref} (got ${typeName(msg)})`);
  }
  const text = (key) => {
    const v = msg[key];
    if (v == null) return undefined;
    if (typeof v !== "string") throw new Error(`${what}: ${key} must be a string (got ${typeName(v)})`);
    return v;
  };
  const topic = text("topic");
  if (topic === undefined) throw new Error(`${what}: topic is required`);
  const event = text("event");
  if (event === undefined) throw new Error(`${what}: event is required`);
  const [json, bytes] = payloadArgs(msg.payload, what);
  return [topic, event, json, bytes, text("ref"), text("join_ref")];
}

/** Calls an application function with two arguments; a throw is reported. */
function invoke2(f, a, b, c) {
  try {
    f(a, b, c);
  } catch (e) {
    callbackThrew(e);
  }
}

/** What the engine's records are handed to: one method per kind (src/engine/wire.rs). */
class Outputs {
  constructor(socket, engine, options) {
    this.socket = socket;
    this.engine = engine;
    this.options = options;
  }

  connect(conn, url, protocols) {
    this.socket.open(conn, url, protocols === "" ? [] : protocols.split(","));
  }

  send(frame) {
    this.socket.send(frame);
  }

  encode(joinRef, ref, topic, event, payload) {
    const msg = { join_ref: joinRef, ref, topic, event, payload: parse(payload) };
    invoke2(this.options.encode, msg, (data) => {
      if (typeof data !== "string" && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
        console.warn("phoenix-wasm: send failed: encode must produce a string, ArrayBuffer or typed array");
        return;
      }
      this.socket.send(data);
    });
  }

  close(conn, code, reason) {
    this.socket.close(conn, code, reason);
  }

  beforeReconnect(attempt) {
    const hook = this.options.beforeReconnect;
    const ready = () => {
      this.engine.reconnectReady(now());
      this.socket.pump();
    };
    if (hook) hook(attempt, ready);
    else this.engine.reconnectReady(now());
  }

  // what the engine asks of the application's functions (which may use the socket)
  connectParams(conn) {
    const { params, authToken } = this.options;
    let p, t, error;
    try {
      p = params ? params() : undefined;
      t = typeof authToken === "function" ? authToken() : undefined;
    } catch (e) {
      error = describe(e);
    }
    this.engine.connectParams(conn, p, t ?? undefined, error, now());
  }

  joinParams(channel) {
    const f = this.socket.channelParams(channel);
    let p, error;
    try {
      p = f ? f() : undefined;
    } catch (e) {
      error = describe(e);
    }
    this.engine.joinParams(channel, typeof p === "string" ? p : undefined, error, now());
  }

  retryDelay(channel, tries) {
    const f = channel === NONE ? this.options.reconnectAfterMs : this.options.rejoinAfterMs;
    this.engine.retryDelay(channel, f ? f(tries) : -1, now());
  }

  opened() {
    this.socket.emit(OPEN);
  }

  closed(code, reason, clean) {
    this.socket.engineClosed({ code, reason, wasClean: clean === 1 });
  }

  status(state, attempt, inMs, code, reason, clean) {
    this.socket.statusChanged(statusObject(state, attempt, inMs, code, reason, clean));
  }

  heartbeat(rtt) {
    this.socket.emit(HEARTBEAT, rtt);
  }

  error(reason) {
    this.socket.reportError(new Error(reason));
  }

  message(joinRef, ref, topic, event, payload) {
    this.socket.emit(MESSAGE, { join_ref: joinRef, ref, topic, event, payload: parse(payload) });
  }

  event(channel, bindings, payload, ref, joinRef) {
    this.socket.channels.get(channel)?.deliver(bindings, parse(payload), ref, joinRef);
  }

  channelState(channel, state) {
    this.socket.channels.get(channel)?.stateChanged(CHANNEL_STATES[state]);
  }

  reply(push, status, response, last) {
    const pushes = this.socket.pushes;
    const handle = pushes.get(push);
    if (handle === undefined) return;
    if (last === 1) pushes.delete(push);
    handle.__reply(status, parse(response));
  }

  pong(ping, rtt) {
    this.socket.pong(ping, rtt);
  }

  log(kind, msg, data) {
    this.socket.log(kind, msg, data === undefined ? undefined : parse(data));
  }

  presence(presence, changes) {
    this.socket.presences.get(presence)?.synced(changes);
  }

  channelRemoved(channel, joinPush, presences) {
    this.socket.forget(channel, joinPush, presences);
  }

  cursor(channel, seq) {
    this.socket.storeCursor(channel, seq);
  }
}
