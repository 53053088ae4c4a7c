// The engine's output records (src/engine/wire.rs), generated from their one definition
// there by `cargo test` (`UPDATE_WIRE=1 cargo test wire` rewrites it). Do not edit.
import { memoryU32, textAt, bytesAt } from "./engine.js";

/** 0 `connect(conn, url, protocols)`: Open a transport to `url` offering `protocols` (comma-separated); report its events with `conn`. */
/** 1 `send(frame)`: Send this frame (`frame`: JSON text or bytes) on the open transport. */
/** 2 `encode(joinRef, ref, topic, event, payload)`: Encode this message with the application's `encode` and send what it gives. */
/** 3 `close(conn, code, reason)`: Close transport `conn` with `code` and `reason`. */
/** 4 `beforeReconnect(attempt)`: Run `beforeReconnect(attempt)`, then answer `reconnectReady`. */
/** 5 `connectParams(conn)`: Transport `conn` needs its params and token: answer `connectParams`. */
/** 6 `joinParams(channel)`: The join of `channel` needs its params: answer `joinParams`. */
/** 7 `retryDelay(channel, tries)`: A retry needs its delay (`channel` NONE: the socket's reconnect): answer `retryDelay`. */
/** 8 `opened()`: The socket opened (`onOpen`). */
/** 9 `closed(code, reason, clean)`: The socket closed (`onClose`); `clean` 1 when the client asked for it. */
/** 10 `status(state, attempt, inMs, code, reason, clean)`: The status changed: `state` 0 connecting, 1 open, 2 reconnecting (`attempt`, `inMs`), 3 closed (`code`, `reason`, `clean`). */
/** 11 `heartbeat(rtt)`: A heartbeat was answered after `rtt` ms. */
/** 12 `error(reason)`: A transport error, a connect error or a malformed frame (`onError`). */
/** 13 `message(joinRef, ref, topic, event, payload)`: A message received (`onMessage`, while observed). */
/** 14 `event(channel, bindings, payload, ref, joinRef)`: An event for `bindings` of `channel`. */
/** 15 `channelState(channel, state)`: `channel` changed state: 0 closed, 1 errored, 2 joined, 3 joining, 4 leaving. */
/** 16 `reply(push, status, response, last)`: `push` got a reply (or timed out); `last` 0 for a join, which answers again on a rejoin. */
/** 17 `pong(ping, rtt)`: The answer to ping `ping`, after `rtt` ms. */
/** 18 `log(kind, msg, data)`: A log line (`logger(kind, msg, data)`). */
/** 19 `presence(presence, changes)`: `presence` synced: its joins and leaves as JSON (`[[kind, key, current, presences], …]`, empty when none are reported). */
/** 20 `channelRemoved(channel, joinPush, presences)`: `channel` was removed: its join push answers no more, its presences are gone. */
/** 21 `cursor(channel, seq)`: Resuming `channel` delivered up to `seq` (decimal; none: it starts over): store it, after the event's callbacks. */
/** The auth token's subprotocol prefix in a `connect` record's protocols. */
export const TOKEN_PROTOCOL_PREFIX = "base64url.bearer.phx.";
export const STATUSES = ["connecting", "open", "reconnecting", "closed"];
export const CHANNEL_STATES = ["closed", "errored", "joined", "joining", "leaving"];

const readText = (w, i, at) => textAt(at + w[i], w[i + 1]);
const readOptText = (w, i, at) => (w[i] === 0xffffffff ? null : textAt(at + w[i], w[i + 1]));
const readPayload = (w, i, at, lastFrame) =>
  w[i] === 0 ? textAt(at + w[i + 1], w[i + 2]) : w[i] === 1 ? bytesAt(at + w[i + 1], w[i + 2]) : w[i] === 3 ? lastFrame.slice(w[i + 1], lastFrame.length - w[i + 2]) : undefined;
function readInts(w, i) {
  const a = [];
  for (let k = 1; k <= w[i]; k++) a.push(w[i + k]);
  return a;
}

