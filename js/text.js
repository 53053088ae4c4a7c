// Text into wasm memory (frames in, payloads pushed): the browser's TextEncoder writes the UTF-8
// straight into the buffer the shell allocated (one copy, and for short strings about
// three times quicker than a loop over its characters). And thrown values as text, for
// error messages (`show`, `describe`).
const encoder = new TextEncoder();

/**
 * Writes `text` as UTF-8 into `memory` at `[ptr, ptr + capacity)`: the number of bytes
 * written, or -1 when they did not all fit.
 */
export function encodeInto(text, memory, ptr, capacity) {
  const done = encoder.encodeInto(text, new Uint8Array(memory.buffer, ptr, capacity));
  return done.read === text.length ? done.written : -1;
}

/**
 * A thrown value that is not an `Error`, as text for an error message: JSON for plain
 * objects and arrays, `String(value)` otherwise.
 */
export function show(value) {
  try {
    return (typeof value === "object" && value !== null && JSON.stringify(value)) || String(value);
  } catch {
    return Object.prototype.toString.call(value); // cyclic, or without a toString
  }
}

/** The message of a thrown value: an `Error`'s message, a string as it is, else `show`. */
export function describe(e) {
  return e instanceof Error ? e.message : typeof e === "string" ? e : show(e);
}
