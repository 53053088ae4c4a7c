// Type tests: `tsc --strict --noEmit -p tests/types` must pass. Each
// `@ts-expect-error` line is a misuse that must NOT compile (tsc fails if it does).
import { Socket, Presence, LongPoll, Serializer, subscribe, type PushError, type PresenceEntry } from "phoenix-wasm";

// --- the seeds' topics, declared once ---------------------------------------
interface ObsEvent { type: "scene_changed" | "stream_started" | "stream_stopped"; data: { scene?: string }; timestamp: number }
interface ObsState { scene: string; streaming: boolean; recording: boolean }
interface ObsChannel {
  events: { obs_event: ObsEvent; initial_state: ObsState };
  pushes: {
    "obs:status": { payload: {}; reply: ObsState };
    ping: { payload: { timestamp: number }; reply: { pong: true; timestamp: number } };
  };
}
interface StreamChannel {
  events: { stream_state: { current: string | null; queue: string[] } };
  pushes: {
    request_state: { payload: {}; reply: { current: string | null } };
    force_content: { payload: { content: string; duration: number }; reply: {}; error: { message: string } };
  };
}
interface ChatMessage { id: string; user: string; body: string }
interface ChatChannel {
  events: { new_message: ChatMessage; user_typing: { user: string; typing: boolean } };
  pushes: { new_message: { payload: { body: string }; reply: ChatMessage } };
  join: { params: { name: string }; reply: { history: ChatMessage[] } };
}
interface RoomPresence { presence: { online_at: number; status: "online" | "away" }; events: {}; pushes: { update_status: { payload: { status: "online" | "away" }; reply: {} } } }

interface Topics {
  "overlay:obs": ObsChannel;
  "stream:overlays": StreamChannel;
  [room: `chat:room:${string}`]: ChatChannel;
  [room: `presence:room:${string}`]: RoomPresence;
}

const socket = new Socket<Topics>("/socket", {
  params: () => ({ token: "valid" }),
  reconnectAfterMs: (tries) => Math.min(1000 * 2 ** tries, 30000),
  jitter: true,
  beforeReconnect: async () => {},
});
socket.connect();

// --- events --------------------------------------------------------------------
const obs = socket.channel("overlay:obs");
obs.on("obs_event", (e) => {
  const t: "scene_changed" | "stream_started" | "stream_stopped" = e.type;
  const n: number = e.timestamp;
  void t, n;
});
obs.on("initial_state", (s) => s.streaming satisfies boolean);
// @ts-expect-error unknown event name
obs.on("obs_evnt", () => {});
// @ts-expect-error wrong payload shape in the handler
obs.on("obs_event", (e: { type: number }) => void e);

// --- pushes and replies ---------------------------------------------------------
obs.push("ping", { timestamp: Date.now() }).receive("ok", (r) => r.pong satisfies true);
obs.push("obs:status", {}).receive("ok", (state) => state.scene satisfies string);
// @ts-expect-error wrong push payload
obs.push("ping", { timestamp: "now" });
// @ts-expect-error unknown push
obs.push("obs:explode", {});

async function awaited() {
  const state = await obs.push("obs:status", {});
  state.recording satisfies boolean;
  try {
    await socket.channel("stream:overlays").push("force_content", { content: "brb", duration: 30 });
  } catch (e) {
    const err = e as PushError<{ message: string }>;
    err.status satisfies string;
  }
  // @ts-expect-error the reply is typed
  const wrong: number = await obs.push("obs:status", {});
  void wrong;
}
void awaited;

socket.channel("stream:overlays").push("force_content", { content: "x", duration: 5 })
  .receive("ok", () => {})
  .receive("error", (e) => e.message satisfies string)
  .receive("timeout", () => {});

// --- pattern topics and join params ------------------------------------------------
const chat = socket.channel("chat:room:42", { name: "ann" });
chat.join().receive("ok", (r) => r.history.map((m) => m.body));
chat.on("new_message", (m) => m.user satisfies string);
// @ts-expect-error join params are typed too
socket.channel("chat:room:7", { nick: "ann" });
// @ts-expect-error a topic the registry does not list has no events
socket.channel("nowhere:1").on("anything", () => {});

// --- typed presence --------------------------------------------------------------
const room = socket.channel("presence:room:lobby");
const presence = new Presence(room);
presence.onJoin((key, current, joined) => {
  joined.metas[0].status satisfies "online" | "away";
  const had: number = current ? current.metas.length : 0;
  void key, had;
});
const names: string[] = presence.list((key, p: PresenceEntry<{ online_at: number; status: "online" | "away" }>) => `${key}:${p.metas.length}`);
void names;
// @ts-expect-error metas are typed
presence.onJoin((_k, _c, joined) => joined.metas[0].status satisfies number);
room.push("update_status", { status: "away" });
// @ts-expect-error presence status is a union
room.push("update_status", { status: "busy" });

