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

/** Views of the module's memory, made anew once it has grown (which detaches the old buffer). */
let views = { u8: new Uint8Array(0), u32: null, f64: null };
function current() {
  if (views.u8.byteLength === 0) {
    const buffer = wasm.memory.buffer;
    views = { u8: new Uint8Array(buffer), u32: new Uint32Array(buffer), f64: new Float64Array(buffer) };
  }
  return views;
}

/**
 * The module's memory as bytes, `u32`s (index: address / 4) or `f64`s (address / 8). A
 * view stays good until the memory grows (any call into the engine may grow it): ask
 * again after such a call.
 */
export const memoryBytes = () => current().u8;
export const memoryU32 = () => current().u32;
export const memoryF64 = () => current().f64;

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
