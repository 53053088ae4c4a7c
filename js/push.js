// A message sent on a channel, awaiting its reply (phoenix.js `Push`): a plain JS
// object, so `receive` and `then` cost no call into wasm and a push needs no
// finalizer. The socket keeps one per push in flight and hands it each reply
// (`__reply`), timeouts included; a join push hears every (re)join.

/** Reports what an application callback threw (it is never propagated). */
export function callbackThrew(error) {
  console.error("phoenix-wasm: a callback threw", error);
}

/** Calls an application callback with one argument; a throw is reported, never propagated. */
export function invoke(callback, value) {
  try {
    callback(value);
  } catch (e) {
    callbackThrew(e);
  }
}

/** `typeof`, with `null` and `array` told apart (for error messages). */
export function typeName(value) {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** An `Error` named `PushError`, with the reply's `status` and `response`. */
export function pushError(event, status, response) {
  let detail;
  try {
    detail = JSON.stringify(response);
  } catch {
    // a response that cannot be shown is left out of the message
  }
  const err = new Error(`push "${event}" failed: ${status} ${detail ?? ""}`);
  err.name = "PushError";
  err.status = status;
  err.response = response;
  return err;
}

export class Push {
  /** @param {string} event the pushed event, for error messages */
  constructor(event) {
    this.event = event;
    /** `[status, callback]` pairs, in the order they were added */
    this.hooks = [];
    /** the last reply's status (`null` until one arrives) and response */
    this.status = null;
    this.response = undefined;
    /** `[resolve, reject]` of promises waiting for the first reply (made on first use) */
    this.waiters = null;
  }

  /**
   * Calls `callback(response)` when the reply has `status` (`"ok"`, `"error"`,
   * `"timeout"` or a custom one); at once if it already has. Returns the push.
   */
  receive(status, callback) {
    if (typeof callback !== "function") throw new Error(`receive callback must be a function (got ${typeName(callback)})`);
    if (this.status === status) invoke(callback, this.response);
    this.hooks.push([status, callback]);
    return this;
  }

  /**
   * Makes a push awaitable: resolves with the `ok` response, rejects with a
   * `PushError` (`{name, message, status, response}`) for any other status.
   */
  then(onFulfilled, onRejected) {
    return new Promise((resolve, reject) => {
      if (this.status !== null) this.settle(resolve, reject);
      else (this.waiters ??= []).push([resolve, reject]);
    }).then(onFulfilled, onRejected);
  }

  /** @private */
  settle(resolve, reject) {
    if (this.status === "ok") resolve(this.response);
    else reject(pushError(this.event, this.status, this.response));
  }

  /** A reply (or a timeout), from the socket. @private */
  __reply(status, response) {
    this.status = status;
    this.response = response;
    const hooks = this.hooks;
    // the hooks added before this reply; one added by a callback has already fired
    for (let i = 0, n = hooks.length; i < n; i++) if (hooks[i][0] === status) invoke(hooks[i][1], response);
    const waiters = this.waiters;
    if (waiters === null) return;
    this.waiters = null;
    for (const [resolve, reject] of waiters) this.settle(resolve, reject);
  }
}
