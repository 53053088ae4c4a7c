// The package's ESM entry: initialises the wasm module itself (top-level await),
// so `import { Socket } from "phoenix-wasm"` is all an application writes.
// The exports are bindings of this module (not re-exports), so a bundler that
// honours `sideEffects: false` still evaluates it, and with it the initialisation.
import init, * as glue from "./phoenix_wasm.js";
import { decorate } from "./decorate.js";

await init({ module_or_path: new URL("./phoenix_wasm_bg.wasm", import.meta.url) });
decorate(glue);

export const Socket = glue.Socket;
export const Channel = glue.Channel;
export const Push = glue.Push;
export const subscribe = glue.subscribe;
/** Bytes of WebAssembly linear memory (diagnostics). */
export const wasmMemoryBytes = glue.wasmMemoryBytes;
export const Presence = glue.Presence;
