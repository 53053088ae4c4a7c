// phoenix-wasm (the built package's web target) running in node, with the `ws`
// package as the WebSocket: the same wasm as in the browser, for long node tests.
import { readFileSync } from "node:fs";
import { WebSocket } from "ws";

globalThis.WebSocket ??= WebSocket;
const glue = await import("../../pkg/phoenix_wasm.js");
const { api: classes } = await import("../../pkg/api.js");
glue.initSync({ module: readFileSync(new URL("../../pkg/phoenix_wasm_bg.wasm", import.meta.url)) });
const api = classes(glue); // as the package entries do

export const { Socket, Channel, Push, Presence, LongPoll, Serializer, subscribe } = api;
/** Bytes of wasm linear memory in use. */
export const wasmMemoryBytes = () => glue.wasmMemoryBytes?.() ?? NaN;
