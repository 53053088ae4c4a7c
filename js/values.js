// Values crossing into and out of the engine: payloads, timeouts, errors, and thrown
// values as text for error messages.
import { typeName } from "./push.js";

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

/** An engine call's error (a string) as an `Error`. */
export function fail(e) {
  return typeof e === "string" ? new Error(e) : e;
}

/** A payload from the wire: JSON text parsed, bytes as they are. */
export function parse(payload) {
  if (typeof payload !== "string") return payload;
  try {
    return JSON.parse(payload);
  } catch (e) {
    return new Error(`malformed JSON payload: ${describe(e)}`);
  }
}

/** A payload for the engine: `[JSON text, bytes]`, one of them undefined. */
export function payloadArgs(value, what) {
  if (value === undefined) return ["{}", undefined];
  if (value instanceof ArrayBuffer) return [undefined, new Uint8Array(value)];
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new Error(`${what} cannot be serialized to JSON: ${describe(e)}`);
  }
  if (typeof text !== "string") throw new Error(`${what} is not a JSON value (got ${typeName(value)})`);
  return [text, undefined];
}

/** An optional timeout in ms: -1 for the default. */
export function timeoutArg(value, what) {
  if (value == null) return -1;
  if (typeof value === "number" && value >= 0 && Number.isFinite(value)) return value;
  throw new Error(`${what} must be a non-negative, finite number of milliseconds`);
}

/** `value` when it is a function, undefined when not given; else throws naming `what`. */
export function optionalFunction(value, what) {
  if (value == null) return undefined;
  if (typeof value !== "function") throw new Error(`${what} must be a function (got ${typeName(value)})`);
  return value;
}