// --- the hook-style helper ---------------------------------------------------------
const unsubscribe: () => void = subscribe(socket, "overlay:obs", {
  obs_event: (e) => e.data.scene,
  initial_state: (s) => s.scene,
});
unsubscribe();
// @ts-expect-error handlers are checked against the topic's events
subscribe(socket, "overlay:obs", { not_an_event: () => {} });

// --- untyped use stays as loose as phoenix.js ----------------------------------------
const plain = new Socket("/socket", { params: { token: "x" } });
const ch = plain.channel("room:lobby", {});
ch.on("anything", (payload: any) => payload.whatever);
ch.push("echo", { any: "thing" }).receive("ok", (r) => r);
const explicit = plain.channel<ObsChannel>("overlay:obs");
explicit.on("obs_event", (e) => e.timestamp satisfies number);
// @ts-expect-error an explicit schema is enforced as well
explicit.on("nope", () => {});
// a plain event map works as a schema too
interface ObsEvents { obs_event: ObsEvent; initial_state: ObsState }
const mapped = plain.channel<ObsEvents>("overlay:obs");
mapped.on("obs_event", (e) => e.type satisfies string);
// @ts-expect-error wrong payload shape for a plain event map
mapped.on("initial_state", (s: { scene: number }) => void s);
Presence.list(Presence.syncState({}, { a: { metas: [{ phx_ref: "1" }] } }), (k) => k);
plain.endPointURL() satisfies string;
const scheme: "ws" | "wss" = plain.protocol();
// @ts-expect-error protocol() is one of two schemes
const notScheme: "http" = plain.protocol();
void scheme, notScheme;

// @ts-expect-error options are typed
new Socket("/socket", { heartbeatIntervalMs: "30s" });

socket.onStatus((s) => {
  if (s.state === "reconnecting") s.inMs satisfies number;
  // @ts-expect-error only a reconnecting status has a delay
  if (s.state === "open") void s.inMs;
});

plain.channel("reliable:feed", {}, { reliable: true, unbatch: "batch_updates" });
plain.channel("reliable:alerts", {}, { reliable: true, resume: sessionStorage, resumeKey: "alerts" });
const own = new Map<string, string>();
plain.channel("reliable:own", {}, { reliable: true, resume: { get: () => own.get("c"), set: (seq) => (seq === null ? own.delete("c") : own.set("c", seq)) } });
// @ts-expect-error a cursor store needs get and set
plain.channel("reliable:bad", {}, { reliable: true, resume: { get: () => null } });
plain.onError((error, transport, established) => console.log(error.message, transport.name, established + 1));
// @ts-expect-error jitterSeed is a number
new Socket("/socket", { jitter: true, jitterSeed: "7" });
// @ts-expect-error channel options are typed
plain.channel("reliable:feed", {}, { reliable: "yes" });

// token refresh: the rejection names the channel
socket.refreshToken("new-token", 5000).catch((e: PushError) => {
  const topic: string | undefined = e.topic;
  void topic;
});
// @ts-expect-error a token is a string
socket.refreshToken(42);

// LongPoll: as a transport, as the fallback, and swapped in
{
  const lp = new Socket("/socket", { transport: LongPoll, longpollerTimeout: 10_000 });
  const fb = new Socket("/socket", { longPollFallbackMs: 2500, sessionStorage: { getItem: () => null, setItem: () => {} } });
  const Kind: typeof LongPoll = fb.getLongPollTransport();
  fb.replaceTransport(Kind);
  lp.replaceTransport(WebSocket);
  // @ts-expect-error a transport is a class, not a name
  new Socket("/socket", { transport: "longpoll" });
  // @ts-expect-error the fallback delay is a number of ms
  new Socket("/socket", { longPollFallbackMs: "soon" });
}

// Serializer: phoenix.js's, to wrap in an application's own codec
{
  const s = new Socket("/socket", {
    encode: (msg, cb) => Serializer.encode(msg, cb),
    decode: (raw, cb) => Serializer.decode(raw, (m) => cb({ ...m, payload: m.payload })),
  });
  const kind: 0 | 1 | 2 = Serializer.KINDS.reply;
  // @ts-expect-error encode takes a message, not a string
  Serializer.encode("x", () => {});
  void s, kind;
}
