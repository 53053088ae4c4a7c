// Entry for bundlers with WebAssembly ESM integration (webpack 5 `experiments.asyncWebAssembly`).
import * as glue from "./phoenix_wasm.js";
import { api as classes } from "../api.js";

const api = classes(glue);

/** `wasmMemoryBytes()`: bytes of WebAssembly linear memory (diagnostics). */
export const { Socket, Channel, Push, Presence, LongPoll, Serializer, subscribe, wasmMemoryBytes } = api;
