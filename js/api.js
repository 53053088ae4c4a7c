// The package's classes over a ready wasm module, shared by every entry (ESM, bundler,
// single file, the node tests): each entry initialises the module its own way, then
// calls `api(glue)`.
import { install, wasm } from "./engine.js";
import { Socket } from "./socket.js";
import { Channel } from "./channel.js";
import { Push } from "./push.js";
import { Presence } from "./presence.js";
import { subscribe } from "./subscribe.js";
import { LongPoll } from "./longpoll.js";
import { Serializer } from "./serializer.js";

// the classes keep their names in the minified package (`Socket.name`, the console)
for (const [name, c] of Object.entries({ Socket, Channel, Push, Presence, LongPoll })) Object.defineProperty(c, "name", { value: name });

/** `{Socket, Channel, Push, Presence, LongPoll, Serializer, subscribe, wasmMemoryBytes}` over the glue's exports. */
export function api(glue) {
  install(glue);
  return { Socket, Channel, Push, Presence, LongPoll, Serializer, subscribe, wasmMemoryBytes: () => wasm.wasmMemoryBytes() };
}
