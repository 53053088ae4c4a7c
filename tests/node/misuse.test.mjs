// Wrong input to the JS API is a clear Error at the call, never a panic or a silent drop:
// phoenix-wasm in node (no server needed: nothing here reaches the network).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "./wasm-client.mjs";

const URL = "ws://127.0.0.1:9/socket";

test("channels, pushes and the socket refuse wrong input with an Error that says what is wrong", () => {
  assert.throws(() => new Socket(URL, { timeout: "soon" }), /timeout/);
  assert.throws(() => new Socket(URL, 3), /Socket options must be an object/);
  const socket = new Socket(URL, { params: { token: "valid" } });
  assert.throws(() => socket.channel("room:x", 5), /channel params/);
  const ch = socket.channel("room:x");
  assert.throws(() => ch.push("echo", {}), /join/, "a push before the join");
  assert.throws(() => ch.on("e", "not a function"), /on callback must be a function \(got string\)/);
  ch.join();
  assert.throws(() => ch.join(), /join/, "a second join");
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => ch.push("echo", cyclic), /cannot be serialized to JSON/);
  // a thrown value that is not an Error is shown in the message (as JSON)
  assert.throws(() => ch.push("echo", { toJSON() { throw { code: 7 }; } }), /cannot be serialized to JSON: \{"code":7\}/);
  assert.throws(() => socket.off("x"), /off\(refs\) expects an array of refs/);
  assert.throws(() => ch.push("echo", {}, -1), /timeout must be a non-negative, finite number/);
  assert.throws(() => ch.push(5, {}), /push event must be a string \(got number\)/);
  const push = ch.push("echo", {});
  assert.throws(() => push.receive("ok"), /receive callback must be a function \(got undefined\)/);
  assert.throws(() => socket.waitFor("bogus"), /unknown state "bogus"/);
  assert.throws(() => socket.ping(null), /ping callback must be a function/);
  socket.disconnect();
});
