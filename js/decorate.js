// What wasm-bindgen's classes cannot express by themselves, shaped into phoenix.js's
// API; shared by every entry (ESM, bundler, single file):
// - the static Presence helpers (Presence.syncState / syncDiff / list);
// - push.receive(...) returns the push itself (one object per push, as in phoenix.js,
//   instead of a new wrapper per call).
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
}
