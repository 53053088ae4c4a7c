// What wasm-bindgen's classes cannot express by themselves, shaped into phoenix.js's
// API; shared by every entry (ESM, bundler, single file):
// - the static Presence helpers (Presence.syncState / syncDiff / list);
// - presence.list(chooser) as one loop over the presences the shell keeps as JS objects
//   (no Array.from copy, no bound apply per call).
// Returns the package's classes (`Push` is plain JS, js/push.js, which the wasm module imports).
export function decorate(glue) {
  const { Presence } = glue;
  const api = { Socket: glue.Socket, Channel: glue.Channel, Push: glue.__pushClass(), Presence, subscribe: glue.subscribe, wasmMemoryBytes: glue.wasmMemoryBytes };
  if (Presence.syncState) return api;
  Presence.syncState = glue.presenceSyncState;
  Presence.syncDiff = glue.presenceSyncDiff;
  Presence.list = glue.presenceList;
  const list = Presence.prototype.list;
  Presence.prototype.list = function (chooser) {
    if (typeof chooser !== "function") return list.call(this, chooser); // no chooser, or the error for a wrong one
    const presences = this.__presences();
    const out = new Array(presences.size);
    let i = 0;
    for (const [key, presence] of presences) out[i++] = chooser(key, presence);
    return out;
  };
  return api;
}
