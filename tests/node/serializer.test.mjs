// `Serializer`, phoenix.js's export: phoenix-wasm's (the engine's serializer through wasm)
// encodes and decodes exactly as phoenix.js's does, text and binary frames of every kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Serializer } from "./wasm-client.mjs";

const phoenix = await import("../../node_modules/phoenix/priv/static/phoenix.mjs");
const enc = new TextEncoder();

/** A binary frame as a server sends it: kind, the fields' lengths, the fields, the body. */
function serverFrame(kind, fields, body) {
  const bytes = fields.map((f) => enc.encode(f));
  const out = new Uint8Array(1 + bytes.length + bytes.reduce((n, b) => n + b.length, 0) + body.length);
  out[0] = kind;
  bytes.forEach((b, i) => (out[1 + i] = b.length));
  let at = 1 + bytes.length;
  for (const b of bytes) out.set(b, at), (at += b.length);
  out.set(body, at);
  return out.buffer;
}

/** What `callback` gets, with ArrayBuffers as arrays of bytes (comparable). */
function run(serializer, method, arg) {
  let got;
  serializer[method](arg, (v) => (got = v));
  return JSON.parse(JSON.stringify(got, (k, v) => (v instanceof ArrayBuffer ? { bytes: [...new Uint8Array(v)] } : v)));
}

test("Serializer encodes and decodes as phoenix.js's", () => {
  const messages = [
    { join_ref: "1", ref: "2", topic: "room:lobby", event: "shout", payload: { body: "héllo ✓", n: [1, null] } },
    { join_ref: null, ref: "3", topic: "phoenix", event: "heartbeat", payload: {} },
    { join_ref: "1", ref: "4", topic: "room:bin", event: "binary", payload: new Uint8Array([0, 1, 255]).buffer },
  ];
  for (const m of messages) assert.deepEqual(run(Serializer, "encode", m), run(phoenix.Serializer, "encode", m), m.event);
  const frames = [
    JSON.stringify(["1", "2", "room:lobby", "phx_reply", { status: "ok", response: { a: 1 } }]),
    JSON.stringify([null, null, "room:lobby", "shout", { body: "x" }]),
    serverFrame(0, ["12", "room:bin", "pushed"], [9, 8, 7]),
    serverFrame(1, ["12", "34", "room:bin", "ok"], [1, 2]),
    serverFrame(2, ["room:bin", "broadcast"], [255]),
  ];
  for (const f of frames) assert.deepEqual(run(Serializer, "decode", f), run(phoenix.Serializer, "decode", f));
  assert.deepEqual([Serializer.HEADER_LENGTH, Serializer.META_LENGTH, Serializer.KINDS], [phoenix.Serializer.HEADER_LENGTH, phoenix.Serializer.META_LENGTH, phoenix.Serializer.KINDS]);
  // a malformed frame is an Error that says why, not a crash
  assert.throws(() => Serializer.decode("[1, 2", () => {}), Error);
  assert.throws(() => Serializer.decode(new Uint8Array([7]).buffer, () => {}), Error);
});
