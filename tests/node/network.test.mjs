// Faults in the network between client and server (tests/node/faultproxy.mjs), not at the
// server: phoenix-wasm in node (the `ws` WebSocket) against phoenix-mock and the real
// Phoenix app.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome, nextCall } from "./helpers.mjs";
import { faultProxy } from "./faultproxy.mjs";

for (const kind of SERVERS) {
  test(`${kind}: a link gone silent is noticed by the heartbeat, reported by onClose at once, and its late close is ignored`, async () => {
    const server = await startKind(kind);
    const proxy = await faultProxy(server.socketUrl);
    const socket = new Socket(proxy.url(server.socketUrl), {
      params: { token: "user:silent-link" },
      heartbeatIntervalMs: 200,
      reconnectAfterMs: () => 50,
    });
    try {
      const log = [];
      socket.onOpen(() => log.push(`open ${socket.isConnected()}`));
      socket.onClose((e) => log.push(`close ${e.code} while ${socket.connectionState()}`));
      socket.onError(() => {});
      const first = nextCall((cb) => socket.onOpen(cb));
      socket.connect();
      await first;
      const channel = socket.channel("room:silent-link");
      // the join's "ok" answers again on each rejoin
      let joins = 0;
      let rejoined = null;
      const join = channel.join().receive("ok", () => (++joins === 2 ? rejoined?.() : undefined));
      assert.equal((await outcome(join)).status, "ok");

      // the link goes silent: no FIN, no RST, the heartbeat's reply never comes
      const [dead] = proxy.open();
      const again = new Promise((resolve) => (rejoined = resolve));
      proxy.silence([dead]);
      await again;
      assert.equal(channel.state, "joined");
      assert.deepEqual(log, ["open true", "close 1000 while closed", "open true"], "onClose when the link was found dead, before the reconnect");

      // the abandoned connection comes back to life long enough to finish its close
      // handshake: its close event reaches the socket while it is connected again
      proxy.heal([dead]);
      await proxy.ended(dead);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(log, ["open true", "close 1000 while closed", "open true"], "no onClose from a connection no longer used");
      assert.equal(socket.isConnected(), true);
      assert.equal((await outcome(channel.push("echo", { alive: true }))).status, "ok");
    } finally {
      socket.disconnect();
      await proxy.close();
      await server.stop();
    }
  });
}
