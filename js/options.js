// The options of `new Socket(endPoint, opts)` and `socket.channel(topic, params, opts)`:
// checked here (a wrong type throws an `Error` naming the option) and handed to the
// engine as one named JSON object of plain data (src/core/options.rs), with the
// application's functions wrapped so the engine only ever gets a number, a string or a
// message it can report.
import { typeName } from "./push.js";
import { describe } from "./values.js";
import { LongPoll } from "./longpoll.js";

function fail(message) {
  throw new Error(message);
}

/** An option's value; `null` counts as not given (phoenix.js reads `opts.x || default`). */
function get(opts, key) {
  const v = opts == null ? undefined : opts[key];
  return v === null ? undefined : v;
}

/** An option that is not given, or passes `ok`; throws naming it otherwise. */
function option(opts, key, ok, what) {
  const v = get(opts, key);
  if (v === undefined || ok(v)) return v;
  fail(`option ${key} must be ${what} (got ${typeName(v)})`);
}

const isMs = (v) => typeof v === "number" && v >= 0 && v !== Infinity;
const ms = (opts, key) => option(opts, key, isMs, "a non-negative number");
const flag = (opts, key) => option(opts, key, (v) => typeof v === "boolean", "a boolean");
const optionalFn = (opts, key, shape = "") => option(opts, key, (v) => typeof v === "function", `a function${shape}`);

/** `(tries) => ms`, or -1 (with a warning) where the application's function gave no number. */
function schedule(opts, key) {
  const f = optionalFn(opts, key, " (tries) => ms");
  return (
    f &&
    ((tries) => {
      try {
        const n = f(tries);
        if (isMs(n)) return n;
        console.warn(`phoenix-wasm: ${key} did not return a number; using the default`);
      } catch (e) {
        console.warn(`phoenix-wasm: ${key} threw (${describe(e)}); using the default`);
      }
      return -1;
    })
  );
}

/**
 * `beforeReconnect(attempt)` as `(attempt, ready)`: calls `ready()` once what the hook
 * returned has settled (a promise, or any thenable, is awaited); a failure is reported
 * and the reconnect goes ahead.
 */
function beforeReconnect(opts) {
  const hook = optionalFn(opts, "beforeReconnect");
  return (
    hook &&
    ((attempt, ready) => {
      new Promise((resolve) => resolve(hook(attempt)))
        .catch((e) => console.error("phoenix-wasm: beforeReconnect failed; reconnecting anyway", e))
        .then(() => ready());
    })
  );
}

/** A JSON object's text from a value (`{}` for none); throws a message naming `what`. */
function jsonObject(value, what) {
  if (value == null) return "{}";
  if (typeof value !== "object" || Array.isArray(value)) {
    fail(`${what} must be an object or a function returning one (got ${typeName(value)})`);
  }
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    fail(`${what} cannot be serialized to JSON: ${describe(e)}`);
  }
  return typeof text === "string" ? text : fail(`${what} is not serializable`);
}

/** What an application's option function returns; a throw becomes an `Error` naming `what`. */
function callOption(f, what) {
  try {
    return f();
  } catch (e) {
    fail(`${what} function threw: ${describe(e)}`);
  }
}

/**
 * Params: an object as its JSON text (checked now, so a wrong type throws where it was
 * passed), or a function returning one (called again on every connect or rejoin) as a
 * function giving the JSON text.
 */
function params(value, what) {
  if (typeof value !== "function") return jsonObject(value, what);
  return () => jsonObject(callOption(value, what), what);
}

/** `connect(params)`'s params (deprecated in phoenix.js): as `params` above. */
export function connectParams(value) {
  return params(value, "params");
}

/** `authToken`: a string as it is, or a function returning one (or nothing). */
function authToken(value) {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value !== "function") fail(`option authToken must be a string or a function returning one (got ${typeName(value)})`);
  return () => {
    const v = callOption(value, "authToken");
    if (v == null || typeof v === "string") return v;
    fail(`authToken function must return a string (got ${typeName(v)})`);
  };
}

function hex32() {
  return ((Math.random() * 4294967296) >>> 0).toString(16).padStart(8, "0");
}

/**
 * `new Socket`'s options, checked once: `config`, the core's plain data as one named
 * JSON object (only the options given; the core holds the defaults, `core::options`),
 * and the application's functions by name, each wrapped so the core's side only sees
 * a number, a string or a message it can report: `params` (giving JSON text),
 * `authToken`, `reconnectAfterMs` and `rejoinAfterMs` (giving -1 for the default),
 * `logger`, `beforeReconnect` (as `(attempt, ready)`), `encode`, `decode`; and the
 * transport's: `transport`, `longPollFallbackMs`, `longpollerTimeout`, `sessionStorage`;
 * `workerTimers`.
 */
