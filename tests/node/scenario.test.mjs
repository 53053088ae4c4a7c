// The overlay channels of the mock server, driven by the official phoenix client.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { WebSocket } from "ws";
import { Socket } from "phoenix";
import { startServer, nextCall, outcome, collect } from "./helpers.mjs";

const FAST = new URL("../fixtures/fast-scenario.json", import.meta.url).pathname;
let server;
const sockets = [];

before(async () => {
  server = await startServer(["--scenario", FAST]);
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await server.stop();
});

function connect(user) {
  const s = new Socket(server.socketUrl, { transport: WebSocket, params: { token: `user:${user}` } });
  sockets.push(s);
  s.connect();
  return s;
}

async function join(s, topic) {
  const ch = s.channel(topic);
  const res = await outcome(ch.join());
  assert.equal(res.status, "ok", JSON.stringify(res));
  return ch;
}

test("overlay:obs: initial_state, scene changes, commands, ping", async () => {
  const ch = connect("obs").channel("overlay:obs");
  const initial = nextCall((cb) => ch.on("initial_state", cb));
  const events = collect(ch, "obs_event");
  assert.equal((await outcome(ch.join())).status, "ok");
  const [state] = await initial;
  assert.deepEqual(state.scenes, ["Intro", "Game", "Outro"]);
  assert.ok(state.scenes.includes(state.scene));
  await events.until((seen) => seen.length >= 2);
  assert.equal(events.seen[0].type, "scene_changed");
  assert.equal(typeof events.seen[0].timestamp, "number");
  const status = await outcome(ch.push("obs:status", {}));
  assert.deepEqual(Object.keys(status.response).sort(), ["recording", "scene", "streaming"]);
  assert.deepEqual((await outcome(ch.push("obs:scenes", {}))).response.scenes, ["Intro", "Game", "Outro"]);
  const before = events.seen.length;
  assert.deepEqual(await outcome(ch.push("obs:set_scene", { scene: "Outro" })), { status: "ok", response: { scene: "Outro" } });
  await events.until((seen) => seen.slice(before).some((e) => e.data.scene === "Outro"));
  assert.deepEqual(await outcome(ch.push("obs:set_scene", { scene: "Nope" })), { status: "error", response: { message: "unknown scene" } });
  const pong = await outcome(ch.push("ping", { echo: 7 }));
  assert.equal(pong.response.pong, true);
  assert.equal(pong.response.echo, 7);
  assert.equal(typeof pong.response.timestamp, "number");
});

test("overlay:twitch and overlay:system stream live data", async () => {
  const s = connect("live");
  const twitch = s.channel("overlay:twitch");
  const tw = collect(twitch, "twitch_event");
  await outcome(twitch.join());
  await tw.until((seen) => seen.length >= 3);
  assert.deepEqual(new Set(tw.seen.map((e) => e.type)), new Set(["follow", "subscription", "cheer"]));
  const system = s.channel("overlay:system");
  const sys = collect(system, "system_status");
  await outcome(system.join());
  await sys.until((seen) => seen.length >= 2);
  const status = await outcome(system.push("system:status", {}));
  assert.equal(typeof status.response.summary.health_percentage, "number");
  assert.ok(status.response.summary.health_percentage <= 91.5);
});

test("stream:overlays: request_state, force_content takeover that reverts, errors as {message}", async () => {
  const s = connect("omnibar");
  const ch = s.channel("stream:overlays");
  const states = collect(ch, "stream_state");
  await outcome(ch.join());
  const state = await outcome(ch.push("request_state", {}));
  assert.deepEqual(state.response.queue, ["one", "two"]);
  assert.equal(state.response.current.forced, false);
  const forced = await outcome(ch.push("force_content", { content: "BRB 5 min", duration: 1, type: "brb" }));
  assert.equal(forced.status, "ok");
  assert.equal(forced.response.forced, "BRB 5 min");
  await states.until((seen) => seen.some((st) => st.current.forced && st.current.content === "BRB 5 min"));
  const at = states.seen.length;
  await states.until((seen) => seen.slice(at).some((st) => !st.current.forced));
  assert.deepEqual(await outcome(ch.push("force_content", { duration: 5 })), { status: "error", response: { message: "content is required" } });
  assert.equal((await outcome(ch.push("force_content", { content: "x", duration: 100000 }))).status, "error");
  const queue = await join(s, "stream:queue");
  assert.deepEqual(await outcome(queue.push("enqueue", { content: "three" })), { status: "ok", response: { queued: true } });
  assert.deepEqual((await outcome(queue.push("request_state", {}))).response.queue, ["one", "two", "three"]);
});

