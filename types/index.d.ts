// Type definitions for phoenix-wasm.
//
// The classes have phoenix.js's API. Every type parameter is optional: without
// them everything is loosely typed, as with @types/phoenix. With a channel schema
// (or a topic registry on the socket) event names, payloads, pushes, replies and
// presence metas are checked at compile time.

/** The wire states of a channel. */
export type ChannelState = "closed" | "errored" | "joined" | "joining" | "leaving";

/** The socket's connection states. */
export type ConnectionState = "connecting" | "open" | "closing" | "closed";

/** One push a client may send: its payload, the `ok` reply and the `error` reply. */
export interface PushSpec {
  payload: unknown;
  reply: unknown;
  error?: unknown;
}

/**
 * What a channel carries.
 *
 * ```ts
 * interface ObsChannel {
 *   events: { obs_event: ObsEvent; initial_state: ObsState };      // server -> client
 *   pushes: { "obs:status": { payload: {}; reply: ObsStatus } };  // client -> server
 *   join: { params: { token: string }; reply: { joined: string } };
 *   presence: { online_at: number; status: string };             // presence meta
 * }
 * ```
 */
export interface ChannelSchema {
  events?: { [event: string]: unknown };
  pushes?: { [event: string]: PushSpec };
  join?: { params?: object; reply?: unknown; error?: unknown };
  presence?: object;
}

/** The schema of an untyped channel: any event, any payload. */
export interface AnySchema {
  events: { [event: string]: any };
  pushes: { [event: string]: { payload: any; reply: any; error: any } };
  join: { params: any; reply: any; error: any };
  presence: any;
}


/** The registry of an untyped socket: any topic is an untyped channel. */
export interface AnyTopics {
  [topic: string]: AnySchema;
}

/** The schema of a topic that a typed registry does not list: nothing is allowed. */
export interface UnknownTopic {
  events: {};
  pushes: {};
  join: { params: object; reply: unknown; error: unknown };
  presence: {};
}

type Field<S, K extends string, Default> = S extends { [P in K]-?: infer V } ? V : Default;

/**
 * The events of a schema: its `events` field, or the schema itself when it is a
 * plain event map (`socket.channel<{ obs_event: ObsEvent }>("overlay:obs")`).
 */
export type EventsOf<S> = S extends { events: infer E }
  ? E
  : S extends { pushes: unknown } | { join: unknown } | { presence: unknown }
    ? {}
    : S;
/** Event names a schema declares. */
export type EventName<S> = keyof EventsOf<S> & string;
/** The payload of event `E`. */
export type EventPayload<S, E extends string> = EventsOf<S> extends infer M ? (E extends keyof M ? M[E] : never) : never;
/** Push names a schema declares. */
export type PushName<S> = keyof Field<S, "pushes", {}> & string;
type PushOf<S, E extends string> = Field<S, "pushes", {}> extends infer M ? (E extends keyof M ? M[E] : never) : never;
/** The payload of push `E`. */
export type PushPayload<S, E extends string> = PushOf<S, E> extends { payload: infer P } ? P : never;
/** The `ok` reply of push `E`. */
export type PushReply<S, E extends string> = PushOf<S, E> extends { reply: infer R } ? R : unknown;
/** The `error` reply of push `E`. */
export type PushErrorReply<S, E extends string> = PushOf<S, E> extends { error: infer R } ? R : { reason?: string };
/** Join params of a schema. */
export type JoinParams<S> = Field<S, "join", {}> extends { params: infer P } ? P : object;
/** Join `ok` reply of a schema. */
export type JoinReply<S> = Field<S, "join", {}> extends { reply: infer R } ? R : unknown;
/** Join `error` reply of a schema. */
export type JoinError<S> = Field<S, "join", {}> extends { error: infer R } ? R : { reason?: string };
/** Presence meta of a schema. */
export type PresenceMeta<S> = Field<S, "presence", Record<string, unknown>>;

