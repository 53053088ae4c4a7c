// subscribe(), the hook-style helper, written over the public API.
import { typeName } from "./push.js";

/**
 * Joins `topic` with a map of event handlers and returns one function that removes the
 * handlers and leaves the channel. Options: `params`, `channel` (channel options, e.g.
 * `{reliable: true}`), `onJoin(reply)`, `onError(reason)`. Framework-free: return it from
 * React's `useEffect`, call it in Vue's `onUnmounted` or return it from Svelte's `onMount`.
 * Every handler is checked before the channel is made, so a wrong one leaves nothing behind.
 */
export function subscribe(socket, topic, handlers, opts) {
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
