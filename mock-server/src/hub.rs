//! Shared server state: connected sockets, topic subscriptions, presence and fault switches.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use phoenix_wasm::core::serializer::encode_to_client;
use phoenix_wasm::core::{Frame, Message, Payload};
use serde_json::{json, Map, Value};
use tokio::sync::mpsc::UnboundedSender;

/// What a connection task is told to do.
#[derive(Debug)]
pub enum Out {
    /// Send a frame.
    Frame(Frame),
    /// Send a close frame and end.
    Close(u16, String),
    /// End without a close frame (an abrupt network drop).
    Drop,
    /// A refreshed token's time is up: the session closes the channel on `topic` if
    /// `token` is still its token (docs/token-refresh.md).
    Expire { topic: String, token: String },
}

/// A connected socket.
pub struct ConnHandle {
    pub user: String,
    pub tx: UnboundedSender<Out>,
}

/// One meta of a tracked presence.
#[derive(Clone)]
struct Meta {
    conn: u64,
    value: Value,
}

#[derive(Default)]
pub struct State {
    pub conns: HashMap<u64, ConnHandle>,
    /// topic -> (conn -> join_ref)
    pub subs: HashMap<String, BTreeMap<u64, String>>,
    /// topic -> user -> metas
    presence: HashMap<String, BTreeMap<String, Vec<Meta>>>,
    /// Heartbeats go unanswered until then: for everyone (`None`) or one user.
    pub mute_until: HashMap<Option<String>, Instant>,
    pub pause_until: Option<Instant>,
    /// The transport the pause is for (`websocket` or `longpoll`); none: both.
    pub pause_transport: Option<String>,
    /// Drop the connection that sends the next push, before answering it.
    pub drop_next_push: bool,
    /// Hold every outgoing frame this long, until the instant.
    pub delay: Option<(Instant, std::time::Duration)>,
    /// `reliable:*` topics: their sequence and replay buffer.
    reliable: HashMap<String, ReliableTopic>,
}

/// The server side of reliable delivery for one topic.
#[derive(Default)]
struct ReliableTopic {
    last_seq: u64,
    /// `(seq, payload)` of the most recent events, oldest first.
    buffer: std::collections::VecDeque<(u64, String)>,
    acks: HashMap<String, u64>,
}

/// The hub, shared by every connection and HTTP handler.
#[derive(Clone, Default)]
pub struct Hub {
    state: Arc<Mutex<State>>,
    ids: Arc<AtomicU64>,
    /// Scenario data and rates.
    pub scenario: Arc<crate::scenario::Scenario>,
    /// The overlay channels' shared state.
    pub shared: Arc<Mutex<crate::channels::Shared>>,
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A server→client message with a JSON payload.
pub fn msg(join_ref: Option<&str>, msg_ref: Option<&str>, topic: &str, event: &str, payload: Value) -> Message {
    Message {
        join_ref: join_ref.map(Into::into),
        msg_ref: msg_ref.map(Into::into),
        topic: topic.into(),
        event: event.into(),
        payload: Payload::Json(payload.to_string()),
    }
}

pub fn send(tx: &UnboundedSender<Out>, m: &Message) {
    match encode_to_client(m) {
        Ok(frame) => {
            let _ = tx.send(Out::Frame(frame));
        }
        Err(e) => eprintln!("phoenix-mock: cannot encode {}/{}: {e}", m.topic, m.event),
    }
}

impl Hub {
    /// A hub for `scenario`.
    pub fn new(scenario: crate::scenario::Scenario) -> Hub {
        Hub { scenario: Arc::new(scenario), ..Hub::default() }
    }

    /// Topics with subscribers that start with `prefix`.
    pub fn topics_with_prefix(&self, prefix: &str) -> Vec<String> {
        self.lock().subs.keys().filter(|t| t.starts_with(prefix)).cloned().collect()
    }

    /// The overlay channels' shared state.
    pub fn shared(&self) -> MutexGuard<'_, crate::channels::Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn register(&self, user: &str, tx: UnboundedSender<Out>) -> u64 {
        let id = self.next_id();
        self.lock().conns.insert(id, ConnHandle { user: user.to_owned(), tx });
        id
    }

