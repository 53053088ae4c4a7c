//! One WebSocket connection: Phoenix's socket semantics (heartbeat, join, leave,
//! duplicate joins, unmatched topics), the `room:*` test channel and
//! `presence:room:*`; the overlay channels are in `channels.rs`.

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use phoenix_wasm::core::message::events;
use phoenix_wasm::core::serializer::decode_from_client;
use phoenix_wasm::core::{Frame, Message, Payload};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::channels::Kind;
use crate::hub::{msg, send, Hub, Out};

/// A connection registered with the hub (before its upgrade completed): its id, user,
/// and the channel the hub reaches it through.
pub struct Registered {
    pub conn: u64,
    pub user: String,
    pub tx: mpsc::UnboundedSender<Out>,
    pub rx: mpsc::UnboundedReceiver<Out>,
}

/// Serves one socket until either side closes it.
pub async fn serve(mut ws: WebSocket, hub: Hub, registered: Registered) {
    let Registered { conn, user, tx, mut rx } = registered;
    let mut session = Session::new(hub.clone(), conn, user, tx);
    loop {
        tokio::select! {
            incoming = ws.recv() => {
                let frame = match incoming {
                    Some(Ok(WsMessage::Text(t))) => Frame::Text(t.to_string()),
                    Some(Ok(WsMessage::Binary(b))) => Frame::Binary(b.to_vec()),
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                    // the WebSocket layer answers the close handshake; keep reading
                    // until it has been flushed and the stream ends
                    Some(Ok(WsMessage::Close(_))) => continue,
                    Some(Err(_)) | None => break,
                };
                session.handle(&frame);
            }
            out = rx.recv() => {
                let delay = hub.lock().delay.filter(|(until, _)| Instant::now() < *until).map(|(_, d)| d);
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                match out {
                Some(Out::Frame(Frame::Text(t))) => { if ws.send(WsMessage::Text(t.into())).await.is_err() { break } }
                Some(Out::Frame(Frame::Binary(b))) => { if ws.send(WsMessage::Binary(b.into())).await.is_err() { break } }
                Some(Out::Close(code, reason)) => {
                    let _ = ws.send(WsMessage::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    break;
                }
                Some(Out::Expire { topic, token }) => session.expire(&topic, &token),
                Some(Out::Drop) | None => break,
            }}
        }
    }
    hub.unregister(conn);
}

pub(crate) struct Session {
    pub hub: Hub,
    pub conn: u64,
    pub user: String,
    tx: mpsc::UnboundedSender<Out>,
    /// topic -> join_ref
    joined: HashMap<String, String>,
    /// topic -> the last token its `access_token` accepted
    tokens: HashMap<String, String>,
}

impl Session {
    /// A session for connection `conn` of `user`, whose outgoing frames go to `tx`.
    pub fn new(hub: Hub, conn: u64, user: String, tx: mpsc::UnboundedSender<Out>) -> Session {
        Session { hub, conn, user, tx, joined: HashMap::new(), tokens: HashMap::new() }
    }

    pub fn push(&self, m: &Message) {
        send(&self.tx, m);
    }

    pub fn reply(&self, m: &Message, status: &str, response: Value) {
        self.reply_payload(m, Payload::Json(json!({"status": status, "response": response}).to_string()));
    }

    fn reply_payload(&self, m: &Message, payload: Payload) {
        self.push(&Message {
            join_ref: m.join_ref.clone(),
            msg_ref: m.msg_ref.clone(),
            topic: m.topic.clone(),
            event: events::REPLY.into(),
            payload,
        });
    }

    /// A frame from the client.
    pub fn handle(&mut self, frame: &Frame) {
        let m = match decode_from_client(frame) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("phoenix-mock: dropping malformed frame from {}: {e}", self.user);
                return;
            }
        };
        if m.topic != events::PHOENIX_TOPIC && std::mem::take(&mut self.hub.lock().drop_next_push) {
            let _ = self.tx.send(Out::Drop); // the push arrived, the reply never leaves
            return;
        }
        match (m.topic.as_str(), m.event.as_str()) {
            (events::PHOENIX_TOPIC, events::HEARTBEAT) => {
                if !self.hub.muted(&self.user) {
                    self.reply(&m, "ok", json!({}));
                }
            }
            (_, events::JOIN) => self.join(&m),
            (_, events::LEAVE) => self.leave(&m),
            _ => match self.joined.get(&m.topic) {
                Some(jr) if m.join_ref.as_deref() == Some(jr.as_str()) => match Kind::of(&m.topic) {
                    Some(Kind::Room) => self.room_event(&m),
                    Some(Kind::PresenceRoom) => self.presence_room_event(&m),
                    Some(kind) => self.scenario_event(kind, &m),
                    None => self.reply(&m, "error", json!({"reason": "unmatched topic"})),
                },
                _ => self.reply(&m, "error", json!({"reason": "unmatched topic"})),
            },
        }
    }

    fn join(&mut self, m: &Message) {
        let topic = m.topic.as_str();
        let Some(kind) = Kind::of(topic) else {
            return self.reply(m, "error", json!({"reason": "unmatched topic"}));
        };
        let presence_room = kind == Kind::PresenceRoom;
        let Some(join_ref) = m.join_ref.clone() else {
            return self.reply(m, "error", json!({"reason": "join_ref required"}));
        };
        self.tokens.remove(topic);
        if let Some(old) = self.joined.remove(topic) {
            // Phoenix kills the old channel ({:shutdown, :duplicate_join}) and tells the client
            self.hub.unsubscribe(topic, self.conn);
            self.push(&msg(Some(&old), Some(&old), topic, events::CLOSE, json!({})));
        }
        if topic == "room:forbidden" {
            return self.reply(m, "error", json!({"reason": "unauthorized"}));
        }
        if topic == "room:silent" {
            return; // never answers the join: the client's join times out
        }
        self.joined.insert(topic.to_owned(), join_ref.clone());
        if kind == Kind::Reliable {
            let params: Value = m.payload.as_json().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
            let last_seq = params.get("last_seq").and_then(Value::as_u64);
            let (jr, r, t) = (m.join_ref.clone(), m.msg_ref.clone(), m.topic.clone());
            self.hub.join_reliable(topic, self.conn, &join_ref, last_seq, "event", |seq, reset| {
                let mut response = json!({"joined": t, "seq": seq});
                if reset {
                    response["reset"] = json!(true);
                }
                Message {
                    join_ref: jr,
                    msg_ref: r,
                    topic: t.clone(),
                    event: events::REPLY.into(),
                    payload: Payload::Json(json!({"status": "ok", "response": response}).to_string()),
                }
            });
            return;
        }
        self.hub.subscribe(topic, self.conn, &join_ref);
        self.reply(m, "ok", json!({"joined": topic}));
        if !matches!(kind, Kind::Room | Kind::PresenceRoom) {
            return self.scenario_joined(kind, topic, &join_ref);
        }
        if presence_room {
            let mut extra = serde_json::Map::new();
            extra.insert("status".into(), json!("online"));
            let state = self.hub.track_with(topic, self.conn, &self.user, extra);
            self.push(&msg(Some(&join_ref), None, topic, "presence_state", state));
            return;
        }
        self.push(&msg(Some(&join_ref), None, topic, "after_join", json!({"hello": self.user})));
        let state = self.hub.track(topic, self.conn, &self.user);
        self.push(&msg(Some(&join_ref), None, topic, "presence_state", state));
    }

    fn leave(&mut self, m: &Message) {
        match self.joined.get(&m.topic) {
            Some(jr) if m.join_ref.as_deref() == Some(jr.as_str()) => {
                self.joined.remove(&m.topic);
                self.reply(m, "ok", json!({}));
                self.hub.unsubscribe(&m.topic, self.conn);
            }
            _ => self.reply(m, "error", json!({"reason": "unmatched topic"})),
        }
    }

    /// `access_token {access_token}` on `room:*` (docs/token-refresh.md): a token naming
    /// this socket's user (`user_for`), optionally with `@<ttl ms>`, is accepted; when its
    /// ttl passes without another refresh, the channel pushes `token_expired` and closes.
    fn refresh_token(&mut self, m: &Message) {
        let payload: Value = m.payload.as_json().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
        let token = payload.get("access_token").and_then(Value::as_str).unwrap_or_default();
        let (base, ttl) = match token.split_once('@') {
            Some((base, ttl)) => (base, Some(ttl.parse::<u64>().ok().filter(|&ms| ms > 0))),
            None => (token, None),
        };
        if crate::user_for(base).as_deref() != Some(self.user.as_str()) || ttl == Some(None) {
            return self.reply(m, "error", json!({"reason": "invalid_token"}));
        }
        self.tokens.insert(m.topic.clone(), token.to_owned());
        if let Some(Some(ms)) = ttl {
            let (tx, topic, token) = (self.tx.clone(), m.topic.clone(), token.to_owned());
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                let _ = tx.send(Out::Expire { topic, token });
            });
        }
        self.reply(m, "ok", json!({}));
    }

    /// A refreshed token's ttl passed: `token_expired`, then the channel closes (as a
    /// Phoenix channel stopping with `{:shutdown, _}`), unless a later token replaced it.
    pub fn expire(&mut self, topic: &str, token: &str) {
        if self.tokens.get(topic).map(String::as_str) != Some(token) {
            return;
        }
        self.tokens.remove(topic);
        let Some(jr) = self.joined.remove(topic) else { return };
        self.hub.unsubscribe(topic, self.conn);
        self.push(&msg(Some(&jr), None, topic, "token_expired", json!({})));
        self.push(&msg(Some(&jr), Some(&jr), topic, events::CLOSE, json!({})));
    }

    /// `presence:room:<id>`: `update_status {status}` updates the caller's meta.
    fn presence_room_event(&mut self, m: &Message) {
        let payload: Value = m.payload.as_json().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
        match m.event.as_str() {
            "update_status" => match payload.get("status").and_then(Value::as_str) {
                Some(status) if !status.is_empty() && status.len() <= 64 => {
                    let mut patch = serde_json::Map::new();
                    patch.insert("status".into(), json!(status));
                    self.hub.update_meta(&m.topic, self.conn, &self.user, patch);
                    self.reply(m, "ok", json!({"status": status}));
                }
                _ => self.reply(m, "error", json!({"message": "status must be a non-empty string"})),
            },
            "ping" => self.reply(m, "ok", json!({"pong": true, "timestamp": crate::hub::now_secs()})),
            _ => self.reply(m, "error", json!({"reason": "unknown event"})),
        }
    }

    fn room_event(&mut self, m: &Message) {
        match m.event.as_str() {
            "echo" => match &m.payload {
                // the payload's own text, as it came (checked by the decoder): Phoenix
                // echoes any depth of nesting, which serde_json's `Value` does not take
                Payload::Json(p) => self.reply_payload(m, Payload::Json(["{\"status\":\"ok\",\"response\":", p, "}"].concat())),
                Payload::Binary(b) => self.reply_payload(m, Payload::Reply { status: "ok".into(), response: b.clone() }),
                Payload::Reply { .. } => {}
            },
            "ping" => self.reply(m, "ok", json!({"pong": true})),
            "access_token" => self.refresh_token(m),
            "token" => self.reply(m, "ok", json!({"access_token": self.tokens.get(&m.topic)})),
            "blast" => {
                // n pushes of about `size` bytes to the caller, as fast as the socket takes them
                let payload: Value = m.payload.as_json().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
                let n = payload.get("n").and_then(Value::as_u64).unwrap_or(1000).min(10_000_000);
                let size = payload.get("size").and_then(Value::as_u64).unwrap_or(100).min(1 << 20) as usize;
                let (tx, topic, jr, reply) = (self.tx.clone(), m.topic.clone(), m.join_ref.clone(), m.clone());
                let binary = payload.get("binary").and_then(Value::as_bool).unwrap_or(false);
                let pad = "x".repeat(size.saturating_sub(20));
                tokio::spawn(async move {
                    for i in 0..n {
                        let m = if binary {
                            let mut bytes = vec![7u8; size.max(8)];
                            bytes[..8].copy_from_slice(&i.to_be_bytes());
                            Message { join_ref: jr.clone(), msg_ref: None, topic: topic.clone(), event: "blast".into(), payload: Payload::Binary(bytes) }
                        } else {
                            msg(jr.as_deref(), None, &topic, "blast", json!({"i": i, "pad": pad}))
                        };
                        send(&tx, &m);
                        if i % 256 == 255 {
                            tokio::task::yield_now().await;
                        }
                    }
                    let done = Message {
                        join_ref: reply.join_ref,
                        msg_ref: reply.msg_ref,
                        topic: reply.topic,
                        event: events::REPLY.into(),
                        payload: Payload::Json(json!({"status": "ok", "response": {"sent": n}}).to_string()),
                    };
                    send(&tx, &done);
                });
            }
            "fail" => self.reply(m, "error", json!({"reason": "failed"})),
            "noreply" => {}
            "shout" => {
                self.hub.broadcast(&m.topic, "shout", m.payload.clone());
                self.reply(m, "ok", json!({}));
            }
            "presence_load" => {
                // a synthetic presence load for benchmarks: `bench_start`, `bench_state` with `members`
                // keys, then `diffs` diffs of one join and one leave each
                let payload: Value = m.payload.as_json().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
                let members = payload.get("members").and_then(Value::as_u64).unwrap_or(1000).min(1_000_000);
                let diffs = payload.get("diffs").and_then(Value::as_u64).unwrap_or(100).min(1_000_000);
                let meta = |u: u64, r: u64| json!({"online_at": 1_700_000_000u64, "status": "online", "phx_ref": format!("R{u}-{r}")});
                let mut state = serde_json::Map::new();
                for u in 0..members {
                    state.insert(format!("user{u}"), json!({"metas": [meta(u, 0)]}));
                }
                let state = msg(m.join_ref.as_deref(), None, &m.topic, "bench_state", Value::Object(state));
                // everything is generated before anything is sent; `bench_start` goes first so
                // that clients time their own work, not the generation
                self.push(&msg(m.join_ref.as_deref(), None, &m.topic, "bench_start", json!({})));
                self.push(&state);
                for d in 0..diffs {
                    let (joiner, leaver) = (members + d, d % members.max(1));
                    let diff = json!({"joins": {format!("user{joiner}"): {"metas": [meta(joiner, 0)]}},
                                      "leaves": {format!("user{leaver}"): {"metas": [meta(leaver, 0)]}}});
                    self.push(&msg(m.join_ref.as_deref(), None, &m.topic, "bench_diff", diff));
                }
                self.reply(m, "ok", json!({"members": members, "diffs": diffs}));
            }
            "crash" => {
                let jr = self.joined.remove(&m.topic);
                self.hub.unsubscribe(&m.topic, self.conn);
                self.push(&msg(jr.as_deref(), jr.as_deref(), &m.topic, events::ERROR, json!({})));
            }
            "binary" => match &m.payload {
                Payload::Binary(b) => self.reply_payload(m, Payload::Reply { status: "ok".into(), response: b.clone() }),
                _ => self.reply(m, "error", json!({"reason": "expected a binary payload"})),
            },
            _ => self.reply(m, "error", json!({"reason": "unknown event"})),
        }
    }
}