export function socketOptions(opts) {
  if (opts != null && typeof opts !== "object") {
    fail(`Socket options must be an object (got ${typeName(opts)})`);
  }
  const config = {};
  const ask = [];
  const fns = {};
  for (const key of ["timeout", "heartbeatIntervalMs", "heartbeatTimeoutMs", "maxSendBuffer", "maxFrameBytes"]) {
    const v = ms(opts, key);
    if (v !== undefined) config[key] = Math.floor(v);
  }
  for (const key of ["reconnectAfterMs", "rejoinAfterMs"]) {
    fns[key] = schedule(opts, key);
    if (fns[key]) ask.push(key);
  }
  const p = params(get(opts, "params"), "params");
  if (typeof p === "function") (fns.params = p), ask.push("params");
  else config.params = JSON.parse(p);
  const token = authToken(get(opts, "authToken"));
  if (typeof token === "function") (fns.authToken = token), ask.push("authToken");
  else if (token !== undefined) config.authToken = token;
  const vsn = option(opts, "vsn", (v) => typeof v === "string", "a string");
  if (vsn !== undefined) config.vsn = vsn;
  option(opts, "binaryType", (v) => v === "arraybuffer", '"arraybuffer", as binary payloads arrive as ArrayBuffer');
  for (const key of ["jitter", "reconnectWhileHidden"]) {
    const v = flag(opts, key);
    if (v !== undefined) config[key] = v;
  }
  const id = option(opts, "correlationId", (v) => typeof v === "string" || typeof v === "boolean", "true or a string");
  if (id === true) config.correlationId = hex32() + hex32();
  else if (typeof id === "string") config.correlationId = id;
  // each socket its own jitter, unless the application fixes it (reproducible tests)
  const seed = option(opts, "jitterSeed", (v) => Number.isSafeInteger(v) && v >= 0, "a non-negative integer");
  config.seed = seed ?? Math.floor(Math.random() * 2 ** 53);
  const location = globalThis.location;
  if (typeof location?.protocol === "string" && typeof location.host === "string") {
    config.pageProtocol = location.protocol;
    config.pageHost = location.host;
  }
  fns.logger = optionalFn(opts, "logger");
  if (!fns.logger && flag(opts, "debug")) fns.logger = (kind, msg, data) => console.log(`${kind}: ${msg}`, data);
  if (fns.logger) config.log = true;
  fns.beforeReconnect = beforeReconnect(opts);
  if (fns.beforeReconnect) ask.push("beforeReconnect");
  // the transport: a WebSocket-like class (phoenix.js `transport`), LongPoll among them
  fns.transport = optionalFn(opts, "transport");
  fns.longPollFallbackMs = ms(opts, "longPollFallbackMs");
  fns.longpollerTimeout = ms(opts, "longpollerTimeout") ?? 20000;
  fns.sessionStorage = option(opts, "sessionStorage", (v) => typeof v?.getItem === "function" && typeof v.setItem === "function", "a Storage (getItem, setItem)");
  fns.workerTimers = flag(opts, "workerTimers") === true;
  const [encode, decode] = [optionalFn(opts, "encode"), optionalFn(opts, "decode")];
  // as phoenix.js: a socket made for LongPoll speaks its JSON lines, whatever the codec
  if (fns.transport !== LongPoll) [fns.encode, fns.decode] = [encode, decode];
  if (fns.encode) config.codec = true;
  if (ask.length > 0) config.ask = ask;
  fns.config = JSON.stringify(config);
  return fns;
}

/**
 * `new Presence(channel, opts)`'s event names, `opts.events.state` and `.diff`: `[state,
 * diff]`, each undefined where not given (the defaults).
 */
export function presenceOptions(opts) {
  const events = get(opts, "events");
  const name = (key) => {
    const v = events !== null && typeof events === "object" ? events[key] : undefined;
    if (v === undefined || typeof v === "string") return v;
    fail(`Presence events.${key} must be a string (got ${typeName(v)})`);
  };
  return [name("state"), name("diff")];
}

/**
 * `socket.channel`'s params and options: [params (JSON text, or a function giving it),
 * reliable, unbatch (an event name or undefined), resume (a cursor store `{get(), set(seq)}`
 * or undefined)].
 */
export function channelOptions(value, opts, topic) {
  const p = params(value, "channel params");
  if (opts != null && typeof opts !== "object") fail(`channel options must be an object (got ${typeName(opts)})`);
  const unbatch = option(opts, "unbatch", (v) => typeof v === "string", "an event name");
  return [p, flag(opts, "reliable"), unbatch, cursorStore(opts, topic)];
}

/**
 * `resume`: where a reliable channel keeps its cursor across page loads — a Storage
 * (`sessionStorage`, `localStorage`) under `resumeKey` (default `phx:resume:<topic>`), or
 * the application's own `{get(), set(seq)}` (`seq` a decimal string, or null to forget).
 * As one `{get, set}`.
 */
function cursorStore(opts, topic) {
  const isStorage = (v) => typeof v?.getItem === "function" && typeof v.setItem === "function";
  const isOwn = (v) => typeof v?.get === "function" && typeof v.set === "function";
  const store = option(opts, "resume", (v) => isStorage(v) || isOwn(v), "a Storage or {get, set}");
  const key = option(opts, "resumeKey", (v) => typeof v === "string", "a string") ?? `phx:resume:${topic}`;
  if (store === undefined) return undefined;
  if (isOwn(store)) return store;
  return {
    get: () => store.getItem(key),
    set: (seq) => (seq === null ? store.removeItem?.(key) : store.setItem(key, seq)),
  };
}