    /// Forgets a connection: leaves every topic it had joined.
    pub fn unregister(&self, conn: u64) {
        let topics: Vec<String> = {
            let mut st = self.lock();
            st.conns.remove(&conn);
            st.subs.iter().filter(|(_, m)| m.contains_key(&conn)).map(|(t, _)| t.clone()).collect()
        };
        for t in topics {
            self.unsubscribe(&t, conn);
        }
    }

    pub fn subscribe(&self, topic: &str, conn: u64, join_ref: &str) {
        self.lock().subs.entry(topic.to_owned()).or_default().insert(conn, join_ref.to_owned());
    }

    /// Removes `conn` from `topic`, untracking its presence.
    pub fn unsubscribe(&self, topic: &str, conn: u64) {
        {
            let mut st = self.lock();
            if let Some(m) = st.subs.get_mut(topic) {
                m.remove(&conn);
                if m.is_empty() {
                    st.subs.remove(topic);
                }
            }
        }
        self.untrack(topic, conn);
    }

    /// Sends `[null, null, topic, event, payload]` to every subscriber of `topic`.
    pub fn broadcast(&self, topic: &str, event: &str, payload: Payload) {
        let m = Message { join_ref: None, msg_ref: None, topic: topic.into(), event: event.into(), payload };
        let st = self.lock();
        if let Some(subs) = st.subs.get(topic) {
            for conn in subs.keys() {
                if let Some(c) = st.conns.get(conn) {
                    send(&c.tx, &m);
                }
            }
        }
    }

    /// Tracks `user` on `topic` for `conn`; returns the presence state after tracking
    /// and broadcasts the join diff.
    pub fn track(&self, topic: &str, conn: u64, user: &str) -> Value {
        self.track_with(topic, conn, user, Map::new())
    }

    /// [`Hub::track`] with extra meta fields.
    pub fn track_with(&self, topic: &str, conn: u64, user: &str, extra: Map<String, Value>) -> Value {
        let mut meta = json!({"online_at": now_secs(), "phx_ref": format!("F{}", self.next_id())});
        meta.as_object_mut().expect("an object").extend(extra);
        let state = {
            let mut st = self.lock();
            let entry = st.presence.entry(topic.to_owned()).or_default();
            entry.entry(user.to_owned()).or_default().push(Meta { conn, value: meta.clone() });
            presence_json(entry)
        };
        let diff = json!({"joins": {user: {"metas": [meta]}}, "leaves": {}});
        self.broadcast(topic, "presence_diff", Payload::Json(diff.to_string()));
        state
    }

    /// Publishes `data` on reliable `topic`: stamps it with the next `seq`, keeps it
    /// for replay (at most `capacity` events) and sends it to every subscriber.
    pub fn publish_reliable(&self, topic: &str, event: &str, data: Value, capacity: usize) -> u64 {
        let mut st = self.lock();
        let t = st.reliable.entry(topic.to_owned()).or_default();
        t.last_seq += 1;
        let seq = t.last_seq;
        let payload = json!({"seq": seq, "data": data, "timestamp": now_ms()}).to_string();
        t.buffer.push_back((seq, payload.clone()));
        while t.buffer.len() > capacity.max(1) {
            t.buffer.pop_front();
        }
        let m = Message { join_ref: None, msg_ref: None, topic: topic.into(), event: event.into(), payload: Payload::Json(payload) };
        if let Some(subs) = st.subs.get(topic) {
            for conn in subs.keys() {
                if let Some(c) = st.conns.get(conn) {
                    send(&c.tx, &m);
                }
            }
        }
        seq
    }

    /// Joins `conn` to reliable `topic`: sends `reply`, then replays the held events
    /// after `last_seq` (none for a first join), atomically with respect to publishing.
    pub fn join_reliable(&self, topic: &str, conn: u64, join_ref: &str, last_seq: Option<u64>, event: &str, reply: impl FnOnce(u64, bool) -> Message) {
        let mut st = self.lock();
        st.subs.entry(topic.to_owned()).or_default().insert(conn, join_ref.to_owned());
        let t = st.reliable.entry(topic.to_owned()).or_default();
        let current = t.last_seq;
        // a client ahead of the server: the server lost its history (a restart);
        // it says so (`reset`) and replays all it holds
        let reset = last_seq.is_some_and(|l| l > current);
        let after = if reset { Some(0) } else { last_seq };
        let replay: Vec<String> = match after {
            Some(after) => t.buffer.iter().filter(|(seq, _)| *seq > after).map(|(_, p)| p.clone()).collect(),
            None => Vec::new(),
        };
        let Some(c) = st.conns.get(&conn) else { return };
        send(&c.tx, &reply(current, reset));
        for payload in replay {
            let m = Message { join_ref: Some(join_ref.into()), msg_ref: None, topic: topic.into(), event: event.into(), payload: Payload::Json(payload) };
            send(&c.tx, &m);
        }
    }

