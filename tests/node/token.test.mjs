// Token refresh for joined channels (docs/token-refresh.md): socket.refreshToken against
// both servers, which implement the server's side on `room:*`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome, nextCall } from "./helpers.mjs";

const tokenOf = async (ch) => (await ch.push("token", {})).access_token;

for (const kind of SERVERS) test(`${kind}: refreshToken reaches every joined channel, also one still joining; a refused token rejects naming the channel`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:ann" } });
  try {
    socket.connect();
    const a = socket.channel("room:token-a");
    const b = socket.channel("room:token-b");
    assert.equal((await outcome(a.join())).status, "ok");
    assert.equal((await outcome(b.join())).status, "ok");
    assert.equal(await tokenOf(a), null);
    const c = socket.channel("room:token-c");
    c.join(); // its join is in flight: the token follows it
    const idle = socket.channel("room:token-idle"); // never joined: nothing to refresh
    await socket.refreshToken("user:ann");
    assert.equal(c.state, "joined");
    assert.deepEqual([await tokenOf(a), await tokenOf(b), await tokenOf(c)], ["user:ann", "user:ann", "user:ann"]);
    assert.equal(idle.state, "closed");

    const refused = await socket.refreshToken("user:bob").then(() => null, (e) => e);
    assert.ok(refused, "a token for another user is refused");
    assert.deepEqual([refused.name, refused.status, refused.response, refused.topic], ["PushError", "error", { reason: "invalid_token" }, "room:token-a"]);
    assert.match(refused.message, /^room:token-a: push "access_token" failed/);
    assert.equal(await tokenOf(b), "user:ann", "a refused token leaves the old one");
    assert.throws(() => socket.refreshToken(42), /refreshToken expects a string token \(got number\)/);
  } finally {
    socket.disconnect();
    await server.stop();
  }
});

for (const kind of SERVERS) test(`${kind}: a refreshed token that expires closes the channel (token_expired, then phx_close); a later refresh replaces it`, async () => {
  const server = await startKind(kind);
  const socket = new Socket(server.socketUrl, { params: { token: "user:eve" } });
  try {
    socket.connect();
    const short = socket.channel("room:token-short");
    const kept = socket.channel("room:token-kept");
    assert.equal((await outcome(short.join())).status, "ok");
    assert.equal((await outcome(kept.join())).status, "ok");
    const expired = nextCall((cb) => short.on("token_expired", cb));
    const closed = nextCall((cb) => short.onClose(cb));
    await socket.refreshToken("user:eve@200");
    // replaced at once: `kept` without a lifetime, `short` with a longer one; the first
    // timers fire 200 ms before `short` expires, and find their tokens replaced
    await kept.push("access_token", { access_token: "user:eve" });
    await short.push("access_token", { access_token: "user:eve@400" });
    await expired;
    await closed;
    assert.equal(short.state, "closed");
    // `kept`'s first timer fired long before, but its token had been replaced: still joined
    assert.equal(await tokenOf(kept), "user:eve");
    assert.equal(kept.state, "joined");
  } finally {
    socket.disconnect();
    await server.stop();
  }
});