/** The schema of `topic` in registry `T` (also for template-literal patterns). */
export type SchemaOf<T, K extends string> = K extends keyof T ? T[K] : UnknownTopic;

/** Rejects `await push` and `push.outcome()` for any status but `ok`. */
export interface PushError<Response = unknown> extends Error {
  name: "PushError";
  /** `"error"`, `"timeout"` or a custom status. */
  status: string;
  /** The reply's response (`{}` for timeouts). */
  response: Response;
  /** The channel's topic, when the error comes from `socket.refreshToken`. */
  topic?: string;
}

/** A message sent on a channel, awaiting its reply. Awaitable: resolves with the `ok` reply. */
export declare class Push<Reply = any, ErrorReply = any> implements PromiseLike<Reply> {
  private constructor();
  receive(status: "ok", callback: (response: Reply) => void): Push<Reply, ErrorReply>;
  receive(status: "error", callback: (response: ErrorReply) => void): Push<Reply, ErrorReply>;
  receive(status: "timeout", callback: (response: {}) => void): Push<Reply, ErrorReply>;
  receive(status: string, callback: (response: unknown) => void): Push<Reply, ErrorReply>;
  then<A = Reply, B = never>(
    onfulfilled?: ((value: Reply) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: PushError<ErrorReply | {}>) => B | PromiseLike<B>) | null,
  ): Promise<A | B>;
}

type Params<P> = P | (() => P);

/** A channel on a topic. */
export declare class Channel<S = AnySchema> {
  /** As `socket.channel(topic, params)` (phoenix.js's constructor). */
  constructor(topic: string, params: Params<JoinParams<S>> | undefined, socket: Socket<any>);
  readonly topic: string;
  readonly state: ChannelState;
  joinRef(): string | undefined;
  join(timeout?: number): Push<JoinReply<S>, JoinError<S>>;
  leave(timeout?: number): Push<{}, unknown>;
  on<E extends EventName<S>>(event: E, callback: (payload: EventPayload<S, E>, ref: string | null, joinRef: string | null) => void): number;
  off(event: EventName<S> | "phx_close" | "phx_error", ref?: number): void;
  onClose(callback: () => void): number;
  onError(callback: (reason: unknown) => void): number;
  /** Every state change of the channel. */
  onState(callback: (state: ChannelState) => void): void;
  /**
   * phoenix.js's overridable hook: every payload passes through it before the bindings get
   * it. Override it on a channel to transform payloads; it must return the payload.
   */
  onMessage(event: string, payload: any, ref: string | null, joinRef: string | null): any;
  push<E extends PushName<S>>(event: E, payload: PushPayload<S, E>, timeout?: number): Push<PushReply<S, E>, PushErrorReply<S, E>>;
  free(): void;
}

/** Channel options beyond phoenix.js (`socket.channel(topic, params, opts)`). */
export interface ChannelOptions {
  /**
   * Sequenced delivery: events carry `seq`; the client resumes with `last_seq` on
   * every rejoin, drops duplicates, acknowledges, and reports holes it cannot fill
   * as a `missed` event `{missed, from, to}` (docs/reliable-delivery.md).
   */
  reliable?: boolean;
  /** An event carrying `{events: [...]}` whose items are delivered one by one (by `event` or `type`). */
  unbatch?: string;
  /**
   * Resume across page loads (implies `reliable`): the cursor (the last `seq` delivered)
   * is kept in this Storage (`sessionStorage`, `localStorage`) under `resumeKey`, or in
   * the application's own store, written after each event's callbacks return; a reload
   * joins with it as `last_seq` (docs/reliable-delivery.md).
   */
  resume?: Pick<Storage, "getItem" | "setItem"> | CursorStore;
  /** The Storage key of the cursor (default `phx:resume:<topic>`). */
  resumeKey?: string;
}

/** An application's own cursor store for `resume`. */
export interface CursorStore {
  /** The stored cursor (a decimal string), or null. */
  get(): string | null | undefined;
  /** Stores the cursor, or forgets it (null: the server lost its history). */
  set(seq: string | null): void;
}

