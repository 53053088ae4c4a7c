// What wasm-bindgen's classes cannot express by themselves, shaped into phoenix.js's
// API; shared by every entry (ESM, bundler, single file):
// - the static Presence helpers: syncState / syncDiff check their arguments and hand the
//   core JSON text; list is phoenix.js's loop over the object's keys;
// - presence.list(chooser) as one loop over the presences the shell keeps as JS objects
//   (no Array.from copy, no bound apply per call);
// - the socket's own callbacks (onOpen … onHeartbeat, off, waitFor, ping's), its logger
//   (log, hasLogger) on the JS object the shell reports socket events to, a channel's
//   (on, off, onClose, onError, onState) and a presence's (onJoin, onLeave, onSync) on
//   their own (all in js/events.js); disconnect's callback;
// - subscribe(), the hook-style helper, written over the public API.
// Returns the package's classes (`Push` is plain JS, js/push.js, which the wasm module imports).
export function decorate(glue) {
  const { Presence } = glue;
  const api = { Socket: glue.Socket, Channel: glue.Channel, Push: glue.__pushClass(), Presence, subscribe, wasmMemoryBytes: glue.wasmMemoryBytes };
  if (Presence.syncState) return api;
  // the minified glue's class names are one letter: give them theirs back (stack traces,
  // the console, and wasm-bindgen's "expected instance of Socket")
  for (const [name, cls] of Object.entries(api)) {
    if (typeof cls === "function" && /^[A-Z]/.test(name)) Object.defineProperty(cls, "name", { value: name });
  }
  Presence.syncState = (state, newState, onJoin, onLeave) => presenceSync(glue, state, newState, "newState", onJoin, onLeave);
  Presence.syncDiff = (state, diff, onJoin, onLeave) => presenceSync(glue, state, diff, "diff", onJoin, onLeave);
  Presence.list = (presences, chooser) => {
    const choose = optionalFunction(chooser, "list chooser");
    if (presences == null) return [];
    return Object.keys(presences).map((key) => (choose ? choose(key, presences[key]) : presences[key]));
  };
  // the socket's own callbacks live in a JS object (js/events.js): the core gives
  // each its ref, and learns from onMessage and off whether to report every message
  const { Socket } = glue;
  for (const method of ["onOpen", "onClose", "onError", "onMessage", "onStatus", "onHeartbeat"]) {
    Socket.prototype[method] = function (callback) {
      const ref = this.__events().add(method, this.makeRef(), callback);
      if (method === "onMessage") this.__observe();
      return ref;
    };
  }
  Socket.prototype.off = function (refs) {
    this.__events().off(refs);
    this.__observe();
  };
  /** phoenix.js `protocol()`: `"wss"` on an https page, `"ws"` otherwise. */
  Socket.prototype.protocol = function () {
    return /^https/.test(globalThis.location?.protocol ?? "") ? "wss" : "ws";
  };
  Socket.prototype.log = function (kind, msg, data) {
    this.__events().log(kind, msg, data);
  };
  Socket.prototype.hasLogger = function () {
    return this.__events().logger !== undefined;
  };
  Socket.prototype.disconnect = function (callback, code, reason) {
    const done = optionalFunction(callback, "disconnect callback");
    this.__disconnect(code, reason);
    if (done) {
      try {
        done();
      } catch (e) {
        console.error("phoenix-wasm: a callback threw", e);
      }
    }
  };
  Socket.prototype.ping = function (callback) {
    if (typeof callback !== "function") throw new Error(`ping callback must be a function (got ${typeName(callback)})`);
    const id = this.__ping();
    if (id === undefined) return false; // not connected
    this.__events().ping(id, callback);
    return true;
  };
  Socket.prototype.waitFor = function (state) {
    return this.__events().waitFor(state, this.status());
  };
  // a channel's bindings and state callbacks live in a JS object (js/events.js):
  // the core only makes and removes bindings
  const { Channel } = glue;
  Channel.prototype.on = function (event, callback) {
    const events = this.__events();
    events.check(callback, "on callback");
    const ref = this.__on(event);
    events.bind(ref, callback);
    return ref;
  };
  Channel.prototype.off = function (event, ref) {
    this.__events().unbind(this.__off(event, ref));
  };
  Channel.prototype.onClose = function (callback) {
    return this.on("phx_close", callback);
  };
  Channel.prototype.onError = function (callback) {
    return this.on("phx_error", callback);
  };
  Channel.prototype.onState = function (callback) {
    this.__events().onState(callback);
  };
  // a presence's callbacks live in a JS object (js/events.js); the core describes joins
  // and leaves only once onJoin or onLeave is set
  for (const [method, kind] of [["onJoin", "join"], ["onLeave", "leave"], ["onSync", "sync"]]) {
    Presence.prototype[method] = function (callback) {
      this.__events().set(kind, callback, method);
      if (kind !== "sync") this.__report();
    };
  }
  Presence.prototype.list = function (chooser) {
    const choose = optionalFunction(chooser, "list chooser");
    const presences = this.__presences();
    const out = new Array(presences.size);
    let i = 0;
    if (choose) for (const [key, presence] of presences) out[i++] = choose(key, presence);
    else for (const presence of presences.values()) out[i++] = presence;
    return out;
  };
  return api;
}

