// Entry for bundlers with WebAssembly ESM integration (webpack 5 `experiments.asyncWebAssembly`).
import * as glue from "./phoenix_wasm.js";
import { decorate } from "../decorate.js";

const api = decorate(glue);

/** `wasmMemoryBytes()`: bytes of WebAssembly linear memory (diagnostics). */
export const { Socket, Channel, Push, Presence, subscribe, wasmMemoryBytes } = api;
