// A channel on a topic (phoenix.js `Channel`). Its state, joins, rejoins and bindings
// live in the engine; this object keeps the application's callbacks by binding ref and
// its `onState` callbacks, and makes a `Push` (js/push.js) for each join, push and leave.
import { channelOptions } from "./options.js";
import { Push, callbackThrew, invoke, typeName } from "./push.js";
import { fail, payloadArgs, timeoutArg } from "./values.js";

const now = () => performance.now();

export class Channel {
  #socket;
  #id;
  /** binding ref -> callback */
  #bindings = new Map();
  /** binding ref -> its event (for `onMessage`) */
  #events = new Map();
  /** `onState` callbacks, in the order they were added */
  #states = [];

  /**
   * `new Channel(topic, params, socket)` (phoenix.js's constructor), as
   * `socket.channel(topic, params, opts)`: `params` an object or a function returning one
   * (called on every join).
   */
  constructor(topic, params, socket, opts) {
    if (typeof topic !== "string") throw new Error(`topic must be a string (got ${typeName(topic)})`);
    if (socket === null || typeof socket !== "object" || typeof socket.attach !== "function") {
      throw new Error(`expected instance of Socket (got ${typeName(socket)})`);
    }
    const [p, reliable, unbatch, resume] = channelOptions(params, opts, topic);
    /** The topic. */
    this.topic = topic;
    this.#socket = socket;
    const fn = typeof p === "function" ? p : undefined;
    this.#id = socket.attach(this, fn ? undefined : p, fn, reliable === true, unbatch, resume);
  }

  /** The socket. */
  get socket() {
    return this.#socket;
  }

  /** `"closed"`, `"errored"`, `"joined"`, `"joining"` or `"leaving"`. */
  get state() {
    return this.#socket.engine.channelState(this.#id);
  }

  /** The ref of the current join. */
  joinRef() {
    return this.#socket.engine.joinRef(this.#id);
  }

  /** Joins (once per channel; a second call throws). The join `Push` hears every (re)join. */
  join(timeout) {
    return this.#push("phx_join", (engine) => engine.join(this.#id, timeoutArg(timeout, "join timeout"), now()));
  }

  /** Pushes `event` with `payload` (an object, or an `ArrayBuffer` for binary). */
  push(event, payload, timeout) {
    if (typeof event !== "string") throw new Error(`push event must be a string (got ${typeName(event)})`);
    const [text, bytes] = payloadArgs(payload, "push payload");
    const t = timeoutArg(timeout, "push timeout");
    return this.#push(event, (engine) => engine.push(this.#id, event, text, bytes, t, now()));
  }

  /** Leaves; the channel closes on the server's `ok` or on timeout. */
  leave(timeout) {
    const t = timeoutArg(timeout, "leave timeout");
    return this.#push("phx_leave", (engine) => engine.leave(this.#id, t, now()));
  }

  /** A `Push` for what `send` sends (it returns the push's id). */
  #push(event, send) {
    const socket = this.#socket;
    let id;
    try {
      id = send(socket.engine);
    } catch (e) {
      throw fail(e);
    }
    let push = socket.pushes.get(id); // a join's push is kept across rejoins
    if (push === undefined) {
      push = new Push(event);
      socket.pushes.set(id, push);
    }
    socket.pump();
    return push;
  }

  /** Calls `callback(payload, ref, joinRef)` for `event`; returns the binding ref. */
  on(event, callback) {
    if (typeof callback !== "function") throw new Error(`on callback must be a function (got ${typeName(callback)})`);
    let ref;
    try {
      ref = this.#socket.engine.on(this.#id, String(event));
    } catch (e) {
      throw fail(e);
    }
    this.#bindings.set(ref, callback);
    this.#events.set(ref, String(event));
    return ref;
  }

  /** Removes the binding `ref` of `event`, or every binding of `event`. */
  off(event, ref) {
    let removed;
    try {
      removed = this.#socket.engine.off(this.#id, String(event), ref ?? undefined);
    } catch (e) {
      throw fail(e);
    }
    for (const r of removed) {
      this.#bindings.delete(r);
      this.#events.delete(r);
    }
  }

  /** Calls `callback()` when the channel closes. */
  onClose(callback) {
    return this.on("phx_close", callback);
  }

  /** Calls `callback(reason)` when the channel errors. */
  onError(callback) {
    return this.on("phx_error", callback);
  }

  /** Calls `callback(state)` on every state change. */
  onState(callback) {
    if (typeof callback !== "function") throw new Error(`onState callback must be a function (got ${typeName(callback)})`);
    this.#states.push(callback);
  }

  /** Removes the channel from its socket. @private (`socket.remove(channel)`) */
  remove() {
    this.#socket.engine.remove(this.#id);
    this.#socket.pump();
  }

  /** This channel's engine id. @private */
  get id() {
    return this.#id;
  }

  /**
   * A message for the bindings `refs`: their callbacks are taken first, so one that removes
   * another does not stop it. @private
   */
  deliver(refs, payload, ref, joinRef) {
    if (this.onMessage !== onMessage) {
      payload = this.#handled(this.#events.get(refs[0]), payload, ref, joinRef);
      if (payload === undefined) return;
    }
    if (refs.length === 1) {
      const callback = this.#bindings.get(refs[0]);
      if (callback !== undefined) call3(callback, payload, ref, joinRef);
      return;
    }
    const callbacks = Array.from(refs, (r) => this.#bindings.get(r));
    for (const callback of callbacks) if (callback !== undefined) call3(callback, payload, ref, joinRef);
  }

  /**
   * phoenix.js's hook: every message's payload passes through it before the bindings
   * get it; override it to transform payloads. It must return the payload (modified or
   * not).
   */
  onMessage(event, payload, ref, joinRef) {
    return payload;
  }

  /** `onMessage`'s result, or undefined (reported) when it threw or returned nothing. */
  #handled(event, payload, ref, joinRef) {
    let handled;
    try {
      handled = this.onMessage(event, payload, ref, joinRef);
    } catch (e) {
      callbackThrew(e);
      return undefined;
    }
    if (handled === undefined || (payload && !handled)) {
      callbackThrew(new Error("channel onMessage callbacks must return the payload, modified or unmodified"));
      return undefined;
    }
    return handled;
  }

  /** A state change: the `onState` callbacks. @private */
  stateChanged(state) {
    for (const callback of this.#states.slice()) invoke(callback, state);
  }

  /** Nothing to release: the channel lives until it is removed. */
  free() {}
}

/** Calls a binding's callback; a throw is reported, never propagated. */
function call3(callback, a, b, c) {
  try {
    callback(a, b, c);
  } catch (e) {
    callbackThrew(e);
  }
}

const { onMessage } = Channel.prototype;
