// Entry for bundlers with WebAssembly ESM integration (webpack 5 `experiments.asyncWebAssembly`).
import * as glue from "./phoenix_wasm.js";
import { decorate } from "../decorate.js";

const api = decorate(glue);

export const Socket = api.Socket;
export const Channel = api.Channel;
export const Push = api.Push;
export const subscribe = api.subscribe;
/** Bytes of WebAssembly linear memory (diagnostics). */
export const wasmMemoryBytes = api.wasmMemoryBytes;
export const Presence = api.Presence;
