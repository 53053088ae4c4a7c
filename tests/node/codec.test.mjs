// The application's own frame codec (phoenix.js `encode` / `decode`) replaces the V2
// serializer: phoenix-wasm in node against both servers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome } from "./helpers.mjs";

for (const kind of SERVERS) test(`${kind}: custom encode and decode replace the serializer`, async () => {
  const server = await startKind(kind);
  // a codec that speaks V2 JSON itself and counts what it handled
  const stats = { encoded: 0, decoded: 0, events: new Set() };
  const socket = new Socket(server.socketUrl, {
    params: { token: "valid" },
    encode(msg, cb) {
      stats.encoded++;
      stats.events.add(msg.event);
      cb(JSON.stringify([msg.join_ref, msg.ref, msg.topic, msg.event, msg.payload]));
    },
    decode(raw, cb) {
      stats.decoded++;
      const [join_ref, ref, topic, event, payload] = JSON.parse(raw);
      cb({ join_ref, ref, topic, event, payload });
    },
  });
  try {
    socket.connect();
    const ch = socket.channel("room:codec");
    assert.equal((await outcome(ch.join())).status, "ok");
    assert.deepEqual((await outcome(ch.push("echo", { via: "codec" }))).response, { via: "codec" });
    assert.ok(stats.encoded >= 2 && stats.decoded >= 2, JSON.stringify({ ...stats, events: [...stats.events] }));
    assert.deepEqual([...stats.events].sort(), ["echo", "phx_join"]);
  } finally {
    socket.disconnect();
    await server.stop();
  }
});
