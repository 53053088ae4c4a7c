// The callbacks an application registers, and the WebSocket, as plain JS objects the shell
// holds and hands each event to (or takes each event from) in one call:
// - `SocketEvents`, one per socket: onOpen, onClose, onError, onMessage, onStatus,
//   onHeartbeat (each kept with the ref `off` takes), the promises of `waitFor`, and
//   `ping` callbacks; registering a callback asks the core only for its ref (and
//   `onMessage` and `off` tell it whether to report every message); and the page
//   lifecycle listeners, which hand `pagehide`, `pageshow`, visibility and `online` to the shell;
// - `ChannelEvents`, one per channel: its bindings by ref (`on`, `onClose`, `onError`) and
//   its `onState` callbacks; the core decides which bindings a message is for;
// - `PresenceEvents`, one per presence: its `onJoin`, `onLeave` and `onSync`;
// - `Transport`, a socket's WebSocket, whose events it hands to the shell in one call;
// - `reportChanges`, a presence sync's joins and leaves handed to `onJoin` / `onLeave`.
import { callbackThrew, invoke, typeName } from "./push.js";

/** The kinds of callback, by the name of the method that registers them. */
const KINDS = ["onOpen", "onClose", "onError", "onMessage", "onStatus", "onHeartbeat"];
const [OPEN, CLOSE, ERROR, MESSAGE, STATUS, HEARTBEAT] = KINDS.keys();
const STATES = ["open", "connecting", "reconnecting", "closed"];

export class SocketEvents {
  /** `logger`: the `logger` option (or `debug: true`'s), or undefined. */
  constructor(logger) {
    this.logger = logger;
    /** per kind, `[ref, callback]` pairs in the order they were added */
    this.lists = KINDS.map(() => []);
    /** `[state, resolve]` of `waitFor` promises */
    this.waiters = [];
    /** ping id -> callback(rttMs) */
    this.pings = new Map();
  }

  /** Adds a callback under `ref` for `method` (`"onOpen"` …); throws when it is not a function. */
  add(method, ref, callback) {
    const kind = KINDS.indexOf(method);
    if (kind < 0) throw new Error(`no socket callback ${method}`);
    if (typeof callback !== "function") throw new Error(`${method} callback must be a function (got ${typeName(callback)})`);
    this.lists[kind].push([ref, callback]);
    return ref;
  }

  /** Removes the callbacks registered under `refs` (an array). */
  off(refs) {
    if (!Array.isArray(refs)) throw new Error("off(refs) expects an array of refs");
    for (let k = 0; k < this.lists.length; k++) this.lists[k] = this.lists[k].filter(([ref]) => !refs.includes(ref));
  }

  /** Whether any `onMessage` callback is registered (the core reports every message only then). */
  observing() {
    return this.lists[MESSAGE].length > 0;
  }

  /** A promise of the next status whose state is `state`; resolved at once if `current` is. */
  waitFor(state, current) {
    if (!STATES.includes(state)) throw new Error(`waitFor: unknown state "${state}" (${STATES.join(", ")})`);
    if (current.state === state) return Promise.resolve(current);
    return new Promise((resolve) => this.waiters.push([state, resolve]));
  }

  /**
   * Follows the page's lifecycle as phoenix.js does: `pagehide` / `pageshow` (the
   * back/forward cache) and `visibilitychange` / `resume`, each reported as
   * `handler(kind, visible)` (kind 0 `pagehide`, 1 `pageshow`, 2 a visibility change),
   * and the network coming back, `online` (kind 3).
   * Without a document (node, workers) nothing is listened to. Whether the page is
   * visible now.
   */
  listen(handler) {
    const doc = globalThis.document;
    if (typeof doc !== "object" || doc === null || typeof globalThis.addEventListener !== "function") return true;
    const visible = () => doc.visibilityState !== "hidden";
    this.listeners = [
      [globalThis, "pagehide", () => handler(0, visible())],
      [globalThis, "pageshow", () => handler(1, visible())],
      [globalThis, "visibilitychange", () => handler(2, visible())],
      [doc, "resume", () => handler(2, visible())],
      [globalThis, "online", () => handler(3, visible())],
    ];
    for (const [target, name, listener] of this.listeners) target.addEventListener(name, listener);
    return visible();
  }

  /** Stops following the page's lifecycle (the socket is gone). */
  unlisten() {
    for (const [target, name, listener] of this.listeners ?? []) target.removeEventListener(name, listener);
    this.listeners = undefined;
  }

  /** Calls the logger, if any; a throw is reported, never propagated. */
  log(kind, msg, data) {
    if (this.logger !== undefined) call(this.logger, kind, msg, data);
  }

  /** Keeps `callback` for the pong of ping `id`. */
  ping(id, callback) {
    this.pings.set(id, callback);
  }

  /** @private Calls each callback of `kind` (a copy of the list: callbacks may add or remove). */
  emit(kind, value) {
    for (const [, callback] of this.lists[kind].slice()) invoke(callback, value);
  }

  __open() {
    this.emit(OPEN);
  }

  __close(code, reason, wasClean) {
    this.emit(CLOSE, { code, reason, wasClean });
  }

  __error(reason) {
    if (this.lists[ERROR].length === 0) console.warn(`phoenix-wasm: ${reason}`);
    else this.emit(ERROR, new Error(reason));
  }

