// Presence on a channel (phoenix.js `Presence`). The state is held once, in the engine,
// which applies `presence_state` and `presence_diff` as they arrive; this object keeps the
// application's `onJoin`, `onLeave` and `onSync`, and lists the state (parsed once per
// sync, on the first `list()` after it). The static helpers run the same code over
// states the application holds.
import { presenceOptions } from "./options.js";
import { callbackThrew, typeName } from "./push.js";
import { Channel } from "./channel.js";
import { fail, optionalFunction } from "./values.js";
import { wasm } from "./engine.js";

export class Presence {
  #socket;
  #id;
  #onJoin;
  #onLeave;
  #onSync;
  /** the presences in join order, parsed from the engine's state since the last sync */
  #listed = null;

  /** `new Presence(channel, {events: {state, diff}})`; events default to `presence_state` and `presence_diff`. */
  constructor(channel, opts) {
    if (!(channel instanceof Channel)) throw new Error(`expected instance of Channel (got ${typeName(channel)})`);
    const [state, diff] = presenceOptions(opts);
    this.#socket = channel.socket;
    try {
      this.#id = this.#socket.engine.presence(channel.id, state, diff);
    } catch (e) {
      throw fail(e);
    }
    this.#socket.presences.set(this.#id, this);
  }

  /** Sets `callback(key, currentPresence, newPresence)` for joins. */
  onJoin(callback) {
    this.#onJoin = checked(callback, "onJoin");
    this.#socket.engine.report(this.#id, true);
  }

  /** Sets `callback(key, currentPresence, leftPresence)` for leaves. */
  onLeave(callback) {
    this.#onLeave = checked(callback, "onLeave");
    this.#socket.engine.report(this.#id, true);
  }

  /** Sets `callback()`, called after each applied state or diff. */
  onSync(callback) {
    this.#onSync = checked(callback, "onSync");
  }

  /** The presences, or `chooser(key, presence)` of each, in join order. */
  list(chooser) {
    const choose = optionalFunction(chooser, "list chooser");
    const pairs = (this.#listed ??= JSON.parse(this.#socket.engine.presenceList(this.#id)));
    const out = new Array(pairs.length);
    if (choose) for (let i = 0; i < pairs.length; i++) out[i] = choose(pairs[i][0], pairs[i][1]);
    else for (let i = 0; i < pairs.length; i++) out[i] = pairs[i][1];
    return out;
  }

  /** Whether diffs are held until the state of the channel's current join. */
  inPendingSyncState() {
    return this.#socket.engine.presencePending(this.#id);
  }

  /** The synced state as an object `{key: {metas: [...]}}`. */
  get state() {
    return JSON.parse(this.#socket.engine.presenceState(this.#id));
  }

  /** A sync: its joins and leaves (the engine's JSON; empty when none), then `onSync`. @private */
  synced(changes) {
    this.#listed = null;
    if (changes !== "") reportChanges(JSON.parse(changes), this.#onJoin, this.#onLeave);
    const sync = this.#onSync;
    if (sync === undefined) return;
    try {
      sync(); // no arguments, as in phoenix.js
    } catch (e) {
      callbackThrew(e);
    }
  }

  /** Nothing to release: the presence goes with its channel. */
  free() {}

  /** phoenix.js `Presence.syncState`: `state` with `newState` applied (joins and leaves reported). */
  static syncState(state, newState, onJoin, onLeave) {
    return sync(state, newState, "newState", onJoin, onLeave);
  }

  /** phoenix.js `Presence.syncDiff`: `state` with `diff` applied (joins and leaves reported). */
  static syncDiff(state, diff, onJoin, onLeave) {
    return sync(state, diff, "diff", onJoin, onLeave);
  }

  /** phoenix.js `Presence.list`: the presences of `presences`, or `chooser(key, presence)` of each. */
  static list(presences, chooser) {
    const choose = optionalFunction(chooser, "list chooser");
    if (presences == null) return [];
    return Object.keys(presences).map((key) => (choose ? choose(key, presences[key]) : presences[key]));
  }
}

function checked(callback, method) {
  if (typeof callback !== "function") throw new Error(`${method} callback must be a function (got ${typeName(callback)})`);
  return callback;
}

/**
 * Calls `onJoin(key, current, joined)` / `onLeave(key, current, left)` for each change of
 * a sync, from the engine's one array of them (`[kind, key, current, presence]`;
 * `current` is undefined for a key that was not present); a throw is reported.
 */
function reportChanges(changes, onJoin, onLeave) {
  for (const [kind, key, current, presence] of changes) {
    const callback = kind === "join" ? onJoin : onLeave;
    if (!callback) continue;
    try {
      callback(key, current ?? undefined, presence);
    } catch (e) {
      callbackThrew(e);
    }
  }
}

/** A presence state or diff as JSON text for the engine (`{}` when not given). */
function json(value, what) {
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
 * `syncState` / `syncDiff`: the engine applies `update` to `state`; the new state, an
 * object without a prototype as phoenix.js's (presence keys are the server's and may be
 * `__proto__`, `constructor` …).
 */
function sync(state, update, what, onJoin, onLeave) {
  const join = optionalFunction(onJoin, "onJoin");
  const leave = optionalFunction(onLeave, "onLeave");
  const text = json(update, what);
  let out;
  try {
    out = wasm.presenceSync(json(state, "state"), text, what === "diff", join !== undefined || leave !== undefined);
  } catch (e) {
    throw fail(e);
  }
  const [parsed, changes] = JSON.parse(out);
  reportChanges(changes, join, leave);
  const result = Object.create(null);
  for (const key of Object.getOwnPropertyNames(parsed)) result[key] = parsed[key];
  return result;
}
