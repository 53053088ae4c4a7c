// Entry for bundlers with WebAssembly ESM integration (webpack 5 `experiments.asyncWebAssembly`).
import * as glue from "./phoenix_wasm.js";
import { decorate } from "../decorate.js";

decorate(glue);

export const Socket = glue.Socket;
export const Channel = glue.Channel;
export const Push = glue.Push;
export const subscribe = glue.subscribe;
/** Bytes of WebAssembly linear memory (diagnostics). */
export const wasmMemoryBytes = glue.wasmMemoryBytes;
export const Presence = glue.Presence;