  __message(message) {
    this.emit(MESSAGE, message);
  }

  __status(status) {
    this.emit(STATUS, status);
    const ready = this.waiters.filter(([state]) => state === status.state);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter(([state]) => state !== status.state);
    for (const [, resolve] of ready) resolve(status);
  }

  __heartbeat(rtt) {
    this.emit(HEARTBEAT, rtt);
  }

  __pong(id, rtt) {
    const callback = this.pings.get(id);
    if (callback === undefined) return;
    this.pings.delete(id);
    invoke(callback, rtt);
  }
}

/**
 * Calls an application callback with three arguments (a binding's payload, ref and join
 * ref; a logger's kind, message and data; a presence change's key and presences); a
 * throw is reported, never propagated.
 */
function call(callback, a, b, c) {
  try {
    callback(a, b, c);
  } catch (e) {
    callbackThrew(e);
  }
}

export class ChannelEvents {
  constructor() {
    /** binding ref -> callback */
    this.bindings = new Map();
    /** `onState` callbacks, in the order they were added */
    this.states = [];
  }

  /** Throws unless `callback` is a function (checked before the core makes a binding). */
  check(callback, what) {
    if (typeof callback !== "function") throw new Error(`${what} must be a function (got ${typeName(callback)})`);
  }

  bind(ref, callback) {
    this.bindings.set(ref, callback);
  }

  /** Forgets the bindings of `refs` (any iterable of refs). */
  unbind(refs) {
    for (const ref of refs) this.bindings.delete(ref);
  }

  onState(callback) {
    this.check(callback, "onState callback");
    this.states.push(callback);
  }

  /** A message for one binding. */
  __deliver(ref, payload, msgRef, joinRef) {
    const callback = this.bindings.get(ref);
    if (callback !== undefined) call(callback, payload, msgRef, joinRef);
  }

  /** A message for several bindings: their callbacks are taken first, so one that removes another does not stop it. */
  __deliverAll(refs, payload, msgRef, joinRef) {
    const callbacks = Array.from(refs, (ref) => this.bindings.get(ref));
    for (const callback of callbacks) if (callback !== undefined) call(callback, payload, msgRef, joinRef);
  }

  __state(state) {
    for (const callback of this.states.slice()) invoke(callback, state);
  }
}

/**
 * A socket's WebSocket: its events go to the shell's `handler(conn, kind, a, b)` — kind 0
 * open, 1 a text frame (`a` the string), 2 a binary frame (`a` the `ArrayBuffer`), 3 an
 * error (or a frame of another type), 4 close (`a` the code, `b` the reason) — until
 * `detach()`.
 */
export class Transport {
  constructor(url, protocols, conn, handler) {
    const ws = new WebSocket(url, protocols);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => handler(conn, 0);
    ws.onmessage = (e) => {
      const data = e.data;
      if (typeof data === "string") handler(conn, 1, data);
      else handler(conn, data instanceof ArrayBuffer ? 2 : 3, data);
    };
    ws.onerror = () => handler(conn, 3);
    ws.onclose = (e) => handler(conn, 4, e.code, e.reason);
    this.ws = ws;
  }

  /** Sends a frame (a string, or bytes the browser copies at once). */
  send(data) {
    this.ws.send(data);
  }

  /** Sends what a custom `encode` produced. */
  sendEncoded(data) {
    if (typeof data !== "string" && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      throw new Error("encode must produce a string, ArrayBuffer or typed array");
    }
    this.ws.send(data);
  }

  /** Closes with `code` and `reason`; a plain close where the browser refuses them. */
  close(code, reason) {
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.close();
    }
  }

  /** Stops reporting events, and closes the WebSocket if it is connecting or open. */
  detach() {
    const ws = this.ws;
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    if (ws.readyState === 0 || ws.readyState === 1) ws.close();
  }
}

export class PresenceEvents {
  constructor() {
    /** `onJoin`, `onLeave`, `onSync` (one of each, as in phoenix.js) */
    this.join = undefined;
    this.leave = undefined;
    this.sync = undefined;
  }

  /** Sets the callback `kind` (`"join"`, `"leave"`, `"sync"`) that `method` registers. */
  set(kind, callback, method) {
    if (typeof callback !== "function") throw new Error(`${method} callback must be a function (got ${typeName(callback)})`);
    this[kind] = callback;
  }

  /** @private A sync: its joins and leaves (the core's JSON array; empty when none), then `onSync`. */
  __sync(changes) {
    if (changes !== "") reportChanges(changes, this.join, this.leave);
    const sync = this.sync;
    if (sync === undefined) return;
    try {
      sync(); // no arguments, as in phoenix.js
    } catch (e) {
      callbackThrew(e);
    }
  }
}

/**
 * Calls `onJoin(key, current, joined)` / `onLeave(key, current, left)` for each change of
 * a presence sync, from the core's one JSON array of them (`[kind, key, current, presence]`;
 * `current` is undefined for a key that was not present); a throw is reported, never
 * propagated.
 */
export function reportChanges(changes, onJoin, onLeave) {
  for (const [kind, key, current, presence] of JSON.parse(changes)) {
    const callback = kind === "join" ? onJoin : onLeave;
    if (callback) call(callback, key, current ?? undefined, presence);
  }
}
