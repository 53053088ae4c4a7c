// A channel's callbacks, as a plain JS object the shell holds one of per channel: its
// bindings by ref (`on`, `onClose`, `onError`) and its `onState` callbacks. The core
// decides which bindings a message is for; the shell hands the message over in one call.
import { callbackThrew, invoke, typeName } from "./push.js";

/** Calls a binding with phoenix.js's arguments; a throw is reported, never propagated. */
function call(callback, payload, ref, joinRef) {
  try {
    callback(payload, ref, joinRef);
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
