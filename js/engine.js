// The wasm module's exports the package's classes use, set once by each package entry
// (js/index.js, js/bundler.js, the single file) when the module is ready, before any
// socket is made: `Engine`, `presenceSync`, `wasmMemoryBytes`, the serializer's
// `encodeFrame` and `decodeFrame`, and the module's memory (`wasmMemory`)
// (src/engine), where an engine's records are read in place.
export const wasm = {};

/** Takes the exports from the wasm-bindgen glue. */
export function install(glue) {
  wasm.Engine = glue.Engine;
  wasm.presenceSync = glue.presenceSync;
  wasm.wasmMemoryBytes = glue.wasmMemoryBytes;
  wasm.memory = glue.wasmMemory();
  wasm.encodeFrame = glue.encodeFrame;
  wasm.decodeFrame = glue.decodeFrame;
}

let u8 = new Uint8Array(0);
let u32 = new Uint32Array(0);
let f64 = new Float64Array(0);

/**
 * The module's memory as bytes. A view stays good until the memory grows (any call into
 * the engine may grow it, which detaches the old buffer): ask again after such a call.
 */
export function memoryBytes() {
  if (u8.byteLength === 0) u8 = new Uint8Array(wasm.memory.buffer);
  return u8;
}

/** The module's memory as `u32`s (index: address / 4), good as long as `memoryBytes()`'s. */
export function memoryU32() {
  if (u32.byteLength === 0) u32 = new Uint32Array(wasm.memory.buffer);
  return u32;
}

/** The module's memory as `f64`s (index: address / 8), good as long as `memoryBytes()`'s. */
export function memoryF64() {
  if (f64.byteLength === 0) f64 = new Float64Array(wasm.memory.buffer);
  return f64;
}

const decoder = new TextDecoder();

/**
 * The UTF-8 text at `at` (`len` bytes) in the module's memory. Short ASCII text (refs,
 * event names, topics) is read by a loop: a `TextDecoder` call costs more than the loop
 * for text of fewer than about 32 bytes.
 */
export function textAt(at, len) {
  const bytes = memoryBytes();
  if (len <= 32) {
    let s = "";
    for (let i = at; i < at + len; i++) {
      const c = bytes[i];
      if (c > 127) return decoder.decode(bytes.subarray(at, at + len));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(at, at + len));
}

/** A copy of the `len` bytes at `at` in the module's memory. */
export function bytesAt(at, len) {
  return memoryBytes().slice(at, at + len).buffer;
}