    /// Records an acknowledgement.
    pub fn ack_reliable(&self, topic: &str, user: &str, seq: u64) {
        let mut st = self.lock();
        let t = st.reliable.entry(topic.to_owned()).or_default();
        let a = t.acks.entry(user.to_owned()).or_default();
        *a = (*a).max(seq);
    }

    /// Updates the meta of `conn` on `topic` (Phoenix's `Presence.update`): members
    /// get one diff with the old meta as a leave and the new one as a join.
    pub fn update_meta(&self, topic: &str, conn: u64, user: &str, patch: Map<String, Value>) -> bool {
        let (old, new) = {
            let mut st = self.lock();
            let next = self.next_id();
            let Some(meta) = st.presence.get_mut(topic).and_then(|u| u.get_mut(user)).and_then(|m| m.iter_mut().find(|m| m.conn == conn)) else {
                return false;
            };
            let old = meta.value.clone();
            let mut new = old.clone();
            let obj = new.as_object_mut().expect("metas are objects");
            obj.extend(patch);
            obj.insert("phx_ref_prev".into(), old["phx_ref"].clone());
            obj.insert("phx_ref".into(), Value::String(format!("F{next}")));
            meta.value = new.clone();
            (old, new)
        };
        let diff = json!({"joins": {user: {"metas": [new]}}, "leaves": {user: {"metas": [old]}}});
        self.broadcast(topic, "presence_diff", Payload::Json(diff.to_string()));
        true
    }

    fn untrack(&self, topic: &str, conn: u64) {
        let mut leaves = Map::new();
        {
            let mut st = self.lock();
            let Some(users) = st.presence.get_mut(topic) else { return };
            users.retain(|user, metas| {
                let (gone, kept): (Vec<Meta>, Vec<Meta>) = metas.drain(..).partition(|m| m.conn == conn);
                if !gone.is_empty() {
                    leaves.insert(user.clone(), json!({"metas": gone.into_iter().map(|m| m.value).collect::<Vec<_>>()}));
                }
                *metas = kept;
                !metas.is_empty()
            });
            if users.is_empty() {
                st.presence.remove(topic);
            }
        }
        if !leaves.is_empty() {
            let diff = json!({"joins": {}, "leaves": leaves});
            self.broadcast(topic, "presence_diff", Payload::Json(diff.to_string()));
        }
    }

    /// Closes (or drops) every connection of `user`, or every connection if `None`.
    pub fn kick(&self, user: Option<&str>, how: fn() -> Out) -> usize {
        let st = self.lock();
        let mut n = 0;
        for c in st.conns.values() {
            if user.is_none_or(|u| u == c.user) {
                let _ = c.tx.send(how());
                n += 1;
            }
        }
        n
    }

    pub fn muted(&self, user: &str) -> bool {
        let st = self.lock();
        let now = Instant::now();
        [None, Some(user.to_owned())].iter().any(|k| st.mute_until.get(k).is_some_and(|t| now < *t))
    }

    /// Whether connects over `transport` (`websocket`, `longpoll`) are refused now.
    pub fn paused(&self, transport: &str) -> bool {
        let st = self.lock();
        st.pause_until.is_some_and(|t| Instant::now() < t) && st.pause_transport.as_deref().is_none_or(|t| t == transport)
    }
}

fn presence_json(users: &BTreeMap<String, Vec<Meta>>) -> Value {
    let mut out = Map::new();
    for (user, metas) in users {
        out.insert(user.clone(), json!({"metas": metas.iter().map(|m| m.value.clone()).collect::<Vec<_>>()}));
    }
    Value::Object(out)
}
