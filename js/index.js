// The package's ESM entry: initialises the wasm module itself (top-level await),
// so `import { Socket } from "phoenix-wasm"` is all an application writes.
import init, {
  Socket, Channel, Push, Presence, subscribe,
  presenceSyncState, presenceSyncDiff, presenceList,
} from "./phoenix_wasm.js";

await init({ module_or_path: new URL("./phoenix_wasm_bg.wasm", import.meta.url) });

// phoenix.js's static Presence helpers
Presence.syncState = presenceSyncState;
Presence.syncDiff = presenceSyncDiff;
Presence.list = presenceList;

export { Socket, Channel, Push, Presence, subscribe };
