// What wasm-bindgen's classes cannot express by themselves, shaped into phoenix.js's
// API; shared by every entry (ESM, bundler, single file):
// - the static Presence helpers (Presence.syncState / syncDiff / list);
// - push.receive(...) returns the push itself (one object per push, as in phoenix.js,
//   instead of a new wrapper per call);
// - presence.list(chooser) as one loop over the presences the shell keeps as JS objects
//   (no Array.from copy, no bound apply per call).
export function decorate(glue) {
  const { Presence, Push } = glue;
  if (Push.prototype.receive.chainable) return;
  Presence.syncState = glue.presenceSyncState;
  Presence.syncDiff = glue.presenceSyncDiff;
  Presence.list = glue.presenceList;
  const receive = Push.prototype.receive;
  Push.prototype.receive = function (status, callback) {
    receive.call(this, status, callback);
    return this;
  };
  Push.prototype.receive.chainable = true;
  const list = Presence.prototype.list;
  Presence.prototype.list = function (chooser) {
    if (typeof chooser !== "function") return list.call(this, chooser); // no chooser, or the error for a wrong one
    const presences = this.__presences();
    const out = new Array(presences.size);
    let i = 0;
    for (const [key, presence] of presences) out[i++] = chooser(key, presence);
    return out;
  };
}
