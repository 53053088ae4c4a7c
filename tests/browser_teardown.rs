//! Every wait of the Rust API ends: each future and stream it hands out, against each
//! way its channel or socket can go (leave, `disconnect()`, dropping the last handle,
//! the server closing the connection), in headless Chromium against the server of
//! `PHX_SERVER_URL` (phoenix-mock, then the real Phoenix app). Also: reconnect jitter
//! differs per socket, and the close code of `disconnect()`.
//!
//! | | leave | disconnect | drop of the last handle | server closes |
//! |---|---|---|---|---|
//! | `Push::outcome` | `timeout` | `timeout` | `canceled`, at once | `timeout` |
//! | `Channel::events` | ends | open: yields after `connect()` | ends | open: yields after the rejoin |
//! | `TypedChannel` | ends | open: yields after `connect()` | ends | open: yields after the rejoin |
//! | `Presence::syncs` | ends | open: yields after `connect()` | ends | open: yields after the rejoin |
//! | `TypedPresence` | ends | open: yields after `connect()` | ends | open: yields after the rejoin |
//! | `Socket::statuses` | open | yields `Closed {1000}` | ends | yields `Reconnecting` |
//! | `Socket::heartbeats` | open | open | ends | open |
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;

use futures_core::Stream;
use futures_util::StreamExt;
use phoenix_wasm::typed::{Topic, TypedPresence};
use phoenix_wasm::web::{Channel, Closed, Payload, Presence, Push, Socket, Status, CANCELED};
use serde::{Deserialize, Serialize};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Serialize)]
struct Params<'a> {
    token: &'a str,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Body {
    body: String,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(tag = "event", content = "payload", rename_all = "snake_case")]
enum RoomEvent {
    Shout(Body),
}

struct Room(String);

impl Topic for Room {
    type Event = RoomEvent;
    fn topic(&self) -> String {
        self.0.clone()
    }
}

#[derive(Deserialize, Debug)]
struct Meta {}

fn socket(user: &str) -> Socket {
    let token = format!("user:{user}");
    Socket::builder(server_url()).params(&Params { token: &token }).build().unwrap()
}

async fn opened(socket: &Socket) {
    let open = next(|cb| {
        socket.on_open(move || cb(()));
    });
    socket.connect();
    within(5_000, "the socket to open", open).await;
}

async fn joined(channel: &Channel) {
    within(5_000, "the join", channel.join().unwrap().outcome()).await.expect("joined");
}

/// Waits for the stream's end (items before it are skipped).
async fn ends<S: Stream + Unpin>(what: &str, mut stream: S) {
    within(5_000, what, async move { while stream.next().await.is_some() {} }).await;
}

/// Waits for the stream's next item: it must not have ended.
async fn yields<S: Stream + Unpin>(what: &str, stream: &mut S) -> S::Item {
    within(5_000, what, stream.next()).await.unwrap_or_else(|| panic!("{what}: the stream ended"))
}

/// A push the server never answers, with a timeout longer than any test.
fn unanswered(channel: &Channel) -> Push {
    channel.push_with_timeout("noreply", Payload::empty(), Some(Duration::from_secs(60))).unwrap()
}

async fn shout(channel: &Channel, body: &str) {
    let shout = Body { body: body.to_owned() };
    within(5_000, "the shout's reply", channel.push("shout", &shout).unwrap().outcome()).await.expect("shouted");
}

/// One channel's streams and a push in flight, made before the channel or socket goes.
struct Waits {
    events: futures_channel::mpsc::UnboundedReceiver<Payload>,
    typed: phoenix_wasm::typed::TypedChannel<Room>,
    /// kept: a live presence handle does not hold its sync streams open
    presence: Presence,
    syncs: futures_channel::mpsc::UnboundedReceiver<()>,
    typed_presence: TypedPresence<Meta>,
    push: Push,
}

/// A joined `room:` channel (it has presence and takes shouts) and its waits.
async fn waits(socket: &Socket, topic: &str) -> (Channel, Waits) {
    let typed = socket.typed_channel(Room(topic.to_owned())).unwrap();
    let channel = typed.channel().clone();
    let (_, events) = channel.events("shout").unwrap();
    let presence = Presence::new(&channel).unwrap();
    let mut syncs = presence.syncs();
    let mut typed_presence = TypedPresence::<Meta>::new(&channel).unwrap();
    joined(&channel).await;
    yields("the first presence sync", &mut syncs).await;
    yields("the first typed presence list", &mut typed_presence).await.unwrap();
    let push = unanswered(&channel);
    (channel, Waits { events, typed, presence, syncs, typed_presence, push })
}

