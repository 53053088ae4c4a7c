// The options of `new Socket(endPoint, opts)` and `socket.channel(topic, params, opts)`:
// checked here (a wrong type throws an `Error` naming the option) and handed to the
// shell as an array in a fixed order, with application functions wrapped so the
// core's side only ever sees a number, a string or a message it can report.
import { typeName } from "./push.js";
import { describe } from "./text.js";

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
 * `new Socket`'s options, in the order the shell reads them: timeout,
 * heartbeatIntervalMs, heartbeatTimeoutMs, maxSendBuffer, maxFrameBytes (numbers or
 * undefined for the defaults), reconnectAfterMs, rejoinAfterMs (functions giving -1 for
 * the default), params (JSON text, or a function giving it), authToken (a string, a
 * function giving a string or nothing, or undefined), vsn, jitter, reconnectWhileHidden, correlationId
 * (a string or undefined), a random number (the jitter's seed), the page's protocol and
 * host (undefined outside a page), logger, beforeReconnect (as `(attempt, ready)`),
 * encode, decode.
 */
export function socketOptions(opts) {
  if (opts != null && typeof opts !== "object") {
    fail(`Socket options must be an object (got ${typeName(opts)})`);
  }
  const out = [
    ms(opts, "timeout"),
    ms(opts, "heartbeatIntervalMs"),
    ms(opts, "heartbeatTimeoutMs"),
    ms(opts, "maxSendBuffer"),
    ms(opts, "maxFrameBytes"),
    schedule(opts, "reconnectAfterMs"),
    schedule(opts, "rejoinAfterMs"),
    params(get(opts, "params"), "params"),
    authToken(get(opts, "authToken")),
  ];
  const vsn = option(opts, "vsn", (v) => typeof v === "string", "a string");
  option(opts, "binaryType", (v) => v === "arraybuffer", '"arraybuffer", as binary payloads arrive as ArrayBuffer');
  let id = option(opts, "correlationId", (v) => typeof v === "string" || typeof v === "boolean", "true or a string");
  id = id === true ? hex32() + hex32() : id === false ? undefined : id;
  const location = globalThis.location;
  const page = typeof location?.protocol === "string" && typeof location.host === "string";
  let logger = optionalFn(opts, "logger");
  if (!logger && flag(opts, "debug")) logger = (kind, msg, data) => console.log(`${kind}: ${msg}`, data);
  out.push(
    vsn,
    flag(opts, "jitter"),
    flag(opts, "reconnectWhileHidden"),
    id,
    Math.random(),
    page ? location.protocol : undefined,
    page ? location.host : undefined,
    logger,
    beforeReconnect(opts),
    optionalFn(opts, "encode"),
    optionalFn(opts, "decode"),
  );
  return out;
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
 * reliable, unbatch (an event name or undefined)].
 */
export function channelOptions(value, opts) {
  const p = params(value, "channel params");
  if (opts != null && typeof opts !== "object") fail(`channel options must be an object (got ${typeName(opts)})`);
  const unbatch = option(opts, "unbatch", (v) => typeof v === "string", "an event name");
  return [p, flag(opts, "reliable"), unbatch];
}