/** The options of `new Socket(endPoint, opts)`. */
export interface SocketOptions {
  params?: Params<Record<string, unknown>>;
  authToken?: string | (() => string | null | undefined);
  timeout?: number;
  heartbeatIntervalMs?: number;
  /** How long to wait for a heartbeat reply (default: `heartbeatIntervalMs`). */
  heartbeatTimeoutMs?: number;
  reconnectAfterMs?: (tries: number) => number;
  rejoinAfterMs?: (tries: number) => number;
  /** Full jitter on reconnect delays (default false); each socket draws its own random seed. */
  jitter?: boolean;
  /** A fixed seed for the jitter instead of a random one per socket (reproducible tests). */
  jitterSeed?: number;
  /** Most messages held while disconnected; beyond it a push answers `buffer_full` (default 1000). */
  maxSendBuffer?: number;
  /** Keep reconnecting while the page is hidden (default true; OBS hidden sources). */
  reconnectWhileHidden?: boolean;
  /** Frames larger than this close the connection with 1009 (default 16 MiB). */
  maxFrameBytes?: number;
  /** `true` (a random id) or an id, sent as the `correlation_id` connect param and prefixed to log lines. */
  correlationId?: boolean | string;
  /**
   * Called before each reconnect with its attempt number (from 1 after each outage); a
   * returned promise (or any thenable) is awaited. A throw or rejection is reported with
   * `console.error` and the reconnect goes ahead.
   */
  beforeReconnect?: (attempt: number) => void | PromiseLike<unknown>;
  logger?: (kind: string, msg: string, data?: unknown) => void;
  debug?: boolean;
  encode?: (msg: Message, callback: (encoded: string | ArrayBuffer | ArrayBufferView) => void) => void;
  decode?: (raw: string | ArrayBuffer, callback: (msg: Message) => void) => void;
  binaryType?: "arraybuffer";
  vsn?: string;
  /** The transport class: a WebSocket-like constructor, e.g. `LongPoll` (default: `WebSocket`). */
  transport?: TransportClass;
  /** Falls back to LongPoll when the WebSocket fails or has not opened after this many ms; remembered for the session. */
  longPollFallbackMs?: number;
  /** LongPoll's request timeout in ms (default 20,000). */
  longpollerTimeout?: number;
  /**
   * Run the socket's timer (heartbeats, reconnects, timeouts) in a Web Worker, which a
   * background tab does not throttle (default false; the page's timer where there is no Worker).
   */
  workerTimers?: boolean;
  /** Where the LongPoll fallback is remembered (default: `sessionStorage`). */
  sessionStorage?: Pick<Storage, "getItem" | "setItem">;
}

/** A class with the WebSocket interface a socket can connect with (`WebSocket`, `LongPoll`). */
export type TransportClass = new (url: string, protocols?: string | string[]) => {
  binaryType: string;
  readyState: number;
  send(data: any): void;
  close(code?: number, reason?: string): void;
};

/**
 * The V2 wire format (phoenix.js `Serializer`): JSON text frames, binary frames for
 * `ArrayBuffer` payloads; for applications that wrap it in their own `encode` / `decode`.
 */
export declare const Serializer: {
  readonly HEADER_LENGTH: 1;
  readonly META_LENGTH: 4;
  readonly KINDS: { readonly push: 0; readonly reply: 1; readonly broadcast: 2 };
  encode<R>(msg: Message, callback: (frame: string | ArrayBuffer) => R): R;
  decode<R>(rawPayload: string | ArrayBuffer, callback: (msg: Message) => R): R;
};

/**
 * Phoenix's long-polling transport behind the WebSocket interface (phoenix.js `LongPoll`):
 * `new Socket(url, { transport: LongPoll })`.
 */
