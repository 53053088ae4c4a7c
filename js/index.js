// The package's ESM entry: initialises the wasm module itself (top-level await),
// so `import { Socket } from "phoenix-wasm"` is all an application writes.
// The exports are bindings of this module (not re-exports), so a bundler that
// honours `sideEffects: false` still evaluates it, and with it the initialisation.
// The wasm download starts before the glue is loaded (the glue is imported here,
// not statically), so the two travel side by side: a shorter cold start.
const wasm = fetch(new URL("./phoenix_wasm_bg.wasm", import.meta.url));
wasm.catch(() => {}); // a failed download is reported by init below, not as unhandled
const [glue, classes] = await Promise.all([import("./phoenix_wasm.js"), import("./api.js")]);
await glue.default({ module_or_path: wasm });
const api = classes.api(glue);

/** `wasmMemoryBytes()`: bytes of WebAssembly linear memory (diagnostics). */
export const { Socket, Channel, Push, Presence, LongPoll, Serializer, subscribe, wasmMemoryBytes } = api;