/** Calls `h.<kind>(fields…)` for each record of the `n` words at word index `p`, their text and bytes at `at`, a payload of tag 3 a slice of `lastFrame`. */
export function read(p, n, at, lastFrame, h) {
  const end = p + n;
  let i = p;
  while (i < end) {
    // anew for each record: a handler's call into the engine may have grown the memory
    const w = memoryU32();
    switch (w[i++]) {
      case 0: {
        const conn = w[i];
        i += 1;
        const url = readText(w, i, at);
        i += 2;
        const protocols = readText(w, i, at);
        i += 2;
        h.connect(conn, url, protocols);
        break;
      }
      case 1: {
        const frame = readPayload(w, i, at, lastFrame);
        i += 3;
        h.send(frame);
        break;
      }
      case 2: {
        const joinRef = readOptText(w, i, at);
        i += 2;
        const ref = readOptText(w, i, at);
        i += 2;
        const topic = readText(w, i, at);
        i += 2;
        const event = readText(w, i, at);
        i += 2;
        const payload = readPayload(w, i, at, lastFrame);
        i += 3;
        h.encode(joinRef, ref, topic, event, payload);
        break;
      }
      case 3: {
        const conn = w[i];
        i += 1;
        const code = w[i];
        i += 1;
        const reason = readText(w, i, at);
        i += 2;
        h.close(conn, code, reason);
        break;
      }
      case 4: {
        const attempt = w[i];
        i += 1;
        h.beforeReconnect(attempt);
        break;
      }
      case 5: {
        const conn = w[i];
        i += 1;
        h.connectParams(conn);
        break;
      }
      case 6: {
        const channel = w[i];
        i += 1;
        h.joinParams(channel);
        break;
      }
      case 7: {
        const channel = w[i];
        i += 1;
        const tries = w[i];
        i += 1;
        h.retryDelay(channel, tries);
        break;
      }
      case 8: {
        h.opened();
        break;
      }
      case 9: {
        const code = w[i];
        i += 1;
        const reason = readText(w, i, at);
        i += 2;
        const clean = w[i];
        i += 1;
        h.closed(code, reason, clean);
        break;
      }
      case 10: {
        const state = w[i];
        i += 1;
        const attempt = w[i];
        i += 1;
        const inMs = w[i];
        i += 1;
        const code = w[i];
        i += 1;
        const reason = readText(w, i, at);
        i += 2;
        const clean = w[i];
        i += 1;
        h.status(state, attempt, inMs, code, reason, clean);
        break;
      }
      case 11: {
        const rtt = w[i];
        i += 1;
        h.heartbeat(rtt);
        break;
      }
      case 12: {
        const reason = readText(w, i, at);
        i += 2;
        h.error(reason);
        break;
      }
      case 13: {
        const joinRef = readOptText(w, i, at);
        i += 2;
        const ref = readOptText(w, i, at);
        i += 2;
        const topic = readText(w, i, at);
        i += 2;
        const event = readText(w, i, at);
        i += 2;
        const payload = readPayload(w, i, at, lastFrame);
        i += 3;
        h.message(joinRef, ref, topic, event, payload);
        break;
      }
      case 14: {
        const channel = w[i];
        i += 1;
        const bindings = readInts(w, i);
        i += 1 + w[i];
        const payload = readPayload(w, i, at, lastFrame);
        i += 3;
        const ref = readOptText(w, i, at);
        i += 2;
        const joinRef = readOptText(w, i, at);
        i += 2;
        h.event(channel, bindings, payload, ref, joinRef);
        break;
      }
      case 15: {
        const channel = w[i];
        i += 1;
        const state = w[i];
        i += 1;
        h.channelState(channel, state);
        break;
      }
      case 16: {
        const push = w[i];
        i += 1;
        const status = readText(w, i, at);
        i += 2;
        const response = readPayload(w, i, at, lastFrame);
        i += 3;
        const last = w[i];
        i += 1;
        h.reply(push, status, response, last);
        break;
      }
      case 17: {
        const ping = w[i];
        i += 1;
        const rtt = w[i];
        i += 1;
        h.pong(ping, rtt);
        break;
      }
      case 18: {
        const kind = readText(w, i, at);
        i += 2;
        const msg = readText(w, i, at);
        i += 2;
        const data = readPayload(w, i, at, lastFrame);
        i += 3;
        h.log(kind, msg, data);
        break;
      }
      case 19: {
        const presence = w[i];
        i += 1;
        const changes = readText(w, i, at);
        i += 2;
        h.presence(presence, changes);
        break;
      }
      case 20: {
        const channel = w[i];
        i += 1;
        const joinPush = w[i];
        i += 1;
        const presences = readInts(w, i);
        i += 1 + w[i];
        h.channelRemoved(channel, joinPush, presences);
        break;
      }
      case 21: {
        const channel = w[i];
        i += 1;
        const seq = readOptText(w, i, at);
        i += 2;
        h.cursor(channel, seq);
        break;
      }
      default:
        throw new Error(`phoenix-wasm: unknown output record ${w[i - 1]}`);
    }
  }
}