test("dashboard:<room> pushes updates and answers stats", async () => {
  const ch = connect("dash").channel("dashboard:main");
  const updates = collect(ch, "dashboard_update");
  await outcome(ch.join());
  await updates.until((seen) => seen.length >= 2);
  assert.equal(updates.seen[0].room, "main");
  assert.equal(typeof (await outcome(ch.push("dashboard:stats", {}))).response.viewers, "number");
});

test("chat:room:<id>: messages to every member, typing indicators with auto-stop", async () => {
  const ann = await join(connect("ann"), "chat:room:1");
  const bob = await join(connect("bob"), "chat:room:1");
  const messages = collect(bob, "new_message");
  const typing = collect(bob, "user_typing");
  const sent = await outcome(ann.push("new_message", { body: "hello" }));
  assert.equal(sent.status, "ok");
  await messages.until((seen) => seen.length === 1);
  assert.deepEqual({ ...messages.seen[0], timestamp: 0 }, { id: sent.response.id, user: "ann", body: "hello", timestamp: 0 });
  assert.deepEqual(await outcome(ann.push("new_message", { body: " " })), { status: "error", response: { message: "body is required" } });
  await outcome(ann.push("typing_start", {}));
  await typing.until((seen) => seen.length === 2); // true, then false after the timeout
  assert.deepEqual(typing.seen, [{ user: "ann", typing: true }, { user: "ann", typing: false }]);
  await outcome(ann.push("typing_start", {}));
  await outcome(ann.push("typing_stop", {}));
  await typing.until((seen) => seen.length === 4);
  assert.deepEqual(typing.seen.slice(2), [{ user: "ann", typing: true }, { user: "ann", typing: false }]);
});

test("comments:stream:<id> allows one comment per second per user", async () => {
  const ch = await join(connect("commenter"), "comments:stream:9");
  const comments = collect(ch, "new_comment");
  assert.equal((await outcome(ch.push("new_comment", { body: "first" }))).status, "ok");
  assert.deepEqual(await outcome(ch.push("new_comment", { body: "too fast" })), { status: "error", response: { reason: "rate_limit" } });
  await comments.until((seen) => seen.length === 1);
  assert.equal(comments.seen[0].body, "first");
});

test("events:* arrive as batch_updates of at most 50 events", async () => {
  const ch = connect("events").channel("events:feed");
  const batches = collect(ch, "batch_updates");
  await outcome(ch.join());
  await batches.until((seen) => seen.length >= 4);
  for (const b of batches.seen) {
    assert.ok(b.events.length >= 1 && b.events.length <= 50, `${b.events.length}`);
  }
  const ids = batches.seen.flatMap((b) => b.events.map((e) => e.id));
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), "in order");
  assert.ok(batches.seen.some((b) => b.events.length === 50), "a full batch at 1000 events/s");
});

test("--check-origin allows OBS local files and localhost, rejects other origins", async () => {
  const strict = await startServer(["--check-origin", "--allow-origin", "https://overlay.example"]);
  const status = (origin) =>
    new Promise((resolve) => {
      const ws = new WebSocket(strict.socketUrl + "/websocket?vsn=2.0.0&token=valid", { origin });
      ws.on("open", () => { ws.close(); resolve(101); });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode));
      ws.on("error", () => {});
    });
  try {
    assert.equal(await status("http://absolute"), 101);
    assert.equal(await status("http://localhost:5173"), 101);
    assert.equal(await status("http://127.0.0.1"), 101);
    assert.equal(await status("https://overlay.example"), 101);
    assert.equal(await status("https://evil.example"), 403);
    assert.equal(await status("http://localhost.evil.example"), 403);
  } finally {
    await strict.stop();
  }
});

test("a broken scenario file is a clear startup error", () => {
  const bin = process.env.PHX_MOCK_BIN || new URL("../../target/debug/phoenix-mock", import.meta.url).pathname;
  const res = spawnSync(bin, ["--port", "0", "--scenario", "/nonexistent.json"], { encoding: "utf8" });
  assert.equal(res.status, 2);
  assert.match(res.stderr, /cannot read scenario/);
});
