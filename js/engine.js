// The wasm module's exports the package's classes use, set once by each package entry
// (js/index.js, js/bundler.js, the single file) when the module is ready, before any
// socket is made: `Engine`, `presenceSync` and `wasmMemoryBytes` (src/engine).
export const wasm = {};

/** Takes the exports from the wasm-bindgen glue. */
export function install(glue) {
  wasm.Engine = glue.Engine;
  wasm.presenceSync = glue.presenceSync;
  wasm.wasmMemoryBytes = glue.wasmMemoryBytes;
}