#[wasm_bindgen_test]
async fn leave_ends_the_channels_streams_and_its_pushes_time_out() {
    let socket = socket("teardown-leave");
    opened(&socket).await;
    let mut statuses = socket.statuses();
    let (channel, w) = waits(&socket, "room:teardown-leave").await;
    let short = channel.push_with_timeout("noreply", Payload::empty(), Some(Duration::from_millis(300))).unwrap();
    let mut typed = w.typed;
    within(5_000, "the leave", typed.leave()).await.expect("left");
    ends("Channel::events after leave", w.events).await;
    ends("TypedChannel after leave", typed).await;
    ends("Presence::syncs after leave", w.syncs).await;
    ends("TypedPresence after leave", w.typed_presence).await;
    assert_eq!(within(5_000, "the push's timeout", short.outcome()).await.unwrap_err().status, "timeout");
    // the socket's own stream is not the channel's: it goes on
    assert!(socket.is_connected());
    socket.disconnect();
    assert!(matches!(yields("the status after disconnect", &mut statuses).await, Status::Closed { .. }));
    drop((w.push, w.presence));
}

#[wasm_bindgen_test]
async fn dropping_the_last_handle_ends_every_stream_and_cancels_every_push() {
    let socket = socket("teardown-drop");
    opened(&socket).await;
    let statuses = socket.statuses();
    let heartbeats = socket.heartbeats();
    let (channel, w) = waits(&socket, "room:teardown-drop").await;
    let silent = socket.channel("room:silent");
    let join = silent.join_with_timeout(Some(Duration::from_secs(60))).unwrap();
    // the typed channel is a handle: it goes with the others; the streams and pushes
    // do not keep the socket
    drop((socket, channel, silent, w.typed, w.presence));
    let push = within(5_000, "the push to settle", w.push.outcome()).await.unwrap_err();
    assert_eq!(push.status, CANCELED);
    assert_eq!(within(5_000, "the join to settle", join.outcome()).await.unwrap_err().status, CANCELED);
    ends("Channel::events after drop", w.events).await;
    ends("Presence::syncs after drop", w.syncs).await;
    ends("TypedPresence after drop", w.typed_presence).await;
    ends("Socket::statuses after drop", statuses).await;
    ends("Socket::heartbeats after drop", heartbeats).await;
}

#[wasm_bindgen_test]
async fn a_presence_handle_keeps_its_socket_and_a_typed_presence_does_not() {
    let watcher = socket("teardown-watcher");
    opened(&watcher).await;
    let room = watcher.channel("room:teardown-kept");
    let watched = Presence::new(&room).unwrap();
    joined(&room).await;
    let socket = socket("teardown-kept");
    opened(&socket).await;
    let channel = socket.typed_channel("room:teardown-kept").unwrap();
    let presence = TypedPresence::<Meta>::new(channel.channel()).unwrap();
    within(5_000, "the join", channel.joined::<serde::de::IgnoredAny>()).await.unwrap();
    until(5_000, "the watcher to see it join", || watched.keys().contains(&"teardown-kept".to_owned())).await;
    // a Presence is a handle, as its channel: it keeps the socket (a round trip shows it)
    let handle = Presence::new(channel.channel()).unwrap();
    drop((socket, channel));
    let pong = next(|cb| {
        assert!(handle.channel().socket().ping(move |rtt| cb(rtt)));
    });
    within(5_000, "a pong on the socket the presence handle keeps", pong).await;
    assert!(watched.keys().contains(&"teardown-kept".to_owned()));
    // the typed presence alone is no reason to stay: the server sees the socket go
    drop(handle);
    until(5_000, "the watcher to see it leave", || !watched.keys().contains(&"teardown-kept".to_owned())).await;
    assert!(presence.list().unwrap().is_empty());
    ends("TypedPresence after the socket went", presence).await;
    watcher.disconnect();
}