function typeName(value) {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** `value` when it is a function, undefined when not given; else throws naming `what`. */
function optionalFunction(value, what) {
  if (value == null) return undefined;
  if (typeof value !== "function") throw new Error(`${what} must be a function (got ${typeName(value)})`);
  return value;
}

/** A presence state or diff as JSON text for the core (`{}` when not given). */
function presenceJson(value, what) {
  if (value == null) return "{}";
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new Error(`${what} cannot be serialized: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof text !== "string") throw new Error(`${what} must be an object (got ${typeName(value)})`);
  return text;
}

/**
 * `Presence.syncState` / `syncDiff`: the core applies `update` to `state`; the new state,
 * an object without a prototype as phoenix.js's (presence keys are the server's and may
 * be `__proto__`, `constructor` …).
 */
function presenceSync(glue, state, update, what, onJoin, onLeave) {
  const join = optionalFunction(onJoin, "onJoin");
  const leave = optionalFunction(onLeave, "onLeave");
  const text = presenceJson(update, what);
  const parsed = JSON.parse(glue.__presenceSync(presenceJson(state, "state"), text, what === "diff", join, leave));
  const result = Object.create(null);
  for (const key of Object.getOwnPropertyNames(parsed)) result[key] = parsed[key];
  return result;
}

/**
 * Joins `topic` with a map of event handlers and returns one function that removes the
 * handlers and leaves the channel. Options: `params`, `channel` (channel options, e.g.
 * `{reliable: true}`), `onJoin(reply)`, `onError(reason)`. Framework-free: return it from
 * React's `useEffect`, call it in Vue's `onUnmounted` or return it from Svelte's `onMount`.
 * Every handler is checked before the channel is made, so a wrong one leaves nothing behind.
 */
function subscribe(socket, topic, handlers, opts) {
  if (handlers === null || typeof handlers !== "object") {
    throw new Error(`subscribe handlers must be an object of event -> function (got ${typeName(handlers)})`);
  }
  const events = Object.keys(handlers);
  for (const event of events) {
    const handler = handlers[event];
    if (typeof handler !== "function") throw new Error(`subscribe handler for "${event}" must be a function (got ${typeName(handler)})`);
  }
  const option = (key) => (opts !== null && typeof opts === "object" ? opts[key] : undefined);
  const channel = socket.channel(topic, option("params"), option("channel"));
  const bindings = events.map((event) => [event, channel.on(event, handlers[event])]);
  const join = channel.join();
  if (option("onJoin") !== undefined) join.receive("ok", option("onJoin"));
  if (option("onError") !== undefined) join.receive("error", option("onError"));
  let done = false;
  return function unsubscribe() {
    if (done) return; // a second call has nothing left to undo
    done = true;
    for (const [event, ref] of bindings) channel.off(event, ref);
    channel.leave();
  };
}
