// Every function of the application's that the socket or a channel calls (params,
// authToken, reconnectAfterMs, rejoinAfterMs, beforeReconnect, logger, every on*
// callback, receive callbacks) may call any public method of the socket, channel or push
// (isConnected, connectionState, push, leave, off, disconnect, connect …): no exception,
// and the socket keeps working. phoenix-wasm in node against both servers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "./wasm-client.mjs";
import { SERVERS, startKind, outcome } from "./helpers.mjs";

for (const kind of SERVERS) test(`${kind}: the application's functions may call back into the socket, channel and push`, async () => {
  const server = await startKind(kind);
  const errors = [];
  const ran = new Set();
  /** Runs `f` as the function `label` of the application would, recording a throw. */
  const safely = (label, f) => {
    ran.add(label);
    try {
      f();
    } catch (e) {
      errors.push(`${label}: ${e?.stack || e}`);
    }
  };
  let socket;
  let ch;
  /** What a callback may ask the socket and channel at any time. */
  const look = (label) =>
    safely(label, () => {
      socket.isConnected();
      socket.connectionState();
      socket.makeRef();
      socket.health();
      socket.status();
      if (ch) {
        assert.equal(typeof ch.state, "string");
        ch.joinRef();
        ch.canPush?.();
      }
    });
  let reconnects = 0;
  socket = new Socket(server.socketUrl, {
    params: () => {
      look("params");
      return { token: "user:reenter" };
    },
    authToken: () => {
      look("authToken");
      return undefined; // Phoenix 1.7 has no token subprotocol
    },
    reconnectAfterMs: (tries) => {
      look("reconnectAfterMs");
      // connecting from inside the schedule: the delay asked for is no longer wanted
      if (tries === 1 && reconnects++ === 0) safely("reconnectAfterMs", () => socket.connect());
      return 20;
    },
    rejoinAfterMs: () => {
      look("rejoinAfterMs");
      safely("rejoinAfterMs", () => ch.push("echo", { from: "rejoinAfterMs" }));
      return 20;
    },
    beforeReconnect: () => look("beforeReconnect"),
    logger: () => look("logger"),
    heartbeatIntervalMs: 200,
  });
  try {
    socket.onOpen(() => look("onOpen"));
    socket.onError(() => look("onError"));
    socket.onMessage(() => look("onMessage"));
    socket.onStatus(() => look("onStatus"));
    socket.onHeartbeat(() => look("onHeartbeat"));
    socket.onClose(() => look("onClose"));

    ch = socket.channel("room:reenter", () => {
      look("channel params");
      return { n: 1 };
    });
    ch.onError(() => {
      look("channel onError");
      safely("channel onError", () => ch.push("echo", { from: "onError" }));
    });
    const shouts = [];
    const shoutRef = ch.on("shout", (payload) => {
      look("channel on");
      shouts.push(payload);
      // an echo pushed from inside a binding, and the binding removed while it runs
      safely("channel on", () => ch.push("echo", { from: "on" }));
      safely("channel on", () => ch.off("shout", shoutRef));
    });
    const joined = new Promise((resolve) =>
      ch.join().receive("ok", (resp) => {
        look("join receive");
        safely("join receive", () => {
          const p = ch.push("echo", { from: "receive" });
          p.receive("ok", () => {
            look("push receive");
            resolve(resp);
          });
        });
      }),
    );
    socket.connect();
    await joined;

    // a broadcast, heard once by the binding that removed itself
    assert.equal((await outcome(ch.push("shout", { n: 1 }))).status, "ok");
    assert.equal((await outcome(ch.push("shout", { n: 2 }))).status, "ok");
    assert.equal(shouts.length, 1, "the binding removed itself");

    // the channel crashes: phx_error, onError, a rejoin on the schedule
    const rejoined = new Promise((resolve) => ch.onState?.((s) => s === "joined" && resolve()));
    ch.push("crash", {});
    await rejoined;

    // the server drops the connection: onClose, the schedule (which connects at once),
    // beforeReconnect, params and authToken again
    const reopened = new Promise((resolve) => socket.onOpen(resolve));
    await server.admin("/admin/disconnect?user=reenter");
    await reopened;
    // and once more, this time through the delay and beforeReconnect
    const reopenedAgain = new Promise((resolve) => socket.onOpen(resolve));
    await server.admin("/admin/disconnect?user=reenter");
    await reopenedAgain;
    await new Promise((resolve) => socket.onHeartbeat(resolve));

    // disconnect and connect from inside a receive callback, then leave from inside one
    const back = new Promise((resolve) => {
      ch.push("echo", {}).receive("ok", () => {
        look("receive before disconnect");
        safely("disconnect in receive", () => {
          socket.disconnect();
          socket.connect();
        });
        resolve();
      });
    });
    await back;
    assert.equal((await outcome(ch.push("echo", { after: "reconnect" }))).status, "ok");
    const left = new Promise((resolve) => ch.onClose(resolve));
    ch.push("echo", {}).receive("ok", () => safely("leave in receive", () => ch.leave()));
    await left;

    // the socket still works: a new channel joins and answers
    const again = socket.channel("room:reenter-after");
    assert.equal((await outcome(again.join())).status, "ok");
    assert.deepEqual((await outcome(again.push("echo", { ok: true }))).response, { ok: true });

    assert.deepEqual(errors, [], "no call from inside a callback threw");
    for (const label of ["params", "authToken", "reconnectAfterMs", "rejoinAfterMs", "beforeReconnect", "logger", "onOpen", "onMessage", "onStatus", "onHeartbeat", "onClose", "channel params", "channel onError", "channel on", "join receive", "push receive", "disconnect in receive", "leave in receive"]) {
      assert.ok(ran.has(label), `${label} was called (${[...ran].join(", ")})`);
    }
  } finally {
    socket.disconnect();
    await server.stop();
  }
});