export declare class LongPoll {
  constructor(endPoint: string, protocols?: string | string[]);
  binaryType: string;
  readyState: number;
  /** Request timeout in ms. */
  timeout: number;
  onopen: (event: any) => void;
  onmessage: (event: { data: string }) => void;
  onerror: (error: any) => void;
  onclose: (event: { code: number; reason: string; wasClean: boolean }) => void;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string, wasClean?: boolean): void;
}

/** A protocol message. */
export interface Message<P = unknown> {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: P;
}

/** The connection status, as `onStatus` reports it. */
export type SocketStatus =
  | { state: "connecting" }
  | { state: "open" }
  | { state: "reconnecting"; attempt: number; inMs: number }
  | { state: "closed"; code: number; reason: string; clean: boolean };

/** `socket.health()`. */
export interface Health {
  status: SocketStatus;
  lastRttMs: number | null;
  reconnects: number;
  sendBuffer: number;
  pushesInFlight: number;
  channels: Array<{ topic: string; state: ChannelState }>;
}

/** The argument of `onClose` callbacks. */
export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * A connection to a Phoenix server. `T` is an optional topic registry:
 *
 * ```ts
 * interface Topics {
 *   "overlay:obs": ObsChannel;
 *   [room: `chat:room:${string}`]: ChatChannel;
 * }
 * const socket = new Socket<Topics>("/socket");
 * const chat = socket.channel("chat:room:42"); // Channel<ChatChannel>
 * ```
 */
export declare class Socket<T = AnyTopics> {
  constructor(endPoint: string, opts?: SocketOptions);
  connect(): void;
  /** @deprecated pass `params` to the constructor (as in phoenix.js); these replace them. */
  connect(params: Params<Record<string, unknown>>): void;
  disconnect(callback?: () => void, code?: number, reason?: string): void;
  /** A channel typed by the registry (or by an explicit schema: `socket.channel<Schema>(topic)`). */
  channel<K extends string>(topic: K, params?: Params<JoinParams<SchemaOf<T, K>>>, opts?: ChannelOptions): Channel<SchemaOf<T, K>>;
  channel<S = never>(topic: string, params?: [S] extends [never] ? never : Params<JoinParams<S>>, opts?: ChannelOptions): Channel<S>;
  remove(channel: Channel<any>): void;
  isConnected(): boolean;
  connectionState(): ConnectionState;
  /** The URL a connect opens: the endpoint with `/websocket`, the params and `vsn`. */
  endPointURL(): string;
  /** `"wss"` on an https page, `"ws"` otherwise. */
  protocol(): "ws" | "wss";
  /** The LongPoll class (phoenix.js `getLongPollTransport()`). */
  getLongPollTransport(): typeof LongPoll;
  /** Uses `transport` from the next connection on; a current connection is closed. */
  replaceTransport(transport: TransportClass): void;
  makeRef(): string;
  onOpen(callback: () => void): string;
  onClose(callback: (event: CloseInfo) => void): string;
  /**
   * Transport errors, connect errors and malformed frames, with phoenix.js's arguments:
   * the error, the transport class in use (`WebSocket` before a `longPollFallbackMs`
   * fallback) and how many connections were established so far.
   */
  onError(callback: (error: Error, transport: TransportClass, establishedConnections: number) => void): string;
  onMessage(callback: (message: Message) => void): string;
  /** Connection status changes, including when the next reconnect attempt starts. */
  onStatus(callback: (status: SocketStatus) => void): string;
  /** Each answered heartbeat's round trip, in ms. */
  onHeartbeat(callback: (rttMs: number) => void): string;
  /** Resolves with the next status in `state` (at once if it is now). */
  waitFor<S extends SocketStatus["state"]>(state: S): Promise<Extract<SocketStatus, { state: S }>>;
  /**
   * Hands a refreshed token to every joined channel (`"access_token"` pushes, the server's
   * side in docs/token-refresh.md) and, when `authToken` was a string, to later connects.
   * Rejects, once every channel answered, with the `PushError` of the first channel (in the
   * order they were made) that refused (its `topic` added).
   */
  refreshToken(token: string, timeout?: number): Promise<void>;
  status(): SocketStatus;
  health(): Health;
  /** The correlation id sent as the `correlation_id` connect param (option `correlationId`). */
  readonly correlationId: string | undefined;
  off(refs: string[]): void;
  ping(callback: (rttMs: number) => void): boolean;
  push(message: Partial<Message> & { topic: string; event: string }): void;
  hasLogger(): boolean;
  log(kind: string, msg: string, data?: unknown): void;
  free(): void;
}