#[wasm_bindgen_test]
async fn disconnect_times_pushes_out_and_the_streams_go_on_after_connect() {
    let socket = socket("teardown-disconnect");
    opened(&socket).await;
    let mut statuses = socket.statuses();
    let (channel, mut w) = waits(&socket, "room:teardown-disconnect").await;
    let short = channel.push_with_timeout("noreply", Payload::empty(), Some(Duration::from_millis(300))).unwrap();
    socket.disconnect();
    assert_eq!(within(5_000, "the push's timeout", short.outcome()).await.unwrap_err().status, "timeout");
    assert_eq!(yields("the closed status", &mut statuses).await, Status::Closed { code: 1000, reason: String::new(), clean: true });
    // the channel rejoins on the next connect, and every stream goes on
    socket.connect();
    assert_eq!(yields("connecting", &mut statuses).await, Status::Connecting);
    assert_eq!(yields("open", &mut statuses).await, Status::Open);
    yields("a presence sync after the rejoin", &mut w.syncs).await;
    yields("a typed presence list after the rejoin", &mut w.typed_presence).await.unwrap();
    shout(&channel, "after the reconnect").await;
    yields("a shout after the rejoin", &mut w.events).await;
    let typed = yields("a typed shout after the rejoin", &mut w.typed).await.unwrap();
    assert_eq!(typed, RoomEvent::Shout(Body { body: "after the reconnect".to_owned() }));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn a_server_close_times_pushes_out_and_the_streams_go_on_after_the_rejoin() {
    let socket = Socket::builder(server_url())
        .params(&Params { token: "user:teardown-kicked" })
        .reconnect_after(|_| Duration::from_millis(50))
        .build()
        .unwrap();
    opened(&socket).await;
    let mut statuses = socket.statuses();
    let (channel, mut w) = waits(&socket, "room:teardown-kicked").await;
    let short = channel.push_with_timeout("noreply", Payload::empty(), Some(Duration::from_millis(300))).unwrap();
    admin("/admin/disconnect?user=teardown-kicked").await;
    assert!(matches!(yields("reconnecting", &mut statuses).await, Status::Reconnecting { attempt: 1, .. }));
    assert_eq!(within(5_000, "the push's timeout", short.outcome()).await.unwrap_err().status, "timeout");
    yields("a presence sync after the rejoin", &mut w.syncs).await;
    yields("a typed presence list after the rejoin", &mut w.typed_presence).await.unwrap();
    shout(&channel, "after the kick").await;
    yields("a shout after the rejoin", &mut w.events).await;
    assert!(yields("a typed shout after the rejoin", &mut w.typed).await.is_ok());
    socket.disconnect();
}

/// `disconnect()` closes with 1000 (normal closure): what it sends, what the status and
/// `on_close` report, and what phoenix.js's `disconnect()` reports against Phoenix.
/// `disconnect_with` reports its own code and reason.
#[wasm_bindgen_test]
async fn disconnect_reports_the_close_code_it_sent() {
    let socket = socket("close-code");
    opened(&socket).await;
    let mut statuses = socket.statuses();
    let closed = next(|cb| {
        socket.on_close(move |c: &Closed| cb(c.clone()));
    });
    socket.disconnect();
    let closed = within(5_000, "on_close", closed).await;
    assert_eq!((closed.code, closed.clean), (1000, true));
    assert_eq!(yields("the status", &mut statuses).await, Status::Closed { code: 1000, reason: String::new(), clean: true });

    opened(&socket).await;
    socket.disconnect_with(Some(4001), Some("bye"));
    let status = loop {
        match yields("the status", &mut statuses).await {
            s @ Status::Closed { .. } => break s,
            _ => continue,
        }
    };
    assert_eq!(status, Status::Closed { code: 4001, reason: "bye".to_owned(), clean: true });
}

/// Reconnect delays with jitter differ from socket to socket (each draws its own seed),
/// unless the application fixes the seed.
#[wasm_bindgen_test]
async fn jitter_differs_per_socket_unless_seeded() {
    async fn delays(seed: Option<u64>) -> Vec<Duration> {
        // nothing listens on port 9: every connect is refused at once
        let mut builder = Socket::builder("ws://127.0.0.1:9/socket").jitter(true).reconnect_after(|_| Duration::from_millis(300));
        if let Some(seed) = seed {
            builder = builder.jitter_seed(seed);
        }
        let socket = builder.build().unwrap();
        let mut statuses = socket.statuses();
        socket.connect();
        let mut delays = Vec::new();
        while delays.len() < 4 {
            if let Status::Reconnecting { delay, .. } = yields("a reconnect", &mut statuses).await {
                assert!(delay <= Duration::from_millis(300));
                delays.push(delay);
            }
        }
        socket.disconnect();
        delays
    }
    let (a, b) = (delays(None).await, delays(None).await);
    assert_ne!(a, b, "two sockets reconnect in lockstep");
    assert_eq!(delays(Some(7)).await, delays(Some(7)).await);
}