/** A presence: its metas (`phx_ref` added by the server) and any other fields. */
export type PresenceEntry<M = Record<string, unknown>> = {
  metas: Array<M & { phx_ref: string; phx_ref_prev?: string }>;
  [field: string]: unknown;
};

/** A presence state: key -> presence. */
export type PresenceState<M = Record<string, unknown>> = { [key: string]: PresenceEntry<M> };

/** A presence diff, as the server sends it. */
export interface PresenceDiff<M = Record<string, unknown>> {
  joins: PresenceState<M>;
  leaves: PresenceState<M>;
}

/** Presence on a channel; `M` (the meta) comes from the channel's schema. */
export declare class Presence<M = Record<string, unknown>> {
  constructor(channel: Channel<{ presence: M }> | Channel<any>, opts?: { events?: { state: string; diff: string } });
  onJoin(callback: (key: string, current: PresenceEntry<M> | undefined, newPres: PresenceEntry<M>) => void): void;
  onLeave(callback: (key: string, current: PresenceEntry<M>, leftPres: PresenceEntry<M>) => void): void;
  onSync(callback: () => void): void;
  list(): PresenceEntry<M>[];
  list<R>(chooser: (key: string, presence: PresenceEntry<M>) => R): R[];
  inPendingSyncState(): boolean;
  readonly state: PresenceState<M>;
  free(): void;
  static syncState<M>(
    state: PresenceState<M>,
    newState: PresenceState<M>,
    onJoin?: (key: string, current: PresenceEntry<M> | undefined, newPres: PresenceEntry<M>) => void,
    onLeave?: (key: string, current: PresenceEntry<M>, leftPres: PresenceEntry<M>) => void,
  ): PresenceState<M>;
  static syncDiff<M>(
    state: PresenceState<M>,
    diff: PresenceDiff<M>,
    onJoin?: (key: string, current: PresenceEntry<M> | undefined, newPres: PresenceEntry<M>) => void,
    onLeave?: (key: string, current: PresenceEntry<M>, leftPres: PresenceEntry<M>) => void,
  ): PresenceState<M>;
  static list<M>(presences: PresenceState<M>): PresenceEntry<M>[];
  static list<M, R>(presences: PresenceState<M>, chooser: (key: string, presence: PresenceEntry<M>) => R): R[];
}

/** Handlers for `subscribe`: any subset of the channel's events. */
export type Handlers<S> = { [E in EventName<S>]?: (payload: EventPayload<S, E>) => void };

/** Options of `subscribe`. */
export interface SubscribeOptions<S> {
  params?: Params<JoinParams<S>>;
  channel?: ChannelOptions;
  onJoin?: (reply: JoinReply<S>) => void;
  onError?: (reason: JoinError<S> | unknown) => void;
}

/**
 * Joins `topic` with a map of event handlers; returns one function that removes
 * the handlers and leaves. Framework-free, so it fits React's `useEffect`, Vue's
 * `onMounted`/`onUnmounted` or Svelte's `onMount`:
 *
 * ```ts
 * useEffect(() => subscribe(socket, "overlay:obs", { obs_event: (e) => setScene(e.data) }), []);
 * ```
 */
export declare function subscribe<T, K extends string>(
  socket: Socket<T>,
  topic: K,
  handlers: Handlers<SchemaOf<T, K>>,
  opts?: SubscribeOptions<SchemaOf<T, K>>,
): () => void;

/** Bytes of WebAssembly linear memory (diagnostics: it grows, it never shrinks). */
export declare function wasmMemoryBytes(): number;
